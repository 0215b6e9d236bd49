/* SPDX-License-Identifier: ISC */
/* The registry of RouterOS matchers beyond the classic ones. */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "addrlist.h"
#include "match.h"
#include "names.h"
#include "xmalloc.h"

#define MATCH_TABLE_SLOTS 1024	/* per-rule state tables: dst-limit, psd */

/* --- small parsers ------------------------------------------------------ */

static int
mp_uint(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 19)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

/* N with an optional k/M/G suffix (x1000), as RouterOS rates are written. */
static int
mp_scaled(const char *s, size_t len, uint64_t *out)
{
	uint64_t mul = 1, v;

	if (len > 1) {
		switch (s[len - 1]) {
		case 'k': case 'K': mul = 1000; len--; break;
		case 'M': mul = 1000000; len--; break;
		case 'G': mul = 1000000000; len--; break;
		default: break;
		}
	}
	if (mp_uint(s, len, UINT64_MAX / 1000000000, &v) < 0)
		return -1;
	*out = v * mul;
	return 0;
}

/* N or N-M into lo..hi, each at most @max. */
static int
mp_range(const char *s, uint64_t max, uint64_t *lo, uint64_t *hi,
    bool scaled)
{
	const char *dash = strchr(s, '-');
	size_t l1 = dash != NULL ? (size_t)(dash - s) : strlen(s);
	int rc;

	rc = scaled ? mp_scaled(s, l1, lo) : mp_uint(s, l1, max, lo);
	if (rc < 0 || *lo > max)
		return -1;
	if (dash == NULL) {
		*hi = *lo;
		return 0;
	}
	rc = scaled ? mp_scaled(dash + 1, strlen(dash + 1), hi) :
	    mp_uint(dash + 1, strlen(dash + 1), max, hi);
	/* N-0 is "N or more" where RouterOS allows it (connection-bytes) */
	if (rc < 0 || *hi > max || (*hi < *lo && !(scaled && *hi == 0)))
		return -1;
	return 0;
}

int
match_parse_time(const char *s, uint32_t *sec)
{
	uint64_t total = 0, v;
	const char *p = s;

	if (*s == '\0')
		return -1;
	/* hh:mm:ss (RouterOS prints timeouts so), optionally "Nd hh:mm:ss" */
	if (strchr(s, ':') != NULL) {
		unsigned int d = 0, h, m, sc;
		char extra;

		if (sscanf(s, "%ud%u:%u:%u%c", &d, &h, &m, &sc, &extra) == 4 ||
		    (d = 0, sscanf(s, "%u:%u:%u%c", &h, &m, &sc, &extra) == 3)) {
			if (m > 59 || sc > 59 || d > 100000)
				return -1;
			total = (uint64_t)d * 86400 + (uint64_t)h * 3600 +
			    m * 60 + sc;
			if (total > UINT32_MAX)
				return -1;
			*sec = (uint32_t)total;
			return 0;
		}
		return -1;
	}
	/* 1w2d3h4m5s, any subset in that order; a bare number is seconds */
	while (*p != '\0') {
		const char *q = p;
		uint64_t mul;

		while (*q >= '0' && *q <= '9')
			q++;
		if (q == p || mp_uint(p, (size_t)(q - p), 100000000, &v) < 0)
			return -1;
		switch (*q) {
		case 'w': mul = 604800; q++; break;
		case 'd': mul = 86400; q++; break;
		case 'h': mul = 3600; q++; break;
		case 'm':
			if (q[1] == 's')
				return -1;	/* milliseconds: not a timeout */
			mul = 60; q++; break;
		case 's': mul = 1; q++; break;
		case '\0': mul = 1; break;
		default: return -1;
		}
		total += v * mul;
		if (total > UINT32_MAX)
			return -1;
		p = q;
	}
	*sec = (uint32_t)total;
	return 0;
}

static int mp_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
mp_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* --- address lists, address types, interface lists ------------------------ */

static int
m_alist_parse(struct rule_match *m, const char *v, char *err, size_t errlen)
{
	if (*v == '\0' || strlen(v) > 255)
		return mp_err(err, errlen, "invalid list name \"%s\"", v);
	m->u.id = names_intern(NAMES_ADDRLIST, v);
	if (m->u.id == 0)
		return mp_err(err, errlen, "too many address lists (at \"%s\")",
		    v);
	return 0;
}

static bool
m_src_alist(struct rule_match *m, const struct rule_pkt *p)
{
	return addrlist_match(m->u.id, p->src, p->now_ms);
}

static bool
m_dst_alist(struct rule_match *m, const struct rule_pkt *p)
{
	return addrlist_match(m->u.id, p->dst, p->now_ms);
}

static const char *const addrt_names[] = {
	"unicast", "local", "broadcast", "multicast", "blackhole",
	"unreachable", "prohibit", NULL
};

static int
m_words(const char *v, const char *const *names, uint32_t *mask, char *err,
    size_t errlen, const char *what)
{
	char *dup = xstrdup(v), *save = NULL, *w;
	uint32_t m = 0;

	for (w = strtok_r(dup, ",", &save); w != NULL;
	    w = strtok_r(NULL, ",", &save)) {
		int i;

		for (i = 0; names[i] != NULL; i++)
			if (strcmp(names[i], w) == 0)
				break;
		if (names[i] == NULL) {
			snprintf(err, errlen, "invalid value \"%s\" (expected "
			    "%s)", w, what);
			free(dup);
			return -1;
		}
		m |= 1u << i;
	}
	free(dup);
	if (m == 0)
		return mp_err(err, errlen, "empty value%s", "");
	*mask = m;
	return 0;
}

static int
m_addrt_parse(struct rule_match *m, const char *v, char *err, size_t errlen)
{
	return m_words(v, addrt_names, &m->u.mask, err, errlen,
	    "unicast, local, broadcast, multicast, blackhole, unreachable or "
	    "prohibit");
}

