/* SPDX-License-Identifier: ISC */
/* NAT helpers: FTP rewriting and expectations, TFTP answers, PPTP marks. */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "csum.h"
#include "frame.h"
#include "ftp.h"
#include "log.h"
#include "nat.h"
#include "nat_helper.h"
#include "natport.h"
#include "router.h"
#include "trace.h"

/* Sequence offsets of one direction's data (netfilter's seqadj). */
struct nh_seq {
	uint32_t pos;		/* seq of the last segment whose length changed */
	int32_t before;		/* offset for seq up to pos */
	int32_t after;		/* offset for seq after pos */
};

/* A connection with a helper: a control connection or a related one. */
struct nh_conn {
	uint32_t key;		/* ct entry id + 1; 0: empty slot */
	uint8_t helper;
	bool child;
	struct nh_seq seq[2];	/* per ct_dir of the sender */
};

struct nh_expect {
	bool used;
	uint8_t proto, helper;
	uint32_t src, dst;	/* the child's first packet, network order */
	uint16_t sport, dport;	/* sport 0: any */
	uint32_t to_addr;	/* where it goes */
	uint16_t to_port;
	uint32_t snat;		/* source to take, 0: none */
	uint32_t master;	/* ct id + 1 */
	uint32_t expires;
	bool np_held;		/* a natport reference for dst:dport */
};

/* A PPTP call (RFC 2637): the inside client's (PNS's) call id as mapped. */
struct nh_call {
	bool used;
	uint32_t master;	/* control connection: ct id + 1 */
	uint32_t pac, ext;	/* the server; the address it sees us at */
	uint16_t pns_call;	/* the inside host's own call id */
	uint16_t ext_call;	/* what the server sees (unique per pac, ext) */
	uint16_t pac_call;	/* the server's call id, 0 until its reply */
};

static struct nh_call calls[NH_PPTP_CALLS];
static uint32_t ncalls;

static void nh_pptp_forget(uint32_t master);

static struct nh_conn conns[NH_CONNS];
static struct nh_expect expects[NH_EXPECT];
static struct nat_helper_stats stats;

static const char *const nh_names[NH_COUNT] = {
	[NH_FTP] = "ftp", [NH_TFTP] = "tftp", [NH_PPTP] = "pptp",
	[NH_SIP] = "sip",
};

const char *
nat_helper_name(uint8_t id)
{
	return id > NH_NONE && id < NH_COUNT ? nh_names[id] : NULL;
}

const struct nat_helper_stats *
nat_helper_stats(void)
{
	return &stats;
}

/* --- the connection table: linear probing, backward-shift deletion ---- */

static uint32_t
nh_home(uint32_t key)
{
	return (key * 2654435761u) >> 19 & (NH_CONNS - 1);
}

static struct nh_conn *
nh_find(uint32_t key)
{
	uint32_t i = nh_home(key);

	while (conns[i].key != 0) {
		if (conns[i].key == key)
			return &conns[i];
		i = (i + 1) & (NH_CONNS - 1);
	}
	return NULL;
}

static struct nh_conn *
nh_add(uint32_t key)
{
	uint32_t i = nh_home(key);
	struct nh_conn *c = nh_find(key);

	if (c != NULL)
		return c;
	if (stats.conns >= NH_CONNS_LIVE) {
		stats.table_full++;
		return NULL;
	}
	while (conns[i].key != 0)
		i = (i + 1) & (NH_CONNS - 1);
	memset(&conns[i], 0, sizeof(conns[i]));
	conns[i].key = key;
	stats.conns++;
	return &conns[i];
}

