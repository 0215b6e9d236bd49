/* SPDX-License-Identifier: ISC */
/*
 * Forwarding: the cache, then upstream queries over UDP from the router's
 * own address with a random id and port, the next server on a timeout or
 * an error until query-total-timeout, TCP when an answer is truncated;
 * and the answers built from what came back (aged TTLs, split-horizon).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <ldns/ldns.h>

#include "dns.h"
#include "dns_cache.h"
#include "dns_int.h"
#include "dns_split.h"
#include "route.h"
#include "router.h"

#define DNS_NEG_TTL_MAX		900	/* negative answers, RFC 2308 advice */

static uint8_t up_buf[65536];

static uint16_t
dns_random16(void)
{
	return (uint16_t)arc4random_uniform(65536);
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
		/* its answer came or never will: free its conntrack entry */
		dns_punt_forget(q->d, q->fd);
		close(q->fd);
		q->fd = -1;
	}
	if (q->bev != NULL) {
		bufferevent_free(q->bev);
		q->bev = NULL;
	}
}

void
dns_upstream_free(struct dns_query *q)
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
	dns_upstream_free(q);
	for (i = 0; i < ns; i++)
		dns_conn_process(d, slots[i]);
}

static void q_send(struct dns_query *q);
static void q_tcp(struct dns_query *q);

static void
q_next_server(struct dns_query *q)
{
	struct dns *d = q->d;

	q_close_transport(q);
	if (dns_now_ms() >= q->deadline_ms ||
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
		    wire, len, ttl, dns_now_ms());
	q_finish(q, up, 0);
	ldns_pkt_free(up);
}

static void
q_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dns_query *q = arg;
	ssize_t n;

	n = recv(fd, up_buf, sizeof(up_buf), 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		q_next_server(q);	/* ICMP unreachable: refused */
		return;
	}
	if (n < 12)
		return;
	q_answer(q, up_buf, (size_t)n);
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
	uint64_t now = dns_now_ms(), ms = q->d->r->conf->dns.server_timeout_ms;
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
	evbuffer_remove(in, up_buf, n);
	q_answer(q, up_buf, n);
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
void
dns_upstream_forward(struct dns *d, const struct dns_client *cl,
    ldns_pkt *qp, ldns_rr_list *prefix, const ldns_rdf *name,
    uint16_t qtype, uint16_t qclass, const uint32_t *servers, int nservers)
{
	struct dns_waiter w = { qp, prefix, *cl };
	struct dns_query *q = NULL;
	const uint8_t *wire;
	uint8_t key[256];
	size_t keylen, len;
	uint32_t age, i;
	ldns_pkt *up = NULL;

	keylen = dns_key(name, key);
	if (dns_cache_get(d->cache, key, keylen, qtype, qclass, dns_now_ms(), &wire,
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
	q->deadline_ms = dns_now_ms() + d->r->conf->dns.total_timeout_ms;
	q->tmo_ev = evtimer_new(d->base, q_timeout_cb, q);
	q->w[0] = w;
	q->nw = 1;
	d->nq_used++;
	q_send(q);
}
