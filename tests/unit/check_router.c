/* SPDX-License-Identifier: ISC */
/*
 * The whole frame path, end to end, without a kernel: each link is a
 * socketpair standing in for a TAP, frames are written in with
 * router_input() and what the router sends is read off the other end and
 * checked byte by byte (addresses, ports, TTL, every checksum).
 */
#include "config.h"

#include "router_harness.h"
#include "trace.h"

START_TEST(test_echo_to_router)
{
	uint8_t l4[64] = { ICMP_ECHO, 0, 0, 0, 0, 7, 0, 1, 'p', 'i', 'n', 'g' };
	size_t n;

	learn(LAN, "192.168.1.10", cli_mac);
	n = pkt_build(in, lan_mac, A("192.168.1.10"), A("192.168.1.1"),
	    IPPROTO_ICMP, 64, l4, 12);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("192.168.1.1"));
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	ck_assert_uint_eq(out[44], ICMP_ECHOREPLY);
	ck_assert_mem_eq(out + 44 + 8, "ping", 4);
	ck_assert(pkt_csums_ok(out + 24));
	ck_assert_mem_eq(out + 10, cli_mac, 6);
	ck_assert_mem_eq(out + 16, lan_mac, 6);
}
END_TEST

/* The internet client reaches the web server through dst-nat. */
START_TEST(test_dstnat_and_back)
{
	size_t n;

	learn(LAN, "192.168.1.2", srv_mac);
	learn(WAN, "1.1.1.254", isp_mac);
	n = tcp_to(wan_mac, "2.2.2.2", 40000, "1.1.1.1", 80, TH_SYN, 100, 0);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("2.2.2.2"));
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.2"));
	ck_assert_uint_eq(out_port(0), 40000);
	ck_assert_uint_eq(out_port(1), 80);
	ck_assert_uint_eq(out_ip()->ttl, 63);
	ck_assert(pkt_csums_ok(out + 24));
	ck_assert_mem_eq(out + 10, srv_mac, 6);

	n = tcp_to(lan_mac, "192.168.1.2", 80, "2.2.2.2", 40000,
	    TH_SYN | TH_ACK, 5000, 101);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	ck_assert_uint_eq(out_ip()->daddr, A("2.2.2.2"));
	ck_assert_uint_eq(out_port(0), 80);
	ck_assert_uint_eq(out_port(1), 40000);
	ck_assert(pkt_csums_ok(out + 24));
	ck_assert_mem_eq(out + 10, isp_mac, 6);
	ck_assert_uint_eq(ct_count(R.ct), 1);
}
END_TEST

/* The wiki's point: with the hairpin rule, both NATs apply on one link. */
START_TEST(test_hairpin)
{
	size_t n;

	learn(LAN, "192.168.1.2", srv_mac);
	learn(LAN, "192.168.1.10", cli_mac);
	n = tcp_to(lan_mac, "192.168.1.10", 5555, "1.1.1.1", 80, TH_SYN, 1, 0);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("192.168.1.1"));
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.2"));
	ck_assert_uint_eq(out_port(0), 5555);	/* port kept when free */
	ck_assert_uint_eq(out_port(1), 80);
	ck_assert(pkt_csums_ok(out + 24));
	ck_assert_mem_eq(out + 10, srv_mac, 6);

	n = tcp_to(lan_mac, "192.168.1.2", 80, "192.168.1.1", 5555,
	    TH_SYN | TH_ACK, 900, 2);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	ck_assert_uint_eq(out_port(0), 80);
	ck_assert_uint_eq(out_port(1), 5555);
	ck_assert(pkt_csums_ok(out + 24));
	ck_assert_mem_eq(out + 10, cli_mac, 6);
}
END_TEST

/* Without the hairpin rule the server would answer the client directly. */
START_TEST(test_no_hairpin_rule)
{
	static const char yaml[] =
	    "interfaces:\n"
	    "  - { name: wan, tap: t-wan, addresses: [1.1.1.1/24] }\n"
	    "  - { name: lan, tap: t-lan, addresses: [192.168.1.1/24] }\n"
	    "nat:\n"
	    "  - chain=dstnat dst-address=1.1.1.1 protocol=tcp dst-port=80 action=dst-nat to-addresses=192.168.1.2\n"
	    "  - chain=srcnat out-interface=wan action=masquerade\n";
	size_t n;

	router_setup_yaml(yaml);
	learn(LAN, "192.168.1.2", srv_mac);
	n = tcp_to(R.conf->ifaces[LAN].mac, "192.168.1.10", 5555, "1.1.1.1",
	    80, TH_SYN, 1, 0);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	/* dst-nat only: the server sees the client's own address */
	ck_assert_uint_eq(out_ip()->saddr, A("192.168.1.10"));
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.2"));
}
END_TEST

