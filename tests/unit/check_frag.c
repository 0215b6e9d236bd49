/* SPDX-License-Identifier: ISC */
/* Unit tests for IPv4 reassembly and fragmentation. */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "frag.h"

#define MAXPKT		65536
#define MAXPIECES	512

static uint8_t dgram[MAXPKT];

/* A datagram of @plen payload bytes after a header with @opts. */
static size_t
mk_dgram(uint8_t *b, uint8_t proto, uint16_t id, const uint8_t *opts,
    size_t optlen, size_t plen)
{
	size_t hlen = 20 + optlen, i;
	uint16_t v;
	uint32_t a;

	ck_assert_uint_eq(optlen % 4, 0);
	memset(b, 0, hlen);
	b[0] = (uint8_t)(0x40 | hlen / 4);
	v = htons((uint16_t)(hlen + plen));
	memcpy(b + 2, &v, 2);
	v = htons(id);
	memcpy(b + 4, &v, 2);
	b[8] = 64;
	b[9] = proto;
	a = htonl(0x0a000001);
	memcpy(b + 12, &a, 4);
	a = htonl(0xc0a80102);
	memcpy(b + 16, &a, 4);
	if (optlen)
		memcpy(b + 20, opts, optlen);
	for (i = 0; i < plen; i++)
		b[hlen + i] = (uint8_t)(i * 7 + (i >> 8) + id);
	if (proto == IPPROTO_UDP && plen >= 8) {
		uint8_t *u = b + hlen;
		uint32_t s, d;
		uint16_t sum;

		v = htons(4000);
		memcpy(u, &v, 2);
		v = htons(5000);
		memcpy(u + 2, &v, 2);
		v = htons((uint16_t)plen);
		memcpy(u + 4, &v, 2);
		memset(u + 6, 0, 2);
		memcpy(&s, b + 12, 4);
		memcpy(&d, b + 16, 4);
		sum = csum_l4(s, d, IPPROTO_UDP, u, (uint16_t)plen);
		memcpy(u + 6, &sum, 2);
	}
	v = csum_ip(b, hlen);
	memcpy(b + 10, &v, 2);
	return hlen + plen;
}

/* A fragment of @dg: payload [@off, @off + @plen), its own header. */
static size_t
mk_frag(const uint8_t *dg, uint8_t *out, size_t off, size_t plen, int mf)
{
	size_t hlen = (dg[0] & 0x0f) * 4u;
	uint16_t v;

	memcpy(out, dg, hlen);
	memcpy(out + hlen, dg + hlen + off, plen);
	v = htons((uint16_t)(hlen + plen));
	memcpy(out + 2, &v, 2);
	v = htons((uint16_t)((off / 8) | (mf ? 0x2000 : 0)));
	memcpy(out + 6, &v, 2);
	memset(out + 10, 0, 2);
	v = csum_ip(out, hlen);
	memcpy(out + 10, &v, 2);
	return hlen + plen;
}

static uint16_t
get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return ntohs(v);
}

static enum frag_result
feed(struct frag_table *ft, const uint8_t *dg, size_t off, size_t plen,
    int mf, uint32_t now, uint8_t **out, size_t *outlen,
    const char **reason)
{
	static uint8_t f[MAXPKT];
	size_t n = mk_frag(dg, f, off, plen, mf);

	return frag_input(ft, f, n, now, out, outlen, reason);
}

/* The reassembled datagram must be the original, byte for byte. */
static void
assert_whole(const uint8_t *orig, size_t len, uint8_t *out, size_t outlen)
{
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(outlen, len);
	ck_assert_int_eq(memcmp(out, orig, len), 0);
	ck_assert_uint_eq(csum_ip(out, (out[0] & 0x0f) * 4u), 0);
	/* The headroom is ours to write. */
	memset(out - FRAG_HEADROOM, 0xee, FRAG_HEADROOM);
	ck_assert_int_eq(memcmp(out, orig, len), 0);
}

