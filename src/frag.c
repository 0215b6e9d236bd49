/* SPDX-License-Identifier: ISC */
/* IPv4 reassembly under a byte budget, and fragmentation to an MTU. */
#include "config.h"

#include <sys/queue.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "frag.h"
#include "hash.h"
#include "log.h"
#include "xmalloc.h"

#define FRAG_IP_MAX		65535
#define FRAG_IP_MINHL		20
#define FRAG_IP_MAXHL		60
#define FRAG_OFFMASK		0x1fff
#define FRAG_MF			0x2000
/* Payload never passes 65535 - 20; rounded up to whole 8-byte blocks. */
#define FRAG_PAYLOAD_MAX	((FRAG_IP_MAX - FRAG_IP_MINHL + 7) & ~7u)
/* First buffer of a datagram: one Ethernet-sized fragment fits. */
#define FRAG_BUF_MIN		1536
/*
 * The table holds at most one datagram per FRAG_COST_HINT bytes of the
 * budget, within these limits; the hash has half as many buckets.
 */
#define FRAG_COST_HINT		1024
#define FRAG_PENDING_MIN	64
#define FRAG_PENDING_MAX	65536

/*
 * A datagram being reassembled. Its payload goes into @buf at the offset
 * each fragment names; a bitmap of 8-byte blocks follows the payload in the
 * same allocation. Blocks are exact: every fragment starts on a block, and
 * only the last fragment may end inside one (anything reaching past the
 * last fragment's end is invalid), so a set bit means all of that block's
 * bytes arrived.
 */
struct frag_dgram {
	LIST_ENTRY(frag_dgram) hlink;	/* hash bucket */
	TAILQ_ENTRY(frag_dgram) alink;	/* age list, oldest first */
	uint32_t src, dst;		/* network order */
	uint16_t id;			/* network order */
	uint8_t proto;
	uint8_t hlen;			/* of hdr, when have_first */
	bool have_first, have_last;
	uint32_t created;		/* first fragment arrival, seconds */
	uint8_t *buf;
	uint32_t cap;			/* payload bytes in buf, 8n */
	uint32_t end;			/* payload bytes, when have_last */
	uint32_t max_end;		/* highest byte seen + 1 */
	uint32_t nblocks;		/* bits set in the bitmap */
	uint32_t cost;			/* bytes charged to the budget */
	uint8_t hdr[FRAG_IP_MAXHL];	/* header of the offset-0 fragment */
};

LIST_HEAD(frag_bucket, frag_dgram);
TAILQ_HEAD(frag_age, frag_dgram);

struct frag_table {
	struct hash_key key;
	struct frag_bucket *buckets;
	uint32_t nbuckets;		/* power of two */
	uint32_t max_pending;
	uint32_t max_bytes;
	uint32_t timeout;
	struct frag_age age;
	struct frag_stats st;
	uint8_t *outbuf;		/* FRAG_HEADROOM + 65535, reused */
};

/* Scratch for frag_fragment(): it has no table to hang a buffer on. */
static uint8_t frag_scratch[FRAG_HEADROOM + FRAG_IP_MAX]
    __attribute__((aligned(16)));

static uint32_t
frag_bitmap_len(uint32_t cap)
{
	return (cap / 8 + 7) / 8;
}

static uint32_t
frag_cost(uint32_t cap)
{
	return sizeof(struct frag_dgram) + cap + frag_bitmap_len(cap);
}

static inline bool
frag_bit(const struct frag_dgram *dg, uint32_t blk)
{
	const uint8_t *bm = dg->buf + dg->cap;

	return (bm[blk / 8] >> (blk % 8)) & 1;
}

static inline void
frag_bit_set(struct frag_dgram *dg, uint32_t blk)
{
	uint8_t *bm = dg->buf + dg->cap;

	bm[blk / 8] |= (uint8_t)(1u << (blk % 8));
}

static uint32_t
frag_hash(const struct frag_table *ft, uint32_t src, uint32_t dst,
    uint16_t id, uint8_t proto)
{
	uint8_t k[12];

	memcpy(k, &src, 4);
	memcpy(k + 4, &dst, 4);
	memcpy(k + 8, &id, 2);
	k[10] = proto;
	k[11] = 0;
	return (uint32_t)hash_siphash13(&ft->key, k, sizeof(k)) &
	    (ft->nbuckets - 1);
}

