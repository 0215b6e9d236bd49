/* SPDX-License-Identifier: ISC */
/*
 * What the control socket says: the router's objects (conntrack entries,
 * traced packets, addresses, protocols) as the JSON values of SPEC
 * section 7, and the text checks every request and string goes through
 * (JSON strings must be valid UTF-8). No I/O here; control.c owns the
 * clients.
 */
#include "config.h"

#include <sys/time.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "conf.h"
#include "ct.h"
#include "ctl_json.h"
#include "names.h"
#include "router.h"
#include "rule.h"
#include "trace.h"
#include "xmalloc.h"

/*
 * Length of the valid UTF-8 sequence at @s (at most @len bytes), or 0.
 * Overlong forms, surrogates and code points past U+10FFFF are invalid.
 */
static size_t
ctl_utf8_seq(const unsigned char *s, size_t len)
{
	uint32_t cp;
	size_t n, k;

	if (len == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 1;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 2;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 3;
		cp = s[0] & 0x07;
	} else
		return 0;
	if (len - 1 < n)
		return 0;
	for (k = 1; k <= n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[k] & 0x3f);
	}
	if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n + 1;
}

/* A request must be UTF-8 text: no NUL, no control bytes but tab. */
bool
ctl_request_text_ok(const char *line, size_t len)
{
	const unsigned char *s = (const unsigned char *)line;
	size_t i = 0, n;

	while (i < len) {
		if (s[i] < 0x80) {
			if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
				return false;
			i++;
			continue;
		}
		if ((n = ctl_utf8_seq(s + i, len - i)) == 0)
			return false;
		i += n;
	}
	return true;
}

/*
 * A JSON string for text that comes from files or the network (names,
 * rule text, error messages): jansson refuses invalid UTF-8, so such bytes
 * become '?' rather than losing the whole answer.
 */
json_t *
ctl_strn(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	json_t *j;
	char *copy;
	size_t i, n;

	if (s == NULL)
		return json_null();
	if ((j = json_stringn(s, len)) != NULL)
		return j;
	copy = xmalloc(len + 1);
	for (i = 0; i < len; ) {
		if (u[i] != 0 && (n = ctl_utf8_seq(u + i, len - i)) != 0) {
			memcpy(copy + i, s + i, n);
			i += n;
		} else
			copy[i++] = '?';
	}
	copy[len] = '\0';
	j = json_stringn(copy, len);
	free(copy);
	return j != NULL ? j : json_null();
}

json_t *
ctl_str(const char *s)
{
	return s == NULL ? json_null() : ctl_strn(s, strlen(s));
}

/* A fixed text field of struct trace: NULL when empty. */
static json_t *
ctl_text(const char *s, size_t size)
{
	size_t len = strnlen(s, size);

	return len == 0 ? json_null() : ctl_strn(s, len);
}

json_t *
ctl_uint(uint64_t v)
{
	return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

/* Copy a request word for an error message: short, cut at a character. */
const char *
ctl_echo(const char *w, char buf[CTL_WORD_ECHO])
{
	const unsigned char *u = (const unsigned char *)w;
	size_t i = 0, n, len = strlen(w);

	if (len < CTL_WORD_ECHO) {
		memcpy(buf, w, len + 1);
		return buf;
	}
	while ((n = ctl_utf8_seq(u + i, len - i)) != 0 &&
	    i + n < CTL_WORD_ECHO - 4)
		i += n;
	memcpy(buf, w, i);
	memcpy(buf + i, "...", 4);
	return buf;
}

const char *
ctl_ntop(uint32_t addr, char *buf)
{
	struct in_addr in = { .s_addr = addr };

	if (inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN) == NULL)
		snprintf(buf, INET_ADDRSTRLEN, "?");
	return buf;
}

bool
ctl_has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

static const struct {
	const char *name;
	uint8_t num;
} ctl_protos[] = {
	{ "icmp", IPPROTO_ICMP },
	{ "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },
	{ "gre", IPPROTO_GRE },
	{ "esp", IPPROTO_ESP },
	{ "ah", IPPROTO_AH },
	{ "sctp", IPPROTO_SCTP },
};

int
ctl_proto_number(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(ctl_protos) / sizeof(ctl_protos[0]); i++)
		if (strcmp(name, ctl_protos[i].name) == 0)
			return ctl_protos[i].num;
	return -1;
}

