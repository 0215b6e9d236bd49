/* SPDX-License-Identifier: ISC */
/* Unit tests of NAT port mappings: preservation, EIM, classes, exhaustion. */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>

#include "natport.h"

#define EXT	htonl(0x01010101)	/* 1.1.1.1 */
#define EXT2	htonl(0x01010102)
#define HOST(n)	htonl(0xc0a80100 + (n))	/* 192.168.1.n */

/* natport_get() with host-order ports; returns the port, -1 on failure. */
static int
get(struct natport *np, uint8_t proto, uint32_t eaddr, uint32_t iaddr,
    uint16_t iport, uint16_t lo, uint16_t hi, bool randomise)
{
	uint16_t eport = 0;

	if (natport_get(np, proto, eaddr, iaddr, htons(iport), lo, hi,
	    randomise, &eport) == -1)
		return -1;
	ck_assert_uint_ne(eport, 0);
	return ntohs(eport);
}

static void
put(struct natport *np, uint8_t proto, uint32_t eaddr, int port)
{
	natport_put(np, proto, eaddr, htons((uint16_t)port));
}

static void
owner_is(struct natport *np, uint8_t proto, uint32_t eaddr, int port,
    uint32_t iaddr, uint16_t iport)
{
	uint32_t a = 0;
	uint16_t p = 0;

	ck_assert(natport_lookup(np, proto, eaddr, htons((uint16_t)port), &a,
	    &p));
	ck_assert_uint_eq(a, iaddr);
	ck_assert_uint_eq(p, htons(iport));
}

START_TEST(test_preserve)
{
	struct natport *np = natport_create();

	ck_assert_int_eq(get(np, IPPROTO_UDP, EXT, HOST(10), 5000, 0, 0,
	    false), 5000);
	owner_is(np, IPPROTO_UDP, EXT, 5000, HOST(10), 5000);
	ck_assert_uint_eq(natport_count(np), 1);
	/* another protocol and another address have their own ports */
	ck_assert_int_eq(get(np, IPPROTO_TCP, EXT, HOST(11), 5000, 0, 0,
	    false), 5000);
	ck_assert_int_eq(get(np, IPPROTO_UDP, EXT2, HOST(11), 5000, 0, 0,
	    false), 5000);
	owner_is(np, IPPROTO_UDP, EXT, 5000, HOST(10), 5000);
	owner_is(np, IPPROTO_TCP, EXT, 5000, HOST(11), 5000);
	ck_assert_uint_eq(natport_count(np), 3);
	ck_assert_uint_eq(natport_failures(np), 0);
	natport_destroy(np);
}
END_TEST

START_TEST(test_eim)
{
	struct natport *np = natport_create();
	int a, b, i;

	/* 192.168.1.11:5000 is taken first, so .10:5000 cannot keep it */
	ck_assert_int_eq(get(np, IPPROTO_UDP, EXT, HOST(11), 5000, 0, 0,
	    false), 5000);
	a = get(np, IPPROTO_UDP, EXT, HOST(10), 5000, 0, 0, false);
	ck_assert_int_ne(a, 5000);
	ck_assert_int_ge(a, 1024);
	/* every later connection of .10:5000 gets the same mapping */
	for (i = 0; i < 10; i++) {
		b = get(np, IPPROTO_UDP, EXT, HOST(10), 5000, 0, 0, false);
		ck_assert_int_eq(b, a);
	}
	ck_assert_uint_eq(natport_count(np), 2);
	/* 11 references: still mapped after 10 puts, gone after 11 */
	for (i = 0; i < 10; i++)
		put(np, IPPROTO_UDP, EXT, a);
	owner_is(np, IPPROTO_UDP, EXT, a, HOST(10), 5000);
	put(np, IPPROTO_UDP, EXT, a);
	ck_assert_uint_eq(natport_count(np), 1);
	{
		uint32_t ia;
		uint16_t ip;

		ck_assert(!natport_lookup(np, IPPROTO_UDP, EXT,
		    htons((uint16_t)a), &ia, &ip));
	}
	natport_destroy(np);
}
END_TEST

START_TEST(test_no_sharing)
{
	struct natport *np = natport_create();
	static int port[256];
	int i, j;

	/* 200 hosts all using source port 4000 */
	for (i = 0; i < 200; i++) {
		port[i] = get(np, IPPROTO_TCP, EXT, HOST(i + 1), 4000, 0, 0,
		    false);
		ck_assert_int_ge(port[i], 1024);
		owner_is(np, IPPROTO_TCP, EXT, port[i], HOST(i + 1), 4000);
	}
	ck_assert_int_eq(port[0], 4000);
	for (i = 0; i < 200; i++)
		for (j = i + 1; j < 200; j++)
			ck_assert_int_ne(port[i], port[j]);
	ck_assert_uint_eq(natport_count(np), 200);
	natport_destroy(np);
}
END_TEST

