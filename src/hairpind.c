/* SPDX-License-Identifier: ISC */
/*
 * hairpind: parse the configuration, open the TAPs and the control socket,
 * drop privileges, and run the one event loop that moves every frame.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "arp.h"
#include "conf.h"
#include "control.h"
#include "ct.h"
#include "dns.h"
#include "frag.h"
#include "log.h"
#include "natport.h"
#include "privdrop.h"
#include "reload.h"
#include "route.h"
#include "router.h"
#include "sandbox.h"
#include "tap.h"
#include "tapring.h"
#include "poller.h"
#include "xmalloc.h"

#define DEFAULT_CONFIG	SYSCONFDIR "/hairpind/hairpind.yaml"
#define RX_BUDGET	64		/* frames per link per wakeup */
#define CT_EXPIRE_BUDGET 4096		/* entries per expiry slice */
#define TICK_MS		100

static struct router the_router;
static struct event *tick_ev, *expire_ev;
/* One receive buffer: frames are handled where they land, never copied. */
static uint8_t rxbuf[ROUTER_HEADROOM + TAP_FRAME_MAX]
    __attribute__((aligned(64)));

static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: hairpind [-f FILE] [-t] [-d] [-V] [-h]\n"
	    "  -f FILE  configuration file (default %s)\n"
	    "  -t       check the configuration and exit\n"
	    "  -d       debug logging\n"
	    "  -V       print the version and exit\n"
	    "  -h       this help\n", DEFAULT_CONFIG);
	exit(status);
}

static uint64_t rx_frames;	/* frames read, ever */

static void
tap_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct iface *ifp = arg;
	uint8_t *buf = rxbuf + ROUTER_HEADROOM;
	ssize_t n;
	int i;

	/*
	 * Bounded batch: the event stays level-triggered, so a link with
	 * more waiting is called again after the others had their turn.
	 */
	for (i = 0; i < RX_BUDGET; i++) {
		n = read(fd, buf, TAP_FRAME_MAX);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("%s: read", ifp->conf->tap);
			return;
		}
		if (n == 0)
			return;
		rx_frames++;
		router_input(&the_router, ifp->idx, buf, (size_t)n);
	}
}

static struct tapring *ring;
static struct event *ring_ev;

static void
ring_cb(evutil_socket_t fd, short what, void *arg)
{
	rx_frames += tapring_run(arg);
}

/* The loop: poll or sleep as the poller says (poller.h). */
static void
main_loop(struct router *r)
{
	struct poller pl;
	uint64_t seen = rx_frames;
	bool polling;

	poller_init(&pl, r->conf->dp.busy_poll_auto, r->conf->dp.busy_poll_us);
	for (;;) {
		/* a reload may have changed the setting */
		poller_set(&pl, r->conf->dp.busy_poll_auto,
		    r->conf->dp.busy_poll_us);
		polling = poller_poll(&pl, router_now_us());
		event_base_loop(r->base, polling ? EVLOOP_NONBLOCK :
		    EVLOOP_ONCE);
		if (event_base_got_exit(r->base) ||
		    event_base_got_break(r->base))
			return;
		if (rx_frames != seen) {
			seen = rx_frames;
			poller_rx(&pl, router_now_us());
		} else if (polling) {
			/*
			 * Nothing yet: any other task that wants this CPU
			 * (often an endpoint of the very traffic) runs first;
			 * the loop spins only on a CPU nobody else needs.
			 */
			sched_yield();
		}
	}
}

static void
expire_cb(evutil_socket_t fd, short what, void *arg)
{
	struct router *r = arg;
	struct timeval soon = { 0, 1000 };

	/* a slice at a time, so a mass expiry never stalls forwarding */
	if (ct_expire(r->ct, router_now(), CT_EXPIRE_BUDGET))
		evtimer_add(expire_ev, &soon);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct router *r = arg;

	expire_cb(-1, 0, r);
	arp_timer(r->arp, router_now_ms());
	frag_expire(r->frag, router_now());
	router_tick(r);
}

