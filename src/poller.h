/* SPDX-License-Identifier: ISC */
/*
 * When the loop polls and when it sleeps (dataplane.busy-poll).
 *
 * A sleeping daemon is woken when a frame reaches its TAP. On a virtual
 * machine whose vCPU halted, that costs 45-145 us (bench/wakeup); a frame
 * that arrives while the loop polls costs nothing extra, but polling
 * burns a CPU. `auto` (the default) polls only while it pays: while
 * frames keep coming closer together than a wake-up costs (the mean gap
 * between turns that moved frames, an EWMA with each gap counted up to
 * POLL_GAP_CAP, under POLL_GAP_US), it polls for up to twice that mean,
 * never more than POLL_WINDOW_US, after the last frame. One longer gap
 * and it sleeps at once. So it polls through a TCP stream or a flood,
 * never between pings, and costs nothing idle.
 *
 * A fixed TIME polls that long after every frame; 0 never polls. All
 * times are passed in, in microseconds.
 */
#ifndef HAIRPIND_POLLER_H
#define HAIRPIND_POLLER_H

#include <stdbool.h>
#include <stdint.h>

#define POLL_GAP_US	200
#define POLL_WINDOW_US	400
#define POLL_GAP_CAP	1000

struct poller {
	bool adaptive;		/* busy-poll: auto */
	uint32_t fixed_us;	/* busy-poll: TIME (not auto) */
	uint64_t last_rx;	/* last turn that moved frames, 0: none */
	uint64_t gap;		/* EWMA of the gaps between such turns */
};

void poller_init(struct poller *p, bool adaptive, uint32_t fixed_us);
/* poller_set() - the setting changed (reload); what was learnt stays. */
void poller_set(struct poller *p, bool adaptive, uint32_t fixed_us);

/* poller_rx() - a turn of the loop that ended at @now moved frames. */
void poller_rx(struct poller *p, uint64_t now);

/* poller_window() - how long after the last frame to keep polling. */
uint32_t poller_window(const struct poller *p);

/* poller_poll() - at @now, poll once more (true) or sleep (false). */
bool poller_poll(const struct poller *p, uint64_t now);

#endif
