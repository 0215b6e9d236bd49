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
#include "match.h"
#include "names.h"
#include "ros_lex.h"
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
	K_NEW_CONNECTION_MARK,
	K_NEW_PACKET_MARK,
	K_NEW_ROUTING_MARK,
	K_PASSTHROUGH,
	K_NEW_MSS,
	K_NEW_TTL,
	K_NEW_DSCP,
	K_NEW_PRIORITY,
	K_ADDRESS_LIST,
	K_ADDRESS_LIST_TIMEOUT,
	K_HW_OFFLOAD,
	K_PLACE_BEFORE,
	K_UNSUPPORTED,		/* known RouterOS arguments hairpind refuses */
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
	{ "new-connection-mark", K_NEW_CONNECTION_MARK },
	{ "new-packet-mark", K_NEW_PACKET_MARK },
	{ "new-routing-mark", K_NEW_ROUTING_MARK },
	{ "passthrough", K_PASSTHROUGH },
	{ "new-mss", K_NEW_MSS },
	{ "new-ttl", K_NEW_TTL },
	{ "new-dscp", K_NEW_DSCP },
	{ "new-priority", K_NEW_PRIORITY },
	{ "address-list", K_ADDRESS_LIST },
	{ "address-list-timeout", K_ADDRESS_LIST_TIMEOUT },
	{ "hw-offload", K_HW_OFFLOAD },
	{ "place-before", K_PLACE_BEFORE },
	{ "to-address", K_TO_ADDRESSES },
	{ "route-dst", K_UNSUPPORTED },
	{ "sniff-target", K_UNSUPPORTED },
	{ "sniff-target-port", K_UNSUPPORTED },
	{ "sniff-id", K_UNSUPPORTED },
	{ "same-not-by-dst", K_UNSUPPORTED },
};
#define ROS_NKEYS (int)(sizeof(ros_keys) / sizeof(ros_keys[0]))

const char *const ros_table_names[ROS_TABLE_COUNT] = {
	[ROS_NAT] = "nat", [ROS_FILTER] = "filter", [ROS_MANGLE] = "mangle",
	[ROS_RAW] = "raw",
};

static const char *const ros_builtin_chains[CHAIN_BUILTIN_COUNT + 1] = {
	[CHAIN_DSTNAT] = "dstnat",
	[CHAIN_SRCNAT] = "srcnat",
	[CHAIN_INPUT] = "input",
	[CHAIN_FORWARD] = "forward",
	[CHAIN_OUTPUT] = "output",
	[CHAIN_PREROUTING] = "prerouting",
	[CHAIN_POSTROUTING] = "postrouting",
	[CHAIN_BUILTIN_COUNT] = NULL,
};

/* The builtin chains of each table, as bits of 1 << chain id. */
static const unsigned int ros_table_chains[ROS_TABLE_COUNT] = {
	[ROS_NAT] = 1u << CHAIN_DSTNAT | 1u << CHAIN_SRCNAT,
	[ROS_FILTER] = 1u << CHAIN_INPUT | 1u << CHAIN_FORWARD |
	    1u << CHAIN_OUTPUT,
	[ROS_MANGLE] = 1u << CHAIN_PREROUTING | 1u << CHAIN_INPUT |
	    1u << CHAIN_FORWARD | 1u << CHAIN_OUTPUT | 1u << CHAIN_POSTROUTING,
	[ROS_RAW] = 1u << CHAIN_PREROUTING | 1u << CHAIN_OUTPUT,
};

static const char *const ros_nat_actions[] = {
	"accept", "dst-nat", "src-nat", "masquerade", "netmap", "redirect",
	"endpoint-independent-nat", "passthrough", "jump", "return", "log",
	"add-src-to-address-list", "add-dst-to-address-list", NULL
};
static const char *const ros_filter_actions[] = {
	"accept", "drop", "reject", "jump", "return", "log", "passthrough",
	"fasttrack-connection", "tarpit", "add-src-to-address-list",
	"add-dst-to-address-list", NULL
};
static const char *const ros_mangle_actions[] = {
	"accept", "passthrough", "jump", "return", "log", "mark-connection",
	"mark-packet", "mark-routing", "change-mss", "change-ttl",
	"change-dscp", "clear-df", "strip-ipv4-options", "set-priority",
	"fasttrack-connection", "add-src-to-address-list",
	"add-dst-to-address-list", NULL
};
static const char *const ros_raw_actions[] = {
	"accept", "drop", "notrack", "jump", "return", "log", "passthrough",
	"add-src-to-address-list", "add-dst-to-address-list", NULL
};
static const char *const *const ros_table_actions[ROS_TABLE_COUNT] = {
	[ROS_NAT] = ros_nat_actions, [ROS_FILTER] = ros_filter_actions,
	[ROS_MANGLE] = ros_mangle_actions, [ROS_RAW] = ros_raw_actions,
};

/* RouterOS actions hairpind knows but cannot honour, and why. */
static const struct {
	const char *name, *why;
} ros_unsupported_actions[] = {
	{ "same", "action=same is not implemented (use src-nat with one "
	    "address)" },
	{ "route", "action=route is not implemented (use mark-routing and a "
	    "routing table)" },
	{ "sniff-tzsp", "hairpind does not stream packets to a TZSP "
	    "collector (use tcpdump on the TAP)" },
	{ "sniff-pc", "hairpind does not stream packets to a CALEA server" },
};

/* RouterOS names first; the iptables-style spellings stay as aliases. */
static const char *const ros_reject_names[] = {
	[REJECT_ICMP_PORT_UNREACH] = "icmp-port-unreachable",
	[REJECT_ICMP_HOST_UNREACH] = "icmp-host-unreachable",
	[REJECT_ICMP_NET_UNREACH] = "icmp-network-unreachable",
	[REJECT_ICMP_ADMIN_PROHIBITED] = "icmp-admin-prohibited",
	[REJECT_TCP_RESET] = "tcp-reset",
	[REJECT_ICMP_PROTO_UNREACH] = "icmp-protocol-unreachable",
	[REJECT_ICMP_NET_PROHIBITED] = "icmp-net-prohibited",
	[REJECT_ICMP_HOST_PROHIBITED] = "icmp-host-prohibited",
	[REJECT_COUNT] = NULL
};

