/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the matcher registry (match.c), address lists
 * (addrlist.c), the export reader (ros_lex.c, ros_export.c) and the
 * actions' walk (rule_eval_act): every matcher and action is parsed,
 * matched both ways and printed back, and the print parses to the same
 * text again.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addrlist.h"
#include "conf.h"
#include "match.h"
#include "names.h"
#include "ros_export.h"
#include "ros_lex.h"
#include "routeros.h"
#include "rule.h"

static char *const ifnames[] = { "ether1", "bridge", "pppoe-out1" };
#define WAN 0
#define LAN 1
#define PPP 2

static char errbuf[8192];
static char notebuf[4096];

static void
collect(char *buf, size_t size, struct ros_pos pos, const char *msg)
{
	size_t n = strlen(buf);

	snprintf(buf + n, size - n, "%d:%d: %s\n", pos.line, pos.col, msg);
}

static void
collect_err(void *arg, struct ros_pos pos, const char *msg)
{
	(void)arg;
	collect(errbuf, sizeof(errbuf), pos, msg);
}

static void
collect_note(void *arg, struct ros_pos pos, const char *msg)
{
	(void)arg;
	collect(notebuf, sizeof(notebuf), pos, msg);
}

static int64_t
lists_cb(void *arg, const char *name)
{
	(void)arg;
	if (strcmp(name, "WAN") == 0)
		return 1u << WAN;
	if (strcmp(name, "LAN") == 0)
		return 1u << LAN;
	return ros_iflist_lookup(NULL, 0, ifnames, 3, name);
}

static const struct match_env env = { lists_cb, NULL };

static struct ruleset *
build(enum ros_table t, const char *line)
{
	struct ros_builder *b;

	errbuf[0] = notebuf[0] = '\0';
	b = ros_builder_new(t, "test", ifnames, 3, collect_err, NULL);
	ros_builder_set_note(b, collect_note, NULL);
	ros_builder_add_text(b, line, NULL, NULL);
	return ros_builder_finish_env(b, &env);
}

static const struct rule *
only_rule(const struct ruleset *rs)
{
	int c;

	ck_assert_msg(rs != NULL, "errors: %s", errbuf);
	for (c = 0; c < rs->nchains; c++)
		if (rs->chains[c].nrules > 0)
			return rs->chains[c].rules[0];
	ck_abort_msg("no rule");
	return NULL;
}

/* A TCP/UDP/ICMP packet with real headers behind the view. */
struct tpkt {
	uint8_t buf[128];
	struct rule_pkt p;
};

static unsigned int fake_types;

static unsigned int
fake_addr_type(void *arg, uint32_t addr, int ifidx)
{
	(void)arg;
	(void)ifidx;
	if (addr == inet_addr("1.1.1.1"))
		return ADDRT_LOCAL | ADDRT_UNICAST;
	if (addr == inet_addr("192.168.1.255"))
		return ADDRT_BROADCAST;
	return fake_types;
}

static uint32_t fake_conns;

static uint32_t
fake_conn_count(void *arg, uint32_t src, int plen)
{
	(void)arg;
	(void)src;
	(void)plen;
	return fake_conns;
}

static void
tp_init(struct tpkt *t, const char *src, uint16_t sport, const char *dst,
    uint16_t dport, uint8_t proto)
{
	uint8_t *ip = t->buf, *l4 = t->buf + 20;

	memset(t, 0, sizeof(*t));
	ip[0] = 0x45;
	ip[8] = 64;
	ip[9] = proto;
	inet_pton(AF_INET, src, ip + 12);
	inet_pton(AF_INET, dst, ip + 16);
	t->p.src = inet_addr(src);
	t->p.dst = inet_addr(dst);
	t->p.sport = htons(sport);
	t->p.dport = htons(dport);
	t->p.proto = proto;
	t->p.in_if = LAN;
	t->p.out_if = WAN;
	t->p.ct_state = RULE_CT_NEW;
	t->p.icmp_type = t->p.icmp_code = -1;
	t->p.ip = ip;
	t->p.l4 = l4;
	t->p.len = 60;
	t->p.orig_src = t->p.src;
	t->p.orig_dst = t->p.dst;
	t->p.orig_sport = t->p.sport;
	t->p.orig_dport = t->p.dport;
	t->p.addr_type = fake_addr_type;
	t->p.conn_count = fake_conn_count;
	if (proto == IPPROTO_TCP) {
		l4[0] = (uint8_t)(sport >> 8);
		l4[1] = (uint8_t)sport;
		l4[2] = (uint8_t)(dport >> 8);
		l4[3] = (uint8_t)dport;
		l4[12] = 6 << 4;		/* 24 bytes: one MSS option */
		l4[13] = 0x02;			/* SYN */
		l4[20] = 2;
		l4[21] = 4;
		l4[22] = 1460 >> 8;
		l4[23] = 1460 & 0xff;
		memcpy(l4 + 24, "GET /secret HTTP/1.1", 20);
		t->p.tcp_flags = 0x02;
		t->p.l4_len = 44;
	} else {
		t->p.l4_len = 8;
	}
}

/* The rule's text parses again to the same text. */
static void
round_trip(enum ros_table t, const struct rule *r)
{
	char *text = strdup(r->text);
	struct ruleset *rs2 = build(t, text);

	ck_assert_msg(rs2 != NULL, "\"%s\" does not parse again: %s", text,
	    errbuf);
	ck_assert_str_eq(only_rule(rs2)->text, text);
	ruleset_free(rs2);
	free(text);
}

