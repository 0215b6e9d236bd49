/* SPDX-License-Identifier: ISC */
/* TAP I/O in batches through io_uring: see tapring.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <liburing.h>

#include "log.h"
#include "router.h"
#include "tap.h"
#include "tapring.h"
#include "xmalloc.h"

/* Linux 6.7; the headers of liburing 2.3 predate it. */
#ifndef IORING_OP_READ_MULTISHOT
#define IORING_OP_READ_MULTISHOT	49
#endif

#define TR_BGID		1		/* the one buffer group */
#define TR_SLOT		((ROUTER_HEADROOM + TAP_FRAME_MAX + 63) & ~63u)
#define TR_BR_SIZE	(TAPRING_BUFS * sizeof(struct io_uring_buf))
#define TR_SQ		256
#define TR_CQ		(4 * TAPRING_BUFS)

/* user_data: what completed. Writes carry their buffer, link and length. */
#define UD_READ		1ull
#define UD_WRITE	2ull
#define UD(kind, ifx, bid, len) \
	((kind) << 62 | (uint64_t)(ifx) << 48 | (uint64_t)(bid) << 32 | (len))
#define UD_KIND(u)	((u) >> 62)
#define UD_IF(u)	((int)(((u) >> 48) & 0xff))
#define UD_BID(u)	((unsigned int)(((u) >> 32) & 0xffff))
#define UD_LEN(u)	((uint32_t)(u))

struct tapring {
	struct io_uring ring;
	struct router *r;
	struct io_uring_buf_ring *br;
	uint8_t *mem;			/* TAPRING_BUFS slots of TR_SLOT */
	unsigned int returned;		/* buffers given back, not published */
	int cur;			/* buffer of the frame being handled */
	bool cur_sent;			/* ... and its write is queued */
	unsigned int queued;		/* SQEs not yet submitted */
	bool armed[CONF_MAX_IFACES];
	struct tapring_stats st;
};

static inline uint8_t *
slot(const struct tapring *tr, unsigned int bid)
{
	return tr->mem + (size_t)bid * TR_SLOT;
}

/* Give buffer @bid back to the kernel (published by tr_publish()). */
static void
tr_return(struct tapring *tr, unsigned int bid)
{
	io_uring_buf_ring_add(tr->br, slot(tr, bid) + ROUTER_HEADROOM,
	    TAP_FRAME_MAX, (unsigned short)bid,
	    io_uring_buf_ring_mask(TAPRING_BUFS), (int)tr->returned++);
}

static void
tr_publish(struct tapring *tr)
{
	if (tr->returned == 0)
		return;
	io_uring_buf_ring_advance(tr->br, (int)tr->returned);
	tr->returned = 0;
}

static void
tr_submit(struct tapring *tr)
{
	int rc;

	tr_publish(tr);
	if (tr->queued == 0)
		return;
	do
		rc = io_uring_submit(&tr->ring);
	while (rc == -EINTR);
	tr->st.enters++;
	if (rc < 0)
		log_warnx("io_uring_submit: %s", strerror(-rc));
	tr->queued = 0;
}

static struct io_uring_sqe *
tr_sqe(struct tapring *tr)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&tr->ring);

	if (sqe == NULL) {
		tr_submit(tr);
		sqe = io_uring_get_sqe(&tr->ring);
		if (sqe == NULL)
			fatalx("io_uring: no submission entry after submit");
	}
	tr->queued++;
	return sqe;
}

/* One multishot read on link @i, into the buffer group. */
static void
tr_arm(struct tapring *tr, int i)
{
	struct io_uring_sqe *sqe = tr_sqe(tr);

	io_uring_prep_rw(IORING_OP_READ_MULTISHOT, sqe, i, NULL, 0, 0);
	sqe->flags |= IOSQE_FIXED_FILE | IOSQE_BUFFER_SELECT;
	sqe->buf_group = TR_BGID;
	io_uring_sqe_set_data64(sqe, UD(UD_READ, i, 0, 0));
	tr->armed[i] = true;
	tr->st.rearms++;
}

/*
 * Debian's liburing 2.3 declares io_uring_register_restrictions() and
 * io_uring_enable_rings() but does not export them: the system call.
 */
static int
tr_register(struct tapring *tr, unsigned int op, void *arg, unsigned int n)
{
	long rc = syscall(__NR_io_uring_register, tr->ring.ring_fd, op, arg,
	    n);

	return rc < 0 ? -errno : (int)rc;
}

