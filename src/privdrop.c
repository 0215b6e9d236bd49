/* SPDX-License-Identifier: ISC */
/*
 * Privilege drop, the last stage of start-up (as passt's isolation.c,
 * staged and written down):
 *
 *   1. parse the configuration (as root, any capability);
 *   2. open every TAP, inside its netns when asked (CAP_NET_ADMIN,
 *      CAP_SYS_ADMIN for setns), and the control socket (chgrp needs
 *      CAP_CHOWN) in a directory that stays root's; with `user:`, fork
 *      the socket reaper (privdrop_reaper()), uid 0 without capabilities,
 *      which removes the socket once the daemon is gone;
 *   2b. with dns: configured, unshare into a private network namespace,
 *      make the resolver's TUN there and bind port 53 (dns_punt.c,
 *      CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_NET_BIND_SERVICE); the daemon
 *      stays in that namespace, so the sockets it opens later (upstream
 *      queries, TCP) need no capability;
 *   3. privdrop_drop(): change to `user:` when configured, and keep no
 *      capability at all, not even in the bounding set, with
 *      PR_SET_NO_NEW_PRIVS so no exec can give any back;
 *   4. run the loop.
 *
 * After the drop the daemon needs no capability: it reads and writes
 * descriptors it already holds, answers its socket and reads its
 * configuration file (which must stay readable by `user:`).
 *
 * What a reload can still do after the drop: rules (nat and filter),
 * routes, interface addresses, MAC and MTU, conntrack timeouts and limits,
 * log level, control.max-clients. What it cannot: a new interface, a
 * changed tap: or netns: (opening a TAP or entering a namespace needs
 * CAP_NET_ADMIN/CAP_SYS_ADMIN), a new control socket path, or a new
 * `user:`; router_reload() refuses such a file with a message saying so,
 * and the running configuration stays.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cap-ng.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "privdrop.h"
#include "xmalloc.h"

static int
privdrop_lookup(const char *user, uid_t *uid, gid_t *gid, char **cause)
{
	struct passwd *pw;
	unsigned long v = 0;
	const char *p;

	errno = 0;
	if ((pw = getpwnam(user)) != NULL) {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
		return 0;
	}
	/* A numeric uid without a passwd entry: its group is its uid. */
	for (p = user; *p >= '0' && *p <= '9' && v <= 0xffffffffUL; p++)
		v = v * 10 + (unsigned long)(*p - '0');
	if (*user != '\0' && *p == '\0' && v < 0xffffffffUL) {
		if ((pw = getpwuid((uid_t)v)) != NULL) {
			*uid = pw->pw_uid;
			*gid = pw->pw_gid;
		} else {
			*uid = (uid_t)v;
			*gid = (gid_t)v;
		}
		return 0;
	}
	xasprintf(cause, "user \"%s\": no such user", user);
	return -1;
}

bool
privdrop_user_is(const char *user, uid_t uid)
{
	char *cause = NULL;
	uid_t u;
	gid_t g;

	if (privdrop_lookup(user, &u, &g, &cause) == -1) {
		free(cause);
		return false;
	}
	return u == uid;
}

static pid_t reaper_pid = -1;
static int reaper_fd = -1;

/*
 * The reaper: uid 0 without any capability (the socket's directory is
 * root's, so removing a name in it needs none), every descriptor but two
 * closed, signals that stop the daemon ignored. It waits for the daemon's
 * end of a pipe to close, for whatever reason, then removes the socket if
 * the name still is a socket of root's, never following a symlink.
 */
static void __attribute__((noreturn))
privdrop_reaper_run(int rfd, int dirfd, const char *name)
{
	struct stat st;
	char c;
	ssize_t n;
	int lo = rfd < dirfd ? rfd : dirfd, hi = rfd < dirfd ? dirfd : rfd;

	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	if (lo > 3)
		close_range(3, (unsigned int)lo - 1, 0);
	if (hi > lo + 1)
		close_range((unsigned int)lo + 1, (unsigned int)hi - 1, 0);
	close_range((unsigned int)hi + 1, ~0u, 0);
	(void)prctl(PR_SET_NAME, "hairpind-reap", 0, 0, 0);
	capng_clear(CAPNG_SELECT_ALL);
	(void)capng_apply(CAPNG_SELECT_BOUNDS);
	(void)capng_apply(CAPNG_SELECT_CAPS);
	(void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	do
		n = read(rfd, &c, 1);
	while (n > 0 || (n == -1 && errno == EINTR));
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISSOCK(st.st_mode) && st.st_uid == geteuid())
		(void)unlinkat(dirfd, name, 0);
	_exit(0);
}

