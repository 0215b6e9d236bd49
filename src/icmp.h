/* SPDX-License-Identifier: ISC */
/*
 * What the router itself says: ICMP errors about packets it cannot
 * deliver (RFC 1812 4.3), echo replies, and the answers of a host with no
 * listener (TCP RST, UDP port unreachable, protocol unreachable).
 */
#ifndef HAIRPIND_ICMP_H
#define HAIRPIND_ICMP_H

#include <stdint.h>

struct router;
struct pkt;

struct conf_icmp;

/*
 * ICMP errors are rate limited per destination under a global ceiling
 * (icmp_rl.h), so a flood cannot turn the router into an amplifier and
 * one busy destination cannot starve the others. Defaults of icmp: in the
 * config (Linux: icmp_msgs_per_sec 1000, icmp_msgs_burst 50).
 */
#define ICMP_RATE_PER_SEC	1000
#define ICMP_RATE_BURST		50
#define ICMP_DST_RATE_PER_SEC	100
#define ICMP_DST_RATE_BURST	20
#define ICMP_RATE_DESTINATIONS	1024

/*
 * icmp_configure() - apply icmp: limits (start and reload); unchanged
 * limits keep their buckets.
 */
void icmp_configure(const struct conf_icmp *c);

/**
 * icmp_error() - send ICMP @type/@code about @p, received on @in_if.
 * @mtu: next-hop MTU for frag-needed, else 0
 * @src: source address (network order), or 0 for @in_if's primary
 *
 * Quotes the offending datagram up to 576 bytes in all (RFC 1812 4.3.2.3).
 * Nothing is sent about an ICMP error, a non-first fragment, or a packet
 * from or to a broadcast or multicast address (RFC 1122 3.2.2).
 */
void icmp_error(struct router *r, int in_if, const struct pkt *p, int type,
    int code, uint16_t mtu, uint32_t src);

/*
 * icmp_echo_request() - the router's own echo request (check-gateway=ping
 * probes), routed and sent like every packet it makes.
 */
void icmp_echo_request(struct router *r, uint32_t src, uint32_t dst,
    uint16_t id, uint16_t seq);

/* icmp_echo_reply() - answer an echo request addressed to the router. */
void icmp_echo_reply(struct router *r, int in_if, const struct pkt *p);

/* icmp_tcp_reset() - RST for a TCP segment to a port with no listener. */
void icmp_tcp_reset(struct router *r, int in_if, const struct pkt *p);

/*
 * icmp_tcp_tarpit() - action=tarpit: a SYN/ACK with a zero window for a
 * SYN, from its destination, so the sender holds a connection that can
 * send nothing.
 */
void icmp_tcp_tarpit(struct router *r, int in_if, const struct pkt *p);

/* Counters for metrics. */
struct icmp_stats {
	uint64_t errors_sent, echo_replies, resets_sent;
	uint64_t rate_limited;		/* all errors not sent for the limit */
	uint64_t rate_limited_dst;	/* ... of them, by a destination's bucket */
};
const struct icmp_stats *icmp_stats(void);

#endif
