/* SPDX-License-Identifier: ISC */
/* The RouterOS `key=value` rule language, pasted exports, and the ruleset builder. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "routeros.h"
#include "rule.h"
#include "xmalloc.h"

#define ROS_MAX_NAME 64		/* chain names, as a sane bound */

enum ros_key {
	K_CHAIN,
	K_ACTION,
	K_SRC_ADDRESS,
	K_DST_ADDRESS,
	K_PROTOCOL,
	K_SRC_PORT,
	K_DST_PORT,
	K_IN_INTERFACE,
	K_OUT_INTERFACE,
	K_CONNECTION_STATE,
	K_CONNECTION_NAT_STATE,
	K_ICMP_OPTIONS,
	K_TO_ADDRESSES,
	K_TO_PORTS,
	K_JUMP_TARGET,
	K_REJECT_WITH,
	K_LOG,
	K_LOG_PREFIX,
	K_COMMENT,
	K_DISABLED,
	K_RANDOMISE_PORTS,
	K_COUNT
};

/* The names users may write; to-address is RouterOS's own alias. */
static const struct {
	const char *name;
	enum ros_key key;
} ros_keys[] = {
	{ "chain", K_CHAIN },
	{ "action", K_ACTION },
	{ "src-address", K_SRC_ADDRESS },
	{ "dst-address", K_DST_ADDRESS },
	{ "protocol", K_PROTOCOL },
	{ "src-port", K_SRC_PORT },
	{ "dst-port", K_DST_PORT },
	{ "in-interface", K_IN_INTERFACE },
	{ "out-interface", K_OUT_INTERFACE },
	{ "connection-state", K_CONNECTION_STATE },
	{ "connection-nat-state", K_CONNECTION_NAT_STATE },
	{ "icmp-options", K_ICMP_OPTIONS },
	{ "to-addresses", K_TO_ADDRESSES },
	{ "to-ports", K_TO_PORTS },
	{ "jump-target", K_JUMP_TARGET },
	{ "reject-with", K_REJECT_WITH },
	{ "log", K_LOG },
	{ "log-prefix", K_LOG_PREFIX },
	{ "comment", K_COMMENT },
	{ "disabled", K_DISABLED },
	{ "randomise-ports", K_RANDOMISE_PORTS },
	{ "to-address", K_TO_ADDRESSES },
};
#define ROS_NKEYS (int)(sizeof(ros_keys) / sizeof(ros_keys[0]))

static const char *const ros_table_names[] = { "nat", "filter" };

static const char *const ros_builtin_chains[CHAIN_BUILTIN_COUNT + 1] = {
	[CHAIN_DSTNAT] = "dstnat",
	[CHAIN_SRCNAT] = "srcnat",
	[CHAIN_INPUT] = "input",
	[CHAIN_FORWARD] = "forward",
	[CHAIN_BUILTIN_COUNT] = NULL,
};

static const char *const ros_nat_actions[] = {
	"accept", "dst-nat", "src-nat", "masquerade", "netmap", "redirect",
	"endpoint-independent-nat", "passthrough", "jump", "return", "log",
	NULL
};
static const char *const ros_filter_actions[] = {
	"accept", "drop", "reject", "jump", "return", "log", "passthrough",
	NULL
};

static const char *const ros_reject_names[] = {
	[REJECT_ICMP_PORT_UNREACH] = "icmp-port-unreachable",
	[REJECT_ICMP_HOST_UNREACH] = "icmp-host-unreachable",
	[REJECT_ICMP_NET_UNREACH] = "icmp-net-unreachable",
	[REJECT_ICMP_ADMIN_PROHIBITED] = "icmp-admin-prohibited",
	[REJECT_TCP_RESET] = "tcp-reset",
	NULL
};

/* connection-state words in print order, with their bits. */
static const char *const ros_ct_names[] = {
	"established", "related", "new", "invalid", NULL
};
static const uint8_t ros_ct_bits[] = {
	RULE_CT_ESTABLISHED, RULE_CT_RELATED, RULE_CT_NEW, RULE_CT_INVALID
};
static const char *const ros_natst_names[] = { "srcnat", "dstnat", NULL };
static const uint8_t ros_natst_bits[] = { RULE_NAT_SRCNAT, RULE_NAT_DSTNAT };

static const char *const ros_proto_names[] = { "tcp", "udp", "icmp", NULL };

/* A rule while the table is being read: names not yet resolved. */
struct ros_pending {
	struct rule *r;
	int num;			/* 1-based number in the table */
	bool partial;			/* words were lost to syntax errors */
	char *chain;			/* NULL when missing */
	struct ros_pos chain_pos;
	char *jump;			/* jump-target, or NULL */
	struct ros_pos jump_pos;
	struct ros_pos pos, action_pos, outif_pos;
	bool has_outif;
};

struct ros_builder {
	enum ros_table table;
	const char *file;
	char **ifnames;
	int nifs;
	ros_error_fn err;
	void *arg;
	struct ros_pending *rules;
	int nrules, cap;
	int nerrors;
};

/* Where a logical line's bytes came from. */
struct ros_src {
	const char *s;
	size_t len;
	const size_t *offs;	/* logical offset -> text offset, or NULL */
	ros_map_fn map;
	void *marg;
};

/* A growing string for canonical rule text. */
struct ros_sbuf {
	char *s;
	size_t len, cap;
};

static void ros_err(struct ros_builder *b, struct ros_pos pos,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
ros_err(struct ros_builder *b, struct ros_pos pos, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		fatal("vasprintf");
	va_end(ap);
	b->nerrors++;
	if (b->err != NULL)
		b->err(b->arg, pos, msg);
	free(msg);
}

int
ros_edit_distance(const char *a, const char *b)
{
	/*
	 * Optimal string alignment: Levenshtein plus adjacent transposition,
	 * so "tpc" is one slip away from "tcp", as a typist would count.
	 */
	size_t la = strlen(a), lb = strlen(b), i, j;
	int d[3][65], *pp, *p, *c, best;

	if (la > 64 || lb > 64)
		return 1000;
	for (j = 0; j <= lb; j++)
		d[1][j] = (int)j;
	pp = d[0];
	p = d[1];
	c = d[2];
	for (i = 1; i <= la; i++) {
		c[0] = (int)i;
		for (j = 1; j <= lb; j++) {
			best = p[j - 1] + (a[i - 1] != b[j - 1]);
			if (p[j] + 1 < best)
				best = p[j] + 1;
			if (c[j - 1] + 1 < best)
				best = c[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && pp[j - 2] + 1 < best)
				best = pp[j - 2] + 1;
			c[j] = best;
		}
		{
			int *t = pp;

			pp = p;
			p = c;
			c = t;
		}
	}
	return p[lb];
}

const char *
ros_suggest(const char *word, const char *const *cands, int n)
{
	const char *best = NULL;
	int bestd = 3, i, d, limit;

	/* Within 2 edits, but no more than half the word: "foo" is not "log". */
	limit = (int)strlen(word) / 2;
	if (limit > 2)
		limit = 2;
	for (i = 0; n < 0 ? cands[i] != NULL : i < n; i++) {
		if (cands[i] == NULL)
			continue;
		/* A difference in case only is the likeliest slip. */
		d = strcasecmp(word, cands[i]) == 0 ? 1 :
		    ros_edit_distance(word, cands[i]);
		if (d <= limit && d < bestd) {
			bestd = d;
			best = cands[i];
		}
	}
	return best;
}

/* " (did you mean "X"?)" or " (expected ...)" into @buf. */
static const char *
ros_hint(char *buf, size_t len, const char *word, const char *const *cands,
    int n, const char *expected)
{
	const char *s = ros_suggest(word, cands, n);

	if (s != NULL)
		snprintf(buf, len, " (did you mean \"%s\"?)", s);
	else if (expected != NULL)
		snprintf(buf, len, " (expected %s)", expected);
	else
		buf[0] = '\0';
	return buf;
}

int
ros_parse_addr(const char *s, size_t len, uint32_t *addr)
{
	uint32_t a = 0;
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		unsigned int v = 0, nd = 0;

		while (i < len && s[i] >= '0' && s[i] <= '9' && nd < 4) {
			v = v * 10 + (unsigned int)(s[i] - '0');
			nd++;
			i++;
		}
		if (nd == 0 || nd > 3 || v > 255)
			return -1;
		a = a << 8 | v;
		if (part < 3) {
			if (i >= len || s[i] != '.')
				return -1;
			i++;
		}
	}
	if (i != len)
		return -1;
	*addr = a;
	return 0;
}

