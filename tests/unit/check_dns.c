/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the DNS server (dns.c, dns_cache.c, dns_split.c) and the
 * dns: section of the configuration: answers are built by a server with
 * no sockets (dns_create_detached) and read back with ldns.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "conf.h"
#include "dns.h"
#include "dns_cache.h"
#include "dns_int.h"
#include "dns_split.h"
#include "route.h"
#include "router.h"

#define SEED \
	"interfaces:\n" \
	"  - { name: wan, tap: t-wan, addresses: [1.1.1.1/24, 1.1.1.2/24] }\n" \
	"  - { name: lan, tap: t-lan, addresses: [192.168.1.1/24] }\n" \
	"routes:\n" \
	"  - { dst: 0.0.0.0/0, gateway: 1.1.1.254 }\n" \
	"nat:\n" \
	"  - chain=dstnat dst-address=1.1.1.1 protocol=tcp dst-port=80 action=dst-nat to-addresses=192.168.1.2\n" \
	"  - chain=dstnat dst-address=1.1.1.2 action=dst-nat to-addresses=192.168.1.5\n" \
	"  - chain=dstnat dst-address=1.1.1.16/28 action=netmap to-addresses=192.168.1.16/28\n" \
	"  - chain=srcnat out-interface=wan action=masquerade\n"

static const char dns_yaml[] = SEED
    "dns:\n"
    "  servers: [2.2.2.53]\n"
    "  allow-remote-requests: yes\n"
    "  split-horizon: auto\n"
    "  cache-size: 64KiB\n"
    "  static:\n"
    "    - { name: www.example.test, address: 192.168.1.2 }\n"
    "    - { name: WWW.Example.TEST, address: 192.168.1.4 }\n"
    "    - { name: v6.example.test, address: '2001:db8::1' }\n"
    "    - { regexp: '^[a-z]+\\.lab\\.example$', address: 192.168.1.3, ttl: 5m }\n"
    "    - { name: alias.example.test, type: CNAME, cname: www.example.test }\n"
    "    - { name: loop1.example.test, cname: loop2.example.test }\n"
    "    - { name: loop2.example.test, cname: loop1.example.test }\n"
    "    - { name: gone.example.test, type: NXDOMAIN }\n"
    "    - { name: big.example.test, text: \"" \
    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
    "\" }\n"
    "    - { name: _sip._udp.example.test, type: SRV, srv-target: sip.example.test, srv-port: 5060, srv-priority: 1, srv-weight: 2 }\n"
    "    - { name: corp.example, type: FWD, forward-to: 10.0.0.53, match-subdomain: yes }\n";

static struct router R;
static uint8_t ans[65536];

static void
setup_yaml(const char *yaml)
{
	struct conf_errors errs;
	int i;

	memset(&R, 0, sizeof(R));
	R.conf = conf_load_buf("t.yaml", yaml, strlen(yaml), &errs);
	for (i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	ck_assert_ptr_nonnull(R.conf);
	conf_errors_free(&errs);
	router = &R;
	R.nifaces = R.conf->nifaces;
	for (i = 0; i < R.nifaces; i++) {
		R.ifaces[i].idx = i;
		R.ifaces[i].conf = &R.conf->ifaces[i];
		R.ifaces[i].fd = -1;
	}
	R.routes = route_build(R.conf);
	router_conf_derive(&R);
	dns_create_detached(&R);
}

static void
setup(void)
{
	setup_yaml(dns_yaml);
}

static void
teardown(void)
{
	dns_stop(&R);
	route_free(R.routes);
	conf_free(R.conf);
	memset(&R, 0, sizeof(R));
}

/* Ask @name @type; the answer parsed, or NULL when none came. */
static ldns_pkt *
ask(const char *name, ldns_rr_type type, bool tcp, bool internal, bool edns)
{
	ldns_pkt *q = NULL, *a = NULL;
	uint8_t *wire;
	size_t len, n;

	ck_assert_int_eq(ldns_pkt_query_new_frm_str(&q, name, type,
	    LDNS_RR_CLASS_IN, LDNS_RD), LDNS_STATUS_OK);
	ldns_pkt_set_id(q, 0x4242);
	if (edns)
		ldns_pkt_set_edns_udp_size(q, 4096);
	ck_assert_int_eq(ldns_pkt2wire(&wire, q, &len), LDNS_STATUS_OK);
	n = dns_input(R.dns, wire, len, tcp, internal, ans, sizeof(ans));
	free(wire);
	ldns_pkt_free(q);
	if (n == 0)
		return NULL;
	ck_assert_int_eq(ldns_wire2pkt(&a, ans, n), LDNS_STATUS_OK);
	ck_assert_int_eq(ldns_pkt_id(a), 0x4242);
	ck_assert(ldns_pkt_qr(a));
	return a;
}

/* The rdata of answer @i as text. */
static char *
rdata(const ldns_pkt *a, size_t i)
{
	ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_answer(a), i);

	ck_assert_ptr_nonnull(rr);
	return ldns_rdf2str(ldns_rr_rdf(rr, 0));
}

