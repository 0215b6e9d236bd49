/* SPDX-License-Identifier: ISC */
/*
 * NAT helpers through the whole router path (issue 15): the FTP helper's
 * PORT/EPRT/227/229 rewriting with sequence adjustment, the data
 * connections it expects (related, translated), TFTP's answer from a new
 * port, service-port off; and the FTP parser on its own.
 */
#include "config.h"

#include "ftp.h"
#include "nat_helper.h"
#include "router_harness.h"

static const char ftp_yaml[] =
    "interfaces:\n"
    "  - { name: wan, tap: t-wan, addresses: [1.1.1.1/24], mac: 02:00:00:00:01:01 }\n"
    "  - { name: lan, tap: t-lan, addresses: [192.168.1.1/24], mac: 02:00:00:00:02:01 }\n"
    "routes:\n"
    "  - { dst: 0.0.0.0/0, gateway: 1.1.1.254 }\n"
    "nat:\n"
    "  - chain=dstnat dst-address=1.1.1.1 protocol=tcp dst-port=21 action=dst-nat to-addresses=192.168.1.2\n"
    "  - chain=srcnat out-interface=wan action=masquerade\n"
    "  - chain=srcnat src-address=192.168.1.0/24 dst-address=192.168.1.2 protocol=tcp dst-port=21 out-interface=lan action=masquerade\n";

static const char off_yaml[] =
    "interfaces:\n"
    "  - { name: wan, tap: t-wan, addresses: [1.1.1.1/24], mac: 02:00:00:00:01:01 }\n"
    "  - { name: lan, tap: t-lan, addresses: [192.168.1.1/24], mac: 02:00:00:00:02:01 }\n"
    "routes:\n"
    "  - { dst: 0.0.0.0/0, gateway: 1.1.1.254 }\n"
    "nat:\n"
    "  - chain=srcnat out-interface=wan action=masquerade\n"
    "service-port:\n"
    "  ftp: { disabled: yes }\n"
    "  tftp: no\n";

/* A filter that drops FTP's related (data) connections only. */
static const char ctype_yaml[] =
    "interfaces:\n"
    "  - { name: wan, tap: t-wan, addresses: [1.1.1.1/24], mac: 02:00:00:00:01:01 }\n"
    "  - { name: lan, tap: t-lan, addresses: [192.168.1.1/24], mac: 02:00:00:00:02:01 }\n"
    "routes:\n"
    "  - { dst: 0.0.0.0/0, gateway: 1.1.1.254 }\n"
    "nat:\n"
    "  - chain=srcnat out-interface=wan action=masquerade\n"
    "filter:\n"
    "  - chain=forward connection-type=ftp connection-state=related action=drop\n";

static void
setup_ctype(void)
{
	router_setup_yaml(ctype_yaml);
	learn(WAN, "1.1.1.254", isp_mac);
	learn(LAN, "192.168.1.10", cli_mac);
}

static void
setup_ftp(void)
{
	router_setup_yaml(ftp_yaml);
	learn(WAN, "1.1.1.254", isp_mac);
	learn(LAN, "192.168.1.10", cli_mac);
	learn(LAN, "192.168.1.2", srv_mac);
}

static void
setup_off(void)
{
	router_setup_yaml(off_yaml);
	learn(WAN, "1.1.1.254", isp_mac);
	learn(LAN, "192.168.1.10", cli_mac);
}

/* A TCP segment with @data as payload. */
static size_t
seg(const uint8_t *mac, const char *src, uint16_t sp, const char *dst,
    uint16_t dp, uint8_t flags, uint32_t seq, uint32_t ack, const char *data)
{
	uint8_t l4[256];
	size_t n = strlen(data);

	tcp_build(l4, sp, dp, seq, ack, flags);
	memcpy(l4 + 20, data, n);
	return pkt_build(in, mac, A(src), A(dst), IPPROTO_TCP, 64, l4, 20 + n);
}

static uint32_t
out_seq(int which)
{
	uint32_t v;

	memcpy(&v, out + 24 + 20 + (which ? 8 : 4), 4);
	return ntohl(v);
}

