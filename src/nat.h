/* SPDX-License-Identifier: ISC */
/*
 * NAT: what a rule decides for the first packet of a connection, and the
 * rewriting of every later packet from its conntrack entry.
 *
 * The entry alone says how to translate: a packet travelling in direction
 * d must leave with the inverse of the other direction's tuple. For a
 * dst-nat'ed, masqueraded hairpin connection
 *     orig  192.168.1.10:5555 -> 1.1.1.1:80
 *     reply 192.168.1.2:80    -> 192.168.1.1:5555
 * the request leaves as 192.168.1.1:5555 -> 192.168.1.2:80 (the inverse
 * of reply) and the answer as 1.1.1.1:80 -> 192.168.1.10:5555 (the
 * inverse of orig). No separate binding is kept.
 */
#ifndef HAIRPIND_NAT_H
#define HAIRPIND_NAT_H

#include <stdbool.h>
#include <stdint.h>

#include "ct.h"

struct pkt;
struct router;
struct rule;

/* nat_target() - the tuple a packet of @e in @dir leaves with. */
static inline void
nat_target(const struct ct_entry *e, enum ct_dir dir, struct ct_tuple *to)
{
	const struct ct_tuple *o = dir == CT_DIR_ORIG ? &e->reply : &e->orig;

	to->src = o->dst;
	to->dst = o->src;
	to->proto = o->proto;
	if (o->proto == 1 /* IPPROTO_ICMP */) {
		to->sport = o->sport;		/* query id */
		to->dport = 0;
	} else {
		to->sport = o->dport;
		to->dport = o->sport;
	}
}

/**
 * nat_tuple_of() - the conntrack tuple of a parsed packet.
 * Return: false when the packet has no trackable transport header.
 */
bool nat_tuple_of(const struct pkt *p, struct ct_tuple *t);

/*
 * nat_reply_unbound() - for ESP and PPTP GRE, whose reply key (SPI, call
 * id) the first answer tells: clear it in the reply tuple to be inserted.
 */
void nat_reply_unbound(struct ct_tuple *reply);

/**
 * nat_keyed_bind() - an ESP or GRE packet @t that matched no entry: when
 * it answers an entry whose reply key is still unbound (same addresses),
 * bind the entry to @t's key (the entry is re-inserted).
 * @dir: set to CT_DIR_REPLY when bound
 * Return: the entry, or NULL.
 */
struct ct_entry *nat_keyed_bind(struct router *r, const struct ct_tuple *t,
    enum ct_dir *dir, uint32_t now);

/**
 * nat_rewrite() - rewrite addresses and ports of @p to @to, fixing the IP
 * and transport checksums incrementally (RFC 1624). A zero UDP checksum
 * stays zero. With a partial checksum (virtio NEEDS_CSUM) only the
 * address part of the pseudo-header is adjusted, never the ports.
 */
void nat_rewrite(struct pkt *p, const struct ct_tuple *to);

/**
 * nat_icmp_inner() - the tuple of the datagram quoted by the ICMP error in
 * @p, as it was on the wire.
 * Return: 0, or -1 when the quote is too short or not trackable.
 */
int nat_icmp_inner(const struct pkt *p, struct ct_tuple *inner);

/**
 * nat_icmp_for() - is the ICMP error @p addressed to the endpoint of @e it
 * quotes (the destination of direction @dir, the direction the quoted
 * packet's answer takes)? Only then is it related (issue 17).
 */
bool nat_icmp_for(const struct pkt *p, const struct ct_entry *e,
    enum ct_dir dir);

/**
 * nat_icmp_related() - translate an ICMP error about connection @e that
 * travels in direction @dir (RFC 5508 REQ-3/4): the outer addresses as a
 * packet of that direction, the quoted header back to what its sender
 * sent, with the quoted IP and transport checksums and the ICMP checksum
 * fixed.
 * Return: 0, or -1 when the ICMP checksum of the error or the quoted IP
 * header checksum is wrong (drop).
 */
int nat_icmp_related(struct pkt *p, const struct ct_entry *e,
    enum ct_dir dir);

/**
 * nat_dstnat() - apply a dstnat-chain rule's action to the orig tuple
 * being built: dst-nat, redirect, netmap, endpoint-independent-nat.
 * @t: in: the packet's tuple; out: with the destination translated
 * @flags: CT_F_DNAT (and CT_F_EIF) added when translated
 * Return: 0, or -1 when the action does not apply (e.g. no mapping for
 * endpoint-independent-nat): treat as no NAT.
 */
int nat_dstnat(struct router *r, const struct rule *rule, int in_if,
    struct ct_tuple *t, uint8_t *flags);

/**
 * nat_srcnat() - apply a srcnat-chain rule's action: src-nat,
 * masquerade, netmap, endpoint-independent-nat. Takes a NAT port mapping
 * reference (CT_F_PORTMAP) when the port is allocated.
 * Return: 0, or -1 when no port is free (the caller drops and counts
 * nat-exhausted).
 */
int nat_srcnat(struct router *r, const struct rule *rule, int out_if,
    struct ct_tuple *t, uint8_t *flags);

/**
 * nat_snat_to() - source-translate @t to @eaddr with an endpoint-
 * independent port (ports lo..hi, host order, 0/0 for the RFC 4787 port
 * class). Used by src-nat rules and by automatic hairpinning, where the
 * sender must appear as its own external mapping (RFC 4787 REQ-9a).
 * Return: 0, or -1 when no port is free.
 */
int nat_snat_to(struct router *r, struct ct_tuple *t, uint32_t eaddr,
    uint16_t lo, uint16_t hi, bool randomise, uint8_t *flags);

/* nat_refusal() - the drop reason of the last nat_snat_to() failure:
   nat-host-limit (the host's share of ports) or nat-exhausted. */
enum drop_reason nat_refusal(const struct router *r);

/* nat_release() - give back what nat_srcnat() took for entry @e. */
void nat_release(struct router *r, const struct ct_entry *e);

#endif
