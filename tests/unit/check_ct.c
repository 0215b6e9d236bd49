/* SPDX-License-Identifier: ISC */
/* Unit tests of connection tracking: TCP states, lookup, expiry, eviction. */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"

static const struct conf_timeouts to_test = {
	.tcp_syn_sent = 120,
	.tcp_syn_received = 60,
	.tcp_established = 7440,	/* beyond the wheel: re-filed */
	.tcp_fin_wait = 120,
	.tcp_close_wait = 60,
	.tcp_last_ack = 30,
	.tcp_time_wait = 120,
	.tcp_close = 10,
	.udp = 30,
	.udp_stream = 180,
	.icmp = 30,
	.generic = 600,
};

#define T0 1000u

static struct ct_tuple
tup(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
    uint8_t proto)
{
	struct ct_tuple t;

	memset(&t, 0, sizeof(t));
	t.src = htonl(src);
	t.dst = htonl(dst);
	t.sport = htons(sport);
	t.dport = htons(dport);
	t.proto = proto;
	return t;
}

static struct ct_pkt
seg(uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win,
    uint32_t payload)
{
	struct ct_pkt p;

	memset(&p, 0, sizeof(p));
	p.tcp_flags = flags;
	p.seq = seq;
	p.ack = ack;
	p.win = win;
	p.wscale = -1;
	p.payload = payload;
	p.len = 40 + payload;
	return p;
}

static struct ct_pkt
udp_pkt(void)
{
	struct ct_pkt p;

	memset(&p, 0, sizeof(p));
	p.wscale = -1;
	p.len = 100;
	return p;
}

/* A UDP connection 10.0.0.N:sport -> 8.8.8.8:53, no NAT. */
static struct ct_entry *
udp_insert(struct ct_table *t, uint32_t n, uint16_t sport, uint8_t flags,
    uint32_t now)
{
	struct ct_tuple o = tup(0x0a000000 + n, 0x08080808, sport, 53,
	    IPPROTO_UDP), r;
	struct ct_pkt p = udp_pkt();

	ct_tuple_invert(&r, &o);
	return ct_insert(t, &o, &r, flags, &p, now);
}

static struct ct_entry *
udp_find(struct ct_table *t, uint32_t n, uint16_t sport)
{
	struct ct_tuple o = tup(0x0a000000 + n, 0x08080808, sport, 53,
	    IPPROTO_UDP);

	return ct_lookup(t, &o, NULL);
}

/*
 * The TCP connection of most tests: 192.168.1.10:40000 -> 1.2.3.4:80,
 * source-NATed to 5.5.5.5:2000. Client ISN 1000, server ISN 5000.
 */
#define CISN 1000u
#define SISN 5000u

static struct ct_entry *
tcp_syn(struct ct_table *t, const struct ct_pkt *p)
{
	struct ct_tuple o = tup(0xc0a8010a, 0x01020304, 40000, 80,
	    IPPROTO_TCP);
	struct ct_tuple r = tup(0x01020304, 0x05050505, 80, 2000,
	    IPPROTO_TCP);

	return ct_insert(t, &o, &r, CT_F_SNAT, p, T0);
}

static void
track_ok(struct ct_table *t, struct ct_entry *e, enum ct_dir d,
    struct ct_pkt p, uint8_t want)
{
	ck_assert_int_eq(ct_track(t, e, d, &p, T0), CT_OK);
	ck_assert_str_eq(ct_tcp_state_name(e->tcp_state),
	    ct_tcp_state_name(want));
}

static void
track_bad(struct ct_table *t, struct ct_entry *e, enum ct_dir d,
    struct ct_pkt p)
{
	uint8_t before = e->tcp_state;
	uint64_t inv = ct_counters(t)->invalid;

	ck_assert_int_eq(ct_track(t, e, d, &p, T0), CT_INVALID);
	ck_assert_int_eq(e->tcp_state, before);
	ck_assert_uint_eq(ct_counters(t)->invalid, inv + 1);
}

/* Handshake done, 100 bytes from the client acked. */
static struct ct_entry *
tcp_established(struct ct_table *t)
{
	struct ct_pkt p = seg(TH_SYN, CISN, 0, 65535, 0);
	struct ct_entry *e = tcp_syn(t, &p);

	ck_assert_ptr_nonnull(e);
	track_ok(t, e, CT_DIR_REPLY, seg(TH_SYN | TH_ACK, SISN, CISN + 1,
	    65535, 0), CT_TCP_SYN_RECV);
	track_ok(t, e, CT_DIR_ORIG, seg(TH_ACK, CISN + 1, SISN + 1, 65535, 0),
	    CT_TCP_ESTABLISHED);
	track_ok(t, e, CT_DIR_ORIG, seg(TH_ACK | TH_PUSH, CISN + 1, SISN + 1,
	    65535, 100), CT_TCP_ESTABLISHED);
	track_ok(t, e, CT_DIR_REPLY, seg(TH_ACK, SISN + 1, CISN + 101, 65535,
	    0), CT_TCP_ESTABLISHED);
	return e;
}

/* --- TCP ------------------------------------------------------------- */

START_TEST(test_handshake)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	struct ct_pkt p = seg(TH_SYN, CISN, 0, 65535, 0);
	struct ct_entry *e = tcp_syn(t, &p);
	struct ct_tuple o = tup(0xc0a8010a, 0x01020304, 40000, 80,
	    IPPROTO_TCP);
	struct ct_tuple r = tup(0x01020304, 0x05050505, 80, 2000,
	    IPPROTO_TCP);
	enum ct_dir d;

	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->tcp_state, CT_TCP_SYN_SENT);
	ck_assert_uint_eq(ct_timeout_left(e, T0), 120);
	ck_assert(!(e->flags & CT_F_REPLIED));
	ck_assert_ptr_eq(ct_lookup(t, &o, &d), e);
	ck_assert_int_eq(d, CT_DIR_ORIG);
	ck_assert_ptr_eq(ct_lookup(t, &r, &d), e);
	ck_assert_int_eq(d, CT_DIR_REPLY);

	track_ok(t, e, CT_DIR_REPLY, seg(TH_SYN | TH_ACK, SISN, CISN + 1,
	    65535, 0), CT_TCP_SYN_RECV);
	ck_assert(e->flags & CT_F_REPLIED);
	ck_assert(!(e->flags & CT_F_ASSURED));
	ck_assert_uint_eq(ct_timeout_left(e, T0), 60);
	track_ok(t, e, CT_DIR_ORIG, seg(TH_ACK, CISN + 1, SISN + 1, 65535, 0),
	    CT_TCP_ESTABLISHED);
	ck_assert(e->flags & CT_F_ASSURED);
	ck_assert_uint_eq(ct_timeout_left(e, T0), 7440);
	ck_assert_uint_eq(ct_stats(t, e)->packets[CT_DIR_ORIG], 2);
	ck_assert_uint_eq(ct_stats(t, e)->packets[CT_DIR_REPLY], 1);
	ck_assert_uint_eq(ct_stats(t, e)->bytes[CT_DIR_ORIG], 80);
	ck_assert_uint_eq(ct_counters(t)->created, 1);
	ck_assert_uint_eq(ct_counters(t)->invalid, 0);
	ct_destroy(t);
}
END_TEST