START_TEST(test_class)
{
	struct natport *np = natport_create();
	int p, i;

	ck_assert_int_eq(get(np, IPPROTO_TCP, EXT, HOST(1), 80, 0, 0, false),
	    80);
	for (i = 2; i < 40; i++) {
		p = get(np, IPPROTO_TCP, EXT, HOST(i), 80, 0, 0, false);
		ck_assert_int_ge(p, 1);
		ck_assert_int_le(p, 1023);
	}
	ck_assert_int_eq(get(np, IPPROTO_TCP, EXT, HOST(1), 1024, 0, 0,
	    false), 1024);
	for (i = 2; i < 40; i++) {
		p = get(np, IPPROTO_TCP, EXT, HOST(i), 1024, 0, 0, false);
		ck_assert_int_ge(p, 1024);
	}
	/* ICMP ids: no class, the id kept when free, never id 0 */
	ck_assert_int_eq(get(np, IPPROTO_ICMP, EXT, HOST(1), 7, 0, 0, false),
	    7);
	p = get(np, IPPROTO_ICMP, EXT, HOST(1), 0, 0, 0, false);
	ck_assert_int_ge(p, 1);
	natport_destroy(np);
}
END_TEST

START_TEST(test_range)
{
	struct natport *np = natport_create();
	int p, i, seen[10] = { 0 };

	/* the internal port is outside the range: never preserved */
	for (i = 0; i < 10; i++) {
		p = get(np, IPPROTO_UDP, EXT, HOST(i + 1), 5000, 2000, 2009,
		    false);
		ck_assert_int_ge(p, 2000);
		ck_assert_int_le(p, 2009);
		ck_assert_int_eq(seen[p - 2000], 0);
		seen[p - 2000] = 1;
	}
	/* full: fails cleanly and says so */
	ck_assert_int_eq(get(np, IPPROTO_UDP, EXT, HOST(99), 5000, 2000, 2009,
	    false), -1);
	ck_assert_int_eq(get(np, IPPROTO_UDP, EXT, HOST(98), 2005, 2000, 2009,
	    false), -1);
	ck_assert_uint_eq(natport_failures(np), 2);
	ck_assert_uint_eq(natport_count(np), 10);
	/* existing mappings are still found in a full range */
	for (i = 0; i < 10; i++) {
		p = get(np, IPPROTO_UDP, EXT, HOST(i + 1), 5000, 2000, 2009,
		    false);
		ck_assert_int_ge(p, 2000);
		ck_assert_int_le(p, 2009);
	}
	ck_assert_uint_eq(natport_count(np), 10);
	/* a preserved port inside the range; a single-port range */
	ck_assert_int_eq(get(np, IPPROTO_TCP, EXT, HOST(1), 3005, 3000, 3009,
	    false), 3005);
	ck_assert_int_eq(get(np, IPPROTO_TCP, EXT, HOST(1), 9, 8080, 8080,
	    false), 8080);
	ck_assert_int_eq(get(np, IPPROTO_TCP, EXT, HOST(2), 9, 8080, 8080,
	    false), -1);
	natport_destroy(np);
}
END_TEST

START_TEST(test_randomise)
{
	struct natport *np = natport_create();
	int p, q, hits = 0, i;

	p = get(np, IPPROTO_UDP, EXT, HOST(1), 5000, 0, 0, true);
	ck_assert_int_ge(p, 1024);
	q = get(np, IPPROTO_UDP, EXT, HOST(1), 5000, 0, 0, true);
	ck_assert_int_eq(p, q);
	/* preservation is skipped: 50 endpoints keep their port by chance
	   at most a few times, not 50 */
	for (i = 0; i < 50; i++)
		if (get(np, IPPROTO_UDP, EXT, HOST(10 + i), (uint16_t)(20000 +
		    i), 0, 0, true) == 20000 + i)
			hits++;
	ck_assert_int_lt(hits, 3);
	natport_destroy(np);
}
END_TEST