static int
tr_restrict(struct tapring *tr)
{
	struct io_uring_restriction res[4];

	memset(res, 0, sizeof(res));
	res[0].opcode = IORING_RESTRICTION_SQE_OP;
	res[0].sqe_op = IORING_OP_READ_MULTISHOT;
	res[1].opcode = IORING_RESTRICTION_SQE_OP;
	res[1].sqe_op = IORING_OP_WRITE;
	res[2].opcode = IORING_RESTRICTION_SQE_FLAGS_REQUIRED;
	res[2].sqe_flags = IOSQE_FIXED_FILE;
	res[3].opcode = IORING_RESTRICTION_SQE_FLAGS_ALLOWED;
	res[3].sqe_flags = IOSQE_FIXED_FILE | IOSQE_BUFFER_SELECT;
	return tr_register(tr, IORING_REGISTER_RESTRICTIONS, res, 4);
}

/* The provided-buffer ring, registered as group TR_BGID (liburing 2.3). */
static int
tr_buf_ring(struct tapring *tr)
{
	struct io_uring_buf_reg reg;
	void *m;
	int rc;

	m = mmap(NULL, TR_BR_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -errno;
	tr->br = m;
	io_uring_buf_ring_init(tr->br);
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (uintptr_t)m;
	reg.ring_entries = TAPRING_BUFS;
	reg.bgid = TR_BGID;
	if ((rc = io_uring_register_buf_ring(&tr->ring, &reg, 0)) < 0) {
		munmap(m, TR_BR_SIZE);
		return rc;
	}
	return 0;
}

struct tapring *
tapring_open(struct router *r, char **cause)
{
	struct io_uring_params p;
	struct io_uring_probe *probe;
	struct tapring *tr;
	int fds[CONF_MAX_IFACES], i, rc;
	unsigned int b;

	probe = io_uring_get_probe();
	if (probe == NULL) {
		xasprintf(cause, "io_uring unavailable (disabled, filtered "
		    "or not in this kernel)");
		return NULL;
	}
	rc = io_uring_opcode_supported(probe, IORING_OP_READ_MULTISHOT);
	io_uring_free_probe(probe);
	if (!rc) {
		xasprintf(cause, "io_uring has no multishot read (Linux 6.7)");
		return NULL;
	}
	tr = xcalloc(1, sizeof(*tr));
	tr->r = r;
	tr->cur = -1;
	memset(&p, 0, sizeof(p));
	/*
	 * COOP_TASKRUN: a frame that arrives while the loop runs does not
	 * interrupt it (an IPI, a hypercall on a VM); its read completes at
	 * the loop's next system call. A sleeping loop is still woken.
	 */
	p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_R_DISABLED |
	    IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN;
	p.cq_entries = TR_CQ;
	rc = io_uring_queue_init_params(TR_SQ, &tr->ring, &p);
	if (rc < 0) {
		xasprintf(cause, "io_uring_setup: %s", strerror(-rc));
		free(tr);
		return NULL;
	}
	tr->mem = mmap(NULL, (size_t)TAPRING_BUFS * TR_SLOT,
	    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (tr->mem == MAP_FAILED) {
		xasprintf(cause, "buffers: %s", strerror(errno));
		goto fail_ring;
	}
	if ((rc = tr_buf_ring(tr)) < 0) {
		xasprintf(cause, "provided buffers: %s", strerror(-rc));
		goto fail_mem;
	}
	for (b = 0; b < TAPRING_BUFS; b++)
		tr_return(tr, b);
	tr_publish(tr);
	for (i = 0; i < r->nifaces; i++)
		fds[i] = r->ifaces[i].fd;
	if ((rc = io_uring_register_files(&tr->ring, fds,
	    (unsigned int)r->nifaces)) < 0) {
		xasprintf(cause, "register the TAPs: %s", strerror(-rc));
		goto fail_br;
	}
	if ((rc = tr_restrict(tr)) < 0) {
		xasprintf(cause, "restrict the ring: %s", strerror(-rc));
		goto fail_br;
	}
	if ((rc = tr_register(tr, IORING_REGISTER_ENABLE_RINGS, NULL,
	    0)) < 0) {
		xasprintf(cause, "enable the ring: %s", strerror(-rc));
		goto fail_br;
	}
	for (i = 0; i < r->nifaces; i++) {
		tr_arm(tr, i);
		r->ifaces[i].tr = tr;
	}
	tr_submit(tr);
	return tr;
fail_br:
	io_uring_unregister_buf_ring(&tr->ring, TR_BGID);
	munmap(tr->br, TR_BR_SIZE);
fail_mem:
	munmap(tr->mem, (size_t)TAPRING_BUFS * TR_SLOT);
fail_ring:
	io_uring_queue_exit(&tr->ring);
	free(tr);
	return NULL;
}

void
tapring_close(struct tapring *tr)
{
	int i;

	if (tr == NULL)
		return;
	for (i = 0; i < tr->r->nifaces; i++)
		tr->r->ifaces[i].tr = NULL;
	/* the ring's exit cancels the reads and waits for the writes */
	io_uring_queue_exit(&tr->ring);
	munmap(tr->br, TR_BR_SIZE);
	munmap(tr->mem, (size_t)TAPRING_BUFS * TR_SLOT);
	free(tr);
}

int
tapring_fd(const struct tapring *tr)
{
	return tr->ring.ring_fd;
}

bool
tapring_tx(struct tapring *tr, struct iface *ifp, const uint8_t *frame,
    size_t len)
{
	struct io_uring_sqe *sqe;
	const uint8_t *s;

	if (tr->cur < 0 || tr->cur_sent)
		return false;
	s = slot(tr, (unsigned int)tr->cur);
	if (frame < s || frame + len > s + TR_SLOT)
		return false;
	sqe = tr_sqe(tr);
	io_uring_prep_write(sqe, ifp->idx, frame, (unsigned int)len, 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data64(sqe, UD(UD_WRITE, ifp->idx,
	    (unsigned int)tr->cur, (uint32_t)len));
	tr->cur_sent = true;
	tr->st.tx_queued++;
	return true;
}

void
tapring_flush(struct tapring *tr)
{
	tr_submit(tr);
}

static void
tr_write_done(struct tapring *tr, uint64_t ud, int res)
{
	tr_return(tr, UD_BID(ud));
	tap_tx_count(&tr->r->ifaces[UD_IF(ud)], UD_LEN(ud), res);
}

/* A frame (or the end of a multishot read) on link @i. */
static void
tr_read_done(struct tapring *tr, int i, int res, unsigned int flags)
{
	unsigned int bid;

	if (!(flags & IORING_CQE_F_MORE))
		tr->armed[i] = false;
	if (res < 0) {
		if (res == -ENOBUFS)
			tr->st.nobufs++;
		else if (res != -ECANCELED)
			log_warnx("%s: read: %s", tr->r->ifaces[i].conf->tap,
			    strerror(-res));
		return;
	}
	if (!(flags & IORING_CQE_F_BUFFER))
		return;
	bid = flags >> IORING_CQE_BUFFER_SHIFT;
	if (bid >= TAPRING_BUFS)
		fatalx("io_uring: buffer id %u out of range", bid);
	if (res > 0) {
		tr->st.rx_frames++;
		tr->cur = (int)bid;
		tr->cur_sent = false;
		router_input(tr->r, i, slot(tr, bid) + ROUTER_HEADROOM,
		    (size_t)res);
		tr->cur = -1;
		if (tr->cur_sent)
			return;		/* back when its write completes */
	}
	tr_return(tr, bid);
}

unsigned int
tapring_run(struct tapring *tr)
{
	struct io_uring_cqe *cqe;
	unsigned int frames = 0, seen = 0, head;
	int i;

	io_uring_for_each_cqe(&tr->ring, head, cqe) {
		uint64_t ud = io_uring_cqe_get_data64(cqe);

		seen++;
		if (UD_KIND(ud) == UD_WRITE) {
			tr_write_done(tr, ud, cqe->res);
			continue;
		}
		tr_read_done(tr, UD_IF(ud), cqe->res, cqe->flags);
		if (++frames == TAPRING_BUDGET)
			break;
	}
	io_uring_cq_advance(&tr->ring, seen);
	for (i = 0; i < tr->r->nifaces; i++)
		if (!tr->armed[i])
			tr_arm(tr, i);
	tr_submit(tr);
	return frames;
}

void
tapring_stats(const struct tapring *tr, struct tapring_stats *st)
{
	*st = tr->st;
}
