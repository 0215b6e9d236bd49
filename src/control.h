/* SPDX-License-Identifier: ISC */
/*
 * The control socket: a UNIX stream socket where each request line gets
 * one JSON line back (SPEC section 7), plus the `events` and `trace`
 * streams. Every client buffer is bounded so that no client, however slow
 * or hostile, can stall the packet loop or grow the daemon's memory.
 */
#ifndef HAIRPIND_CONTROL_H
#define HAIRPIND_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include "ct.h"

/* Longest request line, newline excluded. */
#define CONTROL_LINE_MAX	4096
/* Rows of a `conntrack` listing unless the request says limit=N. */
#define CONTROL_CT_LIMIT	10000
/* Largest limit=N accepted. */
#define CONTROL_CT_LIMIT_MAX	100000
/* A client's queued output above which its requests wait (normal
   clients) or it is dropped (stream clients). */
#define CONTROL_OUT_MAX		(1024 * 1024)
/* Seconds a partial request line may wait. */
#define CONTROL_IDLE_TIMEOUT	60
/* Seconds a client may leave its answer unread (no write progress at
   all) before it is dropped. */
#define CONTROL_STALL_TIMEOUT	10

struct router;

/**
 * control_init() - create and listen on the control socket.
 * @r: the router; its conf gives control.socket, mode, group and
 *     limits.ctl_max_clients, its base the event loop
 * @cause: on failure, an allocated message (the caller frees)
 *
 * Creates the socket's directory (0755) when missing. The directory must
 * belong to root (or the daemon's own uid) and not be writable by others
 * unless sticky; it is pinned by a descriptor and every operation on the
 * socket's name goes through it without following symlinks. An existing
 * socket file is removed only when nothing answers on it; a live daemon
 * makes this fail. Must run before the privilege drop (chgrp needs it).
 * Also installs the trace callback on @r.
 * Return: 0 or -1.
 */
int control_init(struct router *r, char **cause);

/* control_socket_dir() - the pinned directory of the socket and the
   socket's @name in it (for the socket reaper); -1 before control_init() */
int control_socket_dir(const char **name);

/* control_shutdown() - close every client and the socket, unlink it. */
void control_shutdown(void);

/**
 * control_ct_event() - forward a conntrack event to `events` clients.
 * The router calls it from its conntrack event callback; it costs a
 * branch when nobody listens.
 */
void control_ct_event(enum ct_event ev, const struct ct_entry *e);

/**
 * control_handle_line() - answer request bytes without a socket, exactly
 * as a client that sent @line and then shut down its side would be
 * answered (line splitting, limits, dispatch): for fuzzing and tests.
 * @r: the router to query; control_init() need not have run
 * @line: @len bytes, any content; several requests may be separated by
 *        newlines, and a last one without newline is answered too
 * @reply: every reply line, NUL-terminated (the caller frees)
 * A stream request (`events`, `trace`) gets its first line only.
 * Return: 0, or -1 when out of memory (*@reply is NULL).
 */
int control_handle_line(struct router *r, const char *line, size_t len,
    char **reply);

/* control_queued_bytes() - output queued for all clients now. */
size_t control_queued_bytes(void);

/* control_stream_drops() - stream clients dropped for not reading. */
uint64_t control_stream_drops(void);

#endif
