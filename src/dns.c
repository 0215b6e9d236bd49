/* SPDX-License-Identifier: ISC */
/*
 * The DNS server: client queries over UDP and TCP and their answers;
 * static entries are dns_static.c's, forwarding and the cache
 * dns_upstream.c's, the namespace and its TUN dns_punt.c's.
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

#define DNS_UDP_MAX		4096
#define DNS_UDP_BUDGET		64	/* datagrams per wakeup */
#define DNS_TCP_MSG_MS		10000	/* a TCP query must arrive within */
#define DNS_TCP_IDLE_SEC	10
#define DNS_TCP_PENDING		8	/* queries in flight per TCP session */
#define DNS_TCP_OUT_MAX		(256 * 1024)
static uint8_t dns_buf[65536];

uint64_t
dns_now_ms(void)
{
	return router_now_ms();
}

/* --- helpers ------------------------------------------------------------- */

static bool
dns_internal(const struct dns *d, uint32_t addr)
{
	const struct route *rt = route_lookup(d->r->routes, addr);

	return rt != NULL && rt->kind != ROUTE_LOCAL && rt->iface >= 0 &&
	    rt->iface < d->r->nifaces && !d->r->external[rt->iface];
}

/* The question name lowercased, wire format: the cache and coalescing key. */
size_t
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
void
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
ldns_pkt *
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

void
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
		enum dns_static_verdict v;

		if ((s = dns_name_str(name)) == NULL)
			break;
		resp = dns_resp_new(q, LDNS_RCODE_NOERROR);
		if (resp == NULL) {
			free(s);
			break;
		}
		v = qclass == LDNS_RR_CLASS_IN ? dns_static_lookup(c, s, qtype,
		    name, resp, &hit) : DNS_ST_NONE;
		free(s);
		switch (v) {
		case DNS_ST_NONE:
			ldns_pkt_free(resp);
			dns_upstream_forward(d, cl, q, prefix, name, qtype, qclass,
			    c->servers, c->nservers);
			ldns_rdf_deep_free(name);
			return;
		case DNS_ST_FWD:
			ldns_pkt_free(resp);
			dns_upstream_forward(d, cl, q, prefix, name, qtype, qclass,
			    &hit->forward_to, 1);
			ldns_rdf_deep_free(name);
			return;
		case DNS_ST_CNAME: {
			ldns_rr *rr = dns_static_rr(hit, name);

			ldns_pkt_free(resp);
			if (prefix == NULL)
				prefix = ldns_rr_list_new();
			ldns_rr_list_push_rr(prefix, rr);
			ldns_rdf_deep_free(name);
			name = dns_static_dname(hit->data);
			if (name == NULL)
				goto servfail;
			continue;
		}
		case DNS_ST_NXDOMAIN:
			ldns_pkt_set_rcode(resp, LDNS_RCODE_NXDOMAIN);
			/* FALLTHROUGH */
		case DNS_ST_ANSWER: {
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
void
dns_conn_process(struct dns *d, uint32_t slot)
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
			c->partial_ms = dns_now_ms();
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
			if (dns_now_ms() - c->partial_ms > DNS_TCP_MSG_MS) {
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

	dns_conn_process(ref->d, ref->slot);
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
			dns_upstream_free(&d->q[i]);
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
	struct foreach_arg fa = { fn, arg };

	dns_static_foreach(&r->conf->dns, fn, arg);
	if (r->dns != NULL)
		dns_cache_foreach(r->dns->cache, router_now_ms(),
		    foreach_cache_cb, &fa);
}