static void
nh_del(uint32_t key)
{
	uint32_t i = nh_home(key), j, h;

	while (conns[i].key != key) {
		if (conns[i].key == 0)
			return;
		i = (i + 1) & (NH_CONNS - 1);
	}
	conns[i].key = 0;
	stats.conns--;
	for (j = (i + 1) & (NH_CONNS - 1); conns[j].key != 0;
	    j = (j + 1) & (NH_CONNS - 1)) {
		h = nh_home(conns[j].key);
		if (((j - h) & (NH_CONNS - 1)) >= ((j - i) & (NH_CONNS - 1))) {
			conns[i] = conns[j];
			conns[j].key = 0;
			i = j;
		}
	}
}

uint8_t
nat_helper_of(const struct ct_entry *e, bool *related)
{
	const struct nh_conn *c = nh_find(e->id + 1);

	if (related != NULL)
		*related = c != NULL && c->child;
	return c != NULL ? c->helper : NH_NONE;
}

/* --- expectations ------------------------------------------------------- */

static void
nh_expect_drop(struct router *r, struct nh_expect *x)
{
	if (x->np_held)
		natport_put(r->np, x->proto, x->dst, x->dport);
	x->used = false;
	stats.expects--;
}

/* A free slot: expired ones are dropped; when full, the oldest goes. */
static struct nh_expect *
nh_expect_slot(struct router *r, uint32_t now)
{
	struct nh_expect *x, *free_x = NULL, *old = NULL;

	for (x = expects; x < expects + NH_EXPECT; x++) {
		if (x->used && (int32_t)(x->expires - now) < 0)
			nh_expect_drop(r, x);
		if (!x->used) {
			if (free_x == NULL)
				free_x = x;
		} else if (old == NULL || (int32_t)(x->expires -
		    old->expires) < 0) {
			old = x;
		}
	}
	if (free_x == NULL) {
		nh_expect_drop(r, old);
		free_x = old;
	}
	return free_x;
}

/* One expectation per control connection (netfilter's max_expected). */
static void
nh_expect_forget(struct router *r, uint32_t master)
{
	struct nh_expect *x;

	if (stats.expects == 0)
		return;
	for (x = expects; x < expects + NH_EXPECT; x++)
		if (x->used && x->master == master)
			nh_expect_drop(r, x);
}

static void
nh_expect_add(struct router *r, const struct nh_expect *tmpl, uint32_t now)
{
	struct nh_expect *x;

	nh_expect_forget(r, tmpl->master);
	x = nh_expect_slot(r, now);
	*x = *tmpl;
	x->used = true;
	x->expires = now + NH_EXPECT_TIMEOUT;
	stats.expects++;
	stats.expected++;
}

bool
nat_helper_expect(struct router *r, struct ct_tuple *t, uint8_t *flags,
    struct nat_expect_hit *hit, uint32_t now)
{
	struct nh_expect *x;
	struct nh_expect got;

	hit->hit = false;
	if (stats.expects == 0)
		return false;
	for (x = expects; x < expects + NH_EXPECT; x++) {
		if (!x->used)
			continue;
		if ((int32_t)(x->expires - now) < 0) {
			nh_expect_drop(r, x);
			continue;
		}
		if (x->proto != t->proto || x->src != t->src ||
		    x->dst != t->dst || x->dport != t->dport ||
		    (x->sport != 0 && x->sport != t->sport))
			continue;
		got = *x;
		nh_expect_drop(r, x);
		if (t->dst != got.to_addr || t->dport != got.to_port) {
			t->dst = got.to_addr;
			t->dport = got.to_port;
			*flags |= CT_F_DNAT;
		}
		/* the source NAT of the control connection, followed */
		if (got.snat != 0 && got.snat != t->src)
			(void)nat_snat_to(r, t, got.snat, 0, 0, false, flags);
		hit->hit = true;
		hit->helper = got.helper;
		stats.related++;
		return true;
	}
	return false;
}

/* --- connections -------------------------------------------------------- */

static bool
sp_has(const struct conf_service_port *sp, uint16_t port)
{
	int i;

	if (!sp->enabled)
		return false;
	for (i = 0; i < sp->nports; i++)
		if (sp->ports[i] == port)
			return true;
	return false;
}

