/* SPDX-License-Identifier: ISC */
/* Unit tests for the configuration loader (conf.c) and rule forms. */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "rule.h"

#define IFACES \
	"interfaces:\n" \
	"  - name: WAN\n" \
	"    tap: hp-wan\n" \
	"    addresses: [1.1.1.1/24]\n" \
	"  - name: LAN\n" \
	"    tap: hp-lan\n" \
	"    addresses: [192.168.1.1/24]\n"

static char joined[16384];

static struct config *
load(const char *yaml)
{
	struct conf_errors errs;
	struct config *c;
	size_t off = 0;
	int i;

	c = conf_load_buf("t.yaml", yaml, strlen(yaml), &errs);
	joined[0] = '\0';
	for (i = 0; i < errs.n; i++)
		off += (size_t)snprintf(joined + off, sizeof(joined) - off,
		    "%s%s", i ? "\n" : "", errs.msgs[i]);
	ck_assert_int_eq(c == NULL, errs.n > 0);
	conf_errors_free(&errs);
	return c;
}

static struct config *
load_ok(const char *yaml)
{
	struct config *c = load(yaml);

	ck_assert_msg(c != NULL, "unexpected errors:\n%s", joined);
	return c;
}

/* The whole stderr text of a failed load, messages joined by newlines. */
static void
expect(const char *yaml, const char *errors)
{
	struct config *c = load(yaml);

	ck_assert_ptr_null(c);
	ck_assert_str_eq(joined, errors);
}

static const struct rule *
nat_rule(const struct config *c, int chain, int i)
{
	ck_assert_int_gt(c->nat->chains[chain].nrules, i);
	return c->nat->chains[chain].rules[i];
}

static const char *seed_texts[3] = {
	"chain=dstnat action=dst-nat to-addresses=192.168.1.2 protocol=tcp "
	    "dst-address=1.1.1.1 dst-port=80",
	"chain=srcnat action=masquerade out-interface=WAN",
	"chain=srcnat action=masquerade protocol=tcp "
	    "src-address=192.168.1.0/24 dst-address=192.168.1.2 "
	    "out-interface=LAN dst-port=80",
};

static void
check_seed_rules(const struct config *c)
{
	ck_assert_int_eq(c->nat->chains[CHAIN_DSTNAT].nrules, 1);
	ck_assert_int_eq(c->nat->chains[CHAIN_SRCNAT].nrules, 2);
	ck_assert_str_eq(nat_rule(c, CHAIN_DSTNAT, 0)->text, seed_texts[0]);
	ck_assert_str_eq(nat_rule(c, CHAIN_SRCNAT, 0)->text, seed_texts[1]);
	ck_assert_str_eq(nat_rule(c, CHAIN_SRCNAT, 1)->text, seed_texts[2]);
	ck_assert_int_eq(nat_rule(c, CHAIN_DSTNAT, 0)->index, 0);
	ck_assert_int_eq(nat_rule(c, CHAIN_SRCNAT, 0)->index, 1);
	ck_assert_int_eq(nat_rule(c, CHAIN_SRCNAT, 1)->index, 2);
	ck_assert_int_eq(nat_rule(c, CHAIN_SRCNAT, 0)->out_if, 0);
	ck_assert_int_eq(nat_rule(c, CHAIN_SRCNAT, 1)->out_if, 1);
	ck_assert_int_eq(nat_rule(c, CHAIN_DSTNAT, 0)->chain, CHAIN_DSTNAT);
	ck_assert_uint_eq(nat_rule(c, CHAIN_DSTNAT, 0)->dst.lo, 0x01010101);
	ck_assert_uint_eq(nat_rule(c, CHAIN_SRCNAT, 1)->src.lo, 0xc0a80100);
	ck_assert_uint_eq(nat_rule(c, CHAIN_SRCNAT, 1)->src.hi, 0xc0a801ff);
	ck_assert_int_eq(c->filter->nchains, CHAIN_BUILTIN_COUNT);
	ck_assert_int_eq(c->filter->chains[CHAIN_FORWARD].nrules, 0);
}

