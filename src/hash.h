/* SPDX-License-Identifier: ISC */
/*
 * Keyed hashing for tables that outside hosts can fill (conntrack, NAT
 * ports, fragments, neighbours): SipHash-1-3 with a per-process random
 * key, so a remote sender cannot aim packets at one bucket.
 */
#ifndef HAIRPIND_HASH_H
#define HAIRPIND_HASH_H

#include <stddef.h>
#include <stdint.h>

struct hash_key {
	uint64_t k0, k1;
};

/* hash_key_random() - fill @k from getrandom(); fatal when impossible. */
void hash_key_random(struct hash_key *k);

/* hash_siphash13() - SipHash-1-3 of @len bytes at @data under @k. */
uint64_t hash_siphash13(const struct hash_key *k, const void *data, size_t len);

#endif