static bool
m_src_addrt(struct rule_match *m, const struct rule_pkt *p)
{
	return p->addr_type != NULL &&
	    (p->addr_type(p->cb_arg, p->src, p->in_if) & m->u.mask);
}

static bool
m_dst_addrt(struct rule_match *m, const struct rule_pkt *p)
{
	return p->addr_type != NULL &&
	    (p->addr_type(p->cb_arg, p->dst, p->in_if) & m->u.mask);
}

static int
m_iflist_parse(struct rule_match *m, const char *v, char *err, size_t errlen)
{
	(void)m;
	if (*v == '\0')
		return mp_err(err, errlen, "empty interface list name%s", "");
	return 0;	/* resolved by bind, once /interface list is read */
}

static int
m_iflist_bind(struct rule_match *m, const struct match_env *env, char *err,
    size_t errlen)
{
	int64_t mask = env != NULL && env->iflist != NULL ?
	    env->iflist(env->arg, m->text) : -1;

	if (mask < 0)
		return mp_err(err, errlen, "unknown interface list \"%s\"",
		    m->text);
	m->u.mask = (uint32_t)mask;
	return 0;
}

static bool
m_in_iflist(struct rule_match *m, const struct rule_pkt *p)
{
	return p->in_if >= 0 && p->in_if < 32 &&
	    (m->u.mask & (1u << p->in_if));
}

static bool
m_out_iflist(struct rule_match *m, const struct rule_pkt *p)
{
	return p->out_if >= 0 && p->out_if < 32 &&
	    (m->u.mask & (1u << p->out_if));
}

/* --- ports, TCP ------------------------------------------------------------ */

struct m_ports {
	int n;
	struct { uint16_t lo, hi; } r[RULE_MAX_PORT_RANGES];
};

static int
m_port_parse(struct rule_match *m, const char *v, char *err, size_t errlen)
{
	struct m_ports *ps = xcalloc(1, sizeof(*ps));
	char *dup = xstrdup(v), *save = NULL, *w;

	m->state = ps;
	for (w = strtok_r(dup, ",", &save); w != NULL;
	    w = strtok_r(NULL, ",", &save)) {
		uint64_t lo, hi;

		if (ps->n == RULE_MAX_PORT_RANGES || mp_range(w, 65535, &lo,
		    &hi, false) < 0) {
			snprintf(err, errlen, "invalid port \"%s\" (expected N, "
			    "N-M or a comma list of at most %d, 0-65535)", w,
			    RULE_MAX_PORT_RANGES);
			free(dup);
			return -1;
		}
		ps->r[ps->n].lo = (uint16_t)lo;
		ps->r[ps->n++].hi = (uint16_t)hi;
	}
	free(dup);
	if (ps->n == 0)
		return mp_err(err, errlen, "empty port list%s", "");
	return 0;
}

static bool
m_has_ports(const struct rule_pkt *p)
{
	return p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP ||
	    p->proto == IPPROTO_SCTP || p->proto == 136 /* udp-lite */ ||
	    p->proto == 33 /* dccp */;
}

static bool
m_port(struct rule_match *m, const struct rule_pkt *p)
{
	const struct m_ports *ps = m->state;
	uint16_t s = ntohs(p->sport), d = ntohs(p->dport);
	int i;

	if (!m_has_ports(p))
		return false;
	for (i = 0; i < ps->n; i++)
		if ((s >= ps->r[i].lo && s <= ps->r[i].hi) ||
		    (d >= ps->r[i].lo && d <= ps->r[i].hi))
			return true;
	return false;
}

static const char *const tcpflag_names[] = {
	"fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", NULL
};

static int
m_tcpflags_parse(struct rule_match *m, const char *v, char *err,
    size_t errlen)
{
	char *dup = xstrdup(v), *save = NULL, *w;

	m->u.flags.set = m->u.flags.unset = 0;
	for (w = strtok_r(dup, ",", &save); w != NULL;
	    w = strtok_r(NULL, ",", &save)) {
		bool neg = *w == '!';
		int i;

		for (i = 0; tcpflag_names[i] != NULL; i++)
			if (strcmp(tcpflag_names[i], w + neg) == 0)
				break;
		if (tcpflag_names[i] == NULL) {
			snprintf(err, errlen, "invalid tcp flag \"%s\" "
			    "(expected fin, syn, rst, psh, ack, urg, ece or cwr, "
			    "each optionally with !)", w);
			free(dup);
			return -1;
		}
		if (neg)
			m->u.flags.unset |= 1u << i;
		else
			m->u.flags.set |= 1u << i;
	}
	free(dup);
	return 0;
}

static bool
m_tcpflags(struct rule_match *m, const struct rule_pkt *p)
{
	if (p->proto != IPPROTO_TCP || p->l4 == NULL || p->l4_len < 20)
		return false;
	return (p->tcp_flags & m->u.flags.set) == m->u.flags.set &&
	    (p->tcp_flags & m->u.flags.unset) == 0;
}

/* The MSS option of a TCP header, or -1. */
static int
m_tcp_mss_of(const struct rule_pkt *p)
{
	unsigned int off, i;

	if (p->proto != IPPROTO_TCP || p->l4 == NULL || p->l4_len < 20)
		return -1;
	off = (unsigned int)(p->l4[12] >> 4) * 4;
	if (off < 20 || off > p->l4_len)
		return -1;
	for (i = 20; i < off;) {
		uint8_t kind = p->l4[i];

		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= off || p->l4[i + 1] < 2 || i + p->l4[i + 1] > off)
			break;
		if (kind == 2 && p->l4[i + 1] == 4)
			return p->l4[i + 2] << 8 | p->l4[i + 3];
		i += p->l4[i + 1];
	}
	return -1;
}

static int
m_range16_parse(struct rule_match *m, const char *v, char *err,
    size_t errlen)
{
	if (mp_range(v, 65535, &m->u.range.lo, &m->u.range.hi, false) < 0)
		return mp_err(err, errlen, "invalid value \"%s\" (expected N "
		    "or N-M, 0-65535)", v);
	return 0;
}

