/* SPDX-License-Identifier: ISC */
/*
 * A small-packet UDP generator: sendmmsg() batches on a connected UDP
 * socket (one flow, as fast as the path takes it), or IP_HDRINCL raw
 * datagrams that walk many distinct flows (to fill a conntrack table).
 *
 * Usage:
 *   udpgen -d DST -p PORT [-s SRC] [-l LEN] [-t SECS] [-r PPS] [-b BATCH]
 *   udpgen -d DST -p PORT -F FLOWS -S SRCBASE [-n NADDR] [-P SPORT0]
 *          [-D] [-c COUNT] [-l LEN] [-t SECS] [-r PPS] [-b BATCH]
 *
 * -l is the UDP payload (18 bytes: a 64-byte Ethernet frame with FCS).
 * In flow mode packet i uses source address SRCBASE + i % NADDR and
 * source port SPORT0 + (i / NADDR) % (FLOWS / NADDR rounded up), so the
 * first FLOWS packets are FLOWS distinct connections. With -D the flows
 * differ by destination instead: packet i goes from SRCBASE:SPORT0 to
 * DST + i % FLOWS (one internal endpoint talking to FLOWS hosts, as a DHT
 * node or a resolver does).
 * Prints one line: "sent N secs S pps R".
 */
#define _GNU_SOURCE	/* sendmmsg, recvmmsg, accept4 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH_MAX	256
#define PAYLOAD_MAX	1472

struct opts {
	struct in_addr dst, src, srcbase;
	uint16_t port, sport0;
	size_t len;
	double secs, pps;
	unsigned int batch, naddr;
	uint64_t flows, count;
	int have_src;
	int vary_dst;
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: udpgen -d DST -p PORT [-s SRC] [-l LEN] [-t SECS] "
	    "[-r PPS] [-b BATCH]\n"
	    "       udpgen -d DST -p PORT -F FLOWS -S SRCBASE [-n NADDR] "
	    "[-P SPORT0] [-D] [-c COUNT] ...\n");
	exit(2);
}

static void
parse_addr(const char *s, struct in_addr *a)
{
	if (inet_pton(AF_INET, s, a) != 1) {
		fprintf(stderr, "udpgen: bad address %s\n", s);
		exit(2);
	}
}

static unsigned long long
parse_num(const char *s, unsigned long long max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v > max) {
		fprintf(stderr, "udpgen: bad number %s\n", s);
		exit(2);
	}
	return v;
}

/* One's complement sum for the IPv4 header checksum. */
static uint16_t
ip_csum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/*
 * Pace to @pps: sleep until @sent packets are due. Sleeping in slices of
 * at least 50 us keeps the sender from burning the CPU the router needs.
 */
static void
pace(double t0, uint64_t sent, double pps)
{
	double due, d;
	struct timespec ts;

	if (pps <= 0)
		return;
	due = t0 + (double)sent / pps;
	d = due - now_sec();
	if (d < 50e-6)
		return;
	ts.tv_sec = (time_t)d;
	ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

static int
send_batch(int fd, struct mmsghdr *m, unsigned int n, uint64_t *sent)
{
	int r;

	r = sendmmsg(fd, m, n, 0);
	if (r < 0) {
		/* a full queue downstream: the path's problem, not ours */
		if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR ||
		    errno == ECONNREFUSED)
			return 0;
		perror("udpgen: sendmmsg");
		return -1;
	}
	*sent += (uint64_t)r;
	return 0;
}

static int
run_socket(const struct opts *o, uint64_t *sent)
{
	static uint8_t payload[PAYLOAD_MAX];
	struct mmsghdr m[BATCH_MAX];
	struct iovec iov;
	struct sockaddr_in sa;
	double t0, end;
	unsigned int i;
	int fd, sndbuf = 4 << 20;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("udpgen: socket");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	if (o->have_src) {
		sa.sin_addr = o->src;
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			perror("udpgen: bind");
			return -1;
		}
	}
	sa.sin_addr = o->dst;
	sa.sin_port = htons(o->port);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("udpgen: connect");
		return -1;
	}
	memset(payload, 0x5a, sizeof(payload));
	iov.iov_base = payload;
	iov.iov_len = o->len;
	memset(m, 0, sizeof(m));
	for (i = 0; i < o->batch; i++) {
		m[i].msg_hdr.msg_iov = &iov;
		m[i].msg_hdr.msg_iovlen = 1;
	}
	t0 = now_sec();
	end = t0 + o->secs;
	while (!stop && now_sec() < end) {
		if (o->count && *sent >= o->count)
			break;
		pace(t0, *sent, o->pps);
		if (send_batch(fd, m, o->batch, sent) < 0)
			return -1;
	}
	close(fd);
	return 0;
}

struct rawpkt {
	struct iphdr ip;
	struct udphdr udp;
	uint8_t payload[PAYLOAD_MAX];
} __attribute__((packed));

