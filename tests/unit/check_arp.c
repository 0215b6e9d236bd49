/* SPDX-License-Identifier: ISC */
/*
 * ARP and the neighbour cache, through the real frame path: replies for
 * our addresses, learning, resolution with a queue, failure with host
 * unreachable, aging, and bounds.
 */
#include "config.h"

#include "router_harness.h"

/* Build an ARP frame from @smac/@spa about @tpa into `in`. */
static size_t
arp_frame(uint16_t op, const uint8_t *dmac, const uint8_t *smac,
    const char *spa, const uint8_t *tha, const char *tpa)
{
	uint32_t s = A(spa), t = A(tpa);
	uint16_t v = htons(ETHERTYPE_ARP);

	memset(in, 0, 10 + 42);
	memcpy(in + 10, dmac, 6);
	memcpy(in + 16, smac, 6);
	memcpy(in + 22, &v, 2);
	in[24] = 0; in[25] = 1; in[26] = 8; in[27] = 0; in[28] = 6;
	in[29] = 4; in[30] = 0; in[31] = (uint8_t)op;
	memcpy(in + 32, smac, 6);
	memcpy(in + 38, &s, 4);
	memcpy(in + 42, tha, 6);
	memcpy(in + 48, &t, 4);
	return 10 + 42;
}

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t zero6[6];

static int
count_neigh(void *arg, const struct arp_neigh *n)
{
	int *c = arg;

	(*c)++;
	return 0;
}

START_TEST(test_reply_for_our_address)
{
	size_t n = arp_frame(1, bcast, cli_mac, "192.168.1.10", zero6,
	    "192.168.1.1");

	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), 10 + 42);
	ck_assert_mem_eq(out + 10, cli_mac, 6);		/* unicast back */
	ck_assert_mem_eq(out + 16, lan_mac, 6);
	ck_assert_uint_eq(out[31], 2);			/* is-at */
	ck_assert_mem_eq(out + 32, lan_mac, 6);		/* sha: ours */
	ck_assert_uint_eq(get32(out + 38), A("192.168.1.1"));
	ck_assert_mem_eq(out + 42, cli_mac, 6);
	ck_assert_uint_eq(get32(out + 48), A("192.168.1.10"));
}
END_TEST

START_TEST(test_no_reply_for_others)
{
	int c = 0;
	size_t n = arp_frame(1, bcast, cli_mac, "192.168.1.10", zero6,
	    "192.168.1.77");

	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), 0);
	/* and a stranger asking for someone else is not learned */
	arp_foreach(R.arp, count_neigh, &c);
	ck_assert_int_eq(c, 0);
}
END_TEST

START_TEST(test_malformed_counted)
{
	size_t n = arp_frame(1, bcast, cli_mac, "192.168.1.10", zero6,
	    "192.168.1.1");

	in[10 + 18] = 8;				/* hlen 8 */
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert_uint_eq(R.ifaces[LAN].st.drops[DROP_BAD_ARP], 1);
	send_in(LAN, 10 + 20);				/* truncated */
	ck_assert_uint_eq(R.ifaces[LAN].st.drops[DROP_BAD_ARP], 2);
	n = arp_frame(9, bcast, cli_mac, "192.168.1.10", zero6,
	    "192.168.1.1");				/* unknown op */
	send_in(LAN, n);
	ck_assert_uint_eq(R.ifaces[LAN].st.drops[DROP_BAD_ARP], 3);
}
END_TEST

