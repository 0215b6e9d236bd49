/* SPDX-License-Identifier: ISC */
/*
 * The DNS answer cache: upstream answers in wire format keyed by the
 * lowercased question, bounded in bytes (dns.cache-size, every byte of an
 * entry counted), least recently used first out, each entry good for the
 * smallest TTL it holds.
 */
#ifndef HAIRPIND_DNS_CACHE_H
#define HAIRPIND_DNS_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dns_cache;

struct dns_cache *dns_cache_create(size_t max_bytes);
void dns_cache_destroy(struct dns_cache *c);

/**
 * dns_cache_get() - the answer for (@key, @qtype, @qclass), if fresh.
 * @key: the question name in wire format, lowercased
 * @now_ms: monotonic milliseconds
 * @wire, @len: set to the stored answer (valid until the next put/flush)
 * @age: set to the seconds since it was stored
 * Return: true on a hit. An expired entry is removed and misses.
 */
bool dns_cache_get(struct dns_cache *c, const uint8_t *key, size_t keylen,
    uint16_t qtype, uint16_t qclass, uint64_t now_ms, const uint8_t **wire,
    size_t *len, uint32_t *age);

/*
 * dns_cache_put() - store an answer good for @ttl seconds, replacing one
 * for the same question; evicts the least recently used until it fits.
 * An answer larger than the whole cache is not stored.
 */
void dns_cache_put(struct dns_cache *c, const uint8_t *key, size_t keylen,
    uint16_t qtype, uint16_t qclass, const uint8_t *wire, size_t len,
    uint32_t ttl, uint64_t now_ms);

/* dns_cache_flush() - remove everything. Return: entries removed. */
uint64_t dns_cache_flush(struct dns_cache *c);

/* dns_cache_resize() - a new bound; evicts down to it. */
void dns_cache_resize(struct dns_cache *c, size_t max_bytes);

size_t dns_cache_count(const struct dns_cache *c);
size_t dns_cache_bytes(const struct dns_cache *c);

/* dns_cache_foreach() - each fresh entry's answer and remaining TTL. */
void dns_cache_foreach(struct dns_cache *c, uint64_t now_ms,
    void (*fn)(void *arg, const uint8_t *wire, size_t len, uint32_t age),
    void *arg);

#endif