/* Decimal in [min, max], the whole of s[0..len). */
static int
ros_parse_uint(const char *s, size_t len, unsigned long min,
    unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 10)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static uint32_t
ros_plen_mask(int plen)
{
	return plen == 0 ? 0 : 0xffffffffu << (32 - plen);
}

/* Address, A.B.C.D/N (host bits ignored, as RouterOS does) or A-B. */
static int
ros_parse_range(const char *s, uint32_t *lo, uint32_t *hi)
{
	const char *slash = strchr(s, '/'), *dash = strchr(s, '-');
	size_t len = strlen(s);
	uint32_t a, b;

	if (slash != NULL) {
		unsigned long plen;

		if (ros_parse_addr(s, (size_t)(slash - s), &a) < 0 ||
		    ros_parse_uint(slash + 1, strlen(slash + 1), 0, 32,
		    &plen) < 0)
			return -1;
		*lo = a & ros_plen_mask((int)plen);
		*hi = *lo | ~ros_plen_mask((int)plen);
		return 0;
	}
	if (dash != NULL) {
		if (ros_parse_addr(s, (size_t)(dash - s), &a) < 0 ||
		    ros_parse_addr(dash + 1, strlen(dash + 1), &b) < 0 ||
		    a > b)
			return -1;
		*lo = a;
		*hi = b;
		return 0;
	}
	if (ros_parse_addr(s, len, &a) < 0)
		return -1;
	*lo = *hi = a;
	return 0;
}

