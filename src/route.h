/* SPDX-License-Identifier: ISC */
/* The routing table: connected and static routes, longest-prefix match. */
#ifndef HAIRPIND_ROUTE_H
#define HAIRPIND_ROUTE_H

#include <stdbool.h>
#include <stdint.h>

enum route_kind { ROUTE_CONNECTED, ROUTE_STATIC, ROUTE_LOCAL };

struct route {
	uint32_t dst;		/* network order, masked */
	uint8_t plen;
	uint32_t gateway;	/* network order; 0: on-link */
	int iface;
	enum route_kind kind;
	uint8_t distance;	/* 0 connected and local; /ip route distance */
};

struct route_table;
struct config;

/* route_build() - connected routes of every interface address, local
   /32s of the router's own addresses, then the static routes. */
struct route_table *route_build(const struct config *conf);
void route_free(struct route_table *rt);

/**
 * route_lookup() - longest-prefix match for @dst (network order).
 * Return: the route, or NULL when nothing matches. A ROUTE_LOCAL result
 * means @dst is one of the router's own addresses.
 */
const struct route *route_lookup(const struct route_table *rt, uint32_t dst);

/* route_nexthop() - where to send a packet for @dst over @r. */
static inline uint32_t
route_nexthop(const struct route *r, uint32_t dst)
{
	return r->gateway != 0 ? r->gateway : dst;
}

/* route_is_local() - is @addr one of the router's own addresses? */
bool route_is_local(const struct route_table *rt, uint32_t addr);

int route_count(const struct route_table *rt);
const struct route *route_get(const struct route_table *rt, int i);
const char *route_kind_name(enum route_kind k);

#endif
