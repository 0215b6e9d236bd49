/* SPDX-License-Identifier: ISC */
/* The routing table: connected and static routes, longest-prefix match. */
#ifndef HAIRPIND_ROUTE_H
#define HAIRPIND_ROUTE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * ROUTE_BLACKHOLE drops silently, ROUTE_UNREACHABLE answers host
 * unreachable, ROUTE_PROHIBIT administratively prohibited: RouterOS's
 * blackhole and type= routes. They have no interface (iface -1).
 */
enum route_kind { ROUTE_CONNECTED, ROUTE_STATIC, ROUTE_LOCAL,
	ROUTE_BLACKHOLE, ROUTE_UNREACHABLE, ROUTE_PROHIBIT };

/* route_discards() - a route that sends nowhere (blackhole and kin). */
#define route_discards(r) ((r)->kind >= ROUTE_BLACKHOLE)

struct route {
	uint32_t dst;		/* network order, masked */
	uint8_t plen;
	uint32_t gateway;	/* network order; 0: on-link */
	int iface;
	enum route_kind kind;
	uint8_t distance;	/* 0 connected and local; /ip route distance */
	uint16_t table;		/* routing table (a names.h mark id), 0 main */
	bool check_gateway;	/* check-gateway=ping */
	bool gw_up;		/* the gateway answers (always, unchecked) */
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

/*
 * route_lookup_table() - longest-prefix match in routing table @table
 * (a routing mark; 0 is main): the active route of lowest distance. A
 * table with no route for @dst falls back to main, as RouterOS v6's
 * routing marks do, so a marked packet to a connected subnet still
 * arrives.
 */
const struct route *route_lookup_table(const struct route_table *rt,
    uint16_t table, uint32_t dst);

/*
 * route_gateways() - the distinct gateways of check-gateway=ping routes,
 * for the prober; route_gateway_set() marks one up or down in every
 * route through it. Return of set: true when any route changed.
 */
int route_gateways(const struct route_table *rt, uint32_t *gw, int *iface,
    int max);
bool route_gateway_set(struct route_table *rt, uint32_t gw, bool up);

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