/* N or N-M within [min, 65535]. */
static int
ros_parse_port_range(const char *s, size_t len, unsigned long min,
    uint16_t *lo, uint16_t *hi)
{
	const char *dash = memchr(s, '-', len);
	unsigned long a, b;

	if (dash == NULL) {
		if (ros_parse_uint(s, len, min, 65535, &a) < 0)
			return -1;
		*lo = *hi = (uint16_t)a;
		return 0;
	}
	if (ros_parse_uint(s, (size_t)(dash - s), min, 65535, &a) < 0 ||
	    ros_parse_uint(dash + 1, len - (size_t)(dash - s) - 1, min, 65535,
	    &b) < 0 || a > b)
		return -1;
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

/* Return: 0, -1 malformed, -2 too many items. */
static int
ros_parse_ports(const char *s, struct rule_ports *p)
{
	const char *item = s;

	p->n = 0;
	for (;;) {
		const char *comma = strchr(item, ',');
		size_t len = comma != NULL ? (size_t)(comma - item) :
		    strlen(item);

		if (p->n == RULE_MAX_PORT_RANGES)
			return -2;
		if (ros_parse_port_range(item, len, 0, &p->r[p->n].lo,
		    &p->r[p->n].hi) < 0)
			return -1;
		p->n++;
		if (comma == NULL)
			break;
		item = comma + 1;
	}
	p->set = true;
	return 0;
}

/* A comma list of words from @names into a mask; -1 and *@bad on error. */
static int
ros_parse_words(const char *s, const char *const *names,
    const uint8_t *bits, uint8_t *mask, char *bad, size_t badlen)
{
	const char *item = s;
	uint8_t m = 0;

	for (;;) {
		const char *comma = strchr(item, ',');
		size_t len = comma != NULL ? (size_t)(comma - item) :
		    strlen(item);
		int i;

		for (i = 0; names[i] != NULL; i++)
			if (strlen(names[i]) == len &&
			    strncmp(names[i], item, len) == 0)
				break;
		if (names[i] == NULL) {
			snprintf(bad, badlen, "%.*s", (int)len, item);
			return -1;
		}
		m |= bits[i];
		if (comma == NULL)
			break;
		item = comma + 1;
	}
	*mask = m;
	return 0;
}

static int
ros_parse_bool(const char *s, bool *out)
{
	if (strcasecmp(s, "yes") == 0 || strcasecmp(s, "true") == 0) {
		*out = true;
		return 0;
	}
	if (strcasecmp(s, "no") == 0 || strcasecmp(s, "false") == 0) {
		*out = false;
		return 0;
	}
	return -1;
}

int
ros_lookup(const char *const *names, const char *s)
{
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static int
ros_action_parse(const char *s, enum rule_action *a)
{
	static const enum rule_action acts[] = {
		RULE_ACCEPT, RULE_DROP, RULE_REJECT, RULE_DSTNAT,
		RULE_SRCNAT, RULE_MASQUERADE, RULE_NETMAP, RULE_REDIRECT,
		RULE_EIM, RULE_PASSTHROUGH, RULE_JUMP, RULE_RETURN,
		RULE_LOG,
	};
	size_t i;

	for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		if (strcmp(rule_action_name(acts[i]), s) == 0) {
			*a = acts[i];
			return 0;
		}
	}
	return -1;
}

static bool
ros_action_in_table(enum ros_table t, enum rule_action a)
{
	const char *const *list = t == ROS_NAT ? ros_nat_actions :
	    ros_filter_actions;

	return ros_lookup(list, rule_action_name(a)) >= 0;
}

static const char *
ros_action_list(enum ros_table t)
{
	return t == ROS_NAT ?
	    "accept, dst-nat, src-nat, masquerade, netmap, redirect, "
	    "endpoint-independent-nat, passthrough, jump, return or log" :
	    "accept, drop, reject, jump, return, log or passthrough";
}

struct ros_builder *
ros_builder_new(enum ros_table table, const char *file,
    char *const *ifnames, int nifs, ros_error_fn err, void *arg)
{
	struct ros_builder *b = xcalloc(1, sizeof(*b));
	int i;

	b->table = table;
	b->file = file;
	b->err = err;
	b->arg = arg;
	b->nifs = nifs;
	b->ifnames = xcalloc(nifs > 0 ? nifs : 1, sizeof(char *));
	for (i = 0; i < nifs; i++)
		b->ifnames[i] = xstrdup(ifnames[i]);
	return b;
}

static int
ros_iface_find(const struct ros_builder *b, const char *name)
{
	int i;

	for (i = 0; i < b->nifs; i++)
		if (strcmp(b->ifnames[i], name) == 0)
			return i;
	return -1;
}

/* Strip a leading '!' into *neg. */
static const char *
ros_neg(const char *v, bool *neg)
{
	*neg = v[0] == '!';
	return *neg ? v + 1 : v;
}

/* Parse one matcher or argument value into @r. */
static void
ros_rule_value(struct ros_builder *b, struct ros_pending *pd,
    enum ros_key k, const char *key, const char *val, struct ros_pos vpos)
{
	struct rule *r = pd->r;
	const char *tn = ros_table_names[b->table];
	const char *v;
	char hint[256], bad[64];
	bool neg;
	int rc, idx;

	switch (k) {
	case K_SRC_ADDRESS:
	case K_DST_ADDRESS: {
		struct rule_addr *a = k == K_SRC_ADDRESS ? &r->src : &r->dst;

		v = ros_neg(val, &neg);
		if (ros_parse_range(v, &a->lo, &a->hi) < 0) {
			ros_err(b, vpos, "invalid %s \"%s\" in %s rule %d "
			    "(expected A.B.C.D, A.B.C.D/N or A.B.C.D-E.F.G.H)",
			    key, val, tn, pd->num);
			return;
		}
		a->set = true;
		a->neg = neg;
		return;
	}
	case K_PROTOCOL: {
		unsigned long n;

		v = ros_neg(val, &neg);
		idx = ros_lookup(ros_proto_names, v);
		if (idx == 0)
			r->proto = IPPROTO_TCP;
		else if (idx == 1)
			r->proto = IPPROTO_UDP;
		else if (idx == 2)
			r->proto = IPPROTO_ICMP;
		else if (ros_parse_uint(v, strlen(v), 0, 255, &n) == 0)
			r->proto = (int)n;
		else {
			ros_err(b, vpos, "invalid protocol \"%s\" in %s rule "
			    "%d%s", val, tn, pd->num,
			    ros_hint(hint, sizeof(hint), v, ros_proto_names,
			    -1, "tcp, udp, icmp or a number 0-255"));
			return;
		}
		r->proto_neg = neg;
		return;
	}
	case K_SRC_PORT:
	case K_DST_PORT: {
		struct rule_ports *p = k == K_SRC_PORT ? &r->sport : &r->dport;

		v = ros_neg(val, &neg);
		rc = ros_parse_ports(v, p);
		if (rc == -2)
			ros_err(b, vpos, "too many port ranges in %s in %s "
			    "rule %d (at most %d)", key, tn, pd->num,
			    RULE_MAX_PORT_RANGES);
		else if (rc < 0)
			ros_err(b, vpos, "invalid %s \"%s\" in %s rule %d "
			    "(expected N, N-M or a comma list of them, "
			    "0-65535)", key, val, tn, pd->num);
		p->neg = neg;
		if (rc < 0)
			p->set = false;
		return;
	}
	case K_IN_INTERFACE:
	case K_OUT_INTERFACE:
		v = ros_neg(val, &neg);
		idx = ros_iface_find(b, v);
		if (idx < 0) {
			ros_err(b, vpos, "unknown interface \"%s\" in %s rule "
			    "%d%s", v, tn, pd->num,
			    ros_hint(hint, sizeof(hint), v,
			    (const char *const *)b->ifnames, b->nifs, NULL));
			return;
		}
		if (k == K_IN_INTERFACE) {
			r->in_if = idx;
			r->in_neg = neg;
		} else {
			r->out_if = idx;
			r->out_neg = neg;
		}
		return;
	case K_CONNECTION_STATE:
	case K_CONNECTION_NAT_STATE: {
		bool ct = k == K_CONNECTION_STATE;
		uint8_t mask;

		v = ros_neg(val, &neg);
		if (ros_parse_words(v, ct ? ros_ct_names : ros_natst_names,
		    ct ? ros_ct_bits : ros_natst_bits, &mask, bad,
		    sizeof(bad)) < 0) {
			ros_err(b, vpos, "invalid %s \"%s\" in %s rule %d%s",
			    key, bad, tn, pd->num,
			    ros_hint(hint, sizeof(hint), bad,
			    ct ? ros_ct_names : ros_natst_names, -1,
			    ct ? "new, established, related or invalid, "
			    "comma separated" :
			    "srcnat or dstnat, comma separated"));
			return;
		}
		if (ct) {
			r->ct_state = mask;
			r->ct_state_neg = neg;
		} else {
			r->nat_state = mask;
			r->nat_state_neg = neg;
		}
		return;
	}
	case K_ICMP_OPTIONS: {
		const char *colon;
		unsigned long t, c = 0;

		v = ros_neg(val, &neg);
		colon = strchr(v, ':');
		if (ros_parse_uint(v, colon != NULL ? (size_t)(colon - v) :
		    strlen(v), 0, 255, &t) < 0 || (colon != NULL &&
		    ros_parse_uint(colon + 1, strlen(colon + 1), 0, 255,
		    &c) < 0)) {
			ros_err(b, vpos, "invalid icmp-options \"%s\" in %s "
			    "rule %d (expected TYPE or TYPE:CODE, each 0-255)",
			    val, tn, pd->num);
			return;
		}
		r->icmp_type = (int)t;
		r->icmp_code = colon != NULL ? (int)c : -1;
		r->icmp_neg = neg;
		return;
	}
	case K_TO_ADDRESSES:
		if (ros_parse_range(val, &r->to_addr.lo, &r->to_addr.hi) < 0) {
			ros_err(b, vpos, "invalid to-addresses \"%s\" in %s "
			    "rule %d (expected A.B.C.D, A.B.C.D/N or "
			    "A.B.C.D-E.F.G.H)", val, tn, pd->num);
			return;
		}
		r->to_addr.set = true;
		return;
	case K_TO_PORTS:
		if (ros_parse_port_range(val, strlen(val), 1, &r->to_port_lo,
		    &r->to_port_hi) < 0) {
			ros_err(b, vpos, "invalid to-ports \"%s\" in %s rule "
			    "%d (expected N or N-M, 1-65535)", val, tn,
			    pd->num);
			return;
		}
		r->to_ports_set = true;
		return;
	case K_REJECT_WITH:
		idx = ros_lookup(ros_reject_names, val);
		if (idx < 0) {
			ros_err(b, vpos, "invalid reject-with \"%s\" in %s "
			    "rule %d%s", val, tn, pd->num,
			    ros_hint(hint, sizeof(hint), val, ros_reject_names,
			    -1, "icmp-port-unreachable, icmp-host-unreachable, "
			    "icmp-net-unreachable, icmp-admin-prohibited or "
			    "tcp-reset"));
			return;
		}
		r->reject_with = (enum rule_reject_with)idx;
		return;
	case K_LOG:
	case K_DISABLED:
	case K_RANDOMISE_PORTS: {
		bool yes;

		if (ros_parse_bool(val, &yes) < 0) {
			ros_err(b, vpos, "invalid %s \"%s\" in %s rule %d "
			    "(expected yes or no)", key, val, tn, pd->num);
			return;
		}
		if (k == K_LOG)
			r->log = yes;
		else if (k == K_DISABLED)
			r->disabled = yes;
		else
			r->randomise_ports = yes;
		return;
	}
	case K_LOG_PREFIX:
		free(r->log_prefix);
		r->log_prefix = xstrdup(val);
		return;
	case K_COMMENT:
		free(r->comment);
		r->comment = xstrdup(val);
		return;
	case K_CHAIN:
	case K_ACTION:
	case K_JUMP_TARGET:
	case K_COUNT:
		return;
	}
}

static bool
ros_name_ok(const char *s)
{
	size_t i, len = strlen(s);

	if (len == 0 || len > ROS_MAX_NAME)
		return false;
	for (i = 0; i < len; i++)
		if (isspace((unsigned char)s[i]) || s[i] == '"' ||
		    s[i] == '=' || s[i] == '!' || s[i] == ',')
			return false;
	return true;
}

static void
ros_add_items(struct ros_builder *b, const struct ros_item *items, int n,
    struct ros_pos pos, bool partial)
{
	const char *tn = ros_table_names[b->table];
	const struct ros_item *seen[K_COUNT];
	struct ros_pending *pd;
	struct rule *r;
	char hint[256];
	bool action_ok = true;
	int i, k;

	if (b->nrules == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->rules = xreallocarray(b->rules, b->cap, sizeof(*b->rules));
	}
	pd = &b->rules[b->nrules++];
	memset(pd, 0, sizeof(*pd));
	pd->num = b->nrules;
	pd->pos = pos;
	pd->action_pos = pos;
	pd->partial = partial;
	r = pd->r = xcalloc(1, sizeof(*r));
	r->index = pd->num - 1;
	r->proto = -1;
	r->in_if = r->out_if = -1;
	r->icmp_type = r->icmp_code = -1;
	r->jump_target = -1;
	r->action = RULE_ACCEPT;
	r->reject_with = REJECT_ICMP_PORT_UNREACH;
	r->loc.file = b->file;
	r->loc.line = pos.line;
	r->loc.col = pos.col;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < n; i++) {
		const struct ros_item *it = &items[i];
		const char *names[ROS_NKEYS + 1];

		for (k = 0; k < ROS_NKEYS; k++) {
			names[k] = ros_keys[k].name;
			if (strcmp(ros_keys[k].name, it->key) == 0)
				break;
		}
		if (k == ROS_NKEYS) {
			names[ROS_NKEYS] = NULL;
			ros_err(b, it->kpos, "unknown key \"%s\" in %s rule %d%s",
			    it->key, tn, pd->num, ros_hint(hint, sizeof(hint),
			    it->key, names, ROS_NKEYS, NULL));
			continue;
		}
		k = ros_keys[k].key;
		if (seen[k] != NULL) {
			ros_err(b, it->kpos, "duplicate key \"%s\" in %s rule %d",
			    it->key, tn, pd->num);
			continue;
		}
		seen[k] = it;
	}

	if (seen[K_CHAIN] != NULL) {
		const struct ros_item *it = seen[K_CHAIN];

		if (!ros_name_ok(it->val))
			ros_err(b, it->vpos, "invalid chain name \"%s\" in %s "
			    "rule %d", it->val, tn, pd->num);
		else {
			pd->chain = xstrdup(it->val);
			pd->chain_pos = it->vpos;
		}
	} else if (!partial) {
		ros_err(b, pos, "missing chain in %s rule %d", tn, pd->num);
	}

	if (seen[K_ACTION] != NULL) {
		const struct ros_item *it = seen[K_ACTION];
		const char *const *list = b->table == ROS_NAT ?
		    ros_nat_actions : ros_filter_actions;

		pd->action_pos = it->vpos;
		if (ros_action_parse(it->val, &r->action) < 0) {
			ros_err(b, it->vpos, "unknown action \"%s\" in %s rule "
			    "%d%s", it->val, tn, pd->num, ros_hint(hint,
			    sizeof(hint), it->val, list, -1,
			    ros_action_list(b->table)));
			action_ok = false;
		} else if (!ros_action_in_table(b->table, r->action)) {
			ros_err(b, it->vpos, "action %s is not allowed in %s "
			    "rule %d (expected %s)", it->val, tn, pd->num,
			    ros_action_list(b->table));
			action_ok = false;
		}
	}

	for (k = K_SRC_ADDRESS; k < K_COUNT; k++) {
		if (seen[k] == NULL || k == K_JUMP_TARGET)
			continue;
		ros_rule_value(b, pd, k, seen[k]->key, seen[k]->val,
		    seen[k]->vpos);
	}

	/* Keys that only make sense with some protocols, tables, actions. */
	for (k = K_SRC_PORT; k <= K_DST_PORT; k++) {
		if (seen[k] == NULL)
			continue;
		if (seen[K_PROTOCOL] != NULL && r->proto < 0)
			continue;	/* protocol already reported */
		if ((r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP) ||
		    r->proto_neg)
			ros_err(b, seen[k]->kpos, "%s needs protocol=tcp or "
			    "protocol=udp in %s rule %d", seen[k]->key, tn,
			    pd->num);
	}
	if (seen[K_ICMP_OPTIONS] != NULL) {
		if (b->table != ROS_FILTER)
			ros_err(b, seen[K_ICMP_OPTIONS]->kpos, "icmp-options "
			    "is only allowed in filter rules, not in %s rule "
			    "%d", tn, pd->num);
		else if ((seen[K_PROTOCOL] == NULL || r->proto >= 0) &&
		    (r->proto != IPPROTO_ICMP || r->proto_neg))
			ros_err(b, seen[K_ICMP_OPTIONS]->kpos, "icmp-options "
			    "needs protocol=icmp in %s rule %d", tn, pd->num);
	}
	if (seen[K_REJECT_WITH] != NULL) {
		if (b->table != ROS_FILTER)
			ros_err(b, seen[K_REJECT_WITH]->kpos, "reject-with "
			    "is only allowed in filter rules, not in %s rule "
			    "%d", tn, pd->num);
		else if (action_ok && r->action != RULE_REJECT)
			ros_err(b, seen[K_REJECT_WITH]->kpos, "reject-with "
			    "needs action=reject in %s rule %d", tn, pd->num);
	}
	if (seen[K_RANDOMISE_PORTS] != NULL && b->table != ROS_NAT)
		ros_err(b, seen[K_RANDOMISE_PORTS]->kpos, "randomise-ports "
		    "is only allowed in nat rules, not in %s rule %d", tn,
		    pd->num);
	if (seen[K_OUT_INTERFACE] != NULL) {
		pd->has_outif = true;
		pd->outif_pos = seen[K_OUT_INTERFACE]->kpos;
	}

	if (seen[K_JUMP_TARGET] != NULL) {
		const struct ros_item *it = seen[K_JUMP_TARGET];

		if (action_ok && r->action != RULE_JUMP)
			ros_err(b, it->kpos, "jump-target needs action=jump "
			    "in %s rule %d", tn, pd->num);
		else if (!ros_name_ok(it->val))
			ros_err(b, it->vpos, "invalid jump-target \"%s\" in %s "
			    "rule %d", it->val, tn, pd->num);
		else {
			pd->jump = xstrdup(it->val);
			pd->jump_pos = it->vpos;
		}
	}
	if (!action_ok)
		return;
	switch (r->action) {
	case RULE_DSTNAT:
	case RULE_SRCNAT:
	case RULE_NETMAP:
		if (seen[K_TO_ADDRESSES] == NULL && !partial)
			ros_err(b, pd->action_pos, "action=%s needs "
			    "to-addresses in %s rule %d",
			    rule_action_name(r->action), tn, pd->num);
		break;
	case RULE_JUMP:
		if (seen[K_JUMP_TARGET] == NULL && !partial)
			ros_err(b, pd->action_pos, "action=jump needs "
			    "jump-target in %s rule %d", tn, pd->num);
		break;
	default:
		break;
	}
	if (seen[K_TO_ADDRESSES] != NULL && r->action != RULE_DSTNAT &&
	    r->action != RULE_SRCNAT && r->action != RULE_NETMAP &&
	    r->action != RULE_EIM)
		ros_err(b, seen[K_TO_ADDRESSES]->kpos, "%s is not used by "
		    "action=%s in %s rule %d", seen[K_TO_ADDRESSES]->key,
		    rule_action_name(r->action), tn, pd->num);
	if (seen[K_TO_PORTS] != NULL && r->action != RULE_DSTNAT &&
	    r->action != RULE_SRCNAT && r->action != RULE_MASQUERADE &&
	    r->action != RULE_REDIRECT && r->action != RULE_EIM)
		ros_err(b, seen[K_TO_PORTS]->kpos, "to-ports is not used by "
		    "action=%s in %s rule %d", rule_action_name(r->action),
		    tn, pd->num);
}

