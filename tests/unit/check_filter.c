/* SPDX-License-Identifier: ISC */
/*
 * The firewall (filter: chains input and forward) on the whole frame path:
 * which chain a packet meets, the connection states it shows, jump/return,
 * what each reject-with sends, the counters, and the example config
 * etc/hairpind-firewall.yaml end to end.
 */
#include "config.h"

#include "router_harness.h"
#include "addrlist.h"
#include "names.h"
#include "trace.h"

/* The seed router (harness) with @filter (YAML list lines) added. */
static char ybuf[16384];

static void
setup_filter(const char *filter)
{
	int n;

	n = snprintf(ybuf, sizeof(ybuf), "%sfilter:\n%s", seed_yaml, filter);
	ck_assert_int_lt(n, (int)sizeof(ybuf));
	router_setup_yaml(ybuf);
}

/* Rule @i of builtin or user chain @chain (by name) of the filter. */
static const struct rule *
frule(const char *chain, int i)
{
	const struct ruleset *rs = R.conf->filter;
	int c = ruleset_chain_find(rs, chain);

	ck_assert_int_ge(c, 0);
	ck_assert_int_lt(i, rs->chains[c].nrules);
	return rs->chains[c].rules[i];
}

static uint64_t
fpk(const char *chain, int i)
{
	return frule(chain, i)->packets;
}

static size_t
udp_to(const uint8_t *mac, const char *src, uint16_t sp, const char *dst,
    uint16_t dp, const char *data)
{
	uint8_t l4[128];

	return pkt_build(in, mac, A(src), A(dst), IPPROTO_UDP, 64, l4,
	    udp_build(l4, sp, dp, data));
}

static size_t
icmp_to(const uint8_t *mac, const char *src, const char *dst, uint8_t type,
    uint8_t code, uint16_t id)
{
	uint8_t l4[16] = { 0 };

	l4[0] = type;
	l4[1] = code;
	l4[4] = (uint8_t)(id >> 8);
	l4[5] = (uint8_t)id;
	l4[7] = 1;
	memcpy(l4 + 8, "fwtest!!", 8);
	return pkt_build(in, mac, A(src), A(dst), IPPROTO_ICMP, 64, l4, 16);
}

static uint64_t
drops(int ifi, enum drop_reason why)
{
	return R.ifaces[ifi].st.drops[why];
}

/* --- trace capture -------------------------------------------------------- */

static char tr_verdict[TRACE_TEXT];
static char tr_conntrack[16];
static int tr_nfilter_matched;
static int tr_last_filter_index;

static void
trace_capture(void *arg, const struct trace *t)
{
	int i;

	(void)arg;
	snprintf(tr_verdict, sizeof(tr_verdict), "%s", t->verdict);
	snprintf(tr_conntrack, sizeof(tr_conntrack), "%s",
	    t->conntrack != NULL ? t->conntrack : "");
	tr_nfilter_matched = 0;
	tr_last_filter_index = -1;
	for (i = 0; i < t->nrules; i++) {
		if (strcmp(t->rules[i].table, "filter") != 0 ||
		    !t->rules[i].matched)
			continue;
		tr_nfilter_matched++;
		tr_last_filter_index = t->rules[i].rule->index;
	}
}

static void
trace_on(void)
{
	R.tracing = true;
	R.trace_emit = trace_capture;
	tr_verdict[0] = '\0';
}

/* --- chain selection ------------------------------------------------------ */

/*
 * input sees what is addressed to the router, after dst-nat; forward what
 * is routed through it. The same rule in each chain counts only its own.
 */
START_TEST(test_input_vs_forward)
{
	size_t n;

	setup_filter(
	    "  - chain=input protocol=udp dst-port=9999 action=drop\n"
	    "  - chain=forward protocol=udp dst-port=9999 action=drop\n"
	    "  - chain=input in-interface=wan protocol=tcp action=drop\n");
	learn(LAN, "192.168.1.10", cli_mac);
	learn(LAN, "192.168.1.2", srv_mac);
	learn(WAN, "1.1.1.254", isp_mac);

	/* to the router: input */
	n = udp_to(lan_mac, "192.168.1.10", 4000, "192.168.1.1", 9999, "x");
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), 0);		/* no port unreachable */
	ck_assert_uint_eq(fpk("input", 0), 1);
	ck_assert_uint_eq(fpk("forward", 0), 0);
	ck_assert_uint_eq(frule("input", 0)->bytes, 20 + 8 + 1);

	/* through the router: forward */
	n = udp_to(lan_mac, "192.168.1.10", 4000, "2.2.2.2", 9999, "x");
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), 0);
	ck_assert_uint_eq(fpk("input", 0), 1);
	ck_assert_uint_eq(fpk("forward", 0), 1);
	ck_assert_uint_eq(drops(LAN, DROP_FILTER_DROP), 2);
	ck_assert_uint_eq(ct_count(R.ct), 0);	/* dropped: no entry */

	/* no rule matches: accepted, the router answers as a host */
	n = udp_to(lan_mac, "192.168.1.10", 4000, "192.168.1.1", 9998, "x");
	send_in(LAN, n);
	ck_assert_uint_gt(rd(LAN), 0);
	ck_assert_uint_eq(out[44], ICMP_UNREACH);
	ck_assert_uint_eq(out[45], ICMP_UNREACH_PORT);

	/* 1.1.1.1:80 is dst-nat'ed: forward, so input's TCP drop misses it */
	n = tcp_to(wan_mac, "2.2.2.2", 40000, "1.1.1.1", 80, TH_SYN, 1, 0);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.2"));
	ck_assert_uint_eq(fpk("input", 1), 0);

	/* 1.1.1.1:22 stays the router's: input drops it, no RST, no hold */
	n = tcp_to(wan_mac, "2.2.2.2", 40001, "1.1.1.1", 22, TH_SYN, 1, 0);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(WAN), 0);
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert_uint_eq(fpk("input", 1), 1);
	ck_assert_uint_eq(drops(WAN, DROP_FILTER_DROP), 1);
	ck_assert_uint_eq(drops(LAN, DROP_FILTER_DROP), 2);
}
END_TEST

