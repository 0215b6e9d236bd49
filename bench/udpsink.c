/* SPDX-License-Identifier: ISC */
/*
 * A UDP sink that drains with recvmmsg() and reports the packet rate.
 *
 * Usage: udpsink -b ADDR -p PORT [-t SECS] [-w WARMUP] [-x IDLE] [-i MS]
 *                [-o FILE]
 *
 * Runs for SECS seconds, until SIGTERM, or until no packet came for IDLE
 * seconds (default 1) after the first one. The rate is counted from
 * WARMUP seconds after the first packet to the last packet, so start-up
 * of the sender is not measured. With -i, one line "T COUNT" per MS
 * milliseconds from the first packet to the last (T the interval's start in
 * seconds since the epoch, COUNT its packets) is written to FILE (default
 * stderr), and the summary adds the smallest and
 * largest interval rates seen while traffic flowed.
 * Summary: "pkts N secs S pps R [min_pps A max_pps B]".
 */
#define _GNU_SOURCE	/* sendmmsg, recvmmsg, accept4 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define BATCH	256
#define BUFSZ	2048

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

static double
real_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
usage(void)
{
	fprintf(stderr, "usage: udpsink -b ADDR -p PORT [-t SECS] "
	    "[-w WARMUP] [-x IDLE] [-i MS] [-o FILE]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static uint8_t bufs[BATCH][BUFSZ];
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in sa;
	struct timeval tv = { 0, 20000 };
	const char *outpath = NULL;
	FILE *out = stderr;
	double secs = 10, warm = 0.5, idle = 1, ims = 0, t, tstart;
	double tfirst = 0, tlast = 0, treal = 0;
	double tw = 0, ival_s = 0, minr = -1, maxr = 0;
	uint64_t total = 0, counted = 0, *ival = NULL;
	size_t nival = 0;
	int fd, c, r, rcvbuf = 16 << 20, one = 1, i;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	while ((c = getopt(argc, argv, "b:p:t:w:x:i:o:")) != -1) {
		switch (c) {
		case 'b':
			if (inet_pton(AF_INET, optarg, &sa.sin_addr) != 1)
				usage();
			break;
		case 'p':
			sa.sin_port = htons((uint16_t)atoi(optarg));
			break;
		case 't':
			secs = atof(optarg);
			break;
		case 'w':
			warm = atof(optarg);
			break;
		case 'x':
			idle = atof(optarg);
			break;
		case 'i':
			ims = atof(optarg);
			break;
		case 'o':
			outpath = optarg;
			break;
		default:
			usage();
		}
	}
	if (sa.sin_port == 0 || secs <= 0 || warm < 0 || ims < 0 ||
	    idle <= 0)
		usage();
	if (outpath != NULL && (out = fopen(outpath, "w")) == NULL) {
		perror(outpath);
		return 1;
	}
	if (ims > 0) {
		ival_s = ims / 1000;
		nival = (size_t)(secs / ival_s) + 2;
		ival = calloc(nival, sizeof(*ival));
		if (ival == NULL) {
			perror("udpsink: calloc");
			return 1;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("udpsink: socket");
		return 1;
	}
	/* FORCE needs CAP_NET_ADMIN; fall back to what rmem_max allows */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
	    sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("udpsink: bind");
		return 1;
	}
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = BUFSZ;
	}
	/* ready: the caller waits for the socket to appear in ss */
	tstart = now_sec();
	while (!stop && (t = now_sec()) < tstart + secs) {
		memset(m, 0, sizeof(m));
		for (i = 0; i < BATCH; i++) {
			m[i].msg_hdr.msg_iov = &iov[i];
			m[i].msg_hdr.msg_iovlen = 1;
		}
		r = recvmmsg(fd, m, BATCH, MSG_WAITFORONE, NULL);
		t = now_sec();
		if (r < 0 && errno != EAGAIN && errno != EINTR) {
			perror("udpsink: recvmmsg");
			return 1;
		}
		if (r <= 0 && total > 0 && t - tlast > idle)
			break;
		if (r > 0) {
			if (total == 0) {
				tfirst = t;
				treal = real_sec();
				tw = t + warm;
			}
			total += (uint64_t)r;
			if (t >= tw)
				counted += (uint64_t)r;
			tlast = t;
			if (nival > 0) {
				size_t k = (size_t)((t - tfirst) / ival_s);

				if (k < nival)
					ival[k] += (uint64_t)r;
			}
		}
	}
	/*
	 * Every full interval between the first and the last packet counts,
	 * empty ones too: a stall in the middle is what -i is for.
	 */
	if (nival > 0 && total > 0) {
		size_t k, full = (size_t)((tlast - tfirst) / ival_s);

		if (full > nival)
			full = nival;
		for (k = 0; k < full; k++) {
			double rate = (double)ival[k] / ival_s;

			fprintf(out, "%.3f %llu\n", treal + (double)k * ival_s,
			    (unsigned long long)ival[k]);
			if (minr < 0 || rate < minr)
				minr = rate;
			if (rate > maxr)
				maxr = rate;
		}
	}
	if (tlast > tw && counted > 0)
		printf("pkts %llu secs %.3f pps %.0f", (unsigned long long)total,
		    tlast - tfirst, (double)counted / (tlast - tw));
	else
		printf("pkts %llu secs %.3f pps %.0f", (unsigned long long)total,
		    tlast - tfirst, 0.0);
	if (nival > 0)
		printf(" min_pps %.0f max_pps %.0f", minr < 0 ? 0 : minr, maxr);
	printf("\n");
	if (out != stderr)
		fclose(out);
	free(ival);
	return 0;
}
