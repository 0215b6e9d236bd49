/* SPDX-License-Identifier: ISC */
/* Unit tests for rule matching and chain evaluation (rule.c, routeros.c). */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "routeros.h"
#include "rule.h"

static char *const ifnames[] = { "wan", "lan" };
#define WAN 0
#define LAN 1

static char errbuf[4096];

static void
collect_err(void *arg, struct ros_pos pos, const char *msg)
{
	size_t n = strlen(errbuf);

	snprintf(errbuf + n, sizeof(errbuf) - n, "%d:%d: %s\n", pos.line,
	    pos.col, msg);
}

/* Build a ruleset from RouterOS lines; NULL-terminated. */
static struct ruleset *
build(enum ros_table t, const char *const *lines)
{
	struct ros_builder *b;
	int i;

	errbuf[0] = '\0';
	b = ros_builder_new(t, "test", ifnames, 2, collect_err, NULL);
	for (i = 0; lines[i] != NULL; i++)
		ros_builder_add_text(b, lines[i], NULL, NULL);
	return ros_builder_finish(b);
}

static struct ruleset *
build1(enum ros_table t, const char *line)
{
	const char *lines[] = { line, NULL };

	return build(t, lines);
}

static struct rule_pkt
pkt(const char *src, uint16_t sport, const char *dst, uint16_t dport,
    uint8_t proto, int in_if, int out_if)
{
	struct rule_pkt p;

	memset(&p, 0, sizeof(p));
	inet_pton(AF_INET, src, &p.src);
	inet_pton(AF_INET, dst, &p.dst);
	p.sport = htons(sport);
	p.dport = htons(dport);
	p.proto = proto;
	p.in_if = in_if;
	p.out_if = out_if;
	p.ct_state = RULE_CT_NEW;
	p.icmp_type = p.icmp_code = -1;
	p.len = 60;
	return p;
}

static const struct rule *
first_rule(const struct ruleset *rs, int chain)
{
	ck_assert_ptr_nonnull(rs);
	ck_assert_int_ge(rs->chains[chain].nrules, 1);
	return rs->chains[chain].rules[0];
}

/* Does a one-rule nat/filter set's only rule match @p? */
static bool
matches(enum ros_table t, const char *line, const struct rule_pkt *p)
{
	struct ruleset *rs = build1(t, line);
	const struct rule *r;
	bool m;

	ck_assert_msg(rs != NULL, "rule \"%s\" rejected: %s", line, errbuf);
	r = first_rule(rs, t == ROS_NAT ?
	    ruleset_chain_find(rs, strstr(line, "srcnat") ? "srcnat" :
	    "dstnat") : ruleset_chain_find(rs, strstr(line, "input") ?
	    "input" : "forward"));
	m = rule_match(r, p);
	ruleset_free(rs);
	return m;
}

START_TEST(test_address_matchers)
{
	struct rule_pkt p = pkt("192.168.1.10", 5555, "1.1.1.1", 80,
	    IPPROTO_TCP, LAN, -1);

	ck_assert(matches(ROS_NAT, "chain=dstnat dst-address=1.1.1.1", &p));
	ck_assert(!matches(ROS_NAT, "chain=dstnat dst-address=1.1.1.2", &p));
	ck_assert(matches(ROS_NAT, "chain=dstnat dst-address=!1.1.1.2", &p));
	ck_assert(!matches(ROS_NAT, "chain=dstnat dst-address=!1.1.1.1", &p));
	ck_assert(matches(ROS_NAT, "chain=dstnat src-address=192.168.1.0/24",
	    &p));
	ck_assert(!matches(ROS_NAT, "chain=dstnat src-address=192.168.2.0/24",
	    &p));
	/* host bits in a matcher CIDR are ignored, as RouterOS does */
	ck_assert(matches(ROS_NAT, "chain=dstnat src-address=192.168.1.77/24",
	    &p));
	ck_assert(matches(ROS_NAT,
	    "chain=dstnat src-address=192.168.1.10-192.168.1.20", &p));
	ck_assert(matches(ROS_NAT,
	    "chain=dstnat src-address=192.168.1.1-192.168.1.10", &p));
	ck_assert(!matches(ROS_NAT,
	    "chain=dstnat src-address=192.168.1.11-192.168.1.20", &p));
	ck_assert(matches(ROS_NAT,
	    "chain=dstnat src-address=!192.168.1.11-192.168.1.20", &p));
	ck_assert(matches(ROS_NAT, "chain=dstnat dst-address=0.0.0.0/0", &p));
}
END_TEST

