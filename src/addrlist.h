/* SPDX-License-Identifier: ISC */
/*
 * Firewall address lists (/ip firewall address-list): named sets of
 * addresses, prefixes and ranges that src-address-list= and
 * dst-address-list= match, and that add-src-to-address-list /
 * add-dst-to-address-list grow at run time with a timeout.
 *
 * Two parts. The configured entries belong to the config (struct
 * addrlist_set): per list, sorted and merged intervals searched in
 * O(log n). The dynamic entries belong to the process: one bounded open
 * addressing hash keyed by (list, address), so they survive a reload, and
 * expire by timeout. Lists are named by interned ids (names.c).
 */
#ifndef HAIRPIND_ADDRLIST_H
#define HAIRPIND_ADDRLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADDRLIST_DYN_MAX_DEFAULT 65536

/* One configured entry, as written (for `address-lists`). */
struct addrlist_ent {
	uint16_t list;
	uint32_t lo, hi;	/* host order, inclusive */
	uint32_t timeout;	/* s; 0: static. Else added as dynamic */
	char *comment;		/* may be NULL */
	bool disabled;
};

struct addrlist_set;

struct addrlist_set *addrlist_set_new(void);
void addrlist_set_free(struct addrlist_set *s);
/* addrlist_set_add() - one entry; @comment is copied. */
void addrlist_set_add(struct addrlist_set *s, uint16_t list, uint32_t lo,
    uint32_t hi, uint32_t timeout, const char *comment, bool disabled);
/* addrlist_set_finish() - sort and merge; call once after the adds. */
void addrlist_set_finish(struct addrlist_set *s);
/* Entries as configured, in order. */
const struct addrlist_ent *addrlist_set_entries(const struct addrlist_set *s,
    int *n);

/**
 * addrlist_use() - make @s the configured part (the caller keeps it alive
 * until the next call). Entries with a timeout become dynamic entries
 * unless the address is in their list already, so a reload does not
 * extend them.
 */
void addrlist_use(const struct addrlist_set *s, uint64_t now_ms);

/* addrlist_set_max() - bound of dynamic entries (reload may change it). */
void addrlist_set_max(uint32_t max);

/* addrlist_match() - is @addr (network order) in list @id now? */
bool addrlist_match(uint16_t id, uint32_t addr, uint64_t now_ms);

/**
 * addrlist_add() - add or refresh a dynamic entry. @timeout_s 0 means no
 * timeout (none-dynamic); @keep marks it as none-static.
 * Return: 0, or -1 when the dynamic table is full (counted).
 */
int addrlist_add(uint16_t id, uint32_t addr, uint32_t timeout_s, bool keep,
    uint64_t now_ms);

/* addrlist_expire() - drop at most @budget expired dynamic entries. */
void addrlist_expire(uint64_t now_ms, unsigned int budget);

/* addrlist_flush() - every dynamic entry (tests, shutdown). */
void addrlist_flush(void);

/* A row of `address-lists`: configured entries first, then dynamic. */
struct addrlist_row {
	uint16_t list;
	uint32_t lo, hi;	/* host order */
	bool dynamic;
	int64_t timeout_ms;	/* left; -1: none */
	const char *comment;
};
typedef int (*addrlist_iter_fn)(void *arg, const struct addrlist_row *row);
void addrlist_foreach(addrlist_iter_fn fn, void *arg, uint64_t now_ms);

struct addrlist_counters {
	uint32_t dynamic;	/* entries now */
	uint64_t added, expired, full;
};
const struct addrlist_counters *addrlist_counters(void);

#endif
