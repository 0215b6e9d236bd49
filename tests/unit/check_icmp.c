/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the ICMP error rate limit (icmp_rl.c): per-destination
 * buckets under a global ceiling, refill, bounded memory. Time is passed
 * in; nothing sleeps.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>

#include "icmp_rl.h"

#define HOST(n)	htonl(0xc0a80100u + (n))

static const struct icmp_rl_limits lim = {
	.rate = 1000, .burst = 50, .dst_rate = 100, .dst_burst = 20,
	.destinations = 64,
};

/* How many of @n errors to @dst at @now are allowed. */
static unsigned int
burst_to(struct icmp_rl *rl, uint32_t dst, unsigned int n, uint64_t now)
{
	unsigned int i, ok = 0;

	for (i = 0; i < n; i++)
		ok += icmp_rl_allow(rl, dst, now);
	return ok;
}

/* One busy destination spends its own bucket, not the others'. */
START_TEST(test_per_destination)
{
	struct icmp_rl *rl = icmp_rl_create(&lim);
	uint64_t now = 1000000;

	ck_assert_uint_eq(burst_to(rl, HOST(2), 1000, now), 20);
	ck_assert_uint_eq(icmp_rl_limited_dst(rl), 980);
	/* another destination gets its full burst at the same instant */
	ck_assert_uint_eq(burst_to(rl, HOST(10), 30, now), 20);
	/* 100 ms later: 10 more tokens for the busy one */
	ck_assert_uint_eq(burst_to(rl, HOST(2), 100, now + 100), 10);
	ck_assert_uint_eq(icmp_rl_limited_global(rl), 0);
	icmp_rl_free(rl);
}
END_TEST

/* Many destinations together stop at the global ceiling. */
START_TEST(test_global_ceiling)
{
	struct icmp_rl *rl = icmp_rl_create(&lim);
	uint64_t now = 5000;
	unsigned int i, ok = 0;

	for (i = 0; i < 200; i++)
		ok += icmp_rl_allow(rl, HOST(i % 40 + 1), now);
	ck_assert_uint_eq(ok, 50);			/* the global burst */
	ck_assert_uint_eq(icmp_rl_limited_global(rl), 150);
	/* a refused error took no destination's token */
	ck_assert_uint_eq(burst_to(rl, HOST(1), 25, now + 20), 20);
	/* one second refills the global bucket to its burst, not beyond */
	ok = 0;
	for (i = 0; i < 200; i++)
		ok += icmp_rl_allow(rl, HOST(100 + i), now + 10000);
	ck_assert_uint_eq(ok, 50);
	icmp_rl_free(rl);
}
END_TEST

/* A rate of 0 switches that bucket off. */
START_TEST(test_off)
{
	struct icmp_rl_limits l = lim;
	struct icmp_rl *rl;

	l.dst_rate = 0;
	rl = icmp_rl_create(&l);
	ck_assert_uint_eq(burst_to(rl, HOST(2), 100, 1000), 50);
	icmp_rl_free(rl);
	l.rate = 0;
	rl = icmp_rl_create(&l);
	ck_assert_uint_eq(burst_to(rl, HOST(2), 5000, 1000), 5000);
	icmp_rl_free(rl);
}
END_TEST

/*
 * Memory is the buckets asked for (rounded to a power of two), however
 * many destinations come; a destination in steady use keeps its bucket
 * while others churn through the rest of its set.
 */
START_TEST(test_bounded)
{
	struct icmp_rl_limits l = lim;
	struct icmp_rl *rl;
	uint64_t now = 1000;
	uint32_t i, ok = 0;

	l.rate = 0;
	l.destinations = 50;
	rl = icmp_rl_create(&l);
	ck_assert_uint_eq(icmp_rl_size(rl), 64);
	ck_assert_uint_eq(burst_to(rl, HOST(2), 20, now), 20);
	for (i = 0; i < 100000; i++) {
		if (i % 64 == 0) {
			/* the busy destination, used more recently */
			now++;
			ok += icmp_rl_allow(rl, HOST(2), now);
		}
		icmp_rl_allow(rl, htonl(0x0a000000u + i), now);
	}
	/* 100/s over the time passed: never a fresh burst of a new bucket */
	ck_assert_uint_le(ok, (now - 1000) / 10 + 1);
	ck_assert_uint_ge(ok, (now - 1000) / 10 - 1);
	ck_assert_uint_eq(icmp_rl_size(rl), 64);
	icmp_rl_free(rl);
}
END_TEST

static Suite *
icmp_suite(void)
{
	Suite *s = suite_create("icmp");
	TCase *tc = tcase_create("ratelimit");

	tcase_add_test(tc, test_per_destination);
	tcase_add_test(tc, test_global_ceiling);
	tcase_add_test(tc, test_off);
	tcase_add_test(tc, test_bounded);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(icmp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