START_TEST(test_in_order)
{
	struct frag_table *ft = frag_create(1 << 20, 30);
	uint8_t *out;
	size_t outlen, len = mk_dgram(dgram, IPPROTO_UDP, 7, NULL, 0, 3000);
	const char *why;

	ck_assert_int_eq(feed(ft, dgram, 0, 1480, 1, 1, &out, &outlen, &why),
	    FRAG_HELD);
	ck_assert_uint_eq(frag_stats(ft)->pending, 1);
	ck_assert_uint_gt(frag_stats(ft)->bytes, 1480);
	ck_assert_int_eq(feed(ft, dgram, 1480, 1480, 1, 1, &out, &outlen,
	    &why), FRAG_HELD);
	ck_assert_int_eq(feed(ft, dgram, 2960, 40, 0, 1, &out, &outlen, &why),
	    FRAG_DONE);
	assert_whole(dgram, len, out, outlen);
	ck_assert_uint_eq(frag_stats(ft)->reassembled, 1);
	ck_assert_uint_eq(frag_stats(ft)->pending, 0);
	ck_assert_uint_eq(frag_stats(ft)->bytes, 0);
	frag_destroy(ft);
}
END_TEST

START_TEST(test_out_of_order)
{
	struct frag_table *ft = frag_create(1 << 20, 30);
	uint8_t *out;
	size_t outlen, len = mk_dgram(dgram, IPPROTO_TCP, 8, NULL, 0, 5000);
	const char *why;
	/* last first, then the middle, then the first */
	static const size_t order[] = { 4000, 1000, 3000, 2000, 0 };
	size_t i;

	for (i = 0; i < 5; i++) {
		size_t off = order[i];
		enum frag_result r = feed(ft, dgram, off, 1000, off != 4000,
		    5, &out, &outlen, &why);

		ck_assert_int_eq(r, i == 4 ? FRAG_DONE : FRAG_HELD);
	}
	assert_whole(dgram, len, out, outlen);
	frag_destroy(ft);
}
END_TEST

START_TEST(test_duplicate)
{
	struct frag_table *ft = frag_create(1 << 20, 30);
	uint8_t *out;
	size_t outlen, len = mk_dgram(dgram, IPPROTO_UDP, 9, NULL, 0, 2000);
	const char *why;

	ck_assert_int_eq(feed(ft, dgram, 1000, 1000, 0, 1, &out, &outlen,
	    &why), FRAG_HELD);
	ck_assert_int_eq(feed(ft, dgram, 1000, 1000, 0, 1, &out, &outlen,
	    &why), FRAG_HELD);
	ck_assert_uint_eq(frag_stats(ft)->pending, 1);
	ck_assert_int_eq(feed(ft, dgram, 0, 1000, 1, 1, &out, &outlen, &why),
	    FRAG_DONE);
	assert_whole(dgram, len, out, outlen);
	/* A late duplicate starts a new datagram; it does not complete. */
	ck_assert_int_eq(feed(ft, dgram, 0, 1000, 1, 1, &out, &outlen, &why),
	    FRAG_HELD);
	ck_assert_uint_eq(frag_stats(ft)->invalid, 0);
	frag_destroy(ft);
}
END_TEST

START_TEST(test_overlap_identical)
{
	struct frag_table *ft = frag_create(1 << 20, 30);
	uint8_t *out;
	size_t outlen, len = mk_dgram(dgram, IPPROTO_UDP, 10, NULL, 0, 3001);
	const char *why;

	ck_assert_int_eq(feed(ft, dgram, 0, 1480, 1, 1, &out, &outlen, &why),
	    FRAG_HELD);
	ck_assert_int_eq(feed(ft, dgram, 1000, 1000, 1, 1, &out, &outlen,
	    &why), FRAG_HELD);
	/* the last one ends inside a block and overlaps its neighbour */
	ck_assert_int_eq(feed(ft, dgram, 1480, 1521, 0, 1, &out, &outlen,
	    &why), FRAG_DONE);
	assert_whole(dgram, len, out, outlen);
	frag_destroy(ft);
}
END_TEST

