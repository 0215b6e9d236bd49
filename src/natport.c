/* SPDX-License-Identifier: ISC */
/* NAT port mappings: one open-addressed port table per external address. */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "log.h"
#include "natport.h"
#include "xmalloc.h"

#define NP_PORTS	65536
/* Internal hosts holding mappings at once: a fixed open-addressed table
   (12 bytes a slot, untouched pages cost nothing), at most 3/4 full. */
#define NP_HOSTS	65536
#define NP_HOSTS_MAX	(NP_HOSTS / 4 * 3)

/*
 * One external port. Empty: all zero. In use: refs > 0. Tombstone:
 * refs == 0 with the last owner kept, so walks go on past it.
 */
struct np_slot {
	uint32_t iaddr;		/* network order */
	uint16_t iport;		/* network order */
	/*
	 * Connections using the port: as many as the conntrack table holds
	 * (one socket talking to a million destinations), never a cap of
	 * its own below that.
	 */
	uint32_t refs;
};

/* The ports of one (external address, protocol). */
struct np_table {
	uint32_t eaddr;		/* network order */
	uint8_t proto;
	uint32_t home;		/* hash of (eaddr, proto) */
	uint32_t used;		/* slots with refs > 0 */
	unsigned int maxk;	/* deepest probe a mapping was placed at */
	struct np_slot slot[NP_PORTS];
};

/*
 * Mappings one internal host holds, per protocol class (RFC 6888 REQ-4:
 * a limit per subscriber, so one host cannot take every port).
 */
struct np_host {
	uint32_t iaddr;		/* network order; 0: empty */
	uint16_t n[3];		/* TCP, UDP and other port protocols, ICMP */
};

/*
 * The directory of tables: linear probing with backward-shift deletion,
 * so freeing a table leaves no tombstone behind. The host table works
 * the same way.
 */
struct natport {
	struct hash_key key;
	struct np_table **dir;
	uint32_t dmask;		/* directory size - 1 */
	uint32_t ntables;
	uint32_t count;		/* mappings alive */
	uint64_t failures;
	struct np_host *hosts;	/* [NP_HOSTS] */
	uint32_t nhosts;
	uint32_t host_limit;	/* per host and class; 0: none */
	uint64_t host_refused;
	bool last_host;		/* the last failure was the host limit */
};

/* What the probe hash covers; no padding so every byte is defined. */
struct np_probe_key {
	uint32_t eaddr, iaddr;
	uint16_t iport;
	uint8_t proto;
	uint8_t k;
} __attribute__((packed));

#define NP_DIR_INIT	8

struct natport *
natport_create(void)
{
	struct natport *np = xcalloc(1, sizeof(*np));

	hash_key_random(&np->key);
	np->dir = xcalloc(NP_DIR_INIT, sizeof(*np->dir));
	np->dmask = NP_DIR_INIT - 1;
	np->hosts = xcalloc(NP_HOSTS, sizeof(*np->hosts));
	np->host_limit = NATPORT_HOST_LIMIT_DEFAULT;
	return np;
}

void
natport_destroy(struct natport *np)
{
	uint32_t i;

	if (np == NULL)
		return;
	for (i = 0; i <= np->dmask; i++)
		free(np->dir[i]);
	free(np->dir);
	free(np->hosts);
	free(np);
}

static uint32_t
np_home(const struct natport *np, uint8_t proto, uint32_t eaddr)
{
	uint8_t buf[5];

	memcpy(buf, &eaddr, 4);
	buf[4] = proto;
	return (uint32_t)hash_siphash13(&np->key, buf, sizeof(buf));
}

static struct np_table *
np_find(const struct natport *np, uint8_t proto, uint32_t eaddr)
{
	uint32_t i = np_home(np, proto, eaddr) & np->dmask;
	struct np_table *tb;

	while ((tb = np->dir[i]) != NULL) {
		if (tb->eaddr == eaddr && tb->proto == proto)
			return tb;
		i = (i + 1) & np->dmask;
	}
	return NULL;
}

static void
np_dir_place(struct np_table **dir, uint32_t dmask, struct np_table *tb)
{
	uint32_t i = tb->home & dmask;

	while (dir[i] != NULL)
		i = (i + 1) & dmask;
	dir[i] = tb;
}

/* Double the directory; keeps it at most half full. Return: 0 or -1. */
static int
np_dir_grow(struct natport *np)
{
	uint32_t n = (np->dmask + 1) * 2, i;
	struct np_table **dir = calloc(n, sizeof(*dir));

	if (dir == NULL)
		return -1;
	for (i = 0; i <= np->dmask; i++)
		if (np->dir[i] != NULL)
			np_dir_place(dir, n - 1, np->dir[i]);
	free(np->dir);
	np->dir = dir;
	np->dmask = n - 1;
	return 0;
}

