/* SPDX-License-Identifier: ISC */
/* Frame parser: every malformed input gives its drop reason. */
#include "config.h"

#include <check.h>
#include <stdlib.h>

#include "frame.h"
#include "pkt_build.h"

static const uint8_t mac[6] = { 0x02, 0, 0, 0, 1, 1 };
static uint8_t buf[2048] __attribute__((aligned(16)));

static int
parse_all(struct pkt *p, size_t len)
{
	int r = frame_parse(p, buf, len, true);

	if (r != -1)
		return r;
	return frame_parse_ip(p, p->eth + 14, p->eth_len - 14);
}

START_TEST(test_tcp_ok)
{
	uint8_t l4[20];
	struct pkt p;
	size_t n = pkt_build(buf, mac, A("192.168.1.10"), A("1.1.1.1"),
	    IPPROTO_TCP, 64, l4, tcp_build(l4, 5555, 80, 1, 0, TH_SYN));

	ck_assert_int_eq(parse_all(&p, n), -1);
	ck_assert_uint_eq(p.ethertype, ETHERTYPE_IPV4);
	ck_assert_uint_eq(p.proto, IPPROTO_TCP);
	ck_assert_uint_eq(ntohs(p.sport), 5555);
	ck_assert_uint_eq(ntohs(p.dport), 80);
	ck_assert_uint_eq(p.tcp_flags, TH_SYN);
	ck_assert_uint_eq(p.ip_len, 40);
	ck_assert(p.l4_ok);
	ck_assert(!p.is_frag);
}
END_TEST

START_TEST(test_short_and_vlan)
{
	struct pkt p;
	uint16_t vlan = htons(ETHERTYPE_VLAN), v6 = htons(ETHERTYPE_IPV6);

	memset(buf, 0, 64);
	ck_assert_int_eq(frame_parse(&p, buf, 5, true), DROP_SHORT_FRAME);
	ck_assert_int_eq(frame_parse(&p, buf, 20, true), DROP_SHORT_FRAME);
	memcpy(buf + 10 + 12, &vlan, 2);
	ck_assert_int_eq(frame_parse(&p, buf, 64, true), DROP_VLAN);
	memcpy(buf + 10 + 12, &v6, 2);
	ck_assert_int_eq(frame_parse(&p, buf, 64, true), DROP_IPV6);
	buf[22] = 0x12;
	buf[23] = 0x34;
	ck_assert_int_eq(frame_parse(&p, buf, 64, true),
	    DROP_UNKNOWN_ETHERTYPE);
}
END_TEST

START_TEST(test_bad_ip)
{
	uint8_t l4[64];
	struct pkt p;
	size_t n = pkt_build(buf, mac, A("2.2.2.2"), A("1.1.1.1"), IPPROTO_UDP,
	    64, l4, udp_build(l4, 1000, 53, "hello"));
	uint8_t *ip = buf + 24;

	ip[0] = 0x44;				/* IHL 16 bytes */
	ck_assert_int_eq(parse_all(&p, n), DROP_BAD_IP_HEADER);
	ip[0] = 0x65;				/* version 6 */
	ck_assert_int_eq(parse_all(&p, n), DROP_BAD_IP_HEADER);
	ip[0] = 0x4f;				/* IHL 60 > packet */
	ck_assert_int_eq(parse_all(&p, 24 + 40), DROP_BAD_IP_HEADER);
	ip[0] = 0x45;
	ip[3] += 100;				/* total length lies */
	ck_assert_int_eq(parse_all(&p, n), DROP_BAD_IP_LENGTH);
	ip[3] -= 100;
	ip[8] ^= 1;				/* checksum no longer holds */
	ck_assert_int_eq(parse_all(&p, n), DROP_BAD_IP_CHECKSUM);
	ip[8] ^= 1;
	ck_assert_int_eq(parse_all(&p, n), -1);
	/* Ethernet padding after the datagram is fine */
	ck_assert_int_eq(parse_all(&p, n + 10), -1);
	ck_assert_uint_eq(p.ip_len, 20 + 8 + 5);
}
END_TEST

