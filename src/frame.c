/* SPDX-License-Identifier: ISC */
/* Bounds-checked parsing of Ethernet, IPv4 and transport headers. */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "csum.h"
#include "frame.h"

int
frame_parse(struct pkt *p, uint8_t *buf, size_t len, bool vnet)
{
	uint16_t et;

	memset(p, 0, sizeof(*p));
	p->buf = buf;
	p->len = len;
	p->icmp_type = p->icmp_code = -1;
	if (vnet) {
		if (len < (size_t)VNET_HDR_LEN)
			return DROP_SHORT_FRAME;
		p->vh = (struct virtio_net_hdr *)buf;
		buf += VNET_HDR_LEN;
		len -= VNET_HDR_LEN;
	}
	if (len < ETH_HLEN_)
		return DROP_SHORT_FRAME;
	p->eth = buf;
	p->eth_len = len;
	memcpy(&et, buf + 12, 2);
	p->ethertype = ntohs(et);
	switch (p->ethertype) {
	case ETHERTYPE_IPV4:
	case ETHERTYPE_ARP:
		return -1;
	case ETHERTYPE_VLAN:
	case ETHERTYPE_QINQ:
		return DROP_VLAN;
	case ETHERTYPE_IPV6:
		return DROP_IPV6;
	default:
		return DROP_UNKNOWN_ETHERTYPE;
	}
}

static int
parse_l4(struct pkt *p)
{
	uint8_t *l4 = p->l4;
	unsigned int n = p->l4_len;

	switch (p->proto) {
	case IPPROTO_TCP: {
		const struct tcp_hdr *th = (const struct tcp_hdr *)l4;
		unsigned int off;

		if (n < sizeof(*th))
			return DROP_BAD_L4_HEADER;
		off = (th->off >> 4) * 4;
		if (off < sizeof(*th) || off > n)
			return DROP_BAD_L4_HEADER;
		p->sport = th->sport;
		p->dport = th->dport;
		p->tcp_flags = th->flags;
		break;
	}
	case IPPROTO_UDP: {
		const struct udp_hdr *uh = (const struct udp_hdr *)l4;

		if (n < sizeof(*uh))
			return DROP_BAD_L4_HEADER;
		/* UDP length must fit; GSO super-frames say 0 or the whole */
		if (ntohs(uh->len) < sizeof(*uh) || ntohs(uh->len) > n) {
			if (!(p->vh != NULL && p->vh->gso_type ==
			    VIRTIO_NET_HDR_GSO_UDP_L4))
				return DROP_BAD_L4_HEADER;
		}
		p->sport = uh->sport;
		p->dport = uh->dport;
		break;
	}
	case IPPROTO_SCTP: {
		const struct sctp_hdr *sh = (const struct sctp_hdr *)l4;

		/* the ports are translated like TCP's and UDP's */
		if (n < sizeof(*sh))
			return DROP_BAD_L4_HEADER;
		p->sport = sh->sport;
		p->dport = sh->dport;
		break;
	}
	case IPPROTO_ESP:
		/* SPI and sequence number (RFC 4303 2) */
		if (n < 8)
			return DROP_BAD_L4_HEADER;
		break;
	case IPPROTO_ICMP: {
		const struct icmp_hdr *ih = (const struct icmp_hdr *)l4;

		if (n < sizeof(*ih))
			return DROP_BAD_ICMP;
		p->icmp_type = ih->type;
		p->icmp_code = ih->code;
		if (icmp_is_query(ih->type))
			p->sport = ih->id;
		break;
	}
	default:
		break;
	}
	p->l4_ok = true;
	return -1;
}

int
frame_parse_ip(struct pkt *p, uint8_t *ip, size_t avail)
{
	struct ip4_hdr *iph = (struct ip4_hdr *)ip;
	unsigned int ihl, tot;
	uint16_t frag;

	if (avail < sizeof(*iph))
		return DROP_BAD_IP_HEADER;
	if ((iph->ver_ihl >> 4) != 4)
		return DROP_BAD_IP_HEADER;
	ihl = (iph->ver_ihl & 0x0f) * 4;
	if (ihl < sizeof(*iph) || ihl > avail)
		return DROP_BAD_IP_HEADER;
	tot = ntohs(iph->tot_len);
	/*
	 * A GSO super-frame may carry tot_len 0 when over 64 KiB (never with
	 * TSO4, which the kernel caps at 64 KiB); everything else must fit.
	 */
	if (tot < ihl || tot > avail)
		return DROP_BAD_IP_LENGTH;
	if (csum_fold(csum_partial(ip, ihl, 0)) != 0)
		return DROP_BAD_IP_CHECKSUM;
	p->ip = iph;
	p->ihl = ihl;
	p->ip_len = tot;
	p->proto = iph->proto;
	frag = ntohs(iph->frag_off);
	p->is_frag = (frag & (IP4_MF | IP4_OFFMASK)) != 0;
	p->l4 = ip + ihl;
	p->l4_len = tot - ihl;
	p->l4_ok = false;
	if ((frag & IP4_OFFMASK) != 0)
		return -1;		/* later fragment: no transport header */
	if (p->is_frag)
		return -1;		/* parsed after reassembly */
	return parse_l4(p);
}