/* --- connection-state ----------------------------------------------------- */

static const char states_filter[] =
    "  - chain=forward connection-state=new action=passthrough\n"
    "  - chain=forward connection-state=established action=passthrough\n"
    "  - chain=forward connection-state=related action=passthrough\n"
    "  - chain=forward connection-state=invalid action=passthrough\n"
    "  - chain=forward connection-state=established,related action=passthrough\n"
    "  - chain=forward connection-state=!new action=passthrough\n";

static void
assert_states(uint64_t nw, uint64_t est, uint64_t rel, uint64_t inv)
{
	ck_assert_uint_eq(fpk("forward", 0), nw);
	ck_assert_uint_eq(fpk("forward", 1), est);
	ck_assert_uint_eq(fpk("forward", 2), rel);
	ck_assert_uint_eq(fpk("forward", 3), inv);
	ck_assert_uint_eq(fpk("forward", 4), est + rel);
	ck_assert_uint_eq(fpk("forward", 5), est + rel + inv);
}

START_TEST(test_connection_states)
{
	uint8_t icmp[64];
	uint16_t mport;
	size_t n;

	setup_filter(states_filter);
	learn(LAN, "192.168.1.10", cli_mac);
	learn(WAN, "1.1.1.254", isp_mac);

	/* the SYN is new */
	n = tcp_to(lan_mac, "192.168.1.10", 4000, "2.2.2.2", 80, TH_SYN,
	    1000, 0);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	mport = out_port(0);
	assert_states(1, 0, 0, 0);

	/* a retransmitted SYN, before any answer: still new */
	n = tcp_to(lan_mac, "192.168.1.10", 4000, "2.2.2.2", 80, TH_SYN,
	    1000, 0);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	assert_states(2, 0, 0, 0);

	/* the SYN/ACK answer is established */
	n = tcp_to(wan_mac, "2.2.2.2", 80, "1.1.1.1", mport, TH_SYN | TH_ACK,
	    7000, 1001);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	assert_states(2, 1, 0, 0);

	/* and so is the client's ACK */
	n = tcp_to(lan_mac, "192.168.1.10", 4000, "2.2.2.2", 80, TH_ACK,
	    1001, 7001);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	assert_states(2, 2, 0, 0);

	/* an ICMP error quoting the connection (as the far side saw it) */
	memset(icmp, 0, 8);
	icmp[0] = ICMP_UNREACH;
	icmp[1] = ICMP_UNREACH_HOST;
	memcpy(icmp + 8, out + 24, 28);
	n = pkt_build(in, wan_mac, A("1.1.1.254"), A("1.1.1.1"), IPPROTO_ICMP,
	    64, icmp, 8 + 28);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	assert_states(2, 2, 1, 0);

	/* a bare ACK of no connection: invalid, then dropped as ct-invalid */
	n = tcp_to(lan_mac, "192.168.1.10", 4001, "2.2.2.2", 80, TH_ACK,
	    5, 5);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), 0);
	assert_states(2, 2, 1, 1);
	ck_assert_uint_eq(drops(LAN, DROP_CT_INVALID), 1);
	ck_assert_uint_eq(drops(LAN, DROP_FILTER_DROP), 0);

	/* byte counters: the SYNs, SYN/ACK, ACK, error and stray ACK */
	ck_assert_uint_eq(frule("forward", 0)->bytes, 2 * 40);
	ck_assert_uint_eq(frule("forward", 2)->bytes, 20 + 8 + 28);
}
END_TEST

/* An ICMP error quoting nothing known is invalid, and drop-invalid takes it. */
START_TEST(test_invalid_icmp_error_dropped)
{
	uint8_t icmp[64], quote[28];
	size_t n;

	setup_filter(
	    "  - chain=forward connection-state=invalid action=drop\n");
	learn(LAN, "192.168.1.10", cli_mac);
	/* build the quote: what 192.168.1.10 never sent */
	udp_to(lan_mac, "192.168.1.10", 5353, "9.9.9.9", 53, "");
	memcpy(quote, in + 24, 28);
	memset(icmp, 0, 8);
	icmp[0] = ICMP_UNREACH;
	icmp[1] = ICMP_UNREACH_PORT;
	memcpy(icmp + 8, quote, 28);
	n = pkt_build(in, wan_mac, A("9.9.9.9"), A("192.168.1.10"),
	    IPPROTO_ICMP, 64, icmp, 8 + 28);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert_uint_eq(fpk("forward", 0), 1);
	ck_assert_uint_eq(drops(WAN, DROP_FILTER_DROP), 1);
}
END_TEST

/* --- connection-nat-state ------------------------------------------------- */

static const char defconf_forward[] =
    "  - chain=forward action=accept connection-state=established,related\n"
    "  - chain=forward action=drop connection-state=invalid\n"
    "  - chain=forward action=drop connection-state=new connection-nat-state=!dstnat in-interface=wan\n";

