/* SPDX-License-Identifier: ISC */
/* Logging in the OpenBSD daemon style: stderr or syslog, lowercase messages. */
#ifndef HAIRPIND_LOG_H
#define HAIRPIND_LOG_H

#include <stdarg.h>

enum log_target { LOG_TARGET_STDERR, LOG_TARGET_SYSLOG };
enum log_level { LOG_LEVEL_ERR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

void log_init(const char *ident, enum log_target target, enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* log_warn() appends strerror(errno); log_warnx() does not. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An error the daemon cannot go on with, e.g. a bad config at start. */
void log_errx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Only at start-up or for a broken invariant: exits with status 3. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * log_ratelimit() - true at most @burst times per second for one call site.
 * @state: a static struct at the call site.
 */
struct log_rl {
	long sec;
	unsigned int count;
	unsigned long suppressed;
};
int log_ratelimit(struct log_rl *state, unsigned int burst);

#endif
