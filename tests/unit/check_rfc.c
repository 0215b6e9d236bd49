/* SPDX-License-Identifier: ISC */
/*
 * NAT behaviour against RFC 4787 (UDP), RFC 5382 (TCP) and RFC 5508
 * (ICMP), at packet level through the whole router path: mappings,
 * filtering, automatic hairpinning, the unsolicited SYN hold, simultaneous
 * open, timers and ICMP errors. docs/RFC-COMPLIANCE.md cites these tests.
 */
#include "config.h"

#include <time.h>

#include "router_harness.h"

static const uint8_t c2_mac[6] = { 2, 0xee, 0, 0, 1, 11 };

/* Masquerade only, and the same with full cone (RouterOS v7 EIM). */
static const char masq_yaml[] =
    "interfaces:\n"
    "  - { name: wan, tap: t-wan, addresses: [1.1.1.1/24], mac: 02:00:00:00:01:01 }\n"
    "  - { name: lan, tap: t-lan, addresses: [192.168.1.1/24], mac: 02:00:00:00:02:01 }\n"
    "routes:\n"
    "  - { dst: 0.0.0.0/0, gateway: 1.1.1.254 }\n"
    "nat:\n"
    "  - chain=srcnat out-interface=wan action=masquerade\n";

static const char eim_yaml[] =
    "interfaces:\n"
    "  - { name: wan, tap: t-wan, addresses: [1.1.1.1/24], mac: 02:00:00:00:01:01 }\n"
    "  - { name: lan, tap: t-lan, addresses: [192.168.1.1/24], mac: 02:00:00:00:02:01 }\n"
    "routes:\n"
    "  - { dst: 0.0.0.0/0, gateway: 1.1.1.254 }\n"
    "nat:\n"
    "  - chain=dstnat in-interface=wan protocol=udp action=endpoint-independent-nat\n"
    "  - chain=srcnat out-interface=wan protocol=udp action=endpoint-independent-nat\n"
    "  - chain=srcnat out-interface=wan action=masquerade\n";

static const char pool_yaml[] =
    "interfaces:\n"
    "  - { name: wan, tap: t-wan, addresses: [1.1.1.1/24], mac: 02:00:00:00:01:01 }\n"
    "  - { name: lan, tap: t-lan, addresses: [192.168.1.1/24], mac: 02:00:00:00:02:01 }\n"
    "routes:\n"
    "  - { dst: 0.0.0.0/0, gateway: 1.1.1.254 }\n"
    "nat:\n"
    "  - chain=srcnat out-interface=wan action=src-nat to-addresses=1.1.1.10-1.1.1.20\n";

static void
setup_masq(void)
{
	router_setup_yaml(masq_yaml);
	learn(WAN, "1.1.1.254", isp_mac);
	learn(LAN, "192.168.1.10", cli_mac);
	learn(LAN, "192.168.1.2", srv_mac);
	learn(LAN, "192.168.1.11", c2_mac);
}

static void
setup_eim(void)
{
	router_setup_yaml(eim_yaml);
	learn(WAN, "1.1.1.254", isp_mac);
	learn(LAN, "192.168.1.10", cli_mac);
}