START_TEST(test_nat_state_not_dstnat)
{
	uint8_t l4[16] = { ICMP_ECHO, 0, 0, 0, 0, 5, 0, 1 };
	size_t n;

	/* the premise: without a filter the outside reaches a LAN host */
	learn(LAN, "192.168.1.10", cli_mac);
	n = pkt_build(in, wan_mac, A("1.1.1.254"), A("192.168.1.10"),
	    IPPROTO_ICMP, 64, l4, 16);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));

	setup_filter(defconf_forward);
	learn(LAN, "192.168.1.10", cli_mac);
	learn(LAN, "192.168.1.2", srv_mac);
	learn(WAN, "1.1.1.254", isp_mac);

	/* with it: not dst-nat'ed, from wan, new: dropped */
	n = pkt_build(in, wan_mac, A("1.1.1.254"), A("192.168.1.10"),
	    IPPROTO_ICMP, 64, l4, 16);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), 0);
	n = tcp_to(wan_mac, "2.2.2.2", 40000, "192.168.1.2", 80, TH_SYN, 1, 0);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert_uint_eq(fpk("forward", 2), 2);
	ck_assert_uint_eq(drops(WAN, DROP_FILTER_DROP), 2);
	ck_assert_uint_eq(ct_count(R.ct), 0);

	/* the same server through the port forward: dst-nat'ed, passes */
	n = tcp_to(wan_mac, "2.2.2.2", 40001, "1.1.1.1", 80, TH_SYN, 1, 0);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.2"));
	ck_assert_uint_eq(fpk("forward", 2), 2);
	/* its answer is established */
	n = tcp_to(lan_mac, "192.168.1.2", 80, "2.2.2.2", 40001,
	    TH_SYN | TH_ACK, 9, 2);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	ck_assert_uint_eq(fpk("forward", 0), 1);

	/* the LAN's own new connections out are not from wan: pass */
	n = tcp_to(lan_mac, "192.168.1.10", 4000, "2.2.2.2", 443, TH_SYN,
	    1, 0);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	ck_assert_uint_eq(fpk("forward", 2), 2);
	ck_assert_uint_eq(ct_count(R.ct), 2);
}
END_TEST

/* connection-nat-state=srcnat: the masqueraded connection's packets. */
START_TEST(test_nat_state_srcnat)
{
	size_t n;
	uint16_t mport;

	setup_filter(
	    "  - chain=forward connection-nat-state=srcnat action=passthrough\n"
	    "  - chain=forward connection-nat-state=dstnat action=passthrough\n");
	learn(LAN, "192.168.1.10", cli_mac);
	learn(LAN, "192.168.1.2", srv_mac);
	learn(WAN, "1.1.1.254", isp_mac);
	n = tcp_to(lan_mac, "192.168.1.10", 4000, "2.2.2.2", 80, TH_SYN, 1, 0);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	mport = out_port(0);
	/*
	 * As netfilter: the first packet meets forward before srcnat, so
	 * only the answer shows srcnat.
	 */
	ck_assert_uint_eq(fpk("forward", 0), 0);
	n = tcp_to(wan_mac, "2.2.2.2", 80, "1.1.1.1", mport, TH_SYN | TH_ACK,
	    50, 2);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(fpk("forward", 0), 1);
	ck_assert_uint_eq(fpk("forward", 1), 0);
	/* the port forward's first packet is dstnat already */
	n = tcp_to(wan_mac, "2.2.2.2", 40000, "1.1.1.1", 80, TH_SYN, 1, 0);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(fpk("forward", 1), 1);
	ck_assert_uint_eq(fpk("forward", 0), 1);
}
END_TEST

/* --- jump / return -------------------------------------------------------- */

START_TEST(test_jump_return)
{
	size_t n;

	setup_filter(
	    "  - chain=forward in-interface=wan action=jump jump-target=from-wan\n"
	    "  - chain=forward protocol=udp dst-port=53 action=drop\n"
	    "  - chain=from-wan protocol=tcp dst-port=22 action=drop\n"
	    "  - chain=from-wan protocol=udp dst-port=1-1000 action=jump jump-target=low-udp\n"
	    "  - chain=from-wan action=return\n"
	    "  - chain=from-wan action=drop\n"
	    "  - chain=low-udp protocol=udp dst-port=7 action=reject\n");
	learn(LAN, "192.168.1.10", cli_mac);
	learn(WAN, "1.1.1.254", isp_mac);

	/* dropped inside the user chain */
	n = tcp_to(wan_mac, "2.2.2.2", 4000, "192.168.1.10", 22, TH_SYN, 1, 0);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert_uint_eq(fpk("forward", 0), 1);
	ck_assert_uint_eq(fpk("from-wan", 0), 1);
	ck_assert_uint_eq(fpk("from-wan", 2), 0);

	/* into from-wan, return, and on in forward: accepted by default */
	n = udp_to(wan_mac, "2.2.2.2", 4000, "192.168.1.10", 1234, "x");
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(fpk("forward", 0), 2);
	ck_assert_uint_eq(fpk("from-wan", 2), 1);
	ck_assert_uint_eq(fpk("from-wan", 3), 0);	/* after the return */
	ck_assert_uint_eq(fpk("forward", 1), 0);

	/* return, then the rule after the jump in forward drops it */
	n = udp_to(wan_mac, "2.2.2.2", 4000, "192.168.1.10", 53, "x");
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert_uint_eq(fpk("forward", 1), 1);
	/* low-udp ran out of rules: an implicit return to from-wan */
	ck_assert_uint_eq(fpk("from-wan", 1), 1);
	ck_assert_uint_eq(fpk("from-wan", 2), 2);
	ck_assert_uint_eq(fpk("low-udp", 0), 0);

	/* two levels down: the reject in low-udp answers (network unreachable,
	   the RouterOS default) */
	n = udp_to(wan_mac, "2.2.2.2", 4000, "192.168.1.10", 7, "x");
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert_uint_gt(rd(WAN), 0);
	ck_assert_uint_eq(out[44], ICMP_UNREACH);
	ck_assert_uint_eq(out[45], ICMP_UNREACH_NET);
	ck_assert_uint_eq(fpk("low-udp", 0), 1);
	ck_assert_uint_eq(fpk("from-wan", 2), 2);

	/* from the LAN no jump: only forward's own rules */
	n = udp_to(lan_mac, "192.168.1.10", 4000, "2.2.2.2", 53, "x");
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), 0);
	ck_assert_uint_eq(fpk("forward", 0), 4);
	ck_assert_uint_eq(fpk("forward", 1), 2);
	ck_assert_uint_eq(drops(WAN, DROP_FILTER_DROP), 2);
	ck_assert_uint_eq(drops(WAN, DROP_FILTER_REJECT), 1);
	ck_assert_uint_eq(drops(LAN, DROP_FILTER_DROP), 1);
}
END_TEST

