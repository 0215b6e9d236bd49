/* SPDX-License-Identifier: ISC */
/*
 * Fuzzer for the whole frame path: the first byte picks the link (and
 * whether the packet is traced), the rest is what the TAP hands over.
 * One router lives for the whole run, so state built by earlier inputs
 * (connections, mappings, fragments, queued packets) meets later ones;
 * a real control socket with an `events` and a `trace` client turns every
 * packet's walk and every connection change into JSON as well.
 */
#include "config.h"

#include <sys/un.h>

#include <inttypes.h>
#include <stdint.h>

#include "control.h"
#include "fuzz_router.h"
#include "nat_helper.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fz_clients[2];

static void
fz_loop(void)
{
	int i;

	/* Several rounds: accept, read a request, write what is queued. */
	for (i = 0; i < 4; i++)
		event_base_loop(fz_r.base, EVLOOP_NONBLOCK);
	for (i = 0; i < 2; i++)
		while (recv(fz_clients[i], fz_rxbuf, sizeof(fz_rxbuf),
		    MSG_DONTWAIT) > 0)
			;
}

static int
fz_connect(const char *request)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", fz_sock_path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd == -1 || connect(fd, (struct sockaddr *)&sun,
	    sizeof(sun)) == -1)
		fz_die("connect to the control socket");
	if (write(fd, request, strlen(request)) != (ssize_t)strlen(request))
		fz_die("write a request");
	return fd;
}

/* FUZZ_STATS=1: what the inputs did, to see that they get anywhere. */
static void
fz_teardown(void)
{
	const struct iface_stats *st;
	int i, j;

	if (getenv("FUZZ_STATS") != NULL) {
		for (i = 0; i < fz_r.nifaces; i++) {
			st = &fz_r.ifaces[i].st;
			fprintf(stderr, "%s: rx %ju tx %ju",
			    fz_r.conf->ifaces[i].name,
			    (uintmax_t)st->rx_packets,
			    (uintmax_t)st->tx_packets);
			for (j = 0; j < DROP_COUNT; j++)
				if (st->drops[j] > 0)
					fprintf(stderr, " %s=%ju",
					    drop_reason_name(j),
					    (uintmax_t)st->drops[j]);
			fprintf(stderr, "\n");
		}
		fprintf(stderr, "conntrack %u, created %ju\n",
		    ct_count(fz_r.ct),
		    (uintmax_t)ct_counters(fz_r.ct)->created);
		fprintf(stderr, "nat helpers: rewrites %ju, expected %ju, "
		    "related %ju\n",
		    (uintmax_t)nat_helper_stats()->rewrites,
		    (uintmax_t)nat_helper_stats()->expected,
		    (uintmax_t)nat_helper_stats()->related);
	}
	control_shutdown();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *cause;

	fz_router_setup();
	if (control_init(&fz_r, &cause) == -1) {
		fprintf(stderr, "fuzz_frame: control_init: %s\n", cause);
		abort();
	}
	atexit(fz_teardown);
	fz_clients[0] = fz_connect("events\n");
	fz_clients[1] = fz_connect("trace\n");
	fz_loop();
	fz_loop();
	if (!fz_r.tracing) {
		fprintf(stderr, "fuzz_frame: the trace client did not start\n");
		abort();
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t rx;
	int ifi;

	if (size < 1)
		return 0;
	ifi = (data[0] & 0x7f) % fz_r.nifaces;
	/* Most packets untraced, as in production; some traced. */
	fz_r.tracing = (data[0] & 0x80) != 0;
	rx = fz_r.ifaces[ifi].st.rx_bytes;
	fz_input(ifi, data + 1, size - 1);
	/* Counters are state too: one frame adds at most its length. */
	if (fz_r.ifaces[ifi].st.rx_bytes - rx > size - 1) {
		fprintf(stderr, "fuzz_frame: rx-bytes grew by %ju for a "
		    "%zu-byte frame\n",
		    (uintmax_t)(fz_r.ifaces[ifi].st.rx_bytes - rx), size - 1);
		abort();
	}
	fz_r.tracing = true;
	fz_timers();
	fz_drain();
	fz_loop();
	return 0;
}
