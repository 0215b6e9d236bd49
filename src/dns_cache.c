/* SPDX-License-Identifier: ISC */
/* The DNS answer cache: a hash of wire-format answers, bounded in bytes. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dns_cache.h"
#include "xmalloc.h"

struct dns_cache_ent {
	struct dns_cache_ent *hnext;
	struct dns_cache_ent *lprev, *lnext;	/* LRU: head is newest */
	uint64_t stored_ms;
	uint32_t hash;
	uint32_t ttl;
	uint16_t qtype, qclass;
	uint16_t keylen;
	uint32_t len;
	uint8_t data[];		/* key, then the answer */
};

struct dns_cache {
	struct dns_cache_ent **buckets;
	uint32_t mask;
	struct dns_cache_ent *head, *tail;
	size_t count, bytes, max_bytes;
};

static size_t
ent_size(const struct dns_cache_ent *e)
{
	return sizeof(*e) + e->keylen + e->len;
}

/* FNV-1a over the key and the type: no attacker picks the bucket size. */
static uint32_t
cache_hash(const uint8_t *key, size_t keylen, uint16_t qtype)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < keylen; i++)
		h = (h ^ key[i]) * 16777619u;
	h = (h ^ (qtype & 0xff)) * 16777619u;
	h = (h ^ (qtype >> 8)) * 16777619u;
	return h ^ (h >> 15);
}

struct dns_cache *
dns_cache_create(size_t max_bytes)
{
	struct dns_cache *c = xcalloc(1, sizeof(*c));
	uint32_t n = 256;

	/* a bucket per ~256 bytes of answers, at most 1M buckets */
	while (n < (1u << 20) && (size_t)n * 256 < max_bytes)
		n <<= 1;
	c->buckets = xcalloc(n, sizeof(*c->buckets));
	c->mask = n - 1;
	c->max_bytes = max_bytes;
	return c;
}

static void
lru_unlink(struct dns_cache *c, struct dns_cache_ent *e)
{
	if (e->lprev != NULL)
		e->lprev->lnext = e->lnext;
	else
		c->head = e->lnext;
	if (e->lnext != NULL)
		e->lnext->lprev = e->lprev;
	else
		c->tail = e->lprev;
	e->lprev = e->lnext = NULL;
}

static void
lru_push(struct dns_cache *c, struct dns_cache_ent *e)
{
	e->lprev = NULL;
	e->lnext = c->head;
	if (c->head != NULL)
		c->head->lprev = e;
	c->head = e;
	if (c->tail == NULL)
		c->tail = e;
}

static void
ent_remove(struct dns_cache *c, struct dns_cache_ent *e)
{
	struct dns_cache_ent **pp = &c->buckets[e->hash & c->mask];

	while (*pp != NULL && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp == e)
		*pp = e->hnext;
	lru_unlink(c, e);
	c->count--;
	c->bytes -= ent_size(e);
	free(e);
}

static struct dns_cache_ent *
ent_find(struct dns_cache *c, const uint8_t *key, size_t keylen,
    uint16_t qtype, uint16_t qclass, uint32_t h)
{
	struct dns_cache_ent *e;

	for (e = c->buckets[h & c->mask]; e != NULL; e = e->hnext)
		if (e->hash == h && e->qtype == qtype && e->qclass == qclass &&
		    e->keylen == keylen && memcmp(e->data, key, keylen) == 0)
			return e;
	return NULL;
}

static bool
ent_fresh(const struct dns_cache_ent *e, uint64_t now_ms)
{
	return now_ms < e->stored_ms + (uint64_t)e->ttl * 1000;
}

bool
dns_cache_get(struct dns_cache *c, const uint8_t *key, size_t keylen,
    uint16_t qtype, uint16_t qclass, uint64_t now_ms, const uint8_t **wire,
    size_t *len, uint32_t *age)
{
	uint32_t h = cache_hash(key, keylen, qtype);
	struct dns_cache_ent *e = ent_find(c, key, keylen, qtype, qclass, h);

	if (e == NULL)
		return false;
	if (!ent_fresh(e, now_ms)) {
		ent_remove(c, e);
		return false;
	}
	lru_unlink(c, e);
	lru_push(c, e);
	*wire = e->data + e->keylen;
	*len = e->len;
	*age = (uint32_t)((now_ms - e->stored_ms) / 1000);
	return true;
}

static void
cache_evict(struct dns_cache *c, size_t max)
{
	while (c->bytes > max && c->tail != NULL)
		ent_remove(c, c->tail);
}

void
dns_cache_put(struct dns_cache *c, const uint8_t *key, size_t keylen,
    uint16_t qtype, uint16_t qclass, const uint8_t *wire, size_t len,
    uint32_t ttl, uint64_t now_ms)
{
	uint32_t h = cache_hash(key, keylen, qtype);
	struct dns_cache_ent *e;
	size_t need = sizeof(*e) + keylen + len;

	if (ttl == 0 || keylen > 255 || len > 65535 || need > c->max_bytes)
		return;
	if ((e = ent_find(c, key, keylen, qtype, qclass, h)) != NULL)
		ent_remove(c, e);
	cache_evict(c, c->max_bytes - need);
	e = xmalloc(need);
	memset(e, 0, sizeof(*e));
	e->hash = h;
	e->stored_ms = now_ms;
	e->ttl = ttl;
	e->qtype = qtype;
	e->qclass = qclass;
	e->keylen = (uint16_t)keylen;
	e->len = (uint32_t)len;
	memcpy(e->data, key, keylen);
	memcpy(e->data + keylen, wire, len);
	e->hnext = c->buckets[h & c->mask];
	c->buckets[h & c->mask] = e;
	lru_push(c, e);
	c->count++;
	c->bytes += need;
}

uint64_t
dns_cache_flush(struct dns_cache *c)
{
	uint64_t n = c->count;

	cache_evict(c, 0);
	return n;
}

void
dns_cache_resize(struct dns_cache *c, size_t max_bytes)
{
	c->max_bytes = max_bytes;
	cache_evict(c, max_bytes);
}

void
dns_cache_destroy(struct dns_cache *c)
{
	if (c == NULL)
		return;
	dns_cache_flush(c);
	free(c->buckets);
	free(c);
}

size_t
dns_cache_count(const struct dns_cache *c)
{
	return c->count;
}

size_t
dns_cache_bytes(const struct dns_cache *c)
{
	return c->bytes;
}

void
dns_cache_foreach(struct dns_cache *c, uint64_t now_ms,
    void (*fn)(void *arg, const uint8_t *wire, size_t len, uint32_t age),
    void *arg)
{
	struct dns_cache_ent *e;

	for (e = c->head; e != NULL; e = e->lnext)
		if (ent_fresh(e, now_ms))
			fn(arg, e->data + e->keylen, e->len,
			    (uint32_t)((now_ms - e->stored_ms) / 1000));
}