/* --- reject-with ---------------------------------------------------------- */

static const char reject_filter[] =
    "  - chain=forward protocol=tcp dst-port=23 action=reject reject-with=tcp-reset\n"
    "  - chain=forward protocol=udp dst-port=1001 action=reject reject-with=icmp-port-unreachable\n"
    "  - chain=forward protocol=udp dst-port=1002 action=reject reject-with=icmp-host-unreachable\n"
    "  - chain=forward protocol=udp dst-port=1003 action=reject reject-with=icmp-net-unreachable\n"
    "  - chain=forward protocol=udp dst-port=1004 action=reject reject-with=icmp-admin-prohibited\n"
    "  - chain=forward protocol=udp dst-port=1005 action=reject\n"
    "  - chain=forward protocol=udp dst-port=1006 action=reject reject-with=tcp-reset\n"
    "  - chain=input protocol=icmp action=reject reject-with=icmp-admin-prohibited\n";

START_TEST(test_reject_icmp_variants)
{
	static const struct {
		uint16_t port;
		uint8_t code;
	} want[] = {
		{ 1001, ICMP_UNREACH_PORT },
		{ 1002, ICMP_UNREACH_HOST },
		{ 1003, ICMP_UNREACH_NET },
		{ 1004, ICMP_UNREACH_FILTER_PROHIB },
		{ 1005, ICMP_UNREACH_NET },	/* the default, as RouterOS */
		{ 1006, ICMP_UNREACH_PORT },	/* tcp-reset, but not TCP */
	};
	uint8_t sent[64];
	size_t i, n, got;

	setup_filter(reject_filter);
	learn(LAN, "192.168.1.10", cli_mac);
	learn(WAN, "1.1.1.254", isp_mac);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		n = udp_to(lan_mac, "192.168.1.10", 4000, "2.2.2.2",
		    want[i].port, "hello");
		memcpy(sent, in + 24, n - 24);
		send_in(LAN, n);
		ck_assert_uint_eq(rd(WAN), 0);
		got = rd(LAN);
		/* ICMP about the datagram, quoting all of it as sent */
		ck_assert_uint_eq(got, 24 + 20 + 8 + (n - 24));
		ck_assert_uint_eq(out_ip()->proto, IPPROTO_ICMP);
		ck_assert_uint_eq(out_ip()->saddr, A("192.168.1.1"));
		ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
		ck_assert_uint_eq(out[44], ICMP_UNREACH);
		ck_assert_uint_eq(out[45], want[i].code);
		ck_assert_mem_eq(out + 52, sent, n - 24);
		ck_assert(pkt_csums_ok(out + 24));
		ck_assert_mem_eq(out + 10, cli_mac, 6);
		ck_assert_uint_eq(fpk("forward", (int)i + 1), 1);
		ck_assert_uint_eq(drops(LAN, DROP_FILTER_REJECT), i + 1);
	}
	ck_assert_uint_eq(drops(LAN, DROP_FILTER_DROP), 0);
	ck_assert_uint_eq(ct_count(R.ct), 0);

	/* input: a ping to the router gets admin-prohibited, not a reply */
	n = icmp_to(lan_mac, "192.168.1.10", "192.168.1.1", ICMP_ECHO, 0, 77);
	memcpy(sent, in + 24, n - 24);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), 24 + 20 + 8 + (n - 24));
	ck_assert_uint_eq(out[44], ICMP_UNREACH);
	ck_assert_uint_eq(out[45], ICMP_UNREACH_FILTER_PROHIB);
	ck_assert_mem_eq(out + 52, sent, n - 24);
	ck_assert(pkt_csums_ok(out + 24));
	ck_assert_uint_eq(fpk("input", 0), 1);
	ck_assert_uint_eq(rd(LAN), 0);		/* and no echo reply */
}
END_TEST

START_TEST(test_reject_tcp_reset)
{
	struct tcp_hdr th;
	size_t n;

	setup_filter(reject_filter);
	learn(LAN, "192.168.1.10", cli_mac);
	learn(WAN, "1.1.1.254", isp_mac);

	/* a SYN: RST|ACK, seq 0, ack = its seq + 1, from where it went */
	n = tcp_to(lan_mac, "192.168.1.10", 4000, "2.2.2.2", 23, TH_SYN,
	    1000, 0);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), 0);
	ck_assert_uint_eq(rd(LAN), 24 + 40);
	ck_assert_uint_eq(out_ip()->proto, IPPROTO_TCP);
	ck_assert_uint_eq(out_ip()->saddr, A("2.2.2.2"));
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	memcpy(&th, out + 44, sizeof(th));
	ck_assert_uint_eq(ntohs(th.sport), 23);
	ck_assert_uint_eq(ntohs(th.dport), 4000);
	ck_assert_uint_eq(th.flags, TH_RST | TH_ACK);
	ck_assert_uint_eq(ntohl(th.seq), 0);
	ck_assert_uint_eq(ntohl(th.ack), 1001);
	ck_assert(pkt_csums_ok(out + 24));
	ck_assert_uint_eq(fpk("forward", 0), 1);

	/* a segment with ACK: a bare RST with seq = its ack (RFC 793) */
	n = tcp_to(lan_mac, "192.168.1.10", 4001, "2.2.2.2", 23,
	    TH_ACK | TH_PSH, 2000, 0xdeadbeef);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), 24 + 40);
	memcpy(&th, out + 44, sizeof(th));
	ck_assert_uint_eq(th.flags, TH_RST);
	ck_assert_uint_eq(ntohl(th.seq), 0xdeadbeef);
	ck_assert_uint_eq(ntohs(th.sport), 23);
	ck_assert_uint_eq(ntohs(th.dport), 4001);
	ck_assert(pkt_csums_ok(out + 24));

	/* a RST is never answered, but it is still rejected and counted */
	n = tcp_to(lan_mac, "192.168.1.10", 4002, "2.2.2.2", 23, TH_RST,
	    3000, 0);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert_uint_eq(rd(WAN), 0);
	ck_assert_uint_eq(fpk("forward", 0), 3);
	ck_assert_uint_eq(drops(LAN, DROP_FILTER_REJECT), 3);
}
END_TEST

