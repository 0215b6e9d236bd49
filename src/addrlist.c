/* SPDX-License-Identifier: ISC */
/* Firewall address lists: configured intervals and dynamic entries. */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "addrlist.h"
#include "hash.h"
#include "xmalloc.h"

/* Merged, sorted intervals of one list. */
struct addrlist_iv {
	uint32_t lo, hi;
};

struct addrlist_list {
	struct addrlist_iv *iv;
	int n;
};

struct addrlist_set {
	struct addrlist_ent *ents;
	int nents, cap;
	struct addrlist_list *lists;	/* by list id */
	int nlists;
};

/* A dynamic entry; key 0 is empty (list id 0 is never used). */
struct addrlist_dyn {
	uint64_t key;		/* list << 32 | address (host order) */
	uint64_t expires_ms;	/* UINT64_MAX: no timeout */
	bool keep;		/* none-static */
};

static const struct addrlist_set *al_cur;
static struct addrlist_dyn *al_tab;
static uint32_t al_cap;		/* power of two */
static uint32_t al_max = ADDRLIST_DYN_MAX_DEFAULT;
static uint32_t al_sweep;	/* next slot of the expiry sweep */
static struct addrlist_counters al_cnt;

struct addrlist_set *
addrlist_set_new(void)
{
	return xcalloc(1, sizeof(struct addrlist_set));
}

void
addrlist_set_free(struct addrlist_set *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nents; i++)
		free(s->ents[i].comment);
	free(s->ents);
	for (i = 0; i < s->nlists; i++)
		free(s->lists[i].iv);
	free(s->lists);
	free(s);
}

void
addrlist_set_add(struct addrlist_set *s, uint16_t list, uint32_t lo,
    uint32_t hi, uint32_t timeout, const char *comment, bool disabled)
{
	struct addrlist_ent *e;

	if (s->nents == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->ents = xreallocarray(s->ents, s->cap, sizeof(*s->ents));
	}
	e = &s->ents[s->nents++];
	e->list = list;
	e->lo = lo;
	e->hi = hi;
	e->timeout = timeout;
	e->comment = comment != NULL ? xstrdup(comment) : NULL;
	e->disabled = disabled;
}

static int
addrlist_iv_cmp(const void *a, const void *b)
{
	const struct addrlist_iv *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->hi < y->hi ? -1 : x->hi > y->hi;
}

void
addrlist_set_finish(struct addrlist_set *s)
{
	int i, l;

	for (i = 0; i < s->nents; i++)
		if (s->ents[i].list >= s->nlists)
			s->nlists = s->ents[i].list + 1;
	s->lists = xcalloc(s->nlists > 0 ? s->nlists : 1, sizeof(*s->lists));
	for (i = 0; i < s->nents; i++) {
		const struct addrlist_ent *e = &s->ents[i];
		struct addrlist_list *L = &s->lists[e->list];

		if (e->disabled || e->timeout != 0)
			continue;	/* timed entries live in the hash */
		L->iv = xreallocarray(L->iv, L->n + 1, sizeof(*L->iv));
		L->iv[L->n].lo = e->lo;
		L->iv[L->n].hi = e->hi;
		L->n++;
	}
	/* Sort and merge overlapping or adjacent intervals. */
	for (l = 0; l < s->nlists; l++) {
		struct addrlist_list *L = &s->lists[l];
		int k = 0;

		if (L->n < 2)
			continue;
		qsort(L->iv, L->n, sizeof(*L->iv), addrlist_iv_cmp);
		for (i = 1; i < L->n; i++) {
			if (L->iv[i].lo <= L->iv[k].hi ||
			    L->iv[i].lo == L->iv[k].hi + 1) {
				if (L->iv[i].hi > L->iv[k].hi)
					L->iv[k].hi = L->iv[i].hi;
			} else {
				L->iv[++k] = L->iv[i];
			}
		}
		L->n = k + 1;
	}
}

