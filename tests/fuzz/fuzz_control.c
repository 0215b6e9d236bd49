/* SPDX-License-Identifier: ISC */
/*
 * Fuzzer for the control protocol: arbitrary bytes as what one client
 * sends, answered by control_handle_line() against a router with live
 * connections, neighbours and rules. Every answer must be JSON lines,
 * each an object with "ok".
 */
#include "config.h"

#include <stdint.h>

#include <jansson.h>

#include "control.h"
#include "csum.h"
#include "fuzz_router.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t
fz_udp(uint8_t *f, uint8_t smac_last, const char *src, uint16_t sport,
    const char *dst, uint16_t dport, const uint8_t *dmac)
{
	static const uint16_t et = 0x0008;	/* ETHERTYPE_IPV4, big-endian */
	struct ip4_hdr *ip = (struct ip4_hdr *)(f + 10 + 14);
	uint8_t *u = (uint8_t *)(ip + 1);
	uint16_t v;

	memset(f, 0, 10 + 14 + 20 + 12);
	memcpy(f + 10, dmac, 6);
	f[16] = 2;
	f[21] = smac_last;
	memcpy(f + 22, &et, 2);
	ip->ver_ihl = 0x45;
	ip->tot_len = htons(20 + 12);
	ip->ttl = 64;
	ip->proto = IPPROTO_UDP;
	inet_pton(AF_INET, src, &ip->saddr);
	inet_pton(AF_INET, dst, &ip->daddr);
	ip->check = csum_ip(ip, 20);
	v = htons(sport);
	memcpy(u, &v, 2);
	v = htons(dport);
	memcpy(u + 2, &v, 2);
	v = htons(12);
	memcpy(u + 4, &v, 2);
	memcpy(u + 8, "ping", 4);	/* checksum 0: none, allowed */
	return 10 + 14 + 20 + 12;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	uint8_t f[128];
	char src[32];
	int i;

	fz_router_setup();
	/* Connections of each kind for the listings to show. */
	for (i = 0; i < 8; i++) {
		snprintf(src, sizeof(src), "192.168.1.%d", 10 + i);
		fz_input(FZ_LAN, f, fz_udp(f, 10, src, 40000 + i, "2.2.2.2",
		    53, fz_r.conf->ifaces[FZ_LAN].mac));
	}
	fz_input(FZ_WAN, f, fz_udp(f, 0xfe, "2.2.2.2", 7000, "1.1.1.1", 5003,
	    fz_r.conf->ifaces[FZ_WAN].mac));
	fz_drain();
	if (ct_count(fz_r.ct) == 0) {
		fprintf(stderr, "fuzz_control: no connections to list\n");
		abort();
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t err;
	char *reply, *line, *nl;
	json_t *j;

	if (control_handle_line(&fz_r, (const char *)data, size,
	    &reply) == -1)
		abort();
	for (line = reply; *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL) {
			fprintf(stderr, "fuzz_control: reply without newline: "
			    "%.200s\n", line);
			abort();
		}
		*nl = '\0';
		j = json_loads(line, JSON_REJECT_DUPLICATES, &err);
		if (j == NULL || !json_is_object(j) ||
		    !json_is_boolean(json_object_get(j, "ok"))) {
			fprintf(stderr, "fuzz_control: bad reply line: %s "
			    "(%s)\n", line, err.text);
			abort();
		}
		json_decref(j);
	}
	free(reply);
	fz_timers();
	fz_drain();
	return 0;
}