static void
frag_size_table(struct frag_table *ft, uint32_t max_bytes)
{
	uint32_t pending = max_bytes / FRAG_COST_HINT;
	uint32_t nb = 1;

	if (pending < FRAG_PENDING_MIN)
		pending = FRAG_PENDING_MIN;
	if (pending > FRAG_PENDING_MAX)
		pending = FRAG_PENDING_MAX;
	while (nb < pending / 2)
		nb <<= 1;
	ft->max_pending = pending;
	ft->nbuckets = nb;
	ft->buckets = xcalloc(nb, sizeof(*ft->buckets));
}

struct frag_table *
frag_create(uint32_t max_bytes, uint32_t timeout_sec)
{
	struct frag_table *ft = xcalloc(1, sizeof(*ft));

	hash_key_random(&ft->key);
	TAILQ_INIT(&ft->age);
	ft->max_bytes = max_bytes;
	ft->timeout = timeout_sec;
	frag_size_table(ft, max_bytes);
	ft->outbuf = xmalloc(FRAG_HEADROOM + FRAG_IP_MAX);
	return ft;
}

static void
frag_free(struct frag_table *ft, struct frag_dgram *dg)
{
	LIST_REMOVE(dg, hlink);
	TAILQ_REMOVE(&ft->age, dg, alink);
	ft->st.bytes -= dg->cost;
	ft->st.pending--;
	free(dg->buf);
	free(dg);
}

void
frag_destroy(struct frag_table *ft)
{
	struct frag_dgram *dg;

	if (ft == NULL)
		return;
	while ((dg = TAILQ_FIRST(&ft->age)) != NULL)
		frag_free(ft, dg);
	free(ft->buckets);
	free(ft->outbuf);
	free(ft);
}

/*
 * frag_evict_for() - make room for @need more bytes by dropping the oldest
 * datagrams other than @keep. Return: 0, or -1 when even an empty table
 * (but for @keep) has no room.
 */
static int
frag_evict_for(struct frag_table *ft, struct frag_dgram *keep, uint64_t need)
{
	struct frag_dgram *dg, *next;

	if (need > ft->max_bytes)
		return -1;
	for (dg = TAILQ_FIRST(&ft->age);
	    dg != NULL && (uint64_t)ft->st.bytes + need > ft->max_bytes;
	    dg = next) {
		next = TAILQ_NEXT(dg, alink);
		if (dg == keep)
			continue;
		frag_free(ft, dg);
		ft->st.evicted++;
	}
	return (uint64_t)ft->st.bytes + need > ft->max_bytes ? -1 : 0;
}

void
frag_reconfigure(struct frag_table *ft, uint32_t max_bytes,
    uint32_t timeout_sec)
{
	struct frag_dgram *dg;
	uint32_t i;

	ft->timeout = timeout_sec;
	ft->max_bytes = max_bytes;
	frag_evict_for(ft, NULL, 0);

	/* Rehash for the new pending bound. */
	free(ft->buckets);
	frag_size_table(ft, max_bytes);
	TAILQ_FOREACH(dg, &ft->age, alink) {
		i = frag_hash(ft, dg->src, dg->dst, dg->id, dg->proto);
		LIST_INSERT_HEAD(&ft->buckets[i], dg, hlink);
	}
	while (ft->st.pending > ft->max_pending) {
		frag_free(ft, TAILQ_FIRST(&ft->age));
		ft->st.evicted++;
	}
}

void
frag_expire(struct frag_table *ft, uint32_t now)
{
	struct frag_dgram *dg;

	/* The age list is in arrival order: stop at the first young one. */
	while ((dg = TAILQ_FIRST(&ft->age)) != NULL &&
	    now - dg->created >= ft->timeout) {
		frag_free(ft, dg);
		ft->st.timeouts++;
	}
}

const struct frag_stats *
frag_stats(const struct frag_table *ft)
{
	return &ft->st;
}

static struct frag_dgram *
frag_lookup(struct frag_table *ft, uint32_t src, uint32_t dst, uint16_t id,
    uint8_t proto, uint32_t *bucket)
{
	struct frag_dgram *dg;

	*bucket = frag_hash(ft, src, dst, id, proto);
	LIST_FOREACH(dg, &ft->buckets[*bucket], hlink)
		if (dg->src == src && dg->dst == dst && dg->id == id &&
		    dg->proto == proto)
			return dg;
	return NULL;
}

/*
 * frag_grow() - make @dg's buffer hold payload bytes [0, @need). Return: 0,
 * or -1 when the budget cannot take it (the caller drops @dg).
 */
