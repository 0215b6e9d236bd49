/* SPDX-License-Identifier: ISC */
/*
 * The configuration: the YAML file of SPEC section 4 turned into a struct,
 * with every object keeping the file:line:col it came from. Loading never
 * touches the running daemon, so a reload can parse, validate and only then
 * swap.
 *
 * (Named conf.h because autoconf owns config.h.)
 */
#ifndef HAIRPIND_CONF_H
#define HAIRPIND_CONF_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "log.h"
#include "rule.h"

#define CONF_MAX_IFACES 32
#define CONF_MAX_ADDRS 16

struct conf_loc {
	int line, col;		/* 1-based; 0 when not from the file */
};

struct conf_addr {
	uint32_t addr;		/* network order */
	uint8_t plen;
};

struct conf_iface {
	char *name;		/* rule name: in-interface=NAME */
	char *tap;		/* kernel device name */
	char *netns;		/* NULL: the daemon's own namespace */
	struct conf_addr addrs[CONF_MAX_ADDRS];
	int naddrs;		/* >= 1; addrs[0] is primary */
	uint8_t mac[6];		/* set from config, or derived stable LAA */
	int mtu;		/* 68..65535, default 1500 */
	struct conf_loc loc;
};

struct conf_route {
	uint32_t dst;		/* network order, masked */
	uint8_t plen;
	uint32_t gateway;	/* network order; 0 for a device route */
	int iface;		/* index into ifaces, resolved from the gateway
				   (or `interface:`), never -1 after load */
	struct conf_loc loc;
	uint8_t distance;	/* /ip route distance, 1 when not given */
	uint16_t table;		/* routing-table / routing-mark (names.h), 0 main */
	bool check_gateway;	/* check-gateway=ping */
	int kind;		/* 0 a gateway route; else an enum route_kind
				   of a route that discards (blackhole, ...) */
};

/* Seconds. Keys of conntrack.timeouts in the YAML are given in comments. */
struct conf_timeouts {
	uint32_t tcp_syn_sent;		/* tcp-syn-sent */
	uint32_t tcp_syn_received;	/* tcp-syn-received */
	uint32_t tcp_established;	/* tcp-established */
	uint32_t tcp_fin_wait;		/* tcp-fin-wait */
	uint32_t tcp_close_wait;	/* tcp-close-wait */
	uint32_t tcp_last_ack;		/* tcp-last-ack */
	uint32_t tcp_time_wait;		/* tcp-time-wait */
	uint32_t tcp_close;		/* tcp-close */
	uint32_t udp;			/* udp: unreplied or one-way */
	uint32_t udp_stream;		/* udp-stream: seen both ways */
	uint32_t icmp;			/* icmp */
	uint32_t generic;		/* generic */
};

struct conf_limits {
	uint32_t ct_max;		/* conntrack.max, default 262144 */
	uint32_t frag_max_bytes;	/* conntrack.frag-max-bytes, default 4 MiB */
	uint32_t frag_timeout;		/* conntrack.frag-timeout, seconds, default 30 */
	uint32_t nat_ports_per_host;	/* conntrack.nat-ports-per-host: NAT ports (ICMP ids) per internal host and protocol, default 8192, 0: no limit */
	uint32_t arp_queue;		/* arp.queue-len: packets per unresolved neighbour, default 16 */
	uint32_t arp_max;		/* arp.max: neighbour entries, default 4096 */
	bool arp_accept;		/* arp.accept: learn from unsolicited replies
					   and gratuitous ARP (Linux arp_accept), default no */
	uint32_t arp_locktime_ms;	/* arp.locktime: a fresh entry's MAC is not
					   replaced within this time, default 1s */
	uint32_t ctl_max_clients;	/* control.max-clients, default 64 */
};

/*
 * dataplane: how the forwarding loop shares the machine. The kernel
 * forwards in softirq, ahead of every task; a userspace router that is
 * one task among its own traffic's endpoints loses to it on a busy host.
 */
