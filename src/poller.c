/* SPDX-License-Identifier: ISC */
/* When the loop polls and when it sleeps: see poller.h. */
#include "config.h"

#include "poller.h"

void
poller_init(struct poller *p, bool adaptive, uint32_t fixed_us)
{
	*p = (struct poller){ .gap = POLL_GAP_CAP };
	poller_set(p, adaptive, fixed_us);
}

void
poller_set(struct poller *p, bool adaptive, uint32_t fixed_us)
{
	p->adaptive = adaptive;
	p->fixed_us = fixed_us;
}

void
poller_rx(struct poller *p, uint64_t now)
{
	uint64_t gap = p->last_rx != 0 ? now - p->last_rx : POLL_GAP_CAP;

	if (gap > POLL_GAP_CAP)
		gap = POLL_GAP_CAP;
	p->gap = (7 * p->gap + gap) / 8;
	p->last_rx = now;
}

uint32_t
poller_window(const struct poller *p)
{
	if (!p->adaptive)
		return p->fixed_us;
	if (p->gap > POLL_GAP_US)
		return 0;
	return 2 * p->gap < POLL_WINDOW_US ? (uint32_t)(2 * p->gap) :
	    POLL_WINDOW_US;
}

bool
poller_poll(const struct poller *p, uint64_t now)
{
	uint32_t win = poller_window(p);

	return win != 0 && p->last_rx != 0 && now - p->last_rx <= win;
}
