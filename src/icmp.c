/* SPDX-License-Identifier: ISC */
/* ICMP errors, echo replies and host-style TCP resets made by the router. */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "csum.h"
#include "frame.h"
#include "icmp.h"
#include "router.h"

#define ICMP_QUOTE_MAX	(576 - 20 - 8)

static struct icmp_stats stats;
static uint8_t txbuf[ROUTER_HEADROOM + 65536];
static uint64_t tb_last_ms;
static uint32_t tb_tokens = ICMP_RATE_BURST;

const struct icmp_stats *
icmp_stats(void)
{
	return &stats;
}

static bool
icmp_rate_ok(void)
{
	uint64_t now = router_now_ms();
	uint64_t add = (now - tb_last_ms) * ICMP_RATE_PER_SEC / 1000;

	if (add > 0) {
		tb_tokens = tb_tokens + add > ICMP_RATE_BURST ?
		    ICMP_RATE_BURST : tb_tokens + (uint32_t)add;
		tb_last_ms = now;
	}
	if (tb_tokens == 0) {
		stats.rate_limited++;
		return false;
	}
	tb_tokens--;
	return true;
}

static bool
addr_special(uint32_t a)
{
	uint32_t h = ntohl(a);

	return h == 0 || h == 0xffffffff || (h >> 28) == 0xe ||
	    (h >> 24) == 127;
}

static void
ip_fill(struct ip4_hdr *ip, uint32_t src, uint32_t dst, uint8_t proto,
    size_t len)
{
	static uint16_t ipid;

	memset(ip, 0, sizeof(*ip));
	ip->ver_ihl = 0x45;
	ip->tot_len = htons((uint16_t)len);
	ip->id = htons(ipid++);
	ip->ttl = 64;
	ip->proto = proto;
	ip->saddr = src;
	ip->daddr = dst;
	ip->check = csum_ip(ip, sizeof(*ip));
}

void
icmp_error(struct router *r, int in_if, const struct pkt *p, int type,
    int code, uint16_t mtu, uint32_t src)
{
	uint8_t *out = txbuf + ROUTER_HEADROOM;
	struct ip4_hdr *ip = (struct ip4_hdr *)out;
	struct icmp_hdr *ih = (struct icmp_hdr *)(out + sizeof(*ip));
	size_t quote, len;

	if (p->ip == NULL)
		return;
	if ((ntohs(p->ip->frag_off) & IP4_OFFMASK) != 0)
		return;
	if (p->proto == IPPROTO_ICMP && p->l4_len >= 1 &&
	    !icmp_is_query(p->l4[0]))
		return;			/* never an error about an error */
	if (addr_special(p->ip->saddr) || addr_special(p->ip->daddr))
		return;
	if (!icmp_rate_ok())
		return;
	if (src == 0)
		src = r->ifaces[in_if].conf->addrs[0].addr;
	quote = p->ip_len < ICMP_QUOTE_MAX ? p->ip_len : ICMP_QUOTE_MAX;
	len = sizeof(*ip) + sizeof(*ih) + quote;
	memset(ih, 0, sizeof(*ih));
	ih->type = (uint8_t)type;
	ih->code = (uint8_t)code;
	if (type == ICMP_UNREACH && code == ICMP_UNREACH_NEEDFRAG)
		ih->seq = htons(mtu);	/* RFC 1191: next-hop MTU */
	memcpy(out + sizeof(*ip) + sizeof(*ih), p->ip, quote);
	ih->check = csum_fold(csum_partial(ih, sizeof(*ih) + quote, 0));
	ip_fill(ip, src, p->ip->saddr, IPPROTO_ICMP, len);
	stats.errors_sent++;
	router_output(r, out, len);
}

void
icmp_echo_reply(struct router *r, int in_if, const struct pkt *p)
{
	uint8_t *out = txbuf + ROUTER_HEADROOM;
	struct ip4_hdr *ip = (struct ip4_hdr *)out;
	struct icmp_hdr *ih = (struct icmp_hdr *)(out + sizeof(*ip));
	size_t icmplen = p->l4_len, len = sizeof(*ip) + icmplen;

	if (addr_special(p->ip->saddr))
		return;
	/* the request's checksum covers the whole message */
	if (csum_fold(csum_partial(p->l4, icmplen, 0)) != 0) {
		r->ifaces[in_if].st.drops[DROP_BAD_ICMP]++;
		return;
	}
	memcpy(ih, p->l4, icmplen);
	ih->type = ICMP_ECHOREPLY;
	ih->code = 0;
	ih->check = 0;
	ih->check = csum_fold(csum_partial(ih, icmplen, 0));
	ip_fill(ip, p->ip->daddr, p->ip->saddr, IPPROTO_ICMP, len);
	stats.echo_replies++;
	router_output(r, out, len);
}

void
icmp_tcp_reset(struct router *r, int in_if, const struct pkt *p)
{
	const struct tcp_hdr *in = (const struct tcp_hdr *)p->l4;
	uint8_t *out = txbuf + ROUTER_HEADROOM;
	struct ip4_hdr *ip = (struct ip4_hdr *)out;
	struct tcp_hdr *th = (struct tcp_hdr *)(out + sizeof(*ip));
	uint32_t seglen;

	if (in->flags & TH_RST)
		return;			/* RFC 793: never answer a reset */
	if (addr_special(p->ip->saddr))
		return;
	memset(th, 0, sizeof(*th));
	th->sport = in->dport;
	th->dport = in->sport;
	th->off = (sizeof(*th) / 4) << 4;
	if (in->flags & TH_ACK) {
		th->seq = in->ack;
		th->flags = TH_RST;
	} else {
		seglen = p->l4_len - (in->off >> 4) * 4;
		if (in->flags & TH_SYN)
			seglen++;
		if (in->flags & TH_FIN)
			seglen++;
		th->ack = htonl(ntohl(in->seq) + seglen);
		th->flags = TH_RST | TH_ACK;
	}
	th->check = csum_l4(p->ip->daddr, p->ip->saddr, IPPROTO_TCP, th,
	    sizeof(*th));
	ip_fill(ip, p->ip->daddr, p->ip->saddr, IPPROTO_TCP,
	    sizeof(*ip) + sizeof(*th));
	stats.resets_sent++;
	router_output(r, out, sizeof(*ip) + sizeof(*th));
}

void
icmp_tcp_tarpit(struct router *r, int in_if, const struct pkt *p)
{
	const struct tcp_hdr *in = (const struct tcp_hdr *)p->l4;
	uint8_t *out = txbuf + ROUTER_HEADROOM;
	struct ip4_hdr *ip = (struct ip4_hdr *)out;
	struct tcp_hdr *th = (struct tcp_hdr *)(out + sizeof(*ip));

	(void)in_if;
	if (addr_special(p->ip->saddr))
		return;
	memset(th, 0, sizeof(*th));
	th->sport = in->dport;
	th->dport = in->sport;
	th->off = (sizeof(*th) / 4) << 4;
	/* any sequence number: nothing here will ever send data */
	th->seq = htonl(ntohl(in->seq) * 2654435761u);
	th->ack = htonl(ntohl(in->seq) + 1);
	th->flags = TH_SYN | TH_ACK;
	th->win = 0;		/* the peer may not send: it must wait */
	th->check = csum_l4(p->ip->daddr, p->ip->saddr, IPPROTO_TCP, th,
	    sizeof(*th));
	ip_fill(ip, p->ip->daddr, p->ip->saddr, IPPROTO_TCP,
	    sizeof(*ip) + sizeof(*th));
	router_output(r, out, sizeof(*ip) + sizeof(*th));
}
