/* SPDX-License-Identifier: ISC */
/*
 * ARP (RFC 826) and the neighbour cache. Entries live in one array of
 * arp.max slots chained from a keyed hash; packets waiting for an answer
 * are copied into per-neighbour queues bounded by arp.queue-len packets
 * each and ARP_QUEUE_BYTES_MAX bytes in all (the slow path: a copy is
 * fine here, the fast path never queues).
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "arp.h"
#include "frame.h"
#include "hash.h"
#include "log.h"
#include "router.h"
#include "tap.h"
#include "xmalloc.h"

#define ARP_NONE	UINT32_MAX

struct arp_qpkt {
	struct arp_qpkt *next;
	size_t len;
	uint8_t data[];		/* 16-byte aligned: keeps IP headers aligned */
};

struct arp_table {
	struct router *r;
	struct arp_neigh *n;
	uint32_t max, count, queue_len;
	uint32_t *buckets, nbuckets;
	uint32_t free;
	size_t qbytes;
	struct hash_key key;
	uint64_t locked;	/* MAC changes refused by the locktime */
};

struct arp_pkt {
	uint16_t htype, ptype;
	uint8_t hlen, plen;
	uint16_t op;
	uint8_t sha[6];
	uint8_t spa[4];
	uint8_t tha[6];
	uint8_t tpa[4];
} __attribute__((packed));

static uint32_t
arp_bucket(const struct arp_table *at, int iface, uint32_t addr)
{
	struct { uint32_t a; int32_t i; } k = { addr, iface };

	return (uint32_t)hash_siphash13(&at->key, &k, sizeof(k)) &
	    (at->nbuckets - 1);
}

struct arp_table *
arp_create(struct router *r, uint32_t max, uint32_t queue_len)
{
	struct arp_table *at = xcalloc(1, sizeof(*at));
	uint32_t i;

	at->r = r;
	at->max = max == 0 ? 1 : max;
	at->queue_len = queue_len;
	at->n = xcalloc(at->max, sizeof(*at->n));
	for (at->nbuckets = 16; at->nbuckets < at->max; at->nbuckets <<= 1)
		;
	at->buckets = xcalloc(at->nbuckets, sizeof(*at->buckets));
	for (i = 0; i < at->nbuckets; i++)
		at->buckets[i] = ARP_NONE;
	for (i = 0; i < at->max; i++)
		at->n[i].hnext = i + 1 < at->max ? i + 1 : ARP_NONE;
	at->free = 0;
	hash_key_random(&at->key);
	return at;
}

static void
queue_free(struct arp_table *at, struct arp_neigh *n)
{
	struct arp_qpkt *q, *next;

	for (q = n->qhead; q != NULL; q = next) {
		next = q->next;
		at->qbytes -= q->len;
		free(q);
	}
	n->qhead = n->qtail = NULL;
	n->qlen = 0;
}

static void
neigh_del(struct arp_table *at, struct arp_neigh *n)
{
	uint32_t idx = (uint32_t)(n - at->n);
	uint32_t *pp = &at->buckets[arp_bucket(at, n->iface, n->addr)];

	while (*pp != ARP_NONE && *pp != idx)
		pp = &at->n[*pp].hnext;
	if (*pp == idx)
		*pp = n->hnext;
	queue_free(at, n);
	memset(n, 0, sizeof(*n));
	n->hnext = at->free;
	at->free = idx;
	at->count--;
}

void
arp_destroy(struct arp_table *at)
{
	uint32_t i;

	if (at == NULL)
		return;
	for (i = 0; i < at->max; i++)
		if (at->n[i].used)
			queue_free(at, &at->n[i]);
	free(at->n);
	free(at->buckets);
	free(at);
}

void
arp_reconfigure(struct arp_table *at, uint32_t max, uint32_t queue_len)
{
	/* the table keeps its size until restart; the queue bound applies */
	if (max != at->max)
		log_warnx("arp.max changed: takes effect on restart");
	at->queue_len = queue_len;
}

