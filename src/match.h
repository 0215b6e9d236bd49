/* SPDX-License-Identifier: ISC */
/*
 * The registry of RouterOS firewall matchers: one row per property (key,
 * the tables that have it, parse, match, bind, free), so a new matcher is
 * one row and its functions, and routeros.c, rule.c and `rules` output all
 * read the same table. The classic matchers (src-address, dst-address,
 * protocol, src-port, dst-port, in-interface, out-interface,
 * connection-state, connection-nat-state, icmp-options) stay fields of
 * struct rule, tested inline on the hot path.
 *
 * Properties hairpind cannot honour (layer7-protocol, hotspot, bridge
 * ports, ...) are rows too, with the reason, so that a rule using one is a
 * clear error, never silently weaker.
 */
#ifndef HAIRPIND_MATCH_H
#define HAIRPIND_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rule.h"

/* Table bits for match_def.tables (1 << enum ros_table). */
#define MT_NAT		0x1
#define MT_FILTER	0x2
#define MT_MANGLE	0x4
#define MT_RAW		0x8
#define MT_ALL		0xf
#define MT_CT		0x7	/* needs conntrack: not in raw */

/* Address types for src-address-type / dst-address-type. */
#define ADDRT_UNICAST		0x01
#define ADDRT_LOCAL		0x02
#define ADDRT_BROADCAST		0x04
#define ADDRT_MULTICAST		0x08
#define ADDRT_BLACKHOLE		0x10
#define ADDRT_UNREACHABLE	0x20
#define ADDRT_PROHIBIT		0x40

/* connection-type: the NAT helper that made a related connection. */
enum match_ctype {
	CTYPE_NONE = 0,
	CTYPE_FTP, CTYPE_H323, CTYPE_IRC, CTYPE_PPTP, CTYPE_QUAKE3,
	CTYPE_SIP, CTYPE_TFTP,
	CTYPE_COUNT
};

struct match_def;

/* What parse and bind may consult: the config's interface lists. */
struct match_env {
	/* name -> member mask (bit per interface index), -1 unknown */
	int64_t (*iflist)(void *arg, const char *name);
	void *arg;
};

struct rule_match {
	const struct match_def *def;
	bool neg;
	char *text;		/* the value as written, without '!' */
	union {
		struct { uint64_t lo, hi; } range;
		uint32_t mask;
		uint16_t id;		/* address list, mark */
		struct { uint32_t set, unset; } flags;
		struct { uint8_t op; uint8_t val; } ttl;
		struct { uint8_t mac[6]; } mac;
		struct { uint8_t kind; uint32_t n, r; } pcc;
		struct { uint32_t every, nth; } nth;
		struct { uint32_t first, last; uint8_t days; } time;
		struct { int dir; bool ipsec; } ipsec;
	} u;
	void *state;		/* stateful matchers: limit, nth, psd, ... */
};

struct match_def {
	const char *key;
	unsigned int tables;	/* MT_* */
	bool negatable;
	const char *unsupported;	/* non-NULL: why hairpind refuses it */
	/* 0, or -1 with a message (without key or rule number) in @err */
	int (*parse)(struct rule_match *m, const char *val, char *err,
	    size_t errlen);
	/* resolve names once every section is read; may be NULL */
	int (*bind)(struct rule_match *m, const struct match_env *env,
	    char *err, size_t errlen);
	bool (*match)(struct rule_match *m, const struct rule_pkt *p);
	void (*free)(struct rule_match *m);
};

/* match_find() - the row for @key, or NULL. */
const struct match_def *match_find(const char *key);

/* match_keys() - every registry key, NULL-terminated (for suggestions). */
const char *const *match_keys(void);

/**
 * match_parse() - fill @m for @def from the value @val (a leading '!'
 * negates where the property allows it).
 * Return: 0, or -1 with a message in @err.
 */
int match_parse(struct rule_match *m, const struct match_def *def,
    const char *val, char *err, size_t errlen);

/* match_test() - does the packet match, negation applied? */
static inline bool
match_test(struct rule_match *m, const struct rule_pkt *p)
{
	return m->def->match(m, p) != m->neg;
}

/* match_free() - what @m owns (not @m itself). */
void match_free(struct rule_match *m);

/* match_ctype_name() - "ftp", ... for a helper id; NULL for none. */
const char *match_ctype_name(unsigned int ctype);

/* The PCC hash of a packet, exposed for tests. */
uint32_t match_pcc_hash(unsigned int kind, const struct rule_pkt *p);

/*
 * Parse helpers shared with the action arguments: a RouterOS time
 * ("1d", "00:05:00", "1h30m", "10s"), in seconds.
 */
int match_parse_time(const char *s, uint32_t *sec);

#endif
