/* SPDX-License-Identifier: ISC */
/*
 * mqtap: what a multi-queue TAP does with flows, and what a queue costs,
 * measured on this kernel (issue 16, docs/MULTIQUEUE.md).
 *
 * hairpind reads and writes one single-queue TAP per link from one loop.
 * A loop per core would own queue i of every TAP (IFF_MULTI_QUEUE); that
 * only works if the kernel hands both directions of a connection to the
 * loop that owns its conntrack entry. This program measures what the
 * kernel actually does, in network namespaces of its own (unshare()d, so
 * they vanish with the process and no traffic leaves them):
 *
 *   A  which queue the kernel picks for packets it sends out of the TAP
 *      (kernel -> userspace), over many flows: the spread, whether a
 *      flow stays on one queue, where IP fragments and ARP requests go;
 *   X  the same flow sent out of two different TAPs in two namespaces,
 *      once as is (a routed flow, both directions) and once with a port
 *      rewritten (what NAT does): same queue index or not;
 *   B  tun's flow steering ("automq", drivers/net/tun.c): after
 *      userspace WRITES a frame of a flow on queue q, does the kernel's
 *      answer (same 5-tuple reversed) come back on q? For 1000 ... 8000
 *      flows (the table holds MAX_TAP_FLOWS = 4096), after how long idle
 *      the entry is gone (TUN_FLOW_EXPIRE, 3 s), and whether a flow
 *      written on another queue follows it;
 *   C  per-queue fixed costs: the time to create a TAP and attach
 *      queues, the kernel memory a queue holds, the io_uring a loop
 *      would need (hairpind's sizes), what the automq hash costs per
 *      frame in each direction, and two writers at once with tun's flow
 *      table full (every write then takes the device's flow lock);
 *   H  a hand-off between two loops: a single-producer single-consumer
 *      ring of buffer ids, with the buffer returned on a second ring,
 *      per frame, by reference and by copy, for 64 B, 1514 B and 64 KB.
 *
 *   mqtap [-q 2,4] [-f 1000,4000,8000] [-n FLOWS] [-s TESTS]
 *     -q  queue counts to test (default 2,4)
 *     -f  flow counts for the steering capacity test (default
 *         1000,4000,4096,5000,8000)
 *     -n  flows in the spread test (default 4096)
 *     -s  tests to run, letters of "AXBTCH" (default all; T is the
 *         ageing test of B, about 7 s per queue count, mostly asleep)
 *
 * Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN for unshare) and
 * /dev/net/tun. Build: gcc -O2 -Wall -Wextra -pthread -o mqtap mqtap.c
 * Every test is short: the CPU-bound parts (C's write loops, H's two
 * spinning threads) take a few seconds in all; the whole run about 40 s,
 * most of it B2 asleep.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/io_uring.h>

#define MAXQ		128		/* queues in one test, at most */
#define NPEERS		32		/* neighbours the flows go to */
#define SERVER_PORT	9000
#define PORT_BASE	20000
#define NAT_PORT_BASE	40000
#define TXQLEN		10000		/* hairpind's TAP_TXQUEUELEN */
#define FRAME_MAX	(14 + 65535)

/* hairpind's sizes (src/tapring.c, src/router.h, src/tap.h), copied. */
#define HP_HEADROOM	64
#define HP_FRAME_MAX	(10 + 14 + 65535 + 64)
#define HP_SLOT		((HP_HEADROOM + HP_FRAME_MAX + 63) & ~63u)
#define HP_BUFS		128
#define HP_SQ		256
#define HP_CQ		(4 * HP_BUFS)

/* 10.77.0.0/24 in namespace A; the TAP holds .1, the peers are .2-.33 */
#define NET_A		0x0a4d0000u

static const char *only = "AXBTCH";

static void
die(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	fprintf(stderr, "mqtap: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(e));
	exit(1);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
sleep_until(uint64_t t)
{
	uint64_t n = now_ns();
	struct timespec ts;

	if (t <= n)
		return;
	ts.tv_sec = (time_t)((t - n) / 1000000000u);
	ts.tv_nsec = (long)((t - n) % 1000000000u);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t
median(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

/* --- namespaces and links ---------------------------------------------- */

/* A new network namespace, entered; returns a descriptor to come back. */
static int
ns_new(void)
{
	int fd;

	if (unshare(CLONE_NEWNET) == -1)
		die("unshare(CLONE_NEWNET) (run as root)");
	fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		die("/proc/self/ns/net");
	return fd;
}

static void
ns_enter(int fd)
{
	if (setns(fd, CLONE_NEWNET) == -1)
		die("setns");
}

static int ctl_sock = -1;		/* ioctls, in the current netns */

static int
ctl(void)
{
	if (ctl_sock != -1)
		close(ctl_sock);
	ctl_sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (ctl_sock == -1)
		die("socket");
	return ctl_sock;
}

static void
link_up(const char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(ctl_sock, SIOCGIFFLAGS, &ifr) == -1)
		die("%s: SIOCGIFFLAGS", name);
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(ctl_sock, SIOCSIFFLAGS, &ifr) == -1)
		die("%s: SIOCSIFFLAGS", name);
}

static void
sysctl_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t w;

	if (fd == -1)
		return;		/* no IPv6: nothing to silence */
	w = write(fd, val, strlen(val));
	(void)w;
	close(fd);
}

struct tap {
	char name[IFNAMSIZ];
	int nq;
	int fd[MAXQ];
	uint8_t mac[6];
	uint64_t attach_ns[MAXQ];	/* open + TUNSETIFF of each queue */
};

/* Open queue @i of @t (the first one creates the device). */
static void
tap_attach(struct tap *t, int i)
{
	struct ifreq ifr;
	uint64_t t0 = now_ns();
	int fd;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1)
		die("/dev/net/tun");
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE;
	if (ioctl(fd, TUNSETIFF, &ifr) == -1)
		die("%s: TUNSETIFF queue %d", t->name, i);
	t->attach_ns[i] = now_ns() - t0;
	t->fd[i] = fd;
}

static void
tap_set_txqlen(struct tap *t, int qlen)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->name);
	ifr.ifr_qlen = qlen;
	if (ioctl(ctl_sock, SIOCSIFTXQLEN, &ifr) == -1)
		die("%s: SIOCSIFTXQLEN", t->name);
}

/*
 * A TAP of @nq queues in the current netns, holding @addr/24, up, IPv6
 * off (no stray frames), with permanent neighbours .2-.33 (02:..:peer).
 */