static struct arp_neigh *
neigh_find(struct arp_table *at, int iface, uint32_t addr)
{
	uint32_t i = at->buckets[arp_bucket(at, iface, addr)];

	for (; i != ARP_NONE; i = at->n[i].hnext)
		if (at->n[i].addr == addr && at->n[i].iface == iface)
			return &at->n[i];
	return NULL;
}

static struct arp_neigh *
neigh_new(struct arp_table *at, int iface, uint32_t addr)
{
	struct arp_neigh *n;
	uint32_t i, b;

	if (at->free == ARP_NONE) {
		/* full: recycle a stale entry that nobody waits on */
		for (i = 0; i < at->max; i++)
			if (at->n[i].state == ARP_STALE && at->n[i].qlen == 0)
				break;
		if (i == at->max)
			return NULL;
		neigh_del(at, &at->n[i]);
	}
	i = at->free;
	n = &at->n[i];
	at->free = n->hnext;
	memset(n, 0, sizeof(*n));
	n->used = true;
	n->addr = addr;
	n->iface = iface;
	n->state = ARP_INCOMPLETE;
	b = arp_bucket(at, iface, addr);
	n->hnext = at->buckets[b];
	at->buckets[b] = i;
	at->count++;
	return n;
}

static bool
iface_has_addr(const struct iface *ifp, uint32_t a)
{
	int i;

	for (i = 0; i < ifp->conf->naddrs; i++)
		if (ifp->conf->addrs[i].addr == a)
			return true;
	return false;
}

/* The address of ours to send from when asking about @target. */
static uint32_t
iface_src_for(const struct iface *ifp, uint32_t target)
{
	int i;

	for (i = 0; i < ifp->conf->naddrs; i++) {
		const struct conf_addr *a = &ifp->conf->addrs[i];
		uint32_t m = a->plen == 0 ? 0 : htonl(~(uint32_t)0 <<
		    (32 - a->plen));

		if ((a->addr & m) == (target & m))
			return a->addr;
	}
	return ifp->conf->addrs[0].addr;
}

static bool
iface_on_link(const struct iface *ifp, uint32_t a)
{
	int i;

	for (i = 0; i < ifp->conf->naddrs; i++) {
		const struct conf_addr *c = &ifp->conf->addrs[i];
		uint32_t m = c->plen == 0 ? 0 : htonl(~(uint32_t)0 <<
		    (32 - c->plen));

		if ((c->addr & m) == (a & m))
			return true;
	}
	return false;
}

static void
arp_send(struct arp_table *at, int iface, uint16_t op, const uint8_t *dmac,
    uint32_t spa, const uint8_t *tha, uint32_t tpa)
{
	struct iface *ifp = &at->r->ifaces[iface];
	uint8_t buf[VNET_HDR_LEN + ETH_HLEN_ + sizeof(struct arp_pkt)]
	    __attribute__((aligned(8)));
	uint8_t *eth = buf + (ifp->vnet ? VNET_HDR_LEN : 0);
	struct arp_pkt a;
	uint16_t et = htons(ETHERTYPE_ARP);

	memset(buf, 0, sizeof(buf));
	memcpy(eth, dmac, 6);
	memcpy(eth + 6, ifp->conf->mac, 6);
	memcpy(eth + 12, &et, 2);
	a.htype = htons(1);
	a.ptype = htons(ETHERTYPE_IPV4);
	a.hlen = 6;
	a.plen = 4;
	a.op = htons(op);
	memcpy(a.sha, ifp->conf->mac, 6);
	memcpy(a.spa, &spa, 4);
	memcpy(a.tha, tha, 6);
	memcpy(a.tpa, &tpa, 4);
	memcpy(eth + ETH_HLEN_, &a, sizeof(a));
	tap_write(ifp, buf, (size_t)(eth - buf) + ETH_HLEN_ + sizeof(a));
}