/* Masquerade, and an ICMP error from the far side translated back. */
START_TEST(test_masquerade_and_icmp_error)
{
	uint8_t l4[64], icmp[128];
	struct ip4_hdr *iip;
	size_t n, qlen;
	uint16_t sport;

	learn(WAN, "1.1.1.254", isp_mac);
	learn(LAN, "192.168.1.10", cli_mac);
	n = pkt_build(in, lan_mac, A("192.168.1.10"), A("2.2.2.2"),
	    IPPROTO_UDP, 64, l4, udp_build(l4, 40000, 53, "query"));
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	ck_assert_uint_eq(out_port(0), 40000);
	ck_assert(pkt_csums_ok(out + 24));
	sport = out_port(0);

	/* 2.2.2.2 answers port unreachable, quoting what it got */
	qlen = 20 + 8 + 5;
	memset(icmp, 0, 8);
	icmp[0] = ICMP_UNREACH;
	icmp[1] = ICMP_UNREACH_PORT;
	memcpy(icmp + 8, out + 24, qlen);
	n = pkt_build(in, wan_mac, A("2.2.2.2"), A("1.1.1.1"), IPPROTO_ICMP,
	    64, icmp, 8 + qlen);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("2.2.2.2"));
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	ck_assert(pkt_csums_ok(out + 24));
	iip = (struct ip4_hdr *)(out + 24 + 20 + 8);
	ck_assert_uint_eq(iip->saddr, A("192.168.1.10"));
	ck_assert_uint_eq(iip->daddr, A("2.2.2.2"));
	ck_assert_uint_eq(csum_ip(iip, 20), 0);
	ck_assert_uint_eq(ntohs(get16((uint8_t *)iip + 20)), 40000);
	/* the quoted UDP checksum was fixed too */
	ck_assert(pkt_csums_ok((uint8_t *)iip));
	(void)sport;
}
END_TEST

/*
 * Issue 17: an error quoting a live connection but addressed to another
 * inside host is not related; through a firewall that drops invalid
 * packets it reaches nobody. Addressed to the public address, it is
 * related and its outer header is translated to the connection's host.
 */
START_TEST(test_icmp_error_wrong_host)
{
	static const char yaml[] =
	    "interfaces:\n"
	    "  - { name: wan, tap: t-wan, addresses: [1.1.1.1/24], mac: 02:00:00:00:01:01 }\n"
	    "  - { name: lan, tap: t-lan, addresses: [192.168.1.1/24], mac: 02:00:00:00:02:01 }\n"
	    "routes:\n"
	    "  - { dst: 0.0.0.0/0, gateway: 1.1.1.254 }\n"
	    "nat:\n"
	    "  - chain=srcnat out-interface=wan action=masquerade\n"
	    "filter:\n"
	    "  - chain=forward connection-state=established,related action=accept\n"
	    "  - chain=forward connection-state=invalid action=drop\n"
	    "  - chain=forward in-interface=lan action=accept\n"
	    "  - chain=forward action=drop\n";
	uint8_t l4[64], icmp[128], quoted[64];
	size_t n, qlen = 20 + 8 + 5;
	uint64_t inv;

	router_setup_yaml(yaml);
	learn(WAN, "1.1.1.254", isp_mac);
	learn(LAN, "192.168.1.10", cli_mac);
	learn(LAN, "192.168.1.2", srv_mac);
	n = pkt_build(in, lan_mac, A("192.168.1.10"), A("2.2.2.2"),
	    IPPROTO_UDP, 64, l4, udp_build(l4, 40000, 53, "query"));
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	memcpy(quoted, out + 24, qlen);

	/* to 192.168.1.2, which has nothing to do with the connection */
	memset(icmp, 0, 8);
	icmp[0] = ICMP_UNREACH;
	icmp[1] = ICMP_UNREACH_PORT;
	memcpy(icmp + 8, quoted, qlen);
	inv = R.ifaces[WAN].st.drops[DROP_FILTER_DROP];
	n = pkt_build(in, wan_mac, A("2.2.2.2"), A("192.168.1.2"),
	    IPPROTO_ICMP, 64, icmp, 8 + qlen);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert_uint_eq(R.ifaces[WAN].st.drops[DROP_FILTER_DROP], inv + 1);
	/* nor to the connection's own inside host by its inside address */
	n = pkt_build(in, wan_mac, A("2.2.2.2"), A("192.168.1.10"),
	    IPPROTO_ICMP, 64, icmp, 8 + qlen);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), 0);

	/* to the public address: related, translated to 192.168.1.10 */
	n = pkt_build(in, wan_mac, A("2.2.2.2"), A("1.1.1.1"), IPPROTO_ICMP,
	    64, icmp, 8 + qlen);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	ck_assert(pkt_csums_ok(out + 24));
}
END_TEST

/* Insert @olen bytes of IP options into the frame of @n bytes in `in`. */
static size_t
with_options(size_t n, const uint8_t *opt, size_t olen)
{
	struct ip4_hdr *ip = (struct ip4_hdr *)(in + 24);
	uint8_t *l4 = in + 24 + 20;

	memmove(l4 + olen, l4, n - 24 - 20);
	memcpy(l4, opt, olen);
	ip->ver_ihl = (uint8_t)(0x40 | ((20 + olen) / 4));
	ip->tot_len = htons((uint16_t)(ntohs(ip->tot_len) + olen));
	ip->check = 0;
	ip->check = csum_ip(ip, 20 + olen);
	return n + olen;
}