void
ros_builder_add(struct ros_builder *b, const struct ros_item *items, int n,
    struct ros_pos pos)
{
	ros_add_items(b, items, n, pos, false);
}

void
ros_builder_add_invalid(struct ros_builder *b, struct ros_pos pos)
{
	ros_add_items(b, NULL, 0, pos, true);
}

static struct ros_pos
ros_src_pos(const struct ros_src *src, size_t off)
{
	struct ros_pos p;

	if (off > src->len)
		off = src->len;
	if (src->offs != NULL)
		off = src->offs[off];
	if (src->map != NULL)
		return src->map(src->marg, off);
	p.line = 1;
	p.col = (int)off + 1;
	return p;
}

static bool
ros_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Split one logical line, from @start, into key=value words and add it
 * as a rule. A first word "add" is skipped.
 */
static void
ros_add_line(struct ros_builder *b, const struct ros_src *src, size_t start)
{
	const char *s = src->s, *tn = ros_table_names[b->table];
	size_t len = src->len, i = start;
	struct ros_item *items = NULL;
	char **bufs = NULL;
	int n = 0, cap = 0, num = b->nrules + 1, j;
	bool first = true, partial = false;
	struct ros_pos rpos;

	while (i < len && ros_space(s[i]))
		i++;
	rpos = ros_src_pos(src, i);
	while (i < len) {
		size_t ks, ke, vs, blen = 0;
		char *val;

		while (i < len && ros_space(s[i]))
			i++;
		if (i >= len)
			break;
		ks = i;
		while (i < len && !ros_space(s[i]) && s[i] != '=')
			i++;
		if (i >= len || s[i] != '=') {
			if (first && i - ks == 3 && strncmp(s + ks, "add",
			    3) == 0) {
				first = false;
				rpos = ros_src_pos(src, ks);
				continue;
			}
			ros_err(b, ros_src_pos(src, ks), "expected key=value, "
			    "got \"%.*s\" in %s rule %d", (int)(i - ks), s + ks,
			    tn, num);
			partial = true;
			first = false;
			continue;
		}
		first = false;
		ke = i++;
		if (ke == ks) {
			ros_err(b, ros_src_pos(src, ks), "missing key before "
			    "\"=\" in %s rule %d", tn, num);
			partial = true;
			while (i < len && !ros_space(s[i]))
				i++;
			continue;
		}
		vs = i;
		val = xmalloc(len - i + 1);
		if (i + 1 < len && s[i] == '!' && s[i + 1] == '"')
			val[blen++] = s[i++];
		if (i < len && s[i] == '"') {
			size_t q = i++;
			bool closed = false;

			while (i < len) {
				if (s[i] == '\\' && i + 1 < len) {
					val[blen++] = s[i + 1];
					i += 2;
				} else if (s[i] == '"') {
					i++;
					closed = true;
					break;
				} else {
					val[blen++] = s[i++];
				}
			}
			if (!closed) {
				ros_err(b, ros_src_pos(src, q), "unterminated "
				    "quoted value in %s rule %d", tn, num);
				free(val);
				partial = true;
				break;
			}
			if (i < len && !ros_space(s[i])) {
				ros_err(b, ros_src_pos(src, i), "unexpected "
				    "text after quoted value in %s rule %d", tn,
				    num);
				free(val);
				partial = true;
				while (i < len && !ros_space(s[i]))
					i++;
				continue;
			}
		} else {
			while (i < len && !ros_space(s[i]))
				val[blen++] = s[i++];
		}
		val[blen] = '\0';
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			items = xreallocarray(items, cap, sizeof(*items));
			bufs = xreallocarray(bufs, cap * 2, sizeof(*bufs));
		}
		bufs[2 * n] = xstrndup(s + ks, ke - ks);
		bufs[2 * n + 1] = val;
		items[n].key = bufs[2 * n];
		items[n].val = val;
		items[n].kpos = ros_src_pos(src, ks);
		items[n].vpos = ros_src_pos(src, vs);
		n++;
	}
	ros_add_items(b, items, n, rpos, partial);
	for (j = 0; j < 2 * n; j++)
		free(bufs[j]);
	free(bufs);
	free(items);
}

