/* SPDX-License-Identifier: ISC */
/*
 * Firewall and NAT rules in RouterOS terms, their chains, and evaluation.
 *
 * One engine serves both `nat:` (chains dstnat, srcnat) and `filter:`
 * (chains input, forward); user chains are reached with action=jump and
 * left with action=return. A ruleset is immutable once built, except for
 * the per-rule counters, so a reload builds a new one and swaps pointers.
 *
 * Byte order: addresses in matchers and actions are kept in HOST order
 * (lo..hi inclusive ranges, a prefix is a range); ports in HOST order.
 * struct rule_pkt carries addresses and ports in NETWORK order, as they
 * sit in the packet, and rule_eval() converts.
 */
#ifndef HAIRPIND_RULE_H
#define HAIRPIND_RULE_H

#include <stdbool.h>
#include <stdint.h>

#define RULE_MAX_PORT_RANGES 16
#define RULE_MAX_DEPTH 16	/* jump nesting at run time */

enum rule_action {
	RULE_ACCEPT,
	RULE_DROP,		/* filter */
	RULE_REJECT,		/* filter */
	RULE_DSTNAT,		/* action=dst-nat */
	RULE_SRCNAT,		/* action=src-nat */
	RULE_MASQUERADE,
	RULE_NETMAP,
	RULE_REDIRECT,
	RULE_EIM,		/* action=endpoint-independent-nat */
	RULE_PASSTHROUGH,
	RULE_JUMP,
	RULE_RETURN,
	RULE_LOG,
};

enum rule_reject_with {
	REJECT_ICMP_PORT_UNREACH,	/* default, as RouterOS */
	REJECT_ICMP_HOST_UNREACH,
	REJECT_ICMP_NET_UNREACH,
	REJECT_ICMP_ADMIN_PROHIBITED,
	REJECT_TCP_RESET,
};

/* connection-state bits */
#define RULE_CT_NEW		0x01
#define RULE_CT_ESTABLISHED	0x02
#define RULE_CT_RELATED		0x04
#define RULE_CT_INVALID		0x08
/* connection-nat-state bits */
#define RULE_NAT_SRCNAT		0x01
#define RULE_NAT_DSTNAT		0x02

/* Builtin chain ids; user chains follow. */
enum rule_chain_id {
	CHAIN_DSTNAT = 0,
	CHAIN_SRCNAT = 1,
	CHAIN_INPUT = 2,
	CHAIN_FORWARD = 3,
	CHAIN_BUILTIN_COUNT = 4,
};

struct rule_addr {
	bool set, neg;
	uint32_t lo, hi;	/* host order, inclusive */
};

struct rule_ports {
	bool set, neg;
	int n;
	struct { uint16_t lo, hi; } r[RULE_MAX_PORT_RANGES];
};

struct rule_loc {
	const char *file;	/* shared, owned by the config */
	int line, col;		/* 1-based */
};

struct rule {
	int chain;		/* chain id in its ruleset */
	int index;		/* 0-based position in its table (all of nat: or
				   all of filter:), as RouterOS print numbers */
	bool disabled;

	/* matchers; an unset matcher matches everything */
	struct rule_addr src, dst;
	int proto;		/* -1: any, else IP protocol number */
	bool proto_neg;
	struct rule_ports sport, dport;
	int in_if, out_if;	/* interface index, -1: any */
	bool in_neg, out_neg;
	uint8_t ct_state;	/* RULE_CT_* mask, 0: unset */
	bool ct_state_neg;
	uint8_t nat_state;	/* RULE_NAT_* mask, 0: unset */
	bool nat_state_neg;
	int icmp_type, icmp_code;	/* -1: any */
	bool icmp_neg;

	/* action */
	enum rule_action action;
	struct rule_addr to_addr;	/* to-addresses: lo..hi, host order */
	bool to_ports_set;
	uint16_t to_port_lo, to_port_hi;
	int jump_target;	/* chain id, for RULE_JUMP */
	enum rule_reject_with reject_with;
	bool randomise_ports;
	bool log;		/* log=yes: also log the packet when it matches */
	char *log_prefix;	/* log-prefix=, may be NULL */
	char *comment;		/* may be NULL */

	char *text;		/* canonical RouterOS text, for `rules` */
	struct rule_loc loc;

	/* counters, updated by rule_eval() on every match */
	uint64_t packets, bytes;
};

struct rule_chain {
	char *name;
	struct rule **rules;
	int nrules;
};

struct ruleset {
	struct rule_chain *chains;	/* [0..CHAIN_BUILTIN_COUNT) are builtin */
	int nchains;
	char **ifnames;		/* interface names by index, for log lines */
	int nifnames;
};

/* What a packet shows the matchers. */
struct rule_pkt {
	uint32_t src, dst;	/* network order */
	uint16_t sport, dport;	/* network order; 0 when the protocol has none */
	uint8_t proto;
	int in_if, out_if;	/* -1: not known (out_if in dstnat) */
	uint8_t ct_state;	/* exactly one RULE_CT_* bit */
	uint8_t nat_state;	/* RULE_NAT_* bits of the connection */
	int icmp_type, icmp_code;	/* -1 when not ICMP */
	uint32_t len;		/* IP total length, for byte counters */
	uint8_t tcp_flags;	/* TCP flags byte when TCP (log lines), else 0 */
};

/* Called for every rule tried during rule_eval(), for `trace`. */
typedef void (*rule_trace_fn)(void *arg, const struct ruleset *rs,
    const struct rule *r, bool matched);

/**
 * rule_eval() - walk a chain, following jump/return, until a terminal rule.
 * @rs: ruleset
 * @chain: chain id to start in
 * @p: packet view
 * @trace: optional callback for each rule tried, or NULL
 * @arg: callback argument
 *
 * Counts packets and bytes on every matching rule (passthrough, log and
 * jump included). log rules write one line with the packet and continue.
 * Return: the terminal rule that matched (accept, drop, reject or a NAT
 * action), or NULL when the chain ran out (the chain's default: accept,
 * no NAT).
 */
const struct rule *rule_eval(const struct ruleset *rs, int chain,
    const struct rule_pkt *p, rule_trace_fn trace, void *arg);

/**
 * rule_match() - does one rule's matchers accept the packet? No counters.
 */
bool rule_match(const struct rule *r, const struct rule_pkt *p);

/* rule_action_name() - "dst-nat", "masquerade", ... */
const char *rule_action_name(enum rule_action a);

/* Find a chain by name. Return: its id or -1. */
int ruleset_chain_find(const struct ruleset *rs, const char *name);

void ruleset_free(struct ruleset *rs);

/*
 * ruleset_copy_counters() - after a reload, carry counters from @old to
 * rules of @new with the same chain name and the same text.
 */
void ruleset_copy_counters(struct ruleset *new_rs, const struct ruleset *old);

#endif