static void
tap_open(struct tap *t, const char *name, int nq, uint32_t addr)
{
	struct sockaddr_in *sin;
	struct ifreq ifr;
	struct arpreq ar;
	char path[128];
	int i;

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->nq = nq;
	ctl();
	tap_attach(t, 0);
	tap_set_txqlen(t, TXQLEN);
	for (i = 1; i < nq; i++)
		tap_attach(t, i);
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
	    name);
	sysctl_write(path, "1");

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	sin = (struct sockaddr_in *)&ifr.ifr_addr;
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(addr);
	if (ioctl(ctl_sock, SIOCSIFADDR, &ifr) == -1)
		die("%s: SIOCSIFADDR", name);
	sin->sin_addr.s_addr = htonl(0xffffff00u);
	if (ioctl(ctl_sock, SIOCSIFNETMASK, &ifr) == -1)
		die("%s: SIOCSIFNETMASK", name);
	link_up(name);
	if (ioctl(ctl_sock, SIOCGIFHWADDR, &ifr) == -1)
		die("%s: SIOCGIFHWADDR", name);
	memcpy(t->mac, ifr.ifr_hwaddr.sa_data, 6);

	for (i = 0; i < NPEERS + 2; i++) {
		uint32_t peer = (addr & 0xffffff00u) | (uint32_t)(i + 1);

		if (peer == addr)
			continue;
		memset(&ar, 0, sizeof(ar));
		sin = (struct sockaddr_in *)&ar.arp_pa;
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(peer);
		ar.arp_ha.sa_family = ARPHRD_ETHER;
		memcpy(ar.arp_ha.sa_data, "\x02\x00\x00\x00\x00", 5);
		ar.arp_ha.sa_data[5] = (char)(peer & 0xff);
		ar.arp_flags = ATF_PERM | ATF_COM;
		snprintf(ar.arp_dev, sizeof(ar.arp_dev), "%s", name);
		if (ioctl(ctl_sock, SIOCSARP, &ar) == -1)
			die("%s: SIOCSARP", name);
	}
}

static void
tap_close(struct tap *t)
{
	int i;

	for (i = 0; i < t->nq; i++)
		close(t->fd[i]);
	t->nq = 0;
}

/* --- frames ------------------------------------------------------------- */

