/* SPDX-License-Identifier: ISC */
/*
 * Every counter of the router as Prometheus text exposition (format
 * 0.0.4), for `hairpinctl metrics`: names prefixed hairpind_, counters
 * ending in _total, label values escaped.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "arp.h"
#include "control.h"
#include "ct.h"
#include "dns.h"
#include "frag.h"
#include "icmp.h"
#include "addrlist.h"
#include "metrics.h"
#include "nat_helper.h"
#include "natport.h"
#include "router.h"
#include "rule.h"


static void
metrics_head(struct evbuffer *b, const char *name, const char *type,
    const char *help)
{
	evbuffer_add_printf(b, "# HELP hairpind_%s %s\n# TYPE hairpind_%s %s\n",
	    name, help, name, type);
}

/* A label value in the text format: backslash, quote and newline escaped. */
static void
metrics_label(struct evbuffer *b, const char *v)
{
	for (; v != NULL && *v != '\0'; v++) {
		if (*v == '\\')
			evbuffer_add(b, "\\\\", 2);
		else if (*v == '"')
			evbuffer_add(b, "\\\"", 2);
		else if (*v == '\n')
			evbuffer_add(b, "\\n", 2);
		else
			evbuffer_add(b, v, 1);
	}
}

/* One sample; @labels holds name, value pairs and ends with NULL. */
static void
metrics_sample(struct evbuffer *b, const char *name,
    const char *const *labels, uint64_t v)
{
	int i;

	evbuffer_add_printf(b, "hairpind_%s", name);
	for (i = 0; labels != NULL && labels[i] != NULL; i += 2) {
		evbuffer_add_printf(b, "%s%s=\"", i == 0 ? "{" : ",",
		    labels[i]);
		metrics_label(b, labels[i + 1]);
		evbuffer_add(b, "\"", 1);
	}
	evbuffer_add_printf(b, "%s %llu\n", i > 0 ? "}" : "",
	    (unsigned long long)v);
}

static void
metrics_one(struct evbuffer *b, const char *name, const char *type,
    const char *help, uint64_t v)
{
	metrics_head(b, name, type, help);
	metrics_sample(b, name, NULL, v);
}

enum ctl_if_metric { CTL_RXP, CTL_RXB, CTL_TXP, CTL_TXB };

static void
metrics_ifaces(struct evbuffer *b, const struct router *r)
{
	static const struct {
		const char *name, *help;
	} m[] = {
		{ "interface_rx_packets_total", "Frames received." },
		{ "interface_rx_bytes_total", "Bytes received." },
		{ "interface_tx_packets_total", "Frames sent." },
		{ "interface_tx_bytes_total", "Bytes sent." },
	};
	const char *labels[5];
	const struct iface_stats *st;
	uint64_t v = 0;
	int i, k;

	for (k = 0; k < 4; k++) {
		metrics_head(b, m[k].name, "counter", m[k].help);
		for (i = 0; i < r->nifaces; i++) {
			st = &r->ifaces[i].st;
			switch (k) {
			case CTL_RXP: v = st->rx_packets; break;
			case CTL_RXB: v = st->rx_bytes; break;
			case CTL_TXP: v = st->tx_packets; break;
			case CTL_TXB: v = st->tx_bytes; break;
			}
			labels[0] = "interface";
			labels[1] = router_ifname(r, i);
			labels[2] = NULL;
			metrics_sample(b, m[k].name, labels, v);
		}
	}
	metrics_head(b, "interface_drops_total", "counter",
	    "Frames dropped, by reason.");
	for (i = 0; i < r->nifaces; i++) {
		for (k = 0; k < DROP_COUNT; k++) {
			labels[0] = "interface";
			labels[1] = router_ifname(r, i);
			labels[2] = "reason";
			labels[3] = drop_reason_name((enum drop_reason)k);
			labels[4] = NULL;
			metrics_sample(b, "interface_drops_total", labels,
			    r->ifaces[i].st.drops[k]);
		}
	}
}

static void
metrics_rules(struct evbuffer *b, const struct router *r, bool bytes)
{
	const char *tables[4] = { "nat", "filter", "mangle", "raw" };
	const struct ruleset *sets[4] = { r->conf->nat, r->conf->filter,
	    r->conf->mangle, r->conf->raw };
	const char *name = bytes ? "rule_bytes_total" : "rule_packets_total";
	const struct rule_chain *ch;
	const struct rule *ru;
	const char *labels[7];
	char idx[16];
	int t, i, k;

	metrics_head(b, name, "counter", bytes ? "Bytes matched by a rule." :
	    "Packets matched by a rule.");
	for (t = 0; t < 4; t++) {
		if (sets[t] == NULL)
			continue;
		for (i = 0; i < sets[t]->nchains; i++) {
			ch = &sets[t]->chains[i];
			for (k = 0; k < ch->nrules; k++) {
				ru = ch->rules[k];
				snprintf(idx, sizeof(idx), "%d", ru->index);
				labels[0] = "table";
				labels[1] = tables[t];
				labels[2] = "chain";
				labels[3] = ch->name;
				labels[4] = "index";
				labels[5] = idx;
				labels[6] = NULL;
				metrics_sample(b, name, labels,
				    bytes ? ru->bytes : ru->packets);
			}
		}
	}
}

