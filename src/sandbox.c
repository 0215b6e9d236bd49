/* SPDX-License-Identifier: ISC */
/* seccomp: the system calls the loop and a reload may make, nothing else. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <stdbool.h>

#include <seccomp.h>

#include "sandbox.h"
#include "xmalloc.h"

/* Plain allow, whatever the arguments. */
static const int sandbox_allow[] = {
	/* descriptors the daemon holds: TAPs, control clients, syslog */
	SCMP_SYS(read), SCMP_SYS(readv), SCMP_SYS(pread64),
	SCMP_SYS(write), SCMP_SYS(writev),
	SCMP_SYS(recvfrom), SCMP_SYS(recvmsg), SCMP_SYS(recvmmsg),
	SCMP_SYS(sendto), SCMP_SYS(sendmsg), SCMP_SYS(sendmmsg),
	SCMP_SYS(close), SCMP_SYS(shutdown), SCMP_SYS(lseek),
	SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(connect),
	SCMP_SYS(getsockname), SCMP_SYS(getpeername), SCMP_SYS(getsockopt),
	SCMP_SYS(setsockopt), SCMP_SYS(fcntl), SCMP_SYS(dup), SCMP_SYS(dup3),
	SCMP_SYS(pipe2), SCMP_SYS(eventfd2), SCMP_SYS(fstat),
	SCMP_SYS(newfstatat), SCMP_SYS(statx), SCMP_SYS(fstatfs),
	SCMP_SYS(unlinkat),	/* the socket at exit (EACCES as user:) */
	/* the loop; the TAP ring (set up and restricted before the filter) */
	SCMP_SYS(io_uring_enter),
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl),
	SCMP_SYS(epoll_create1), SCMP_SYS(poll), SCMP_SYS(ppoll),
	SCMP_SYS(select), SCMP_SYS(pselect6),
	SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday), SCMP_SYS(time),
	SCMP_SYS(nanosleep), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(sigaltstack),
	SCMP_SYS(restart_syscall), SCMP_SYS(sched_yield),
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getuid),
	SCMP_SYS(geteuid), SCMP_SYS(getgid), SCMP_SYS(getegid),
	SCMP_SYS(getrandom), SCMP_SYS(uname), SCMP_SYS(sysinfo),
	SCMP_SYS(getrusage), SCMP_SYS(wait4), SCMP_SYS(getpriority),
	SCMP_SYS(setpriority),	/* dataplane.nice on reload (the kernel
				   still refuses a raise without the cap) */
	/* memory */
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
	SCMP_SYS(mprotect), SCMP_SYS(mmap),
	/* threads (the reload parser) and their end */
	SCMP_SYS(futex), SCMP_SYS(set_robust_list), SCMP_SYS(rseq),
	SCMP_SYS(sched_getaffinity), SCMP_SYS(exit), SCMP_SYS(exit_group),
	/* abort() on a broken invariant */
	SCMP_SYS(tgkill), SCMP_SYS(rt_sigtimedwait),
};

static int
sandbox_rule(scmp_filter_ctx ctx, int sys, unsigned int n,
    const struct scmp_arg_cmp *cmp)
{
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, sys, n, cmp);
}

int
sandbox_apply(bool inet, char **cause)
{
	/* namespaces: a thread, never a new namespace */
	const uint64_t nsflags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
	    CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP |
	    CLONE_NEWTIME;
	/* O_TMPFILE carries O_DIRECTORY, which a read-only open may use */
	const uint64_t wflags = O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND |
	    (O_TMPFILE & ~O_DIRECTORY);
	scmp_filter_ctx ctx;
	struct scmp_arg_cmp c;
	size_t i;
	int rc = 0;

	*cause = NULL;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		xasprintf(cause, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -1;
	}
	ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (ctx == NULL) {
		xasprintf(cause, "seccomp_init failed");
		return -1;
	}
	for (i = 0; i < sizeof(sandbox_allow) / sizeof(sandbox_allow[0]) &&
	    rc == 0; i++)
		rc = sandbox_rule(ctx, sandbox_allow[i], 0, NULL);
	/* files: read only (the configuration on reload) */
	if (rc == 0) {
		c = SCMP_A2(SCMP_CMP_MASKED_EQ, wflags, O_RDONLY);
		rc = sandbox_rule(ctx, SCMP_SYS(openat), 1, &c);
	}
	if (rc == 0) {
		c = SCMP_A1(SCMP_CMP_MASKED_EQ, wflags, O_RDONLY);
		rc = sandbox_rule(ctx, SCMP_SYS(open), 1, &c);
	}
	/* sockets: AF_UNIX only (syslog, sd_notify) */
	if (rc == 0) {
		c = SCMP_A0(SCMP_CMP_EQ, AF_UNIX);
		rc = sandbox_rule(ctx, SCMP_SYS(socket), 1, &c);
	}
	/*
	 * The resolver's upstream queries: IPv4 sockets, bound to the
	 * router's address, only when the daemon lives in its private DNS
	 * namespace (dns_punt.c), where they reach nothing but hairpind's
	 * own TUN; never in the host's namespace.
	 */
	if (rc == 0 && inet) {
		c = SCMP_A0(SCMP_CMP_EQ, AF_INET);
		rc = sandbox_rule(ctx, SCMP_SYS(socket), 1, &c);
		if (rc == 0)
			rc = sandbox_rule(ctx, SCMP_SYS(bind), 0, NULL);
		if (rc == 0)
			rc = sandbox_rule(ctx, SCMP_SYS(listen), 0, NULL);
	}
	/* threads only: clone with CLONE_THREAD and no namespace flag (no
	   fork, no new namespace); clone3 hides its flags in memory, so it
	   fails with ENOSYS and glibc falls back to clone */
	if (rc == 0) {
		c = SCMP_A0(SCMP_CMP_MASKED_EQ, nsflags | CLONE_THREAD,
		    CLONE_THREAD);
		rc = sandbox_rule(ctx, SCMP_SYS(clone), 1, &c);
	}
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
		    SCMP_SYS(clone3), 0);
	/* ioctl: what libevent and stdio ask (bytes waiting, a tty?) */
	if (rc == 0) {
		c = SCMP_A1(SCMP_CMP_EQ, FIONREAD);
		rc = sandbox_rule(ctx, SCMP_SYS(ioctl), 1, &c);
	}
	if (rc == 0) {
		c = SCMP_A1(SCMP_CMP_EQ, TCGETS);
		rc = sandbox_rule(ctx, SCMP_SYS(ioctl), 1, &c);
	}
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0) {
		xasprintf(cause, "seccomp: %s", strerror(-rc));
		return -1;
	}
	return 0;
}