static void
setup_pool(void)
{
	router_setup_yaml(pool_yaml);
	learn(WAN, "1.1.1.254", isp_mac);
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
echo_to(const uint8_t *mac, const char *src, const char *dst, uint8_t type,
    uint16_t id, uint16_t seq)
{
	uint8_t l4[16] = { type, 0, 0, 0 };
	uint16_t v;

	v = htons(id);
	memcpy(l4 + 4, &v, 2);
	v = htons(seq);
	memcpy(l4 + 6, &v, 2);
	memcpy(l4 + 8, "rfc5508!", 8);
	return pkt_build(in, mac, A(src), A(dst), IPPROTO_ICMP, 64, l4, 16);
}

static uint16_t
out_icmp_id(void)
{
	uint16_t v;

	memcpy(&v, out + 24 + 20 + 4, 2);
	return ntohs(v);
}

/* Send a UDP datagram out through the NAT; return its external port. */
static uint16_t
udp_out(const char *src, uint16_t sp, const char *dst, uint16_t dp)
{
	size_t n = udp_to(lan_mac, src, sp, dst, dp, "binding");

	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	ck_assert(pkt_csums_ok(out + 24));
	ck_assert_uint_eq(out_ip()->daddr, A(dst));
	ck_assert_uint_eq(out_port(1), dp);
	return out_port(0);
}

/*
 * An ICMP port unreachable from @from about the datagram the router last
 * sent (in out[]), as the far end would quote it.
 */
static size_t
icmp_error_about_out(const uint8_t *mac, const char *from, const char *to,
    size_t qlen)
{
	uint8_t icmp[128];

	memset(icmp, 0, 8);
	icmp[0] = ICMP_UNREACH;
	icmp[1] = ICMP_UNREACH_PORT;
	memcpy(icmp + 8, out + 24, qlen);
	return pkt_build(in, mac, A(from), A(to), IPPROTO_ICMP, 64, icmp,
	    8 + qlen);
}

static struct ct_entry *
ct_find(const char *src, uint16_t sp, const char *dst, uint16_t dp,
    uint8_t proto)
{
	struct ct_tuple t;
	enum ct_dir dir;

	memset(&t, 0, sizeof(t));
	t.src = A(src);
	t.dst = A(dst);
	t.sport = htons(sp);
	t.dport = htons(dp);
	t.proto = proto;
	return ct_lookup(R.ct, &t, &dir);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* --- RFC 4787 mapping ------------------------------------------------------ */

/* REQ-1: one internal endpoint, one mapping, whatever the destination. */
START_TEST(test_eim_two_destinations)
{
	ck_assert_uint_eq(udp_out("192.168.1.10", 40000, "2.2.2.2", 3478),
	    40000);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	ck_assert_uint_eq(udp_out("192.168.1.10", 40000, "3.3.3.3", 3479),
	    40000);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	ck_assert_uint_eq(udp_out("192.168.1.10", 40000, "2.2.2.2", 3479),
	    40000);
	ck_assert_uint_eq(ct_count(R.ct), 3);
	ck_assert_uint_eq(natport_count(R.np), 1);
}
END_TEST

/*
 * REQ-1 even when the port could not be preserved: the second destination
 * gets the same non-preserved port, not a fresh one.
 */
START_TEST(test_eim_not_preserved)
{
	uint16_t p1, p2;

	ck_assert_uint_eq(udp_out("192.168.1.2", 40000, "2.2.2.2", 3478),
	    40000);
	p1 = udp_out("192.168.1.10", 40000, "2.2.2.2", 3478);
	ck_assert_uint_ne(p1, 40000);
	p2 = udp_out("192.168.1.10", 40000, "3.3.3.3", 9999);
	ck_assert_uint_eq(p1, p2);

	/* RFC 5382 REQ-1: the same for TCP */
	send_in(LAN, tcp_to(lan_mac, "192.168.1.2", 43000, "2.2.2.2", 80,
	    TH_SYN, 1, 0));
	ck_assert(rd(WAN) > 0);
	ck_assert_uint_eq(out_port(0), 43000);
	send_in(LAN, tcp_to(lan_mac, "192.168.1.10", 43000, "2.2.2.2", 80,
	    TH_SYN, 1, 0));
	ck_assert(rd(WAN) > 0);
	p1 = out_port(0);
	ck_assert_uint_ne(p1, 43000);
	send_in(LAN, tcp_to(lan_mac, "192.168.1.10", 43000, "3.3.3.3", 443,
	    TH_SYN, 1, 0));
	ck_assert(rd(WAN) > 0);
	ck_assert_uint_eq(out_port(0), p1);
	ck_assert(pkt_csums_ok(out + 24));
}
END_TEST

/* REQ-3: port preservation, and no port overloading between hosts. */
START_TEST(test_preservation_no_overloading)
{
	uint16_t a, b, c;

	a = udp_out("192.168.1.10", 41000, "2.2.2.2", 53);
	b = udp_out("192.168.1.2", 41000, "2.2.2.2", 53);
	c = udp_out("192.168.1.11", 41000, "2.2.2.2", 53);
	ck_assert_uint_eq(a, 41000);
	ck_assert_uint_ne(b, a);
	ck_assert_uint_ne(c, a);
	ck_assert_uint_ne(c, b);
	ck_assert_uint_ge(b, 1024);
	ck_assert_uint_ge(c, 1024);
	ck_assert_uint_eq(natport_count(R.np), 3);
	/* the same for TCP: a second host's SYN from the same port */
	send_in(LAN, tcp_to(lan_mac, "192.168.1.10", 41500, "2.2.2.2", 80,
	    TH_SYN, 1, 0));
	ck_assert(rd(WAN) > 0);
	ck_assert_uint_eq(out_port(0), 41500);
	send_in(LAN, tcp_to(lan_mac, "192.168.1.2", 41500, "2.2.2.2", 80,
	    TH_SYN, 1, 0));
	ck_assert(rd(WAN) > 0);
	ck_assert_uint_ne(out_port(0), 41500);
	ck_assert(pkt_csums_ok(out + 24));
}
END_TEST

/* REQ-3a: the port class 1-1023 / 1024-65535 is kept. */
START_TEST(test_port_class)
{
	uint16_t p;

	ck_assert_uint_eq(udp_out("192.168.1.10", 700, "2.2.2.2", 53), 700);
	p = udp_out("192.168.1.2", 700, "2.2.2.2", 53);
	ck_assert_uint_ne(p, 700);
	ck_assert_uint_ge(p, 1);
	ck_assert_uint_le(p, 1023);
	ck_assert_uint_eq(udp_out("192.168.1.10", 1024, "2.2.2.2", 53),
	    1024);
	p = udp_out("192.168.1.2", 1024, "2.2.2.2", 53);
	ck_assert_uint_ne(p, 1024);
	ck_assert_uint_ge(p, 1024);
}
END_TEST

/* REQ-2: with an address pool, one internal host, one external address. */
START_TEST(test_pool_pairing)
{
	static const char *hosts[] = { "192.168.1.10", "192.168.1.2",
	    "192.168.1.11", "192.168.1.12", "192.168.1.13" };
	static const char *dsts[] = { "2.2.2.2", "3.3.3.3", "4.4.4.4",
	    "5.5.5.5" };
	uint32_t first;
	unsigned int h, d, dp;
	bool differ = false;
	uint32_t seen[5];

	for (h = 0; h < 5; h++) {
		first = 0;
		for (d = 0; d < 4; d++) {
			for (dp = 0; dp < 3; dp++) {
				udp_out(hosts[h], (uint16_t)(30000 + dp * 7 +
				    d), dsts[d], (uint16_t)(53 + dp));
				if (first == 0)
					first = out_ip()->saddr;
				ck_assert_uint_eq(out_ip()->saddr, first);
			}
		}
		ck_assert_uint_ge(ntohl(first), ntohl(A("1.1.1.10")));
		ck_assert_uint_le(ntohl(first), ntohl(A("1.1.1.20")));
		seen[h] = first;
		if (h > 0 && seen[h] != seen[0])
			differ = true;
	}
	/* the pool is used, not one address for everybody */
	ck_assert(differ);
}
END_TEST

/* --- RFC 4787 filtering ------------------------------------------------------ */

/*
 * REQ-8: address-and-port-dependent filtering by default; what is
 * filtered is dropped silently and counted as nat-filtered.
 */
START_TEST(test_nat_filtered)
{
	size_t n;

	ck_assert_uint_eq(udp_out("192.168.1.10", 40000, "2.2.2.2", 3478),
	    40000);
	/* another host */
	send_in(WAN, udp_to(wan_mac, "3.3.3.3", 3478, "1.1.1.1", 40000, "x"));
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert_uint_eq(rd(WAN), 0);	/* silent: no ICMP */
	ck_assert_uint_eq(R.ifaces[WAN].st.drops[DROP_NAT_FILTERED], 1);
	/* the same host, another port */
	send_in(WAN, udp_to(wan_mac, "2.2.2.2", 3479, "1.1.1.1", 40000, "x"));
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert_uint_eq(rd(WAN), 0);
	ck_assert_uint_eq(R.ifaces[WAN].st.drops[DROP_NAT_FILTERED], 2);
	/* the endpoint it sent to */
	n = udp_to(wan_mac, "2.2.2.2", 3478, "1.1.1.1", 40000, "mapped");
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("2.2.2.2"));
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	ck_assert_uint_eq(out_port(1), 40000);
	ck_assert(pkt_csums_ok(out + 24));
	ck_assert_uint_eq(R.ifaces[WAN].st.drops[DROP_NAT_FILTERED], 2);
	/* a port that is no mapping: the router answers as a host */
	send_in(WAN, udp_to(wan_mac, "3.3.3.3", 3478, "1.1.1.1", 40001, "x"));
	ck_assert(rd(WAN) > 0);
	ck_assert_uint_eq(out[24 + 20], ICMP_UNREACH);
	ck_assert_uint_eq(out[24 + 21], ICMP_UNREACH_PORT);
	ck_assert_uint_eq(R.ifaces[WAN].st.drops[DROP_NAT_FILTERED], 2);
}
END_TEST

/* REQ-8 full cone: endpoint-independent-nat in dstnat lets anybody in. */
START_TEST(test_eim_dstnat_third_party)
{
	size_t n;

	ck_assert_uint_eq(udp_out("192.168.1.10", 40000, "2.2.2.2", 3478),
	    40000);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	n = udp_to(wan_mac, "3.3.3.3", 9999, "1.1.1.1", 40000, "anyone");
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("3.3.3.3"));
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	ck_assert_uint_eq(out_port(0), 9999);
	ck_assert_uint_eq(out_port(1), 40000);
	ck_assert(pkt_csums_ok(out + 24));
	ck_assert_uint_eq(R.ifaces[WAN].st.drops[DROP_NAT_FILTERED], 0);
	/* the answer leaves from the same mapping */
	ck_assert_uint_eq(udp_out("192.168.1.10", 40000, "3.3.3.3", 9999),
	    40000);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	/* a port that is no mapping is not let in */
	send_in(WAN, udp_to(wan_mac, "3.3.3.3", 9999, "1.1.1.1", 40002, "x"));
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert(rd(WAN) > 0);			/* the router's own port */
	ck_assert_uint_eq(out[24 + 20], ICMP_UNREACH);
	ck_assert_uint_eq(out[24 + 21], ICMP_UNREACH_PORT);
	/* TCP is not full cone: only protocol=udp was configured */
	send_in(LAN, tcp_to(lan_mac, "192.168.1.10", 43000, "2.2.2.2", 80,
	    TH_SYN, 1, 0));
	ck_assert(rd(WAN) > 0);
	ck_assert_uint_eq(out_port(0), 43000);
	send_in(WAN, tcp_to(wan_mac, "3.3.3.3", 5555, "1.1.1.1", 43000,
	    TH_SYN, 1, 0));
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert_uint_eq(R.ifaces[WAN].st.drops[DROP_NAT_FILTERED], 1);
}
END_TEST