/* The resolver's counters (SPEC section 10); zeros when DNS is off. */
static void
metrics_dns(struct evbuffer *b, const struct router *r)
{
	static const struct dns_stats zero;
	const struct dns_stats *s = dns_stats_get(r);
	const char *labels[3] = { "transport", NULL, NULL };

	if (s == NULL)
		s = &zero;
	metrics_head(b, "dns_queries_total", "counter",
	    "DNS queries from clients, by transport.");
	labels[1] = "udp";
	metrics_sample(b, "dns_queries_total", labels, s->queries_udp);
	labels[1] = "tcp";
	metrics_sample(b, "dns_queries_total", labels, s->queries_tcp);
	metrics_one(b, "dns_static_answers_total", "counter",
	    "DNS queries answered from static entries.", s->answered_static);
	metrics_one(b, "dns_cache_hits_total", "counter",
	    "DNS queries answered from the cache.", s->cache_hits);
	metrics_one(b, "dns_cache_misses_total", "counter",
	    "DNS queries not in the cache.", s->cache_misses);
	metrics_one(b, "dns_upstream_queries_total", "counter",
	    "Queries sent to upstream servers.", s->upstream_queries);
	metrics_one(b, "dns_upstream_retries_total", "counter",
	    "Upstream timeouts or errors followed by the next server.",
	    s->upstream_retries);
	metrics_one(b, "dns_upstream_tcp_total", "counter",
	    "Truncated upstream answers asked again over TCP.",
	    s->upstream_tcp);
	metrics_one(b, "dns_upstream_failures_total", "counter",
	    "Queries answered SERVFAIL: no server answered.",
	    s->upstream_failures);
	metrics_one(b, "dns_refused_total", "counter",
	    "Queries from links where clients may not ask.", s->refused);
	metrics_one(b, "dns_malformed_total", "counter",
	    "Malformed queries: FORMERR or dropped.", s->malformed);
	metrics_one(b, "dns_overload_total", "counter",
	    "Queries refused: max-concurrent-queries reached.", s->overload);
	metrics_one(b, "dns_tcp_refused_total", "counter",
	    "TCP sessions refused: max-concurrent-tcp-sessions reached.",
	    s->tcp_refused);
	metrics_one(b, "dns_tcp_timeouts_total", "counter",
	    "TCP sessions closed for idling, slowness or not reading.",
	    s->tcp_timeouts);
	metrics_one(b, "dns_split_rewrites_total", "counter",
	    "A records rewritten to an internal address (split-horizon).",
	    s->split_rewrites);
	metrics_one(b, "dns_punt_drops_total", "counter",
	    "Packets to or from the resolver lost.", s->punt_drops);
	metrics_one(b, "dns_cache_entries", "gauge",
	    "Answers in the DNS cache.", s->cache_entries);
	metrics_one(b, "dns_cache_bytes", "gauge",
	    "Memory held by the DNS cache.", s->cache_bytes);
}

