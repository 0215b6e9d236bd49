/* SPDX-License-Identifier: ISC */
/* Rule matching and chain evaluation with jump/return, in RouterOS terms. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "match.h"
#include "rule.h"
#include "xmalloc.h"

static const char *const rule_action_names[] = {
	[RULE_ACCEPT] = "accept",
	[RULE_DROP] = "drop",
	[RULE_REJECT] = "reject",
	[RULE_DSTNAT] = "dst-nat",
	[RULE_SRCNAT] = "src-nat",
	[RULE_MASQUERADE] = "masquerade",
	[RULE_NETMAP] = "netmap",
	[RULE_REDIRECT] = "redirect",
	[RULE_EIM] = "endpoint-independent-nat",
	[RULE_PASSTHROUGH] = "passthrough",
	[RULE_JUMP] = "jump",
	[RULE_RETURN] = "return",
	[RULE_LOG] = "log",
	[RULE_FASTTRACK] = "fasttrack-connection",
	[RULE_TARPIT] = "tarpit",
	[RULE_ADD_SRC] = "add-src-to-address-list",
	[RULE_ADD_DST] = "add-dst-to-address-list",
	[RULE_NOTRACK] = "notrack",
	[RULE_MARK_CONN] = "mark-connection",
	[RULE_MARK_PACKET] = "mark-packet",
	[RULE_MARK_ROUTING] = "mark-routing",
	[RULE_CHANGE_MSS] = "change-mss",
	[RULE_CHANGE_TTL] = "change-ttl",
	[RULE_CHANGE_DSCP] = "change-dscp",
	[RULE_CLEAR_DF] = "clear-df",
	[RULE_STRIP_OPTIONS] = "strip-ipv4-options",
	[RULE_SET_PRIORITY] = "set-priority",
};

const char *
rule_action_name(enum rule_action a)
{
	if ((unsigned int)a >= sizeof(rule_action_names) /
	    sizeof(rule_action_names[0]) || rule_action_names[a] == NULL)
		return "unknown";
	return rule_action_names[a];
}

static inline bool
rule_addr_match(const struct rule_addr *m, uint32_t a)
{
	bool in = a >= m->lo && a <= m->hi;

	return in != m->neg;
}

static inline bool
rule_ports_match(const struct rule_ports *m, uint16_t port)
{
	bool in = false;
	int i;

	for (i = 0; i < m->n; i++) {
		if (port >= m->r[i].lo && port <= m->r[i].hi) {
			in = true;
			break;
		}
	}
	return in != m->neg;
}

/*
 * An interface matcher never matches when the packet's interface is not
 * known yet (out-interface before routing), negated or not: "not wan" is
 * as unknowable as "wan" there.
 */
static inline bool
rule_if_match(int want, bool neg, int have)
{
	if (want < 0)
		return true;
	if (have < 0)
		return false;
	return (have == want) != neg;
}

bool
rule_match(const struct rule *r, const struct rule_pkt *p)
{
	int i;

	if (r->proto >= 0 && (p->proto == r->proto) == r->proto_neg)
		return false;
	if (r->src.set && !rule_addr_match(&r->src, ntohl(p->src)))
		return false;
	if (r->dst.set && !rule_addr_match(&r->dst, ntohl(p->dst)))
		return false;
	if (r->sport.set && !rule_ports_match(&r->sport, ntohs(p->sport)))
		return false;
	if (r->dport.set && !rule_ports_match(&r->dport, ntohs(p->dport)))
		return false;
	if (!rule_if_match(r->in_if, r->in_neg, p->in_if))
		return false;
	if (!rule_if_match(r->out_if, r->out_neg, p->out_if))
		return false;
	if (r->ct_state != 0 &&
	    ((p->ct_state & r->ct_state) != 0) == r->ct_state_neg)
		return false;
	if (r->nat_state != 0 &&
	    ((p->nat_state & r->nat_state) != 0) == r->nat_state_neg)
		return false;
	if (r->icmp_type >= 0) {
		bool in;

		if (p->icmp_type < 0)
			return false;
		in = p->icmp_type >= r->icmp_type &&
		    p->icmp_type <= r->icmp_type_hi &&
		    (r->icmp_code < 0 || (p->icmp_code >= r->icmp_code &&
		    p->icmp_code <= r->icmp_code_hi));
		if (in == r->icmp_neg)
			return false;
	}
	for (i = 0; i < r->nmt; i++)
		if (!match_test(&r->mt[i], p))
			return false;
	return true;
}