static void
setup_ip_settings(const char *settings)
{
	static char yaml[2048];

	snprintf(yaml, sizeof(yaml), "%sip-settings: %s\n", seed_yaml,
	    settings);
	router_setup_yaml(yaml);
	learn(WAN, "1.1.1.254", isp_mac);
	learn(LAN, "192.168.1.2", srv_mac);
	learn(LAN, "192.168.1.10", cli_mac);
}

/*
 * Issue 17: rp-filter strict drops a SYN that arrives on the WAN with a
 * LAN source (it would have been hairpin-masqueraded into the LAN);
 * loose lets it by (a route back exists), as Linux's rp_filter=2.
 */
START_TEST(test_rp_filter)
{
	size_t n;

	setup_ip_settings("{ rp-filter: strict }");
	n = tcp_to(wan_mac, "192.168.1.50", 1234, "1.1.1.1", 80, TH_SYN, 1,
	    0);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert_uint_eq(R.ifaces[WAN].st.drops[DROP_RP_FILTER], 1);
	ck_assert_uint_eq(ct_count(R.ct), 0);
	/* the real outside and inside still work */
	n = tcp_to(wan_mac, "2.2.2.2", 1234, "1.1.1.1", 80, TH_SYN, 1, 0);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	n = tcp_to(lan_mac, "192.168.1.10", 1234, "1.1.1.1", 80, TH_SYN, 1,
	    0);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	/* an inside host sending with an outside source: strict drops */
	n = tcp_to(lan_mac, "9.9.9.9", 1234, "2.2.2.2", 80, TH_SYN, 1, 0);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), 0);
	ck_assert_uint_eq(R.ifaces[LAN].st.drops[DROP_RP_FILTER], 1);

	setup_ip_settings("{ rp-filter: loose }");
	n = tcp_to(wan_mac, "192.168.1.50", 1234, "1.1.1.1", 80, TH_SYN, 1,
	    0);
	send_in(WAN, n);
	ck_assert_uint_eq(R.ifaces[WAN].st.drops[DROP_RP_FILTER], 0);

	/* the default is no, as RouterOS */
	setup();
	ck_assert_int_eq(R.conf->ip.rp_filter, CONF_RP_NO);
}
END_TEST

/* Source-routed packets are dropped (accept-source-route: no). */
START_TEST(test_source_route_dropped)
{
	static const uint8_t lsrr[8] = { 131, 7, 4, 192, 168, 1, 2, 0 };
	static const uint8_t ssrr[8] = { 1, 137, 7, 4, 192, 168, 1, 2 };
	static const uint8_t rr[8] = { 7, 7, 4, 0, 0, 0, 0, 0 };
	static const uint8_t bad[4] = { 68, 12, 5, 0 };	/* past the end */
	uint8_t l4[64];
	size_t n;

	setup_ip_settings("{ rp-filter: no }");
	n = with_options(pkt_build(in, wan_mac, A("2.2.2.2"), A("1.1.1.1"),
	    IPPROTO_TCP, 64, l4, tcp_build(l4, 1234, 80, 1, 0, TH_SYN)),
	    lsrr, sizeof(lsrr));
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), 0);
	n = with_options(pkt_build(in, wan_mac, A("2.2.2.2"), A("1.1.1.1"),
	    IPPROTO_TCP, 64, l4, tcp_build(l4, 1235, 80, 1, 0, TH_SYN)),
	    ssrr, sizeof(ssrr));
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert_uint_eq(R.ifaces[WAN].st.drops[DROP_SOURCE_ROUTE], 2);
	n = with_options(pkt_build(in, wan_mac, A("2.2.2.2"), A("1.1.1.1"),
	    IPPROTO_TCP, 64, l4, tcp_build(l4, 1236, 80, 1, 0, TH_SYN)),
	    bad, sizeof(bad));
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert_uint_eq(R.ifaces[WAN].st.drops[DROP_BAD_IP_HEADER], 1);
	/* record route is harmless: forwarded */
	n = with_options(pkt_build(in, wan_mac, A("2.2.2.2"), A("1.1.1.1"),
	    IPPROTO_TCP, 64, l4, tcp_build(l4, 1237, 80, 1, 0, TH_SYN)),
	    rr, sizeof(rr));
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);

	setup_ip_settings("{ accept-source-route: yes }");
	n = with_options(pkt_build(in, wan_mac, A("2.2.2.2"), A("1.1.1.1"),
	    IPPROTO_TCP, 64, l4, tcp_build(l4, 1234, 80, 1, 0, TH_SYN)),
	    lsrr, sizeof(lsrr));
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
}
END_TEST

