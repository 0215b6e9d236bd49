/* SPDX-License-Identifier: ISC */
/*
 * Conntrack at scale: memory per entry, insert and lookup rates, and how
 * long expiring a full table takes in budgeted slices.
 *
 * Usage: ct_scale [N [BUDGET]]   (defaults 1000000 and 10000)
 * Prints one "key: value" per line.
 *
 * A second fill (keys one_endpoint_*) is the other shape of a full table:
 * one internal endpoint, 192.168.1.10:41000, masqueraded to 1.1.1.1 and
 * talking to N destinations (a DHT node, a resolver), every entry holding
 * a reference to the one NAT port mapping as the router takes it.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ct.h"
#include "natport.h"

#define T0 1000u

static const struct conf_timeouts timeouts = {
	.tcp_syn_sent = 120, .tcp_syn_received = 60,
	.tcp_established = 7440, .tcp_fin_wait = 120,
	.tcp_close_wait = 60, .tcp_last_ack = 30, .tcp_time_wait = 120,
	.tcp_close = 10, .udp = 30, .udp_stream = 180, .icmp = 30,
	.generic = 600,
};

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Resident bytes of this process, from /proc/self/statm. */
static long
rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size, resident;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &resident) != 2)
		resident = -1;
	fclose(f);
	return resident < 0 ? -1 : resident * sysconf(_SC_PAGESIZE);
}

/* Connection @i: 10.x.y.z:(1024 + i / 2^24) -> 8.8.8.8:53, UDP. */
static void
tuple(uint32_t i, struct ct_tuple *o, struct ct_tuple *r)
{
	memset(o, 0, sizeof(*o));
	o->src = htonl(0x0a000000u | (i & 0xffffff));
	o->dst = htonl(0x08080808);
	o->sport = htons((uint16_t)(1024 + (i >> 24)));
	o->dport = htons(53);
	o->proto = IPPROTO_UDP;
	ct_tuple_invert(r, o);
}

/*
 * Fill a fresh table from one internal endpoint to @n destinations, each
 * through natport_get() as masquerade does: what memory per entry that
 * takes, and that no entry is refused for the mapping's sake.
 */
static int
one_endpoint(uint32_t n)
{
	struct ct_table *t;
	struct natport *np;
	struct ct_tuple o, r;
	struct ct_pkt p;
	uint16_t eport;
	long rss0, rss1;
	double t0, t1;
	uint32_t i;

	memset(&p, 0, sizeof(p));
	p.wscale = -1;
	p.len = 100;
	rss0 = rss_bytes();
	t = ct_create(n, &timeouts, T0);
	np = natport_create();
	t0 = now_sec();
	for (i = 0; i < n; i++) {
		memset(&o, 0, sizeof(o));
		o.src = htonl(0xc0a8010a);		/* 192.168.1.10 */
		o.sport = htons(41000);
		o.dst = htonl(0x0b000000u + i);	/* 11.0.0.0 + i */
		o.dport = htons(53);
		o.proto = IPPROTO_UDP;
		if (natport_get(np, IPPROTO_UDP, htonl(0x01010101), o.src,
		    o.sport, 0, 0, false, &eport) == -1) {
			fprintf(stderr, "ct_scale: one endpoint: mapping "
			    "refused at session %u\n", i);
			return 1;
		}
		r.src = o.dst;
		r.dst = htonl(0x01010101);
		r.sport = o.dport;
		r.dport = eport;
		r.proto = IPPROTO_UDP;
		if (ct_insert(t, &o, &r, CT_F_SNAT | CT_F_PORTMAP, &p, T0) ==
		    NULL) {
			fprintf(stderr, "ct_scale: one endpoint: insert %u "
			    "failed\n", i);
			return 1;
		}
	}
	t1 = now_sec();
	rss1 = rss_bytes();
	printf("one_endpoint_entries: %u\n", ct_count(t));
	printf("one_endpoint_mappings: %u\n", natport_count(np));
	printf("one_endpoint_rss_bytes_per_entry: %.1f\n",
	    (double)(rss1 - rss0) / n);
	printf("one_endpoint_ct_memory_bytes_per_entry: %.1f\n",
	    (double)ct_memory(t) / n);
	printf("one_endpoint_inserts_per_sec: %.0f\n", n / (t1 - t0));
	ct_destroy(t);
	natport_destroy(np);
	return 0;
}

int
main(int argc, char **argv)
{
	uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1000000;
	unsigned int budget = argc > 2 ? (unsigned int)strtoul(argv[2], NULL,
	    10) : 10000;
	struct ct_table *t;
	struct ct_tuple o, r;
	struct ct_pkt p;
	double t0, t1, slice, max_slice = 0, total = 0;
	long rss0, rss1;
	uint32_t i, found = 0, slices = 0, left;
	bool more;

	if (n == 0 || budget == 0) {
		fprintf(stderr, "usage: ct_scale [N [BUDGET]]\n");
		return 2;
	}
	memset(&p, 0, sizeof(p));
	p.wscale = -1;
	p.len = 100;

	rss0 = rss_bytes();
	t = ct_create(n, &timeouts, T0);

	t0 = now_sec();
	for (i = 0; i < n; i++) {
		tuple(i, &o, &r);
		if (ct_insert(t, &o, &r, 0, &p, T0) == NULL) {
			fprintf(stderr, "ct_scale: insert %u failed\n", i);
			return 1;
		}
	}
	t1 = now_sec();
	rss1 = rss_bytes();
	printf("entries: %u\n", ct_count(t));
	printf("rss_bytes_per_entry: %.1f\n", (double)(rss1 - rss0) / n);
	printf("ct_memory_bytes_per_entry: %.1f\n",
	    (double)ct_memory(t) / n);
	printf("inserts_per_sec: %.0f\n", n / (t1 - t0));

	/* Lookups in a scattered order, half by the reply tuple. */
	t0 = now_sec();
	for (i = 0; i < n; i++) {
		uint32_t j = (uint32_t)(((uint64_t)i * 2654435761u) % n);
		enum ct_dir d;

		tuple(j, &o, &r);
		if (ct_lookup(t, (i & 1) ? &r : &o, &d) != NULL)
			found++;
	}
	t1 = now_sec();
	if (found != n) {
		fprintf(stderr, "ct_scale: %u of %u found\n", found, n);
		return 1;
	}
	printf("lookups_per_sec: %.0f\n", n / (t1 - t0));

	/* Everything is due at once: expire it in slices. */
	do {
		t0 = now_sec();
		more = ct_expire(t, T0 + timeouts.udp, budget);
		slice = now_sec() - t0;
		total += slice;
		if (slice > max_slice)
			max_slice = slice;
		slices++;
	} while (more);
	printf("expire_budget: %u\n", budget);
	printf("expire_slices: %u\n", slices);
	printf("expire_max_slice_ms: %.3f\n", max_slice * 1e3);
	printf("expire_total_ms: %.1f\n", total * 1e3);
	left = ct_count(t);
	printf("entries_after_expire: %u\n", left);
	ct_destroy(t);
	if (left != 0)
		return 1;
	return one_endpoint(n);
}
