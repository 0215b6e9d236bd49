/* SPDX-License-Identifier: ISC */
/* NAT decisions for first packets, and header rewriting from conntrack. */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "csum.h"
#include "frame.h"
#include "hash.h"
#include "nat.h"
#include "nat_helper.h"
#include "natport.h"
#include "router.h"
#include "rule.h"

static struct hash_key nat_key;
static bool nat_key_set;

static uint32_t
nat_hash32(uint32_t v)
{
	if (!nat_key_set) {
		hash_key_random(&nat_key);
		nat_key_set = true;
	}
	return (uint32_t)hash_siphash13(&nat_key, &v, sizeof(v));
}

bool
nat_tuple_of(const struct pkt *p, struct ct_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->src = p->ip->saddr;
	t->dst = p->ip->daddr;
	t->proto = p->proto;
	switch (p->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		if (!p->l4_ok)
			return false;
		t->sport = p->sport;
		t->dport = p->dport;
		break;
	case IPPROTO_ICMP:
		if (!p->l4_ok || !icmp_is_query(p->icmp_type))
			return false;
		t->sport = p->sport;
		t->dport = htons((uint16_t)p->icmp_type);
		break;
	case IPPROTO_ESP:
		/* the SPI, split over the two 16-bit halves */
		if (p->l4_ok && p->l4_len >= 8) {
			memcpy(&t->sport, p->l4, 2);
			memcpy(&t->dport, p->l4 + 2, 2);
		}
		break;
	case IPPROTO_GRE:
		/*
		 * Enhanced GRE (RFC 2637 4.1, PPTP): version 1 with the key
		 * bit; the low half of the key is the receiver's call id.
		 */
		if (p->l4_ok && p->l4_len >= 8 && (p->l4[1] & 7) == 1 &&
		    (p->l4[0] & 0x20))
			memcpy(&t->dport, p->l4 + 6, 2);
		break;
	default:
		break;
	}
	return true;
}

/*
 * ESP and PPTP's GRE carry the key the *receiver* chose (the SPI of the SA,
 * the peer's call id), so a connection's reply key is not known until the
 * first answer comes: its reply tuple is inserted with key 0, unbound, and
 * the first packet back binds it (nat_keyed_bind()). Two inside hosts to
 * one outside host are then told apart by their keys, as ports tell TCP
 * connections apart.
 */
static bool
nat_keyed(uint8_t proto)
{
	return proto == IPPROTO_ESP || proto == IPPROTO_GRE;
}

void
nat_reply_unbound(struct ct_tuple *reply)
{
	uint16_t key;

	if (!nat_keyed(reply->proto))
		return;
	/*
	 * A PPTP call the helper saw set up already names the key the
	 * server will use (reply->sport holds the server's call id here).
	 */
	key = reply->proto == IPPROTO_GRE ? nat_helper_pptp_key(reply->src,
	    reply->dst, reply->sport) : 0;
	reply->sport = 0;
	reply->dport = key;
}

struct ct_entry *
nat_keyed_bind(struct router *r, const struct ct_tuple *t, enum ct_dir *dir,
    uint32_t now)
{
	struct ct_tuple k = *t, orig;
	struct ct_entry *e;
	struct ct_pkt cp;
	enum ct_dir d;
	uint8_t flags;

	if (!nat_keyed(t->proto) || (t->sport == 0 && t->dport == 0))
		return NULL;
	k.sport = 0;
	k.dport = 0;
	e = ct_lookup(r->ct, &k, &d);
	if (e == NULL || d != CT_DIR_REPLY)
		return NULL;
	/* re-key: the entry goes and comes back with its reply key */
	orig = e->orig;
	flags = e->flags & (CT_F_SNAT | CT_F_DNAT | CT_F_LOCAL | CT_F_EIF);
	ct_remove(r->ct, e);
	memset(&cp, 0, sizeof(cp));
	cp.wscale = -1;
	e = ct_insert(r->ct, &orig, t, flags, &cp, now);
	if (e != NULL)
		*dir = CT_DIR_REPLY;
	return e;
}

/* Add a folded delta to a partial (non-complemented) checksum. */
static void
csum_partial_apply(uint16_t *sum, uint32_t delta)
{
	uint32_t s = *sum + delta;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	*sum = (uint16_t)s;
}

/*
 * SCTP ports (RFC 9260): no pseudo-header, so only a port change touches
 * the checksum, and CRC32c has no incremental form worth having here: it
 * is computed again over the packet. A checksum left to offload (partial)
 * is left alone.
 */