/* The payload of the last frame out, as a string. */
static const char *
out_data(size_t n)
{
	static char text[256];
	size_t len = n - 24 - 20 - 20;

	memcpy(text, out + 24 + 40, len);
	text[len] = '\0';
	return text;
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

/* Client 192.168.1.10:40000 -> @dst:21, handshake done. */
static void
handshake(int ifi, const uint8_t *mac, const char *cli, const char *dst,
    int sifi, const uint8_t *smac, const char *srv, const char *srvdst,
    uint16_t cport)
{
	send_in(ifi, seg(mac, cli, 40000, dst, 21, TH_SYN, 1000, 0, ""));
	ck_assert(rd(sifi) > 0);
	send_in(sifi, seg(smac, srv, 21, srvdst, cport, TH_SYN | TH_ACK,
	    5000, 1001, ""));
	ck_assert(rd(ifi) > 0);
	send_in(ifi, seg(mac, cli, 40000, dst, 21, TH_ACK, 1001, 5001, ""));
	ck_assert(rd(sifi) > 0);
}

/*
 * Active FTP from the LAN: PORT 192,168,1,10,19,137 leaves as
 * PORT 1,1,1,1,19,137 (5 bytes shorter); the server's acks are moved back,
 * the client's later segments forward; the server's data connection to
 * 1.1.1.1:5001 reaches 192.168.1.10:5001, RELATED, with helper ftp.
 */
START_TEST(test_ftp_active_from_lan)
{
	const char *cmd = "PORT 192,168,1,10,19,137\r\n";
	struct ct_entry *e;
	bool rel = false;
	size_t n;

	handshake(LAN, lan_mac, "192.168.1.10", "2.2.2.2", WAN, wan_mac,
	    "2.2.2.2", "1.1.1.1", 40000);
	e = ct_find("192.168.1.10", 40000, "2.2.2.2", 21, IPPROTO_TCP);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(nat_helper_of(e, &rel), NH_FTP);
	ck_assert(!rel);

	send_in(LAN, seg(lan_mac, "192.168.1.10", 40000, "2.2.2.2", 21,
	    TH_ACK | TH_PSH, 1001, 5001, cmd));
	n = rd(WAN);
	ck_assert_str_eq(out_data(n), "PORT 1,1,1,1,19,137\r\n");
	ck_assert(pkt_csums_ok(out + 24));
	ck_assert_uint_eq(out_seq(0), 1001);

	/* the server acks the shorter command: the client sees its own */
	send_in(WAN, seg(wan_mac, "2.2.2.2", 21, "1.1.1.1", 40000,
	    TH_ACK | TH_PSH, 5001, 1001 + 21, "200 ok\r\n"));
	ck_assert(rd(LAN) > 0);
	ck_assert_uint_eq(out_seq(1), 1001 + 26);
	ck_assert(pkt_csums_ok(out + 24));
	/* the client's next command moves forward by -5 */
	send_in(LAN, seg(lan_mac, "192.168.1.10", 40000, "2.2.2.2", 21,
	    TH_ACK | TH_PSH, 1001 + 26, 5009, "LIST\r\n"));
	n = rd(WAN);
	ck_assert_str_eq(out_data(n), "LIST\r\n");
	ck_assert_uint_eq(out_seq(0), 1001 + 21);
	ck_assert(pkt_csums_ok(out + 24));

	/* the data connection from the server's port 20 */
	send_in(WAN, seg(wan_mac, "2.2.2.2", 20, "1.1.1.1", 5001, TH_SYN, 9000,
	    0, ""));
	ck_assert(rd(LAN) > 0);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	ck_assert_uint_eq(out_port(1), 5001);
	ck_assert_uint_eq(out_ip()->saddr, A("2.2.2.2"));
	ck_assert(pkt_csums_ok(out + 24));
	e = ct_find("2.2.2.2", 20, "1.1.1.1", 5001, IPPROTO_TCP);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(nat_helper_of(e, &rel), NH_FTP);
	ck_assert(rel);
	/* an expectation is used once */
	send_in(WAN, seg(wan_mac, "2.2.2.2", 21, "1.1.1.1", 5001, TH_SYN, 9000,
	    0, ""));
	ck_assert_uint_eq(rd(LAN), 0);
}
END_TEST

/*
 * Passive FTP to a server behind dst-nat that announces its private
 * address: 227 (192,168,1,2,...) reaches the outside client as
 * (1,1,1,1,...), and its data connection to 1.1.1.1 goes to the server.
 */
START_TEST(test_ftp_passive_dstnat)
{
	const char *r227 = "227 Entering Passive Mode (192,168,1,2,19,140).\r\n";
	size_t n;

	handshake(WAN, wan_mac, "2.2.2.2", "1.1.1.1", LAN, lan_mac,
	    "192.168.1.2", "2.2.2.2", 40000);
	send_in(LAN, seg(lan_mac, "192.168.1.2", 21, "2.2.2.2", 40000,
	    TH_ACK | TH_PSH, 5001, 1001, r227));
	n = rd(WAN);
	ck_assert_str_eq(out_data(n),
	    "227 Entering Passive Mode (1,1,1,1,19,140).\r\n");
	ck_assert(pkt_csums_ok(out + 24));
	send_in(WAN, seg(wan_mac, "2.2.2.2", 40001, "1.1.1.1", 5004, TH_SYN,
	    7000, 0, ""));
	ck_assert(rd(LAN) > 0);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.2"));
	ck_assert_uint_eq(out_port(1), 5004);
	ck_assert(pkt_csums_ok(out + 24));
	/* no expectation for anyone else */
	send_in(WAN, seg(wan_mac, "3.3.3.3", 40001, "1.1.1.1", 5004, TH_SYN,
	    7000, 0, ""));
	ck_assert_uint_eq(rd(LAN), 0);
}
END_TEST

/*
 * Through hairpin: the LAN client reaches the server at 1.1.1.1:21 (dst-nat
 * and the hairpin masquerade); 229 keeps its port and the data connection
 * to 1.1.1.1 goes to the server, from the router's LAN address as the
 * control connection does.
 */
START_TEST(test_ftp_passive_hairpin)
{
	const char *r229 = "229 Entering Extended Passive Mode (|||5005|)\r\n";
	struct ct_entry *e;
	size_t n;
	uint16_t cp;

	send_in(LAN, seg(lan_mac, "192.168.1.10", 40000, "1.1.1.1", 21, TH_SYN,
	    1000, 0, ""));
	ck_assert(rd(LAN) > 0);
	ck_assert_uint_eq(out_ip()->saddr, A("192.168.1.1"));
	cp = out_port(0);
	send_in(LAN, seg(lan_mac, "192.168.1.2", 21, "192.168.1.1", cp,
	    TH_SYN | TH_ACK, 5000, 1001, ""));
	ck_assert(rd(LAN) > 0);
	send_in(LAN, seg(lan_mac, "192.168.1.10", 40000, "1.1.1.1", 21, TH_ACK,
	    1001, 5001, ""));
	ck_assert(rd(LAN) > 0);
	send_in(LAN, seg(lan_mac, "192.168.1.2", 21, "192.168.1.1", cp,
	    TH_ACK | TH_PSH, 5001, 1001, r229));
	n = rd(LAN);
	ck_assert_str_eq(out_data(n), r229);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	send_in(LAN, seg(lan_mac, "192.168.1.10", 40002, "1.1.1.1", 5005,
	    TH_SYN, 3000, 0, ""));
	ck_assert(rd(LAN) > 0);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.2"));
	ck_assert_uint_eq(out_port(1), 5005);
	ck_assert_uint_eq(out_ip()->saddr, A("192.168.1.1"));
	ck_assert(pkt_csums_ok(out + 24));
	e = ct_find("192.168.1.10", 40002, "1.1.1.1", 5005, IPPROTO_TCP);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(nat_helper_of(e, NULL), NH_FTP);
}
END_TEST

/*
 * TFTP: the server's answer from a new port passes the NAT's filtering,
 * to the client's port.
 */
START_TEST(test_tftp_answer)
{
	uint8_t l4[64];
	size_t n;

	n = pkt_build(in, lan_mac, A("192.168.1.10"), A("2.2.2.2"),
	    IPPROTO_UDP, 64, l4, udp_build(l4, 40500, 69, "\0\1file\0octet"));
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	ck_assert_uint_eq(out_port(0), 40500);
	n = pkt_build(in, wan_mac, A("2.2.2.2"), A("1.1.1.1"), IPPROTO_UDP,
	    64, l4, udp_build(l4, 50123, 40500, "\0\3\0\1data"));
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), n);
	ck_assert_uint_eq(out_ip()->daddr, A("192.168.1.10"));
	ck_assert_uint_eq(out_port(1), 40500);
	ck_assert_uint_eq(out_port(0), 50123);
	ck_assert_uint_eq(nat_helper_of(ct_find("2.2.2.2", 50123, "1.1.1.1",
	    40500, IPPROTO_UDP), NULL), NH_TFTP);
	/* the client's ack goes back to that port */
	n = pkt_build(in, lan_mac, A("192.168.1.10"), A("2.2.2.2"),
	    IPPROTO_UDP, 64, l4, udp_build(l4, 40500, 50123, "\0\4\0\1"));
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	ck_assert_uint_eq(out_port(0), 40500);
	ck_assert_uint_eq(out_port(1), 50123);
}
END_TEST

