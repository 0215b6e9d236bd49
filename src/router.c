/* SPDX-License-Identifier: ISC */
/*
 * The path of one frame through the router, in netfilter order:
 * link checks -> ARP or IPv4 checks -> reassembly -> conntrack lookup ->
 * dstnat (first packet) -> route -> TTL -> filter input/forward -> srcnat
 * (first packet) -> conntrack insert -> rewrite -> MTU -> ARP -> TAP.
 *
 * Nothing on this path allocates: the frame is rewritten in the buffer it
 * was read into, and whatever the router says itself is built in static
 * buffers with headroom for the link headers.
 */
#include "config.h"

#include <sys/resource.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "addrlist.h"
#include "arp.h"
#include "connlimit.h"
#include "control.h"
#include "csum.h"
#include "ct.h"
#include "dns.h"
#include "frag.h"
#include "guard.h"
#include "frame.h"
#include "gso.h"
#include "icmp.h"
#include "log.h"
#include "match.h"
#include "nat.h"
#include "nat_helper.h"
#include "natport.h"
#include "route.h"
#include "routeros.h"
#include "router.h"
#include "rule.h"
#include "tap.h"
#include "trace.h"
#include "xmalloc.h"

struct router *router;

static const char *drop_names[DROP_COUNT] = {
#define X(id, name) name,
	DROP_REASONS(X)
#undef X
};

const char *
drop_reason_name(enum drop_reason reason)
{
	return (unsigned)reason < DROP_COUNT ? drop_names[reason] : "?";
}

uint64_t
router_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t
router_now_ms(void)
{
	return router_now_us() / 1000;
}

uint32_t
router_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint32_t)ts.tv_sec;
}

const char *
router_ifname(const struct router *r, int idx)
{
	if (idx >= 0 && idx < r->nifaces && r->ifaces[idx].conf != NULL)
		return r->ifaces[idx].conf->name;
	if (r->conf != NULL && idx >= 0 && idx < r->conf->nifaces)
		return r->conf->ifaces[idx].name;
	return NULL;
}

void
router_totals(const struct router *r, struct iface_stats *sum)
{
	int i, j;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < r->nifaces; i++) {
		const struct iface_stats *s = &r->ifaces[i].st;

		sum->rx_packets += s->rx_packets;
		sum->rx_bytes += s->rx_bytes;
		sum->tx_packets += s->tx_packets;
		sum->tx_bytes += s->tx_bytes;
		for (j = 0; j < DROP_COUNT; j++)
			sum->drops[j] += s->drops[j];
	}
}

/* --- tracing ------------------------------------------------------------ */

static void
trace_rule_cb(void *arg, const struct ruleset *rs, const struct rule *rl,
    bool matched)
{
	struct trace *t = arg;
	const struct router *r = router;

	if (t->nrules >= TRACE_MAX_RULES)
		return;
	(void)r;
	t->rules[t->nrules].table = ros_table_names[rs->table];
	t->rules[t->nrules].rule = rl;
	t->rules[t->nrules].matched = matched;
	t->nrules++;
}

static const char *
addr_str(uint32_t a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/*
 * Describe a translation in netfilter words: for the orig direction the
 * source change is src-nat and the destination change dst-nat; a reply
 * undoes them the other way round.
 */
static void
trace_tuple_change(struct trace *t, enum ct_dir dir, bool auto_hairpin,
    const struct ct_tuple *from, const struct ct_tuple *to)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	size_t n = strlen(t->translation);
	bool ports = from->proto == IPPROTO_TCP || from->proto == IPPROTO_UDP ||
	    from->proto == IPPROTO_SCTP;
	const char *sw = dir == CT_DIR_ORIG ? "src-nat" : "undo dst-nat";
	const char *dw = dir == CT_DIR_ORIG ? "dst-nat" : "undo src-nat";

	if (auto_hairpin)
		n += snprintf(t->translation + n, sizeof(t->translation) - n,
		    "auto-hairpin to a NAT mapping: ");
	if (n < sizeof(t->translation) && (from->dst != to->dst ||
	    (ports && from->dport != to->dport)))
		n += snprintf(t->translation + n, sizeof(t->translation) - n,
		    "%s dst %s:%u -> %s:%u", dw, addr_str(from->dst, a),
		    ntohs(from->dport), addr_str(to->dst, b), ntohs(to->dport));
	if (n < sizeof(t->translation) && (from->src != to->src ||
	    (ports && from->sport != to->sport)))
		snprintf(t->translation + n, sizeof(t->translation) - n,
		    "%s%s src %s:%u -> %s:%u", n && !auto_hairpin ? "; " : "",
		    sw, addr_str(from->src, a), ntohs(from->sport),
		    addr_str(to->src, b), ntohs(to->sport));
}

/* Say in plain words what a hairpin means for this packet. */
static void
trace_hairpin_note(struct trace *t, const struct router *r, int in_if,
    int out_if, const struct ct_tuple *t0, const struct ct_tuple *tgt,
    enum ct_dir dir, bool first)
{
	char c[INET_ADDRSTRLEN], s[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];
	char m[INET_ADDRSTRLEN];
	const char *ifn = r->ifaces[out_if].conf->name;

	if (in_if != out_if || t0->dst == tgt->dst)
		return;
	addr_str(t0->src, c);
	addr_str(tgt->dst, s);
	addr_str(t0->dst, d);
	if (!first) {
		if (dir == CT_DIR_REPLY)
			snprintf(t->note, sizeof(t->note), "reply of a hairpin "
			    "connection: the router undoes both translations, "
			    "so %s sees the answer come from %s", tgt->dst ==
			    t0->dst ? c : addr_str(tgt->dst, m), addr_str(
			    tgt->src, s));
		return;
	}
	if (t0->src != tgt->src)
		snprintf(t->note, sizeof(t->note), "hairpin: in and out via %s. "
		    "dst-nat sends it to %s on the same link as %s; src-nat "
		    "to %s makes %s answer the router, which undoes both "
		    "translations, so %s sees the answer come from %s", ifn, s,
		    c, addr_str(tgt->src, m), s, c, d);
	else
		snprintf(t->note, sizeof(t->note), "hairpin WITHOUT src-nat: "
		    "in and out via %s, and %s is on the same link as %s, so it "
		    "will answer %s directly from %s; %s expects an answer from "
		    "%s and will drop it. A srcnat masquerade rule for this "
		    "traffic out %s fixes it", ifn, s, c, c, s, c, d, ifn);
}

static void
trace_route(struct trace *t, const struct router *r, const struct route *rt)
{
	char a[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];

	if (rt == NULL) {
		snprintf(t->route, sizeof(t->route), "no route");
		return;
	}
	if (route_discards(rt)) {
		snprintf(t->route, sizeof(t->route), "%s/%u %s",
		    addr_str(rt->dst, a), rt->plen, route_kind_name(rt->kind));
		return;
	}
	if (rt->gateway != 0)
		snprintf(t->route, sizeof(t->route), "%s/%u via %s dev %s (%s)",
		    addr_str(rt->dst, a), rt->plen, addr_str(rt->gateway, g),
		    r->ifaces[rt->iface].conf->name, route_kind_name(rt->kind));
	else
		snprintf(t->route, sizeof(t->route), "%s/%u dev %s (%s)",
		    addr_str(rt->dst, a), rt->plen,
		    r->ifaces[rt->iface].conf->name, route_kind_name(rt->kind));
}

