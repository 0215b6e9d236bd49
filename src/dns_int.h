/* SPDX-License-Identifier: ISC */
/* Inside the DNS server: shared by dns.c and dns_punt.c only. */
#ifndef HAIRPIND_DNS_INT_H
#define HAIRPIND_DNS_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

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

/* dns_allowed() - may clients on link @ifidx ask? */
bool dns_allowed(const struct dns *d, int ifidx);

#endif