static void
expect_a(const char *name, const char *addr)
{
	ldns_pkt *a = ask(name, LDNS_RR_TYPE_A, false, true, false);
	char *s;

	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(ldns_pkt_get_rcode(a), LDNS_RCODE_NOERROR);
	ck_assert_int_ge(ldns_pkt_ancount(a), 1);
	s = rdata(a, ldns_pkt_ancount(a) > 1 &&
	    ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_answer(a), 0)) ==
	    LDNS_RR_TYPE_CNAME ? ldns_pkt_ancount(a) - 1 : 0);
	ck_assert_str_eq(s, addr);
	free(s);
	ldns_pkt_free(a);
}

START_TEST(static_a)
{
	ldns_pkt *a;
	char *s;

	expect_a("www.example.test.", "192.168.1.2");
	/* names match whatever their case; both entries answer */
	a = ask("wWw.EXAMPLE.test.", LDNS_RR_TYPE_A, false, true, false);
	ck_assert_int_eq(ldns_pkt_ancount(a), 2);
	ck_assert(ldns_pkt_aa(a));
	ldns_pkt_free(a);
	expect_a("host.lab.example.", "192.168.1.3");
	a = ask("v6.example.test.", LDNS_RR_TYPE_AAAA, false, true, false);
	ck_assert_int_eq(ldns_pkt_ancount(a), 1);
	s = rdata(a, 0);
	ck_assert_str_eq(s, "2001:db8::1");
	free(s);
	ldns_pkt_free(a);
	/* a name with only an A has no AAAA: NOERROR, no records */
	a = ask("www.example.test.", LDNS_RR_TYPE_AAAA, false, true, false);
	ck_assert_int_eq(ldns_pkt_get_rcode(a), LDNS_RCODE_NOERROR);
	ck_assert_int_eq(ldns_pkt_ancount(a), 0);
	ldns_pkt_free(a);
}
END_TEST

START_TEST(static_ttl_regexp)
{
	ldns_pkt *a = ask("abc.lab.example.", LDNS_RR_TYPE_A, false, true,
	    false);

	ck_assert_uint_eq(ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_answer(a), 0)),
	    300);
	ldns_pkt_free(a);
	/* the regexp is anchored: a deeper name does not match it; it goes
	   upstream, which a detached server answers SERVFAIL */
	a = ask("x.abc.lab.example.", LDNS_RR_TYPE_A, false, true, false);
	ck_assert_int_eq(ldns_pkt_get_rcode(a), LDNS_RCODE_SERVFAIL);
	ldns_pkt_free(a);
}
END_TEST