void
ros_builder_add_text(struct ros_builder *b, const char *text, ros_map_fn map,
    void *marg)
{
	struct ros_src src = { text, strlen(text), NULL, map, marg };

	ros_add_line(b, &src, 0);
}

/* Section paths, as words joined by '/'. */
static const char *const ros_sections[] = {
	"/ip/firewall/nat", "/ip/firewall/filter", NULL
};

/*
 * A line starting with '/': read the section path, written as words
 * (`/ip firewall nat`) or with slashes (`/ip/firewall/nat`). Return the
 * offset after it, and *@ok false when the section is not this table's.
 */
static size_t
ros_section(struct ros_builder *b, const struct ros_src *src, size_t i,
    bool *ok)
{
	const char *s = src->s;
	size_t len = src->len, start = i, end = i;
	char path[64];
	size_t plen = 0;
	int idx, w;

	path[0] = '\0';
	for (;;) {
		size_t ws = i, we, k;
		bool prefix = false;

		while (i < len && !ros_space(s[i]))
			i++;
		we = i;
		if (we == ws || plen + (we - ws) + 2 >= sizeof(path))
			break;
		if (s[ws] != '/')
			path[plen++] = '/';
		memcpy(path + plen, s + ws, we - ws);
		plen += we - ws;
		path[plen] = '\0';
		end = we;
		if (ros_lookup(ros_sections, path) >= 0)
			break;
		for (k = 0; ros_sections[k] != NULL; k++)
			if (strncmp(ros_sections[k], path, plen) == 0 &&
			    ros_sections[k][plen] == '/')
				prefix = true;
		if (!prefix)
			break;
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
	}
	idx = ros_lookup(ros_sections, path);
	w = (int)(end - start);
	if (idx < 0) {
		ros_err(b, ros_src_pos(src, start), "unknown section \"%.*s\" "
		    "in %s (expected /ip firewall %s)", w, s + start,
		    ros_table_names[b->table], ros_table_names[b->table]);
		*ok = false;
	} else if (idx != (int)b->table) {
		ros_err(b, ros_src_pos(src, start), "section \"%.*s\" is not "
		    "allowed in %s (expected /ip firewall %s)", w, s + start,
		    ros_table_names[b->table], ros_table_names[b->table]);
		*ok = false;
	} else {
		*ok = true;
	}
	return end;
}