START_TEST(test_overlap_different)
{
	struct frag_table *ft = frag_create(1 << 20, 30);
	static uint8_t evil[MAXPKT];
	uint8_t *out;
	size_t outlen;
	const char *why;

	mk_dgram(dgram, IPPROTO_UDP, 11, NULL, 0, 3000);
	memcpy(evil, dgram, sizeof(evil));
	evil[20 + 1200] ^= 0x55;	/* inside the overlap */

	ck_assert_int_eq(feed(ft, dgram, 0, 1480, 1, 1, &out, &outlen, &why),
	    FRAG_HELD);
	ck_assert_int_eq(feed(ft, evil, 1000, 1000, 1, 1, &out, &outlen,
	    &why), FRAG_DROP);
	ck_assert_str_eq(why, "frag-invalid");
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(frag_stats(ft)->invalid, 1);
	ck_assert_uint_eq(frag_stats(ft)->pending, 0);
	ck_assert_uint_eq(frag_stats(ft)->bytes, 0);
	/* The whole datagram went: the rest cannot complete it. */
	ck_assert_int_eq(feed(ft, dgram, 1480, 1520, 0, 1, &out, &outlen,
	    &why), FRAG_HELD);

	/* A difference in the first fragment's bytes counts the same. */
	mk_dgram(dgram, IPPROTO_UDP, 99, NULL, 0, 3000);
	memcpy(evil, dgram, sizeof(evil));
	evil[20 + 1200] ^= 0x01;
	ck_assert_int_eq(feed(ft, evil, 0, 1480, 1, 1, &out, &outlen, &why),
	    FRAG_HELD);
	ck_assert_int_eq(feed(ft, dgram, 1000, 1000, 1, 1, &out, &outlen,
	    &why), FRAG_DROP);
	ck_assert_str_eq(why, "frag-invalid");
	frag_destroy(ft);
}
END_TEST

START_TEST(test_tiny_first)
{
	struct frag_table *ft = frag_create(1 << 20, 30);
	uint8_t *out;
	size_t outlen;
	const char *why;

	/* TCP at offset 8 (fragment offset 1) could rewrite the flags */
	mk_dgram(dgram, IPPROTO_TCP, 12, NULL, 0, 3000);
	ck_assert_int_eq(feed(ft, dgram, 0, 8, 1, 1, &out, &outlen, &why),
	    FRAG_HELD);
	ck_assert_int_eq(feed(ft, dgram, 8, 1480, 1, 1, &out, &outlen, &why),
	    FRAG_DROP);
	ck_assert_str_eq(why, "frag-invalid");
	ck_assert_uint_eq(frag_stats(ft)->pending, 0);

	/* a first fragment with fewer than 8 bytes of UDP header */
	mk_dgram(dgram, IPPROTO_UDP, 13, NULL, 0, 3000);
	ck_assert_int_eq(feed(ft, dgram, 0, 4, 1, 1, &out, &outlen, &why),
	    FRAG_DROP);
	ck_assert_str_eq(why, "frag-invalid");
	/* an empty first fragment of ICMP */
	mk_dgram(dgram, IPPROTO_ICMP, 14, NULL, 0, 2000);
	ck_assert_int_eq(feed(ft, dgram, 1000, 1000, 1, 1, &out, &outlen,
	    &why), FRAG_HELD);
	ck_assert_int_eq(feed(ft, dgram, 0, 0, 1, 1, &out, &outlen, &why),
	    FRAG_DROP);
	ck_assert_str_eq(why, "frag-invalid");
	ck_assert_uint_eq(frag_stats(ft)->pending, 0);
	/* a non-last fragment that is not a multiple of 8 */
	ck_assert_int_eq(feed(ft, dgram, 0, 1001, 1, 1, &out, &outlen, &why),
	    FRAG_DROP);
	ck_assert_str_eq(why, "frag-invalid");
	ck_assert_uint_eq(frag_stats(ft)->invalid, 4);
	frag_destroy(ft);
}
END_TEST

