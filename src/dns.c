/* SPDX-License-Identifier: ISC */
/*
 * The DNS server: client queries over UDP and TCP, static entries, the
 * cache, forwarding to upstream servers (UDP with retry across servers,
 * TCP when an answer is truncated) and split-horizon answers.
 *
 * Every limit is fixed when the server starts or reloads: query slots
 * (max-concurrent-queries, identical questions share one), TCP sessions
 * (max-concurrent-tcp-sessions, each with a time limit per message and a
 * bounded output), the cache in bytes. A flood fills those and is
 * answered SERVFAIL or refused; it never grows memory, and the forwarding
 * path never waits for any of it.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <ldns/ldns.h>

#include "dns.h"
#include "dns_cache.h"
#include "dns_int.h"
#include "dns_split.h"
#include "log.h"
#include "route.h"
#include "router.h"
#include "xmalloc.h"

#define DNS_PORT		53
#define DNS_EDNS_SIZE		1232	/* what we offer, as DNS flag day 2020 */
#define DNS_UDP_MAX		4096
#define DNS_UDP_BUDGET		64	/* datagrams per wakeup */
#define DNS_MAX_WAITERS		16	/* clients sharing one upstream query */
#define DNS_CNAME_MAX		8	/* static CNAME chain */
#define DNS_TCP_MSG_MS		10000	/* a TCP query must arrive within */
#define DNS_TCP_IDLE_SEC	10
#define DNS_TCP_PENDING		8	/* queries in flight per TCP session */
#define DNS_TCP_OUT_MAX		(256 * 1024)
#define DNS_NEG_TTL_MAX		900	/* negative answers, RFC 2308 advice */

struct dns_client {
	bool tcp;
	uint32_t conn, gen;		/* TCP: session slot and generation */
	struct sockaddr_in peer;	/* UDP */
	struct in_addr local;		/* UDP: the address it asked */
	bool internal;			/* from a link that is not external */
};

struct dns_waiter {
	ldns_pkt *q;			/* the client's query */
	ldns_rr_list *prefix;		/* static CNAMEs to answer first */
	struct dns_client cl;
};

struct dns_query {
	bool used, done;
	struct dns *d;
	uint8_t key[256];
	size_t keylen;
	ldns_rdf *qname;
	uint16_t qtype, qclass;
	uint32_t servers[CONF_DNS_MAX_SERVERS];
	int nservers, cur, tries;
	uint16_t id;
	int fd;
	struct event *rd_ev, *tmo_ev;
	struct bufferevent *bev;	/* TCP after a truncated answer */
	uint64_t deadline_ms;
	struct dns_waiter w[DNS_MAX_WAITERS];
	int nw;
};

struct dns_conn {
	struct bufferevent *bev;	/* NULL: free slot */
	uint32_t gen;
	int pending;
	bool internal;
	uint64_t partial_ms;		/* when an incomplete message began */
};

static uint8_t dns_buf[65536];

static void q_free(struct dns_query *q);
static void conn_process(struct dns *d, uint32_t slot);

/* --- helpers ------------------------------------------------------------- */

static uint16_t
dns_random16(void)
{
	return (uint16_t)arc4random_uniform(65536);
}

static bool
dns_internal(const struct dns *d, uint32_t addr)
{
	const struct route *rt = route_lookup(d->r->routes, addr);

	return rt != NULL && rt->kind != ROUTE_LOCAL && rt->iface >= 0 &&
	    rt->iface < d->r->nifaces && !d->r->external[rt->iface];
}

/* The question name lowercased, wire format: the cache and coalescing key. */
static size_t
dns_key(const ldns_rdf *name, uint8_t *key)
{
	size_t n = ldns_rdf_size(name), i;
	const uint8_t *s = ldns_rdf_data(name);

	if (n > 255)
		n = 255;
	for (i = 0; i < n; i++)
		key[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (uint8_t)(s[i] + 32) :
		    s[i];
	return n;
}

/* "www.example.com" lowercase, no final dot, for static matching. */
static char *
dns_name_str(const ldns_rdf *name)
{
	char *s = ldns_rdf2str(name);
	size_t n, i;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	if (n > 1 && s[n - 1] == '.')
		s[--n] = '\0';
	else if (n == 1 && s[0] == '.')
		s[0] = '\0';
	for (i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] + 32);
	return s;
}

/* --- sending answers ----------------------------------------------------- */

static void
dns_send_udp(struct dns *d, const struct dns_client *cl, const uint8_t *wire,
    size_t len)
{
	union {
		struct cmsghdr h;
		uint8_t buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	} cm;
	struct in_pktinfo *pi;
	struct msghdr mh;
	struct iovec iov;

	memset(&mh, 0, sizeof(mh));
	memset(&cm, 0, sizeof(cm));
	iov.iov_base = (void *)wire;
	iov.iov_len = len;
	mh.msg_name = (void *)&cl->peer;
	mh.msg_namelen = sizeof(cl->peer);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cm.buf;
	mh.msg_controllen = sizeof(cm.buf);
	cm.h.cmsg_level = IPPROTO_IP;
	cm.h.cmsg_type = IP_PKTINFO;
	cm.h.cmsg_len = CMSG_LEN(sizeof(*pi));
	pi = (struct in_pktinfo *)CMSG_DATA(&cm.h);
	pi->ipi_spec_dst = cl->local;
	if (sendmsg(d->udp_fd, &mh, MSG_DONTWAIT) == -1)
		d->st.punt_drops++;
}

static void
conn_close(struct dns *d, uint32_t slot)
{
	struct dns_conn *c = &d->conns[slot];

	if (c->bev == NULL)
		return;
	bufferevent_free(c->bev);
	c->bev = NULL;
	c->gen++;
	c->pending = 0;
	d->nconn_used--;
}

static void
dns_send_tcp(struct dns *d, const struct dns_client *cl, const uint8_t *wire,
    size_t len)
{
	struct dns_conn *c;
	struct evbuffer *out;
	uint8_t hdr[2];

	if (cl->conn >= d->nconn_max)
		return;
	c = &d->conns[cl->conn];
	if (c->bev == NULL || c->gen != cl->gen)
		return;		/* the client left meanwhile */
	if (c->pending > 0)
		c->pending--;
	out = bufferevent_get_output(c->bev);
	if (evbuffer_get_length(out) + len > DNS_TCP_OUT_MAX) {
		/* it does not read its answers */
		d->st.tcp_timeouts++;
		conn_close(d, cl->conn);
		return;
	}
	hdr[0] = (uint8_t)(len >> 8);
	hdr[1] = (uint8_t)len;
	evbuffer_add(out, hdr, 2);
	evbuffer_add(out, wire, len);
}