static void
nat_rewrite_sctp(struct pkt *p, const struct ct_tuple *to, bool partial)
{
	struct sctp_hdr *sh = (struct sctp_hdr *)p->l4;
	uint32_t crc;

	if (sh->sport == to->sport && sh->dport == to->dport)
		return;
	sh->sport = p->sport = to->sport;
	sh->dport = p->dport = to->dport;
	if (partial)
		return;
	sh->check = 0;
	crc = csum_crc32c(p->l4, p->l4_len);
	memcpy(&sh->check, &crc, 4);
}

void
nat_rewrite(struct pkt *p, const struct ct_tuple *to)
{
	struct ip4_hdr *ip = p->ip;
	uint32_t adelta = 0, pdelta = 0;
	bool partial = p->vh != NULL &&
	    (p->vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM);
	uint16_t *l4sum = NULL;
	uint16_t *sp = NULL, *dp = NULL;

	if (ip->saddr != to->src) {
		adelta = csum_delta4(adelta, ip->saddr, to->src);
		ip->saddr = to->src;
	}
	if (ip->daddr != to->dst) {
		adelta = csum_delta4(adelta, ip->daddr, to->dst);
		ip->daddr = to->dst;
	}
	if (adelta != 0)
		csum_apply_delta(&ip->check, adelta);
	if (!p->l4_ok)
		return;
	switch (p->proto) {
	case IPPROTO_TCP: {
		struct tcp_hdr *th = (struct tcp_hdr *)p->l4;

		l4sum = &th->check;
		sp = &th->sport;
		dp = &th->dport;
		break;
	}
	case IPPROTO_UDP: {
		struct udp_hdr *uh = (struct udp_hdr *)p->l4;

		sp = &uh->sport;
		dp = &uh->dport;
		/* RFC 768: zero means "no checksum", and stays so */
		if (partial || uh->check != 0)
			l4sum = &uh->check;
		break;
	}
	case IPPROTO_SCTP:
		nat_rewrite_sctp(p, to, partial);
		return;
	case IPPROTO_ICMP: {
		struct icmp_hdr *ih = (struct icmp_hdr *)p->l4;

		if (icmp_is_query(ih->type) && ih->id != to->sport) {
			/* no pseudo-header: only the id counts */
			csum_replace2(&ih->check, ih->id, to->sport);
			ih->id = to->sport;
			p->sport = to->sport;
		}
		return;
	}
	default:
		return;
	}
	if (*sp != to->sport) {
		pdelta = csum_delta2(pdelta, *sp, to->sport);
		*sp = to->sport;
		p->sport = to->sport;
	}
	if (*dp != to->dport) {
		pdelta = csum_delta2(pdelta, *dp, to->dport);
		*dp = to->dport;
		p->dport = to->dport;
	}
	if (l4sum == NULL)
		return;
	if (partial) {
		/* only the pseudo-header sum is there: addresses only */
		if (adelta != 0)
			csum_partial_apply(l4sum, adelta);
		return;
	}
	if (adelta + pdelta == 0)
		return;
	csum_apply_delta(l4sum, adelta + pdelta);
	if (p->proto == IPPROTO_UDP && *l4sum == 0)
		*l4sum = 0xffff;
}

int
nat_icmp_inner(const struct pkt *p, struct ct_tuple *inner)
{
	const struct ip4_hdr *iip;
	const uint8_t *q = p->l4 + sizeof(struct icmp_hdr);
	size_t qlen;
	unsigned int ihl;
	uint16_t v;

	if (!p->l4_ok || p->l4_len < sizeof(struct icmp_hdr) + 20)
		return -1;
	qlen = p->l4_len - sizeof(struct icmp_hdr);
	iip = (const struct ip4_hdr *)q;
	if ((iip->ver_ihl >> 4) != 4)
		return -1;
	ihl = (iip->ver_ihl & 0x0f) * 4;
	if (ihl < 20 || qlen < ihl + 8)
		return -1;
	if ((ntohs(iip->frag_off) & IP4_OFFMASK) != 0)
		return -1;		/* quote of a later fragment */
	memset(inner, 0, sizeof(*inner));
	inner->src = iip->saddr;
	inner->dst = iip->daddr;
	inner->proto = iip->proto;
	switch (iip->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		memcpy(&inner->sport, q + ihl, 2);
		memcpy(&inner->dport, q + ihl + 2, 2);
		break;
	case IPPROTO_ICMP:
		if (!icmp_is_query(q[ihl]))
			return -1;
		memcpy(&inner->sport, q + ihl + 4, 2);
		v = htons(q[ihl]);
		inner->dport = v;
		break;
	default:
		break;
	}
	return 0;
}

