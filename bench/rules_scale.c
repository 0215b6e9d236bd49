/* SPDX-License-Identifier: ISC */
/*
 * What a big RouterOS rule set costs the packet path: the whole router
 * (router_input, the real parser, conntrack, NAT, rules) with socketpairs
 * for TAPs, fed the same UDP frames under three configurations:
 *
 *   seed      the seed NAT rules, no filter
 *   defconf   + the RouterOS v7 default firewall (interface lists,
 *             fasttrack, ipsec-policy ...)
 *   big       + 1,000 more filter rules, a raw prerouting rule against an
 *             address list of 100,000 entries (prefixes and /32s), and a
 *             dynamic list of 50,000 addresses matched in forward
 *
 * and prints nanoseconds per frame for established traffic (the flows
 * exist) and for new connections (each frame opens one, walking every
 * rule), with the ratio to `seed`. CPU time of this process only: the
 * kernel's socket work for the TAP stand-ins is the same in each run.
 *
 *   make bench/rules_scale && build/bench/rules_scale [FRAMES]
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "addrlist.h"
#include "arp.h"
#include "conf.h"
#include "ct.h"
#include "frag.h"
#include "frame.h"
#include "log.h"
#include "names.h"
#include "natport.h"
#include "route.h"
#include "router.h"
#include "xmalloc.h"

#define NFLOWS 4096

static struct router R;
static int peer[2];
static uint8_t buf[ROUTER_HEADROOM + 2048] __attribute__((aligned(64)));
static uint8_t rx[4096];

static const uint8_t mac_gw[6] = { 2, 0xee, 0, 0, 0, 0xfe };
static const uint8_t mac_host[6] = { 2, 0xee, 0, 0, 1, 10 };

static void
die(const char *what)
{
	fprintf(stderr, "rules_scale: %s: %s\n", what, strerror(errno));
	exit(1);
}

static char *
sappend(char *s, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static char *
sappend(char *s, size_t *len, const char *fmt, ...)
{
	va_list ap;
	char *t;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&t, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("vasprintf");
	s = xreallocarray(s, *len + (size_t)n + 1, 1);
	memcpy(s + *len, t, (size_t)n + 1);
	*len += (size_t)n;
	free(t);
	return s;
}

/* The YAML of one configuration, with `routeros:` holding the export. */
static char *
config_text(const char *which)
{
	size_t len = 0;
	char *s = NULL;
	int i;

	s = sappend(s, &len, "interfaces:\n"
	    "  - { name: ether1, tap: rs-wan, addresses: [1.1.1.1/24] }\n"
	    "  - { name: bridge, tap: rs-lan, addresses: [192.168.1.1/24] }\n"
	    "conntrack: { max: 65536 }\n"
	    "log: { level: error }\n"
	    "routeros: |\n"
	    "  /ip route\n  add gateway=1.1.1.254\n"
	    "  /interface list\n  add name=WAN\n  add name=LAN\n"
	    "  /interface list member\n"
	    "  add interface=ether1 list=WAN\n  add interface=bridge list=LAN\n"
	    "  /ip firewall nat\n"
	    "  add chain=dstnat dst-address=1.1.1.1 protocol=tcp dst-port=80 "
	    "action=dst-nat to-addresses=192.168.1.2\n"
	    "  add chain=srcnat out-interface-list=WAN action=masquerade\n");
	if (strcmp(which, "seed") == 0)
		return s;
	s = sappend(s, &len, "  /ip firewall filter\n"
	    "  add action=accept chain=input connection-state="
	    "established,related,untracked\n"
	    "  add action=drop chain=input connection-state=invalid\n"
	    "  add action=accept chain=input protocol=icmp\n"
	    "  add action=drop chain=input in-interface-list=!LAN\n"
	    "  add action=accept chain=forward ipsec-policy=in,ipsec\n"
	    "  add action=accept chain=forward ipsec-policy=out,ipsec\n");
	if (strcmp(which, "big") == 0) {
		/* new connections walk these before the defconf tail */
		for (i = 0; i < 1000; i++)
			s = sappend(s, &len, "  add action=drop chain=forward "
			    "protocol=tcp dst-port=%d src-address=10.%d.%d.0/24 "
			    "comment=\"rule %d\"\n", 1000 + i, i / 256, i % 256,
			    i);
		s = sappend(s, &len, "  add action=drop chain=forward "
		    "src-address-list=dyn-blocked\n");
	}
	s = sappend(s, &len,
	    "  add action=fasttrack-connection chain=forward "
	    "connection-state=established,related hw-offload=yes\n"
	    "  add action=accept chain=forward connection-state="
	    "established,related,untracked\n"
	    "  add action=drop chain=forward connection-state=invalid\n"
	    "  add action=drop chain=forward connection-nat-state=!dstnat "
	    "connection-state=new in-interface-list=WAN\n");
	if (strcmp(which, "big") == 0) {
		s = sappend(s, &len, "  /ip firewall raw\n"
		    "  add action=drop chain=prerouting "
		    "src-address-list=blacklist\n"
		    "  /ip firewall address-list\n");
		/* 100,000 entries: /24s of 20.0.0.0/8 and /32s of 30/8 */
		for (i = 0; i < 50000; i++)
			s = sappend(s, &len, "  add list=blacklist "
			    "address=20.%d.%d.0/24\n", i / 256 % 256, i % 256);
		for (i = 0; i < 50000; i++)
			s = sappend(s, &len, "  add list=blacklist "
			    "address=30.%d.%d.%d\n", i / 65536, i / 256 % 256,
			    i % 256);
	}
	return s;
}