static bool
m_tcpmss(struct rule_match *m, const struct rule_pkt *p)
{
	int mss = m_tcp_mss_of(p);

	return mss >= 0 && (uint64_t)mss >= m->u.range.lo &&
	    (uint64_t)mss <= m->u.range.hi;
}

static bool
m_pktsize(struct rule_match *m, const struct rule_pkt *p)
{
	return p->len >= m->u.range.lo && p->len <= m->u.range.hi;
}

/* --- IP header ------------------------------------------------------------- */

static const char *const ttl_ops[] = {
	"equal", "greater-than", "less-than", "not-equal", NULL
};

static int
m_ttl_parse(struct rule_match *m, const char *v, char *err, size_t errlen)
{
	const char *colon = strchr(v, ':');
	uint64_t n;
	int i = 0;

	if (colon != NULL) {
		for (i = 0; ttl_ops[i] != NULL; i++)
			if (strlen(ttl_ops[i]) == (size_t)(colon - v) &&
			    strncmp(ttl_ops[i], v, (size_t)(colon - v)) == 0)
				break;
		if (ttl_ops[i] == NULL)
			i = -1;
		v = colon + 1;
	}
	if (i < 0 || mp_uint(v, strlen(v), 255, &n) < 0)
		return mp_err(err, errlen, "invalid ttl \"%s\" (expected "
		    "equal:N, greater-than:N, less-than:N or not-equal:N, "
		    "0-255)", m->text);
	m->u.ttl.op = (uint8_t)i;
	m->u.ttl.val = (uint8_t)n;
	return 0;
}

static bool
m_ttl(struct rule_match *m, const struct rule_pkt *p)
{
	uint8_t t;

	if (p->ip == NULL)
		return false;
	t = p->ip[8];
	switch (m->u.ttl.op) {
	case 0: return t == m->u.ttl.val;
	case 1: return t > m->u.ttl.val;
	case 2: return t < m->u.ttl.val;
	default: return t != m->u.ttl.val;
	}
}

static int
m_dscp_parse(struct rule_match *m, const char *v, char *err, size_t errlen)
{
	if (mp_range(v, 63, &m->u.range.lo, &m->u.range.hi, false) < 0)
		return mp_err(err, errlen, "invalid dscp \"%s\" (expected "
		    "0-63)", v);
	return 0;
}

static bool
m_dscp(struct rule_match *m, const struct rule_pkt *p)
{
	unsigned int d;

	if (p->ip == NULL)
		return false;
	d = p->ip[1] >> 2;
	return d >= m->u.range.lo && d <= m->u.range.hi;
}

static int
m_bool_parse(struct rule_match *m, const char *v, char *err, size_t errlen)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
		m->u.mask = 1;
	else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
		m->u.mask = 0;
	else
		return mp_err(err, errlen, "invalid value \"%s\" (expected yes "
		    "or no)", v);
	return 0;
}

/*
 * fragment=yes: a fragment that is not the first. hairpind, like Linux
 * with conntrack, reassembles before the chains, so only untracked
 * fragments that pass through without reassembly can match.
 */
static bool
m_fragment(struct rule_match *m, const struct rule_pkt *p)
{
	bool frag;

	if (p->ip == NULL)
		return false;
	frag = ((p->ip[6] << 8 | p->ip[7]) & 0x1fff) != 0;
	return frag == (m->u.mask != 0);
}

static const char *const ipopt_names[] = {
	"any", "loose-source-routing", "no-record-route", "no-router-alert",
	"no-source-routing", "no-timestamp", "none", "record-route",
	"router-alert", "strict-source-routing", "timestamp", NULL
};

static int
m_ipopt_parse(struct rule_match *m, const char *v, char *err, size_t errlen)
{
	int i;

	for (i = 0; ipopt_names[i] != NULL; i++)
		if (strcmp(ipopt_names[i], v) == 0)
			break;
	if (ipopt_names[i] == NULL)
		return mp_err(err, errlen, "invalid ipv4-options \"%s\" "
		    "(expected any, none, record-route, router-alert, "
		    "loose-source-routing, strict-source-routing, timestamp "
		    "or their no- forms)", v);
	m->u.mask = (uint32_t)i;
	return 0;
}

#define IPOPT_F_RR	0x01
#define IPOPT_F_RA	0x02
#define IPOPT_F_LSRR	0x04
#define IPOPT_F_SSRR	0x08
#define IPOPT_F_TS	0x10
#define IPOPT_F_ANY	0x80

static unsigned int
m_ipopts_of(const uint8_t *ip)
{
	unsigned int ihl = (ip[0] & 0xf) * 4, i = 20, f = 0;

	while (i < ihl) {
		uint8_t t = ip[i];

		if (t == 0)
			break;
		f |= IPOPT_F_ANY;
		if (t == 1) {
			i++;
			continue;
		}
		switch (t) {
		case 0x07: f |= IPOPT_F_RR; break;
		case 0x94: f |= IPOPT_F_RA; break;
		case 0x83: f |= IPOPT_F_LSRR; break;
		case 0x89: f |= IPOPT_F_SSRR; break;
		case 0x44: f |= IPOPT_F_TS; break;
		default: break;
		}
		if (i + 1 >= ihl || ip[i + 1] < 2)
			break;
		i += ip[i + 1];
	}
	return f;
}