struct conf_dataplane {
	int nice;			/* dataplane.nice, -20..19 */
	bool nice_set;			/* else the priority is left alone */
	uint32_t busy_poll_us;		/* dataplane.busy-poll, 0: off */
	bool busy_poll_auto;		/* ... auto (the default): adaptive */
	enum { DP_IO_AUTO, DP_IO_URING, DP_IO_READWRITE } io; /* dataplane.io */
};

/* icmp: the rate limit of the router's ICMP errors (icmp_rl.h). */
struct conf_icmp {
	uint32_t rate;			/* icmp.rate: errors/s in all, 0: off */
	uint32_t burst;			/* icmp.burst */
	uint32_t dst_rate;		/* icmp.per-destination-rate, 0: off */
	uint32_t dst_burst;		/* icmp.per-destination-burst */
	uint32_t destinations;		/* icmp.destinations: buckets */
};

/*
 * service-port: the NAT helpers, as RouterOS /ip firewall service-port
 * names them; on/off and ports default as RouterOS ships them.
 */
enum conf_sp {
	CONF_SP_FTP,		/* ftp: ports 21, on */
	CONF_SP_TFTP,		/* tftp: 69, on */
	CONF_SP_PPTP,		/* pptp: 1723, on */
	CONF_SP_SIP,		/* sip: 5060,5061, off */
	CONF_SP_COUNT,
};
#define CONF_SP_PORTS 8

struct conf_service_port {
	bool enabled;
	uint16_t ports[CONF_SP_PORTS];	/* host order */
	int nports;
};

/* dns.static[].type, as RouterOS /ip dns static type= */
enum conf_dns_type {
	CONF_DNS_A, CONF_DNS_AAAA, CONF_DNS_CNAME, CONF_DNS_TXT, CONF_DNS_MX,
	CONF_DNS_NS, CONF_DNS_SRV, CONF_DNS_FWD, CONF_DNS_NXDOMAIN,
	CONF_DNS_TYPE_COUNT
};

#define CONF_DNS_MAX_SERVERS 8

/* One dns.static entry (RouterOS /ip dns static). */
struct conf_dns_static {
	char *name;		/* lowercase, no final dot; NULL with regexp */
	char *regexp;		/* the pattern as written; NULL with name */
	void *re;		/* regex_t, compiled REG_EXTENDED|REG_ICASE */
	bool match_subdomain;	/* match-subdomain=yes: name and below */
	enum conf_dns_type type;
	uint8_t addr[16];	/* A (4 bytes) or AAAA */
	char *data;		/* cname, text, mx-exchange, ns, srv-target */
	uint16_t mx_preference;
	uint16_t srv_priority, srv_weight, srv_port;
	uint32_t forward_to;	/* FWD: server, network order */
	uint32_t ttl;		/* seconds, default 1d as RouterOS */
	struct conf_loc loc;
};

/* dns: the router as a DNS server and forwarder (SPEC section 10). */
struct conf_dns {
	bool configured;		/* a dns: section exists */
	uint32_t servers[CONF_DNS_MAX_SERVERS];	/* network order */
	int nservers;
	bool allow_remote;		/* allow-remote-requests, default no */
	bool ifaces_set;		/* interfaces: given */
	bool ifaces[CONF_MAX_IFACES];	/* where clients may ask */
	struct conf_dns_static *statics;
	int nstatics;
	bool split_horizon;		/* split-horizon: auto */
	uint32_t cache_size;		/* bytes; cache-size, default 2048KiB */
	uint32_t cache_max_ttl;		/* seconds, default 1w */
	uint32_t max_queries;		/* max-concurrent-queries, default 100 */
	uint32_t max_tcp;		/* max-concurrent-tcp-sessions, default 20 */
	uint32_t server_timeout_ms;	/* query-server-timeout, default 2s */
	uint32_t total_timeout_ms;	/* query-total-timeout, default 10s */
	struct conf_loc loc;		/* where dns: is */
};