START_TEST(test_seed_file)
{
	struct conf_errors errs;
	struct config *c = conf_load(TOP_SRCDIR "/etc/hairpind.yaml", &errs);
	const struct rule *r;

	ck_assert_msg(c != NULL, "%s", errs.n ? errs.msgs[0] : "");
	ck_assert_int_eq(errs.n, 0);
	ck_assert_int_eq(c->nifaces, 2);
	ck_assert_str_eq(c->ifaces[0].name, "wan");
	ck_assert_str_eq(c->ifaces[0].tap, "hp-wan");
	ck_assert_str_eq(c->ifaces[0].netns, "hp-isp");
	ck_assert_uint_eq(c->ifaces[0].addrs[0].addr, htonl(0x01010101));
	ck_assert_int_eq(c->ifaces[0].addrs[0].plen, 24);
	ck_assert_str_eq(c->ifaces[1].name, "lan");
	ck_assert_str_eq(c->ifaces[1].netns, "hp-lan");
	ck_assert_int_eq(c->nroutes, 1);
	ck_assert_uint_eq(c->routes[0].dst, 0);
	ck_assert_int_eq(c->routes[0].plen, 0);
	ck_assert_uint_eq(c->routes[0].gateway, htonl(0x010101fe));
	ck_assert_int_eq(c->routes[0].iface, 0);
	ck_assert_str_eq(c->ctl_socket, "/run/hairpind/hairpind.sock");
	ck_assert_int_eq(c->ctl_mode, 0660);
	ck_assert_int_eq(c->nat->chains[CHAIN_SRCNAT].nrules, 2);
	r = c->nat->chains[CHAIN_SRCNAT].rules[0];
	ck_assert_str_eq(r->text, "chain=srcnat action=masquerade "
	    "out-interface=wan");
	ck_assert_ptr_nonnull(strstr(r->loc.file, "etc/hairpind.yaml"));
	ck_assert_int_gt(r->loc.line, 20);
	conf_free(c);
	conf_errors_free(&errs);
}
END_TEST

START_TEST(test_rule_strings)
{
	struct config *c = load_ok(IFACES
	    "nat:\n"
	    "  - chain=dstnat dst-address=1.1.1.1 protocol=tcp dst-port=80 "
	    "action=dst-nat to-addresses=192.168.1.2\n"
	    "  - add chain=srcnat out-interface=WAN action=masquerade\n"
	    "  - chain=srcnat src-address=192.168.1.0/24 "
	    "dst-address=192.168.1.2 protocol=tcp dst-port=80 "
	    "out-interface=LAN action=masquerade\n");

	check_seed_rules(c);
	ck_assert_int_eq(nat_rule(c, CHAIN_DSTNAT, 0)->loc.line, 9);
	ck_assert_int_eq(nat_rule(c, CHAIN_DSTNAT, 0)->loc.col, 5);
	ck_assert_str_eq(nat_rule(c, CHAIN_DSTNAT, 0)->loc.file, "t.yaml");
	/* the rule starts at "add" */
	ck_assert_int_eq(nat_rule(c, CHAIN_SRCNAT, 0)->loc.line, 10);
	ck_assert_int_eq(nat_rule(c, CHAIN_SRCNAT, 0)->loc.col, 5);
	conf_free(c);
}
END_TEST

START_TEST(test_rule_mappings)
{
	struct config *c = load_ok(IFACES
	    "nat:\n"
	    "  - { chain: dstnat, dst-address: 1.1.1.1, protocol: tcp,\n"
	    "      dst-port: 80, action: dst-nat, to-address: 192.168.1.2 }\n"
	    "  - chain: srcnat\n"
	    "    out-interface: WAN\n"
	    "    action: masquerade\n"
	    "  - {chain: srcnat, src-address: 192.168.1.0/24, dst-address: "
	    "192.168.1.2, protocol: 6, dst-port: 80, out-interface: LAN, "
	    "action: masquerade}\n"
	    "  - {chain: dstnat, protocol: udp, dst-port: 5000-5010, action: "
	    "dst-nat, to-addresses: 192.168.1.3, to-ports: 6000-6010, "
	    "disabled: true, comment: \"udp game\"}\n");
	const struct rule *r;

	ck_assert_int_eq(c->nat->chains[CHAIN_DSTNAT].nrules, 2);
	ck_assert_str_eq(nat_rule(c, CHAIN_DSTNAT, 0)->text, seed_texts[0]);
	ck_assert_str_eq(nat_rule(c, CHAIN_SRCNAT, 0)->text, seed_texts[1]);
	ck_assert_str_eq(nat_rule(c, CHAIN_SRCNAT, 1)->text, seed_texts[2]);
	r = nat_rule(c, CHAIN_DSTNAT, 1);
	ck_assert_int_eq(r->index, 3);
	ck_assert(r->disabled);
	ck_assert_int_eq(r->to_port_lo, 6000);
	ck_assert_int_eq(r->to_port_hi, 6010);
	ck_assert_int_eq(r->dport.r[0].lo, 5000);
	ck_assert_int_eq(r->dport.r[0].hi, 5010);
	ck_assert_str_eq(r->comment, "udp game");
	ck_assert_int_eq(r->loc.line, 15);
	conf_free(c);
}
END_TEST

