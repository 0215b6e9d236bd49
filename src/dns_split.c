/* SPDX-License-Identifier: ISC */
/* Split-horizon: the public addresses dst-nat maps whole to one host. */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "dns.h"
#include "dns_split.h"
#include "rule.h"

static const char *
ip4(uint32_t host, char *buf)
{
	uint32_t n = htonl(host);

	return inet_ntop(AF_INET, &n, buf, INET_ADDRSTRLEN);
}

static void
split_note(const struct rule *rl, const char *why,
    void (*note)(void *arg, const char *text), void *arg)
{
	char buf[512];

	if (note == NULL)
		return;
	snprintf(buf, sizeof(buf), "%s:%d: note: dns split-horizon: nat rule "
	    "%d (%s) %s", rl->loc.file != NULL ? rl->loc.file : "config",
	    rl->loc.line, rl->index, rl->text != NULL ? rl->text : "", why);
	note(arg, buf);
}

int
dns_split_build(const struct config *c, struct dns_split_ent *out,
    void (*note)(void *arg, const char *text), void *arg)
{
	const struct rule_chain *ch = &c->nat->chains[CHAIN_DSTNAT];
	char why[256], a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	int i, j, n = 0;

	for (i = 0; i < ch->nrules; i++) {
		const struct rule *rl = ch->rules[i];
		uint32_t lo, hi;

		if (rl->disabled || (rl->action != RULE_DSTNAT &&
		    rl->action != RULE_NETMAP))
			continue;
		if (rl->dst.set && !rl->dst.neg) {
			lo = rl->dst.lo;
			hi = rl->dst.hi;
		} else if (!rl->dst.set && rl->in_if >= 0 && !rl->in_neg &&
		    rl->in_if < c->nifaces) {
			/* the in-interface's own addresses, one entry each */
			lo = hi = 0;
		} else {
			split_note(rl, "names no public address (no "
			    "dst-address); answers are not rewritten for it",
			    note, arg);
			continue;
		}
		if (!rl->to_addr.set) {
			split_note(rl, "has no to-addresses; answers are not "
			    "rewritten for it", note, arg);
			continue;
		}
		if (rl->dport.set || rl->to_ports_set) {
			snprintf(why, sizeof(why), "maps only some ports of "
			    "%s, so a client given %s directly would reach "
			    "other services than through %s: answers naming "
			    "it are not rewritten (give the names a dns static "
			    "entry)", lo == 0 && hi == 0 ? "its address" :
			    ip4(lo, a), rl->to_addr.lo == rl->to_addr.hi ?
			    ip4(rl->to_addr.lo, b) : "the internal hosts",
			    lo == 0 && hi == 0 ? "it" : ip4(lo, a));
			split_note(rl, why, note, arg);
			continue;
		}
		if (rl->action == RULE_DSTNAT &&
		    rl->to_addr.lo != rl->to_addr.hi) {
			split_note(rl, "spreads connections over several "
			    "internal hosts; answers are not rewritten for it",
			    note, arg);
			continue;
		}
		if (lo == 0 && hi == 0) {
			const struct conf_iface *ifc = &c->ifaces[rl->in_if];

			for (j = 0; j < ifc->naddrs && n < DNS_SPLIT_MAX; j++) {
				out[n].lo = out[n].hi = ntohl(ifc->addrs[j].addr);
				out[n].to = rl->to_addr.lo;
				out[n].netmap = false;
				n++;
			}
			continue;
		}
		if (n == DNS_SPLIT_MAX) {
			split_note(rl, "is past the first 256 usable rules; not "
			    "used", note, arg);
			continue;
		}
		out[n].lo = lo;
		out[n].hi = hi;
		out[n].to = rl->to_addr.lo;
		out[n].netmap = rl->action == RULE_NETMAP;
		n++;
	}
	return n;
}

bool
dns_split_lookup(const struct dns_split_ent *m, int n, uint32_t a,
    uint32_t *to)
{
	uint32_t h = ntohl(a);
	int i;

	/* the first rule wins, as in the chain */
	for (i = 0; i < n; i++) {
		if (h < m[i].lo || h > m[i].hi)
			continue;
		*to = htonl(m[i].netmap ? m[i].to + (h - m[i].lo) : m[i].to);
		return true;
	}
	return false;
}

void
dns_split_notes(const struct config *c, void (*fn)(void *arg,
    const char *note), void *arg)
{
	struct dns_split_ent m[DNS_SPLIT_MAX];

	if (!c->dns.configured || !c->dns.split_horizon)
		return;
	dns_split_build(c, m, fn, arg);
}