static bool
m_ipopt(struct rule_match *m, const struct rule_pkt *p)
{
	unsigned int f;

	if (p->ip == NULL)
		return false;
	f = m_ipopts_of(p->ip);
	switch (m->u.mask) {
	case 0: return (f & IPOPT_F_ANY) != 0;
	case 1: return (f & IPOPT_F_LSRR) != 0;
	case 2: return (f & IPOPT_F_RR) == 0;
	case 3: return (f & IPOPT_F_RA) == 0;
	case 4: return (f & (IPOPT_F_LSRR | IPOPT_F_SSRR)) == 0;
	case 5: return (f & IPOPT_F_TS) == 0;
	case 6: return (f & IPOPT_F_ANY) == 0;
	case 7: return (f & IPOPT_F_RR) != 0;
	case 8: return (f & IPOPT_F_RA) != 0;
	case 9: return (f & IPOPT_F_SSRR) != 0;
	default: return (f & IPOPT_F_TS) != 0;
	}
}

static int
m_mac_parse(struct rule_match *m, const char *v, char *err, size_t errlen)
{
	unsigned int b[6];
	char extra;
	int i;

	if (sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
	    &b[4], &b[5], &extra) != 6 || strlen(v) != 17)
		return mp_err(err, errlen, "invalid MAC address \"%s\" "
		    "(expected XX:XX:XX:XX:XX:XX)", v);
	for (i = 0; i < 6; i++)
		m->u.mac.mac[i] = (uint8_t)b[i];
	return 0;
}

static bool
m_srcmac(struct rule_match *m, const struct rule_pkt *p)
{
	return p->src_mac != NULL && memcmp(p->src_mac, m->u.mac.mac, 6) == 0;
}

/* Payload after the transport header (or after IP for other protocols). */
static bool
m_content(struct rule_match *m, const struct rule_pkt *p)
{
	const uint8_t *d = p->l4;
	uint32_t len = p->l4_len, hl = 0;
	size_t nl = strlen(m->text);

	if (d == NULL)
		return false;
	if (p->proto == IPPROTO_TCP && len >= 20)
		hl = (uint32_t)(d[12] >> 4) * 4;
	else if (p->proto == IPPROTO_UDP)
		hl = 8;
	if (hl > len)
		return false;
	return nl > 0 && memmem(d + hl, len - hl, m->text, nl) != NULL;
}

static int
m_content_parse(struct rule_match *m, const char *v, char *err,
    size_t errlen)
{
	(void)m;
	if (*v == '\0')
		return mp_err(err, errlen, "empty content%s", "");
	return 0;
}

/* --- connection tracking ----------------------------------------------------- */

static const char *const ctype_names[] = {
	[CTYPE_NONE] = "none", [CTYPE_FTP] = "ftp", [CTYPE_H323] = "h323",
	[CTYPE_IRC] = "irc", [CTYPE_PPTP] = "pptp", [CTYPE_QUAKE3] = "quake3",
	[CTYPE_SIP] = "sip", [CTYPE_TFTP] = "tftp", [CTYPE_COUNT] = NULL
};

const char *
match_ctype_name(unsigned int ctype)
{
	return ctype > CTYPE_NONE && ctype < CTYPE_COUNT ?
	    ctype_names[ctype] : NULL;
}

static int
m_ctype_parse(struct rule_match *m, const char *v, char *err, size_t errlen)
{
	return m_words(v, ctype_names, &m->u.mask, err, errlen,
	    "ftp, h323, irc, pptp, quake3, sip or tftp");
}

static bool
m_ctype(struct rule_match *m, const struct rule_pkt *p)
{
	return p->ctype != 0 && (m->u.mask & (1u << p->ctype));
}

static int
m_mark_parse(struct rule_match *m, const char *v, char *err, size_t errlen)
{
	if (strcmp(v, "no-mark") == 0) {
		m->u.id = RULE_NO_MARK;
		return 0;
	}
	if (*v == '\0' || strlen(v) > 255)
		return mp_err(err, errlen, "invalid mark \"%s\"", v);
	m->u.id = names_intern(NAMES_MARK, v);
	if (m->u.id == 0)
		return mp_err(err, errlen, "too many marks (at \"%s\")", v);
	return 0;
}

static bool
m_cmark(struct rule_match *m, const struct rule_pkt *p)
{
	return p->cmark == m->u.id;
}

static bool
m_pmark(struct rule_match *m, const struct rule_pkt *p)
{
	return p->pmark == m->u.id;
}

static bool
m_rmark(struct rule_match *m, const struct rule_pkt *p)
{
	return p->rmark == m->u.id;
}

/* routing-table=main is the table of unmarked packets. */
static int
m_rtable_parse(struct rule_match *m, const char *v, char *err,
    size_t errlen)
{
	if (strcmp(v, "main") == 0) {
		m->u.id = RULE_NO_MARK;
		return 0;
	}
	return m_mark_parse(m, v, err, errlen);
}

static int
m_cbytes_parse(struct rule_match *m, const char *v, char *err,
    size_t errlen)
{
	if (mp_range(v, UINT64_MAX / 2, &m->u.range.lo, &m->u.range.hi,
	    true) < 0)
		return mp_err(err, errlen, "invalid connection-bytes \"%s\" "
		    "(expected N-M bytes, k/M/G allowed)", v);
	return 0;
}

static bool
m_cbytes(struct rule_match *m, const struct rule_pkt *p)
{
	/* RouterOS writes "N-0" for "N or more" */
	uint64_t hi = m->u.range.hi == 0 ? UINT64_MAX : m->u.range.hi;

	return p->cbytes >= m->u.range.lo && p->cbytes <= hi;
}

/* connection-limit=N,MASK: more than N connections from the source net */
static int
m_climit_parse(struct rule_match *m, const char *v, char *err,
    size_t errlen)
{
	const char *comma = strchr(v, ',');
	uint64_t n, plen = 32;

	if (comma == NULL || mp_uint(v, (size_t)(comma - v), 1000000000,
	    &n) < 0 || mp_uint(comma + 1, strlen(comma + 1), 32, &plen) < 0)
		return mp_err(err, errlen, "invalid connection-limit \"%s\" "
		    "(expected COUNT,NETMASK, e.g. 100,32)", v);
	m->u.range.lo = n;
	m->u.range.hi = plen;
	return 0;
}

