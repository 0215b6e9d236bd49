/* SPDX-License-Identifier: ISC */
/*
 * Logging to stderr or syslog, with levels and a per-call-site rate limit.
 * When stderr is systemd's journal stream, each message goes to the journal
 * as one entry with its priority.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_SYSTEMD
/* CODE_FILE= and CODE_LINE= would name this file, not the caller. */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>
#endif

#include "log.h"

static enum log_target log_target = LOG_TARGET_STDERR;
static enum log_level log_level = LOG_LEVEL_INFO;
static const char *log_ident = "hairpind";
static bool log_journal;	/* stderr is the journal's stream */
static bool log_native;		/* and journald's native socket is there */

/*
 * True when stderr is the stream systemd connected to journald: it sets
 * JOURNAL_STREAM to that stream's device and inode (systemd.exec(5)), and
 * they must match stderr, not merely be inherited by a child whose stderr
 * was redirected.
 */
static bool
log_stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (e == NULL || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) == -1)
		return false;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

void
log_init(const char *ident, enum log_target target, enum log_level level)
{
	if (log_target == LOG_TARGET_SYSLOG && target != LOG_TARGET_SYSLOG)
		closelog();
	log_ident = ident;
	log_target = target;
	log_level = level;
	log_journal = target == LOG_TARGET_STDERR && log_stderr_is_journal();
	/* sd_journal_send() reports success when the socket is missing. */
	log_native = log_journal &&
	    access("/run/systemd/journal/socket", F_OK) == 0;
	if (target == LOG_TARGET_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

/*
 * A message for the journal: through its native protocol, one entry however
 * many lines it has (a config error's source line and caret included);
 * failing that, or without libsystemd, each line with the sd-daemon "<N>"
 * prefix that journald turns into the entry's priority.
 */
static void
log_journal_write(int prio, const char *msg)
{
	const char *p, *nl;

#ifdef HAVE_SYSTEMD
	if (log_native && sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", prio,
	    "SYSLOG_IDENTIFIER=%s", log_ident, NULL) >= 0)
		return;
#endif
	for (p = msg;; p = nl + 1) {
		nl = strchr(p, '\n');
		fprintf(stderr, "<%d>%.*s\n", prio,
		    (int)(nl != NULL ? nl - p : (ptrdiff_t)strlen(p)), p);
		if (nl == NULL || nl[1] == '\0')
			break;
	}
}

static void
log_vwrite(int prio, const char *fmt, va_list ap, const char *suffix)
{
	char buf[4096], msg[4096 + 256];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (log_target == LOG_TARGET_SYSLOG) {
		if (suffix != NULL)
			syslog(prio, "%s: %s", buf, suffix);
		else
			syslog(prio, "%s", buf);
		return;
	}
	if (log_journal) {
		size_t len;

		if (suffix != NULL)
			snprintf(msg, sizeof(msg), "%s: %s", buf, suffix);
		else
			snprintf(msg, sizeof(msg), "%s", buf);
		len = strlen(msg);
		while (len > 0 && msg[len - 1] == '\n')
			msg[--len] = '\0';
		log_journal_write(prio, msg);
		return;
	}
	if (suffix != NULL)
		fprintf(stderr, "%s: %s: %s\n", log_ident, buf, suffix);
	else
		fprintf(stderr, "%s: %s\n", log_ident, buf);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	if (log_level < LOG_LEVEL_WARN)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	if (log_level < LOG_LEVEL_WARN)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_errx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_ERR, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_level < LOG_LEVEL_INFO)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_level < LOG_LEVEL_DEBUG)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, fmt, ap, strerror(saved));
	va_end(ap);
	exit(3);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(3);
}

int
log_ratelimit(struct log_rl *st, unsigned int burst)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	if (ts.tv_sec != st->sec) {
		if (st->suppressed > 0)
			log_warnx("%lu similar messages suppressed", st->suppressed);
		st->sec = ts.tv_sec;
		st->count = 0;
		st->suppressed = 0;
	}
	if (st->count < burst) {
		st->count++;
		return 1;
	}
	st->suppressed++;
	return 0;
}