START_TEST(test_synack_bad_ack)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	struct ct_pkt p = seg(TH_SYN, CISN, 0, 65535, 0);
	struct ct_entry *e = tcp_syn(t, &p);

	track_bad(t, e, CT_DIR_REPLY, seg(TH_SYN | TH_ACK, SISN, CISN + 7,
	    65535, 0));
	ck_assert(!(e->flags & CT_F_REPLIED));
	/* the client cannot ack before it saw a SYN/ACK */
	track_bad(t, e, CT_DIR_ORIG, seg(TH_ACK, CISN + 1, SISN + 1, 65535, 0));
	/* a retransmitted SYN is fine */
	track_ok(t, e, CT_DIR_ORIG, seg(TH_SYN, CISN, 0, 65535, 0),
	    CT_TCP_SYN_SENT);
	ct_destroy(t);
}
END_TEST

/* A SYN with data (TCP Fast Open): the server may ack it or not. */
START_TEST(test_syn_data)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	struct ct_pkt p = seg(TH_SYN, CISN, 0, 65535, 10);
	struct ct_entry *e = tcp_syn(t, &p);

	ck_assert_uint_eq(ct_stats(t, e)->td_end[CT_DIR_ORIG], CISN + 11);
	track_bad(t, e, CT_DIR_REPLY, seg(TH_SYN | TH_ACK, SISN, CISN + 12,
	    65535, 0));
	track_bad(t, e, CT_DIR_REPLY, seg(TH_SYN | TH_ACK, SISN, CISN,
	    65535, 0));
	track_ok(t, e, CT_DIR_REPLY, seg(TH_SYN | TH_ACK, SISN, CISN + 1,
	    65535, 0), CT_TCP_SYN_RECV);
	track_ok(t, e, CT_DIR_REPLY, seg(TH_SYN | TH_ACK, SISN, CISN + 11,
	    65535, 0), CT_TCP_SYN_RECV);
	ct_destroy(t);
}
END_TEST

START_TEST(test_simultaneous_open)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	struct ct_pkt p = seg(TH_SYN, CISN, 0, 65535, 0);
	struct ct_entry *e = tcp_syn(t, &p);

	track_ok(t, e, CT_DIR_REPLY, seg(TH_SYN, SISN, 0, 65535, 0),
	    CT_TCP_SYN_SENT2);
	ck_assert_uint_eq(ct_timeout_left(e, T0), 120);
	track_ok(t, e, CT_DIR_ORIG, seg(TH_SYN | TH_ACK, CISN, SISN + 1,
	    65535, 0), CT_TCP_SYN_RECV);
	/* the same side's SYN/ACK again changes nothing */
	track_ok(t, e, CT_DIR_ORIG, seg(TH_SYN | TH_ACK, CISN, SISN + 1,
	    65535, 0), CT_TCP_SYN_RECV);
	track_ok(t, e, CT_DIR_REPLY, seg(TH_SYN | TH_ACK, SISN, CISN + 1,
	    65535, 0), CT_TCP_ESTABLISHED);
	ck_assert(e->flags & CT_F_ASSURED);
	ct_destroy(t);
}
END_TEST

START_TEST(test_simultaneous_open_bad_ack)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	struct ct_pkt p = seg(TH_SYN, CISN, 0, 65535, 0);
	struct ct_entry *e = tcp_syn(t, &p);

	track_ok(t, e, CT_DIR_REPLY, seg(TH_SYN, SISN, 0, 65535, 0),
	    CT_TCP_SYN_SENT2);
	track_bad(t, e, CT_DIR_ORIG, seg(TH_SYN | TH_ACK, CISN, SISN + 99,
	    65535, 0));
	track_bad(t, e, CT_DIR_ORIG, seg(TH_ACK, CISN + 1, SISN + 1, 65535,
	    0));
	ct_destroy(t);
}
END_TEST

START_TEST(test_new_ok)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	struct ct_pkt p = seg(TH_ACK, CISN, 77, 65535, 0);

	ck_assert(ct_tcp_new_ok(TH_SYN));
	ck_assert(ct_tcp_new_ok(TH_SYN | TH_PUSH | TH_URG));
	ck_assert(!ct_tcp_new_ok(TH_ACK));
	ck_assert(!ct_tcp_new_ok(TH_SYN | TH_ACK));
	ck_assert(!ct_tcp_new_ok(TH_SYN | TH_FIN));
	ck_assert(!ct_tcp_new_ok(TH_SYN | TH_RST));
	ck_assert(!ct_tcp_new_ok(0));
	/* a bare ACK cannot open an entry even when the caller tries */
	ck_assert_ptr_null(tcp_syn(t, &p));
	ck_assert_uint_eq(ct_count(t), 0);
	ck_assert_uint_eq(ct_counters(t)->invalid, 1);
	ct_destroy(t);
}
END_TEST

START_TEST(test_bad_flags)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	struct ct_entry *e = tcp_established(t);

	track_bad(t, e, CT_DIR_ORIG, seg(TH_SYN | TH_FIN, CISN + 101,
	    SISN + 1, 65535, 0));
	track_bad(t, e, CT_DIR_ORIG, seg(0, CISN + 101, SISN + 1, 65535, 0));
	track_bad(t, e, CT_DIR_ORIG, seg(TH_FIN, CISN + 101, SISN + 1, 65535,
	    0));
	/* the server cannot open again inside an established connection */
	track_bad(t, e, CT_DIR_REPLY, seg(TH_SYN, SISN + 500, 0, 65535, 0));
	ck_assert_int_eq(e->tcp_state, CT_TCP_ESTABLISHED);
	ct_destroy(t);
}
END_TEST

/*
 * The peer still holds an older connection on the same ports (its
 * TIME-WAIT rejected the SYN, or it is half-open): it answers the SYN with
 * a bare ACK of that connection. The ACK passes without making the entry
 * replied, the client's RST (sequence = that ack, RFC 793 3.4) closes it,
 * and the client's next SYN opens it again.
 */
