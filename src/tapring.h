/* SPDX-License-Identifier: ISC */
/*
 * TAP I/O in batches, through io_uring.
 *
 * Each TAP has one multishot read on the ring. The kernel fills buffers
 * the daemon gave it (a provided-buffer ring, so it takes a free buffer
 * for each frame and never one per read request), and posts a completion
 * per frame. The router handles the frame where it landed. When it
 * forwards it, the write is queued on the ring from that same buffer,
 * and the buffer goes back to the kernel when the write completes: a
 * frame is never copied in user space and nothing is allocated per
 * frame. All of a batch's writes go to the kernel in one io_uring_enter()
 * instead of a read() and a write() per frame.
 *
 * The ring is built before the privilege drop, registers the TAPs as its
 * only files, and is restricted (IORING_REGISTER_RESTRICTIONS) to those
 * two operations on them: the seccomp filter cannot see inside a ring,
 * so the ring itself can do nothing else.
 *
 * Needs Linux 6.7 (IORING_OP_READ_MULTISHOT). Where the kernel lacks it,
 * or io_uring is disabled or filtered, tapring_open() says why and the
 * daemon reads and writes the TAPs with read() and write().
 */
#ifndef HAIRPIND_TAPRING_H
#define HAIRPIND_TAPRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct router;
struct iface;
struct tapring;

/* Buffers shared by all TAPs: frames in flight between read and write. */
#define TAPRING_BUFS	128

/* Read completions handled per call of tapring_run(). */
#define TAPRING_BUDGET	64

/**
 * tapring_open() - build the ring for @r's TAPs (already open).
 * Return: the ring, or NULL with *@cause saying why not (the daemon then
 * uses read() and write()).
 */
struct tapring *tapring_open(struct router *r, char **cause);
void tapring_close(struct tapring *tr);

/* tapring_fd() - the ring's descriptor: readable when completions wait. */
int tapring_fd(const struct tapring *tr);

/**
 * tapring_run() - handle up to TAPRING_BUDGET frames that arrived (each
 * through router_input()) and the writes that completed, then hand the
 * queued writes and re-armed reads to the kernel in one system call.
 * Return: the number of frames read.
 */
unsigned int tapring_run(struct tapring *tr);

/**
 * tapring_tx() - queue a write of @frame to @ifp, when @frame lies in the
 * buffer of the frame being handled now, and that buffer has no write
 * queued yet. The caller must not touch the buffer after this.
 * Return: true if queued (the write's result is counted when it
 * completes); false: the caller writes it itself, after tapring_flush().
 */
bool tapring_tx(struct tapring *tr, struct iface *ifp, const uint8_t *frame,
    size_t len);

/* tapring_flush() - hand what is queued to the kernel now (keeps order). */
void tapring_flush(struct tapring *tr);

/* Counters for `status`. */
struct tapring_stats {
	uint64_t enters;	/* io_uring_enter() calls */
	uint64_t rx_frames, tx_queued;
	uint64_t rearms;	/* multishot reads re-armed */
	uint64_t nobufs;	/* reads stopped: every buffer in flight */
};
void tapring_stats(const struct tapring *tr, struct tapring_stats *st);

#endif