static uint16_t
csum16(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		s += (uint32_t)b[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* An Ethernet + IPv4 + UDP frame (UDP checksum 0: none). Returns length. */
static size_t
frame_udp(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, uint32_t src,
    uint32_t dst, uint16_t sport, uint16_t dport, size_t payload)
{
	uint8_t *ip = f + 14, *udp = ip + 20;
	uint16_t tot = (uint16_t)(20 + 8 + payload), c;

	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = (uint8_t)(tot >> 8);
	ip[3] = (uint8_t)tot;
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	src = htonl(src);
	dst = htonl(dst);
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	c = csum16(ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	udp[0] = (uint8_t)(sport >> 8);
	udp[1] = (uint8_t)sport;
	udp[2] = (uint8_t)(dport >> 8);
	udp[3] = (uint8_t)dport;
	udp[4] = (uint8_t)((8 + payload) >> 8);
	udp[5] = (uint8_t)(8 + payload);
	udp[6] = udp[7] = 0;
	memset(udp + 8, 0x5a, payload);
	return 14 + tot;
}

/* What a frame read from a queue was, as far as the tests care. */
struct seen {
	int q;
	uint32_t src, dst;	/* host order */
	uint16_t sport, dport;	/* host order; 0 in a non-first fragment */
	uint16_t ipid;
	uint16_t fragoff;	/* in 8-byte units */
	int more;		/* MF */
};

static int
frame_parse(const uint8_t *f, size_t len, struct seen *s)
{
	const uint8_t *ip = f + 14;
	uint16_t fo;
	size_t ihl;

	if (len < 14 + 20 || f[12] != 0x08 || f[13] != 0x00 ||
	    (ip[0] >> 4) != 4 || ip[9] != IPPROTO_UDP)
		return -1;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	s->src = (uint32_t)ip[12] << 24 | (uint32_t)ip[13] << 16 |
	    (uint32_t)ip[14] << 8 | ip[15];
	s->dst = (uint32_t)ip[16] << 24 | (uint32_t)ip[17] << 16 |
	    (uint32_t)ip[18] << 8 | ip[19];
	s->ipid = (uint16_t)(ip[4] << 8 | ip[5]);
	fo = (uint16_t)(ip[6] << 8 | ip[7]);
	s->fragoff = fo & 0x1fff;
	s->more = (fo & 0x2000) != 0;
	s->sport = s->dport = 0;
	if (s->fragoff == 0 && len >= 14 + ihl + 8) {
		s->sport = (uint16_t)(ip[ihl] << 8 | ip[ihl + 1]);
		s->dport = (uint16_t)(ip[ihl + 2] << 8 | ip[ihl + 3]);
	}
	return 0;
}

typedef void (*seen_fn)(void *arg, const struct seen *s);

/* ARP frames read, per queue (the kernel asking for unknown neighbours) */
static long arp_perq[MAXQ];

/*
 * Read every queue of @t until @want UDP frames were seen or nothing came
 * for @quiet_ms. Returns the number seen.
 */
static long
drain(struct tap *t, long want, int quiet_ms, seen_fn fn, void *arg)
{
	static uint8_t buf[FRAME_MAX];
	struct pollfd pfd[MAXQ];
	struct seen s;
	long got = 0;
	ssize_t n;
	int i, any;

	for (;;) {
		do {
			any = 0;
			for (i = 0; i < t->nq; i++) {
				while ((n = read(t->fd[i], buf, sizeof(buf))) > 0) {
					any = 1;
					if (n >= 14 && buf[12] == 0x08 &&
					    buf[13] == 0x06)
						arp_perq[i]++;
					if (frame_parse(buf, (size_t)n, &s) == -1)
						continue;
					s.q = i;
					got++;
					if (fn != NULL)
						fn(arg, &s);
				}
			}
		} while (any);
		if (want >= 0 && got >= want)
			return got;
		for (i = 0; i < t->nq; i++) {
			pfd[i].fd = t->fd[i];
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)t->nq, quiet_ms) <= 0)
			return got;
	}
}

/* Flow i: peer 10.77.0.(2 + i % 32), peer port 20000 + i / 32. */
static uint32_t
flow_peer(uint32_t net, int i)
{
	return net | (uint32_t)(2 + i % NPEERS);
}

static uint16_t
flow_port(int i)
{
	return (uint16_t)(PORT_BASE + i / NPEERS);
}

static int
flow_of(uint32_t peer, uint16_t port)
{
	int p = (int)(peer & 0xff) - 2, k = (int)port - PORT_BASE;

	if (p < 0 || p >= NPEERS || k < 0 || k >= 65536 / NPEERS)
		return -1;
	return k * NPEERS + p;
}

static int
udp_server(uint32_t addr, uint16_t port)
{
	struct sockaddr_in sin;
	int s, big = 32 << 20, off = IP_PMTUDISC_DONT;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s == -1)
		die("socket");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(addr);
	sin.sin_port = htons(port);
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		die("bind");
	(void)setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	(void)setsockopt(s, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	(void)setsockopt(s, IPPROTO_IP, IP_MTU_DISCOVER, &off, sizeof(off));
	return s;
}

static void
send_to(int s, uint32_t addr, uint16_t port, size_t len)
{
	static char payload[4000];
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(addr);
	sin.sin_port = htons(port);
	if (sendto(s, payload, len, 0, (struct sockaddr *)&sin,
	    sizeof(sin)) == -1)
		die("sendto");
}

/* --- A: the spread of flows over queues ---------------------------------- */

struct spread {
	int nflows;
	int *q1, *q2;		/* queue of each flow's 1st and 2nd packet */
	long *perq;
	/* fragments: queue of each fragment, keyed by IP id via frag_flow */
	int *frag_q[3];
	int frag_flow[65536];
	int frag_qs[65536][3];
	int frag_n[65536];
};

static void
spread_seen(void *arg, const struct seen *s)
{
	struct spread *sp = arg;
	int f;

	if (s->fragoff != 0 || s->more) {
		if (s->fragoff == 0)
			sp->frag_flow[s->ipid] = flow_of(s->dst, s->dport);
		if (sp->frag_n[s->ipid] < 3)
			sp->frag_qs[s->ipid][sp->frag_n[s->ipid]++] = s->q;
		return;
	}
	f = flow_of(s->dst, s->dport);
	if (f < 0 || f >= sp->nflows)
		return;
	sp->perq[s->q]++;
	if (sp->q1[f] < 0)
		sp->q1[f] = s->q;
	else
		sp->q2[f] = s->q;
}

static void
test_spread(int nq, int nflows)
{
	struct spread *sp = calloc(1, sizeof(*sp));
	struct tap t;
	int s, i, same = 0, fr_same = 0, fr_flow = 0, fr_n = 0, nfrag, arpq;
	long lo = -1, hi = 0, narp;
	char name[IFNAMSIZ];

	if (sp == NULL)
		die("calloc");
	sp->nflows = nflows;
	sp->q1 = malloc(sizeof(int) * (size_t)nflows);
	sp->q2 = malloc(sizeof(int) * (size_t)nflows);
	sp->perq = calloc((size_t)nq, sizeof(long));
	for (i = 0; i < nflows; i++)
		sp->q1[i] = sp->q2[i] = -1;
	for (i = 0; i < 65536; i++)
		sp->frag_flow[i] = -1;
	snprintf(name, sizeof(name), "mqa%d", nq);
	tap_open(&t, name, nq, NET_A | 1);
	s = udp_server(NET_A | 1, SERVER_PORT);
	for (i = 0; i < nflows; i++) {
		send_to(s, flow_peer(NET_A, i), flow_port(i), 18);
		send_to(s, flow_peer(NET_A, i), flow_port(i), 18);
		if (i % 1024 == 1023)
			drain(&t, 2048, 50, spread_seen, sp);
	}
	drain(&t, -1, 50, spread_seen, sp);
	/* a 3000-byte datagram per flow for the first 512: 3 fragments */
	nfrag = nflows < 512 ? nflows : 512;
	for (i = 0; i < nfrag; i++) {
		send_to(s, flow_peer(NET_A, i), flow_port(i), 3000);
		if (i % 256 == 255)
			drain(&t, 768, 50, spread_seen, sp);
	}
	drain(&t, -1, 50, spread_seen, sp);
	/* 128 neighbours nobody knows: the kernel sends ARP requests */
	memset(arp_perq, 0, sizeof(arp_perq));
	for (i = 0; i < 128; i++)
		send_to(s, NET_A | (uint32_t)(100 + i), SERVER_PORT, 18);
	drain(&t, -1, 50, NULL, NULL);
	close(s);
	tap_close(&t);
	for (i = 0, arpq = 0, narp = 0; i < nq; i++) {
		narp += arp_perq[i];
		arpq += arp_perq[i] > 0;
	}

	for (i = 0; i < nflows; i++)
		if (sp->q1[i] >= 0 && sp->q1[i] == sp->q2[i])
			same++;
	for (i = 0; i < nq; i++) {
		if (lo < 0 || sp->perq[i] < lo)
			lo = sp->perq[i];
		if (sp->perq[i] > hi)
			hi = sp->perq[i];
	}
	for (i = 0; i < 65536; i++) {
		int f = sp->frag_flow[i];

		if (f < 0 || sp->frag_n[i] != 3)
			continue;
		fr_n++;
		if (sp->frag_qs[i][0] == sp->frag_qs[i][1] &&
		    sp->frag_qs[i][1] == sp->frag_qs[i][2])
			fr_same++;
		if (sp->frag_qs[i][0] == sp->q1[f])
			fr_flow++;
	}
	printf("%6d %6d  ", nq, nflows);
	for (i = 0; i < 4; i++) {
		if (i < nq)
			printf(" %6.1f%%", 100.0 * (double)sp->perq[i] /
			    (double)(2 * nflows));
		else
			printf(" %7s", "-");
	}
	printf("   %5.2f  %6.1f%%   %5d  %6.1f%%  %6.1f%%   %4ld  %d of %d\n",
	    lo > 0 ? (double)hi / (double)lo : 0.0,
	    100.0 * same / nflows, fr_n, fr_n ? 100.0 * fr_same / fr_n : 0.0,
	    fr_n ? 100.0 * fr_flow / fr_n : 0.0, narp, arpq, nq);
	free(sp->q1);
	free(sp->q2);
	free(sp->perq);
	free(sp);
}

/* --- X: one flow out of two TAPs, as is and NATed ------------------------ */

struct xq {
	int nflows;
	int *qa, *qb, *qn;
};

static void
xa_seen(void *arg, const struct seen *s)
{
	struct xq *x = arg;
	int f = (int)s->dport - PORT_BASE;

	if (s->sport == SERVER_PORT && f >= 0 && f < x->nflows)
		x->qa[f] = s->q;
}

static void
xb_seen(void *arg, const struct seen *s)
{
	struct xq *x = arg;
	int f = (int)s->sport - PORT_BASE;

	if (f < 0 || f >= x->nflows)
		return;
	if (s->dport == SERVER_PORT)
		x->qb[f] = s->q;
	else if (s->dport == NAT_PORT_BASE + f)
		x->qn[f] = s->q;
}

/* UDP from @src:@sport to @dst:@dport through a raw socket. */
static void
raw_udp(int rs, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
	static const uint8_t none[6];
	uint8_t f[14 + 28 + 18];
	size_t len = frame_udp(f, none, none, src, dst, sport, dport, 18);
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(dst);
	if (sendto(rs, f + 14, len - 14, 0, (struct sockaddr *)&sin,
	    sizeof(sin)) == -1)
		die("raw sendto");
}

static void
test_cross(int nq, int nflows, int nsa)
{
	struct xq x;
	struct tap ta, tb;
	int nsb, s, rs, i, one = 1, same = 0, nat = 0, n = 0;
	char name[IFNAMSIZ];

	x.nflows = nflows;
	x.qa = malloc(sizeof(int) * (size_t)nflows);
	x.qb = malloc(sizeof(int) * (size_t)nflows);
	x.qn = malloc(sizeof(int) * (size_t)nflows);
	for (i = 0; i < nflows; i++)
		x.qa[i] = x.qb[i] = x.qn[i] = -1;

	/* B: the far side, 10.77.0.2, sends the reverse direction */
	nsb = ns_new();
	snprintf(name, sizeof(name), "mqxb%d", nq);
	tap_open(&tb, name, nq, NET_A | 2);
	rs = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (rs == -1)
		die("raw socket");
	(void)setsockopt(rs, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one));
	for (i = 0; i < nflows; i++) {
		raw_udp(rs, NET_A | 2, NET_A | 1, (uint16_t)(PORT_BASE + i),
		    SERVER_PORT);
		raw_udp(rs, NET_A | 2, NET_A | 1, (uint16_t)(PORT_BASE + i),
		    (uint16_t)(NAT_PORT_BASE + i));
		if (i % 1024 == 1023)
			drain(&tb, 2048, 50, xb_seen, &x);
	}
	drain(&tb, -1, 50, xb_seen, &x);
	close(rs);

	/* A: 10.77.0.1:9000 sends the forward direction */
	ns_enter(nsa);
	snprintf(name, sizeof(name), "mqxa%d", nq);
	tap_open(&ta, name, nq, NET_A | 1);
	s = udp_server(NET_A | 1, SERVER_PORT);
	for (i = 0; i < nflows; i++) {
		send_to(s, NET_A | 2, (uint16_t)(PORT_BASE + i), 18);
		if (i % 1024 == 1023)
			drain(&ta, 1024, 50, xa_seen, &x);
	}
	drain(&ta, -1, 50, xa_seen, &x);
	close(s);
	tap_close(&ta);
	tap_close(&tb);
	close(nsb);

	for (i = 0; i < nflows; i++) {
		if (x.qa[i] < 0 || x.qb[i] < 0 || x.qn[i] < 0)
			continue;
		n++;
		same += x.qa[i] == x.qb[i];
		nat += x.qa[i] == x.qn[i];
	}
	printf("%6d %6d %6d   %8.1f%%   %8.1f%%   %6.1f%%\n", nq, nflows, n,
	    n ? 100.0 * same / n : 0.0, n ? 100.0 * nat / n : 0.0,
	    100.0 / nq);
	free(x.qa);
	free(x.qb);
	free(x.qn);
}