/* The wiki's export exactly as pasted (seed-hairpin-nat.txt). */
START_TEST(test_rule_export)
{
	struct config *c = load_ok(IFACES
	    "nat: |\n"
	    "  # pasted from the MikroTik wiki\n"
	    "  /ip firewall nat\n"
	    "  add chain=dstnat dst-address=1.1.1.1 protocol=tcp dst-port=80 \\\n"
	    "  action=dst-nat to-address=192.168.1.2\n"
	    "  add chain=srcnat out-interface=WAN action=masquerade\n"
	    "\n"
	    "  /ip firewall nat\n"
	    "  add chain=srcnat src-address=192.168.1.0/24 \\\n"
	    "  dst-address=192.168.1.2 protocol=tcp dst-port=80 \\\n"
	    "  out-interface=LAN action=masquerade\n");

	check_seed_rules(c);
	ck_assert_int_eq(nat_rule(c, CHAIN_DSTNAT, 0)->loc.line, 11);
	ck_assert_int_eq(nat_rule(c, CHAIN_DSTNAT, 0)->loc.col, 3);
	ck_assert_int_eq(nat_rule(c, CHAIN_SRCNAT, 0)->loc.line, 13);
	ck_assert_int_eq(nat_rule(c, CHAIN_SRCNAT, 1)->loc.line, 16);
	conf_free(c);
}
END_TEST

START_TEST(test_export_v7_paths_and_filter)
{
	struct config *c = load_ok(IFACES
	    "filter: |\n"
	    "  /ip/firewall/filter\n"
	    "  add chain=input action=accept connection-state=established,"
	    "related\n"
	    "  add chain=input action=accept protocol=icmp icmp-options=8:0\n"
	    "  /ip firewall filter add chain=input action=reject "
	    "reject-with=tcp-reset protocol=tcp in-interface=WAN\n"
	    "  add chain=forward action=drop connection-state=invalid\n");
	const struct rule_chain *in = &c->filter->chains[CHAIN_INPUT];

	ck_assert_int_eq(in->nrules, 3);
	ck_assert_int_eq(in->rules[0]->ct_state,
	    RULE_CT_ESTABLISHED | RULE_CT_RELATED);
	ck_assert_int_eq(in->rules[1]->icmp_type, 8);
	ck_assert_int_eq(in->rules[1]->icmp_code, 0);
	ck_assert_int_eq(in->rules[2]->action, RULE_REJECT);
	ck_assert_int_eq(in->rules[2]->reject_with, REJECT_TCP_RESET);
	ck_assert_int_eq(in->rules[2]->in_if, 0);
	ck_assert_str_eq(in->rules[2]->text, "chain=input action=reject "
	    "reject-with=tcp-reset protocol=tcp in-interface=WAN");
	ck_assert_int_eq(c->filter->chains[CHAIN_FORWARD].rules[0]->index, 3);
	ck_assert_int_eq(c->nat->chains[CHAIN_DSTNAT].nrules, 0);
	conf_free(c);
}
END_TEST

START_TEST(test_defaults)
{
	struct config *c = load_ok(
	    "interfaces:\n"
	    "  - {name: a, tap: tap-a, addresses: [10.0.0.1/8, 10.1.0.1]}\n"
	    "  - {name: b, tap: tap-b, addresses: 172.16.0.1/12, "
	    "mac: \"02:00:00:00:01:01\", mtu: 9000}\n");
	const struct conf_timeouts *t = &c->timeouts;

	ck_assert_uint_eq(t->tcp_established, 86400);
	ck_assert_uint_ge(t->tcp_established, 7440);	/* RFC 5382 */
	ck_assert_uint_eq(t->tcp_syn_sent, 240);
	ck_assert_uint_eq(t->tcp_syn_received, 240);
	ck_assert_uint_eq(t->tcp_fin_wait, 240);
	ck_assert_uint_eq(t->tcp_close_wait, 240);
	ck_assert_uint_eq(t->tcp_last_ack, 240);
	ck_assert_uint_eq(t->tcp_time_wait, 240);
	ck_assert_uint_eq(t->tcp_close, 10);
	ck_assert_uint_eq(t->udp, 120);			/* RFC 4787 */
	ck_assert_uint_eq(t->udp_stream, 300);
	ck_assert_uint_eq(t->icmp, 60);
	ck_assert_uint_eq(t->generic, 600);
	ck_assert_uint_eq(c->limits.ct_max, 262144);
	ck_assert_uint_eq(c->limits.frag_max_bytes, 4194304);
	ck_assert_uint_eq(c->limits.frag_timeout, 30);
	ck_assert_uint_eq(c->limits.arp_max, 4096);
	ck_assert_uint_eq(c->limits.arp_queue, 16);
	ck_assert_uint_eq(c->limits.ctl_max_clients, 64);
	ck_assert_str_eq(c->ctl_socket, RUNSTATEDIR "/hairpind/hairpind.sock");
	ck_assert_int_eq(c->ctl_mode, 0660);
	ck_assert_ptr_null(c->ctl_group);
	ck_assert_ptr_null(c->user);
	ck_assert_int_eq(c->log_level, LOG_LEVEL_INFO);
	ck_assert_int_eq(c->log_target, LOG_TARGET_STDERR);
	ck_assert_int_eq(c->nroutes, 0);

	ck_assert_int_eq(c->ifaces[0].naddrs, 2);
	ck_assert_int_eq(c->ifaces[0].addrs[1].plen, 32);
	ck_assert_ptr_null(c->ifaces[0].netns);
	ck_assert_int_eq(c->ifaces[0].mtu, 1500);
	ck_assert_int_eq(c->ifaces[1].mtu, 9000);
	/* derived MAC: locally administered, unicast, per tap */
	ck_assert_int_eq(c->ifaces[0].mac[0], 0x02);
	ck_assert(memcmp(c->ifaces[0].mac, "\0\0\0\0\0\0", 6) != 0);
	ck_assert_mem_eq(c->ifaces[1].mac, "\x02\x00\x00\x00\x01\x01", 6);
	{
		struct config *c2 = load_ok(
		    "interfaces: [{name: x, tap: tap-a, addresses: "
		    "[192.0.2.1/24]}]\n");

		ck_assert_mem_eq(c2->ifaces[0].mac, c->ifaces[0].mac, 6);
		conf_free(c2);
	}
	ck_assert_int_eq(c->nat->nchains, CHAIN_BUILTIN_COUNT);
	ck_assert_str_eq(c->nat->chains[CHAIN_SRCNAT].name, "srcnat");
	ck_assert_str_eq(c->filter->chains[CHAIN_INPUT].name, "input");
	ck_assert_int_eq(conf_iface_find(c, "b"), 1);
	ck_assert_int_eq(conf_iface_find(c, "B"), -1);
	conf_free(c);
}
END_TEST

