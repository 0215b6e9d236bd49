/* SPDX-License-Identifier: ISC */
/*
 * The JSON of the control socket's answers (ctl_json.c). Each builder
 * returns a new reference for json_object_set_new() and
 * json_array_append_new(); the addresses are in network order.
 */
#ifndef HAIRPIND_CTL_JSON_H
#define HAIRPIND_CTL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct ct_entry;
struct ct_stats;
struct router;
struct trace;

#define CTL_WORD_ECHO		64	/* bytes of a word quoted in an error */
#define CTL_JSON_FLAGS		(JSON_COMPACT | JSON_PRESERVE_ORDER)

/* A request line: valid UTF-8, no NUL or control bytes but tab. */
bool ctl_request_text_ok(const char *line, size_t len);

json_t *ctl_strn(const char *s, size_t len);	/* invalid UTF-8 -> '?' */
json_t *ctl_str(const char *s);			/* NULL: JSON null */
json_t *ctl_uint(uint64_t v);
/* @w for an error message: into @buf, cut at a character with "...". */
const char *ctl_echo(const char *w, char buf[CTL_WORD_ECHO]);
const char *ctl_ntop(uint32_t addr, char *buf);	/* INET_ADDRSTRLEN */
bool ctl_has_ports(uint8_t proto);
/* The number of a protocol the answers name ("tcp"), or -1. */
int ctl_proto_number(const char *name);
json_t *ctl_prefix(uint32_t addr, uint8_t plen);	/* "a.b.c.d/n" */
json_t *ctl_mac(const uint8_t *m);

/* The keys of a `conntrack` row and an `events` line into @o. */
void ctl_ct_fill(json_t *o, const struct ct_entry *e,
    const struct ct_stats *st, uint32_t now);
/* One `trace` line, as a string to free, or NULL. */
char *ctl_trace_dump(const struct router *r, const struct trace *t);

#endif
