/* SPDX-License-Identifier: ISC */
/*
 * ARP: replies for the router's own addresses, the neighbour cache with
 * aging (RFC 1122 2.3.2.1 style: REACHABLE for 30 s after confirmation,
 * then STALE and re-probed on use), resolution with retries, and a bounded
 * queue of packets per unresolved neighbour. When resolution fails, the
 * queued packets get ICMP host-unreachable.
 */
#ifndef HAIRPIND_ARP_H
#define HAIRPIND_ARP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum arp_state { ARP_INCOMPLETE, ARP_REACHABLE, ARP_STALE, ARP_FAILED };

#define ARP_REACHABLE_TIME	30	/* s */
#define ARP_RETRANS_MS		1000
#define ARP_MAX_PROBES		3
#define ARP_GC_STALE_TIME	300	/* s unused before a stale entry goes */
#define ARP_QUEUE_BYTES_MAX	(4u << 20)	/* all queues together */

struct arp_neigh {
	uint32_t addr;		/* network order */
	int iface;
	uint8_t mac[6];
	uint8_t state;		/* enum arp_state */
	uint8_t probes;
	uint64_t updated_ms;	/* last confirmation */
	uint64_t used_ms;
	uint64_t probe_ms;	/* when the last request went out */
	/* internal */
	struct arp_qpkt *qhead, *qtail;
	uint32_t qlen;
	uint32_t hnext;		/* hash chain, or free list */
	bool used;
};

struct arp_table;
struct router;

struct arp_table *arp_create(struct router *r, uint32_t max_entries,
    uint32_t queue_len);
void arp_destroy(struct arp_table *at);
void arp_reconfigure(struct arp_table *at, uint32_t max_entries,
    uint32_t queue_len);

/**
 * arp_input() - handle an ARP frame received on @iface: learn the sender
 * when it asks for one of our addresses or is already cached (an
 * unsolicited reply or gratuitous ARP creates nothing unless arp.accept),
 * keep a resolved MAC for arp.locktime after its last confirmation, reply
 * to requests for our addresses, and flush queued packets when a
 * neighbour resolves.
 * @eth: the Ethernet frame, @len bytes.
 * Return: 0, or -1 when malformed (the caller counts "bad-arp").
 */
int arp_input(struct arp_table *at, int iface, const uint8_t *eth,
    size_t len);

/**
 * arp_resolve() - the MAC for @nexthop on @iface.
 * Return: a pointer to 6 bytes when known (the caller sends at once), or
 * NULL after taking a copy of the packet into the neighbour's queue (or
 * dropping it when the queue is full; @queued says which).
 * @frame, @len: the whole frame as it would be written (vnet header
 * included), whose Ethernet destination is filled when it is sent later.
 */
const uint8_t *arp_resolve(struct arp_table *at, int iface, uint32_t nexthop,
    const uint8_t *frame, size_t len, int *queued);

/* arp_timer() - retransmit requests, fail and age entries. */
void arp_timer(struct arp_table *at, uint64_t now_ms);

typedef int (*arp_iter_fn)(void *arg, const struct arp_neigh *n);
void arp_foreach(struct arp_table *at, arp_iter_fn fn, void *arg);
/*
 * arp_foreach_from() - the same from slot @start (0 first), looking at
 * no more than @budget slots, for a walk in slices. Return: where to go
 * on, UINT32_MAX when the walk is done.
 */
uint32_t arp_foreach_from(struct arp_table *at, uint32_t start,
    uint32_t budget, arp_iter_fn fn, void *arg);
const char *arp_state_name(uint8_t state);
/* MAC changes refused because the entry was within arp.locktime. */
uint64_t arp_locked_count(const struct arp_table *at);

#endif