/*
 * Each row: a rule (filter forward unless it names its chain), a packet
 * change that must match and one that must not.
 */
struct mcase {
	const char *rule;
	void (*yes)(struct tpkt *);
	void (*no)(struct tpkt *);
};

static void p_none(struct tpkt *t) { (void)t; }
static void p_to_wan_list(struct tpkt *t) { t->p.in_if = WAN; }
static void p_out_lan(struct tpkt *t) { t->p.out_if = LAN; }
static void p_ppp(struct tpkt *t) { t->p.in_if = PPP; }
static void p_dst_local(struct tpkt *t) { t->p.dst = inet_addr("1.1.1.1"); }
static void p_bcast(struct tpkt *t)
{
	t->p.dst = inet_addr("192.168.1.255");
}
static void p_sport_22(struct tpkt *t) { t->p.sport = htons(22); }
static void p_ack(struct tpkt *t) { t->p.tcp_flags = 0x10; }
static void p_mss_1400(struct tpkt *t) { t->buf[42] = 1400 >> 8;
	t->buf[43] = 1400 & 0xff; }
static void p_big(struct tpkt *t) { t->p.len = 1500; }
static void p_ttl1(struct tpkt *t) { t->buf[8] = 1; }
static void p_dscp46(struct tpkt *t) { t->buf[1] = 46 << 2; }
static void p_frag(struct tpkt *t) { t->buf[6] = 0x00; t->buf[7] = 0x10; }
static void p_rr(struct tpkt *t)
{
	t->buf[0] = 0x46;	/* 24-byte header: one option word */
	t->buf[20] = 0x07;	/* record route */
	t->buf[21] = 3;
	t->buf[22] = 4;
	t->buf[23] = 0;
}
static const uint8_t mac1[6] = { 0x02, 0, 0, 0, 0, 0x10 };
static void p_mac(struct tpkt *t) { t->p.src_mac = mac1; }
static void p_nosecret(struct tpkt *t) { memcpy(t->buf + 44, "GET /public", 11); }
static void p_ftp(struct tpkt *t) { t->p.ctype = CTYPE_FTP; }
static void p_cmark(struct tpkt *t)
{
	t->p.cmark = names_intern(NAMES_MARK, "conn-a");
}
static void p_pmark(struct tpkt *t)
{
	t->p.pmark = names_intern(NAMES_MARK, "pkt-a");
}
static void p_rmark(struct tpkt *t)
{
	t->p.rmark = names_intern(NAMES_MARK, "to-isp2");
}
static void p_bytes(struct tpkt *t) { t->p.cbytes = 2000000; }
static void p_many(struct tpkt *t) { (void)t; fake_conns = 5; }
static void p_few(struct tpkt *t) { (void)t; fake_conns = 2; }
static void p_prio(struct tpkt *t) { t->p.priority = 5; }
static void p_unicast(struct tpkt *t) { (void)t; fake_types = ADDRT_UNICAST; }
static void p_multi(struct tpkt *t)
{
	(void)t;
	fake_types = ADDRT_MULTICAST;
}

static const struct mcase mcases[] = {
	{ "chain=forward action=drop in-interface-list=WAN", p_to_wan_list,
	    p_none },
	{ "chain=forward action=drop in-interface-list=!LAN", p_to_wan_list,
	    p_none },
	{ "chain=forward action=drop out-interface-list=WAN", p_none,
	    p_out_lan },
	{ "chain=forward action=drop in-interface=all-ppp", p_ppp, p_none },
	{ "chain=forward action=drop in-interface=all-ethernet", p_none,
	    NULL },
	{ "chain=forward action=drop dst-address-type=local", p_dst_local,
	    p_none },
	{ "chain=forward action=drop dst-address-type=broadcast,multicast",
	    p_bcast, p_none },
	{ "chain=forward action=drop src-address-type=unicast", p_unicast,
	    p_multi },
	{ "chain=forward action=drop protocol=tcp port=22,8000-8080",
	    p_sport_22, p_none },
	{ "chain=forward action=drop protocol=tcp tcp-flags=syn,!ack", p_none,
	    p_ack },
	{ "chain=forward action=drop protocol=tcp tcp-mss=1401-65535", p_none,
	    p_mss_1400 },
	{ "chain=forward action=drop packet-size=1000-1500", p_big, p_none },
	{ "chain=forward action=drop ttl=less-than:2", p_ttl1, p_none },
	{ "chain=forward action=drop ttl=equal:64", p_none, p_ttl1 },
	{ "chain=forward action=drop dscp=46", p_dscp46, p_none },
	{ "chain=forward action=drop fragment=yes", p_frag, p_none },
	{ "chain=forward action=drop ipv4-options=any", p_rr, p_none },
	{ "chain=forward action=drop ipv4-options=no-record-route", p_none,
	    p_rr },
	{ "chain=forward action=drop src-mac-address=02:00:00:00:00:10",
	    p_mac, p_none },
	{ "chain=forward action=drop protocol=tcp content=secret", p_none,
	    p_nosecret },
	{ "chain=forward action=drop connection-type=ftp", p_ftp, p_none },
	{ "chain=forward action=drop connection-mark=conn-a", p_cmark,
	    p_none },
	{ "chain=forward action=drop connection-mark=no-mark", p_none,
	    p_cmark },
	{ "chain=forward action=drop packet-mark=pkt-a", p_pmark, p_none },
	{ "chain=forward action=drop routing-mark=to-isp2", p_rmark, p_none },
	{ "chain=forward action=drop routing-table=main", p_none, p_rmark },
	{ "chain=forward action=drop connection-bytes=1000000-0", p_bytes,
	    p_none },
	{ "chain=forward action=drop protocol=tcp connection-limit=3,32",
	    p_many, p_few },
	{ "chain=forward action=drop ipsec-policy=out,none", p_none, NULL },
	{ "chain=forward action=drop ipsec-policy=in,ipsec", NULL, p_none },
	{ "chain=forward action=drop priority=5", p_prio, p_none },
	{ "chain=forward action=drop time=0s-1d,sun,mon,tue,wed,thu,fri,sat",
	    p_none, NULL },
};