static void
dns_send_raw(struct dns *d, const struct dns_client *cl, const uint8_t *wire,
    size_t len)
{
	if (d->detached) {
		if (d->cap != NULL) {
			memcpy(d->cap, wire, len < d->cap_max ? len :
			    d->cap_max);
			d->cap_len = len;
		}
		return;
	}
	if (cl->tcp)
		dns_send_tcp(d, cl, wire, len);
	else
		dns_send_udp(d, cl, wire, len);
}

/* The most a UDP answer to @q may hold (RFC 6891: at least 512). */
static size_t
dns_udp_limit(const ldns_pkt *q)
{
	size_t n;

	if (!ldns_pkt_edns(q))
		return 512;
	n = ldns_pkt_edns_udp_size(q);
	if (n < 512)
		n = 512;
	return n > DNS_UDP_MAX ? DNS_UDP_MAX : n;
}

static void
dns_clear_section(ldns_pkt *p, ldns_pkt_section s)
{
	switch (s) {
	case LDNS_SECTION_ANSWER:
		ldns_rr_list_deep_free(ldns_pkt_answer(p));
		ldns_pkt_set_answer(p, ldns_rr_list_new());
		ldns_pkt_set_ancount(p, 0);
		break;
	case LDNS_SECTION_AUTHORITY:
		ldns_rr_list_deep_free(ldns_pkt_authority(p));
		ldns_pkt_set_authority(p, ldns_rr_list_new());
		ldns_pkt_set_nscount(p, 0);
		break;
	default:
		ldns_rr_list_deep_free(ldns_pkt_additional(p));
		ldns_pkt_set_additional(p, ldns_rr_list_new());
		ldns_pkt_set_arcount(p, 0);
		break;
	}
}

/* Send @resp (freed) to the client that asked @q; truncate for UDP. */
static void
dns_send(struct dns *d, const struct dns_client *cl, const ldns_pkt *q,
    ldns_pkt *resp)
{
	uint8_t *wire = NULL;
	size_t len = 0;

	if (ldns_pkt2wire(&wire, resp, &len) != LDNS_STATUS_OK)
		goto out;
	if (!cl->tcp && len > dns_udp_limit(q)) {
		/* RFC 2181 9: TC set, the client retries over TCP */
		free(wire);
		wire = NULL;
		dns_clear_section(resp, LDNS_SECTION_ANSWER);
		dns_clear_section(resp, LDNS_SECTION_AUTHORITY);
		dns_clear_section(resp, LDNS_SECTION_ADDITIONAL);
		ldns_pkt_set_tc(resp, true);
		if (ldns_pkt2wire(&wire, resp, &len) != LDNS_STATUS_OK)
			goto out;
	}
	dns_send_raw(d, cl, wire, len);
out:
	free(wire);
	ldns_pkt_free(resp);
}

/* An answer skeleton for @q: its id, question, RD/CD and EDNS. */
static ldns_pkt *
dns_resp_new(const ldns_pkt *q, ldns_pkt_rcode rc)
{
	ldns_pkt *p = ldns_pkt_new();
	ldns_rr_list *ql = ldns_pkt_question(q);
	size_t i;

	if (p == NULL)
		return NULL;
	ldns_pkt_set_id(p, ldns_pkt_id(q));
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_opcode(p, ldns_pkt_get_opcode(q));
	ldns_pkt_set_rd(p, ldns_pkt_rd(q));
	ldns_pkt_set_cd(p, ldns_pkt_cd(q));
	ldns_pkt_set_ra(p, true);
	ldns_pkt_set_rcode(p, (uint8_t)rc);
	for (i = 0; ql != NULL && i < ldns_rr_list_rr_count(ql); i++)
		ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION,
		    ldns_rr_clone(ldns_rr_list_rr(ql, i)));
	if (ldns_pkt_edns(q))
		ldns_pkt_set_edns_udp_size(p, DNS_EDNS_SIZE);
	return p;
}

static void
dns_reply_rcode(struct dns *d, const struct dns_client *cl, const ldns_pkt *q,
    ldns_pkt_rcode rc)
{
	ldns_pkt *p = dns_resp_new(q, rc);

	if (p != NULL)
		dns_send(d, cl, q, p);
}

/* FORMERR for what ldns could not parse: the header, echoed. */
static void
dns_formerr_raw(struct dns *d, const struct dns_client *cl,
    const uint8_t *buf)
{
	uint8_t h[12];

	memset(h, 0, sizeof(h));
	h[0] = buf[0];
	h[1] = buf[1];
	h[2] = (uint8_t)(0x80 | (buf[2] & 0x79));	/* QR, opcode, RD */
	h[3] = LDNS_RCODE_FORMERR;
	dns_send_raw(d, cl, h, sizeof(h));
}

/* --- static entries ------------------------------------------------------ */

static bool
static_name_match(const struct conf_dns_static *e, const char *name)
{
	size_t n, m;

	if (e->re != NULL)
		return regexec(e->re, name, 0, NULL, 0) == 0;
	if (strcmp(e->name, name) == 0)
		return true;
	if (!e->match_subdomain)
		return false;
	n = strlen(name);
	m = strlen(e->name);
	return n > m + 1 && name[n - m - 1] == '.' &&
	    strcmp(name + n - m, e->name) == 0;
}

static ldns_rr_type
static_rr_type(enum conf_dns_type t)
{
	switch (t) {
	case CONF_DNS_A: return LDNS_RR_TYPE_A;
	case CONF_DNS_AAAA: return LDNS_RR_TYPE_AAAA;
	case CONF_DNS_CNAME: return LDNS_RR_TYPE_CNAME;
	case CONF_DNS_TXT: return LDNS_RR_TYPE_TXT;
	case CONF_DNS_MX: return LDNS_RR_TYPE_MX;
	case CONF_DNS_NS: return LDNS_RR_TYPE_NS;
	case CONF_DNS_SRV: return LDNS_RR_TYPE_SRV;
	default: return 0;
	}
}

static ldns_rdf *
static_dname(const char *s)
{
	char buf[300];

	snprintf(buf, sizeof(buf), "%s.", s);
	return ldns_dname_new_frm_str(buf);
}