/* --- icmp-options, passthrough, log --------------------------------------- */

START_TEST(test_icmp_options)
{
	size_t n;

	setup_filter(
	    "  - chain=input protocol=icmp icmp-options=8 action=passthrough\n"
	    "  - chain=input protocol=icmp icmp-options=!8 action=passthrough\n"
	    "  - chain=input protocol=icmp icmp-options=8:0 action=drop\n");
	learn(LAN, "192.168.1.10", cli_mac);

	/* echo request, code 0: matched by 8:0, dropped, no reply */
	n = icmp_to(lan_mac, "192.168.1.10", "192.168.1.1", ICMP_ECHO, 0, 1);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert_uint_eq(fpk("input", 0), 1);
	ck_assert_uint_eq(fpk("input", 1), 0);
	ck_assert_uint_eq(fpk("input", 2), 1);

	/* type 8 with another code: 8 matches, 8:0 does not: answered */
	n = icmp_to(lan_mac, "192.168.1.10", "192.168.1.1", ICMP_ECHO, 1, 2);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out[44], ICMP_ECHOREPLY);
	ck_assert_uint_eq(fpk("input", 0), 2);
	ck_assert_uint_eq(fpk("input", 2), 1);

	/* a timestamp request (13): only !8 */
	n = icmp_to(lan_mac, "192.168.1.10", "192.168.1.1", 13, 0, 3);
	send_in(LAN, n);
	ck_assert_uint_eq(fpk("input", 0), 2);
	ck_assert_uint_eq(fpk("input", 1), 1);
	ck_assert_uint_eq(fpk("input", 2), 1);
	ck_assert_uint_eq(drops(LAN, DROP_FILTER_DROP), 1);

	/* not ICMP at all: icmp-options never matches, negated or not */
	n = udp_to(lan_mac, "192.168.1.10", 4000, "192.168.1.1", 9, "x");
	send_in(LAN, n);
	ck_assert_uint_eq(fpk("input", 1), 1);
}
END_TEST

START_TEST(test_passthrough_and_log_continue)
{
	size_t n;

	setup_filter(
	    "  - chain=forward action=log log-prefix=FWTEST\n"
	    "  - chain=forward action=passthrough\n"
	    "  - chain=forward protocol=udp action=drop log=yes log-prefix=FWDROP\n");
	learn(LAN, "192.168.1.10", cli_mac);
	learn(WAN, "1.1.1.254", isp_mac);

	n = udp_to(lan_mac, "192.168.1.10", 4000, "2.2.2.2", 53, "q");
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), 0);
	ck_assert_uint_eq(fpk("forward", 0), 1);
	ck_assert_uint_eq(fpk("forward", 1), 1);
	ck_assert_uint_eq(fpk("forward", 2), 1);

	n = tcp_to(lan_mac, "192.168.1.10", 4000, "2.2.2.2", 80, TH_SYN, 1, 0);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	ck_assert_uint_eq(fpk("forward", 0), 2);
	ck_assert_uint_eq(fpk("forward", 1), 2);
	ck_assert_uint_eq(fpk("forward", 2), 1);
	ck_assert_uint_eq(frule("forward", 1)->bytes, (20 + 8 + 1) + 40);
	ck_assert_uint_eq(drops(LAN, DROP_FILTER_DROP), 1);
}
END_TEST

/* Disabled rules neither match nor count. */
START_TEST(test_disabled_rule)
{
	size_t n;

	setup_filter(
	    "  - chain=forward action=drop disabled=yes\n"
	    "  - chain=forward action=passthrough\n");
	learn(WAN, "1.1.1.254", isp_mac);
	n = udp_to(lan_mac, "192.168.1.10", 4000, "2.2.2.2", 53, "q");
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	ck_assert_uint_eq(fpk("forward", 0), 0);
	ck_assert_uint_eq(fpk("forward", 1), 1);
}
END_TEST

/* --- trace ---------------------------------------------------------------- */

START_TEST(test_trace_shows_filter_verdict)
{
	size_t n;

	setup_filter(defconf_forward);
	learn(LAN, "192.168.1.10", cli_mac);
	learn(WAN, "1.1.1.254", isp_mac);
	trace_on();
	n = udp_to(wan_mac, "2.2.2.2", 4000, "192.168.1.10", 53, "x");
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert_str_eq(tr_verdict, "filter forward: drop");
	ck_assert_str_eq(tr_conntrack, "new");
	ck_assert_int_eq(tr_nfilter_matched, 1);
	ck_assert_int_eq(tr_last_filter_index, frule("forward", 2)->index);

	trace_on();
	n = udp_to(lan_mac, "192.168.1.10", 4000, "2.2.2.2", 53, "x");
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	ck_assert_str_eq(tr_verdict, "forward");
	ck_assert_int_eq(tr_nfilter_matched, 0);

	trace_on();
	n = udp_to(wan_mac, "2.2.2.2", 53, "1.1.1.1", out_port(0), "y");
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_str_eq(tr_verdict, "forward");
	ck_assert_str_eq(tr_conntrack, "established");
	ck_assert_int_eq(tr_nfilter_matched, 1);
	ck_assert_int_eq(tr_last_filter_index, frule("forward", 0)->index);
}
END_TEST

START_TEST(test_trace_shows_reject)
{
	size_t n;

	setup_filter(reject_filter);
	learn(LAN, "192.168.1.10", cli_mac);
	trace_on();
	n = udp_to(lan_mac, "192.168.1.10", 4000, "2.2.2.2", 1004, "x");
	send_in(LAN, n);
	ck_assert_uint_gt(rd(LAN), 0);
	ck_assert_str_eq(tr_verdict, "filter forward: reject");
	ck_assert_int_eq(tr_last_filter_index, frule("forward", 4)->index);
}
END_TEST

