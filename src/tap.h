/* SPDX-License-Identifier: ISC */
/*
 * TAP links: create or attach a TAP device, inside a network namespace
 * when the config says so, with a virtio-net header and checksum/TSO
 * offloads, so the kernel hands over (and accepts) 64 KiB GSO super-frames
 * instead of one 1500-byte frame per read.
 */
#ifndef HAIRPIND_TAP_H
#define HAIRPIND_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct iface;

/* The largest frame a read returns: vnet header + 64 KiB + Ethernet. */
#define TAP_FRAME_MAX	(10 + 14 + 65535 + 64)

/**
 * tap_open() - open or attach @ifp's TAP in its netns, set the vnet
 * header and offloads, raise txqueuelen and the send buffer, set the MTU
 * and MAC-independent link state up, and make the fd non-blocking.
 * Return: 0, or -1 with *@cause set (netns missing, device busy, ...).
 */
int tap_open(struct iface *ifp, char **cause);
void tap_close(struct iface *ifp);

/* tap_write() - one frame (vnet header first when the link has one). */
ssize_t tap_write(struct iface *ifp, const uint8_t *buf, size_t len);

/*
 * tap_tx_count() - count a write of a @len-byte frame to @ifp that wrote
 * @n bytes (or failed, n < 0): a packet sent, or a tx-error drop.
 * Return: whether all of it went.
 */
bool tap_tx_count(struct iface *ifp, size_t len, ssize_t n);

/* tap_offload_names() - "csum,tso4,..." for logs. */
const char *tap_offload_names(unsigned int offloads);

#endif