START_TEST(test_oversize)
{
	struct frag_table *ft = frag_create(1 << 20, 30);
	uint8_t *out;
	size_t outlen;
	const char *why;

	mk_dgram(dgram, IPPROTO_UDP, 15, NULL, 0, 65000);
	ck_assert_int_eq(feed(ft, dgram, 0, 1480, 1, 1, &out, &outlen, &why),
	    FRAG_HELD);
	{
		/* offset 65512 + 40 bytes: 65572 with the header */
		static uint8_t f[MAXPKT];
		size_t n = mk_frag(dgram, f, 0, 40, 0);
		uint16_t v = htons(65512 / 8);

		memcpy(f + 6, &v, 2);
		memset(f + 10, 0, 2);
		v = csum_ip(f, 20);
		memcpy(f + 10, &v, 2);
		ck_assert_int_eq(frag_input(ft, f, n, 1, &out, &outlen, &why),
		    FRAG_DROP);
		ck_assert_str_eq(why, "frag-oversize");
	}
	/* the datagram in progress went with it */
	ck_assert_uint_eq(frag_stats(ft)->pending, 0);
	/* exactly 65535 is fine */
	ck_assert_int_eq(feed(ft, dgram, 65504, 11, 0, 1, &out, &outlen,
	    &why), FRAG_HELD);
	frag_destroy(ft);
}
END_TEST

START_TEST(test_bad_ends)
{
	struct frag_table *ft = frag_create(1 << 20, 30);
	uint8_t *out;
	size_t outlen;
	const char *why;

	mk_dgram(dgram, IPPROTO_UDP, 16, NULL, 0, 4000);
	/* two last fragments with different ends */
	ck_assert_int_eq(feed(ft, dgram, 2000, 1000, 0, 1, &out, &outlen,
	    &why), FRAG_HELD);
	ck_assert_int_eq(feed(ft, dgram, 2000, 1008, 0, 1, &out, &outlen,
	    &why), FRAG_DROP);
	ck_assert_str_eq(why, "frag-invalid");
	/* data past the end set by the last fragment, either order */
	ck_assert_int_eq(feed(ft, dgram, 1000, 1000, 0, 1, &out, &outlen,
	    &why), FRAG_HELD);
	ck_assert_int_eq(feed(ft, dgram, 1000, 1008, 1, 1, &out, &outlen,
	    &why), FRAG_DROP);
	ck_assert_str_eq(why, "frag-invalid");
	ck_assert_int_eq(feed(ft, dgram, 0, 2400, 1, 1, &out, &outlen, &why),
	    FRAG_HELD);
	ck_assert_int_eq(feed(ft, dgram, 1000, 1000, 0, 1, &out, &outlen,
	    &why), FRAG_DROP);
	ck_assert_str_eq(why, "frag-invalid");
	ck_assert_uint_eq(frag_stats(ft)->invalid, 3);
	ck_assert_uint_eq(frag_stats(ft)->pending, 0);
	frag_destroy(ft);
}
END_TEST

START_TEST(test_timeout)
{
	struct frag_table *ft = frag_create(1 << 20, 30);
	uint8_t *out;
	size_t outlen;
	const char *why;

	mk_dgram(dgram, IPPROTO_UDP, 17, NULL, 0, 3000);
	ck_assert_int_eq(feed(ft, dgram, 0, 1480, 1, 100, &out, &outlen,
	    &why), FRAG_HELD);
	mk_dgram(dgram, IPPROTO_UDP, 18, NULL, 0, 3000);
	ck_assert_int_eq(feed(ft, dgram, 0, 1480, 1, 110, &out, &outlen,
	    &why), FRAG_HELD);
	frag_expire(ft, 129);
	ck_assert_uint_eq(frag_stats(ft)->pending, 2);
	frag_expire(ft, 130);
	ck_assert_uint_eq(frag_stats(ft)->pending, 1);
	ck_assert_uint_eq(frag_stats(ft)->timeouts, 1);
	/* frag_input expires too: the rest of id 18 arrives too late */
	ck_assert_int_eq(feed(ft, dgram, 1480, 1520, 0, 140, &out, &outlen,
	    &why), FRAG_HELD);
	ck_assert_uint_eq(frag_stats(ft)->timeouts, 2);
	ck_assert_uint_eq(frag_stats(ft)->pending, 1);
	/* in time, it completes; the clock may wrap */
	frag_destroy(ft);
	ft = frag_create(1 << 20, 30);
	ck_assert_int_eq(feed(ft, dgram, 1480, 1520, 0, UINT32_MAX - 5, &out,
	    &outlen, &why), FRAG_HELD);
	ck_assert_int_eq(feed(ft, dgram, 0, 1480, 1, 20, &out, &outlen, &why),
	    FRAG_DONE);
	assert_whole(dgram, 3020, out, outlen);
	frag_destroy(ft);
}
END_TEST

