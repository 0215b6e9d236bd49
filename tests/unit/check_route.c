/* SPDX-License-Identifier: ISC */
/* Routing table: longest-prefix match over local, connected and static. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "pkt_build.h"
#include "route.h"

static struct config conf;
static struct conf_route routes[3];

static void
setup(void)
{
	memset(&conf, 0, sizeof(conf));
	conf.nifaces = 2;
	conf.ifaces[0].name = "wan";
	conf.ifaces[0].addrs[0] = (struct conf_addr){ A("1.1.1.1"), 24 };
	conf.ifaces[0].naddrs = 1;
	conf.ifaces[1].name = "lan";
	conf.ifaces[1].addrs[0] = (struct conf_addr){ A("192.168.1.1"), 24 };
	conf.ifaces[1].addrs[1] = (struct conf_addr){ A("192.168.1.100"), 24 };
	conf.ifaces[1].naddrs = 2;
	routes[0] = (struct conf_route){ .dst = A("0.0.0.0"), .plen = 0, .gateway = A("1.1.1.254"),
	    .iface = 0, .distance = 1 };
	routes[1] = (struct conf_route){ .dst = A("10.0.0.0"), .plen = 8, .gateway = A("192.168.1.5"),
	    .iface = 1, .distance = 1 };
	routes[2] = (struct conf_route){ .dst = A("10.1.0.0"), .plen = 16, .gateway = A("1.1.1.253"),
	    .iface = 0, .distance = 1 };
	conf.routes = routes;
	conf.nroutes = 3;
}

START_TEST(test_lpm)
{
	struct route_table *rt = route_build(&conf);
	const struct route *r;

	r = route_lookup(rt, A("8.8.8.8"));
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->kind, ROUTE_STATIC);
	ck_assert_uint_eq(r->gateway, A("1.1.1.254"));
	ck_assert_uint_eq(route_nexthop(r, A("8.8.8.8")), A("1.1.1.254"));

	r = route_lookup(rt, A("10.2.3.4"));
	ck_assert_int_eq(r->iface, 1);
	ck_assert_uint_eq(r->plen, 8);
	r = route_lookup(rt, A("10.1.3.4"));	/* the /16 wins over the /8 */
	ck_assert_int_eq(r->iface, 0);
	ck_assert_uint_eq(r->plen, 16);

	r = route_lookup(rt, A("192.168.1.77"));
	ck_assert_int_eq(r->kind, ROUTE_CONNECTED);
	ck_assert_int_eq(r->iface, 1);
	ck_assert_uint_eq(route_nexthop(r, A("192.168.1.77")),
	    A("192.168.1.77"));

	r = route_lookup(rt, A("192.168.1.100"));
	ck_assert_int_eq(r->kind, ROUTE_LOCAL);
	ck_assert(route_is_local(rt, A("1.1.1.1")));
	ck_assert(route_is_local(rt, A("192.168.1.1")));
	ck_assert(!route_is_local(rt, A("1.1.1.254")));
	/* two addresses in one subnet give one connected route */
	ck_assert_int_eq(route_count(rt), 3 + 2 + 3);
	route_free(rt);
}
END_TEST

START_TEST(test_no_default)
{
	struct route_table *rt;

	conf.nroutes = 0;
	rt = route_build(&conf);
	ck_assert_ptr_null(route_lookup(rt, A("8.8.8.8")));
	ck_assert_ptr_nonnull(route_lookup(rt, A("1.1.1.9")));
	route_free(rt);
}
END_TEST

/* A static route as specific as a connected one loses to it. */
START_TEST(test_connected_beats_static)
{
	struct conf_route r1 = { .dst = A("192.168.1.0"), .plen = 24, .gateway = A("1.1.1.254"),
	    .iface = 0, .distance = 1 };
	struct route_table *rt;

	conf.routes = &r1;
	conf.nroutes = 1;
	rt = route_build(&conf);
	ck_assert_int_eq(route_lookup(rt, A("192.168.1.9"))->kind,
	    ROUTE_CONNECTED);
	route_free(rt);
}
END_TEST

