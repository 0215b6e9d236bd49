/* SPDX-License-Identifier: ISC */
/* Dropping privileges once setup is done: user change and capabilities. */
#ifndef HAIRPIND_PRIVDROP_H
#define HAIRPIND_PRIVDROP_H

#include <stdbool.h>
#include <sys/types.h>

/* privdrop_user_is() - does @user (name or numeric uid) have uid @uid? */
bool privdrop_user_is(const char *user, uid_t uid);

/**
 * privdrop_reaper() - fork the helper that removes the control socket
 * once the daemon exits (the daemon, no longer root, may not write to the
 * socket's directory, which is never handed to `user:`: a user who can
 * write there could swap the socket for a symlink that root follows at
 * the next start). The helper keeps uid 0 and no capability, closes every
 * other descriptor and only waits for a pipe to close.
 * @dirfd: the socket's directory; @name: the socket's name in it
 * @cause: on failure, an allocated message (the caller frees)
 * Return: 0 or -1.
 */
int privdrop_reaper(int dirfd, const char *name, char **cause);

/* privdrop_reaper_finish() - at exit, after the socket is closed: let the
   reaper remove it and wait (at most a second) until it has. */
void privdrop_reaper_finish(void);

/**
 * privdrop_drop() - the last step of start-up: keep no capability.
 * @user: NULL to stay uid 0 without capabilities, or the user (name or
 *        numeric uid) to run as, with its primary group and no
 *        supplementary groups
 * @cause: on failure, an allocated message (the caller frees)
 *
 * Clears the effective, permitted, inheritable and ambient sets and the
 * bounding set, sets PR_SET_NO_NEW_PRIVS, and verifies the result.
 * Return: 0 or -1 (the caller should then exit: half-dropped is unsafe).
 */
int privdrop_drop(const char *user, char **cause);

#endif