START_TEST(test_sections)
{
	struct config *c = load_ok(IFACES
	    "routes:\n"
	    "  - {dst: 0.0.0.0/0, gateway: 1.1.1.254}\n"
	    "  - {dst: 10.0.0.0/8, gateway: 192.168.1.254}\n"
	    "  - {dst: 172.16.0.0/12, interface: LAN}\n"
	    "conntrack:\n"
	    "  max: 1000\n"
	    "  frag-max-bytes: 65536\n"
	    "  frag-timeout: 1m\n"
	    "  timeouts: {tcp-established: 2h4m, udp: 300, udp-stream: 5m, "
	    "icmp: 1m30s, generic: 1w}\n"
	    "control: {socket: /tmp/x.sock, mode: \"0600\", group: adm, "
	    "max-clients: 8}\n"
	    "arp: {max: 100, queue-len: 4}\n"
	    "user: nobody\n"
	    "log: {level: debug, target: syslog}\n");

	ck_assert_int_eq(c->nroutes, 3);
	ck_assert_int_eq(c->routes[0].iface, 0);
	ck_assert_int_eq(c->routes[1].iface, 1);
	ck_assert_uint_eq(c->routes[2].gateway, 0);
	ck_assert_int_eq(c->routes[2].iface, 1);
	ck_assert_int_eq(c->routes[2].loc.line, 11);
	ck_assert_uint_eq(c->limits.ct_max, 1000);
	ck_assert_uint_eq(c->limits.frag_max_bytes, 65536);
	ck_assert_uint_eq(c->limits.frag_timeout, 60);
	ck_assert_uint_eq(c->timeouts.tcp_established, 7440);
	ck_assert_uint_eq(c->timeouts.udp, 300);
	ck_assert_uint_eq(c->timeouts.udp_stream, 300);
	ck_assert_uint_eq(c->timeouts.icmp, 90);
	ck_assert_uint_eq(c->timeouts.generic, 604800);
	ck_assert_uint_eq(c->timeouts.tcp_close, 10);
	ck_assert_str_eq(c->ctl_socket, "/tmp/x.sock");
	ck_assert_int_eq(c->ctl_mode, 0600);
	ck_assert_str_eq(c->ctl_group, "adm");
	ck_assert_uint_eq(c->limits.ctl_max_clients, 8);
	ck_assert_uint_eq(c->limits.arp_max, 100);
	ck_assert_uint_eq(c->limits.arp_queue, 4);
	ck_assert_str_eq(c->user, "nobody");
	ck_assert_int_eq(c->log_level, LOG_LEVEL_DEBUG);
	ck_assert_int_eq(c->log_target, LOG_TARGET_SYSLOG);
	conf_free(c);

	c = load_ok(IFACES "log: syslog\n");
	ck_assert_int_eq(c->log_target, LOG_TARGET_SYSLOG);
	ck_assert_int_eq(c->log_level, LOG_LEVEL_INFO);
	conf_free(c);
}
END_TEST

START_TEST(test_parse_usec)
{
	static const struct {
		const char *s;
		int rc;
		uint32_t us;
	} cases[] = {
		{ "0", 0, 0 }, { "0us", 0, 0 }, { "500us", 0, 500 },
		{ "3ms", 0, 3000 }, { "1s", 0, 1000000 },
		{ "10s", 0, 10000000 }, { "11s", -1, 0 },
		{ "3", -1, 0 }, { "", -1, 0 }, { "ms", -1, 0 },
		{ "3 ms", -1, 0 }, { "3msx", -1, 0 }, { "-3ms", -1, 0 },
		{ "3m", -1, 0 }, { "999999999us", -1, 0 },
	};
	uint32_t us;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		us = 12345;
		ck_assert_msg(conf_parse_usec(cases[i].s, &us) == cases[i].rc,
		    "\"%s\"", cases[i].s);
		if (cases[i].rc == 0)
			ck_assert_uint_eq(us, cases[i].us);
		else
			ck_assert_uint_eq(us, 12345);
	}
}
END_TEST