/* The record a static entry stands for, owned by @owner. */
static ldns_rr *
static_rr(const struct conf_dns_static *e, const ldns_rdf *owner)
{
	ldns_rr *rr = ldns_rr_new();
	ldns_rdf *f;
	size_t off, n;

	if (rr == NULL)
		return NULL;
	ldns_rr_set_owner(rr, ldns_rdf_clone(owner));
	ldns_rr_set_type(rr, static_rr_type(e->type));
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	ldns_rr_set_ttl(rr, e->ttl);
	switch (e->type) {
	case CONF_DNS_A:
		ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_A, 4,
		    e->addr));
		break;
	case CONF_DNS_AAAA:
		ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_AAAA,
		    16, e->addr));
		break;
	case CONF_DNS_CNAME:
	case CONF_DNS_NS:
		if ((f = static_dname(e->data)) != NULL)
			ldns_rr_push_rdf(rr, f);
		break;
	case CONF_DNS_MX:
		ldns_rr_push_rdf(rr, ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16,
		    e->mx_preference));
		if ((f = static_dname(e->data)) != NULL)
			ldns_rr_push_rdf(rr, f);
		break;
	case CONF_DNS_SRV:
		ldns_rr_push_rdf(rr, ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16,
		    e->srv_priority));
		ldns_rr_push_rdf(rr, ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16,
		    e->srv_weight));
		ldns_rr_push_rdf(rr, ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16,
		    e->srv_port));
		if ((f = static_dname(e->data)) != NULL)
			ldns_rr_push_rdf(rr, f);
		break;
	case CONF_DNS_TXT:
		/* character-strings of at most 255 bytes each */
		n = strlen(e->data);
		off = 0;
		do {
			uint8_t chunk[256];
			size_t k = n - off > 255 ? 255 : n - off;

			chunk[0] = (uint8_t)k;
			memcpy(chunk + 1, e->data + off, k);
			ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(
			    LDNS_RDF_TYPE_STR, k + 1, chunk));
			off += k;
		} while (off < n);
		break;
	default:
		break;
	}
	return rr;
}

enum static_verdict {
	ST_NONE,	/* no entry: forward */
	ST_ANSWER,	/* records of the asked type (or none: NODATA) */
	ST_CNAME,	/* the name is an alias: *@next */
	ST_FWD,		/* forward to *@fwd */
	ST_NXDOMAIN,
};

/*
 * Look @name up in the static entries, as RouterOS does: every entry of
 * the name counts; FWD and NXDOMAIN decide alone; records of the asked
 * type answer; else a CNAME is followed; else the name exists with no
 * such data.
 */
static enum static_verdict
static_lookup(const struct conf_dns *c, const char *name, uint16_t qtype,
    const ldns_rdf *owner, ldns_pkt *resp, const struct conf_dns_static **hit)
{
	const struct conf_dns_static *cname = NULL;
	bool any = false, answered = false;
	int i;

	for (i = 0; i < c->nstatics; i++) {
		const struct conf_dns_static *e = &c->statics[i];

		if (!static_name_match(e, name))
			continue;
		if (e->type == CONF_DNS_FWD || e->type == CONF_DNS_NXDOMAIN) {
			if (any)
				continue;
			*hit = e;
			return e->type == CONF_DNS_FWD ? ST_FWD : ST_NXDOMAIN;
		}
		any = true;
		if (e->type == CONF_DNS_CNAME && cname == NULL)
			cname = e;
		if (static_rr_type(e->type) == qtype ||
		    qtype == LDNS_RR_TYPE_ANY) {
			ldns_pkt_push_rr(resp, LDNS_SECTION_ANSWER,
			    static_rr(e, owner));
			answered = true;
		}
	}
	if (!any)
		return ST_NONE;
	if (!answered && cname != NULL) {
		*hit = cname;
		return ST_CNAME;
	}
	return ST_ANSWER;
}

/* --- answers from upstream (fresh or cached) ------------------------------ */

/* The TTL an upstream answer may be cached for; 0: not at all. */
static uint32_t
dns_answer_ttl(const struct dns *d, const ldns_pkt *up)
{
	const ldns_rr_list *l;
	uint32_t ttl = UINT32_MAX, v;
	size_t i;

	switch (ldns_pkt_get_rcode(up)) {
	case LDNS_RCODE_NOERROR:
	case LDNS_RCODE_NXDOMAIN:
		break;
	default:
		return 0;
	}
	if (ldns_pkt_tc(up))
		return 0;
	l = ldns_pkt_answer(up);
	if (ldns_pkt_get_rcode(up) == LDNS_RCODE_NOERROR && l != NULL &&
	    ldns_rr_list_rr_count(l) > 0) {
		for (i = 0; i < ldns_rr_list_rr_count(l); i++)
			if (ldns_rr_ttl(ldns_rr_list_rr(l, i)) < ttl)
				ttl = ldns_rr_ttl(ldns_rr_list_rr(l, i));
	} else {
		/* negative: the SOA's TTL and minimum (RFC 2308) */
		l = ldns_pkt_authority(up);
		for (i = 0; l != NULL && i < ldns_rr_list_rr_count(l); i++) {
			const ldns_rr *rr = ldns_rr_list_rr(l, i);

			if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA ||
			    ldns_rr_rd_count(rr) < 7)
				continue;
			v = ldns_rdf2native_int32(ldns_rr_rdf(rr, 6));
			ttl = ldns_rr_ttl(rr) < v ? ldns_rr_ttl(rr) : v;
			if (ttl > DNS_NEG_TTL_MAX)
				ttl = DNS_NEG_TTL_MAX;
			break;
		}
		if (ttl == UINT32_MAX)
			return 0;
	}
	if (ttl > d->r->conf->dns.cache_max_ttl)
		ttl = d->r->conf->dns.cache_max_ttl;
	return ttl;
}

/* A records naming a dst-nat'ed public address, for an internal client. */
static void
dns_split_rr(struct dns *d, ldns_rr *rr)
{
	ldns_rdf *f;
	uint32_t a, to;

	if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_A || ldns_rr_rd_count(rr) < 1)
		return;
	f = ldns_rr_rdf(rr, 0);
	if (ldns_rdf_size(f) != 4)
		return;
	memcpy(&a, ldns_rdf_data(f), 4);
	if (!dns_split_lookup(d->split, d->nsplit, a, &to))
		return;
	memcpy(ldns_rdf_data(f), &to, 4);
	d->st.split_rewrites++;
}

/*
 * The answer to @w built from the upstream answer @up, @age seconds old:
 * the client's id and question, static CNAMEs first, TTLs aged, and for
 * an internal client under split-horizon, A records rewritten.
 */
static void
dns_answer_from(struct dns *d, const struct dns_waiter *w, const ldns_pkt *up,
    uint32_t age)
{
	static const ldns_pkt_section secs[] = { LDNS_SECTION_ANSWER,
		LDNS_SECTION_AUTHORITY, LDNS_SECTION_ADDITIONAL };
	ldns_pkt *resp = dns_resp_new(w->q, ldns_pkt_get_rcode(up));
	bool split = w->cl.internal && d->r->conf->dns.split_horizon &&
	    d->nsplit > 0;
	size_t i, s;

	if (resp == NULL)
		return;
	for (i = 0; w->prefix != NULL && i < ldns_rr_list_rr_count(w->prefix);
	    i++)
		ldns_pkt_push_rr(resp, LDNS_SECTION_ANSWER,
		    ldns_rr_clone(ldns_rr_list_rr(w->prefix, i)));
	for (s = 0; s < 3; s++) {
		ldns_rr_list *src;

		switch (secs[s]) {
		case LDNS_SECTION_ANSWER: src = ldns_pkt_answer(up); break;
		case LDNS_SECTION_AUTHORITY: src = ldns_pkt_authority(up); break;
		default: src = ldns_pkt_additional(up); break;
		}
		for (i = 0; src != NULL && i < ldns_rr_list_rr_count(src); i++) {
			ldns_rr *rr = ldns_rr_clone(ldns_rr_list_rr(src, i));
			uint32_t ttl;

			if (rr == NULL)
				continue;
			ttl = ldns_rr_ttl(rr);
			ldns_rr_set_ttl(rr, ttl > age ? ttl - age : 0);
			if (split && secs[s] == LDNS_SECTION_ANSWER)
				dns_split_rr(d, rr);
			ldns_pkt_push_rr(resp, secs[s], rr);
		}
	}
	dns_send(d, &w->cl, w->q, resp);
}

