/* SPDX-License-Identifier: ISC */
/*
 * The router: its links, its tables, and the path of one frame through
 * them: tap -> frame -> arp | (frag -> conntrack -> dstnat -> route ->
 * filter -> srcnat -> translate) -> arp -> tap.
 */
#ifndef HAIRPIND_ROUTER_H
#define HAIRPIND_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "conf.h"

/*
 * Why a frame was dropped. Counted per in-interface; the names (kebab-case)
 * are the keys of `drops` in `hairpinctl interfaces` and of the reason
 * label in `metrics`.
 */
#define DROP_REASONS(X) \
	X(SHORT_FRAME, "short-frame") \
	X(BAD_VNET_HDR, "bad-vnet-header") \
	X(NOT_FOR_US, "not-for-us") \
	X(VLAN, "vlan") \
	X(IPV6, "ipv6") \
	X(UNKNOWN_ETHERTYPE, "unknown-ethertype") \
	X(BAD_ARP, "bad-arp") \
	X(BAD_IP_HEADER, "bad-ip-header") \
	X(BAD_IP_LENGTH, "bad-ip-length") \
	X(BAD_IP_CHECKSUM, "bad-ip-checksum") \
	X(MARTIAN, "martian-address") \
	X(RP_FILTER, "rp-filter") \
	X(SOURCE_ROUTE, "source-route") \
	X(BAD_L4_HEADER, "bad-l4-header") \
	X(BAD_ICMP, "bad-icmp") \
	X(TTL_EXCEEDED, "ttl-exceeded") \
	X(NO_ROUTE, "no-route") \
	X(FRAG_INVALID, "frag-invalid") \
	X(FRAG_MEMORY, "frag-memory") \
	X(FRAG_OVERSIZE, "frag-oversize") \
	X(FRAG_TIMEOUT, "frag-timeout") \
	X(FRAG_NEEDED, "frag-needed") \
	X(CT_INVALID, "ct-invalid") \
	X(CT_FULL, "ct-full") \
	X(CT_CLASH, "ct-clash") \
	X(NAT_EXHAUSTED, "nat-exhausted") \
	X(NAT_HOST_LIMIT, "nat-host-limit") \
	X(NAT_FILTERED, "nat-filtered") \
	X(ICMP_UNTRANSLATABLE, "icmp-untranslatable") \
	X(FILTER_DROP, "filter-drop") \
	X(FILTER_REJECT, "filter-reject") \
	X(RAW_DROP, "raw-drop") \
	X(ARP_QUEUE_FULL, "arp-queue-full") \
	X(ARP_FAILED, "arp-failed") \
	X(TX_ERROR, "tx-error")

enum drop_reason {
#define X(id, name) DROP_##id,
	DROP_REASONS(X)
#undef X
	DROP_COUNT
};

const char *drop_reason_name(enum drop_reason r);

struct iface_stats {
	uint64_t rx_packets, rx_bytes;
	uint64_t tx_packets, tx_bytes;
	uint64_t drops[DROP_COUNT];
};

struct iface {
	int idx;
	struct conf_iface *conf;	/* name, tap, netns, addrs, mac, mtu */
	int fd;				/* the TAP */
	bool vnet;			/* IFF_VNET_HDR in use */
	unsigned int offloads;		/* TUN_F_* accepted by the kernel */
	bool persistent;		/* attached to a device made outside */
	struct event *ev;
	struct tapring *tr;		/* writes batched on the ring, or NULL */
	struct iface_stats st;
};

struct event_base;
struct tapring;
struct route_table;
struct arp_table;
struct ct_table;
struct natport;
struct frag_table;
struct trace;
struct dns;

struct router {
	struct event_base *base;
	struct config *conf;		/* current; swapped by reload */
	struct iface ifaces[CONF_MAX_IFACES];
	int nifaces;
	struct route_table *routes;
	struct arp_table *arp;
	struct ct_table *ct;
	struct natport *np;
	struct frag_table *frag;
	struct dns *dns;		/* the resolver (dns.c), NULL: none */
	time_t started;			/* wall clock, for uptime */
	uint64_t reloads, reload_failures;