START_TEST(test_protocol_and_ports)
{
	struct rule_pkt p = pkt("2.2.2.2", 40000, "1.1.1.1", 443, IPPROTO_TCP,
	    WAN, -1);
	struct rule_pkt u = pkt("2.2.2.2", 40000, "1.1.1.1", 53, IPPROTO_UDP,
	    WAN, -1);

	ck_assert(matches(ROS_NAT, "chain=dstnat protocol=tcp", &p));
	ck_assert(matches(ROS_NAT, "chain=dstnat protocol=6", &p));
	ck_assert(!matches(ROS_NAT, "chain=dstnat protocol=udp", &p));
	ck_assert(matches(ROS_NAT, "chain=dstnat protocol=!udp", &p));
	ck_assert(matches(ROS_NAT, "chain=dstnat protocol=udp", &u));
	ck_assert(matches(ROS_NAT,
	    "chain=dstnat protocol=tcp dst-port=80,443", &p));
	ck_assert(!matches(ROS_NAT,
	    "chain=dstnat protocol=tcp dst-port=80,444", &p));
	ck_assert(matches(ROS_NAT,
	    "chain=dstnat protocol=tcp dst-port=80,400-500,8080", &p));
	ck_assert(!matches(ROS_NAT,
	    "chain=dstnat protocol=tcp dst-port=!80,400-500", &p));
	ck_assert(matches(ROS_NAT, "chain=dstnat protocol=tcp dst-port=!80",
	    &p));
	ck_assert(matches(ROS_NAT,
	    "chain=dstnat protocol=tcp src-port=1024-65535", &p));
	ck_assert(!matches(ROS_NAT,
	    "chain=dstnat protocol=tcp src-port=0-1023", &p));
	ck_assert(!matches(ROS_NAT, "chain=dstnat protocol=tcp dst-port=53",
	    &u));
	ck_assert(matches(ROS_NAT, "chain=dstnat protocol=udp dst-port=53",
	    &u));
	/* byte order: 443 is 0x01bb, so a swapped compare would fail */
	ck_assert(matches(ROS_NAT, "chain=dstnat protocol=tcp dst-port=443",
	    &p));
}
END_TEST

START_TEST(test_interfaces)
{
	struct rule_pkt p = pkt("192.168.1.10", 1, "1.1.1.1", 2, IPPROTO_UDP,
	    LAN, WAN);
	struct rule_pkt pre = pkt("192.168.1.10", 1, "1.1.1.1", 2,
	    IPPROTO_UDP, LAN, -1);

	ck_assert(matches(ROS_NAT, "chain=srcnat out-interface=wan", &p));
	ck_assert(!matches(ROS_NAT, "chain=srcnat out-interface=lan", &p));
	ck_assert(matches(ROS_NAT, "chain=srcnat out-interface=!lan", &p));
	ck_assert(matches(ROS_NAT, "chain=srcnat in-interface=lan", &p));
	ck_assert(!matches(ROS_NAT, "chain=srcnat in-interface=!lan", &p));
	ck_assert(matches(ROS_NAT, "chain=dstnat in-interface=lan", &pre));
	/* an unknown out-interface matches neither way */
	ck_assert(!matches(ROS_FILTER, "chain=forward out-interface=wan",
	    &pre));
	ck_assert(!matches(ROS_FILTER, "chain=forward out-interface=!wan",
	    &pre));
}
END_TEST

