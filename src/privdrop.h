/* SPDX-License-Identifier: ISC */
/* Dropping privileges once setup is done: user change and capabilities. */
#ifndef HAIRPIND_PRIVDROP_H
#define HAIRPIND_PRIVDROP_H

/**
 * privdrop_prepare_dir() - give the control socket's directory to @user,
 * so that the daemon, no longer root, can still remove its socket at
 * exit. A directory that holds anything but the socket or is
 * world-writable or sticky (/run, /tmp) is never handed to another user:
 * it is left alone with a warning, and this still returns 0.
 * @dir: the directory
 * @user: user name or numeric uid
 * @cause: on failure, an allocated message (the caller frees)
 * Return: 0 or -1.
 */
int privdrop_prepare_dir(const char *dir, const char *user, char **cause);

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