/* --- B: automq steering -------------------------------------------------- */

struct steer {
	int nflows;
	int *nat;		/* natural queue (no entry) */
	int *want;		/* the queue the flow was written on */
	int *got;		/* the queue the kernel's answer came on */
};

static void
nat_seen(void *arg, const struct seen *s)
{
	struct steer *st = arg;
	int f = flow_of(s->dst, s->dport);

	if (f >= 0 && f < st->nflows && s->sport == SERVER_PORT)
		st->nat[f] = s->q;
}

static void
got_seen(void *arg, const struct seen *s)
{
	struct steer *st = arg;
	int f = flow_of(s->dst, s->dport);

	if (f >= 0 && f < st->nflows && s->sport == SERVER_PORT)
		st->got[f] = s->q;
}

static struct steer *
steer_new(int nflows)
{
	struct steer *st = calloc(1, sizeof(*st));
	int i;

	if (st == NULL)
		die("calloc");
	st->nflows = nflows;
	st->nat = malloc(sizeof(int) * (size_t)nflows);
	st->want = malloc(sizeof(int) * (size_t)nflows);
	st->got = malloc(sizeof(int) * (size_t)nflows);
	for (i = 0; i < nflows; i++)
		st->nat[i] = st->want[i] = st->got[i] = -1;
	return st;
}

static void
steer_free(struct steer *st)
{
	free(st->nat);
	free(st->want);
	free(st->got);
	free(st);
}

/* The server sends one datagram to flows [a, b); the queues land in @fn. */
static void
probe(struct tap *t, int s, struct steer *st, int a, int b, seen_fn fn)
{
	int i;

	for (i = a; i < b; i++) {
		send_to(s, flow_peer(NET_A, i), flow_port(i), 18);
		if ((i - a) % 1024 == 1023)
			drain(t, 1024, 50, fn, st);
	}
	drain(t, -1, 30, fn, st);
}

/* Userspace writes a datagram of flow @i (peer -> server) on queue @q. */
static void
write_flow(struct tap *t, int i, int q)
{
	static const uint8_t peer_mac[6] = { 2, 0, 0, 0, 0, 0 };
	uint8_t f[64], smac[6];
	size_t len;

	memcpy(smac, peer_mac, 6);
	smac[5] = (uint8_t)(flow_peer(NET_A, i) & 0xff);
	len = frame_udp(f, t->mac, smac, flow_peer(NET_A, i), NET_A | 1,
	    flow_port(i), SERVER_PORT, 18);
	if (write(t->fd[q], f, len) != (ssize_t)len)
		die("write queue %d", q);
}

/* Read what reached the server; with @reply, answer each to its sender. */
static int
server_drain(int s, int reply)
{
	char buf[2048];
	struct sockaddr_in from;
	socklen_t fl;
	int n = 0;

	for (;;) {
		fl = sizeof(from);
		if (recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from,
		    &fl) < 0)
			return n;
		n++;
		if (reply && sendto(s, buf, 18, 0, (struct sockaddr *)&from,
		    fl) == -1)
			die("reply");
	}
}

static void
test_steer(int nq, int nflows)
{
	struct steer *st = steer_new(nflows);
	struct tap t;
	int s, i, a, b, seen = 0, ok = 0, natq = 0, ok_in = 0, n_in = 0;
	int ok_out = 0, n_out = 0, answered = 0;
	char name[IFNAMSIZ];

	snprintf(name, sizeof(name), "mqs%d", nq);
	tap_open(&t, name, nq, NET_A | 1);
	s = udp_server(NET_A | 1, SERVER_PORT);
	probe(&t, s, st, 0, nflows, nat_seen);
	for (a = 0; a < nflows; a = b) {
		b = a + 256 < nflows ? a + 256 : nflows;
		for (i = a; i < b; i++) {
			if (st->nat[i] < 0)
				continue;
			st->want[i] = (st->nat[i] + 1) % nq;
			write_flow(&t, i, st->want[i]);
		}
		answered += server_drain(s, 1);
		drain(&t, -1, 30, got_seen, st);
	}
	close(s);
	tap_close(&t);
	for (i = 0; i < nflows; i++) {
		if (st->want[i] < 0 || st->got[i] < 0)
			continue;
		seen++;
		ok += st->got[i] == st->want[i];
		natq += st->got[i] == st->nat[i];
		if (i < 4096) {
			n_in++;
			ok_in += st->got[i] == st->want[i];
		} else {
			n_out++;
			ok_out += st->got[i] == st->want[i];
		}
	}
	printf("%6d %6d %8d %7d %8d   %6.1f%%   %7.1f%%   %6.1f%%   ",
	    nq, nflows, answered, seen, ok, seen ? 100.0 * ok / seen : 0.0,
	    seen ? 100.0 * natq / seen : 0.0, n_in ? 100.0 * ok_in / n_in : 0.0);
	if (n_out)
		printf("%6.1f%%\n", 100.0 * ok_out / n_out);
	else
		printf("%7s\n", "-");
	steer_free(st);
}

/*
 * Ageing: groups of flows are written (steered away from their natural
 * queue) at t0, and each group is probed once, after its own delay. The
 * last group is written again at t0 + 2.5 s and probed at t0 + 5 s.
 */
#define AGE_GROUP	128
static const double age_delay[] = {
	0.5, 1.0, 2.0, 2.5, 2.9, 3.1, 3.3, 3.5, 3.7, 3.9, 4.1, 4.5, 5.0, 6.0,
};
#define AGE_N	(int)(sizeof(age_delay) / sizeof(age_delay[0]))