static void
arp_request(struct arp_table *at, struct arp_neigh *n, bool unicast)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[6];
	struct iface *ifp = &at->r->ifaces[n->iface];

	arp_send(at, n->iface, 1, unicast ? n->mac : bcast,
	    iface_src_for(ifp, n->addr), zero, n->addr);
	n->probe_ms = router_now_ms();
	n->probes++;
}

static void
queue_flush(struct arp_table *at, struct arp_neigh *n)
{
	struct iface *ifp = &at->r->ifaces[n->iface];
	struct arp_qpkt *q;
	size_t off = ifp->vnet ? VNET_HDR_LEN : 0;

	for (q = n->qhead; q != NULL; q = q->next) {
		memcpy(q->data + off, n->mac, 6);
		tap_write(ifp, q->data, q->len);
	}
	queue_free(at, n);
}

/*
 * Linux arp_accept=0 (the default): a new entry comes only from a request
 * for one of our addresses (the asker will want our answer); an
 * unsolicited reply or a gratuitous ARP for an address we never asked
 * about creates nothing. arp.accept: yes learns from those too.
 */
static bool
arp_may_create(const struct arp_table *at, const struct arp_pkt *a,
    bool for_us, uint32_t spa, uint32_t tpa)
{
	if (ntohs(a->op) == 1 && for_us)
		return true;
	return at->r->conf->limits.arp_accept && (for_us || spa == tpa);
}

/*
 * Linux locktime: within arp.locktime of its last confirmation, a
 * resolved entry keeps its MAC; an answer with another one (a second
 * proxy, or a spoofer racing the real host) is ignored. Same MAC:
 * a confirmation as ever.
 */
static bool
arp_locked(struct arp_table *at, const struct arp_neigh *n,
    const uint8_t *sha)
{
	uint32_t lock = at->r->conf->limits.arp_locktime_ms;

	if (n->state != ARP_REACHABLE && n->state != ARP_STALE)
		return false;
	if (memcmp(n->mac, sha, 6) == 0)
		return false;
	if (router_now_ms() - n->updated_ms >= lock)
		return false;
	at->locked++;
	return true;
}

int
arp_input(struct arp_table *at, int iface, const uint8_t *eth, size_t len)
{
	struct iface *ifp = &at->r->ifaces[iface];
	struct arp_pkt a;
	struct arp_neigh *n;
	uint32_t spa, tpa;
	bool for_us;

	if (len < ETH_HLEN_ + sizeof(a))
		return -1;
	memcpy(&a, eth + ETH_HLEN_, sizeof(a));
	if (ntohs(a.htype) != 1 || ntohs(a.ptype) != ETHERTYPE_IPV4 ||
	    a.hlen != 6 || a.plen != 4)
		return -1;
	if (ntohs(a.op) != 1 && ntohs(a.op) != 2)
		return -1;
	if (a.sha[0] & 1)
		return -1;		/* multicast sender hardware address */
	memcpy(&spa, a.spa, 4);
	memcpy(&tpa, a.tpa, 4);
	for_us = iface_has_addr(ifp, tpa);

	/* RFC 826 merge: update a known sender, learn one that asks us */
	if (spa != 0 && iface_on_link(ifp, spa) && !iface_has_addr(ifp, spa)) {
		n = neigh_find(at, iface, spa);
		if (n == NULL && arp_may_create(at, &a, for_us, spa, tpa))
			n = neigh_new(at, iface, spa);
		if (n != NULL && arp_locked(at, n, a.sha))
			n = NULL;
		if (n != NULL) {
			memcpy(n->mac, a.sha, 6);
			n->state = ARP_REACHABLE;
			n->probes = 0;
			n->updated_ms = router_now_ms();
			if (n->qhead != NULL)
				queue_flush(at, n);
		}
	}
	if (ntohs(a.op) == 1 && for_us)
		arp_send(at, iface, 2, a.sha, tpa, a.sha, spa);
	return 0;
}

