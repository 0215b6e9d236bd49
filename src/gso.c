/* SPDX-License-Identifier: ISC */
/* TSO/USO super-frames cut into wire-sized frames, and partial checksums. */
#include "config.h"

#include <arpa/inet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <string.h>

#include "csum.h"
#include "frag.h"
#include "gso.h"

#define GSO_IP_MAX	65535
#define GSO_IP_MINHL	20
#define GSO_IP_MF	0x2000
#define GSO_IP_OFFMASK	0x1fff
#define GSO_TH_CWR	0x80

/* One output frame at a time: headroom, Ethernet, the largest IP packet. */
static uint8_t gso_scratch[FRAG_HEADROOM + ETHER_HDR_LEN + GSO_IP_MAX]
    __attribute__((aligned(16)));

/*
 * gso_ip_end() - where the L4 sum of @eth stops: the end of the IPv4
 * packet when the frame is plausibly IPv4, so Ethernet padding stays out;
 * else @len.
 */
static size_t
gso_ip_end(const uint8_t *eth, size_t len)
{
	uint16_t type, tot;

	if (len < ETHER_HDR_LEN + GSO_IP_MINHL)
		return len;
	memcpy(&type, eth + 12, 2);
	if (type != htons(ETHERTYPE_IP) || (eth[ETHER_HDR_LEN] >> 4) != 4)
		return len;
	memcpy(&tot, eth + ETHER_HDR_LEN + 2, 2);
	tot = ntohs(tot);
	if (tot < GSO_IP_MINHL || ETHER_HDR_LEN + (size_t)tot > len)
		return len;
	return ETHER_HDR_LEN + (size_t)tot;
}

int
gso_csum_complete(struct virtio_net_hdr *vh, uint8_t *eth, size_t len)
{
	size_t start = vh->csum_start, field, end;
	uint16_t sum;

	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return 0;
	end = gso_ip_end(eth, len);
	field = start + vh->csum_offset;
	/*
	 * The field must sit inside the summed range and on a 16-bit
	 * boundary relative to csum_start, or the stored sum would land
	 * byte-swapped; no kernel sends that.
	 */
	if (start < ETHER_HDR_LEN || vh->csum_offset % 2 != 0 ||
	    field + 2 > end)
		return -1;
	sum = csum_fold(csum_partial(eth + start, end - start, 0));
	if (sum == 0)
		sum = 0xffff;
	memcpy(eth + field, &sum, 2);
	vh->flags &= (uint8_t)~VIRTIO_NET_HDR_F_NEEDS_CSUM;
	return 0;
}

/* What gso_segment() learnt from the super-frame's headers. */
struct gso_frame {
	size_t iphl, l4hl;	/* header lengths */
	size_t hdrs;		/* Ethernet + IP + L4 headers */
	size_t payload;		/* L4 payload bytes */
	uint8_t proto;
};

static int
gso_parse(const struct virtio_net_hdr *vh, const uint8_t *eth, size_t len,
    struct gso_frame *f)
{
	const uint8_t *ip = eth + ETHER_HDR_LEN;
	uint16_t type, tot, fo;
	uint8_t gso = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;

	if (vh->gso_size == 0)
		return -1;
	if (gso == VIRTIO_NET_HDR_GSO_TCPV4)
		f->proto = IPPROTO_TCP;
	else if (gso == VIRTIO_NET_HDR_GSO_UDP_L4 &&
	    !(vh->gso_type & VIRTIO_NET_HDR_GSO_ECN))
		f->proto = IPPROTO_UDP;
	else
		return -1;

	if (len < ETHER_HDR_LEN + GSO_IP_MINHL)
		return -1;
	memcpy(&type, eth + 12, 2);
	if (type != htons(ETHERTYPE_IP) || (ip[0] >> 4) != 4)
		return -1;
	f->iphl = (ip[0] & 0x0f) * 4u;
	memcpy(&tot, ip + 2, 2);
	tot = ntohs(tot);
	memcpy(&fo, ip + 6, 2);
	fo = ntohs(fo);
	if (f->iphl < GSO_IP_MINHL || tot < f->iphl ||
	    ETHER_HDR_LEN + (size_t)tot > len || ip[9] != f->proto ||
	    (fo & (GSO_IP_MF | GSO_IP_OFFMASK)) != 0)
		return -1;
	/* Every segment gets a fresh IP checksum: do not launder a bad one. */
	if (csum_ip(ip, f->iphl) != 0)
		return -1;

