/* SPDX-License-Identifier: ISC */
/*
 * Reload off the loop: the configuration file is read and parsed by a
 * thread while the loop goes on forwarding; only the checked swap
 * (router_reload_conf()) runs on the loop. A parse that takes longer than
 * RELOAD_TIMEOUT_SEC is given up (the configuration stays, the answer
 * says why) and its result thrown away whenever it comes.
 */
#ifndef HAIRPIND_RELOAD_H
#define HAIRPIND_RELOAD_H

#include <stdbool.h>

#include "conf.h"

#define RELOAD_TIMEOUT_SEC	10
/* Requests waiting for one reload at most; more are told to retry. */
#define RELOAD_WAITERS_MAX	64

struct router;

/*
 * Called on the loop when the reload a caller asked for is over: @rc 0 or
 * -1, @errs the errors (owned by the reload module, valid during the
 * call). @async: called from the loop later, not from reload_start().
 */
typedef void (*reload_done_fn)(void *arg, int rc,
    const struct conf_errors *errs, bool async);

/* reload_init() - make reloads asynchronous on @r's loop (the daemon). */
int reload_init(struct router *r);
void reload_shutdown(void);

/**
 * reload_start() - reload @r's configuration file and call @fn when done.
 * A reload already running is joined: @fn gets its result. Without
 * reload_init() (tests, fuzzers) the reload runs at once, in the caller.
 */
void reload_start(struct router *r, reload_done_fn fn, void *arg);

/* reload_cancel() - @arg no longer wants its answer (a client left). */
void reload_cancel(void *arg);

#endif
