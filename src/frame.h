/* SPDX-License-Identifier: ISC */
/*
 * Bounds-checked parsing of what a TAP hands over: the virtio-net header,
 * Ethernet, ARP or IPv4, and the TCP/UDP/ICMP header behind it, into a
 * struct pkt of pointers into the frame. Parsing has no side effects; the
 * router decides what to do with the result.
 */
#ifndef HAIRPIND_FRAME_H
#define HAIRPIND_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_net.h>

/* Newer than Debian 12's kernel headers (Linux 6.2). */
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4	5
#endif

#include "router.h"

#define ETH_HLEN_	14
#define ETHERTYPE_IPV4	0x0800
#define ETHERTYPE_ARP	0x0806
#define ETHERTYPE_VLAN	0x8100
#define ETHERTYPE_QINQ	0x88a8
#define ETHERTYPE_IPV6	0x86dd

#define VNET_HDR_LEN	((int)sizeof(struct virtio_net_hdr))

/* TCP flags */
#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_PSH	0x08
#define TH_ACK	0x10
#define TH_URG	0x20
#define TH_ECE	0x40
#define TH_CWR	0x80

struct ip4_hdr {
	uint8_t ver_ihl;
	uint8_t tos;
	uint16_t tot_len;
	uint16_t id;
	uint16_t frag_off;
	uint8_t ttl;
	uint8_t proto;
	uint16_t check;
	uint32_t saddr;
	uint32_t daddr;
};

_Static_assert(sizeof(struct ip4_hdr) == 20, "ip4_hdr layout");

#define IP4_DF		0x4000
#define IP4_MF		0x2000
#define IP4_OFFMASK	0x1fff

struct tcp_hdr {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t off;		/* data offset << 4 */
	uint8_t flags;
	uint16_t win;
	uint16_t check;
	uint16_t urp;
};

struct udp_hdr {
	uint16_t sport, dport;
	uint16_t len;
	uint16_t check;
};

/* RFC 9260 3.1: the common header; the checksum is CRC32c. */
struct sctp_hdr {
	uint16_t sport, dport;
	uint32_t vtag;
	uint32_t check;
};

struct icmp_hdr {
	uint8_t type, code;
	uint16_t check;
	uint16_t id, seq;	/* queries; the "unused"/mtu word of errors */
};

#define ICMP_ECHOREPLY		0
#define ICMP_UNREACH		3
#define ICMP_SOURCEQUENCH	4
#define ICMP_REDIRECT		5
#define ICMP_ECHO		8
#define ICMP_TIMXCEED		11
#define ICMP_PARAMPROB		12
#define ICMP_TSTAMP		13
#define ICMP_TSTAMPREPLY	14
#define ICMP_IREQ		15
#define ICMP_IREQREPLY		16
#define ICMP_MASKREQ		17
#define ICMP_MASKREPLY		18

#define ICMP_UNREACH_NET		0
#define ICMP_UNREACH_HOST		1
#define ICMP_UNREACH_PROTOCOL		2
#define ICMP_UNREACH_PORT		3
#define ICMP_UNREACH_NEEDFRAG		4
#define ICMP_UNREACH_FILTER_PROHIB	13

_Static_assert(sizeof(struct tcp_hdr) == 20, "tcp_hdr layout");
_Static_assert(sizeof(struct udp_hdr) == 8, "udp_hdr layout");
_Static_assert(sizeof(struct icmp_hdr) == 8, "icmp_hdr layout");
_Static_assert(sizeof(struct sctp_hdr) == 12, "sctp_hdr layout");

/*
 * The structs above are not packed: they have no padding, and every
 * buffer the router parses keeps IP headers 4-byte aligned (frames are
 * read ROUTER_HEADROOM + vnet + Ethernet = 88 bytes into an aligned
 * buffer; IP options and quoted headers come in multiples of 4).
 */
struct pkt {
	uint8_t *buf;			/* the frame as read, vnet header first */
	size_t len;
	struct virtio_net_hdr *vh;	/* NULL when the link has none */
	uint8_t *eth;			/* Ethernet header */
	size_t eth_len;			/* Ethernet header + everything after */
	uint16_t ethertype;		/* host order */

	/* IPv4 (frame_parse_ip) */
	struct ip4_hdr *ip;
	unsigned int ihl;		/* header bytes */
	unsigned int ip_len;		/* total length (<= what the frame holds) */
	bool is_frag;			/* MF set or offset != 0 */
	uint8_t proto;

	/* transport, for the first fragment or a whole datagram */
	uint8_t *l4;
	unsigned int l4_len;		/* ip_len - ihl */
	bool l4_ok;			/* the header below is present */
	uint16_t sport, dport;		/* network order; ICMP query: id, 0 */
	uint8_t tcp_flags;
	int icmp_type, icmp_code;	/* -1 when not ICMP */
};

/**
 * frame_parse() - the link layer: vnet header and Ethernet.
 * @vnet: the link carries a virtio-net header
 * Return: -1 when the frame is fine so far, else the drop reason.
 */
int frame_parse(struct pkt *p, uint8_t *buf, size_t len, bool vnet);

/**
 * frame_parse_ip() - IPv4 header and the transport header behind it.
 * Checks version, IHL, total length against the frame, the header
 * checksum, and for the first fragment or whole datagram the transport
 * header (TCP data offset, UDP length, ICMP length).
 * Return: -1 when fine, else the drop reason.
 */
int frame_parse_ip(struct pkt *p, uint8_t *ip, size_t avail);

/* ICMP types that carry an error about another datagram. */
static inline bool
icmp_is_error(int type)
{
	return type == ICMP_UNREACH || type == ICMP_TIMXCEED ||
	    type == ICMP_PARAMPROB || type == ICMP_SOURCEQUENCH ||
	    type == ICMP_REDIRECT;
}

/* ICMP query types that conntrack follows by id (requests and replies). */
static inline bool
icmp_is_query(int type)
{
	return type == ICMP_ECHO || type == ICMP_ECHOREPLY ||
	    type == ICMP_TSTAMP || type == ICMP_TSTAMPREPLY ||
	    type == ICMP_IREQ || type == ICMP_IREQREPLY ||
	    type == ICMP_MASKREQ || type == ICMP_MASKREPLY;
}

static inline bool
icmp_is_request(int type)
{
	return type == ICMP_ECHO || type == ICMP_TSTAMP || type == ICMP_IREQ ||
	    type == ICMP_MASKREQ;
}

#endif
