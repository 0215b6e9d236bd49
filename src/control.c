/* SPDX-License-Identifier: ISC */
/*
 * The control socket server: request lines in, one JSON line out each,
 * and the `events` and `trace` streams (SPEC section 7).
 *
 * Every client has a bounded input buffer (one request line of
 * CONTROL_LINE_MAX bytes, longer lines are answered with an error and
 * skipped up to their newline) and an output queue. A request client whose
 * queue passes CONTROL_OUT_MAX is not read from until it drains, so its
 * pipelined requests wait instead of piling up replies; a stream client
 * that falls that far behind is dropped, because the packet path must
 * never wait for it. Sockets are non-blocking and each callback does a
 * bounded amount of work, so the packet loop keeps running whatever the
 * clients do.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>

#include "addrlist.h"
#include "arp.h"
#include "conf.h"
#include "control.h"
#include "ctl_json.h"
#include "ct.h"
#include "dns.h"
#include "frag.h"
#include "log.h"
#include "metrics.h"
#include "names.h"
#include "natport.h"
#include "privdrop.h"
#include "reload.h"
#include "route.h"
#include "routeros.h"
#include "router.h"
#include "tapring.h"
#include "rule.h"
#include "trace.h"
#include "xmalloc.h"

/* glibc's sys/queue.h lacks the _SAFE iterators. */
#ifndef TAILQ_FOREACH_SAFE
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	    (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);	\
	    (var) = (tvar))
#endif

#define CTL_DEFAULT_SOCKET	RUNSTATEDIR "/hairpind/hairpind.sock"
#define CTL_DEFAULT_CLIENTS	64
/* Raw input held per client: a full line plus the next read. */
#define CTL_IN_MAX		(2 * CONTROL_LINE_MAX + 2)
#define CTL_READ_SIZE		CONTROL_LINE_MAX
#define CTL_ACCEPT_BATCH	16
#define CTL_WRITE_ROUNDS	16
#define CTL_MAX_WORDS		16
#define CTL_SWEEP_SECONDS	10

static const char ctl_internal_error[] =
    "{\"ok\":false,\"error\":\"internal error\"}\n";
static const char ctl_too_many[] =
    "{\"ok\":false,\"error\":\"too many clients\"}\n";

enum ctl_mode { CTL_REQUEST, CTL_EVENTS, CTL_TRACE };

/* The filters of `conntrack`, `events` and `trace`; network order. */
struct ctl_filter {
	int proto;		/* -1: any */
	bool src_set, dst_set;
	uint32_t src, src_mask;
	uint32_t dst, dst_mask;
	int port;		/* -1: any */
};

/* ctl_client.listing: which listing is being written in slices */
#define CTL_LIST_NONE		0
#define CTL_LIST_CT		1	/* `conntrack` */
#define CTL_LIST_NEIGH		2	/* `neighbors` */

struct ctl_client {
	TAILQ_ENTRY(ctl_client) entry;
	int fd;
	struct event *rev, *wev;
	bool rev_on, wev_on;
	struct evbuffer *in, *out;
	enum ctl_mode mode;
	struct ctl_filter filt;
	bool discard;		/* skipping the rest of a long line */
	bool blocked;		/* output over bound: requests wait */
	int listing;		/* CTL_LIST_*: a listing is being written */
	bool reloading;		/* waiting for the answer to `reload` */
	struct ctl_filter lfilt;	/* its filter */
	uint32_t lnext;		/* the next conntrack index to look at */
	uint32_t lleft;		/* rows it may still write */
	uint32_t lrows;		/* rows written */
	bool eof;		/* the peer shut down its sending side */
	time_t last_in;		/* monotonic: last bytes received */
	time_t last_out;	/* monotonic: last write progress */
};

TAILQ_HEAD(ctl_client_list, ctl_client);

static struct {
	struct router *r;
	int fd;
	int dirfd;		/* the socket's directory, pinned */
	char *path;
	char *name;		/* the socket's name in dirfd */
	struct event *lev, *pause_ev, *sweep_ev;
	struct ctl_client_list clients;
	unsigned int nclients, nevents, ntrace;
	uint64_t stream_drops;
} ctl = { .fd = -1, .dirfd = -1 };

static void ctl_client_free(struct ctl_client *c);
static void ctl_client_settle(struct ctl_client *c);
static void ctl_process(struct ctl_client *c);
static void ctl_list_more(struct ctl_client *c);

static time_t
ctl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* --- output -------------------------------------------------------------- */

static void
ctl_out_add(struct ctl_client *c, const void *data, size_t len)
{
	if (evbuffer_get_length(c->out) == 0)
		c->last_out = ctl_now();
	if (evbuffer_add(c->out, data, len) == -1)
		log_warnx("control: out of memory for a reply");
}

/* Queue @j (consumed) as one line. */
static void
ctl_send(struct ctl_client *c, json_t *j)
{
	char *s = NULL;

	if (j != NULL)
		s = json_dumps(j, CTL_JSON_FLAGS);
	json_decref(j);
	if (s == NULL) {
		ctl_out_add(c, ctl_internal_error,
		    sizeof(ctl_internal_error) - 1);
		return;
	}
	ctl_out_add(c, s, strlen(s));
	ctl_out_add(c, "\n", 1);
	free(s);
}

static void
ctl_reply(struct ctl_client *c, json_t *result)
{
	json_t *o = json_object();

	if (o == NULL || result == NULL) {
		json_decref(o);
		json_decref(result);
		ctl_send(c, NULL);
		return;
	}
	json_object_set_new(o, "ok", json_true());
	json_object_set_new(o, "result", result);
	ctl_send(c, o);
}

static void
ctl_error_text(struct ctl_client *c, const char *msg)
{
	json_t *o = json_object();

	if (o != NULL) {
		json_object_set_new(o, "ok", json_false());
		json_object_set_new(o, "error", ctl_str(msg));
	}
	ctl_send(c, o);
}

static void __attribute__((format(printf, 2, 3)))
ctl_error(struct ctl_client *c, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ctl_error_text(c, buf);
}

/* --- filters ------------------------------------------------------------- */

static int
ctl_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (*s == '\0' || strlen(s) > 10)
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

/* "A" or "A/N" into a network-order address and mask. */
static int
ctl_parse_prefix(const char *s, uint32_t *addr, uint32_t *mask)
{
	char buf[INET_ADDRSTRLEN + 4];
	unsigned long plen = 32;
	struct in_addr in;
	char *slash;

	if (strlen(s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, strlen(s) + 1);
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash = '\0';
		if (ctl_parse_uint(slash + 1, 32, &plen) == -1)
			return -1;
	}
	if (inet_pton(AF_INET, buf, &in) != 1)
		return -1;
	*mask = plen == 0 ? 0 : htonl(0xffffffffu << (32 - plen));
	*addr = in.s_addr & *mask;
	return 0;
}

static int
ctl_parse_proto(const char *s)
{
	unsigned long v;
	int i;

	if ((i = ctl_proto_number(s)) >= 0)
		return i;
	if (ctl_parse_uint(s, 255, &v) == -1)
		return -1;
	return (int)v;
}

/*
 * Parse `key=value` words into @f (and the row limit when @limit is not
 * NULL). On error, answers the client and returns -1.
 */
