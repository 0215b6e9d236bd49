/* SPDX-License-Identifier: ISC */
/*
 * The daemon's own seccomp filter (libseccomp), installed once setup is
 * done and privileges are dropped, whether or not systemd adds its own.
 * An allow-list of what the event loop and a reload use; everything else
 * fails with EPERM. In particular: no unshare/setns, no fork, no clone
 * but of a thread, no namespace flags, no socket() but AF_UNIX (syslog, sd_notify), no open
 * for writing or creating, no ptrace, mount, bpf, keyctl, execve.
 */
#ifndef HAIRPIND_SANDBOX_H
#define HAIRPIND_SANDBOX_H

#include <stdbool.h>

/**
 * sandbox_apply() - install the filter on the calling process (and every
 * thread it starts later). PR_SET_NO_NEW_PRIVS must be set (privdrop_drop()
 * does) or is set here.
 * @inet: also allow IPv4 sockets (bind, listen): only for a daemon that
 *        lives in the resolver's private network namespace
 * @cause: on failure, an allocated message (the caller frees)
 * Return: 0 or -1.
 */
int sandbox_apply(bool inet, char **cause);

#endif