/* Two LAN hosts ping out at once with the same id: ids stay apart. */
START_TEST(test_ping_two_hosts)
{
	uint8_t l4[16] = { ICMP_ECHO, 0, 0, 0, 0, 9, 0, 1 };
	uint16_t id1, id2;
	size_t n;

	learn(WAN, "1.1.1.254", isp_mac);
	n = pkt_build(in, lan_mac, A("192.168.1.10"), A("1.1.1.254"),
	    IPPROTO_ICMP, 64, l4, 16);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	memcpy(&id1, out + 44 + 4, 2);
	ck_assert(pkt_csums_ok(out + 24));
	n = pkt_build(in, lan_mac, A("192.168.1.2"), A("1.1.1.254"),
	    IPPROTO_ICMP, 64, l4, 16);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	memcpy(&id2, out + 44 + 4, 2);
	ck_assert_uint_ne(id1, id2);
	ck_assert(pkt_csums_ok(out + 24));
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));

	/* the reply to the second goes back to the second host */
	learn(LAN, "192.168.1.2", srv_mac);
	l4[0] = ICMP_ECHOREPLY;
	memcpy(l4 + 4, &id2, 2);
	n = pkt_build(in, wan_mac, A("1.1.1.254"), A("1.1.1.1"),
	    IPPROTO_ICMP, 64, l4, 16);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.2"));
	ck_assert_uint_eq(ntohs(get16(out + 44 + 4)), 9);
	ck_assert(pkt_csums_ok(out + 24));
}
END_TEST

START_TEST(test_port_range_mapping)
{
	uint8_t l4[64];
	size_t n;

	learn(LAN, "192.168.1.3", srv_mac);
	n = pkt_build(in, wan_mac, A("2.2.2.2"), A("1.1.1.1"), IPPROTO_UDP,
	    64, l4, udp_build(l4, 7777, 5003, "x"));
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.3"));
	ck_assert_uint_eq(out_port(1), 6003);
	ck_assert(pkt_csums_ok(out + 24));
}
END_TEST

START_TEST(test_ttl_exceeded)
{
	uint8_t l4[64];
	size_t n;

	learn(LAN, "192.168.1.10", cli_mac);
	n = pkt_build(in, lan_mac, A("192.168.1.10"), A("2.2.2.2"),
	    IPPROTO_UDP, 1, l4, udp_build(l4, 33434, 33434, "trace"));
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), 24 + 20 + 8 + (n - 24));
	ck_assert_uint_eq(out_ip()->saddr, A("192.168.1.1"));
	ck_assert_uint_eq(out[44], ICMP_TIMXCEED);
	ck_assert(pkt_csums_ok(out + 24));
	ck_assert_uint_eq(rd(WAN), 0);
	ck_assert_uint_eq(R.ifaces[LAN].st.drops[DROP_TTL_EXCEEDED], 1);
}
END_TEST

START_TEST(test_no_route)
{
	static const char yaml[] =
	    "interfaces:\n"
	    "  - { name: wan, tap: t-wan, addresses: [1.1.1.1/24] }\n"
	    "  - { name: lan, tap: t-lan, addresses: [192.168.1.1/24] }\n";
	uint8_t l4[64];
	size_t n;

	router_setup_yaml(yaml);
	learn(LAN, "192.168.1.10", cli_mac);
	n = pkt_build(in, R.conf->ifaces[LAN].mac, A("192.168.1.10"),
	    A("8.8.8.8"), IPPROTO_UDP, 64, l4, udp_build(l4, 1, 2, "x"));
	send_in(LAN, n);
	ck_assert_uint_gt(rd(LAN), 0);
	ck_assert_uint_eq(out[44], ICMP_UNREACH);
	ck_assert_uint_eq(out[45], ICMP_UNREACH_NET);
	ck_assert_uint_eq(R.ifaces[LAN].st.drops[DROP_NO_ROUTE], 1);
}
END_TEST

/* Local answers: RST for TCP, port unreachable for UDP. */
START_TEST(test_router_as_host)
{
	uint8_t l4[64];
	size_t n;

	learn(LAN, "192.168.1.10", cli_mac);
	n = tcp_to(lan_mac, "192.168.1.10", 4000, "192.168.1.1", 22, TH_SYN,
	    77, 0);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), 24 + 40);
	ck_assert_uint_eq(out[24 + 20 + 13], TH_RST | TH_ACK);
	ck_assert_uint_eq(ntohl(get32(out + 24 + 20 + 8)), 78);
	ck_assert(pkt_csums_ok(out + 24));
	n = pkt_build(in, lan_mac, A("192.168.1.10"), A("192.168.1.1"),
	    IPPROTO_UDP, 64, l4, udp_build(l4, 4000, 9999, "x"));
	send_in(LAN, n);
	ck_assert_uint_gt(rd(LAN), 0);
	ck_assert_uint_eq(out[44], ICMP_UNREACH);
	ck_assert_uint_eq(out[45], ICMP_UNREACH_PORT);
}
END_TEST

/* A bare ACK that belongs to no connection is invalid, not forwarded. */
START_TEST(test_invalid_bare_ack)
{
	size_t n;

	learn(WAN, "1.1.1.254", isp_mac);
	n = tcp_to(lan_mac, "192.168.1.10", 4000, "2.2.2.2", 80, TH_ACK, 1, 1);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), 0);
	ck_assert_uint_eq(R.ifaces[LAN].st.drops[DROP_CT_INVALID], 1);
	ck_assert_uint_eq(ct_count(R.ct), 0);
}
END_TEST