static int
frag_grow(struct frag_table *ft, struct frag_dgram *dg, uint32_t need)
{
	uint32_t want, cap, oldbm, newbm;
	uint8_t *nbuf;

	need = (need + 7) & ~7u;
	if (need <= dg->cap)
		return 0;
	/*
	 * With the end known, take exactly that; otherwise double, so a
	 * datagram arriving in order is not copied once per fragment. Under
	 * memory pressure fall back to the exact size before evicting more.
	 */
	if (dg->have_last)
		want = (dg->end + 7) & ~7u;
	else
		want = dg->cap * 2 > FRAG_PAYLOAD_MAX ? FRAG_PAYLOAD_MAX :
		    dg->cap * 2;
	if (want < need)
		want = need;
	cap = want;
	if ((uint64_t)ft->st.bytes - dg->cost + frag_cost(cap) >
	    ft->max_bytes)
		cap = need;
	if (frag_evict_for(ft, dg, frag_cost(cap) - dg->cost) == -1)
		return -1;

	oldbm = frag_bitmap_len(dg->cap);
	newbm = frag_bitmap_len(cap);
	if ((nbuf = realloc(dg->buf, cap + newbm)) == NULL) {
		log_warn("frag: realloc %u", cap + newbm);
		return -1;
	}
	memmove(nbuf + cap, nbuf + dg->cap, oldbm);
	memset(nbuf + cap + oldbm, 0, newbm - oldbm);
	dg->buf = nbuf;
	dg->cap = cap;
	ft->st.bytes = ft->st.bytes - dg->cost + frag_cost(cap);
	dg->cost = frag_cost(cap);
	return 0;
}

static struct frag_dgram *
frag_new(struct frag_table *ft, uint32_t bucket, uint32_t src, uint32_t dst,
    uint16_t id, uint8_t proto, uint32_t need, uint32_t now)
{
	struct frag_dgram *dg;
	uint32_t cap = (need + 7) & ~7u;

	if (cap < FRAG_BUF_MIN &&
	    (uint64_t)ft->st.bytes + frag_cost(FRAG_BUF_MIN) <= ft->max_bytes)
		cap = FRAG_BUF_MIN;
	if (ft->st.pending >= ft->max_pending) {
		frag_free(ft, TAILQ_FIRST(&ft->age));
		ft->st.evicted++;
	}
	if (frag_evict_for(ft, NULL, frag_cost(cap)) == -1)
		return NULL;
	if ((dg = calloc(1, sizeof(*dg))) == NULL) {
		log_warn("frag: calloc");
		return NULL;
	}
	if ((dg->buf = calloc(1, cap + frag_bitmap_len(cap))) == NULL) {
		log_warn("frag: calloc %u", cap);
		free(dg);
		return NULL;
	}
	dg->src = src;
	dg->dst = dst;
	dg->id = id;
	dg->proto = proto;
	dg->created = now;
	dg->cap = cap;
	dg->cost = frag_cost(cap);
	LIST_INSERT_HEAD(&ft->buckets[bucket], dg, hlink);
	TAILQ_INSERT_TAIL(&ft->age, dg, alink);
	ft->st.bytes += dg->cost;
	ft->st.pending++;
	return dg;
}

/*
 * frag_merge() - check and copy payload [@off, @off + @plen) into @dg.
 * Overlap is allowed only when the bytes agree (a retransmission through
 * another path); anything else is an attempt to rewrite what conntrack
 * already saw (RFC 5722 reasoning). Return: 0 or -1 (invalid).
 */
static int
frag_merge(struct frag_dgram *dg, const uint8_t *p, uint32_t off,
    uint32_t plen)
{
	uint32_t blk, b0 = off / 8, b1 = (off + plen + 7) / 8;
	uint32_t s, e;

	for (blk = b0; blk < b1; blk++) {
		if (!frag_bit(dg, blk))
			continue;
		s = blk * 8;
		e = s + 8 < off + plen ? s + 8 : off + plen;
		if (memcmp(dg->buf + s, p + (s - off), e - s) != 0)
			return -1;
	}
	memcpy(dg->buf + off, p, plen);
	for (blk = b0; blk < b1; blk++) {
		if (!frag_bit(dg, blk)) {
			frag_bit_set(dg, blk);
			dg->nblocks++;
		}
	}
	return 0;
}

static enum frag_result
frag_drop(struct frag_table *ft, struct frag_dgram *dg, const char *why,
    const char **reason)
{
	if (dg != NULL)
		frag_free(ft, dg);
	ft->st.invalid++;
	*reason = why;
	return FRAG_DROP;
}