const uint8_t *
arp_resolve(struct arp_table *at, int iface, uint32_t nexthop,
    const uint8_t *frame, size_t len, int *queued)
{
	struct arp_neigh *n = neigh_find(at, iface, nexthop);
	uint64_t now = router_now_ms();
	struct arp_qpkt *q;

	*queued = 0;
	if (n != NULL && n->state != ARP_INCOMPLETE) {
		n->used_ms = now;
		if (n->state == ARP_REACHABLE &&
		    now - n->updated_ms > ARP_REACHABLE_TIME * 1000) {
			n->state = ARP_STALE;
			n->probes = 0;
		}
		/* stale: keep using it while asking again (unicast) */
		if (n->state == ARP_STALE && n->probes < ARP_MAX_PROBES &&
		    now - n->probe_ms >= ARP_RETRANS_MS)
			arp_request(at, n, true);
		return n->mac;
	}
	if (n == NULL) {
		n = neigh_new(at, iface, nexthop);
		if (n == NULL)
			return NULL;
		n->used_ms = now;
		arp_request(at, n, false);
	}
	if (n->qlen >= at->queue_len || at->qbytes + len > ARP_QUEUE_BYTES_MAX)
		return NULL;
	q = malloc(sizeof(*q) + len);
	if (q == NULL)
		return NULL;
	q->next = NULL;
	q->len = len;
	memcpy(q->data, frame, len);
	if (n->qtail != NULL)
		n->qtail->next = q;
	else
		n->qhead = q;
	n->qtail = q;
	n->qlen++;
	at->qbytes += len;
	*queued = 1;
	return NULL;
}

static void
neigh_fail(struct arp_table *at, struct arp_neigh *n)
{
	struct arp_qpkt *q, *next;
	int iface = n->iface;

	q = n->qhead;
	n->qhead = n->qtail = NULL;
	n->qlen = 0;
	for (; q != NULL; q = next) {
		next = q->next;
		at->qbytes -= q->len;
		router_arp_failed(at->r, iface, q->data, q->len);
		free(q);
	}
	neigh_del(at, n);
}

void
arp_timer(struct arp_table *at, uint64_t now)
{
	uint32_t i;

	for (i = 0; i < at->max; i++) {
		struct arp_neigh *n = &at->n[i];

		if (!n->used)
			continue;
		switch (n->state) {
		case ARP_INCOMPLETE:
			if (now - n->probe_ms < ARP_RETRANS_MS)
				break;
			if (n->probes >= ARP_MAX_PROBES)
				neigh_fail(at, n);
			else
				arp_request(at, n, false);
			break;
		case ARP_REACHABLE:
			if (now - n->updated_ms > ARP_REACHABLE_TIME * 1000) {
				n->state = ARP_STALE;
				n->probes = 0;
			}
			break;
		case ARP_STALE:
			if (now - n->used_ms > ARP_GC_STALE_TIME * 1000 ||
			    (n->probes >= ARP_MAX_PROBES &&
			    now - n->probe_ms >= ARP_RETRANS_MS))
				neigh_del(at, n);
			break;
		default:
			neigh_del(at, n);
			break;
		}
	}
}

void
arp_foreach(struct arp_table *at, arp_iter_fn fn, void *arg)
{
	uint32_t i;

	for (i = 0; i < at->max; i++)
		if (at->n[i].used && fn(arg, &at->n[i]) != 0)
			return;
}

uint32_t
arp_foreach_from(struct arp_table *at, uint32_t start, uint32_t budget,
    arp_iter_fn fn, void *arg)
{
	uint32_t i;

	for (i = start; i < at->max; i++) {
		if (budget-- == 0)
			return i;
		if (at->n[i].used && fn(arg, &at->n[i]) != 0)
			return i + 1;
	}
	return UINT32_MAX;
}

uint64_t
arp_locked_count(const struct arp_table *at)
{
	return at->locked;
}

const char *
arp_state_name(uint8_t state)
{
	switch (state) {
	case ARP_INCOMPLETE:
		return "incomplete";
	case ARP_REACHABLE:
		return "reachable";
	case ARP_STALE:
		return "stale";
	case ARP_FAILED:
		return "failed";
	}
	return "?";
}