/* service-port off: no rewriting, no expectation. */
START_TEST(test_service_port_off)
{
	uint8_t l4[64];
	size_t n;

	handshake(LAN, lan_mac, "192.168.1.10", "2.2.2.2", WAN, wan_mac,
	    "2.2.2.2", "1.1.1.1", 40000);
	send_in(LAN, seg(lan_mac, "192.168.1.10", 40000, "2.2.2.2", 21,
	    TH_ACK | TH_PSH, 1001, 5001, "PORT 192,168,1,10,19,137\r\n"));
	n = rd(WAN);
	ck_assert_str_eq(out_data(n), "PORT 192,168,1,10,19,137\r\n");
	n = pkt_build(in, lan_mac, A("192.168.1.10"), A("2.2.2.2"),
	    IPPROTO_UDP, 64, l4, udp_build(l4, 40500, 69, "\0\1f\0octet"));
	send_in(LAN, n);
	ck_assert_uint_eq(rd(WAN), n);
	n = pkt_build(in, wan_mac, A("2.2.2.2"), A("1.1.1.1"), IPPROTO_UDP,
	    64, l4, udp_build(l4, 50123, 40500, "data"));
	send_in(WAN, n);
	ck_assert_uint_eq(rd(LAN), 0);
}
END_TEST