void
nat_helper_new(struct router *r, const struct ct_entry *e,
    const struct nat_expect_hit *hit, uint32_t now)
{
	const struct conf_service_port *sp = r->conf->sp;
	uint16_t port = ntohs(e->reply.sport);	/* the server's own port */
	struct nh_conn *c;
	struct nh_expect x;
	uint8_t h = NH_NONE;

	if (hit != NULL && hit->hit) {
		if ((c = nh_add(e->id + 1)) != NULL) {
			c->helper = hit->helper;
			c->child = true;
		}
		return;
	}
	if (e->orig.proto == IPPROTO_TCP) {
		if (sp_has(&sp[CONF_SP_FTP], port))
			h = NH_FTP;
		else if (sp_has(&sp[CONF_SP_PPTP], port))
			h = NH_PPTP;
	} else if (e->orig.proto == IPPROTO_UDP) {
		if (sp_has(&sp[CONF_SP_TFTP], port))
			h = NH_TFTP;
	}
	if (h == NH_NONE || (c = nh_add(e->id + 1)) == NULL)
		return;
	c->helper = h;
	if (h != NH_TFTP)
		return;
	/*
	 * TFTP (RFC 1350): the server answers from a port of its own to the
	 * client's; expect that answer, at the client's mapping.
	 */
	memset(&x, 0, sizeof(x));
	x.proto = IPPROTO_UDP;
	x.helper = NH_TFTP;
	x.src = e->reply.src;
	x.dst = e->reply.dst;
	x.dport = e->reply.dport;
	x.to_addr = e->orig.src;
	x.to_port = e->orig.sport;
	if (e->orig.dst != e->reply.src)
		x.snat = e->orig.dst;
	x.master = e->id + 1;
	nh_expect_add(r, &x, now);
}

void
nat_helper_destroy(struct router *r, const struct ct_entry *e)
{
	if (stats.conns == 0 || nh_find(e->id + 1) == NULL)
		return;
	nh_expect_forget(r, e->id + 1);
	nh_pptp_forget(e->id + 1);
	nh_del(e->id + 1);
}

/* --- TCP sequence adjustment --------------------------------------------- */

static bool
seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

static bool
pkt_partial(const struct pkt *p)
{
	return p->vh != NULL && (p->vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM);
}

/* Replace a 32-bit field of the TCP header, fixing a full checksum. */
static void
tcp_set32(struct pkt *p, struct tcp_hdr *th, uint32_t *field, uint32_t v)
{
	if (*field == v)
		return;
	if (!pkt_partial(p))
		csum_replace4(&th->check, *field, v);
	*field = v;
}

/* The acknowledged numbering of direction @d's data, back to the sender's. */
static uint32_t
seq_unshift(const struct nh_seq *s, uint32_t v)
{
	if (s->before == 0 && s->after == 0)
		return v;
	return seq_after(v - (uint32_t)s->before, s->pos) ?
	    v - (uint32_t)s->after : v - (uint32_t)s->before;
}

void
nat_helper_ack(const struct ct_entry *e, enum ct_dir dir, struct pkt *p)
{
	const struct nh_conn *c;
	const struct nh_seq *s;
	struct tcp_hdr *th;
	uint8_t *opt, *end;
	uint32_t v;
	int k;

	if (stats.conns == 0 || e->orig.proto != IPPROTO_TCP || !p->l4_ok ||
	    (c = nh_find(e->id + 1)) == NULL || c->child)
		return;
	s = &c->seq[!dir];	/* the other side's data is what @p acks */
	if (s->before == 0 && s->after == 0)
		return;
	th = (struct tcp_hdr *)p->l4;
	if (th->flags & TH_ACK)
		tcp_set32(p, th, &th->ack, htonl(seq_unshift(s, ntohl(th->ack))));
	/* SACK blocks (RFC 2018) name the same numbering */
	opt = p->l4 + sizeof(*th);
	end = p->l4 + (th->off >> 4) * 4;
	while (opt < end && *opt != 0) {
		if (*opt == 1) {
			opt++;
			continue;
		}
		if (opt + 1 >= end || opt[1] < 2 || opt + opt[1] > end)
			break;
		if (opt[0] == 5) {
			for (k = 2; k + 8 <= opt[1]; k += 4) {
				uint32_t old;

				memcpy(&old, opt + k, 4);
				v = htonl(seq_unshift(s, ntohl(old)));
				if (!pkt_partial(p))
					csum_replace4(&th->check, old, v);
				memcpy(opt + k, &v, 4);
			}
		}
		opt += opt[1];
	}
}