static int
run_flows(const struct opts *o, uint64_t *sent)
{
	static struct rawpkt pkt[BATCH_MAX];
	struct mmsghdr m[BATCH_MAX];
	struct iovec iov[BATCH_MAX];
	struct sockaddr_in sa;
	uint64_t i = 0, per_addr;
	double t0, end;
	unsigned int k, n;
	int fd, one = 1, sndbuf = 4 << 20;

	per_addr = (o->flows + o->naddr - 1) / o->naddr;
	if (!o->vary_dst && per_addr + o->sport0 > 65536) {
		fprintf(stderr, "udpgen: %llu flows need more than the %u "
		    "source ports above %u on %u addresses\n",
		    (unsigned long long)o->flows, 65536 - o->sport0,
		    o->sport0, o->naddr);
		return -1;
	}
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0) {
		perror("udpgen: raw socket");
		return -1;
	}
	setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr = o->dst;
	memset(m, 0, sizeof(m));
	for (k = 0; k < o->batch; k++) {
		memset(&pkt[k], 0, sizeof(pkt[k]));
		pkt[k].ip.version = 4;
		pkt[k].ip.ihl = 5;
		pkt[k].ip.tot_len = htons((uint16_t)(sizeof(struct iphdr) +
		    sizeof(struct udphdr) + o->len));
		pkt[k].ip.ttl = 64;
		pkt[k].ip.protocol = IPPROTO_UDP;
		pkt[k].ip.daddr = o->dst.s_addr;
		pkt[k].udp.dest = htons(o->port);
		pkt[k].udp.len = htons((uint16_t)(sizeof(struct udphdr) +
		    o->len));
		memset(pkt[k].payload, 0x5a, o->len);
		iov[k].iov_base = &pkt[k];
		iov[k].iov_len = sizeof(struct iphdr) + sizeof(struct udphdr) +
		    o->len;
		m[k].msg_hdr.msg_iov = &iov[k];
		m[k].msg_hdr.msg_iovlen = 1;
		m[k].msg_hdr.msg_name = &sa;
		m[k].msg_hdr.msg_namelen = sizeof(sa);
	}
	t0 = now_sec();
	end = t0 + o->secs;
	while (!stop && now_sec() < end) {
		if (o->count && *sent >= o->count)
			break;
		n = o->batch;
		if (o->count && o->count - *sent < n)
			n = (unsigned int)(o->count - *sent);
		for (k = 0; k < n; k++, i++) {
			uint64_t f = i % o->flows;

			if (o->vary_dst) {
				pkt[k].ip.saddr = o->srcbase.s_addr;
				pkt[k].ip.daddr = htonl(ntohl(o->dst.s_addr) +
				    (uint32_t)f);
				pkt[k].ip.id = htons((uint16_t)i);
				pkt[k].ip.check = 0;
				pkt[k].ip.check = ip_csum(&pkt[k].ip,
				    sizeof(struct iphdr));
				pkt[k].udp.source = htons(o->sport0);
				continue;
			}
			pkt[k].ip.saddr = htonl(ntohl(o->srcbase.s_addr) +
			    (uint32_t)(f % o->naddr));
			pkt[k].ip.id = htons((uint16_t)i);
			pkt[k].ip.check = 0;
			pkt[k].ip.check = ip_csum(&pkt[k].ip,
			    sizeof(struct iphdr));
			/* UDP checksum 0: none, legal over IPv4 */
			pkt[k].udp.source = htons((uint16_t)(o->sport0 +
			    f / o->naddr));
		}
		pace(t0, *sent, o->pps);
		/* the kernel counts what it took; resend the rest next time */
		k = 0;
		while (k < n && !stop) {
			int r = sendmmsg(fd, m + k, n - k, 0);

			if (r < 0) {
				if (errno == ENOBUFS || errno == EAGAIN ||
				    errno == EINTR) {
					usleep(100);
					if (now_sec() >= end)
						break;
					continue;
				}
				perror("udpgen: sendmmsg");
				return -1;
			}
			k += (unsigned int)r;
			*sent += (uint64_t)r;
		}
		i -= n - k;
	}
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o;
	uint64_t sent = 0;
	double t0, t1;
	int c, have_dst = 0, rc;

	memset(&o, 0, sizeof(o));
	o.len = 18;
	o.secs = 5;
	o.batch = 64;
	o.naddr = 1;
	o.sport0 = 1024;
	while ((c = getopt(argc, argv, "d:p:s:l:t:r:b:F:S:n:P:c:D")) != -1) {
		switch (c) {
		case 'd':
			parse_addr(optarg, &o.dst);
			have_dst = 1;
			break;
		case 'p':
			o.port = (uint16_t)parse_num(optarg, 65535);
			break;
		case 's':
			parse_addr(optarg, &o.src);
			o.have_src = 1;
			break;
		case 'l':
			o.len = (size_t)parse_num(optarg, PAYLOAD_MAX);
			break;
		case 't':
			o.secs = atof(optarg);
			break;
		case 'r':
			o.pps = atof(optarg);
			break;
		case 'b':
			o.batch = (unsigned int)parse_num(optarg, BATCH_MAX);
			break;
		case 'F':
			o.flows = parse_num(optarg, 1ULL << 32);
			break;
		case 'S':
			parse_addr(optarg, &o.srcbase);
			break;
		case 'n':
			o.naddr = (unsigned int)parse_num(optarg, 65536);
			break;
		case 'P':
			o.sport0 = (uint16_t)parse_num(optarg, 65535);
			break;
		case 'c':
			o.count = parse_num(optarg, 1ULL << 40);
			break;
		case 'D':
			o.vary_dst = 1;
			break;
		default:
			usage();
		}
	}
	if (!have_dst || o.port == 0 || o.batch == 0 || o.naddr == 0 ||
	    o.secs <= 0)
		usage();
	if (o.flows && o.srcbase.s_addr == 0)
		usage();
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	t0 = now_sec();
	rc = o.flows ? run_flows(&o, &sent) : run_socket(&o, &sent);
	t1 = now_sec();
	printf("sent %llu secs %.3f pps %.0f\n", (unsigned long long)sent,
	    t1 - t0, (double)sent / (t1 - t0));
	return rc < 0 ? 1 : 0;
}