START_TEST(test_dataplane)
{
	struct config *c = load_ok(IFACES);

	/* unset: the priority is left as the daemon was started */
	ck_assert(!c->dp.nice_set);
	ck_assert_uint_eq(c->dp.busy_poll_us, 0);
	/* polling adapts, and the TAPs go through io_uring where it can */
	ck_assert(c->dp.busy_poll_auto);
	ck_assert_int_eq(c->dp.io, DP_IO_AUTO);
	conf_free(c);
	c = load_ok(IFACES "dataplane: {busy-poll: auto, io: io_uring}\n");
	ck_assert(c->dp.busy_poll_auto);
	ck_assert_int_eq(c->dp.io, DP_IO_URING);
	conf_free(c);
	c = load_ok(IFACES "dataplane: {busy-poll: 0, io: read-write}\n");
	ck_assert(!c->dp.busy_poll_auto);
	ck_assert_uint_eq(c->dp.busy_poll_us, 0);
	ck_assert_int_eq(c->dp.io, DP_IO_READWRITE);
	conf_free(c);
	expect(IFACES "dataplane: {io: epoll, busy-poll: soon}\n",
	    "t.yaml:8:17: invalid io \"epoll\" in dataplane (expected auto, "
	    "io_uring or read-write)\n"
	    "    dataplane: {io: epoll, busy-poll: soon}\n"
	    "                    ^\n"
	    "t.yaml:8:35: invalid busy-poll \"soon\" in dataplane (expected "
	    "auto, 0 or a time like 500us or 3ms)\n"
	    "    dataplane: {io: epoll, busy-poll: soon}\n"
	    "                                      ^");
	c = load_ok(IFACES "dataplane: {nice: -20, busy-poll: 100ms}\n");
	ck_assert(c->dp.nice_set);
	ck_assert_int_eq(c->dp.nice, -20);
	ck_assert_uint_eq(c->dp.busy_poll_us, 100000);
	ck_assert(!c->dp.busy_poll_auto);
	conf_free(c);
	c = load_ok(IFACES "dataplane: {nice: 19, busy-poll: 0}\n");
	ck_assert_int_eq(c->dp.nice, 19);
	ck_assert_uint_eq(c->dp.busy_poll_us, 0);
	conf_free(c);
	c = load_ok(IFACES "dataplane:\n");
	ck_assert(!c->dp.nice_set);
	conf_free(c);
	expect(IFACES "dataplane: {nice: 20, busy-poll: 101ms}\n",
	    "t.yaml:8:19: nice 20 out of range in dataplane (expected "
	    "-20..19)\n    dataplane: {nice: 20, busy-poll: 101ms}\n"
	    "                      ^\n"
	    "t.yaml:8:34: busy-poll 101ms out of range in dataplane "
	    "(expected 0..100ms)\n"
	    "    dataplane: {nice: 20, busy-poll: 101ms}\n"
	    "                                     ^");
}
END_TEST