/* --- PPTP --------------------------------------------------------------- */

#define PPTP_MAGIC	0x1a2b3c4du
#define PPTP_OCRQ	7	/* Outgoing-Call-Request (PNS): Call ID */
#define PPTP_OCRP	8	/* Outgoing-Call-Reply (PAC): Call ID, Peer's */
#define PPTP_ICRQ	9	/* Incoming-Call-Request (PAC) */
#define PPTP_ICRP	10	/* Incoming-Call-Reply (PNS): Call ID, Peer's */
#define PPTP_ICCN	11	/* Incoming-Call-Connected (PAC): Peer's */
#define PPTP_CCRQ	12	/* Call-Clear-Request (PNS): Call ID */
#define PPTP_CDN	13	/* Call-Disconnect-Notify (PAC): Call ID */
#define PPTP_WEN	14	/* WAN-Error-Notify (PAC): Peer's Call ID */

static void
nh_pptp_forget(uint32_t master)
{
	struct nh_call *k;

	if (ncalls == 0)
		return;
	for (k = calls; k < calls + NH_PPTP_CALLS; k++)
		if (k->used && k->master == master) {
			k->used = false;
			ncalls--;
		}
}

static struct nh_call *
nh_call_by_ext(uint32_t pac, uint32_t ext, uint16_t ext_call)
{
	struct nh_call *k;

	if (ncalls == 0)
		return NULL;
	for (k = calls; k < calls + NH_PPTP_CALLS; k++)
		if (k->used && k->pac == pac && k->ext == ext &&
		    k->ext_call == ext_call)
			return k;
	return NULL;
}

uint16_t
nat_helper_pptp_key(uint32_t pac, uint32_t ext, uint16_t pac_call)
{
	struct nh_call *k;

	if (ncalls == 0 || pac_call == 0)
		return 0;
	for (k = calls; k < calls + NH_PPTP_CALLS; k++)
		if (k->used && k->pac == pac && k->ext == ext &&
		    k->pac_call == pac_call)
			return k->ext_call;
	return 0;
}

/*
 * A call id for the server to see: the inside host's own when no other
 * call to that server uses it, else the next free one.
 */
static struct nh_call *
nh_call_new(const struct ct_entry *e, uint16_t pns_call)
{
	struct nh_call *k, *slot = NULL;
	uint16_t id = pns_call;
	int tries;

	for (k = calls; k < calls + NH_PPTP_CALLS; k++) {
		if (!k->used) {
			if (slot == NULL)
				slot = k;
			continue;
		}
		if (k->master == e->id + 1 && k->pns_call == htons(pns_call))
			return k;	/* a retransmitted request */
	}
	if (slot == NULL) {
		stats.table_full++;
		return NULL;
	}
	for (tries = 0; tries < NH_PPTP_CALLS + 1; tries++) {
		if (id != 0 && nh_call_by_ext(e->reply.src, e->reply.dst,
		    htons(id)) == NULL)
			break;
		id++;
	}
	memset(slot, 0, sizeof(*slot));
	slot->used = true;
	slot->master = e->id + 1;
	slot->pac = e->reply.src;
	slot->ext = e->reply.dst;
	slot->pns_call = htons(pns_call);
	slot->ext_call = htons(id);
	ncalls++;
	return slot;
}