START_TEST(test_syn_sent_stale_peer)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	struct ct_pkt p = seg(TH_SYN, CISN, 0, 65535, 0);
	struct ct_entry *e = tcp_syn(t, &p);
	const struct ct_stats *st = ct_stats(t, e);
	uint32_t oldack = 0x7abc0000u;

	ck_assert_int_eq(ct_track(t, e, CT_DIR_REPLY,
	    &(struct ct_pkt){ .tcp_flags = TH_ACK, .seq = 0x12340000u,
	    .ack = oldack, .win = 500, .wscale = -1, .len = 52 }, T0 + 30),
	    CT_OK);
	ck_assert_int_eq(e->tcp_state, CT_TCP_SYN_SENT);
	ck_assert(!(e->flags & CT_F_REPLIED));
	ck_assert_uint_eq(st->packets[CT_DIR_REPLY], 1);
	/* no sign of life: the SYN_SENT timeout still runs from T0 */
	ck_assert_uint_eq(ct_timeout_left(e, T0), 120);
	ck_assert_uint_eq(st->td_end[CT_DIR_ORIG], CISN + 1);
	ck_assert_uint_eq(ct_counters(t)->invalid, 0);
	/* a SYN/ACK that does not ack the SYN is still refused */
	track_bad(t, e, CT_DIR_REPLY, seg(TH_SYN | TH_ACK, SISN, oldack,
	    65535, 0));

	track_ok(t, e, CT_DIR_ORIG, seg(TH_RST, oldack, 0, 0, 0),
	    CT_TCP_CLOSE);
	track_ok(t, e, CT_DIR_ORIG, seg(TH_SYN, CISN + 64000, 0, 65535, 0),
	    CT_TCP_SYN_SENT);
	track_ok(t, e, CT_DIR_REPLY, seg(TH_SYN | TH_ACK, SISN, CISN + 64001,
	    65535, 0), CT_TCP_SYN_RECV);
	ck_assert(e->flags & CT_F_REPLIED);
	ct_destroy(t);
}
END_TEST

/*
 * A client that lost its connection (rebooted) opens a new one from the
 * same port while the entry is still established: the SYN passes without
 * touching the window, the server's challenge ACK (RFC 5961 4) of the old
 * connection is in its window, the client's RST to it closes the entry and
 * the SYN retry opens it again.
 */
START_TEST(test_established_syn_reopen)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	struct ct_entry *e = tcp_established(t);
	const struct ct_stats *st = ct_stats(t, e);
	uint32_t end = st->td_end[CT_DIR_ORIG];

	track_ok(t, e, CT_DIR_ORIG, seg(TH_SYN, CISN + 900000, 0, 65535, 0),
	    CT_TCP_ESTABLISHED);
	ck_assert_uint_eq(st->td_end[CT_DIR_ORIG], end);
	track_ok(t, e, CT_DIR_REPLY, seg(TH_ACK, SISN + 1, CISN + 101, 65535,
	    0), CT_TCP_ESTABLISHED);
	track_ok(t, e, CT_DIR_ORIG, seg(TH_RST, CISN + 101, 0, 0, 0),
	    CT_TCP_CLOSE);
	track_ok(t, e, CT_DIR_ORIG, seg(TH_SYN, CISN + 900000, 0, 65535, 0),
	    CT_TCP_SYN_SENT);
	ck_assert(!(e->flags & CT_F_REPLIED));
	track_ok(t, e, CT_DIR_REPLY, seg(TH_SYN | TH_ACK, SISN + 7,
	    CISN + 900001, 65535, 0), CT_TCP_SYN_RECV);
	ct_destroy(t);
}
END_TEST

START_TEST(test_rst_window)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	struct ct_entry *e = tcp_established(t);
	const struct ct_stats *st = ct_stats(t, e);
	uint32_t pkts = st->packets[CT_DIR_REPLY];

	/* far outside: blind reset attempt */
	track_bad(t, e, CT_DIR_REPLY, seg(TH_RST, SISN + 1 + 0x40000000u, 0,
	    0, 0));
	track_bad(t, e, CT_DIR_REPLY, seg(TH_RST, SISN + 1 - 0x40000000u, 0,
	    0, 0));
	ck_assert_uint_eq(st->packets[CT_DIR_REPLY], pkts);
	ck_assert_uint_eq(ct_timeout_left(e, T0), 7440);
	/* in window */
	track_ok(t, e, CT_DIR_REPLY, seg(TH_RST, SISN + 1, 0, 0, 0),
	    CT_TCP_CLOSE);
	ck_assert_uint_eq(ct_timeout_left(e, T0), 10);
	ct_destroy(t);
}
END_TEST

/* RFC 5961 3.2: only the exact sequence number resets. */
START_TEST(test_rst_inexact)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	struct ct_entry *e = tcp_established(t);
	const struct ct_stats *st = ct_stats(t, e);
	uint32_t pkts = st->packets[CT_DIR_REPLY];
	uint64_t inv = ct_counters(t)->invalid;

	/* in the window, not exact: passed, nothing changes */
	ck_assert_int_eq(ct_track(t, e, CT_DIR_REPLY, &(struct ct_pkt){
	    .tcp_flags = TH_RST, .seq = SISN + 1 + 1000, .wscale = -1,
	    .len = 40 }, T0 + 5), CT_OK);
	ck_assert_str_eq(ct_tcp_state_name(e->tcp_state), "established");
	ck_assert_uint_eq(ct_timeout_left(e, T0), 7440);
	ck_assert_uint_eq(st->packets[CT_DIR_REPLY], pkts + 1);
	ck_assert_uint_eq(ct_counters(t)->invalid, inv);
	/* from the client's side too, and with ACK set */
	track_ok(t, e, CT_DIR_ORIG, seg(TH_RST | TH_ACK, CISN + 101 + 1,
	    SISN + 1, 0, 0), CT_TCP_ESTABLISHED);
	track_ok(t, e, CT_DIR_ORIG, seg(TH_RST, CISN + 101 - 1, 0, 0, 0),
	    CT_TCP_ESTABLISHED);
	/* the connection still flows */
	track_ok(t, e, CT_DIR_ORIG, seg(TH_ACK | TH_PUSH, CISN + 101,
	    SISN + 1, 65535, 10), CT_TCP_ESTABLISHED);
	/* exact: closes */
	track_ok(t, e, CT_DIR_ORIG, seg(TH_RST, CISN + 111, 0, 0, 0),
	    CT_TCP_CLOSE);
	ck_assert_uint_eq(ct_timeout_left(e, T0), 10);
	ct_destroy(t);
}
END_TEST

/* RFC 5961 in syn-received: the half-open entry is not torn down either. */
START_TEST(test_rst_inexact_syn_recv)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	struct ct_pkt p = seg(TH_SYN, CISN, 0, 65535, 0);
	struct ct_entry *e = tcp_syn(t, &p);

	track_ok(t, e, CT_DIR_REPLY, seg(TH_SYN | TH_ACK, SISN, CISN + 1,
	    65535, 0), CT_TCP_SYN_RECV);
	track_ok(t, e, CT_DIR_ORIG, seg(TH_RST, CISN + 500, 0, 0, 0),
	    CT_TCP_SYN_RECV);
	track_ok(t, e, CT_DIR_ORIG, seg(TH_RST, CISN + 1, 0, 0, 0),
	    CT_TCP_CLOSE);
	ct_destroy(t);
}
END_TEST

START_TEST(test_rst_refused)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	struct ct_pkt p = seg(TH_SYN, CISN, 0, 65535, 0);
	struct ct_entry *e = tcp_syn(t, &p);

	/* RFC 793: in SYN-SENT a RST counts only if it acks the SYN */
	track_bad(t, e, CT_DIR_REPLY, seg(TH_RST | TH_ACK, 0, CISN + 5, 0, 0));
	track_bad(t, e, CT_DIR_REPLY, seg(TH_RST, 0, 0, 0, 0));
	track_ok(t, e, CT_DIR_REPLY, seg(TH_RST | TH_ACK, 0, CISN + 1, 0, 0),
	    CT_TCP_CLOSE);
	ct_destroy(t);
}
END_TEST