START_TEST(test_parse_helpers)
{
	uint32_t s, a;
	uint8_t plen;

	ck_assert_int_eq(conf_parse_duration("1d", &s), 0);
	ck_assert_uint_eq(s, 86400);
	ck_assert_int_eq(conf_parse_duration("2h4m", &s), 0);
	ck_assert_uint_eq(s, 7440);
	ck_assert_int_eq(conf_parse_duration("30s", &s), 0);
	ck_assert_uint_eq(s, 30);
	ck_assert_int_eq(conf_parse_duration("5m", &s), 0);
	ck_assert_uint_eq(s, 300);
	ck_assert_int_eq(conf_parse_duration("1w2d3h4m5s", &s), 0);
	ck_assert_uint_eq(s, 604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5);
	ck_assert_int_eq(conf_parse_duration("120", &s), 0);
	ck_assert_uint_eq(s, 120);
	ck_assert_int_eq(conf_parse_duration("0", &s), 0);
	ck_assert_uint_eq(s, 0);
	ck_assert_int_eq(conf_parse_duration("", &s), -1);
	ck_assert_int_eq(conf_parse_duration("m", &s), -1);
	ck_assert_int_eq(conf_parse_duration("5", &s), 0);
	ck_assert_int_eq(conf_parse_duration("5x", &s), -1);
	ck_assert_int_eq(conf_parse_duration("4m2h", &s), -1);
	ck_assert_int_eq(conf_parse_duration("1m1m", &s), -1);
	ck_assert_int_eq(conf_parse_duration("1h ", &s), -1);
	ck_assert_int_eq(conf_parse_duration("-1s", &s), -1);
	ck_assert_int_eq(conf_parse_duration("99999999999", &s), -1);
	ck_assert_int_eq(conf_parse_duration("49000d", &s), 0);
	ck_assert_uint_eq(s, 49000u * 86400);
	ck_assert_int_eq(conf_parse_duration("50000w", &s), -1);

	ck_assert_int_eq(conf_parse_prefix("192.168.1.0/24", &a, &plen), 0);
	ck_assert_uint_eq(a, htonl(0xc0a80100));
	ck_assert_int_eq(plen, 24);
	ck_assert_int_eq(conf_parse_prefix("10.1.2.3", &a, &plen), 0);
	ck_assert_uint_eq(a, htonl(0x0a010203));
	ck_assert_int_eq(plen, 32);
	ck_assert_int_eq(conf_parse_prefix("0.0.0.0/0", &a, &plen), 0);
	ck_assert_int_eq(plen, 0);
	ck_assert_int_eq(conf_parse_prefix("1.2.3.4/33", &a, &plen), -1);
	ck_assert_int_eq(conf_parse_prefix("1.2.3.256", &a, &plen), -1);
	ck_assert_int_eq(conf_parse_prefix("1.2.3", &a, &plen), -1);
	ck_assert_int_eq(conf_parse_prefix("1.2.3.4.5", &a, &plen), -1);
	ck_assert_int_eq(conf_parse_prefix("1.2.3.4/", &a, &plen), -1);
	ck_assert_int_eq(conf_parse_prefix("1.2.3.4/24x", &a, &plen), -1);
	ck_assert_int_eq(conf_parse_prefix(" 1.2.3.4", &a, &plen), -1);
	ck_assert_int_eq(conf_parse_prefix("1..3.4", &a, &plen), -1);
}
END_TEST

START_TEST(test_err_unknown_key)
{
	expect(IFACES "nat:\n"
	    "  - chain=srcnat dst-adress=1.2.3.4 action=masquerade\n",
	    "t.yaml:9:18: unknown key \"dst-adress\" in nat rule 1 (did you "
	    "mean \"dst-address\"?)\n"
	    "      - chain=srcnat dst-adress=1.2.3.4 action=masquerade\n"
	    "                     ^");
	expect(IFACES "interface: []\nconntrak: {}\nfoo: 1\n",
	    "t.yaml:8:1: unknown key \"interface\" (did you mean "
	    "\"interfaces\"?)\n"
	    "    interface: []\n"
	    "    ^\n"
	    "t.yaml:9:1: unknown key \"conntrak\" (did you mean "
	    "\"conntrack\"?)\n"
	    "    conntrak: {}\n"
	    "    ^\n"
	    "t.yaml:10:1: unknown key \"foo\"\n"
	    "    foo: 1\n"
	    "    ^");
}
END_TEST

START_TEST(test_err_values)
{
	expect("interfaces:\n"
	    "  - name: wan\n"
	    "    tap: hp-wan\n"
	    "    addresses: [1.1.1.1/33]\n"
	    "    mtu: 70000\n"
	    "    mac: 02:00:00:00:00\n",
	    "t.yaml:4:17: invalid address \"1.1.1.1/33\" in interface 1 "
	    "(expected A.B.C.D/N with N 1-32, or A.B.C.D)\n"
	    "        addresses: [1.1.1.1/33]\n"
	    "                    ^\n"
	    "t.yaml:5:10: mtu 70000 out of range in interface 1 (expected "
	    "68..65535)\n"
	    "        mtu: 70000\n"
	    "             ^\n"
	    "t.yaml:6:10: invalid mac \"02:00:00:00:00\" in interface 1 "
	    "(expected XX:XX:XX:XX:XX:XX)\n"
	    "        mac: 02:00:00:00:00\n"
	    "             ^");
	expect(IFACES "conntrack:\n  max: 16777217\n  timeouts:\n"
	    "    udp: 2 minutes\n",
	    "t.yaml:9:8: max 16777217 out of range in conntrack (expected "
	    "1..16777216)\n"
	    "      max: 16777217\n"
	    "           ^\n"
	    "t.yaml:11:10: invalid udp \"2 minutes\" in conntrack timeouts "
	    "(expected a duration like 30s, 5m, 2h4m or 1d)\n"
	    "        udp: 2 minutes\n"
	    "             ^");
}
END_TEST

