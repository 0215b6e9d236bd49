/* SPDX-License-Identifier: ISC */
/*
 * Interned names: address lists and marks (connection, packet, routing)
 * are written as names in RouterOS and compared as small integers on the
 * packet path. An id, once given, names the same string for the life of
 * the process, so a connection keeps its mark across reloads and a
 * dynamic address-list entry keeps its list. Id 0 is "no-mark"/none.
 *
 * The table only grows, bounded by NAMES_MAX per kind; the config loader
 * may run off the loop thread, so access is locked.
 */
#ifndef HAIRPIND_NAMES_H
#define HAIRPIND_NAMES_H

#include <stdint.h>

#define NAMES_MAX 4095

enum names_kind {
	NAMES_ADDRLIST,		/* /ip firewall address-list lists */
	NAMES_MARK,		/* connection, packet and routing marks */
	NAMES_KIND_COUNT
};

/**
 * names_intern() - the id of @name, adding it when new.
 * Return: 1..NAMES_MAX, or 0 when the table is full (the caller reports).
 */
uint16_t names_intern(enum names_kind kind, const char *name);

/* names_find() - the id of @name, 0 when it was never interned. */
uint16_t names_find(enum names_kind kind, const char *name);

/* names_str() - the name of @id, or NULL. */
const char *names_str(enum names_kind kind, uint16_t id);

/* names_count() - ids in use (the highest id). */
uint16_t names_count(enum names_kind kind);

#endif
