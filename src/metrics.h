/* SPDX-License-Identifier: ISC */
/* Prometheus text exposition of the router's counters. */
#ifndef HAIRPIND_METRICS_H
#define HAIRPIND_METRICS_H

#include <stdint.h>

struct evbuffer;
struct router;

/**
 * metrics_render() - append every counter and gauge to @b.
 * @clients, @stream_drops: the control socket's own figures
 */
void metrics_render(const struct router *r, struct evbuffer *b,
    unsigned int clients, uint64_t stream_drops);

#endif