static int
ctl_filter_parse(struct ctl_client *c, const char *cmd, int argc,
    char **argv, struct ctl_filter *f, uint32_t *limit)
{
	char e1[CTL_WORD_ECHO], e2[CTL_WORD_ECHO];
	unsigned long v;
	const char *val;
	char *eq;
	int i;

	memset(f, 0, sizeof(*f));
	f->proto = -1;
	f->port = -1;
	for (i = 0; i < argc; i++) {
		if ((eq = strchr(argv[i], '=')) == NULL)
			goto unknown;
		*eq = '\0';
		val = eq + 1;
		if (strcmp(argv[i], "proto") == 0) {
			if ((f->proto = ctl_parse_proto(val)) == -1) {
				ctl_error(c, "%s: bad proto \"%s\" (expected "
				    "tcp, udp, icmp or 0-255)", cmd,
				    ctl_echo(val, e1));
				return -1;
			}
		} else if (strcmp(argv[i], "src") == 0 ||
		    strcmp(argv[i], "dst") == 0) {
			bool src = argv[i][0] == 's';

			if (ctl_parse_prefix(val, src ? &f->src : &f->dst,
			    src ? &f->src_mask : &f->dst_mask) == -1) {
				ctl_error(c, "%s: bad %s \"%s\" (expected an "
				    "address or CIDR)", cmd, argv[i],
				    ctl_echo(val, e1));
				return -1;
			}
			if (src)
				f->src_set = true;
			else
				f->dst_set = true;
		} else if (strcmp(argv[i], "port") == 0) {
			if (ctl_parse_uint(val, 65535, &v) == -1) {
				ctl_error(c, "%s: bad port \"%s\" (expected "
				    "0-65535)", cmd,
				    ctl_echo(val, e1));
				return -1;
			}
			f->port = (int)v;
		} else if (limit != NULL && strcmp(argv[i], "limit") == 0) {
			if (ctl_parse_uint(val, CONTROL_CT_LIMIT_MAX, &v) ==
			    -1 || v == 0) {
				ctl_error(c, "%s: bad limit \"%s\" (expected "
				    "1-%d)", cmd, ctl_echo(val, e1),
				    CONTROL_CT_LIMIT_MAX);
				return -1;
			}
			*limit = (uint32_t)v;
		} else {
			*eq = '=';
			goto unknown;
		}
		continue;
unknown:
		ctl_error(c, "%s: unknown argument \"%s\" (expected proto=, "
		    "src=, dst=, port=%s)", cmd,
		    ctl_echo(argv[i], e2),
		    limit != NULL ? ", limit= or flush" : "");
		return -1;
	}
	return 0;
}

static bool
ctl_filter_tuple(const struct ctl_filter *f, uint8_t proto, uint32_t src,
    uint32_t dst, uint16_t sport, uint16_t dport)
{
	if (f->proto >= 0 && proto != f->proto)
		return false;
	if (f->src_set && (src & f->src_mask) != f->src)
		return false;
	if (f->dst_set && (dst & f->dst_mask) != f->dst)
		return false;
	if (f->port >= 0 && (!ctl_has_ports(proto) ||
	    (ntohs(sport) != f->port && ntohs(dport) != f->port)))
		return false;
	return true;
}

/* A connection matches when either of its tuples does. */
static bool
ctl_filter_entry(const struct ctl_filter *f, const struct ct_entry *e)
{
	return ctl_filter_tuple(f, e->orig.proto, e->orig.src, e->orig.dst,
	    e->orig.sport, e->orig.dport) ||
	    ctl_filter_tuple(f, e->reply.proto, e->reply.src, e->reply.dst,
	    e->reply.sport, e->reply.dport);
}

/* A packet matches in either direction, so a trace shows both ways. */
static bool
ctl_filter_packet(const struct ctl_filter *f, const struct ct_tuple *t)
{
	return ctl_filter_tuple(f, t->proto, t->src, t->dst, t->sport,
	    t->dport) ||
	    ctl_filter_tuple(f, t->proto, t->dst, t->src, t->dport, t->sport);
}

/* --- commands ------------------------------------------------------------ */

/*
 * How the TAPs are read and written; with io_uring, how many system
 * calls moved how many frames (their ratio is the batching).
 */
static void
ctl_status_dataplane(const struct router *r, json_t *o)
{
	struct tapring_stats st;

	if (r->nifaces == 0 || r->ifaces[0].tr == NULL) {
		json_object_set_new(o, "dataplane-io",
		    json_string("read-write"));
		return;
	}
	tapring_stats(r->ifaces[0].tr, &st);
	json_object_set_new(o, "dataplane-io", json_string("io_uring"));
	json_object_set_new(o, "io-uring-enters", ctl_uint(st.enters));
	json_object_set_new(o, "io-uring-rx-frames", ctl_uint(st.rx_frames));
	json_object_set_new(o, "io-uring-tx-queued", ctl_uint(st.tx_queued));
	json_object_set_new(o, "io-uring-no-buffers", ctl_uint(st.nobufs));
}

static void
ctl_cmd_status(struct ctl_client *c, int argc, char **argv)
{
	struct router *r = ctl.r;
	const struct ct_counters *cc = NULL;
	struct iface_stats sum;
	uint64_t drops = 0;
	time_t now = time(NULL);
	json_t *o;
	int i;

	memset(&sum, 0, sizeof(sum));
	router_totals(r, &sum);
	for (i = 0; i < DROP_COUNT; i++)
		drops += sum.drops[i];
	if (r->ct != NULL)
		cc = ct_counters(r->ct);

	o = json_object();
	json_object_set_new(o, "version", json_string(PACKAGE_VERSION));
	json_object_set_new(o, "pid", json_integer(getpid()));
	json_object_set_new(o, "uptime",
	    json_integer(now > r->started ? now - r->started : 0));
	json_object_set_new(o, "config", ctl_str(r->conf->path));
	json_object_set_new(o, "interfaces", json_integer(r->nifaces));
	json_object_set_new(o, "conntrack-count",
	    json_integer(r->ct != NULL ? ct_count(r->ct) : 0));
	json_object_set_new(o, "conntrack-max", json_integer(r->ct != NULL ?
	    ct_max(r->ct) : r->conf->limits.ct_max));
	json_object_set_new(o, "rx-packets", ctl_uint(sum.rx_packets));
	json_object_set_new(o, "rx-bytes", ctl_uint(sum.rx_bytes));
	json_object_set_new(o, "tx-packets", ctl_uint(sum.tx_packets));
	json_object_set_new(o, "tx-bytes", ctl_uint(sum.tx_bytes));
	json_object_set_new(o, "drops", ctl_uint(drops));
	json_object_set_new(o, "conntrack-created",
	    ctl_uint(cc != NULL ? cc->created : 0));
	json_object_set_new(o, "conntrack-expired",
	    ctl_uint(cc != NULL ? cc->expired : 0));
	json_object_set_new(o, "conntrack-evicted",
	    ctl_uint(cc != NULL ? cc->evicted : 0));
	json_object_set_new(o, "conntrack-dropped",
	    ctl_uint(cc != NULL ? cc->dropped : 0));
	json_object_set_new(o, "nat-mappings",
	    json_integer(r->np != NULL ? natport_count(r->np) : 0));
	json_object_set_new(o, "reloads", ctl_uint(r->reloads));
	json_object_set_new(o, "reload-failures",
	    ctl_uint(r->reload_failures));
	json_object_set_new(o, "control-clients", json_integer(ctl.nclients));
	ctl_status_dataplane(r, o);
	ctl_reply(c, o);
}