static void
test_ageing(int nq)
{
	int nflows = (AGE_N + 1) * AGE_GROUP, g, i, j, s, ok, n;
	struct steer *st = steer_new(nflows);
	uint64_t t0, tw;
	struct tap t;
	char name[IFNAMSIZ];

	snprintf(name, sizeof(name), "mqt%d", nq);
	tap_open(&t, name, nq, NET_A | 1);
	s = udp_server(NET_A | 1, SERVER_PORT);
	probe(&t, s, st, 0, nflows, nat_seen);
	t0 = now_ns();
	for (i = 0; i < nflows; i++) {
		if (st->nat[i] < 0)
			continue;
		st->want[i] = (st->nat[i] + 1) % nq;
		write_flow(&t, i, st->want[i]);
	}
	tw = now_ns() - t0;
	server_drain(s, 0);
	/* events in time order: the probes, the rewrite at 2.5 s and the
	   refreshed group's probe at 5 s */
	for (g = 0, i = 0; g <= AGE_N; ) {
		double d = g < AGE_N ? age_delay[g] : 1e9;
		int grp = g;

		if (i == 0 && d > 2.5) {
			sleep_until(t0 + 2500000000u);
			for (n = AGE_N * AGE_GROUP; n < nflows; n++)
				if (st->want[n] >= 0)
					write_flow(&t, n, st->want[n]);
			server_drain(s, 0);
			i = 1;
			continue;
		}
		if (i == 1 && d > 5.0) {
			d = 5.0;
			grp = AGE_N;
			i = 2;
		} else if (g == AGE_N) {
			break;
		} else {
			g++;
		}
		sleep_until(t0 + (uint64_t)(d * 1e9));
		probe(&t, s, st, grp * AGE_GROUP, (grp + 1) * AGE_GROUP,
		    got_seen);
		ok = n = 0;
		for (j = grp * AGE_GROUP; j < (grp + 1) * AGE_GROUP; j++) {
			if (st->want[j] < 0 || st->got[j] < 0)
				continue;
			n++;
			ok += st->got[j] == st->want[j];
		}
		printf("%6d  %8.1f s  %17s  %5d   %6.1f%%\n", nq, d,
		    grp < AGE_N ? "written at 0" : "written 0 and 2.5", n,
		    n ? 100.0 * ok / n : 0.0);
	}
	printf("        (writing the %d flows took %.1f ms; timer HZ "
	    "granularity applies)\n", nflows, (double)tw / 1e6);
	close(s);
	tap_close(&t);
	steer_free(st);
}

/* A flow written on queue a, then on queue b: where does its answer go? */
static void
test_migrate(int nq)
{
	int nflows = 512, i, s, ok = 0, old = 0, n = 0;
	struct steer *st = steer_new(nflows);
	struct tap t;
	char name[IFNAMSIZ];

	snprintf(name, sizeof(name), "mqm%d", nq);
	tap_open(&t, name, nq, NET_A | 1);
	s = udp_server(NET_A | 1, SERVER_PORT);
	probe(&t, s, st, 0, nflows, nat_seen);
	for (i = 0; i < nflows; i++) {
		if (st->nat[i] < 0)
			continue;
		write_flow(&t, i, (st->nat[i] + 1) % nq);
		st->want[i] = (st->nat[i] + 2) % nq;
		write_flow(&t, i, st->want[i]);
	}
	server_drain(s, 0);
	probe(&t, s, st, 0, nflows, got_seen);
	for (i = 0; i < nflows; i++) {
		if (st->want[i] < 0 || st->got[i] < 0)
			continue;
		n++;
		ok += st->got[i] == st->want[i];
		old += st->got[i] == (st->nat[i] + 1) % nq;
	}
	printf("%6d %6d   %8.1f%%   %8.1f%%\n", nq, n, n ? 100.0 * ok / n : 0.0,
	    n ? 100.0 * old / n : 0.0);
	close(s);
	tap_close(&t);
	steer_free(st);
}

/* --- C: per-queue fixed costs --------------------------------------------- */

static long
meminfo_kb(const char *key)
{
	char line[256];
	size_t kl = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
			v = atol(line + kl + 1);
			break;
		}
	fclose(f);
	return v;
}

static void
test_attach(void)
{
	static const int qs[] = { 1, 2, 4, 8, 16 };
	uint64_t first[9], rest[9], up[9], down[9], tq[9];
	struct ifreq ifr;
	struct tap t;
	int k, r, i, reps = 9;

	printf("\nC1. Creating a TAP and attaching queues (median of %d; open "
	    "+ TUNSETIFF each)\n", reps);
	printf("%6s  %14s  %16s  %10s  %14s  %16s\n", "queues", "first queue",
	    "each further", "link up", "close all", "detach+attach");
	for (k = 0; k < (int)(sizeof(qs) / sizeof(qs[0])); k++) {
		for (r = 0; r < reps; r++) {
			uint64_t t0, sum = 0;

			memset(&t, 0, sizeof(t));
			snprintf(t.name, sizeof(t.name), "mqc%d", qs[k]);
			t.nq = qs[k];
			ctl();
			for (i = 0; i < qs[k]; i++)
				tap_attach(&t, i);
			for (i = 1; i < qs[k]; i++)
				sum += t.attach_ns[i];
			first[r] = t.attach_ns[0];
			rest[r] = qs[k] > 1 ? sum / (uint64_t)(qs[k] - 1) : 0;
			t0 = now_ns();
			link_up(t.name);
			up[r] = now_ns() - t0;
			/* one queue off and on again (TUNSETQUEUE) */
			tq[r] = 0;
			if (qs[k] > 1) {
				memset(&ifr, 0, sizeof(ifr));
				t0 = now_ns();
				ifr.ifr_flags = IFF_DETACH_QUEUE;
				if (ioctl(t.fd[qs[k] - 1], TUNSETQUEUE, &ifr) == -1)
					die("TUNSETQUEUE detach");
				ifr.ifr_flags = IFF_ATTACH_QUEUE;
				if (ioctl(t.fd[qs[k] - 1], TUNSETQUEUE, &ifr) == -1)
					die("TUNSETQUEUE attach");
				tq[r] = now_ns() - t0;
			}
			t0 = now_ns();
			tap_close(&t);
			down[r] = now_ns() - t0;
		}
		printf("%6d  %11.1f us  %13.1f us  %7.1f us  %11.1f us  ",
		    qs[k], median(first, reps) / 1e3,
		    qs[k] > 1 ? median(rest, reps) / 1e3 : 0.0,
		    median(up, reps) / 1e3, median(down, reps) / 1e3);
		if (qs[k] > 1)
			printf("%13.1f us\n", median(tq, reps) / 1e3);
		else
			printf("%16s\n", "-");
	}
}

static void
test_memory(void)
{
	int trial, nq = 120, i;
	long free0, free1, slab0, slab1;
	uint64_t per[3], slab[3];
	struct tap t;

	printf("\nC2. Kernel memory of a queue: MemFree and Slab (/proc/meminfo) "
	    "before and after\n    attaching %d queues to one TAP at "
	    "txqueuelen %d, three trials\n", nq - 1, TXQLEN);
	for (trial = 0; trial < 3; trial++) {
		memset(&t, 0, sizeof(t));
		snprintf(t.name, sizeof(t.name), "mqmem");
		t.nq = nq;
		ctl();
		tap_attach(&t, 0);
		tap_set_txqlen(&t, TXQLEN);
		usleep(100000);
		free0 = meminfo_kb("MemFree");
		slab0 = meminfo_kb("Slab");
		for (i = 1; i < nq; i++)
			tap_attach(&t, i);
		free1 = meminfo_kb("MemFree");
		slab1 = meminfo_kb("Slab");
		tap_close(&t);
		per[trial] = free0 > free1 ?
		    (uint64_t)(free0 - free1) * 1024 / (uint64_t)(nq - 1) : 0;
		slab[trial] = slab1 > slab0 ?
		    (uint64_t)(slab1 - slab0) * 1024 / (uint64_t)(nq - 1) : 0;
		printf("    trial %d: MemFree -%ld kB (%.1f kB a queue), Slab "
		    "+%ld kB (%.1f kB a queue)\n", trial + 1, free0 - free1,
		    (double)per[trial] / 1024, slab1 - slab0,
		    (double)slab[trial] / 1024);
		usleep(200000);
	}
	printf("    median: %.1f kB a queue (Slab part %.1f kB); the queue's "
	    "ring alone is %d x 8 B = %.1f kB\n",
	    (double)median(per, 3) / 1024, (double)median(slab, 3) / 1024,
	    TXQLEN, TXQLEN * 8 / 1024.0);
}