/* --- the example config --------------------------------------------------- */

static char example[16384];

static void
setup_example(void)
{
	FILE *f = fopen(TOP_SRCDIR "/etc/hairpind-firewall.yaml", "r");
	size_t n;

	ck_assert_msg(f != NULL, "cannot open etc/hairpind-firewall.yaml");
	n = fread(example, 1, sizeof(example) - 1, f);
	ck_assert(feof(f));
	fclose(f);
	example[n] = '\0';
	router_setup_yaml(example);
	learn(LAN, "192.168.1.10", cli_mac);
	learn(LAN, "192.168.1.2", srv_mac);
	learn(WAN, "1.1.1.254", isp_mac);
}

/* Find a rule of the example by a piece of its canonical text. */
static const struct rule *
example_rule(const char *chain, const char *text)
{
	const struct ruleset *rs = R.conf->filter;
	int c = ruleset_chain_find(rs, chain), i;

	ck_assert_int_ge(c, 0);
	for (i = 0; i < rs->chains[c].nrules; i++)
		if (strstr(rs->chains[c].rules[i]->text, text) != NULL)
			return rs->chains[c].rules[i];
	ck_abort_msg("no %s rule with \"%s\"", chain, text);
	return NULL;
}

START_TEST(test_example_blocks_outside)
{
	const uint8_t *wmac;
	const struct rule *notdst, *inv, *notlan;
	size_t n;

	setup_example();
	wmac = R.conf->ifaces[WAN].mac;
	notdst = example_rule("forward", "connection-nat-state=!dstnat");
	inv = example_rule("forward", "connection-state=invalid");
	notlan = example_rule("input", "in-interface=!lan");

	/* the outside routing 192.168.1.0/24 at us reaches nothing */
	n = icmp_to(wmac, "1.1.1.254", "192.168.1.10", ICMP_ECHO, 0, 9);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), 0);
	n = tcp_to(wmac, "2.2.2.2", 40000, "192.168.1.2", 80, TH_SYN, 1, 0);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert_uint_eq(notdst->packets, 2);

	/* nor the router: no echo reply, no RST */
	n = icmp_to(wmac, "1.1.1.254", "1.1.1.1", ICMP_ECHO, 0, 9);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(WAN), 0);
	n = tcp_to(wmac, "2.2.2.2", 40000, "1.1.1.1", 22, TH_SYN, 1, 0);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(WAN), 0);
	ck_assert_uint_eq(notlan->packets, 2);

	/* a stray ACK to a LAN host is invalid: dropped by its rule */
	n = tcp_to(wmac, "2.2.2.2", 40000, "192.168.1.10", 22, TH_ACK, 1, 1);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert_uint_eq(inv->packets, 1);
	ck_assert_uint_eq(notdst->packets, 2);
	ck_assert_uint_eq(drops(WAN, DROP_FILTER_DROP), 5);
	ck_assert_uint_eq(ct_count(R.ct), 0);
}
END_TEST

START_TEST(test_example_keeps_services)
{
	const uint8_t *wmac, *lmac;
	const struct rule *est;
	uint16_t mport;
	size_t n;

	setup_example();
	wmac = R.conf->ifaces[WAN].mac;
	lmac = R.conf->ifaces[LAN].mac;
	est = example_rule("forward", "connection-state=established,related");

	/* port forward 1.1.1.1:80 -> 192.168.1.2 and its answer */
	n = tcp_to(wmac, "2.2.2.2", 40000, "1.1.1.1", 80, TH_SYN, 1, 0);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.2"));
	n = tcp_to(lmac, "192.168.1.2", 80, "2.2.2.2", 40000, TH_SYN | TH_ACK,
	    500, 2);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	ck_assert_uint_eq(est->packets, 1);

	/* hairpin: LAN client -> 1.1.1.1:80 */
	n = tcp_to(lmac, "192.168.1.10", 5555, "1.1.1.1", 80, TH_SYN, 1, 0);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("192.168.1.1"));
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.2"));
	n = tcp_to(lmac, "192.168.1.2", 80, "192.168.1.1", 5555,
	    TH_SYN | TH_ACK, 900, 2);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));

	/* masquerade out and the answer back */
	n = udp_to(lmac, "192.168.1.10", 40000, "2.2.2.2", 53, "query");
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	mport = out_port(0);
	n = udp_to(wmac, "2.2.2.2", 53, "1.1.1.1", mport, "answer");
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	ck_assert_uint_eq(est->packets, 3);

	/* the LAN pings the router */
	n = icmp_to(lmac, "192.168.1.10", "192.168.1.1", ICMP_ECHO, 0, 4);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out[44], ICMP_ECHOREPLY);
	ck_assert_uint_eq(example_rule("input", "protocol=icmp")->packets, 1);

	ck_assert_uint_eq(drops(WAN, DROP_FILTER_DROP), 0);
	ck_assert_uint_eq(drops(LAN, DROP_FILTER_DROP), 0);
}
END_TEST

/* --- raw and mangle on the frame path ------------------------------------ */

/* The seed router with @tables: YAML keys and their rule lists. */
static void
setup_tables(const char *tables)
{
	int n;

	n = snprintf(ybuf, sizeof(ybuf), "%s%s", seed_yaml, tables);
	ck_assert_int_lt(n, (int)sizeof(ybuf));
	router_setup_yaml(ybuf);
	learn(LAN, "192.168.1.10", cli_mac);
	learn(LAN, "192.168.1.2", srv_mac);
	learn(WAN, "1.1.1.254", isp_mac);
}