	if (f->proto == IPPROTO_TCP) {
		if (tot < f->iphl + sizeof(struct tcphdr))
			return -1;
		f->l4hl = (ip[f->iphl + 12] >> 4) * 4u;
		if (f->l4hl < sizeof(struct tcphdr) || f->iphl + f->l4hl > tot)
			return -1;
	} else {
		uint16_t ulen;

		f->l4hl = sizeof(struct udphdr);
		if (tot < f->iphl + f->l4hl)
			return -1;
		memcpy(&ulen, ip + f->iphl + 4, 2);
		if (ntohs(ulen) != tot - f->iphl)
			return -1;
	}
	f->hdrs = ETHER_HDR_LEN + f->iphl + f->l4hl;
	f->payload = tot - f->iphl - f->l4hl;
	if (f->payload == 0)
		return -1;

	/* A partial checksum must be the one of this L4 header. */
	if ((vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    (vh->csum_start != ETHER_HDR_LEN + f->iphl ||
	    vh->csum_offset != (f->proto == IPPROTO_TCP ?
	    offsetof(struct tcphdr, check) : offsetof(struct udphdr, check))))
		return -1;
	return 0;
}

int
gso_segment(const struct virtio_net_hdr *vh, const uint8_t *eth,
    size_t len, unsigned int mtu, gso_emit_fn emit, void *arg)
{
	uint8_t *out = gso_scratch + FRAG_HEADROOM;
	uint8_t *ip = out + ETHER_HDR_LEN;
	struct gso_frame f;
	size_t seg, pos, chunk, l4len;
	uint32_t saddr, daddr, seq0 = 0, seq;
	uint16_t id0, v16, sum;
	uint8_t tflags = 0;
	unsigned int i;

	if (gso_parse(vh, eth, len, &f) == -1)
		return -1;
	if (mtu > GSO_IP_MAX)
		mtu = GSO_IP_MAX;
	if (mtu <= f.iphl + f.l4hl)
		return -1;
	seg = vh->gso_size;
	if (f.proto == IPPROTO_TCP) {
		/* TCP may cut smaller than the MSS; the peer does not care. */
		if (seg > mtu - f.iphl - f.l4hl)
			seg = mtu - f.iphl - f.l4hl;
		memcpy(&seq0, eth + ETHER_HDR_LEN + f.iphl + 4, 4);
		seq0 = ntohl(seq0);
		tflags = eth[ETHER_HDR_LEN + f.iphl + 13];
	} else if (seg > mtu - f.iphl - f.l4hl)
		return -1;

	memcpy(&saddr, eth + ETHER_HDR_LEN + 12, 4);
	memcpy(&daddr, eth + ETHER_HDR_LEN + 16, 4);
	memcpy(&id0, eth + ETHER_HDR_LEN + 4, 2);
	id0 = ntohs(id0);
	/* Headers are the same in every frame but for the fields set below. */
	memcpy(out, eth, f.hdrs);

	for (pos = 0, i = 0; pos < f.payload; pos += chunk, i++) {
		uint8_t *l4 = ip + f.iphl;

		chunk = f.payload - pos < seg ? f.payload - pos : seg;
		memcpy(out + f.hdrs, eth + f.hdrs + pos, chunk);
		l4len = f.l4hl + chunk;

		v16 = htons((uint16_t)(f.iphl + l4len));
		memcpy(ip + 2, &v16, 2);
		v16 = htons((uint16_t)(id0 + i));
		memcpy(ip + 4, &v16, 2);
		memset(ip + 10, 0, 2);
		sum = csum_ip(ip, f.iphl);
		memcpy(ip + 10, &sum, 2);

		if (f.proto == IPPROTO_TCP) {
			uint8_t fl = tflags;

			seq = htonl(seq0 + (uint32_t)pos);
			memcpy(l4 + 4, &seq, 4);
			if (pos + chunk < f.payload)
				fl &= (uint8_t)~(TH_FIN | TH_PUSH);
			if (pos != 0)
				fl &= (uint8_t)~GSO_TH_CWR;
			l4[13] = fl;
			memset(l4 + 16, 0, 2);
			sum = csum_l4(saddr, daddr, IPPROTO_TCP, l4,
			    (uint16_t)l4len);
			memcpy(l4 + 16, &sum, 2);
		} else {
			v16 = htons((uint16_t)l4len);
			memcpy(l4 + 4, &v16, 2);
			memset(l4 + 6, 0, 2);
			sum = csum_l4(saddr, daddr, IPPROTO_UDP, l4,
			    (uint16_t)l4len);
			if (sum == 0)
				sum = 0xffff;
			memcpy(l4 + 6, &sum, 2);
		}
		if (emit(arg, out, f.hdrs + chunk) < 0)
			return -1;
	}
	return 0;
}
