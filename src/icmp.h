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

/*
 * ICMP errors are rate limited globally with a token bucket, as Linux's
 * icmp_msgs_per_sec does, so a flood cannot turn the router into an
 * amplifier.
 */
#define ICMP_RATE_PER_SEC	1000
#define ICMP_RATE_BURST		50

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
	uint64_t errors_sent, echo_replies, resets_sent, rate_limited;
};
const struct icmp_stats *icmp_stats(void);

#endif