/* Replace the 16-bit field at @at (network order) with @v. */
static void
pptp_set16(struct pkt *p, uint8_t *at, uint16_t v)
{
	struct tcp_hdr *th = (struct tcp_hdr *)p->l4;
	uint16_t old;

	memcpy(&old, at, 2);
	if (old == v)
		return;
	if (!pkt_partial(p))
		csum_replace2(&th->check, old, v);
	memcpy(at, &v, 2);
	stats.rewrites++;
}

/*
 * The control connection, client (PNS) inside: its call ids go out as
 * the mapped ones and come back as its own. Messages are whole in one
 * segment; several may follow each other. Field lengths never change.
 */
static void
pptp_control(const struct ct_entry *e, enum ct_dir dir, struct pkt *p)
{
	struct tcp_hdr *th = (struct tcp_hdr *)p->l4;
	unsigned int off = (th->off >> 4) * 4;
	uint8_t *m = p->l4 + off;
	size_t left = p->l4_len - off;
	uint16_t len, mtype, ctype, id, peer;
	uint32_t magic;
	struct nh_call *k;

	while (left >= 16) {
		len = (uint16_t)(m[0] << 8 | m[1]);
		mtype = (uint16_t)(m[2] << 8 | m[3]);
		magic = (uint32_t)m[4] << 24 | (uint32_t)m[5] << 16 |
		    (uint32_t)m[6] << 8 | m[7];
		ctype = (uint16_t)(m[8] << 8 | m[9]);
		if (len < 16 || len > left || mtype != 1 || magic != PPTP_MAGIC)
			return;
		id = (uint16_t)(m[12] << 8 | m[13]);
		peer = (uint16_t)(m[14] << 8 | m[15]);
		if (dir == CT_DIR_ORIG) {
			switch (ctype) {
			case PPTP_OCRQ:
			case PPTP_ICRP:
				if ((k = nh_call_new(e, id)) == NULL)
					break;
				if (ctype == PPTP_ICRP)
					k->pac_call = htons(peer);
				pptp_set16(p, m + 12, k->ext_call);
				break;
			case PPTP_CCRQ:
				for (k = calls; ncalls > 0 &&
				    k < calls + NH_PPTP_CALLS; k++)
					if (k->used && k->master == e->id + 1 &&
					    k->pns_call == htons(id)) {
						pptp_set16(p, m + 12,
						    k->ext_call);
						break;
					}
				break;
			default:
				break;
			}
		} else {
			switch (ctype) {
			case PPTP_OCRP:
				k = nh_call_by_ext(e->reply.src, e->reply.dst,
				    htons(peer));
				if (k == NULL)
					break;
				k->pac_call = htons(id);
				pptp_set16(p, m + 14, k->pns_call);
				break;
			case PPTP_ICCN:
			case PPTP_WEN:
				k = nh_call_by_ext(e->reply.src, e->reply.dst,
				    htons(id));
				if (k != NULL)
					pptp_set16(p, m + 12, k->pns_call);
				break;
			case PPTP_CDN:
				/* the call is over; its GRE entry times out */
				for (k = calls; ncalls > 0 &&
				    k < calls + NH_PPTP_CALLS; k++)
					if (k->used && k->master == e->id + 1 &&
					    k->pac_call == htons(id)) {
						k->used = false;
						ncalls--;
					}
				break;
			default:
				break;
			}
		}
		m += len;
		left -= len;
	}
}