START_TEST(test_err_interfaces)
{
	expect("interfaces:\n"
	    "  - {name: wan, tap: t1, addresses: [1.1.1.1/24]}\n"
	    "  - {name: wan, tap: t1, addresses: [1.1.1.1/24]}\n"
	    "  - {tap: t3}\n",
	    "t.yaml:3:12: duplicate interface name \"wan\" (first at line 2)\n"
	    "      - {name: wan, tap: t1, addresses: [1.1.1.1/24]}\n"
	    "               ^\n"
	    "t.yaml:3:22: duplicate tap \"t1\" (also used by interface "
	    "\"wan\")\n"
	    "      - {name: wan, tap: t1, addresses: [1.1.1.1/24]}\n"
	    "                         ^\n"
	    "t.yaml:3:38: address 1.1.1.1 is already used by interface "
	    "\"wan\"\n"
	    "      - {name: wan, tap: t1, addresses: [1.1.1.1/24]}\n"
	    "                                         ^\n"
	    "t.yaml:4:5: missing \"name\" in interface 3\n"
	    "      - {tap: t3}\n"
	    "        ^\n"
	    "t.yaml:4:5: missing \"addresses\" in interface 3\n"
	    "      - {tap: t3}\n"
	    "        ^");
	expect("routes: []\n",
	    "t.yaml:1:1: no interfaces configured\n"
	    "    routes: []\n"
	    "    ^");
	expect("",
	    "t.yaml:1:1: no interfaces configured\n"
	    "    \n"
	    "    ^");
}
END_TEST

START_TEST(test_err_routes)
{
	expect(IFACES "routes:\n"
	    "  - dst: 10.0.0.1/8\n"
	    "    gateway: 10.0.0.254\n"
	    "  - {dst: 0.0.0.0/0, gateway: 192.168.1.1}\n"
	    "  - {dst: 0.0.0.0/0, interface: lan}\n",
	    "t.yaml:9:10: dst 10.0.0.1/8 has host bits set in route 1 (did "
	    "you mean 10.0.0.0/8?)\n"
	    "      - dst: 10.0.0.1/8\n"
	    "             ^\n"
	    "t.yaml:10:14: gateway 10.0.0.254 is not in any connected subnet "
	    "in route 1\n"
	    "        gateway: 10.0.0.254\n"
	    "                 ^\n"
	    "t.yaml:11:31: gateway 192.168.1.1 is an address of this router "
	    "in route 2\n"
	    "      - {dst: 0.0.0.0/0, gateway: 192.168.1.1}\n"
	    "                                  ^\n"
	    "t.yaml:12:33: unknown interface \"lan\" in route 3 (did you mean "
	    "\"LAN\"?)\n"
	    "      - {dst: 0.0.0.0/0, interface: lan}\n"
	    "                                    ^");
}
END_TEST

START_TEST(test_err_rules)
{
	expect(IFACES "nat:\n"
	    "  - chain=dstnat protocol=tcp dst-port=80 action=dst-nat\n"
	    "  - chain=srcnat out-interface=wan action=masquerade\n"
	    "  - chain=dstnat out-interface=WAN action=accept\n"
	    "  - chain=input action=accept\n"
	    "  - chain=srcnat action=drop\n"
	    "  - chain=srcnat protocol=icmp dst-port=1 action=accept\n"
	    "  - chain=dstnat action=jump jump-target=nowhere\n"
	    "  - action=accept\n"
	    "  - chain=dstnat action=accept reject-with=tcp-reset\n",
	    "t.yaml:9:50: action=dst-nat needs to-addresses or to-ports in "
	    "nat rule 1\n"
	    "      - chain=dstnat protocol=tcp dst-port=80 action=dst-nat\n"
	    "                                                     ^\n"
	    "t.yaml:10:32: unknown interface \"wan\" in nat rule 2 (did "
	    "you mean \"WAN\"?)\n"
	    "      - chain=srcnat out-interface=wan action=masquerade\n"
	    "                                   ^\n"
	    "t.yaml:11:18: out-interface cannot be used in chain dstnat in "
	    "nat rule 3 (the packet is not routed yet)\n"
	    "      - chain=dstnat out-interface=WAN action=accept\n"
	    "                     ^\n"
	    "t.yaml:12:11: chain input is not allowed in nat rule 4 "
	    "(expected dstnat, srcnat or a user chain)\n"
	    "      - chain=input action=accept\n"
	    "              ^\n"
	    "t.yaml:13:25: action drop is not allowed in nat rule 5 "
	    "(expected accept, dst-nat, src-nat, masquerade, netmap, "
	    "redirect, endpoint-independent-nat, passthrough, jump, return, "
	    "log, add-src-to-address-list or add-dst-to-address-list)\n"
	    "      - chain=srcnat action=drop\n"
	    "                            ^\n"
	    "t.yaml:14:32: dst-port needs protocol=tcp, udp, sctp, udp-lite "
	    "or dccp in nat rule 6\n"
	    "      - chain=srcnat protocol=icmp dst-port=1 action=accept\n"
	    "                                   ^\n"
	    "t.yaml:15:42: jump-target \"nowhere\" names no chain in nat "
	    "rule 7 (expected a chain= of some rule)\n"
	    "      - chain=dstnat action=jump jump-target=nowhere\n"
	    "                                             ^\n"
	    "t.yaml:16:5: missing chain in nat rule 8\n"
	    "      - action=accept\n"
	    "        ^\n"
	    "t.yaml:17:32: reject-with is only allowed in filter rules, "
	    "not in nat rule 9\n"
	    "      - chain=dstnat action=accept reject-with=tcp-reset\n"
	    "                                   ^");
}
END_TEST

