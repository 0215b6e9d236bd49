/* SPDX-License-Identifier: ISC */
/*
 * Internet checksums: full (RFC 1071) and incremental (RFC 1624).
 *
 * Everything works on 16-bit words as they sit in memory (network order);
 * one's complement sums do not care about byte order as long as it is the
 * same throughout, so results are stored into headers as they are.
 */
#ifndef HAIRPIND_CSUM_H
#define HAIRPIND_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* csum_partial() - add @len bytes at @buf to the 32-bit running sum @sum. */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum);

/* csum_fold() - fold a running sum to 16 bits and complement it. */
static inline uint16_t
csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* csum_ip() - the checksum of an IPv4 header of @ihl_bytes. */
static inline uint16_t
csum_ip(const void *iph, size_t ihl_bytes)
{
	return csum_fold(csum_partial(iph, ihl_bytes, 0));
}

/*
 * csum_pseudo() - running sum of the TCP/UDP pseudo-header.
 * @saddr, @daddr: network order; @len: L4 length, host order
 */
uint32_t csum_pseudo(uint32_t saddr, uint32_t daddr, uint8_t proto,
    uint16_t len);

/* csum_l4() - the full TCP/UDP checksum of @len bytes at @l4. */
static inline uint16_t
csum_l4(uint32_t saddr, uint32_t daddr, uint8_t proto, const void *l4,
    uint16_t len)
{
	return csum_fold(csum_partial(l4, len, csum_pseudo(saddr, daddr,
	    proto, len)));
}

/*
 * Incremental updates (RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m')). @from and
 * @to are as stored in the packet (network order).
 */
static inline void
csum_replace2(uint16_t *sum, uint16_t from, uint16_t to)
{
	uint32_t s = (uint16_t)~*sum;

	s += (uint16_t)~from;
	s += to;
	*sum = csum_fold(s);
}

static inline void
csum_replace4(uint16_t *sum, uint32_t from, uint32_t to)
{
	uint32_t s = (uint16_t)~*sum;

	s += (uint16_t)~(from >> 16) + (uint16_t)~(from & 0xffff);
	s += (to >> 16) + (to & 0xffff);
	*sum = csum_fold(s);
}

/*
 * For a partial checksum (virtio NEEDS_CSUM: the field holds the folded,
 * NOT complemented pseudo-header sum): adjust for an address change.
 */
static inline void
csum_partial_replace4(uint16_t *sum, uint32_t from, uint32_t to)
{
	uint32_t s = *sum;

	s += (uint16_t)~(from >> 16) + (uint16_t)~(from & 0xffff);
	s += (to >> 16) + (to & 0xffff);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	*sum = (uint16_t)s;
}

/*
 * csum_delta4/2() - accumulate a change into a running delta that is later
 * applied once with csum_apply_delta(); cheaper than several replaces.
 */
static inline uint32_t
csum_delta4(uint32_t delta, uint32_t from, uint32_t to)
{
	return delta + (uint16_t)~(from >> 16) + (uint16_t)~(from & 0xffff) +
	    (to >> 16) + (to & 0xffff);
}

static inline uint32_t
csum_delta2(uint32_t delta, uint16_t from, uint16_t to)
{
	return delta + (uint16_t)~from + to;
}

static inline void
csum_apply_delta(uint16_t *sum, uint32_t delta)
{
	*sum = csum_fold((uint16_t)~*sum + delta);
}

/*
 * csum_crc32c() - the CRC32c (Castagnoli) of @len bytes at @buf, as SCTP
 * stores it (RFC 9260 Appendix A): the value to memcpy() into the header
 * as it is returned, little-endian bytes in host order on any machine.
 */
uint32_t csum_crc32c(const void *buf, size_t len);

#endif
