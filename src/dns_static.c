/* SPDX-License-Identifier: ISC */
/*
 * Static entries, as RouterOS /ip dns static: matching a name (or a
 * regexp), the records they stand for, and their rows for `hairpinctl dns`.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <ldns/ldns.h>

#include "dns.h"
#include "dns_int.h"

static bool
static_name_match(const struct conf_dns_static *e, const char *name)
{
	size_t n, m;

	if (e->re != NULL)
		return regexec(e->re, name, 0, NULL, 0) == 0;
	if (strcmp(e->name, name) == 0)
		return true;
	if (!e->match_subdomain)
		return false;
	n = strlen(name);
	m = strlen(e->name);
	return n > m + 1 && name[n - m - 1] == '.' &&
	    strcmp(name + n - m, e->name) == 0;
}

static ldns_rr_type
static_rr_type(enum conf_dns_type t)
{
	switch (t) {
	case CONF_DNS_A: return LDNS_RR_TYPE_A;
	case CONF_DNS_AAAA: return LDNS_RR_TYPE_AAAA;
	case CONF_DNS_CNAME: return LDNS_RR_TYPE_CNAME;
	case CONF_DNS_TXT: return LDNS_RR_TYPE_TXT;
	case CONF_DNS_MX: return LDNS_RR_TYPE_MX;
	case CONF_DNS_NS: return LDNS_RR_TYPE_NS;
	case CONF_DNS_SRV: return LDNS_RR_TYPE_SRV;
	default: return 0;
	}
}

ldns_rdf *
dns_static_dname(const char *s)
{
	char buf[300];

	snprintf(buf, sizeof(buf), "%s.", s);
	return ldns_dname_new_frm_str(buf);
}

/* The record a static entry stands for, owned by @owner. */
ldns_rr *
dns_static_rr(const struct conf_dns_static *e, const ldns_rdf *owner)
{
	ldns_rr *rr = ldns_rr_new();
	ldns_rdf *f;
	size_t off, n;

	if (rr == NULL)
		return NULL;
	ldns_rr_set_owner(rr, ldns_rdf_clone(owner));
	ldns_rr_set_type(rr, static_rr_type(e->type));
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	ldns_rr_set_ttl(rr, e->ttl);
	switch (e->type) {
	case CONF_DNS_A:
		ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_A, 4,
		    e->addr));
		break;
	case CONF_DNS_AAAA:
		ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_AAAA,
		    16, e->addr));
		break;
	case CONF_DNS_CNAME:
	case CONF_DNS_NS:
		if ((f = dns_static_dname(e->data)) != NULL)
			ldns_rr_push_rdf(rr, f);
		break;
	case CONF_DNS_MX:
		ldns_rr_push_rdf(rr, ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16,
		    e->mx_preference));
		if ((f = dns_static_dname(e->data)) != NULL)
			ldns_rr_push_rdf(rr, f);
		break;
	case CONF_DNS_SRV:
		ldns_rr_push_rdf(rr, ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16,
		    e->srv_priority));
		ldns_rr_push_rdf(rr, ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16,
		    e->srv_weight));
		ldns_rr_push_rdf(rr, ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16,
		    e->srv_port));
		if ((f = dns_static_dname(e->data)) != NULL)
			ldns_rr_push_rdf(rr, f);
		break;
	case CONF_DNS_TXT:
		/* character-strings of at most 255 bytes each */
		n = strlen(e->data);
		off = 0;
		do {
			uint8_t chunk[256];
			size_t k = n - off > 255 ? 255 : n - off;

			chunk[0] = (uint8_t)k;
			memcpy(chunk + 1, e->data + off, k);
			ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(
			    LDNS_RDF_TYPE_STR, k + 1, chunk));
			off += k;
		} while (off < n);
		break;
	default:
		break;
	}
	return rr;
}

/*
 * Look @name up in the static entries, as RouterOS does: every entry of
 * the name counts; FWD and NXDOMAIN decide alone; records of the asked
 * type answer; else a CNAME is followed; else the name exists with no
 * such data.
 */
enum dns_static_verdict
dns_static_lookup(const struct conf_dns *c, const char *name, uint16_t qtype,
    const ldns_rdf *owner, ldns_pkt *resp, const struct conf_dns_static **hit)
{
	const struct conf_dns_static *cname = NULL;
	bool any = false, answered = false;
	int i;

	for (i = 0; i < c->nstatics; i++) {
		const struct conf_dns_static *e = &c->statics[i];

		if (!static_name_match(e, name))
			continue;
		if (e->type == CONF_DNS_FWD || e->type == CONF_DNS_NXDOMAIN) {
			if (any)
				continue;
			*hit = e;
			return e->type == CONF_DNS_FWD ? DNS_ST_FWD : DNS_ST_NXDOMAIN;
		}
		any = true;
		if (e->type == CONF_DNS_CNAME && cname == NULL)
			cname = e;
		if (static_rr_type(e->type) == qtype ||
		    qtype == LDNS_RR_TYPE_ANY) {
			ldns_pkt_push_rr(resp, LDNS_SECTION_ANSWER,
			    dns_static_rr(e, owner));
			answered = true;
		}
	}
	if (!any)
		return DNS_ST_NONE;
	if (!answered && cname != NULL) {
		*hit = cname;
		return DNS_ST_CNAME;
	}
	return DNS_ST_ANSWER;
}

static const char *const static_type_names[] = {
	[CONF_DNS_A] = "A", [CONF_DNS_AAAA] = "AAAA",
	[CONF_DNS_CNAME] = "CNAME", [CONF_DNS_TXT] = "TXT",
	[CONF_DNS_MX] = "MX", [CONF_DNS_NS] = "NS", [CONF_DNS_SRV] = "SRV",
	[CONF_DNS_FWD] = "FWD", [CONF_DNS_NXDOMAIN] = "NXDOMAIN",
};

/* The static entries as `hairpinctl dns` rows. */
void
dns_static_foreach(const struct conf_dns *c, dns_row_fn fn, void *arg)
{
	struct dns_row row;
	char data[1100], a[INET6_ADDRSTRLEN];
	int i;

	for (i = 0; i < c->nstatics; i++) {
		const struct conf_dns_static *e = &c->statics[i];

		switch (e->type) {
		case CONF_DNS_A:
			inet_ntop(AF_INET, e->addr, data, sizeof(data));
			break;
		case CONF_DNS_AAAA:
			inet_ntop(AF_INET6, e->addr, data, sizeof(data));
			break;
		case CONF_DNS_MX:
			snprintf(data, sizeof(data), "%u %s", e->mx_preference,
			    e->data);
			break;
		case CONF_DNS_SRV:
			snprintf(data, sizeof(data), "%u %u %u %s",
			    e->srv_priority, e->srv_weight, e->srv_port,
			    e->data);
			break;
		case CONF_DNS_FWD:
			inet_ntop(AF_INET, &e->forward_to, a, sizeof(a));
			snprintf(data, sizeof(data), "%s", a);
			break;
		case CONF_DNS_NXDOMAIN:
			data[0] = '\0';
			break;
		default:
			snprintf(data, sizeof(data), "%s", e->data);
			break;
		}
		row.name = e->name != NULL ? e->name : e->regexp;
		row.type = static_type_names[e->type];
		row.data = data;
		row.ttl = e->ttl;
		row.is_static = true;
		fn(arg, &row);
	}
}
