/* SPDX-License-Identifier: ISC */
/*
 * The io_uring TAP path (tapring.c) on the real router with socketpairs
 * for TAPs: frames written into a link come out translated on the other,
 * read and written through the ring, many per system call, from the
 * buffer they were read into; frames the router makes itself (ARP
 * replies) take the plain write() after what was queued.
 */
#include <poll.h>
#include <sys/utsname.h>

#include "router_harness.h"
#include "tapring.h"

static struct tapring *tr;

static void
ring_setup(void)
{
	char *cause = NULL;
	struct utsname u;
	int maj = 0, min = 0;

	setup();
	tr = tapring_open(&R, &cause);
	if (tr != NULL)
		return;
	/* Only a kernel without multishot read (before 6.7) may say no. */
	uname(&u);
	sscanf(u.release, "%d.%d", &maj, &min);
	ck_assert_msg(maj < 6 || (maj == 6 && min < 7),
	    "tapring_open on Linux %s: %s", u.release, cause);
	fprintf(stderr, "check_tapring: skipped, Linux %s: %s\n", u.release,
	    cause);
	free(cause);
}

static void
ring_teardown(void)
{
	tapring_close(tr);
	tr = NULL;
	teardown();
}

/* Run the ring until @want frames were read, or a second went by. */
static unsigned int
run_until(unsigned int want)
{
	struct pollfd pfd = { .fd = tapring_fd(tr), .events = POLLIN };
	unsigned int got = 0;
	int i;

	for (i = 0; i < 100 && got < want; i++) {
		poll(&pfd, 1, 10);
		got += tapring_run(tr);
	}
	return got;
}

/* Into link @ifi from its far end, as the kernel's TAP would hand it. */
static void
peer_send(int ifi, const uint8_t *f, size_t len)
{
	ck_assert_int_eq(send(peer[ifi], f, len, 0), (ssize_t)len);
}

/* Both neighbours of the masquerade path, learnt through the ring. */
static void
ring_learn(void)
{
	uint8_t f[64];

	peer_send(WAN, f, arp_request(f, WAN, "1.1.1.254", isp_mac));
	peer_send(LAN, f, arp_request(f, LAN, "192.168.1.10", cli_mac));
	ck_assert_uint_eq(run_until(2), 2);
	ck_assert_uint_eq(rd(WAN), 10 + 42);	/* the replies */
	ck_assert_uint_eq(out[10 + 21], 2);
	ck_assert_uint_eq(rd(LAN), 10 + 42);
	ck_assert_uint_eq(out[10 + 21], 2);
}

static size_t
udp_out(uint8_t *f, uint16_t sport)
{
	uint8_t l4[64];

	return pkt_build(f, lan_mac, A("192.168.1.10"), A("2.2.2.2"),
	    IPPROTO_UDP, 64, l4, udp_build(l4, sport, 53, "query"));
}

START_TEST(test_forward_through_ring)
{
	struct tapring_stats st;
	uint8_t f[128];
	size_t n;

	if (tr == NULL)
		return;
	ring_learn();
	n = udp_out(f, 40000);
	peer_send(LAN, f, n);
	ck_assert_uint_eq(run_until(1), 1);
	/* the write completes in the kernel; its frame is on the WAN */
	ck_assert_uint_eq(rd(WAN), n);
	ck_assert_uint_eq(out_ip()->saddr, A("1.1.1.1"));
	ck_assert_uint_eq(out_ip()->daddr, A("2.2.2.2"));
	ck_assert_mem_eq(out + 10, isp_mac, 6);
	ck_assert(pkt_csums_ok(out + 24));
	tapring_stats(tr, &st);
	ck_assert_uint_eq(st.rx_frames, 3);
	ck_assert_uint_eq(st.tx_queued, 1);	/* the ARP replies were not */
	/* the write's completion is counted when it is reaped */
	poll(NULL, 0, 20);
	tapring_run(tr);
	ck_assert_uint_eq(R.ifaces[WAN].st.tx_packets, 2);
	ck_assert_uint_eq(R.ifaces[WAN].st.drops[DROP_TX_ERROR], 0);
}
END_TEST

/* Ten frames in, ten out, in order, and far fewer system calls. */
START_TEST(test_batch)
{
	struct tapring_stats a, b;
	uint8_t f[128];
	size_t n = 0;
	int i;

	if (tr == NULL)
		return;
	ring_learn();
	tapring_stats(tr, &a);
	for (i = 0; i < 10; i++) {
		n = udp_out(f, (uint16_t)(41000 + i));
		peer_send(LAN, f, n);
	}
	ck_assert_uint_eq(run_until(10), 10);
	tapring_stats(tr, &b);
	ck_assert_uint_eq(b.tx_queued - a.tx_queued, 10);
	ck_assert_uint_le(b.enters - a.enters, 5);
	for (i = 0; i < 10; i++) {
		ck_assert_uint_eq(rd(WAN), n);
		ck_assert_uint_eq(out_port(0), 41000 + i);
	}
	ck_assert_uint_eq(rd(WAN), 0);
}
END_TEST

/*
 * A frame that is not forwarded gives its buffer straight back: three
 * times as many frames as buffers, each a TCP ACK to a closed port of
 * the router (answered with a RST the router builds elsewhere), and the
 * ring never runs dry.
 */
START_TEST(test_buffers_come_back)
{
	struct tapring_stats st;
	uint8_t f[128], l4[64];
	size_t n;
	int i, sent = 0;

	if (tr == NULL)
		return;
	ring_learn();
	n = pkt_build(f, lan_mac, A("192.168.1.10"), A("192.168.1.1"),
	    IPPROTO_TCP, 64, l4, tcp_build(l4, 1234, 9, 1, 0, 0x10));
	while (sent < 3 * TAPRING_BUFS) {
		for (i = 0; i < 8; i++, sent++)
			peer_send(LAN, f, n);
		ck_assert_uint_eq(run_until(8), 8);
		drain(LAN);
	}
	tapring_stats(tr, &st);
	ck_assert_uint_eq(st.rx_frames, 2 + (uint64_t)sent);
	ck_assert_uint_eq(st.nobufs, 0);
	n = udp_out(f, 40001);
	peer_send(LAN, f, n);
	ck_assert_uint_eq(run_until(1), 1);
	ck_assert_uint_eq(rd(WAN), n);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tapring");
	TCase *tc = tcase_create("ring");
	SRunner *sr;
	int nf;

	tcase_add_checked_fixture(tc, ring_setup, ring_teardown);
	tcase_add_test(tc, test_forward_through_ring);
	tcase_add_test(tc, test_batch);
	tcase_add_test(tc, test_buffers_come_back);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