START_TEST(test_states_and_icmp)
{
	struct rule_pkt p = pkt("2.2.2.2", 1000, "192.168.1.2", 80,
	    IPPROTO_TCP, WAN, LAN);
	struct rule_pkt ping = pkt("2.2.2.2", 0, "1.1.1.1", 0, IPPROTO_ICMP,
	    WAN, -1);

	p.ct_state = RULE_CT_ESTABLISHED;
	p.nat_state = RULE_NAT_DSTNAT;
	ck_assert(matches(ROS_FILTER,
	    "chain=forward connection-state=established,related", &p));
	ck_assert(!matches(ROS_FILTER, "chain=forward connection-state=new",
	    &p));
	ck_assert(matches(ROS_FILTER,
	    "chain=forward connection-state=!invalid", &p));
	ck_assert(!matches(ROS_FILTER,
	    "chain=forward connection-state=!established", &p));
	ck_assert(matches(ROS_FILTER,
	    "chain=forward connection-nat-state=dstnat", &p));
	ck_assert(!matches(ROS_FILTER,
	    "chain=forward connection-nat-state=srcnat", &p));
	ck_assert(matches(ROS_FILTER,
	    "chain=forward connection-nat-state=!srcnat", &p));
	p.nat_state = 0;
	ck_assert(matches(ROS_FILTER,
	    "chain=forward connection-nat-state=!dstnat", &p));
	ck_assert(matches(ROS_NAT, "chain=dstnat connection-state=established",
	    &p));

	ping.icmp_type = 8;
	ping.icmp_code = 0;
	ck_assert(matches(ROS_FILTER,
	    "chain=input protocol=icmp icmp-options=8", &ping));
	ck_assert(matches(ROS_FILTER,
	    "chain=input protocol=icmp icmp-options=8:0", &ping));
	ck_assert(!matches(ROS_FILTER,
	    "chain=input protocol=icmp icmp-options=8:1", &ping));
	ck_assert(!matches(ROS_FILTER,
	    "chain=input protocol=icmp icmp-options=0", &ping));
	ck_assert(matches(ROS_FILTER,
	    "chain=input protocol=icmp icmp-options=!0", &ping));
	/* an icmp-options matcher never matches a packet that is not ICMP */
	ck_assert(!matches(ROS_FILTER,
	    "chain=forward protocol=icmp icmp-options=!0", &p));
}
END_TEST

/* The seed: the wiki's three NAT rules against the flows of the page. */
START_TEST(test_seed_rules)
{
	const char *lines[] = {
		"add chain=dstnat dst-address=1.1.1.1 protocol=tcp dst-port=80 "
		    "action=dst-nat to-addresses=192.168.1.2",
		"add chain=srcnat out-interface=wan action=masquerade",
		"add chain=srcnat src-address=192.168.1.0/24 "
		    "dst-address=192.168.1.2 protocol=tcp dst-port=80 "
		    "out-interface=lan action=masquerade",
		NULL
	};
	struct ruleset *rs = build(ROS_NAT, lines);
	const struct rule *r;
	struct rule_pkt inet, lanc, lanc2, out, other;

	ck_assert_msg(rs != NULL, "%s", errbuf);
	ck_assert_int_eq(rs->nchains, CHAIN_BUILTIN_COUNT);
	ck_assert_int_eq(rs->chains[CHAIN_DSTNAT].nrules, 1);
	ck_assert_int_eq(rs->chains[CHAIN_SRCNAT].nrules, 2);
	ck_assert_int_eq(rs->chains[CHAIN_SRCNAT].rules[1]->index, 2);
	ck_assert_str_eq(rs->chains[CHAIN_DSTNAT].rules[0]->text,
	    "chain=dstnat action=dst-nat to-addresses=192.168.1.2 "
	    "protocol=tcp dst-address=1.1.1.1 dst-port=80");

	/* internet client 2.2.2.2 -> 1.1.1.1:80: dst-nat to the server */
	inet = pkt("2.2.2.2", 40000, "1.1.1.1", 80, IPPROTO_TCP, WAN, -1);
	r = rule_eval(rs, CHAIN_DSTNAT, &inet, NULL, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->action, RULE_DSTNAT);
	ck_assert_uint_eq(r->to_addr.lo, 0xc0a80102);
	ck_assert_uint_eq(r->to_addr.hi, 0xc0a80102);
	/* after routing it leaves on lan from 2.2.2.2: no srcnat */
	inet_pton(AF_INET, "192.168.1.2", &inet.dst);
	inet.out_if = LAN;
	ck_assert_ptr_null(rule_eval(rs, CHAIN_SRCNAT, &inet, NULL, NULL));

	/* LAN client to 1.1.1.1:80: dst-nat, then the hairpin masquerade */
	lanc = pkt("192.168.1.10", 5555, "1.1.1.1", 80, IPPROTO_TCP, LAN, -1);
	r = rule_eval(rs, CHAIN_DSTNAT, &lanc, NULL, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->action, RULE_DSTNAT);
	lanc2 = lanc;
	inet_pton(AF_INET, "192.168.1.2", &lanc2.dst);
	lanc2.out_if = LAN;
	r = rule_eval(rs, CHAIN_SRCNAT, &lanc2, NULL, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->action, RULE_MASQUERADE);
	ck_assert_int_eq(r->index, 2);

	/* LAN client to the internet: plain masquerade out wan */
	out = pkt("192.168.1.10", 5555, "8.8.8.8", 53, IPPROTO_UDP, LAN, WAN);
	ck_assert_ptr_null(rule_eval(rs, CHAIN_DSTNAT, &out, NULL, NULL));
	r = rule_eval(rs, CHAIN_SRCNAT, &out, NULL, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->index, 1);

	/* 1.1.1.1:22 is not published */
	other = pkt("2.2.2.2", 40000, "1.1.1.1", 22, IPPROTO_TCP, WAN, -1);
	ck_assert_ptr_null(rule_eval(rs, CHAIN_DSTNAT, &other, NULL, NULL));

	ck_assert_uint_eq(rs->chains[CHAIN_DSTNAT].rules[0]->packets, 2);
	ck_assert_uint_eq(rs->chains[CHAIN_DSTNAT].rules[0]->bytes, 120);
	ck_assert_uint_eq(rs->chains[CHAIN_SRCNAT].rules[0]->packets, 1);
	ck_assert_uint_eq(rs->chains[CHAIN_SRCNAT].rules[1]->packets, 1);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_first_match_and_disabled)
{
	const char *lines[] = {
		"chain=forward action=accept disabled=yes",
		"chain=forward protocol=tcp action=drop",
		"chain=forward action=accept",
		NULL
	};
	struct ruleset *rs = build(ROS_FILTER, lines);
	struct rule_pkt p = pkt("1.2.3.4", 1, "5.6.7.8", 2, IPPROTO_TCP, WAN,
	    LAN);
	const struct rule *r;

	ck_assert_msg(rs != NULL, "%s", errbuf);
	r = rule_eval(rs, CHAIN_FORWARD, &p, NULL, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->action, RULE_DROP);
	ck_assert_int_eq(r->index, 1);
	ck_assert_uint_eq(rs->chains[CHAIN_FORWARD].rules[0]->packets, 0);
	ck_assert_uint_eq(rs->chains[CHAIN_FORWARD].rules[2]->packets, 0);
	p.proto = IPPROTO_UDP;
	r = rule_eval(rs, CHAIN_FORWARD, &p, NULL, NULL);
	ck_assert_int_eq(r->index, 2);
	ck_assert_str_eq(rs->chains[CHAIN_FORWARD].rules[0]->text,
	    "chain=forward action=accept disabled=yes");
	ruleset_free(rs);
}
END_TEST

