/* SPDX-License-Identifier: ISC */
/*
 * NAT helpers (netfilter's conntrack helpers, RouterOS's /ip firewall
 * service-port): protocols that put endpoints into their payload or open
 * a second connection the first one announced.
 *
 *  - FTP (default port 21): PORT/EPRT from the client and 227/229 from the
 *    server are rewritten to the addresses the other side sees, and the
 *    data connection they announce is *expected*: its first packet is
 *    translated to the announcing host, follows the control connection's
 *    source NAT, and is RELATED. A rewrite that changes the length of the
 *    segment shifts the sequence numbers that follow (and the other
 *    side's acknowledgements and SACK blocks back), per direction, as
 *    netfilter's seqadj does.
 *  - TFTP (69): the server answers from a new port; that answer is
 *    expected, so it passes the NAT's address-and-port-dependent filter.
 *  - PPTP (1723): the client's (PNS's) call ids are rewritten in the
 *    control connection so that they are unique towards each server,
 *    whatever the inside hosts chose, and back in the GRE the server
 *    sends (whose key is that call id); the GRE entry is bound to its
 *    key as soon as the call is set up (nat.c tells GRE apart by key).
 *  - SIP: accepted in the config, off by default; no helper yet.
 *
 * Which connection has which helper, and the sequence offsets, live in a
 * fixed table here keyed by conntrack entry id (the 64-byte entry has no
 * room), released on the entry's DESTROY; expectations in another fixed
 * table. Memory is bounded, nothing is allocated per packet; a full table
 * means a connection goes without its helper (counted).
 */
#ifndef HAIRPIND_NAT_HELPER_H
#define HAIRPIND_NAT_HELPER_H

#include <stdbool.h>
#include <stdint.h>

#include "ct.h"

struct pkt;
struct router;
struct trace;

/* Helper ids: conf.h's CONF_SP_* + 1; 0 is none. */
enum nat_helper_id {
	NH_NONE = 0,
	NH_FTP,
	NH_TFTP,
	NH_PPTP,
	NH_SIP,
	NH_COUNT,
};

#define NH_CONNS	8192	/* table slots */
#define NH_CONNS_LIVE	4096	/* connections with a helper at once */
#define NH_EXPECT	256	/* expectations at once */
#define NH_EXPECT_TIMEOUT 60	/* seconds an expectation waits */
#define NH_PPTP_CALLS	256	/* PPTP calls at once */

/* What nat_helper_expect() found, for nat_helper_new(). */
struct nat_expect_hit {
	bool hit;
	uint8_t helper;
};

/* Counters, for metrics and tests. */
struct nat_helper_stats {
	uint64_t rewrites;	/* payloads rewritten */
	uint64_t expected;	/* expectations made */
	uint64_t related;	/* connections that matched one */
	uint64_t table_full;	/* connections left without a helper */
	uint32_t conns, expects;	/* live now */
};

/* nat_helper_name() - "ftp", "tftp", "pptp", "sip", or NULL. */
const char *nat_helper_name(uint8_t id);

/**
 * nat_helper_of() - the helper of a connection, for connection-type=
 * matchers and `conntrack`: the control connection's own, or for a
 * related connection the helper that expected it.
 * @related: set true for an expected (data) connection; may be NULL
 * Return: NH_* id, NH_NONE when none.
 */
uint8_t nat_helper_of(const struct ct_entry *e, bool *related);

/**
 * nat_helper_expect() - the first packet of a new connection: is it one
 * a helper expects? Then @t's destination (and, following the control
 * connection, its source) are translated here, and CT_F_DNAT/SNAT set in
 * @flags; the caller treats it as RELATED and runs no NAT chain for it.
 */
bool nat_helper_expect(struct router *r, struct ct_tuple *t, uint8_t *flags,
    struct nat_expect_hit *hit, uint32_t now);

/*
 * nat_helper_new() - a connection was inserted: give it its helper (by
 * service-port) or mark it as the related one @hit says it is.
 */
void nat_helper_new(struct router *r, const struct ct_entry *e,
    const struct nat_expect_hit *hit, uint32_t now);

/*
 * nat_helper_ack() - before conntrack sees a segment: acknowledgements
 * (and SACK blocks) of data whose length a rewrite changed go back to
 * the sender's numbering.
 */
void nat_helper_ack(const struct ct_entry *e, enum ct_dir dir, struct pkt *p);

/*
 * nat_helper_data() - after NAT rewrote the headers: the helper reads the
 * payload, rewrites it, expects what it announces, and shifts the
 * segment's sequence number.
 */
void nat_helper_data(struct router *r, const struct ct_entry *e,
    enum ct_dir dir, struct pkt *p, struct trace *tr, uint32_t now);

/* nat_helper_destroy() - the entry is going: forget it and its expectations. */
void nat_helper_destroy(struct router *r, const struct ct_entry *e);

/**
 * nat_helper_pptp_key() - the call id a PPTP server @pac that gave its
 * own call @pac_call will put in the GRE it sends to @ext, as the helper
 * saw the call set up (network order throughout).
 * Return: that key, or 0 when no such call is known.
 */
uint16_t nat_helper_pptp_key(uint32_t pac, uint32_t ext, uint16_t pac_call);

const struct nat_helper_stats *nat_helper_stats(void);

#endif
