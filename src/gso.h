/* SPDX-License-Identifier: ISC */
/*
 * Software segmentation and checksum completion for frames read from a TAP
 * opened with IFF_VNET_HDR.
 *
 * With IFF_VNET_HDR every frame read from (or written to) the TAP starts
 * with a struct virtio_net_hdr (10 bytes, <linux/virtio_net.h>), then the
 * Ethernet frame. Its fields are in host byte order unless the device was
 * switched to little-endian with TUNSETVNETLE; hairpind leaves the default,
 * so they are read as plain integers. What they say:
 *
 * - flags & VIRTIO_NET_HDR_F_NEEDS_CSUM: the sender (the kernel, which we
 *   told with TUNSETOFFLOAD that we accept TUN_F_CSUM) skipped the L4
 *   checksum. The 16-bit field at csum_start + csum_offset (csum_start
 *   counted from the first byte of the Ethernet header, csum_offset from
 *   csum_start: 16 for TCP, 6 for UDP) holds the folded but NOT
 *   complemented sum of the pseudo-header. Summing every byte from
 *   csum_start to the end of the packet, that field included, then
 *   complementing gives the real checksum. Until then the packet must not
 *   leave a host that does not know this convention.
 * - gso_type: VIRTIO_NET_HDR_GSO_NONE for an ordinary frame. Otherwise the
 *   frame is a "super-frame" bigger than the link MTU that stands for a
 *   train of segments: TCPV4 (TSO: cut the TCP payload into gso_size
 *   pieces, each a TCP segment with the sequence number advanced) or
 *   UDP_L4 (USO: cut the UDP payload into gso_size pieces, each its own
 *   UDP datagram). The VIRTIO_NET_HDR_GSO_ECN bit may be or-ed in for TCP
 *   (the train carries CWR; only the first segment keeps it). A GSO frame
 *   always comes with NEEDS_CSUM.
 * - gso_size: the payload bytes per segment (the MSS for TCP).
 * - hdr_len: a hint of the header length. It is not checked by the kernel
 *   for frames it sends and is never used here; headers are parsed.
 *
 * Frames written back to a TAP with IFF_VNET_HDR need a header too; a
 * zeroed one (no flags, GSO_NONE) means "complete, ordinary frame", which
 * is what gso_segment() output and gso_csum_complete() frames are.
 */
#ifndef HAIRPIND_GSO_H
#define HAIRPIND_GSO_H

#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_net.h>

/* Older kernel headers lack USO (Linux 6.2). */
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4	5
#endif

typedef int (*gso_emit_fn)(void *arg, uint8_t *eth, size_t len);

/**
 * gso_csum_complete() - fill in the L4 checksum of a NEEDS_CSUM frame.
 * @vh: its virtio-net header; NEEDS_CSUM is cleared on success
 * @eth: the Ethernet frame, @len bytes
 *
 * For an IPv4 frame the sum stops at the end of the IP packet (Ethernet
 * padding is not part of it); otherwise it runs to @len. A result of 0 is
 * stored as 0xffff, which means the same for TCP and is required by UDP.
 * Return: 0 (also when NEEDS_CSUM was not set), or -1 when csum_start or
 * csum_offset point outside the packet or are odd-aligned.
 */
int gso_csum_complete(struct virtio_net_hdr *vh, uint8_t *eth, size_t len);

/**
 * gso_segment() - cut a TCPv4 (TSO) or UDP (USO) super-frame into frames.
 * @vh: its virtio-net header (gso_type, gso_size, csum_* are checked)
 * @eth: the Ethernet frame, @len bytes; not modified
 * @mtu: largest IP packet per output frame
 * @emit: called once per frame, in order, with a complete Ethernet frame
 *        (no vnet header) that has FRAG_HEADROOM (frag.h) writable bytes
 *        before @eth; it is valid only during the call. A negative return
 *        stops the cut.
 *
 * TCP: each segment carries at most min(gso_size, @mtu - headers) payload
 * bytes, the sequence number advanced, IP ids counting up from the
 * original, FIN and PSH only on the last segment, CWR only on the first,
 * and full IP and TCP checksums. UDP: each datagram carries exactly
 * gso_size bytes (the last one the rest) with its own length and
 * checksum; message boundaries cannot move, so when one datagram would
 * not fit @mtu the call fails (segment with mtu 65535 and fragment the
 * results to send such a train).
 * Return: 0, or -1 for an inconsistent frame (not IPv4 TCP/UDP matching
 * gso_type, bad lengths or IP header checksum, IP fragment, gso_size 0, no
 * payload, csum_start not at the L4 header) or when @emit failed.
 */
int gso_segment(const struct virtio_net_hdr *vh, const uint8_t *eth,
    size_t len, unsigned int mtu, gso_emit_fn emit, void *arg);

#endif