static void
test_uring(void)
{
	struct io_uring_params p;
	struct io_uring_buf_reg reg;
	uint64_t ts[9], tb[9];
	size_t sq_ring, cq_ring, sqes, br = HP_BUFS * sizeof(struct io_uring_buf);
	void *brm;
	int r, fd, reps = 9;

	printf("\nC3. What a loop's own io_uring costs, at hairpind's sizes "
	    "(SQ %d, CQ %d, %d provided buffers)\n", HP_SQ, HP_CQ, HP_BUFS);
	sq_ring = cq_ring = sqes = 0;
	for (r = 0; r < reps; r++) {
		uint64_t t0 = now_ns();

		memset(&p, 0, sizeof(p));
		p.flags = IORING_SETUP_CQSIZE;
		p.cq_entries = HP_CQ;
		fd = (int)syscall(__NR_io_uring_setup, HP_SQ, &p);
		if (fd < 0) {
			printf("    io_uring_setup: %s (io_uring disabled?)\n",
			    strerror(errno));
			return;
		}
		ts[r] = now_ns() - t0;
		sq_ring = p.sq_off.array + p.sq_entries * sizeof(uint32_t);
		cq_ring = p.cq_off.cqes + p.cq_entries *
		    sizeof(struct io_uring_cqe);
		sqes = p.sq_entries * sizeof(struct io_uring_sqe);
		brm = mmap(NULL, br, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		    MAP_ANONYMOUS, -1, 0);
		if (brm == MAP_FAILED)
			die("mmap");
		memset(&reg, 0, sizeof(reg));
		reg.ring_addr = (uintptr_t)brm;
		reg.ring_entries = HP_BUFS;
		reg.bgid = 1;
		t0 = now_ns();
		if (syscall(__NR_io_uring_register, fd,
		    IORING_REGISTER_PBUF_RING, &reg, 1) < 0)
			tb[r] = 0;
		else
			tb[r] = now_ns() - t0;
		close(fd);
		munmap(brm, br);
	}
	printf("    io_uring_setup: %.1f us; register the buffer ring: %.1f us "
	    "(medians)\n", median(ts, reps) / 1e3, median(tb, reps) / 1e3);
	printf("    SQ ring %zu B + SQEs %zu B + CQ ring %zu B (%s) + buffer "
	    "ring %zu B = %.1f KiB\n", sq_ring, sqes, cq_ring,
	    (p.features & IORING_FEAT_SINGLE_MMAP) ?
	    "SQ and CQ rings share one mapping" : "separate mappings", br,
	    (double)((p.features & IORING_FEAT_SINGLE_MMAP ?
	    (sq_ring > cq_ring ? sq_ring : cq_ring) : sq_ring + cq_ring) +
	    sqes + br) / 1024);
	printf("    buffers: %d slots of %u B = %.2f MiB of address space a "
	    "loop; resident: %d x 4 KiB = %d KiB\n    with small frames only, "
	    "up to all of it with 64 KB GSO frames\n", HP_BUFS, HP_SLOT,
	    (double)HP_BUFS * HP_SLOT / 1048576.0, HP_BUFS, HP_BUFS * 4);
}

/*
 * The automq hash's price: a write of a 60-byte frame that the kernel
 * drops at once (its destination MAC is not the TAP's), on 1, 2, 4
 * queues, one flow or 4096 flows in turn. With more than one queue every
 * write also computes the symmetric flow hash and updates tun's table.
 */
static void
test_writecost(void)
{
	static const int qs[] = { 1, 2, 4 };
	static const uint8_t other[6] = { 2, 0, 0, 0, 0, 0xee };
	const int n = 100000;
	uint8_t (*fr)[64];
	size_t len = 0;
	struct tap t;
	int k, f, i, s, nf;
	char name[IFNAMSIZ];

	fr = malloc(4096 * sizeof(*fr));
	if (fr == NULL)
		die("malloc");
	printf("\nC4. write() of a 60-byte frame the kernel drops at once "
	    "(ns per write, best of 3 x %d)\n", n);
	printf("%6s  %10s  %12s     %s\n", "queues", "one flow", "4096 flows",
	    "sendto() from the namespace out of the TAP, 4096 flows");
	for (k = 0; k < 3; k++) {
		uint64_t best[2] = { UINT64_MAX, UINT64_MAX }, bs = UINT64_MAX;

		snprintf(name, sizeof(name), "mqw%d", qs[k]);
		tap_open(&t, name, qs[k], NET_A | 1);
		for (f = 0; f < 4096; f++)
			len = frame_udp(fr[f], other, other, flow_peer(NET_A, f),
			    NET_A | 1, flow_port(f), SERVER_PORT, 18);
		for (nf = 0; nf < 2; nf++) {
			int flows = nf == 0 ? 1 : 4096;

			for (s = 0; s < 3; s++) {
				uint64_t t0 = now_ns(), d;

				for (i = 0; i < n; i++)
					if (write(t.fd[0], fr[i % flows], len) < 0)
						die("write");
				d = (now_ns() - t0) / (uint64_t)n;
				if (d < best[nf])
					best[nf] = d;
			}
		}
		/* the other direction: the kernel picks the queue per packet */
		s = udp_server(NET_A | 1, SERVER_PORT);
		for (i = 0; i < 3; i++) {
			uint64_t sum = 0, t0;

			for (f = 0; f < 4 * 4096; f++) {
				if (f % 4096 == 0)
					drain(&t, -1, 0, NULL, NULL);
				t0 = now_ns();
				send_to(s, flow_peer(NET_A, f % 4096),
				    flow_port(f % 4096), 18);
				sum += now_ns() - t0;
			}
			drain(&t, -1, 0, NULL, NULL);
			if (sum / (4 * 4096) < bs)
				bs = sum / (4 * 4096);
		}
		close(s);
		tap_close(&t);
		printf("%6d  %7llu ns  %9llu ns     %llu ns\n", qs[k],
		    (unsigned long long)best[0], (unsigned long long)best[1],
		    (unsigned long long)bs);
	}
	free(fr);
}

/*
 * Two loops writing at once, each on its own queue of one 2-queue TAP,
 * each thread pinned to its own CPU. "entries": each writes one flow
 * that has a steering entry (the lock-free path). "table full": the
 * table holds 4096 other flows, and each writer cycles through 4096
 * flows of its own that have none, so every write takes the device's
 * flow lock (tun->lock) to try to add one.
 */
struct writer {
	int fd, cpu, nflows, base;
	const struct tap *t;
	uint64_t ns;
	pthread_barrier_t *go;
};

static void
pin(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	(void)pthread_setaffinity_np(pthread_self(), sizeof(s), &s);
}

#define W_N	100000

