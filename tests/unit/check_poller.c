/* SPDX-License-Identifier: ISC */
/* When the loop polls (poller.c), with the time passed in. */
#include <check.h>
#include <stdlib.h>

#include "poller.h"

/* Frames every @gap us from @t for @n turns; return the last time. */
static uint64_t
stream(struct poller *p, uint64_t t, uint64_t gap, int n)
{
	int i;

	for (i = 0; i < n; i++, t += gap)
		poller_rx(p, t);
	return t - gap;
}

START_TEST(test_idle_sleeps)
{
	struct poller p;

	poller_init(&p, true, 0);
	ck_assert(!poller_poll(&p, 1000000));	/* nothing seen yet */
	poller_rx(&p, 1000000);			/* one frame, then silence */
	ck_assert(!poller_poll(&p, 1000001));
	ck_assert_uint_eq(poller_window(&p), 0);
}
END_TEST

/* Frames 20 us apart: it polls, for 2x the mean gap, then sleeps. */
START_TEST(test_stream_polls)
{
	struct poller p;
	uint64_t t;

	poller_init(&p, true, 0);
	t = stream(&p, 1000000, 20, 100);
	ck_assert_uint_le(poller_window(&p), 2 * 20 + 2);
	ck_assert_uint_ge(poller_window(&p), 2 * 20 - 2);
	ck_assert(poller_poll(&p, t + 30));
	ck_assert(!poller_poll(&p, t + 50));
}
END_TEST

/* Gaps of 190 us, just under a wake-up's cost: a 380 us window. */
START_TEST(test_window_capped)
{
	struct poller p;
	uint64_t t;

	poller_init(&p, true, 0);
	t = stream(&p, 1000000, 190, 200);
	ck_assert_uint_ge(poller_window(&p), 378);
	ck_assert_uint_le(poller_window(&p), POLL_WINDOW_US);
	ck_assert(poller_poll(&p, t + 370));
	ck_assert(!poller_poll(&p, t + POLL_WINDOW_US + 1));
	/* and at 250 us apart, more than a wake-up costs: no polling */
	t = stream(&p, t + 250, 250, 200);
	ck_assert_uint_eq(poller_window(&p), 0);
	ck_assert(!poller_poll(&p, t + 1));
}
END_TEST

/* Pings every 1 ms: never polls between them. */
START_TEST(test_pings_sleep)
{
	struct poller p;
	uint64_t t;

	poller_init(&p, true, 0);
	t = stream(&p, 1000000, 1000, 50);
	ck_assert_uint_eq(poller_window(&p), 0);
	ck_assert(!poller_poll(&p, t + 1));
}
END_TEST

/* A stream that stops: the first long gaps switch polling off. */
START_TEST(test_stream_stops)
{
	struct poller p;
	uint64_t t;
	int i;

	poller_init(&p, true, 0);
	t = stream(&p, 1000000, 10, 100);
	ck_assert(poller_poll(&p, t + 5));
	for (i = 0; i < 3; i++) {
		t += 5000;
		poller_rx(&p, t);
	}
	ck_assert(!poller_poll(&p, t + 1));
}
END_TEST

START_TEST(test_fixed_and_off)
{
	struct poller p;

	poller_init(&p, false, 3000);
	ck_assert(!poller_poll(&p, 1000000));
	poller_rx(&p, 1000000);
	ck_assert(poller_poll(&p, 1002999));
	ck_assert(!poller_poll(&p, 1003001));
	poller_set(&p, false, 0);		/* busy-poll: 0 */
	stream(&p, 2000000, 5, 100);
	ck_assert(!poller_poll(&p, 2000496));
	poller_set(&p, true, 0);		/* reload to auto: learnt */
	ck_assert(poller_poll(&p, 2000496));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("poller");
	TCase *tc = tcase_create("poller");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, test_idle_sleeps);
	tcase_add_test(tc, test_stream_polls);
	tcase_add_test(tc, test_window_capped);
	tcase_add_test(tc, test_pings_sleep);
	tcase_add_test(tc, test_stream_stops);
	tcase_add_test(tc, test_fixed_and_off);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
