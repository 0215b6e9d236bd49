/* SPDX-License-Identifier: ISC */
/*
 * A whole router without a kernel for the fuzzers: the config below loaded
 * from a file (so `reload` works), socketpairs standing in for the TAPs,
 * and the neighbours already known, so that frames go all the way out.
 */
#ifndef HAIRPIND_FUZZ_ROUTER_H
#define HAIRPIND_FUZZ_ROUTER_H

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "arp.h"
#include "conf.h"
#include "ct.h"
#include "frag.h"
#include "frame.h"
#include "log.h"
#include "natport.h"
#include "route.h"
#include "router.h"

#define FZ_WAN	0
#define FZ_LAN	1
#define FZ_DMZ	2

/*
 * Every NAT action, a filter with every verdict, and small limits: a tiny
 * conntrack table (early drop), a 10-port src-nat range (exhaustion), one
 * reassembly budget, two packets per unresolved neighbour, and timeouts
 * of a second or two, so that expiry runs while the fuzzer does.
 */
static const char fz_yaml[] =
    "interfaces:\n"
    "  - { name: wan, tap: fz-wan, addresses: [1.1.1.1/24, 1.1.1.2], mac: 02:00:00:00:01:01 }\n"
    "  - { name: lan, tap: fz-lan, addresses: [192.168.1.1/24], mac: 02:00:00:00:02:01, mtu: 1400 }\n"
    "  - { name: dmz, tap: fz-dmz, addresses: [10.9.0.1/16], mac: 02:00:00:00:03:01, mtu: 576 }\n"
    "routes:\n"
    "  - { dst: 0.0.0.0/0, gateway: 1.1.1.254 }\n"
    "  - { dst: 172.16.0.0/12, interface: dmz }\n"
    "nat:\n"
    "  - chain=dstnat dst-address=1.1.1.1 protocol=tcp dst-port=80 action=dst-nat to-addresses=192.168.1.2\n"
    "  - chain=dstnat dst-address=1.1.1.1 protocol=udp dst-port=5000-5010 action=dst-nat to-addresses=192.168.1.3 to-ports=6000-6010\n"
    "  - chain=dstnat in-interface=lan protocol=udp dst-port=53 action=redirect to-ports=5353\n"
    "  - chain=dstnat dst-address=1.1.1.2 action=netmap to-addresses=10.9.0.0/16\n"
    "  - chain=dstnat protocol=tcp dst-port=2222 action=jump jump-target=pub\n"
    "  - chain=pub src-address=!2.2.2.0/24 action=return\n"
    "  - chain=pub action=dst-nat to-addresses=192.168.1.2-192.168.1.4 to-ports=22\n"
    "  - chain=srcnat src-address=192.168.1.0/24 dst-address=192.168.1.2 protocol=tcp dst-port=80 out-interface=lan action=masquerade\n"
    "  - chain=srcnat src-address=10.9.0.0/16 out-interface=wan action=src-nat to-addresses=1.1.1.2 to-ports=20000-20009\n"
    "  - chain=srcnat out-interface=wan protocol=udp action=endpoint-independent-nat\n"
    "  - chain=srcnat out-interface=wan action=masquerade\n"
    "  - chain=srcnat out-interface=dmz action=passthrough\n"
    "filter: |\n"
    "  /ip firewall filter\n"
    "  add chain=input action=accept connection-state=established,related\n"
    "  add chain=input action=drop connection-state=invalid\n"
    "  add chain=input action=accept protocol=icmp icmp-options=8:0\n"
    "  add chain=input action=reject reject-with=tcp-reset protocol=tcp dst-port=23\n"
    "  add chain=input action=reject reject-with=icmp-admin-prohibited protocol=udp dst-port=161\n"
    "  add chain=forward action=jump jump-target=fw in-interface=dmz\n"
    "  add chain=forward action=drop protocol=tcp dst-port=25\n"
    "  add chain=forward action=reject reject-with=icmp-host-unreachable protocol=udp dst-port=137\n"
    "  add chain=fw action=reject reject-with=icmp-net-unreachable dst-address=172.20.0.0/16\n"
    "  add chain=fw action=log log-prefix=FW\n"
    "  add chain=fw action=return\n"
    "conntrack:\n"
    "  max: 64\n"
    "  frag-max-bytes: 65536\n"
    "  frag-timeout: 1s\n"
    "  timeouts: { tcp-syn-sent: 2s, tcp-syn-received: 2s, tcp-established: 3s, tcp-fin-wait: 1s, tcp-close-wait: 1s, tcp-last-ack: 1s, tcp-time-wait: 1s, tcp-close: 1s, udp: 2s, udp-stream: 3s, icmp: 1s, generic: 2s }\n"
    "arp:\n"
    "  max: 16\n"
    "  queue-len: 2\n"
    "control:\n"
    "  socket: %s\n"
    "log: { level: error }\n";

static struct router fz_r;
static int fz_peer[3];			/* our end of each link */
static char fz_dir[64];			/* temp dir: config, socket */
static char fz_conf_path[96];
static char fz_sock_path[96];

static uint8_t fz_buf[ROUTER_HEADROOM + 70000] __attribute__((aligned(64)));
static uint8_t fz_rxbuf[70000];

