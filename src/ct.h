/* SPDX-License-Identifier: ISC */
/*
 * Connection tracking: tuples, the table, the TCP state machine, expiry.
 *
 * A connection has an original tuple (as the first packet arrived) and a
 * reply tuple (what the answer looks like on the wire after NAT). Both
 * are keys of one hash table, so a packet of either direction finds its
 * entry with one lookup. The router computes the NAT binding for the
 * first packet first and inserts the entry once, complete; there are no
 * unconfirmed entries.
 *
 * Memory: entries live in chunks allocated as the table grows, so RSS
 * follows the number of connections and conntrack.max bounds it. The hot
 * part of an entry (tuples, hash and timer links, expiry, state) is one
 * 64-byte cache line; counters and TCP window data sit in a parallel cold
 * array. Buckets hold 32-bit references. Budget: <= 128 bytes per entry.
 *
 * Expiry: a hashed timer wheel of one-second slots. A packet only stores
 * a new expiry time in the entry; the wheel re-files an entry whose time
 * moved on when its slot comes up, and moves it earlier at once when the
 * new expiry is sooner than the slot it sits in. Each tick expires at most
 * a budget of entries, so expiring a million connections never stalls.
 *
 * Eviction: when the table is full, the oldest entry that never saw a
 * reply is evicted (Linux early_drop); unreplied entries are kept on a
 * FIFO list for this. With none, the new connection is refused.
 *
 * TCP state machine (RFC 793 states, as netfilter names them):
 *
 *   NONE --SYN--> SYN_SENT --SYN/ACK(reply)--> SYN_RECV --ACK--> ESTABLISHED
 *   SYN_SENT --SYN(reply)--> SYN_SENT2 (simultaneous open) --SYN/ACK--> SYN_RECV
 *   ESTABLISHED --FIN(dir d)--> FIN_WAIT --FIN(other dir)--> LAST_ACK
 *   ESTABLISHED --FIN(...)--> CLOSE_WAIT when the other side acked the FIN
 *   FIN_WAIT/CLOSE_WAIT/LAST_ACK --final ACK of both FINs--> TIME_WAIT
 *   any --RST (in window)--> CLOSE
 *   TIME_WAIT/CLOSE --SYN(orig)--> SYN_SENT (port reuse: entry re-opened)
 *
 * A segment is INVALID (not tracked, ct_track() returns CT_INVALID) when:
 * the first packet of a TCP connection is not a SYN (a bare ACK or other
 * packet with no entry, see ct_tcp_new_ok()); its flags are impossible
 * (SYN+FIN, SYN+RST, no flags); or its sequence numbers fall outside the
 * window tracked for that direction (td_end/td_maxend/td_maxwin as in
 * Rooij's "Real stateful TCP packet filtering in IP Filter").
 */
#ifndef HAIRPIND_CT_H
#define HAIRPIND_CT_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"

/* A direction-specific 5-tuple; every field in NETWORK byte order. */
struct ct_tuple {
	uint32_t src, dst;
	uint16_t sport, dport;	/* ICMP query: sport = id, dport =
				   htons(type), 8 (echo request) in the
				   orig tuple and 0 (echo reply) in the
				   reply tuple; protocols without ports:
				   0, 0 */
	uint8_t proto;
} __attribute__((packed));

enum ct_dir { CT_DIR_ORIG = 0, CT_DIR_REPLY = 1 };

enum ct_tcp_state {
	CT_TCP_NONE,
	CT_TCP_SYN_SENT,
	CT_TCP_SYN_SENT2,
	CT_TCP_SYN_RECV,
	CT_TCP_ESTABLISHED,
	CT_TCP_FIN_WAIT,
	CT_TCP_CLOSE_WAIT,
	CT_TCP_LAST_ACK,
	CT_TCP_TIME_WAIT,
	CT_TCP_CLOSE,
	CT_TCP_STATE_COUNT,
};

/* ct_entry.flags */
#define CT_F_SNAT	0x01	/* source translated */
#define CT_F_DNAT	0x02	/* destination translated */
#define CT_F_REPLIED	0x04	/* a packet was seen in the reply direction */
#define CT_F_ASSURED	0x08	/* replied and past the handshake: never evicted */
#define CT_F_LOCAL	0x10	/* to or from the router itself */
#define CT_F_EIF	0x20	/* endpoint-independent filtering (full cone) */
#define CT_F_PORTMAP	0x40	/* holds a natport mapping reference */
#define CT_F_DYING	0x80	/* internal: being destroyed */