/*
 * connection-type=ftp (the lead's matcher) sees the helper: the control
 * connection passes (established), its data connection (related) is
 * dropped by the rule.
 */
START_TEST(test_connection_type_ftp)
{
	size_t n;

	handshake(LAN, lan_mac, "192.168.1.10", "2.2.2.2", WAN, wan_mac,
	    "2.2.2.2", "1.1.1.1", 40000);
	send_in(LAN, seg(lan_mac, "192.168.1.10", 40000, "2.2.2.2", 21,
	    TH_ACK | TH_PSH, 1001, 5001, "PORT 192,168,1,10,19,137\r\n"));
	n = rd(WAN);
	ck_assert_str_eq(out_data(n), "PORT 1,1,1,1,19,137\r\n");
	send_in(WAN, seg(wan_mac, "2.2.2.2", 20, "1.1.1.1", 5001, TH_SYN, 9000,
	    0, ""));
	ck_assert_uint_eq(rd(LAN), 0);
	ck_assert_uint_eq(R.ifaces[WAN].st.drops[DROP_FILTER_DROP], 1);
}
END_TEST

/* The parser alone: what it takes and what it refuses. */
START_TEST(test_ftp_parse)
{
	struct ftp_match m;
	char t[FTP_ARG_MAX];
	size_t n;

	ck_assert(ftp_parse((const uint8_t *)"port 10,0,0,1,4,1\r\n", 19, true,
	    &m));
	ck_assert_int_eq(m.kind, FTP_PORT);
	ck_assert_uint_eq(m.addr, A("10.0.0.1"));
	ck_assert_uint_eq(m.port, 1025);
	ck_assert_uint_eq(m.off, 5);
	ck_assert_uint_eq(m.len, 12);
	ck_assert(ftp_parse((const uint8_t *)"EPRT |1|10.0.0.1|6275|\r\n", 24,
	    true, &m));
	ck_assert_int_eq(m.kind, FTP_EPRT);
	ck_assert_uint_eq(m.port, 6275);
	n = ftp_format(&m, A("203.0.113.200"), 40000, t);
	ck_assert_int_eq(memcmp(t, "|1|203.0.113.200|40000|", n), 0);
	ck_assert(!ftp_parse((const uint8_t *)"EPRT |2|::1|6275|\r\n", 19, true,
	    &m));
	ck_assert(!ftp_parse((const uint8_t *)"PORT 10,0,0,1,4,1", 17, true,
	    &m));	/* no end of line: not whole */
	ck_assert(!ftp_parse((const uint8_t *)"PORT 256,0,0,1,4,1\r\n", 20,
	    true, &m));
	ck_assert(!ftp_parse((const uint8_t *)"PORT 1,2,3,4,5\r\n", 16, true,
	    &m));
	ck_assert(!ftp_parse((const uint8_t *)"227 (1,2,3,4,5,6)\r\n", 19, true,
	    &m));	/* a reply, from the client: not looked for */
	ck_assert(ftp_parse((const uint8_t *)"227 Entering (1,2,3,4,5,6)\r\n",
	    28, false, &m));
	ck_assert_uint_eq(m.port, 5 * 256 + 6);
	ck_assert(ftp_parse((const uint8_t *)"229 x (!!!21!)\r\n", 16, false,
	    &m));
	ck_assert_uint_eq(m.port, 21);
	ck_assert(!ftp_parse((const uint8_t *)"229 x (|||99999|)\r\n", 19,
	    false, &m));
}
END_TEST