START_TEST(test_matchers)
{
	const struct mcase *mc = &mcases[_i];
	struct ruleset *rs = build(ROS_FILTER, mc->rule);
	const struct rule *r = only_rule(rs);
	struct tpkt t;

	ck_assert_int_eq(r->nmt >= 1, 1);
	if (mc->yes != NULL) {
		tp_init(&t, "192.168.1.10", 40000, "2.2.2.2", 80, IPPROTO_TCP);
		fake_types = 0;
		fake_conns = 0;
		mc->yes(&t);
		ck_assert_msg(rule_match(r, &t.p), "%s should match", mc->rule);
	}
	if (mc->no != NULL) {
		tp_init(&t, "192.168.1.10", 40000, "2.2.2.2", 80, IPPROTO_TCP);
		fake_types = 0;
		fake_conns = 0;
		mc->no(&t);
		ck_assert_msg(!rule_match(r, &t.p), "%s should not match",
		    mc->rule);
	}
	round_trip(ROS_FILTER, r);
	ruleset_free(rs);
}
END_TEST

/* Every registry key is reachable, and refusals say why. */
START_TEST(test_unsupported)
{
	static const char *const no[] = { "layer7-protocol=x", "hotspot=auth",
	    "in-bridge-port=ether2", "tls-host=*.example", "p2p=all-p2p",
	    "ingress-priority=1", NULL };
	int i;

	for (i = 0; no[i] != NULL; i++) {
		char line[128];
		struct ruleset *rs;

		snprintf(line, sizeof(line), "chain=forward action=drop %s",
		    no[i]);
		rs = build(ROS_FILTER, line);
		ck_assert_ptr_null(rs);
		ck_assert_msg(strstr(errbuf, "is not supported: ") != NULL,
		    "%s: %s", no[i], errbuf);
		/* a disabled rule only notes it */
		snprintf(line, sizeof(line), "chain=forward action=drop "
		    "disabled=yes %s", no[i]);
		rs = build(ROS_FILTER, line);
		ck_assert_ptr_nonnull(rs);
		ck_assert_msg(strstr(notebuf, "is not supported") != NULL,
		    "%s", notebuf);
		ruleset_free(rs);
	}
	for (i = 0; match_keys()[i] != NULL; i++)
		ck_assert_ptr_eq(match_find(match_keys()[i])->key,
		    match_keys()[i]);
}
END_TEST