/*
 * An out-of-window segment of a dst-nat'ed connection is invalid, so it
 * is not translated and its destination is the router's own address:
 * the router must not answer it with a RST that would kill the real
 * connection.
 */
START_TEST(test_invalid_to_router_no_rst)
{
	size_t n;

	learn(LAN, "192.168.1.2", srv_mac);
	learn(WAN, "1.1.1.254", isp_mac);
	n = tcp_to(wan_mac, "2.2.2.2", 40000, "1.1.1.1", 80, TH_SYN, 100, 0);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	n = tcp_to(lan_mac, "192.168.1.2", 80, "2.2.2.2", 40000,
	    TH_SYN | TH_ACK, 5000, 101);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	/* far outside the window the server announced */
	n = tcp_to(wan_mac, "2.2.2.2", 40000, "1.1.1.1", 80, TH_ACK,
	    100 + 0x40000000, 5001);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert_uint_eq(rd(WAN), 0);		/* no RST from the router */
	ck_assert_uint_eq(R.ifaces[WAN].st.drops[DROP_CT_INVALID], 1);
	/* and the connection goes on */
	n = tcp_to(wan_mac, "2.2.2.2", 40000, "1.1.1.1", 80, TH_ACK, 101,
	    5001);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
}
END_TEST

/* DF and too big for the LAN's 1400: frag-needed with the MTU. */
START_TEST(test_frag_needed)
{
	static uint8_t l4[1500];
	struct ip4_hdr *ip;
	size_t n;

	learn(WAN, "1.1.1.254", isp_mac);
	learn(LAN, "192.168.1.2", srv_mac);
	memset(l4, 'z', sizeof(l4));
	n = pkt_build(in, wan_mac, A("2.2.2.2"), A("1.1.1.1"), IPPROTO_TCP, 64,
	    l4, tcp_build(l4, 40000, 80, 1, 0, TH_SYN) + 1420);
	ip = (struct ip4_hdr *)(in + 24);
	ip->frag_off = htons(IP4_DF);
	ip->check = 0;
	ip->check = csum_ip(ip, 20);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert_uint_gt(rd(WAN), 0);
	ck_assert_uint_eq(out[44], ICMP_UNREACH);
	ck_assert_uint_eq(out[45], ICMP_UNREACH_NEEDFRAG);
	ck_assert_uint_eq(ntohs(get16(out + 44 + 6)), 1400);
	ck_assert(pkt_csums_ok(out + 24));
}
END_TEST

/* A 6000-byte UDP datagram, fragmented, crosses dst-nat whole. */
START_TEST(test_fragmented_udp_dstnat)
{
	static uint8_t dgram[6008];
	struct ip4_hdr *ip;
	size_t off, got = 0, n;
	int frags = 0;

	learn(LAN, "192.168.1.3", srv_mac);
	memset(dgram + 8, 0x5a, 6000);
	/* build the whole datagram, then cut it into 1480-byte pieces */
	udp_build(dgram, 7000, 5001, "");
	((struct udp_hdr *)dgram)->len = htons(6008);
	pkt_build(out, wan_mac, A("2.2.2.2"), A("1.1.1.1"), IPPROTO_UDP, 64,
	    dgram, sizeof(dgram));
	for (off = 0; off < sizeof(dgram); off += 1480) {
		size_t len = sizeof(dgram) - off < 1480 ? sizeof(dgram) - off :
		    1480;

		memcpy(in, out, 24 + 20);
		memcpy(in + 44, out + 44 + off, len);
		ip = (struct ip4_hdr *)(in + 24);
		ip->tot_len = htons((uint16_t)(20 + len));
		ip->frag_off = htons((uint16_t)((off / 8) |
		    (off + len < sizeof(dgram) ? IP4_MF : 0)));
		ip->check = 0;
		ip->check = csum_ip(ip, 20);
		send_in(WAN, 44 + len);
	}
	/* out the LAN (mtu 1400) as fragments with the new destination */
	while ((n = rd(LAN)) > 0) {
		ip = out_ip();
		ck_assert_uint_eq(ip->daddr, A("192.168.1.3"));
		ck_assert_uint_le(ntohs(ip->tot_len), 1400);
		ck_assert_uint_eq(csum_ip(ip, 20), 0);
		got += ntohs(ip->tot_len) - 20;
		frags++;
	}
	ck_assert_uint_eq(got, sizeof(dgram));
	ck_assert_int_ge(frags, 5);
}
END_TEST

