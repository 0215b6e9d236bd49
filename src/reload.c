/* SPDX-License-Identifier: ISC */
/* Reload: parse in a thread, swap on the loop, with a time bound. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "log.h"
#include "reload.h"
#include "router.h"
#include "xmalloc.h"

struct reload_waiter {
	reload_done_fn fn;
	void *arg;
};

/*
 * The thread sees only job.path (read) and writes job.conf and job.errs,
 * then one byte to the pipe; the loop reads them after the byte arrives
 * and pthread_join(), so nothing is shared while both run.
 */
static struct {
	struct router *r;
	int pipe[2];
	struct event *done_ev, *timeout_ev;
	bool busy;		/* a thread is parsing */
	bool abandoned;		/* ... but nobody waits for it any more */
	pthread_t th;
	char *path;
	struct config *conf;
	struct conf_errors errs;
	struct reload_waiter w[RELOAD_WAITERS_MAX];
	int nw;
} rl = { .pipe = { -1, -1 } };

static void *
reload_thread(void *arg)
{
	char c = 1;
	ssize_t n;

	(void)arg;
	rl.conf = conf_load(rl.path, &rl.errs);
	do
		n = write(rl.pipe[1], &c, 1);
	while (n == -1 && errno == EINTR);
	return NULL;
}

/* One message (taken) as conf_load() gives them. */
static void
reload_errs_one(struct conf_errors *e, char *msg)
{
	e->msgs = xcalloc(1, sizeof(char *));
	e->msgs[0] = msg;
	e->n = 1;
}

static void
reload_answer(int rc, const struct conf_errors *errs)
{
	int i, n = rl.nw;

	rl.nw = 0;
	for (i = 0; i < n; i++)
		if (rl.w[i].fn != NULL)
			rl.w[i].fn(rl.w[i].arg, rc, errs, true);
}

/* Swap in what was parsed (or count the failure) and tell the waiters. */
static void
reload_finish(struct config *conf, struct conf_errors *errs)
{
	int i, rc;

	rc = router_reload_conf(rl.r, conf, rl.path, errs);
	if (rc == -1)
		for (i = 0; i < errs->n; i++)
			log_warnx("%s", errs->msgs[i]);
	free(rl.path);
	rl.path = NULL;
	reload_answer(rc, errs);
	conf_errors_free(errs);
}

static void
reload_done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct config *conf;
	struct conf_errors errs;
	char buf[16];

	(void)what;
	(void)arg;
	if (read(fd, buf, sizeof(buf)) <= 0 || !rl.busy)
		return;
	pthread_join(rl.th, NULL);
	rl.busy = false;
	evtimer_del(rl.timeout_ev);
	conf = rl.conf;
	errs = rl.errs;
	rl.conf = NULL;
	memset(&rl.errs, 0, sizeof(rl.errs));
	if (rl.abandoned) {
		rl.abandoned = false;
		log_info("reload of %s: the abandoned parse ended", rl.path);
		if (conf != NULL)
			conf_free(conf);
		conf_errors_free(&errs);
		free(rl.path);
		rl.path = NULL;
		return;
	}
	reload_finish(conf, &errs);
}

static void
reload_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conf_errors errs;
	char *msg;

	(void)fd;
	(void)what;
	(void)arg;
	if (!rl.busy || rl.abandoned)
		return;
	rl.abandoned = true;
	xasprintf(&msg, "%s: still parsing after %d s: reload abandoned, "
	    "configuration unchanged", rl.path, RELOAD_TIMEOUT_SEC);
	reload_errs_one(&errs, msg);
	/* counts the failure and tells systemd we are ready again */
	router_reload_conf(rl.r, NULL, rl.path, &errs);
	log_warnx("%s", errs.msgs[0]);
	reload_answer(-1, &errs);
	conf_errors_free(&errs);
}

int
reload_init(struct router *r)
{
	if (pipe2(rl.pipe, O_CLOEXEC | O_NONBLOCK) == -1)
		return -1;
	rl.r = r;
	rl.done_ev = event_new(r->base, rl.pipe[0], EV_READ | EV_PERSIST,
	    reload_done_cb, NULL);
	rl.timeout_ev = evtimer_new(r->base, reload_timeout_cb, NULL);
	if (rl.done_ev == NULL || rl.timeout_ev == NULL)
		fatalx("reload: event_new");
	event_add(rl.done_ev, NULL);
	return 0;
}

void
reload_shutdown(void)
{
	if (rl.r == NULL)
		return;
	rl.nw = 0;
	/* a parse still running is left to exit() */
	if (rl.busy)
		pthread_detach(rl.th);
	event_free(rl.done_ev);
	event_free(rl.timeout_ev);
	rl.r = NULL;
}

void
reload_start(struct router *r, reload_done_fn fn, void *arg)
{
	struct timeval tv = { RELOAD_TIMEOUT_SEC, 0 };
	struct conf_errors errs = { NULL, 0 };
	int rc;

	if (r->conf->path == NULL) {
		reload_errs_one(&errs, xstrdup("reload: no configuration file"));
		fn(arg, -1, &errs, false);
		conf_errors_free(&errs);
		return;
	}
	if (rl.r == NULL) {
		/* no loop of ours: at once (tests, fuzzers) */
		char *path = xstrdup(r->conf->path);

		rc = router_reload(r, path, &errs);
		fn(arg, rc, &errs, false);
		conf_errors_free(&errs);
		free(path);
		return;
	}
	if (rl.abandoned || rl.nw == RELOAD_WAITERS_MAX) {
		char *msg;

		xasprintf(&msg, "%s: a previous reload is still parsing; try "
		    "again later", r->conf->path);
		reload_errs_one(&errs, msg);
		fn(arg, -1, &errs, false);
		conf_errors_free(&errs);
		return;
	}
	rl.w[rl.nw].fn = fn;
	rl.w[rl.nw].arg = arg;
	rl.nw++;
	if (rl.busy)
		return;		/* joins the running one */
#ifdef HAVE_SYSTEMD
	sd_notify(0, "RELOADING=1\nSTATUS=reloading configuration");
#endif
	rl.path = xstrdup(r->conf->path);
	rl.conf = NULL;
	memset(&rl.errs, 0, sizeof(rl.errs));
	if ((rc = pthread_create(&rl.th, NULL, reload_thread, NULL)) != 0) {
		struct config *conf;

		log_warnx("reload: thread: %s", strerror(rc));
		/* parse here, as before: on the loop, but a reload */
		conf = conf_load(rl.path, &errs);
		reload_finish(conf, &errs);
		return;
	}
	rl.busy = true;
	evtimer_add(rl.timeout_ev, &tv);
}

void
reload_cancel(void *arg)
{
	int i;

	for (i = 0; i < rl.nw; i++)
		if (rl.w[i].arg == arg)
			rl.w[i].fn = NULL;
}