static void
ctl_cmd_interfaces(struct ctl_client *c, int argc, char **argv)
{
	struct router *r = ctl.r;
	json_t *rows = json_array(), *o, *addrs, *drops;
	const struct conf_iface *ci;
	const struct iface *ifp;
	int i, k;

	for (i = 0; i < r->nifaces; i++) {
		ifp = &r->ifaces[i];
		ci = ifp->conf;
		if (ci == NULL && i < r->conf->nifaces)
			ci = &r->conf->ifaces[i];
		if (ci == NULL)
			continue;
		addrs = json_array();
		for (k = 0; k < ci->naddrs && k < CONF_MAX_ADDRS; k++)
			json_array_append_new(addrs,
			    ctl_prefix(ci->addrs[k].addr, ci->addrs[k].plen));
		drops = json_object();
		for (k = 0; k < DROP_COUNT; k++)
			if (ifp->st.drops[k] != 0)
				json_object_set_new(drops,
				    drop_reason_name((enum drop_reason)k),
				    ctl_uint(ifp->st.drops[k]));
		o = json_object();
		json_object_set_new(o, "name", ctl_str(ci->name));
		json_object_set_new(o, "tap", ctl_str(ci->tap));
		json_object_set_new(o, "netns", ctl_str(ci->netns));
		json_object_set_new(o, "mac", ctl_mac(ci->mac));
		json_object_set_new(o, "mtu", json_integer(ci->mtu));
		json_object_set_new(o, "addresses", addrs);
		json_object_set_new(o, "rx-packets",
		    ctl_uint(ifp->st.rx_packets));
		json_object_set_new(o, "rx-bytes", ctl_uint(ifp->st.rx_bytes));
		json_object_set_new(o, "tx-packets",
		    ctl_uint(ifp->st.tx_packets));
		json_object_set_new(o, "tx-bytes", ctl_uint(ifp->st.tx_bytes));
		json_object_set_new(o, "drops", drops);
		json_array_append_new(rows, o);
	}
	ctl_reply(c, rows);
}

static void
ctl_cmd_routes(struct ctl_client *c, int argc, char **argv)
{
	struct router *r = ctl.r;
	json_t *rows = json_array(), *o;
	const struct route *rt;
	char a[INET_ADDRSTRLEN];
	int i, n;

	n = r->routes != NULL ? route_count(r->routes) : 0;
	for (i = 0; i < n; i++) {
		if ((rt = route_get(r->routes, i)) == NULL)
			continue;
		o = json_object();
		json_object_set_new(o, "dst", ctl_prefix(rt->dst, rt->plen));
		json_object_set_new(o, "gateway", rt->gateway != 0 ?
		    json_string(ctl_ntop(rt->gateway, a)) : json_null());
		json_object_set_new(o, "interface",
		    ctl_str(router_ifname(r, rt->iface)));
		json_object_set_new(o, "kind",
		    ctl_str(route_kind_name(rt->kind)));
		json_object_set_new(o, "routing-table", rt->table == 0 ?
		    json_string("main") : ctl_str(names_str(NAMES_MARK,
		    rt->table)));
		json_object_set_new(o, "distance", json_integer(rt->distance));
		json_object_set_new(o, "check-gateway", rt->check_gateway ?
		    json_string("ping") : json_null());
		/* the first of its destination and table that can be used */
		json_object_set_new(o, "active", json_boolean(rt->gw_up &&
		    route_lookup_table(r->routes, rt->table, rt->dst) == rt));
		json_array_append_new(rows, o);
	}
	ctl_reply(c, rows);
}

/* `neighbors`: a listing in slices, as `conntrack` (see ctl_list_more()). */
static void
ctl_cmd_neighbors(struct ctl_client *c, int argc, char **argv)
{
	static const char head[] = "{\"ok\":true,\"result\":[";

	(void)argc;
	(void)argv;
	c->listing = CTL_LIST_NEIGH;
	c->lnext = 0;
	c->lleft = UINT32_MAX;
	c->lrows = 0;
	ctl_out_add(c, head, sizeof(head) - 1);
	ctl_list_more(c);
}

static void
ctl_rules_add(json_t *rows, const char *table, const struct ruleset *rs)
{
	const struct rule_chain *ch;
	const struct rule *ru;
	json_t *o;
	int i, k;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->nchains; i++) {
		ch = &rs->chains[i];
		for (k = 0; k < ch->nrules; k++) {
			ru = ch->rules[k];
			o = json_object();
			json_object_set_new(o, "table", json_string(table));
			json_object_set_new(o, "chain", ctl_str(ch->name));
			json_object_set_new(o, "index",
			    json_integer(ru->index));
			json_object_set_new(o, "rule", ctl_str(ru->text));
			json_object_set_new(o, "packets",
			    ctl_uint(ru->packets));
			json_object_set_new(o, "bytes", ctl_uint(ru->bytes));
			json_object_set_new(o, "disabled",
			    json_boolean(ru->disabled));
			json_object_set_new(o, "comment",
			    ctl_str(ru->comment));
			json_array_append_new(rows, o);
		}
	}
}

/*
 * RouterOS shows fasttrack's packets on a dynamic rule of its own at the
 * top of filter: "special dummy rule to show fasttrack counters".
 */
static void
ctl_rules_fasttrack(json_t *rows, const struct router *r)
{
	const struct ruleset *rs = r->conf->filter;
	bool any = false;
	json_t *o;
	int i;

	for (i = 0; i < rs->chains[CHAIN_FORWARD].nrules; i++)
		if (rs->chains[CHAIN_FORWARD].rules[i]->action ==
		    RULE_FASTTRACK)
			any = true;
	if (!any && r->fasttrack_packets == 0)
		return;
	o = json_object();
	json_object_set_new(o, "table", json_string("filter"));
	json_object_set_new(o, "chain", json_string("forward"));
	json_object_set_new(o, "index", json_integer(-1));
	json_object_set_new(o, "rule", json_string("chain=forward "
	    "action=passthrough comment=\"special dummy rule to show "
	    "fasttrack counters\""));
	json_object_set_new(o, "packets", ctl_uint(r->fasttrack_packets));
	json_object_set_new(o, "bytes", ctl_uint(r->fasttrack_bytes));
	json_object_set_new(o, "disabled", json_false());
	json_object_set_new(o, "dynamic", json_true());
	json_object_set_new(o, "comment", json_string("special dummy rule "
	    "to show fasttrack counters"));
	json_array_append_new(rows, o);
}

static void
ctl_cmd_rules(struct ctl_client *c, int argc, char **argv)
{
	static const char *const tables[] = { "filter", "nat", "mangle",
	    "raw", NULL };
	const struct ruleset *sets[] = { ctl.r->conf->filter, ctl.r->conf->nat,
	    ctl.r->conf->mangle, ctl.r->conf->raw };
	const char *want = NULL;
	json_t *rows;
	int i;

	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], "table=", 6) == 0 &&
		    ros_lookup(tables, argv[i] + 6) >= 0 && want == NULL) {
			want = argv[i] + 6;
			continue;
		}
		ctl_error(c, "rules: expected table=filter|nat|mangle|raw");
		return;
	}
	rows = json_array();
	/* nat first, then filter: the order rows always had */
	for (i = 0; i < 4; i++) {
		int t = i == 0 ? 1 : i == 1 ? 0 : i;

		if (want != NULL && strcmp(want, tables[t]) != 0)
			continue;
		if (t == 0)
			ctl_rules_fasttrack(rows, ctl.r);
		ctl_rules_add(rows, tables[t], sets[t]);
	}
	ctl_reply(c, rows);
}

struct ctl_al_walk {
	json_t *rows;
	uint16_t list;		/* 0: every list */
};

