/* SPDX-License-Identifier: ISC */
/*
 * What one wake-up of a sleeping task costs on this machine: the floor
 * under every latency a userspace router adds.
 *
 * A forwarding kernel needs no task to run for a ping: the request, the
 * reply and the way back all happen in softirq, inside the pinger's own
 * sendto(). A userspace router needs two wake-ups the kernel does not:
 * its own when the request reaches its TAP, and the pinger's when the
 * reply comes back after the pinger went to sleep.
 *
 * The waker sleeps for the interval (as a pinger would between pings),
 * then takes the time and writes a byte into a pipe; the sleeper, blocked
 * in read(), takes the time as soon as it runs. The difference is one
 * wake-up, measured for each interval with the two pinned to different
 * CPUs (the usual case on an idle machine: the scheduler prefers an idle
 * CPU), to the same CPU, and with the sleeper polling the pipe instead
 * of sleeping (what a busy-polling router pays).
 *
 *   wakeup [-n COUNT] [INTERVAL_US...]   (default: 1000 5000 100000)
 *
 * Prints: interval, placement, median, p90 and minimum in microseconds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum place { CROSS, SAME, POLL };

struct run {
	int pipefd[2];
	int cpu;			/* sleeper's CPU */
	enum place how;
	int count;
	_Atomic uint64_t woke;		/* ns the sleeper ran at */
	_Atomic int seq;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
pin(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	if (pthread_setaffinity_np(pthread_self(), sizeof(s), &s) != 0) {
		fprintf(stderr, "wakeup: cannot pin to CPU %d\n", cpu);
		exit(1);
	}
}

static void *
sleeper(void *arg)
{
	struct run *r = arg;
	char c;
	int i;

	pin(r->cpu);
	for (i = 0; i < r->count; i++) {
		for (;;) {
			ssize_t n = read(r->pipefd[0], &c, 1);

			if (n == 1)
				break;
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				perror("wakeup: read");
				exit(1);
			}
		}
		atomic_store(&r->woke, now_ns());
		atomic_fetch_add(&r->seq, 1);
	}
	return NULL;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
measure(long interval_us, enum place how, int count)
{
	static const char *const names[] = { "other CPU", "same CPU",
	    "polling" };
	struct run r;
	pthread_t t;
	uint64_t *lat = calloc((size_t)count, sizeof(*lat));
	struct timespec gap = { interval_us / 1000000,
	    (interval_us % 1000000) * 1000 };
	int i;

	if (lat == NULL)
		exit(1);
	memset(&r, 0, sizeof(r));
	if (pipe2(r.pipefd, how == POLL ? O_NONBLOCK : 0) == -1) {
		perror("pipe2");
		exit(1);
	}
	r.cpu = how == SAME ? 0 : 1;
	r.how = how;
	r.count = count;
	pin(0);
	pthread_create(&t, NULL, sleeper, &r);
	for (i = 0; i < count; i++) {
		uint64_t t0;

		nanosleep(&gap, NULL);
		t0 = now_ns();
		if (write(r.pipefd[1], "x", 1) != 1) {
			perror("wakeup: write");
			exit(1);
		}
		/* wait for it to have run (we may share its CPU: yield) */
		while (atomic_load(&r.seq) != i + 1)
			if (how == SAME)
				sched_yield();
		lat[i] = atomic_load(&r.woke) - t0;
	}
	pthread_join(t, NULL);
	close(r.pipefd[0]);
	close(r.pipefd[1]);
	qsort(lat, (size_t)count, sizeof(*lat), cmp_u64);
	printf("%-9ld %-10s %8.1f %8.1f %8.1f\n", interval_us, names[how],
	    lat[count / 2] / 1e3, lat[count * 9 / 10] / 1e3, lat[0] / 1e3);
	fflush(stdout);
	free(lat);
}

int
main(int argc, char **argv)
{
	long intervals[16] = { 1000, 5000, 100000 };
	int n = 3, count = 200, c, i;
	enum place how;

	while ((c = getopt(argc, argv, "n:")) != -1) {
		if (c != 'n' || (count = atoi(optarg)) < 10) {
			fprintf(stderr, "usage: wakeup [-n COUNT>=10] "
			    "[INTERVAL_US...]\n");
			return 2;
		}
	}
	if (optind < argc) {
		for (n = 0; optind < argc && n < 16; optind++)
			intervals[n++] = atol(argv[optind]);
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		fprintf(stderr, "wakeup: needs two CPUs\n");
		return 1;
	}
	printf("%-9s %-10s %8s %8s %8s\n", "every_us", "sleeper", "median",
	    "p90", "min");
	for (i = 0; i < n; i++) {
		int k = intervals[i] >= 100000 ? count / 4 : count;

		for (how = CROSS; how <= POLL; how++)
			measure(intervals[i], how, k < 10 ? 10 : k);
	}
	return 0;
}
