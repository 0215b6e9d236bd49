/* SPDX-License-Identifier: ISC */
/*
 * TCP connection rate: a client that keeps many non-blocking connects in
 * flight and counts completed handshakes, and the accept-and-close server
 * it talks to.
 *
 * Usage:
 *   connrate -l ADDR:PORT [-t SECS]                        (server)
 *   connrate -d ADDR:PORT -S SRCBASE [-n NADDR] [-P SPORT0]
 *            [-c CONCURRENCY] [-t SECS]                    (client)
 *
 * The client binds each connection to its own (address, port) pair,
 * walking SRCBASE .. SRCBASE+NADDR-1 and ports SPORT0..65535, so no
 * 4-tuple repeats within a run and the router under test never sees a
 * SYN for a connection it still tracks. A connection that completes is
 * closed with SO_LINGER 0 (a reset), so no endpoint keeps TIME_WAIT state.
 * -c sets how many connects are in flight (default 256: the rate the
 * router sustains); -c 1 is the latency-bound form, one connection at a
 * time (connect, wait for the handshake, reset, next), so the rate is one
 * over the round trip through the router plus the connection set-up.
 * Client output: "connects N failed F timeouts T secs S rate R".
 */
#define _GNU_SOURCE	/* sendmmsg, recvmmsg, accept4 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CONC_MAX	4096
#define CONNECT_TIMEOUT	1.0	/* a lost SYN would wait for 1 s RTO */

static volatile sig_atomic_t stop;

struct slot {
	int fd;
	double start;
};

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
	    "usage: connrate -l ADDR:PORT [-t SECS]\n"
	    "       connrate -d ADDR:PORT -S SRCBASE [-n NADDR] [-P SPORT0] "
	    "[-c CONC] [-t SECS]\n");
	exit(2);
}

static void
parse_sa(const char *s, struct sockaddr_in *sa)
{
	char buf[64], *colon;
	long port;

	if (strlen(s) >= sizeof(buf))
		usage();
	strcpy(buf, s);
	colon = strchr(buf, ':');
	if (colon == NULL)
		usage();
	*colon = '\0';
	port = strtol(colon + 1, NULL, 10);
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (inet_pton(AF_INET, buf, &sa->sin_addr) != 1 || port <= 0 ||
	    port > 65535)
		usage();
	sa->sin_port = htons((uint16_t)port);
}

static int
serve(const struct sockaddr_in *sa, double secs)
{
	int fd, c, one = 1;
	double end = now_sec() + secs;
	struct timeval tv = { 0, 200000 };
	unsigned long long n = 0;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0) {
		perror("connrate: socket");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* a blocking accept that wakes up to notice the deadline */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 ||
	    listen(fd, 4096) < 0) {
		perror("connrate: bind/listen");
		return 1;
	}
	while (!stop && now_sec() < end) {
		c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EAGAIN || errno == EINTR ||
			    errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE) {
				usleep(1000);
				continue;
			}
			perror("connrate: accept");
			return 1;
		}
		close(c);
		n++;
	}
	printf("accepted %llu\n", n);
	return 0;
}

struct client {
	struct sockaddr_in dst;
	uint32_t srcbase;
	unsigned int naddr;
	uint16_t sport0;
	uint32_t next_addr;
	uint32_t next_port;
	int ep;
	unsigned long long ok, failed, timeouts, bindfail;
	struct slot slots[CONC_MAX];
};

/* Start one connection in slot @i; -1 once the tuple space is used up. */
static int
client_open(struct client *cl, int i)
{
	struct sockaddr_in src;
	struct epoll_event ev;
	struct linger lg = { 1, 0 };
	int fd;

	for (;;) {
		if (cl->next_port > 65535) {
			cl->next_port = cl->sport0;
			if (++cl->next_addr >= cl->naddr)
				return -1;
		}
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fd < 0) {
			perror("connrate: socket");
			return -1;
		}
		memset(&src, 0, sizeof(src));
		src.sin_family = AF_INET;
		src.sin_addr.s_addr = htonl(cl->srcbase + cl->next_addr);
		src.sin_port = htons((uint16_t)cl->next_port);
		cl->next_port++;
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
			/* taken by something else: the next one */
			cl->bindfail++;
			close(fd);
			continue;
		}
		if (connect(fd, (struct sockaddr *)&cl->dst,
		    sizeof(cl->dst)) < 0 && errno != EINPROGRESS) {
			cl->failed++;
			close(fd);
			continue;
		}
		break;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLOUT;
	ev.data.u32 = (uint32_t)i;
	if (epoll_ctl(cl->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		perror("connrate: epoll_ctl");
		close(fd);
		return -1;
	}
	cl->slots[i].fd = fd;
	cl->slots[i].start = now_sec();
	return 0;
}