static int
ctl_al_cb(void *arg, const struct addrlist_row *row)
{
	struct ctl_al_walk *w = arg;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], buf[40];
	uint32_t lo = htonl(row->lo), hi = htonl(row->hi), size;
	json_t *o;
	int plen;

	if (w->list != 0 && row->list != w->list)
		return 0;
	ctl_ntop(lo, a);
	if (row->lo == row->hi) {
		snprintf(buf, sizeof(buf), "%s", a);
	} else {
		size = row->hi - row->lo;
		for (plen = 0; plen <= 32; plen++)
			if ((plen == 0 ? 0xffffffffu : ~(0xffffffffu <<
			    (32 - plen))) == size && (row->lo & size) == 0)
				break;
		if (plen <= 32)
			snprintf(buf, sizeof(buf), "%s/%d", a, plen);
		else
			snprintf(buf, sizeof(buf), "%s-%s", a, ctl_ntop(hi, b));
	}
	o = json_object();
	json_object_set_new(o, "list", ctl_str(names_str(NAMES_ADDRLIST,
	    row->list)));
	json_object_set_new(o, "address", json_string(buf));
	json_object_set_new(o, "dynamic", json_boolean(row->dynamic));
	json_object_set_new(o, "timeout", row->timeout_ms < 0 ? json_null() :
	    json_integer((row->timeout_ms + 999) / 1000));
	json_object_set_new(o, "comment", ctl_str(row->comment));
	json_array_append_new(w->rows, o);
	/* a listing is bounded like conntrack's */
	return json_array_size(w->rows) >= CONTROL_CT_LIMIT;
}

static void
ctl_cmd_address_lists(struct ctl_client *c, int argc, char **argv)
{
	struct ctl_al_walk w = { NULL, 0 };

	if (argc > 2 || (argc == 2 && strncmp(argv[1], "list=", 5) != 0)) {
		ctl_error(c, "address-lists: expected list=NAME");
		return;
	}
	if (argc == 2) {
		w.list = names_find(NAMES_ADDRLIST, argv[1] + 5);
		if (w.list == 0) {
			ctl_reply(c, json_array());
			return;
		}
	}
	w.rows = json_array();
	addrlist_foreach(ctl_al_cb, &w, router_now_ms());
	ctl_reply(c, w.rows);
}

static void
ctl_cmd_interface_lists(struct ctl_client *c, int argc, char **argv)
{
	const struct config *conf = ctl.r->conf;
	json_t *rows = json_array(), *o, *ifs;
	int i, j;

	if (argc > 1) {
		ctl_error(c, "interface-lists: unexpected argument");
		json_decref(rows);
		return;
	}
	for (i = 0; i < conf->niflists; i++) {
		o = json_object();
		ifs = json_array();
		for (j = 0; j < conf->nifaces && j < 32; j++)
			if (conf->iflists[i].members & (1u << j))
				json_array_append_new(ifs,
				    json_string(conf->ifaces[j].name));
		json_object_set_new(o, "list", json_string(conf->iflists[i].name));
		json_object_set_new(o, "interfaces", ifs);
		json_object_set_new(o, "builtin",
		    json_boolean(conf->iflists[i].builtin));
		json_object_set_new(o, "comment",
		    ctl_str(conf->iflists[i].comment));
		json_array_append_new(rows, o);
	}
	ctl_reply(c, rows);
}

/* One slice of a listing: at most this much output or this many rows. */
#define CTL_LIST_SLICE_BYTES	(64 * 1024)
#define CTL_LIST_SLICE_ROWS	512

struct ctl_ct_walk {
	struct ctl_client *c;
	size_t start_len;	/* output queued when the slice began */
	uint32_t rows, now;
	uint64_t now_ms;
	bool truncated, full;
};

/* Append row @o (taken) to the listing; full when the slice is. */
static void
ctl_list_row(struct ctl_ct_walk *w, json_t *o)
{
	struct ctl_client *c = w->c;
	char *s = json_dumps(o, CTL_JSON_FLAGS);

	json_decref(o);
	if (s == NULL) {
		w->full = true;
		return;
	}
	if (c->lrows++ > 0)
		ctl_out_add(c, ",", 1);
	ctl_out_add(c, s, strlen(s));
	free(s);
	c->lleft--;
	if (++w->rows >= CTL_LIST_SLICE_ROWS || evbuffer_get_length(c->out) -
	    w->start_len >= CTL_LIST_SLICE_BYTES)
		w->full = true;
}

static int
ctl_ct_cb(void *arg, const struct ct_entry *e, const struct ct_stats *st)
{
	struct ctl_ct_walk *w = arg;
	struct ctl_client *c = w->c;
	json_t *o;

	if (!ctl_filter_entry(&c->lfilt, e))
		return 0;
	if (c->lleft == 0) {
		w->truncated = true;
		return 1;
	}
	if ((o = json_object()) == NULL)
		return 1;
	ctl_ct_fill(o, e, st, w->now);
	ctl_list_row(w, o);
	return w->full ? 1 : 0;
}

static void ctl_list_row(struct ctl_ct_walk *w, json_t *o);

static int
ctl_neigh_cb(void *arg, const struct arp_neigh *n)
{
	struct ctl_ct_walk *w = arg;
	char a[INET_ADDRSTRLEN];
	bool known;
	json_t *o;

	if ((o = json_object()) == NULL)
		return 1;
	known = n->state == ARP_REACHABLE || n->state == ARP_STALE;
	json_object_set_new(o, "address", json_string(ctl_ntop(n->addr, a)));
	json_object_set_new(o, "mac", known ? ctl_mac(n->mac) : json_null());
	json_object_set_new(o, "interface",
	    ctl_str(router_ifname(ctl.r, n->iface)));
	json_object_set_new(o, "state", ctl_str(arp_state_name(n->state)));
	json_object_set_new(o, "age", n->updated_ms == 0 ? json_null() :
	    ctl_uint(w->now_ms > n->updated_ms ?
	    (w->now_ms - n->updated_ms) / 1000 : 0));
	ctl_list_row(w, o);
	return w->full ? 1 : 0;
}

/*
 * Write the next slice of @c's conntrack listing; the tail once the walk
 * is done. A slice is bounded (CTL_LIST_SLICE_*), so one listing of
 * 100000 rows never holds the loop for long, and the caller asks for the
 * next slice only when the client has read most of what is queued: its
 * queue stays within CONTROL_OUT_MAX however large the table.
 */
static void
ctl_list_more(struct ctl_client *c)
{
	struct router *r = ctl.r;
	struct ctl_ct_walk w;

	memset(&w, 0, sizeof(w));
	w.c = c;
	w.start_len = evbuffer_get_length(c->out);
	w.now = router_now();
	w.now_ms = router_now_ms();
	if (c->listing == CTL_LIST_NEIGH && r->arp != NULL &&
	    c->lnext != UINT32_MAX) {
		/* empty slots count too: a million-slot table is sliced */
		c->lnext = arp_foreach_from(r->arp, c->lnext,
		    CTL_LIST_SLICE_ROWS * 64, ctl_neigh_cb, &w);
		if (c->lnext != UINT32_MAX)
			w.full = true;
	} else if (c->listing == CTL_LIST_CT && r->ct != NULL &&
	    c->lnext != UINT32_MAX)
		c->lnext = ct_foreach_from(r->ct, c->lnext, ctl_ct_cb, &w);
	else
		c->lnext = UINT32_MAX;
	if (w.full && c->lnext != UINT32_MAX)
		return;		/* more on the next call */
	if (w.truncated)
		ctl_out_add(c, "],\"truncated\":true}\n", 20);
	else
		ctl_out_add(c, "]}\n", 3);
	c->listing = CTL_LIST_NONE;
}

/*
 * A listing can have a million rows, so it is not built as one JSON tree:
 * each row is dumped by jansson straight into the client's queue between
 * a constant head and tail, in slices (ctl_list_more()), and at most
 * `limit` rows are written. When more rows matched, the answer carries
 * "truncated":true. Rows are gathered slice by slice, not from one
 * snapshot: a connection created or closed meanwhile may or may not be in.
 */