/* The end of a SIGHUP reload; the reload module logged its errors. */
static void
sighup_done(void *arg, int rc, const struct conf_errors *errs, bool async)
{
	int i;

	(void)arg;
	if (rc == -1 && !async)
		for (i = 0; i < errs->n; i++)
			log_warnx("%s", errs->msgs[i]);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct router *r = arg;

	switch (sig) {
	case SIGHUP:
		log_info("SIGHUP: reloading %s", r->conf->path);
		reload_start(r, sighup_done, NULL);
		break;
	case SIGTERM:
	case SIGINT:
		log_info("%s: exiting", sig == SIGTERM ? "SIGTERM" : "SIGINT");
		event_base_loopexit(r->base, NULL);
		break;
	}
}

/*
 * After the drop: the seccomp filter (src/sandbox.c). Not under
 * AddressSanitizer or valgrind, whose runtimes make calls of their own
 * (LeakSanitizer's ptrace, valgrind's files) that the filter refuses.
 */
static void
sandbox_start(bool inet)
{
	const char *pre = getenv("LD_PRELOAD");
	char *cause = NULL;

#if defined(__SANITIZE_ADDRESS__)
	log_info("seccomp filter not installed: AddressSanitizer build");
	return;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	log_info("seccomp filter not installed: AddressSanitizer build");
	return;
#endif
#endif
	if (pre != NULL && strstr(pre, "vgpreload") != NULL) {
		log_info("seccomp filter not installed: running under valgrind");
		return;
	}
	if (sandbox_apply(inet, &cause) == -1)
		fatalx("%s", cause);
	log_debug("seccomp filter installed");
}

static void
libevent_log_cb(int severity, const char *msg)
{
	if (severity >= EVENT_LOG_WARN)
		log_warnx("libevent: %s", msg);
	else
		log_debug("libevent: %s", msg);
}