static bool
m_climit(struct rule_match *m, const struct rule_pkt *p)
{
	if (p->conn_count == NULL)
		return false;
	return p->conn_count(p->cb_arg, p->src,
	    (int)m->u.range.hi) > m->u.range.lo;
}

/* --- rate, sampling, time --------------------------------------------------- */

struct m_bucket {
	uint64_t key;
	uint64_t tokens;	/* thousandths of a packet (or bit) */
	uint64_t last_ms;
};

struct m_limit {
	uint64_t count, period_ms, burst;
	bool bits;
	unsigned int mode;	/* dst-limit key */
	uint64_t expire_ms;
	struct m_bucket one;		/* limit */
	struct m_bucket *tab;		/* dst-limit: MATCH_TABLE_SLOTS */
};

static const char *const dlimit_modes[] = {
	"addresses-and-dst-port", "dst-address", "dst-address-and-port",
	"src-address", "src-and-dst-addresses", NULL
};

/* "count[/time]" */
static int
m_rate_parse(const char *s, size_t len, uint64_t *count, uint64_t *period_ms)
{
	const char *slash = memchr(s, '/', len);
	uint32_t sec = 1;
	char buf[32];

	if (mp_scaled(s, slash != NULL ? (size_t)(slash - s) : len,
	    count) < 0 || *count == 0)
		return -1;
	if (slash != NULL) {
		size_t tl = len - (size_t)(slash - s) - 1;

		if (tl == 0 || tl >= sizeof(buf))
			return -1;
		memcpy(buf, slash + 1, tl);
		buf[tl] = '\0';
		if (match_parse_time(buf, &sec) < 0 || sec == 0)
			return -1;
	}
	*period_ms = (uint64_t)sec * 1000;
	return 0;
}

/*
 * limit=COUNT[/TIME],BURST[:packet|:bit] (v7), limit=COUNT,BURST (v6);
 * dst-limit=COUNT[/TIME],BURST,MODE[/EXPIRE].
 */
static int
m_limit_common(struct rule_match *m, const char *v, bool dst, char *err,
    size_t errlen)
{
	struct m_limit *l = xcalloc(1, sizeof(*l));
	char *dup = xstrdup(v), *f[3] = { NULL, NULL, NULL }, *save = NULL;
	char *w, *colon;
	int n = 0;
	uint64_t burst = 0;

	m->state = l;
	for (w = strtok_r(dup, ",", &save); w != NULL && n < 3;
	    w = strtok_r(NULL, ",", &save))
		f[n++] = w;
	if (w != NULL || n < 1 || m_rate_parse(f[0], strlen(f[0]), &l->count,
	    &l->period_ms) < 0)
		goto bad;
	if (n >= 2) {
		colon = strchr(f[1], ':');
		if (colon != NULL) {
			*colon++ = '\0';
			if (strcmp(colon, "bit") == 0)
				l->bits = true;
			else if (strcmp(colon, "packet") != 0)
				goto bad;
		}
		if (mp_scaled(f[1], strlen(f[1]), &burst) < 0)
			goto bad;
	}
	if (dst) {
		char *slash;
		int i;

		if (n != 3)
			goto bad;
		slash = strchr(f[2], '/');
		l->expire_ms = 600000;
		if (slash != NULL) {
			uint32_t sec;

			*slash++ = '\0';
			if (match_parse_time(slash, &sec) < 0)
				goto bad;
			l->expire_ms = (uint64_t)sec * 1000;
		}
		for (i = 0; dlimit_modes[i] != NULL; i++)
			if (strcmp(dlimit_modes[i], f[2]) == 0)
				break;
		if (dlimit_modes[i] == NULL)
			goto bad;
		l->mode = (unsigned int)i;
		l->tab = xcalloc(MATCH_TABLE_SLOTS, sizeof(*l->tab));
	} else if (n > 2) {
		goto bad;
	}
	/* a bucket holds the burst, and never less than one packet's worth */
	l->burst = burst > 0 ? burst : l->bits ? l->count : 1;
	l->one.tokens = l->burst * 1000;
	free(dup);
	return 0;
bad:
	free(dup);
	if (dst)
		return mp_err(err, errlen, "invalid dst-limit \"%s\" (expected "
		    "COUNT[/TIME],BURST,MODE[/EXPIRE], MODE one of "
		    "addresses-and-dst-port, dst-address, dst-address-and-port, "
		    "src-address, src-and-dst-addresses)", v);
	return mp_err(err, errlen, "invalid limit \"%s\" (expected "
	    "COUNT[/TIME],BURST[:packet|:bit], e.g. 50/5s,2:packet)", v);
}

static int
m_limit_parse(struct rule_match *m, const char *v, char *err, size_t errlen)
{
	return m_limit_common(m, v, false, err, errlen);
}

static int
m_dlimit_parse(struct rule_match *m, const char *v, char *err,
    size_t errlen)
{
	return m_limit_common(m, v, true, err, errlen);
}

/* Token bucket: true while under the rate (the packet takes its cost). */
static bool
m_bucket_take(const struct m_limit *l, struct m_bucket *b, uint64_t now,
    uint32_t len)
{
	uint64_t cap = l->burst * 1000, cost = l->bits ? (uint64_t)len * 8000 :
	    1000;

	if (now > b->last_ms) {
		uint64_t add = (now - b->last_ms) * l->count * 1000 /
		    l->period_ms;

		b->tokens = b->tokens + add > cap ? cap : b->tokens + add;
		b->last_ms = now;
	}
	if (b->tokens < cost)
		return false;
	b->tokens -= cost;
	return true;
}

static bool
m_limit(struct rule_match *m, const struct rule_pkt *p)
{
	struct m_limit *l = m->state;

	return m_bucket_take(l, &l->one, p->now_ms, p->len);
}

static uint64_t
m_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