START_TEST(test_fin_close)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	struct ct_entry *e = tcp_established(t);
	uint32_t c = CISN + 101, s = SISN + 1;

	track_ok(t, e, CT_DIR_ORIG, seg(TH_FIN | TH_ACK, c, s, 65535, 0),
	    CT_TCP_FIN_WAIT);
	ck_assert_uint_eq(ct_timeout_left(e, T0), 120);
	/* the server acks the FIN: half closed */
	track_ok(t, e, CT_DIR_REPLY, seg(TH_ACK, s, c + 1, 65535, 0),
	    CT_TCP_CLOSE_WAIT);
	ck_assert_uint_eq(ct_timeout_left(e, T0), 60);
	/* it may still send data */
	track_ok(t, e, CT_DIR_REPLY, seg(TH_ACK, s, c + 1, 65535, 300),
	    CT_TCP_CLOSE_WAIT);
	s += 300;
	track_ok(t, e, CT_DIR_ORIG, seg(TH_ACK, c + 1, s, 65535, 0),
	    CT_TCP_CLOSE_WAIT);
	track_ok(t, e, CT_DIR_REPLY, seg(TH_FIN | TH_ACK, s, c + 1, 65535, 0),
	    CT_TCP_LAST_ACK);
	ck_assert_uint_eq(ct_timeout_left(e, T0), 30);
	track_ok(t, e, CT_DIR_ORIG, seg(TH_ACK, c + 1, s + 1, 65535, 0),
	    CT_TCP_TIME_WAIT);
	ck_assert_uint_eq(ct_timeout_left(e, T0), 120);
	/* the last ACK again, retransmitted */
	track_ok(t, e, CT_DIR_ORIG, seg(TH_ACK, c + 1, s + 1, 65535, 0),
	    CT_TCP_TIME_WAIT);
	ct_destroy(t);
}
END_TEST

/* The last data and the FIN in one segment: the FIN comes after it. */
START_TEST(test_fin_with_data)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	struct ct_entry *e = tcp_established(t);
	uint32_t c = CISN + 101, s = SISN + 1;

	track_ok(t, e, CT_DIR_ORIG, seg(TH_FIN | TH_ACK | TH_PUSH, c, s, 65535,
	    50), CT_TCP_FIN_WAIT);
	/* acking the data but not the FIN: still fin-wait */
	track_ok(t, e, CT_DIR_REPLY, seg(TH_ACK, s, c + 50, 65535, 0),
	    CT_TCP_FIN_WAIT);
	/* acking beyond the FIN */
	track_bad(t, e, CT_DIR_REPLY, seg(TH_ACK, s, c + 52, 65535, 0));
	track_ok(t, e, CT_DIR_REPLY, seg(TH_FIN | TH_ACK, s, c + 51, 65535,
	    0), CT_TCP_LAST_ACK);
	track_ok(t, e, CT_DIR_ORIG, seg(TH_ACK, c + 51, s + 1, 65535, 0),
	    CT_TCP_TIME_WAIT);
	ct_destroy(t);
}
END_TEST

START_TEST(test_simultaneous_close)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	struct ct_entry *e = tcp_established(t);
	uint32_t c = CISN + 101, s = SISN + 1;

	track_ok(t, e, CT_DIR_ORIG, seg(TH_FIN | TH_ACK, c, s, 65535, 0),
	    CT_TCP_FIN_WAIT);
	/* crossing FIN: does not ack the client's FIN yet */
	track_ok(t, e, CT_DIR_REPLY, seg(TH_FIN | TH_ACK, s, c, 65535, 0),
	    CT_TCP_LAST_ACK);
	track_ok(t, e, CT_DIR_ORIG, seg(TH_ACK, c + 1, s + 1, 65535, 0),
	    CT_TCP_LAST_ACK);
	track_ok(t, e, CT_DIR_REPLY, seg(TH_ACK, s + 1, c + 1, 65535, 0),
	    CT_TCP_TIME_WAIT);
	ct_destroy(t);
}
END_TEST

START_TEST(test_time_wait_reopen)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	struct ct_entry *e = tcp_established(t);
	uint32_t c = CISN + 101, s = SISN + 1;

	track_ok(t, e, CT_DIR_ORIG, seg(TH_FIN | TH_ACK, c, s, 65535, 0),
	    CT_TCP_FIN_WAIT);
	track_ok(t, e, CT_DIR_REPLY, seg(TH_FIN | TH_ACK, s, c + 1, 65535, 0),
	    CT_TCP_LAST_ACK);
	track_ok(t, e, CT_DIR_ORIG, seg(TH_ACK, c + 1, s + 1, 65535, 0),
	    CT_TCP_TIME_WAIT);
	/* only the original side may re-open */
	track_bad(t, e, CT_DIR_REPLY, seg(TH_SYN, 77777, 0, 65535, 0));
	track_ok(t, e, CT_DIR_ORIG, seg(TH_SYN, 900000, 0, 65535, 0),
	    CT_TCP_SYN_SENT);
	ck_assert(!(e->flags & (CT_F_REPLIED | CT_F_ASSURED)));
	ck_assert_uint_eq(ct_timeout_left(e, T0), 120);
	/* the new handshake is tracked against the new ISN */
	track_bad(t, e, CT_DIR_REPLY, seg(TH_SYN | TH_ACK, 123, c + 2, 65535,
	    0));
	track_ok(t, e, CT_DIR_REPLY, seg(TH_SYN | TH_ACK, 123, 900001, 65535,
	    0), CT_TCP_SYN_RECV);
	track_ok(t, e, CT_DIR_ORIG, seg(TH_ACK, 900001, 124, 65535, 0),
	    CT_TCP_ESTABLISHED);
	ct_destroy(t);
}
END_TEST

START_TEST(test_window)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	struct ct_entry *e = tcp_established(t);
	uint32_t c = CISN + 101, s = SISN + 1;

	/* the server's window ends at c + 65535 */
	track_bad(t, e, CT_DIR_ORIG, seg(TH_ACK, c + 200000, s, 65535, 10));
	/* acking data the server never sent */
	track_bad(t, e, CT_DIR_ORIG, seg(TH_ACK, c, s + 100000, 65535, 0));
	/* an ack far behind */
	track_bad(t, e, CT_DIR_ORIG, seg(TH_ACK, c, s - 200000, 65535, 0));
	/* data older than a window */
	track_bad(t, e, CT_DIR_ORIG, seg(TH_ACK, c - 200000, s, 65535, 100));
	/* a retransmission of the first 100 bytes is fine */
	track_ok(t, e, CT_DIR_ORIG, seg(TH_ACK, CISN + 1, s, 65535, 100),
	    CT_TCP_ESTABLISHED);
	/* so is data up to the window's end */
	track_ok(t, e, CT_DIR_ORIG, seg(TH_ACK, c + 65000, s, 65535, 535),
	    CT_TCP_ESTABLISHED);
	ck_assert_uint_eq(ct_stats(t, e)->td_end[CT_DIR_ORIG], c + 65535);
	ct_destroy(t);
}
END_TEST