static void
ctl_cmd_conntrack(struct ctl_client *c, int argc, char **argv)
{
	static const char head[] = "{\"ok\":true,\"result\":[";
	struct router *r = ctl.r;
	uint32_t limit = CONTROL_CT_LIMIT;

	if (argc >= 2 && strcmp(argv[1], "flush") == 0) {
		if (argc > 2) {
			ctl_error(c, "conntrack flush: unexpected argument");
			return;
		}
		ctl_reply(c, json_integer(r->ct != NULL ? ct_flush(r->ct) : 0));
		return;
	}
	if (ctl_filter_parse(c, "conntrack", argc - 1, argv + 1, &c->lfilt,
	    &limit) == -1)
		return;
	c->listing = CTL_LIST_CT;
	c->lnext = 0;
	c->lleft = limit;
	c->lrows = 0;
	ctl_out_add(c, head, sizeof(head) - 1);
	ctl_list_more(c);
}

/* The answer to `reload`, now or once the parse thread is done. */
static void
ctl_reload_done(void *arg, int rc, const struct conf_errors *errs,
    bool async)
{
	struct ctl_client *c = arg;
	struct evbuffer *b;
	char *msg;
	size_t len;
	int i;

	c->reloading = false;
	if (rc == 0) {
		ctl_reply(c, json_string("reloaded"));
	} else {
		b = evbuffer_new();
		for (i = 0; b != NULL && i < errs->n; i++) {
			if (errs->msgs[i] == NULL)
				continue;
			/* as for SIGHUP: the log says why, not only the client */
			log_warnx("%s", errs->msgs[i]);
			len = strlen(errs->msgs[i]);
			while (len > 0 && errs->msgs[i][len - 1] == '\n')
				len--;
			if (evbuffer_get_length(b) > 0)
				evbuffer_add(b, "\n", 1);
			evbuffer_add(b, errs->msgs[i], len);
		}
		if (b == NULL || evbuffer_get_length(b) == 0)
			ctl_error(c, "reload of %s failed", ctl.r->conf->path);
		else {
			len = evbuffer_get_length(b);
			msg = xmalloc(len + 1);
			evbuffer_remove(b, msg, len);
			msg[len] = '\0';
			ctl_error_text(c, msg);
			free(msg);
		}
		if (b != NULL)
			evbuffer_free(b);
	}
	/* from the loop: go on with what the client sent meanwhile */
	if (async) {
		ctl_process(c);
		ctl_client_settle(c);
	}
}

/*
 * The file is parsed off the loop (src/reload.c): the client waits for
 * its answer, its later requests wait behind it, forwarding goes on.
 */
static void
ctl_cmd_reload(struct ctl_client *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	c->reloading = true;
	reload_start(ctl.r, ctl_reload_done, c);
}

static void
ctl_stream_start(struct ctl_client *c, enum ctl_mode mode, const char *name)
{
	json_t *o = json_object();

	json_object_set_new(o, "ok", json_true());
	json_object_set_new(o, "stream", json_string(name));
	ctl_send(c, o);
	c->mode = mode;
	if (mode == CTL_EVENTS)
		ctl.nevents++;
	else {
		ctl.ntrace++;
		ctl.r->tracing = true;
	}
}

static void
ctl_cmd_events(struct ctl_client *c, int argc, char **argv)
{
	if (ctl_filter_parse(c, "events", argc - 1, argv + 1, &c->filt,
	    NULL) == -1)
		return;
	ctl_stream_start(c, CTL_EVENTS, "events");
}

static void
ctl_cmd_trace(struct ctl_client *c, int argc, char **argv)
{
	if (ctl_filter_parse(c, "trace", argc - 1, argv + 1, &c->filt,
	    NULL) == -1)
		return;
	ctl_stream_start(c, CTL_TRACE, "trace");
}

static void
ctl_cmd_metrics(struct ctl_client *c, int argc, char **argv)
{
	struct evbuffer *b;
	char *text;
	size_t len;

	if ((b = evbuffer_new()) == NULL) {
		ctl_send(c, NULL);
		return;
	}
	metrics_render(ctl.r, b, ctl.nclients, ctl.stream_drops);
	len = evbuffer_get_length(b);
	text = xmalloc(len + 1);
	evbuffer_remove(b, text, len);
	text[len] = '\0';
	evbuffer_free(b);
	ctl_reply(c, ctl_strn(text, len));
	free(text);
}

static void
ctl_dns_row_cb(void *arg, const struct dns_row *row)
{
	json_t *rows = arg, *o = json_object();

	if (o == NULL)
		return;
	json_object_set_new(o, "name", ctl_str(row->name));
	json_object_set_new(o, "type", ctl_str(row->type));
	json_object_set_new(o, "data", ctl_str(row->data));
	json_object_set_new(o, "ttl", json_integer(row->ttl));
	json_object_set_new(o, "static", json_boolean(row->is_static));
	json_array_append_new(rows, o);
}

/* `dns`: static entries and the cache (SPEC section 10); `dns flush`. */
static void
ctl_cmd_dns(struct ctl_client *c, int argc, char **argv)
{
	json_t *rows;

	if (argc >= 2 && strcmp(argv[1], "flush") == 0) {
		if (argc > 2) {
			ctl_error(c, "dns flush: unexpected argument");
			return;
		}
		ctl_reply(c, json_integer((json_int_t)dns_flush(ctl.r)));
		return;
	}
	if (argc > 1) {
		ctl_error(c, "dns: unknown argument (expected flush)");
		return;
	}
	if ((rows = json_array()) == NULL) {
		ctl_send(c, NULL);
		return;
	}
	dns_foreach(ctl.r, ctl_dns_row_cb, rows);
	ctl_reply(c, rows);
}

/* --- dispatch ------------------------------------------------------------ */

static const struct ctl_cmd {
	const char *name;
	void (*fn)(struct ctl_client *, int, char **);
	bool args;		/* takes arguments */
} ctl_cmds[] = {
	{ "status", ctl_cmd_status, false },
	{ "interfaces", ctl_cmd_interfaces, false },
	{ "routes", ctl_cmd_routes, false },
	{ "neighbors", ctl_cmd_neighbors, false },
	{ "rules", ctl_cmd_rules, true },
	{ "address-lists", ctl_cmd_address_lists, true },
	{ "interface-lists", ctl_cmd_interface_lists, false },
	{ "conntrack", ctl_cmd_conntrack, true },
	{ "reload", ctl_cmd_reload, false },
	{ "events", ctl_cmd_events, true },
	{ "trace", ctl_cmd_trace, true },
	{ "metrics", ctl_cmd_metrics, false },
	{ "dns", ctl_cmd_dns, true },
};

static void
ctl_request(struct ctl_client *c, char *line, size_t len)
{
	char *argv[CTL_MAX_WORDS], *p, e1[CTL_WORD_ECHO];
	const struct ctl_cmd *cmd = NULL;
	int argc = 0;
	size_t i;

	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	if (!ctl_request_text_ok(line, len)) {
		ctl_error(c, "request is not UTF-8 text");
		return;
	}
	for (p = line; ; ) {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		if (argc == CTL_MAX_WORDS) {
			ctl_error(c, "too many arguments");
			return;
		}
		argv[argc++] = p;
		p += strcspn(p, " \t");
		if (*p != '\0')
			*p++ = '\0';
	}
	if (argc == 0) {
		ctl_error(c, "empty request");
		return;
	}
	for (i = 0; i < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); i++)
		if (strcmp(argv[0], ctl_cmds[i].name) == 0)
			cmd = &ctl_cmds[i];
	if (cmd == NULL) {
		ctl_error(c, "unknown command \"%s\" (expected status, "
		    "interfaces, routes, neighbors, rules, address-lists, "
		    "interface-lists, conntrack, reload, "
		    "events, trace or metrics)",
		    ctl_echo(argv[0], e1));
		return;
	}
	if (!cmd->args && argc > 1) {
		ctl_error(c, "%s: unexpected argument \"%s\"", cmd->name,
		    ctl_echo(argv[1], e1));
		return;
	}
	cmd->fn(c, argc, argv);
}