static uint64_t
tpk(const struct ruleset *rs, const char *chain, int i)
{
	int c = ruleset_chain_find(rs, chain);

	ck_assert_int_ge(c, 0);
	ck_assert_int_lt(i, rs->chains[c].nrules);
	return rs->chains[c].rules[i]->packets;
}

/* raw: notrack leaves the packet untracked and untranslated; drop drops. */
START_TEST(test_raw_notrack_and_drop)
{
	size_t n;

	setup_tables("raw:\n"
	    "  - chain=prerouting protocol=udp dst-port=7777 action=notrack\n"
	    "  - chain=prerouting src-address=2.2.2.99 action=drop\n"
	    "filter:\n"
	    "  - chain=forward connection-state=untracked action=accept\n");
	n = udp_to(lan_mac, "192.168.1.10", 5000, "2.2.2.2", 7777, "raw");
	send_in(LAN, n);
	ck_assert_uint_gt(rd(WAN), 0);
	/* untracked: no masquerade, no entry */
	ck_assert_uint_eq(out_ip()->saddr, A("192.168.1.10"));
	ck_assert_uint_eq(ct_count(R.ct), 0);
	ck_assert_uint_eq(tpk(R.conf->raw, "prerouting", 0), 1);
	ck_assert_uint_eq(fpk("forward", 0), 1);
	/* another port is tracked and masqueraded as ever */
	n = udp_to(lan_mac, "192.168.1.10", 5001, "2.2.2.2", 7778, "raw");
	send_in(LAN, n);
	ck_assert_uint_gt(rd(WAN), 0);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	ck_assert_uint_eq(ct_count(R.ct), 1);
	/* raw drop, before conntrack */
	n = udp_to(wan_mac, "2.2.2.99", 5000, "1.1.1.1", 5001, "x");
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert_uint_eq(drops(WAN, DROP_RAW_DROP), 1);
	ck_assert_uint_eq(ct_count(R.ct), 1);
}
END_TEST

/* mangle: change-ttl, change-dscp and clear-df rewrite the header. */
START_TEST(test_mangle_header_changes)
{
	struct ip4_hdr *ip;
	size_t n;

	setup_tables("mangle:\n"
	    "  - chain=forward action=change-ttl new-ttl=set:33 protocol=udp\n"
	    "  - chain=forward action=change-dscp new-dscp=46 protocol=udp\n"
	    "  - chain=postrouting action=clear-df protocol=udp\n"
	    "  - chain=forward action=change-ttl new-ttl=increment:5 "
	    "protocol=udp dst-port=9 passthrough=no\n"
	    "  - chain=forward action=change-ttl new-ttl=set:1 protocol=udp "
	    "dst-port=9\n");
	n = udp_to(lan_mac, "192.168.1.10", 5000, "2.2.2.2", 53, "mangle");
	ip = (struct ip4_hdr *)(in + VNET_HDR_LEN + 14);
	ip->frag_off = htons(IP4_DF);
	ip->check = 0;
	ip->check = csum_ip(ip, 20);
	send_in(LAN, n);
	ck_assert_uint_gt(rd(WAN), 0);
	ck_assert_uint_eq(out_ip()->ttl, 32);	/* set to 33, then routed */
	ck_assert_uint_eq(out_ip()->tos >> 2, 46);
	ck_assert_uint_eq(ntohs(out_ip()->frag_off) & IP4_DF, 0);
	ck_assert(pkt_csums_ok(out + 24));
	/* passthrough=no ends the chain: set:33, +5, not set:1 */
	n = udp_to(lan_mac, "192.168.1.10", 5001, "2.2.2.2", 9, "mangle");
	send_in(LAN, n);
	ck_assert_uint_gt(rd(WAN), 0);
	ck_assert_uint_eq(out_ip()->ttl, 37);
	ck_assert(pkt_csums_ok(out + 24));
}
END_TEST

/* A SYN with an MSS option, ready for pkt_build(). */
static size_t
syn_mss(uint8_t *l4, uint16_t sp, uint16_t dp, uint16_t mss)
{
	tcp_build(l4, sp, dp, 1000, 0, TH_SYN);
	l4[12] = 6 << 4;
	l4[20] = 2;
	l4[21] = 4;
	l4[22] = (uint8_t)(mss >> 8);
	l4[23] = (uint8_t)mss;
	return 24;
}

static unsigned int
out_mss(void)
{
	const uint8_t *t = out + 24 + 20;

	ck_assert_uint_eq(t[20], 2);
	return (unsigned int)(t[22] << 8 | t[23]);
}

/* change-mss: set, and clamp to the out link (lan has mtu 1400). */
START_TEST(test_mangle_mss)
{
	uint8_t l4[24];
	size_t n;

	setup_tables("mangle:\n"
	    "  - chain=forward action=change-mss new-mss=1300 protocol=tcp "
	    "tcp-flags=syn tcp-mss=1301-65535 out-interface=wan\n"
	    "  - chain=forward action=change-mss new-mss=clamp-to-pmtu "
	    "protocol=tcp tcp-flags=syn out-interface=lan\n");
	n = pkt_build(in, lan_mac, A("192.168.1.10"), A("2.2.2.2"),
	    IPPROTO_TCP, 64, l4, syn_mss(l4, 4000, 443, 1460));
	send_in(LAN, n);
	ck_assert_uint_gt(rd(WAN), 0);
	ck_assert_uint_eq(out_mss(), 1300);
	ck_assert(pkt_csums_ok(out + 24));
	/* through the port forward to the 1400-byte LAN: 1400 - 40 */
	n = pkt_build(in, wan_mac, A("2.2.2.2"), A("1.1.1.1"), IPPROTO_TCP,
	    64, l4, syn_mss(l4, 4001, 80, 1460));
	send_in(WAN, n);
	ck_assert_uint_gt(rd(LAN), 0);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.2"));
	ck_assert_uint_eq(out_mss(), 1360);
	ck_assert(pkt_csums_ok(out + 24));
	/* clamping never raises: an MSS of 536 stays */
	n = pkt_build(in, wan_mac, A("2.2.2.2"), A("1.1.1.1"), IPPROTO_TCP,
	    64, l4, syn_mss(l4, 4002, 80, 536));
	send_in(WAN, n);
	ck_assert_uint_gt(rd(LAN), 0);
	ck_assert_uint_eq(out_mss(), 536);
}
END_TEST