/* The table of (eaddr, proto), made on first use. */
static struct np_table *
np_get_table(struct natport *np, uint8_t proto, uint32_t eaddr)
{
	static struct log_rl rl;
	struct np_table *tb = np_find(np, proto, eaddr);

	if (tb != NULL)
		return tb;
	if ((np->ntables + 1) * 2 > np->dmask + 1 && np_dir_grow(np) == -1)
		goto fail;
	/* calloc: the kernel's zero pages, only touched ports cost RSS */
	tb = calloc(1, sizeof(*tb));
	if (tb == NULL)
		goto fail;
	tb->eaddr = eaddr;
	tb->proto = proto;
	tb->home = np_home(np, proto, eaddr);
	np_dir_place(np->dir, np->dmask, tb);
	np->ntables++;
	return tb;
fail:
	if (log_ratelimit(&rl, 1))
		log_warn("natport: port table");
	return NULL;
}

/* Drop an empty table: its tombstones go with it. */
static void
np_free_table(struct natport *np, struct np_table *tb)
{
	uint32_t i = tb->home & np->dmask, j, h;

	while (np->dir[i] != tb)
		i = (i + 1) & np->dmask;
	np->dir[i] = NULL;
	/* backward shift: pull up entries whose home is at or before i */
	for (j = (i + 1) & np->dmask; np->dir[j] != NULL;
	    j = (j + 1) & np->dmask) {
		h = np->dir[j]->home & np->dmask;
		if (((j - h) & np->dmask) >= ((j - i) & np->dmask)) {
			np->dir[i] = np->dir[j];
			np->dir[j] = NULL;
			i = j;
		}
	}
	np->ntables--;
	free(tb);
}

/* The allowed external ports, host order; never port 0. */
static void
np_range(uint8_t proto, uint16_t iport_h, uint16_t *lo, uint16_t *hi)
{
	uint16_t t;

	if (*lo == 0 && *hi == 0) {
		if (proto == IPPROTO_ICMP) {
			/* ICMP ids have no class */
			*lo = 1;
			*hi = 65535;
		} else if (iport_h < 1024) {
			*lo = 1;
			*hi = 1023;
		} else {
			*lo = 1024;
			*hi = 65535;
		}
		return;
	}
	if (*lo > *hi) {
		t = *lo;
		*lo = *hi;
		*hi = t;
	}
	if (*lo == 0)
		*lo = 1;
}

static uint16_t
np_probe(const struct natport *np, uint8_t proto, uint32_t eaddr,
    uint32_t iaddr, uint16_t iport, unsigned int k, uint16_t lo,
    uint16_t hi)
{
	struct np_probe_key pk = {
		.eaddr = eaddr, .iaddr = iaddr, .iport = iport,
		.proto = proto, .k = (uint8_t)k,
	};
	uint32_t span = (uint32_t)hi - lo + 1;

	return (uint16_t)(lo + hash_siphash13(&np->key, &pk, sizeof(pk)) %
	    span);
}

/* --- per-host accounting --------------------------------------------- */

static unsigned int
np_class(uint8_t proto)
{
	return proto == IPPROTO_TCP ? 0 : proto == IPPROTO_ICMP ? 2 : 1;
}

static uint32_t
np_host_home(const struct natport *np, uint32_t iaddr)
{
	return (uint32_t)hash_siphash13(&np->key, &iaddr, sizeof(iaddr)) &
	    (NP_HOSTS - 1);
}

/* @iaddr's slot; with @add, a new one when absent (NULL when full). */
static struct np_host *
np_host(struct natport *np, uint32_t iaddr, bool add)
{
	uint32_t i = np_host_home(np, iaddr);

	while (np->hosts[i].iaddr != 0) {
		if (np->hosts[i].iaddr == iaddr)
			return &np->hosts[i];
		i = (i + 1) & (NP_HOSTS - 1);
	}
	if (!add || np->nhosts >= NP_HOSTS_MAX)
		return NULL;
	np->hosts[i].iaddr = iaddr;
	np->nhosts++;
	return &np->hosts[i];
}

static void
np_host_del(struct natport *np, struct np_host *h)
{
	uint32_t i = (uint32_t)(h - np->hosts), j, home;

	memset(h, 0, sizeof(*h));
	np->nhosts--;
	for (j = (i + 1) & (NP_HOSTS - 1); np->hosts[j].iaddr != 0;
	    j = (j + 1) & (NP_HOSTS - 1)) {
		home = np_host_home(np, np->hosts[j].iaddr);
		if (((j - home) & (NP_HOSTS - 1)) >=
		    ((j - i) & (NP_HOSTS - 1))) {
			np->hosts[i] = np->hosts[j];
			memset(&np->hosts[j], 0, sizeof(np->hosts[j]));
			i = j;
		}
	}
}