/*
 * Answer the complete lines in the input buffer, until the output queue
 * passes its bound. A line longer than CONTROL_LINE_MAX is answered with
 * one error and skipped up to its newline. At end of input, a last line
 * without newline is still a request (printf status | nc -U works).
 */
static void
ctl_process(struct ctl_client *c)
{
	char line[CONTROL_LINE_MAX + 1];
	struct evbuffer_ptr p;
	size_t len;

	while (c->mode == CTL_REQUEST && !c->blocked && !c->listing &&
	    !c->reloading) {
		if ((len = evbuffer_get_length(c->in)) == 0)
			break;
		p = evbuffer_search(c->in, "\n", 1, NULL);
		if (p.pos == -1) {
			if (c->discard) {
				evbuffer_drain(c->in, len);
				break;
			}
			if (len > CONTROL_LINE_MAX) {
				ctl_error(c, "request too long (more than %d "
				    "bytes)", CONTROL_LINE_MAX);
				evbuffer_drain(c->in, len);
				c->discard = true;
				break;
			}
			if (!c->eof)
				break;
			evbuffer_remove(c->in, line, len);
			line[len] = '\0';
			ctl_request(c, line, len);
		} else if (c->discard) {
			evbuffer_drain(c->in, (size_t)p.pos + 1);
			c->discard = false;
		} else if ((size_t)p.pos > CONTROL_LINE_MAX) {
			ctl_error(c, "request too long (more than %d bytes)",
			    CONTROL_LINE_MAX);
			evbuffer_drain(c->in, (size_t)p.pos + 1);
		} else {
			len = (size_t)p.pos;
			evbuffer_remove(c->in, line, len);
			evbuffer_drain(c->in, 1);
			line[len] = '\0';
			ctl_request(c, line, len);
		}
		if (evbuffer_get_length(c->out) >= CONTROL_OUT_MAX / 2)
			c->blocked = true;
	}
	/* A stream client has nothing more to say. */
	if (c->mode != CTL_REQUEST)
		evbuffer_drain(c->in, evbuffer_get_length(c->in));
}

/* --- client I/O ---------------------------------------------------------- */

/* Write what the socket takes now. Return: -1 when the peer is gone. */
static int
ctl_flush(struct ctl_client *c)
{
	struct iovec iov[16];
	struct msghdr msg;
	ssize_t w;
	int n, rounds;

	for (rounds = 0; rounds < CTL_WRITE_ROUNDS &&
	    evbuffer_get_length(c->out) > 0; rounds++) {
		n = evbuffer_peek(c->out, -1, NULL, iov, 16);
		if (n > 16)
			n = 16;
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = iov;
		msg.msg_iovlen = (size_t)n;
		w = sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno != EPIPE && errno != ECONNRESET)
				log_warn("control: send");
			return -1;
		}
		evbuffer_drain(c->out, (size_t)w);
		c->last_out = ctl_now();
	}
	return 0;
}

static void
ctl_event_set(struct event *ev, bool *on, bool want)
{
	if (want && !*on)
		event_add(ev, NULL);
	else if (!want && *on)
		event_del(ev);
	*on = want;
}

/*
 * After anything happened to @c: write, resume its requests once its
 * queue drained, close it when it is done, and arm the events it needs.
 * @c may be freed; callers must not touch it afterwards.
 */
static void
ctl_client_settle(struct ctl_client *c)
{
	bool resume = false;

	if (ctl_flush(c) == -1) {
		ctl_client_free(c);
		return;
	}
	/* one slice of a listing per turn, once the client has read */
	if (c->listing &&
	    evbuffer_get_length(c->out) < CONTROL_OUT_MAX / 2) {
		ctl_list_more(c);
		resume = !c->listing;
		if (ctl_flush(c) == -1) {
			ctl_client_free(c);
			return;
		}
	}
	/* requests behind a finished listing or a drained queue */
	if (!c->listing && !c->reloading && (resume || (c->blocked &&
	    evbuffer_get_length(c->out) < CONTROL_OUT_MAX / 4))) {
		c->blocked = false;
		ctl_process(c);
		if (ctl_flush(c) == -1) {
			ctl_client_free(c);
			return;
		}
	}
	if (c->eof && (c->mode != CTL_REQUEST || (!c->blocked &&
	    !c->listing && !c->reloading && evbuffer_get_length(c->in) == 0 &&
	    evbuffer_get_length(c->out) == 0))) {
		ctl_client_free(c);
		return;
	}
	ctl_event_set(c->rev, &c->rev_on, !c->eof && !c->blocked &&
	    !c->listing && !c->reloading);
	/* a listing goes on when the socket takes more */
	ctl_event_set(c->wev, &c->wev_on, evbuffer_get_length(c->out) > 0 ||
	    c->listing);
}

static void
ctl_client_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_client *c = arg;
	char buf[CTL_READ_SIZE];
	size_t room;
	ssize_t n;

	room = CTL_IN_MAX - evbuffer_get_length(c->in);
	if (room > sizeof(buf))
		room = sizeof(buf);
	if (room == 0) {
		ctl_client_settle(c);
		return;
	}
	n = recv(fd, buf, room, MSG_DONTWAIT);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		if (errno != ECONNRESET)
			log_warn("control: recv");
		ctl_client_free(c);
		return;
	}
	if (n == 0)
		c->eof = true;
	else {
		c->last_in = ctl_now();
		if (c->mode == CTL_REQUEST)
			evbuffer_add(c->in, buf, (size_t)n);
	}
	ctl_process(c);
	ctl_client_settle(c);
}

static void
ctl_client_write_cb(evutil_socket_t fd, short what, void *arg)
{
	ctl_client_settle(arg);
}

static void
ctl_client_new(int fd)
{
	struct ctl_client *c;

	c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	c->in = evbuffer_new();
	c->out = evbuffer_new();
	c->rev = event_new(ctl.r->base, fd, EV_READ | EV_PERSIST,
	    ctl_client_read_cb, c);
	c->wev = event_new(ctl.r->base, fd, EV_WRITE | EV_PERSIST,
	    ctl_client_write_cb, c);
	if (c->in == NULL || c->out == NULL || c->rev == NULL ||
	    c->wev == NULL) {
		log_warnx("control: out of memory for a client");
		if (c->in != NULL)
			evbuffer_free(c->in);
		if (c->out != NULL)
			evbuffer_free(c->out);
		if (c->rev != NULL)
			event_free(c->rev);
		if (c->wev != NULL)
			event_free(c->wev);
		close(fd);
		free(c);
		return;
	}
	c->mode = CTL_REQUEST;
	c->last_in = c->last_out = ctl_now();
	TAILQ_INSERT_TAIL(&ctl.clients, c, entry);
	ctl.nclients++;
	ctl_event_set(c->rev, &c->rev_on, true);
}

static void
ctl_client_free(struct ctl_client *c)
{
	if (c->reloading)
		reload_cancel(c);
	TAILQ_REMOVE(&ctl.clients, c, entry);
	ctl.nclients--;
	if (c->mode == CTL_EVENTS)
		ctl.nevents--;
	else if (c->mode == CTL_TRACE && --ctl.ntrace == 0)
		ctl.r->tracing = false;
	event_free(c->rev);
	event_free(c->wev);
	evbuffer_free(c->in);
	evbuffer_free(c->out);
	close(c->fd);
	free(c);
}

