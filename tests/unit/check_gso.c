/* SPDX-License-Identifier: ISC */
/* Unit tests for software TSO/USO and virtio partial checksums. */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "frag.h"
#include "gso.h"

#define ETH		14
#define MAXFRAME	(ETH + 65535 + 64)
#define MAXSEGS		4096

#define F_FIN	0x01
#define F_SYN	0x02
#define F_PSH	0x08
#define F_ACK	0x10
#define F_CWR	0x80

static uint8_t frame[MAXFRAME];
static uint8_t orig[MAXFRAME];

/*
 * Reference checksum, independent of csum.c: big-endian 16-bit words,
 * carries folded at the end, complemented. Returns host order.
 */
static uint16_t
ref_sum(const uint8_t *p, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint32_t
ref_pseudo(const uint8_t *ip, uint8_t proto, size_t l4len)
{
	uint8_t ph[12];

	memcpy(ph, ip + 12, 8);
	ph[8] = 0;
	ph[9] = proto;
	ph[10] = (uint8_t)(l4len >> 8);
	ph[11] = (uint8_t)l4len;
	return (uint16_t)~ref_sum(ph, 12, 0);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/*
 * A super-frame as the kernel hands it over: IPv4 checksum complete, the
 * L4 checksum field holding the folded, uncomplemented pseudo-header sum.
 */
static size_t
mk_super(uint8_t *f, uint8_t proto, size_t payload,
    struct virtio_net_hdr *vh, uint16_t gso_size)
{
	uint8_t *ip = f + ETH, *l4 = ip + 20;
	size_t l4hl = proto == IPPROTO_TCP ? 32 : 8, i;
	size_t tot = 20 + l4hl + payload;
	uint16_t partial;

	ck_assert_uint_le(tot, 65535);
	memset(f, 0, ETH + 20 + l4hl);
	memcpy(f, "\x02\x00\x00\x00\x02\x02\x02\x00\x00\x00\x01\x01", 12);
	put16(f + 12, 0x0800);
	ip[0] = 0x45;
	ip[1] = 0x02;			/* ECT(0) */
	put16(ip + 2, (uint16_t)tot);
	put16(ip + 4, 0xfff0);		/* ids wrap during the train */
	put16(ip + 6, 0x4000);		/* DF */
	ip[8] = 64;
	ip[9] = proto;
	put32(ip + 12, 0xc0a8010a);
	put32(ip + 16, 0x02020202);
	put16(ip + 10, ref_sum(ip, 20, 0));

	put16(l4, 40000);
	put16(l4 + 2, proto == IPPROTO_TCP ? 80 : 5000);
	if (proto == IPPROTO_TCP) {
		put32(l4 + 4, 0xffff0000);	/* seq wraps too */
		put32(l4 + 8, 0x12345678);
		l4[12] = 8 << 4;
		l4[13] = F_ACK | F_PSH | F_FIN | F_CWR;
		put16(l4 + 14, 502);
		/* NOP NOP timestamps */
		memcpy(l4 + 20, "\x01\x01\x08\x0a\x11\x22\x33\x44\x55\x66"
		    "\x77\x88", 12);
	} else {
		put16(l4 + 4, (uint16_t)(8 + payload));
	}
	for (i = 0; i < payload; i++)
		l4[l4hl + i] = (uint8_t)(i * 31 + (i >> 9));
	partial = (uint16_t)~ref_sum(NULL, 0, ref_pseudo(ip, proto,
	    l4hl + payload));
	put16(l4 + (proto == IPPROTO_TCP ? 16 : 6), partial);

	memset(vh, 0, sizeof(*vh));
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->gso_type = proto == IPPROTO_TCP ? VIRTIO_NET_HDR_GSO_TCPV4 :
	    VIRTIO_NET_HDR_GSO_UDP_L4;
	vh->gso_size = gso_size;
	vh->hdr_len = 7;		/* garbage: must not matter */
	vh->csum_start = ETH + 20;
	vh->csum_offset = proto == IPPROTO_TCP ? 16 : 6;
	return ETH + tot;
}

struct segs {
	size_t n;
	size_t len[MAXSEGS];
	uint8_t *f[MAXSEGS];
	int stop_after;		/* emit fails after this many; 0 never */
};

static int
collect_cb(void *arg, uint8_t *eth, size_t len)
{
	struct segs *s = arg;

	ck_assert_uint_lt(s->n, MAXSEGS);
	/* room for a vnet header and more */
	memset(eth - FRAG_HEADROOM, 0, FRAG_HEADROOM);
	s->f[s->n] = malloc(len);
	memcpy(s->f[s->n], eth, len);
	s->len[s->n++] = len;
	if (s->stop_after && (int)s->n >= s->stop_after)
		return -1;
	return 0;
}

static void
segs_free(struct segs *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->f[i]);
	s->n = 0;
}

static struct segs segs;

/* Check a TCP train against the super-frame @sf; Return: segments. */
static size_t
check_tcp(const uint8_t *sf, size_t sflen, unsigned int mtu, size_t mss)
{
	const uint8_t *sip = sf + ETH, *stcp = sip + 20;
	size_t payload = sflen - ETH - 52, pos = 0, i;
	uint32_t seq0 = get32(stcp + 4);

	for (i = 0; i < segs.n; i++) {
		const uint8_t *f = segs.f[i], *ip = f + ETH, *tcp = ip + 20;
		size_t len = segs.len[i], plen = len - ETH - 52;
		uint8_t fl = tcp[13];

		ck_assert_uint_le(len - ETH, mtu);
		ck_assert_uint_le(plen, mss);
		if (i + 1 < segs.n)
			ck_assert_uint_eq(plen, mss);
		ck_assert_int_eq(memcmp(f, sf, ETH), 0);
		ck_assert_uint_eq(ip[0], 0x45);
		ck_assert_uint_eq(ip[1], sip[1]);
		ck_assert_uint_eq(get16(ip + 2), len - ETH);
		ck_assert_uint_eq(get16(ip + 4),
		    (uint16_t)(get16(sip + 4) + i));
		ck_assert_uint_eq(get16(ip + 6), 0x4000);
		ck_assert_uint_eq(ip[8], 64);
		ck_assert_uint_eq(ip[9], IPPROTO_TCP);
		ck_assert_int_eq(memcmp(ip + 12, sip + 12, 8), 0);
		ck_assert_uint_eq(ref_sum(ip, 20, 0), 0);

		ck_assert_int_eq(memcmp(tcp, stcp, 4), 0);
		ck_assert_uint_eq(get32(tcp + 4), seq0 + (uint32_t)pos);
		ck_assert_int_eq(memcmp(tcp + 8, stcp + 8, 5), 0);
		ck_assert_int_eq(memcmp(tcp + 14, stcp + 14, 2), 0);
		ck_assert_int_eq(memcmp(tcp + 18, stcp + 18, 14), 0);
		ck_assert_uint_ne(fl & F_ACK, 0);
		ck_assert_uint_eq(!!(fl & F_FIN), i + 1 == segs.n);
		ck_assert_uint_eq(!!(fl & F_PSH), i + 1 == segs.n);
		ck_assert_uint_eq(!!(fl & F_CWR), i == 0);
		ck_assert_uint_eq(ref_sum(tcp, 32 + plen,
		    ref_pseudo(ip, IPPROTO_TCP, 32 + plen)), 0);
		ck_assert_int_eq(memcmp(tcp + 32, stcp + 32 + pos, plen), 0);
		pos += plen;
	}
	ck_assert_uint_eq(pos, payload);
	return segs.n;
}

START_TEST(test_tso_64k)
{
	struct virtio_net_hdr vh;
	size_t len = mk_super(frame, IPPROTO_TCP, 65535 - 52, &vh, 1448);

	memcpy(orig, frame, len);
	ck_assert_int_eq(gso_segment(&vh, frame, len, 1500, collect_cb,
	    &segs), 0);
	ck_assert_int_eq(memcmp(orig, frame, len), 0);
	ck_assert_uint_eq(segs.n, (65535 - 52 + 1447) / 1448);
	ck_assert_uint_eq(check_tcp(frame, len, 1500, 1448), 46);
	ck_assert_uint_eq(segs.len[0], ETH + 1500);
	segs_free(&segs);

	/* ECN flag in gso_type: the same train */
	vh.gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	ck_assert_int_eq(gso_segment(&vh, frame, len, 1500, collect_cb,
	    &segs), 0);
	ck_assert_uint_eq(check_tcp(frame, len, 1500, 1448), 46);
	segs_free(&segs);
}
END_TEST

START_TEST(test_tso_small_mtu)
{
	struct virtio_net_hdr vh;
	size_t len = mk_super(frame, IPPROTO_TCP, 10000, &vh, 1448);

	/* the path MTU is below the MSS: cut to what fits */
	ck_assert_int_eq(gso_segment(&vh, frame, len, 1000, collect_cb,
	    &segs), 0);
	ck_assert_uint_eq(check_tcp(frame, len, 1000, 948), 11);
	segs_free(&segs);

	/* one segment: flags stay as they were */
	len = mk_super(frame, IPPROTO_TCP, 1000, &vh, 1448);
	ck_assert_int_eq(gso_segment(&vh, frame, len, 1500, collect_cb,
	    &segs), 0);
	ck_assert_uint_eq(check_tcp(frame, len, 1500, 1448), 1);
	ck_assert_uint_eq(segs.f[0][ETH + 33], F_ACK | F_PSH | F_FIN | F_CWR);
	segs_free(&segs);

	/* Ethernet padding after the IP packet is not payload */
	len = mk_super(frame, IPPROTO_TCP, 3000, &vh, 1448);
	memset(frame + len, 0xab, 30);
	ck_assert_int_eq(gso_segment(&vh, frame, len + 30, 1500, collect_cb,
	    &segs), 0);
	ck_assert_uint_eq(check_tcp(frame, len, 1500, 1448), 3);
	segs_free(&segs);

	/* no room for any payload */
	ck_assert_int_eq(gso_segment(&vh, frame, len, 52, collect_cb, &segs),
	    -1);
	ck_assert_int_eq(gso_segment(&vh, frame, len, 53, collect_cb, &segs),
	    0);
	ck_assert_uint_eq(segs.n, 3000);
	segs_free(&segs);
}
END_TEST

START_TEST(test_uso)
{
	struct virtio_net_hdr vh;
	const uint8_t *sip = frame + ETH, *sudp = sip + 20;
	size_t len = mk_super(frame, IPPROTO_UDP, 30000, &vh, 1400);
	size_t i, pos = 0;

	memcpy(orig, frame, len);
	ck_assert_int_eq(gso_segment(&vh, frame, len, 1500, collect_cb,
	    &segs), 0);
	ck_assert_int_eq(memcmp(orig, frame, len), 0);
	ck_assert_uint_eq(segs.n, 22);
	for (i = 0; i < segs.n; i++) {
		const uint8_t *ip = segs.f[i] + ETH, *udp = ip + 20;
		size_t plen = segs.len[i] - ETH - 28;

		ck_assert_uint_eq(plen, i + 1 < segs.n ? 1400 : 600);
		ck_assert_int_eq(memcmp(segs.f[i], frame, ETH), 0);
		ck_assert_uint_eq(get16(ip + 2), 28 + plen);
		ck_assert_uint_eq(get16(ip + 4),
		    (uint16_t)(get16(sip + 4) + i));
		ck_assert_uint_eq(get16(ip + 6), 0x4000);
		ck_assert_uint_eq(ip[9], IPPROTO_UDP);
		ck_assert_uint_eq(ref_sum(ip, 20, 0), 0);
		ck_assert_int_eq(memcmp(udp, sudp, 4), 0);
		ck_assert_uint_eq(get16(udp + 4), 8 + plen);
		ck_assert_uint_ne(get16(udp + 6), 0);
		ck_assert_uint_eq(ref_sum(udp, 8 + plen,
		    ref_pseudo(ip, IPPROTO_UDP, 8 + plen)), 0);
		ck_assert_int_eq(memcmp(udp + 8, sudp + 8 + pos, plen), 0);
		pos += plen;
	}
	ck_assert_uint_eq(pos, 30000);
	segs_free(&segs);

	/* datagrams cannot shrink to a smaller MTU */
	ck_assert_int_eq(gso_segment(&vh, frame, len, 1427, collect_cb,
	    &segs), -1);
	ck_assert_int_eq(gso_segment(&vh, frame, len, 1428, collect_cb,
	    &segs), 0);
	ck_assert_uint_eq(segs.n, 22);
	segs_free(&segs);

	/* a UDP length that disagrees with the IP length */
	put16(frame + ETH + 24, 30008 - 1);
	ck_assert_int_eq(gso_segment(&vh, frame, len, 1500, collect_cb,
	    &segs), -1);
	ck_assert_uint_eq(segs.n, 0);
}
END_TEST

START_TEST(test_csum_complete)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	static const size_t sizes[] = { 0, 1, 2, 3, 1447, 1448, 40000 };
	struct virtio_net_hdr vh;
	size_t p, s;

	for (p = 0; p < 2; p++) {
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			uint8_t proto = protos[p];
			size_t len = mk_super(frame, proto, sizes[s], &vh, 0);
			size_t l4hl = proto == IPPROTO_TCP ? 32 : 8;
			size_t l4len = l4hl + sizes[s];
			uint8_t *l4 = frame + ETH + 20;
			uint8_t *field = l4 + vh.csum_offset;
			uint16_t want;

			/* the full computation, from scratch */
			memcpy(orig, frame, len);
			put16(orig + ETH + 20 + vh.csum_offset, 0);
			want = ref_sum(orig + ETH + 20, l4len,
			    ref_pseudo(orig + ETH, proto, l4len));
			if (want == 0)
				want = 0xffff;

			vh.gso_type = VIRTIO_NET_HDR_GSO_NONE;
			/* padding must stay out of the sum */
			memset(frame + len, 0x5a, 17);
			ck_assert_int_eq(gso_csum_complete(&vh, frame,
			    len + 17), 0);
			ck_assert_uint_eq(get16(field), want);
			ck_assert_uint_eq(vh.flags &
			    VIRTIO_NET_HDR_F_NEEDS_CSUM, 0);
			ck_assert_uint_eq(ref_sum(l4, l4len,
			    ref_pseudo(frame + ETH, proto, l4len)), 0);
			/* done once: a second call changes nothing */
			ck_assert_int_eq(gso_csum_complete(&vh, frame, len),
			    0);
			ck_assert_uint_eq(get16(field), want);
		}
	}
}
END_TEST