static void *
writer_run(void *arg)
{
	static const uint8_t other[6] = { 2, 0, 0, 0, 0, 0xee };
	struct writer *w = arg;
	uint8_t (*fr)[64] = malloc((size_t)w->nflows * sizeof(*fr));
	size_t len = 0;
	uint64_t t0;
	int i;

	if (fr == NULL)
		die("malloc");
	pin(w->cpu);
	for (i = 0; i < w->nflows; i++)
		len = frame_udp(fr[i], other, other,
		    NET_A | (uint32_t)(2 + (w->base + i) % NPEERS), NET_A | 1,
		    (uint16_t)(PORT_BASE + (w->base + i) / NPEERS),
		    SERVER_PORT, 18);
	pthread_barrier_wait(w->go);
	t0 = now_ns();
	for (i = 0; i < W_N; i++)
		if (write(w->fd, fr[i % w->nflows], len) < 0)
			die("write");
	w->ns = (now_ns() - t0) / W_N;
	free(fr);
	return NULL;
}

static void
writers(struct tap *t, int nthreads, int full, uint64_t *out)
{
	pthread_barrier_t go;
	struct writer w[2];
	pthread_t th[2];
	int i;

	pthread_barrier_init(&go, NULL, (unsigned int)nthreads);
	for (i = 0; i < nthreads; i++) {
		w[i].fd = t->fd[i];
		w[i].cpu = i;
		w[i].t = t;
		w[i].go = &go;
		w[i].nflows = full ? 4096 : 1;
		w[i].base = full ? 4096 + i * 4096 : 12288 + i;
		if (pthread_create(&th[i], NULL, writer_run, &w[i]) != 0)
			die("pthread_create");
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(th[i], NULL);
		out[i] = w[i].ns;
	}
	pthread_barrier_destroy(&go);
}

static void
test_contention(void)
{
	static const uint8_t other[6] = { 2, 0, 0, 0, 0, 0xee };
	uint64_t one[3][2], two[3][2], b1[2], b2[2];
	uint8_t f[64];
	size_t len;
	struct tap t;
	int full, r, i;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return;
	printf("\nC5. Two writers at once on two queues of one TAP (pinned to "
	    "CPUs 0 and 1), ns per write\n    (best of 3 x %d writes each; "
	    "the frames are dropped at once)\n", W_N);
	printf("%14s  %14s  %22s\n", "flows", "one writer",
	    "two writers (each)");
	for (full = 0; full < 2; full++) {
		tap_open(&t, "mqlock", 2, NET_A | 1);
		for (r = 0; r < 3; r++) {
			if (full) {
				/* 4096 entries of other flows */
				for (i = 0; i < 4096; i++) {
					len = frame_udp(f, other, other,
					    flow_peer(NET_A, i), NET_A | 1,
					    flow_port(i), SERVER_PORT, 18);
					if (write(t.fd[0], f, len) < 0)
						die("write");
				}
			}
			writers(&t, 1, full, one[r]);
			writers(&t, 2, full, two[r]);
		}
		b1[0] = b2[0] = b2[1] = UINT64_MAX;
		for (r = 0; r < 3; r++) {
			if (one[r][0] < b1[0])
				b1[0] = one[r][0];
			if (two[r][0] < b2[0])
				b2[0] = two[r][0];
			if (two[r][1] < b2[1])
				b2[1] = two[r][1];
		}
		printf("%14s  %11llu ns  %11llu / %llu ns\n",
		    full ? "table full" : "entries",
		    (unsigned long long)b1[0], (unsigned long long)b2[0],
		    (unsigned long long)b2[1]);
		tap_close(&t);
	}
}

/* --- H: hand-off between two loops ---------------------------------------- */

#define RING		1024
#define HBUFS		512
#define HBATCH		32

struct spsc {
	_Alignas(64) _Atomic uint32_t head;	/* producer writes */
	_Alignas(64) _Atomic uint32_t tail;	/* consumer writes */
	_Alignas(64) uint32_t slot[RING];
};

static int
spsc_push(struct spsc *r, uint32_t v)
{
	uint32_t h = atomic_load_explicit(&r->head, memory_order_relaxed);

	if (h - atomic_load_explicit(&r->tail, memory_order_acquire) == RING)
		return 0;
	r->slot[h % RING] = v;
	atomic_store_explicit(&r->head, h + 1, memory_order_release);
	return 1;
}

/* Up to @max entries into @out; returns how many. */
static unsigned int
spsc_pop(struct spsc *r, uint32_t *out, unsigned int max)
{
	uint32_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint32_t h = atomic_load_explicit(&r->head, memory_order_acquire);
	unsigned int n = 0;

	while (t != h && n < max)
		out[n++] = r->slot[t++ % RING];
	if (n)
		atomic_store_explicit(&r->tail, t, memory_order_release);
	return n;
}

struct hand {
	struct spsc fwd, back;		/* frames out, buffers back */
	uint8_t *buf;			/* HBUFS x 64 KB, the producer's */
	uint8_t *dst;			/* the consumer's own buffer */
	size_t len;			/* frame length */
	int copy;			/* consumer copies the whole frame */
	int cpu[2];
	_Atomic int stop;
	uint64_t items;
	uint64_t prod_ns, cons_ns;	/* busy time, not waiting */
	uint64_t sink;
};

static void *
hand_consumer(void *arg)
{
	struct hand *h = arg;
	uint32_t ids[HBATCH];
	uint64_t busy = 0, sum = 0, n = 0, t0;
	unsigned int k, i;

	pin(h->cpu[1]);
	while (!atomic_load_explicit(&h->stop, memory_order_relaxed)) {
		k = spsc_pop(&h->fwd, ids, HBATCH);
		if (k == 0)
			continue;
		t0 = now_ns();
		for (i = 0; i < k; i++) {
			const uint8_t *f = h->buf + (size_t)ids[i] * 65536;

			if (h->copy) {
				memcpy(h->dst, f, h->len);
				sum += h->dst[h->len - 1];
			} else {
				/* the headers the owner looks at: a cache line */
				sum += f[0] + f[14] + f[23] + f[34] + f[63];
			}
			while (!spsc_push(&h->back, ids[i]))
				;
		}
		n += k;
		busy += now_ns() - t0;
	}
	h->cons_ns = busy;
	h->items = n;
	h->sink = sum;
	return NULL;
}

static void
hand_run(struct hand *h, uint64_t dur_ns)
{
	pthread_t th;
	uint32_t freeq[HBUFS], nfree = 0;
	uint64_t end, busy = 0, t0;
	unsigned int k, i;

	for (i = 0; i < HBUFS; i++)
		freeq[nfree++] = i;
	h->fwd.head = h->fwd.tail = h->back.head = h->back.tail = 0;
	atomic_store(&h->stop, 0);
	if (pthread_create(&th, NULL, hand_consumer, h) != 0)
		die("pthread_create");
	pin(h->cpu[0]);
	end = now_ns() + dur_ns;
	while (now_ns() < end) {
		uint32_t batch[HBATCH];

		/* the frames land in the producer's buffers (the kernel writes
		   them there, on the producer's CPU): not timed */
		for (k = 0; k < HBATCH; k++) {
			uint8_t *f;

			if (nfree == 0)
				nfree = spsc_pop(&h->back, freeq, HBATCH);
			if (nfree == 0)
				break;
			batch[k] = freeq[--nfree];
			f = h->buf + (size_t)batch[k] * 65536;
			memset(f, (int)k, h->len);
		}
		if (k == 0)
			continue;
		/* wait for room (back-pressure, not a cost of the hand-off) */
		while (RING - (atomic_load_explicit(&h->fwd.head,
		    memory_order_relaxed) - atomic_load_explicit(&h->fwd.tail,
		    memory_order_acquire)) < k)
			;
		t0 = now_ns();
		for (i = 0; i < k; i++)
			(void)spsc_push(&h->fwd, batch[i]);
		busy += now_ns() - t0;
	}
	atomic_store(&h->stop, 1);
	pthread_join(th, NULL);
	h->prod_ns = busy;
}