static void
trace_done(struct router *r, struct trace *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
trace_done(struct router *r, struct trace *t, const char *fmt, ...)
{
	va_list ap;

	if (t == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(t->verdict, sizeof(t->verdict), fmt, ap);
	va_end(ap);
	if (r->trace_emit != NULL)
		r->trace_emit(r->trace_arg, t);
}

/* --- output ------------------------------------------------------------- */

/*
 * Put the link headers in front of @ip (headroom is there) and send it to
 * @nexthop, through ARP. @vh: the vnet header to send (offload state of a
 * forwarded frame), or NULL for a zero one.
 */
static void
xmit(struct router *r, int out_if, uint32_t nexthop, uint8_t *ip, size_t len,
    const struct virtio_net_hdr *vh)
{
	struct iface *o = &r->ifaces[out_if];
	uint8_t *eth = ip - ETH_HLEN_;
	uint8_t *frame = o->vnet ? eth - VNET_HDR_LEN : eth;
	size_t flen = len + ETH_HLEN_ + (o->vnet ? VNET_HDR_LEN : 0);
	const uint8_t *mac;
	uint16_t et = htons(ETHERTYPE_IPV4);
	int queued;

	if (o->vnet) {
		if (vh != NULL)
			memmove(frame, vh, VNET_HDR_LEN);
		else
			memset(frame, 0, VNET_HDR_LEN);
	}
	memcpy(eth + 6, o->conf->mac, 6);
	memcpy(eth + 12, &et, 2);
	mac = arp_resolve(r->arp, out_if, nexthop, frame, flen, &queued);
	if (mac == NULL) {
		if (!queued)
			o->st.drops[DROP_ARP_QUEUE_FULL]++;
		return;
	}
	memcpy(eth, mac, 6);
	tap_write(o, frame, flen);
}

struct frag_out {
	struct router *r;
	int out_if;
	uint32_t nexthop;
};

static int
frag_emit_cb(void *arg, uint8_t *ip, size_t len)
{
	struct frag_out *fo = arg;

	xmit(fo->r, fo->out_if, fo->nexthop, ip, len, NULL);
	return 0;
}

static int
gso_emit_cb(void *arg, uint8_t *eth, size_t len)
{
	struct frag_out *fo = arg;
	uint8_t *ip = eth + ETH_HLEN_;
	size_t iplen = len - ETH_HLEN_;
	unsigned int mtu = fo->r->ifaces[fo->out_if].conf->mtu;

	if (iplen > mtu)
		return frag_fragment(ip, iplen, mtu, frag_emit_cb, fo);
	xmit(fo->r, fo->out_if, fo->nexthop, ip, iplen, NULL);
	return 0;
}

/*
 * Send a forwarded datagram, fitting it to the out link's MTU: a GSO
 * super-frame whose segments fit goes out whole; a DF packet that does
 * not fit gets frag-needed (RFC 1191); anything else is segmented and/or
 * fragmented here, so nothing is lost for want of an offload.
 */
static void
forward_out(struct router *r, struct pkt *p, int in_if, int out_if,
    uint32_t nexthop, bool reassembled, const struct ct_tuple *orig,
    struct trace *tr)
{
	struct iface *o = &r->ifaces[out_if];
	unsigned int mtu = o->conf->mtu;
	struct frag_out fo = { r, out_if, nexthop };
	uint8_t *ip = (uint8_t *)p->ip;
	bool df = (ntohs(p->ip->frag_off) & IP4_DF) != 0;
	bool gso = p->vh != NULL && p->vh->gso_type != VIRTIO_NET_HDR_GSO_NONE;

	if (gso) {
		unsigned int hdrs = p->ihl + (p->proto == IPPROTO_TCP ?
		    (unsigned int)(((struct tcp_hdr *)p->l4)->off >> 4) * 4 :
		    sizeof(struct udp_hdr));

		/* we know the real header length; never trust hdr_len */
		p->vh->hdr_len = (uint16_t)(ETH_HLEN_ + hdrs);
		if (hdrs + p->vh->gso_size <= mtu) {
			xmit(r, out_if, nexthop, ip, p->ip_len, p->vh);
			trace_done(r, tr, "forward");
			return;
		}
		if (df) {
			o = &r->ifaces[in_if];
			o->st.drops[DROP_FRAG_NEEDED]++;
			/* quote what the sender sent, not the translation */
			if (orig != NULL)
				nat_rewrite(p, orig);
			icmp_error(r, in_if, p, ICMP_UNREACH,
			    ICMP_UNREACH_NEEDFRAG, (uint16_t)mtu, 0);
			trace_done(r, tr, "drop: frag-needed (mtu %u)", mtu);
			return;
		}
		/*
		 * TCP segments can be cut to the MTU; UDP datagrams keep their
		 * boundaries, so they are split as sent and then fragmented.
		 */
		if (gso_segment(p->vh, p->eth, ETH_HLEN_ + p->ip_len,
		    p->proto == IPPROTO_TCP ? mtu : 65535, gso_emit_cb,
		    &fo) == -1)
			r->ifaces[in_if].st.drops[DROP_BAD_VNET_HDR]++;
		trace_done(r, tr, "forward (segmented)");
		return;
	}
	if (p->ip_len <= mtu) {
		xmit(r, out_if, nexthop, ip, p->ip_len, p->vh);
		trace_done(r, tr, "forward");
		return;
	}
	if (df && !reassembled) {
		r->ifaces[in_if].st.drops[DROP_FRAG_NEEDED]++;
		/* back to what the sender sent: the error goes to it */
		if (orig != NULL)
			nat_rewrite(p, orig);
		icmp_error(r, in_if, p, ICMP_UNREACH, ICMP_UNREACH_NEEDFRAG,
		    (uint16_t)mtu, 0);
		trace_done(r, tr, "drop: frag-needed (mtu %u)", mtu);
		return;
	}
	if (p->vh != NULL && (p->vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		gso_csum_complete(p->vh, p->eth, ETH_HLEN_ + p->ip_len);
	if (frag_fragment(ip, p->ip_len, mtu, frag_emit_cb, &fo) == -1)
		r->ifaces[in_if].st.drops[DROP_FRAG_NEEDED]++;
	trace_done(r, tr, "forward (fragmented to mtu %u)", mtu);
}

static bool output_chains(struct router *r, uint8_t *ip, size_t len,
    int out_if);

void
router_output(struct router *r, uint8_t *ip, size_t len)
{
	const struct ip4_hdr *iph = (const struct ip4_hdr *)ip;
	const struct route *rt = route_lookup(r->routes, iph->daddr);

	if (rt == NULL || rt->kind == ROUTE_LOCAL || route_discards(rt))
		return;
	if (!output_chains(r, ip, len, rt->iface))
		return;
	if (len > (size_t)r->ifaces[rt->iface].conf->mtu) {
		struct frag_out fo = { r, rt->iface,
		    route_nexthop(rt, iph->daddr) };

		frag_fragment(ip, len, r->ifaces[rt->iface].conf->mtu,
		    frag_emit_cb, &fo);
		return;
	}
	xmit(r, rt->iface, route_nexthop(rt, iph->daddr), ip, len, NULL);
}

/* A neighbour did not answer: tell the senders of what was queued. */
void
router_arp_failed(struct router *r, int out_if, uint8_t *frame, size_t len)
{
	struct pkt p;
	const struct route *rt;
	int in_if;

	if (frame_parse(&p, frame, len, r->ifaces[out_if].vnet) != -1 ||
	    p.ethertype != ETHERTYPE_IPV4)
		return;
	if (frame_parse_ip(&p, p.eth + ETH_HLEN_, p.eth_len - ETH_HLEN_) != -1
	    && p.ip == NULL)
		return;
	if (p.ip == NULL)
		return;
	r->ifaces[out_if].st.drops[DROP_ARP_FAILED]++;
	rt = route_lookup(r->routes, p.ip->saddr);
	in_if = rt != NULL && rt->iface >= 0 ? rt->iface : out_if;
	icmp_error(r, in_if, &p, ICMP_UNREACH, ICMP_UNREACH_HOST, 0, 0);
}

/* --- check-gateway=ping ---------------------------------------------------- */

/*
 * RouterOS's check-gateway=ping: every gateway of such a route is pinged
 * every 10 s from the router's address on its link; two probes in a row
 * without an answer make it unreachable, and its routes inactive, so the
 * next distance takes over; the first answer makes them active again.
 */
#define GW_PROBE_MS	10000
#define GW_PROBE_MISSES	2
#define GW_PROBE_ID	0x4870	/* the echo id of the probes */
#define GW_MAX		16

struct gw_probe {
	uint32_t gw;
	int iface;
	uint64_t next_ms;
	uint16_t seq;
	bool waiting;		/* the last probe has no answer yet */
	int misses;
	bool up;
};

static struct gw_probe gw_probes[GW_MAX];
static int gw_nprobes;

/* After a (re)load: the gateways to probe, keeping what is known. */
static void
gw_probes_configure(struct router *r)
{
	struct gw_probe old[GW_MAX];
	uint32_t gws[GW_MAX];
	int ifs[GW_MAX], n, i, j, nold = gw_nprobes;

	memcpy(old, gw_probes, sizeof(old));
	n = route_gateways(r->routes, gws, ifs, GW_MAX);
	gw_nprobes = 0;
	for (i = 0; i < n; i++) {
		struct gw_probe *g = &gw_probes[gw_nprobes++];

		memset(g, 0, sizeof(*g));
		g->gw = gws[i];
		g->iface = ifs[i];
		g->up = true;
		for (j = 0; j < nold; j++)
			if (old[j].gw == g->gw)
				*g = old[j];
		g->iface = ifs[i];
		/* a new route table starts with every gateway up */
		if (!g->up)
			route_gateway_set(r->routes, g->gw, false);
	}
}

static void
gw_probes_tick(struct router *r, uint64_t now)
{
	char a[INET_ADDRSTRLEN];
	int i;

	for (i = 0; i < gw_nprobes; i++) {
		struct gw_probe *g = &gw_probes[i];
		const struct conf_iface *ifc;

		if (now < g->next_ms)
			continue;
		if (g->waiting && ++g->misses >= GW_PROBE_MISSES && g->up) {
			g->up = false;
			route_gateway_set(r->routes, g->gw, false);
			log_warnx("check-gateway: %s does not answer: its routes "
			    "are inactive", inet_ntop(AF_INET, &g->gw, a,
			    sizeof(a)));
		}
		g->next_ms = now + GW_PROBE_MS;
		g->waiting = true;
		ifc = r->ifaces[g->iface].conf;
		if (ifc->naddrs > 0)
			icmp_echo_request(r, ifc->addrs[0].addr, g->gw,
			    GW_PROBE_ID, ++g->seq);
	}
}

/* An echo reply to the router: an answer to a probe? */
static bool
gw_probe_reply(struct router *r, const struct pkt *p)
{
	char a[INET_ADDRSTRLEN];
	uint16_t id;
	int i;

	if (!p->l4_ok || p->l4_len < 8)
		return false;
	memcpy(&id, p->l4 + 4, 2);
	if (ntohs(id) != GW_PROBE_ID)
		return false;
	for (i = 0; i < gw_nprobes; i++) {
		struct gw_probe *g = &gw_probes[i];

		if (g->gw != p->ip->saddr)
			continue;
		g->waiting = false;
		g->misses = 0;
		if (!g->up) {
			g->up = true;
			route_gateway_set(r->routes, g->gw, true);
			log_info("check-gateway: %s answers again: its routes "
			    "are active", inet_ntop(AF_INET, &g->gw, a,
			    sizeof(a)));
		}
		return true;
	}
	return false;
}

/* --- local delivery ----------------------------------------------------- */

/* Answer as a host with no listeners does, but for the resolver (dns.c). */
static void
local_input(struct router *r, int in_if, struct pkt *p, struct trace *tr)
{
	if (r->dns != NULL && dns_punt_input(r, in_if, p)) {
		if (tr != NULL)
			dns_trace_note(p, tr->note, sizeof(tr->note));
		trace_done(r, tr, "local: dns (to the router's resolver)");
		return;
	}
	switch (p->proto) {
	case IPPROTO_ICMP:
		if (p->icmp_type == ICMP_ECHO) {
			icmp_echo_reply(r, in_if, p);
			trace_done(r, tr, "local: echo-reply");
			return;
		}
		trace_done(r, tr, "local: absorbed");
		return;
	case IPPROTO_TCP:
		icmp_tcp_reset(r, in_if, p);
		trace_done(r, tr, "local: tcp-reset (no listener)");
		return;
	case IPPROTO_UDP:
		icmp_error(r, in_if, p, ICMP_UNREACH, ICMP_UNREACH_PORT, 0,
		    p->ip->daddr);
		trace_done(r, tr, "local: port-unreachable");
		return;
	default:
		icmp_error(r, in_if, p, ICMP_UNREACH, ICMP_UNREACH_PROTOCOL, 0,
		    p->ip->daddr);
		trace_done(r, tr, "local: protocol-unreachable");
		return;
	}
}

/* --- the per-packet context and the rule tables ---------------------------- */

/*
 * One packet's walk, shared by the stages: what conntrack said, the
 * tuple as translated so far, the marks mangle gave it.
 */
struct pctx {
	struct router *r;
	struct pkt *p;
	struct trace *tr;
	int in_if, out_if;		/* out_if -1 until routed */
	bool reassembled;
	bool tracked;			/* a protocol conntrack follows */
	bool related;			/* an ICMP error about a connection */
	bool untracked;			/* raw notrack */
	bool fast;			/* a fasttracked connection: no mangle,
					   no filter */
	bool fasttrack;			/* fasttrack-connection matched */
	bool mapped;			/* unsolicited, to a NAT mapping */
	bool reflect;			/* a socket to its own mapping: untracked */
	struct nat_expect_hit xp;	/* expected by a NAT helper */
	struct ct_tuple t0, tgt;
	struct ct_entry *e;
	enum ct_dir dir;
	uint8_t ct_state, flags;
	uint32_t hairpin_addr;
	uint32_t now;
	uint64_t now_ms;
	uint16_t pmark, rmark, cmark;
	bool cmark_set;
	uint8_t prio;
};

static uint8_t
nat_state_of(uint8_t flags)
{
	return ((flags & CT_F_SNAT) ? RULE_NAT_SRCNAT : 0) |
	    ((flags & CT_F_DNAT) ? RULE_NAT_DSTNAT : 0);
}

/* Is @dst the directed broadcast of a connected subnet? */
static bool is_subnet_broadcast(const struct route *rt, uint32_t dst);

/* dst-address-type= / src-address-type=: what an address is to us. */
static unsigned int
pctx_addr_type(void *arg, uint32_t addr, int ifidx)
{
	struct pctx *c = arg;
	uint32_t h = ntohl(addr);
	const struct route *rt;

	(void)ifidx;
	if (h == 0xffffffff)
		return ADDRT_BROADCAST;
	if ((h >> 28) == 0xe)
		return ADDRT_MULTICAST;
	if (route_is_local(c->r->routes, addr))
		return ADDRT_LOCAL | ADDRT_UNICAST;
	rt = route_lookup(c->r->routes, addr);
	if (rt != NULL && is_subnet_broadcast(rt, addr))
		return ADDRT_BROADCAST;
	if (rt != NULL && rt->kind == ROUTE_BLACKHOLE)
		return ADDRT_BLACKHOLE | ADDRT_UNICAST;
	if (rt != NULL && rt->kind == ROUTE_UNREACHABLE)
		return ADDRT_UNREACHABLE | ADDRT_UNICAST;
	if (rt != NULL && rt->kind == ROUTE_PROHIBIT)
		return ADDRT_PROHIBIT | ADDRT_UNICAST;
	return ADDRT_UNICAST;
}

/* connection-limit: the new connection itself counts, as in connlimit. */
static uint32_t
pctx_conn_count(void *arg, uint32_t src, int plen)
{
	struct pctx *c = arg;

	return connlimit_count(src, plen) + (c->e == NULL ? 1 : 0);
}

/* The matchers' view of the packet at this stage. */
static void
pctx_view(struct pctx *c, struct rule_pkt *rp, uint32_t src, uint32_t dst,
    uint16_t sport, uint16_t dport, uint8_t nat_state)
{
	const struct pkt *p = c->p;

	memset(rp, 0, sizeof(*rp));
	rp->src = src;
	rp->dst = dst;
	rp->sport = sport;
	rp->dport = dport;
	rp->proto = p->proto;
	rp->in_if = c->in_if;
	rp->out_if = c->out_if;
	rp->ct_state = c->ct_state;
	rp->nat_state = nat_state;
	rp->icmp_type = p->icmp_type;
	rp->icmp_code = p->icmp_code;
	rp->tcp_flags = p->tcp_flags;
	rp->len = p->ip_len;
	rp->ip = (const uint8_t *)p->ip;
	rp->l4 = p->l4_ok ? p->l4 : NULL;
	rp->l4_len = p->l4_ok ? p->l4_len : 0;
	rp->src_mac = c->in_if >= 0 && p->eth != NULL ? p->eth + 6 : NULL;
	rp->pmark = c->pmark;
	rp->rmark = c->rmark;
	rp->cmark = c->cmark;
	rp->priority = c->prio;
	if (c->e != NULL) {
		const struct ct_stats *st = ct_stats(c->r->ct, c->e);

		rp->cbytes = st->bytes[0] + st->bytes[1];
		rp->conn_id = c->e->id + 1;
		rp->orig_src = c->e->orig.src;
		rp->orig_dst = c->e->orig.dst;
		rp->orig_sport = c->e->orig.sport;
		rp->orig_dport = c->e->orig.dport;
	} else {
		rp->orig_src = c->t0.src;
		rp->orig_dst = c->t0.dst;
		rp->orig_sport = c->t0.sport;
		rp->orig_dport = c->t0.dport;
	}
	{
		/* connection-type=: the NAT helper of the connection */
		static const uint8_t ctype_of[NH_COUNT] = {
			[NH_FTP] = CTYPE_FTP, [NH_TFTP] = CTYPE_TFTP,
			[NH_PPTP] = CTYPE_PPTP, [NH_SIP] = CTYPE_SIP,
		};
		uint8_t h = c->e != NULL ? nat_helper_of(c->e, NULL) :
		    c->xp.hit ? c->xp.helper : NH_NONE;

		rp->ctype = h < NH_COUNT ? ctype_of[h] : CTYPE_NONE;
	}
	rp->now_ms = c->now_ms;
	rp->addr_type = pctx_addr_type;
	rp->conn_count = pctx_conn_count;
	rp->cb_arg = c;
}

static void
pctx_trace_cb(void *arg, const struct ruleset *rs, const struct rule *rl,
    bool matched)
{
	struct pctx *c = arg;

	if (c->tr != NULL)
		trace_rule_cb(c->tr, rs, rl, matched);
}

/* The TCP MSS option of a SYN to @mss (clamp: only ever lower it). */
static void
pctx_change_mss(struct pctx *c, int mss, bool clamp)
{
	struct pkt *p = c->p;
	struct tcp_hdr *th;
	unsigned int off, i;
	bool partial;

	if (p->proto != IPPROTO_TCP || !p->l4_ok || !(p->tcp_flags & TH_SYN))
		return;
	th = (struct tcp_hdr *)p->l4;
	off = (unsigned int)(th->off >> 4) * 4;
	if (off < 20 || off > p->l4_len)
		return;
	partial = p->vh != NULL && (p->vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM);
	for (i = 20; i < off;) {
		uint8_t kind = p->l4[i];

		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= off || p->l4[i + 1] < 2 || i + p->l4[i + 1] > off)
			return;
		if (kind == 2 && p->l4[i + 1] == 4) {
			uint16_t old, new, v;

			v = (uint16_t)(p->l4[i + 2] << 8 | p->l4[i + 3]);
			if (mss <= 0 || (clamp && v <= mss) || v == mss)
				return;
			memcpy(&old, p->l4 + i + 2, 2);
			p->l4[i + 2] = (uint8_t)(mss >> 8);
			p->l4[i + 3] = (uint8_t)mss;
			if (partial)
				return;	/* the sum covers no option yet */
			if ((i + 2) & 1) {
				/* at an odd offset: sum the SYN again */
				th->check = 0;
				th->check = csum_l4(p->ip->saddr, p->ip->daddr,
				    IPPROTO_TCP, p->l4, p->l4_len);
			} else {
				memcpy(&new, p->l4 + i + 2, 2);
				csum_replace2(&th->check, old, new);
			}
			return;
		}
		i += p->l4[i + 1];
	}
}

static void
pctx_ip_word(struct ip4_hdr *ip, unsigned int word, uint16_t new)
{
	uint16_t old;

	memcpy(&old, (uint8_t *)ip + 2 * word, 2);
	memcpy((uint8_t *)ip + 2 * word, &new, 2);
	csum_replace2(&ip->check, old, new);
}

/* Non-terminal actions: marks, address lists, changes of the packet. */
static void
pctx_act(void *arg, const struct rule *rl, struct rule_pkt *rp)
{
	struct pctx *c = arg;
	struct ip4_hdr *ip = c->p->ip;
	uint8_t w[2];
	uint16_t nw;
	int v;

	switch (rl->action) {
	case RULE_ADD_SRC:
	case RULE_ADD_DST:
		addrlist_add(rl->mark, rl->action == RULE_ADD_SRC ? rp->src :
		    rp->dst, rl->list_timeout, rl->list_static, c->now_ms);
		break;
	case RULE_MARK_PACKET:
		c->pmark = rp->pmark = rl->mark;
		break;
	case RULE_MARK_ROUTING:
		c->rmark = rp->rmark = rl->mark;
		break;
	case RULE_MARK_CONN:
		c->cmark = rp->cmark = rl->mark;
		c->cmark_set = true;
		if (c->e != NULL)
			ct_set_mark(c->r->ct, c->e, rl->mark);
		break;
	case RULE_CHANGE_MSS:
		if (rl->new_mss >= 0)
			pctx_change_mss(c, rl->new_mss, false);
		else if (c->out_if >= 0)
			pctx_change_mss(c, c->r->ifaces[c->out_if].conf->mtu -
			    40, true);
		break;
	case RULE_CHANGE_TTL:
		v = ip->ttl;
		if (rl->ttl_op == TTL_SET)
			v = rl->ttl_val;
		else if (rl->ttl_op == TTL_INC)
			v = v + rl->ttl_val > 255 ? 255 : v + rl->ttl_val;
		else
			v = v - rl->ttl_val < 0 ? 0 : v - rl->ttl_val;
		w[0] = (uint8_t)v;
		w[1] = ip->proto;
		memcpy(&nw, w, 2);
		pctx_ip_word(ip, 4, nw);
		break;
	case RULE_CHANGE_DSCP:
		w[0] = ip->ver_ihl;
		w[1] = (uint8_t)(rl->new_dscp << 2 | (ip->tos & 3));
		memcpy(&nw, w, 2);
		pctx_ip_word(ip, 0, nw);
		break;
	case RULE_CLEAR_DF:
		pctx_ip_word(ip, 3, htons(ntohs(ip->frag_off) & ~IP4_DF));
		break;
	case RULE_STRIP_OPTIONS:
		if (c->p->ihl > 20) {
			memset((uint8_t *)ip + 20, 1, c->p->ihl - 20);
			ip->check = 0;
			ip->check = csum_ip(ip, c->p->ihl);
		}
		break;
	case RULE_SET_PRIORITY:
		c->prio = rp->priority = rl->new_priority == 0xff ?
		    (uint8_t)(ip->tos >> 2) : rl->new_priority;
		break;
	default:
		break;
	}
}

/* Walk @chain of @rs; the terminal rule, or NULL (the chain's default). */
static const struct rule *
pctx_eval(struct pctx *c, const struct ruleset *rs, int chain,
    struct rule_pkt *rp)
{
	if (rs == NULL || rs->chains[chain].nrules == 0)
		return NULL;
	return rule_eval_act(rs, chain, rp, c->tr != NULL ? pctx_trace_cb :
	    NULL, pctx_act, c);
}

/*
 * tarpit: answer a TCP SYN with a SYN/ACK of window 0 and forget it, so
 * the peer holds a connection that goes nowhere (iptables TARPIT).
 */
static void
pctx_tarpit(struct pctx *c)
{
	if (c->p->proto == IPPROTO_TCP && c->p->l4_ok &&
	    (c->p->tcp_flags & (TH_SYN | TH_ACK)) == TH_SYN)
		icmp_tcp_tarpit(c->r, c->in_if, c->p);
}

/*
 * A filter chain. Return: true to go on, false when the packet was
 * dropped, rejected or tarpitted (and counted, and answered).
 */
static bool
filter_pass(struct pctx *c, int chain, struct rule_pkt *rp)
{
	struct router *r = c->r;
	const struct ruleset *rs = r->conf->filter;
	const struct rule *rl;

	if (c->fast)
		return true;
	rl = pctx_eval(c, rs, chain, rp);
	if (rl == NULL || rl->action == RULE_ACCEPT)
		return true;
	if (rl->action == RULE_FASTTRACK) {
		/* accept; later packets of both ways skip mangle and filter */
		if (c->tracked && (c->p->proto == IPPROTO_TCP ||
		    c->p->proto == IPPROTO_UDP))
			c->fasttrack = true;
		return true;
	}
	if (rl->action == RULE_REJECT) {
		static const uint8_t code[] = {
			[REJECT_ICMP_PORT_UNREACH] = ICMP_UNREACH_PORT,
			[REJECT_ICMP_HOST_UNREACH] = ICMP_UNREACH_HOST,
			[REJECT_ICMP_NET_UNREACH] = ICMP_UNREACH_NET,
			[REJECT_ICMP_ADMIN_PROHIBITED] =
			    ICMP_UNREACH_FILTER_PROHIB,
			/* tcp-reset for anything but TCP: port unreachable */
			[REJECT_TCP_RESET] = ICMP_UNREACH_PORT,
			[REJECT_ICMP_PROTO_UNREACH] = ICMP_UNREACH_PROTOCOL,
			[REJECT_ICMP_NET_PROHIBITED] = 9,	/* net prohib. */
			[REJECT_ICMP_HOST_PROHIBITED] = 10,	/* host prohib. */
		};

		r->ifaces[c->in_if].st.drops[DROP_FILTER_REJECT]++;
		if (rl->reject_with == REJECT_TCP_RESET &&
		    c->p->proto == IPPROTO_TCP && c->p->l4_ok)
			icmp_tcp_reset(r, c->in_if, c->p);
		else
			icmp_error(r, c->in_if, c->p, ICMP_UNREACH,
			    code[rl->reject_with], 0, 0);
		trace_done(r, c->tr, "filter %s: reject", rs->chains[chain].name);
		return false;
	}
	if (rl->action == RULE_TARPIT) {
		r->ifaces[c->in_if].st.drops[DROP_FILTER_DROP]++;
		pctx_tarpit(c);
		trace_done(r, c->tr, "filter %s: tarpit", rs->chains[chain].name);
		return false;
	}
	r->ifaces[c->in_if].st.drops[DROP_FILTER_DROP]++;
	trace_done(r, c->tr, "filter %s: drop", rs->chains[chain].name);
	return false;
}

/* A mangle chain: marks and changes; nothing is dropped there. */
static void
mangle_run(struct pctx *c, int chain, struct rule_pkt *rp)
{
	if (!c->fast)
		(void)pctx_eval(c, c->r->conf->mangle, chain, rp);
}

/*
 * The router's own packets walk raw output, mangle output, filter output
 * and mangle postrouting; a drop or reject there drops them silently
 * (answering our own packet would only loop).
 */
static bool
output_chains(struct router *r, uint8_t *ip, size_t len, int out_if)
{
	const struct config *conf = r->conf;
	struct pkt p;
	struct pctx cx;
	struct rule_pkt rp;
	const struct rule *rl;

	if (conf->raw->chains[CHAIN_OUTPUT].nrules == 0 &&
	    conf->mangle->chains[CHAIN_OUTPUT].nrules == 0 &&
	    conf->filter->chains[CHAIN_OUTPUT].nrules == 0 &&
	    conf->mangle->chains[CHAIN_POSTROUTING].nrules == 0)
		return true;
	memset(&p, 0, sizeof(p));
	if (frame_parse_ip(&p, ip, len) != -1)
		return false;
	memset(&cx, 0, sizeof(cx));
	cx.r = r;
	cx.p = &p;
	cx.in_if = -1;
	cx.out_if = out_if;
	cx.now = router_now();
	cx.now_ms = router_now_ms();
	cx.ct_state = RULE_CT_UNTRACKED;
	cx.tracked = nat_tuple_of(&p, &cx.t0);
	pctx_view(&cx, &rp, p.ip->saddr, p.ip->daddr, p.sport, p.dport, 0);
	rl = pctx_eval(&cx, conf->raw, CHAIN_OUTPUT, &rp);
	if (rl != NULL && rl->action == RULE_DROP)
		return false;
	(void)pctx_eval(&cx, conf->mangle, CHAIN_OUTPUT, &rp);
	rl = pctx_eval(&cx, conf->filter, CHAIN_OUTPUT, &rp);
	if (rl != NULL && (rl->action == RULE_DROP ||
	    rl->action == RULE_REJECT || rl->action == RULE_TARPIT))
		return false;
	(void)pctx_eval(&cx, conf->mangle, CHAIN_POSTROUTING, &rp);
	return true;
}


/*
 * No NAT session could be made for a new flow (ports or conntrack
 * exhausted): count it, log it (rate limited) and tell the sender with
 * destination unreachable, code 13 (RFC 5508 REQ-8), as SPEC section 8
 * asks; every existing connection goes on.
 */
static void
session_refused(struct router *r, int in_if, const struct pkt *p,
    enum drop_reason why, struct trace *tr)
{
	static struct log_rl rl;
	char a[INET_ADDRSTRLEN];

	r->ifaces[in_if].st.drops[why]++;
	if (log_ratelimit(&rl, 5))
		log_warnx("%s: new %s flow from %s refused: %s",
		    r->ifaces[in_if].conf->name, p->proto == IPPROTO_TCP ?
		    "tcp" : p->proto == IPPROTO_UDP ? "udp" : "ip",
		    addr_str(p->ip->saddr, a), drop_reason_name(why));
	icmp_error(r, in_if, p, ICMP_UNREACH, ICMP_UNREACH_FILTER_PROHIB, 0,
	    0);
	trace_done(r, tr, "drop: %s", drop_reason_name(why));
}

/* --- NAT roles and unsolicited SYNs --------------------------------------- */

/* Does srcnat rule @rl send traffic out of interface @j? */
static bool
derive_out(const struct rule *rl, int j)
{
	int i;

	if (rl->out_if >= 0 && (rl->out_neg ? rl->out_if == j :
	    rl->out_if != j))
		return false;
	for (i = 0; i < rl->nmt; i++) {
		const struct rule_match *m = &rl->mt[i];

		if (strcmp(m->def->key, "out-interface-list") == 0 &&
		    ((m->u.mask & (1u << j)) != 0) == m->neg)
			return false;
	}
	return true;
}

/* The prefix lengths the connection-limit matchers of @rs count by. */
static uint64_t
derive_plens(const struct ruleset *rs)
{
	uint64_t plens = 0;
	int c, i, k;

	for (c = 0; c < rs->nchains; c++)
		for (i = 0; i < rs->chains[c].nrules; i++) {
			const struct rule *rl = rs->chains[c].rules[i];

			for (k = 0; k < rl->nmt; k++)
				if (strcmp(rl->mt[k].def->key,
				    "connection-limit") == 0)
					plens |= 1ull << rl->mt[k].u.range.hi;
		}
	return plens;
}

void
router_conf_derive(struct router *r)
{
	const struct rule_chain *c = &r->conf->nat->chains[CHAIN_SRCNAT];
	int i, j;

	icmp_configure(&r->conf->icmp);
	memset(r->external, 0, sizeof(r->external));
	for (i = 0; i < c->nrules; i++) {
		const struct rule *rl = c->rules[i];

		if (rl->disabled || rl->dst.set || (rl->action != RULE_MASQUERADE
		    && rl->action != RULE_SRCNAT && rl->action != RULE_EIM))
			continue;
		for (j = 0; j < r->nifaces; j++)
			if (derive_out(rl, j))
				r->external[j] = true;
	}
	addrlist_use(r->conf->alists, router_now_ms());
	if (r->routes != NULL)
		gw_probes_configure(r);
	connlimit_configure(derive_plens(r->conf->filter) |
	    derive_plens(r->conf->nat) | derive_plens(r->conf->mangle), r->ct);
}

/*
 * RFC 5382 REQ-4: an unsolicited inbound SYN gets no answer for 6 s, so a
 * simultaneous open through the NAT can still happen; if no outbound SYN
 * made the connection meanwhile, it gets port unreachable. The SYNs wait in
 * a small ring: the oldest is answered early when the ring is full.
 */
#define SYN_HOLD_SEC	6
#define SYN_HOLD_MAX	256
#define SYN_QUOTE	68

struct held_syn {
	uint64_t due_ms;	/* ms: router_now() is whole seconds */
	int in_if;
	uint16_t len;
	uint8_t ip[SYN_QUOTE] __attribute__((aligned(4)));
};

static struct held_syn held[SYN_HOLD_MAX];
static unsigned int held_head, held_count;

static void
held_answer(struct router *r, struct held_syn *h)
{
	struct ct_tuple t, key;
	enum ct_dir dir;
	struct pkt p;

	memset(&p, 0, sizeof(p));
	p.ip = (struct ip4_hdr *)h->ip;
	p.ihl = (p.ip->ver_ihl & 0x0f) * 4;
	p.ip_len = h->len;
	p.proto = IPPROTO_TCP;
	p.l4 = h->ip + p.ihl;
	p.l4_len = h->len - p.ihl;
	p.icmp_type = p.icmp_code = -1;
	/* did an outbound SYN open it meanwhile? then stay silent */
	memset(&t, 0, sizeof(t));
	t.src = p.ip->saddr;
	t.dst = p.ip->daddr;
	t.proto = IPPROTO_TCP;
	memcpy(&t.sport, p.l4, 2);
	memcpy(&t.dport, p.l4 + 2, 2);
	key = t;
	if (ct_lookup(r->ct, &key, &dir) != NULL)
		return;
	icmp_error(r, h->in_if, &p, ICMP_UNREACH, ICMP_UNREACH_PORT, 0, 0);
}

static void
syn_hold(struct router *r, int in_if, const struct pkt *p)
{
	struct held_syn *h;

	if (held_count == SYN_HOLD_MAX) {
		held_answer(r, &held[held_head]);
		held_head = (held_head + 1) % SYN_HOLD_MAX;
		held_count--;
	}
	h = &held[(held_head + held_count) % SYN_HOLD_MAX];
	held_count++;
	/* whole seconds would answer after as little as 5.x s */
	h->due_ms = router_now_ms() + SYN_HOLD_SEC * 1000;
	h->in_if = in_if;
	h->len = (uint16_t)(p->ip_len < SYN_QUOTE ? p->ip_len : SYN_QUOTE);
	if (p->ihl + 8 > h->len)
		h->len = (uint16_t)(p->ihl + 8 <= SYN_QUOTE ? p->ihl + 8 :
		    SYN_QUOTE);
	memcpy(h->ip, p->ip, h->len);
}

void
router_tick(struct router *r)
{
	uint64_t now = router_now_ms();

	addrlist_expire(now, 256);
	gw_probes_tick(r, now);
	while (held_count > 0 && now >= held[held_head].due_ms) {
		held_answer(r, &held[held_head]);
		held_head = (held_head + 1) % SYN_HOLD_MAX;
		held_count--;
	}
}

/* --- the IPv4 path -------------------------------------------------------- */

static void
ct_pkt_of(const struct pkt *p, struct ct_pkt *cp)
{
	memset(cp, 0, sizeof(*cp));
	cp->len = p->ip_len;
	cp->wscale = -1;
	if (p->proto != IPPROTO_TCP || !p->l4_ok)
		return;
	{
		const struct tcp_hdr *th = (const struct tcp_hdr *)p->l4;
		unsigned int off = (th->off >> 4) * 4;
		const uint8_t *opt = p->l4 + sizeof(*th);
		const uint8_t *end = p->l4 + off;

		cp->tcp_flags = th->flags;
		cp->seq = ntohl(th->seq);
		cp->ack = ntohl(th->ack);
		cp->win = ntohs(th->win);
		cp->payload = p->l4_len - off;
		if (!(th->flags & TH_SYN))
			return;
		/* the window scale option, RFC 7323 */
		while (opt < end) {
			if (*opt == 0)
				break;
			if (*opt == 1) {
				opt++;
				continue;
			}
			if (opt + 1 >= end || opt[1] < 2 || opt + opt[1] > end)
				break;
			if (opt[0] == 3 && opt[1] == 3)
				cp->wscale = (int8_t)(opt[2] > 14 ? 14 : opt[2]);
			opt += opt[1];
		}
	}
}

static void
ttl_decrement(struct ip4_hdr *ip)
{
	uint16_t old, new;
	uint8_t w[2];

	w[0] = ip->ttl;
	w[1] = ip->proto;
	memcpy(&old, w, 2);
	ip->ttl--;
	w[0] = ip->ttl;
	memcpy(&new, w, 2);
	csum_replace2(&ip->check, old, new);
}

static bool
addr_martian_src(const struct router *r, uint32_t a)
{
	uint32_t h = ntohl(a);

	return h == 0 || h == 0xffffffff || (h >> 28) == 0xe ||
	    (h >> 28) == 0xf || (h >> 24) == 127 ||
	    route_is_local(r->routes, a);
}

/* Directed broadcast of a connected subnet: a router does not forward it. */
static bool
is_subnet_broadcast(const struct route *rt, uint32_t dst)
{
	uint32_t host;

	if (rt->kind != ROUTE_CONNECTED || rt->plen >= 31)
		return false;
	host = ~(rt->plen == 0 ? 0 : ~(uint32_t)0 << (32 - rt->plen));
	return (ntohl(dst) & host) == host;
}

/*
 * raw prerouting: before conntrack. Return: false when dropped.
 */
static bool
stage_raw(struct pctx *c)
{
	const struct ruleset *rs = c->r->conf->raw;
	struct rule_pkt rp;
	const struct rule *rl;

	if (rs->chains[CHAIN_PREROUTING].nrules == 0)
		return true;
	c->ct_state = 0;
	pctx_view(c, &rp, c->p->ip->saddr, c->p->ip->daddr, c->p->sport,
	    c->p->dport, 0);
	rl = pctx_eval(c, rs, CHAIN_PREROUTING, &rp);
	if (rl == NULL || rl->action == RULE_ACCEPT)
		return true;
	if (rl->action == RULE_NOTRACK) {
		c->untracked = true;
		return true;
	}
	c->r->ifaces[c->in_if].st.drops[DROP_RAW_DROP]++;
	trace_done(c->r, c->tr, "raw prerouting: drop");
	return false;
}

/*
 * conntrack: find the connection, or the one an ICMP error is about.
 * Return: false when the packet was dropped.
 */
static bool
stage_conntrack(struct pctx *c)
{
	struct router *r = c->r;
	struct pkt *p = c->p;
	struct ct_tuple inner, key;
	struct ct_pkt cp;
	struct trace *tr = c->tr;

	c->ct_state = RULE_CT_NEW;
	if (c->untracked) {
		c->tracked = false;
		c->ct_state = RULE_CT_UNTRACKED;
		if (tr != NULL)
			tr->conntrack = "untracked";
		return true;
	}
	if (p->proto == IPPROTO_ICMP && p->l4_ok &&
	    icmp_is_error(p->icmp_type)) {
		if (nat_icmp_inner(p, &inner) == 0) {
			ct_tuple_invert(&key, &inner);
			c->e = ct_lookup(r->ct, &key, &c->dir);
			if (c->e != NULL && !nat_icmp_for(p, c->e, c->dir))
				c->e = NULL;
		}
		if (c->e == NULL) {
			c->ct_state = RULE_CT_INVALID;
		} else {
			c->related = true;
			c->ct_state = RULE_CT_RELATED;
			if (nat_icmp_related(p, c->e, c->dir) == -1) {
				r->ifaces[c->in_if].st.drops[DROP_BAD_ICMP]++;
				trace_done(r, tr, "drop: bad-icmp checksum");
				return false;
			}
			c->tgt.src = p->ip->saddr;
			c->tgt.dst = p->ip->daddr;
		}
		if (tr != NULL)
			tr->conntrack = c->related ? "related" : "invalid";
	} else if (c->tracked) {
		c->e = ct_lookup(r->ct, &c->t0, &c->dir);
		if (c->e == NULL)
			c->e = nat_keyed_bind(r, &c->t0, &c->dir, c->now);
		if (c->e != NULL) {
			nat_helper_ack(c->e, c->dir, p);
			ct_pkt_of(p, &cp);
			if (ct_track(r->ct, c->e, c->dir, &cp, c->now) ==
			    CT_INVALID) {
				c->ct_state = RULE_CT_INVALID;
				c->e = NULL;
			} else {
				c->ct_state = c->dir == CT_DIR_ORIG &&
				    !(c->e->flags & CT_F_REPLIED) ? RULE_CT_NEW :
				    RULE_CT_ESTABLISHED;
				if (c->e->flags & (CT_F_SNAT | CT_F_DNAT))
					nat_target(c->e, c->dir, &c->tgt);
				if (tr != NULL)
					tr->conntrack = "established";
			}
		} else if (p->proto == IPPROTO_TCP &&
		    !ct_tcp_new_ok(p->tcp_flags)) {
			c->ct_state = RULE_CT_INVALID;
		}
		if (tr != NULL && c->e == NULL)
			tr->conntrack = c->ct_state == RULE_CT_INVALID ?
			    "invalid" : "new";
	} else {
		c->ct_state = RULE_CT_UNTRACKED;
		if (tr != NULL)
			tr->conntrack = "untracked";
	}
	if (c->e != NULL) {
		c->cmark = ct_mark(r->ct, c->e);
		/* fasttracked: established traffic skips mangle and filter */
		if (ct_fasttracked(r->ct, c->e) &&
		    c->ct_state == RULE_CT_ESTABLISHED) {
			c->fast = true;
			r->fasttrack_packets++;
			r->fasttrack_bytes += p->ip_len;
		}
	}
	return true;
}

/* dstnat (first packet) and the automatic hairpin to NAT mappings. */
static void
stage_dstnat(struct pctx *c)
{
	struct router *r = c->r;
	struct pkt *p = c->p;
	struct rule_pkt rp;
	const struct rule *rl;

	if (!c->tracked || c->e != NULL)
		return;
	/* a connection a helper expects (FTP data, TFTP answer): related */
	if (c->ct_state == RULE_CT_NEW && nat_helper_expect(r, &c->tgt,
	    &c->flags, &c->xp, c->now)) {
		c->ct_state = RULE_CT_RELATED;
		if (c->tr != NULL)
			c->tr->conntrack = "related (expected by a helper)";
		return;
	}
	if (c->ct_state == RULE_CT_NEW &&
	    r->conf->nat->chains[CHAIN_DSTNAT].nrules > 0) {
		pctx_view(c, &rp, c->t0.src, c->t0.dst, p->sport, p->dport, 0);
		rl = pctx_eval(c, r->conf->nat, CHAIN_DSTNAT, &rp);
		if (rl != NULL && rl->action != RULE_ACCEPT)
			nat_dstnat(r, rl, c->in_if, &c->tgt, &c->flags);
	}
	/*
	 * A new connection to one of our addresses where a NAT mapping lives:
	 * from inside, hairpin it to the mapping's owner, whoever that is
	 * (another host, or another socket of the sender's own host),
	 * appearing as the sender's own mapping (RFC 4787 REQ-9/9a, RFC 5382
	 * REQ-8, RFC 5508 REQ-7); from outside it is unsolicited, and
	 * filtered. A socket sending to its own mapping (X:x -> E:e where
	 * E:e is X:x's) would have orig == reply: no entry can hold that, so
	 * those packets are reflected untracked, as E:e -> X:x (RFC 5780 4.5
	 * with one socket; TCP too, where it is a simultaneous open).
	 */
	if ((c->ct_state == RULE_CT_NEW || (p->proto == IPPROTO_TCP &&
	    c->ct_state == RULE_CT_INVALID)) && !(c->flags & CT_F_DNAT) &&
	    route_is_local(r->routes, c->tgt.dst) &&
	    (p->proto != IPPROTO_ICMP || icmp_is_request(p->icmp_type))) {
		uint32_t ia;
		uint16_t iport;
		uint16_t port = p->proto == IPPROTO_ICMP ? c->tgt.sport :
		    c->tgt.dport;
		bool self;

		if ((p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP ||
		    p->proto == IPPROTO_ICMP || p->proto == IPPROTO_SCTP) &&
		    natport_lookup(r->np, p->proto, c->tgt.dst, port, &ia,
		    &iport)) {
			self = p->proto != IPPROTO_ICMP && ia == c->tgt.src &&
			    iport == c->tgt.sport;
			if (r->external[c->in_if]) {
				/* a ping to the router is answered as ever */
				c->mapped = p->proto != IPPROTO_ICMP &&
				    c->ct_state == RULE_CT_NEW;
			} else if (self) {
				c->reflect = true;
				c->ct_state = RULE_CT_NEW;
				c->tgt.src = c->tgt.dst;
				c->tgt.sport = c->tgt.dport;
				c->tgt.dst = ia;
				c->tgt.dport = iport;
			} else if (c->ct_state == RULE_CT_NEW) {
				c->hairpin_addr = c->tgt.dst;
				c->tgt.dst = ia;
				if (p->proto != IPPROTO_ICMP)
					c->tgt.dport = iport;
				c->flags |= CT_F_DNAT;
			}
		}
	}
}

/* Packets for the router itself: mangle input, filter input, delivery. */
static void
stage_local(struct pctx *c)
{
	struct router *r = c->r;
	struct pkt *p = c->p;
	struct iface *ifp = &r->ifaces[c->in_if];
	struct rule_pkt rp;

	c->out_if = -1;
	/*
	 * The answer to the router's own check-gateway probe: RouterOS
	 * tracks its probes, so the firewall sees the answer established;
	 * here it is taken before the input chain, which could not tell.
	 */
	if (p->proto == IPPROTO_ICMP && p->icmp_type == ICMP_ECHOREPLY &&
	    c->e == NULL && gw_probe_reply(r, p)) {
		trace_done(r, c->tr, "local: check-gateway answer");
		return;
	}
	pctx_view(c, &rp, p->ip->saddr, c->tgt.dst, p->sport, c->tgt.dport,
	    nat_state_of(c->flags));
	mangle_run(c, CHAIN_INPUT, &rp);
	if (!filter_pass(c, CHAIN_INPUT, &rp))
		return;
	if (c->related) {
		trace_done(r, c->tr, "local: related icmp absorbed");
		return;
	}
	/*
	 * An invalid segment (say, out of window) of a dst-nat'ed
	 * connection is not translated and lands here: a RST from
	 * us could kill the real connection, so say nothing.
	 */
	if (c->ct_state == RULE_CT_INVALID) {
		ifp->st.drops[DROP_CT_INVALID]++;
		trace_done(r, c->tr, "drop: ct-invalid (to the router)");
		return;
	}
	if (c->mapped) {
		/* address-and-port-dependent filtering (REQ-8) */
		ifp->st.drops[DROP_NAT_FILTERED]++;
		trace_done(r, c->tr, "drop: nat-filtered (unsolicited, to a "
		    "NAT mapping)");
		return;
	}
	if (p->proto == IPPROTO_TCP && r->external[c->in_if] &&
	    (p->tcp_flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN &&
	    c->ct_state == RULE_CT_NEW) {
		syn_hold(r, c->in_if, p);
		trace_done(r, c->tr, "local: unsolicited syn held %d s "
		    "(RFC 5382 REQ-4)", SYN_HOLD_SEC);
		return;
	}
	local_input(r, c->in_if, p, c->tr);
}

/*
 * srcnat for the first packet, after routing, and the conntrack entry.
 * Return: false when no session could be made (counted, answered).
 */
static bool
stage_srcnat(struct pctx *c)
{
	struct router *r = c->r;
	struct pkt *p = c->p;
	struct ct_tuple reply;
	struct rule_pkt rp;
	struct ct_pkt cp;
	const struct rule *rl;

	if (!c->tracked || c->e != NULL || c->related || c->reflect)
		return true;
	if (c->hairpin_addr != 0) {
		if (nat_snat_to(r, &c->tgt, c->hairpin_addr, 0, 0, false,
		    &c->flags) == -1) {
			session_refused(r, c->in_if, p, nat_refusal(r),
			    c->tr);
			return false;
		}
	} else if (r->conf->nat->chains[CHAIN_SRCNAT].nrules > 0 &&
	    !(c->xp.hit && (c->flags & CT_F_SNAT))) {
		pctx_view(c, &rp, c->tgt.src, c->tgt.dst, c->tgt.sport,
		    c->tgt.dport, nat_state_of(c->flags));
		rl = pctx_eval(c, r->conf->nat, CHAIN_SRCNAT, &rp);
		if (rl != NULL && rl->action != RULE_ACCEPT &&
		    nat_srcnat(r, rl, c->out_if, &c->tgt, &c->flags) == -1) {
			session_refused(r, c->in_if, p, nat_refusal(r),
			    c->tr);
			return false;
		}
	}
	ct_tuple_invert(&reply, &c->tgt);
	nat_reply_unbound(&reply);
	ct_pkt_of(p, &cp);
	c->e = ct_insert(r->ct, &c->t0, &reply, c->flags, &cp, c->now);
	if (c->e == NULL) {
		struct ct_entry tmp;

		/* give back the port nat_srcnat() took */
		tmp.orig = c->t0;
		tmp.reply = reply;
		tmp.flags = c->flags;
		nat_release(r, &tmp);
		session_refused(r, c->in_if, p, ct_count(r->ct) >=
		    ct_max(r->ct) ? DROP_CT_FULL : DROP_CT_CLASH, c->tr);
		return false;
	}
	nat_helper_new(r, c->e, &c->xp, c->now);
	return true;
}

static void
ip_input(struct router *r, int in_if, struct pkt *p, bool reassembled,
    struct trace *tr)
{
	struct iface *ifp = &r->ifaces[in_if];
	struct pctx cx, *c = &cx;
	const struct route *rt;
	struct rule_pkt rp;
	bool xlated = false, views;

	memset(c, 0, sizeof(*c));
	c->r = r;
	c->p = p;
	c->tr = tr;
	c->in_if = in_if;
	c->out_if = -1;
	c->reassembled = reassembled;
	c->dir = CT_DIR_ORIG;
	c->now = router_now();
	c->now_ms = router_now_ms();
	c->tracked = nat_tuple_of(p, &c->t0);
	if (tr != NULL) {
		tr->pkt = c->t0;
		tr->tcp_flags = p->tcp_flags;
		tr->icmp_type = p->icmp_type;
		tr->icmp_code = p->icmp_code;
		tr->len = p->ip_len;
	}
	c->tgt = c->t0;

	/* raw -> conntrack -> mangle prerouting -> dstnat -> routing */
	if (!stage_raw(c) || !stage_conntrack(c))
		return;
	if (r->conf->mangle->chains[CHAIN_PREROUTING].nrules > 0 && !c->fast) {
		pctx_view(c, &rp, p->ip->saddr, p->ip->daddr, p->sport,
		    p->dport, c->e != NULL ? nat_state_of(c->e->flags) : 0);
		mangle_run(c, CHAIN_PREROUTING, &rp);
	}
	stage_dstnat(c);

	/* route on the translated destination, in the marked table */
	rt = route_lookup_table(r->routes, c->rmark, c->tgt.dst);
	if (tr != NULL)
		trace_route(tr, r, rt);
	if (rt == NULL) {
		ifp->st.drops[DROP_NO_ROUTE]++;
		icmp_error(r, in_if, p, ICMP_UNREACH, ICMP_UNREACH_NET, 0, 0);
		trace_done(r, tr, "drop: no-route (net-unreachable sent)");
		return;
	}
	if (rt->kind == ROUTE_LOCAL) {
		stage_local(c);
		return;
	}
	if (route_discards(rt)) {
		ifp->st.drops[DROP_NO_ROUTE]++;
		if (rt->kind != ROUTE_BLACKHOLE)
			icmp_error(r, in_if, p, ICMP_UNREACH,
			    rt->kind == ROUTE_UNREACHABLE ? ICMP_UNREACH_HOST :
			    ICMP_UNREACH_FILTER_PROHIB, 0, 0);
		trace_done(r, tr, "drop: %s route", route_kind_name(rt->kind));
		return;
	}
	if (is_subnet_broadcast(rt, c->tgt.dst)) {
		ifp->st.drops[DROP_NOT_FOR_US]++;
		trace_done(r, tr, "drop: directed broadcast");
		return;
	}
	c->out_if = rt->iface;

	/* TTL, quoting the packet as it arrived */
	if (p->ip->ttl <= 1) {
		ifp->st.drops[DROP_TTL_EXCEEDED]++;
		icmp_error(r, in_if, p, ICMP_TIMXCEED, 0, 0, 0);
		trace_done(r, tr, "drop: ttl-exceeded (time-exceeded sent)");
		return;
	}

	/*
	 * mangle forward, filter forward: dst translated, src not yet. The
	 * matchers' view (with the connection's cold counters) is built only
	 * when some chain here will read it: not for a fasttracked packet,
	 * nor when these chains are empty.
	 */
	views = !c->fast && (
	    r->conf->mangle->chains[CHAIN_FORWARD].nrules > 0 ||
	    r->conf->filter->chains[CHAIN_FORWARD].nrules > 0 ||
	    r->conf->mangle->chains[CHAIN_POSTROUTING].nrules > 0);
	if (views) {
		pctx_view(c, &rp, p->ip->saddr, c->tgt.dst, p->sport,
		    c->tgt.dport, c->e != NULL ? nat_state_of(c->e->flags) :
		    nat_state_of(c->flags));
		mangle_run(c, CHAIN_FORWARD, &rp);
		if (!filter_pass(c, CHAIN_FORWARD, &rp))
			return;
	}
	if (c->ct_state == RULE_CT_INVALID) {
		ifp->st.drops[DROP_CT_INVALID]++;
		trace_done(r, tr, "drop: ct-invalid");
		return;
	}
	/*
	 * ICMP that is neither a query nor an error cannot be translated;
	 * out of a NATed link it would leak the inside address (RFC 5508
	 * REQ-11 lets a NAT drop it).
	 */
	if (!c->tracked && !c->related && !c->untracked &&
	    p->proto == IPPROTO_ICMP && !icmp_is_error(p->icmp_type) &&
	    r->external[c->out_if]) {
		ifp->st.drops[DROP_ICMP_UNTRANSLATABLE]++;
		trace_done(r, tr, "drop: icmp-untranslatable");
		return;
	}

	/* mangle postrouting, then srcnat and the entry */
	if (views)
		mangle_run(c, CHAIN_POSTROUTING, &rp);
	if (!stage_srcnat(c))
		return;
	if (c->e != NULL) {
		if (c->cmark_set)
			ct_set_mark(r->ct, c->e, c->cmark);
		if (c->fasttrack && !ct_fasttracked(r->ct, c->e))
			ct_set_fasttrack(r->ct, c->e);
	}

	if (!c->related && (c->t0.src != c->tgt.src || c->t0.dst != c->tgt.dst ||
	    c->t0.sport != c->tgt.sport || c->t0.dport != c->tgt.dport)) {
		xlated = true;
		if (tr != NULL)
			trace_tuple_change(tr, c->dir, c->hairpin_addr != 0 ||
			    c->reflect, &c->t0, &c->tgt);
		nat_rewrite(p, &c->tgt);
	}
	if (c->e != NULL && !c->related)
		nat_helper_data(r, c->e, c->dir, p, tr, c->now);
	ttl_decrement(p->ip);
	if (tr != NULL) {
		tr->out_if = r->ifaces[c->out_if].conf->name;
		if (!c->related)
			trace_hairpin_note(tr, r, in_if, c->out_if, &c->t0,
			    &c->tgt, c->dir, c->ct_state == RULE_CT_NEW &&
			    c->e != NULL && !(c->e->flags & CT_F_REPLIED) &&
			    c->dir == CT_DIR_ORIG);
	}
	forward_out(r, p, in_if, c->out_if, route_nexthop(rt, c->tgt.dst),
	    reassembled, xlated ? &c->t0 : NULL, tr);
}

static bool
vnet_hdr_ok(const struct pkt *p)
{
	const struct virtio_net_hdr *vh = p->vh;

	if (vh == NULL)
		return true;
	if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if ((size_t)vh->csum_start + vh->csum_offset + 2 > p->eth_len)
			return false;
	}
	switch (vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return true;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return p->proto == IPPROTO_TCP && vh->gso_size > 0;
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		return p->proto == IPPROTO_UDP && vh->gso_size > 0;
	default:
		return false;
	}
}

void
router_input(struct router *r, int in_if, uint8_t *buf, size_t len)
{
	struct iface *ifp = &r->ifaces[in_if];
	struct trace trace_buf, *tr = NULL;
	struct pkt p;
	uint8_t *out;
	size_t outlen;
	const char *why;
	int reason;

	ifp->st.rx_packets++;
	/* a frame shorter than its vnet header must not wrap the counter */
	if (!ifp->vnet || len >= (size_t)VNET_HDR_LEN)
		ifp->st.rx_bytes += len - (ifp->vnet ? VNET_HDR_LEN : 0);
	reason = frame_parse(&p, buf, len, ifp->vnet);
	if (reason != -1) {
		ifp->st.drops[reason]++;
		return;
	}
	if (p.ethertype == ETHERTYPE_ARP) {
		if (arp_input(r->arp, in_if, p.eth, p.eth_len) == -1)
			ifp->st.drops[DROP_BAD_ARP]++;
		return;
	}
	if (memcmp(p.eth, ifp->conf->mac, 6) != 0) {
		/* broadcast and multicast IPv4 are not routed */
		ifp->st.drops[DROP_NOT_FOR_US]++;
		return;
	}
	reason = frame_parse_ip(&p, p.eth + ETH_HLEN_, p.eth_len - ETH_HLEN_);
	if (reason != -1) {
		ifp->st.drops[reason]++;
		return;
	}
	if (!vnet_hdr_ok(&p)) {
		ifp->st.drops[DROP_BAD_VNET_HDR]++;
		return;
	}
	if (addr_martian_src(r, p.ip->saddr)) {
		ifp->st.drops[DROP_MARTIAN]++;
		return;
	}
	if ((reason = guard_input(r, in_if, &p)) != -1) {
		ifp->st.drops[reason]++;
		return;
	}
	{
		uint32_t d = ntohl(p.ip->daddr);

		if (d == 0xffffffff || (d >> 28) == 0xe || d == 0) {
			ifp->st.drops[DROP_NOT_FOR_US]++;
			return;
		}
	}
	if (r->tracing) {
		memset(&trace_buf, 0, sizeof(trace_buf));
		trace_buf.in_if = ifp->conf->name;
		tr = &trace_buf;
	}
	if (p.is_frag) {
		switch (frag_input(r->frag, (uint8_t *)p.ip, p.ip_len,
		    router_now(), &out, &outlen, &why)) {
		case FRAG_HELD:
			return;
		case FRAG_DROP:
			ifp->st.drops[strcmp(why, "frag-memory") == 0 ?
			    DROP_FRAG_MEMORY : strcmp(why, "frag-oversize") == 0
			    ? DROP_FRAG_OVERSIZE : DROP_FRAG_INVALID]++;
			return;
		case FRAG_DONE:
			break;
		}
		p.vh = NULL;
		p.eth = out - ETH_HLEN_;
		p.eth_len = outlen + ETH_HLEN_;
		reason = frame_parse_ip(&p, out, outlen);
		if (reason != -1) {
			ifp->st.drops[reason]++;
			return;
		}
		ip_input(r, in_if, &p, true, tr);
		return;
	}
	ip_input(r, in_if, &p, false, tr);
}

/* --- conntrack events ------------------------------------------------------ */

static void
ct_event_cb(void *arg, enum ct_event ev, const struct ct_entry *e)
{
	struct router *r = arg;

	if (ev == CT_EV_DESTROY) {
		nat_helper_destroy(r, e);
		nat_release(r, e);
	}
	if (ev == CT_EV_NEW || ev == CT_EV_DESTROY)
		connlimit_event(e->orig.src, ev == CT_EV_NEW);
	control_ct_event(ev, e);
}

void
router_ct_attach(struct router *r)
{
	ct_set_event_cb(r->ct, ct_event_cb, r);
}

void
router_init(struct router *r, struct config *conf)
{
	r->conf = conf;
	r->routes = route_build(conf);
	r->ct = ct_create(conf->limits.ct_max, &conf->timeouts, router_now());
	router_ct_attach(r);
	r->np = natport_create();
	r->frag = frag_create(conf->limits.frag_max_bytes,
	    conf->limits.frag_timeout);
	r->arp = arp_create(r, conf->limits.arp_max, conf->limits.arp_queue);
	router_conf_derive(r);
}

/* --- reload ----------------------------------------------------------------- */

static int
reload_compatible(const struct config *old, const struct config *new,
    struct conf_errors *errs)
{
	char *msg = NULL;
	int i;

	if (old->nifaces != new->nifaces) {
		xasprintf(&msg, "%s: interfaces added or removed: needs a "
		    "restart (TAPs are opened before privileges are dropped)",
		    new->path);
	} else {
		for (i = 0; i < new->nifaces && msg == NULL; i++) {
			const struct conf_iface *a = &old->ifaces[i];
			const struct conf_iface *b = &new->ifaces[i];

			if (strcmp(a->name, b->name) != 0 ||
			    strcmp(a->tap, b->tap) != 0 ||
			    (a->netns == NULL) != (b->netns == NULL) ||
			    (a->netns && strcmp(a->netns, b->netns) != 0))
				xasprintf(&msg, "%s:%d:%d: interface \"%s\": "
				    "name, tap or netns changed: needs a restart "
				    "(TAPs are opened before privileges are "
				    "dropped)", new->path, b->loc.line,
				    b->loc.col, b->name);
			else if (a->mtu != b->mtu)
				xasprintf(&msg, "%s:%d:%d: interface \"%s\": "
				    "mtu changed: needs a restart (setting the "
				    "TAP mtu needs privileges)", new->path,
				    b->loc.line, b->loc.col, b->name);
		}
	}
	if (msg == NULL)
		return 0;
	errs->msgs = xreallocarray(errs->msgs, errs->n + 1, sizeof(char *));
	errs->msgs[errs->n++] = msg;
	return -1;
}

int
router_set_nice(int nice)
{
	errno = 0;
	if (getpriority(PRIO_PROCESS, 0) == nice && errno == 0)
		return 0;
	if (setpriority(PRIO_PROCESS, 0, nice) == -1) {
		log_warn("dataplane.nice %d", nice);
		return -1;
	}
	log_info("dataplane: running at nice %d", nice);
	return 0;
}

int
router_reload(struct router *r, const char *path, struct conf_errors *errs)
{
	struct config *new;

#ifdef HAVE_SYSTEMD
	sd_notify(0, "RELOADING=1\nSTATUS=reloading configuration");
#endif
	memset(errs, 0, sizeof(*errs));
	new = conf_load(path, errs);
	return router_reload_conf(r, new, path, errs);
}

int
router_reload_conf(struct router *r, struct config *new, const char *path,
    struct conf_errors *errs)
{
	struct config *old = r->conf;
	struct route_table *rt;
	int i;

	if (new == NULL || reload_compatible(old, new, errs) == -1) {
		if (new != NULL)
			conf_free(new);
		r->reload_failures++;
		log_warnx("reload of %s failed, configuration unchanged", path);
#ifdef HAVE_SYSTEMD
		sd_notify(0, "READY=1\nSTATUS=reload failed; running the "
		    "previous configuration");
#endif
		return -1;
	}
	if (old->ctl_socket != NULL && new->ctl_socket != NULL &&
	    strcmp(old->ctl_socket, new->ctl_socket) != 0)
		log_warnx("control.socket changed: takes effect on restart");
	rt = route_build(new);
	ruleset_copy_counters(new->nat, old->nat);
	ruleset_copy_counters(new->filter, old->filter);
	ruleset_copy_counters(new->mangle, old->mangle);
	ruleset_copy_counters(new->raw, old->raw);
	/* the swap: nothing below can fail */
	r->conf = new;
	for (i = 0; i < r->nifaces; i++)
		r->ifaces[i].conf = &new->ifaces[i];
	route_free(r->routes);
	r->routes = rt;
	ct_reconfigure(r->ct, new->limits.ct_max, &new->timeouts);
	frag_reconfigure(r->frag, new->limits.frag_max_bytes,
	    new->limits.frag_timeout);
	arp_reconfigure(r->arp, new->limits.arp_max, new->limits.arp_queue);
	log_set_level(new->log_level);
	if (new->dp.nice_set && (!old->dp.nice_set ||
	    new->dp.nice != old->dp.nice))
		router_set_nice(new->dp.nice);
	if (new->dp.io != old->dp.io)
		log_warnx("dataplane.io: the TAPs keep the I/O they were "
		    "started with until hairpind restarts");
	router_conf_derive(r);
	dns_reconfigure(r);
	conf_free(old);
	r->reloads++;
	/* @path may be the old config's own, freed just above */
	log_info("reloaded %s", r->conf->path);
#ifdef HAVE_SYSTEMD
	sd_notify(0, "READY=1\nSTATUS=running");
#endif
	return 0;
}