/* Unknown neighbour: ARP request, packet queued, flushed on the reply. */
START_TEST(test_arp_resolution)
{
	uint8_t l4[64];
	size_t n;

	n = pkt_build(in, wan_mac, A("2.2.2.2"), A("192.168.1.50"),
	    IPPROTO_UDP, 64, l4, udp_build(l4, 1, 2, "queued"));
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), 10 + 42);		/* who-has */
	ck_assert_uint_eq(out[10 + 21], 1);
	ck_assert_uint_eq(get32(out + 10 + 38), A("192.168.1.50"));
	ck_assert_uint_eq(rd(LAN), 0);			/* held back */
	/* the answer arrives as a reply to us */
	memcpy(in, out, 10 + 42);
	memcpy(in + 10, lan_mac, 6);
	memcpy(in + 16, srv_mac, 6);
	in[10 + 21] = 2;
	memcpy(in + 10 + 22, srv_mac, 6);
	memcpy(in + 10 + 28, out + 10 + 38, 4);
	memcpy(in + 10 + 32, lan_mac, 6);
	memcpy(in + 10 + 38, out + 10 + 28, 4);
	send_in(LAN, 10 + 42);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_mem_eq(out + 10, srv_mac, 6);
	ck_assert_mem_eq(out + 44 + 8, "queued", 6);
}
END_TEST

/* Nobody answers: after the retries, host unreachable to the sender. */
START_TEST(test_arp_failure)
{
	uint8_t l4[64];
	uint64_t t = router_now_ms();
	size_t n;
	int i;

	learn(WAN, "1.1.1.254", isp_mac);
	n = pkt_build(in, wan_mac, A("2.2.2.2"), A("192.168.1.99"),
	    IPPROTO_UDP, 64, l4, udp_build(l4, 1, 2, "lost"));
	send_in(WAN, n);
	for (i = 1; i <= 4; i++)
		arp_timer(R.arp, t + (uint64_t)i * 1100);
	drain(LAN);
	ck_assert_uint_gt(rd(WAN), 0);
	ck_assert_uint_eq(out[44], ICMP_UNREACH);
	ck_assert_uint_eq(out[45], ICMP_UNREACH_HOST);
	ck_assert_uint_eq(out_ip()->daddr, A("2.2.2.2"));
}
END_TEST

/*
 * A known neighbour that moves (gratuitous ARP) is updated, but not
 * within arp.locktime of its last confirmation (Linux locktime, 1 s):
 * a spoofer racing the real host does not win at once.
 */
START_TEST(test_gratuitous_update)
{
	static const uint8_t moved[6] = { 2, 0x77, 0, 0, 0, 1 };
	uint8_t l4[64];
	size_t n;

	ck_assert_uint_eq(R.conf->limits.arp_locktime_ms, 1000);
	learn(LAN, "192.168.1.10", cli_mac);
	n = arp_frame(1, bcast, moved, "192.168.1.10", zero6, "192.168.1.10");
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), 0);		/* nothing to answer */
	n = arp_frame(2, lan_mac, moved, "192.168.1.10", lan_mac,
	    "192.168.1.1");
	send_in(LAN, n);
	ck_assert_uint_eq(arp_locked_count(R.arp), 2);
	n = pkt_build(in, wan_mac, A("2.2.2.2"), A("192.168.1.10"),
	    IPPROTO_UDP, 64, l4, udp_build(l4, 1, 2, "x"));
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_mem_eq(out + 10, cli_mac, 6);	/* locked: still the old */

	/* the lock over (no locktime stands for "a second later") */
	R.conf->limits.arp_locktime_ms = 0;
	n = arp_frame(1, bcast, moved, "192.168.1.10", zero6, "192.168.1.10");
	send_in(LAN, n);
	n = pkt_build(in, wan_mac, A("2.2.2.2"), A("192.168.1.10"),
	    IPPROTO_UDP, 64, l4, udp_build(l4, 1, 2, "x"));
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_mem_eq(out + 10, moved, 6);
}
END_TEST

static int
find_addr(void *arg, const struct arp_neigh *n)
{
	uint32_t *a = arg;

	if (n->addr == *a)
		*a = 0;
	return 0;
}

static bool
have_neigh(const char *addr)
{
	uint32_t a = A(addr);

	arp_foreach(R.arp, find_addr, &a);
	return a == 0;
}