START_TEST(test_csum_complete_bogus)
{
	struct virtio_net_hdr vh, good;
	size_t len = mk_super(frame, IPPROTO_TCP, 100, &good, 0);
	static const struct {
		uint16_t start, offset;
	} bad[] = {
		{ 0, 16 },		/* inside the Ethernet header */
		{ 13, 16 },
		{ 34, 132 },		/* field past the packet */
		{ 34, 131 },		/* odd: would store byte-swapped */
		{ 34, 17 },
		{ 166, 0 },
		{ 200, 0 },
		{ 0xffff, 0xffff },
	};
	size_t i;

	memcpy(orig, frame, len);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		vh = good;
		vh.csum_start = bad[i].start;
		vh.csum_offset = bad[i].offset;
		ck_assert_int_eq(gso_csum_complete(&vh, frame, len), -1);
		ck_assert_uint_eq(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
		ck_assert_int_eq(memcmp(frame, orig, len), 0);
	}
	/* the very last two bytes are a legal place */
	vh = good;
	vh.csum_offset = 130;
	ck_assert_int_eq(gso_csum_complete(&vh, frame, len), 0);
	/* a frame shorter than the IP length: stop at the frame */
	vh = good;
	ck_assert_int_eq(gso_csum_complete(&vh, frame, 40), -1);
	vh.csum_offset = 4;
	ck_assert_int_eq(gso_csum_complete(&vh, frame, 40), 0);
	/* without NEEDS_CSUM there is nothing to do */
	memcpy(frame, orig, len);
	vh = good;
	vh.flags = 0;
	vh.csum_start = 0xffff;
	ck_assert_int_eq(gso_csum_complete(&vh, frame, len), 0);
	ck_assert_int_eq(memcmp(frame, orig, len), 0);
}
END_TEST

