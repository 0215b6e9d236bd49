/* SPDX-License-Identifier: ISC */
/*
 * NAT port mappings, endpoint-independent (RFC 4787 REQ-1, RFC 5382 REQ-1).
 *
 * For every (external address, protocol) in use there is one table of
 * 65536 slots indexed by the external port; a slot holds the internal
 * endpoint that owns the port and a reference count (the connections
 * using it). The external port space is itself an open-addressed hash
 * keyed by the internal endpoint: the probe sequence of internal X:x
 * starts at x (port preservation, REQ-3) and continues with keyed hashes
 * of (X, x, k) inside the allowed range, so finding X:x's existing mapping
 * and finding a free port are the same short walk, bounded by
 * NATPORT_MAX_PROBES. No port is ever shared by two internal endpoints
 * (no port overloading, REQ-3). Freed slots become tombstones so later
 * mappings stay findable.
 *
 * Port class (REQ-3a): with no explicit range, an internal port below
 * 1024 maps into 1-1023 and any other into 1024-65535.
 * For ICMP queries the "port" is the query id.
 */
#ifndef HAIRPIND_NATPORT_H
#define HAIRPIND_NATPORT_H

#include <stdbool.h>
#include <stdint.h>

#define NATPORT_MAX_PROBES 128
/* Mappings (ports, ICMP ids) one internal host may hold per protocol
   class (TCP; UDP and others; ICMP) unless conntrack.nat-ports-per-host
   says otherwise (RFC 6888 REQ-4). */
#define NATPORT_HOST_LIMIT_DEFAULT 8192

struct natport;

struct natport *natport_create(void);
void natport_destroy(struct natport *np);

/**
 * natport_get() - find X:x's mapping on @eaddr, or make one; take a ref.
 * @proto: IPPROTO_TCP, IPPROTO_UDP or IPPROTO_ICMP
 * @eaddr: external address, network order
 * @iaddr, @iport: internal endpoint, network order
 * @lo, @hi: allowed external ports, host order; 0, 0: the port class
 * @randomise: skip port preservation (randomise-ports=yes)
 * @eport: the external port, network order
 * Return: 0, or -1 when no port is free within the probe bound or the
 * internal host already holds its limit of mappings of this class
 * (natport_last_host_limit() then says so).
 */
int natport_get(struct natport *np, uint8_t proto, uint32_t eaddr,
    uint32_t iaddr, uint16_t iport, uint16_t lo, uint16_t hi,
    bool randomise, uint16_t *eport);

/* natport_put() - drop one reference to @eaddr:@eport. */
void natport_put(struct natport *np, uint8_t proto, uint32_t eaddr,
    uint16_t eport);

/**
 * natport_lookup() - who owns @eaddr:@eport? For inbound endpoint-
 * independent filtering and for hairpinning to a mapping (REQ-9).
 * Return: true with the internal endpoint (network order) when mapped.
 */
bool natport_lookup(const struct natport *np, uint8_t proto, uint32_t eaddr,
    uint16_t eport, uint32_t *iaddr, uint16_t *iport);

/* natport_set_host_limit() - mappings one internal host may hold per
   protocol class; 0: no limit. Existing mappings are kept. */
void natport_set_host_limit(struct natport *np, uint32_t limit);
/* Mappings @iaddr holds in @proto's class. */
uint32_t natport_host_count(struct natport *np, uint8_t proto,
    uint32_t iaddr);
/* Was the last natport_get() failure the per-host limit? */
bool natport_last_host_limit(const struct natport *np);
/* New mappings refused by the per-host limit so far. */
uint64_t natport_host_refused(const struct natport *np);

/* Mappings alive now, for metrics. */
uint32_t natport_count(const struct natport *np);
/* Exhaustion failures so far. */
uint64_t natport_failures(const struct natport *np);

#endif