/* A partial checksum (NEEDS_CSUM) moves for the addresses, not ports. */
START_TEST(test_partial_csum_masquerade)
{
	struct virtio_net_hdr *vh = (struct virtio_net_hdr *)in;
	uint8_t l4[20];
	uint16_t part, got;
	uint32_t s;
	size_t n;

	learn(WAN, "1.1.1.254", isp_mac);
	n = pkt_build(in, lan_mac, A("192.168.1.10"), A("2.2.2.2"),
	    IPPROTO_TCP, 64, l4, tcp_build(l4, 40001, 443, 1, 0, TH_SYN));
	s = csum_pseudo(A("192.168.1.10"), A("2.2.2.2"), IPPROTO_TCP, 20);
	s = (s & 0xffff) + (s >> 16);
	part = (uint16_t)((s & 0xffff) + (s >> 16));
	memcpy(in + 24 + 20 + 16, &part, 2);
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = 14 + 20;
	vh->csum_offset = 16;
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	ck_assert_uint_eq(out[0], VIRTIO_NET_HDR_F_NEEDS_CSUM);
	s = csum_pseudo(A("1.1.1.1"), A("2.2.2.2"), IPPROTO_TCP, 20);
	s = (s & 0xffff) + (s >> 16);
	part = (uint16_t)((s & 0xffff) + (s >> 16));
	memcpy(&got, out + 24 + 20 + 16, 2);
	ck_assert_uint_eq(got, part);
}
END_TEST

/* RFC 768: a UDP checksum of zero means none, and stays zero. */
START_TEST(test_udp_zero_checksum_stays_zero)
{
	uint8_t l4[64];
	size_t n;

	learn(WAN, "1.1.1.254", isp_mac);
	n = pkt_build(in, lan_mac, A("192.168.1.10"), A("2.2.2.2"),
	    IPPROTO_UDP, 64, l4, udp_build(l4, 40000, 53, "nocsum"));
	memset(in + 24 + 20 + 6, 0, 2);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	ck_assert_uint_eq(out[24 + 20 + 6], 0);
	ck_assert_uint_eq(out[24 + 20 + 7], 0);
	ck_assert_uint_eq(csum_ip(out_ip(), 20), 0);
}
END_TEST

/*
 * A GSO super-frame as the kernel hands it over: @paylen bytes of TCP or
 * UDP payload in one frame, gso_size @mss, partial checksum. WAN -> the
 * dst-nat'ed server behind the LAN link, whose MTU is 1400.
 */
static void
tcp_open_40000(void)
{
	size_t n;

	n = tcp_to(wan_mac, "2.2.2.2", 40000, "1.1.1.1", 80, TH_SYN, 999, 0);
	send_in(WAN, n);
	drain(LAN);
	n = tcp_to(lan_mac, "192.168.1.2", 80, "2.2.2.2", 40000,
	    TH_SYN | TH_ACK, 5000, 1000);
	send_in(LAN, n);
	drain(WAN);
}

static size_t
gso_frame(uint8_t proto, uint16_t mss, size_t paylen, bool df)
{
	static uint8_t l4[65536];
	struct virtio_net_hdr *vh = (struct virtio_net_hdr *)in;
	struct ip4_hdr *ip;
	size_t hl = proto == IPPROTO_TCP ? 20 : 8, n;
	uint32_t sum;
	uint16_t part;

	memset(l4, 0x61, hl + paylen);
	if (proto == IPPROTO_TCP)
		tcp_build(l4, 40000, 80, 1000, 1, TH_ACK | TH_PSH);
	else {
		udp_build(l4, 40000, 5001, "");
		/* as the kernel sends it: the length of the whole */
		((struct udp_hdr *)l4)->len = htons((uint16_t)(8 + paylen));
	}
	n = pkt_build(in, wan_mac, A("2.2.2.2"), A("1.1.1.1"), proto, 64, l4,
	    hl + paylen);
	ip = (struct ip4_hdr *)(in + 24);
	if (df) {
		ip->frag_off = htons(IP4_DF);
		ip->check = 0;
		ip->check = csum_ip(ip, 20);
	}
	/* the L4 checksum field holds only the folded pseudo-header sum */
	sum = csum_pseudo(ip->saddr, ip->daddr, proto, (uint16_t)(hl + paylen));
	sum = (sum & 0xffff) + (sum >> 16);
	part = (uint16_t)((sum & 0xffff) + (sum >> 16));
	memcpy(in + 24 + 20 + (proto == IPPROTO_TCP ? 16 : 6), &part, 2);
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->gso_type = proto == IPPROTO_TCP ? VIRTIO_NET_HDR_GSO_TCPV4 :
	    VIRTIO_NET_HDR_GSO_UDP_L4;
	vh->gso_size = mss;
	vh->hdr_len = 9999;		/* lies: must not be trusted */
	vh->csum_start = 14 + 20;
	vh->csum_offset = proto == IPPROTO_TCP ? 16 : 6;
	return n;
}