START_TEST(test_memory_bound)
{
	const uint32_t max = 256 * 1024;
	struct frag_table *ft = frag_create(max, 30);
	uint8_t *out;
	size_t outlen;
	const char *why;
	unsigned int id;

	for (id = 0; id < 2000; id++) {
		mk_dgram(dgram, IPPROTO_UDP, (uint16_t)id, NULL, 0, 3000);
		ck_assert_int_eq(feed(ft, dgram, 0, 1480, 1, 1, &out,
		    &outlen, &why), FRAG_HELD);
		ck_assert_uint_le(frag_stats(ft)->bytes, max);
	}
	ck_assert_uint_gt(frag_stats(ft)->evicted, 1000);
	ck_assert_uint_eq(frag_stats(ft)->evicted + frag_stats(ft)->pending,
	    2000);
	ck_assert_uint_gt(frag_stats(ft)->bytes, max / 2);
	/* the newest is there, the oldest went first */
	mk_dgram(dgram, IPPROTO_UDP, 1999, NULL, 0, 3000);
	ck_assert_int_eq(feed(ft, dgram, 1480, 1520, 0, 1, &out, &outlen,
	    &why), FRAG_DONE);
	assert_whole(dgram, 3020, out, outlen);
	mk_dgram(dgram, IPPROTO_UDP, 0, NULL, 0, 3000);
	ck_assert_int_eq(feed(ft, dgram, 1480, 1520, 0, 1, &out, &outlen,
	    &why), FRAG_HELD);
	ck_assert_uint_le(frag_stats(ft)->bytes, max);

	/* growing a datagram evicts others, not itself */
	mk_dgram(dgram, IPPROTO_UDP, 5000, NULL, 0, 60000);
	for (id = 0; id < 40; id++) {
		ck_assert_int_eq(feed(ft, dgram, id * 1480, 1480, 1, 1, &out,
		    &outlen, &why), FRAG_HELD);
		ck_assert_uint_le(frag_stats(ft)->bytes, max);
	}
	ck_assert_int_eq(feed(ft, dgram, 59200, 800, 0, 1, &out, &outlen,
	    &why), FRAG_DONE);
	assert_whole(dgram, 60020, out, outlen);

	/* shrinking the budget evicts at once */
	frag_reconfigure(ft, 8192, 30);
	ck_assert_uint_le(frag_stats(ft)->bytes, 8192);
	frag_destroy(ft);

	/* one datagram larger than the whole budget */
	ft = frag_create(16384, 30);
	for (id = 0; id < 20; id++) {
		enum frag_result r = feed(ft, dgram, id * 1480, 1480, 1, 1,
		    &out, &outlen, &why);

		ck_assert_uint_le(frag_stats(ft)->bytes, 16384);
		if (r == FRAG_DROP) {
			ck_assert_str_eq(why, "frag-memory");
			break;
		}
		ck_assert_int_eq(r, FRAG_HELD);
	}
	ck_assert_uint_lt(id, 20);
	ck_assert_uint_gt(id, 5);
	ck_assert_uint_eq(frag_stats(ft)->pending, 0);
	ck_assert_uint_eq(frag_stats(ft)->bytes, 0);
	frag_destroy(ft);
}
END_TEST

START_TEST(test_reconfigure)
{
	static uint8_t dg2[MAXPKT];
	struct frag_table *ft = frag_create(1 << 20, 30);
	uint8_t *out;
	size_t outlen;
	const char *why;

	mk_dgram(dgram, IPPROTO_UDP, 21, NULL, 0, 3000);
	mk_dgram(dg2, IPPROTO_TCP, 22, NULL, 0, 3000);
	ck_assert_int_eq(feed(ft, dgram, 0, 1480, 1, 1, &out, &outlen, &why),
	    FRAG_HELD);
	ck_assert_int_eq(feed(ft, dg2, 0, 1480, 1, 2, &out, &outlen, &why),
	    FRAG_HELD);
	/* a larger table rehashes: both are still found */
	frag_reconfigure(ft, 64 << 20, 30);
	ck_assert_uint_eq(frag_stats(ft)->pending, 2);
	ck_assert_int_eq(feed(ft, dgram, 1480, 1520, 0, 3, &out, &outlen,
	    &why), FRAG_DONE);
	assert_whole(dgram, 3020, out, outlen);
	/* a shorter timeout applies to what is held */
	frag_reconfigure(ft, 64 << 20, 1);
	frag_expire(ft, 3);
	ck_assert_uint_eq(frag_stats(ft)->pending, 0);
	ck_assert_uint_eq(frag_stats(ft)->timeouts, 1);
	ck_assert_uint_eq(frag_stats(ft)->bytes, 0);
	frag_destroy(ft);
}
END_TEST