/* conf_service_port_set(): the export's `/ip firewall service-port set`. */
START_TEST(test_service_port_set)
{
	struct conf_errors errs;
	struct config *c = conf_load_buf("t.yaml", off_yaml,
	    sizeof(off_yaml) - 1, &errs);
	char err[128];

	ck_assert_ptr_nonnull(c);
	ck_assert(!c->sp[CONF_SP_FTP].enabled);
	ck_assert_int_eq(conf_service_port_set(c, "ftp", "21,2121", 0, err,
	    sizeof(err)), 0);
	ck_assert(c->sp[CONF_SP_FTP].enabled);
	ck_assert_int_eq(c->sp[CONF_SP_FTP].nports, 2);
	ck_assert_uint_eq(c->sp[CONF_SP_FTP].ports[1], 2121);
	ck_assert_int_eq(conf_service_port_set(c, "ftpp", NULL, 1, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "unknown service-port \"ftpp\" (expected ftp, "
	    "tftp, pptp or sip)");
	ck_assert_int_eq(conf_service_port_set(c, "tftp", "70000", -1, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(conf_service_port_set(c, "sip", NULL, 0, err,
	    sizeof(err)), -1);
	ck_assert(c->sp[CONF_SP_PPTP].enabled);	/* the default */
	conf_free(c);
}
END_TEST

/* The same from a RouterOS export's /ip firewall service-port section. */
START_TEST(test_service_port_export)
{
	static const char yaml[] =
	    "interfaces:\n"
	    "  - { name: ether1, tap: t1, addresses: [1.1.1.1/24] }\n"
	    "routeros: |\n"
	    "  /ip firewall service-port\n"
	    "  set ftp ports=21,2121\n"
	    "  set tftp disabled=yes\n"
	    "  set h323 disabled=yes\n";
	struct conf_errors errs;
	struct config *c = conf_load_buf("t.yaml", yaml, sizeof(yaml) - 1,
	    &errs);

	ck_assert_ptr_nonnull(c);
	ck_assert(c->sp[CONF_SP_FTP].enabled);
	ck_assert_int_eq(c->sp[CONF_SP_FTP].nports, 2);
	ck_assert_uint_eq(c->sp[CONF_SP_FTP].ports[1], 2121);
	ck_assert(!c->sp[CONF_SP_TFTP].enabled);
	ck_assert(!c->sp[CONF_SP_SIP].enabled);
	conf_free(c);
}
END_TEST

static Suite *
helper_suite(void)
{
	Suite *s = suite_create("helper");
	TCase *f = tcase_create("ftp");
	TCase *o = tcase_create("off");
	TCase *p = tcase_create("parse");
	TCase *t = tcase_create("ctype");

	tcase_add_checked_fixture(f, setup_ftp, NULL);
	tcase_add_test(f, test_ftp_active_from_lan);
	tcase_add_test(f, test_ftp_passive_dstnat);
	tcase_add_test(f, test_ftp_passive_hairpin);
	tcase_add_test(f, test_tftp_answer);
	suite_add_tcase(s, f);
	tcase_add_checked_fixture(o, setup_off, NULL);
	tcase_add_test(o, test_service_port_off);
	suite_add_tcase(s, o);
	tcase_add_checked_fixture(t, setup_ctype, NULL);
	tcase_add_test(t, test_connection_type_ftp);
	suite_add_tcase(s, t);
	tcase_add_test(p, test_ftp_parse);
	tcase_add_test(p, test_service_port_set);
	tcase_add_test(p, test_service_port_export);
	suite_add_tcase(s, p);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(helper_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