START_TEST(static_cname_nx_srv)
{
	ldns_pkt *a;
	char *s;

	a = ask("alias.example.test.", LDNS_RR_TYPE_A, false, true, false);
	ck_assert_int_eq(ldns_pkt_ancount(a), 3);
	s = rdata(a, 0);
	ck_assert_str_eq(s, "www.example.test.");
	free(s);
	ldns_pkt_free(a);

	/* a CNAME loop ends in SERVFAIL, not a hang */
	a = ask("loop1.example.test.", LDNS_RR_TYPE_A, false, true, false);
	ck_assert_int_eq(ldns_pkt_get_rcode(a), LDNS_RCODE_SERVFAIL);
	ldns_pkt_free(a);

	a = ask("gone.example.test.", LDNS_RR_TYPE_A, false, true, false);
	ck_assert_int_eq(ldns_pkt_get_rcode(a), LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(a);

	a = ask("_sip._udp.example.test.", LDNS_RR_TYPE_SRV, false, true,
	    false);
	ck_assert_int_eq(ldns_pkt_ancount(a), 1);
	s = ldns_rr2str(ldns_rr_list_rr(ldns_pkt_answer(a), 0));
	ck_assert_msg(strstr(s, "1 2 5060 sip.example.test.") != NULL, "%s", s);
	free(s);
	ldns_pkt_free(a);
}
END_TEST

START_TEST(truncation)
{
	ldns_pkt *a;

	/* 600 bytes of TXT: too big for 512-byte UDP without EDNS0 */
	a = ask("big.example.test.", LDNS_RR_TYPE_TXT, false, true, false);
	ck_assert(ldns_pkt_tc(a));
	ck_assert_int_eq(ldns_pkt_ancount(a), 0);
	ldns_pkt_free(a);
	a = ask("big.example.test.", LDNS_RR_TYPE_TXT, false, true, true);
	ck_assert(!ldns_pkt_tc(a));
	ck_assert_int_eq(ldns_pkt_ancount(a), 1);
	ck_assert(ldns_pkt_edns(a));
	ldns_pkt_free(a);
	a = ask("big.example.test.", LDNS_RR_TYPE_TXT, true, true, false);
	ck_assert(!ldns_pkt_tc(a));
	ck_assert_int_eq(ldns_pkt_ancount(a), 1);
	ldns_pkt_free(a);
}
END_TEST

/* An upstream answer put in the cache, then asked by both kinds of client. */
static void
cache_answer(const char *name, const char *addr, uint32_t ttl)
{
	char line[256];
	ldns_pkt *p = NULL;
	ldns_rr *rr = NULL;
	ldns_rdf *owner;
	uint8_t *wire, key[256];
	size_t len, keylen, i;

	ck_assert_int_eq(ldns_pkt_query_new_frm_str(&p, name, LDNS_RR_TYPE_A,
	    LDNS_RR_CLASS_IN, LDNS_RD), LDNS_STATUS_OK);
	ldns_pkt_set_qr(p, true);
	snprintf(line, sizeof(line), "%s %u IN A %s", name, ttl, addr);
	ck_assert_int_eq(ldns_rr_new_frm_str(&rr, line, 0, NULL, NULL),
	    LDNS_STATUS_OK);
	ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
	ck_assert_int_eq(ldns_pkt2wire(&wire, p, &len), LDNS_STATUS_OK);
	owner = ldns_dname_new_frm_str(name);
	keylen = ldns_rdf_size(owner);
	memcpy(key, ldns_rdf_data(owner), keylen);
	for (i = 0; i < keylen; i++)
		if (key[i] >= 'A' && key[i] <= 'Z')
			key[i] += 32;
	dns_cache_put(R.dns->cache, key, keylen, LDNS_RR_TYPE_A,
	    LDNS_RR_CLASS_IN, wire, len, ttl, router_now_ms());
	ldns_rdf_deep_free(owner);
	free(wire);
	ldns_pkt_free(p);
}

START_TEST(split_horizon)
{
	ldns_pkt *a;
	char *s;

	cache_answer("full.example.test.", "1.1.1.2", 300);
	cache_answer("web.example.test.", "1.1.1.1", 300);
	cache_answer("net.example.test.", "1.1.1.20", 300);

	/* 1.1.1.2 is dst-nat'ed whole to 192.168.1.5 */
	a = ask("full.example.test.", LDNS_RR_TYPE_A, false, true, false);
	s = rdata(a, 0);
	ck_assert_str_eq(s, "192.168.1.5");
	free(s);
	ldns_pkt_free(a);
	a = ask("full.example.test.", LDNS_RR_TYPE_A, false, false, false);
	s = rdata(a, 0);
	ck_assert_str_eq(s, "1.1.1.2");
	free(s);
	ldns_pkt_free(a);
	/* 1.1.1.1 only for tcp/80: unchanged */
	a = ask("web.example.test.", LDNS_RR_TYPE_A, false, true, false);
	s = rdata(a, 0);
	ck_assert_str_eq(s, "1.1.1.1");
	free(s);
	ldns_pkt_free(a);
	/* netmap keeps the host part */
	a = ask("NET.example.test.", LDNS_RR_TYPE_A, false, true, false);
	s = rdata(a, 0);
	ck_assert_str_eq(s, "192.168.1.20");
	free(s);
	ck_assert_uint_eq(R.dns->st.cache_hits, 4);
	ck_assert_uint_eq(R.dns->st.split_rewrites, 2);
	ldns_pkt_free(a);
}
END_TEST

START_TEST(split_notes)
{
	struct dns_split_ent m[DNS_SPLIT_MAX];
	uint32_t to;
	int n = dns_split_build(R.conf, m, NULL, NULL);

	ck_assert_int_eq(n, 2);
	ck_assert(dns_split_lookup(m, n, inet_addr("1.1.1.17"), &to));
	ck_assert_uint_eq(to, inet_addr("192.168.1.17"));
	ck_assert(!dns_split_lookup(m, n, inet_addr("1.1.1.1"), &to));
}
END_TEST

START_TEST(malformed)
{
	/* name = a compression pointer to itself */
	static const uint8_t loop[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0,
		0, 0, 0, 0, 0xc0, 0x0c, 0, 1, 0, 1 };
	static const uint8_t resp[] = { 0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0,
		0, 0, 0, 0, 0, 0, 1, 0, 1 };
	static const uint8_t two_q[] = { 0x12, 0x34, 0x01, 0x00, 0, 2, 0, 0,
		0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1 };
	size_t n;

	n = dns_input(R.dns, loop, sizeof(loop), false, true, ans,
	    sizeof(ans));
	ck_assert_uint_eq(n, 12);
	ck_assert_int_eq(ans[0], 0x12);
	ck_assert_int_eq(ans[3] & 0x0f, LDNS_RCODE_FORMERR);
	ck_assert_int_eq(ans[2] & 0x80, 0x80);
	/* an answer is never answered (no loops between servers) */
	ck_assert_uint_eq(dns_input(R.dns, resp, sizeof(resp), false, true,
	    ans, sizeof(ans)), 0);
	ck_assert_uint_eq(dns_input(R.dns, loop, 11, false, true, ans,
	    sizeof(ans)), 0);
	n = dns_input(R.dns, two_q, sizeof(two_q), false, true, ans,
	    sizeof(ans));
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(ans[3] & 0x0f, LDNS_RCODE_FORMERR);
	ck_assert_uint_eq(R.dns->st.malformed, 4);
}
END_TEST

START_TEST(cache_bounds)
{
	struct dns_cache *c = dns_cache_create(4096);
	uint8_t key[8] = { 1, 'a', 0 }, wire[300];
	const uint8_t *w;
	size_t len;
	uint32_t age;
	int i;

	memset(wire, 0x55, sizeof(wire));
	dns_cache_put(c, key, 3, 1, 1, wire, 100, 10, 1000);
	ck_assert(dns_cache_get(c, key, 3, 1, 1, 5000, &w, &len, &age));
	ck_assert_uint_eq(len, 100);
	ck_assert_uint_eq(age, 4);
	ck_assert(!dns_cache_get(c, key, 3, 28, 1, 5000, &w, &len, &age));
	/* expired: gone */
	ck_assert(!dns_cache_get(c, key, 3, 1, 1, 11000, &w, &len, &age));
	ck_assert_uint_eq(dns_cache_count(c), 0);
	/* many answers: the bytes stay under the bound, the newest stay */
	for (i = 0; i < 100; i++) {
		key[1] = (uint8_t)('a' + i % 26);
		key[2] = (uint8_t)i;
		dns_cache_put(c, key, 3, 1, 1, wire, sizeof(wire), 60, 1000);
		ck_assert_uint_le(dns_cache_bytes(c), 4096);
	}
	ck_assert(dns_cache_get(c, key, 3, 1, 1, 2000, &w, &len, &age));
	ck_assert_uint_gt(dns_cache_count(c), 5);
	/* larger than the whole cache: not stored */
	dns_cache_resize(c, 200);
	ck_assert_uint_eq(dns_cache_count(c), 0);
	dns_cache_put(c, key, 3, 1, 1, wire, sizeof(wire), 60, 1000);
	ck_assert_uint_eq(dns_cache_count(c), 0);
	dns_cache_resize(c, 4096);
	dns_cache_put(c, key, 3, 1, 1, wire, sizeof(wire), 60, 1000);
	ck_assert_uint_eq(dns_cache_flush(c), 1);
	dns_cache_destroy(c);
}
END_TEST

/* --- the dns: section -------------------------------------------------- */

static char joined[8192];

static void
expect_errors(const char *dns, const char *errors)
{
	char yaml[4096];
	struct conf_errors errs;
	struct config *c;
	size_t off = 0;
	int i;

	snprintf(yaml, sizeof(yaml), SEED "%s", dns);
	c = conf_load_buf("t.yaml", yaml, strlen(yaml), &errs);
	joined[0] = '\0';
	for (i = 0; i < errs.n; i++)
		off += (size_t)snprintf(joined + off, sizeof(joined) - off,
		    "%s%s", i ? "\n" : "", errs.msgs[i]);
	conf_errors_free(&errs);
	ck_assert_ptr_null(c);
	ck_assert_str_eq(joined, errors);
}

START_TEST(conf_values)
{
	const struct conf_dns *d = &R.conf->dns;

	ck_assert(d->configured);
	ck_assert(d->allow_remote);
	ck_assert(d->split_horizon);
	ck_assert_int_eq(d->nservers, 1);
	ck_assert_uint_eq(d->servers[0], inet_addr("2.2.2.53"));
	ck_assert_uint_eq(d->cache_size, 65536);
	ck_assert_int_eq(d->nstatics, 11);
	ck_assert_str_eq(d->statics[1].name, "www.example.test");
	ck_assert_int_eq(d->statics[2].type, CONF_DNS_AAAA);
	ck_assert_int_eq(d->statics[5].type, CONF_DNS_CNAME);
	ck_assert_uint_eq(d->statics[10].forward_to, inet_addr("10.0.0.53"));
	ck_assert(d->statics[10].match_subdomain);
	ck_assert_uint_eq(d->statics[0].ttl, 86400);
	/* the default: every link that is not external answers */
	ck_assert(!dns_allowed(R.dns, 0));
	ck_assert(dns_allowed(R.dns, 1));
}
END_TEST

START_TEST(conf_errors)
{
	expect_errors("dns:\n  server: [2.2.2.53]\n",
	    "t.yaml:12:3: unknown key \"server\" in dns (did you mean "
	    "\"servers\"?)\n      server: [2.2.2.53]\n      ^");
	/* the rest: tests/config/bad/dns.yaml */
}
END_TEST

/* /ip dns and /ip dns static in an export mean what dns: means */
START_TEST(conf_routeros)
{
	static const char yaml[] =
	    "interfaces:\n"
	    "  - { name: ether1, tap: t-wan, addresses: [1.1.1.1/24] }\n"
	    "  - { name: bridge, tap: t-lan, addresses: [192.168.1.1/24] }\n"
	    "dns:\n"
	    "  static:\n"
	    "    - { name: first.test, address: 10.0.0.1 }\n"
	    "routeros: |\n"
	    "  /ip dns\n"
	    "  set allow-remote-requests=yes servers=2.2.2.53,8.8.8.8 \\\n"
	    "      cache-size=4096KiB query-total-timeout=3s\n"
	    "  /ip dns static\n"
	    "  add address=192.168.1.2 name=www.example.test\n"
	    "  add name=ads.example type=NXDOMAIN ttl=1d00:05:00\n"
	    "  add regexp=\"^x\\\\.test\\$\" address=10.0.0.9\n";
	struct conf_errors errs;
	struct config *c = conf_load_buf("t.yaml", yaml, strlen(yaml), &errs);
	int i;

	for (i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	ck_assert_ptr_nonnull(c);
	conf_errors_free(&errs);
	ck_assert(c->dns.configured);
	ck_assert(c->dns.allow_remote);
	ck_assert_int_eq(c->dns.nservers, 2);
	ck_assert_uint_eq(c->dns.servers[1], inet_addr("8.8.8.8"));
	ck_assert_uint_eq(c->dns.cache_size, 4096 * 1024);
	ck_assert_uint_eq(c->dns.total_timeout_ms, 3000);
	ck_assert_int_eq(c->dns.nstatics, 4);
	/* dns.static first, then the export's, in its order */
	ck_assert_str_eq(c->dns.statics[0].name, "first.test");
	ck_assert_str_eq(c->dns.statics[1].name, "www.example.test");
	ck_assert_int_eq(c->dns.statics[2].type, CONF_DNS_NXDOMAIN);
	ck_assert_uint_eq(c->dns.statics[2].ttl, 86400 + 300);
	ck_assert_str_eq(c->dns.statics[3].regexp, "^x\\.test$");
	conf_free(c);
}
END_TEST

static Suite *
dns_suite(void)
{
	Suite *s = suite_create("dns");
	TCase *tc = tcase_create("server");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, static_a);
	tcase_add_test(tc, static_ttl_regexp);
	tcase_add_test(tc, static_cname_nx_srv);
	tcase_add_test(tc, truncation);
	tcase_add_test(tc, split_horizon);
	tcase_add_test(tc, split_notes);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, conf_values);
	suite_add_tcase(s, tc);
	tc = tcase_create("cache");
	tcase_add_test(tc, cache_bounds);
	suite_add_tcase(s, tc);
	tc = tcase_create("conf");
	tcase_add_test(tc, conf_errors);
	tcase_add_test(tc, conf_routeros);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(dns_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