static const char *
rule_ifname(const struct ruleset *rs, int idx, char *buf, size_t len)
{
	if (idx >= 0 && idx < rs->nifnames && rs->ifnames[idx] != NULL)
		return rs->ifnames[idx];
	snprintf(buf, len, "(unknown %d)", idx < 0 ? 0 : idx);
	return buf;
}

/* TCP flag names in the order RouterOS prints them. */
static void
rule_tcp_flags(uint8_t flags, char *buf, size_t len)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} names[] = {
		{ 0x02, "SYN" }, { 0x10, "ACK" }, { 0x01, "FIN" },
		{ 0x04, "RST" }, { 0x08, "PSH" }, { 0x20, "URG" },
		{ 0x40, "ECE" }, { 0x80, "CWR" },
	};
	size_t off = 0, i;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int n;

		if ((flags & names[i].bit) == 0)
			continue;
		n = snprintf(buf + off, len - off, "%s%s",
		    off == 0 ? " (" : ",", names[i].name);
		if (n < 0 || (size_t)n >= len - off)
			return;
		off += n;
	}
	if (off > 0 && off + 1 < len) {
		buf[off] = ')';
		buf[off + 1] = '\0';
	}
}

/* One RouterOS style log line: "PREFIX CHAIN: in:IF out:IF, proto ..." */
static void
rule_log(const struct ruleset *rs, const struct rule *r, int chain,
    const struct rule_pkt *p)
{
	char inb[24], outb[24], flags[48], src[INET_ADDRSTRLEN],
	    dst[INET_ADDRSTRLEN], proto[64], addrs[80];
	const char *pfx = r->log_prefix != NULL ? r->log_prefix : "";

	inet_ntop(AF_INET, &p->src, src, sizeof(src));
	inet_ntop(AF_INET, &p->dst, dst, sizeof(dst));
	switch (p->proto) {
	case IPPROTO_TCP:
		rule_tcp_flags(p->tcp_flags, flags, sizeof(flags));
		snprintf(proto, sizeof(proto), "TCP%s", flags);
		break;
	case IPPROTO_UDP:
		snprintf(proto, sizeof(proto), "UDP");
		break;
	case IPPROTO_ICMP:
		snprintf(proto, sizeof(proto), "ICMP (type %d, code %d)",
		    p->icmp_type, p->icmp_code);
		break;
	default:
		snprintf(proto, sizeof(proto), "%u", p->proto);
		break;
	}
	if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP)
		snprintf(addrs, sizeof(addrs), "%s:%u->%s:%u", src,
		    ntohs(p->sport), dst, ntohs(p->dport));
	else
		snprintf(addrs, sizeof(addrs), "%s->%s", src, dst);
	log_info("%s%s%s: in:%s out:%s, proto %s, %s, len %u", pfx,
	    *pfx != '\0' ? " " : "", rs->chains[chain].name,
	    rule_ifname(rs, p->in_if, inb, sizeof(inb)),
	    rule_ifname(rs, p->out_if, outb, sizeof(outb)), proto, addrs,
	    p->len);
}

bool
rule_terminal(const struct rule *r)
{
	switch (r->action) {
	case RULE_PASSTHROUGH:
	case RULE_LOG:
	case RULE_JUMP:
	case RULE_RETURN:
	case RULE_ADD_SRC:
	case RULE_ADD_DST:
		return false;
	case RULE_MARK_CONN:
	case RULE_MARK_PACKET:
	case RULE_MARK_ROUTING:
	case RULE_CHANGE_MSS:
	case RULE_CHANGE_TTL:
	case RULE_CHANGE_DSCP:
	case RULE_CLEAR_DF:
	case RULE_STRIP_OPTIONS:
	case RULE_SET_PRIORITY:
		return !r->passthrough;
	default:
		return true;
	}
}

const struct rule *
rule_eval(const struct ruleset *rs, int chain, struct rule_pkt *p,
    rule_trace_fn trace, void *arg)
{
	return rule_eval_act(rs, chain, p, trace, NULL, arg);
}