int
privdrop_reaper(int dirfd, const char *name, char **cause)
{
	int p[2];
	pid_t pid;

	*cause = NULL;
	if (dirfd == -1 || name == NULL || reaper_pid != -1)
		return 0;
	if (pipe2(p, O_CLOEXEC) == -1) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid == -1) {
		xasprintf(cause, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[1]);
		privdrop_reaper_run(p[0], dirfd, name);
	}
	close(p[0]);
	reaper_pid = pid;
	reaper_fd = p[1];
	return 0;
}

void
privdrop_reaper_finish(void)
{
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	int i, status;

	if (reaper_pid == -1)
		return;
	close(reaper_fd);
	reaper_fd = -1;
	/* it has one unlink to do: wait up to a second for it */
	for (i = 0; i < 200; i++) {
		pid_t w = waitpid(reaper_pid, &status, WNOHANG);

		if (w == reaper_pid || (w == -1 && errno != EINTR))
			break;
		nanosleep(&ts, NULL);
	}
	reaper_pid = -1;
}

/* After the drop: check rather than trust that it happened. */
static int
privdrop_verify(bool change, bool bounds, uid_t uid, gid_t gid,
    char **cause)
{
	if (change && (getuid() != uid || geteuid() != uid ||
	    getgid() != gid || getegid() != gid)) {
		xasprintf(cause, "still running as uid %u/%u gid %u/%u",
		    (unsigned int)getuid(), (unsigned int)geteuid(),
		    (unsigned int)getgid(), (unsigned int)getegid());
		return -1;
	}
	if (change && uid != 0 && setuid(0) != -1) {
		xasprintf(cause, "could regain uid 0");
		return -1;
	}
	if (capng_get_caps_process() != 0) {
		xasprintf(cause, "cannot read capabilities");
		return -1;
	}
	if (capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE) {
		xasprintf(cause, "capabilities remain after the drop");
		return -1;
	}
	if (bounds &&
	    capng_have_capabilities(CAPNG_SELECT_BOUNDS) != CAPNG_NONE) {
		xasprintf(cause, "the capability bounding set is not empty");
		return -1;
	}
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) {
		xasprintf(cause, "no_new_privs is not set");
		return -1;
	}
	return 0;
}

static bool
privdrop_have_any(void)
{
	if (capng_get_caps_process() != 0)
		return true;
	return capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE;
}

int
privdrop_drop(const char *user, char **cause)
{
	bool change = user != NULL, bounds = false;
	uid_t uid = 0;
	gid_t gid = 0;
	int rc;

	*cause = NULL;
	if (change && privdrop_lookup(user, &uid, &gid, cause) == -1)
		return -1;

	if (change && !(getuid() == uid && geteuid() == uid &&
	    getgid() == gid && getegid() == gid)) {
		/*
		 * Clear everything, then change uid, gid and groups while
		 * libcap-ng keeps just enough to do it; it clears the
		 * bounding set before giving up CAP_SETPCAP.
		 */
		capng_clear(CAPNG_SELECT_ALL);
		rc = capng_change_id((int)uid, (int)gid,
		    CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
		if (rc != 0) {
			xasprintf(cause, "cannot change to user %s (uid %u): "
			    "capng_change_id error %d%s", user,
			    (unsigned int)uid, rc, geteuid() != 0 ?
			    " (not started as root)" : "");
			return -1;
		}
		bounds = true;
	} else if (privdrop_have_any()) {
		/*
		 * Staying root (or already the user): keep no capability.
		 * Bounding set first, while CAP_SETPCAP is still ours.
		 */
		capng_clear(CAPNG_SELECT_ALL);
		if (capng_apply(CAPNG_SELECT_BOUNDS) != 0) {
			xasprintf(cause, "cannot clear the capability "
			    "bounding set");
			return -1;
		}
		if (capng_apply(CAPNG_SELECT_CAPS) != 0) {
			xasprintf(cause, "cannot clear capabilities");
			return -1;
		}
		/* Ambient capabilities are cleared with the permitted set
		   by the kernel; this is belt and braces. */
		(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
		bounds = true;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		xasprintf(cause, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -1;
	}
	if (privdrop_verify(change, bounds, uid, gid, cause) == -1)
		return -1;
	if (change)
		log_info("running as %s (uid %u), no capabilities", user,
		    (unsigned int)uid);
	else
		log_debug("running without capabilities");
	return 0;
}