/*
 * Hot part: exactly one cache line. Fields marked internal belong to ct.c
 * and may be rearranged there, as long as sizeof stays 64.
 */
struct ct_entry {
	struct ct_tuple orig;		/* 13 */
	uint8_t tcp_state;		/* enum ct_tcp_state */
	uint8_t flags;			/* CT_F_* */
	uint8_t wscale;			/* internal: TCP window scale, orig<<4|reply */
	struct ct_tuple reply;		/* 13 */
	uint8_t tdflags;		/* internal: TCP per-direction flags */
	uint16_t tslot;			/* internal: timer wheel slot */
	uint32_t expires;		/* absolute, ct clock seconds */
	uint32_t id;			/* internal: own index, stable while alive */
	uint32_t hnext[2];		/* internal: hash chains per direction */
	uint32_t tnext, tprev;		/* internal: timer wheel */
	uint32_t unext, uprev;		/* internal: unreplied FIFO */
} __attribute__((aligned(64)));

/* Cold part: counters and TCP window tracking. */
struct ct_stats {
	uint64_t bytes[2];		/* per ct_dir */
	uint32_t packets[2];
	uint32_t td_end[2];		/* TCP: highest seq+len sent, per dir */
	uint32_t td_maxend[2];		/* TCP: highest ack+win seen, per dir */
	uint32_t td_maxwin[2];		/* TCP: largest window seen, per dir */
};

/* Counters of the table, for `status` and `metrics`. */
struct ct_counters {
	uint64_t created;	/* entries inserted */
	uint64_t expired;	/* removed by the timer */
	uint64_t evicted;	/* removed by early drop */
	uint64_t dropped;	/* new connections refused: table full */
	uint64_t clashes;	/* new connections refused: tuple in use */
	uint64_t invalid;	/* packets ct_track() said were invalid */
	uint64_t flushed;	/* removed by ct_flush() */
};

/* What ct_track() needs to know of a packet. */
struct ct_pkt {
	uint8_t tcp_flags;	/* TH_* of the TCP header, 0 for others */
	uint32_t seq, ack;	/* host order */
	uint16_t win;		/* host order, unscaled */
	int8_t wscale;		/* window scale option on a SYN, -1: none */
	uint32_t payload;	/* TCP data bytes; ct adds 1 each for SYN
				   and FIN (sequence space) */
	uint32_t len;		/* IP total length, for byte counters */
};

enum ct_verdict { CT_OK = 0, CT_INVALID = -1 };

enum ct_event { CT_EV_NEW, CT_EV_UPDATE, CT_EV_DESTROY };

/*
 * Called when an entry is created, changes TCP state or first sees a reply
 * (UPDATE), and just before it is removed for any reason (DESTROY). The
 * destroy callback releases NAT resources (CT_F_PORTMAP).
 */
typedef void (*ct_event_fn)(void *arg, enum ct_event ev,
    const struct ct_entry *e);

struct ct_table;

/**
 * ct_create() - a table bounded by @max entries (grows in chunks up to it).
 * @now: the ct clock, seconds (monotonic)
 */
struct ct_table *ct_create(uint32_t max, const struct conf_timeouts *to,
    uint32_t now);
/* ct_destroy() - free everything; fires no DESTROY events (shutdown). */
void ct_destroy(struct ct_table *t);

/* ct_set_event_cb() - one callback for new/update/destroy. */
void ct_set_event_cb(struct ct_table *t, ct_event_fn fn, void *arg);

/*
 * ct_reconfigure() - apply a reloaded max and timeouts. A smaller max
 * evicts nothing at once; new connections are refused or early-dropped
 * until the count falls below it. Timeouts apply from each entry's next
 * packet.
 */
void ct_reconfigure(struct ct_table *t, uint32_t max,
    const struct conf_timeouts *to);

/**
 * ct_lookup() - find the entry that has @tu as its orig or reply tuple.
 * @dir: set to the direction @tu matched
 * Return: the entry or NULL.
 */
