/* SPDX-License-Identifier: ISC */
/* Test helpers: build real frames (vnet header + Ethernet + IPv4 + L4). */
#ifndef HAIRPIND_TEST_PKT_BUILD_H
#define HAIRPIND_TEST_PKT_BUILD_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "csum.h"
#include "frame.h"

static inline uint32_t
A(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

/* Read 16/32-bit fields at any alignment (network order kept). */
static inline uint16_t
get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

static inline uint32_t
get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/*
 * Build a frame at @buf: zero vnet header, Ethernet to @dmac, IPv4 from
 * @src to @dst with @proto and @l4 (@l4len bytes, its checksum filled in
 * for TCP/UDP/ICMP). Return: frame length.
 */
static inline size_t
pkt_build(uint8_t *buf, const uint8_t *dmac, uint32_t src, uint32_t dst,
    uint8_t proto, uint8_t ttl, const uint8_t *l4, size_t l4len)
{
	struct ip4_hdr *ip = (struct ip4_hdr *)(buf + VNET_HDR_LEN + 14);
	uint8_t *l = (uint8_t *)ip + 20;
	uint16_t et = htons(ETHERTYPE_IPV4), c;
	static const uint8_t smac[6] = { 0x02, 0xaa, 0, 0, 0, 1 };

	memset(buf, 0, VNET_HDR_LEN);
	memcpy(buf + VNET_HDR_LEN, dmac, 6);
	memcpy(buf + VNET_HDR_LEN + 6, smac, 6);
	memcpy(buf + VNET_HDR_LEN + 12, &et, 2);
	memset(ip, 0, 20);
	ip->ver_ihl = 0x45;
	ip->tot_len = htons((uint16_t)(20 + l4len));
	ip->id = htons(0x1234);
	ip->ttl = ttl;
	ip->proto = proto;
	ip->saddr = src;
	ip->daddr = dst;
	ip->check = csum_ip(ip, 20);
	memcpy(l, l4, l4len);
	if (proto == IPPROTO_TCP) {
		memset(l + 16, 0, 2);
		c = csum_l4(src, dst, proto, l, (uint16_t)l4len);
		memcpy(l + 16, &c, 2);
	} else if (proto == IPPROTO_UDP) {
		memset(l + 6, 0, 2);
		c = csum_l4(src, dst, proto, l, (uint16_t)l4len);
		memcpy(l + 6, &c, 2);
	} else if (proto == IPPROTO_ICMP) {
		memset(l + 2, 0, 2);
		c = csum_fold(csum_partial(l, l4len, 0));
		memcpy(l + 2, &c, 2);
	}
	return VNET_HDR_LEN + 14 + 20 + l4len;
}

static inline size_t
tcp_build(uint8_t *l4, uint16_t sport, uint16_t dport, uint32_t seq,
    uint32_t ack, uint8_t flags)
{
	struct tcp_hdr th;

	memset(&th, 0, sizeof(th));
	th.sport = htons(sport);
	th.dport = htons(dport);
	th.seq = htonl(seq);
	th.ack = htonl(ack);
	th.off = 5 << 4;
	th.flags = flags;
	th.win = htons(65535);
	memcpy(l4, &th, sizeof(th));
	return sizeof(th);
}

static inline size_t
udp_build(uint8_t *l4, uint16_t sport, uint16_t dport, const char *data)
{
	struct udp_hdr uh;
	size_t n = strlen(data);

	uh.sport = htons(sport);
	uh.dport = htons(dport);
	uh.len = htons((uint16_t)(8 + n));
	uh.check = 0;
	memcpy(l4, &uh, 8);
	memcpy(l4 + 8, data, n);
	return 8 + n;
}

/* Verify IP and L4 checksums of an IPv4 packet: 1 when both hold. */
static inline int
pkt_csums_ok(const uint8_t *ipb)
{
	const struct ip4_hdr *ip = (const struct ip4_hdr *)ipb;
	unsigned int ihl = (ip->ver_ihl & 15) * 4;
	unsigned int len = ntohs(ip->tot_len);
	const uint8_t *l = ipb + ihl;

	if (csum_fold(csum_partial(ip, ihl, 0)) != 0)
		return 0;
	if (ip->proto == IPPROTO_TCP || ip->proto == IPPROTO_UDP)
		return csum_fold(csum_partial(l, len - ihl,
		    csum_pseudo(ip->saddr, ip->daddr, ip->proto,
		    (uint16_t)(len - ihl)))) == 0;
	if (ip->proto == IPPROTO_ICMP)
		return csum_fold(csum_partial(l, len - ihl, 0)) == 0;
	return 1;
}

#endif
