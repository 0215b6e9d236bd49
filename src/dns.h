/* SPDX-License-Identifier: ISC */
/*
 * The router as a DNS server (SPEC section 10, RouterOS /ip dns): static
 * entries, forwarding to upstream servers with a bounded cache, and
 * split-horizon answers for internal clients. The wire format is ldns's.
 *
 * The server's sockets are ordinary kernel sockets in a private network
 * namespace whose only link is a TUN holding the router's own addresses
 * (dns_punt.c); docs/DNS.md says why. The forwarding path never sees any
 * of this: only packets to the router itself are looked at.
 */
#ifndef HAIRPIND_DNS_H
#define HAIRPIND_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct router;
struct config;
struct pkt;

/* Counters for `metrics` and `status`. */
struct dns_stats {
	uint64_t queries_udp;		/* client queries over UDP */
	uint64_t queries_tcp;		/* ... and over TCP */
	uint64_t answered_static;	/* answered from a static entry */
	uint64_t cache_hits;
	uint64_t cache_misses;		/* sent upstream */
	uint64_t upstream_queries;	/* datagrams/streams to servers */
	uint64_t upstream_retries;	/* timeouts or errors: next server */
	uint64_t upstream_tcp;		/* truncated answers fetched again */
	uint64_t upstream_failures;	/* SERVFAIL after every server */
	uint64_t refused;		/* queries from a link not allowed */
	uint64_t malformed;		/* FORMERR answered or dropped */
	uint64_t overload;		/* max-concurrent-queries reached */
	uint64_t tcp_refused;		/* max-concurrent-tcp-sessions reached */
	uint64_t tcp_timeouts;		/* idle or slow TCP clients closed */
	uint64_t split_rewrites;	/* A records rewritten (split-horizon) */
	uint64_t punt_drops;		/* packets to/from the resolver lost */
	uint64_t cache_entries;		/* gauge */
	uint64_t cache_bytes;		/* gauge */
};

/**
 * dns_start() - when the config has a dns: section, make the private
 * namespace and its TUN (dns_punt.c) and open the server's sockets there.
 * Call as root, after the TAPs and the control socket are open and before
 * the privilege drop: the daemon stays in that namespace afterwards.
 * Return: 0 (also when there is no dns: section), or -1 with *@cause.
 */
int dns_start(struct router *r, char **cause);
void dns_stop(struct router *r);

/*
 * For unit tests and fuzzers: a server for @r's dns config with no
 * namespace and no sockets (r->dns is set; dns_stop() frees it). Queries
 * that would go upstream are answered SERVFAIL.
 */
struct dns *dns_create_detached(struct router *r);

/**
 * dns_input() - one client query, as if it came over TCP (@tcp) or UDP
 * from an internal client or not. The answer the server would send at
 * once is copied to @out (at most @outmax bytes).
 * Return: the answer's length, 0 when none (dropped).
 */
size_t dns_input(struct dns *d, const uint8_t *query, size_t len, bool tcp,
    bool internal, uint8_t *out, size_t outmax);

/* dns_reconfigure() - after a reload: new servers, statics, limits. */
void dns_reconfigure(struct router *r);

/**
 * dns_punt_input() - a UDP or TCP packet to one of the router's addresses:
 * hand it to the resolver when it is a query from an allowed link or part
 * of the resolver's own traffic.
 * Return: true when taken (the caller is done with it).
 */
bool dns_punt_input(struct router *r, int in_if, struct pkt *p);

/* dns_trace_note() - plain words for `trace` on a packet punted. */
void dns_trace_note(const struct pkt *p, char *buf, size_t len);

/* dns_flush() - empty the cache. Return: entries removed. */
uint64_t dns_flush(struct router *r);

/* dns_stats_get() - counters; NULL when DNS is not running. */
const struct dns_stats *dns_stats_get(const struct router *r);

/* One row of `hairpinctl dns`. */
struct dns_row {
	const char *name, *type, *data;
	uint32_t ttl;
	bool is_static;
};
typedef void (*dns_row_fn)(void *arg, const struct dns_row *row);

/* dns_foreach() - static entries, then every cached record. */
void dns_foreach(struct router *r, dns_row_fn fn, void *arg);

/*
 * dns_split_notes() - for `hairpind -t` and the start-up log: with
 * split-horizon auto, one line per dst-nat rule whose public address can
 * not be rewritten, and why. @fn gets each formatted note.
 */
void dns_split_notes(const struct config *c, void (*fn)(void *arg,
    const char *note), void *arg);

#endif