/* Build the whole datagram in the output buffer and forget @dg. */
static void
frag_finish(struct frag_table *ft, struct frag_dgram *dg, uint8_t **out,
    size_t *outlen)
{
	uint8_t *p = ft->outbuf + FRAG_HEADROOM;
	struct ip *iph = (struct ip *)p;
	size_t total = dg->hlen + dg->end;

	memcpy(p, dg->hdr, dg->hlen);
	memcpy(p + dg->hlen, dg->buf, dg->end);
	iph->ip_len = htons((uint16_t)total);
	iph->ip_off &= htons((uint16_t)~(FRAG_MF | FRAG_OFFMASK));
	iph->ip_sum = 0;
	iph->ip_sum = csum_ip(p, dg->hlen);
	*out = p;
	*outlen = total;
	frag_free(ft, dg);
	ft->st.reassembled++;
}

enum frag_result
frag_input(struct frag_table *ft, const uint8_t *ip, size_t len,
    uint32_t now, uint8_t **out, size_t *outlen, const char **reason)
{
	struct frag_dgram *dg;
	struct ip iph;
	uint32_t hlen, h0, off, plen, end, bucket;
	uint16_t fo;
	bool mf;

	*out = NULL;
	*outlen = 0;
	*reason = NULL;
	frag_expire(ft, now);

	/* The caller validated the header; stay safe if it did not. */
	if (len < FRAG_IP_MINHL || len > FRAG_IP_MAX)
		return frag_drop(ft, NULL, "frag-invalid", reason);
	memcpy(&iph, ip, sizeof(iph));
	hlen = iph.ip_hl * 4u;
	if (iph.ip_v != 4 || hlen < FRAG_IP_MINHL || hlen > len ||
	    ntohs(iph.ip_len) != len)
		return frag_drop(ft, NULL, "frag-invalid", reason);

	fo = ntohs(iph.ip_off);
	mf = (fo & FRAG_MF) != 0;
	off = (fo & FRAG_OFFMASK) * 8u;
	plen = (uint32_t)len - hlen;
	end = off + plen;

	if (!mf && off == 0) {
		/* Not a fragment after all: hand it back whole. */
		memcpy(ft->outbuf + FRAG_HEADROOM, ip, len);
		*out = ft->outbuf + FRAG_HEADROOM;
		*outlen = len;
		return FRAG_DONE;
	}

	dg = frag_lookup(ft, iph.ip_src.s_addr, iph.ip_dst.s_addr, iph.ip_id,
	    iph.ip_p, &bucket);

	if (hlen + end > FRAG_IP_MAX)
		return frag_drop(ft, dg, "frag-oversize", reason);
	if (mf && (plen == 0 || plen % 8 != 0))
		return frag_drop(ft, dg, "frag-invalid", reason);
	/* RFC 1858: a tiny first fragment hides the ports or TCP flags... */
	if (off == 0 && plen < 8 && (iph.ip_p == IPPROTO_TCP ||
	    iph.ip_p == IPPROTO_UDP || iph.ip_p == IPPROTO_ICMP))
		return frag_drop(ft, dg, "frag-invalid", reason);
	/* ...and a TCP fragment at offset 1 can overwrite them. */
	if (off == 8 && iph.ip_p == IPPROTO_TCP)
		return frag_drop(ft, dg, "frag-invalid", reason);

	if (dg != NULL) {
		if (dg->have_last && (!mf ? end != dg->end : end > dg->end))
			return frag_drop(ft, dg, "frag-invalid", reason);
		if (!mf && dg->max_end > end)
			return frag_drop(ft, dg, "frag-invalid", reason);
		/* The whole datagram gets the first fragment's header. */
		h0 = dg->have_first ? dg->hlen : off == 0 ? hlen : 0;
		if (h0 + (end > dg->max_end ? end : dg->max_end) >
		    FRAG_IP_MAX)
			return frag_drop(ft, dg, "frag-oversize", reason);
	} else {
		dg = frag_new(ft, bucket, iph.ip_src.s_addr,
		    iph.ip_dst.s_addr, iph.ip_id, iph.ip_p, end, now);
		if (dg == NULL) {
			*reason = "frag-memory";
			ft->st.evicted++;
			return FRAG_DROP;
		}
	}
	if (!mf) {
		dg->have_last = true;
		dg->end = end;
	}
	if (frag_grow(ft, dg, end) == -1) {
		frag_free(ft, dg);
		ft->st.evicted++;
		*reason = "frag-memory";
		return FRAG_DROP;
	}
	if (frag_merge(dg, ip + hlen, off, plen) == -1)
		return frag_drop(ft, dg, "frag-invalid", reason);
	if (end > dg->max_end)
		dg->max_end = end;
	if (off == 0 && !dg->have_first) {
		memcpy(dg->hdr, ip, hlen);
		dg->hlen = (uint8_t)hlen;
		dg->have_first = true;
	}
	if (dg->have_last && dg->have_first &&
	    dg->nblocks == (dg->end + 7) / 8) {
		frag_finish(ft, dg, out, outlen);
		return FRAG_DONE;
	}
	return FRAG_HELD;
}