/* Queue one stream line; a client this far behind is dropped. */
static void
ctl_stream_add(struct ctl_client *c, const char *s, size_t len)
{
	static struct log_rl rl;

	ctl_out_add(c, s, len);
	ctl_out_add(c, "\n", 1);
	if (evbuffer_get_length(c->out) > CONTROL_OUT_MAX) {
		ctl.stream_drops++;
		if (log_ratelimit(&rl, 5))
			log_warnx("control: dropped a %s client that does "
			    "not read", c->mode == CTL_EVENTS ? "events" :
			    "trace");
		ctl_client_free(c);
		return;
	}
	ctl_event_set(c->wev, &c->wev_on, true);
}

/* --- streams ------------------------------------------------------------- */

void
control_ct_event(enum ct_event ev, const struct ct_entry *e)
{
	static const char *const names[] = { "new", "update", "destroy" };
	struct ctl_client *c, *next;
	char *s = NULL;
	size_t len = 0;
	json_t *o;

	if (ctl.nevents == 0 || e == NULL || (unsigned int)ev > CT_EV_DESTROY)
		return;
	TAILQ_FOREACH_SAFE(c, &ctl.clients, entry, next) {
		if (c->mode != CTL_EVENTS || !ctl_filter_entry(&c->filt, e))
			continue;
		if (s == NULL) {
			if ((o = json_object()) == NULL)
				return;
			json_object_set_new(o, "event", json_string(names[ev]));
			ctl_ct_fill(o, e, ctl.r->ct != NULL ?
			    ct_stats(ctl.r->ct, e) : NULL, router_now());
			s = json_dumps(o, CTL_JSON_FLAGS);
			json_decref(o);
			if (s == NULL)
				return;
			len = strlen(s);
		}
		ctl_stream_add(c, s, len);
	}
	free(s);
}

/* The router's trace callback: one line to each matching trace client. */
static void
ctl_trace_emit(void *arg, const struct trace *t)
{
	struct ctl_client *c, *next;
	char *s = NULL;
	size_t len = 0;

	if (ctl.ntrace == 0 || t == NULL)
		return;
	TAILQ_FOREACH_SAFE(c, &ctl.clients, entry, next) {
		if (c->mode != CTL_TRACE || !ctl_filter_packet(&c->filt,
		    &t->pkt))
			continue;
		if (s == NULL) {
			if ((s = ctl_trace_dump(ctl.r, t)) == NULL)
				return;
			len = strlen(s);
		}
		ctl_stream_add(c, s, len);
	}
	free(s);
}

size_t
control_queued_bytes(void)
{
	struct ctl_client *c;
	size_t n = 0;

	if (ctl.fd == -1)
		return 0;
	TAILQ_FOREACH(c, &ctl.clients, entry)
		n += evbuffer_get_length(c->out);
	return n;
}

uint64_t
control_stream_drops(void)
{
	return ctl.stream_drops;
}

/* --- without a socket ---------------------------------------------------- */

int
control_handle_line(struct router *r, const char *line, size_t len,
    char **reply)
{
	struct router *saved = ctl.r;
	struct ctl_client c;
	size_t n;
	int rc = -1;

	*reply = NULL;
	memset(&c, 0, sizeof(c));
	c.fd = -1;
	c.mode = CTL_REQUEST;
	c.eof = true;		/* a last line without newline counts */
	c.in = evbuffer_new();
	c.out = evbuffer_new();
	if (c.in == NULL || c.out == NULL ||
	    evbuffer_add(c.in, line, len) == -1)
		goto out;
	ctl.r = r;
	/* The same line splitting and dispatch as a socket client gets;
	   the output bound only pauses it, there is no socket to wait on. */
	while (c.mode == CTL_REQUEST && (evbuffer_get_length(c.in) > 0 ||
	    c.listing)) {
		c.blocked = false;
		if (c.listing)
			ctl_list_more(&c);
		else
			ctl_process(&c);
	}
	/* A stream request answered its first line; nothing will follow. */
	if (c.mode == CTL_EVENTS)
		ctl.nevents--;
	else if (c.mode == CTL_TRACE && --ctl.ntrace == 0)
		r->tracing = false;
	ctl.r = saved;
	n = evbuffer_get_length(c.out);
	*reply = xmalloc(n + 1);
	evbuffer_remove(c.out, *reply, n);
	(*reply)[n] = '\0';
	rc = 0;
out:
	if (c.in != NULL)
		evbuffer_free(c.in);
	if (c.out != NULL)
		evbuffer_free(c.out);
	return rc;
}

/* --- listener ------------------------------------------------------------ */

static unsigned int
ctl_max_clients(void)
{
	unsigned int n = ctl.r->conf->limits.ctl_max_clients;

	return n == 0 ? CTL_DEFAULT_CLIENTS : n;
}

static void
ctl_accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	static struct log_rl rl;
	struct timeval one = { 1, 0 };
	ssize_t w;
	int fd, i;

	for (i = 0; i < CTL_ACCEPT_BATCH; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == ECONNABORTED)
				return;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/* Out of descriptors: the pending connection
				   stays readable, so wait instead of
				   spinning on it (tmux does the same). */
				if (log_ratelimit(&rl, 1))
					log_warn("control: accept");
				event_del(ctl.lev);
				evtimer_add(ctl.pause_ev, &one);
				return;
			}
			log_warn("control: accept");
			return;
		}
		if (ctl.nclients >= ctl_max_clients()) {
			w = send(fd, ctl_too_many, sizeof(ctl_too_many) - 1,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
			(void)w;
			close(fd);
			if (log_ratelimit(&rl, 1))
				log_warnx("control: too many clients (%u)",
				    ctl.nclients);
			continue;
		}
		ctl_client_new(fd);
	}
}

static void
ctl_pause_cb(evutil_socket_t fd, short what, void *arg)
{
	event_add(ctl.lev, NULL);
}

/*
 * Idle rules: a client may stay connected and silent for ever, but not in
 * the middle of a request line or with a reply it does not read.
 */
static void
ctl_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_client *c, *next;
	time_t now = ctl_now();

	TAILQ_FOREACH_SAFE(c, &ctl.clients, entry, next) {
		if ((evbuffer_get_length(c->in) > 0 || c->discard) &&
		    now - c->last_in >= CONTROL_IDLE_TIMEOUT) {
			log_debug("control: closing a client idle in a "
			    "request");
			ctl_client_free(c);
		} else if ((evbuffer_get_length(c->out) > 0 || c->listing) &&
		    now - c->last_out >= CONTROL_STALL_TIMEOUT) {
			log_debug("control: closing a client that does not "
			    "read");
			if (c->mode != CTL_REQUEST)
				ctl.stream_drops++;
			ctl_client_free(c);
		}
	}
}

static int
ctl_mkdirs(const char *path, char **cause)
{
	char *dir, *p, save;
	struct stat st;

	dir = xstrdup(path);
	if ((p = strrchr(dir, '/')) == NULL || p == dir) {
		free(dir);
		return 0;
	}
	*p = '\0';
	for (p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		save = *p;
		*p = '\0';
		if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
			xasprintf(cause, "mkdir %s: %s", dir, strerror(errno));
			free(dir);
			return -1;
		}
		*p = save;
		if (save == '\0')
			break;
	}
	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		xasprintf(cause, "%s: not a directory", dir);
		free(dir);
		return -1;
	}
	free(dir);
	return 0;
}

/*
 * A socket file left by a daemon that died is removed; one where a daemon
 * still answers means we must not start. Every look at the name is made
 * relative to the pinned directory and never follows a symlink.
 */
