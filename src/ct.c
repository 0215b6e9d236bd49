/* SPDX-License-Identifier: ISC */
/* Connection tracking: the table, the TCP state machine and the timer wheel. */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "hash.h"
#include "log.h"
#include "xmalloc.h"

/*
 * Entries live in chunks of CT_CHUNK: an index names chunk (high bits) and
 * slot (low bits), so a reference is 32 bits and chunks never move.
 * 4096 entries (448 KiB hot + cold) keep the rounding loss under 0.5% of
 * a large table while allocations stay few.
 */
#define CT_CHUNK_SHIFT	12
#define CT_CHUNK	(1u << CT_CHUNK_SHIFT)
#define CT_CHUNK_MASK	(CT_CHUNK - 1)
/* Indexes must fit a bucket reference ((idx + 1) << 1 | dir). */
#define CT_MAX_LIMIT	(1u << 28)

/* The wheel: one-second slots; farther expiries are re-filed on a visit. */
#define CT_WHEEL_BITS	12
#define CT_WHEEL	(1u << CT_WHEEL_BITS)
#define CT_WHEEL_MASK	(CT_WHEEL - 1)
#define CT_SLOT_FREE	0xffff		/* tslot of an unused entry */

/* ct_expire() looks at no more than this many entries per removal. */
#define CT_EXPIRE_WORK	4
#define CT_EXPIRE_WORK_MIN 64

/* How many unreplied entries one insert may evict (shrunk max). */
#define CT_EVICT_TRIES	8

#define CT_NIL		UINT32_MAX	/* end of a list of indexes */
#define CT_REF_NONE	0		/* empty bucket / end of chain */

/* tdflags: per direction d */
#define TD_SEEN(d)	(0x01u << (d))	/* d sent: window known */
#define TD_FIN(d)	(0x04u << (d))	/* d sent a FIN */
#define TD_FINACK(d)	(0x10u << (d))	/* d's FIN was acknowledged */
#define TD_SIMOPEN	0x40u		/* SYN seen from both sides */
#define TD_SADIR	0x80u		/* simultaneous open: the reply
					   side sent the first SYN/ACK */

/* wscale nibble meaning "no window scale option on the SYN" */
#define WS_NONE		0xf
#define WS_MAX		14

/* Lower bound of acceptable acks (Rooij): at least this much. */
#define MAXACKWINCONST	66000

_Static_assert(sizeof(struct ct_entry) == 64, "ct_entry is one cache line");
_Static_assert(sizeof(struct ct_tuple) == 13, "ct_tuple is packed");
_Static_assert(sizeof(struct ct_stats) == 48, "ct_stats size");

struct ct_table {
	struct ct_entry **hot;		/* [chunk_cap] */
	struct ct_stats **cold;		/* [chunk_cap] */
	uint16_t **ext;			/* [chunk_cap]: mark and fasttrack */
	uint32_t nchunks;		/* allocated */
	uint32_t chunk_cap;		/* length of hot[] and cold[] */
	uint32_t hiwater;		/* indexes ever handed out */
	uint32_t free_head;		/* free list, linked by hnext[0] */
	uint32_t count;
	uint32_t max;

	uint32_t *buckets;		/* 0 or (idx + 1) << 1 | dir */
	uint32_t nbuckets;		/* 2 * max: no power-of-two rounding */
	struct hash_key key;

	uint32_t wnow;			/* first second not yet done */
	uint32_t uhead, utail;		/* unreplied FIFO, oldest first */

	struct conf_timeouts to;
	struct ct_counters cnt;
	ct_event_fn cb;
	void *cb_arg;
	unsigned int iterating;		/* ct_foreach() depth */

	uint32_t wheel[CT_WHEEL];	/* heads of the slot lists */
};

static inline struct ct_entry *
ct_ent(const struct ct_table *t, uint32_t idx)
{
	return &t->hot[idx >> CT_CHUNK_SHIFT][idx & CT_CHUNK_MASK];
}

static inline struct ct_stats *
ct_st(const struct ct_table *t, uint32_t idx)
{
	return &t->cold[idx >> CT_CHUNK_SHIFT][idx & CT_CHUNK_MASK];
}

/*
 * Per entry, two bytes beside the hot line and the cold record (both
 * full): the connection mark (an interned id, names.h) and the fasttrack
 * bit. At 1M entries they cost 2 MB, inside the 128 B/entry budget.
 */
#define CT_EXT_MARK	0x3fff
#define CT_EXT_FAST	0x4000

static inline uint16_t *
ct_x(const struct ct_table *t, uint32_t idx)
{
	return &t->ext[idx >> CT_CHUNK_SHIFT][idx & CT_CHUNK_MASK];
}

static inline bool
seq_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline bool
seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(b - a) < 0;
}

static void
ct_event(struct ct_table *t, enum ct_event ev, const struct ct_entry *e)
{
	if (t->cb != NULL)
		t->cb(t->cb_arg, ev, e);
}

/* --- sizing ---------------------------------------------------------- */

static uint32_t
ct_clamp_max(uint32_t max)
{
	if (max > CT_MAX_LIMIT) {
		log_warnx("conntrack: max %u too large, using %u", max,
		    CT_MAX_LIMIT);
		return CT_MAX_LIMIT;
	}
	return max;
}

/*
 * Two buckets per connection (one per key), at least 64. Not rounded up
 * to a power of two: ct_bucket() maps a hash onto any count, which keeps
 * a table of 1.2M at 2.4M buckets (8 bytes per connection), not 4M.
 */