/*
 * Policy routing: a marked table is looked up first and falls back to
 * main; among routes to one destination the lowest distance whose
 * gateway answers wins; the router's own addresses win over any mark;
 * discarding routes are found like any other.
 */
START_TEST(test_tables_distance_gateways)
{
	struct conf_route rs[6] = {
		{ .dst = 0, .plen = 0, .gateway = A("1.1.1.254"), .iface = 0,
		    .distance = 1, .check_gateway = true },
		{ .dst = 0, .plen = 0, .gateway = A("1.1.1.253"), .iface = 0,
		    .distance = 2 },
		{ .dst = 0, .plen = 0, .gateway = A("192.168.1.254"), .iface = 1,
		    .distance = 1, .table = 7 },
		{ .dst = A("10.0.0.0"), .plen = 8, .iface = -1, .distance = 1,
		    .kind = ROUTE_BLACKHOLE },
		{ .dst = A("172.16.0.0"), .plen = 12, .iface = -1, .distance = 1,
		    .kind = ROUTE_PROHIBIT },
		{ .dst = A("10.0.0.0"), .plen = 8, .iface = -1, .distance = 1,
		    .table = 7, .kind = ROUTE_UNREACHABLE },
	};
	struct route_table *rt;
	const struct route *r;
	uint32_t gws[4];
	int ifs[4];

	conf.routes = rs;
	conf.nroutes = 6;
	rt = route_build(&conf);
	/* main: distance 1 while its gateway answers */
	r = route_lookup_table(rt, 0, A("8.8.8.8"));
	ck_assert_uint_eq(r->gateway, A("1.1.1.254"));
	/* table 7: its own default */
	r = route_lookup_table(rt, 7, A("8.8.8.8"));
	ck_assert_uint_eq(r->gateway, A("192.168.1.254"));
	ck_assert_uint_eq(r->table, 7);
	/* a mark with no table of its own: main */
	r = route_lookup_table(rt, 9, A("8.8.8.8"));
	ck_assert_uint_eq(r->gateway, A("1.1.1.254"));
	/* the router's own address, whatever the mark */
	r = route_lookup_table(rt, 7, A("1.1.1.1"));
	ck_assert_int_eq(r->kind, ROUTE_LOCAL);
	/* discarding routes, per table */
	ck_assert_int_eq(route_lookup(rt, A("10.9.9.9"))->kind,
	    ROUTE_BLACKHOLE);
	ck_assert(route_discards(route_lookup(rt, A("10.9.9.9"))));
	ck_assert_int_eq(route_lookup_table(rt, 7, A("10.9.9.9"))->kind,
	    ROUTE_UNREACHABLE);
	ck_assert_int_eq(route_lookup(rt, A("172.20.0.1"))->kind,
	    ROUTE_PROHIBIT);
	ck_assert_str_eq(route_kind_name(ROUTE_BLACKHOLE), "blackhole");
	/* one gateway to check */
	ck_assert_int_eq(route_gateways(rt, gws, ifs, 4), 1);
	ck_assert_uint_eq(gws[0], A("1.1.1.254"));
	ck_assert_int_eq(ifs[0], 0);
	/* it stops answering: distance 2 takes over; back when it answers */
	ck_assert(route_gateway_set(rt, A("1.1.1.254"), false));
	ck_assert(!route_gateway_set(rt, A("1.1.1.254"), false));
	r = route_lookup_table(rt, 0, A("8.8.8.8"));
	ck_assert_uint_eq(r->gateway, A("1.1.1.253"));
	ck_assert_uint_eq(r->distance, 2);
	ck_assert(route_gateway_set(rt, A("1.1.1.254"), true));
	r = route_lookup_table(rt, 0, A("8.8.8.8"));
	ck_assert_uint_eq(r->gateway, A("1.1.1.254"));
	route_free(rt);
}
END_TEST

static Suite *
route_suite(void)
{
	Suite *s = suite_create("route");
	TCase *tc = tcase_create("lpm");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_lpm);
	tcase_add_test(tc, test_no_default);
	tcase_add_test(tc, test_connected_beats_static);
	tcase_add_test(tc, test_tables_distance_gateways);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(route_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