static void
np_host_put(struct natport *np, uint8_t proto, uint32_t iaddr)
{
	struct np_host *h = np_host(np, iaddr, false);
	unsigned int c = np_class(proto);

	if (h == NULL || h->n[c] == 0)
		return;
	h->n[c]--;
	if (h->n[0] == 0 && h->n[1] == 0 && h->n[2] == 0)
		np_host_del(np, h);
}

void
natport_set_host_limit(struct natport *np, uint32_t limit)
{
	np->host_limit = limit > UINT16_MAX ? UINT16_MAX : limit;
}

uint32_t
natport_host_count(struct natport *np, uint8_t proto, uint32_t iaddr)
{
	struct np_host *h = np_host(np, iaddr, false);

	return h == NULL ? 0 : h->n[np_class(proto)];
}

bool
natport_last_host_limit(const struct natport *np)
{
	return np->last_host;
}

uint64_t
natport_host_refused(const struct natport *np)
{
	return np->host_refused;
}

/*
 * Walk X:x's probe sequence once: an existing mapping is on it before
 * the first empty slot (slots only ever go from empty to used to
 * tombstone) and no deeper than any mapping was ever placed (maxk), and
 * the first free slot met is where a new one goes. maxk keeps the walk
 * short in a table full of tombstones.
 */
int
natport_get(struct natport *np, uint8_t proto, uint32_t eaddr,
    uint32_t iaddr, uint16_t iport, uint16_t lo, uint16_t hi,
    bool randomise, uint16_t *eport)
{
	uint16_t iport_h = ntohs(iport), port;
	struct np_table *tb;
	struct np_slot *s;
	int32_t free_port = -1;
	unsigned int k, free_k = 0, c = np_class(proto);
	struct np_host *h;

	np->last_host = false;
	if (iaddr == 0)
		goto fail;
	np_range(proto, iport_h, &lo, &hi);
	if ((tb = np_get_table(np, proto, eaddr)) == NULL)
		goto fail;

	for (k = 0; k <= NATPORT_MAX_PROBES; k++) {
		if (k == 0) {
			/* port preservation (RFC 4787 REQ-3) */
			if (randomise || iport_h < lo || iport_h > hi)
				continue;
			port = iport_h;
		} else {
			port = np_probe(np, proto, eaddr, iaddr, iport, k, lo,
			    hi);
		}
		s = &tb->slot[port];
		if (s->refs > 0) {
			if (s->iaddr != iaddr || s->iport != iport)
				continue;
			if (s->refs == UINT32_MAX)
				goto fail_table;
			s->refs++;
			*eport = htons(port);
			return 0;
		}
		if (free_port < 0) {
			free_port = port;
			free_k = k;
		}
		if (s->iaddr == 0 && s->iport == 0)
			break;	/* empty: nothing of X:x lies beyond */
		if (free_port >= 0 && k >= tb->maxk)
			break;
	}
	if (free_port < 0)
		goto fail_table;
	/* a new port for X: within X's share (RFC 6888 REQ-4) */
	h = np_host(np, iaddr, true);
	if (h == NULL || (np->host_limit != 0 && h->n[c] >= np->host_limit) ||
	    h->n[c] == UINT16_MAX) {
		np->last_host = true;
		np->host_refused++;
		goto fail_table;
	}
	h->n[c]++;
	s = &tb->slot[free_port];
	s->iaddr = iaddr;
	s->iport = iport;
	s->refs = 1;
	tb->used++;
	if (free_k > tb->maxk)
		tb->maxk = free_k;
	np->count++;
	*eport = htons((uint16_t)free_port);
	return 0;

fail_table:
	if (tb->used == 0)
		np_free_table(np, tb);
fail:
	np->failures++;
	return -1;
}

void
natport_put(struct natport *np, uint8_t proto, uint32_t eaddr,
    uint16_t eport)
{
	struct np_table *tb = np_find(np, proto, eaddr);
	struct np_slot *s;

	if (tb == NULL)
		return;
	s = &tb->slot[ntohs(eport)];
	if (s->refs == 0) {
		log_debug("natport: put of unmapped port %u", ntohs(eport));
		return;
	}
	if (--s->refs > 0)
		return;
	/* tombstone: the owner stays, so the slot is not empty */
	np_host_put(np, proto, s->iaddr);
	tb->used--;
	np->count--;
	if (tb->used == 0)
		np_free_table(np, tb);
}

bool
natport_lookup(const struct natport *np, uint8_t proto, uint32_t eaddr,
    uint16_t eport, uint32_t *iaddr, uint16_t *iport)
{
	const struct np_table *tb = np_find(np, proto, eaddr);
	const struct np_slot *s;

	if (tb == NULL)
		return false;
	s = &tb->slot[ntohs(eport)];
	if (s->refs == 0)
		return false;
	*iaddr = s->iaddr;
	*iport = s->iport;
	return true;
}

uint32_t
natport_count(const struct natport *np)
{
	return np->count;
}

uint64_t
natport_failures(const struct natport *np)
{
	return np->failures;
}