/* --- fragmentation --------------------------------------------------- */

struct pieces {
	size_t n;
	size_t len[MAXPIECES];
	uint8_t *p[MAXPIECES];
};

static int
collect_cb(void *arg, uint8_t *ip, size_t len)
{
	struct pieces *ps = arg;

	ck_assert_uint_lt(ps->n, MAXPIECES);
	memset(ip - FRAG_HEADROOM, 0xaa, FRAG_HEADROOM);
	ps->p[ps->n] = malloc(len);
	memcpy(ps->p[ps->n], ip, len);
	ps->len[ps->n++] = len;
	return 0;
}

static void
pieces_free(struct pieces *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		free(ps->p[i]);
	ps->n = 0;
}

/*
 * Check every piece of @dg (starting at byte @base of the original,
 * ending with MF @last_mf) and return the sum of their payloads.
 */
static size_t
check_pieces(const struct pieces *ps, const uint8_t *dg, unsigned int mtu,
    size_t base, int last_mf)
{
	size_t hlen0 = (dg[0] & 0x0f) * 4u, pos = 0, i;

	ck_assert_uint_gt(ps->n, 1);
	for (i = 0; i < ps->n; i++) {
		const uint8_t *p = ps->p[i];
		size_t hlen = (p[0] & 0x0f) * 4u, plen = ps->len[i] - hlen;
		uint16_t fo = get16(p + 6);

		ck_assert_uint_le(ps->len[i], mtu);
		ck_assert_uint_eq(get16(p + 2), ps->len[i]);
		ck_assert_uint_eq(csum_ip(p, hlen), 0);
		ck_assert_uint_eq(get16(p + 4), get16(dg + 4));
		ck_assert_uint_eq(p[8], dg[8]);
		ck_assert_uint_eq(p[9], dg[9]);
		ck_assert_int_eq(memcmp(p + 12, dg + 12, 8), 0);
		ck_assert_uint_eq((fo & 0x1fff) * 8u, base + pos);
		ck_assert_uint_eq(fo & 0x4000, get16(dg + 6) & 0x4000);
		if (i + 1 < ps->n) {
			ck_assert_uint_ne(fo & 0x2000, 0);
			ck_assert_uint_eq(plen % 8, 0);
			/* as full as the MTU allows */
			ck_assert_uint_gt(ps->len[i] + 8, mtu);
		} else {
			ck_assert_uint_eq(!!(fo & 0x2000), !!last_mf);
		}
		if (i == 0) {
			ck_assert_uint_eq(hlen, hlen0);
			ck_assert_int_eq(memcmp(p + 20, dg + 20, hlen0 - 20),
			    0);
		}
		ck_assert_int_eq(memcmp(p + hlen, dg + hlen0 + pos, plen), 0);
		pos += plen;
	}
	return pos;
}

static void
round_trip(unsigned int mtu)
{
	struct frag_table *ft = frag_create(1 << 20, 30);
	struct pieces ps = { 0 };
	uint8_t *out = NULL;
	size_t outlen = 0, len, i;
	const char *why;

	len = mk_dgram(dgram, IPPROTO_UDP, 0x4242, NULL, 0, 5980);
	ck_assert_uint_eq(len, 6000);
	ck_assert_int_eq(frag_fragment(dgram, len, mtu, collect_cb, &ps), 0);
	ck_assert_uint_eq(check_pieces(&ps, dgram, mtu, 0, 0), 5980);
	ck_assert_uint_eq(ps.n, (5980 + ((mtu - 20) & ~7u) - 1) /
	    ((mtu - 20) & ~7u));
	/* reassemble backwards: the first fragment completes it */
	for (i = ps.n; i-- > 0;) {
		enum frag_result r = frag_input(ft, ps.p[i], ps.len[i], 1,
		    &out, &outlen, &why);

		ck_assert_int_eq(r, i == 0 ? FRAG_DONE : FRAG_HELD);
	}
	assert_whole(dgram, len, out, outlen);
	/* and the UDP checksum still holds over the whole */
	ck_assert_uint_eq(csum_l4(*(uint32_t *)(void *)(out + 12),
	    *(uint32_t *)(void *)(out + 16), IPPROTO_UDP, out + 20, 5980), 0);
	pieces_free(&ps);
	frag_destroy(ft);
}