/* /interface list: members as a bit per interface index. */
struct conf_iflist {
	char *name;
	uint32_t members;
	char *comment;		/* may be NULL */
	bool builtin;		/* all, none, dynamic, static */
};

struct addrlist_set;

/* ip-settings: RouterOS /ip settings. */
enum conf_rp_filter { CONF_RP_NO, CONF_RP_LOOSE, CONF_RP_STRICT };

struct conf_ip {
	enum conf_rp_filter rp_filter;	/* rp-filter: no | loose | strict, default no */
	bool accept_source_route;	/* accept-source-route, default no */
};

struct config {
	char *path;
	struct conf_iface ifaces[CONF_MAX_IFACES];
	int nifaces;
	struct conf_route *routes;
	int nroutes;
	struct ruleset *nat;		/* never NULL: builtin chains exist */
	struct ruleset *filter;		/* never NULL */
	struct ruleset *mangle;		/* never NULL */
	struct ruleset *raw;		/* never NULL */
	struct conf_iflist *iflists;	/* builtins first */
	int niflists;
	struct addrlist_set *alists;	/* never NULL */
	char *routeros_file;		/* routeros: { file: }, resolved */
	char **notes;			/* "FILE:LINE: note: ...", -t prints */
	int nnotes;
	char *summary;			/* one line for -t after a routeros: */
	struct conf_timeouts timeouts;
	struct conf_limits limits;
	struct conf_dataplane dp;
	struct conf_ip ip;
	struct conf_icmp icmp;
	struct conf_service_port sp[CONF_SP_COUNT];	/* service-port */
	struct conf_dns dns;
	char *ctl_socket;		/* control.socket */
	mode_t ctl_mode;		/* control.mode, default 0660 */
	char *ctl_group;		/* control.group, NULL: keep */
	char *user;			/* NULL: keep running as root */
	enum log_level log_level;	/* log.level: error|warning|info|debug */
	enum log_target log_target;	/* log.target: stderr|syslog */
};

/* Every error found in one load, each already formatted. */
struct conf_errors {
	char **msgs;	/* "FILE:LINE:COL: message\n    source line\n    ^" */
	int n;
};

/**
 * conf_load() - read, parse and validate a YAML configuration file.
 * @path: file to read
 * @errs: filled with every error found (the caller frees with
 *        conf_errors_free()); empty when the load succeeds
 *
 * Return: the configuration, or NULL when there was any error.
 */
struct config *conf_load(const char *path, struct conf_errors *errs);

/* conf_load_buf() - the same from memory; @name is used in messages. */
struct config *conf_load_buf(const char *name, const char *buf, size_t len,
    struct conf_errors *errs);

void conf_free(struct config *conf);
void conf_dns_static_free(struct conf_dns_static *e);
void conf_errors_free(struct conf_errors *errs);

/**
 * conf_service_port_set() - what `/ip firewall service-port set NAME
 * ports=... disabled=...` does, for a RouterOS export.
 * @ports: "21" or "5060,5061", NULL to keep
 * @disabled: 1, 0, or -1 to keep
 * Return: 0, or -1 with the reason in @err.
 */
int conf_service_port_set(struct config *c, const char *name,
    const char *ports, int disabled, char *err, size_t errlen);

/* conf_iface_find() - index of the interface named @name, or -1. */
int conf_iface_find(const struct config *conf, const char *name);

/*
 * Parse helpers shared with the control protocol and hairpinctl.
 * Return 0 on success, -1 on error.
 */
int conf_parse_prefix(const char *s, uint32_t *addr, uint8_t *plen);
int conf_parse_duration(const char *s, uint32_t *seconds);
/* "0", "500us", "3ms", "1s": microseconds, up to 10 s. */
int conf_parse_usec(const char *s, uint32_t *usec);
/* "1500ms", "2s", "1m": milliseconds, up to a day. */
int conf_parse_msec(const char *s, uint32_t *msec);

#endif