static void
ros_export_line(struct ros_builder *b, const struct ros_src *src,
    bool *section_ok)
{
	const char *s = src->s;
	size_t len = src->len, i = 0, ws;

	while (i < len && ros_space(s[i]))
		i++;
	if (i >= len || s[i] == '#')
		return;
	if (s[i] == '/') {
		i = ros_section(b, src, i, section_ok);
		while (i < len && ros_space(s[i]))
			i++;
		if (i >= len)
			return;
	}
	if (!*section_ok)
		return;		/* already reported at the section line */
	ws = i;
	while (i < len && !ros_space(s[i]) && s[i] != '=')
		i++;
	if ((i >= len || s[i] != '=') && !(i - ws == 3 &&
	    strncmp(s + ws, "add", 3) == 0)) {
		ros_err(b, ros_src_pos(src, ws), "unsupported command \"%.*s\" "
		    "in %s export (only add lines are understood)",
		    (int)(i - ws), s + ws, ros_table_names[b->table]);
		return;
	}
	ros_add_line(b, src, ws);
}

void
ros_builder_add_export(struct ros_builder *b, const char *text,
    ros_map_fn map, void *marg)
{
	size_t tlen = strlen(text), p = 0, n = 0;
	char *line = xmalloc(tlen + 1);
	size_t *offs = xcalloc(tlen + 1, sizeof(*offs));
	bool section_ok = true, cont = false;

	while (p <= tlen) {
		size_t ls = p, le, k;

		while (p < tlen && text[p] != '\n')
			p++;
		le = p;
		p++;		/* past '\n', or past the end */
		if (le > ls && text[le - 1] == '\r')
			le--;
		if (!cont) {
			size_t f = ls;

			n = 0;
			while (f < le && (text[f] == ' ' || text[f] == '\t'))
				f++;
			if (f < le && text[f] == '#')
				continue;
		}
		/* A trailing backslash joins the next line to this one. */
		cont = le > ls && text[le - 1] == '\\';
		if (cont)
			le--;
		for (k = ls; k < le; k++) {
			line[n] = text[k];
			offs[n++] = k;
		}
		if (cont && p <= tlen)
			continue;
		line[n] = '\0';
		offs[n] = le;
		{
			struct ros_src src = { line, n, offs, map, marg };

			ros_export_line(b, &src, &section_ok);
		}
		cont = false;
	}
	free(line);
	free(offs);
}