static void
input(int ifi, const uint8_t *frame, size_t len)
{
	memcpy(buf + ROUTER_HEADROOM, frame, len);
	router_input(&R, ifi, buf + ROUTER_HEADROOM, len);
}

static void
drain(void)
{
	int i;

	for (i = 0; i < 2; i++)
		while (recv(peer[i], rx, sizeof(rx), MSG_DONTWAIT) > 0)
			;
}

static void
learn(int ifi, const char *addr, const uint8_t *mac)
{
	uint8_t f[10 + 42];
	uint8_t *e = f + 10;
	uint32_t spa, tpa = R.conf->ifaces[ifi].addrs[0].addr;
	uint16_t v = htons(ETHERTYPE_ARP);

	inet_pton(AF_INET, addr, &spa);
	memset(f, 0, sizeof(f));
	memset(e, 0xff, 6);
	memcpy(e + 6, mac, 6);
	memcpy(e + 12, &v, 2);
	e[15] = 1; e[16] = 8; e[18] = 6; e[19] = 4; e[21] = 1;
	memcpy(e + 22, mac, 6);
	memcpy(e + 28, &spa, 4);
	memcpy(e + 38, &tpa, 4);
	input(ifi, f, sizeof(f));
}

/* A UDP frame (vnet header first) from the LAN host to 2.2.2.2. */
static size_t
udp_frame(uint8_t *f, uint16_t sport)
{
	uint8_t *e = f + 10, *ip = e + 14, *u = ip + 20;
	uint16_t et = htons(ETHERTYPE_IPV4), v;
	uint32_t s = inet_addr("192.168.1.10"), d = inet_addr("2.2.2.2");
	uint32_t sum = 0;
	int i;

	memset(f, 0, 10 + 14 + 20 + 8 + 18);
	memcpy(e, R.conf->ifaces[1].mac, 6);
	memcpy(e + 6, mac_host, 6);
	memcpy(e + 12, &et, 2);
	ip[0] = 0x45;
	v = htons(20 + 8 + 18);
	memcpy(ip + 2, &v, 2);
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	memcpy(ip + 12, &s, 4);
	memcpy(ip + 16, &d, 4);
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	v = htons((uint16_t)~sum);
	memcpy(ip + 10, &v, 2);
	v = htons(sport);
	memcpy(u, &v, 2);
	v = htons(53);
	memcpy(u + 2, &v, 2);
	v = htons(8 + 18);
	memcpy(u + 4, &v, 2);
	/* checksum 0: none, valid for UDP over IPv4 */
	return 10 + 14 + 20 + 8 + 18;
}