/* tarpit: a SYN/ACK with a zero window, and nothing forwarded. */
START_TEST(test_tarpit)
{
	struct tcp_hdr th;
	size_t n;

	setup_tables("filter:\n"
	    "  - chain=input protocol=tcp dst-port=2323 action=tarpit\n");
	n = tcp_to(wan_mac, "2.2.2.2", 40000, "1.1.1.1", 2323, TH_SYN, 77, 0);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(WAN), 24 + 40);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	memcpy(&th, out + 44, sizeof(th));
	ck_assert_uint_eq(th.flags, TH_SYN | TH_ACK);
	ck_assert_uint_eq(th.win, 0);
	ck_assert_uint_eq(ntohl(th.ack), 78);
	ck_assert(pkt_csums_ok(out + 24));
	ck_assert_uint_eq(fpk("input", 0), 1);
}
END_TEST

/*
 * Marks, address lists and fasttrack together: mangle marks the
 * connection, filter matches the mark; add-src-to-address-list feeds a
 * later drop; fasttrack takes the established packets past filter.
 */
START_TEST(test_marks_lists_fasttrack)
{
	size_t n;
	uint64_t before;

	setup_tables("mangle:\n"
	    "  - chain=prerouting action=mark-connection "
	    "new-connection-mark=dns-conn protocol=udp dst-port=53 "
	    "connection-state=new\n"
	    "  - chain=prerouting action=mark-packet new-packet-mark=dns-pkt "
	    "connection-mark=dns-conn\n"
	    "filter:\n"
	    "  - chain=forward action=fasttrack-connection "
	    "connection-state=established,related\n"
	    "  - chain=forward action=accept connection-state=established\n"
	    "  - chain=forward action=accept packet-mark=dns-pkt\n"
	    "  - chain=input action=add-src-to-address-list "
	    "address-list=knocked address-list-timeout=1m protocol=udp "
	    "dst-port=1111\n"
	    "  - chain=input action=drop src-address-list=knocked\n");
	/* new DNS flow: marked, accepted by its packet mark */
	n = udp_to(lan_mac, "192.168.1.10", 5353, "2.2.2.2", 53, "q");
	send_in(LAN, n);
	ck_assert_uint_gt(rd(WAN), 0);
	ck_assert_uint_eq(fpk("forward", 2), 1);
	/* the answer makes it established: fasttrack marks the entry */
	n = udp_to(wan_mac, "2.2.2.2", 53, "1.1.1.1", 5353, "a");
	send_in(WAN, n);
	ck_assert_uint_gt(rd(LAN), 0);
	ck_assert_uint_eq(fpk("forward", 0), 1);
	/* from now on filter is skipped both ways, and counted as fast */
	before = fpk("forward", 0) + fpk("forward", 1) + fpk("forward", 2);
	n = udp_to(lan_mac, "192.168.1.10", 5353, "2.2.2.2", 53, "q2");
	send_in(LAN, n);
	ck_assert_uint_gt(rd(WAN), 0);
	n = udp_to(wan_mac, "2.2.2.2", 53, "1.1.1.1", 5353, "a2");
	send_in(WAN, n);
	ck_assert_uint_gt(rd(LAN), 0);
	ck_assert_uint_eq(fpk("forward", 0) + fpk("forward", 1) +
	    fpk("forward", 2), before);
	ck_assert_uint_eq(R.fasttrack_packets, 2);
	/* the knock adds the source; its next packet to the router drops */
	n = udp_to(wan_mac, "2.2.2.7", 1000, "1.1.1.1", 1111, "k");
	send_in(WAN, n);
	ck_assert_uint_eq(fpk("input", 0), 1);
	ck_assert_uint_eq(fpk("input", 1), 1);	/* the same packet */
	ck_assert(addrlist_match(names_find(NAMES_ADDRLIST, "knocked"),
	    A("2.2.2.7"), router_now_ms()));
	n = icmp_to(wan_mac, "2.2.2.7", "1.1.1.1", ICMP_ECHO, 0, 9);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(WAN), 0);
	ck_assert_uint_eq(fpk("input", 1), 2);
	addrlist_flush();
}
END_TEST

static Suite *
filter_suite(void)
{
	Suite *s = suite_create("filter");
	TCase *tc = tcase_create("filter");
	TCase *ex = tcase_create("example");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_input_vs_forward);
	tcase_add_test(tc, test_connection_states);
	tcase_add_test(tc, test_invalid_icmp_error_dropped);
	tcase_add_test(tc, test_nat_state_not_dstnat);
	tcase_add_test(tc, test_nat_state_srcnat);
	tcase_add_test(tc, test_jump_return);
	tcase_add_test(tc, test_reject_icmp_variants);
	tcase_add_test(tc, test_reject_tcp_reset);
	tcase_add_test(tc, test_icmp_options);
	tcase_add_test(tc, test_passthrough_and_log_continue);
	tcase_add_test(tc, test_disabled_rule);
	tcase_add_test(tc, test_trace_shows_filter_verdict);
	tcase_add_test(tc, test_trace_shows_reject);
	tcase_add_test(tc, test_raw_notrack_and_drop);
	tcase_add_test(tc, test_mangle_header_changes);
	tcase_add_test(tc, test_mangle_mss);
	tcase_add_test(tc, test_tarpit);
	tcase_add_test(tc, test_marks_lists_fasttrack);
	suite_add_tcase(s, tc);
	tcase_add_test(ex, test_example_blocks_outside);
	tcase_add_test(ex, test_example_keeps_services);
	suite_add_tcase(s, ex);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(filter_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