START_TEST(test_tombstones)
{
	struct natport *np = natport_create();
	int p[4], i, again;

	for (i = 0; i < 4; i++) {
		p[i] = get(np, IPPROTO_UDP, EXT, HOST(i + 1), 40000, 6000, 6003,
		    false);
		ck_assert_int_ge(p[i], 6000);
		ck_assert_int_le(p[i], 6003);
	}
	/* free the first two: the walks of the later ones pass them */
	put(np, IPPROTO_UDP, EXT, p[0]);
	put(np, IPPROTO_UDP, EXT, p[1]);
	ck_assert_uint_eq(natport_count(np), 2);
	for (i = 2; i < 4; i++) {
		again = get(np, IPPROTO_UDP, EXT, HOST(i + 1), 40000, 6000,
		    6003, false);
		ck_assert_int_eq(again, p[i]);
	}
	ck_assert_uint_eq(natport_count(np), 2);
	/* new endpoints take the freed ports */
	again = get(np, IPPROTO_UDP, EXT, HOST(50), 40000, 6000, 6003, false);
	ck_assert(again == p[0] || again == p[1]);
	owner_is(np, IPPROTO_UDP, EXT, again, HOST(50), 40000);
	natport_destroy(np);
}
END_TEST

START_TEST(test_release)
{
	struct natport *np = natport_create();
	uint32_t ia;
	uint16_t ip;
	int p;

	p = get(np, IPPROTO_TCP, EXT, HOST(1), 1234, 0, 0, false);
	ck_assert_int_eq(p, 1234);
	put(np, IPPROTO_TCP, EXT, p);
	ck_assert_uint_eq(natport_count(np), 0);
	ck_assert(!natport_lookup(np, IPPROTO_TCP, EXT, htons(1234), &ia,
	    &ip));
	/* putting what is not mapped changes nothing */
	put(np, IPPROTO_TCP, EXT, p);
	put(np, IPPROTO_TCP, EXT2, 999);
	ck_assert_uint_eq(natport_count(np), 0);
	/* the port is free for someone else now */
	ck_assert_int_eq(get(np, IPPROTO_TCP, EXT, HOST(2), 1234, 0, 0,
	    false), 1234);
	owner_is(np, IPPROTO_TCP, EXT, 1234, HOST(2), 1234);
	/* no internal address 0 */
	ck_assert_int_eq(get(np, IPPROTO_TCP, EXT, 0, 1234, 0, 0, false), -1);
	natport_destroy(np);
}
END_TEST

/*
 * Issue 15: one internal endpoint with more sessions than a 16-bit count
 * holds (a DHT node, a resolver) keeps its one mapping; no cap of the
 * mapping's own below the conntrack table's.
 */
START_TEST(test_refs_past_65535)
{
	struct natport *np = natport_create();
	uint32_t i, n = 200000;

	for (i = 0; i < n; i++)
		ck_assert_int_eq(get(np, IPPROTO_UDP, EXT, HOST(10), 5000, 0,
		    0, false), 5000);
	ck_assert_uint_eq(natport_count(np), 1);
	ck_assert_uint_eq(natport_failures(np), 0);
	for (i = 0; i < n - 1; i++)
		put(np, IPPROTO_UDP, EXT, 5000);
	owner_is(np, IPPROTO_UDP, EXT, 5000, HOST(10), 5000);
	put(np, IPPROTO_UDP, EXT, 5000);
	ck_assert_uint_eq(natport_count(np), 0);
	natport_destroy(np);
}
END_TEST

/* Churn leaves tombstones everywhere; live mappings stay findable. */
START_TEST(test_churn)
{
	struct natport *np = natport_create();
	static int live[100];
	int i, p;

	for (i = 0; i < 100; i++)
		live[i] = get(np, IPPROTO_UDP, EXT, HOST(1), (uint16_t)(10000 +
		    i), 0, 0, true);
	for (i = 0; i < 20000; i++) {
		p = get(np, IPPROTO_UDP, EXT, htonl(0x0a000000 + (uint32_t)i),
		    4444, 0, 0, true);
		ck_assert_int_ge(p, 1024);
		put(np, IPPROTO_UDP, EXT, p);
	}
	ck_assert_uint_eq(natport_count(np), 100);
	for (i = 0; i < 100; i++) {
		p = get(np, IPPROTO_UDP, EXT, HOST(1), (uint16_t)(10000 + i), 0,
		    0, true);
		ck_assert_int_eq(p, live[i]);
		owner_is(np, IPPROTO_UDP, EXT, p, HOST(1), (uint16_t)(10000 +
		    i));
	}
	ck_assert_uint_eq(natport_count(np), 100);
	ck_assert_uint_eq(natport_failures(np), 0);
	natport_destroy(np);
}
END_TEST

