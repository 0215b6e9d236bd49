/* SPDX-License-Identifier: ISC */
/* Input guards: reverse-path filter and source-routed packets. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>

#include "frame.h"
#include "guard.h"
#include "route.h"
#include "router.h"

#define IPOPT_EOL	0
#define IPOPT_NOP	1
#define IPOPT_LSRR	131
#define IPOPT_SSRR	137

/*
 * Walk the options of @p's header. Return: -1 when none routes the
 * packet by source, DROP_SOURCE_ROUTE when one does, DROP_BAD_IP_HEADER
 * when an option runs past the header.
 */
static int
guard_options(const struct pkt *p)
{
	const uint8_t *o = (const uint8_t *)p->ip + 20;
	unsigned int n = p->ihl > 20 ? p->ihl - 20 : 0, i = 0, len;

	while (i < n) {
		if (o[i] == IPOPT_EOL)
			break;
		if (o[i] == IPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= n || (len = o[i + 1]) < 2 || i + len > n)
			return DROP_BAD_IP_HEADER;
		if (o[i] == IPOPT_LSRR || o[i] == IPOPT_SSRR)
			return DROP_SOURCE_ROUTE;
		i += len;
	}
	return -1;
}

int
guard_input(const struct router *r, int in_if, const struct pkt *p)
{
	const struct route *rt;
	int reason;

	if (p->ihl > 20 && !r->conf->ip.accept_source_route &&
	    (reason = guard_options(p)) != -1)
		return reason;
	if (r->conf->ip.rp_filter == CONF_RP_NO)
		return -1;
	/* the way back to the source: none, or (strict) another link */
	rt = route_lookup(r->routes, p->ip->saddr);
	if (rt == NULL || rt->kind == ROUTE_LOCAL || route_discards(rt))
		return DROP_RP_FILTER;
	if (r->conf->ip.rp_filter == CONF_RP_STRICT && rt->iface != in_if)
		return DROP_RP_FILTER;
	return -1;
}