static void
waiter_clear(struct dns_waiter *w)
{
	ldns_pkt_free(w->q);
	w->q = NULL;
	if (w->prefix != NULL)
		ldns_rr_list_deep_free(w->prefix);
	w->prefix = NULL;
}

/* --- upstream ------------------------------------------------------------- */

static void
q_close_transport(struct dns_query *q)
{
	if (q->rd_ev != NULL) {
		event_free(q->rd_ev);
		q->rd_ev = NULL;
	}
	if (q->fd != -1) {
		close(q->fd);
		q->fd = -1;
	}
	if (q->bev != NULL) {
		bufferevent_free(q->bev);
		q->bev = NULL;
	}
}

static void
q_free(struct dns_query *q)
{
	int i;

	q_close_transport(q);
	if (q->tmo_ev != NULL)
		event_free(q->tmo_ev);
	q->tmo_ev = NULL;
	for (i = 0; i < q->nw; i++)
		waiter_clear(&q->w[i]);
	q->nw = 0;
	ldns_rdf_deep_free(q->qname);
	q->qname = NULL;
	q->used = false;
	q->d->nq_used--;
}

/* Answer every waiter; then TCP sessions held back may go on. */
static void
q_finish(struct dns_query *q, const ldns_pkt *up, ldns_pkt_rcode rc)
{
	struct dns *d = q->d;
	uint32_t slots[DNS_MAX_WAITERS];
	int i, ns = 0;

	q->done = true;
	for (i = 0; i < q->nw; i++) {
		struct dns_waiter *w = &q->w[i];

		if (up != NULL)
			dns_answer_from(d, w, up, 0);
		else
			dns_reply_rcode(d, &w->cl, w->q, rc);
		if (w->cl.tcp)
			slots[ns++] = w->cl.conn;
	}
	q_free(q);
	for (i = 0; i < ns; i++)
		conn_process(d, slots[i]);
}

static uint64_t
q_now(void)
{
	return router_now_ms();
}

static void q_send(struct dns_query *q);
static void q_tcp(struct dns_query *q);

static void
q_next_server(struct dns_query *q)
{
	struct dns *d = q->d;

	q_close_transport(q);
	if (q_now() >= q->deadline_ms ||
	    q->tries >= 3 * q->nservers) {
		d->st.upstream_failures++;
		q_finish(q, NULL, LDNS_RCODE_SERVFAIL);
		return;
	}
	d->st.upstream_retries++;
	q->cur = (q->cur + 1) % q->nservers;
	q_send(q);
}

static void
q_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	q_next_server(arg);
}

/* Is @up the answer to @q's question with @q's id? */
static bool
q_matches(const struct dns_query *q, const ldns_pkt *up)
{
	const ldns_rr *qr;

	if (!ldns_pkt_qr(up) || ldns_pkt_id(up) != q->id ||
	    ldns_pkt_qdcount(up) != 1)
		return false;
	qr = ldns_rr_list_rr(ldns_pkt_question(up), 0);
	return qr != NULL && ldns_rr_get_type(qr) == q->qtype &&
	    ldns_rr_get_class(qr) == q->qclass &&
	    ldns_dname_compare(ldns_rr_owner(qr), q->qname) == 0;
}

static void
q_answer(struct dns_query *q, const uint8_t *wire, size_t len)
{
	struct dns *d = q->d;
	ldns_pkt *up = NULL;
	uint32_t ttl;

	if (ldns_wire2pkt(&up, wire, len) != LDNS_STATUS_OK ||
	    !q_matches(q, up)) {
		ldns_pkt_free(up);
		return;		/* not ours, or mangled: keep waiting */
	}
	switch (ldns_pkt_get_rcode(up)) {
	case LDNS_RCODE_SERVFAIL:
	case LDNS_RCODE_REFUSED:
	case LDNS_RCODE_NOTIMPL:
	case LDNS_RCODE_FORMERR:
		ldns_pkt_free(up);
		q_next_server(q);
		return;
	default:
		break;
	}
	if (ldns_pkt_tc(up) && q->bev == NULL) {
		/* the same server again, over TCP (RFC 7766) */
		ldns_pkt_free(up);
		q_close_transport(q);
		evtimer_del(q->tmo_ev);
		d->st.upstream_tcp++;
		q_tcp(q);
		return;
	}
	ttl = dns_answer_ttl(d, up);
	if (ttl > 0)
		dns_cache_put(d->cache, q->key, q->keylen, q->qtype, q->qclass,
		    wire, len, ttl, q_now());
	q_finish(q, up, 0);
	ldns_pkt_free(up);
}

static void
q_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dns_query *q = arg;
	ssize_t n;

	n = recv(fd, dns_buf, sizeof(dns_buf), 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		q_next_server(q);	/* ICMP unreachable: refused */
		return;
	}
	if (n < 12)
		return;
	q_answer(q, dns_buf, (size_t)n);
}

/* The router's address on the link toward @srv (network order). */
static int
q_source(const struct dns *d, uint32_t srv, struct sockaddr_in *src)
{
	const struct route *rt = route_lookup(d->r->routes, srv);

	if (rt == NULL || rt->kind == ROUTE_LOCAL || rt->iface < 0 ||
	    rt->iface >= d->r->nifaces)
		return -1;
	memset(src, 0, sizeof(*src));
	src->sin_family = AF_INET;
	src->sin_addr.s_addr = d->r->ifaces[rt->iface].conf->addrs[0].addr;
	return 0;
}

static int
q_wire(struct dns_query *q, uint8_t **wire, size_t *len)
{
	ldns_pkt *p = ldns_pkt_query_new(ldns_rdf_clone(q->qname), q->qtype,
	    q->qclass, LDNS_RD);
	ldns_status st;

	if (p == NULL)
		return -1;
	q->id = dns_random16();
	ldns_pkt_set_id(p, q->id);
	ldns_pkt_set_edns_udp_size(p, DNS_EDNS_SIZE);
	st = ldns_pkt2wire(wire, p, len);
	ldns_pkt_free(p);
	return st == LDNS_STATUS_OK ? 0 : -1;
}

