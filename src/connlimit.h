/* SPDX-License-Identifier: ISC */
/*
 * Connections per source network, for the connection-limit matcher
 * (RouterOS `connection-limit=N,NETMASK`, Linux connlimit): a count per
 * (prefix length, masked original source), kept by conntrack's new and
 * destroy events for the prefix lengths the rules use. Bounded: one
 * open-addressing table; a key that finds no room is not counted (the
 * matcher then sees 0, and lets the connection through).
 */
#ifndef HAIRPIND_CONNLIMIT_H
#define HAIRPIND_CONNLIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define CONNLIMIT_SLOTS 65536

struct ct_table;

/*
 * connlimit_configure() - count for the prefix lengths in @plens (bit n:
 * /n). When the set changes, the counts are rebuilt from @ct.
 */
void connlimit_configure(uint64_t plens, struct ct_table *ct);

/* connlimit_event() - a connection from @src (network order) came or went. */
void connlimit_event(uint32_t src, bool add);

/* connlimit_count() - connections from @src's /@plen network. */
uint32_t connlimit_count(uint32_t src, int plen);

#endif