/*
 * frag_copied_opts() - the header for non-first fragments: the fixed part
 * and only the options whose copy bit is set (RFC 791 section 3.1),
 * padded with end-of-list to a multiple of 4. Return: its length, or -1
 * for malformed options.
 */
static int
frag_copied_opts(const uint8_t *ip, uint32_t hlen, uint8_t *dst)
{
	uint32_t i = FRAG_IP_MINHL, n = FRAG_IP_MINHL, olen;
	uint8_t type;

	memcpy(dst, ip, FRAG_IP_MINHL);
	while (i < hlen) {
		type = ip[i];
		if (type == IPOPT_EOL)
			break;
		if (type == IPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= hlen)
			return -1;
		olen = ip[i + 1];
		if (olen < 2 || i + olen > hlen)
			return -1;
		if (type & 0x80) {
			memcpy(dst + n, ip + i, olen);
			n += olen;
		}
		i += olen;
	}
	while (n % 4 != 0)
		dst[n++] = IPOPT_EOL;
	dst[0] = (uint8_t)((dst[0] & 0xf0) | (n / 4));
	return (int)n;
}

/*
 * Pieces are built one at a time in frag_scratch, so the callback may
 * write link headers into the headroom. A callback returning a negative
 * value stops the split (the rest could not be reassembled anyway) and
 * makes frag_fragment() return -1.
 */
int
frag_fragment(const uint8_t *ip, size_t len, unsigned int mtu,
    frag_emit_fn emit, void *arg)
{
	uint8_t ohdr[FRAG_IP_MAXHL];
	uint8_t *p = frag_scratch + FRAG_HEADROOM;
	struct ip iph;
	const uint8_t *hdr;
	uint32_t hlen, ohlen, tot, base, plen, pos, chunk, room;
	uint16_t fo, flags;
	int n;

	if (len < FRAG_IP_MINHL || len > FRAG_IP_MAX)
		return -1;
	memcpy(&iph, ip, sizeof(iph));
	hlen = iph.ip_hl * 4u;
	tot = ntohs(iph.ip_len);
	/* Link-layer padding past the total length is not part of it. */
	if (iph.ip_v != 4 || hlen < FRAG_IP_MINHL || tot < hlen || tot > len)
		return -1;
	if (mtu > FRAG_IP_MAX)
		mtu = FRAG_IP_MAX;
	if (mtu < hlen + 8)
		return -1;
	fo = ntohs(iph.ip_off);
	base = (fo & FRAG_OFFMASK) * 8u;
	flags = fo & (uint16_t)~(FRAG_MF | FRAG_OFFMASK);
	plen = tot - hlen;
	if (base + plen + hlen > FRAG_IP_MAX)
		return -1;
	if ((n = frag_copied_opts(ip, hlen, ohdr)) == -1)
		return -1;
	ohlen = (uint32_t)n;

	if (tot <= mtu) {
		memcpy(p, ip, tot);
		return emit(arg, p, tot) < 0 ? -1 : 0;
	}

	for (pos = 0; pos < plen; pos += chunk) {
		struct ip *out = (struct ip *)p;
		uint32_t h = pos == 0 ? hlen : ohlen;
		uint16_t nfo;

		hdr = pos == 0 ? ip : ohdr;
		room = (mtu - h) & ~7u;
		chunk = plen - pos;
		if (chunk > room)
			chunk = room;
		memcpy(p, hdr, h);
		memcpy(p + h, ip + hlen + pos, chunk);
		nfo = flags | (uint16_t)((base + pos) / 8);
		if (pos + chunk < plen || (fo & FRAG_MF))
			nfo |= FRAG_MF;
		out->ip_off = htons(nfo);
		out->ip_len = htons((uint16_t)(h + chunk));
		out->ip_sum = 0;
		out->ip_sum = csum_ip(p, h);
		if (emit(arg, p, h + chunk) < 0)
			return -1;
	}
	return 0;
}