static void
q_arm_timer(struct dns_query *q)
{
	uint64_t now = q_now(), ms = q->d->r->conf->dns.server_timeout_ms;
	struct timeval tv;

	if (now + ms > q->deadline_ms)
		ms = q->deadline_ms > now ? q->deadline_ms - now : 1;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_add(q->tmo_ev, &tv);
}

static void
q_send(struct dns_query *q)
{
	struct dns *d = q->d;
	struct sockaddr_in src, dst;
	uint8_t *wire = NULL;
	size_t len;

	q->tries++;
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_port = htons(DNS_PORT);
	dst.sin_addr.s_addr = q->servers[q->cur];
	if (q_source(d, q->servers[q->cur], &src) == -1 ||
	    q_wire(q, &wire, &len) == -1)
		goto fail;
	q->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (q->fd == -1 || bind(q->fd, (struct sockaddr *)&src,
	    sizeof(src)) == -1 || connect(q->fd, (struct sockaddr *)&dst,
	    sizeof(dst)) == -1 || send(q->fd, wire, len, 0) != (ssize_t)len)
		goto fail;
	free(wire);
	d->st.upstream_queries++;
	q->rd_ev = event_new(d->base, q->fd, EV_READ | EV_PERSIST, q_read_cb,
	    q);
	event_add(q->rd_ev, NULL);
	q_arm_timer(q);
	return;
fail:
	free(wire);
	/* try the next server when the timer fires: never recurse here */
	q_close_transport(q);
	q_arm_timer(q);
}

static void
q_tcp_read_cb(struct bufferevent *bev, void *arg)
{
	struct dns_query *q = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	uint8_t hdr[2];
	size_t n;

	if (evbuffer_get_length(in) < 2)
		return;
	evbuffer_copyout(in, hdr, 2);
	n = (size_t)hdr[0] << 8 | hdr[1];
	if (evbuffer_get_length(in) < n + 2)
		return;
	evbuffer_drain(in, 2);
	evbuffer_remove(in, dns_buf, n);
	q_answer(q, dns_buf, n);
}

static void
q_tcp_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct dns_query *q = arg;

	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		q_next_server(q);
}

/* Ask the current server again over TCP. */
static void
q_tcp(struct dns_query *q)
{
	struct dns *d = q->d;
	struct sockaddr_in src, dst;
	uint8_t *wire = NULL, hdr[2];
	size_t len;
	int fd = -1;

	q->tries++;
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_port = htons(DNS_PORT);
	dst.sin_addr.s_addr = q->servers[q->cur];
	if (q_source(d, q->servers[q->cur], &src) == -1 ||
	    q_wire(q, &wire, &len) == -1)
		goto fail;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&src, sizeof(src)) == -1)
		goto fail;
	q->bev = bufferevent_socket_new(d->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (q->bev == NULL)
		goto fail;
	fd = -1;
	bufferevent_setcb(q->bev, q_tcp_read_cb, NULL, q_tcp_event_cb, q);
	bufferevent_setwatermark(q->bev, EV_READ, 0, 65537);
	hdr[0] = (uint8_t)(len >> 8);
	hdr[1] = (uint8_t)len;
	bufferevent_write(q->bev, hdr, 2);
	bufferevent_write(q->bev, wire, len);
	if (bufferevent_socket_connect(q->bev, (struct sockaddr *)&dst,
	    sizeof(dst)) == -1)
		goto fail;
	bufferevent_enable(q->bev, EV_READ | EV_WRITE);
	free(wire);
	d->st.upstream_queries++;
	q_arm_timer(q);
	return;
fail:
	if (fd != -1)
		close(fd);
	free(wire);
	q_close_transport(q);
	q_arm_timer(q);
}

/*
 * Forward @q (the client's query, taken) for @name to @servers, joining
 * an identical question in flight when there is one.
 */
static void
dns_forward(struct dns *d, const struct dns_client *cl, ldns_pkt *qp,
    ldns_rr_list *prefix, const ldns_rdf *name, uint16_t qtype,
    uint16_t qclass, const uint32_t *servers, int nservers)
{
	struct dns_waiter w = { qp, prefix, *cl };
	struct dns_query *q = NULL;
	const uint8_t *wire;
	uint8_t key[256];
	size_t keylen, len;
	uint32_t age, i;
	ldns_pkt *up = NULL;

	keylen = dns_key(name, key);
	if (dns_cache_get(d->cache, key, keylen, qtype, qclass, q_now(), &wire,
	    &len, &age) && ldns_wire2pkt(&up, wire, len) == LDNS_STATUS_OK) {
		d->st.cache_hits++;
		dns_answer_from(d, &w, up, age);
		ldns_pkt_free(up);
		waiter_clear(&w);
		return;
	}
	d->st.cache_misses++;
	if (nservers == 0 || d->detached) {
		d->st.upstream_failures++;
		dns_reply_rcode(d, cl, qp, LDNS_RCODE_SERVFAIL);
		waiter_clear(&w);
		return;
	}
	for (i = 0; i < d->nq_max; i++) {
		struct dns_query *x = &d->q[i];

		if (x->used && !x->done && x->nw < DNS_MAX_WAITERS &&
		    x->qtype == qtype && x->qclass == qclass &&
		    x->keylen == keylen && memcmp(x->key, key, keylen) == 0 &&
		    x->nservers == nservers && x->servers[0] == servers[0]) {
			x->w[x->nw++] = w;
			return;
		}
		if (!x->used && q == NULL)
			q = x;
	}
	if (q == NULL) {
		d->st.overload++;
		dns_reply_rcode(d, cl, qp, LDNS_RCODE_SERVFAIL);
		waiter_clear(&w);
		return;
	}
	memset(q, 0, sizeof(*q));
	q->used = true;
	q->d = d;
	q->fd = -1;
	memcpy(q->key, key, keylen);
	q->keylen = keylen;
	q->qname = ldns_rdf_clone(name);
	q->qtype = qtype;
	q->qclass = qclass;
	memcpy(q->servers, servers, (size_t)nservers * sizeof(*servers));
	q->nservers = nservers;
	q->cur = 0;		/* the first server first, as RouterOS */
	q->deadline_ms = q_now() + d->r->conf->dns.total_timeout_ms;
	q->tmo_ev = evtimer_new(d->base, q_timeout_cb, q);
	q->w[0] = w;
	q->nw = 1;
	d->nq_used++;
	q_send(q);
}

/* --- client queries -------------------------------------------------------- */