/* "tcp", "udp", "icmp" and a few more by name, other protocols by number. */
static json_t *
ctl_proto(uint8_t proto)
{
	size_t i;

	for (i = 0; i < sizeof(ctl_protos) / sizeof(ctl_protos[0]); i++)
		if (ctl_protos[i].num == proto)
			return json_string(ctl_protos[i].name);
	return json_integer(proto);
}

/* "A:PORT" for TCP and UDP (RouterOS style), plain "A" otherwise. */
static json_t *
ctl_endpoint(uint8_t proto, uint32_t addr, uint16_t port)
{
	char a[INET_ADDRSTRLEN], buf[INET_ADDRSTRLEN + 8];

	ctl_ntop(addr, a);
	if (!ctl_has_ports(proto))
		return json_string(a);
	snprintf(buf, sizeof(buf), "%s:%u", a, ntohs(port));
	return json_string(buf);
}

json_t *
ctl_prefix(uint32_t addr, uint8_t plen)
{
	char a[INET_ADDRSTRLEN], buf[INET_ADDRSTRLEN + 4];

	snprintf(buf, sizeof(buf), "%s/%u", ctl_ntop(addr, a), plen);
	return json_string(buf);
}

json_t *
ctl_mac(const uint8_t *m)
{
	char buf[18];

	snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x",
	    m[0], m[1], m[2], m[3], m[4], m[5]);
	return json_string(buf);
}

/* "SYN,ACK": names in header bit order, as tcpdump lists them. */
static json_t *
ctl_tcp_flags(uint8_t flags)
{
	static const char *const names[8] = {
		"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"
	};
	char buf[40];
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < 8; i++) {
		if ((flags & (1u << i)) == 0)
			continue;
		len += snprintf(buf + len, sizeof(buf) - len, "%s%s",
		    len > 0 ? "," : "", names[i]);
	}
	return json_string(buf);
}

void
ctl_ct_fill(json_t *o, const struct ct_entry *e, const struct ct_stats *st,
    uint32_t now)
{
	uint8_t p = e->orig.proto;

	json_object_set_new(o, "protocol", ctl_proto(p));
	json_object_set_new(o, "src-address",
	    ctl_endpoint(p, e->orig.src, e->orig.sport));
	json_object_set_new(o, "dst-address",
	    ctl_endpoint(p, e->orig.dst, e->orig.dport));
	json_object_set_new(o, "reply-src-address",
	    ctl_endpoint(p, e->reply.src, e->reply.sport));
	json_object_set_new(o, "reply-dst-address",
	    ctl_endpoint(p, e->reply.dst, e->reply.dport));
	if (p == IPPROTO_ICMP) {
		json_object_set_new(o, "icmp-id",
		    json_integer(ntohs(e->orig.sport)));
		json_object_set_new(o, "reply-icmp-id",
		    json_integer(ntohs(e->reply.sport)));
	}
	json_object_set_new(o, "tcp-state", p == IPPROTO_TCP ?
	    ctl_str(ct_tcp_state_name(e->tcp_state)) : json_null());
	json_object_set_new(o, "timeout",
	    json_integer(ct_timeout_left(e, now)));
	json_object_set_new(o, "srcnat",
	    json_boolean((e->flags & CT_F_SNAT) != 0));
	json_object_set_new(o, "dstnat",
	    json_boolean((e->flags & CT_F_DNAT) != 0));
	json_object_set_new(o, "seen-reply",
	    json_boolean((e->flags & CT_F_REPLIED) != 0));
	json_object_set_new(o, "assured",
	    json_boolean((e->flags & CT_F_ASSURED) != 0));
	json_object_set_new(o, "orig-packets",
	    ctl_uint(st != NULL ? st->packets[CT_DIR_ORIG] : 0));
	json_object_set_new(o, "orig-bytes",
	    ctl_uint(st != NULL ? st->bytes[CT_DIR_ORIG] : 0));
	json_object_set_new(o, "repl-packets",
	    ctl_uint(st != NULL ? st->packets[CT_DIR_REPLY] : 0));
	json_object_set_new(o, "repl-bytes",
	    ctl_uint(st != NULL ? st->bytes[CT_DIR_REPLY] : 0));
	if (router != NULL && router->ct != NULL) {
		uint16_t m = ct_mark(router->ct, e);

		json_object_set_new(o, "connection-mark", m != 0 ?
		    ctl_str(names_str(NAMES_MARK, m)) : json_null());
		json_object_set_new(o, "fasttracked",
		    json_boolean(ct_fasttracked(router->ct, e)));
	}
}