/*
 * Linux arp_accept=0: an unsolicited reply or a gratuitous ARP for an
 * address never asked about creates no entry; a request for our address
 * does. arp.accept: yes learns from all of them.
 */
START_TEST(test_unsolicited_not_learned)
{
	static const uint8_t rogue[6] = { 2, 0x66, 0, 0, 0, 1 };
	size_t n;

	n = arp_frame(2, lan_mac, rogue, "192.168.1.50", lan_mac,
	    "192.168.1.1");
	send_in(LAN, n);
	n = arp_frame(1, bcast, rogue, "192.168.1.51", zero6, "192.168.1.51");
	send_in(LAN, n);
	n = arp_frame(2, bcast, rogue, "192.168.1.52", zero6, "192.168.1.52");
	send_in(LAN, n);
	ck_assert(!have_neigh("192.168.1.50"));
	ck_assert(!have_neigh("192.168.1.51"));
	ck_assert(!have_neigh("192.168.1.52"));
	/* a request for our address: learned (and answered) */
	n = arp_frame(1, bcast, rogue, "192.168.1.53", zero6, "192.168.1.1");
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), 10 + 42);
	ck_assert(have_neigh("192.168.1.53"));

	R.conf->limits.arp_accept = true;
	n = arp_frame(2, lan_mac, rogue, "192.168.1.50", lan_mac,
	    "192.168.1.1");
	send_in(LAN, n);
	n = arp_frame(1, bcast, rogue, "192.168.1.51", zero6, "192.168.1.51");
	send_in(LAN, n);
	ck_assert(have_neigh("192.168.1.50"));
	ck_assert(have_neigh("192.168.1.51"));
}
END_TEST

static int
find_state(void *arg, const struct arp_neigh *n)
{
	int *st = arg;

	if (n->addr == A("192.168.1.10"))
		*st = n->state;
	return 0;
}

/* Reachable for 30 s after confirmation, then stale, then gone. */
START_TEST(test_aging)
{
	uint64_t t = router_now_ms();
	int st = -1, c = 0;

	learn(LAN, "192.168.1.10", cli_mac);
	arp_foreach(R.arp, find_state, &st);
	ck_assert_int_eq(st, ARP_REACHABLE);
	arp_timer(R.arp, t + ARP_REACHABLE_TIME * 1000 + 1000);
	arp_foreach(R.arp, find_state, &st);
	ck_assert_int_eq(st, ARP_STALE);
	ck_assert_str_eq(arp_state_name(ARP_STALE), "stale");
	arp_timer(R.arp, t + ARP_GC_STALE_TIME * 1000 + 5000);
	arp_foreach(R.arp, count_neigh, &c);
	ck_assert_int_eq(c, 0);
}
END_TEST

/* The queue of an unresolved neighbour is bounded: the rest is counted. */
START_TEST(test_queue_bounded)
{
	uint8_t l4[64];
	uint32_t qlen = R.conf->limits.arp_queue;
	uint32_t i;
	size_t n;

	n = pkt_build(in, wan_mac, A("2.2.2.2"), A("192.168.1.60"),
	    IPPROTO_UDP, 64, l4, udp_build(l4, 1, 2, "flood"));
	for (i = 0; i < qlen + 10; i++)
		send_in(WAN, n);
	ck_assert_uint_eq(R.ifaces[LAN].st.drops[DROP_ARP_QUEUE_FULL], 10);
}
END_TEST

static Suite *
arp_suite(void)
{
	Suite *s = suite_create("arp");
	TCase *tc = tcase_create("arp");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_reply_for_our_address);
	tcase_add_test(tc, test_no_reply_for_others);
	tcase_add_test(tc, test_malformed_counted);
	tcase_add_test(tc, test_arp_resolution);
	tcase_add_test(tc, test_arp_failure);
	tcase_add_test(tc, test_gratuitous_update);
	tcase_add_test(tc, test_unsolicited_not_learned);
	tcase_add_test(tc, test_aging);
	tcase_add_test(tc, test_queue_bounded);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(arp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