/* Handshake with window scale options from @cws and @sws (-1: none). */
static struct ct_entry *
tcp_scaled(struct ct_table *t, int cws, int sws)
{
	struct ct_pkt p = seg(TH_SYN, CISN, 0, 65535, 0);
	struct ct_entry *e;

	p.wscale = (int8_t)cws;
	e = tcp_syn(t, &p);
	p = seg(TH_SYN | TH_ACK, SISN, CISN + 1, 65535, 0);
	p.wscale = (int8_t)sws;
	track_ok(t, e, CT_DIR_REPLY, p, CT_TCP_SYN_RECV);
	track_ok(t, e, CT_DIR_ORIG, seg(TH_ACK, CISN + 1, SISN + 1, 1000, 0),
	    CT_TCP_ESTABLISHED);
	/* the server opens its window: 1000 << 7 when scaled */
	track_ok(t, e, CT_DIR_REPLY, seg(TH_ACK, SISN + 1, CISN + 1, 1000, 0),
	    CT_TCP_ESTABLISHED);
	return e;
}

START_TEST(test_window_scale)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	struct ct_entry *e = tcp_scaled(t, 7, 7);

	ck_assert_uint_eq(ct_stats(t, e)->td_maxend[CT_DIR_ORIG],
	    CISN + 1 + 128000);
	track_ok(t, e, CT_DIR_ORIG, seg(TH_ACK, CISN + 1 + 100000, SISN + 1,
	    1000, 1000), CT_TCP_ESTABLISHED);
	ct_destroy(t);

	/* one side without the option: no scaling either way */
	t = ct_create(100, &to_test, T0);
	e = tcp_scaled(t, 7, -1);
	ck_assert_uint_eq(ct_stats(t, e)->td_maxend[CT_DIR_ORIG],
	    CISN + 1 + 65535);
	track_bad(t, e, CT_DIR_ORIG, seg(TH_ACK, CISN + 1 + 100000, SISN + 1,
	    1000, 1000));
	ct_destroy(t);
}
END_TEST

/* --- table ----------------------------------------------------------- */

START_TEST(test_invert)
{
	struct ct_tuple in = tup(1, 2, 1234, 80, IPPROTO_TCP), out;
	static const int pairs[][2] = {
		{ 8, 0 }, { 0, 8 }, { 13, 14 }, { 14, 13 }, { 15, 16 },
		{ 16, 15 }, { 17, 18 }, { 18, 17 }, { 3, 3 },
	};
	size_t i;

	ct_tuple_invert(&out, &in);
	ck_assert_uint_eq(out.src, htonl(2));
	ck_assert_uint_eq(out.dst, htonl(1));
	ck_assert_uint_eq(out.sport, htons(80));
	ck_assert_uint_eq(out.dport, htons(1234));
	ck_assert_uint_eq(out.proto, IPPROTO_TCP);

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		in = tup(1, 2, 4711, (uint16_t)pairs[i][0], IPPROTO_ICMP);
		ct_tuple_invert(&out, &in);
		ck_assert_uint_eq(out.src, htonl(2));
		ck_assert_uint_eq(out.sport, htons(4711));
		ck_assert_uint_eq(out.dport, htons((uint16_t)pairs[i][1]));
	}
}
END_TEST

START_TEST(test_state_names)
{
	ck_assert_str_eq(ct_tcp_state_name(CT_TCP_NONE), "none");
	ck_assert_str_eq(ct_tcp_state_name(CT_TCP_SYN_SENT), "syn-sent");
	ck_assert_str_eq(ct_tcp_state_name(CT_TCP_SYN_SENT2), "syn-sent2");
	ck_assert_str_eq(ct_tcp_state_name(CT_TCP_SYN_RECV), "syn-received");
	ck_assert_str_eq(ct_tcp_state_name(CT_TCP_ESTABLISHED),
	    "established");
	ck_assert_str_eq(ct_tcp_state_name(CT_TCP_FIN_WAIT), "fin-wait");
	ck_assert_str_eq(ct_tcp_state_name(CT_TCP_CLOSE_WAIT), "close-wait");
	ck_assert_str_eq(ct_tcp_state_name(CT_TCP_LAST_ACK), "last-ack");
	ck_assert_str_eq(ct_tcp_state_name(CT_TCP_TIME_WAIT), "time-wait");
	ck_assert_str_eq(ct_tcp_state_name(CT_TCP_CLOSE), "close");
}
END_TEST

START_TEST(test_clash)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	struct ct_tuple o = tup(0x0a000001, 0x08080808, 1000, 53, IPPROTO_UDP);
	struct ct_tuple r = tup(0x08080808, 0x05050505, 53, 1000, IPPROTO_UDP);
	struct ct_tuple o2 = tup(0x0a000002, 0x08080808, 1000, 53,
	    IPPROTO_UDP);
	struct ct_pkt p = udp_pkt();

	ck_assert_ptr_nonnull(ct_insert(t, &o, &r, CT_F_SNAT, &p, T0));
	/* same orig */
	ck_assert_ptr_null(ct_insert(t, &o, &r, CT_F_SNAT, &p, T0));
	/* another host NATed onto the same reply tuple */
	ck_assert_ptr_null(ct_insert(t, &o2, &r, CT_F_SNAT, &p, T0));
	/* a new orig equal to the existing reply */
	ck_assert_ptr_null(ct_insert(t, &r, &o2, 0, &p, T0));
	ck_assert_uint_eq(ct_counters(t)->clashes, 3);
	ck_assert_uint_eq(ct_count(t), 1);
	ck_assert(ct_tuple_in_use(t, &r));
	ck_assert(!ct_tuple_in_use(t, &o2));
	ct_destroy(t);
}
END_TEST

START_TEST(test_udp_timeouts)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	struct ct_entry *snat = udp_insert(t, 1, 1000, CT_F_SNAT, T0);
	struct ct_entry *plain = udp_insert(t, 2, 1000, 0, T0);
	struct ct_pkt p = udp_pkt();

	ck_assert_uint_eq(ct_timeout_left(snat, T0), 30);
	/* a reply: assured, but it does not refresh a source-NATed entry */
	ck_assert_int_eq(ct_track(t, snat, CT_DIR_REPLY, &p, T0 + 10), CT_OK);
	ck_assert(snat->flags & CT_F_ASSURED);
	ck_assert_uint_eq(snat->expires, T0 + 30);
	ck_assert_int_eq(ct_track(t, snat, CT_DIR_ORIG, &p, T0 + 20), CT_OK);
	ck_assert_uint_eq(snat->expires, T0 + 20 + 180);

	ck_assert_int_eq(ct_track(t, plain, CT_DIR_REPLY, &p, T0 + 10),
	    CT_OK);
	ck_assert_uint_eq(plain->expires, T0 + 10 + 180);
	ck_assert_uint_eq(ct_stats(t, plain)->packets[CT_DIR_REPLY], 1);
	ck_assert_uint_eq(ct_stats(t, plain)->bytes[CT_DIR_REPLY], 100);
	ct_destroy(t);
}
END_TEST