static void
dns_query_in(struct dns *d, const uint8_t *buf, size_t len,
    const struct dns_client *cl)
{
	const struct conf_dns *c = &d->r->conf->dns;
	const struct conf_dns_static *hit = NULL;
	ldns_rr_list *prefix = NULL;
	ldns_pkt *q = NULL, *resp;
	ldns_rdf *name;
	const ldns_rr *qr;
	uint16_t qtype, qclass;
	char *s;
	int depth;

	if (len < 12 || (buf[2] & 0x80)) {
		/* too short for a header, or an answer: never reply */
		d->st.malformed++;
		return;
	}
	if (ldns_wire2pkt(&q, buf, len) != LDNS_STATUS_OK) {
		d->st.malformed++;
		dns_formerr_raw(d, cl, buf);
		return;
	}
	if (ldns_pkt_get_opcode(q) != LDNS_PACKET_QUERY) {
		dns_reply_rcode(d, cl, q, LDNS_RCODE_NOTIMPL);
		ldns_pkt_free(q);
		return;
	}
	if (ldns_pkt_qdcount(q) != 1 || ldns_pkt_ancount(q) != 0) {
		d->st.malformed++;
		dns_reply_rcode(d, cl, q, LDNS_RCODE_FORMERR);
		ldns_pkt_free(q);
		return;
	}
	qr = ldns_rr_list_rr(ldns_pkt_question(q), 0);
	qtype = (uint16_t)ldns_rr_get_type(qr);
	qclass = (uint16_t)ldns_rr_get_class(qr);
	if (qtype == LDNS_RR_TYPE_AXFR || qtype == LDNS_RR_TYPE_IXFR) {
		dns_reply_rcode(d, cl, q, LDNS_RCODE_REFUSED);
		ldns_pkt_free(q);
		return;
	}
	name = ldns_rdf_clone(ldns_rr_owner(qr));
	for (depth = 0; depth <= DNS_CNAME_MAX; depth++) {
		enum static_verdict v;

		if ((s = dns_name_str(name)) == NULL)
			break;
		resp = dns_resp_new(q, LDNS_RCODE_NOERROR);
		if (resp == NULL) {
			free(s);
			break;
		}
		v = qclass == LDNS_RR_CLASS_IN ? static_lookup(c, s, qtype,
		    name, resp, &hit) : ST_NONE;
		free(s);
		switch (v) {
		case ST_NONE:
			ldns_pkt_free(resp);
			dns_forward(d, cl, q, prefix, name, qtype, qclass,
			    c->servers, c->nservers);
			ldns_rdf_deep_free(name);
			return;
		case ST_FWD:
			ldns_pkt_free(resp);
			dns_forward(d, cl, q, prefix, name, qtype, qclass,
			    &hit->forward_to, 1);
			ldns_rdf_deep_free(name);
			return;
		case ST_CNAME: {
			ldns_rr *rr = static_rr(hit, name);

			ldns_pkt_free(resp);
			if (prefix == NULL)
				prefix = ldns_rr_list_new();
			ldns_rr_list_push_rr(prefix, rr);
			ldns_rdf_deep_free(name);
			name = static_dname(hit->data);
			if (name == NULL)
				goto servfail;
			continue;
		}
		case ST_NXDOMAIN:
			ldns_pkt_set_rcode(resp, LDNS_RCODE_NXDOMAIN);
			/* FALLTHROUGH */
		case ST_ANSWER: {
			ldns_rr_list *ans = ldns_pkt_answer(resp);
			size_t i, k = prefix != NULL ?
			    ldns_rr_list_rr_count(prefix) : 0;

			/* the CNAME chain goes before the records */
			if (k > 0) {
				ldns_rr_list *all = ldns_rr_list_new();

				for (i = 0; i < k; i++)
					ldns_rr_list_push_rr(all,
					    ldns_rr_clone(ldns_rr_list_rr(
					    prefix, i)));
				for (i = 0; i < ldns_rr_list_rr_count(ans);
				    i++)
					ldns_rr_list_push_rr(all,
					    ldns_rr_list_rr(ans, i));
				ldns_rr_list_free(ans);
				ldns_pkt_set_answer(resp, all);
				ldns_pkt_set_ancount(resp,
				    (uint16_t)ldns_rr_list_rr_count(all));
			}
			ldns_pkt_set_aa(resp, true);
			d->st.answered_static++;
			dns_send(d, cl, q, resp);
			goto out;
		}
		}
	}
servfail:
	d->st.upstream_failures++;
	dns_reply_rcode(d, cl, q, LDNS_RCODE_SERVFAIL);
out:
	ldns_rdf_deep_free(name);
	if (prefix != NULL)
		ldns_rr_list_deep_free(prefix);
	ldns_pkt_free(q);
}

/* --- UDP ------------------------------------------------------------------ */

static void
udp_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dns *d = arg;
	union {
		struct cmsghdr h;
		uint8_t buf[CMSG_SPACE(sizeof(struct in_pktinfo)) + 64];
	} cm;
	struct dns_client cl;
	struct cmsghdr *ch;
	struct msghdr mh;
	struct iovec iov;
	ssize_t n;
	int i;

	for (i = 0; i < DNS_UDP_BUDGET; i++) {
		memset(&cl, 0, sizeof(cl));
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = dns_buf;
		iov.iov_len = sizeof(dns_buf);
		mh.msg_name = &cl.peer;
		mh.msg_namelen = sizeof(cl.peer);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		n = recvmsg(fd, &mh, MSG_DONTWAIT);
		if (n < 0)
			return;
		for (ch = CMSG_FIRSTHDR(&mh); ch != NULL;
		    ch = CMSG_NXTHDR(&mh, ch))
			if (ch->cmsg_level == IPPROTO_IP &&
			    ch->cmsg_type == IP_PKTINFO)
				cl.local = ((struct in_pktinfo *)
				    CMSG_DATA(ch))->ipi_addr;
		cl.internal = dns_internal(d, cl.peer.sin_addr.s_addr);
		d->st.queries_udp++;
		dns_query_in(d, dns_buf, (size_t)n, &cl);
	}
}

/* --- TCP clients ------------------------------------------------------------ */

/*
 * Take whole messages from a session while it has fewer than
 * DNS_TCP_PENDING in flight; the rest waits in its buffer (which the
 * read high-water mark bounds) until answers go out.
 */