bool
nat_icmp_for(const struct pkt *p, const struct ct_entry *e, enum ct_dir dir)
{
	const struct ct_tuple *cur = dir == CT_DIR_ORIG ? &e->orig : &e->reply;

	/*
	 * The error travels like a packet of direction @dir: to that
	 * direction's destination, the endpoint that sent the quoted packet
	 * (after NAT: the public address). One addressed to anyone else only
	 * quotes the connection; relating it would let an outsider reach
	 * any inside host through `connection-state=related`.
	 */
	return p->ip->daddr == cur->dst;
}

int
nat_icmp_related(struct pkt *p, const struct ct_entry *e, enum ct_dir dir)
{
	const struct ct_tuple *cur = dir == CT_DIR_ORIG ? &e->orig : &e->reply;
	const struct ct_tuple *other = dir == CT_DIR_ORIG ? &e->reply :
	    &e->orig;
	struct ip4_hdr *ip = p->ip;
	struct icmp_hdr *ih = (struct icmp_hdr *)p->l4;
	uint8_t *q = p->l4 + sizeof(*ih);
	struct ip4_hdr *iip = (struct ip4_hdr *)q;
	size_t qlen = p->l4_len - sizeof(*ih);
	unsigned int ihl = (iip->ver_ihl & 0x0f) * 4;
	uint8_t *il4 = q + ihl;
	size_t il4len = qlen - ihl;
	uint32_t odelta = 0, adelta = 0, pdelta = 0;
	uint16_t *sum = NULL, isp, idp;

	/*
	 * RFC 5508 REQ-3: only an error whose checksum holds is translated,
	 * and (REQ-3a) whose quoted IP header checksum holds too.
	 */
	if (csum_fold(csum_partial(p->l4, p->l4_len, 0)) != 0 ||
	    csum_ip(iip, ihl) != 0)
		return -1;

	/* outer header: as a packet of direction @dir would be */
	if (ip->daddr == cur->dst && ip->daddr != other->src) {
		odelta = csum_delta4(odelta, ip->daddr, other->src);
		ip->daddr = other->src;
	}
	if (ip->saddr == cur->src && ip->saddr != other->dst) {
		odelta = csum_delta4(odelta, ip->saddr, other->dst);
		ip->saddr = other->dst;
	}
	if (odelta != 0)
		csum_apply_delta(&ip->check, odelta);

	/* quoted header: back to what its sender sent, the other tuple */
	if (iip->saddr != other->src) {
		adelta = csum_delta4(adelta, iip->saddr, other->src);
		iip->saddr = other->src;
	}
	if (iip->daddr != other->dst) {
		adelta = csum_delta4(adelta, iip->daddr, other->dst);
		iip->daddr = other->dst;
	}
	iip->check = 0;
	iip->check = csum_ip(iip, ihl);
	switch (iip->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		memcpy(&isp, il4, 2);
		memcpy(&idp, il4 + 2, 2);
		if (isp != other->sport)
			pdelta = csum_delta2(pdelta, isp, other->sport);
		if (idp != other->dport)
			pdelta = csum_delta2(pdelta, idp, other->dport);
		memcpy(il4, &other->sport, 2);
		memcpy(il4 + 2, &other->dport, 2);
		if (iip->proto == IPPROTO_TCP && il4len >= 18)
			sum = (uint16_t *)(il4 + 16);
		else if (iip->proto == IPPROTO_UDP && il4len >= 8 &&
		    (il4[6] | il4[7]) != 0)
			sum = (uint16_t *)(il4 + 6);
		if (sum != NULL && adelta + pdelta != 0) {
			uint16_t v;

			memcpy(&v, sum, 2);
			csum_apply_delta(&v, adelta + pdelta);
			memcpy(sum, &v, 2);
		}
		break;
	case IPPROTO_ICMP:
		memcpy(&isp, il4 + 4, 2);
		if (isp != other->sport && il4len >= 8) {
			uint16_t v;

			memcpy(&v, il4 + 2, 2);
			csum_replace2(&v, isp, other->sport);
			memcpy(il4 + 2, &v, 2);
			memcpy(il4 + 4, &other->sport, 2);
		}
		break;
	default:
		break;
	}
	ih->check = 0;
	ih->check = csum_fold(csum_partial(p->l4, p->l4_len, 0));
	return 0;
}

/* Pick from a host-order range lo..hi by a key, for pooled addresses. */
static uint32_t
range_pick(uint32_t lo, uint32_t hi, uint32_t key)
{
	uint32_t n = hi - lo + 1;

	return n == 0 ? lo + key : lo + nat_hash32(key) % n;
}

static bool
has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	    proto == IPPROTO_SCTP;
}

int
nat_dstnat(struct router *r, const struct rule *rule, int in_if,
    struct ct_tuple *t, uint8_t *flags)
{
	uint32_t dst = ntohl(t->dst);
	uint16_t dport = ntohs(t->dport);