START_TEST(test_err_filter_rules)
{
	expect(IFACES "filter:\n"
	    "  - chain=forward action=accept reject-with=tcp-reset\n"
	    "  - chain=forward action=masquerade\n"
	    "  - chain=frward action=accept\n"
	    "  - chain=forward action=accept connection-state=establised\n"
	    "  - chain=a action=jump jump-target=b\n"
	    "  - chain=b action=jump jump-target=a\n"
	    "  - chain=forward action=jump jump-target=a\n",
	    "t.yaml:9:33: reject-with needs action=reject in filter rule "
	    "1\n"
	    "      - chain=forward action=accept reject-with=tcp-reset\n"
	    "                                    ^\n"
	    "t.yaml:10:26: action masquerade is not allowed in filter "
	    "rule 2 (expected accept, drop, reject, jump, return, log, "
	    "passthrough, fasttrack-connection, tarpit, "
	    "add-src-to-address-list or add-dst-to-address-list)\n"
	    "      - chain=forward action=masquerade\n"
	    "                             ^\n"
	    "t.yaml:12:50: invalid connection-state \"establised\" in "
	    "filter rule 4 (did you mean \"established\"?)\n"
	    "      - chain=forward action=accept "
	    "connection-state=establised\n"
	    "                                                     ^\n"
	    "t.yaml:14:37: jump loop in filter rule 6: a -> b -> a\n"
	    "      - chain=b action=jump jump-target=a\n"
	    "                                        ^");
}
END_TEST

/* Errors inside a pasted export point into the file, past continuations. */
START_TEST(test_err_in_block)
{
	expect(IFACES "nat: |\n"
	    "  /ip firewall nat\n"
	    "  add chain=dstnat dst-address=1.1.1.1 protocol=tcp dst-port=80 \\\n"
	    "      action=dst-nat to-adress=192.168.1.2\n"
	    "  add chain=srcnat out-interface=WAN action=masquerade\n"
	    "  /ip firewall filter\n"
	    "  add chain=forward\n",
	    "t.yaml:11:14: action=dst-nat needs to-addresses or to-ports in "
	    "nat rule 1\n"
	    "          action=dst-nat to-adress=192.168.1.2\n"
	    "                 ^\n"
	    "t.yaml:11:22: unknown key \"to-adress\" in nat rule 1 (did "
	    "you mean \"to-address\"?)\n"
	    "          action=dst-nat to-adress=192.168.1.2\n"
	    "                         ^\n"
	    "t.yaml:13:3: section \"/ip firewall filter\" is not allowed "
	    "in nat (expected /ip firewall nat)\n"
	    "      /ip firewall filter\n"
	    "      ^");
}
END_TEST

START_TEST(test_err_yaml)
{
	expect("interfaces:\n"
	    "  - name: wan\n"
	    "   tap: x\n",
	    "t.yaml:3:4: syntax error: did not find expected '-' indicator "
	    "(while parsing a block collection at line 2)\n"
	    "       tap: x\n"
	    "       ^");
	expect("interfaces: &x [{name: a, tap: b, addresses: [1.1.1.1]}]\n"
	    "routes: *x\n",
	    "t.yaml:1:13: YAML anchors and aliases are not supported\n"
	    "    interfaces: &x [{name: a, tap: b, addresses: [1.1.1.1]}]\n"
	    "                ^");
	expect("- a\n",
	    "t.yaml:1:1: the configuration must be a mapping of keys "
	    "(interfaces, routes, nat, ...)\n"
	    "    - a\n"
	    "    ^");
}
END_TEST

START_TEST(test_err_open)
{
	struct conf_errors errs;

	ck_assert_ptr_null(conf_load("/nonexistent/hairpind.yaml", &errs));
	ck_assert_int_eq(errs.n, 1);
	ck_assert_str_eq(errs.msgs[0],
	    "/nonexistent/hairpind.yaml: No such file or directory");
	conf_errors_free(&errs);
}
END_TEST

static Suite *
conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_seed_file);
	tcase_add_test(tc, test_parse_usec);
	tcase_add_test(tc, test_dataplane);
	tcase_add_test(tc, test_rule_strings);
	tcase_add_test(tc, test_rule_mappings);
	tcase_add_test(tc, test_rule_export);
	tcase_add_test(tc, test_export_v7_paths_and_filter);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_sections);
	tcase_add_test(tc, test_parse_helpers);
	tcase_add_test(tc, test_err_unknown_key);
	tcase_add_test(tc, test_err_values);
	tcase_add_test(tc, test_err_interfaces);
	tcase_add_test(tc, test_err_routes);
	tcase_add_test(tc, test_err_rules);
	tcase_add_test(tc, test_err_filter_rules);
	tcase_add_test(tc, test_err_in_block);
	tcase_add_test(tc, test_err_yaml);
	tcase_add_test(tc, test_err_open);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(conf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
