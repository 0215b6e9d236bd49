/* SPDX-License-Identifier: ISC */
/*
 * Fuzzer for the DNS server: arbitrary bytes as a client's query (over
 * UDP or TCP, from an internal client or not) through ldns, the static
 * entries, the cache and split-horizon; or as an upstream answer that is
 * cached and then served and listed (`hairpinctl dns`), since upstream
 * servers are as untrusted as clients. The first byte chooses:
 *   bit 0: TCP   bit 1: internal client   bit 2: an upstream answer
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "conf.h"
#include "dns.h"
#include "dns_cache.h"
#include "dns_int.h"
#include "log.h"
#include "route.h"
#include "router.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fz_dns_yaml[] =
    "interfaces:\n"
    "  - { name: wan, tap: fz-wan, addresses: [1.1.1.1/24, 1.1.1.2/24] }\n"
    "  - { name: lan, tap: fz-lan, addresses: [192.168.1.1/24] }\n"
    "routes:\n"
    "  - { dst: 0.0.0.0/0, gateway: 1.1.1.254 }\n"
    "nat:\n"
    "  - chain=dstnat dst-address=1.1.1.2 action=dst-nat to-addresses=192.168.1.5\n"
    "  - chain=dstnat dst-address=1.1.1.16/28 action=netmap to-addresses=192.168.1.16/28\n"
    "  - chain=srcnat out-interface=wan action=masquerade\n"
    "dns:\n"
    "  servers: [2.2.2.53]\n"
    "  allow-remote-requests: yes\n"
    "  split-horizon: auto\n"
    "  cache-size: 256KiB\n"
    "  static:\n"
    "    - { name: www.example.test, address: 192.168.1.2 }\n"
    "    - { name: www.example.test, address: '2001:db8::2' }\n"
    "    - { regexp: '^[a-z]+\\.lab\\.example$', address: 192.168.1.3 }\n"
    "    - { name: alias.example.test, cname: www.example.test }\n"
    "    - { name: a1.example.test, cname: a2.example.test }\n"
    "    - { name: a2.example.test, cname: a1.example.test }\n"
    "    - { name: gone.example.test, type: NXDOMAIN, match-subdomain: yes }\n"
    "    - { name: t.example.test, text: \"a fairly long text record to make answers bigger than a few bytes, repeated: a fairly long text record to make answers bigger than a few bytes, repeated: a fairly long text record to make answers bigger than a few bytes, repeated: a fairly long text record\" }\n"
    "    - { name: example.test, type: MX, mx-exchange: mail.example.test }\n"
    "    - { name: _s._tcp.example.test, type: SRV, srv-target: s.example.test, srv-port: 1 }\n"
    "    - { name: fwd.example, type: FWD, forward-to: 10.0.0.53, match-subdomain: yes }\n";

static struct router fz_r;
static uint8_t fz_out[65536];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct conf_errors errs;
	int i;

	log_init("fuzz", LOG_TARGET_STDERR, LOG_LEVEL_ERR);
	fz_r.conf = conf_load_buf("fuzz_dns.yaml", fz_dns_yaml,
	    strlen(fz_dns_yaml), &errs);
	if (fz_r.conf == NULL) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msgs[i]);
		abort();
	}
	conf_errors_free(&errs);
	router = &fz_r;
	fz_r.nifaces = fz_r.conf->nifaces;
	for (i = 0; i < fz_r.nifaces; i++) {
		fz_r.ifaces[i].idx = i;
		fz_r.ifaces[i].conf = &fz_r.conf->ifaces[i];
		fz_r.ifaces[i].fd = -1;
	}
	fz_r.routes = route_build(fz_r.conf);
	router_conf_derive(&fz_r);
	dns_create_detached(&fz_r);
	return 0;
}

static void
fz_row_cb(void *arg, const struct dns_row *row)
{
	size_t *n = arg;

	/* every field is a string, whatever the cache held */
	*n += strlen(row->name) + strlen(row->type) + strlen(row->data);
}

/* Cache @wire as the answer to its own question, then ask that question. */
static void
fz_upstream(const uint8_t *wire, size_t len, bool tcp, bool internal)
{
	ldns_pkt *up = NULL, *q;
	const ldns_rr *qr;
	uint8_t key[256], *qw;
	size_t keylen, qlen, i, n = 0;

	if (ldns_wire2pkt(&up, wire, len) != LDNS_STATUS_OK)
		return;
	qr = ldns_rr_list_rr(ldns_pkt_question(up), 0);
	if (ldns_pkt_qdcount(up) != 1 || qr == NULL) {
		ldns_pkt_free(up);
		return;
	}
	keylen = ldns_rdf_size(ldns_rr_owner(qr));
	if (keylen > sizeof(key))
		keylen = sizeof(key);
	memcpy(key, ldns_rdf_data(ldns_rr_owner(qr)), keylen);
	for (i = 0; i < keylen; i++)
		if (key[i] >= 'A' && key[i] <= 'Z')
			key[i] += 32;
	dns_cache_put(fz_r.dns->cache, key, keylen, ldns_rr_get_type(qr),
	    ldns_rr_get_class(qr), wire, len, 60, router_now_ms());
	q = ldns_pkt_query_new(ldns_rdf_clone(ldns_rr_owner(qr)),
	    ldns_rr_get_type(qr), ldns_rr_get_class(qr), LDNS_RD);
	if (q != NULL && ldns_pkt2wire(&qw, q, &qlen) == LDNS_STATUS_OK) {
		dns_input(fz_r.dns, qw, qlen, tcp, internal, fz_out,
		    sizeof(fz_out));
		free(qw);
	}
	ldns_pkt_free(q);
	ldns_pkt_free(up);
	dns_foreach(&fz_r, fz_row_cb, &n);
	if (dns_stats_get(&fz_r)->cache_entries > 64)
		dns_flush(&fz_r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ldns_pkt *a = NULL;
	size_t n;
	uint8_t mode;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	if (mode & 4) {
		fz_upstream(data, size, mode & 1, mode & 2);
		return 0;
	}
	n = dns_input(fz_r.dns, data, size, mode & 1, mode & 2, fz_out,
	    sizeof(fz_out));
	if (n == 0)
		return 0;
	/* what we send must parse, or be the 12-byte FORMERR header */
	if (n > 12 && ldns_wire2pkt(&a, fz_out, n) != LDNS_STATUS_OK) {
		fprintf(stderr, "fuzz_dns: the answer does not parse\n");
		abort();
	}
	ldns_pkt_free(a);
	if (n < 12 || !(fz_out[2] & 0x80)) {
		fprintf(stderr, "fuzz_dns: an answer without QR\n");
		abort();
	}
	if (!(mode & 1) && n > 4096) {
		fprintf(stderr, "fuzz_dns: %zu bytes over UDP\n", n);
		abort();
	}
	return 0;
}