void
metrics_render(const struct router *r, struct evbuffer *b,
    unsigned int clients, uint64_t stream_drops)
{
	const struct ct_counters *cc = NULL;
	const struct frag_stats *fs = NULL;
	const struct icmp_stats *is = icmp_stats();
	const char *labels[3] = { "version", PACKAGE_VERSION, NULL };
	time_t now = time(NULL);

	if (r->ct != NULL)
		cc = ct_counters(r->ct);
	if (r->frag != NULL)
		fs = frag_stats(r->frag);

	metrics_head(b, "build_info", "gauge", "Version of the daemon.");
	metrics_sample(b, "build_info", labels, 1);
	metrics_one(b, "uptime_seconds", "gauge", "Seconds since start.",
	    now > r->started ? (uint64_t)(now - r->started) : 0);
	metrics_one(b, "reloads_total", "counter", "Successful reloads.",
	    r->reloads);
	metrics_one(b, "reload_failures_total", "counter", "Refused reloads.",
	    r->reload_failures);
	metrics_ifaces(b, r);
	metrics_rules(b, r, false);
	metrics_rules(b, r, true);
	metrics_one(b, "conntrack_entries", "gauge", "Tracked connections.",
	    r->ct != NULL ? ct_count(r->ct) : 0);
	metrics_one(b, "conntrack_max", "gauge", "Connection table bound.",
	    r->ct != NULL ? ct_max(r->ct) : r->conf->limits.ct_max);
	metrics_one(b, "conntrack_memory_bytes", "gauge",
	    "Memory held by the connection table.",
	    r->ct != NULL ? ct_memory(r->ct) : 0);
	metrics_one(b, "conntrack_created_total", "counter",
	    "Connections created.", cc != NULL ? cc->created : 0);
	metrics_one(b, "conntrack_expired_total", "counter",
	    "Connections expired.", cc != NULL ? cc->expired : 0);
	metrics_one(b, "conntrack_evicted_total", "counter",
	    "Unreplied connections evicted from a full table.",
	    cc != NULL ? cc->evicted : 0);
	metrics_one(b, "conntrack_dropped_total", "counter",
	    "New connections refused: table full.",
	    cc != NULL ? cc->dropped : 0);
	metrics_one(b, "conntrack_clashes_total", "counter",
	    "New connections refused: tuple in use.",
	    cc != NULL ? cc->clashes : 0);
	metrics_one(b, "conntrack_invalid_total", "counter",
	    "Packets that did not fit their connection.",
	    cc != NULL ? cc->invalid : 0);
	metrics_one(b, "conntrack_flushed_total", "counter",
	    "Connections removed by a flush.", cc != NULL ? cc->flushed : 0);
	metrics_one(b, "nat_mappings", "gauge", "NAT port mappings in use.",
	    r->np != NULL ? natport_count(r->np) : 0);
	metrics_one(b, "nat_port_exhausted_total", "counter",
	    "NAT mappings refused: no free port.",
	    r->np != NULL ? natport_failures(r->np) : 0);
	metrics_one(b, "frag_reassembled_total", "counter",
	    "Datagrams reassembled.", fs != NULL ? fs->reassembled : 0);
	metrics_one(b, "frag_timeouts_total", "counter",
	    "Incomplete datagrams timed out.", fs != NULL ? fs->timeouts : 0);
	metrics_one(b, "frag_evicted_total", "counter",
	    "Incomplete datagrams evicted for memory.",
	    fs != NULL ? fs->evicted : 0);
	metrics_one(b, "frag_invalid_total", "counter",
	    "Datagrams dropped for bad fragments.",
	    fs != NULL ? fs->invalid : 0);
	metrics_one(b, "frag_pending", "gauge",
	    "Datagrams being reassembled.", fs != NULL ? fs->pending : 0);
	metrics_one(b, "frag_memory_bytes", "gauge",
	    "Memory held by reassembly.", fs != NULL ? fs->bytes : 0);
	metrics_one(b, "control_clients", "gauge",
	    "Clients of the control socket.", clients);
	metrics_one(b, "control_stream_drops_total", "counter",
	    "Stream clients dropped for not reading.", stream_drops);
	metrics_one(b, "control_queued_bytes", "gauge",
	    "Answers queued for control clients, all together.",
	    control_queued_bytes());
	metrics_one(b, "nat_host_limit_refused_total", "counter",
	    "New NAT ports refused by conntrack.nat-ports-per-host.",
	    r->np != NULL ? natport_host_refused(r->np) : 0);
	metrics_one(b, "arp_locked_total", "counter",
	    "ARP MAC changes ignored within arp.locktime.",
	    r->arp != NULL ? arp_locked_count(r->arp) : 0);

	metrics_dns(b, r);

	metrics_one(b, "icmp_errors_sent_total", "counter",
	    "ICMP errors the router sent.", is->errors_sent);
	metrics_one(b, "icmp_echo_replies_total", "counter",
	    "Echo replies the router sent.", is->echo_replies);
	metrics_one(b, "tcp_resets_sent_total", "counter",
	    "TCP resets the router sent.", is->resets_sent);
	metrics_one(b, "icmp_rate_limited_total", "counter",
	    "ICMP errors not sent: rate limit.", is->rate_limited);
	{
		const struct nat_helper_stats *hs = nat_helper_stats();

		metrics_one(b, "nat_helper_rewrites_total", "counter",
		    "Payloads a NAT helper (FTP) rewrote.", hs->rewrites);
		metrics_one(b, "nat_helper_expected_total", "counter",
		    "Connections NAT helpers expected (FTP data, TFTP).",
		    hs->expected);
		metrics_one(b, "nat_helper_related_total", "counter",
		    "Connections that came as a helper expected.",
		    hs->related);
		metrics_one(b, "nat_helper_table_full_total", "counter",
		    "Connections left without their helper: table full.",
		    hs->table_full);
	}
	metrics_one(b, "icmp_rate_limited_destination_total", "counter",
	    "ICMP errors not sent: their destination's own rate limit.",
	    is->rate_limited_dst);
	metrics_one(b, "fasttrack_packets_total", "counter",
	    "Packets of fasttracked connections (mangle and filter skipped).",
	    r->fasttrack_packets);
	metrics_one(b, "fasttrack_bytes_total", "counter",
	    "Bytes of fasttracked connections.", r->fasttrack_bytes);
	metrics_one(b, "address_list_dynamic_entries", "gauge",
	    "Dynamic address-list entries.", addrlist_counters()->dynamic);
	metrics_one(b, "address_list_added_total", "counter",
	    "Dynamic address-list entries added.", addrlist_counters()->added);
	metrics_one(b, "address_list_expired_total", "counter",
	    "Dynamic address-list entries expired.",
	    addrlist_counters()->expired);
	metrics_one(b, "address_list_full_total", "counter",
	    "Entries not added: the dynamic table was full.",
	    addrlist_counters()->full);
}