/* --- automatic hairpinning ------------------------------------------------------ */

/* RFC 4787 REQ-9/9a: UDP to a mapping, from the sender's own mapping. */
START_TEST(test_hairpin_udp)
{
	size_t n;
	uint16_t mc;

	/* the server has 41000 outside; the client cannot preserve it */
	ck_assert_uint_eq(udp_out("192.168.1.2", 41000, "2.2.2.2", 3478),
	    41000);
	mc = udp_out("192.168.1.10", 41000, "2.2.2.2", 3478);
	ck_assert_uint_ne(mc, 41000);

	n = udp_to(lan_mac, "192.168.1.10", 41000, "1.1.1.1", 41000, "hp");
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.2"));
	ck_assert_uint_eq(out_port(1), 41000);
	/* REQ-9a: the client's external mapping, not 192.168.1.10 */
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	ck_assert_uint_eq(out_port(0), mc);
	ck_assert_mem_eq(out + 10, srv_mac, 6);
	ck_assert(pkt_csums_ok(out + 24));
	ck_assert_uint_eq(natport_count(R.np), 2);	/* no new mapping */

	/* the answer goes back as coming from the server's mapping */
	n = udp_to(lan_mac, "192.168.1.2", 41000, "1.1.1.1", mc, "back");
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	ck_assert_uint_eq(out_port(0), 41000);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	ck_assert_uint_eq(out_port(1), 41000);
	ck_assert_mem_eq(out + 10, cli_mac, 6);
	ck_assert(pkt_csums_ok(out + 24));
	ck_assert_uint_eq(R.ifaces[LAN].st.drops[DROP_NAT_FILTERED], 0);
}
END_TEST

/*
 * RFC 5508 REQ-7/7a: an ICMP error about a hairpinned flow goes back to
 * the sender, with the outer destination equal to the source of the
 * quoted packet after translation.
 */
START_TEST(test_hairpin_icmp_error)
{
	struct ip4_hdr *iip;
	uint16_t v;
	size_t n;

	ck_assert_uint_eq(udp_out("192.168.1.2", 41001, "2.2.2.2", 3478),
	    41001);
	n = udp_to(lan_mac, "192.168.1.10", 41000, "1.1.1.1", 41001, "hp");
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.2"));
	/* the server's port is closed: it quotes what it received */
	n = icmp_error_about_out(lan_mac, "192.168.1.2", "1.1.1.1",
	    20 + 8 + 2);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out[24 + 20], ICMP_UNREACH);
	ck_assert_uint_eq(out[24 + 21], ICMP_UNREACH_PORT);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	ck_assert_mem_eq(out + 10, cli_mac, 6);
	ck_assert(pkt_csums_ok(out + 24));
	iip = (struct ip4_hdr *)(out + 24 + 20 + 8);
	/* REQ-7a: outer destination == quoted source after translation */
	ck_assert_uint_eq(iip->saddr, out_ip()->daddr);
	ck_assert_uint_eq(iip->daddr, A("1.1.1.1"));
	memcpy(&v, (uint8_t *)iip + 20, 2);
	ck_assert_uint_eq(ntohs(v), 41000);
	memcpy(&v, (uint8_t *)iip + 22, 2);
	ck_assert_uint_eq(ntohs(v), 41001);
	ck_assert_uint_eq(csum_ip(iip, 20), 0);
	ck_assert_ptr_nonnull(ct_find("192.168.1.10", 41000, "1.1.1.1", 41001,
	    IPPROTO_UDP));
}
END_TEST

/* RFC 5382 REQ-8: TCP to a mapping, the whole handshake and data. */
START_TEST(test_hairpin_tcp)
{
	uint8_t l4[64] = { 0 };
	size_t n;

	/* the server has a TCP mapping 1.1.1.1:43100 */
	send_in(LAN, tcp_to(lan_mac, "192.168.1.2", 43100, "2.2.2.2", 443,
	    TH_SYN, 7, 0));
	ck_assert(rd(WAN) > 0);
	ck_assert_uint_eq(out_port(0), 43100);

	n = tcp_to(lan_mac, "192.168.1.10", 43000, "1.1.1.1", 43100, TH_SYN,
	    1000, 0);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	ck_assert_uint_eq(out_port(0), 43000);	/* the client's mapping */
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.2"));
	ck_assert_uint_eq(out_port(1), 43100);
	ck_assert(pkt_csums_ok(out + 24));

	n = tcp_to(lan_mac, "192.168.1.2", 43100, "1.1.1.1", 43000,
	    TH_SYN | TH_ACK, 9000, 1001);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	ck_assert_uint_eq(out_port(0), 43100);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	ck_assert_uint_eq(out_port(1), 43000);
	ck_assert(pkt_csums_ok(out + 24));

	n = tcp_to(lan_mac, "192.168.1.10", 43000, "1.1.1.1", 43100, TH_ACK,
	    1001, 9001);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	n = pkt_build(in, lan_mac, A("192.168.1.10"), A("1.1.1.1"),
	    IPPROTO_TCP, 64, l4, tcp_build(l4, 43000, 43100, 1001, 9001,
	    TH_ACK | TH_PSH) + 4);
	/* the 4 data bytes after the header are zero: checksum still holds */
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert(pkt_csums_ok(out + 24));
	ck_assert_uint_eq(ct_find("192.168.1.10", 43000, "1.1.1.1", 43100,
	    IPPROTO_TCP)->tcp_state, CT_TCP_ESTABLISHED);

	/* no mapping at that port: the router itself answers, RST */
	n = tcp_to(lan_mac, "192.168.1.10", 43001, "1.1.1.1", 43999, TH_SYN,
	    1, 0);
	send_in(LAN, n);
	ck_assert(rd(LAN) > 0);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	ck_assert(out[24 + 20 + 13] & TH_RST);
}
END_TEST