/* connection-state words in print order, with their bits. */
static const char *const ros_ct_names[] = {
	"established", "related", "new", "invalid", "untracked", NULL
};
static const uint8_t ros_ct_bits[] = {
	RULE_CT_ESTABLISHED, RULE_CT_RELATED, RULE_CT_NEW, RULE_CT_INVALID,
	RULE_CT_UNTRACKED
};
static const char *const ros_natst_names[] = { "srcnat", "dstnat", NULL };
static const uint8_t ros_natst_bits[] = { RULE_NAT_SRCNAT, RULE_NAT_DSTNAT };

/* Protocol names as RouterOS writes them (/etc/protocols where equal). */
static const struct {
	const char *name;
	int num;
} ros_protos[] = {
	{ "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "igmp", 2 },
	{ "ggp", 3 }, { "ip-encap", 4 }, { "st", 5 }, { "egp", 8 },
	{ "pup", 12 }, { "xns-idp", 22 }, { "rdp", 27 }, { "dccp", 33 },
	{ "xtp", 36 }, { "ddp", 37 }, { "idpr-cmtp", 38 }, { "ipv6", 41 },
	{ "ipv6-route", 43 }, { "ipv6-frag", 44 }, { "idrp", 45 },
	{ "rsvp", 46 }, { "gre", 47 }, { "ipsec-esp", 50 },
	{ "ipsec-ah", 51 }, { "icmpv6", 58 }, { "ipv6-nonxt", 59 },
	{ "ipv6-opts", 60 }, { "rspf", 73 }, { "vmtp", 81 }, { "ospf", 89 },
	{ "ipip", 94 }, { "etherip", 97 }, { "encap", 98 }, { "pim", 103 },
	{ "vrrp", 112 }, { "l2tp", 115 }, { "sctp", 132 },
	{ "udp-lite", 136 }, { "mpls-in-ip", 137 },
};
#define ROS_NPROTOS (int)(sizeof(ros_protos) / sizeof(ros_protos[0]))

static const char *
ros_proto_name(int num)
{
	int i;

	for (i = 0; i < ROS_NPROTOS; i++)
		if (ros_protos[i].num == num)
			return ros_protos[i].name;
	return NULL;
}

/* Protocols with ports (src-port, dst-port, port). */
static bool
ros_proto_ports(int num)
{
	return num == IPPROTO_TCP || num == IPPROTO_UDP || num == 132 ||
	    num == 136 || num == 33;
}

/* A rule while the table is being read: names not yet resolved. */
struct ros_pending {
	struct rule *r;
	int num;			/* 1-based number in the table */
	bool partial;			/* words were lost to syntax errors */
	char *chain;			/* NULL when missing */
	struct ros_pos chain_pos;
	char *jump;			/* jump-target, or NULL */
	struct ros_pos jump_pos;
	struct ros_pos pos, action_pos, outif_pos, inif_pos;
	bool has_outif, has_inif;
	struct ros_pos *mt_pos;		/* where each registry matcher was */
};

struct ros_builder {
	enum ros_table table;
	const char *file;
	char **ifnames;
	int nifs;
	ros_error_fn err;
	void *arg;
	ros_error_fn note;
	void *note_arg;
	struct ros_pending *rules;
	int nrules, cap;
	int nerrors;
};

/* A growing string for canonical rule text. */
struct ros_sbuf {
	char *s;
	size_t len, cap;
};

static void ros_err(struct ros_builder *b, struct ros_pos pos,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

void
ros_vemit(ros_error_fn fn, void *arg, struct ros_pos pos, const char *fmt,
    va_list ap)
{
	char *msg;

	if (fn == NULL)
		return;
	if (vasprintf(&msg, fmt, ap) < 0)
		fatal("vasprintf");
	fn(arg, pos, msg);
	free(msg);
}

static void
ros_err(struct ros_builder *b, struct ros_pos pos, const char *fmt, ...)
{
	va_list ap;

	b->nerrors++;
	va_start(ap, fmt);
	ros_vemit(b->err, b->arg, pos, fmt, ap);
	va_end(ap);
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
	int i;

	for (i = 0; i < RULE_ACTION_COUNT; i++) {
		if (strcmp(rule_action_name((enum rule_action)i), s) == 0) {
			*a = (enum rule_action)i;
			return 0;
		}
	}
	return -1;
}

static bool
ros_action_in_table(enum ros_table t, enum rule_action a)
{
	return ros_lookup(ros_table_actions[t], rule_action_name(a)) >= 0;
}

/* "accept, drop, ... or passthrough" for table @t (static storage). */
static const char *
ros_action_list(enum ros_table t)
{
	static char buf[ROS_TABLE_COUNT][512];
	const char *const *l = ros_table_actions[t];
	size_t off = 0;
	int i, n = 0;

	if (buf[t][0] != '\0')
		return buf[t];
	while (l[n] != NULL)
		n++;
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(buf[t] + off, sizeof(buf[t]) - off,
		    "%s%s", i == 0 ? "" : i == n - 1 ? " or " : ", ", l[i]);
	return buf[t];
}

bool
ros_chain_allowed(enum ros_table t, int id)
{
	return id >= 0 && id < CHAIN_BUILTIN_COUNT &&
	    (ros_table_chains[t] & (1u << id));
}

const char *
ros_builtin_chain_name(int id)
{
	return id >= 0 && id < CHAIN_BUILTIN_COUNT ? ros_builtin_chains[id] :
	    NULL;
}

bool
ros_key_known(enum ros_table table, const char *key)
{
	const struct match_def *d;
	int k;

	for (k = 0; k < ROS_NKEYS; k++)
		if (strcmp(ros_keys[k].name, key) == 0)
			return true;
	d = match_find(key);
	return d != NULL && (d->tables & (1u << table));
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

void
ros_builder_set_note(struct ros_builder *b, ros_error_fn note, void *arg)
{
	b->note = note;
	b->note_arg = arg;
}

void
ros_builder_set_file(struct ros_builder *b, const char *file)
{
	b->file = file;
}

static void ros_note(struct ros_builder *b, struct ros_pos pos,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
ros_note(struct ros_builder *b, struct ros_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ros_vemit(b->note, b->note_arg, pos, fmt, ap);
	va_end(ap);
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
		const char *names[ROS_NPROTOS + 1];
		int i;

		v = ros_neg(val, &neg);
		for (i = 0; i < ROS_NPROTOS; i++) {
			names[i] = ros_protos[i].name;
			if (strcmp(v, ros_protos[i].name) == 0)
				break;
		}
		if (i < ROS_NPROTOS)
			r->proto = ros_protos[i].num;
		else if (ros_parse_uint(v, strlen(v), 0, 255, &n) == 0)
			r->proto = (int)n;
		else {
			names[ROS_NPROTOS] = NULL;
			ros_err(b, vpos, "invalid protocol \"%s\" in %s rule "
			    "%d%s", val, tn, pd->num,
			    ros_hint(hint, sizeof(hint), v, names, -1,
			    "a protocol name (tcp, udp, icmp, gre, ipsec-esp, "
			    "...) or a number 0-255"));
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
		uint16_t tl, th, cl = 0, ch = 255;

		v = ros_neg(val, &neg);
		colon = strchr(v, ':');
		/* TYPE[-TYPE][:CODE[-CODE]], each 0-255 */
		if (ros_parse_port_range(v, colon != NULL ?
		    (size_t)(colon - v) : strlen(v), 0, &tl, &th) < 0 ||
		    th > 255 || (colon != NULL && (ros_parse_port_range(
		    colon + 1, strlen(colon + 1), 0, &cl, &ch) < 0 ||
		    ch > 255))) {
			ros_err(b, vpos, "invalid icmp-options \"%s\" in %s "
			    "rule %d (expected TYPE or TYPE:CODE, each 0-255 "
			    "or a range N-M)", val, tn, pd->num);
			return;
		}
		r->icmp_type = tl;
		r->icmp_type_hi = th;
		r->icmp_code = colon != NULL ? cl : -1;
		r->icmp_code_hi = colon != NULL ? ch : 255;
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
		if (idx < 0 && strcmp(val, "icmp-net-unreachable") == 0)
			idx = REJECT_ICMP_NET_UNREACH;	/* hairpind's old name */
		if (idx < 0) {
			ros_err(b, vpos, "invalid reject-with \"%s\" in %s "
			    "rule %d%s", val, tn, pd->num,
			    ros_hint(hint, sizeof(hint), val, ros_reject_names,
			    -1, "icmp-network-unreachable, "
			    "icmp-host-unreachable, icmp-port-unreachable, "
			    "icmp-protocol-unreachable, icmp-net-prohibited, "
			    "icmp-host-prohibited, icmp-admin-prohibited or "
			    "tcp-reset"));
			return;
		}
		r->reject_with = (enum rule_reject_with)idx;
		return;
	case K_NEW_CONNECTION_MARK:
	case K_NEW_PACKET_MARK:
	case K_NEW_ROUTING_MARK:
	case K_ADDRESS_LIST:
		if (*val == '\0' || strlen(val) > 255 ||
		    (strcmp(val, "no-mark") == 0 && k == K_ADDRESS_LIST)) {
			ros_err(b, vpos, "invalid %s \"%s\" in %s rule %d",
			    key, val, tn, pd->num);
			return;
		}
		free(r->mark_name);
		r->mark_name = xstrdup(val);
		if (strcmp(val, "no-mark") == 0 && k != K_ADDRESS_LIST)
			r->mark = RULE_NO_MARK;
		else
			r->mark = names_intern(k == K_ADDRESS_LIST ?
			    NAMES_ADDRLIST : NAMES_MARK, val);
		if (r->mark == 0 && strcmp(val, "no-mark") != 0)
			ros_err(b, vpos, "too many names (at %s \"%s\") in %s "
			    "rule %d", key, val, tn, pd->num);
		return;
	case K_ADDRESS_LIST_TIMEOUT: {
		uint32_t sec;

		r->list_static = false;
		r->list_timeout = 0;
		if (strcmp(val, "none-dynamic") == 0)
			return;
		if (strcmp(val, "none-static") == 0) {
			r->list_static = true;
			return;
		}
		if (match_parse_time(val, &sec) < 0) {
			ros_err(b, vpos, "invalid address-list-timeout \"%s\" "
			    "in %s rule %d (expected none-dynamic, none-static "
			    "or a time such as 1d, 00:05:00)", val, tn, pd->num);
			return;
		}
		r->list_timeout = sec;
		return;
	}
	case K_NEW_MSS: {
		unsigned long n;

		if (strcmp(val, "clamp-to-pmtu") == 0)
			r->new_mss = -1;
		else if (ros_parse_uint(val, strlen(val), 88, 65535, &n) == 0)
			r->new_mss = (int)n;
		else
			ros_err(b, vpos, "invalid new-mss \"%s\" in %s rule %d "
			    "(expected clamp-to-pmtu or 88-65535)", val, tn,
			    pd->num);
		return;
	}
	case K_NEW_TTL: {
		static const char *const ops[] = { "set", "increment",
		    "decrement", NULL };
		const char *colon = strchr(val, ':');
		unsigned long n;
		int op = -1;

		if (colon != NULL) {
			char w[16];

			snprintf(w, sizeof(w), "%.*s", (int)(colon - val), val);
			op = ros_lookup(ops, w);
		}
		if (op < 0 || ros_parse_uint(colon + 1, strlen(colon + 1), 0,
		    255, &n) < 0) {
			ros_err(b, vpos, "invalid new-ttl \"%s\" in %s rule %d "
			    "(expected set:N, increment:N or decrement:N, "
			    "0-255)", val, tn, pd->num);
			return;
		}
		r->ttl_op = (enum rule_ttl_op)op;
		r->ttl_val = (uint8_t)n;
		return;
	}
	case K_NEW_DSCP:
	case K_NEW_PRIORITY: {
		unsigned long n;

		if (k == K_NEW_PRIORITY && strcmp(val, "from-dscp") == 0) {
			r->new_priority = 0xff;
			return;
		}
		if (ros_parse_uint(val, strlen(val), 0, 63, &n) < 0) {
			ros_err(b, vpos, "invalid %s \"%s\" in %s rule %d "
			    "(expected 0-63%s)", key, val, tn, pd->num,
			    k == K_NEW_PRIORITY ? " or from-dscp" : "");
			return;
		}
		if (k == K_NEW_DSCP)
			r->new_dscp = (uint8_t)n;
		else
			r->new_priority = (uint8_t)n;
		return;
	}
	case K_PASSTHROUGH:
	case K_HW_OFFLOAD: {
		bool yes;

		if (ros_parse_bool(val, &yes) < 0) {
			ros_err(b, vpos, "invalid %s \"%s\" in %s rule %d "
			    "(expected yes or no)", key, val, tn, pd->num);
			return;
		}
		if (k == K_PASSTHROUGH)
			r->passthrough = yes;
		/* hw-offload: no switch chip here; fasttrack is the fast path */
		return;
	}
	case K_PLACE_BEFORE:
		/* an import-time position, not part of the rule */
		return;
	case K_UNSUPPORTED:
		ros_err(b, vpos, "%s is not supported in %s rule %d (its action "
		    "is not implemented)", key, tn, pd->num);
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
	/* RouterOS chains may hold inner spaces: "from the internet" */
	for (i = 0; i < len; i++)
		if ((isspace((unsigned char)s[i]) && (s[i] != ' ' || i == 0 ||
		    i + 1 == len)) || s[i] == '"' || s[i] == '=' ||
		    s[i] == '!' || s[i] == ',')
			return false;
	return true;
}

/* in-interface=all-ethernet and friends become an interface list. */
static bool
ros_special_iface(const char *v)
{
	return strcmp(v, "all-ethernet") == 0 || strcmp(v, "all-ppp") == 0 ||
	    strcmp(v, "all-vlan") == 0 || strcmp(v, "all-wireless") == 0;
}

static void
ros_add_matcher(struct ros_builder *b, struct ros_pending *pd,
    const struct match_def *def, const char *key, const char *val,
    struct ros_pos kpos, struct ros_pos vpos, bool disabled)
{
	const char *tn = ros_table_names[b->table];
	struct rule *r = pd->r;
	struct rule_match m;
	char err[320];

	if (!(def->tables & (1u << b->table))) {
		ros_err(b, kpos, "%s is not allowed in %s rule %d (%s has no "
		    "connection tracking)", key, tn, pd->num, tn);
		return;
	}
	if (match_parse(&m, def, val, err, sizeof(err)) < 0) {
		if (disabled && def->unsupported != NULL)
			ros_note(b, kpos, "%s in disabled %s rule %d", err, tn,
			    pd->num);
		else
			ros_err(b, def->unsupported != NULL ? kpos : vpos,
			    "%s in %s rule %d", err, tn, pd->num);
		match_free(&m);
		return;
	}
	if (def->unsupported != NULL) {
		match_free(&m);
		return;
	}
	r->mt = xreallocarray(r->mt, r->nmt + 1, sizeof(*r->mt));
	pd->mt_pos = xreallocarray(pd->mt_pos, r->nmt + 1,
	    sizeof(*pd->mt_pos));
	pd->mt_pos[r->nmt] = vpos;
	r->mt[r->nmt++] = m;
}

static bool
ros_rule_disabled(const struct ros_item *items, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(items[i].key, "disabled") == 0)
			return strcasecmp(items[i].val, "yes") == 0 ||
			    strcasecmp(items[i].val, "true") == 0;
	return false;
}

/* The argument each action needs, and the keys it takes. */
static void
ros_check_action_args(struct ros_builder *b, struct ros_pending *pd,
    const struct ros_item *const *seen, bool partial)
{
	const char *tn = ros_table_names[b->table];
	struct rule *r = pd->r;
	int need = -1, k;
	static const struct {
		int key;
		enum rule_action acts[3];
	} uses[] = {
		{ K_NEW_CONNECTION_MARK, { RULE_MARK_CONN } },
		{ K_NEW_PACKET_MARK, { RULE_MARK_PACKET } },
		{ K_NEW_ROUTING_MARK, { RULE_MARK_ROUTING } },
		{ K_NEW_MSS, { RULE_CHANGE_MSS } },
		{ K_NEW_TTL, { RULE_CHANGE_TTL } },
		{ K_NEW_DSCP, { RULE_CHANGE_DSCP } },
		{ K_NEW_PRIORITY, { RULE_SET_PRIORITY } },
		{ K_ADDRESS_LIST, { RULE_ADD_SRC, RULE_ADD_DST } },
		{ K_ADDRESS_LIST_TIMEOUT, { RULE_ADD_SRC, RULE_ADD_DST } },
		{ K_HW_OFFLOAD, { RULE_FASTTRACK } },
	};
	size_t i;

	switch (r->action) {
	case RULE_MARK_CONN: need = K_NEW_CONNECTION_MARK; break;
	case RULE_MARK_PACKET: need = K_NEW_PACKET_MARK; break;
	case RULE_MARK_ROUTING: need = K_NEW_ROUTING_MARK; break;
	case RULE_CHANGE_MSS: need = K_NEW_MSS; break;
	case RULE_CHANGE_TTL: need = K_NEW_TTL; break;
	case RULE_CHANGE_DSCP: need = K_NEW_DSCP; break;
	case RULE_SET_PRIORITY: need = K_NEW_PRIORITY; break;
	case RULE_ADD_SRC:
	case RULE_ADD_DST: need = K_ADDRESS_LIST; break;
	default: break;
	}
	if (need >= 0 && seen[need] == NULL && !partial) {
		for (k = 0; k < ROS_NKEYS; k++)
			if ((int)ros_keys[k].key == need)
				break;
		ros_err(b, pd->action_pos, "action=%s needs %s in %s rule %d",
		    rule_action_name(r->action), ros_keys[k].name, tn, pd->num);
	}
	for (i = 0; i < sizeof(uses) / sizeof(uses[0]); i++) {
		const struct ros_item *it = seen[uses[i].key];
		int j;
		bool ok = false;

		if (it == NULL)
			continue;
		for (j = 0; j < 3; j++)
			if (uses[i].acts[j] == r->action &&
			    (j == 0 || uses[i].acts[j] != RULE_ACCEPT))
				ok = true;
		/* verbose exports print defaults for every action */
		if (!ok && uses[i].key == K_ADDRESS_LIST_TIMEOUT)
			ok = true;
		if (!ok && uses[i].key == K_HW_OFFLOAD &&
		    strcasecmp(it->val, "no") == 0)
			ok = true;
		if (!ok)
			ros_err(b, it->kpos, "%s is not used by action=%s in %s "
			    "rule %d", it->key, rule_action_name(r->action), tn,
			    pd->num);
	}
	if (seen[K_PASSTHROUGH] != NULL && b->table != ROS_MANGLE)
		ros_err(b, seen[K_PASSTHROUGH]->kpos, "passthrough is only "
		    "allowed in mangle rules, not in %s rule %d", tn, pd->num);
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
	bool action_ok = true, disabled = ros_rule_disabled(items, n);
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
	r->reject_with = REJECT_ICMP_NET_UNREACH;	/* RouterOS's default */
	r->passthrough = true;
	r->loc.file = b->file;
	r->loc.line = pos.line;
	r->loc.col = pos.col;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < n; i++) {
		const struct ros_item *it = &items[i];
		const struct match_def *def;
		const char *names[ROS_NKEYS + 64];
		const char *const *mk;
		int nn;

		for (k = 0; k < ROS_NKEYS; k++)
			if (strcmp(ros_keys[k].name, it->key) == 0)
				break;
		if (k == ROS_NKEYS) {
			def = match_find(it->key);
			if (def != NULL) {
				ros_add_matcher(b, pd, def, it->key, it->val,
				    it->kpos, it->vpos, disabled);
				continue;
			}
			nn = 0;
			for (k = 0; k < ROS_NKEYS; k++)
				names[nn++] = ros_keys[k].name;
			for (mk = match_keys(); *mk != NULL &&
			    nn < ROS_NKEYS + 63; mk++)
				names[nn++] = *mk;
			names[nn] = NULL;
			if (disabled) {
				ros_note(b, it->kpos, "unknown key \"%s\" in "
				    "disabled %s rule %d%s", it->key, tn, pd->num,
				    ros_hint(hint, sizeof(hint), it->key, names,
				    nn, NULL));
				/* what follows from the lost key is no error */
				partial = true;
				pd->partial = true;
			}
			else
				ros_err(b, it->kpos, "unknown key \"%s\" in %s "
				    "rule %d%s", it->key, tn, pd->num,
				    ros_hint(hint, sizeof(hint), it->key, names,
				    nn, NULL));
			continue;
		}
		k = ros_keys[k].key;
		if (seen[k] != NULL && k != K_UNSUPPORTED) {
			ros_err(b, it->kpos, "duplicate key \"%s\" in %s rule %d",
			    it->key, tn, pd->num);
			continue;
		}
		seen[k] = it;
		if (k == K_UNSUPPORTED)
			ros_rule_value(b, pd, k, it->key, it->val, it->vpos);
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
		const char *const *list = ros_table_actions[b->table];
		size_t u;

		pd->action_pos = it->vpos;
		for (u = 0; u < sizeof(ros_unsupported_actions) /
		    sizeof(ros_unsupported_actions[0]); u++)
			if (strcmp(ros_unsupported_actions[u].name,
			    it->val) == 0)
				break;
		if (u < sizeof(ros_unsupported_actions) /
		    sizeof(ros_unsupported_actions[0])) {
			ros_err(b, it->vpos, "action %s is not supported in %s "
			    "rule %d: %s", it->val, tn, pd->num,
			    ros_unsupported_actions[u].why);
			action_ok = false;
		} else if (ros_action_parse(it->val, &r->action) < 0) {
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
		if (!action_ok)
			r->action = RULE_ACCEPT;
	}

	for (k = K_SRC_ADDRESS; k < K_COUNT; k++) {
		if (seen[k] == NULL || k == K_JUMP_TARGET || k == K_UNSUPPORTED)
			continue;
		if ((k == K_IN_INTERFACE || k == K_OUT_INTERFACE) &&
		    ros_special_iface(seen[k]->val +
		    (seen[k]->val[0] == '!'))) {
			ros_add_matcher(b, pd, match_find(k == K_IN_INTERFACE ?
			    "in-interface-list" : "out-interface-list"),
			    seen[k]->key, seen[k]->val, seen[k]->kpos,
			    seen[k]->vpos, disabled);
			continue;
		}
		ros_rule_value(b, pd, k, seen[k]->key, seen[k]->val,
		    seen[k]->vpos);
	}

	/* Keys that only make sense with some protocols, tables, actions. */
	for (k = K_SRC_PORT; k <= K_DST_PORT; k++) {
		if (seen[k] == NULL)
			continue;
		if (seen[K_PROTOCOL] != NULL && r->proto < 0)
			continue;	/* protocol already reported */
		if (!ros_proto_ports(r->proto) || r->proto_neg)
			ros_err(b, seen[k]->kpos, "%s needs protocol=tcp, udp, "
			    "sctp, udp-lite or dccp in %s rule %d",
			    seen[k]->key, tn, pd->num);
	}
	for (i = 0; i < r->nmt; i++) {
		if (strcmp(r->mt[i].def->key, "port") != 0)
			continue;
		if (seen[K_PROTOCOL] != NULL && r->proto < 0)
			continue;
		if (!ros_proto_ports(r->proto) || r->proto_neg)
			ros_err(b, pd->mt_pos[i], "port needs protocol=tcp, "
			    "udp, sctp, udp-lite or dccp in %s rule %d", tn,
			    pd->num);
	}
	if (seen[K_ICMP_OPTIONS] != NULL &&
	    (seen[K_PROTOCOL] == NULL || r->proto >= 0) &&
	    (r->proto != IPPROTO_ICMP || r->proto_neg))
		ros_err(b, seen[K_ICMP_OPTIONS]->kpos, "icmp-options needs "
		    "protocol=icmp in %s rule %d", tn, pd->num);
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
	if (seen[K_IN_INTERFACE] != NULL) {
		pd->has_inif = true;
		pd->inif_pos = seen[K_IN_INTERFACE]->kpos;
	}
	for (i = 0; i < r->nmt; i++) {
		if (strcmp(r->mt[i].def->key, "out-interface-list") == 0 &&
		    !pd->has_outif) {
			pd->has_outif = true;
			pd->outif_pos = pd->mt_pos[i];
		}
		if (strcmp(r->mt[i].def->key, "in-interface-list") == 0 &&
		    !pd->has_inif) {
			pd->has_inif = true;
			pd->inif_pos = pd->mt_pos[i];
		}
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
	ros_check_action_args(b, pd, seen, partial);
	switch (r->action) {
	case RULE_DSTNAT:
		/* dst-nat with only to-ports keeps the address */
		if (seen[K_TO_ADDRESSES] == NULL && seen[K_TO_PORTS] == NULL &&
		    !partial)
			ros_err(b, pd->action_pos, "action=dst-nat needs "
			    "to-addresses or to-ports in %s rule %d", tn,
			    pd->num);
		break;
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
	    r->action != RULE_REDIRECT && r->action != RULE_EIM &&
	    r->action != RULE_NETMAP)
		ros_err(b, seen[K_TO_PORTS]->kpos, "to-ports is not used by "
		    "action=%s in %s rule %d", rule_action_name(r->action),
		    tn, pd->num);
	if (seen[K_TO_PORTS] != NULL && (r->action == RULE_NETMAP ||
	    (r->action == RULE_DSTNAT && seen[K_TO_ADDRESSES] == NULL)) &&
	    !ros_proto_ports(r->proto) && !(seen[K_PROTOCOL] != NULL &&
	    r->proto < 0))
		ros_err(b, seen[K_TO_PORTS]->kpos, "to-ports needs "
		    "protocol=tcp, udp or sctp in %s rule %d", tn, pd->num);
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

/* Lexer errors count as the builder's own. */
static void
ros_lex_err(void *arg, struct ros_pos pos, const char *msg)
{
	struct ros_builder *b = arg;

	ros_err(b, pos, "%s in %s rule %d", msg, ros_table_names[b->table],
	    b->nrules + 1);
}

/* One command as a rule of this builder's table. */
static void
ros_rule_cmd(struct ros_builder *b, const struct ros_cmd *c)
{
	const char *tn = ros_table_names[b->table];
	bool partial = c->partial;
	int i;

	if (c->bare != NULL) {
		ros_err(b, c->bare_pos, "expected key=value, got \"%s\" in %s "
		    "rule %d", c->bare, tn, b->nrules + 1);
		partial = true;
	}
	/* export verbose: "!key" says the property is unset */
	for (i = 0; i < c->nunset; i++)
		if (!ros_key_known(b->table, c->unset[i].key) &&
		    match_find(c->unset[i].key) == NULL)
			ros_err(b, c->unset[i].kpos, "unknown key \"%s\" in %s "
			    "rule %d", c->unset[i].key, tn, b->nrules + 1);
	ros_add_items(b, c->items, c->nitems, c->pos, partial);
}

void
ros_builder_add_cmd(struct ros_builder *b, const struct ros_cmd *c)
{
	ros_rule_cmd(b, c);
}

static void
ros_line_cb(void *arg, const struct ros_cmd *c)
{
	ros_rule_cmd(arg, c);
}

void
ros_builder_add_text(struct ros_builder *b, const char *text, ros_map_fn map,
    void *marg)
{
	ros_line_read(text, map, marg, ros_lex_err, b, ros_line_cb, b);
}

struct ros_block {
	struct ros_builder *b;
	char want[ROS_PATH_MAX];	/* "/ip/firewall/nat" */
	bool section_ok;
	int last_line;			/* of the last section error */
};

/*
 * A `nat:` or `filter:` block holds one table's export: other sections
 * are errors there (a whole export goes under `routeros:`).
 */
static void
ros_block_cb(void *arg, const struct ros_cmd *c)
{
	struct ros_block *bl = arg;
	struct ros_builder *b = bl->b;
	const char *tn = ros_table_names[b->table];
	char shown[ROS_PATH_MAX + 8];
	size_t i;

	if (c->path[0] != '\0' && strcmp(c->path, bl->want) != 0) {
		if (c->path_pos.line != bl->last_line) {
			bl->last_line = c->path_pos.line;
			/* "/ip firewall nat" as the export writes it */
			snprintf(shown, sizeof(shown), "%s", c->path);
			for (i = 1; shown[i] != '\0'; i++)
				if (shown[i] == '/')
					shown[i] = ' ';
			if (strncmp(c->path, "/ip/firewall/", 13) == 0 &&
			    strchr(c->path + 13, '/') == NULL &&
			    (strcmp(c->path + 13, "nat") == 0 ||
			    strcmp(c->path + 13, "filter") == 0 ||
			    strcmp(c->path + 13, "mangle") == 0 ||
			    strcmp(c->path + 13, "raw") == 0))
				ros_err(b, c->path_pos, "section \"%s\" is not "
				    "allowed in %s (expected /ip firewall %s)",
				    shown, tn, tn);
			else
				ros_err(b, c->path_pos, "unknown section \"%s\" "
				    "in %s (expected /ip firewall %s)", shown, tn,
				    tn);
		}
		return;
	}
	if (c->verb[0] == '\0' && c->nitems == 0 && c->bare == NULL)
		return;		/* the section line itself */
	if (strcmp(c->verb, "add") != 0) {
		ros_err(b, c->pos, "unsupported command \"%s\" in %s export "
		    "(only add lines are understood)", c->verb[0] != '\0' ?
		    c->verb : c->bare != NULL ? c->bare : "", tn);
		return;
	}
	ros_rule_cmd(b, c);
}

static void
ros_block_err(void *arg, struct ros_pos pos, const char *msg)
{
	struct ros_block *bl = arg;

	ros_lex_err(bl->b, pos, msg);
}

void
ros_builder_add_export(struct ros_builder *b, const char *text,
    ros_map_fn map, void *marg)
{
	struct ros_block bl;

	memset(&bl, 0, sizeof(bl));
	bl.b = b;
	snprintf(bl.want, sizeof(bl.want), "/ip/firewall/%s",
	    ros_table_names[b->table]);
	ros_export_read(text, map, marg, ros_block_err, &bl, ros_block_cb,
	    &bl);
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
		if (key != NULL)
			ros_sb_add(sb, " %s=%s", key, v);
		else
			ros_sb_add(sb, "%s", v);
		return;
	}
	if (key != NULL)
		ros_sb_add(sb, " %s=\"", key);
	else
		ros_sb_add(sb, "\"");
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
	const char *proto;

	if (strchr(rs->chains[r->chain].name, ' ') != NULL)
		ros_sb_add(&sb, "chain=\"%s\" action=%s",
		    rs->chains[r->chain].name, rule_action_name(r->action));
	else
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
		ros_sb_text(&sb, "jump-target", rs->chains[r->jump_target].name);
	if (r->action == RULE_REJECT)
		ros_sb_add(&sb, " reject-with=%s",
		    ros_reject_names[r->reject_with]);
	switch (r->mark_name == NULL && (r->action == RULE_MARK_CONN ||
	    r->action == RULE_MARK_PACKET || r->action == RULE_MARK_ROUTING ||
	    r->action == RULE_ADD_SRC || r->action == RULE_ADD_DST) ?
	    RULE_ACCEPT : r->action) {
	case RULE_MARK_CONN:
		ros_sb_text(&sb, "new-connection-mark", r->mark_name);
		break;
	case RULE_MARK_PACKET:
		ros_sb_text(&sb, "new-packet-mark", r->mark_name);
		break;
	case RULE_MARK_ROUTING:
		ros_sb_text(&sb, "new-routing-mark", r->mark_name);
		break;
	case RULE_CHANGE_MSS:
		if (r->new_mss < 0)
			ros_sb_add(&sb, " new-mss=clamp-to-pmtu");
		else
			ros_sb_add(&sb, " new-mss=%d", r->new_mss);
		break;
	case RULE_CHANGE_TTL:
		ros_sb_add(&sb, " new-ttl=%s:%u", r->ttl_op == TTL_SET ? "set" :
		    r->ttl_op == TTL_INC ? "increment" : "decrement",
		    r->ttl_val);
		break;
	case RULE_CHANGE_DSCP:
		ros_sb_add(&sb, " new-dscp=%u", r->new_dscp);
		break;
	case RULE_SET_PRIORITY:
		if (r->new_priority == 0xff)
			ros_sb_add(&sb, " new-priority=from-dscp");
		else
			ros_sb_add(&sb, " new-priority=%u", r->new_priority);
		break;
	case RULE_ADD_SRC:
	case RULE_ADD_DST:
		ros_sb_text(&sb, "address-list", r->mark_name);
		if (r->list_static)
			ros_sb_add(&sb, " address-list-timeout=none-static");
		else if (r->list_timeout == 0)
			ros_sb_add(&sb, " address-list-timeout=none-dynamic");
		else
			ros_sb_add(&sb, " address-list-timeout=%us",
			    r->list_timeout);
		break;
	default:
		break;
	}
	if (r->action >= RULE_MARK_CONN && r->action <= RULE_SET_PRIORITY &&
	    !r->passthrough)
		ros_sb_add(&sb, " passthrough=no");
	if (r->proto >= 0) {
		proto = ros_proto_name(r->proto);
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
		if (r->icmp_type_hi != r->icmp_type)
			ros_sb_add(&sb, "-%d", r->icmp_type_hi);
		if (r->icmp_code >= 0) {
			ros_sb_add(&sb, ":%d", r->icmp_code);
			if (r->icmp_code_hi != r->icmp_code)
				ros_sb_add(&sb, "-%d", r->icmp_code_hi);
		}
	}
	{
		int i;

		for (i = 0; i < r->nmt; i++) {
			char key[64];

			snprintf(key, sizeof(key), "%s", r->mt[i].def->key);
			if (r->mt[i].neg) {
				ros_sb_add(&sb, " %s=!", key);
				ros_sb_text(&sb, NULL, r->mt[i].text);
			} else {
				ros_sb_text(&sb, key, r->mt[i].text);
			}
		}
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

/* Is @name the chain= of some rule (for jump-target)? */
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

/* "input, forward, output" for a table's builtins. */
static void
ros_builtin_list(enum ros_table t, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < CHAIN_BUILTIN_COUNT; i++)
		if (ros_chain_allowed(t, i))
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
			    off > 0 ? ", " : "", ros_builtin_chains[i]);
}

/* Candidates for "did you mean": the user chains rules name. */
static const char **
ros_chain_cands(const struct ros_builder *b, int *n)
{
	const char **c = xcalloc(b->nrules + 1, sizeof(*c));
	int i, k = 0;

	for (i = 0; i < b->nrules; i++) {
		const char *s = b->rules[i].chain;

		if (s != NULL && ros_lookup(ros_builtin_chains, s) < 0)
			c[k++] = s;
	}
	*n = k;
	return c;
}

/*
 * Chain id of each pending rule; -1 when unresolved. Any name that is
 * not a builtin is a user chain, as in RouterOS, even when nothing jumps
 * to it; one close to a builtin name gets a note, since it is likelier a
 * slip than a chain of its own.
 */
static void
ros_resolve_chains(struct ros_builder *b, struct ruleset *rs, int *ids)
{
	const char *tn = ros_table_names[b->table];
	const char *builtins[CHAIN_BUILTIN_COUNT + 1];
	char hint[256], list[128];
	int i, id, n = 0;

	for (i = 0; i < CHAIN_BUILTIN_COUNT; i++)
		if (ros_chain_allowed(b->table, i))
			builtins[n++] = ros_builtin_chains[i];
	builtins[n] = NULL;
	ros_builtin_list(b->table, list, sizeof(list));
	for (i = 0; i < b->nrules; i++) {
		struct ros_pending *pd = &b->rules[i];
		const char *s;

		ids[i] = -1;
		if (pd->chain == NULL)
			continue;
		id = ruleset_chain_find(rs, pd->chain);
		if (id >= 0 && id < CHAIN_BUILTIN_COUNT) {
			if (ros_chain_allowed(b->table, id))
				ids[i] = id;
			else
				ros_err(b, pd->chain_pos, "chain %s is not "
				    "allowed in %s rule %d (expected %s or a "
				    "user chain)", pd->chain, tn, pd->num, list);
			continue;
		}
		if (id < 0 && !ros_has_jump(b, pd->chain) &&
		    (s = ros_suggest(pd->chain, builtins, -1)) != NULL)
			ros_note(b, pd->chain_pos, "chain \"%s\" in %s rule %d "
			    "is a user chain nothing jumps to (did you mean "
			    "\"%s\"?)", pd->chain, tn, pd->num, s);
		ids[i] = ros_chain_add(rs, pd->chain);
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
			cands = ros_chain_cands(b, &n);
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
		int c = ids[i];
		const char *cn = c >= 0 && c < CHAIN_BUILTIN_COUNT ?
		    ros_builtin_chains[c] : NULL;

		if (cn == NULL)
			continue;
		if (pd->has_outif && (c == CHAIN_DSTNAT || c == CHAIN_INPUT ||
		    c == CHAIN_PREROUTING))
			ros_err(b, pd->outif_pos, "out-interface cannot be "
			    "used in chain %s in %s rule %d (%s)", cn, tn,
			    pd->num, c == CHAIN_INPUT ? "the packet is for the "
			    "router" : "the packet is not routed yet");
		if (pd->has_inif && c == CHAIN_OUTPUT)
			ros_err(b, pd->inif_pos, "in-interface cannot be used "
			    "in chain output in %s rule %d (the router sends "
			    "the packet)", tn, pd->num);
		if (c == CHAIN_DSTNAT && (r->action == RULE_SRCNAT ||
		    r->action == RULE_MASQUERADE))
			ros_err(b, pd->action_pos, "action=%s cannot be used "
			    "in chain dstnat in %s rule %d (use chain=srcnat)",
			    rule_action_name(r->action), tn, pd->num);
		if (c == CHAIN_SRCNAT && (r->action == RULE_DSTNAT ||
		    r->action == RULE_REDIRECT))
			ros_err(b, pd->action_pos, "action=%s cannot be used "
			    "in chain srcnat in %s rule %d (use chain=dstnat)",
			    rule_action_name(r->action), tn, pd->num);
		if (r->action == RULE_FASTTRACK && b->table == ROS_FILTER &&
		    c != CHAIN_FORWARD)
			ros_err(b, pd->action_pos, "action=fasttrack-connection "
			    "is only allowed in chain forward in %s rule %d", tn,
			    pd->num);
		if (r->action == RULE_MARK_ROUTING && c != CHAIN_PREROUTING &&
		    c != CHAIN_OUTPUT)
			ros_err(b, pd->action_pos, "action=mark-routing is only "
			    "allowed in chains prerouting and output in %s rule "
			    "%d (the route is chosen after them)", tn, pd->num);
		if (r->action == RULE_TARPIT && c == CHAIN_OUTPUT)
			ros_err(b, pd->action_pos, "action=tarpit cannot be used "
			    "in chain output in %s rule %d", tn, pd->num);
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
		free(b->rules[i].mt_pos);
	}
	free(b->rules);
	for (i = 0; i < b->nifs; i++)
		free(b->ifnames[i]);
	free(b->ifnames);
	free(b);
}

/* Matchers that name other sections: interface lists. */
static void
ros_bind(struct ros_builder *b, const struct match_env *env)
{
	const char *tn = ros_table_names[b->table];
	char err[256];
	int i, j;

	for (i = 0; i < b->nrules; i++) {
		struct ros_pending *pd = &b->rules[i];

		for (j = 0; j < pd->r->nmt; j++) {
			struct rule_match *m = &pd->r->mt[j];

			if (m->def->bind == NULL ||
			    m->def->bind(m, env, err, sizeof(err)) == 0)
				continue;
			ros_err(b, pd->mt_pos[j], "%s in %s rule %d", err, tn,
			    pd->num);
		}
	}
}

struct ruleset *
ros_builder_finish(struct ros_builder *b)
{
	return ros_builder_finish_env(b, NULL);
}

struct ruleset *
ros_builder_finish_env(struct ros_builder *b, const struct match_env *env)
{
	struct ruleset *rs = xcalloc(1, sizeof(*rs));
	int *ids = xcalloc(b->nrules > 0 ? b->nrules : 1, sizeof(*ids));
	int i;

	rs->table = b->table;
	rs->nrules = b->nrules;
	for (i = 0; i < CHAIN_BUILTIN_COUNT; i++)
		ros_chain_add(rs, ros_builtin_chains[i]);
	ros_resolve_chains(b, rs, ids);
	ros_check_placement(b, ids);
	ros_bind(b, env);

	/* Rules go to their chains in file order; unplaced ones are freed. */
	for (i = 0; i < b->nrules; i++) {
		struct rule_chain *ch;
		struct rule *r = b->rules[i].r;

		if (ids[i] < 0) {
			rule_free(r);
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