START_TEST(test_round_trip_1500)
{
	round_trip(1500);
}
END_TEST

START_TEST(test_round_trip_576)
{
	round_trip(576);
}
END_TEST

START_TEST(test_options_copy)
{
	/* NOP, Record Route (not copied), LSRR (copied), end */
	static const uint8_t opts[16] = {
		1,
		7, 7, 4, 0, 0, 0, 0,
		0x83, 7, 4, 10, 9, 8, 7,
		0,
	};
	struct frag_table *ft = frag_create(1 << 20, 30);
	struct pieces ps = { 0 };
	uint8_t *out = NULL;
	size_t outlen = 0, len, i;
	const char *why;

	len = mk_dgram(dgram, IPPROTO_UDP, 77, opts, sizeof(opts), 3000);
	ck_assert_int_eq(frag_fragment(dgram, len, 1000, collect_cb, &ps), 0);
	ck_assert_uint_eq(ps.n, 4);
	ck_assert_uint_eq(ps.p[0][0], 0x49);
	for (i = 1; i < ps.n; i++) {
		/* 20 + LSRR (7) + one end-of-list byte */
		ck_assert_uint_eq(ps.p[i][0], 0x47);
		ck_assert_int_eq(memcmp(ps.p[i] + 20, opts + 8, 7), 0);
		ck_assert_uint_eq(ps.p[i][27], 0);
	}
	/* the non-first pieces carry more payload for the smaller header */
	ck_assert_uint_eq(ps.len[0], 36 + 960);
	ck_assert_uint_eq(ps.len[1], 28 + 968);
	ck_assert_uint_eq(check_pieces(&ps, dgram, 1000, 0, 0), 3000);
	for (i = 0; i < ps.n; i++)
		frag_input(ft, ps.p[i], ps.len[i], 1, &out, &outlen, &why);
	assert_whole(dgram, len, out, outlen);
	pieces_free(&ps);

	/* malformed option length: refused */
	dgram[21 + 1] = 40;
	memset(dgram + 10, 0, 2);
	{
		uint16_t v = csum_ip(dgram, 36);

		memcpy(dgram + 10, &v, 2);
	}
	ck_assert_int_eq(frag_fragment(dgram, len, 1000, collect_cb, &ps), -1);
	ck_assert_uint_eq(ps.n, 0);
	frag_destroy(ft);
}
END_TEST

START_TEST(test_fragment_a_fragment)
{
	struct frag_table *ft = frag_create(1 << 20, 30);
	struct pieces first = { 0 }, again = { 0 };
	uint8_t *out = NULL;
	size_t outlen = 0, len, i, j, base;
	const char *why;
	enum frag_result r = FRAG_HELD;

	len = mk_dgram(dgram, IPPROTO_UDP, 0x77, NULL, 0, 5980);
	ck_assert_int_eq(frag_fragment(dgram, len, 3020, collect_cb, &first),
	    0);
	ck_assert_uint_eq(first.n, 2);
	/* each 3020-byte fragment crosses a 576 link further on */
	for (i = 0, base = 0; i < first.n; i++) {
		int last = i + 1 == first.n;

		ck_assert_int_eq(frag_fragment(first.p[i], first.len[i], 576,
		    collect_cb, &again), 0);
		/* a non-last fragment's pieces all keep MF */
		ck_assert_uint_eq(check_pieces(&again, first.p[i], 576, base,
		    !last), last ? 2980 : 3000);
		for (j = 0; j < again.n; j++) {
			r = frag_input(ft, again.p[j], again.len[j], 1, &out,
			    &outlen, &why);
			ck_assert_int_eq(r, last && j + 1 == again.n ?
			    FRAG_DONE : FRAG_HELD);
		}
		base += first.len[i] - 20;
		pieces_free(&again);
	}
	ck_assert_int_eq(r, FRAG_DONE);
	assert_whole(dgram, len, out, outlen);
	pieces_free(&first);
	frag_destroy(ft);
}
END_TEST