/* Segments that fit the out link: the super-frame goes out whole. */
START_TEST(test_gso_passes_whole)
{
	struct virtio_net_hdr vh;
	size_t n;

	learn(LAN, "192.168.1.2", srv_mac);
	learn(WAN, "1.1.1.254", isp_mac);
	tcp_open_40000();
	n = gso_frame(IPPROTO_TCP, 1000, 8000, true);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	memcpy(&vh, out, sizeof(vh));
	ck_assert_uint_eq(vh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	ck_assert_uint_eq(vh.gso_size, 1000);
	ck_assert_uint_eq(vh.hdr_len, 14 + 20 + 20);	/* fixed, not trusted */
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.2"));
	ck_assert_uint_eq(csum_ip(out_ip(), 20), 0);
	ck_assert_uint_eq(rd(LAN), 0);
}
END_TEST

/* DF segments too big for the link: frag-needed, as a kernel router. */
START_TEST(test_gso_df_frag_needed)
{
	learn(LAN, "192.168.1.2", srv_mac);
	learn(WAN, "1.1.1.254", isp_mac);
	tcp_open_40000();
	send_in(WAN, gso_frame(IPPROTO_TCP, 1448, 8000, true));
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert_uint_gt(rd(WAN), 0);
	ck_assert_uint_eq(out[44], ICMP_UNREACH);
	ck_assert_uint_eq(out[45], ICMP_UNREACH_NEEDFRAG);
	ck_assert_uint_eq(ntohs(get16(out + 44 + 6)), 1400);
}
END_TEST

/* Without DF the router segments in software: nothing is lost. */
START_TEST(test_gso_segmented)
{
	uint32_t seq = 1000, got = 0;
	size_t n;
	int segs = 0;

	learn(LAN, "192.168.1.2", srv_mac);
	learn(WAN, "1.1.1.254", isp_mac);
	tcp_open_40000();
	send_in(WAN, gso_frame(IPPROTO_TCP, 1448, 8000, false));
	while ((n = rd(LAN)) > 0) {
		struct ip4_hdr *ip = out_ip();
		uint32_t len = ntohs(ip->tot_len) - 40;

		ck_assert_uint_le(ntohs(ip->tot_len), 1400);
		ck_assert_uint_eq(ip->daddr, A("192.168.1.2"));
		ck_assert(pkt_csums_ok(out + 24));
		ck_assert_uint_eq(ntohl(get32(out + 24 + 20 + 4)), seq);
		seq += len;
		got += len;
		segs++;
	}
	ck_assert_uint_eq(got, 8000);
	ck_assert_int_ge(segs, 6);
}
END_TEST

/* UDP GSO to a smaller MTU: datagrams as sent, each fragmented. */
START_TEST(test_uso_fragmented)
{
	static const char yaml[] =
	    "interfaces:\n"
	    "  - { name: wan, tap: t-wan, addresses: [1.1.1.1/24], mac: 02:00:00:00:01:01 }\n"
	    "  - { name: lan, tap: t-lan, addresses: [192.168.1.1/24], mac: 02:00:00:00:02:01, mtu: 1400 }\n"
	    "nat:\n"
	    "  - chain=dstnat dst-address=1.1.1.1 protocol=udp action=dst-nat to-addresses=192.168.1.2\n";
	size_t n, bytes = 0;
	int frags = 0;

	router_setup_yaml(yaml);
	learn(LAN, "192.168.1.2", srv_mac);
	send_in(WAN, gso_frame(IPPROTO_UDP, 1472, 4 * 1472, false));
	while ((n = rd(LAN)) > 0) {
		struct ip4_hdr *ip = out_ip();

		ck_assert_uint_le(ntohs(ip->tot_len), 1400);
		ck_assert_uint_eq(ip->daddr, A("192.168.1.2"));
		ck_assert_uint_eq(csum_ip(ip, 20), 0);
		bytes += ntohs(ip->tot_len) - 20;
		frags++;
	}
	ck_assert_uint_eq(bytes, 4 * (8 + 1472));
	ck_assert_int_eq(frags, 8);
}
END_TEST

/*
 * RFC 5508 REQ-11: ICMP that is neither query nor error cannot be
 * translated, so it does not leave the NATed link with an inside
 * address; an ICMP error about a masqueraded flow still does.
 */
START_TEST(test_icmp_untranslatable_not_leaked)
{
	uint8_t l4[64] = { 10, 0, 0, 0, 0, 0, 0, 0 };	/* router solicit */
	uint8_t icmp[128];
	size_t n, qlen;

	learn(WAN, "1.1.1.254", isp_mac);
	learn(LAN, "192.168.1.10", cli_mac);
	n = pkt_build(in, lan_mac, A("192.168.1.10"), A("2.2.2.2"),
	    IPPROTO_ICMP, 64, l4, 8);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), 0);
	ck_assert_uint_eq(R.ifaces[LAN].st.drops[DROP_ICMP_UNTRANSLATABLE],
	    1);
	/* an outside host's UDP reaches the client through dst-nat... */
	learn(LAN, "192.168.1.3", srv_mac);
	n = pkt_build(in, wan_mac, A("2.2.2.2"), A("1.1.1.1"), IPPROTO_UDP,
	    64, l4, udp_build(l4, 7777, 5003, "x"));
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	/* ...and the server's port unreachable goes back out translated */
	qlen = 20 + 8 + 1;
	memset(icmp, 0, 8);
	icmp[0] = ICMP_UNREACH;
	icmp[1] = ICMP_UNREACH_PORT;
	memcpy(icmp + 8, out + 24, qlen);
	n = pkt_build(in, lan_mac, A("192.168.1.3"), A("2.2.2.2"),
	    IPPROTO_ICMP, 64, icmp, 8 + qlen);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	ck_assert(pkt_csums_ok(out + 24));
}
END_TEST

static struct trace last_trace;
static int traces;

