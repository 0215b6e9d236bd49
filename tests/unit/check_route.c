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
	routes[0] = (struct conf_route){ A("0.0.0.0"), 0, A("1.1.1.254"), 0,
	    1, { 0, 0 } };
	routes[1] = (struct conf_route){ A("10.0.0.0"), 8, A("192.168.1.5"),
	    1, 1, { 0, 0 } };
	routes[2] = (struct conf_route){ A("10.1.0.0"), 16, A("1.1.1.253"), 0,
	    1, { 0, 0 } };
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
	struct conf_route r1 = { A("192.168.1.0"), 24, A("1.1.1.254"), 0,
	    1, { 0, 0 } };
	struct route_table *rt;

	conf.routes = &r1;
	conf.nroutes = 1;
	rt = route_build(&conf);
	ck_assert_int_eq(route_lookup(rt, A("192.168.1.9"))->kind,
	    ROUTE_CONNECTED);
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