static int
ctl_check_stale(int dirfd, const char *name, const char *path,
    const struct sockaddr_un *sun, char **cause)
{
	struct stat st;
	int fd, rc;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno == ENOENT)
			return 0;
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		xasprintf(cause, "%s exists and is not a socket", path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return -1;
	}
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	if (rc == 0 || errno == EAGAIN || errno == EINPROGRESS) {
		close(fd);
		xasprintf(cause, "%s: another hairpind is listening there",
		    path);
		return -1;
	}
	if (errno != ECONNREFUSED) {
		xasprintf(cause, "connect %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	if (unlinkat(dirfd, name, 0) == -1 && errno != ENOENT) {
		xasprintf(cause, "unlink %s: %s", path, strerror(errno));
		return -1;
	}
	log_info("removed stale control socket %s", path);
	return 0;
}

/*
 * Pin the socket's directory and make sure nobody but root (or the user
 * we run as, when not root) can change what is in it: a directory another
 * user may write to lets that user swap the socket for a symlink between
 * our bind() and chown(). A sticky directory (/tmp) is fine: nobody else
 * can remove or rename our file there. A directory an older hairpind gave
 * to `user:` is taken back.
 * Return: the directory's descriptor, or -1.
 */
static int
ctl_open_dir(const char *dir, char **cause)
{
	struct stat st;
	uid_t me = geteuid();
	int fd;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 || fstat(fd, &st) == -1) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (st.st_uid != me && st.st_uid != 0 && me == 0 &&
	    ctl.r->conf->user != NULL &&
	    privdrop_user_is(ctl.r->conf->user, st.st_uid)) {
		if (fchown(fd, 0, (gid_t)-1) == -1) {
			xasprintf(cause, "chown %s: %s", dir,
			    strerror(errno));
			close(fd);
			return -1;
		}
		log_info("%s: taken back from %s (the control socket's "
		    "directory stays root's)", dir, ctl.r->conf->user);
		st.st_uid = 0;
	}
	if (st.st_uid != me && st.st_uid != 0) {
		xasprintf(cause, "%s: owned by uid %u: the control socket's "
		    "directory must belong to root", dir,
		    (unsigned int)st.st_uid);
		close(fd);
		return -1;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
	    !(st.st_mode & S_ISVTX)) {
		xasprintf(cause, "%s: writable by group or others and not "
		    "sticky: refusing to create the control socket there",
		    dir);
		close(fd);
		return -1;
	}
	return fd;
}

static int
ctl_group(const char *name, gid_t *gid, char **cause)
{
	unsigned long v;
	struct group *gr;

	if ((gr = getgrnam(name)) != NULL) {
		*gid = gr->gr_gid;
		return 0;
	}
	if (ctl_parse_uint(name, UINT32_MAX - 1, &v) == 0) {
		*gid = (gid_t)v;
		return 0;
	}
	xasprintf(cause, "control group \"%s\": no such group", name);
	return -1;
}

int
control_init(struct router *r, char **cause)
{
	struct timeval sweep = { CTL_SWEEP_SECONDS, 0 };
	struct sockaddr_un sun;
	const char *path;
	char *dir, *name;
	mode_t old;
	gid_t gid;
	int fd, dirfd = -1;

	*cause = NULL;
	if (ctl.fd != -1) {
		*cause = xstrdup("control socket already open");
		return -1;
	}
	path = r->conf->ctl_socket;
	if (path == NULL || *path == '\0')
		path = CTL_DEFAULT_SOCKET;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		xasprintf(cause, "control socket path too long: %s", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (ctl_mkdirs(path, cause) == -1)
		return -1;
	if ((name = strrchr(path, '/')) != NULL) {
		dir = name == path ? xstrdup("/") :
		    xstrndup(path, (size_t)(name - path));
		name = xstrdup(name + 1);
	} else {
		dir = xstrdup(".");
		name = xstrdup(path);
	}
	ctl.r = r;
	if (*name == '\0') {
		xasprintf(cause, "control socket path ends in /: %s", path);
		goto fail_dir;
	}
	if ((dirfd = ctl_open_dir(dir, cause)) == -1)
		goto fail_dir;
	if (ctl_check_stale(dirfd, name, path, &sun, cause) == -1)
		goto fail_dir;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		goto fail_dir;
	}
	/*
	 * The umask makes bind() create the file with its final mode, so no
	 * chmod() by path follows. The group is set on the name relative to
	 * the pinned directory without following a symlink, and only when
	 * the name is still our fresh socket.
	 */
	old = umask(~(mode_t)r->conf->ctl_mode & 0777);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		xasprintf(cause, "bind %s: %s", path, strerror(errno));
		goto fail_fd;
	}
	umask(old);
	if (r->conf->ctl_group != NULL) {
		struct stat st;

		if (ctl_group(r->conf->ctl_group, &gid, cause) == -1)
			goto fail;
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISSOCK(st.st_mode) || st.st_uid != geteuid() ||
		    st.st_nlink != 1) {
			xasprintf(cause, "%s: replaced after bind", path);
			goto fail;
		}
		if (fchownat(dirfd, name, (uid_t)-1, gid,
		    AT_SYMLINK_NOFOLLOW) == -1) {
			xasprintf(cause, "chgrp %s: %s", path, strerror(errno));
			goto fail;
		}
	}
	if (listen(fd, 64) == -1) {
		xasprintf(cause, "listen %s: %s", path, strerror(errno));
		goto fail;
	}

	ctl.fd = fd;
	ctl.dirfd = dirfd;
	ctl.path = xstrdup(path);
	ctl.name = name;
	free(dir);
	TAILQ_INIT(&ctl.clients);
	ctl.nclients = ctl.nevents = ctl.ntrace = 0;
	ctl.lev = event_new(r->base, fd, EV_READ | EV_PERSIST, ctl_accept_cb,
	    NULL);
	ctl.pause_ev = evtimer_new(r->base, ctl_pause_cb, NULL);
	ctl.sweep_ev = event_new(r->base, -1, EV_PERSIST, ctl_sweep_cb, NULL);
	if (ctl.lev == NULL || ctl.pause_ev == NULL || ctl.sweep_ev == NULL)
		fatalx("control: event_new");
	event_add(ctl.lev, NULL);
	event_add(ctl.sweep_ev, &sweep);
	r->tracing = false;
	r->trace_emit = ctl_trace_emit;
	r->trace_arg = NULL;
	log_debug("control socket %s", path);
	return 0;

fail:
	unlinkat(dirfd, name, 0);
fail_fd:
	close(fd);
fail_dir:
	if (dirfd != -1)
		close(dirfd);
	free(dir);
	free(name);
	ctl.r = NULL;
	return -1;
}

int
control_socket_dir(const char **name)
{
	*name = ctl.name;
	return ctl.dirfd;
}

void
control_shutdown(void)
{
	struct ctl_client *c;

	if (ctl.fd == -1)
		return;
	while ((c = TAILQ_FIRST(&ctl.clients)) != NULL)
		ctl_client_free(c);
	event_free(ctl.lev);
	event_free(ctl.pause_ev);
	event_free(ctl.sweep_ev);
	close(ctl.fd);
	/* Not root any more: the socket reaper (privdrop.c) removes it. */
	if (unlinkat(ctl.dirfd, ctl.name, 0) == -1 && errno != ENOENT &&
	    errno != EACCES && errno != EPERM)
		log_warn("unlink %s", ctl.path);
	close(ctl.dirfd);
	ctl.dirfd = -1;
	free(ctl.path);
	free(ctl.name);
	ctl.name = NULL;
	ctl.r->tracing = false;
	ctl.r->trace_emit = NULL;
	ctl.r->trace_arg = NULL;
	ctl.r = NULL;
	ctl.path = NULL;
	ctl.lev = ctl.pause_ev = ctl.sweep_ev = NULL;
	ctl.fd = -1;
}