static void
conn_process(struct dns *d, uint32_t slot)
{
	struct dns_conn *c = &d->conns[slot];
	struct dns_client cl;
	struct evbuffer *in;
	uint8_t hdr[2];
	size_t avail, n;
	uint32_t gen = c->gen;

	memset(&cl, 0, sizeof(cl));
	cl.tcp = true;
	cl.conn = slot;
	while (c->bev != NULL && c->gen == gen &&
	    c->pending < DNS_TCP_PENDING) {
		in = bufferevent_get_input(c->bev);
		avail = evbuffer_get_length(in);
		if (avail == 0) {
			c->partial_ms = 0;
			break;
		}
		if (c->partial_ms == 0)
			c->partial_ms = q_now();
		if (avail < 2)
			break;
		evbuffer_copyout(in, hdr, 2);
		n = (size_t)hdr[0] << 8 | hdr[1];
		if (n < 12) {
			d->st.malformed++;
			conn_close(d, slot);
			return;
		}
		if (avail < n + 2) {
			if (q_now() - c->partial_ms > DNS_TCP_MSG_MS) {
				d->st.tcp_timeouts++;
				conn_close(d, slot);
			}
			break;
		}
		evbuffer_drain(in, 2);
		evbuffer_remove(in, dns_buf, n);
		c->partial_ms = 0;
		c->pending++;
		cl.gen = c->gen;
		cl.internal = c->internal;
		d->st.queries_tcp++;
		dns_query_in(d, dns_buf, n, &cl);
	}
}

struct conn_ref {
	struct dns *d;
	uint32_t slot;
};

static struct conn_ref *conn_refs;

static void
conn_read_ref_cb(struct bufferevent *bev, void *arg)
{
	struct conn_ref *ref = arg;

	conn_process(ref->d, ref->slot);
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn_ref *ref = arg;

	if (what & BEV_EVENT_TIMEOUT)
		ref->d->st.tcp_timeouts++;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		conn_close(ref->d, ref->slot);
}

static void
lst_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dns *d = arg;

	evconnlistener_enable(d->lst);
}

static void
lst_error_cb(struct evconnlistener *l, void *arg)
{
	struct dns *d = arg;
	struct timeval sec = { 1, 0 };

	/* EMFILE and friends: pause a second rather than spin */
	log_warn("dns: accept");
	evconnlistener_disable(l);
	evtimer_add(d->lst_pause, &sec);
}

static void
lst_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct dns *d = arg;
	struct timeval idle = { DNS_TCP_IDLE_SEC, 0 };
	struct dns_conn *c = NULL;
	uint32_t i, max = d->r->conf->dns.max_tcp;

	if (max > d->nconn_max)
		max = d->nconn_max;
	for (i = 0; i < max; i++)
		if (d->conns[i].bev == NULL) {
			c = &d->conns[i];
			break;
		}
	if (c == NULL || sa->sa_family != AF_INET) {
		d->st.tcp_refused++;
		close(fd);
		return;
	}
	c->bev = bufferevent_socket_new(d->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		close(fd);
		return;
	}
	d->nconn_used++;
	c->pending = 0;
	c->partial_ms = 0;
	c->internal = dns_internal(d,
	    ((struct sockaddr_in *)sa)->sin_addr.s_addr);
	bufferevent_setcb(c->bev, conn_read_ref_cb, NULL, conn_event_cb,
	    &conn_refs[i]);
	bufferevent_setwatermark(c->bev, EV_READ, 0, 2 * 65537);
	bufferevent_set_timeouts(c->bev, &idle, &idle);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

/* --- start, reload, control -------------------------------------------------- */

static void
dns_derive(struct dns *d)
{
	d->nsplit = d->r->conf->dns.split_horizon ?
	    dns_split_build(d->r->conf, d->split, NULL, NULL) : 0;
}