/* RFC 5508 REQ-7: echo to an ICMP query mapping. */
START_TEST(test_hairpin_icmp)
{
	size_t n;
	uint16_t sid;

	n = echo_to(lan_mac, "192.168.1.10", "2.2.2.2", ICMP_ECHO, 0x1234, 1);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	ck_assert_uint_eq(out_icmp_id(), 0x1234);

	n = echo_to(lan_mac, "192.168.1.2", "1.1.1.1", ICMP_ECHO, 0x1234, 1);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out[24 + 20], ICMP_ECHO);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	sid = out_icmp_id();
	ck_assert_uint_ne(sid, 0x1234);	/* the server's own mapping */
	ck_assert(pkt_csums_ok(out + 24));

	n = echo_to(lan_mac, "192.168.1.10", "1.1.1.1", ICMP_ECHOREPLY, sid,
	    1);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out[24 + 20], ICMP_ECHOREPLY);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.2"));
	ck_assert_uint_eq(out_icmp_id(), 0x1234);
	ck_assert(pkt_csums_ok(out + 24));

	/* an id that is no mapping: the router answers itself */
	n = echo_to(lan_mac, "192.168.1.2", "1.1.1.1", ICMP_ECHO, 0x7777, 1);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out[24 + 20], ICMP_ECHOREPLY);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.2"));
	ck_assert_uint_eq(out_icmp_id(), 0x7777);
}
END_TEST

/*
 * REQ-9 to a mapping of the sender's own host (RFC 5780 4.5 as coturn's
 * natdiscovery -H does it): a second socket of 192.168.1.10 sends to the
 * first socket's mapping and arrives there from its own mapping.
 */
START_TEST(test_hairpin_same_host_udp)
{
	size_t n;
	uint16_t m2;

	ck_assert_uint_eq(udp_out("192.168.1.10", 41000, "2.2.2.2", 3478),
	    41000);
	m2 = udp_out("192.168.1.10", 41005, "2.2.2.2", 3478);
	n = udp_to(lan_mac, "192.168.1.10", 41005, "1.1.1.1", 41000, "self");
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	ck_assert_uint_eq(out_port(1), 41000);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	ck_assert_uint_eq(out_port(0), m2);
	ck_assert(pkt_csums_ok(out + 24));
	ck_assert_uint_eq(natport_count(R.np), 2);
	/* and the answer of the first socket goes back to the second */
	n = udp_to(lan_mac, "192.168.1.10", 41000, "1.1.1.1", m2, "back");
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	ck_assert_uint_eq(out_port(0), 41000);
	ck_assert_uint_eq(out_port(1), 41005);
	ck_assert(pkt_csums_ok(out + 24));
}
END_TEST

/*
 * One socket to its own mapping (the classic stun client's hairpin test):
 * orig and reply would coincide, so the datagram is reflected untracked,
 * from the mapping to the socket.
 */
START_TEST(test_hairpin_same_socket_udp)
{
	uint32_t before;
	size_t n;

	ck_assert_uint_eq(udp_out("192.168.1.10", 41000, "2.2.2.2", 3478),
	    41000);
	before = ct_count(R.ct);
	n = udp_to(lan_mac, "192.168.1.10", 41000, "1.1.1.1", 41000, "mine");
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	ck_assert_uint_eq(out_port(1), 41000);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	ck_assert_uint_eq(out_port(0), 41000);
	ck_assert(pkt_csums_ok(out + 24));
	ck_assert_uint_eq(ct_count(R.ct), before);
	ck_assert_uint_eq(natport_count(R.np), 1);
}
END_TEST

/*
 * TCP from one socket to its own mapping: each segment is reflected
 * untracked, the SYN and the SYN/ACK of the simultaneous open with itself
 * alike (the SYN/ACK has no entry and would otherwise be invalid).
 */
START_TEST(test_hairpin_same_socket_tcp)
{
	uint32_t before;
	size_t n;

	send_in(LAN, tcp_to(lan_mac, "192.168.1.10", 43100, "2.2.2.2", 443,
	    TH_SYN, 7, 0));
	ck_assert(rd(WAN) > 0);
	ck_assert_uint_eq(out_port(0), 43100);
	before = ct_count(R.ct);
	n = tcp_to(lan_mac, "192.168.1.10", 43100, "1.1.1.1", 43100, TH_SYN,
	    1000, 0);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	ck_assert_uint_eq(out_port(0), 43100);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	ck_assert_uint_eq(out_port(1), 43100);
	ck_assert(pkt_csums_ok(out + 24));
	n = tcp_to(lan_mac, "192.168.1.10", 43100, "1.1.1.1", 43100,
	    TH_SYN | TH_ACK, 1000, 1001);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	ck_assert(pkt_csums_ok(out + 24));
	ck_assert_uint_eq(ct_count(R.ct), before);
	ck_assert_uint_eq(R.ifaces[LAN].st.drops[DROP_CT_INVALID], 0);
}
END_TEST

/* The same for TCP: a second socket of the same host connects. */
START_TEST(test_hairpin_same_host_tcp)
{
	size_t n;

	send_in(LAN, tcp_to(lan_mac, "192.168.1.10", 43100, "2.2.2.2", 443,
	    TH_SYN, 7, 0));
	ck_assert(rd(WAN) > 0);
	ck_assert_uint_eq(out_port(0), 43100);
	n = tcp_to(lan_mac, "192.168.1.10", 43000, "1.1.1.1", 43100, TH_SYN,
	    1000, 0);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	ck_assert_uint_eq(out_port(0), 43000);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	ck_assert_uint_eq(out_port(1), 43100);
	ck_assert(pkt_csums_ok(out + 24));
	n = tcp_to(lan_mac, "192.168.1.10", 43100, "1.1.1.1", 43000,
	    TH_SYN | TH_ACK, 9000, 1001);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_port(0), 43100);
	ck_assert_uint_eq(out_port(1), 43000);
	n = tcp_to(lan_mac, "192.168.1.10", 43000, "1.1.1.1", 43100, TH_ACK,
	    1001, 9001);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(ct_find("192.168.1.10", 43000, "1.1.1.1", 43100,
	    IPPROTO_TCP)->tcp_state, CT_TCP_ESTABLISHED);
}
END_TEST