static bool
m_dlimit(struct rule_match *m, const struct rule_pkt *p)
{
	struct m_limit *l = m->state;
	struct m_bucket *b;
	uint64_t key;

	switch (l->mode) {
	case 0: key = (uint64_t)p->src << 32 ^ p->dst ^ (uint64_t)p->dport << 16;
		break;
	case 1: key = p->dst; break;
	case 2: key = p->dst ^ (uint64_t)p->dport << 32; break;
	case 3: key = p->src; break;
	default: key = (uint64_t)p->src << 32 | p->dst; break;
	}
	key = m_mix(key) | 1;	/* never 0: 0 marks a free slot */
	b = &l->tab[key % MATCH_TABLE_SLOTS];
	/*
	 * One slot per hash: a new key takes over an expired slot, or a busy
	 * one (the old key then starts afresh), so memory stays bounded.
	 */
	if (b->key != key || p->now_ms - b->last_ms > l->expire_ms) {
		b->key = key;
		b->tokens = l->burst * 1000;
		b->last_ms = p->now_ms;
	}
	return m_bucket_take(l, b, p->now_ms, p->len);
}

static int
m_nth_parse(struct rule_match *m, const char *v, char *err, size_t errlen)
{
	const char *comma = strchr(v, ',');
	uint64_t every, nth;

	if (comma == NULL || mp_uint(v, (size_t)(comma - v), 1000000000,
	    &every) < 0 || mp_uint(comma + 1, strlen(comma + 1), every,
	    &nth) < 0 || every == 0 || nth == 0)
		return mp_err(err, errlen, "invalid nth \"%s\" (expected "
		    "EVERY,NTH with 1 <= NTH <= EVERY)", v);
	m->u.nth.every = (uint32_t)every;
	m->u.nth.nth = (uint32_t)nth;
	m->state = xcalloc(1, sizeof(uint32_t));
	return 0;
}

static bool
m_nth(struct rule_match *m, const struct rule_pkt *p)
{
	uint32_t *c = m->state, k;

	(void)p;
	k = *c % m->u.nth.every;
	*c = k + 1;
	return k + 1 == m->u.nth.nth;
}

static int
m_random_parse(struct rule_match *m, const char *v, char *err,
    size_t errlen)
{
	uint64_t n;

	if (mp_uint(v, strlen(v), 99, &n) < 0 || n < 1)
		return mp_err(err, errlen, "invalid random \"%s\" (expected "
		    "1-99)", v);
	m->u.mask = (uint32_t)n;
	return 0;
}

static bool
m_random(struct rule_match *m, const struct rule_pkt *p)
{
	static uint64_t s;

	(void)p;
	if (s == 0)
		s = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull | 1;
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return (uint32_t)(s % 100) < m->u.mask;
}

/* psd=WEIGHT,DELAY,LOW-PORT-WEIGHT,HIGH-PORT-WEIGHT (Linux xt_psd). */
struct m_psd_src {
	uint32_t src;
	uint32_t weight;
	uint64_t last_ms;
	uint16_t ports[8];
	uint8_t nports;
};

struct m_psd {
	uint32_t threshold, low_w, high_w;
	uint64_t delay_ms;
	struct m_psd_src *tab;
};

static int
m_psd_parse(struct rule_match *m, const char *v, char *err, size_t errlen)
{
	struct m_psd *ps = xcalloc(1, sizeof(*ps));
	unsigned int w, lw, hw;
	char dbuf[32], extra;
	uint32_t sec;

	m->state = ps;
	if (sscanf(v, "%u,%31[^,],%u,%u%c", &w, dbuf, &lw, &hw, &extra) != 4 ||
	    match_parse_time(dbuf, &sec) < 0 || w == 0 || sec == 0)
		return mp_err(err, errlen, "invalid psd \"%s\" (expected "
		    "WEIGHT,DELAY,LOW-PORT-WEIGHT,HIGH-PORT-WEIGHT, e.g. "
		    "21,3s,3,1)", v);
	ps->threshold = w;
	ps->delay_ms = (uint64_t)sec * 1000;
	ps->low_w = lw;
	ps->high_w = hw;
	ps->tab = xcalloc(MATCH_TABLE_SLOTS, sizeof(*ps->tab));
	return 0;
}

/*
 * A source that touches new ports of ours in quick succession gathers
 * weight (low ports weigh more); reaching the threshold within the delay
 * between probes is a scan, and the rule matches.
 */
static bool
m_psd(struct rule_match *m, const struct rule_pkt *p)
{
	struct m_psd *ps = m->state;
	struct m_psd_src *s;
	uint16_t port = ntohs(p->dport);
	int i;

	if (p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP)
		return false;
	if (p->proto == IPPROTO_TCP &&
	    (p->tcp_flags & 0x12) != 0x02)	/* only SYNs probe */
		return false;
	s = &ps->tab[m_mix(p->src) % MATCH_TABLE_SLOTS];
	if (s->src != p->src || p->now_ms - s->last_ms > ps->delay_ms) {
		memset(s, 0, sizeof(*s));
		s->src = p->src;
	}
	s->last_ms = p->now_ms;
	for (i = 0; i < s->nports; i++)
		if (s->ports[i] == port)
			return s->weight >= ps->threshold;
	s->ports[s->nports % 8] = port;
	if (s->nports < 8)
		s->nports++;
	s->weight += port < 1024 ? ps->low_w : ps->high_w;
	return s->weight >= ps->threshold;
}

static const char *const pcc_kinds[] = {
	"both-addresses", "both-addresses-and-ports", "both-ports",
	"dst-address", "dst-address-and-port", "dst-port", "src-address",
	"src-address-and-port", "src-port", NULL
};