	/*
	 * Derived from the rules by router_conf_derive(): an interface is
	 * external when a general src-nat, masquerade or endpoint-independent
	 * rule (no dst-address) sends traffic out of it. Unsolicited traffic
	 * arriving there for a NAT mapping is filtered; from anywhere else it
	 * is hairpinned (RFC 4787 REQ-9).
	 */
	bool external[CONF_MAX_IFACES];

	/* packets of fasttracked connections that skipped mangle and filter */
	uint64_t fasttrack_packets, fasttrack_bytes;

	/* `trace` clients exist: the pipeline fills a struct trace */
	bool tracing;
	void (*trace_emit)(void *arg, const struct trace *t);
	void *trace_arg;
};

/* The one router of the process. */
extern struct router *router;

/* Clock for conntrack and fragments: monotonic seconds. */
uint32_t router_now(void);
/* Monotonic milliseconds, and microseconds (the busy-poll window). */
uint64_t router_now_ms(void);
uint64_t router_now_us(void);

/**
 * router_input() - the whole path of one frame received on @ifidx.
 * @buf: the frame, starting with the vnet header when the link has one;
 *       writable, with ROUTER_HEADROOM bytes free before it
 * @len: bytes in @buf
 */
#define ROUTER_HEADROOM 64
void router_input(struct router *r, int ifidx, uint8_t *buf, size_t len);

/**
 * router_output() - route and send an IPv4 datagram the router made
 * itself (ICMP, RST). @ip has ROUTER_HEADROOM writable bytes before it;
 * its checksums are complete.
 */
void router_output(struct router *r, uint8_t *ip, size_t len);

/*
 * router_arp_failed() - a neighbour on @out_if did not answer: send host
 * unreachable about the queued @frame (as it would have been written).
 */
void router_arp_failed(struct router *r, int out_if, uint8_t *frame,
    size_t len);

/*
 * router_conf_derive() - recompute what the router derives from the
 * config: external links, the configured address lists in use, the
 * prefix lengths connection-limit counts.
 */
void router_conf_derive(struct router *r);

/*
 * router_tick() - housekeeping a few times a second: unsolicited SYNs held
 * for RFC 5382 REQ-4 get their answer when due; expired dynamic
 * address-list entries go.
 */
void router_tick(struct router *r);

/* router_ct_attach() - route conntrack events to NAT and control. */
void router_ct_attach(struct router *r);

/**
 * router_init() - the one constructor of a router's tables for @conf:
 * routes, conntrack (with its events attached), NAT ports, fragments,
 * neighbours, then what is derived from the rules. The daemon, the test
 * harnesses and the fuzzers all build a router with it; the interfaces
 * (r->ifaces, r->nifaces) are set up by the caller first.
 */
void router_init(struct router *r, struct config *conf);

/*
 * router_set_nice() - run the process at dataplane.nice. Lowering it
 * needs CAP_SYS_NICE, so after the privilege drop a reload can only raise
 * it; a failure is logged and the old priority stays.
 */
int router_set_nice(int nice);

/**
 * router_reload() - parse @path, validate, and swap rules, routes,
 * addresses, timeouts and limits. On failure nothing changes and *@errs
 * holds every error (the caller frees it).
 * Return: 0 or -1.
 */
int router_reload(struct router *r, const char *path,
    struct conf_errors *errs);
/*
 * router_reload_conf() - the second half of router_reload(): check and
 * swap in @new, already parsed (off the loop, src/reload.c), or count the
 * failure when @new is NULL (@errs then says why). Takes @new.
 * Return: 0 or -1.
 */
int router_reload_conf(struct router *r, struct config *new,
    const char *path, struct conf_errors *errs);

/* router_ifname() - the name of interface @idx, or NULL. */
const char *router_ifname(const struct router *r, int idx);

/* Totals over all interfaces, for `status`. */
void router_totals(const struct router *r, struct iface_stats *sum);

#endif