static void
trace_capture(void *arg, const struct trace *t)
{
	last_trace = *t;
	traces++;
}

/* `trace` explains a hairpin, and says why it breaks without src-nat. */
START_TEST(test_trace_hairpin_notes)
{
	size_t n;

	R.tracing = true;
	R.trace_emit = trace_capture;
	learn(LAN, "192.168.1.2", srv_mac);
	n = tcp_to(lan_mac, "192.168.1.10", 5555, "1.1.1.1", 80, TH_SYN, 1, 0);
	send_in(LAN, n);
	ck_assert_int_eq(traces, 1);
	ck_assert_str_eq(last_trace.in_if, "lan");
	ck_assert_str_eq(last_trace.out_if, "lan");
	ck_assert_str_eq(last_trace.conntrack, "new");
	ck_assert_str_eq(last_trace.verdict, "forward");
	ck_assert_str_eq(last_trace.translation, "dst-nat dst 1.1.1.1:80 -> "
	    "192.168.1.2:80; src-nat src 192.168.1.10:5555 -> "
	    "192.168.1.1:5555");
	ck_assert_ptr_nonnull(strstr(last_trace.note, "hairpin: in and out "
	    "via lan"));
	/* dstnat #0 matched first; srcnat: wan masquerade no, hairpin yes */
	ck_assert_int_eq(last_trace.nrules, 3);
	ck_assert(last_trace.rules[0].matched);
	ck_assert_int_eq(last_trace.rules[0].rule->index, 0);
	ck_assert(!last_trace.rules[1].matched);
	ck_assert(last_trace.rules[2].matched);
	ck_assert_int_eq(last_trace.rules[2].rule->index, 3);

	n = tcp_to(lan_mac, "192.168.1.2", 80, "192.168.1.1", 5555,
	    TH_SYN | TH_ACK, 900, 2);
	send_in(LAN, n);
	ck_assert_str_eq(last_trace.conntrack, "established");
	ck_assert_ptr_nonnull(strstr(last_trace.note, "reply of a hairpin"));
	ck_assert_ptr_nonnull(strstr(last_trace.translation, "undo dst-nat src "
	    "192.168.1.2:80 -> 1.1.1.1:80"));
}
END_TEST

START_TEST(test_trace_broken_hairpin_note)
{
	static const char yaml[] =
	    "interfaces:\n"
	    "  - { name: wan, tap: t-wan, addresses: [1.1.1.1/24] }\n"
	    "  - { name: lan, tap: t-lan, addresses: [192.168.1.1/24] }\n"
	    "nat:\n"
	    "  - chain=dstnat dst-address=1.1.1.1 protocol=tcp dst-port=80 action=dst-nat to-addresses=192.168.1.2\n";
	size_t n;

	router_setup_yaml(yaml);
	R.tracing = true;
	R.trace_emit = trace_capture;
	learn(LAN, "192.168.1.2", srv_mac);
	n = tcp_to(R.conf->ifaces[LAN].mac, "192.168.1.10", 5555, "1.1.1.1",
	    80, TH_SYN, 1, 0);
	send_in(LAN, n);
	ck_assert_ptr_nonnull(strstr(last_trace.note, "hairpin WITHOUT "
	    "src-nat"));
	ck_assert_ptr_nonnull(strstr(last_trace.note, "will answer "
	    "192.168.1.10 directly from 192.168.1.2"));
}
END_TEST

static Suite *
router_suite(void)
{
	Suite *s = suite_create("router");
	TCase *tc = tcase_create("path");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_echo_to_router);
	tcase_add_test(tc, test_dstnat_and_back);
	tcase_add_test(tc, test_hairpin);
	tcase_add_test(tc, test_no_hairpin_rule);
	tcase_add_test(tc, test_masquerade_and_icmp_error);
	tcase_add_test(tc, test_icmp_error_wrong_host);
	tcase_add_test(tc, test_rp_filter);
	tcase_add_test(tc, test_source_route_dropped);
	tcase_add_test(tc, test_ping_two_hosts);
	tcase_add_test(tc, test_port_range_mapping);
	tcase_add_test(tc, test_ttl_exceeded);
	tcase_add_test(tc, test_no_route);
	tcase_add_test(tc, test_router_as_host);
	tcase_add_test(tc, test_invalid_bare_ack);
	tcase_add_test(tc, test_frag_needed);
	tcase_add_test(tc, test_invalid_to_router_no_rst);
	tcase_add_test(tc, test_fragmented_udp_dstnat);
	tcase_add_test(tc, test_partial_csum_masquerade);
	tcase_add_test(tc, test_udp_zero_checksum_stays_zero);
	tcase_add_test(tc, test_icmp_untranslatable_not_leaked);
	tcase_add_test(tc, test_gso_passes_whole);
	tcase_add_test(tc, test_gso_df_frag_needed);
	tcase_add_test(tc, test_gso_segmented);
	tcase_add_test(tc, test_uso_fragmented);
	tcase_add_test(tc, test_trace_hairpin_notes);
	tcase_add_test(tc, test_trace_broken_hairpin_note);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(router_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
