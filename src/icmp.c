/* SPDX-License-Identifier: ISC */
/* ICMP errors, echo replies and host-style TCP resets made by the router. */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "csum.h"
#include "frame.h"
#include "icmp.h"
#include "icmp_rl.h"
#include "log.h"
#include "router.h"

#define ICMP_QUOTE_MAX	(576 - 20 - 8)

static struct icmp_stats stats;
static uint8_t txbuf[ROUTER_HEADROOM + 65536];
static struct icmp_rl *rl;
static struct icmp_rl_limits rl_lim;
static uint64_t lim_before, lim_dst_before;	/* of limiters replaced */

const struct icmp_stats *
icmp_stats(void)
{
	stats.rate_limited = lim_before;
	stats.rate_limited_dst = lim_dst_before;
	if (rl != NULL) {
		stats.rate_limited_dst += icmp_rl_limited_dst(rl);
		stats.rate_limited += icmp_rl_limited_dst(rl) +
		    icmp_rl_limited_global(rl);
	}
	return &stats;
}

void
icmp_configure(const struct conf_icmp *c)
{
	struct icmp_rl_limits lim = {
		.rate = c->rate, .burst = c->burst,
		.dst_rate = c->dst_rate, .dst_burst = c->dst_burst,
		.destinations = c->destinations,
	};
	struct icmp_rl *n;

	if (rl != NULL && memcmp(&lim, &rl_lim, sizeof(lim)) == 0)
		return;
	/* a reload with new limits starts with full buckets */
	if ((n = icmp_rl_create(&lim)) == NULL) {
		log_warn("icmp: rate limit buckets");
		return;
	}
	if (rl != NULL) {
		/* the counters go on */
		lim_before += icmp_rl_limited_dst(rl) +
		    icmp_rl_limited_global(rl);
		lim_dst_before += icmp_rl_limited_dst(rl);
		icmp_rl_free(rl);
	}
	rl = n;
	rl_lim = lim;
}

static bool
icmp_rate_ok(struct router *r, uint32_t dst)
{
	if (rl == NULL)
		icmp_configure(&r->conf->icmp);
	if (rl == NULL)
		return false;
	return icmp_rl_allow(rl, dst, router_now_ms());
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
	if (!icmp_rate_ok(r, p->ip->saddr))
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

void
icmp_echo_request(struct router *r, uint32_t src, uint32_t dst, uint16_t id,
    uint16_t seq)
{
	uint8_t *out = txbuf + ROUTER_HEADROOM;
	struct ip4_hdr *ip = (struct ip4_hdr *)out;
	struct icmp_hdr *ih = (struct icmp_hdr *)(out + sizeof(*ip));
	size_t len = sizeof(*ip) + sizeof(*ih) + 8;

	memset(ih, 0, sizeof(*ih) + 8);
	ih->type = ICMP_ECHO;
	ih->id = htons(id);
	ih->seq = htons(seq);
	memcpy(out + sizeof(*ip) + sizeof(*ih), "hpgwchk!", 8);
	ih->check = csum_fold(csum_partial(ih, sizeof(*ih) + 8, 0));
	ip_fill(ip, src, dst, IPPROTO_ICMP, len);
	router_output(r, out, len);
}