START_TEST(test_other_timeouts)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	struct ct_tuple o = tup(1, 2, 77, 8, IPPROTO_ICMP), r;
	struct ct_pkt p = udp_pkt();
	struct ct_entry *e;

	ct_tuple_invert(&r, &o);
	e = ct_insert(t, &o, &r, 0, &p, T0);
	ck_assert_uint_eq(ct_timeout_left(e, T0), 30);
	o = tup(1, 2, 0, 0, IPPROTO_GRE);
	ct_tuple_invert(&r, &o);
	e = ct_insert(t, &o, &r, 0, &p, T0);
	ck_assert_uint_eq(ct_timeout_left(e, T0), 600);
	ck_assert_uint_eq(ct_timeout_left(e, T0 + 600), 0);
	ck_assert_uint_eq(ct_timeout_left(e, T0 + 700), 0);
	ct_destroy(t);
}
END_TEST

/* --- expiry ---------------------------------------------------------- */

START_TEST(test_expire_exact)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	struct ct_pkt p = udp_pkt();
	struct ct_entry *b;

	udp_insert(t, 1, 1000, 0, T0);
	b = udp_insert(t, 2, 1000, 0, T0);
	ck_assert(!ct_expire(t, T0 + 10, 100));
	ck_assert_int_eq(ct_track(t, b, CT_DIR_ORIG, &p, T0 + 20), CT_OK);
	ck_assert(!ct_expire(t, T0 + 29, 100));
	ck_assert_uint_eq(ct_count(t), 2);
	ck_assert(!ct_expire(t, T0 + 30, 100));
	ck_assert_uint_eq(ct_count(t), 1);
	ck_assert_ptr_null(udp_find(t, 1, 1000));
	ck_assert_ptr_eq(udp_find(t, 2, 1000), b);
	ck_assert(!ct_expire(t, T0 + 49, 100));
	ck_assert_ptr_nonnull(udp_find(t, 2, 1000));
	ck_assert(!ct_expire(t, T0 + 50, 100));
	ck_assert_uint_eq(ct_count(t), 0);
	ck_assert_uint_eq(ct_counters(t)->expired, 2);
	ct_destroy(t);
}
END_TEST

/* An expiry beyond one turn of the wheel, checked every 97 seconds. */
START_TEST(test_expire_far)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	struct ct_entry *e = tcp_established(t);
	uint32_t now;

	ck_assert_uint_eq(e->expires, T0 + 7440);
	for (now = T0; now < T0 + 7440; now += 97) {
		ck_assert(!ct_expire(t, now, 10));
		ck_assert_uint_eq(ct_count(t), 1);
	}
	ck_assert(!ct_expire(t, T0 + 7439, 10));
	ck_assert_uint_eq(ct_count(t), 1);
	ck_assert(!ct_expire(t, T0 + 7440, 10));
	ck_assert_uint_eq(ct_count(t), 0);
	ct_destroy(t);
}
END_TEST

/* The clock jumps past several turns of the wheel at once. */
START_TEST(test_expire_jump)
{
	struct ct_table *t = ct_create(1000, &to_test, T0);
	struct ct_entry *e = tcp_established(t);
	uint32_t i;

	for (i = 0; i < 100; i++)
		udp_insert(t, i, 1000, 0, T0 + i);
	ck_assert(!ct_expire(t, T0 + 5000, 1000));
	ck_assert_uint_eq(ct_count(t), 1);
	ck_assert_ptr_nonnull(ct_lookup(t, &e->orig, NULL));
	ck_assert(!ct_expire(t, T0 + 7439, 1000));
	ck_assert_uint_eq(ct_count(t), 1);
	ck_assert(!ct_expire(t, T0 + 20000, 1000));
	ck_assert_uint_eq(ct_count(t), 0);
	ct_destroy(t);
}
END_TEST

START_TEST(test_expire_sooner)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	struct ct_entry *e = tcp_established(t);
	struct ct_pkt p = seg(TH_RST, SISN + 1, 0, 0, 0);

	ck_assert(!ct_expire(t, T0 + 1000, 10));
	/* RST: close, 10 s, far sooner than the entry's slot */
	ck_assert_int_eq(ct_track(t, e, CT_DIR_REPLY, &p, T0 + 1000), CT_OK);
	ck_assert_int_eq(e->tcp_state, CT_TCP_CLOSE);
	ck_assert(!ct_expire(t, T0 + 1009, 10));
	ck_assert_uint_eq(ct_count(t), 1);
	ck_assert(!ct_expire(t, T0 + 1010, 10));
	ck_assert_uint_eq(ct_count(t), 0);
	ct_destroy(t);
}
END_TEST

START_TEST(test_expire_budget)
{
	struct ct_table *t = ct_create(1000, &to_test, T0);
	uint32_t i;

	for (i = 0; i < 100; i++)
		udp_insert(t, i, 1000, 0, T0);
	udp_insert(t, 500, 1000, 0, T0 + 5);
	ck_assert(!ct_expire(t, T0 + 29, 30));
	ck_assert(ct_expire(t, T0 + 30, 30));
	ck_assert_uint_eq(ct_count(t), 71);
	ck_assert(ct_expire(t, T0 + 30, 30));
	ck_assert_uint_eq(ct_count(t), 41);
	ck_assert(ct_expire(t, T0 + 30, 30));
	ck_assert_uint_eq(ct_count(t), 11);
	ck_assert(!ct_expire(t, T0 + 30, 30));
	ck_assert_uint_eq(ct_count(t), 1);
	/* nothing due: no removal, nothing more to do */
	ck_assert(!ct_expire(t, T0 + 31, 30));
	ck_assert_uint_eq(ct_count(t), 1);
	ck_assert_uint_eq(ct_counters(t)->expired, 100);
	ct_destroy(t);
}
END_TEST

/* --- eviction -------------------------------------------------------- */

START_TEST(test_early_drop)
{
	struct ct_table *t = ct_create(4, &to_test, T0);
	struct ct_pkt p = udp_pkt();
	struct ct_entry *e[4];
	uint32_t i;

	for (i = 0; i < 4; i++)
		e[i] = udp_insert(t, i, 1000, 0, T0 + i);
	ck_assert_int_eq(ct_track(t, e[0], CT_DIR_REPLY, &p, T0 + 5), CT_OK);
	/* the oldest unreplied is 1, not 0 */
	ck_assert_ptr_nonnull(udp_insert(t, 10, 1000, 0, T0 + 6));
	ck_assert_uint_eq(ct_count(t), 4);
	ck_assert_uint_eq(ct_counters(t)->evicted, 1);
	ck_assert_ptr_nonnull(udp_find(t, 0, 1000));
	ck_assert_ptr_null(udp_find(t, 1, 1000));
	ck_assert_ptr_nonnull(udp_find(t, 2, 1000));

	ck_assert_ptr_nonnull(udp_insert(t, 11, 1000, 0, T0 + 7));
	ck_assert_ptr_null(udp_find(t, 2, 1000));
	ck_assert_uint_eq(ct_counters(t)->evicted, 2);

	/* everything replied: the new one is refused */
	ck_assert_int_eq(ct_track(t, udp_find(t, 3, 1000), CT_DIR_REPLY, &p,
	    T0 + 8), CT_OK);
	ck_assert_int_eq(ct_track(t, udp_find(t, 10, 1000), CT_DIR_REPLY, &p,
	    T0 + 8), CT_OK);
	ck_assert_int_eq(ct_track(t, udp_find(t, 11, 1000), CT_DIR_REPLY, &p,
	    T0 + 8), CT_OK);
	ck_assert_ptr_null(udp_insert(t, 12, 1000, 0, T0 + 9));
	ck_assert_uint_eq(ct_counters(t)->dropped, 1);
	ck_assert_uint_eq(ct_counters(t)->evicted, 2);
	ck_assert_uint_eq(ct_count(t), 4);
	ck_assert_ptr_nonnull(udp_find(t, 0, 1000));
	ct_destroy(t);
}
END_TEST

