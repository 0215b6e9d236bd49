/* SPDX-License-Identifier: ISC */
/*
 * One packet's walk through the router, for `hairpinctl trace`. The
 * pipeline fills a struct trace only while trace clients exist
 * (router->tracing); control.c filters and prints it as one JSON line.
 */
#ifndef HAIRPIND_TRACE_H
#define HAIRPIND_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "ct.h"
#include "rule.h"

#define TRACE_MAX_RULES 64
#define TRACE_TEXT 160

struct trace_rule {
	const char *table;	/* "nat" or "filter" */
	const struct rule *rule;
	bool matched;
};

struct trace {
	const char *in_if;		/* interface name */
	struct ct_tuple pkt;		/* as received, network order */
	uint8_t tcp_flags;		/* TH_* when TCP */
	int icmp_type, icmp_code;	/* -1 when not ICMP */
	uint32_t len;			/* IP total length */
	const char *conntrack;		/* "new", "established", "related",
					   "invalid", "untracked" */
	struct trace_rule rules[TRACE_MAX_RULES];
	int nrules;
	char translation[TRACE_TEXT];	/* "dst-nat 1.1.1.1:80 -> 192.168.1.2:80; ..." or "" */
	char route[TRACE_TEXT];		/* "192.168.1.0/24 connected dev lan" or "" */
	const char *out_if;		/* NULL when not forwarded */
	char verdict[TRACE_TEXT];
	char note[2 * TRACE_TEXT];	/* plain words on what happens, or "" */	/* "forward", "local: echo-reply",
					   "drop: no-route", "filter drop", ... */
};

#endif
