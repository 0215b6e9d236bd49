/* SPDX-License-Identifier: ISC */
/*
 * Split-horizon: which public addresses dst-nat rules map, whole, to one
 * internal host, so answers naming them can be rewritten for internal
 * clients (the seed page's "DNS that rewrites A records").
 */
#ifndef HAIRPIND_DNS_SPLIT_H
#define HAIRPIND_DNS_SPLIT_H

#include <stdbool.h>
#include <stdint.h>

struct config;

#define DNS_SPLIT_MAX 256

/* Public lo..hi (host order) maps to to + (a - lo) (netmap) or to. */
struct dns_split_ent {
	uint32_t lo, hi, to;
	bool netmap;
};

/**
 * dns_split_build() - the map from @c's dstnat chain.
 * @note: called for every rule that cannot be used, with the reason, or
 *        NULL
 * Return: entries written to @out (at most DNS_SPLIT_MAX).
 */
int dns_split_build(const struct config *c, struct dns_split_ent *out,
    void (*note)(void *arg, const char *text), void *arg);

/* dns_split_lookup() - the internal address for public @a (network order). */
bool dns_split_lookup(const struct dns_split_ent *m, int n, uint32_t a,
    uint32_t *to);

#endif