	switch (rule->action) {
	case RULE_DSTNAT:
		if (rule->to_addr.set)
			dst = range_pick(rule->to_addr.lo, rule->to_addr.hi,
			    ntohl(t->src));
		break;
	case RULE_REDIRECT:
		dst = ntohl(r->ifaces[in_if].conf->addrs[0].addr);
		break;
	case RULE_NETMAP:
		if (!rule->to_addr.set)
			return -1;
		/* 1:1 by offset inside the matched prefix or range */
		dst = rule->to_addr.lo + ((dst - (rule->dst.set ?
		    rule->dst.lo : 0)) % (rule->to_addr.hi - rule->to_addr.lo
		    + 1));
		break;
	case RULE_EIM: {
		uint32_t ia;
		uint16_t ip_;

		/* an outside host reaching an existing mapping (full cone) */
		if (t->proto != IPPROTO_UDP ||
		    !natport_lookup(r->np, t->proto, t->dst, t->dport, &ia,
		    &ip_))
			return -1;
		t->dst = ia;
		t->dport = ip_;
		*flags |= CT_F_DNAT | CT_F_EIF;
		return 0;
	}
	default:
		return -1;
	}
	if (rule->to_ports_set && has_ports(t->proto)) {
		uint32_t n = rule->to_port_hi - rule->to_port_lo + 1;
		uint32_t off = 0;

		/* a matched port range maps onto the to-ports range by offset */
		if (rule->dport.set && !rule->dport.neg && rule->dport.n == 1 &&
		    dport >= rule->dport.r[0].lo)
			off = (uint32_t)(dport - rule->dport.r[0].lo) % n;
		dport = (uint16_t)(rule->to_port_lo + off);
	}
	t->dst = htonl(dst);
	t->dport = htons(dport);
	*flags |= CT_F_DNAT;
	return 0;
}

int
nat_srcnat(struct router *r, const struct rule *rule, int out_if,
    struct ct_tuple *t, uint8_t *flags)
{
	uint32_t eaddr;
	uint16_t lo = 0, hi = 0;

	switch (rule->action) {
	case RULE_MASQUERADE:
	case RULE_EIM:
		eaddr = r->ifaces[out_if].conf->addrs[0].addr;
		break;
	case RULE_SRCNAT:
		if (!rule->to_addr.set)
			return -1;
		/* RFC 4787 REQ-2: one internal host, one external address */
		eaddr = htonl(range_pick(rule->to_addr.lo, rule->to_addr.hi,
		    ntohl(t->src)));
		break;
	case RULE_NETMAP: {
		uint32_t src = ntohl(t->src);

		if (!rule->to_addr.set)
			return -1;
		src = rule->to_addr.lo + ((src - (rule->src.set ?
		    rule->src.lo : 0)) % (rule->to_addr.hi - rule->to_addr.lo
		    + 1));
		t->src = htonl(src);	/* 1:1, ports kept */
		*flags |= CT_F_SNAT;
		return 0;
	}
	default:
		return -1;
	}
	if (rule->action == RULE_EIM)
		*flags |= CT_F_EIF;
	if (rule->to_ports_set && t->proto != IPPROTO_ICMP) {
		lo = rule->to_port_lo;
		hi = rule->to_port_hi;
	}
	return nat_snat_to(r, t, eaddr, lo, hi, rule->randomise_ports, flags);
}

int
nat_snat_to(struct router *r, struct ct_tuple *t, uint32_t eaddr,
    uint16_t lo, uint16_t hi, bool randomise, uint8_t *flags)
{
	uint16_t eport;

	if (!has_ports(t->proto) && t->proto != IPPROTO_ICMP) {
		t->src = eaddr;		/* no ports: address only */
		*flags |= CT_F_SNAT;
		return 0;
	}
	natport_set_host_limit(r->np, r->conf->limits.nat_ports_per_host);
	if (natport_get(r->np, t->proto, eaddr, t->src, t->sport, lo, hi,
	    randomise, &eport) == -1)
		return -1;
	t->src = eaddr;
	t->sport = eport;
	*flags |= CT_F_SNAT | CT_F_PORTMAP;
	return 0;
}

enum drop_reason
nat_refusal(const struct router *r)
{
	return natport_last_host_limit(r->np) ? DROP_NAT_HOST_LIMIT :
	    DROP_NAT_EXHAUSTED;
}

void
nat_release(struct router *r, const struct ct_entry *e)
{
	uint16_t eport;

	if (!(e->flags & CT_F_PORTMAP))
		return;
	eport = e->orig.proto == IPPROTO_ICMP ? e->reply.sport :
	    e->reply.dport;
	natport_put(r->np, e->orig.proto, e->reply.dst, eport);
}