/* GRE from the server: its key is the mapped call id; put back the own. */
static void
pptp_gre(const struct ct_entry *e, enum ct_dir dir, struct pkt *p)
{
	struct nh_call *k;
	uint16_t key;

	if (dir != CT_DIR_REPLY || p->l4_len < 8 || (p->l4[1] & 7) != 1 ||
	    !(p->l4[0] & 0x20))
		return;
	memcpy(&key, p->l4 + 6, 2);
	k = nh_call_by_ext(e->reply.src, e->reply.dst, key);
	if (k != NULL && k->pns_call != key)
		memcpy(p->l4 + 6, &k->pns_call, 2);	/* no checksum in v1 */
}

/* --- FTP ------------------------------------------------------------------ */

/*
 * Put @text in place of @m's argument in the segment, moving what follows.
 * Return: the change in length, or INT32_MIN when it does not fit.
 */
static int32_t
ftp_splice(struct pkt *p, uint8_t *payload, size_t plen,
    const struct ftp_match *m, const char *text, size_t tlen)
{
	int32_t delta = (int32_t)tlen - (int32_t)m->len;
	struct ip4_hdr *ip = p->ip;
	uint16_t old, nl;

	if ((int64_t)p->ip_len + delta > 65535 || (int64_t)p->ip_len + delta <
	    (int64_t)(p->ihl + sizeof(struct tcp_hdr)))
		return INT32_MIN;
	memmove(payload + m->off + tlen, payload + m->off + m->len,
	    plen - m->off - m->len);
	memcpy(payload + m->off, text, tlen);
	if (delta == 0)
		return 0;
	old = ip->tot_len;
	nl = htons((uint16_t)(p->ip_len + delta));
	ip->tot_len = nl;
	csum_replace2(&ip->check, old, nl);
	p->ip_len = (unsigned int)((int32_t)p->ip_len + delta);
	p->l4_len = (unsigned int)((int32_t)p->l4_len + delta);
	p->eth_len = (size_t)((int64_t)p->eth_len + delta);
	return delta;
}

/*
 * What the other side must read, and what to expect. Client commands
 * (orig direction) announce the client: the server must see the address
 * the client has on its side (reply.dst), and the data connection comes
 * from the server (reply.src) to there, bound for the client. Server
 * replies announce the server: the client must see what it connected to
 * (orig.dst), and the data connection comes from the client (orig.src),
 * bound for the server (reply.src).
 */
static bool
ftp_command(struct router *r, const struct ct_entry *e, enum ct_dir dir,
    struct pkt *p, struct trace *tr, uint32_t now, struct nh_conn *c)
{
	struct tcp_hdr *th = (struct tcp_hdr *)p->l4;
	unsigned int off = (th->off >> 4) * 4;
	uint8_t *payload = p->l4 + off;
	size_t plen = p->l4_len - off, tlen;
	struct ftp_match m;
	struct nh_expect x;
	char text[FTP_ARG_MAX], a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	char d[INET_ADDRSTRLEN];
	uint32_t seq = ntohl(th->seq), show;
	uint16_t port, eport;
	int32_t delta;
	struct nh_seq *s = &c->seq[dir];

	bool rewrite;

	if (plen == 0 || !ftp_parse(payload, plen, dir == CT_DIR_ORIG, &m))
		return false;
	memset(&x, 0, sizeof(x));
	x.proto = IPPROTO_TCP;
	x.helper = NH_FTP;
	x.master = e->id + 1;
	port = m.port;
	if (dir == CT_DIR_ORIG) {
		show = e->reply.dst;
		x.src = e->reply.src;
		x.to_addr = e->orig.src;
		x.to_port = htons(m.port);
		if (show != e->orig.src) {
			/* the client's data port gets a mapping there */
			if (natport_get(r->np, IPPROTO_TCP, show, e->orig.src,
			    htons(m.port), 0, 0, false, &eport) == 0) {
				port = ntohs(eport);
				x.np_held = true;
			}
		}
		if (e->orig.dst != e->reply.src)
			x.snat = e->orig.dst;
	} else {
		show = e->orig.dst;
		x.src = e->orig.src;
		x.to_addr = e->reply.src;
		x.to_port = htons(m.port);
		if (e->reply.dst != e->orig.src)
			x.snat = e->reply.dst;
	}
	x.dst = show;
	x.dport = htons(port);
	nh_expect_add(r, &x, now);