/* Many external addresses: the directory grows and shrinks. */
START_TEST(test_many_addresses)
{
	struct natport *np = natport_create();
	uint32_t i;

	for (i = 0; i < 40; i++)
		ck_assert_int_eq(get(np, IPPROTO_UDP, htonl(0x01010100 + i),
		    HOST(1), 5353, 0, 0, false), 5353);
	for (i = 0; i < 40; i += 2)
		put(np, IPPROTO_UDP, htonl(0x01010100 + i), 5353);
	for (i = 1; i < 40; i += 2)
		owner_is(np, IPPROTO_UDP, htonl(0x01010100 + i), 5353, HOST(1),
		    5353);
	ck_assert_uint_eq(natport_count(np), 20);
	natport_destroy(np);
}
END_TEST

/* RFC 6888 REQ-4: one host's share of the ports, per protocol class. */
START_TEST(test_host_limit)
{
	struct natport *np = natport_create();
	int i, p, first = -1;

	ck_assert_uint_eq(natport_host_count(np, IPPROTO_UDP, HOST(10)), 0);
	natport_set_host_limit(np, 50);
	for (i = 0; i < 50; i++) {
		p = get(np, IPPROTO_UDP, EXT, HOST(10), 30000 + i, 0, 0,
		    false);
		ck_assert_int_ne(p, -1);
		if (first < 0)
			first = p;
	}
	ck_assert_uint_eq(natport_host_count(np, IPPROTO_UDP, HOST(10)), 50);
	/* the 51st new port is refused, and says why */
	ck_assert_int_eq(get(np, IPPROTO_UDP, EXT, HOST(10), 31000, 0, 0,
	    false), -1);
	ck_assert(natport_last_host_limit(np));
	ck_assert_uint_eq(natport_host_refused(np), 1);
	/* an existing mapping is still shared (EIM), on any address */
	ck_assert_int_eq(get(np, IPPROTO_UDP, EXT, HOST(10), 30000, 0, 0,
	    false), first);
	/* other classes and other hosts are not affected */
	ck_assert_int_ne(get(np, IPPROTO_TCP, EXT, HOST(10), 31000, 0, 0,
	    false), -1);
	ck_assert_int_ne(get(np, IPPROTO_ICMP, EXT, HOST(10), 31000, 0, 0,
	    false), -1);
	ck_assert_int_ne(get(np, IPPROTO_UDP, EXT, HOST(11), 31000, 0, 0,
	    false), -1);
	ck_assert(!natport_last_host_limit(np));
	/* a mapping given back makes room */
	put(np, IPPROTO_UDP, EXT, first);
	put(np, IPPROTO_UDP, EXT, first);
	ck_assert_uint_eq(natport_host_count(np, IPPROTO_UDP, HOST(10)), 49);
	ck_assert_int_ne(get(np, IPPROTO_UDP, EXT, HOST(10), 31000, 0, 0,
	    false), -1);
	/* 0: no limit */
	natport_set_host_limit(np, 0);
	ck_assert_int_ne(get(np, IPPROTO_UDP, EXT, HOST(10), 31001, 0, 0,
	    false), -1);
	natport_destroy(np);
}
END_TEST

/* The default is on (8192 per class), so one host cannot take them all. */
START_TEST(test_host_limit_default)
{
	struct natport *np = natport_create();
	int i, fails = 0;

	for (i = 0; i < NATPORT_HOST_LIMIT_DEFAULT + 100; i++)
		if (get(np, IPPROTO_TCP, EXT, HOST(10), (uint16_t)(2000 + i),
		    0, 0, false) == -1)
			fails++;
	ck_assert_int_eq(fails, 100);
	ck_assert_uint_eq(natport_host_count(np, IPPROTO_TCP, HOST(10)),
	    NATPORT_HOST_LIMIT_DEFAULT);
	ck_assert_int_ne(get(np, IPPROTO_TCP, EXT, HOST(11), 2000, 0, 0,
	    false), -1);
	natport_destroy(np);
}
END_TEST

static Suite *
natport_suite(void)
{
	Suite *s = suite_create("natport");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_preserve);
	tcase_add_test(tc, test_eim);
	tcase_add_test(tc, test_no_sharing);
	tcase_add_test(tc, test_class);
	tcase_add_test(tc, test_range);
	tcase_add_test(tc, test_randomise);
	tcase_add_test(tc, test_tombstones);
	tcase_add_test(tc, test_release);
	tcase_add_test(tc, test_churn);
	tcase_add_test(tc, test_refs_past_65535);
	tcase_add_test(tc, test_many_addresses);
	tcase_add_test(tc, test_host_limit);
	tcase_add_test(tc, test_host_limit_default);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(natport_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
