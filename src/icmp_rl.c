/* SPDX-License-Identifier: ISC */
/* ICMP error rate limit: per-destination token buckets under a global one. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "icmp_rl.h"

#define RL_WAYS		4
#define RL_MIN		RL_WAYS
#define RL_MAX		(1u << 20)
/* tokens are kept in thousandths: rate (1/s) x elapsed (ms) */
#define RL_ONE		1000u

struct rl_bucket {
	uint32_t dst;		/* network order; 0: free */
	uint32_t tokens;	/* thousandths */
	uint64_t last_ms;
};

struct icmp_rl {
	struct icmp_rl_limits lim;
	struct hash_key key;
	uint32_t mask;		/* buckets - 1 */
	struct rl_bucket global;
	uint64_t limited_dst, limited_global;
	struct rl_bucket b[];
};

static uint32_t
rl_cap(uint32_t burst)
{
	/* a burst of 0 would never send: at least one */
	return (burst == 0 ? 1 : burst) * RL_ONE;
}

struct icmp_rl *
icmp_rl_create(const struct icmp_rl_limits *lim)
{
	uint32_t n = RL_MIN;
	struct icmp_rl *rl;

	while (n < lim->destinations && n < RL_MAX)
		n <<= 1;
	rl = calloc(1, sizeof(*rl) + (size_t)n * sizeof(rl->b[0]));
	if (rl == NULL)
		return NULL;
	rl->lim = *lim;
	if (rl->lim.burst > 1000000)
		rl->lim.burst = 1000000;
	if (rl->lim.dst_burst > 1000000)
		rl->lim.dst_burst = 1000000;
	hash_key_random(&rl->key);
	rl->mask = n - 1;
	rl->global.tokens = rl_cap(rl->lim.burst);
	return rl;
}

void
icmp_rl_free(struct icmp_rl *rl)
{
	free(rl);
}

/* Add what @rate earned since the bucket's last use, up to the burst. */
static void
rl_refill(struct rl_bucket *b, uint32_t rate, uint32_t burst, uint64_t now)
{
	uint64_t el, t;

	if (now <= b->last_ms)
		return;
	el = now - b->last_ms;
	if (el > 3600000)
		el = 3600000;	/* an hour fills any bucket */
	t = b->tokens + el * rate;
	b->tokens = t > rl_cap(burst) ? rl_cap(burst) : (uint32_t)t;
	b->last_ms = now;
}

/*
 * The bucket of @dst; else the fullest of its set, reset to a full burst
 * for @dst. Forgetting a full bucket loses nothing (a new one starts
 * full), so the destinations that spent their tokens, the busy ones, are
 * the last to be forgotten: churning through many destinations cannot
 * wash a busy one out of the table and hand it a fresh burst.
 */
static struct rl_bucket *
rl_find(struct icmp_rl *rl, uint32_t dst, uint64_t now)
{
	uint32_t set = (uint32_t)hash_siphash13(&rl->key, &dst, sizeof(dst)) &
	    rl->mask & ~(uint32_t)(RL_WAYS - 1);
	struct rl_bucket *b = &rl->b[set], *victim = NULL;
	int i;

	for (i = 0; i < RL_WAYS; i++)
		if (b[i].dst == dst)
			return &b[i];
	for (i = 0; i < RL_WAYS; i++) {
		if (b[i].dst == 0) {
			victim = &b[i];
			break;
		}
		rl_refill(&b[i], rl->lim.dst_rate, rl->lim.dst_burst, now);
		if (victim == NULL || b[i].tokens > victim->tokens)
			victim = &b[i];
	}
	victim->dst = dst;
	victim->tokens = rl_cap(rl->lim.dst_burst);
	victim->last_ms = now;
	return victim;
}

bool
icmp_rl_allow(struct icmp_rl *rl, uint32_t dst, uint64_t now_ms)
{
	struct rl_bucket *b = NULL;
	bool dst_ok = true, global_ok = true;

	if (rl->lim.dst_rate != 0) {
		b = rl_find(rl, dst, now_ms);
		rl_refill(b, rl->lim.dst_rate, rl->lim.dst_burst, now_ms);
		dst_ok = b->tokens >= RL_ONE;
	}
	if (rl->lim.rate != 0) {
		rl_refill(&rl->global, rl->lim.rate, rl->lim.burst, now_ms);
		global_ok = rl->global.tokens >= RL_ONE;
	}
	if (!dst_ok) {
		rl->limited_dst++;
		return false;
	}
	if (!global_ok) {
		rl->limited_global++;
		return false;
	}
	/* only a sent error costs: a refused one takes nobody's token */
	if (b != NULL)
		b->tokens -= RL_ONE;
	if (rl->lim.rate != 0)
		rl->global.tokens -= RL_ONE;
	return true;
}

uint64_t
icmp_rl_limited_dst(const struct icmp_rl *rl)
{
	return rl->limited_dst;
}

uint64_t
icmp_rl_limited_global(const struct icmp_rl *rl)
{
	return rl->limited_global;
}

uint32_t
icmp_rl_size(const struct icmp_rl *rl)
{
	return rl->mask + 1;
}