/*
 * ICMP: an echo from 192.168.1.10 to the id of its own other query
 * reaches it from its own mapping, and the answer comes back.
 */
START_TEST(test_hairpin_same_host_icmp)
{
	size_t n;
	uint16_t m, sid;

	/* the server takes id 0x1234 outside; the client's 0x1234 moves */
	n = echo_to(lan_mac, "192.168.1.2", "2.2.2.2", ICMP_ECHO, 0x1234, 1);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	n = echo_to(lan_mac, "192.168.1.10", "2.2.2.2", ICMP_ECHO, 0x1234, 1);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	m = out_icmp_id();
	ck_assert_uint_ne(m, 0x1234);
	/* another query of the client, with the id of that mapping */
	n = echo_to(lan_mac, "192.168.1.10", "1.1.1.1", ICMP_ECHO, m, 1);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out[24 + 20], ICMP_ECHO);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	sid = out_icmp_id();
	ck_assert(pkt_csums_ok(out + 24));
	n = echo_to(lan_mac, "192.168.1.10", "1.1.1.1", ICMP_ECHOREPLY, sid,
	    1);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out[24 + 20], ICMP_ECHOREPLY);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	ck_assert_uint_eq(out_icmp_id(), m);
	ck_assert(pkt_csums_ok(out + 24));
}
END_TEST

/*
 * Issue 15: one socket to 70,000 destinations through the router: every
 * datagram leaves from the one mapping, none is refused nat-exhausted
 * (the 16-bit reference count used to stop it at 65,535).
 */
START_TEST(test_one_mapping_70000_sessions)
{
	uint32_t i, n = 70000, before = ct_count(R.ct);
	uint8_t l4[64];
	size_t len;

	for (i = 0; i < n; i++) {
		len = pkt_build(in, lan_mac, A("192.168.1.10"),
		    htonl(0x0a000000u + i), IPPROTO_UDP, 64, l4,
		    udp_build(l4, 41000, 53, "q"));
		send_in(LAN, len);
		ck_assert_uint_eq(rd(WAN), len);
		ck_assert_uint_eq(out_port(0), 41000);
	}
	ck_assert_uint_eq(ct_count(R.ct), before + n);
	ck_assert_uint_eq(natport_count(R.np), 1);
	ck_assert_uint_eq(R.ifaces[LAN].st.drops[DROP_NAT_EXHAUSTED], 0);
}
END_TEST

/* An SCTP packet with an INIT chunk and a correct CRC32c. */
static size_t
sctp_to(const uint8_t *mac, const char *src, uint16_t sp, const char *dst,
    uint16_t dp, uint32_t vtag)
{
	uint8_t l4[32] = { 0 };
	uint16_t v;
	uint32_t w;

	v = htons(sp);
	memcpy(l4, &v, 2);
	v = htons(dp);
	memcpy(l4 + 2, &v, 2);
	w = htonl(vtag);
	memcpy(l4 + 4, &w, 4);
	l4[12] = 1;			/* INIT */
	v = htons(20);
	memcpy(l4 + 14, &v, 2);
	w = htonl(0x1234);		/* initiate tag */
	memcpy(l4 + 16, &w, 4);
	w = csum_crc32c(l4, 32);
	memcpy(l4 + 8, &w, 4);
	return pkt_build(in, mac, A(src), A(dst), IPPROTO_SCTP, 64, l4, 32);
}

static bool
out_sctp_crc_ok(void)
{
	uint8_t l4[32];
	uint32_t got, want;

	memcpy(l4, out + 24 + 20, 32);
	memcpy(&got, l4 + 8, 4);
	memset(l4 + 8, 0, 4);
	want = csum_crc32c(l4, 32);
	return got == want;
}

/*
 * Issue 15: SCTP is translated with its ports, as Linux does: two inside
 * hosts from the same port to the same outside host and port both get
 * through, each on its own external port, with the CRC32c redone; the
 * answers go back to each.
 */
START_TEST(test_sctp_two_hosts)
{
	size_t n;
	uint16_t p1, p2;

	n = sctp_to(lan_mac, "192.168.1.10", 5000, "2.2.2.2", 7000, 0);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	p1 = out_port(0);
	ck_assert_uint_eq(p1, 5000);
	ck_assert(out_sctp_crc_ok());
	n = sctp_to(lan_mac, "192.168.1.2", 5000, "2.2.2.2", 7000, 0);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	p2 = out_port(0);
	ck_assert_uint_ne(p2, 5000);
	ck_assert(out_sctp_crc_ok());
	ck_assert_uint_eq(R.ifaces[LAN].st.drops[DROP_CT_CLASH], 0);

	n = sctp_to(wan_mac, "2.2.2.2", 7000, "1.1.1.1", p2, 0x1234);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.2"));
	ck_assert_uint_eq(out_port(1), 5000);
	ck_assert(out_sctp_crc_ok());
	n = sctp_to(wan_mac, "2.2.2.2", 7000, "1.1.1.1", p1, 0x1234);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	ck_assert_uint_eq(out_port(1), 5000);
	ck_assert(out_sctp_crc_ok());
}
END_TEST

/* ESP with @spi, or (@gre) PPTP's enhanced GRE with call id @spi. */
static size_t
keyed_to(const uint8_t *mac, const char *src, const char *dst, bool gre,
    uint32_t spi)
{
	uint8_t l4[16] = { 0 };
	uint32_t w = htonl(spi);
	uint16_t v;

	if (gre) {
		l4[0] = 0x20;		/* K */
		l4[1] = 1;		/* version 1 */
		v = htons(0x880b);
		memcpy(l4 + 2, &v, 2);
		v = htons(8);		/* payload length */
		memcpy(l4 + 4, &v, 2);
		v = htons((uint16_t)spi);
		memcpy(l4 + 6, &v, 2);
	} else {
		memcpy(l4, &w, 4);
		l4[7] = 1;		/* sequence number */
	}
	return pkt_build(in, mac, A(src), A(dst), gre ? IPPROTO_GRE :
	    IPPROTO_ESP, 64, l4, 16);
}

/*
 * Issue 15: two inside hosts to one outside host over ESP (by SPI) and
 * PPTP GRE (by call id). Each direction carries the key its receiver
 * chose, so an entry's reply key is bound by the first answer.
 */
