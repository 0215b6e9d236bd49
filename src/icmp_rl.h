/* SPDX-License-Identifier: ISC */
/*
 * The ICMP error rate limit: a token bucket per destination of the errors
 * (RFC 1812 5.3.7, RFC 4443 2.4 (f)), under one global bucket that is the
 * ceiling for all of them together (Linux icmp_ratelimit under
 * icmp_msgs_per_sec). One busy destination spends its own tokens, not
 * everyone's: a flood from one host cannot starve another host's
 * traceroute.
 *
 * Memory is bounded: the destinations live in a fixed array of buckets,
 * four-way set associative under a keyed hash (an outside sender cannot
 * aim at one set); a destination not there takes the fullest
 * bucket of its set and starts with a full burst. Forgetting a destination
 * can only give it more than its share, never more than the global
 * ceiling allows.
 */
#ifndef HAIRPIND_ICMP_RL_H
#define HAIRPIND_ICMP_RL_H

#include <stdbool.h>
#include <stdint.h>

struct icmp_rl;

/* The limits, as icmp: in the config gives them. Rates: 0 is no limit. */
struct icmp_rl_limits {
	uint32_t rate, burst;		/* all destinations, per second */
	uint32_t dst_rate, dst_burst;	/* one destination, per second */
	uint32_t destinations;		/* buckets; rounded up to a power of 2 */
};

/* icmp_rl_create() - a limiter with full buckets; NULL on ENOMEM. */
struct icmp_rl *icmp_rl_create(const struct icmp_rl_limits *lim);
void icmp_rl_free(struct icmp_rl *rl);

/**
 * icmp_rl_allow() - may an error go to @dst now? Takes a token from the
 * destination's bucket and the global one when both have one.
 * @dst: network order
 * @now_ms: a monotonic clock, milliseconds
 * Return: true to send; false (counted) when either bucket is empty.
 */
bool icmp_rl_allow(struct icmp_rl *rl, uint32_t dst, uint64_t now_ms);

/* Errors refused so far: by a destination's bucket, by the global one. */
uint64_t icmp_rl_limited_dst(const struct icmp_rl *rl);
uint64_t icmp_rl_limited_global(const struct icmp_rl *rl);
/* Buckets in the table (memory: this times 16 bytes). */
uint32_t icmp_rl_size(const struct icmp_rl *rl);

#endif