const struct addrlist_ent *
addrlist_set_entries(const struct addrlist_set *s, int *n)
{
	*n = s != NULL ? s->nents : 0;
	return s != NULL ? s->ents : NULL;
}

static bool
addrlist_static_has(uint16_t id, uint32_t a)
{
	const struct addrlist_list *L;
	int lo = 0, hi;

	if (al_cur == NULL || id >= al_cur->nlists)
		return false;
	L = &al_cur->lists[id];
	hi = L->n - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (a < L->iv[mid].lo)
			hi = mid - 1;
		else if (a > L->iv[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

static struct hash_key al_hkey;

/* Keyed: add-src-to-address-list lets remote hosts choose the keys. */
static uint32_t
addrlist_slot(uint64_t key)
{
	return (uint32_t)hash_siphash13(&al_hkey, &key, sizeof(key)) &
	    (al_cap - 1);
}

static struct addrlist_dyn *
addrlist_dyn_find(uint64_t key)
{
	uint32_t i;

	if (al_tab == NULL)
		return NULL;
	for (i = addrlist_slot(key);; i = (i + 1) & (al_cap - 1)) {
		if (al_tab[i].key == key)
			return &al_tab[i];
		if (al_tab[i].key == 0)
			return NULL;
	}
}

/* Remove by backward shift, so probes never need tombstones. */
static void
addrlist_dyn_del(struct addrlist_dyn *d)
{
	uint32_t i = (uint32_t)(d - al_tab), j = i, k;

	for (;;) {
		j = (j + 1) & (al_cap - 1);
		if (al_tab[j].key == 0)
			break;
		k = addrlist_slot(al_tab[j].key);
		/* leave j where it is when its home lies in (i, j] */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		al_tab[i] = al_tab[j];
		i = j;
	}
	al_tab[i].key = 0;
	al_cnt.dynamic--;
}

static void
addrlist_alloc(void)
{
	uint32_t cap = 16;

	static bool keyed;

	if (!keyed) {
		hash_key_random(&al_hkey);
		keyed = true;
	}
	while (cap < 2 * al_max)
		cap <<= 1;
	al_tab = xcalloc(cap, sizeof(*al_tab));
	al_cap = cap;
}

void
addrlist_set_max(uint32_t max)
{
	struct addrlist_dyn *old = al_tab;
	uint32_t oldcap = al_cap, i;

	if (max == 0)
		max = 1;
	if (max == al_max && al_tab != NULL)
		return;
	al_max = max;
	if (old == NULL)
		return;
	/* Rehash what fits; the rest is dropped as if expired. */
	addrlist_alloc();
	al_sweep = 0;
	al_cnt.dynamic = 0;
	for (i = 0; i < oldcap; i++) {
		uint32_t j;

		if (old[i].key == 0 || al_cnt.dynamic >= al_max)
			continue;
		for (j = addrlist_slot(old[i].key); al_tab[j].key != 0;
		    j = (j + 1) & (al_cap - 1))
			;
		al_tab[j] = old[i];
		al_cnt.dynamic++;
	}
	free(old);
}

static bool
addrlist_dyn_live(struct addrlist_dyn *d, uint64_t now_ms)
{
	if (d->expires_ms > now_ms)
		return true;
	addrlist_dyn_del(d);
	al_cnt.expired++;
	return false;
}

bool
addrlist_match(uint16_t id, uint32_t addr, uint64_t now_ms)
{
	uint32_t a = ntohl(addr);
	struct addrlist_dyn *d;

	if (addrlist_static_has(id, a))
		return true;
	if (al_cnt.dynamic == 0)
		return false;
	d = addrlist_dyn_find((uint64_t)id << 32 | a);
	return d != NULL && addrlist_dyn_live(d, now_ms);
}

int
addrlist_add(uint16_t id, uint32_t addr, uint32_t timeout_s, bool keep,
    uint64_t now_ms)
{
	uint64_t key = (uint64_t)id << 32 | ntohl(addr);
	uint64_t exp = timeout_s == 0 ? UINT64_MAX :
	    now_ms + (uint64_t)timeout_s * 1000;
	struct addrlist_dyn *d;
	uint32_t i;

	if (id == 0)
		return -1;
	if (al_tab == NULL)
		addrlist_alloc();
	d = addrlist_dyn_find(key);
	if (d != NULL) {
		/* RouterOS refreshes the timeout of an entry added again. */
		d->expires_ms = exp;
		d->keep = d->keep || keep;
		return 0;
	}
	if (al_cnt.dynamic >= al_max) {
		addrlist_expire(now_ms, 64);
		if (al_cnt.dynamic >= al_max) {
			al_cnt.full++;
			return -1;
		}
	}
	for (i = addrlist_slot(key); al_tab[i].key != 0;
	    i = (i + 1) & (al_cap - 1))
		;
	al_tab[i].key = key;
	al_tab[i].expires_ms = exp;
	al_tab[i].keep = keep;
	al_cnt.dynamic++;
	al_cnt.added++;
	return 0;
}

void
addrlist_expire(uint64_t now_ms, unsigned int budget)
{
	uint32_t visited = 0, removed = 0;

	if (al_tab == NULL || al_cnt.dynamic == 0)
		return;
	/*
	 * A budget of removals and of slots looked at, so a big idle table
	 * costs little per tick; the sweep goes on where it stopped.
	 */
	while (visited < al_cap && visited < budget * 16 && removed < budget) {
		struct addrlist_dyn *d = &al_tab[al_sweep];

		if (d->key != 0 && d->expires_ms <= now_ms) {
			addrlist_dyn_del(d);	/* may shift a later one here */
			al_cnt.expired++;
			removed++;
			continue;
		}
		al_sweep = (al_sweep + 1) & (al_cap - 1);
		visited++;
	}
}

void
addrlist_flush(void)
{
	free(al_tab);
	al_tab = NULL;
	al_cap = 0;
	al_cnt.dynamic = 0;
	al_sweep = 0;
}

void
addrlist_use(const struct addrlist_set *s, uint64_t now_ms)
{
	int i;

	al_cur = s;
	if (s == NULL)
		return;
	for (i = 0; i < s->nents; i++) {
		const struct addrlist_ent *e = &s->ents[i];
		uint32_t a;

		if (e->disabled || e->timeout == 0)
			continue;
		/* a timed range is added address by address, bounded */
		for (a = e->lo;; a++) {
			if (addrlist_dyn_find((uint64_t)e->list << 32 | a) ==
			    NULL)
				addrlist_add(e->list, htonl(a), e->timeout,
				    false, now_ms);
			if (a == e->hi || al_cnt.dynamic >= al_max)
				break;
		}
	}
}

void
addrlist_foreach(addrlist_iter_fn fn, void *arg, uint64_t now_ms)
{
	struct addrlist_row row;
	uint32_t i;
	int k;

	if (al_cur != NULL) {
		for (k = 0; k < al_cur->nents; k++) {
			const struct addrlist_ent *e = &al_cur->ents[k];

			if (e->disabled || e->timeout != 0)
				continue;
			row.list = e->list;
			row.lo = e->lo;
			row.hi = e->hi;
			row.dynamic = false;
			row.timeout_ms = -1;
			row.comment = e->comment;
			if (fn(arg, &row) != 0)
				return;
		}
	}
	for (i = 0; i < al_cap; i++) {
		const struct addrlist_dyn *d = &al_tab[i];

		if (d->key == 0 || d->expires_ms <= now_ms)
			continue;
		row.list = (uint16_t)(d->key >> 32);
		row.lo = row.hi = (uint32_t)d->key;
		row.dynamic = !d->keep;
		row.timeout_ms = d->expires_ms == UINT64_MAX ? -1 :
		    (int64_t)(d->expires_ms - now_ms);
		row.comment = NULL;
		if (fn(arg, &row) != 0)
			return;
	}
}

const struct addrlist_counters *
addrlist_counters(void)
{
	return &al_cnt;
}