static void
keyed_two_hosts(bool gre)
{
	size_t n;

	n = keyed_to(lan_mac, "192.168.1.10", "2.2.2.2", gre, 0x1001);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	n = keyed_to(wan_mac, "2.2.2.2", "1.1.1.1", gre, 0xa1);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));

	n = keyed_to(lan_mac, "192.168.1.2", "2.2.2.2", gre, 0x1002);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	n = keyed_to(wan_mac, "2.2.2.2", "1.1.1.1", gre, 0xa2);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.2"));

	/* both keep flowing, each to its own host */
	n = keyed_to(wan_mac, "2.2.2.2", "1.1.1.1", gre, 0xa1);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	ck_assert(pkt_csums_ok(out + 24));
	n = keyed_to(lan_mac, "192.168.1.10", "2.2.2.2", gre, 0x1001);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	n = keyed_to(wan_mac, "2.2.2.2", "1.1.1.1", gre, 0xa2);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.2"));
	/* an unknown key from outside goes nowhere inside */
	n = keyed_to(wan_mac, "2.2.2.2", "1.1.1.1", gre, 0xa3);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert_uint_eq(R.ifaces[LAN].st.drops[DROP_CT_CLASH], 0);
	ck_assert_uint_eq(ct_count(R.ct), 2);
}

START_TEST(test_esp_two_hosts)
{
	keyed_two_hosts(false);
}
END_TEST

START_TEST(test_gre_pptp_two_hosts)
{
	keyed_two_hosts(true);
}
END_TEST

/* --- RFC 5382 TCP ----------------------------------------------------------------- */

/*
 * REQ-4: an unsolicited SYN gets nothing for 6 s, then port unreachable;
 * one that an outbound SYN opens meanwhile gets nothing at all (REQ-2).
 * router_tick() runs on the real clock, so this test sleeps 6.3 s.
 */
START_TEST(test_syn_hold)
{
	struct ip4_hdr *iip;
	size_t n;
	uint16_t v;

	n = tcp_to(wan_mac, "2.2.2.2", 40000, "1.1.1.1", 45000, TH_SYN, 77, 0);
	send_in(WAN, n);
	n = tcp_to(wan_mac, "2.2.2.2", 40001, "1.1.1.1", 45001, TH_SYN, 88, 0);
	send_in(WAN, n);
	router_tick(&R);
	ck_assert_uint_eq(rd(WAN), 0);
	ck_assert_uint_eq(rd(LAN), 0);

	/* the LAN host opens 45001 towards the second sender */
	n = tcp_to(lan_mac, "192.168.1.10", 45001, "2.2.2.2", 40001, TH_SYN,
	    500, 0);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	ck_assert_uint_eq(out_port(0), 45001);

	sleep_ms(5700);
	router_tick(&R);
	ck_assert_uint_eq(rd(WAN), 0);	/* still silent before 6 s */
	sleep_ms(600);
	router_tick(&R);
	n = rd(WAN);
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_eq(out[24 + 20], ICMP_UNREACH);
	ck_assert_uint_eq(out[24 + 21], ICMP_UNREACH_PORT);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	ck_assert_uint_eq(out_ip()->daddr, A("2.2.2.2"));
	ck_assert(pkt_csums_ok(out + 24));
	iip = (struct ip4_hdr *)(out + 24 + 20 + 8);
	memcpy(&v, (uint8_t *)iip + 20 + 2, 2);
	ck_assert_uint_eq(ntohs(v), 45000);	/* about the first SYN */
	ck_assert_uint_eq(rd(WAN), 0);		/* and none for 45001 */
	ck_assert_uint_eq(rd(LAN), 0);
}
END_TEST

/* REQ-2: simultaneous open through the NAT (SYN_SENT2). */
START_TEST(test_simultaneous_open)
{
	struct ct_entry *e;
	size_t n;

	n = tcp_to(lan_mac, "192.168.1.10", 44000, "2.2.2.2", 44001, TH_SYN,
	    1000, 0);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	ck_assert_uint_eq(out_port(0), 44000);
	/* the peer's SYN crosses ours */
	n = tcp_to(wan_mac, "2.2.2.2", 44001, "1.1.1.1", 44000, TH_SYN,
	    5000, 0);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	ck_assert_uint_eq(out_port(1), 44000);
	ck_assert(pkt_csums_ok(out + 24));
	e = ct_find("192.168.1.10", 44000, "2.2.2.2", 44001, IPPROTO_TCP);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->tcp_state, CT_TCP_SYN_SENT2);
	/* both answer with SYN/ACK */
	n = tcp_to(lan_mac, "192.168.1.10", 44000, "2.2.2.2", 44001,
	    TH_SYN | TH_ACK, 1000, 5001);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	ck_assert_uint_eq(out_port(0), 44000);
	n = tcp_to(wan_mac, "2.2.2.2", 44001, "1.1.1.1", 44000,
	    TH_SYN | TH_ACK, 5000, 1001);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert(pkt_csums_ok(out + 24));
	/* and each acks the other's SYN/ACK */
	n = tcp_to(lan_mac, "192.168.1.10", 44000, "2.2.2.2", 44001, TH_ACK,
	    1001, 5001);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	n = tcp_to(wan_mac, "2.2.2.2", 44001, "1.1.1.1", 44000, TH_ACK,
	    5001, 1001);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(e->tcp_state, CT_TCP_ESTABLISHED);
	ck_assert_uint_eq(R.ifaces[WAN].st.drops[DROP_CT_INVALID], 0);
	ck_assert_uint_eq(R.ifaces[LAN].st.drops[DROP_CT_INVALID], 0);
}
END_TEST

/* --- timers and ICMP errors ---------------------------------------------------------- */

/*
 * RFC 4787 REQ-6: inbound packets do not refresh a UDP mapping, outbound
 * ones do. Sleeps 1.1 s so that a refresh would show.
 */
START_TEST(test_udp_refresh_outbound_only)
{
	struct ct_entry *e;
	uint32_t exp0;
	size_t n;

	udp_out("192.168.1.10", 40000, "2.2.2.2", 3478);
	e = ct_find("192.168.1.10", 40000, "2.2.2.2", 3478, IPPROTO_UDP);
	ck_assert_ptr_nonnull(e);
	exp0 = e->expires;
	ck_assert_uint_eq(ct_timeout_left(e, router_now()), 120);
	sleep_ms(1100);
	n = udp_to(wan_mac, "2.2.2.2", 3478, "1.1.1.1", 40000, "in");
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(e->expires, exp0);
	ck_assert_uint_lt(ct_timeout_left(e, router_now()), 120);
	/* outbound: refreshed, now with the stream timeout (5m) */
	udp_out("192.168.1.10", 40000, "2.2.2.2", 3478);
	ck_assert_uint_gt(e->expires, exp0);
	ck_assert_uint_eq(ct_timeout_left(e, router_now()), 300);
}
END_TEST

/*
 * RFC 5508 (and RFC 4787 REQ-6): an ICMP error about a mapping is
 * forwarded translated but neither refreshes nor removes it.
 */
