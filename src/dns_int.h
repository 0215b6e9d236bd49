/* SPDX-License-Identifier: ISC */
/* Inside the DNS server: shared by dns.c and dns_punt.c only. */
#ifndef HAIRPIND_DNS_INT_H
#define HAIRPIND_DNS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include <ldns/ldns.h>

#include "conf.h"
#include "dns.h"
#include "dns_split.h"

struct event;
struct event_base;
struct evconnlistener;
struct bufferevent;
struct dns_cache;
struct dns_query;
struct dns_conn;

/* The TUN in the private namespace: the kernel side holds our addresses. */
#define DNS_PUNT_IFNAME "hp-dns"

#define DNS_PORT		53
#define DNS_EDNS_SIZE		1232	/* what we offer, as DNS flag day 2020 */
#define DNS_MAX_WAITERS		16	/* clients sharing one upstream query */
#define DNS_CNAME_MAX		8	/* static CNAME chain */

/* Who asked, and how to answer it. */
struct dns_client {
	bool tcp;
	uint32_t conn, gen;		/* TCP: session slot and generation */
	struct sockaddr_in peer;	/* UDP */
	struct in_addr local;		/* UDP: the address it asked */
	bool internal;			/* from a link that is not external */
};

/* A client waiting for an upstream answer. */
struct dns_waiter {
	ldns_pkt *q;			/* the client's query */
	ldns_rr_list *prefix;		/* static CNAMEs to answer first */
	struct dns_client cl;
};

/* One upstream question in flight (dns_upstream.c). */
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

/* A client's TCP session (dns.c). */
struct dns_conn {
	struct bufferevent *bev;	/* NULL: free slot */
	uint32_t gen;
	int pending;
	bool internal;
	uint64_t partial_ms;		/* when an incomplete message began */
};

struct dns {
	struct router *r;
	struct event_base *base;

	int tun_fd;			/* dns_punt.c */
	struct event *tun_ev;

	int udp_fd;			/* 0.0.0.0:53 in the namespace */
	struct event *udp_ev;
	struct evconnlistener *lst;	/* TCP 53 */
	struct event *lst_pause;	/* EMFILE: listener paused 1 s */

	struct dns_cache *cache;
	struct dns_split_ent split[DNS_SPLIT_MAX];
	int nsplit;

	struct dns_query *q;		/* max-concurrent-queries slots */
	uint32_t nq_max, nq_used;
	struct dns_conn *conns;		/* max-concurrent-tcp-sessions */
	uint32_t nconn_max, nconn_used;

	struct dns_stats st;

	/* tests and fuzzers (dns_create_detached): no sockets; answers are
	   copied to cap instead of sent, and nothing is forwarded */
	bool detached;
	uint8_t *cap;
	size_t cap_len, cap_max;
};

/* dns_punt_open() - unshare into a new netns, make the TUN, address it. */
int dns_punt_open(struct dns *d, char **cause);
void dns_punt_close(struct dns *d);
/*
 * dns_punt_forget() - remove the conntrack entry of the resolver's UDP
 * socket @fd (an upstream query done), so that a flood of questions
 * leaves no more entries behind than there are queries in flight.
 */
void dns_punt_forget(struct dns *d, int fd);

/* dns_allowed() - may clients on link @ifidx ask? */
bool dns_allowed(const struct dns *d, int ifidx);

/* dns.c: answering clients */
size_t dns_key(const ldns_rdf *name, uint8_t *key);
ldns_pkt *dns_resp_new(const ldns_pkt *q, ldns_pkt_rcode rc);
/* dns_send() - send @resp (freed) to @cl, truncated to fit over UDP */
void dns_send(struct dns *d, const struct dns_client *cl, const ldns_pkt *q,
    ldns_pkt *resp);
void dns_reply_rcode(struct dns *d, const struct dns_client *cl,
    const ldns_pkt *q, ldns_pkt_rcode rc);
/* dns_conn_process() - a TCP session may go on after an answer left */
void dns_conn_process(struct dns *d, uint32_t slot);
uint64_t dns_now_ms(void);

/* dns_static.c: the static entries */
enum dns_static_verdict {
	DNS_ST_NONE,		/* no entry: forward */
	DNS_ST_ANSWER,		/* records of the asked type (or none: NODATA) */
	DNS_ST_CNAME,		/* the name is an alias of hit->data */
	DNS_ST_FWD,		/* forward to hit->forward_to */
	DNS_ST_NXDOMAIN,
};
enum dns_static_verdict dns_static_lookup(const struct conf_dns *c,
    const char *name, uint16_t qtype, const ldns_rdf *owner, ldns_pkt *resp,
    const struct conf_dns_static **hit);
ldns_rr *dns_static_rr(const struct conf_dns_static *e, const ldns_rdf *owner);
ldns_rdf *dns_static_dname(const char *s);
void dns_static_foreach(const struct conf_dns *c, dns_row_fn fn, void *arg);

/* dns_upstream.c: forwarding */
/*
 * dns_upstream_forward() - answer @qp (taken) for @name from the cache, or
 * ask @servers, joining an identical question in flight.
 */
void dns_upstream_forward(struct dns *d, const struct dns_client *cl,
    ldns_pkt *qp, ldns_rr_list *prefix, const ldns_rdf *name,
    uint16_t qtype, uint16_t qclass, const uint32_t *servers, int nservers);
void dns_upstream_free(struct dns_query *q);

#endif