	/* 229 has only a port: the address is the connection's */
	rewrite = port != m.port || (m.kind != FTP_229 && show != m.addr);
	if (rewrite) {
		tlen = ftp_format(&m, show, port, text);
		if (tlen == 0 || (delta = ftp_splice(p, payload, plen, &m,
		    text, tlen)) == INT32_MIN)
			return false;
		stats.rewrites++;
		if (delta != 0 && !(seq == s->pos && (s->before != 0 ||
		    s->after != 0))) {
			/* a retransmission of the same segment moves nothing */
			if (s->before == s->after || seq_after(seq, s->pos)) {
				s->pos = seq;
				s->before = s->after;
				s->after += delta;
			}
		}
	}
	if (tr != NULL) {
		size_t n = strlen(tr->note);

		snprintf(tr->note + n, sizeof(tr->note) - n, "%sftp helper: "
		    "%s %s:%u%s; expecting %s -> %s:%u", n ? "; " : "",
		    m.kind == FTP_PORT ? "PORT" : m.kind == FTP_EPRT ? "EPRT" :
		    m.kind == FTP_227 ? "227" : "229",
		    inet_ntop(AF_INET, &m.addr, a, sizeof(a)), m.port,
		    rewrite ? " rewritten" : "",
		    inet_ntop(AF_INET, &x.src, b, sizeof(b)),
		    inet_ntop(AF_INET, &x.dst, d, sizeof(d)), ntohs(x.dport));
	}
	return rewrite;
}

void
nat_helper_data(struct router *r, const struct ct_entry *e, enum ct_dir dir,
    struct pkt *p, struct trace *tr, uint32_t now)
{
	struct nh_conn *c;
	struct tcp_hdr *th;
	struct nh_seq *s;
	uint32_t seq;
	unsigned int len0;

	if (e->orig.proto == IPPROTO_GRE && ncalls > 0 && p->l4_ok) {
		pptp_gre(e, dir, p);
		return;
	}
	if (stats.conns == 0 || e->orig.proto != IPPROTO_TCP || !p->l4_ok ||
	    (c = nh_find(e->id + 1)) == NULL || c->child)
		return;
	if (c->helper == NH_PPTP) {
		pptp_control(e, dir, p);
		return;
	}
	if (c->helper != NH_FTP)
		return;
	if (p->vh != NULL && p->vh->gso_type != VIRTIO_NET_HDR_GSO_NONE)
		return;		/* bulk data, never a command */
	th = (struct tcp_hdr *)p->l4;
	s = &c->seq[dir];
	seq = ntohl(th->seq);
	len0 = p->l4_len;
	if (!ftp_command(r, e, dir, p, tr, now, c))
		goto seq;
	if (p->l4_len != len0) {
		/* the payload changed length: the checksum is made again */
		th->check = 0;
		if (pkt_partial(p))
			th->check = (uint16_t)~csum_fold(csum_pseudo(
			    p->ip->saddr, p->ip->daddr, IPPROTO_TCP,
			    (uint16_t)p->l4_len));
		else
			th->check = csum_l4(p->ip->saddr, p->ip->daddr,
			    IPPROTO_TCP, th, p->l4_len);
	} else if (!pkt_partial(p)) {
		/* same length, other bytes: made again too (short segment) */
		th->check = 0;
		th->check = csum_l4(p->ip->saddr, p->ip->daddr, IPPROTO_TCP,
		    th, p->l4_len);
	}
seq:
	if (s->before != 0 || s->after != 0)
		tcp_set32(p, th, &th->seq, htonl(seq + (uint32_t)(
		    seq_after(seq, s->pos) ? s->after : s->before)));
}