static const char *
ctl_chain_name(const struct router *r, const char *table,
    const struct rule *ru)
{
	const struct ruleset *rs;

	if (table == NULL || ru == NULL)
		return NULL;
	rs = strcmp(table, "nat") == 0 ? r->conf->nat :
	    strcmp(table, "mangle") == 0 ? r->conf->mangle :
	    strcmp(table, "raw") == 0 ? r->conf->raw : r->conf->filter;
	if (rs == NULL || ru->chain < 0 || ru->chain >= rs->nchains)
		return NULL;
	return rs->chains[ru->chain].name;
}

char *
ctl_trace_dump(const struct router *r, const struct trace *t)
{
	const struct ct_tuple *p = &t->pkt;
	struct timeval tv;
	json_t *o, *rules, *ro;
	char *s;
	int i;

	if ((o = json_object()) == NULL)
		return NULL;
	gettimeofday(&tv, NULL);
	json_object_set_new(o, "time",
	    json_real((double)tv.tv_sec + tv.tv_usec / 1e6));
	json_object_set_new(o, "in-interface", ctl_str(t->in_if));
	json_object_set_new(o, "protocol", ctl_proto(p->proto));
	json_object_set_new(o, "src-address",
	    ctl_endpoint(p->proto, p->src, p->sport));
	json_object_set_new(o, "dst-address",
	    ctl_endpoint(p->proto, p->dst, p->dport));
	json_object_set_new(o, "tcp-flags", p->proto == IPPROTO_TCP ?
	    ctl_tcp_flags(t->tcp_flags) : json_null());
	if (t->icmp_type >= 0) {
		json_object_set_new(o, "icmp-type",
		    json_integer(t->icmp_type));
		json_object_set_new(o, "icmp-code",
		    json_integer(t->icmp_code));
	}
	json_object_set_new(o, "len", json_integer(t->len));
	json_object_set_new(o, "conntrack", ctl_str(t->conntrack));
	rules = json_array();
	for (i = 0; i < t->nrules && i < TRACE_MAX_RULES; i++) {
		const struct trace_rule *tr = &t->rules[i];

		if (tr->rule == NULL)
			continue;
		ro = json_object();
		json_object_set_new(ro, "table", ctl_str(tr->table));
		json_object_set_new(ro, "chain",
		    ctl_str(ctl_chain_name(r, tr->table, tr->rule)));
		json_object_set_new(ro, "index", json_integer(tr->rule->index));
		json_object_set_new(ro, "rule", ctl_str(tr->rule->text));
		json_object_set_new(ro, "matched", json_boolean(tr->matched));
		json_array_append_new(rules, ro);
	}
	json_object_set_new(o, "rules", rules);
	json_object_set_new(o, "translation",
	    ctl_text(t->translation, sizeof(t->translation)));
	json_object_set_new(o, "route", ctl_text(t->route, sizeof(t->route)));
	json_object_set_new(o, "out-interface", ctl_str(t->out_if));
	json_object_set_new(o, "verdict",
	    ctl_text(t->verdict, sizeof(t->verdict)));
	if (t->note[0] != '\0')
		json_object_set_new(o, "note",
		    ctl_text(t->note, sizeof(t->note)));
	s = json_dumps(o, CTL_JSON_FLAGS);
	json_decref(o);
	return s;
}
