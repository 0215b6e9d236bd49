/* SPDX-License-Identifier: ISC */
/*
 * Test harness for the whole frame path without a kernel: each link is a
 * socketpair standing in for a TAP; frames go in with router_input() and
 * what the router sends is read off the other end.
 */
#ifndef HAIRPIND_TEST_ROUTER_HARNESS_H
#define HAIRPIND_TEST_ROUTER_HARNESS_H

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "arp.h"
#include "conf.h"
#include "ct.h"
#include "frag.h"
#include "natport.h"
#include "pkt_build.h"
#include "route.h"
#include "router.h"

#define WAN 0
#define LAN 1

static const char seed_yaml[] __attribute__((unused)) =
    "interfaces:\n"
    "  - { name: wan, tap: t-wan, addresses: [1.1.1.1/24], mac: 02:00:00:00:01:01 }\n"
    "  - { name: lan, tap: t-lan, addresses: [192.168.1.1/24], mac: 02:00:00:00:02:01, mtu: 1400 }\n"
    "routes:\n"
    "  - { dst: 0.0.0.0/0, gateway: 1.1.1.254 }\n"
    "nat:\n"
    "  - chain=dstnat dst-address=1.1.1.1 protocol=tcp dst-port=80 action=dst-nat to-addresses=192.168.1.2\n"
    "  - chain=dstnat dst-address=1.1.1.1 protocol=udp dst-port=5000-5010 action=dst-nat to-addresses=192.168.1.3 to-ports=6000-6010\n"
    "  - chain=srcnat out-interface=wan action=masquerade\n"
    "  - chain=srcnat src-address=192.168.1.0/24 dst-address=192.168.1.2 protocol=tcp dst-port=80 out-interface=lan action=masquerade\n";

static const uint8_t wan_mac[6] __attribute__((unused)) = { 2, 0, 0, 0, 1, 1 };
static const uint8_t lan_mac[6] __attribute__((unused)) = { 2, 0, 0, 0, 2, 1 };
static const uint8_t isp_mac[6] __attribute__((unused)) = { 2, 0xee, 0, 0, 0, 0xfe };
static const uint8_t srv_mac[6] __attribute__((unused)) = { 2, 0xee, 0, 0, 1, 2 };
static const uint8_t cli_mac[6] __attribute__((unused)) = { 2, 0xee, 0, 0, 1, 10 };

static struct router R;
static int peer[2];		/* our end of each link */
static uint8_t buf[ROUTER_HEADROOM + 70000] __attribute__((aligned(64)));
static uint8_t *in = buf + ROUTER_HEADROOM;
static uint8_t out[70000] __attribute__((aligned(64)));

/* Free the router the harness built, if any. */
static inline void
teardown(void)
{
	int i;

	if (R.conf == NULL)
		return;
	for (i = 0; i < R.nifaces; i++) {
		close(R.ifaces[i].fd);
		close(peer[i]);
	}
	ct_flush(R.ct);
	ct_destroy(R.ct);
	natport_destroy(R.np);
	frag_destroy(R.frag);
	arp_destroy(R.arp);
	route_free(R.routes);
	conf_free(R.conf);
	memset(&R, 0, sizeof(R));
}

static inline void
router_setup_yaml(const char *yaml)
{
	struct conf_errors errs;
	struct config *conf;
	int i, sp[2];

	conf = conf_load_buf("test.yaml", yaml, strlen(yaml), &errs);
	if (conf == NULL) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msgs[i]);
		ck_abort_msg("config did not load");
	}
	conf_errors_free(&errs);
	teardown();		/* a test may replace the fixture's router */
	router = &R;
	R.conf = conf;
	R.nifaces = conf->nifaces;
	for (i = 0; i < conf->nifaces; i++) {
		ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM, 0, sp), 0);
		fcntl(sp[1], F_SETFL, O_NONBLOCK);
		R.ifaces[i].idx = i;
		R.ifaces[i].conf = &conf->ifaces[i];
		R.ifaces[i].fd = sp[0];
		R.ifaces[i].vnet = true;
		peer[i] = sp[1];
	}
	router_init(&R, conf);
}

static inline void
setup(void)
{
	router_setup_yaml(seed_yaml);
}

/* Read one frame the router sent on link @ifi; 0 when none. */
static inline size_t
rd(int ifi)
{
	ssize_t n = recv(peer[ifi], out, sizeof(out), 0);

	return n < 0 ? 0 : (size_t)n;
}

static inline void
drain(int ifi)
{
	while (rd(ifi) > 0)
		;
}

static inline void
send_in(int ifi, size_t len)
{
	router_input(&R, ifi, in, len);
}

/* A neighbour's ARP request for the router's address on link @ifi, at @f. */
static inline size_t
arp_request(uint8_t *f, int ifi, const char *ip, const uint8_t *mac)
{
	uint32_t spa = A(ip), tpa = R.conf->ifaces[ifi].addrs[0].addr;
	uint16_t v = htons(ETHERTYPE_ARP);

	memset(f, 0, 10 + 42);
	memset(f + 10, 0xff, 6);
	memcpy(f + 16, mac, 6);
	memcpy(f + 22, &v, 2);
	f[25] = 1; f[26] = 8; f[28] = 6; f[29] = 4; f[31] = 1;
	memcpy(f + 32, mac, 6);
	memcpy(f + 38, &spa, 4);
	memcpy(f + 48, &tpa, 4);
	return 10 + 42;
}

/* A neighbour introduces itself: it asks the router for its address. */
static inline void
learn(int ifi, const char *ip, const uint8_t *mac)
{
	send_in(ifi, arp_request(in, ifi, ip, mac));
	ck_assert_uint_eq(rd(ifi), 10 + 42);	/* the ARP reply */
	ck_assert_uint_eq(out[10 + 21], 2);
	ck_assert_mem_eq(out + 10, mac, 6);
}

static inline struct ip4_hdr *
out_ip(void)
{
	return (struct ip4_hdr *)(out + 24);
}

static inline uint16_t
out_port(int which)
{
	uint16_t v;

	memcpy(&v, out + 24 + 20 + (which ? 2 : 0), 2);
	return ntohs(v);
}

static inline size_t
tcp_to(const uint8_t *mac, const char *src, uint16_t sp, const char *dst,
    uint16_t dp, uint8_t flags, uint32_t seq, uint32_t ack)
{
	uint8_t l4[20];

	return pkt_build(in, mac, A(src), A(dst), IPPROTO_TCP, 64, l4,
	    tcp_build(l4, sp, dp, seq, ack, flags));
}

#endif