START_TEST(test_icmp_error_keeps_timer)
{
	struct ct_entry *e;
	struct ip4_hdr *iip;
	uint32_t exp0, left0;
	size_t n;

	udp_out("192.168.1.10", 40000, "2.2.2.2", 3478);
	e = ct_find("192.168.1.10", 40000, "2.2.2.2", 3478, IPPROTO_UDP);
	ck_assert_ptr_nonnull(e);
	exp0 = e->expires;
	sleep_ms(1100);
	left0 = ct_timeout_left(e, router_now());
	ck_assert_uint_lt(left0, 120);
	/* from a router on the path: not filtered by source (REQ-12a) */
	n = icmp_error_about_out(wan_mac, "9.9.9.9", "1.1.1.1", 20 + 8 + 7);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("9.9.9.9"));
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	ck_assert(pkt_csums_ok(out + 24));
	iip = (struct ip4_hdr *)(out + 24 + 20 + 8);
	ck_assert_uint_eq(iip->saddr, A("192.168.1.10"));
	ck_assert(pkt_csums_ok((uint8_t *)iip));

	e = ct_find("192.168.1.10", 40000, "2.2.2.2", 3478, IPPROTO_UDP);
	ck_assert_ptr_nonnull(e);		/* not removed */
	ck_assert_uint_eq(e->expires, exp0);	/* not refreshed */
	ck_assert_uint_eq(ct_timeout_left(e, router_now()), left0);
	ck_assert_uint_eq(ct_count(R.ct), 1);
	ck_assert_uint_eq(natport_count(R.np), 1);
}
END_TEST

/* RFC 5508 REQ-3: an ICMP error whose checksum is wrong is dropped. */
START_TEST(test_bad_icmp_checksum)
{
	uint8_t *icmp;
	size_t n;

	udp_out("192.168.1.10", 40000, "2.2.2.2", 3478);
	n = icmp_error_about_out(wan_mac, "2.2.2.2", "1.1.1.1", 20 + 8 + 7);
	icmp = in + 24 + 20;
	icmp[2] ^= 0x5a;			/* break the ICMP checksum */
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert_uint_eq(rd(WAN), 0);
	ck_assert_uint_eq(R.ifaces[WAN].st.drops[DROP_BAD_ICMP], 1);
	ck_assert_ptr_nonnull(ct_find("192.168.1.10", 40000, "2.2.2.2", 3478,
	    IPPROTO_UDP));
	/* the same error intact goes through */
	n = icmp_error_about_out(wan_mac, "2.2.2.2", "1.1.1.1", 20 + 8 + 7);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
}
END_TEST

/*
 * RFC 5382 REQ-9/REQ-10: an ICMP destination unreachable about a TCP
 * connection is translated, and does not end the connection.
 */
START_TEST(test_icmp_error_tcp)
{
	struct ct_entry *e;
	struct ip4_hdr *iip;
	size_t n;
	uint16_t v;

	send_in(LAN, tcp_to(lan_mac, "192.168.1.2", 43000, "2.2.2.2", 80,
	    TH_SYN, 1, 0));
	ck_assert(rd(WAN) > 0);
	n = tcp_to(lan_mac, "192.168.1.10", 43000, "2.2.2.2", 80, TH_SYN,
	    1000, 0);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	ck_assert_uint_ne(out_port(0), 43000);	/* taken: translated */
	n = icmp_error_about_out(wan_mac, "2.2.2.2", "1.1.1.1", 20 + 8);
	in[24 + 21] = ICMP_UNREACH_HOST;
	n = pkt_build(in, wan_mac, A("2.2.2.2"), A("1.1.1.1"), IPPROTO_ICMP,
	    64, in + 24 + 20, n - 24 - 20);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out[24 + 20], ICMP_UNREACH);
	ck_assert_uint_eq(out[24 + 21], ICMP_UNREACH_HOST);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	ck_assert(pkt_csums_ok(out + 24));
	iip = (struct ip4_hdr *)(out + 24 + 20 + 8);
	ck_assert_uint_eq(iip->saddr, A("192.168.1.10"));
	memcpy(&v, (uint8_t *)iip + 20, 2);
	ck_assert_uint_eq(ntohs(v), 43000);
	ck_assert_uint_eq(csum_ip(iip, 20), 0);
	e = ct_find("192.168.1.10", 43000, "2.2.2.2", 80, IPPROTO_TCP);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->tcp_state, CT_TCP_SYN_SENT);
}
END_TEST

/* RFC 5508 REQ-1a: ICMP query ids are mapped independently of the peer. */
START_TEST(test_icmp_query_eim)
{
	size_t n;
	uint16_t id;

	n = echo_to(lan_mac, "192.168.1.2", "2.2.2.2", ICMP_ECHO, 7, 1);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	ck_assert_uint_eq(out_icmp_id(), 7);
	n = echo_to(lan_mac, "192.168.1.10", "2.2.2.2", ICMP_ECHO, 7, 1);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	id = out_icmp_id();
	ck_assert_uint_ne(id, 7);
	n = echo_to(lan_mac, "192.168.1.10", "3.3.3.3", ICMP_ECHO, 7, 1);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	ck_assert_uint_eq(out_icmp_id(), id);
	ck_assert(pkt_csums_ok(out + 24));
}
END_TEST

/* RFC 5508 requirements on ICMP sessions and errors. */

/* RFC 5508 REQ-2 (MUST): an ICMP query session lives at least 60 s. */
START_TEST(test_icmp_query_timer)
{
	struct ct_tuple t;
	struct ct_entry *e;
	enum ct_dir dir;
	size_t n;

	router_setup_yaml(masq_yaml);	/* default timeouts */
	learn(WAN, "1.1.1.254", isp_mac);
	n = echo_to(lan_mac, "192.168.1.10", "2.2.2.2", ICMP_ECHO, 9, 1);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	memset(&t, 0, sizeof(t));
	t.src = A("192.168.1.10");
	t.dst = A("2.2.2.2");
	t.sport = htons(9);
	t.dport = htons(ICMP_ECHO);
	t.proto = IPPROTO_ICMP;
	e = ct_lookup(R.ct, &t, &dir);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_ge(ct_timeout_left(e, router_now()), 60);
}
END_TEST

/*
 * RFC 5508 REQ-3a (SHOULD): an ICMP error whose quoted IP header has a
 * bad checksum is dropped silently, not repaired and forwarded.
 */
START_TEST(test_embedded_ip_checksum)
{
	size_t n;

	router_setup_yaml(masq_yaml);
	learn(WAN, "1.1.1.254", isp_mac);
	learn(LAN, "192.168.1.10", cli_mac);
	udp_out("192.168.1.10", 40000, "2.2.2.2", 3478);
	n = icmp_error_about_out(wan_mac, "2.2.2.2", "1.1.1.1", 20 + 8);
	in[24 + 20 + 8 + 10] ^= 0x33;	/* the quoted IP checksum */
	n = pkt_build(in, wan_mac, A("2.2.2.2"), A("1.1.1.1"), IPPROTO_ICMP,
	    64, in + 24 + 20, n - 24 - 20);
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), 0);
}
END_TEST