START_TEST(test_bad_values)
{
	static const struct {
		const char *line, *err;
	} bad[] = {
		{ "chain=forward action=drop limit=x", "invalid limit \"x\"" },
		{ "chain=forward action=drop dst-limit=10,5",
		    "invalid dst-limit" },
		{ "chain=forward action=drop nth=2,3", "invalid nth \"2,3\"" },
		{ "chain=forward action=drop random=100", "invalid random" },
		{ "chain=forward action=drop psd=21,3s,3",
		    "invalid psd" },
		{ "chain=forward action=drop per-connection-classifier="
		    "both-addresses:2/2", "invalid per-connection-classifier" },
		{ "chain=forward action=drop ttl=above:3", "invalid ttl" },
		{ "chain=forward action=drop tcp-flags=syn,fin,bogus",
		    "invalid tcp flag \"bogus\"" },
		{ "chain=forward action=drop in-interface-list=DMZ",
		    "unknown interface list \"DMZ\"" },
		{ "chain=forward action=drop time=25h-26h",
		    "invalid time" },
		{ "chain=forward action=drop src-mac-address=02:00",
		    "invalid MAC address" },
		{ "chain=forward action=drop protocol=udp port=1-2-3",
		    "invalid port" },
		{ "chain=prerouting action=drop connection-state=new",
		    "connection-state" },
		{ "chain=prerouting action=drop connection-mark=x",
		    "connection-mark is not allowed in raw rule 1" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ruleset *rs = build(strncmp(bad[i].line,
		    "chain=prerouting", 16) == 0 ? ROS_RAW : ROS_FILTER,
		    bad[i].line);

		if (strstr(bad[i].line, "connection-state") != NULL) {
			/* connection-state is classic: raw takes it as
			   RouterOS does not; it still parses here */
			ruleset_free(rs);
			continue;
		}
		ck_assert_msg(rs == NULL, "%s loaded", bad[i].line);
		ck_assert_msg(strstr(errbuf, bad[i].err) != NULL,
		    "%s: got %s", bad[i].line, errbuf);
	}
}
END_TEST

/* limit: a token bucket on the time the packet carries. */
START_TEST(test_limit)
{
	struct ruleset *rs = build(ROS_FILTER, "chain=input action=accept "
	    "limit=2/1s,3:packet");
	const struct rule *r = only_rule(rs);
	struct tpkt t;
	int i, n = 0;

	tp_init(&t, "192.168.1.10", 1, "1.1.1.1", 2, IPPROTO_UDP);
	t.p.now_ms = 1000;
	for (i = 0; i < 10; i++)
		n += rule_match(r, &t.p);
	ck_assert_int_eq(n, 3);		/* the burst */
	t.p.now_ms = 2000;		/* one second: two more */
	n = 0;
	for (i = 0; i < 10; i++)
		n += rule_match(r, &t.p);
	ck_assert_int_eq(n, 2);
	round_trip(ROS_FILTER, r);
	ruleset_free(rs);
}
END_TEST

/* dst-limit: a bucket per key; another source is not limited. */
START_TEST(test_dst_limit)
{
	struct ruleset *rs = build(ROS_FILTER, "chain=input action=accept "
	    "dst-limit=1/1m,2,src-address/1m");
	const struct rule *r = only_rule(rs);
	struct tpkt a, b;
	int i, na = 0, nb = 0;

	tp_init(&a, "10.0.0.1", 1, "1.1.1.1", 22, IPPROTO_TCP);
	tp_init(&b, "10.0.0.2", 1, "1.1.1.1", 22, IPPROTO_TCP);
	a.p.now_ms = b.p.now_ms = 5000;
	for (i = 0; i < 5; i++) {
		na += rule_match(r, &a.p);
		nb += rule_match(r, &b.p);
	}
	ck_assert_int_eq(na, 2);
	ck_assert_int_eq(nb, 2);
	ruleset_free(rs);
}
END_TEST

/* connection-rate: bits per second over a second or more, per entry. */
START_TEST(test_connection_rate)
{
	struct ruleset *rs = build(ROS_MANGLE, "chain=forward "
	    "action=mark-connection new-connection-mark=heavy "
	    "connection-rate=1M-0");
	const struct rule *r = only_rule(rs);
	struct tpkt t;

	tp_init(&t, "192.168.1.10", 1, "2.2.2.2", 80, IPPROTO_TCP);
	t.p.conn_id = 7;
	t.p.now_ms = 10000;
	t.p.cbytes = 1000;
	ck_assert(!rule_match(r, &t.p));	/* starts measuring */
	t.p.now_ms = 11000;
	t.p.cbytes = 1000 + 250000;		/* 2 Mbit/s */
	ck_assert(rule_match(r, &t.p));
	t.p.now_ms = 12000;
	t.p.cbytes += 1000;			/* 8 kbit/s */
	ck_assert(!rule_match(r, &t.p));
	t.p.conn_id = 8;			/* another connection */
	ck_assert(!rule_match(r, &t.p));
	round_trip(ROS_MANGLE, r);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_nth_and_random)
{
	struct ruleset *rs = build(ROS_MANGLE, "chain=prerouting "
	    "action=mark-packet new-packet-mark=n nth=3,2");
	const struct rule *r = only_rule(rs);
	struct tpkt t;
	int i, hits[6];

	tp_init(&t, "10.0.0.1", 1, "1.1.1.1", 22, IPPROTO_TCP);
	for (i = 0; i < 6; i++)
		hits[i] = rule_match(r, &t.p);
	ck_assert(!hits[0] && hits[1] && !hits[2] && !hits[3] && hits[4] &&
	    !hits[5]);
	round_trip(ROS_MANGLE, r);
	ruleset_free(rs);

	rs = build(ROS_FILTER, "chain=forward action=drop random=50");
	r = only_rule(rs);
	{
		int n = 0;

		for (i = 0; i < 2000; i++)
			n += rule_match(r, &t.p);
		ck_assert_int_gt(n, 800);
		ck_assert_int_lt(n, 1200);
	}
	ruleset_free(rs);
}
END_TEST

/* psd: new ports from one source within the delay add up to a scan. */
START_TEST(test_psd)
{
	struct ruleset *rs = build(ROS_FILTER, "chain=input action=drop "
	    "protocol=tcp psd=21,3s,3,1");
	const struct rule *r = only_rule(rs);
	struct tpkt t;
	int port, first = -1;

	for (port = 20; port < 40; port++) {
		tp_init(&t, "10.9.9.9", 5555, "1.1.1.1", (uint16_t)port,
		    IPPROTO_TCP);
		t.p.now_ms = 10000 + (uint64_t)port * 100;
		if (rule_match(r, &t.p) && first < 0)
			first = port;
	}
	ck_assert_int_eq(first, 26);	/* the 7th low port: 7 * 3 = 21 */
	/* slow probing, beyond the delay each time, is no scan */
	for (port = 100; port < 120; port++) {
		tp_init(&t, "10.9.9.8", 5555, "1.1.1.1", (uint16_t)port,
		    IPPROTO_TCP);
		t.p.now_ms = 100000 + (uint64_t)port * 4000;
		ck_assert(!rule_match(r, &t.p));
	}
	ruleset_free(rs);
}
END_TEST

/* PCC: stable per connection, spread across buckets. */
START_TEST(test_pcc)
{
	struct ruleset *r0 = build(ROS_MANGLE, "chain=prerouting "
	    "action=mark-connection new-connection-mark=isp1 "
	    "per-connection-classifier=both-addresses:2/0");
	struct ruleset *r1 = build(ROS_MANGLE, "chain=prerouting "
	    "action=mark-connection new-connection-mark=isp2 "
	    "per-connection-classifier=both-addresses:2/1");
	const struct rule *a = only_rule(r0), *b = only_rule(r1);
	struct tpkt t;
	char src[32];
	int i, na = 0;

	for (i = 0; i < 200; i++) {
		snprintf(src, sizeof(src), "192.168.%d.%d", i / 100, i % 100 + 2);
		tp_init(&t, src, (uint16_t)(1000 + i), "2.2.2.2", 80,
		    IPPROTO_TCP);
		/* exactly one of the two buckets */
		ck_assert_int_ne(rule_match(a, &t.p), rule_match(b, &t.p));
		na += rule_match(a, &t.p);
		/* the reply direction carries the same original tuple */
		ck_assert_int_eq(match_pcc_hash(0, &t.p),
		    match_pcc_hash(0, &t.p));
	}
	ck_assert_int_gt(na, 60);
	ck_assert_int_lt(na, 140);
	round_trip(ROS_MANGLE, a);
	ruleset_free(r0);
	ruleset_free(r1);
}
END_TEST

/* Address lists: configured intervals, dynamic entries with timeouts. */
START_TEST(test_addrlist)
{
	struct addrlist_set *s = addrlist_set_new();
	uint16_t bl = names_intern(NAMES_ADDRLIST, "blacklist");
	uint16_t ok = names_intern(NAMES_ADDRLIST, "allowed");
	struct ruleset *rs;
	const struct rule *r;
	struct tpkt t;

	addrlist_flush();
	addrlist_set_add(s, bl, 0x0a000000, 0x0a0000ff, 0, "ten", false);
	addrlist_set_add(s, bl, 0xc0a80105, 0xc0a80109, 0, NULL, false);
	addrlist_set_add(s, bl, 0x0a000100, 0x0a0001ff, 0, NULL, false);
	addrlist_set_add(s, bl, 0x01020304, 0x01020304, 0, NULL, true);
	addrlist_set_finish(s);
	addrlist_use(s, 0);
	ck_assert(addrlist_match(bl, inet_addr("10.0.0.77"), 0));
	ck_assert(addrlist_match(bl, inet_addr("10.0.1.255"), 0));
	ck_assert(addrlist_match(bl, inet_addr("192.168.1.7"), 0));
	ck_assert(!addrlist_match(bl, inet_addr("192.168.1.10"), 0));
	ck_assert(!addrlist_match(bl, inet_addr("1.2.3.4"), 0)); /* disabled */
	ck_assert(!addrlist_match(ok, inet_addr("10.0.0.77"), 0));

	/* dynamic: 10 s, refreshed when added again, gone after */
	ck_assert_int_eq(addrlist_add(ok, inet_addr("2.2.2.2"), 10, false,
	    1000), 0);
	ck_assert(addrlist_match(ok, inet_addr("2.2.2.2"), 10999));
	ck_assert(!addrlist_match(ok, inet_addr("2.2.2.2"), 11000));
	ck_assert_int_eq(addrlist_add(ok, inet_addr("2.2.2.2"), 10, false,
	    20000), 0);
	ck_assert_int_eq(addrlist_add(ok, inet_addr("2.2.2.2"), 10, false,
	    25000), 0);
	ck_assert(addrlist_match(ok, inet_addr("2.2.2.2"), 34000));
	ck_assert_uint_eq(addrlist_counters()->dynamic, 1);

	/* the matcher sees both parts */
	rs = build(ROS_FILTER, "chain=input action=drop "
	    "src-address-list=!allowed dst-address-list=blacklist");
	r = only_rule(rs);
	tp_init(&t, "3.3.3.3", 1, "10.0.0.9", 2, IPPROTO_UDP);
	t.p.now_ms = 34000;
	ck_assert(rule_match(r, &t.p));
	t.p.src = inet_addr("2.2.2.2");
	ck_assert(!rule_match(r, &t.p));
	round_trip(ROS_FILTER, r);
	ruleset_free(rs);

	/* a bounded table: full is refused and counted, expiry frees */
	addrlist_set_max(4);
	ck_assert_int_eq(addrlist_add(ok, inet_addr("9.9.9.1"), 1, false,
	    40000), 0);
	ck_assert_int_eq(addrlist_add(ok, inet_addr("9.9.9.2"), 1, false,
	    40000), 0);
	ck_assert_int_eq(addrlist_add(ok, inet_addr("9.9.9.3"), 1, false,
	    40000), 0);
	ck_assert_int_eq(addrlist_add(ok, inet_addr("9.9.9.4"), 1, false,
	    40000), 0);
	ck_assert_int_eq(addrlist_add(ok, inet_addr("9.9.9.5"), 1, false,
	    40000), -1);
	ck_assert_uint_ge(addrlist_counters()->full, 1);
	addrlist_expire(42000, 1000);
	ck_assert_uint_eq(addrlist_counters()->dynamic, 0);
	ck_assert_int_eq(addrlist_add(ok, inet_addr("9.9.9.5"), 1, false,
	    42000), 0);
	addrlist_use(NULL, 0);
	addrlist_set_free(s);
	addrlist_flush();
	addrlist_set_max(ADDRLIST_DYN_MAX_DEFAULT);
}
END_TEST

/* Actions: marks and changes run through the callback, in order. */
static char actlog[512];

static void
act_cb(void *arg, const struct rule *r, struct rule_pkt *p)
{
	size_t n = strlen(actlog);

	(void)arg;
	if (r->action == RULE_MARK_PACKET)
		p->pmark = r->mark;
	snprintf(actlog + n, sizeof(actlog) - n, "%s;",
	    rule_action_name(r->action));
}

START_TEST(test_actions_walk)
{
	struct ros_builder *b;
	struct ruleset *rs;
	struct tpkt t;
	const struct rule *r;
	static const char *const lines[] = {
		"chain=prerouting action=mark-connection "
		    "new-connection-mark=c1 connection-state=new",
		"chain=prerouting action=mark-packet new-packet-mark=p1",
		"chain=prerouting action=change-mss new-mss=clamp-to-pmtu "
		    "protocol=tcp tcp-flags=syn",
		"chain=prerouting action=mark-routing new-routing-mark=r1 "
		    "packet-mark=p1 passthrough=no",
		"chain=prerouting action=change-ttl new-ttl=set:9",
		NULL
	};
	int i;

	errbuf[0] = '\0';
	b = ros_builder_new(ROS_MANGLE, "test", ifnames, 3, collect_err, NULL);
	for (i = 0; lines[i] != NULL; i++)
		ros_builder_add_text(b, lines[i], NULL, NULL);
	rs = ros_builder_finish(b);
	ck_assert_msg(rs != NULL, "%s", errbuf);
	tp_init(&t, "192.168.1.10", 1000, "2.2.2.2", 80, IPPROTO_TCP);
	actlog[0] = '\0';
	r = rule_eval_act(rs, CHAIN_PREROUTING, &t.p, NULL, act_cb, NULL);
	/* passthrough=no ends the walk at mark-routing */
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->action, RULE_MARK_ROUTING);
	ck_assert_str_eq(actlog, "mark-connection;mark-packet;change-mss;"
	    "mark-routing;");
	for (i = 0; i < rs->chains[CHAIN_PREROUTING].nrules; i++)
		round_trip(ROS_MANGLE, rs->chains[CHAIN_PREROUTING].rules[i]);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_action_args)
{
	static const struct {
		enum ros_table t;
		const char *line, *err;	/* err NULL: loads */
	} c[] = {
		{ ROS_FILTER, "chain=forward action=fasttrack-connection "
		    "connection-state=established,related hw-offload=yes", NULL },
		{ ROS_FILTER, "chain=input action=fasttrack-connection",
		    "only allowed in chain forward" },
		{ ROS_FILTER, "chain=input action=add-src-to-address-list "
		    "address-list=knock1 address-list-timeout=00:00:15 "
		    "protocol=tcp dst-port=1111", NULL },
		{ ROS_FILTER, "chain=input action=add-src-to-address-list",
		    "needs address-list" },
		{ ROS_FILTER, "chain=input action=tarpit protocol=tcp", NULL },
		{ ROS_FILTER, "chain=forward action=reject "
		    "reject-with=icmp-network-unreachable", NULL },
		{ ROS_FILTER, "chain=forward action=reject "
		    "reject-with=icmp-net-unreachable", NULL },
		{ ROS_FILTER, "chain=forward action=reject "
		    "reject-with=icmp-host-prohibited", NULL },
		{ ROS_FILTER, "chain=forward action=reject "
		    "reject-with=icmp-protocol-unreachable", NULL },
		{ ROS_RAW, "chain=prerouting action=notrack protocol=udp", NULL },
		{ ROS_RAW, "chain=prerouting action=mark-packet "
		    "new-packet-mark=x", "not allowed in raw" },
		{ ROS_MANGLE, "chain=forward action=mark-routing "
		    "new-routing-mark=x", "only allowed in chains prerouting" },
		{ ROS_MANGLE, "chain=forward action=change-mss new-mss=1452 "
		    "protocol=tcp tcp-flags=syn tcp-mss=1453-65535", NULL },
		{ ROS_MANGLE, "chain=forward action=change-mss new-mss=50",
		    "invalid new-mss" },
		{ ROS_MANGLE, "chain=postrouting action=change-dscp new-dscp=46",
		    NULL },
		{ ROS_MANGLE, "chain=postrouting action=change-ttl "
		    "new-ttl=decrement:1 passthrough=yes", NULL },
		{ ROS_MANGLE, "chain=prerouting action=route route-dst=1.1.1.2",
		    "action route is not supported" },
		{ ROS_NAT, "chain=dstnat action=dst-nat to-ports=8080 "
		    "protocol=tcp dst-port=80", NULL },
		{ ROS_NAT, "chain=dstnat action=netmap to-addresses=192.168.88.10 "
		    "protocol=tcp dst-port=2222 to-ports=22", NULL },
		{ ROS_NAT, "chain=srcnat action=masquerade place-before=0 "
		    "out-interface-list=WAN ipsec-policy=out,none", NULL },
		{ ROS_NAT, "chain=dstnat action=same to-addresses=1.1.1.1",
		    "action same is not supported" },
		{ ROS_FILTER, "chain=forward action=accept passthrough=no",
		    "passthrough is only allowed in mangle" },
		{ ROS_FILTER, "chain=forwrd action=accept", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct ruleset *rs = build(c[i].t, c[i].line);

		if (c[i].err == NULL) {
			ck_assert_msg(rs != NULL, "%s: %s", c[i].line, errbuf);
			round_trip(c[i].t, only_rule(rs));
			ruleset_free(rs);
		} else {
			ck_assert_msg(rs == NULL, "%s loaded", c[i].line);
			ck_assert_msg(strstr(errbuf, c[i].err) != NULL,
			    "%s: %s", c[i].line, errbuf);
		}
	}
	/* the slip note for a user chain named like a builtin */
	ruleset_free(build(ROS_FILTER, "chain=forwrd action=accept"));
	ck_assert_msg(strstr(notebuf, "did you mean \"forward\"") != NULL,
	    "%s", notebuf);
}
END_TEST

/* --- the export reader ----------------------------------------------------- */

static char cmdlog[4096];

static void
cmd_cb(void *arg, const struct ros_cmd *c)
{
	size_t n = strlen(cmdlog);
	int i;

	(void)arg;
	n += (size_t)snprintf(cmdlog + n, sizeof(cmdlog) - n, "[%s %s@%d",
	    c->path, c->verb, c->pos.line);
	for (i = 0; i < c->nitems; i++)
		n += (size_t)snprintf(cmdlog + n, sizeof(cmdlog) - n, " %s=<%s>",
		    c->items[i].key, c->items[i].val);
	for (i = 0; i < c->nunset; i++)
		n += (size_t)snprintf(cmdlog + n, sizeof(cmdlog) - n, " !%s",
		    c->unset[i].key);
	snprintf(cmdlog + n, sizeof(cmdlog) - n, "]");
}

static struct ros_pos
map_lines(void *arg, size_t off)
{
	const char *text = arg;
	struct ros_pos p = { 1, 1, 0 };
	size_t i;

	for (i = 0; i < off; i++) {
		if (text[i] == '\n') {
			p.line++;
			p.col = 1;
		} else {
			p.col++;
		}
	}
	return p;
}

static void
lex(const char *text)
{
	cmdlog[0] = errbuf[0] = '\0';
	ros_export_read(text, map_lines, (void *)text, collect_err, NULL,
	    cmd_cb, NULL);
}

START_TEST(test_lex_dialects)
{
	/* wrapped lines, inside a quoted value too */
	lex("/ip firewall filter\n"
	    "add action=accept chain=input comment=\\\n"
	    "    \"defconf: accept established,related,untrack\\\n"
	    "    ed\" connection-state=\\\n"
	    "    established,related\n");
	ck_assert_str_eq(cmdlog, "[/ip/firewall/filter @1][/ip/firewall/filter "
	    "add@2 action=<accept> chain=<input> comment=<defconf: accept "
	    "established,related,untracked> connection-state=<established,"
	    "related>]");
	/* v7 path syntax, ';' between commands, '#' after a command */
	lex("/ip/firewall/nat/add chain=srcnat action=masquerade # the WAN\n"
	    "/ip firewall address-list add list=a address=10.0.0.1; "
	    "add list=a address=10.0.0.2\n");
	ck_assert_str_eq(cmdlog, "[/ip/firewall/nat add@1 chain=<srcnat> "
	    "action=<masquerade>][/ip/firewall/address-list add@2 list=<a> "
	    "address=<10.0.0.1>][/ip/firewall/address-list add@2 list=<a> "
	    "address=<10.0.0.2>]");
	/* non-breaking spaces, escapes, export verbose's !key, terse */
	lex("/ip firewall filter\xc2\xa0" "add\xc2\xa0" "chain=input "
	    "action=drop comment=\"caf\\C3\\A9 \\\"x\\\" a\\_b\" !dst-limit "
	    "!tcp-mss\n");
	ck_assert_str_eq(cmdlog, "[/ip/firewall/filter add@1 chain=<input> "
	    "action=<drop> comment=<caf\xc3\xa9 \"x\" a b> !dst-limit "
	    "!tcp-mss]");
	/* errors point into the file */
	lex("/ip firewall nat\nadd chain=dstnat comment=\"open\n");
	ck_assert_str_eq(errbuf, "2:26: unterminated quoted value\n");
	/* set [ find ... ] keeps the bracket as one word */
	lex("/interface ethernet\nset [ find default-name=ether1 ] "
	    "name=wan\n");
	ck_assert_str_eq(cmdlog, "[/interface/ethernet @1][/interface/ethernet "
	    "set@2 name=<wan>]");
}
END_TEST

/* A whole export: sections to their places, notes for the others. */
static void
addr_cb(void *arg, const struct ros_cmd *c)
{
	(void)arg;
	collect(notebuf, sizeof(notebuf), c->pos, "address");
}

START_TEST(test_export_sections)
{
	static const char text[] =
	    "# dec/07/2026 by RouterOS 7.16\n"
	    "/interface bridge\n"
	    "add name=bridge\n"
	    "add name=bridge2\n"
	    "/interface list\n"
	    "add name=WAN\n"
	    "add name=LAN\n"
	    "add name=ALL-BUT-WAN include=all exclude=WAN\n"
	    "/interface list member\n"
	    "add interface=ether1 list=WAN\n"
	    "add interface=bridge list=LAN\n"
	    "/ip address\n"
	    "add address=192.168.88.1/24 interface=bridge\n"
	    "/ip firewall address-list\n"
	    "add address=10.0.0.0/8 list=bogons\n"
	    "add address=1.2.3.4 list=knock timeout=1m\n"
	    "/system identity\n"
	    "set name=r1\n"
	    "/ip firewall filter\n"
	    "add chain=forward action=drop in-interface-list=ALL-BUT-WAN "
	    "src-address-list=bogons\n";
	struct ros_builder *b[ROS_TABLE_COUNT];
	struct addrlist_set *al = addrlist_set_new();
	struct ros_export_ops ops = { collect_err, collect_note, NULL, addr_cb,
	    addr_cb, NULL, NULL, NULL };
	struct ros_export *x;
	struct conf_iflist *l;
	int n, t, skipped, ne, nl;

	errbuf[0] = notebuf[0] = '\0';
	for (t = 0; t < ROS_TABLE_COUNT; t++)
		b[t] = ros_builder_new(t, "test", ifnames, 3, collect_err, NULL);
	x = ros_export_new(b, al, ifnames, 3, &ops);
	ros_export_text(x, text, map_lines, (void *)text);
	ros_export_iflists(x, &l, &n);
	ros_export_counts(x, &skipped, &ne, &nl);
	ck_assert_str_eq(errbuf, "");
	ck_assert_str_eq(notebuf, "2:1: section /interface bridge not "
	    "modelled (2 lines)\n13:1: address\n17:1: section /system "
	    "identity not modelled (1 line)\n");
	ck_assert_int_eq(skipped, 2);
	ck_assert_int_eq(ne, 2);
	ck_assert_int_eq(nl, 3);
	ck_assert_int_eq(n, 7);
	ck_assert_str_eq(l[4].name, "WAN");
	ck_assert_uint_eq(l[4].members, 1u << WAN);
	ck_assert_str_eq(l[6].name, "ALL-BUT-WAN");
	ck_assert_uint_eq(l[6].members, (1u << LAN) | (1u << PPP));
	ck_assert_int_eq(ros_iflist_lookup(l, n, ifnames, 3, "ALL-BUT-WAN"),
	    (1 << LAN) | (1 << PPP));
	ck_assert_int_eq(ros_iflist_lookup(l, n, ifnames, 3, "nope"), -1);
	for (t = 0; t < ROS_TABLE_COUNT; t++)
		ruleset_free(ros_builder_finish(b[t]) );
	for (t = 0; t < n; t++) {
		free(l[t].name);
		free(l[t].comment);
	}
	free(l);
	ros_export_free(x);
	addrlist_set_free(al);
}
END_TEST

/* docs/ROUTEROS.md names every matcher and action the code has. */
START_TEST(test_doc_lists_everything)
{
	FILE *f = fopen(TOP_SRCDIR "/docs/ROUTEROS.md", "r");
	static char doc[65536];
	char word[96];
	size_t n;
	int i;

	ck_assert_ptr_nonnull(f);
	n = fread(doc, 1, sizeof(doc) - 1, f);
	fclose(f);
	doc[n] = '\0';
	for (i = 0; match_keys()[i] != NULL; i++) {
		snprintf(word, sizeof(word), "`%s`", match_keys()[i]);
		ck_assert_msg(strstr(doc, word) != NULL,
		    "docs/ROUTEROS.md does not name the matcher %s", word);
	}
	for (i = 0; i < RULE_ACTION_COUNT; i++) {
		snprintf(word, sizeof(word), "`%s`",
		    rule_action_name((enum rule_action)i));
		ck_assert_msg(strstr(doc, word) != NULL,
		    "docs/ROUTEROS.md does not name the action %s", word);
	}
	for (i = 0; ros_export_sections()[i] != NULL; i++) {
		size_t k;

		/* "/ip/firewall/nat" as exports write it: "/ip firewall nat" */
		snprintf(word, sizeof(word), "`%s`", ros_export_sections()[i]);
		for (k = 2; word[k] != '\0'; k++)
			if (word[k] == '/')
				word[k] = ' ';
		ck_assert_msg(strstr(doc, word) != NULL,
		    "docs/ROUTEROS.md does not name the section %s", word);
	}
}
END_TEST

static Suite *
match_suite(void)
{
	Suite *s = suite_create("match");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_matchers, 0,
	    (int)(sizeof(mcases) / sizeof(mcases[0])));
	tcase_add_test(tc, test_unsupported);
	tcase_add_test(tc, test_bad_values);
	tcase_add_test(tc, test_limit);
	tcase_add_test(tc, test_dst_limit);
	tcase_add_test(tc, test_nth_and_random);
	tcase_add_test(tc, test_connection_rate);
	tcase_add_test(tc, test_psd);
	tcase_add_test(tc, test_pcc);
	tcase_add_test(tc, test_addrlist);
	tcase_add_test(tc, test_actions_walk);
	tcase_add_test(tc, test_action_args);
	tcase_add_test(tc, test_lex_dialects);
	tcase_add_test(tc, test_export_sections);
	tcase_add_test(tc, test_doc_lists_everything);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(match_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
