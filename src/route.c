/* SPDX-License-Identifier: ISC */
/*
 * The routing table. Routes are few (connected subnets, the router's own
 * /32s, a handful of statics), so they sit in one array sorted by prefix
 * length, longest first: the first match is the longest-prefix match, and
 * the whole table stays in a few cache lines.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "route.h"
#include "xmalloc.h"

struct route_table {
	struct route *r;
	int n;
};

static uint32_t
plen_mask(uint8_t plen)
{
	return plen == 0 ? 0 : htonl(~(uint32_t)0 << (32 - plen));
}

static int
kind_rank(enum route_kind k)
{
	return k == ROUTE_LOCAL ? 0 : k == ROUTE_CONNECTED ? 1 : 2;
}

static int
route_cmp(const void *a, const void *b)
{
	const struct route *x = a, *y = b;

	if (x->plen != y->plen)
		return (int)y->plen - (int)x->plen;
	/* local before connected before static at equal length */
	if (kind_rank(x->kind) != kind_rank(y->kind))
		return kind_rank(x->kind) - kind_rank(y->kind);
	/* then the lowest distance: the first active one is used */
	return (int)x->distance - (int)y->distance;
}

static void
route_add(struct route_table *rt, uint32_t dst, uint8_t plen, uint32_t gw,
    int iface, enum route_kind kind, uint8_t distance, uint16_t table,
    bool check)
{
	int i;

	dst &= plen_mask(plen);
	for (i = 0; i < rt->n && kind != ROUTE_STATIC; i++)
		if (rt->r[i].dst == dst && rt->r[i].plen == plen &&
		    rt->r[i].kind == kind)
			return;		/* two addresses in one subnet */
	rt->r = xreallocarray(rt->r, rt->n + 1, sizeof(*rt->r));
	rt->r[rt->n++] = (struct route){ dst, plen, gw, iface, kind, distance,
	    table, check, true };
}

struct route_table *
route_build(const struct config *conf)
{
	struct route_table *rt = xcalloc(1, sizeof(*rt));
	int i, j;

	for (i = 0; i < conf->nifaces; i++) {
		const struct conf_iface *c = &conf->ifaces[i];

		for (j = 0; j < c->naddrs; j++) {
			route_add(rt, c->addrs[j].addr, 32, 0, i, ROUTE_LOCAL, 0, 0,
			    false);
			route_add(rt, c->addrs[j].addr, c->addrs[j].plen, 0, i,
			    ROUTE_CONNECTED, 0, 0, false);
		}
	}
	for (i = 0; i < conf->nroutes; i++) {
		const struct conf_route *cr = &conf->routes[i];

		route_add(rt, cr->dst, cr->plen, cr->gateway, cr->iface,
		    cr->kind != 0 ? (enum route_kind)cr->kind : ROUTE_STATIC,
		    cr->distance, cr->table, cr->check_gateway);
	}
	qsort(rt->r, rt->n, sizeof(*rt->r), route_cmp);
	return rt;
}

void
route_free(struct route_table *rt)
{
	if (rt == NULL)
		return;
	free(rt->r);
	free(rt);
}

/* In one table: the longest prefix, then the lowest active distance. */
static const struct route *
route_find(const struct route_table *rt, uint16_t table, uint32_t dst)
{
	int i;

	for (i = 0; i < rt->n; i++) {
		const struct route *r = &rt->r[i];

		if (r->table != table || !r->gw_up ||
		    (dst & plen_mask(r->plen)) != r->dst)
			continue;
		return r;
	}
	return NULL;
}

const struct route *
route_lookup(const struct route_table *rt, uint32_t dst)
{
	return route_find(rt, 0, dst);
}

const struct route *
route_lookup_table(const struct route_table *rt, uint16_t table,
    uint32_t dst)
{
	const struct route *m = route_find(rt, 0, dst), *r;

	/* the router's own addresses first, whatever the mark */
	if (table == 0 || (m != NULL && m->kind == ROUTE_LOCAL))
		return m;
	r = route_find(rt, table, dst);
	return r != NULL ? r : m;
}

int
route_gateways(const struct route_table *rt, uint32_t *gw, int *iface,
    int max)
{
	int i, j, n = 0;

	for (i = 0; i < rt->n && n < max; i++) {
		if (!rt->r[i].check_gateway || rt->r[i].gateway == 0)
			continue;
		for (j = 0; j < n; j++)
			if (gw[j] == rt->r[i].gateway)
				break;
		if (j < n)
			continue;
		gw[n] = rt->r[i].gateway;
		iface[n++] = rt->r[i].iface;
	}
	return n;
}

bool
route_gateway_set(struct route_table *rt, uint32_t gw, bool up)
{
	bool changed = false;
	int i;

	for (i = 0; i < rt->n; i++) {
		struct route *r = &rt->r[i];

		if (!r->check_gateway || r->gateway != gw || r->gw_up == up)
			continue;
		r->gw_up = up;
		changed = true;
	}
	return changed;
}

bool
route_is_local(const struct route_table *rt, uint32_t addr)
{
	const struct route *r = route_lookup(rt, addr);

	return r != NULL && r->kind == ROUTE_LOCAL;
}

int
route_count(const struct route_table *rt)
{
	return rt->n;
}

const struct route *
route_get(const struct route_table *rt, int i)
{
	return i >= 0 && i < rt->n ? &rt->r[i] : NULL;
}

const char *
route_kind_name(enum route_kind k)
{
	switch (k) {
	case ROUTE_CONNECTED:
		return "connected";
	case ROUTE_STATIC:
		return "static";
	case ROUTE_LOCAL:
		return "local";
	case ROUTE_BLACKHOLE:
		return "blackhole";
	case ROUTE_UNREACHABLE:
		return "unreachable";
	case ROUTE_PROHIBIT:
		return "prohibit";
	}
	return "?";
}