int
main(int argc, char *argv[])
{
	struct router *r = &the_router;
	struct conf_errors errs;
	struct config *conf;
	const char *path = DEFAULT_CONFIG;
	struct event *sig_ev[3];
	static const int sigs[3] = { SIGHUP, SIGTERM, SIGINT };
	struct timeval tick = { 0, TICK_MS * 1000 };
	bool check_only = false, debug = false;
	char *cause = NULL;
	int ch, i;

	while ((ch = getopt(argc, argv, "f:tdVh")) != -1) {
		switch (ch) {
		case 'f':
			path = optarg;
			break;
		case 't':
			check_only = true;
			break;
		case 'd':
			debug = true;
			break;
		case 'V':
			printf("hairpind %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);

	log_init("hairpind", LOG_TARGET_STDERR,
	    debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	conf = conf_load(path, &errs);
	if (conf == NULL) {
		/*
		 * -t prints to the terminal; the daemon logs each error
		 * (message, source line and caret) as one entry.
		 */
		for (i = 0; i < errs.n; i++) {
			if (check_only)
				fprintf(stderr, "hairpind: %s\n", errs.msgs[i]);
			else
				log_errx("%s", errs.msgs[i]);
		}
		conf_errors_free(&errs);
		return 1;
	}
	conf_errors_free(&errs);
	for (i = 0; i < conf->nnotes; i++)
		fprintf(stderr, "%s\n", conf->notes[i]);
	if (check_only) {
		printf("configuration ok\n");
		if (conf->summary != NULL)
			printf("%s\n", conf->summary);
		conf_free(conf);
		return 0;
	}
	log_init("hairpind", conf->log_target,
	    debug ? LOG_LEVEL_DEBUG : conf->log_level);
	event_set_log_callback(libevent_log_cb);
	signal(SIGPIPE, SIG_IGN);

	router = r;
	r->conf = conf;
	r->started = time(NULL);
	r->base = event_base_new();
	if (r->base == NULL)
		fatalx("event_base_new");
	r->nifaces = conf->nifaces;
	for (i = 0; i < conf->nifaces; i++) {
		struct iface *ifp = &r->ifaces[i];

		ifp->idx = i;
		ifp->fd = -1;
		ifp->conf = &conf->ifaces[i];
	}
	for (i = 0; i < conf->nifaces; i++) {
		if (tap_open(&r->ifaces[i], &cause) == -1) {
			log_warnx("interface %s: %s", conf->ifaces[i].name,
			    cause);
			exit(3);
		}
	}
	router_init(r, conf);

	/* before the drop and the filter, which io_uring_setup() is not in */
	if (conf->dp.io == DP_IO_READWRITE)
		xasprintf(&cause, "dataplane.io is read-write");
	else if ((ring = tapring_open(r, &cause)) != NULL)
		log_info("dataplane: TAP I/O through io_uring, %d buffers",
		    TAPRING_BUFS);
	else if (conf->dp.io == DP_IO_URING) {
		log_warnx("dataplane.io io_uring: %s", cause);
		exit(3);
	}
	if (ring == NULL) {
		log_info("dataplane: TAP I/O with read() and write(): %s",
		    cause);
		free(cause);
		cause = NULL;
	}
	/* before the privilege drop: a nice below 0 needs CAP_SYS_NICE */
	if (conf->dp.nice_set)
		router_set_nice(conf->dp.nice);
	if (control_init(r, &cause) == -1) {
		log_warnx("control socket: %s", cause);
		exit(3);
	}
	/* last before the drop: from here the daemon is in its own netns */
	if (dns_start(r, &cause) == -1) {
		log_warnx("%s", cause);
		exit(3);
	}
	if (conf->user != NULL) {
		const char *sock;
		int dirfd = control_socket_dir(&sock);

		if (privdrop_reaper(dirfd, sock, &cause) == -1)
			fatalx("control socket reaper: %s", cause);
	}
	if (privdrop_drop(conf->user, &cause) == -1)
		fatalx("privilege drop: %s", cause);
	sandbox_start(r->dns != NULL);

	if (ring != NULL) {
		ring_ev = event_new(r->base, tapring_fd(ring),
		    EV_READ | EV_PERSIST, ring_cb, ring);
		event_add(ring_ev, NULL);
	} else {
		for (i = 0; i < r->nifaces; i++) {
			struct iface *ifp = &r->ifaces[i];

			ifp->ev = event_new(r->base, ifp->fd,
			    EV_READ | EV_PERSIST, tap_read_cb, ifp);
			event_add(ifp->ev, NULL);
		}
	}
	for (i = 0; i < 3; i++) {
		sig_ev[i] = evsignal_new(r->base, sigs[i], signal_cb, r);
		evsignal_add(sig_ev[i], NULL);
	}
	if (reload_init(r) == -1)
		fatal("reload: pipe");
	tick_ev = event_new(r->base, -1, EV_PERSIST, tick_cb, r);
	evtimer_add(tick_ev, &tick);
	expire_ev = evtimer_new(r->base, expire_cb, r);

	log_info("hairpind %s running: %d interfaces, conntrack max %u%s%s",
	    PACKAGE_VERSION, r->nifaces, ct_max(r->ct),
	    conf->user ? ", as user " : "", conf->user ? conf->user : "");
#ifdef HAVE_SYSTEMD
	sd_notify(0, "READY=1\nSTATUS=running");
#endif
	main_loop(r);
#ifdef HAVE_SYSTEMD
	sd_notify(0, "STOPPING=1");
#endif

	control_shutdown();
	dns_stop(r);
	reload_shutdown();
	privdrop_reaper_finish();
	if (ring_ev != NULL)
		event_free(ring_ev);
	tapring_close(ring);
	for (i = 0; i < r->nifaces; i++) {
		if (r->ifaces[i].ev != NULL)
			event_free(r->ifaces[i].ev);
		tap_close(&r->ifaces[i]);
	}
	for (i = 0; i < 3; i++)
		event_free(sig_ev[i]);
	event_free(tick_ev);
	event_free(expire_ev);
	ct_flush(r->ct);
	ct_destroy(r->ct);
	natport_destroy(r->np);
	frag_destroy(r->frag);
	arp_destroy(r->arp);
	route_free(r->routes);
	conf_free(r->conf);
	event_base_free(r->base);
	return 0;
}