/* The neighbours the seed topology has, learnt as a host would teach. */
static const struct {
	int ifi;
	const char *addr;
	uint8_t mac[6];
} fz_neigh[] = {
	{ FZ_WAN, "1.1.1.254", { 2, 0xee, 0, 0, 0, 0xfe } },
	{ FZ_LAN, "192.168.1.2", { 2, 0xee, 0, 0, 1, 2 } },
	{ FZ_LAN, "192.168.1.3", { 2, 0xee, 0, 0, 1, 3 } },
	{ FZ_LAN, "192.168.1.10", { 2, 0xee, 0, 0, 1, 10 } },
	{ FZ_DMZ, "10.9.0.5", { 2, 0xee, 0, 0, 3, 5 } },
};

static void
fz_die(const char *what)
{
	fprintf(stderr, "fuzz harness: %s: %s\n", what, strerror(errno));
	abort();
}

/* Read and discard everything the router sent on every link. */
static void
fz_drain(void)
{
	int i;

	for (i = 0; i < fz_r.nifaces; i++)
		while (recv(fz_peer[i], fz_rxbuf, sizeof(fz_rxbuf),
		    MSG_DONTWAIT) > 0)
			;
}

/*
 * One frame in: @frame, vnet header first, @len bytes. Every link has the
 * vnet header, as tap_open() always asks for it: the router reads the IP
 * header in place and relies on the 10-byte vnet header to align it.
 */
static void
fz_input(int ifi, const uint8_t *frame, size_t len)
{
	uint8_t *in = fz_buf + ROUTER_HEADROOM;

	if (len > sizeof(fz_buf) - ROUTER_HEADROOM)
		len = sizeof(fz_buf) - ROUTER_HEADROOM;
	memcpy(in, frame, len);
	router_input(&fz_r, ifi, in, len);
}

static void
fz_learn(int ifi, const char *addr, const uint8_t *mac)
{
	uint8_t f[10 + 42];
	uint8_t *e = f + 10;
	uint32_t spa, tpa = fz_r.conf->ifaces[ifi].addrs[0].addr;
	uint16_t v = htons(ETHERTYPE_ARP);

	inet_pton(AF_INET, addr, &spa);
	memset(f, 0, sizeof(f));
	memset(e, 0xff, 6);
	memcpy(e + 6, mac, 6);
	memcpy(e + 12, &v, 2);
	e[14] = 0; e[15] = 1; e[16] = 8; e[17] = 0; e[18] = 6; e[19] = 4;
	e[20] = 0; e[21] = 1;
	memcpy(e + 22, mac, 6);
	memcpy(e + 28, &spa, 4);
	memcpy(e + 38, &tpa, 4);
	fz_input(ifi, f, sizeof(f));
}

/* Timers as the loop runs them, on the real clock. */
static void
fz_timers(void)
{
	ct_expire(fz_r.ct, router_now(), 256);
	frag_expire(fz_r.frag, router_now());
	arp_timer(fz_r.arp, router_now_ms());
	router_tick(&fz_r);
}

static void
fz_cleanup(void)
{
	unlink(fz_sock_path);
	unlink(fz_conf_path);
	rmdir(fz_dir);
}

/* Build the router once per process. */
static void
fz_router_setup(void)
{
	struct conf_errors errs;
	struct config *conf;
	FILE *f;
	int i, sp[2];

	log_init("fuzz", LOG_TARGET_STDERR, LOG_LEVEL_ERR);
	strcpy(fz_dir, "/tmp/hairpind-fuzz.XXXXXX");
	if (mkdtemp(fz_dir) == NULL)
		fz_die("mkdtemp");
	snprintf(fz_conf_path, sizeof(fz_conf_path), "%s/fuzz.yaml", fz_dir);
	snprintf(fz_sock_path, sizeof(fz_sock_path), "%s/ctl.sock", fz_dir);
	atexit(fz_cleanup);
	if ((f = fopen(fz_conf_path, "w")) == NULL)
		fz_die(fz_conf_path);
	fprintf(f, fz_yaml, fz_sock_path);
	if (fclose(f) != 0)
		fz_die(fz_conf_path);
	conf = conf_load(fz_conf_path, &errs);
	if (conf == NULL) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msgs[i]);
		fprintf(stderr, "fuzz harness: the config does not load\n");
		abort();
	}
	conf_errors_free(&errs);

	memset(&fz_r, 0, sizeof(fz_r));
	router = &fz_r;
	fz_r.base = event_base_new();
	fz_r.conf = conf;
	fz_r.nifaces = conf->nifaces;
	fz_r.started = time(NULL);
	for (i = 0; i < conf->nifaces; i++) {
		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0,
		    sp) == -1)
			fz_die("socketpair");
		fz_r.ifaces[i].idx = i;
		fz_r.ifaces[i].conf = &conf->ifaces[i];
		fz_r.ifaces[i].fd = sp[0];
		fz_r.ifaces[i].vnet = true;
		fz_peer[i] = sp[1];
	}
	router_init(&fz_r, conf);
	for (i = 0; i < (int)(sizeof(fz_neigh) / sizeof(fz_neigh[0])); i++)
		fz_learn(fz_neigh[i].ifi, fz_neigh[i].addr, fz_neigh[i].mac);
	fz_drain();
}

#endif