static int trace_calls, trace_matched;

static void
trace_cb(void *arg, const struct ruleset *rs, const struct rule *r,
    bool matched)
{
	trace_calls++;
	trace_matched += matched;
}

START_TEST(test_jump_return_passthrough)
{
	const char *lines[] = {
		"chain=forward action=passthrough",
		"chain=forward protocol=udp action=jump jump-target=udp-in",
		"chain=forward action=accept comment=\"end of forward\"",
		"chain=udp-in dst-port=53 protocol=udp action=drop",
		"chain=udp-in dst-port=123 protocol=udp action=return",
		"chain=udp-in action=jump jump-target=deeper",
		"chain=udp-in action=reject reject-with=icmp-admin-prohibited",
		"chain=deeper dst-port=5000 protocol=udp action=accept",
		NULL
	};
	struct ruleset *rs = build(ROS_FILTER, lines);
	struct rule_pkt dns = pkt("1.2.3.4", 1, "5.6.7.8", 53, IPPROTO_UDP,
	    WAN, LAN);
	struct rule_pkt ntp = dns, five = dns, other = dns, tcp = dns;
	const struct rule *r;
	int udp_in;

	ck_assert_msg(rs != NULL, "%s", errbuf);
	udp_in = ruleset_chain_find(rs, "udp-in");
	ck_assert_int_eq(udp_in, CHAIN_BUILTIN_COUNT);
	ck_assert_int_eq(ruleset_chain_find(rs, "deeper"),
	    CHAIN_BUILTIN_COUNT + 1);
	ck_assert_int_eq(ruleset_chain_find(rs, "nope"), -1);

	trace_calls = trace_matched = 0;
	r = rule_eval(rs, CHAIN_FORWARD, &dns, trace_cb, NULL);
	ck_assert_int_eq(r->action, RULE_DROP);
	ck_assert_int_eq(r->index, 3);
	ck_assert_int_eq(trace_calls, 3);
	ck_assert_int_eq(trace_matched, 3);

	/* return goes back to the rule after the jump */
	ntp.dport = htons(123);
	r = rule_eval(rs, CHAIN_FORWARD, &ntp, NULL, NULL);
	ck_assert_int_eq(r->index, 2);
	ck_assert_str_eq(r->comment, "end of forward");

	/* two levels deep, then accept there */
	five.dport = htons(5000);
	r = rule_eval(rs, CHAIN_FORWARD, &five, NULL, NULL);
	ck_assert_int_eq(r->index, 7);

	/* falls out of deeper (implicit return) to the reject */
	other.dport = htons(9);
	r = rule_eval(rs, CHAIN_FORWARD, &other, NULL, NULL);
	ck_assert_int_eq(r->action, RULE_REJECT);
	ck_assert_int_eq(r->reject_with, REJECT_ICMP_ADMIN_PROHIBITED);

	tcp.proto = IPPROTO_TCP;
	r = rule_eval(rs, CHAIN_FORWARD, &tcp, NULL, NULL);
	ck_assert_int_eq(r->index, 2);

	/* passthrough counted every packet, the jump the four UDP ones */
	ck_assert_uint_eq(rs->chains[CHAIN_FORWARD].rules[0]->packets, 5);
	ck_assert_uint_eq(rs->chains[CHAIN_FORWARD].rules[1]->packets, 4);
	ck_assert_uint_eq(rs->chains[CHAIN_FORWARD].rules[2]->packets, 2);
	ck_assert_uint_eq(rs->chains[udp_in].rules[2]->packets, 2);
	ck_assert_uint_eq(rs->chains[udp_in].rules[2]->bytes, 120);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_return_in_builtin)
{
	const char *lines[] = {
		"chain=srcnat protocol=udp action=return",
		"chain=srcnat action=masquerade",
		NULL
	};
	struct ruleset *rs = build(ROS_NAT, lines);
	struct rule_pkt u = pkt("192.168.1.10", 1, "8.8.8.8", 2, IPPROTO_UDP,
	    LAN, WAN);
	struct rule_pkt t = u;

	ck_assert_msg(rs != NULL, "%s", errbuf);
	ck_assert_ptr_null(rule_eval(rs, CHAIN_SRCNAT, &u, NULL, NULL));
	t.proto = IPPROTO_TCP;
	ck_assert_int_eq(rule_eval(rs, CHAIN_SRCNAT, &t, NULL, NULL)->action,
	    RULE_MASQUERADE);
	ck_assert_uint_eq(rs->chains[CHAIN_SRCNAT].rules[0]->packets, 1);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_depth_limit)
{
	/* c0 -> c1 -> ... -> c19: legal, but deeper than RULE_MAX_DEPTH */
	char buf[40][96];
	const char *lines[41];
	struct ruleset *rs;
	struct rule_pkt p = pkt("1.1.1.1", 1, "2.2.2.2", 2, IPPROTO_UDP, WAN,
	    LAN);
	const struct rule *r;
	int i, n = 0;

	snprintf(buf[n], sizeof(buf[n]),
	    "chain=forward action=jump jump-target=c0");
	lines[n] = buf[n];
	n++;
	for (i = 0; i < 19; i++, n++) {
		snprintf(buf[n], sizeof(buf[n]),
		    "chain=c%d action=jump jump-target=c%d", i, i + 1);
		lines[n] = buf[n];
	}
	snprintf(buf[n], sizeof(buf[n]), "chain=c19 action=drop");
	lines[n] = buf[n];
	n++;
	snprintf(buf[n], sizeof(buf[n]), "chain=forward action=accept");
	lines[n] = buf[n];
	n++;
	lines[n] = NULL;
	rs = build(ROS_FILTER, lines);
	ck_assert_msg(rs != NULL, "%s", errbuf);
	log_init("check_rule", LOG_TARGET_STDERR, LOG_LEVEL_ERR);
	r = rule_eval(rs, CHAIN_FORWARD, &p, NULL, NULL);
	/* the 17th jump is skipped; the walk unwinds to forward's accept */
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->action, RULE_ACCEPT);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_log_line)
{
	const char *lines[] = {
		"chain=forward action=log log-prefix=WEB",
		"chain=forward protocol=udp action=accept log=yes",
		"chain=forward action=drop",
		NULL
	};
	struct ruleset *rs = build(ROS_FILTER, lines);
	struct rule_pkt p = pkt("192.168.1.10", 5555, "1.1.1.1", 80,
	    IPPROTO_TCP, LAN, -1);
	char out[1024];
	const struct rule *r;
	FILE *f = tmpfile();
	size_t n;
	int saved = dup(2);

	ck_assert_msg(rs != NULL, "%s", errbuf);
	ck_assert_ptr_nonnull(f);
	dup2(fileno(f), 2);
	log_init("hairpind", LOG_TARGET_STDERR, LOG_LEVEL_INFO);
	p.tcp_flags = 0x02;
	r = rule_eval(rs, CHAIN_FORWARD, &p, NULL, NULL);
	ck_assert_int_eq(r->action, RULE_DROP);
	p.proto = IPPROTO_UDP;
	p.out_if = WAN;
	p.tcp_flags = 0;
	r = rule_eval(rs, CHAIN_FORWARD, &p, NULL, NULL);
	ck_assert_int_eq(r->action, RULE_ACCEPT);
	fflush(stderr);
	dup2(saved, 2);
	rewind(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	ck_assert_str_eq(out,
	    "hairpind: WEB forward: in:lan out:(unknown 0), proto TCP (SYN), "
	    "192.168.1.10:5555->1.1.1.1:80, len 60\n"
	    "hairpind: WEB forward: in:lan out:wan, proto UDP, "
	    "192.168.1.10:5555->1.1.1.1:80, len 60\n"
	    "hairpind: forward: in:lan out:wan, proto UDP, "
	    "192.168.1.10:5555->1.1.1.1:80, len 60\n");
	ck_assert_uint_eq(rs->chains[CHAIN_FORWARD].rules[0]->packets, 2);
	fclose(f);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_canonical_text)
{
	const char *lines[] = {
		"add action=dst-nat chain=dstnat dst-port=5000-5010,6000 "
		    "protocol=udp to-ports=6000-6010 to-address=192.168.1.3 "
		    "in-interface=!wan comment=\"game server\"",
		"chain=srcnat action=src-nat to-addresses=1.1.1.0/30 "
		    "src-address=10.0.0.5-10.0.0.9 protocol=17 "
		    "randomise-ports=yes",
		"chain=srcnat action=netmap to-addresses=1.1.1.0/24 "
		    "src-address=192.168.1.0/24 connection-nat-state=!dstnat",
		NULL
	};
	struct ruleset *rs = build(ROS_NAT, lines);

	ck_assert_msg(rs != NULL, "%s", errbuf);
	ck_assert_str_eq(rs->chains[CHAIN_DSTNAT].rules[0]->text,
	    "chain=dstnat action=dst-nat to-addresses=192.168.1.3 "
	    "to-ports=6000-6010 protocol=udp in-interface=!wan "
	    "dst-port=5000-5010,6000 comment=\"game server\"");
	ck_assert_str_eq(rs->chains[CHAIN_SRCNAT].rules[0]->text,
	    "chain=srcnat action=src-nat to-addresses=1.1.1.0/30 "
	    "protocol=udp src-address=10.0.0.5-10.0.0.9 randomise-ports=yes");
	ck_assert_str_eq(rs->chains[CHAIN_SRCNAT].rules[1]->text,
	    "chain=srcnat action=netmap to-addresses=1.1.1.0/24 "
	    "src-address=192.168.1.0/24 connection-nat-state=!dstnat");
	ck_assert_int_eq(rs->chains[CHAIN_DSTNAT].rules[0]->to_port_lo, 6000);
	ck_assert_int_eq(rs->chains[CHAIN_DSTNAT].rules[0]->to_port_hi, 6010);
	ck_assert_str_eq(rs->ifnames[1], "lan");
	ruleset_free(rs);
}
END_TEST

START_TEST(test_builder_errors)
{
	const char *lines[] = {
		"chain=dstnat action=masq",
		"chain=srcnat out-interface=WAN action=masquerade",
		"chain=dstnat dst-port=80 action=accept",
		"chain=input action=accept",
		"chain=x action=jump jump-target=y",
		"chain=y action=jump jump-target=x",
		"chain=dstnat action=jump jump-target=x",
		NULL
	};
	struct ruleset *rs = build(ROS_NAT, lines);

	ck_assert_ptr_null(rs);
	ck_assert_str_eq(errbuf,
	    "1:21: unknown action \"masq\" in nat rule 1 (expected accept, "
	    "dst-nat, src-nat, masquerade, netmap, redirect, "
	    "endpoint-independent-nat, passthrough, jump, return, log, "
	    "add-src-to-address-list or add-dst-to-address-list)\n"
	    "1:28: unknown interface \"WAN\" in nat rule 2 (did you mean "
	    "\"wan\"?)\n"
	    "1:14: dst-port needs protocol=tcp, udp, sctp, udp-lite or dccp "
	    "in nat rule 3\n"
	    "1:7: chain input is not allowed in nat rule 4 (expected dstnat, "
	    "srcnat or a user chain)\n"
	    "1:33: jump loop in nat rule 6: x -> y -> x\n");
}
END_TEST

START_TEST(test_copy_counters)
{
	const char *a[] = {
		"chain=forward action=accept protocol=tcp",
		"chain=forward action=accept protocol=tcp",
		"chain=forward action=drop",
		NULL
	};
	const char *b[] = {
		"chain=forward action=drop",
		"chain=forward action=accept protocol=tcp",
		"chain=forward action=accept protocol=tcp",
		"chain=forward action=accept protocol=udp",
		NULL
	};
	struct ruleset *o = build(ROS_FILTER, a), *n = build(ROS_FILTER, b);

	ck_assert_ptr_nonnull(o);
	ck_assert_ptr_nonnull(n);
	o->chains[CHAIN_FORWARD].rules[0]->packets = 10;
	o->chains[CHAIN_FORWARD].rules[1]->packets = 20;
	o->chains[CHAIN_FORWARD].rules[2]->packets = 30;
	o->chains[CHAIN_FORWARD].rules[2]->bytes = 3000;
	ruleset_copy_counters(n, o);
	ck_assert_uint_eq(n->chains[CHAIN_FORWARD].rules[0]->packets, 30);
	ck_assert_uint_eq(n->chains[CHAIN_FORWARD].rules[0]->bytes, 3000);
	ck_assert_uint_eq(n->chains[CHAIN_FORWARD].rules[1]->packets, 10);
	ck_assert_uint_eq(n->chains[CHAIN_FORWARD].rules[2]->packets, 20);
	ck_assert_uint_eq(n->chains[CHAIN_FORWARD].rules[3]->packets, 0);
	ruleset_free(o);
	ruleset_free(n);
}
END_TEST

START_TEST(test_action_names)
{
	ck_assert_str_eq(rule_action_name(RULE_DSTNAT), "dst-nat");
	ck_assert_str_eq(rule_action_name(RULE_EIM),
	    "endpoint-independent-nat");
	ck_assert_str_eq(rule_action_name(RULE_MASQUERADE), "masquerade");
	ck_assert_str_eq(rule_action_name((enum rule_action)99), "unknown");
	ck_assert_int_eq(ros_edit_distance("dst-adress", "dst-address"), 1);
	ck_assert_int_eq(ros_edit_distance("", "abc"), 3);
	ck_assert_str_eq(ros_suggest("srcant", (const char *const[]){
	    "dstnat", "srcnat", NULL }, -1), "srcnat");
}
END_TEST

static Suite *
rule_suite(void)
{
	Suite *s = suite_create("rule");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_address_matchers);
	tcase_add_test(tc, test_protocol_and_ports);
	tcase_add_test(tc, test_interfaces);
	tcase_add_test(tc, test_states_and_icmp);
	tcase_add_test(tc, test_seed_rules);
	tcase_add_test(tc, test_first_match_and_disabled);
	tcase_add_test(tc, test_jump_return_passthrough);
	tcase_add_test(tc, test_return_in_builtin);
	tcase_add_test(tc, test_depth_limit);
	tcase_add_test(tc, test_log_line);
	tcase_add_test(tc, test_canonical_text);
	tcase_add_test(tc, test_builder_errors);
	tcase_add_test(tc, test_copy_counters);
	tcase_add_test(tc, test_action_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rule_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