static int
dns_sockets(struct dns *d, char **cause)
{
	struct sockaddr_in sin;
	int one = 1, fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(DNS_PORT);
	d->udp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (d->udp_fd == -1 || setsockopt(d->udp_fd, IPPROTO_IP, IP_PKTINFO,
	    &one, sizeof(one)) == -1 || bind(d->udp_fd,
	    (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		xasprintf(cause, "dns: udp port 53: %s%s", strerror(errno),
		    errno == EACCES ? " (needs CAP_NET_BIND_SERVICE when "
		    "/proc/sys is read-only)" : "");
		return -1;
	}
	d->udp_ev = event_new(d->base, d->udp_fd, EV_READ | EV_PERSIST,
	    udp_read_cb, d);
	event_add(d->udp_ev, NULL);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) == -1 || bind(fd, (struct sockaddr *)&sin,
	    sizeof(sin)) == -1) {
		xasprintf(cause, "dns: tcp port 53: %s", strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	d->lst = evconnlistener_new(d->base, lst_accept_cb, d,
	    LEV_OPT_CLOSE_ON_FREE, 64, fd);
	if (d->lst == NULL) {
		xasprintf(cause, "dns: tcp listen: %s", strerror(errno));
		close(fd);
		return -1;
	}
	evconnlistener_set_error_cb(d->lst, lst_error_cb);
	d->lst_pause = evtimer_new(d->base, lst_resume_cb, d);
	return 0;
}

static void
dns_alloc(struct dns *d)
{
	const struct conf_dns *c = &d->r->conf->dns;
	uint32_t i;

	d->cache = dns_cache_create(c->cache_size);
	d->nq_max = c->max_queries;
	d->q = xcalloc(d->nq_max, sizeof(*d->q));
	d->nconn_max = c->max_tcp;
	d->conns = xcalloc(d->nconn_max, sizeof(*d->conns));
	conn_refs = xcalloc(d->nconn_max, sizeof(*conn_refs));
	for (i = 0; i < d->nconn_max; i++) {
		conn_refs[i].d = d;
		conn_refs[i].slot = i;
	}
	d->r->dns = d;
	dns_derive(d);
}

struct dns *
dns_create_detached(struct router *r)
{
	struct dns *d = xcalloc(1, sizeof(*d));

	d->r = r;
	d->base = r->base;
	d->tun_fd = d->udp_fd = -1;
	d->detached = true;
	dns_alloc(d);
	return d;
}

size_t
dns_input(struct dns *d, const uint8_t *query, size_t len, bool tcp,
    bool internal, uint8_t *out, size_t outmax)
{
	struct dns_client cl;

	memset(&cl, 0, sizeof(cl));
	cl.tcp = tcp;
	cl.internal = internal;
	cl.conn = UINT32_MAX;
	d->cap = out;
	d->cap_max = outmax;
	d->cap_len = 0;
	if (tcp)
		d->st.queries_tcp++;
	else
		d->st.queries_udp++;
	dns_query_in(d, query, len, &cl);
	d->cap = NULL;
	return d->cap_len;
}

int
dns_start(struct router *r, char **cause)
{
	const struct conf_dns *c = &r->conf->dns;
	struct dns *d;

	if (!c->configured)
		return 0;
	d = xcalloc(1, sizeof(*d));
	d->r = r;
	d->base = r->base;
	d->tun_fd = d->udp_fd = -1;
	if (dns_punt_open(d, cause) == -1 || dns_sockets(d, cause) == -1) {
		r->dns = d;
		dns_stop(r);
		return -1;
	}
	dns_alloc(d);
	log_info("dns: %s on %s, servers %d, static entries %d, cache %u "
	    "KiB%s", c->allow_remote ? "answering clients" :
	    "not answering clients", c->ifaces_set ? "the listed links" :
	    "every internal link", c->nservers, c->nstatics,
	    c->cache_size / 1024, c->split_horizon ? ", split-horizon" : "");
	return 0;
}

void
dns_stop(struct router *r)
{
	struct dns *d = r->dns;
	uint32_t i;

	if (d == NULL)
		return;
	for (i = 0; d->q != NULL && i < d->nq_max; i++)
		if (d->q[i].used)
			q_free(&d->q[i]);
	for (i = 0; d->conns != NULL && i < d->nconn_max; i++)
		conn_close(d, i);
	if (d->lst != NULL)
		evconnlistener_free(d->lst);
	if (d->lst_pause != NULL)
		event_free(d->lst_pause);
	if (d->udp_ev != NULL)
		event_free(d->udp_ev);
	if (d->udp_fd != -1)
		close(d->udp_fd);
	dns_punt_close(d);
	dns_cache_destroy(d->cache);
	free(d->q);
	free(d->conns);
	free(conn_refs);
	conn_refs = NULL;
	free(d);
	r->dns = NULL;
}

void
dns_reconfigure(struct router *r)
{
	struct dns *d = r->dns;
	const struct conf_dns *c = &r->conf->dns;

	if (d == NULL) {
		if (c->configured)
			log_warnx("dns: a dns section added by a reload needs "
			    "a restart (the resolver's namespace is made at "
			    "start)");
		return;
	}
	dns_cache_resize(d->cache, c->cache_size);
	if (c->max_queries > d->nq_max || c->max_tcp > d->nconn_max)
		log_warnx("dns: larger max-concurrent-queries or "
		    "max-concurrent-tcp-sessions take effect on restart");
	dns_derive(d);
}

uint64_t
dns_flush(struct router *r)
{
	return r->dns != NULL ? dns_cache_flush(r->dns->cache) : 0;
}

const struct dns_stats *
dns_stats_get(const struct router *r)
{
	struct dns *d = r->dns;

	if (d == NULL)
		return NULL;
	d->st.cache_entries = dns_cache_count(d->cache);
	d->st.cache_bytes = dns_cache_bytes(d->cache);
	return &d->st;
}

static const char *const static_type_names[] = {
	[CONF_DNS_A] = "A", [CONF_DNS_AAAA] = "AAAA",
	[CONF_DNS_CNAME] = "CNAME", [CONF_DNS_TXT] = "TXT",
	[CONF_DNS_MX] = "MX", [CONF_DNS_NS] = "NS", [CONF_DNS_SRV] = "SRV",
	[CONF_DNS_FWD] = "FWD", [CONF_DNS_NXDOMAIN] = "NXDOMAIN",
};

struct foreach_arg {
	dns_row_fn fn;
	void *arg;
};

static void
foreach_cache_cb(void *arg, const uint8_t *wire, size_t len, uint32_t age)
{
	struct foreach_arg *fa = arg;
	ldns_pkt *p = NULL;
	ldns_rr_list *l;
	struct dns_row row;
	char *name, *data, *f;
	size_t i, j, dl;

	if (ldns_wire2pkt(&p, wire, len) != LDNS_STATUS_OK)
		return;
	l = ldns_pkt_answer(p);
	if (l == NULL || ldns_rr_list_rr_count(l) == 0) {
		/* a negative answer: the question, and what was said */
		const ldns_rr *qr = ldns_rr_list_rr(ldns_pkt_question(p), 0);
		char *t = qr ? ldns_rr_type2str(ldns_rr_get_type(qr)) : NULL;

		name = qr ? ldns_rdf2str(ldns_rr_owner(qr)) : NULL;
		row.name = name != NULL ? name : "";
		row.type = t != NULL ? t : "";
		row.data = ldns_pkt_get_rcode(p) == LDNS_RCODE_NXDOMAIN ?
		    "NXDOMAIN" : "NODATA";
		row.ttl = 0;
		row.is_static = false;
		fa->fn(fa->arg, &row);
		free(name);
		free(t);
		ldns_pkt_free(p);
		return;
	}
	for (i = 0; i < ldns_rr_list_rr_count(l); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(l, i);
		char *t = ldns_rr_type2str(ldns_rr_get_type(rr));

		name = ldns_rdf2str(ldns_rr_owner(rr));
		data = xstrdup("");
		for (j = 0; j < ldns_rr_rd_count(rr); j++) {
			f = ldns_rdf2str(ldns_rr_rdf(rr, j));
			if (f == NULL)
				continue;
			dl = strlen(data);
			data = xreallocarray(data, dl + strlen(f) + 2, 1);
			snprintf(data + dl, strlen(f) + 2, "%s%s",
			    dl > 0 ? " " : "", f);
			free(f);
		}
		row.name = name != NULL ? name : "";
		row.type = t != NULL ? t : "";
		row.data = data;
		row.ttl = ldns_rr_ttl(rr) > age ? ldns_rr_ttl(rr) - age : 0;
		row.is_static = false;
		fa->fn(fa->arg, &row);
		free(name);
		free(t);
		free(data);
	}
	ldns_pkt_free(p);
}

void
dns_foreach(struct router *r, dns_row_fn fn, void *arg)
{
	const struct conf_dns *c = &r->conf->dns;
	struct foreach_arg fa = { fn, arg };
	struct dns_row row;
	char data[1100], a[INET6_ADDRSTRLEN];
	int i;

	for (i = 0; i < c->nstatics; i++) {
		const struct conf_dns_static *e = &c->statics[i];

		switch (e->type) {
		case CONF_DNS_A:
			inet_ntop(AF_INET, e->addr, data, sizeof(data));
			break;
		case CONF_DNS_AAAA:
			inet_ntop(AF_INET6, e->addr, data, sizeof(data));
			break;
		case CONF_DNS_MX:
			snprintf(data, sizeof(data), "%u %s", e->mx_preference,
			    e->data);
			break;
		case CONF_DNS_SRV:
			snprintf(data, sizeof(data), "%u %u %u %s",
			    e->srv_priority, e->srv_weight, e->srv_port,
			    e->data);
			break;
		case CONF_DNS_FWD:
			inet_ntop(AF_INET, &e->forward_to, a, sizeof(a));
			snprintf(data, sizeof(data), "%s", a);
			break;
		case CONF_DNS_NXDOMAIN:
			data[0] = '\0';
			break;
		default:
			snprintf(data, sizeof(data), "%s", e->data);
			break;
		}
		row.name = e->name != NULL ? e->name : e->regexp;
		row.type = static_type_names[e->type];
		row.data = data;
		row.ttl = e->ttl;
		row.is_static = true;
		fn(arg, &row);
	}
	if (r->dns != NULL)
		dns_cache_foreach(r->dns->cache, router_now_ms(),
		    foreach_cache_cb, &fa);
}
