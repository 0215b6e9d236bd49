/* SPDX-License-Identifier: ISC */
/* Connections per source network, for connection-limit. */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "connlimit.h"
#include "ct.h"
#include "hash.h"
#include "xmalloc.h"

struct cl_slot {
	uint64_t key;		/* plen << 32 | masked source; 0 free */
	uint32_t count;
};

static struct cl_slot *cl_tab;
static uint64_t cl_plens;
static struct hash_key cl_hkey;

static uint64_t
cl_key(uint32_t src, int plen)
{
	uint32_t h = ntohl(src);
	uint32_t m = plen == 0 ? 0 : 0xffffffffu << (32 - plen);

	/* plen + 1: /0 of 0.0.0.0 must not be the free key 0 */
	return (uint64_t)(plen + 1) << 32 | (h & m);
}

static uint32_t
cl_slot(uint64_t key)
{
	return (uint32_t)hash_siphash13(&cl_hkey, &key, sizeof(key)) &
	    (CONNLIMIT_SLOTS - 1);
}

static struct cl_slot *
cl_find(uint64_t key, bool create)
{
	uint32_t i, n;

	for (i = cl_slot(key), n = 0; n < CONNLIMIT_SLOTS;
	    i = (i + 1) & (CONNLIMIT_SLOTS - 1), n++) {
		if (cl_tab[i].key == key)
			return &cl_tab[i];
		if (cl_tab[i].key == 0) {
			if (!create)
				return NULL;
			cl_tab[i].key = key;
			cl_tab[i].count = 0;
			return &cl_tab[i];
		}
	}
	return NULL;
}

static void
cl_del(struct cl_slot *s)
{
	uint32_t i = (uint32_t)(s - cl_tab), j = i, k;

	for (;;) {
		j = (j + 1) & (CONNLIMIT_SLOTS - 1);
		if (cl_tab[j].key == 0)
			break;
		k = cl_slot(cl_tab[j].key);
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		cl_tab[i] = cl_tab[j];
		i = j;
	}
	cl_tab[i].key = 0;
}

void
connlimit_event(uint32_t src, bool add)
{
	int plen;

	if (cl_tab == NULL)
		return;
	for (plen = 0; plen <= 32; plen++) {
		struct cl_slot *s;

		if (!(cl_plens & (1ull << plen)))
			continue;
		s = cl_find(cl_key(src, plen), add);
		if (s == NULL)
			continue;
		if (add)
			s->count++;
		else if (s->count > 0 && --s->count == 0)
			cl_del(s);
	}
}

uint32_t
connlimit_count(uint32_t src, int plen)
{
	struct cl_slot *s;

	if (cl_tab == NULL || plen < 0 || plen > 32 ||
	    !(cl_plens & (1ull << plen)))
		return 0;
	s = cl_find(cl_key(src, plen), false);
	return s != NULL ? s->count : 0;
}

static int
cl_rebuild_cb(void *arg, const struct ct_entry *e, const struct ct_stats *st)
{
	(void)arg;
	(void)st;
	connlimit_event(e->orig.src, true);
	return 0;
}

void
connlimit_configure(uint64_t plens, struct ct_table *ct)
{
	if (plens == cl_plens)
		return;
	free(cl_tab);
	cl_tab = NULL;
	cl_plens = plens;
	if (plens == 0)
		return;
	if (cl_hkey.k0 == 0 && cl_hkey.k1 == 0)
		hash_key_random(&cl_hkey);
	cl_tab = xcalloc(CONNLIMIT_SLOTS, sizeof(*cl_tab));
	if (ct != NULL)
		ct_foreach(ct, cl_rebuild_cb, NULL);
}
