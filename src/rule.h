/* SPDX-License-Identifier: ISC */
/*
 * Firewall and NAT rules in RouterOS terms, their chains, and evaluation.
 *
 * One engine serves the four RouterOS tables: raw (prerouting, output),
 * mangle (prerouting, input, forward, output, postrouting), filter (input,
 * forward, output) and nat (dstnat, srcnat); user chains are reached with
 * action=jump and left with action=return, and a user chain nothing jumps
 * to is kept, as RouterOS keeps it. A ruleset is immutable once built,
 * except for the per-rule counters and the state of stateful matchers
 * (limit, nth, psd ...), so a reload builds a new one and swaps pointers.
 *
 * The classic matchers (addresses, protocol, ports, interfaces, states,
 * icmp-options) are fields of struct rule, tested inline; every other
 * RouterOS matcher is a row of the registry in match.c (key, parse,
 * match, print), held by a rule as a struct rule_match.
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
	RULE_FASTTRACK,		/* filter forward: accept, later packets skip */
	RULE_TARPIT,		/* filter: hold a TCP connection open */
	RULE_ADD_SRC,		/* add-src-to-address-list */
	RULE_ADD_DST,		/* add-dst-to-address-list */
	RULE_NOTRACK,		/* raw */
	RULE_MARK_CONN,		/* mangle: mark-connection */
	RULE_MARK_PACKET,	/* mangle: mark-packet */
	RULE_MARK_ROUTING,	/* mangle: mark-routing */
	RULE_CHANGE_MSS,
	RULE_CHANGE_TTL,
	RULE_CHANGE_DSCP,
	RULE_CLEAR_DF,
	RULE_STRIP_OPTIONS,	/* strip-ipv4-options */
	RULE_SET_PRIORITY,
	RULE_ACTION_COUNT
};

enum rule_reject_with {
	REJECT_ICMP_PORT_UNREACH,	/* default, as RouterOS */
	REJECT_ICMP_HOST_UNREACH,
	REJECT_ICMP_NET_UNREACH,	/* icmp-network-unreachable */
	REJECT_ICMP_ADMIN_PROHIBITED,
	REJECT_TCP_RESET,
	REJECT_ICMP_PROTO_UNREACH,	/* icmp-protocol-unreachable */
	REJECT_ICMP_NET_PROHIBITED,	/* icmp-net-prohibited */
	REJECT_ICMP_HOST_PROHIBITED,	/* icmp-host-prohibited */
	REJECT_COUNT
};

/* connection-state bits */
#define RULE_CT_NEW		0x01
#define RULE_CT_ESTABLISHED	0x02
#define RULE_CT_RELATED		0x04
#define RULE_CT_INVALID		0x08
#define RULE_CT_UNTRACKED	0x10
/* connection-nat-state bits */
#define RULE_NAT_SRCNAT		0x01
#define RULE_NAT_DSTNAT		0x02

/*
 * Builtin chain ids, the same in every table (a table uses some of them:
 * ros_chain_allowed()); user chains follow.
 */
enum rule_chain_id {
	CHAIN_DSTNAT = 0,
	CHAIN_SRCNAT = 1,
	CHAIN_INPUT = 2,
	CHAIN_FORWARD = 3,
	CHAIN_OUTPUT = 4,
	CHAIN_PREROUTING = 5,
	CHAIN_POSTROUTING = 6,
	CHAIN_BUILTIN_COUNT = 7,
};

/* mark values: 0 is no-mark; names are interned by names.c */
#define RULE_NO_MARK	0

/* change-ttl / ttl= operations */
enum rule_ttl_op { TTL_SET, TTL_INC, TTL_DEC };

struct rule_match;

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
	int icmp_type_hi, icmp_code_hi;	/* ranges: TYPE-TYPE:CODE-CODE */
	bool icmp_neg;

	/* the registry's matchers (match.c), cheapest first */
	struct rule_match *mt;
	int nmt;

	/* action */
	enum rule_action action;
	struct rule_addr to_addr;	/* to-addresses: lo..hi, host order */
	bool to_ports_set;
	uint16_t to_port_lo, to_port_hi;
	int jump_target;	/* chain id, for RULE_JUMP */
	enum rule_reject_with reject_with;
	bool randomise_ports;
	bool passthrough;	/* mangle marks and changes: go on (default) */
	char *mark_name;	/* new-*-mark=, or the list of add-*-to-... */
	uint16_t mark;		/* its interned id (names.c), 0: no-mark */
	uint32_t list_timeout;	/* address-list-timeout, s; 0: none-dynamic */
	bool list_static;	/* address-list-timeout=none-static */
	int new_mss;		/* change-mss: -1 clamp-to-pmtu */
	enum rule_ttl_op ttl_op;	/* change-ttl */
	uint8_t ttl_val, new_dscp, new_priority;
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
	int table;			/* enum ros_table */
	struct rule_chain *chains;	/* [0..CHAIN_BUILTIN_COUNT) are builtin */
	int nchains;
	int nrules;			/* in the table, disabled ones too */
	char **ifnames;		/* interface names by index, for log lines */
	int nifnames;
};

/*
 * What a packet shows the matchers. The marks are written by mangle
 * actions as the chain runs, so a later rule sees them.
 */
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

	/* for the registry's matchers */
	const uint8_t *ip;	/* the IPv4 header, or NULL */
	const uint8_t *l4;	/* transport header (first fragment), or NULL */
	uint32_t l4_len;	/* bytes at l4 */
	const uint8_t *src_mac;	/* the Ethernet source, or NULL */
	uint16_t pmark, cmark, rmark;	/* packet, connection, routing marks */
	uint8_t priority;	/* set-priority */
	uint8_t ctype;		/* connection-type: helper id, 0 none */
	uint64_t cbytes;	/* connection bytes, both ways */
	uint32_t crate;		/* connection rate, bits/s */
	uint32_t orig_src, orig_dst;	/* the connection's original tuple, */
	uint16_t orig_sport, orig_dport;	/* network order (PCC) */
	uint64_t now_ms;	/* monotonic, for rate matchers */
	/* router callbacks: address types (ADDRT_*), connections per net */
	unsigned int (*addr_type)(void *arg, uint32_t addr, int ifidx);
	uint32_t (*conn_count)(void *arg, uint32_t src, int plen);
	void *cb_arg;
};

/*
 * Side effects of non-terminal actions (marks, address lists, changes of
 * the packet), done by the router for the packet being walked.
 */
typedef void (*rule_act_fn)(void *arg, const struct rule *r,
    struct rule_pkt *p);

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
    struct rule_pkt *p, rule_trace_fn trace, void *arg);

/*
 * rule_eval_act() - rule_eval() that also performs non-terminal actions
 * through @act (mangle marks and changes, add-*-to-address-list,
 * passthrough=no in mangle ends the table like accept).
 */
const struct rule *rule_eval_act(const struct ruleset *rs, int chain,
    struct rule_pkt *p, rule_trace_fn trace, rule_act_fn act, void *arg);

/* rule_terminal() - does this action end the walk? */
bool rule_terminal(const struct rule *r);

/**
 * rule_match() - does one rule's matchers accept the packet? No counters.
 */
bool rule_match(const struct rule *r, const struct rule_pkt *p);

/* rule_free() - one rule and what it owns. */
void rule_free(struct rule *r);

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