static int
m_pcc_parse(struct rule_match *m, const char *v, char *err, size_t errlen)
{
	const char *colon = strchr(v, ':'), *slash;
	uint64_t n, r;
	int i;

	if (colon == NULL)
		goto bad;
	for (i = 0; pcc_kinds[i] != NULL; i++)
		if (strlen(pcc_kinds[i]) == (size_t)(colon - v) &&
		    strncmp(pcc_kinds[i], v, (size_t)(colon - v)) == 0)
			break;
	slash = strchr(colon, '/');
	if (pcc_kinds[i] == NULL || slash == NULL ||
	    mp_uint(colon + 1, (size_t)(slash - colon - 1), 4096, &n) < 0 ||
	    mp_uint(slash + 1, strlen(slash + 1), 4095, &r) < 0 || n == 0 ||
	    r >= n)
		goto bad;
	m->u.pcc.kind = (uint8_t)i;
	m->u.pcc.n = (uint32_t)n;
	m->u.pcc.r = (uint32_t)r;
	return 0;
bad:
	return mp_err(err, errlen, "invalid per-connection-classifier \"%s\" "
	    "(expected KIND:N/R with R < N, KIND one of both-addresses, "
	    "both-addresses-and-ports, both-ports, dst-address, "
	    "dst-address-and-port, dst-port, src-address, "
	    "src-address-and-port, src-port)", v);
}

/*
 * PCC hashes the connection's original tuple, so every packet of a
 * connection, either way, lands in the same bucket.
 */
uint32_t
match_pcc_hash(unsigned int kind, const struct rule_pkt *p)
{
	uint64_t s = ntohl(p->orig_src), d = ntohl(p->orig_dst);
	uint64_t sp = ntohs(p->orig_sport), dp = ntohs(p->orig_dport), k;

	switch (kind) {
	case 0: k = s << 32 | d; break;
	case 1: k = (s << 32 | d) ^ m_mix(sp << 16 | dp); break;
	case 2: k = sp << 16 | dp; break;
	case 3: k = d; break;
	case 4: k = d << 16 | dp; break;
	case 5: k = dp; break;
	case 6: k = s; break;
	case 7: k = s << 16 | sp; break;
	default: k = sp; break;
	}
	return (uint32_t)(m_mix(k + kind) >> 32);
}

static bool
m_pcc(struct rule_match *m, const struct rule_pkt *p)
{
	return match_pcc_hash(m->u.pcc.kind, p) % m->u.pcc.n == m->u.pcc.r;
}

static const char *const day_names[] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL
};

/* time=START-END[,DAY...]: local time of day, END past midnight wraps. */
static int
m_time_parse(struct rule_match *m, const char *v, char *err, size_t errlen)
{
	char *dup = xstrdup(v), *save = NULL, *w, *dash;
	uint32_t a, b;
	uint8_t days = 0;

	w = strtok_r(dup, ",", &save);
	if (w == NULL || (dash = strchr(w, '-')) == NULL)
		goto bad;
	*dash = '\0';
	if (match_parse_time(w, &a) < 0 || match_parse_time(dash + 1, &b) < 0 ||
	    a > 86400 || b > 86400)
		goto bad;
	while ((w = strtok_r(NULL, ",", &save)) != NULL) {
		int i;

		for (i = 0; day_names[i] != NULL; i++)
			if (strcmp(day_names[i], w) == 0)
				break;
		if (day_names[i] == NULL)
			goto bad;
		days |= (uint8_t)(1u << i);
	}
	m->u.time.first = a;
	m->u.time.last = b;
	m->u.time.days = days != 0 ? days : 0x7f;
	free(dup);
	return 0;
bad:
	free(dup);
	return mp_err(err, errlen, "invalid time \"%s\" (expected START-END "
	    "and optional days, e.g. 8h-17h,mon,tue,wed,thu,fri)", v);
}

static bool
m_time(struct rule_match *m, const struct rule_pkt *p)
{
	time_t now = time(NULL);
	struct tm tm;
	uint32_t t;

	(void)p;
	if (localtime_r(&now, &tm) == NULL)
		return false;
	if (!(m->u.time.days & (1u << tm.tm_wday)))
		return false;
	t = (uint32_t)(tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec);
	if (m->u.time.first <= m->u.time.last)
		return t >= m->u.time.first && t < m->u.time.last;
	return t >= m->u.time.first || t < m->u.time.last;
}

/*
 * ipsec-policy=in|out,ipsec|none: hairpind has no IPsec, so no packet
 * was ever matched by a policy: "none" always matches, "ipsec" never.
 */
static int
m_ipsec_parse(struct rule_match *m, const char *v, char *err, size_t errlen)
{
	if (strcmp(v, "in,none") == 0 || strcmp(v, "out,none") == 0)
		m->u.ipsec.ipsec = false;
	else if (strcmp(v, "in,ipsec") == 0 || strcmp(v, "out,ipsec") == 0)
		m->u.ipsec.ipsec = true;
	else
		return mp_err(err, errlen, "invalid ipsec-policy \"%s\" "
		    "(expected in,ipsec, in,none, out,ipsec or out,none)", v);
	m->u.ipsec.dir = v[0] == 'i' ? 0 : 1;
	return 0;
}

static bool
m_ipsec(struct rule_match *m, const struct rule_pkt *p)
{
	(void)p;
	return !m->u.ipsec.ipsec;
}

static int
m_prio_parse(struct rule_match *m, const char *v, char *err, size_t errlen)
{
	if (mp_range(v, 63, &m->u.range.lo, &m->u.range.hi, false) < 0)
		return mp_err(err, errlen, "invalid priority \"%s\" (expected "
		    "0-63)", v);
	return 0;
}

static bool
m_prio(struct rule_match *m, const struct rule_pkt *p)
{
	return p->priority >= m->u.range.lo && p->priority <= m->u.range.hi;
}

static int
m_never_parse(struct rule_match *m, const char *v, char *err, size_t errlen)
{
	(void)m;
	(void)v;
	(void)err;
	(void)errlen;
	return 0;
}

static bool
m_never(struct rule_match *m, const struct rule_pkt *p)
{
	(void)m;
	(void)p;
	return false;
}

/* --- the registry ----------------------------------------------------------- */

#define ROW(k, t, n, p, b, mf) \
	{ k, t, n, NULL, p, b, mf, NULL }