/*
 * A SYN flood at a server that answers: every entry is replied
 * (syn-received) but none assured. A full table evicts the oldest of
 * them, never an established connection, and a new connection gets in.
 */
START_TEST(test_early_drop_syn_flood)
{
	struct ct_table *t = ct_create(8, &to_test, T0);
	struct ct_entry *est = tcp_established(t), *e, *mine;
	struct ct_tuple o, r;
	struct ct_pkt syn = seg(TH_SYN, 7000, 0, 512, 0);
	uint32_t i;

	ck_assert_int_ne(est->flags & CT_F_ASSURED, 0);
	for (i = 0; i < 100; i++) {
		o = tup(0x02020200 + (i & 3), 0xc0a80102, 1024 + i, 80,
		    IPPROTO_TCP);
		ct_tuple_invert(&r, &o);
		e = ct_insert(t, &o, &r, CT_F_DNAT, &syn, T0 + i / 10);
		ck_assert_ptr_nonnull(e);
		track_ok(t, e, CT_DIR_REPLY, seg(TH_SYN | TH_ACK, 9000, 7001,
		    65535, 0), CT_TCP_SYN_RECV);
		ck_assert_int_ne(e->flags & CT_F_REPLIED, 0);
		ck_assert_uint_le(ct_count(t), 8);
	}
	ck_assert_uint_eq(ct_counters(t)->dropped, 0);
	ck_assert_uint_eq(ct_counters(t)->evicted, 100 - 7);
	/* the established connection was never a candidate */
	ck_assert_ptr_eq(ct_lookup(t, &est->orig, NULL), est);
	ck_assert_str_eq(ct_tcp_state_name(est->tcp_state), "established");
	/* a real client completes its handshake and is then kept */
	o = tup(0xc0a8010b, 0x01020304, 50000, 443, IPPROTO_TCP);
	ct_tuple_invert(&r, &o);
	mine = ct_insert(t, &o, &r, 0, &syn, T0 + 20);
	ck_assert_ptr_nonnull(mine);
	track_ok(t, mine, CT_DIR_REPLY, seg(TH_SYN | TH_ACK, 9000, 7001,
	    65535, 0), CT_TCP_SYN_RECV);
	track_ok(t, mine, CT_DIR_ORIG, seg(TH_ACK, 7001, 9001, 65535, 0),
	    CT_TCP_ESTABLISHED);
	for (i = 0; i < 20; i++) {
		o = tup(0x02020200, 0xc0a80102, 5000 + i, 80, IPPROTO_TCP);
		ct_tuple_invert(&r, &o);
		ck_assert_ptr_nonnull(ct_insert(t, &o, &r, CT_F_DNAT, &syn,
		    T0 + 30));
	}
	ck_assert_ptr_eq(ct_lookup(t, &mine->orig, NULL), mine);
	ck_assert_ptr_eq(ct_lookup(t, &est->orig, NULL), est);
	/* only assured entries left: the next new one is refused */
	ct_destroy(t);
}
END_TEST

START_TEST(test_shrink_max)
{
	struct ct_table *t = ct_create(10, &to_test, T0);
	uint32_t i;

	for (i = 0; i < 10; i++)
		ck_assert_ptr_nonnull(udp_insert(t, i, 1000, 0, T0));
	ct_reconfigure(t, 5, &to_test);
	ck_assert_uint_eq(ct_count(t), 10);
	ck_assert_uint_eq(ct_max(t), 5);
	ck_assert_ptr_nonnull(udp_insert(t, 100, 1000, 0, T0));
	ck_assert_uint_lt(ct_count(t), 10);
	ck_assert_ptr_nonnull(udp_insert(t, 101, 1000, 0, T0));
	ck_assert_uint_le(ct_count(t), 5);
	ct_destroy(t);
}
END_TEST

START_TEST(test_grow_max)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	uint32_t i;

	for (i = 0; i < 100; i++)
		ck_assert_ptr_nonnull(udp_insert(t, i, 1000, 0, T0));
	ct_reconfigure(t, 20000, &to_test);
	ck_assert_uint_eq(ct_max(t), 20000);
	for (i = 0; i < 100; i++)
		ck_assert_ptr_nonnull(udp_find(t, i, 1000));
	for (i = 100; i < 20000; i++)
		ck_assert_ptr_nonnull(udp_insert(t, i, 1000, 0, T0));
	ck_assert_uint_eq(ct_count(t), 20000);
	ck_assert_uint_eq(ct_counters(t)->evicted, 0);
	for (i = 0; i < 20000; i += 7)
		ck_assert_ptr_nonnull(udp_find(t, i, 1000));
	ct_destroy(t);
}
END_TEST

/* --- events ---------------------------------------------------------- */

#define EV_N 64

struct ev_log {
	unsigned int n[3][EV_N];	/* per event, per orig address */
	struct ct_table *t;
	bool remove_again;		/* DESTROY callback removes again */
};

static void
ev_cb(void *arg, enum ct_event ev, const struct ct_entry *e)
{
	struct ev_log *l = arg;
	uint32_t n = ntohl(e->orig.src) & (EV_N - 1);

	l->n[ev][n]++;
	if (ev == CT_EV_DESTROY) {
		/* still findable while DESTROY runs */
		ck_assert_ptr_eq(ct_lookup(l->t, &e->orig, NULL), e);
		if (l->remove_again)
			ct_remove(l->t, (struct ct_entry *)e);
	}
}