/* After a header mutation: only the tested fault may be left. */
static void
fix_ipsum(uint8_t *f)
{
	size_t hl = (f[ETH] & 0x0f) * 4u;

	put16(f + ETH + 10, 0);
	put16(f + ETH + 10, ref_sum(f + ETH, hl, 0));
}

START_TEST(test_segment_bogus)
{
	struct virtio_net_hdr vh, good;
	size_t len = mk_super(frame, IPPROTO_TCP, 5000, &good, 1448), n;

	memcpy(orig, frame, len);

#define REJECT(mutate) do {						\
	memcpy(frame, orig, len);					\
	vh = good;							\
	mutate;								\
	fix_ipsum(frame);						\
	ck_assert_int_eq(gso_segment(&vh, frame, n, 1500, collect_cb,	\
	    &segs), -1);						\
	ck_assert_uint_eq(segs.n, 0);					\
} while (0)

	n = len;
	REJECT(vh.gso_size = 0);
	REJECT(vh.gso_type = VIRTIO_NET_HDR_GSO_NONE);
	REJECT(vh.gso_type = VIRTIO_NET_HDR_GSO_UDP);
	REJECT(vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV6);
	REJECT(vh.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4);
	REJECT(vh.csum_start = ETH + 24);
	REJECT(vh.csum_start = 0);
	REJECT(vh.csum_offset = 6);
	REJECT(put16(frame + 12, 0x86dd));
	REJECT(put16(frame + 12, 0x8100));
	REJECT(frame[ETH] = 0x65);		/* version 6 */
	REJECT(frame[ETH] = 0x44);		/* IHL 16 */
	REJECT(frame[ETH] = 0x4f);		/* IHL 60: runs into TCP */
	REJECT(frame[ETH + 9] = IPPROTO_UDP);
	REJECT(put16(frame + ETH + 2, (uint16_t)(len - ETH + 1)));
	REJECT(put16(frame + ETH + 2, 40));	/* TCP header cut */
	REJECT(put16(frame + ETH + 2, 52));	/* no payload */
	REJECT(put16(frame + ETH + 6, 0x2000));	/* MF */
	REJECT(put16(frame + ETH + 6, 0x0001));	/* offset */
	REJECT(frame[ETH + 32] = 4 << 4);	/* data offset 16 */
	REJECT(frame[ETH + 32] = 0);
	/* data offset 60 bytes, but the frame holds only 52 + 8 */
	REJECT(frame[ETH + 32] = 15 << 4; put16(frame + ETH + 2, 60));
	/* every truncation of the frame */
	for (n = 0; n < ETH + 60; n++)
		REJECT((void)0);
	n = len - 1;
	REJECT((void)0);
	n = len;

	/* a bad IP header checksum is not made good */
	memcpy(frame, orig, len);
	frame[ETH + 8]--;
	ck_assert_int_eq(gso_segment(&good, frame, len, 1500, collect_cb,
	    &segs), -1);
	ck_assert_uint_eq(segs.n, 0);

	/* hdr_len is ignored; NEEDS_CSUM off still segments */
	memcpy(frame, orig, len);
	vh = good;
	vh.hdr_len = 0xffff;
	vh.flags = 0;
	ck_assert_int_eq(gso_segment(&vh, frame, len, 1500, collect_cb,
	    &segs), 0);
	ck_assert_uint_eq(check_tcp(frame, len, 1500, 1448), 4);
	segs_free(&segs);

	/* a failing emit stops the train */
	segs.stop_after = 2;
	ck_assert_int_eq(gso_segment(&vh, frame, len, 1500, collect_cb,
	    &segs), -1);
	ck_assert_uint_eq(segs.n, 2);
	segs.stop_after = 0;
	segs_free(&segs);
#undef REJECT
}
END_TEST

static Suite *
gso_suite(void)
{
	Suite *s = suite_create("gso");
	TCase *tc = tcase_create("segment");

	tcase_add_test(tc, test_tso_64k);
	tcase_add_test(tc, test_tso_small_mtu);
	tcase_add_test(tc, test_uso);
	tcase_add_test(tc, test_segment_bogus);
	suite_add_tcase(s, tc);

	tc = tcase_create("csum");
	tcase_add_test(tc, test_csum_complete);
	tcase_add_test(tc, test_csum_complete_bogus);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(gso_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
