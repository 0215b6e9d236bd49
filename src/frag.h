/* SPDX-License-Identifier: ISC */
/*
 * IPv4 reassembly (for tracking and NAT) and fragmentation (to the out
 * MTU). Reassembly memory is bounded by a byte budget: a datagram that
 * would pass it evicts the oldest incomplete ones first, and an
 * incomplete datagram is dropped after the timeout. Overlapping fragments
 * that disagree, fragments past 65535 bytes, and a second "last fragment"
 * with another length drop the whole datagram (RFC 5722 spirit).
 */
#ifndef HAIRPIND_FRAG_H
#define HAIRPIND_FRAG_H

#include <stddef.h>
#include <stdint.h>

/* Bytes kept free before a reassembled datagram or a fragment, so the
   caller can prepend its link headers in place. */
#define FRAG_HEADROOM 64

enum frag_result {
	FRAG_HELD = 0,		/* kept, datagram not complete yet */
	FRAG_DONE = 1,		/* *out holds the whole datagram */
	FRAG_DROP = -1,		/* dropped; *reason says why */
};

struct frag_table;

struct frag_stats {
	uint64_t reassembled, timeouts, evicted, invalid;
	uint32_t pending;	/* datagrams in progress */
	uint32_t bytes;		/* memory held now */
};

struct frag_table *frag_create(uint32_t max_bytes, uint32_t timeout_sec);
void frag_destroy(struct frag_table *ft);
void frag_reconfigure(struct frag_table *ft, uint32_t max_bytes,
    uint32_t timeout_sec);

/**
 * frag_input() - add one fragment.
 * @ip: its IPv4 header (already validated: version, IHL, total length,
 *      header checksum), @len bytes = total length
 * @now: seconds, monotonic
 * @out, @outlen: on FRAG_DONE, the reassembled datagram (IP header of the
 *      first fragment with MF/offset cleared, total length and header
 *      checksum fixed). FRAG_HEADROOM bytes before *out are writable.
 *      Valid until the next frag_* call.
 * @reason: on FRAG_DROP, a drop reason name ("frag-invalid",
 *      "frag-memory", "frag-oversize")
 */
enum frag_result frag_input(struct frag_table *ft, const uint8_t *ip,
    size_t len, uint32_t now, uint8_t **out, size_t *outlen,
    const char **reason);

/* frag_expire() - drop datagrams older than the timeout. */
void frag_expire(struct frag_table *ft, uint32_t now);

const struct frag_stats *frag_stats(const struct frag_table *ft);

typedef int (*frag_emit_fn)(void *arg, uint8_t *ip, size_t len);

/**
 * frag_fragment() - split a datagram into fragments of at most @mtu bytes
 * (payload multiples of 8, options copied per RFC 791 to non-first
 * fragments only when their copy bit is set), calling @emit for each with
 * a fresh header checksum. FRAG_HEADROOM bytes before each emitted @ip
 * are writable. The datagram may itself be a fragment (its offset and MF
 * are honoured).
 * Return: 0, or -1 when @mtu is too small (< IHL + 8) or the datagram
 * is malformed.
 */
int frag_fragment(const uint8_t *ip, size_t len, unsigned int mtu,
    frag_emit_fn emit, void *arg);

#endif