START_TEST(test_events)
{
	struct ct_table *t = ct_create(8, &to_test, T0);
	struct ev_log *l = calloc(1, sizeof(*l));
	struct ct_pkt p = udp_pkt();
	struct ct_entry *e;
	uint32_t i;

	l->t = t;
	l->remove_again = true;
	ct_set_event_cb(t, ev_cb, l);
	for (i = 0; i < 8; i++)
		udp_insert(t, i, 1000, 0, T0);
	for (i = 0; i < 8; i++)
		ck_assert_uint_eq(l->n[CT_EV_NEW][i], 1);

	e = udp_find(t, 1, 1000);
	ct_track(t, e, CT_DIR_REPLY, &p, T0 + 1);
	ct_track(t, e, CT_DIR_REPLY, &p, T0 + 2);
	ct_track(t, e, CT_DIR_ORIG, &p, T0 + 3);
	ck_assert_uint_eq(l->n[CT_EV_UPDATE][1], 1);
	ct_track(t, udp_find(t, 2, 1000), CT_DIR_ORIG, &p, T0 + 31);

	/* eviction of 0 */
	udp_insert(t, 8, 1000, 0, T0 + 1);
	ck_assert_uint_eq(l->n[CT_EV_DESTROY][0], 1);
	/* ct_remove, twice */
	e = udp_find(t, 3, 1000);
	ct_remove(t, e);
	ck_assert_ptr_null(udp_find(t, 3, 1000));
	/* expiry: all but 1 (refreshed to T0 + 183) and 2 (T0 + 61) */
	ck_assert(!ct_expire(t, T0 + 40, 100));
	ck_assert_uint_eq(ct_count(t), 2);
	/* flush the rest */
	ck_assert_uint_eq(ct_flush(t), 2);
	ck_assert_uint_eq(ct_counters(t)->flushed, 2);
	ck_assert_uint_eq(ct_count(t), 0);
	for (i = 0; i <= 8; i++)
		ck_assert_uint_eq(l->n[CT_EV_DESTROY][i], 1);
	ck_assert(!ct_expire(t, T0 + 1000, 100));
	for (i = 0; i <= 8; i++)
		ck_assert_uint_eq(l->n[CT_EV_DESTROY][i], 1);
	ct_destroy(t);
	free(l);
}
END_TEST

START_TEST(test_events_tcp)
{
	struct ct_table *t = ct_create(8, &to_test, T0);
	struct ev_log *l = calloc(1, sizeof(*l));

	l->t = t;
	ct_set_event_cb(t, ev_cb, l);
	tcp_established(t);
	/* 192.168.1.10: slot 10; SYN_RECV (+ first reply), ESTABLISHED */
	ck_assert_uint_eq(l->n[CT_EV_NEW][10], 1);
	ck_assert_uint_eq(l->n[CT_EV_UPDATE][10], 2);
	ck_assert_uint_eq(l->n[CT_EV_DESTROY][10], 0);
	ct_destroy(t);
	free(l);
}
END_TEST

struct iter {
	struct ct_table *t;
	unsigned int seen;
};

static int
iter_remove_even(void *arg, const struct ct_entry *e,
    const struct ct_stats *st)
{
	struct iter *it = arg;

	it->seen++;
	ck_assert_uint_eq(st->packets[CT_DIR_ORIG], 1);
	if (!(ntohl(e->orig.src) & 1))
		ct_remove(it->t, ct_lookup(it->t, &e->orig, NULL));
	return 0;
}

static int
iter_count(void *arg, const struct ct_entry *e, const struct ct_stats *st)
{
	struct iter *it = arg;

	it->seen++;
	return it->seen == 5;
}

START_TEST(test_foreach)
{
	struct ct_table *t = ct_create(100, &to_test, T0);
	struct iter it = { t, 0 };
	uint32_t i;

	for (i = 0; i < 50; i++)
		udp_insert(t, i, 1000, 0, T0);
	ct_foreach(t, iter_remove_even, &it);
	ck_assert_uint_eq(it.seen, 50);
	ck_assert_uint_eq(ct_count(t), 25);
	it.seen = 0;
	ct_foreach(t, iter_count, &it);
	ck_assert_uint_eq(it.seen, 5);
	ct_destroy(t);
}
END_TEST

/* --- memory ---------------------------------------------------------- */

START_TEST(test_memory)
{
	const uint32_t n = 200000;
	struct ct_table *t = ct_create(n, &to_test, T0);
	size_t empty = ct_memory(t);
	uint32_t i;

	for (i = 0; i < n; i++) {
		struct ct_tuple o = tup(0x0a000000 + i, 0x08080808, 1000, 53,
		    IPPROTO_UDP), r;
		struct ct_pkt p = udp_pkt();

		ct_tuple_invert(&r, &o);
		ck_assert_ptr_nonnull(ct_insert(t, &o, &r, 0, &p, T0));
	}
	ck_assert_uint_eq(ct_count(t), n);
	ck_assert_uint_le(ct_memory(t) / n, 128);
	ck_assert_uint_gt(ct_memory(t), (size_t)n * 112);
	for (i = 0; i < n; i += 13)
		ck_assert_ptr_nonnull(udp_find(t, i, 1000));
	ck_assert_uint_eq(ct_flush(t), n);
	ck_assert_uint_eq(ct_memory(t), empty);
	/* and it grows again */
	ck_assert_ptr_nonnull(udp_insert(t, 1, 1000, 0, T0));
	ck_assert_ptr_nonnull(udp_find(t, 1, 1000));
	ct_destroy(t);
}
END_TEST

static Suite *
ct_suite(void)
{
	Suite *s = suite_create("ct");
	TCase *tc;

	tc = tcase_create("tcp");
	tcase_add_test(tc, test_handshake);
	tcase_add_test(tc, test_synack_bad_ack);
	tcase_add_test(tc, test_syn_data);
	tcase_add_test(tc, test_simultaneous_open);
	tcase_add_test(tc, test_simultaneous_open_bad_ack);
	tcase_add_test(tc, test_new_ok);
	tcase_add_test(tc, test_bad_flags);
	tcase_add_test(tc, test_syn_sent_stale_peer);
	tcase_add_test(tc, test_established_syn_reopen);
	tcase_add_test(tc, test_rst_window);
	tcase_add_test(tc, test_rst_inexact);
	tcase_add_test(tc, test_rst_inexact_syn_recv);
	tcase_add_test(tc, test_rst_refused);
	tcase_add_test(tc, test_fin_close);
	tcase_add_test(tc, test_fin_with_data);
	tcase_add_test(tc, test_simultaneous_close);
	tcase_add_test(tc, test_time_wait_reopen);
	tcase_add_test(tc, test_window);
	tcase_add_test(tc, test_window_scale);
	suite_add_tcase(s, tc);

	tc = tcase_create("table");
	tcase_add_test(tc, test_invert);
	tcase_add_test(tc, test_state_names);
	tcase_add_test(tc, test_clash);
	tcase_add_test(tc, test_udp_timeouts);
	tcase_add_test(tc, test_other_timeouts);
	tcase_add_test(tc, test_early_drop);
	tcase_add_test(tc, test_early_drop_syn_flood);
	tcase_add_test(tc, test_shrink_max);
	tcase_add_test(tc, test_grow_max);
	tcase_add_test(tc, test_events);
	tcase_add_test(tc, test_events_tcp);
	tcase_add_test(tc, test_foreach);
	suite_add_tcase(s, tc);

	tc = tcase_create("expiry");
	tcase_add_test(tc, test_expire_exact);
	tcase_add_test(tc, test_expire_far);
	tcase_add_test(tc, test_expire_jump);
	tcase_add_test(tc, test_expire_sooner);
	tcase_add_test(tc, test_expire_budget);
	suite_add_tcase(s, tc);

	tc = tcase_create("memory");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_memory);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ct_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