static void
client_close(struct client *cl, int i)
{
	close(cl->slots[i].fd);
	cl->slots[i].fd = -1;
}

static int
run_client(struct client *cl, int conc, double secs)
{
	struct epoll_event evs[256];
	double t0, t, end, last_sweep;
	int i, n, k, err, active = 0, exhausted = 0;
	socklen_t len;

	cl->ep = epoll_create1(EPOLL_CLOEXEC);
	if (cl->ep < 0) {
		perror("connrate: epoll_create1");
		return 1;
	}
	for (i = 0; i < conc; i++)
		cl->slots[i].fd = -1;
	t0 = now_sec();
	end = t0 + secs;
	last_sweep = t0;
	for (i = 0; i < conc; i++) {
		if (client_open(cl, i) < 0) {
			exhausted = 1;
			break;
		}
		active++;
	}
	while (!stop && active > 0 && (t = now_sec()) < end) {
		n = epoll_wait(cl->ep, evs, 256, 10);
		if (n < 0 && errno != EINTR) {
			perror("connrate: epoll_wait");
			return 1;
		}
		for (k = 0; k < n; k++) {
			i = (int)evs[k].data.u32;
			err = 0;
			len = sizeof(err);
			getsockopt(cl->slots[i].fd, SOL_SOCKET, SO_ERROR, &err,
			    &len);
			if (err == 0 && !(evs[k].events & (EPOLLERR | EPOLLHUP)))
				cl->ok++;
			else
				cl->failed++;
			client_close(cl, i);
			active--;
			if (!exhausted && client_open(cl, i) == 0)
				active++;
			else
				exhausted = 1;
		}
		t = now_sec();
		if (t - last_sweep < 0.1)
			continue;
		last_sweep = t;
		for (i = 0; i < conc; i++) {
			if (cl->slots[i].fd < 0 ||
			    t - cl->slots[i].start < CONNECT_TIMEOUT)
				continue;
			cl->timeouts++;
			client_close(cl, i);
			active--;
			if (!exhausted && client_open(cl, i) == 0)
				active++;
			else
				exhausted = 1;
		}
	}
	t = now_sec();
	for (i = 0; i < conc; i++)
		if (cl->slots[i].fd >= 0)
			client_close(cl, i);
	if (exhausted)
		fprintf(stderr, "connrate: source tuples used up after %.2f s\n",
		    t - t0);
	printf("connects %llu failed %llu timeouts %llu secs %.3f rate %.0f\n",
	    cl->ok, cl->failed, cl->timeouts, t - t0,
	    (double)cl->ok / (t - t0));
	return 0;
}

int
main(int argc, char **argv)
{
	static struct client cl;
	struct sockaddr_in listen_sa;
	struct in_addr a;
	double secs = 3;
	int c, conc = 256, server = 0, have_dst = 0, have_src = 0;

	memset(&cl, 0, sizeof(cl));
	cl.naddr = 1;
	cl.sport0 = 1024;
	while ((c = getopt(argc, argv, "l:d:S:n:P:c:t:")) != -1) {
		switch (c) {
		case 'l':
			parse_sa(optarg, &listen_sa);
			server = 1;
			break;
		case 'd':
			parse_sa(optarg, &cl.dst);
			have_dst = 1;
			break;
		case 'S':
			if (inet_pton(AF_INET, optarg, &a) != 1)
				usage();
			cl.srcbase = ntohl(a.s_addr);
			have_src = 1;
			break;
		case 'n':
			cl.naddr = (unsigned int)atoi(optarg);
			break;
		case 'P':
			cl.sport0 = (uint16_t)atoi(optarg);
			break;
		case 'c':
			conc = atoi(optarg);
			break;
		case 't':
			secs = atof(optarg);
			break;
		default:
			usage();
		}
	}
	if (secs <= 0)
		usage();
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (server)
		return serve(&listen_sa, secs);
	if (!have_dst || !have_src || cl.naddr == 0 || cl.sport0 == 0 ||
	    conc <= 0 || conc > CONC_MAX)
		usage();
	cl.next_port = cl.sport0;
	return run_client(&cl, conc, secs);
}
