/* SPDX-License-Identifier: ISC */
/* Checksums: RFC 1071 full sums and RFC 1624 incremental updates. */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"

/* The worked example of RFC 1071 section 3: sum 0xddf2, checksum 0x220d. */
/* CRC32c check value (RFC 3720 B.4, "123456789"), as SCTP stores it. */
START_TEST(test_crc32c)
{
	uint32_t v = csum_crc32c("123456789", 9);
	uint8_t b[4];

	memcpy(b, &v, 4);
	/* 0xe3069283, least significant byte first on the wire */
	ck_assert_uint_eq(b[0], 0x83);
	ck_assert_uint_eq(b[1], 0x92);
	ck_assert_uint_eq(b[2], 0x06);
	ck_assert_uint_eq(b[3], 0xe3);
}
END_TEST

START_TEST(test_rfc1071_example)
{
	const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	uint16_t c = csum_fold(csum_partial(b, sizeof(b), 0));

	ck_assert_uint_eq(ntohs(c), 0x220d);
}
END_TEST

/* A real IPv4 header (captured): its checksum verifies to zero. */
START_TEST(test_ip_header_verifies)
{
	uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00,
	    0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00,
	    0xc7 };

	ck_assert_uint_eq(csum_ip(h, 20), 0);
	h[10] = h[11] = 0;
	ck_assert_uint_eq(ntohs(csum_ip(h, 20)), 0xb861);
}
END_TEST

START_TEST(test_odd_length)
{
	const uint8_t b[] = { 0x12, 0x34, 0x56 };
	/* 0x1234 + 0x5600 = 0x6834 -> ~ = 0x97cb */
	ck_assert_uint_eq(ntohs(csum_fold(csum_partial(b, 3, 0))), 0x97cb);
}
END_TEST

/* Incremental updates equal a full recomputation, for random packets. */
START_TEST(test_incremental_matches_full)
{
	uint8_t buf[64];
	uint16_t sum, full;
	uint32_t from, to;
	uint16_t f2, t2;
	int round, i;

	srandom(1234);
	for (round = 0; round < 10000; round++) {
		for (i = 0; i < 64; i++)
			buf[i] = (uint8_t)random();
		buf[10] = buf[11] = 0;
		sum = csum_fold(csum_partial(buf, 64, 0));
		memcpy(&from, buf + 12, 4);
		to = (uint32_t)random();
		if (round % 7 == 0)
			to = 0;			/* edge: all zero */
		if (round % 11 == 0)
			to = 0xffffffff;
		memcpy(buf + 12, &to, 4);
		csum_replace4(&sum, from, to);
		memcpy(&f2, buf + 20, 2);
		t2 = (uint16_t)random();
		memcpy(buf + 20, &t2, 2);
		csum_replace2(&sum, f2, t2);
		full = csum_fold(csum_partial(buf, 64, 0));
		/* 0x0000 and 0xffff are the same value in one's complement */
		if (sum != full)
			ck_assert(sum == 0xffff - full || full == 0xffff - sum);
	}
}
END_TEST

START_TEST(test_delta_equals_replace)
{
	uint16_t a = htons(0x1c46), b = a;
	uint32_t d = 0;

	csum_replace4(&a, htonl(0xc0a8010a), htonl(0x01010101));
	csum_replace2(&a, htons(5555), htons(1024));
	d = csum_delta4(d, htonl(0xc0a8010a), htonl(0x01010101));
	d = csum_delta2(d, htons(5555), htons(1024));
	csum_apply_delta(&b, d);
	ck_assert_uint_eq(a, b);
}
END_TEST

/* A TCP segment: full checksum with the pseudo-header verifies. */
START_TEST(test_l4_pseudo_header)
{
	uint8_t seg[24] = { 0x15, 0xb3, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0,
	    0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0, 'a', 'b', 'c', 'd' };
	uint32_t s = htonl(0xc0a8010a), d = htonl(0x01010101);
	uint16_t c = csum_l4(s, d, 6, seg, sizeof(seg));

	memcpy(seg + 16, &c, 2);
	ck_assert_uint_eq(csum_fold(csum_partial(seg, sizeof(seg),
	    csum_pseudo(s, d, 6, sizeof(seg)))), 0);
}
END_TEST

static uint16_t
fold16(uint32_t x)
{
	while (x >> 16)
		x = (x & 0xffff) + (x >> 16);
	return (uint16_t)x;
}

/* A partial checksum (virtio NEEDS_CSUM) moves with the addresses only. */
START_TEST(test_partial_replace)
{
	uint32_t s = htonl(0xc0a8010a), d = htonl(0x01010101);
	uint32_t s2 = htonl(0xc0a80101);
	uint16_t part = fold16(csum_pseudo(s, d, 6, 40));
	uint16_t want = fold16(csum_pseudo(s2, d, 6, 40));

	ck_assert_uint_ne(part, want);
	csum_partial_replace4(&part, s, s2);
	/* one's complement: 0x0000 and 0xffff are both zero */
	if (part != want)
		ck_assert((part == 0 && want == 0xffff) ||
		    (part == 0xffff && want == 0));
}
END_TEST

static Suite *
csum_suite(void)
{
	Suite *s = suite_create("csum");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_rfc1071_example);
	tcase_add_test(tc, test_crc32c);
	tcase_add_test(tc, test_ip_header_verifies);
	tcase_add_test(tc, test_odd_length);
	tcase_add_test(tc, test_incremental_matches_full);
	tcase_add_test(tc, test_delta_equals_replace);
	tcase_add_test(tc, test_l4_pseudo_header);
	tcase_add_test(tc, test_partial_replace);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(csum_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