static void
ros_sb_add(struct ros_sbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
ros_sb_add(struct ros_sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	/* NULL + 0 is undefined too: start with a buffer. */
	if (sb->s == NULL) {
		sb->cap = 128;
		sb->s = xmalloc(sb->cap);
	}
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(sb->s + sb->len, sb->cap - sb->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			fatalx("vsnprintf");
		if ((size_t)n < sb->cap - sb->len) {
			sb->len += (size_t)n;
			return;
		}
		sb->cap = (sb->cap + (size_t)n + 1) * 2;
		sb->s = xreallocarray(sb->s, sb->cap, 1);
	}
}

static void
ros_sb_addr(struct ros_sbuf *sb, const char *key, const struct rule_addr *a)
{
	char lo[INET_ADDRSTRLEN], hi[INET_ADDRSTRLEN];
	uint32_t nlo = htonl(a->lo), nhi = htonl(a->hi), size;
	int plen;

	inet_ntop(AF_INET, &nlo, lo, sizeof(lo));
	inet_ntop(AF_INET, &nhi, hi, sizeof(hi));
	ros_sb_add(sb, " %s=%s", key, a->neg ? "!" : "");
	if (a->lo == a->hi) {
		ros_sb_add(sb, "%s", lo);
		return;
	}
	size = a->hi - a->lo;	/* size - 1 */
	for (plen = 0; plen <= 32; plen++)
		if (~ros_plen_mask(plen) == size &&
		    (a->lo & ~ros_plen_mask(plen)) == 0)
			break;
	if (plen <= 32)
		ros_sb_add(sb, "%s/%d", lo, plen);
	else
		ros_sb_add(sb, "%s-%s", lo, hi);
}

static void
ros_sb_ports(struct ros_sbuf *sb, const char *key, const struct rule_ports *p)
{
	int i;

	ros_sb_add(sb, " %s=%s", key, p->neg ? "!" : "");
	for (i = 0; i < p->n; i++) {
		if (p->r[i].lo == p->r[i].hi)
			ros_sb_add(sb, "%s%u", i ? "," : "", p->r[i].lo);
		else
			ros_sb_add(sb, "%s%u-%u", i ? "," : "", p->r[i].lo,
			    p->r[i].hi);
	}
}

static void
ros_sb_words(struct ros_sbuf *sb, const char *key, bool neg, uint8_t mask,
    const char *const *names, const uint8_t *bits)
{
	int i, n = 0;

	ros_sb_add(sb, " %s=%s", key, neg ? "!" : "");
	for (i = 0; names[i] != NULL; i++)
		if (mask & bits[i])
			ros_sb_add(sb, "%s%s", n++ ? "," : "", names[i]);
}

/* Quote a free-text value the way RouterOS export does when needed. */
static void
ros_sb_text(struct ros_sbuf *sb, const char *key, const char *v)
{
	const char *c;
	bool quote = *v == '\0';

	for (c = v; *c != '\0'; c++)
		if (isspace((unsigned char)*c) || *c == '"' || *c == '\\' ||
		    *c == '=' || *c == '#' || *c == ';')
			quote = true;
	if (!quote) {
		ros_sb_add(sb, " %s=%s", key, v);
		return;
	}
	ros_sb_add(sb, " %s=\"", key);
	for (c = v; *c != '\0'; c++)
		ros_sb_add(sb, "%s%c", *c == '"' || *c == '\\' ? "\\" : "", *c);
	ros_sb_add(sb, "\"");
}

/*
 * Canonical text, close to RouterOS `print`: chain, action, the action's
 * arguments, then matchers, then flags, comment last.
 */
static char *
ros_rule_text(const struct ruleset *rs, const struct rule *r)
{
	struct ros_sbuf sb = { NULL, 0, 0 };
	const char *proto = NULL;

	ros_sb_add(&sb, "chain=%s action=%s", rs->chains[r->chain].name,
	    rule_action_name(r->action));
	if (r->to_addr.set)
		ros_sb_addr(&sb, "to-addresses", &r->to_addr);
	if (r->to_ports_set) {
		if (r->to_port_lo == r->to_port_hi)
			ros_sb_add(&sb, " to-ports=%u", r->to_port_lo);
		else
			ros_sb_add(&sb, " to-ports=%u-%u", r->to_port_lo,
			    r->to_port_hi);
	}
	if (r->action == RULE_JUMP && r->jump_target >= 0)
		ros_sb_add(&sb, " jump-target=%s",
		    rs->chains[r->jump_target].name);
	if (r->action == RULE_REJECT)
		ros_sb_add(&sb, " reject-with=%s",
		    ros_reject_names[r->reject_with]);
	if (r->proto >= 0) {
		if (r->proto == IPPROTO_TCP)
			proto = "tcp";
		else if (r->proto == IPPROTO_UDP)
			proto = "udp";
		else if (r->proto == IPPROTO_ICMP)
			proto = "icmp";
		if (proto != NULL)
			ros_sb_add(&sb, " protocol=%s%s",
			    r->proto_neg ? "!" : "", proto);
		else
			ros_sb_add(&sb, " protocol=%s%d",
			    r->proto_neg ? "!" : "", r->proto);
	}
	if (r->src.set)
		ros_sb_addr(&sb, "src-address", &r->src);
	if (r->dst.set)
		ros_sb_addr(&sb, "dst-address", &r->dst);
	if (r->in_if >= 0)
		ros_sb_add(&sb, " in-interface=%s%s", r->in_neg ? "!" : "",
		    rs->ifnames[r->in_if]);
	if (r->out_if >= 0)
		ros_sb_add(&sb, " out-interface=%s%s", r->out_neg ? "!" : "",
		    rs->ifnames[r->out_if]);
	if (r->sport.set)
		ros_sb_ports(&sb, "src-port", &r->sport);
	if (r->dport.set)
		ros_sb_ports(&sb, "dst-port", &r->dport);
	if (r->icmp_type >= 0) {
		ros_sb_add(&sb, " icmp-options=%s%d", r->icmp_neg ? "!" : "",
		    r->icmp_type);
		if (r->icmp_code >= 0)
			ros_sb_add(&sb, ":%d", r->icmp_code);
	}
	if (r->ct_state != 0)
		ros_sb_words(&sb, "connection-state", r->ct_state_neg,
		    r->ct_state, ros_ct_names, ros_ct_bits);
	if (r->nat_state != 0)
		ros_sb_words(&sb, "connection-nat-state", r->nat_state_neg,
		    r->nat_state, ros_natst_names, ros_natst_bits);
	if (r->randomise_ports)
		ros_sb_add(&sb, " randomise-ports=yes");
	if (r->log)
		ros_sb_add(&sb, " log=yes");
	if (r->log_prefix != NULL)
		ros_sb_text(&sb, "log-prefix", r->log_prefix);
	if (r->disabled)
		ros_sb_add(&sb, " disabled=yes");
	if (r->comment != NULL)
		ros_sb_text(&sb, "comment", r->comment);
	return sb.s;
}

static int
ros_chain_add(struct ruleset *rs, const char *name)
{
	int id = ruleset_chain_find(rs, name);

	if (id >= 0)
		return id;
	rs->chains = xreallocarray(rs->chains, rs->nchains + 1,
	    sizeof(*rs->chains));
	memset(&rs->chains[rs->nchains], 0, sizeof(*rs->chains));
	rs->chains[rs->nchains].name = xstrdup(name);
	return rs->nchains++;
}

static bool
ros_is_builtin(enum ros_table t, int id)
{
	if (t == ROS_NAT)
		return id == CHAIN_DSTNAT || id == CHAIN_SRCNAT;
	return id == CHAIN_INPUT || id == CHAIN_FORWARD;
}

/* Is @name the chain= of some rule (for jump-target) / a jump-target? */
static bool
ros_has_chain(const struct ros_builder *b, const char *name)
{
	int i;

	for (i = 0; i < b->nrules; i++)
		if (b->rules[i].chain != NULL &&
		    strcmp(b->rules[i].chain, name) == 0)
			return true;
	return false;
}

static bool
ros_has_jump(const struct ros_builder *b, const char *name)
{
	int i;

	for (i = 0; i < b->nrules; i++)
		if (b->rules[i].jump != NULL &&
		    strcmp(b->rules[i].jump, name) == 0)
			return true;
	return false;
}

/*
 * Candidates for "did you mean": for a chain=, the table's builtins and
 * the jump targets; for a jump-target, the user chains rules name.
 */
static const char **
ros_chain_cands(const struct ros_builder *b, bool jumps, int *n)
{
	const char **c = xcalloc(b->nrules + 2, sizeof(*c));
	int i, k = 0;

	if (!jumps) {
		c[k++] = ros_builtin_chains[b->table == ROS_NAT ?
		    CHAIN_DSTNAT : CHAIN_INPUT];
		c[k++] = ros_builtin_chains[b->table == ROS_NAT ?
		    CHAIN_SRCNAT : CHAIN_FORWARD];
	}
	for (i = 0; i < b->nrules; i++) {
		const char *s = jumps ? b->rules[i].chain : b->rules[i].jump;

		if (s != NULL && ros_lookup(ros_builtin_chains, s) < 0)
			c[k++] = s;
	}
	*n = k;
	return c;
}

/* Chain id of each pending rule; -1 when unresolved. */
static void
ros_resolve_chains(struct ros_builder *b, struct ruleset *rs, int *ids)
{
	const char *tn = ros_table_names[b->table];
	const char *b0 = ros_builtin_chains[b->table == ROS_NAT ?
	    CHAIN_DSTNAT : CHAIN_INPUT];
	const char *b1 = ros_builtin_chains[b->table == ROS_NAT ?
	    CHAIN_SRCNAT : CHAIN_FORWARD];
	char hint[256], exp[96];
	int i, id, n;

	for (i = 0; i < b->nrules; i++) {
		struct ros_pending *pd = &b->rules[i];
		const char **cands;

		ids[i] = -1;
		if (pd->chain == NULL)
			continue;
		id = ruleset_chain_find(rs, pd->chain);
		if (id >= 0 && id < CHAIN_BUILTIN_COUNT) {
			if (ros_is_builtin(b->table, id))
				ids[i] = id;
			else
				ros_err(b, pd->chain_pos, "chain %s is not "
				    "allowed in %s rule %d (expected %s, %s "
				    "or a user chain)", pd->chain, tn, pd->num,
				    b0, b1);
			continue;
		}
		if (ros_has_jump(b, pd->chain)) {
			ids[i] = ros_chain_add(rs, pd->chain);
			continue;
		}
		snprintf(exp, sizeof(exp), "%s, %s or the jump-target of a "
		    "jump rule", b0, b1);
		cands = ros_chain_cands(b, false, &n);
		ros_err(b, pd->chain_pos, "unknown chain \"%s\" in %s rule "
		    "%d%s", pd->chain, tn, pd->num, ros_hint(hint,
		    sizeof(hint), pd->chain, cands, n, exp));
		free(cands);
	}
	for (i = 0; i < b->nrules; i++) {
		struct ros_pending *pd = &b->rules[i];
		const char **cands;

		if (pd->jump == NULL)
			continue;
		id = ruleset_chain_find(rs, pd->jump);
		if (id >= 0 && id < CHAIN_BUILTIN_COUNT) {
			ros_err(b, pd->jump_pos, "jump-target cannot be the "
			    "builtin chain %s in %s rule %d", pd->jump, tn,
			    pd->num);
			continue;
		}
		if (id < 0 || !ros_has_chain(b, pd->jump)) {
			cands = ros_chain_cands(b, true, &n);
			ros_err(b, pd->jump_pos, "jump-target \"%s\" names no "
			    "chain in %s rule %d%s", pd->jump, tn, pd->num,
			    ros_hint(hint, sizeof(hint), pd->jump, cands, n,
			    "a chain= of some rule"));
			free(cands);
			continue;
		}
		pd->r->jump_target = id;
	}
}

/* Builtin-chain rules that cannot work where they are. */
static void
ros_check_placement(struct ros_builder *b, const int *ids)
{
	const char *tn = ros_table_names[b->table];
	int i;

	for (i = 0; i < b->nrules; i++) {
		const struct ros_pending *pd = &b->rules[i];
		const struct rule *r = pd->r;

		if (ids[i] == CHAIN_DSTNAT && pd->has_outif)
			ros_err(b, pd->outif_pos, "out-interface cannot be "
			    "used in chain dstnat in %s rule %d (the packet "
			    "is not routed yet)", tn, pd->num);
		if (ids[i] == CHAIN_INPUT && pd->has_outif)
			ros_err(b, pd->outif_pos, "out-interface cannot be "
			    "used in chain input in %s rule %d (the packet "
			    "is for the router)", tn, pd->num);
		if (ids[i] == CHAIN_DSTNAT && (r->action == RULE_SRCNAT ||
		    r->action == RULE_MASQUERADE))
			ros_err(b, pd->action_pos, "action=%s cannot be used "
			    "in chain dstnat in %s rule %d (use chain=srcnat)",
			    rule_action_name(r->action), tn, pd->num);
		if (ids[i] == CHAIN_SRCNAT && (r->action == RULE_DSTNAT ||
		    r->action == RULE_REDIRECT))
			ros_err(b, pd->action_pos, "action=%s cannot be used "
			    "in chain srcnat in %s rule %d (use chain=dstnat)",
			    rule_action_name(r->action), tn, pd->num);
	}
}

/*
 * Find jump loops with an iterative depth-first walk over chains; each
 * back edge is reported once, at the jump rule that closes the loop.
 */
static void
ros_check_loops(struct ros_builder *b, const struct ruleset *rs)
{
	int nc = rs->nchains, c;
	uint8_t *color = xcalloc(nc, 1);	/* 0 new, 1 open, 2 done */
	struct {
		int chain, next;
	} *stack = xcalloc(nc, sizeof(*stack));

	for (c = 0; c < nc; c++) {
		int sp = 0;

		if (color[c] != 0)
			continue;
		stack[sp].chain = c;
		stack[sp++].next = 0;
		color[c] = 1;
		while (sp > 0) {
			const struct rule_chain *ch = &rs->chains[
			    stack[sp - 1].chain];
			const struct rule *r;
			int t;

			if (stack[sp - 1].next >= ch->nrules) {
				color[stack[sp - 1].chain] = 2;
				sp--;
				continue;
			}
			r = ch->rules[stack[sp - 1].next++];
			if (r->action != RULE_JUMP || r->disabled ||
			    r->jump_target < 0)
				continue;
			t = r->jump_target;
			if (color[t] == 1) {
				struct ros_sbuf sb = { NULL, 0, 0 };
				struct ros_pos pos = b->rules[r->index].jump_pos;
				int k = 0;

				while (stack[k].chain != t)
					k++;
				for (; k < sp; k++)
					ros_sb_add(&sb, "%s -> ",
					    rs->chains[stack[k].chain].name);
				ros_sb_add(&sb, "%s", rs->chains[t].name);
				ros_err(b, pos, "jump loop in %s rule %d: %s",
				    ros_table_names[b->table], r->index + 1,
				    sb.s);
				free(sb.s);
			} else if (color[t] == 0) {
				color[t] = 1;
				stack[sp].chain = t;
				stack[sp++].next = 0;
			}
		}
	}
	free(stack);
	free(color);
}

static void
ros_builder_free(struct ros_builder *b)
{
	int i;

	for (i = 0; i < b->nrules; i++) {
		free(b->rules[i].chain);
		free(b->rules[i].jump);
	}
	free(b->rules);
	for (i = 0; i < b->nifs; i++)
		free(b->ifnames[i]);
	free(b->ifnames);
	free(b);
}

struct ruleset *
ros_builder_finish(struct ros_builder *b)
{
	struct ruleset *rs = xcalloc(1, sizeof(*rs));
	int *ids = xcalloc(b->nrules > 0 ? b->nrules : 1, sizeof(*ids));
	int i;

	for (i = 0; i < CHAIN_BUILTIN_COUNT; i++)
		ros_chain_add(rs, ros_builtin_chains[i]);
	ros_resolve_chains(b, rs, ids);
	ros_check_placement(b, ids);

	/* Rules go to their chains in file order; unplaced ones are freed. */
	for (i = 0; i < b->nrules; i++) {
		struct rule_chain *ch;
		struct rule *r = b->rules[i].r;

		if (ids[i] < 0) {
			free(r->log_prefix);
			free(r->comment);
			free(r);
			continue;
		}
		ch = &rs->chains[ids[i]];
		r->chain = ids[i];
		ch->rules = xreallocarray(ch->rules, ch->nrules + 1,
		    sizeof(*ch->rules));
		ch->rules[ch->nrules++] = r;
	}
	ros_check_loops(b, rs);

	rs->nifnames = b->nifs;
	rs->ifnames = b->ifnames;
	b->ifnames = NULL;
	b->nifs = 0;
	for (i = 0; i < rs->nchains; i++) {
		int j;

		for (j = 0; j < rs->chains[i].nrules; j++) {
			struct rule *r = rs->chains[i].rules[j];

			r->text = ros_rule_text(rs, r);
		}
	}
	free(ids);
	if (b->nerrors > 0) {
		ros_builder_free(b);
		ruleset_free(rs);
		return NULL;
	}
	ros_builder_free(b);
	return rs;
}