START_TEST(test_bad_l4)
{
	uint8_t l4[64];
	struct pkt p;
	size_t n;

	n = pkt_build(buf, mac, A("2.2.2.2"), A("1.1.1.1"), IPPROTO_TCP, 64,
	    l4, tcp_build(l4, 1, 2, 0, 0, TH_SYN));
	buf[24 + 20 + 12] = 0x40;		/* data offset 16 < 20 */
	ck_assert_int_eq(parse_all(&p, n), DROP_BAD_L4_HEADER);
	buf[24 + 20 + 12] = 0xf0;		/* data offset 60 > segment */
	ck_assert_int_eq(parse_all(&p, n), DROP_BAD_L4_HEADER);
	/* a TCP header cut short by the IP length */
	n = pkt_build(buf, mac, A("2.2.2.2"), A("1.1.1.1"), IPPROTO_TCP, 64,
	    l4, 12);
	ck_assert_int_eq(parse_all(&p, n), DROP_BAD_L4_HEADER);
	/* UDP length larger than the datagram */
	n = pkt_build(buf, mac, A("2.2.2.2"), A("1.1.1.1"), IPPROTO_UDP, 64,
	    l4, udp_build(l4, 1, 2, "abc"));
	buf[24 + 20 + 5] = 200;
	ck_assert_int_eq(parse_all(&p, n), DROP_BAD_L4_HEADER);
	/* ICMP shorter than its header */
	n = pkt_build(buf, mac, A("2.2.2.2"), A("1.1.1.1"), IPPROTO_ICMP, 64,
	    l4, 4);
	ck_assert_int_eq(parse_all(&p, n), DROP_BAD_ICMP);
}
END_TEST

START_TEST(test_fragments)
{
	uint8_t l4[64];
	struct pkt p;
	size_t n = pkt_build(buf, mac, A("2.2.2.2"), A("1.1.1.1"), IPPROTO_UDP,
	    64, l4, udp_build(l4, 1, 2, "abcdefgh"));
	struct ip4_hdr *ip = (struct ip4_hdr *)(buf + 24);

	ip->frag_off = htons(IP4_MF);
	ip->check = 0;
	ip->check = csum_ip(ip, 20);
	ck_assert_int_eq(parse_all(&p, n), -1);
	ck_assert(p.is_frag);
	ck_assert(!p.l4_ok);		/* parsed after reassembly */
	ip->frag_off = htons(3);	/* a later fragment: no L4 header */
	ip->check = 0;
	ip->check = csum_ip(ip, 20);
	ck_assert_int_eq(parse_all(&p, n), -1);
	ck_assert(p.is_frag);
	ck_assert(!p.l4_ok);
}
END_TEST

START_TEST(test_icmp_query_id)
{
	uint8_t l4[16] = { ICMP_ECHO, 0, 0, 0, 0x12, 0x34, 0, 1 };
	struct pkt p;
	size_t n = pkt_build(buf, mac, A("192.168.1.10"), A("1.1.1.254"),
	    IPPROTO_ICMP, 64, l4, 16);

	ck_assert_int_eq(parse_all(&p, n), -1);
	ck_assert_int_eq(p.icmp_type, ICMP_ECHO);
	ck_assert_uint_eq(ntohs(p.sport), 0x1234);
	ck_assert(icmp_is_query(p.icmp_type));
	ck_assert(!icmp_is_error(p.icmp_type));
}
END_TEST

/* Random bytes never crash the parser and never claim more than given. */
START_TEST(test_random_frames)
{
	struct pkt p;
	int i, round;

	srandom(42);
	for (round = 0; round < 20000; round++) {
		size_t n = (size_t)(random() % 200);

		for (i = 0; i < (int)n; i++)
			buf[i] = (uint8_t)random();
		if (round % 2) {	/* make many look like IPv4 */
			if (n > 24) {
				buf[22] = 0x08;
				buf[23] = 0x00;
				buf[24] = 0x45;
			}
		}
		if (parse_all(&p, n) == -1 && p.ip != NULL) {
			ck_assert_uint_le(p.ip_len + 24, n);
			ck_assert_uint_le(p.ihl, p.ip_len);
		}
	}
}
END_TEST

static Suite *
frame_suite(void)
{
	Suite *s = suite_create("frame");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_tcp_ok);
	tcase_add_test(tc, test_short_and_vlan);
	tcase_add_test(tc, test_bad_ip);
	tcase_add_test(tc, test_bad_l4);
	tcase_add_test(tc, test_fragments);
	tcase_add_test(tc, test_icmp_query_id);
	tcase_add_test(tc, test_random_frames);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(frame_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