static double
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void
setup(const char *which)
{
	struct conf_errors errs;
	struct config *conf;
	char *text = config_text(which);
	int i, sp[2];

	conf = conf_load_buf(which, text, strlen(text), &errs);
	free(text);
	if (conf == NULL) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msgs[i]);
		exit(1);
	}
	conf_errors_free(&errs);
	memset(&R, 0, sizeof(R));
	router = &R;
	R.base = event_base_new();
	R.nifaces = conf->nifaces;
	for (i = 0; i < conf->nifaces; i++) {
		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sp) == -1)
			die("socketpair");
		R.ifaces[i].idx = i;
		R.ifaces[i].conf = &conf->ifaces[i];
		R.ifaces[i].fd = sp[0];
		R.ifaces[i].vnet = true;
		peer[i] = sp[1];
	}
	router_init(&R, conf);
	learn(0, "1.1.1.254", mac_gw);
	learn(1, "192.168.1.10", mac_host);
	drain();
	if (strcmp(which, "big") == 0) {
		uint16_t id = names_intern(NAMES_ADDRLIST, "dyn-blocked");

		for (i = 0; i < 50000; i++)
			addrlist_add(id, htonl(0x28000000u + (uint32_t)i), 0,
			    false, router_now_ms());
	}
}

static void
teardown(void)
{
	int i;

	for (i = 0; i < R.nifaces; i++) {
		close(R.ifaces[i].fd);
		close(peer[i]);
	}
	arp_destroy(R.arp);
	frag_destroy(R.frag);
	natport_destroy(R.np);
	ct_destroy(R.ct);
	route_free(R.routes);
	event_base_free(R.base);
	conf_free(R.conf);
	addrlist_use(NULL, 0);
	addrlist_flush();
}

/* ns per frame: established (flows exist), then new connections. */
static void
measure(const char *which, long frames, double *est, double *fresh)
{
	static uint8_t f[NFLOWS][128];
	size_t len[NFLOWS];
	double t0;
	long i;
	int k;

	setup(which);
	for (k = 0; k < NFLOWS; k++)
		len[k] = udp_frame(f[k], (uint16_t)(20000 + k));
	for (k = 0; k < NFLOWS; k++)	/* open every flow */
		input(1, f[k], len[k]);
	drain();
	t0 = cpu_ns();
	for (i = 0; i < frames; i++) {
		input(1, f[i % NFLOWS], len[i % NFLOWS]);
		if ((i & 63) == 63)
			drain();
	}
	*est = (cpu_ns() - t0) / (double)frames;
	drain();
	/* new connections: a fresh source port each, the table wide enough */
	ct_flush(R.ct);
	t0 = cpu_ns();
	for (i = 0; i < frames / 8; i++) {
		uint8_t g[128];
		size_t l = udp_frame(g, (uint16_t)(1024 + i % 60000));

		input(1, g, l);
		if ((i & 63) == 63)
			drain();
		if (i % 60000 == 59999)
			ct_flush(R.ct);
	}
	*fresh = (cpu_ns() - t0) / (double)(frames / 8);
	drain();
	teardown();
}

int
main(int argc, char **argv)
{
	static const char *const which[] = { "seed", "defconf", "big" };
	double est[3], fresh[3];
	long frames = argc > 1 ? atol(argv[1]) : 2000000;
	int i;

	log_init("rules_scale", LOG_TARGET_STDERR, LOG_LEVEL_ERR);
	if (frames < 1000)
		frames = 1000;
	for (i = 0; i < 3; i++)
		measure(which[i], frames, &est[i], &fresh[i]);
	printf("%-8s %14s %8s %14s %8s\n", "config", "established",
	    "ratio", "new conns", "ratio");
	for (i = 0; i < 3; i++)
		printf("%-8s %11.0f ns %7.2fx %11.0f ns %7.2fx\n", which[i],
		    est[i], est[i] / est[0], fresh[i], fresh[i] / fresh[0]);
	printf("(CPU ns per UDP frame through router_input, %ld frames over "
	    "%d flows; big: 1,000 more filter rules, raw drop by a "
	    "100,000-entry address list, 50,000 dynamic entries)\n", frames,
	    NFLOWS);
	return 0;
}