static void
test_handoff(void)
{
	static const size_t lens[] = { 64, 1514, 65536 };
	struct hand *h;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int l, c, r;
	cpu_set_t orig;

	printf("\nH. Hand-off of a frame to another loop: SPSC ring of buffer "
	    "ids, buffer returned on a second ring\n");
	if (ncpu < 2) {
		printf("    one CPU: skipped\n");
		return;
	}
	h = aligned_alloc(64, sizeof(*h));
	if (h == NULL)
		die("aligned_alloc");
	memset(h, 0, sizeof(*h));
	h->buf = mmap(NULL, (size_t)HBUFS * 65536, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	h->dst = malloc(65536);
	if (h->buf == MAP_FAILED || h->dst == NULL)
		die("buffers");
	memset(h->buf, 1, (size_t)HBUFS * 65536);
	h->cpu[0] = 0;
	h->cpu[1] = 1;
	(void)sched_getaffinity(0, sizeof(orig), &orig);
	printf("    producer on CPU 0, owner on CPU 1, 0.3 s a run, median of "
	    "3 runs; ns per frame\n");
	printf("%8s  %10s  %12s  %12s  %12s\n", "frame", "mode", "producer",
	    "owner", "frames/s");
	for (l = 0; l < 3; l++) {
		for (c = 0; c < 2; c++) {
			uint64_t pn[3], cn[3], rate[3];

			h->len = lens[l];
			h->copy = c;
			for (r = 0; r < 3; r++) {
				hand_run(h, 300000000u);
				pn[r] = h->items ? h->prod_ns / h->items : 0;
				cn[r] = h->items ? h->cons_ns / h->items : 0;
				rate[r] = h->items * 10 / 3;
			}
			printf("%8zu  %10s  %9llu ns  %9llu ns  %12llu\n",
			    lens[l], c ? "copy" : "reference",
			    (unsigned long long)median(pn, 3),
			    (unsigned long long)median(cn, 3),
			    (unsigned long long)median(rate, 3));
		}
	}
	(void)sched_setaffinity(0, sizeof(orig), &orig);
	munmap(h->buf, (size_t)HBUFS * 65536);
	free(h->dst);
	free(h);
}

/* --- main ----------------------------------------------------------------- */

static int
parse_list(const char *s, int *out, int max)
{
	int n = 0;
	char *end;

	while (*s != '\0' && n < max) {
		long v = strtol(s, &end, 10);

		if (end == s || v <= 0)
			break;
		out[n++] = (int)v;
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

static int
want(char c)
{
	return strchr(only, c) != NULL;
}

int
main(int argc, char *argv[])
{
	int qs[8] = { 2, 4 }, fl[16] = { 1000, 4000, 4096, 5000, 8000 };
	int nqs = 2, nfl = 5, nspread = 4096, ch, i, j, nsa;
	struct utsname u;

	while ((ch = getopt(argc, argv, "q:f:n:s:h")) != -1) {
		switch (ch) {
		case 'q':
			nqs = parse_list(optarg, qs, 8);
			break;
		case 'f':
			nfl = parse_list(optarg, fl, 16);
			break;
		case 'n':
			nspread = atoi(optarg);
			break;
		case 's':
			only = optarg;
			break;
		default:
			fprintf(stderr, "usage: mqtap [-q 2,4] [-f 1000,4000,"
			    "8000] [-n FLOWS] [-s AXBTCH]\n");
			return ch == 'h' ? 0 : 2;
		}
	}
	for (i = 0; i < nqs; i++)
		if (qs[i] < 2 || qs[i] > 64) {
			fprintf(stderr, "mqtap: queues from 2 to 64\n");
			return 2;
		}
	if (nspread < 1 || nspread > 16384)
		nspread = 4096;
	for (i = 0; i < nfl; i++)
		if (fl[i] > 16384)
			fl[i] = 16384;
	setvbuf(stdout, NULL, _IOLBF, 0);
	uname(&u);
	printf("mqtap: kernel %s, %ld CPUs, txqueuelen %d, flows to %d "
	    "neighbours\n", u.release, sysconf(_SC_NPROCESSORS_ONLN), TXQLEN,
	    NPEERS);

	nsa = ns_new();
	ctl();
	link_up("lo");

	if (want('A')) {
		printf("\nA. Kernel -> userspace: the queue each flow's packets "
		    "come out on (2 datagrams a flow;\n   fragments: one "
		    "3000-byte datagram for each of the first 512 flows, "
		    "counted when all\n   3 fragments were matched by IP id; "
		    "ARP: requests for 128 unknown neighbours)\n");
		printf("%6s %6s   %7s %7s %7s %7s   %5s  %7s   %5s  %7s  "
		    "%7s   %4s  %s\n", "queues", "flows", "q0", "q1", "q2", "q3",
		    "max/min", "same q", "frag'd", "frags 1q", "=flow q", "ARPs",
		    "ARP queues");
		for (i = 0; i < nqs; i++)
			test_spread(qs[i], nspread);
	}
	if (want('X')) {
		printf("\nX. One flow out of two TAPs (two namespaces, "
		    "10.77.0.1:9000 <-> 10.77.0.2:p): the\n   reverse "
		    "direction's queue index equals the forward one's? And "
		    "with the\n   reverse direction's port rewritten (9000 -> "
		    "40000+i, as NAT does)?\n");
		printf("%6s %6s %6s   %9s   %9s   %7s\n", "queues", "flows",
		    "seen", "as is", "NATed", "chance");
		for (i = 0; i < nqs; i++)
			test_cross(qs[i], 4096, nsa);
		ns_enter(nsa);
		ctl();
	}
	if (want('B')) {
		printf("\nB1. Automq steering: flow i is written on queue "
		    "(natural + 1) mod N, the server\n    in the namespace "
		    "answers; on which queue does the answer come out?\n");
		printf("%6s %6s %8s %7s %8s   %7s   %8s   %7s   %7s\n",
		    "queues", "flows", "answers", "seen", "steered", "share",
		    "natural", "<=4096", ">4096");
		for (i = 0; i < nqs; i++)
			for (j = 0; j < nfl; j++)
				test_steer(qs[i], fl[j]);
		printf("\nB3. A flow written on queue a, then on queue b: its "
		    "answers follow to b?\n");
		printf("%6s %6s   %9s   %9s\n", "queues", "flows", "on b",
		    "on a");
		for (i = 0; i < nqs; i++)
			if (qs[i] >= 3)
				test_migrate(qs[i]);
	}
	if (want('T')) {
		printf("\nB2. Ageing: %d flows a group written at 0 (steered), "
		    "then left idle; each group\n    probed once after its "
		    "delay: still steered?\n", AGE_GROUP);
		printf("%6s  %10s  %17s  %5s   %7s\n", "queues", "idle",
		    "", "seen", "steered");
		for (i = 0; i < nqs; i++)
			test_ageing(qs[i]);
	}
	if (want('C')) {
		test_attach();
		test_memory();
		test_uring();
		test_writecost();
		test_contention();
	}
	if (want('H'))
		test_handoff();
	return 0;
}