START_TEST(test_fragment_bad)
{
	struct pieces ps = { 0 };
	size_t len = mk_dgram(dgram, IPPROTO_UDP, 1, NULL, 0, 3000);
	uint8_t save;

	ck_assert_int_eq(frag_fragment(dgram, len, 27, collect_cb, &ps), -1);
	ck_assert_int_eq(frag_fragment(dgram, len, 28, collect_cb, &ps), 0);
	ck_assert_uint_eq(ps.n, 375);
	pieces_free(&ps);
	/* total length past the buffer */
	ck_assert_int_eq(frag_fragment(dgram, len - 1, 1500, collect_cb, &ps),
	    -1);
	/* IHL past the total length */
	save = dgram[0];
	dgram[0] = 0x4f;
	dgram[2] = 0;
	dgram[3] = 40;
	ck_assert_int_eq(frag_fragment(dgram, 40, 20, collect_cb, &ps), -1);
	ck_assert_int_eq(frag_fragment(dgram, 40, 1500, collect_cb, &ps), -1);
	len = mk_dgram(dgram, IPPROTO_UDP, 1, NULL, 0, 3000);
	dgram[0] = 0x44;
	ck_assert_int_eq(frag_fragment(dgram, len, 1500, collect_cb, &ps), -1);
	dgram[0] = save;
	ck_assert_int_eq(frag_fragment(dgram, 10, 1500, collect_cb, &ps), -1);
	ck_assert_uint_eq(ps.n, 0);
	/* small enough already: one piece, unchanged */
	len = mk_dgram(dgram, IPPROTO_UDP, 1, NULL, 0, 100);
	ck_assert_int_eq(frag_fragment(dgram, len, 1500, collect_cb, &ps), 0);
	ck_assert_uint_eq(ps.n, 1);
	ck_assert_int_eq(memcmp(ps.p[0], dgram, len), 0);
	pieces_free(&ps);
}
END_TEST

START_TEST(test_not_a_fragment)
{
	struct frag_table *ft = frag_create(1 << 20, 30);
	uint8_t *out;
	size_t outlen, len = mk_dgram(dgram, IPPROTO_UDP, 3, NULL, 0, 500);
	const char *why;

	ck_assert_int_eq(frag_input(ft, dgram, len, 1, &out, &outlen, &why),
	    FRAG_DONE);
	assert_whole(dgram, len, out, outlen);
	ck_assert_uint_eq(frag_stats(ft)->pending, 0);
	ck_assert_uint_eq(frag_stats(ft)->reassembled, 0);
	/* a total length that disagrees with the buffer */
	ck_assert_int_eq(frag_input(ft, dgram, len - 1, 1, &out, &outlen,
	    &why), FRAG_DROP);
	ck_assert_str_eq(why, "frag-invalid");
	frag_destroy(ft);
}
END_TEST

static Suite *
frag_suite(void)
{
	Suite *s = suite_create("frag");
	TCase *tc = tcase_create("reassembly");

	tcase_add_test(tc, test_in_order);
	tcase_add_test(tc, test_out_of_order);
	tcase_add_test(tc, test_duplicate);
	tcase_add_test(tc, test_overlap_identical);
	tcase_add_test(tc, test_overlap_different);
	tcase_add_test(tc, test_tiny_first);
	tcase_add_test(tc, test_oversize);
	tcase_add_test(tc, test_bad_ends);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_memory_bound);
	tcase_add_test(tc, test_not_a_fragment);
	tcase_add_test(tc, test_reconfigure);
	suite_add_tcase(s, tc);

	tc = tcase_create("fragmentation");
	tcase_add_test(tc, test_round_trip_1500);
	tcase_add_test(tc, test_round_trip_576);
	tcase_add_test(tc, test_options_copy);
	tcase_add_test(tc, test_fragment_a_fragment);
	tcase_add_test(tc, test_fragment_bad);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(frag_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