#define NO(k, why) \
	{ k, MT_ALL, true, why, m_never_parse, NULL, m_never, NULL }

static const struct match_def match_defs[] = {
	ROW("src-address-list", MT_ALL, true, m_alist_parse, NULL,
	    m_src_alist),
	ROW("dst-address-list", MT_ALL, true, m_alist_parse, NULL,
	    m_dst_alist),
	ROW("src-address-type", MT_ALL, true, m_addrt_parse, NULL,
	    m_src_addrt),
	ROW("dst-address-type", MT_ALL, true, m_addrt_parse, NULL,
	    m_dst_addrt),
	ROW("in-interface-list", MT_ALL, true, m_iflist_parse, m_iflist_bind,
	    m_in_iflist),
	ROW("out-interface-list", MT_ALL, true, m_iflist_parse,
	    m_iflist_bind, m_out_iflist),
	ROW("port", MT_ALL, true, m_port_parse, NULL, m_port),
	ROW("tcp-flags", MT_ALL, false, m_tcpflags_parse, NULL, m_tcpflags),
	ROW("tcp-mss", MT_ALL, true, m_range16_parse, NULL, m_tcpmss),
	ROW("packet-size", MT_ALL, true, m_range16_parse, NULL, m_pktsize),
	ROW("ttl", MT_ALL, false, m_ttl_parse, NULL, m_ttl),
	ROW("dscp", MT_ALL, true, m_dscp_parse, NULL, m_dscp),
	ROW("fragment", MT_ALL, false, m_bool_parse, NULL, m_fragment),
	ROW("ipv4-options", MT_ALL, false, m_ipopt_parse, NULL, m_ipopt),
	ROW("src-mac-address", MT_ALL, true, m_mac_parse, NULL, m_srcmac),
	ROW("content", MT_ALL, true, m_content_parse, NULL, m_content),
	ROW("connection-type", MT_CT, true, m_ctype_parse, NULL, m_ctype),
	ROW("connection-mark", MT_CT, true, m_mark_parse, NULL, m_cmark),
	ROW("packet-mark", MT_ALL, true, m_mark_parse, NULL, m_pmark),
	ROW("routing-mark", MT_CT, true, m_mark_parse, NULL, m_rmark),
	ROW("routing-table", MT_CT, true, m_rtable_parse, NULL, m_rmark),
	ROW("connection-bytes", MT_CT, true, m_cbytes_parse, NULL, m_cbytes),
	ROW("connection-limit", MT_CT, true, m_climit_parse, NULL, m_climit),
	ROW("limit", MT_ALL, true, m_limit_parse, NULL, m_limit),
	ROW("dst-limit", MT_ALL, true, m_dlimit_parse, NULL, m_dlimit),
	ROW("nth", MT_ALL, true, m_nth_parse, NULL, m_nth),
	ROW("random", MT_ALL, false, m_random_parse, NULL, m_random),
	ROW("psd", MT_ALL, true, m_psd_parse, NULL, m_psd),
	ROW("per-connection-classifier", MT_CT, true, m_pcc_parse, NULL,
	    m_pcc),
	ROW("time", MT_ALL, true, m_time_parse, NULL, m_time),
	ROW("ipsec-policy", MT_ALL, false, m_ipsec_parse, NULL, m_ipsec),
	ROW("priority", MT_ALL, true, m_prio_parse, NULL, m_prio),
	NO("layer7-protocol", "hairpind has no layer 7 regexp engine "
	    "(/ip firewall layer7-protocol is not modelled)"),
	NO("hotspot", "hairpind has no HotSpot"),
	NO("tls-host", "hairpind does not inspect TLS handshakes"),
	NO("in-bridge-port", "hairpind is not a bridge: each link is one "
	    "TAP"),
	NO("in-bridge-port-list", "hairpind is not a bridge: each link is "
	    "one TAP"),
	NO("out-bridge-port", "hairpind is not a bridge: each link is one "
	    "TAP"),
	NO("out-bridge-port-list", "hairpind is not a bridge: each link is "
	    "one TAP"),
	NO("ingress-priority", "TAP links carry no VLAN, WMM or MPLS "
	    "priority"),
	NO("connection-rate", "hairpind keeps no per-connection rate "
	    "estimator"),
	NO("p2p", "the P2P signatures were removed in RouterOS v7 and are "
	    "not implemented"),
	NO("realm", "hairpind has no routing realms"),
};
#define NDEFS (sizeof(match_defs) / sizeof(match_defs[0]))

const struct match_def *
match_find(const char *key)
{
	size_t i;

	for (i = 0; i < NDEFS; i++)
		if (strcmp(match_defs[i].key, key) == 0)
			return &match_defs[i];
	return NULL;
}

const char *const *
match_keys(void)
{
	static const char *keys[NDEFS + 1];
	size_t i;

	if (keys[0] == NULL)
		for (i = 0; i < NDEFS; i++)
			keys[i] = match_defs[i].key;
	return keys;
}

int
match_parse(struct rule_match *m, const struct match_def *def,
    const char *val, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	m->def = def;
	if (def->negatable && val[0] == '!') {
		m->neg = true;
		val++;
	}
	m->text = xstrdup(val);
	if (def->unsupported != NULL) {
		snprintf(err, errlen, "%s is not supported: %s", def->key,
		    def->unsupported);
		return -1;
	}
	return def->parse(m, val, err, errlen);
}

void
match_free(struct rule_match *m)
{
	struct m_limit *l;
	struct m_psd *ps;

	if (m->def != NULL && m->state != NULL) {
		if (m->def->parse == m_limit_parse ||
		    m->def->parse == m_dlimit_parse) {
			l = m->state;
			free(l->tab);
		} else if (m->def->parse == m_psd_parse) {
			ps = m->state;
			free(ps->tab);
		}
	}
	free(m->state);
	free(m->text);
	m->state = NULL;
	m->text = NULL;
}
