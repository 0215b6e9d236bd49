/* SPDX-License-Identifier: ISC */
/* Internet checksum over a buffer, 64 bits at a time. */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "csum.h"

uint32_t
csum_partial(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t acc = sum;
	uint32_t w32;
	uint16_t w16;

	/*
	 * Sum 32-bit words into a 64-bit accumulator: the carries collect in
	 * the upper half and are folded once at the end (RFC 1071 "deferred
	 * carries").
	 */
	while (len >= 32) {
		uint32_t w[8];

		memcpy(w, p, 32);
		acc += (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4] + w[5] +
		    w[6] + w[7];
		p += 32;
		len -= 32;
	}
	while (len >= 4) {
		memcpy(&w32, p, 4);
		acc += w32;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&w16, p, 2);
		acc += w16;
		p += 2;
		len -= 2;
	}
	if (len == 1) {
		uint8_t last[2] = { p[0], 0 };

		memcpy(&w16, last, 2);
		acc += w16;
	}
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	/* fold 32 -> still 32 bits, callers fold to 16 */
	w32 = (uint32_t)acc;
	return (w32 & 0xffff) + (w32 >> 16);
}

uint32_t
csum_pseudo(uint32_t saddr, uint32_t daddr, uint8_t proto, uint16_t len)
{
	uint32_t sum = 0;

	sum += (saddr >> 16) + (saddr & 0xffff);
	sum += (daddr >> 16) + (daddr & 0xffff);
	sum += htons(proto);
	sum += htons(len);
	return sum;
}

/* The reflected CRC32c table, made on first use (no allocation). */
static uint32_t crc32c_table[256];
static int crc32c_ready;

static void
crc32c_init(void)
{
	uint32_t c;
	int i, k;

	for (i = 0; i < 256; i++) {
		c = (uint32_t)i;
		for (k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		crc32c_table[i] = c;
	}
	crc32c_ready = 1;
}

uint32_t
csum_crc32c(const void *buf, size_t len)
{
	const uint8_t *b = buf;
	uint32_t c = 0xffffffffu;
	uint8_t out[4];
	uint32_t v;

	if (!crc32c_ready)
		crc32c_init();
	while (len-- > 0)
		c = crc32c_table[(c ^ *b++) & 0xff] ^ (c >> 8);
	c = ~c;
	/* RFC 9260: the CRC goes on the wire least significant byte first */
	out[0] = (uint8_t)c;
	out[1] = (uint8_t)(c >> 8);
	out[2] = (uint8_t)(c >> 16);
	out[3] = (uint8_t)(c >> 24);
	memcpy(&v, out, 4);
	return v;
}