/*
 * RFC 5508 REQ-8 (SHOULD): no NAT session can be made (ports exhausted):
 * destination unreachable, code 13 (communication administratively
 * prohibited), to the sender.
 */
START_TEST(test_exhausted_code13)
{
	static const char yaml[] =
	    "interfaces:\n"
	    "  - { name: wan, tap: t-wan, addresses: [1.1.1.1/24], mac: 02:00:00:00:01:01 }\n"
	    "  - { name: lan, tap: t-lan, addresses: [192.168.1.1/24], mac: 02:00:00:00:02:01 }\n"
	    "routes:\n"
	    "  - { dst: 0.0.0.0/0, gateway: 1.1.1.254 }\n"
	    "nat:\n"
	    "  - chain=srcnat out-interface=wan protocol=udp action=masquerade to-ports=2000-2000\n";

	router_setup_yaml(yaml);
	learn(WAN, "1.1.1.254", isp_mac);
	learn(LAN, "192.168.1.10", cli_mac);
	learn(LAN, "192.168.1.2", srv_mac);
	ck_assert_uint_eq(udp_out("192.168.1.2", 40000, "2.2.2.2", 53), 2000);
	send_in(LAN, udp_to(lan_mac, "192.168.1.10", 40000, "2.2.2.2", 53,
	    "x"));
	ck_assert_uint_eq(rd(WAN), 0);
	ck_assert_uint_eq(R.ifaces[LAN].st.drops[DROP_NAT_EXHAUSTED], 1);
	ck_assert(rd(LAN) > 0);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	ck_assert_uint_eq(out[24 + 20], ICMP_UNREACH);
	ck_assert_uint_eq(out[24 + 21], 13);
}
END_TEST

/* RFC 4787 REQ-13: frag-needed for a DF packet too big. */
START_TEST(test_df_frag_needed)
{
	static const char yaml[] =
	    "interfaces:\n"
	    "  - { name: wan, tap: t-wan, addresses: [1.1.1.1/24], mac: 02:00:00:00:01:01, mtu: 1280 }\n"
	    "  - { name: lan, tap: t-lan, addresses: [192.168.1.1/24], mac: 02:00:00:00:02:01 }\n"
	    "routes:\n"
	    "  - { dst: 0.0.0.0/0, gateway: 1.1.1.254 }\n"
	    "nat:\n"
	    "  - chain=srcnat out-interface=wan action=masquerade\n";
	static uint8_t l4[1500];
	struct ip4_hdr *ip;
	size_t n;
	uint16_t v;

	router_setup_yaml(yaml);
	learn(WAN, "1.1.1.254", isp_mac);
	learn(LAN, "192.168.1.10", cli_mac);
	memset(l4, 'd', sizeof(l4));
	udp_build(l4, 40000, 3478, "");
	v = htons(1400);
	memcpy(l4 + 4, &v, 2);
	n = pkt_build(in, lan_mac, A("192.168.1.10"), A("2.2.2.2"),
	    IPPROTO_UDP, 64, l4, 1400);
	ip = (struct ip4_hdr *)(in + 24);
	ip->frag_off = htons(IP4_DF);
	ip->check = 0;
	ip->check = csum_ip(ip, 20);
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), 0);
	ck_assert(rd(LAN) > 0);
	ck_assert_uint_eq(out[24 + 20], ICMP_UNREACH);
	ck_assert_uint_eq(out[24 + 21], ICMP_UNREACH_NEEDFRAG);
	memcpy(&v, out + 24 + 20 + 6, 2);
	ck_assert_uint_eq(ntohs(v), 1280);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	ck_assert(pkt_csums_ok(out + 24));
	/* the quote is what the host sent, not the translation */
	ck_assert_uint_eq(((struct ip4_hdr *)(out + 24 + 28))->saddr,
	    A("192.168.1.10"));
}
END_TEST

static Suite *
rfc_suite(void)
{
	Suite *s = suite_create("rfc");
	TCase *m = tcase_create("masquerade");
	TCase *e = tcase_create("eim");
	TCase *p = tcase_create("pool");
	TCase *x = tcase_create("standalone");
	TCase *g = tcase_create("icmp");

	tcase_add_checked_fixture(m, setup_masq, NULL);
	tcase_set_timeout(m, 30);	/* the SYN hold sleeps 6.3 s */
	tcase_add_test(m, test_eim_two_destinations);
	tcase_add_test(m, test_eim_not_preserved);
	tcase_add_test(m, test_preservation_no_overloading);
	tcase_add_test(m, test_port_class);
	tcase_add_test(m, test_nat_filtered);
	tcase_add_test(m, test_hairpin_udp);
	tcase_add_test(m, test_hairpin_tcp);
	tcase_add_test(m, test_hairpin_icmp);
	tcase_add_test(m, test_hairpin_icmp_error);
	tcase_add_test(m, test_hairpin_same_host_udp);
	tcase_add_test(m, test_hairpin_same_socket_udp);
	tcase_add_test(m, test_hairpin_same_host_tcp);
	tcase_add_test(m, test_hairpin_same_socket_tcp);
	tcase_add_test(m, test_hairpin_same_host_icmp);
	tcase_add_test(m, test_one_mapping_70000_sessions);
	tcase_add_test(m, test_sctp_two_hosts);
	tcase_add_test(m, test_esp_two_hosts);
	tcase_add_test(m, test_gre_pptp_two_hosts);
	tcase_add_test(m, test_syn_hold);
	tcase_add_test(m, test_simultaneous_open);
	tcase_add_test(m, test_udp_refresh_outbound_only);
	tcase_add_test(m, test_icmp_error_keeps_timer);
	tcase_add_test(m, test_bad_icmp_checksum);
	tcase_add_test(m, test_icmp_error_tcp);
	tcase_add_test(m, test_icmp_query_eim);
	suite_add_tcase(s, m);

	tcase_add_checked_fixture(e, setup_eim, NULL);
	tcase_add_test(e, test_eim_dstnat_third_party);
	suite_add_tcase(s, e);

	tcase_add_checked_fixture(p, setup_pool, NULL);
	tcase_add_test(p, test_pool_pairing);
	suite_add_tcase(s, p);

	tcase_add_test(x, test_df_frag_needed);
	suite_add_tcase(s, x);

	tcase_add_test(g, test_icmp_query_timer);
	tcase_add_test(g, test_embedded_ip_checksum);
	tcase_add_test(g, test_exhausted_code13);
	suite_add_tcase(s, g);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rfc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
