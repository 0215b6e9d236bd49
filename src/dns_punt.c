/* SPDX-License-Identifier: ISC */
/*
 * The resolver's link: a private network namespace with one TUN whose
 * kernel side holds the router's own addresses. Packets to the router for
 * the resolver (queries to port 53 from allowed links, and the answers to
 * its own upstream queries) are written into the TUN; what the kernel
 * sends back out is the router's own output, routed like an ICMP error
 * the router makes. Both directions are tracked in conntrack as local
 * connections, so `connection-state` in chain input sees them as a
 * router's own traffic, and NAT never hands their ports to anyone else.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>

#include <event2/event.h>

#include "ct.h"
#include "dns_int.h"
#include "frame.h"
#include "log.h"
#include "nat.h"
#include "route.h"
#include "router.h"
#include "xmalloc.h"

#define PUNT_BUDGET	64
#define DNS_PORT_N	htons(53)

/* What conntrack needs of one packet (as router.c's ip path fills it). */
static void
punt_ct_pkt(const struct pkt *p, struct ct_pkt *cp)
{
	const struct tcp_hdr *th;
	const uint8_t *opt, *end;
	unsigned int off;

	memset(cp, 0, sizeof(*cp));
	cp->len = p->ip_len;
	cp->wscale = -1;
	if (p->proto != IPPROTO_TCP || !p->l4_ok)
		return;
	th = (const struct tcp_hdr *)p->l4;
	off = (th->off >> 4) * 4;
	cp->tcp_flags = th->flags;
	cp->seq = ntohl(th->seq);
	cp->ack = ntohl(th->ack);
	cp->win = ntohs(th->win);
	cp->payload = p->l4_len - off;
	if (!(th->flags & TH_SYN))
		return;
	for (opt = p->l4 + sizeof(*th), end = p->l4 + off; opt < end; ) {
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

bool
dns_allowed(const struct dns *d, int ifidx)
{
	const struct conf_dns *c = &d->r->conf->dns;

	if (!c->allow_remote || ifidx < 0 || ifidx >= d->r->nifaces)
		return false;
	return c->ifaces_set ? c->ifaces[ifidx] : !d->r->external[ifidx];
}

/*
 * Track one local packet: an existing entry is advanced, a first packet
 * (UDP, or a TCP SYN) makes a CT_F_LOCAL entry. Return: false when the
 * packet must be dropped (table full, tuple taken by a NAT mapping).
 */
static bool
punt_track(struct router *r, const struct pkt *p, bool inbound_known)
{
	struct ct_tuple t, reply;
	struct ct_entry *e;
	struct ct_pkt cp;
	enum ct_dir dir;

	if (!nat_tuple_of(p, &t))
		return true;
	punt_ct_pkt(p, &cp);
	e = ct_lookup(r->ct, &t, &dir);
	if (e != NULL) {
		/* inbound packets were tracked by the ip path already */
		if (!inbound_known)
			ct_track(r->ct, e, dir, &cp, router_now());
		return (e->flags & CT_F_LOCAL) != 0;
	}
	if (p->proto == IPPROTO_TCP && !ct_tcp_new_ok(p->tcp_flags))
		return true;	/* a RST or stray ACK: let it go untracked */
	ct_tuple_invert(&reply, &t);
	return ct_insert(r->ct, &t, &reply, CT_F_LOCAL, &cp, router_now()) !=
	    NULL;
}

static void
punt_write(struct dns *d, const struct pkt *p)
{
	struct virtio_net_hdr vh;
	struct iovec iov[2];

	memset(&vh, 0, sizeof(vh));
	if (p->vh != NULL) {
		/* offsets count from the Ethernet header on a TAP, from the
		   IP header on a TUN */
		vh = *p->vh;
		if (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
			vh.csum_start = (uint16_t)(vh.csum_start - ETH_HLEN_);
		vh.hdr_len = vh.hdr_len >= ETH_HLEN_ ?
		    (uint16_t)(vh.hdr_len - ETH_HLEN_) : 0;
	}
	iov[0].iov_base = &vh;
	iov[0].iov_len = sizeof(vh);
	iov[1].iov_base = p->ip;
	iov[1].iov_len = p->ip_len;
	if (writev(d->tun_fd, iov, 2) != (ssize_t)(sizeof(vh) + p->ip_len))
		d->st.punt_drops++;
}

bool
dns_punt_input(struct router *r, int in_if, struct pkt *p)
{
	struct dns *d = r->dns;
	struct ct_tuple t;
	struct ct_entry *e;
	enum ct_dir dir;

	if (d == NULL || !p->l4_ok || (p->proto != IPPROTO_UDP &&
	    p->proto != IPPROTO_TCP) || !nat_tuple_of(p, &t))
		return false;
	e = ct_lookup(r->ct, &t, &dir);
	if (e != NULL) {
		/* the resolver's own connections, both ways */
		if (!(e->flags & CT_F_LOCAL))
			return false;
	} else if (p->dport == DNS_PORT_N) {
		if (!dns_allowed(d, in_if)) {
			d->st.refused++;
			return false;	/* answered as a closed port */
		}
		if (!punt_track(r, p, true)) {
			d->st.punt_drops++;
			return true;
		}
	} else {
		return false;
	}
	punt_write(d, p);
	return true;
}

/* Remove a CT_F_LOCAL entry for @t, if there is one. */
static void
punt_ct_remove(struct router *r, const struct ct_tuple *t)
{
	struct ct_entry *e;
	enum ct_dir dir;

	e = ct_lookup(r->ct, t, &dir);
	if (e != NULL && (e->flags & CT_F_LOCAL))
		ct_remove(r->ct, e);
}

void
dns_punt_forget(struct dns *d, int fd)
{
	struct sockaddr_in a, b;
	socklen_t la = sizeof(a), lb = sizeof(b);
	struct ct_tuple t;

	if (d->r->ct == NULL || getsockname(fd, (struct sockaddr *)&a,
	    &la) == -1 || getpeername(fd, (struct sockaddr *)&b, &lb) == -1 ||
	    a.sin_family != AF_INET || b.sin_family != AF_INET)
		return;
	memset(&t, 0, sizeof(t));
	t.src = a.sin_addr.s_addr;
	t.dst = b.sin_addr.s_addr;
	t.sport = a.sin_port;
	t.dport = b.sin_port;
	t.proto = IPPROTO_UDP;
	punt_ct_remove(d->r, &t);
}

void
dns_trace_note(const struct pkt *p, char *buf, size_t len)
{
	if (p->dport == DNS_PORT_N)
		snprintf(buf, len, "a DNS query to the router: it answers LAN "
		    "clients with the server's own address for a name a "
		    "dst-nat publishes (dns static entry or split-horizon), so "
		    "they reach the server directly and it sees them, not the "
		    "router as through hairpin NAT");
	else
		snprintf(buf, len, "part of the router's own DNS traffic "
		    "(a query it forwarded), tracked as a local connection");
}

/* What the resolver's kernel sends: the router's own output. */
static void
punt_read_cb(evutil_socket_t fd, short what, void *arg)
{
	static uint8_t buf[ROUTER_HEADROOM + 64 + 65536]
	    __attribute__((aligned(64)));
	struct dns *d = arg;
	struct router *r = d->r;
	uint8_t *ip = buf + ROUTER_HEADROOM + 64;
	uint8_t *rd = ip - sizeof(struct virtio_net_hdr);
	struct ct_tuple t;
	struct pkt p;
	ssize_t n;
	bool done;
	int i;

	for (i = 0; i < PUNT_BUDGET; i++) {
		n = read(fd, rd, sizeof(struct virtio_net_hdr) + 65535);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("%s: read", DNS_PUNT_IFNAME);
			return;
		}
		if ((size_t)n <= sizeof(struct virtio_net_hdr) + 20)
			continue;
		n -= (ssize_t)sizeof(struct virtio_net_hdr);
		memset(&p, 0, sizeof(p));
		if (frame_parse_ip(&p, ip, (size_t)n) != -1 || p.ip == NULL ||
		    !route_is_local(r->routes, p.ip->saddr)) {
			d->st.punt_drops++;
			continue;
		}
		if ((p.proto == IPPROTO_UDP || p.proto == IPPROTO_TCP) &&
		    !punt_track(r, &p, false)) {
			d->st.punt_drops++;
			continue;
		}
		/*
		 * A UDP answer to a client ends that exchange: its entry goes
		 * now rather than in udp-stream's minutes, so a flood from
		 * random ports does not fill the table.
		 */
		done = p.proto == IPPROTO_UDP && p.l4_ok &&
		    p.sport == DNS_PORT_N && nat_tuple_of(&p, &t);
		router_output(r, ip, p.ip_len);
		if (done)
			punt_ct_remove(r, &t);
	}
}

static int
punt_ioctl_addr(int s, unsigned long req, const char *ifname, uint32_t a,
    char **cause)
{
	struct ifreq ifr;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = a;
	if (ioctl(s, req, &ifr) == -1) {
		xasprintf(cause, "%s: address ioctl: %s", ifname,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* A sysctl of the namespace we are in (/proc/sys/net is per namespace). */
static int
punt_sysctl(const char *name, const char *val, char **cause)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/%s", name);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1 ||
	    write(fd, val, strlen(val)) != (ssize_t)strlen(val)) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int
punt_link_up(int s, const char *ifname, int mtu, char **cause)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (mtu > 0) {
		ifr.ifr_mtu = mtu;
		if (ioctl(s, SIOCSIFMTU, &ifr) == -1) {
			xasprintf(cause, "%s: SIOCSIFMTU: %s", ifname,
			    strerror(errno));
			return -1;
		}
	}
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == -1) {
		xasprintf(cause, "%s: SIOCGIFFLAGS: %s", ifname,
		    strerror(errno));
		return -1;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) == -1) {
		xasprintf(cause, "%s: SIOCSIFFLAGS: %s", ifname,
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
dns_punt_open(struct dns *d, char **cause)
{
	struct router *r = d->r;
	struct rtentry rt;
	struct ifreq ifr;
	struct sockaddr_in *sin;
	char label[IFNAMSIZ], *msg = NULL;
	int s = -1, fd = -1, hdrsz = sizeof(struct virtio_net_hdr);
	int i, j, n = 0, mtu = 65535;

	/*
	 * From here on the daemon lives in its own namespace: the TAPs and
	 * the control socket are open already, and every socket the resolver
	 * opens later (upstream queries, TCP) must be made here, after the
	 * privilege drop, without setns().
	 */
	if (unshare(CLONE_NEWNET) == -1) {
		xasprintf(cause, "unshare(CLONE_NEWNET): %s", strerror(errno));
		return -1;
	}
	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return -1;
	}
	/*
	 * Nobody else lives in this namespace: port 53 needs no
	 * CAP_NET_BIND_SERVICE here. Under ProtectKernelTunables= /proc/sys
	 * is read-only; then binding needs the capability (the units keep
	 * it in the bounding set).
	 */
	if (punt_sysctl("net/ipv4/ip_unprivileged_port_start", "0",
	    &msg) == -1) {
		log_debug("dns: %s", msg);
		free(msg);
	}
	if (punt_link_up(s, "lo", 0, cause) == -1)
		goto fail;
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1) {
		xasprintf(cause, "/dev/net/tun: %s", strerror(errno));
		goto fail;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", DNS_PUNT_IFNAME);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) == -1 ||
	    ioctl(fd, TUNSETVNETHDRSZ, &hdrsz) == -1) {
		xasprintf(cause, "%s: TUNSETIFF: %s", DNS_PUNT_IFNAME,
		    strerror(errno));
		goto fail;
	}
	for (i = 0; i < r->nifaces; i++) {
		const struct conf_iface *ifc = r->ifaces[i].conf;

		if (ifc->mtu < mtu)
			mtu = ifc->mtu;
		for (j = 0; j < ifc->naddrs; j++, n++) {
			if (n == 0)
				snprintf(label, sizeof(label), "%s",
				    DNS_PUNT_IFNAME);
			else
				snprintf(label, sizeof(label), "%s:%d",
				    DNS_PUNT_IFNAME, n & 0xff);
			if (punt_ioctl_addr(s, SIOCSIFADDR, label,
			    ifc->addrs[j].addr, cause) == -1 ||
			    punt_ioctl_addr(s, SIOCSIFNETMASK, label,
			    htonl(0xffffffff), cause) == -1)
				goto fail;
		}
	}
	if (punt_link_up(s, DNS_PUNT_IFNAME, mtu, cause) == -1)
		goto fail;
	memset(&rt, 0, sizeof(rt));
	sin = (struct sockaddr_in *)&rt.rt_dst;
	sin->sin_family = AF_INET;
	sin = (struct sockaddr_in *)&rt.rt_genmask;
	sin->sin_family = AF_INET;
	rt.rt_flags = RTF_UP;
	rt.rt_dev = label;
	snprintf(label, sizeof(label), "%s", DNS_PUNT_IFNAME);
	if (ioctl(s, SIOCADDRT, &rt) == -1) {
		xasprintf(cause, "%s: default route: %s", DNS_PUNT_IFNAME,
		    strerror(errno));
		goto fail;
	}
	close(s);
	d->tun_fd = fd;
	d->tun_ev = event_new(d->base, fd, EV_READ | EV_PERSIST, punt_read_cb,
	    d);
	event_add(d->tun_ev, NULL);
	return 0;
fail:
	if (fd != -1)
		close(fd);
	close(s);
	return -1;
}

void
dns_punt_close(struct dns *d)
{
	if (d->tun_ev != NULL)
		event_free(d->tun_ev);
	d->tun_ev = NULL;
	if (d->tun_fd != -1)
		close(d->tun_fd);
	d->tun_fd = -1;
}