const struct rule *
rule_eval_act(const struct ruleset *rs, int chain, struct rule_pkt *p,
    rule_trace_fn trace, rule_act_fn act, void *arg)
{
	struct {
		int chain, pos;
	} stack[RULE_MAX_DEPTH];
	int depth = 0, c = chain, i = 0;

	if (rs == NULL || chain < 0 || chain >= rs->nchains)
		return NULL;
	for (;;) {
		const struct rule_chain *ch = &rs->chains[c];
		struct rule *r;
		bool m;

		if (i >= ch->nrules) {
			/* End of a user chain is an implicit return. */
			if (depth == 0)
				return NULL;
			depth--;
			c = stack[depth].chain;
			i = stack[depth].pos;
			continue;
		}
		r = ch->rules[i++];
		if (r->disabled)
			continue;
		m = rule_match(r, p);
		if (trace != NULL)
			trace(arg, rs, r, m);
		if (!m)
			continue;
		r->packets++;
		r->bytes += p->len;
		if (r->log || r->action == RULE_LOG)
			rule_log(rs, r, c, p);
		switch (r->action) {
		case RULE_PASSTHROUGH:
		case RULE_LOG:
			break;
		case RULE_ADD_SRC:
		case RULE_ADD_DST:
		case RULE_MARK_CONN:
		case RULE_MARK_PACKET:
		case RULE_MARK_ROUTING:
		case RULE_CHANGE_MSS:
		case RULE_CHANGE_TTL:
		case RULE_CHANGE_DSCP:
		case RULE_CLEAR_DF:
		case RULE_STRIP_OPTIONS:
		case RULE_SET_PRIORITY:
			if (act != NULL)
				act(arg, r, p);
			if (rule_terminal(r))
				return r;
			break;
		case RULE_JUMP:
			/*
			 * The loader refuses jump loops, so running out of
			 * depth means a legal but too deep nesting: skip the
			 * jump rather than lose the packet's place.
			 */
			if (depth >= RULE_MAX_DEPTH || r->jump_target < 0 ||
			    r->jump_target >= rs->nchains) {
				static struct log_rl rl;

				if (log_ratelimit(&rl, 1))
					log_warnx("rule %d: jump nesting deeper "
					    "than %d, jump skipped", r->index,
					    RULE_MAX_DEPTH);
				break;
			}
			stack[depth].chain = c;
			stack[depth].pos = i;
			depth++;
			c = r->jump_target;
			i = 0;
			break;
		case RULE_RETURN:
			/* A return in a builtin chain ends it: the default. */
			if (depth == 0)
				return NULL;
			depth--;
			c = stack[depth].chain;
			i = stack[depth].pos;
			break;
		default:
			return r;
		}
	}
}

int
ruleset_chain_find(const struct ruleset *rs, const char *name)
{
	int i;

	for (i = 0; i < rs->nchains; i++)
		if (strcmp(rs->chains[i].name, name) == 0)
			return i;
	return -1;
}

void
rule_free(struct rule *r)
{
	int i;

	for (i = 0; i < r->nmt; i++)
		match_free(&r->mt[i]);
	free(r->mt);
	free(r->mark_name);
	free(r->log_prefix);
	free(r->comment);
	free(r->text);
	free(r);
}

void
ruleset_free(struct ruleset *rs)
{
	int i, j;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->nchains; i++) {
		for (j = 0; j < rs->chains[i].nrules; j++)
			rule_free(rs->chains[i].rules[j]);
		free(rs->chains[i].rules);
		free(rs->chains[i].name);
	}
	free(rs->chains);
	for (i = 0; i < rs->nifnames; i++)
		free(rs->ifnames[i]);
	free(rs->ifnames);
	free(rs);
}

void
ruleset_copy_counters(struct ruleset *new_rs, const struct ruleset *old)
{
	int c, i, j, oc;

	if (new_rs == NULL || old == NULL)
		return;
	for (c = 0; c < new_rs->nchains; c++) {
		const struct rule_chain *nch = &new_rs->chains[c];
		const struct rule_chain *och;
		bool *used;

		oc = ruleset_chain_find(old, nch->name);
		if (oc < 0)
			continue;
		och = &old->chains[oc];
		/*
		 * Identical rules pair up in order, so two equal rules keep
		 * their own counters across a reload.
		 */
		used = xcalloc(och->nrules > 0 ? och->nrules : 1, sizeof(*used));
		for (i = 0; i < nch->nrules; i++) {
			struct rule *nr = nch->rules[i];

			for (j = 0; j < och->nrules; j++) {
				const struct rule *orl = och->rules[j];

				if (used[j] || nr->text == NULL ||
				    orl->text == NULL ||
				    strcmp(nr->text, orl->text) != 0)
					continue;
				used[j] = true;
				nr->packets = orl->packets;
				nr->bytes = orl->bytes;
				break;
			}
		}
		free(used);
	}
}