static uint32_t
ct_bucket_count(uint32_t max)
{
	uint64_t n = 2 * (uint64_t)max;

	return n < 64 ? 64 : n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

static uint32_t
ct_chunks_for(uint32_t max)
{
	return (max + CT_CHUNK - 1) >> CT_CHUNK_SHIFT;
}

/* --- hash ------------------------------------------------------------ */

static inline uint32_t
ct_ref(uint32_t idx, enum ct_dir d)
{
	return ((idx + 1) << 1) | (uint32_t)d;
}

static inline uint32_t
ct_ref_idx(uint32_t ref)
{
	return (ref >> 1) - 1;
}

static inline uint32_t
ct_bucket(const struct ct_table *t, const struct ct_tuple *tu)
{
	uint32_t h = (uint32_t)hash_siphash13(&t->key, tu, sizeof(*tu));

	/* multiply-shift range reduction (Lemire): uniform over any count */
	return (uint32_t)(((uint64_t)h * t->nbuckets) >> 32);
}

static inline const struct ct_tuple *
ct_key(const struct ct_entry *e, unsigned int d)
{
	return d == CT_DIR_ORIG ? &e->orig : &e->reply;
}

static void
ct_hash_add(struct ct_table *t, struct ct_entry *e, enum ct_dir d)
{
	uint32_t b = ct_bucket(t, ct_key(e, d));

	e->hnext[d] = t->buckets[b];
	t->buckets[b] = ct_ref(e->id, d);
}

static void
ct_hash_del(struct ct_table *t, struct ct_entry *e, enum ct_dir d)
{
	uint32_t want = ct_ref(e->id, d);
	uint32_t *pp = &t->buckets[ct_bucket(t, ct_key(e, d))];

	while (*pp != CT_REF_NONE) {
		if (*pp == want) {
			*pp = e->hnext[d];
			e->hnext[d] = CT_REF_NONE;
			return;
		}
		pp = &ct_ent(t, ct_ref_idx(*pp))->hnext[*pp & 1];
	}
	fatalx("conntrack: entry %u missing from its hash chain", e->id);
}

struct ct_entry *
ct_lookup(struct ct_table *t, const struct ct_tuple *tu, enum ct_dir *dir)
{
	uint32_t r = t->buckets[ct_bucket(t, tu)];

	while (r != CT_REF_NONE) {
		struct ct_entry *e = ct_ent(t, ct_ref_idx(r));
		unsigned int d = r & 1;

		if (memcmp(ct_key(e, d), tu, sizeof(*tu)) == 0) {
			if (dir != NULL)
				*dir = (enum ct_dir)d;
			return e;
		}
		r = e->hnext[d];
	}
	return NULL;
}

bool
ct_tuple_in_use(struct ct_table *t, const struct ct_tuple *tu)
{
	return ct_lookup(t, tu, NULL) != NULL;
}

/* --- timer wheel ----------------------------------------------------- */

/* Seconds from the cursor until slot @s is processed. */
static inline uint32_t
ct_slot_wait(const struct ct_table *t, uint32_t s)
{
	return (s - t->wnow) & CT_WHEEL_MASK;
}

/*
 * The slot for an entry expiring at @when. A due or past time goes to the
 * cursor's slot. A time further than the wheel reaches goes to the slot
 * of its own second, which comes up earlier; then the entry is re-filed.
 * That slot is never the cursor's, so ct_expire() cannot meet an entry
 * twice in one slot.
 */
static uint32_t
ct_slot_for(const struct ct_table *t, uint32_t when)
{
	uint32_t ahead = when - t->wnow;

	if ((int32_t)ahead <= 0)
		return t->wnow & CT_WHEEL_MASK;
	if (ahead > CT_WHEEL_MASK && (ahead & CT_WHEEL_MASK) == 0)
		return (t->wnow + CT_WHEEL_MASK) & CT_WHEEL_MASK;
	return when & CT_WHEEL_MASK;
}

static void
ct_timer_link(struct ct_table *t, struct ct_entry *e, uint32_t slot)
{
	uint32_t head = t->wheel[slot];

	e->tslot = (uint16_t)slot;
	e->tprev = CT_NIL;
	e->tnext = head;
	if (head != CT_NIL)
		ct_ent(t, head)->tprev = e->id;
	t->wheel[slot] = e->id;
}

static void
ct_timer_unlink(struct ct_table *t, struct ct_entry *e)
{
	if (e->tprev != CT_NIL)
		ct_ent(t, e->tprev)->tnext = e->tnext;
	else
		t->wheel[e->tslot] = e->tnext;
	if (e->tnext != CT_NIL)
		ct_ent(t, e->tnext)->tprev = e->tprev;
	e->tnext = e->tprev = CT_NIL;
}

/*
 * Store a new expiry. The entry only moves when the new time comes before
 * its slot does; otherwise the slot's visit re-files it, so a packet costs
 * one store in the common case.
 */
static void
ct_set_expires(struct ct_table *t, struct ct_entry *e, uint32_t when)
{
	uint32_t slot = ct_slot_for(t, when);

	e->expires = when;
	if (ct_slot_wait(t, slot) < ct_slot_wait(t, e->tslot)) {
		ct_timer_unlink(t, e);
		ct_timer_link(t, e, slot);
	}
}

/* --- unreplied FIFO -------------------------------------------------- */

static void
ct_fifo_push(struct ct_table *t, struct ct_entry *e)
{
	e->unext = CT_NIL;
	e->uprev = t->utail;
	if (t->utail != CT_NIL)
		ct_ent(t, t->utail)->unext = e->id;
	else
		t->uhead = e->id;
	t->utail = e->id;
}

static void
ct_fifo_unlink(struct ct_table *t, struct ct_entry *e)
{
	if (e->uprev != CT_NIL)
		ct_ent(t, e->uprev)->unext = e->unext;
	else
		t->uhead = e->unext;
	if (e->unext != CT_NIL)
		ct_ent(t, e->unext)->uprev = e->uprev;
	else
		t->utail = e->uprev;
	e->unext = e->uprev = CT_NIL;
}

/* --- entry storage --------------------------------------------------- */

static int
ct_chunk_add(struct ct_table *t)
{
	static struct log_rl rl;
	struct ct_entry *hot;
	struct ct_stats *cold;
	uint16_t *ext;

	if (t->nchunks >= t->chunk_cap)
		return -1;
	hot = aligned_alloc(64, CT_CHUNK * sizeof(*hot));
	cold = malloc(CT_CHUNK * sizeof(*cold));
	ext = malloc(CT_CHUNK * sizeof(*ext));
	if (hot == NULL || cold == NULL || ext == NULL) {
		if (log_ratelimit(&rl, 1))
			log_warn("conntrack: chunk allocation");
		free(hot);
		free(cold);
		free(ext);
		return -1;
	}
	t->hot[t->nchunks] = hot;
	t->cold[t->nchunks] = cold;
	t->ext[t->nchunks] = ext;
	t->nchunks++;
	return 0;
}

static uint32_t
ct_idx_alloc(struct ct_table *t)
{
	uint32_t idx = t->free_head;

	if (idx != CT_NIL) {
		t->free_head = ct_ent(t, idx)->hnext[0];
		return idx;
	}
	if (t->hiwater >= CT_MAX_LIMIT)
		return CT_NIL;
	if ((t->hiwater >> CT_CHUNK_SHIFT) >= t->nchunks &&
	    ct_chunk_add(t) == -1)
		return CT_NIL;
	return t->hiwater++;
}

static void
ct_idx_free(struct ct_table *t, struct ct_entry *e)
{
	e->tslot = CT_SLOT_FREE;
	e->flags = 0;
	e->hnext[0] = t->free_head;
	t->free_head = e->id;
}

static inline bool
ct_live(const struct ct_entry *e)
{
	return e->tslot != CT_SLOT_FREE && !(e->flags & CT_F_DYING);
}

/* Give every chunk back; only when the table is empty. */
static void
ct_release_chunks(struct ct_table *t)
{
	uint32_t i;

	for (i = 0; i < t->nchunks; i++) {
		free(t->hot[i]);
		free(t->cold[i]);
		free(t->ext[i]);
		t->hot[i] = NULL;
		t->cold[i] = NULL;
		t->ext[i] = NULL;
	}
	t->nchunks = 0;
	t->hiwater = 0;
	t->free_head = CT_NIL;
}

/* Make hot[]/cold[] long enough for @max entries. Return: 0 or -1. */
static int
ct_chunk_arrays(struct ct_table *t, uint32_t max)
{
	uint32_t n = ct_chunks_for(max);
	struct ct_entry **hot;
	struct ct_stats **cold;
	uint16_t **ext;

	if (n <= t->chunk_cap)
		return 0;
	hot = reallocarray(t->hot, n, sizeof(*hot));
	if (hot == NULL)
		return -1;
	t->hot = hot;
	cold = reallocarray(t->cold, n, sizeof(*cold));
	if (cold == NULL)
		return -1;
	t->cold = cold;
	ext = reallocarray(t->ext, n, sizeof(*ext));
	if (ext == NULL)
		return -1;
	t->ext = ext;
	memset(hot + t->chunk_cap, 0, (n - t->chunk_cap) * sizeof(*hot));
	memset(cold + t->chunk_cap, 0, (n - t->chunk_cap) * sizeof(*cold));
	memset(ext + t->chunk_cap, 0, (n - t->chunk_cap) * sizeof(*ext));
	t->chunk_cap = n;
	return 0;
}

/* --- table ----------------------------------------------------------- */

struct ct_table *
ct_create(uint32_t max, const struct conf_timeouts *to, uint32_t now)
{
	struct ct_table *t = xcalloc(1, sizeof(*t));
	uint32_t nb;

	t->max = ct_clamp_max(max);
	t->to = *to;
	hash_key_random(&t->key);
	nb = ct_bucket_count(t->max);
	/* CT_REF_NONE is 0: untouched bucket pages stay unmapped. */
	t->buckets = xcalloc(nb, sizeof(*t->buckets));
	t->nbuckets = nb;
	if (ct_chunk_arrays(t, t->max) == -1)
		fatal("conntrack: chunk table");
	t->free_head = CT_NIL;
	t->uhead = t->utail = CT_NIL;
	t->wnow = now;
	memset(t->wheel, 0xff, sizeof(t->wheel));
	return t;
}

/* No DESTROY events: the whole process state goes with the table. */
void
ct_destroy(struct ct_table *t)
{
	if (t == NULL)
		return;
	ct_release_chunks(t);
	free(t->hot);
	free(t->cold);
	free(t->ext);
	free(t->buckets);
	free(t);
}

void
ct_set_event_cb(struct ct_table *t, ct_event_fn fn, void *arg)
{
	t->cb = fn;
	t->cb_arg = arg;
}

/* Re-file every live entry into a bigger bucket array. */
static void
ct_rehash(struct ct_table *t, uint32_t nb)
{
	uint32_t *nbk = calloc(nb, sizeof(*nbk));
	uint32_t *old = t->buckets;
	uint32_t i;

	if (nbk == NULL) {
		/* Longer chains, but everything still works. */
		log_warn("conntrack: rehash to %u buckets", nb);
		return;
	}
	t->buckets = nbk;
	t->nbuckets = nb;
	for (i = 0; i < t->hiwater; i++) {
		struct ct_entry *e = ct_ent(t, i);

		if (e->tslot == CT_SLOT_FREE)
			continue;
		ct_hash_add(t, e, CT_DIR_ORIG);
		ct_hash_add(t, e, CT_DIR_REPLY);
	}
	free(old);
}

void
ct_reconfigure(struct ct_table *t, uint32_t max,
    const struct conf_timeouts *to)
{
	uint64_t fit;
	uint32_t nb;

	t->to = *to;
	max = ct_clamp_max(max);
	if (ct_chunk_arrays(t, max) == -1) {
		fit = (uint64_t)t->chunk_cap << CT_CHUNK_SHIFT;
		log_warn("conntrack: cannot grow to max %u", max);
		if (max > fit)
			max = (uint32_t)fit;
	}
	t->max = max;
	nb = ct_bucket_count(max);
	if (nb > t->nbuckets)
		ct_rehash(t, nb);
}

uint32_t
ct_count(const struct ct_table *t)
{
	return t->count;
}

uint32_t
ct_max(const struct ct_table *t)
{
	return t->max;
}

const struct ct_counters *
ct_counters(const struct ct_table *t)
{
	return &t->cnt;
}

uint16_t
ct_mark(const struct ct_table *t, const struct ct_entry *e)
{
	return *ct_x(t, e->id) & CT_EXT_MARK;
}

void
ct_set_mark(struct ct_table *t, const struct ct_entry *e, uint16_t mark)
{
	uint16_t *x = ct_x(t, e->id);

	*x = (uint16_t)((*x & ~CT_EXT_MARK) | (mark & CT_EXT_MARK));
}

bool
ct_fasttracked(const struct ct_table *t, const struct ct_entry *e)
{
	return (*ct_x(t, e->id) & CT_EXT_FAST) != 0;
}

void
ct_set_fasttrack(struct ct_table *t, const struct ct_entry *e)
{
	*ct_x(t, e->id) |= CT_EXT_FAST;
}

const struct ct_stats *
ct_stats(const struct ct_table *t, const struct ct_entry *e)
{
	return ct_st(t, e->id);
}

size_t
ct_memory(const struct ct_table *t)
{
	return sizeof(*t) +
	    (size_t)t->nbuckets * sizeof(*t->buckets) +
	    (size_t)t->chunk_cap * (sizeof(*t->hot) + sizeof(*t->cold) +
	    sizeof(*t->ext)) + (size_t)t->nchunks * CT_CHUNK *
	    (sizeof(struct ct_entry) + sizeof(struct ct_stats) +
	    sizeof(uint16_t));
}

uint32_t
ct_timeout_left(const struct ct_entry *e, uint32_t now)
{
	int32_t left = (int32_t)(e->expires - now);

	return left > 0 ? (uint32_t)left : 0;
}

const char *
ct_tcp_state_name(uint8_t state)
{
	static const char *const names[CT_TCP_STATE_COUNT] = {
		[CT_TCP_NONE] = "none",
		[CT_TCP_SYN_SENT] = "syn-sent",
		[CT_TCP_SYN_SENT2] = "syn-sent2",
		[CT_TCP_SYN_RECV] = "syn-received",
		[CT_TCP_ESTABLISHED] = "established",
		[CT_TCP_FIN_WAIT] = "fin-wait",
		[CT_TCP_CLOSE_WAIT] = "close-wait",
		[CT_TCP_LAST_ACK] = "last-ack",
		[CT_TCP_TIME_WAIT] = "time-wait",
		[CT_TCP_CLOSE] = "close",
	};

	if (state >= CT_TCP_STATE_COUNT)
		return "unknown";
	return names[state];
}

/* The reply type of an ICMP query type, or -1 when it is not a query. */
static int
ct_icmp_reply_type(uint16_t type)
{
	switch (type) {
	case 8:
		return 0;
	case 0:
		return 8;
	case 13:
		return 14;
	case 14:
		return 13;
	case 15:
		return 16;
	case 16:
		return 15;
	case 17:
		return 18;
	case 18:
		return 17;
	default:
		return -1;
	}
}

void
ct_tuple_invert(struct ct_tuple *out, const struct ct_tuple *in)
{
	struct ct_tuple r;

	r.src = in->dst;
	r.dst = in->src;
	r.proto = in->proto;
	if (in->proto == IPPROTO_ICMP) {
		int type = ct_icmp_reply_type(ntohs(in->dport));

		/* The id names the query both ways. */
		r.sport = in->sport;
		r.dport = type >= 0 ? htons((uint16_t)type) : in->dport;
	} else {
		r.sport = in->dport;
		r.dport = in->sport;
	}
	*out = r;
}

/* --- timeouts -------------------------------------------------------- */

static uint32_t
ct_tcp_timeout(const struct conf_timeouts *to, uint8_t state)
{
	switch (state) {
	case CT_TCP_SYN_SENT:
	case CT_TCP_SYN_SENT2:
		return to->tcp_syn_sent;
	case CT_TCP_SYN_RECV:
		return to->tcp_syn_received;
	case CT_TCP_ESTABLISHED:
		return to->tcp_established;
	case CT_TCP_FIN_WAIT:
		return to->tcp_fin_wait;
	case CT_TCP_CLOSE_WAIT:
		return to->tcp_close_wait;
	case CT_TCP_LAST_ACK:
		return to->tcp_last_ack;
	case CT_TCP_TIME_WAIT:
		return to->tcp_time_wait;
	default:
		return to->tcp_close;
	}
}

static uint32_t
ct_timeout(const struct ct_table *t, const struct ct_entry *e)
{
	switch (e->orig.proto) {
	case IPPROTO_TCP:
		return ct_tcp_timeout(&t->to, e->tcp_state);
	case IPPROTO_UDP:
		return (e->flags & CT_F_ASSURED) ? t->to.udp_stream :
		    t->to.udp;
	case IPPROTO_ICMP:
		return t->to.icmp;
	default:
		return t->to.generic;
	}
}

/* --- TCP ------------------------------------------------------------- */

enum tcp_seg { SEG_SYN, SEG_SYNACK, SEG_FIN, SEG_ACK, SEG_RST, SEG_BAD };

bool
ct_tcp_new_ok(uint8_t tcp_flags)
{
	return (tcp_flags & (TH_SYN | TH_ACK | TH_RST | TH_FIN)) == TH_SYN;
}

/*
 * The kind of segment. PSH, URG, ECE and CWR do not matter; combinations
 * no stack sends (SYN+FIN, SYN+RST, FIN without ACK, nothing) are BAD.
 */
static enum tcp_seg
ct_tcp_seg(uint8_t flags)
{
	flags &= TH_SYN | TH_ACK | TH_RST | TH_FIN;
	if (flags & TH_RST)
		return (flags & (TH_SYN | TH_FIN)) ? SEG_BAD : SEG_RST;
	if (flags & TH_SYN) {
		if (flags & TH_FIN)
			return SEG_BAD;
		return (flags & TH_ACK) ? SEG_SYNACK : SEG_SYN;
	}
	if (flags & TH_FIN)
		return (flags & TH_ACK) ? SEG_FIN : SEG_BAD;
	return (flags & TH_ACK) ? SEG_ACK : SEG_BAD;
}

static inline unsigned int
ct_ws_get(const struct ct_entry *e, unsigned int d)
{
	return d == CT_DIR_ORIG ? e->wscale >> 4 : e->wscale & 0xf;
}

static inline void
ct_ws_set(struct ct_entry *e, unsigned int d, unsigned int v)
{
	if (d == CT_DIR_ORIG)
		e->wscale = (uint8_t)((e->wscale & 0x0f) | (v << 4));
	else
		e->wscale = (uint8_t)((e->wscale & 0xf0) | v);
}

/* Shift of @d's advertised windows: only when both SYNs had the option. */
static inline unsigned int
ct_ws_shift(const struct ct_entry *e, unsigned int d)
{
	if (ct_ws_get(e, 0) == WS_NONE || ct_ws_get(e, 1) == WS_NONE)
		return 0;
	return ct_ws_get(e, d);
}

/* Sequence space of a segment: its data, and one each for SYN and FIN. */
static uint32_t
ct_seg_len(const struct ct_pkt *p)
{
	return p->payload + ((p->tcp_flags & TH_SYN) ? 1 : 0) +
	    ((p->tcp_flags & TH_FIN) ? 1 : 0);
}

/*
 * Start @d's window data from its SYN (or SYN/ACK). What @d may send is
 * bounded by the window the other side gave in its own SYN, when seen.
 */
static void
ct_tcp_init_dir(struct ct_entry *e, struct ct_stats *st, unsigned int d,
    const struct ct_pkt *p, uint32_t end)
{
	unsigned int o = !d;
	uint32_t win = p->win ? p->win : 1;

	st->td_end[d] = end;
	st->td_maxwin[d] = win;
	/*
	 * Until the other side speaks its window is unknown and no check
	 * uses td_maxend[d]: it holds ISN + 1 meanwhile, the least an
	 * answer may ack (below td_end when the SYN carried data, TFO).
	 */
	st->td_maxend[d] = (e->tdflags & TD_SEEN(o)) ?
	    end + st->td_maxwin[o] : p->seq + 1;
	if (p->tcp_flags & TH_ACK) {
		/* SYN windows are never scaled (RFC 7323 2.2). */
		if (seq_after(p->ack + p->win, st->td_maxend[o]))
			st->td_maxend[o] = p->ack + p->win;
	}
	ct_ws_set(e, d, p->wscale < 0 ? WS_NONE :
	    (p->wscale > WS_MAX ? WS_MAX : (unsigned int)p->wscale));
	e->tdflags |= TD_SEEN(d);
}

/*
 * Rooij's bounds. Before both sides have sent anything there is no window
 * to hold a segment against, so it passes.
 */
static bool
ct_tcp_in_window(const struct ct_entry *e, const struct ct_stats *st,
    unsigned int d, const struct ct_pkt *p, uint32_t end)
{
	unsigned int o = !d;
	uint32_t maxack;

	if (!(e->tdflags & TD_SEEN(d)) || !(e->tdflags & TD_SEEN(o)))
		return true;
	if (seq_after(p->seq, st->td_maxend[d]))
		return false;
	if (seq_before(end, st->td_end[d] - st->td_maxwin[o]))
		return false;
	if (p->tcp_flags & TH_ACK) {
		if (seq_after(p->ack, st->td_end[o]))
			return false;
		maxack = st->td_maxwin[d] > MAXACKWINCONST ?
		    st->td_maxwin[d] : MAXACKWINCONST;
		if (seq_before(p->ack, st->td_end[o] - maxack))
			return false;
	}
	return true;
}

static void
ct_tcp_update_window(struct ct_entry *e, struct ct_stats *st,
    unsigned int d, const struct ct_pkt *p, enum tcp_seg seg, uint32_t end)
{
	unsigned int o = !d;
	uint32_t win = p->win;

	if (seg == SEG_RST || !(e->tdflags & TD_SEEN(d)))
		return;
	if (seg != SEG_SYN && seg != SEG_SYNACK)
		win <<= ct_ws_shift(e, d);
	if (seq_after(end, st->td_end[d]))
		st->td_end[d] = end;
	if ((p->tcp_flags & TH_ACK) &&
	    seq_after(p->ack + win, st->td_maxend[o]))
		st->td_maxend[o] = p->ack + win;
	if (win > st->td_maxwin[d])
		st->td_maxwin[d] = win;
	if (st->td_maxwin[d] == 0)
		st->td_maxwin[d] = 1;
}

/* The closing state from the FIN bits of both directions. */
static uint8_t
ct_tcp_fin_state(uint8_t tdf)
{
	bool fin0 = tdf & TD_FIN(0), fin1 = tdf & TD_FIN(1);
	bool ack0 = tdf & TD_FINACK(0), ack1 = tdf & TD_FINACK(1);

	if (fin0 && fin1)
		return (ack0 && ack1) ? CT_TCP_TIME_WAIT : CT_TCP_LAST_ACK;
	if ((fin0 && ack0) || (fin1 && ack1))
		return CT_TCP_CLOSE_WAIT;
	return CT_TCP_FIN_WAIT;
}

/* Does @ack answer the SYN of @o, which is still alone (SYN_SENT)? */
static bool
ct_tcp_acks_syn(const struct ct_stats *st, unsigned int o, uint32_t ack)
{
	return !seq_before(ack, st->td_maxend[o]) &&
	    !seq_after(ack, st->td_end[o]);
}

/* Actions the state machine asks for, besides the new state. */
#define TCP_CHECK	0x01	/* the segment must be in the window */
#define TCP_INIT	0x02	/* (re)start the sender's window data */
#define TCP_REOPEN	0x04	/* a new connection on the same tuples */
#define TCP_IGNORE	0x08	/* pass it, but it changes nothing */

/*
 * ct_tcp_next() - the state after segment @seg from @d, and what to do.
 * Return: the new state, or -1 when the segment does not fit.
 */
static int
ct_tcp_next(const struct ct_entry *e, const struct ct_stats *st,
    unsigned int d, enum tcp_seg seg, const struct ct_pkt *p,
    unsigned int *act)
{
	uint8_t s = e->tcp_state;
	unsigned int o = !d;
	bool simopen = e->tdflags & TD_SIMOPEN;
	unsigned int sadir = (e->tdflags & TD_SADIR) ? 1 : 0;

	*act = TCP_CHECK;
	if (seg == SEG_BAD)
		return -1;
	switch (s) {
	case CT_TCP_SYN_SENT:
		switch (seg) {
		case SEG_SYN:
			/* orig: retransmission or a fresh ISN */
			*act = TCP_INIT;
			return d == CT_DIR_ORIG ? CT_TCP_SYN_SENT :
			    CT_TCP_SYN_SENT2;
		case SEG_SYNACK:
			if (d != CT_DIR_REPLY ||
			    !ct_tcp_acks_syn(st, o, p->ack))
				return -1;
			*act = TCP_INIT;
			return CT_TCP_SYN_RECV;
		case SEG_RST:
			/* RFC 793: in SYN-SENT, a RST counts if it acks. */
			if (d == CT_DIR_REPLY && (!(p->tcp_flags & TH_ACK) ||
			    !ct_tcp_acks_syn(st, o, p->ack)))
				return -1;
			return CT_TCP_CLOSE;
		case SEG_ACK:
			/*
			 * The answer of a peer that still holds an older
			 * connection on these ports: a TIME-WAIT that
			 * rejects the SYN, or a half-open connection's
			 * challenge ACK (RFC 5961 4). The client must see
			 * it to send the RST that clears the peer's state
			 * (RFC 793 3.4); dropped, every SYN retry gets the
			 * same ACK until the client gives up.
			 */
			if (d != CT_DIR_REPLY)
				return -1;
			*act = TCP_IGNORE;
			return s;
		default:
			return -1;
		}
	case CT_TCP_SYN_SENT2:
		switch (seg) {
		case SEG_SYN:
			*act = TCP_INIT;
			return s;
		case SEG_SYNACK:
			if (p->ack != st->td_end[o])
				return -1;
			return CT_TCP_SYN_RECV;
		case SEG_RST:
			return CT_TCP_CLOSE;
		default:
			return -1;
		}
	case CT_TCP_SYN_RECV:
		switch (seg) {
		case SEG_SYN:
			/* a retransmitted SYN of a side that sent one */
			if (d == CT_DIR_REPLY && !simopen)
				return -1;
			return s;
		case SEG_SYNACK:
			if (!simopen)
				return d == CT_DIR_REPLY ? s : -1;
			return d == sadir ? s : CT_TCP_ESTABLISHED;
		case SEG_ACK:
			if (!simopen && d == CT_DIR_REPLY)
				return s;
			return CT_TCP_ESTABLISHED;
		case SEG_FIN:
			if (!simopen && d == CT_DIR_REPLY)
				return -1;
			return CT_TCP_ESTABLISHED;	/* FIN bits follow */
		case SEG_RST:
			return CT_TCP_CLOSE;
		default:
			return -1;
		}
	case CT_TCP_ESTABLISHED:
	case CT_TCP_FIN_WAIT:
	case CT_TCP_CLOSE_WAIT:
	case CT_TCP_LAST_ACK:
	case CT_TCP_TIME_WAIT:
	case CT_TCP_CLOSE:
		switch (seg) {
		case SEG_SYN:
			if (d != CT_DIR_ORIG)
				return -1;
			if (s == CT_TCP_TIME_WAIT || s == CT_TCP_CLOSE) {
				*act = TCP_INIT | TCP_REOPEN;
				return CT_TCP_SYN_SENT;
			}
			/*
			 * A client that lost its connection (a reboot)
			 * opens a new one from the same port. The peer
			 * answers with a challenge ACK of the old one,
			 * which the window lets through, the client
			 * resets it, and its next SYN re-opens the entry.
			 */
			*act = TCP_IGNORE;
			return s;
		case SEG_SYNACK:
			/* the handshake's last ACK was lost */
			if (s == CT_TCP_ESTABLISHED && d == CT_DIR_REPLY)
				return s;
			return -1;
		case SEG_RST:
			return CT_TCP_CLOSE;
		default:
			return s;	/* FIN bits follow */
		}
	default:
		return -1;
	}
}

/*
 * Run one segment through the state machine and the window. Nothing in
 * the entry changes unless the segment is valid, and nothing when it is
 * one to pass but @ignored.
 * Return: the new state, or -1.
 */
static int
ct_tcp_track(struct ct_entry *e, struct ct_stats *st, unsigned int d,
    const struct ct_pkt *p, bool *ignored)
{
	enum tcp_seg seg = ct_tcp_seg(p->tcp_flags);
	uint32_t end = p->seq + ct_seg_len(p);
	unsigned int act, o = !d;
	int ns;

	ns = ct_tcp_next(e, st, d, seg, p, &act);
	if (ns < 0)
		return -1;
	if (act & TCP_IGNORE) {
		*ignored = true;
		return ns;
	}
	if ((act & TCP_CHECK) && !ct_tcp_in_window(e, st, d, p, end))
		return -1;

	if (act & TCP_REOPEN) {
		memset(st->td_end, 0, sizeof(st->td_end));
		memset(st->td_maxend, 0, sizeof(st->td_maxend));
		memset(st->td_maxwin, 0, sizeof(st->td_maxwin));
		e->tdflags = 0;
		e->wscale = WS_NONE << 4 | WS_NONE;
	}
	if (act & TCP_INIT) {
		if (e->tcp_state == CT_TCP_SYN_SENT && seg == SEG_SYN &&
		    d == CT_DIR_REPLY) {
			/* simultaneous open: both sides sent a SYN */
			e->tdflags |= TD_SIMOPEN;
		}
		ct_tcp_init_dir(e, st, d, p, end);
	} else {
		ct_tcp_update_window(e, st, d, p, seg, end);
	}
	if (e->tcp_state == CT_TCP_SYN_SENT2 && ns == CT_TCP_SYN_RECV &&
	    d == CT_DIR_REPLY)
		e->tdflags |= TD_SADIR;

	if (ns >= CT_TCP_ESTABLISHED && ns <= CT_TCP_LAST_ACK &&
	    seg != SEG_RST) {
		if (seg == SEG_FIN)
			e->tdflags |= TD_FIN(d);
		/* td_end[o] ends with o's FIN: an ack of it covers it */
		if ((e->tdflags & TD_FIN(o)) && (p->tcp_flags & TH_ACK) &&
		    !seq_before(p->ack, st->td_end[o]))
			e->tdflags |= TD_FINACK(o);
		if (e->tdflags & (TD_FIN(0) | TD_FIN(1)))
			ns = ct_tcp_fin_state(e->tdflags);
	}
	return ns;
}

/* --- insert, track, remove ------------------------------------------- */

/*
 * Take @e out: DESTROY first, while lookups still find it, then unlink.
 * The DYING flag makes a second removal (from the callback) a no-op, so
 * DESTROY fires exactly once.
 */
static void
ct_unlink(struct ct_table *t, struct ct_entry *e)
{
	if (e->tslot == CT_SLOT_FREE || (e->flags & CT_F_DYING))
		return;
	e->flags |= CT_F_DYING;
	ct_timer_unlink(t, e);
	if (!(e->flags & CT_F_REPLIED))
		ct_fifo_unlink(t, e);
	ct_event(t, CT_EV_DESTROY, e);
	ct_hash_del(t, e, CT_DIR_ORIG);
	ct_hash_del(t, e, CT_DIR_REPLY);
	ct_idx_free(t, e);
	t->count--;
}

void
ct_remove(struct ct_table *t, struct ct_entry *e)
{
	ct_unlink(t, e);
}

struct ct_entry *
ct_insert(struct ct_table *t, const struct ct_tuple *orig,
    const struct ct_tuple *reply, uint8_t flags, const struct ct_pkt *p,
    uint32_t now)
{
	struct ct_entry *e;
	struct ct_stats *st;
	uint32_t idx;
	int tries;

	if (orig->proto == IPPROTO_TCP && !ct_tcp_new_ok(p->tcp_flags)) {
		t->cnt.invalid++;
		return NULL;
	}
	if (memcmp(orig, reply, sizeof(*orig)) == 0 ||
	    ct_lookup(t, orig, NULL) != NULL ||
	    ct_lookup(t, reply, NULL) != NULL) {
		t->cnt.clashes++;
		return NULL;
	}
	for (tries = 0; t->count >= t->max && t->uhead != CT_NIL &&
	    tries < CT_EVICT_TRIES; tries++) {
		t->cnt.evicted++;
		ct_unlink(t, ct_ent(t, t->uhead));
	}
	if (t->count >= t->max || (idx = ct_idx_alloc(t)) == CT_NIL) {
		t->cnt.dropped++;
		return NULL;
	}

	e = ct_ent(t, idx);
	st = ct_st(t, idx);
	memset(e, 0, sizeof(*e));
	memset(st, 0, sizeof(*st));
	*ct_x(t, idx) = 0;
	e->orig = *orig;
	e->reply = *reply;
	e->flags = flags & (CT_F_SNAT | CT_F_DNAT | CT_F_LOCAL | CT_F_EIF |
	    CT_F_PORTMAP);
	e->wscale = WS_NONE << 4 | WS_NONE;
	e->id = idx;
	st->packets[CT_DIR_ORIG] = 1;
	st->bytes[CT_DIR_ORIG] = p->len;
	if (orig->proto == IPPROTO_TCP) {
		e->tcp_state = CT_TCP_SYN_SENT;
		ct_tcp_init_dir(e, st, CT_DIR_ORIG, p, p->seq + ct_seg_len(p));
	}

	ct_hash_add(t, e, CT_DIR_ORIG);
	ct_hash_add(t, e, CT_DIR_REPLY);
	ct_fifo_push(t, e);
	e->expires = now + ct_timeout(t, e);
	ct_timer_link(t, e, ct_slot_for(t, e->expires));
	t->count++;
	t->cnt.created++;
	ct_event(t, CT_EV_NEW, e);
	return e;
}

enum ct_verdict
ct_track(struct ct_table *t, struct ct_entry *e, enum ct_dir dir,
    const struct ct_pkt *p, uint32_t now)
{
	struct ct_stats *st;
	uint8_t old = e->tcp_state;
	bool update = false, refresh = true, ignored = false;
	int ns;

	/* a DESTROY callback's packet: the entry is on its way out */
	if (!ct_live(e))
		return CT_OK;
	st = ct_st(t, e->id);
	if (e->orig.proto == IPPROTO_TCP) {
		ns = ct_tcp_track(e, st, dir, p, &ignored);
		if (ns < 0) {
			t->cnt.invalid++;
			return CT_INVALID;
		}
		if (ns != old) {
			e->tcp_state = (uint8_t)ns;
			update = true;
		}
		if (ns == CT_TCP_SYN_SENT && (old == CT_TCP_TIME_WAIT ||
		    old == CT_TCP_CLOSE)) {
			/* re-opened: a new connection, unreplied again */
			e->flags &= ~CT_F_ASSURED;
			if (e->flags & CT_F_REPLIED) {
				e->flags &= ~CT_F_REPLIED;
				ct_fifo_push(t, e);
			}
		}
		if (ns >= CT_TCP_ESTABLISHED && ns <= CT_TCP_TIME_WAIT)
			e->flags |= CT_F_ASSURED;
	}

	st->packets[dir]++;
	st->bytes[dir] += p->len;
	if (ignored)
		return CT_OK;	/* neither a reply nor a sign of life */
	if (dir == CT_DIR_REPLY && !(e->flags & CT_F_REPLIED)) {
		e->flags |= CT_F_REPLIED;
		ct_fifo_unlink(t, e);
		if (e->orig.proto == IPPROTO_UDP)
			e->flags |= CT_F_ASSURED;
		update = true;
	}

	/* RFC 4787 REQ-6: inbound packets do not keep a mapping alive. */
	if (e->orig.proto == IPPROTO_UDP && (e->flags & CT_F_SNAT) &&
	    dir == CT_DIR_REPLY)
		refresh = false;
	if (refresh)
		ct_set_expires(t, e, now + ct_timeout(t, e));
	if (update)
		ct_event(t, CT_EV_UPDATE, e);
	return CT_OK;
}

bool
ct_expire(struct ct_table *t, uint32_t now, unsigned int budget)
{
	uint64_t work = 0, cap;
	unsigned int removed = 0;

	if ((int32_t)(now - t->wnow) < 0)
		return false;
	/*
	 * Behind by more than a turn: one turn ending at now visits every
	 * slot, and the due test is against now, not the slot's second.
	 */
	if (now - t->wnow > CT_WHEEL_MASK)
		t->wnow = now - CT_WHEEL_MASK;
	cap = (uint64_t)budget * CT_EXPIRE_WORK + CT_EXPIRE_WORK_MIN;

	while (!seq_after(t->wnow, now)) {
		uint32_t slot = t->wnow & CT_WHEEL_MASK, idx;

		while ((idx = t->wheel[slot]) != CT_NIL) {
			struct ct_entry *e = ct_ent(t, idx);

			if (work++ >= cap)
				return true;
			if (seq_after(e->expires, now)) {
				/* goes to another slot, see ct_slot_for() */
				ct_timer_unlink(t, e);
				ct_timer_link(t, e, ct_slot_for(t,
				    e->expires));
				continue;
			}
			if (removed >= budget)
				return true;
			t->cnt.expired++;
			ct_unlink(t, e);
			removed++;
		}
		t->wnow++;
	}
	return false;
}

uint32_t
ct_flush(struct ct_table *t)
{
	uint32_t i, end = t->hiwater, n = 0;

	for (i = 0; i < end; i++) {
		struct ct_entry *e = ct_ent(t, i);

		if (!ct_live(e))
			continue;
		t->cnt.flushed++;
		ct_unlink(t, e);
		n++;
	}
	/* An empty table gives its memory back. */
	if (t->count == 0 && t->iterating == 0)
		ct_release_chunks(t);
	return n;
}

/*
 * Entries are visited in index order. @fn may look entries up and remove
 * any of them (ct_remove() after ct_lookup()); entries inserted meanwhile
 * may or may not be visited.
 */
void
ct_foreach(struct ct_table *t, ct_iter_fn fn, void *arg)
{
	uint32_t i;

	t->iterating++;
	for (i = 0; i < t->hiwater; i++) {
		struct ct_entry *e = ct_ent(t, i);

		if (!ct_live(e))
			continue;
		if (fn(arg, e, ct_st(t, i)) != 0)
			break;
	}
	t->iterating--;
}