struct ct_entry *ct_lookup(struct ct_table *t, const struct ct_tuple *tu,
    enum ct_dir *dir);

/* ct_tuple_in_use() - true when some entry has @tu as orig or reply. */
bool ct_tuple_in_use(struct ct_table *t, const struct ct_tuple *tu);

/**
 * ct_insert() - add a connection with both tuples.
 * @flags: CT_F_SNAT/DNAT/LOCAL/EIF/PORTMAP as decided by NAT
 * @p: the first packet, to start the state machine and counters
 * @now: ct clock
 *
 * When the table is full, evicts the oldest unreplied entry first.
 * Return: the entry, or NULL when the table is full of replied entries
 * (counted as dropped) or either tuple is already in use, or orig equals
 * reply (counted as a clash). A TCP first packet that is not a SYN must
 * not get here (the caller checks ct_tcp_new_ok()); it is refused and
 * counted as invalid.
 */
struct ct_entry *ct_insert(struct ct_table *t, const struct ct_tuple *orig,
    const struct ct_tuple *reply, uint8_t flags, const struct ct_pkt *p,
    uint32_t now);

/* ct_tcp_new_ok() - may this TCP segment open a connection? (a SYN
   without ACK, RST or FIN) */
bool ct_tcp_new_ok(uint8_t tcp_flags);

/**
 * ct_track() - account one packet of an existing connection: counters,
 * REPLIED/ASSURED, the TCP state machine and window, and the timeout.
 * UDP timers are refreshed by orig-direction packets only when the entry
 * is source-NATed (RFC 4787 REQ-6); otherwise by both directions.
 * Return: CT_OK, or CT_INVALID for a segment that does not fit the
 * connection (counted; the entry is unchanged).
 */
enum ct_verdict ct_track(struct ct_table *t, struct ct_entry *e,
    enum ct_dir dir, const struct ct_pkt *p, uint32_t now);

/* ct_remove() - remove one entry now (fires DESTROY). */
void ct_remove(struct ct_table *t, struct ct_entry *e);

/**
 * ct_expire() - run the wheel up to @now, removing at most @budget
 * expired entries (and re-filing at most a few times @budget far ones).
 * Return: true when more are due or the wheel has not caught up with
 * @now (call again soon).
 */
bool ct_expire(struct ct_table *t, uint32_t now, unsigned int budget);

/* ct_flush() - remove every entry. Return: how many. */
uint32_t ct_flush(struct ct_table *t);

/*
 * Iterate over live entries; stop early when @fn returns non-zero. @fn may
 * remove entries (ct_lookup() then ct_remove()); entries inserted meanwhile
 * may or may not be visited.
 */
typedef int (*ct_iter_fn)(void *arg, const struct ct_entry *e,
    const struct ct_stats *st);
void ct_foreach(struct ct_table *t, ct_iter_fn fn, void *arg);

const struct ct_stats *ct_stats(const struct ct_table *t,
    const struct ct_entry *e);

/*
 * The connection mark (mark-connection; an id of names.h, 0 no-mark) and
 * the fasttrack bit (fasttrack-connection: later packets skip mangle and
 * filter). Both are cleared when the entry is made.
 */
uint16_t ct_mark(const struct ct_table *t, const struct ct_entry *e);
void ct_set_mark(struct ct_table *t, const struct ct_entry *e, uint16_t mark);
bool ct_fasttracked(const struct ct_table *t, const struct ct_entry *e);
void ct_set_fasttrack(struct ct_table *t, const struct ct_entry *e);
uint32_t ct_count(const struct ct_table *t);
uint32_t ct_max(const struct ct_table *t);
const struct ct_counters *ct_counters(const struct ct_table *t);
/* Seconds left before @e expires, 0 when due. */
uint32_t ct_timeout_left(const struct ct_entry *e, uint32_t now);
const char *ct_tcp_state_name(uint8_t state);	/* "established", ... */
/* Bytes of memory the table holds now (entries, cold data, buckets). */
size_t ct_memory(const struct ct_table *t);

/* ct_tuple_invert() - the tuple of the answer to @in, no NAT applied. */
void ct_tuple_invert(struct ct_tuple *out, const struct ct_tuple *in);

#endif
