/* SPDX-License-Identifier: ISC */
/* A whole RouterOS export: each section to where it belongs. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addrlist.h"
#include "log.h"
#include "match.h"
#include "names.h"
#include "ros_export.h"
#include "xmalloc.h"

#define ROS_MAX_IFLISTS 64

/* An /interface list as written, before resolution. */
struct ros_iflist_def {
	char *name, *include, *exclude, *comment;
	uint32_t members;
	struct ros_pos pos, inc_pos, exc_pos;
};

struct ros_export {
	struct ros_builder **b;
	struct addrlist_set *alists;
	char *const *ifnames;
	int nifs;
	struct ros_export_ops ops;

	struct ros_iflist_def lists[ROS_MAX_IFLISTS];
	int nlists;
	/* members whose list is defined later in the file */
	struct {
		char *list;
		int ifidx;
		struct ros_pos pos;
	} *pending;
	int npending;

	/* the section being skipped, for its one note */
	char skip_path[ROS_PATH_MAX];
	struct ros_pos skip_pos;
	int skip_lines;
	int skipped, alist_entries;
};

static void ros_x_err(struct ros_export *x, struct ros_pos pos,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void ros_x_note(struct ros_export *x, struct ros_pos pos,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
ros_x_err(struct ros_export *x, struct ros_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ros_vemit(x->ops.err, x->ops.arg, pos, fmt, ap);
	va_end(ap);
}

static void
ros_x_note(struct ros_export *x, struct ros_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ros_vemit(x->ops.note, x->ops.arg, pos, fmt, ap);
	va_end(ap);
}

struct ros_export *
ros_export_new(struct ros_builder **b, struct addrlist_set *alists,
    char *const *ifnames, int nifs, const struct ros_export_ops *ops)
{
	struct ros_export *x = xcalloc(1, sizeof(*x));

	x->b = b;
	x->alists = alists;
	x->ifnames = ifnames;
	x->nifs = nifs;
	x->ops = *ops;
	return x;
}

void
ros_export_free(struct ros_export *x)
{
	int i;

	if (x == NULL)
		return;
	for (i = 0; i < x->nlists; i++) {
		free(x->lists[i].name);
		free(x->lists[i].include);
		free(x->lists[i].exclude);
		free(x->lists[i].comment);
	}
	for (i = 0; i < x->npending; i++)
		free(x->pending[i].list);
	free(x->pending);
	free(x);
}

/* "/ip/firewall/nat" -> "/ip firewall nat", as exports write it. */
static void
ros_path_show(const char *path, char *buf, size_t len)
{
	size_t i;

	snprintf(buf, len, "%s", path);
	for (i = 1; buf[i] != '\0'; i++)
		if (buf[i] == '/')
			buf[i] = ' ';
}

static void
ros_skip_flush(struct ros_export *x)
{
	char shown[ROS_PATH_MAX];

	if (x->skip_path[0] == '\0')
		return;
	ros_path_show(x->skip_path, shown, sizeof(shown));
	ros_x_note(x, x->skip_pos, "section %s not modelled (%d line%s)",
	    shown, x->skip_lines, x->skip_lines == 1 ? "" : "s");
	x->skipped++;
	x->skip_path[0] = '\0';
}

/* Every key of @c must be one of @keys; report the others. */
static bool
ros_keys_ok(struct ros_export *x, const struct ros_cmd *c,
    const char *const *keys, const char *what)
{
	return ros_cmd_keys(c, keys, what, x->ops.err, x->ops.arg);
}

static bool
ros_only_add(struct ros_export *x, const struct ros_cmd *c, const char *what)
{
	if (strcmp(c->verb, "add") == 0 && c->bare == NULL)
		return true;
	if (strcmp(c->verb, "add") == 0) {
		ros_x_err(x, c->bare_pos, "unexpected \"%s\" in %s (expected "
		    "key=value words)", c->bare, what);
		return false;
	}
	ros_x_err(x, c->pos, "unsupported command \"%s\" in %s (only add "
	    "lines are understood)", c->verb[0] != '\0' ? c->verb :
	    c->bare != NULL ? c->bare : "", what);
	return false;
}

static bool
ros_disabled(const struct ros_cmd *c)
{
	const struct ros_item *d = ros_cmd_item(c, "disabled");

	return d != NULL && (strcasecmp(d->val, "yes") == 0 ||
	    strcasecmp(d->val, "true") == 0);
}

/* Address, A.B.C.D/N or A-B in host order; -1 when none of them. */
static int
ros_addr_range(const char *s, uint32_t *lo, uint32_t *hi)
{
	const char *slash = strchr(s, '/'), *dash = strchr(s, '-');
	uint32_t a, b;

	if (slash != NULL) {
		char *end;
		long plen = strtol(slash + 1, &end, 10);
		uint32_t mask;

		if (*end != '\0' || end == slash + 1 || plen < 0 || plen > 32 ||
		    ros_parse_addr(s, (size_t)(slash - s), &a) < 0)
			return -1;
		mask = plen == 0 ? 0 : 0xffffffffu << (32 - plen);
		*lo = a & mask;
		*hi = *lo | ~mask;
		return 0;
	}
	if (dash != NULL) {
		if (ros_parse_addr(s, (size_t)(dash - s), &a) < 0 ||
		    ros_parse_addr(dash + 1, strlen(dash + 1), &b) < 0 || a > b)
			return -1;
		*lo = a;
		*hi = b;
		return 0;
	}
	if (ros_parse_addr(s, strlen(s), &a) < 0)
		return -1;
	*lo = *hi = a;
	return 0;
}

/* /ip firewall address-list */
static void
ros_address_list(struct ros_export *x, const struct ros_cmd *c)
{
	static const char *const keys[] = { "address", "list", "timeout",
	    "comment", "disabled", "dynamic", "creation-time", NULL };
	const struct ros_item *a, *l, *t, *cm;
	uint32_t lo, hi, timeout = 0;
	uint16_t id;

	if (!ros_only_add(x, c, "address-list") ||
	    !ros_keys_ok(x, c, keys, "address-list"))
		return;
	a = ros_cmd_item(c, "address");
	l = ros_cmd_item(c, "list");
	t = ros_cmd_item(c, "timeout");
	cm = ros_cmd_item(c, "comment");
	if (a == NULL || l == NULL) {
		ros_x_err(x, c->pos, "address-list entry needs address and list");
		return;
	}
	if (ros_addr_range(a->val, &lo, &hi) < 0) {
		ros_x_err(x, a->vpos, "invalid address \"%s\" in address-list "
		    "(expected A.B.C.D, A.B.C.D/N or A.B.C.D-E.F.G.H; host "
		    "names are not resolved)", a->val);
		return;
	}
	if (t != NULL && (match_parse_time(t->val, &timeout) < 0 ||
	    timeout == 0)) {
		ros_x_err(x, t->vpos, "invalid timeout \"%s\" in address-list "
		    "(expected a time such as 1d, 00:05:00)", t->val);
		return;
	}
	if (t != NULL && hi - lo > 65535) {
		ros_x_err(x, a->vpos, "a timed address-list entry is added "
		    "address by address: at most 65536 addresses");
		return;
	}
	if (l->val[0] == '\0' || strlen(l->val) > 255 ||
	    (id = names_intern(NAMES_ADDRLIST, l->val)) == 0) {
		ros_x_err(x, l->vpos, "invalid list \"%s\"", l->val);
		return;
	}
	addrlist_set_add(x->alists, id, lo, hi, timeout,
	    cm != NULL ? cm->val : NULL, ros_disabled(c));
	x->alist_entries++;
}

static int
ros_iflist_find(const struct ros_export *x, const char *name)
{
	int i;

	for (i = 0; i < x->nlists; i++)
		if (strcmp(x->lists[i].name, name) == 0)
			return i;
	return -1;
}

static bool
ros_iflist_builtin(const char *name)
{
	return strcmp(name, "all") == 0 || strcmp(name, "none") == 0 ||
	    strcmp(name, "dynamic") == 0 || strcmp(name, "static") == 0;
}

/* /interface list */
static void
ros_interface_list(struct ros_export *x, const struct ros_cmd *c)
{
	static const char *const keys[] = { "name", "include", "exclude",
	    "comment", NULL };
	const struct ros_item *n, *it;
	struct ros_iflist_def *d;

	if (!ros_only_add(x, c, "/interface list") ||
	    !ros_keys_ok(x, c, keys, "/interface list"))
		return;
	n = ros_cmd_item(c, "name");
	if (n == NULL || n->val[0] == '\0') {
		ros_x_err(x, c->pos, "/interface list entry needs a name");
		return;
	}
	if (ros_iflist_builtin(n->val) || ros_iflist_find(x, n->val) >= 0) {
		ros_x_err(x, n->vpos, "interface list \"%s\" exists already",
		    n->val);
		return;
	}
	if (x->nlists == ROS_MAX_IFLISTS) {
		ros_x_err(x, n->vpos, "too many interface lists (at most %d)",
		    ROS_MAX_IFLISTS);
		return;
	}
	d = &x->lists[x->nlists++];
	memset(d, 0, sizeof(*d));
	d->name = xstrdup(n->val);
	d->pos = n->vpos;
	if ((it = ros_cmd_item(c, "include")) != NULL && it->val[0] != '\0') {
		d->include = xstrdup(it->val);
		d->inc_pos = it->vpos;
	}
	if ((it = ros_cmd_item(c, "exclude")) != NULL && it->val[0] != '\0') {
		d->exclude = xstrdup(it->val);
		d->exc_pos = it->vpos;
	}
	if ((it = ros_cmd_item(c, "comment")) != NULL)
		d->comment = xstrdup(it->val);
}

static int
ros_ifname_find(const struct ros_export *x, const char *name)
{
	int i;

	for (i = 0; i < x->nifs; i++)
		if (strcmp(x->ifnames[i], name) == 0)
			return i;
	return -1;
}

/* /interface list member */
static void
ros_interface_list_member(struct ros_export *x, const struct ros_cmd *c)
{
	static const char *const keys[] = { "interface", "list", "comment",
	    "disabled", NULL };
	const struct ros_item *i, *l;
	int idx;

	if (!ros_only_add(x, c, "/interface list member") ||
	    !ros_keys_ok(x, c, keys, "/interface list member"))
		return;
	i = ros_cmd_item(c, "interface");
	l = ros_cmd_item(c, "list");
	if (i == NULL || l == NULL) {
		ros_x_err(x, c->pos, "/interface list member needs interface "
		    "and list");
		return;
	}
	if (ros_disabled(c))
		return;
	idx = ros_ifname_find(x, i->val);
	if (idx < 0) {
		const char *s = ros_suggest(i->val,
		    (const char *const *)x->ifnames, x->nifs);

		ros_x_err(x, i->vpos, "unknown interface \"%s\" in /interface "
		    "list member%s%s%s (interfaces: declares the names)",
		    i->val, s != NULL ? " (did you mean \"" : "",
		    s != NULL ? s : "", s != NULL ? "\"?)" : "");
		return;
	}
	if (ros_iflist_builtin(l->val)) {
		ros_x_err(x, l->vpos, "list \"%s\" is builtin: its members "
		    "cannot be changed", l->val);
		return;
	}
	x->pending = xreallocarray(x->pending, x->npending + 1,
	    sizeof(*x->pending));
	x->pending[x->npending].list = xstrdup(l->val);
	x->pending[x->npending].ifidx = idx;
	x->pending[x->npending].pos = l->vpos;
	x->npending++;
}

/* Sections with their readers; NULL reader: handed to the loader. */
enum ros_sec {
	SEC_FILTER, SEC_NAT, SEC_MANGLE, SEC_RAW, SEC_ADDRLIST, SEC_IFLIST,
	SEC_IFLIST_MEMBER, SEC_IP_ADDRESS, SEC_IP_ROUTE, SEC_ROUTING_TABLE,
	SEC_SERVICE_PORT, SEC_DNS, SEC_DNS_STATIC, SEC_NONE
};

static const char *const ros_sec_paths[] = {
	[SEC_FILTER] = "/ip/firewall/filter",
	[SEC_NAT] = "/ip/firewall/nat",
	[SEC_MANGLE] = "/ip/firewall/mangle",
	[SEC_RAW] = "/ip/firewall/raw",
	[SEC_ADDRLIST] = "/ip/firewall/address-list",
	[SEC_IFLIST] = "/interface/list",
	[SEC_IFLIST_MEMBER] = "/interface/list/member",
	[SEC_IP_ADDRESS] = "/ip/address",
	[SEC_IP_ROUTE] = "/ip/route",
	[SEC_ROUTING_TABLE] = "/routing/table",
	[SEC_SERVICE_PORT] = "/ip/firewall/service-port",
	[SEC_DNS] = "/ip/dns",
	[SEC_DNS_STATIC] = "/ip/dns/static",
	[SEC_NONE] = NULL
};

const char *const *
ros_export_sections(void)
{
	return ros_sec_paths;
}

/* /routing table: the names are all a table is, here. */
static void
ros_routing_table(struct ros_export *x, const struct ros_cmd *c)
{
	static const char *const keys[] = { "name", "fib", "disabled",
	    "comment", NULL };

	/* `add fib name=X`: fib is a flag, the table's only kind here */
	if (strcmp(c->verb, "add") == 0 && c->bare != NULL &&
	    strcmp(c->bare, "fib") == 0) {
		struct ros_cmd c2 = *c;

		c2.bare = NULL;
		if (!ros_only_add(x, &c2, "/routing table"))
			return;
	} else if (!ros_only_add(x, c, "/routing table"))
		return;
	if (ros_keys_ok(x, c, keys, "/routing table") &&
	    ros_cmd_item(c, "name") == NULL)
		ros_x_err(x, c->pos, "/routing table entry needs a name");
}

static void
ros_export_cmd(void *arg, const struct ros_cmd *c)
{
	struct ros_export *x = arg;
	int sec;

	sec = ros_lookup(ros_sec_paths, c->path);
	if (sec < 0) {
		if (c->path[0] == '\0') {
			if (c->verb[0] != '\0' || c->nitems > 0)
				ros_x_err(x, c->pos, "a command before any "
				    "section (expected a line such as /ip "
				    "firewall filter)");
			return;
		}
		if (strcmp(x->skip_path, c->path) != 0 ||
		    (c->verb[0] == '\0' && c->nitems == 0)) {
			ros_skip_flush(x);
			snprintf(x->skip_path, sizeof(x->skip_path), "%s",
			    c->path);
			x->skip_pos = c->path_pos;
			x->skip_lines = 0;
		}
		if (c->verb[0] != '\0' || c->nitems > 0 || c->bare != NULL)
			x->skip_lines += c->lines;
		return;
	}
	ros_skip_flush(x);
	if (c->verb[0] == '\0' && c->nitems == 0 && c->bare == NULL)
		return;		/* the section line */
	switch (sec) {
	case SEC_FILTER:
	case SEC_NAT:
	case SEC_MANGLE:
	case SEC_RAW: {
		static const enum ros_table t[] = { ROS_FILTER, ROS_NAT,
		    ROS_MANGLE, ROS_RAW };
		struct ros_builder *b = x->b[t[sec]];

		if (strcmp(c->verb, "add") != 0) {
			ros_x_err(x, c->pos, "unsupported command \"%s\" in %s "
			    "export (only add lines are understood)",
			    c->verb[0] != '\0' ? c->verb : c->bare != NULL ?
			    c->bare : "", ros_table_names[t[sec]]);
			return;
		}
		ros_builder_add_cmd(b, c);
		return;
	}
	case SEC_ADDRLIST:
		ros_address_list(x, c);
		return;
	case SEC_IFLIST:
		ros_interface_list(x, c);
		return;
	case SEC_IFLIST_MEMBER:
		ros_interface_list_member(x, c);
		return;
	case SEC_IP_ADDRESS:
		if (ros_only_add(x, c, "/ip address"))
			x->ops.address(x->ops.arg, c);
		return;
	case SEC_IP_ROUTE:
		/* `add blackhole ...`: the one bare word a route has */
		if (strcmp(c->verb, "add") == 0 && c->bare != NULL &&
		    strcmp(c->bare, "blackhole") == 0) {
			x->ops.route(x->ops.arg, c);
			return;
		}
		if (ros_only_add(x, c, "/ip route"))
			x->ops.route(x->ops.arg, c);
		return;
	case SEC_ROUTING_TABLE:
		ros_routing_table(x, c);
		return;
	case SEC_SERVICE_PORT:
		if (x->ops.service_port != NULL)
			x->ops.service_port(x->ops.arg, c);
		return;
	case SEC_DNS:
		if (x->ops.dns != NULL)
			x->ops.dns(x->ops.arg, c);
		return;
	case SEC_DNS_STATIC:
		if (ros_only_add(x, c, "/ip dns static") &&
		    x->ops.dns_static != NULL)
			x->ops.dns_static(x->ops.arg, c);
		return;
	default:
		return;
	}
}

static void
ros_export_lex_err(void *arg, struct ros_pos pos, const char *msg)
{
	struct ros_export *x = arg;

	x->ops.err(x->ops.arg, pos, msg);
}

void
ros_export_text(struct ros_export *x, const char *text, ros_map_fn map,
    void *marg)
{
	ros_export_read(text, map, marg, ros_export_lex_err, x, ros_export_cmd,
	    x);
	ros_skip_flush(x);
}

/* Members of a comma list of list names, resolved so far. */
static int
ros_iflist_names(struct ros_export *x, const char *names, struct ros_pos pos,
    const uint32_t *mask, uint32_t all, uint32_t *out)
{
	char *dup = xstrdup(names), *save = NULL, *w;
	uint32_t m = 0;

	for (w = strtok_r(dup, ",", &save); w != NULL;
	    w = strtok_r(NULL, ",", &save)) {
		int k;

		if (strcmp(w, "all") == 0 || strcmp(w, "static") == 0)
			m |= all;
		else if (strcmp(w, "none") == 0 || strcmp(w, "dynamic") == 0)
			;
		else if ((k = ros_iflist_find(x, w)) >= 0)
			m |= mask[k];
		else {
			ros_x_err(x, pos, "unknown interface list \"%s\"", w);
			free(dup);
			return -1;
		}
	}
	free(dup);
	*out = m;
	return 0;
}

void
ros_export_iflists(struct ros_export *x, struct conf_iflist **out, int *n)
{
	static const char *const builtins[] = { "all", "none", "dynamic",
	    "static" };
	uint32_t all = x->nifs >= 32 ? 0xffffffffu : (1u << x->nifs) - 1;
	uint32_t mask[ROS_MAX_IFLISTS];
	struct conf_iflist *l;
	int i, pass, k;

	for (i = 0; i < x->npending; i++) {
		k = ros_iflist_find(x, x->pending[i].list);
		if (k < 0)
			ros_x_err(x, x->pending[i].pos, "unknown interface list "
			    "\"%s\" (no /interface list add name=%s)",
			    x->pending[i].list, x->pending[i].list);
		else
			x->lists[k].members |= 1u << x->pending[i].ifidx;
	}
	/*
	 * include/exclude may name lists defined in any order: iterate to a
	 * fixed point (bounded by the number of lists, so a cycle ends).
	 */
	for (i = 0; i < x->nlists; i++)
		mask[i] = x->lists[i].members;
	for (pass = 0; pass <= x->nlists; pass++) {
		bool changed = false;

		for (i = 0; i < x->nlists; i++) {
			struct ros_iflist_def *d = &x->lists[i];
			uint32_t inc = 0, exc = 0, m;

			if (d->include != NULL && ros_iflist_names(x, d->include,
			    d->inc_pos, mask, all, &inc) < 0) {
				free(d->include);
				d->include = NULL;
			}
			if (d->exclude != NULL && ros_iflist_names(x, d->exclude,
			    d->exc_pos, mask, all, &exc) < 0) {
				free(d->exclude);
				d->exclude = NULL;
			}
			m = (d->members | inc) & ~exc;
			if (m != mask[i]) {
				mask[i] = m;
				changed = true;
			}
		}
		if (!changed)
			break;
	}
	*n = 4 + x->nlists;
	l = *out = xcalloc(*n, sizeof(*l));
	for (i = 0; i < 4; i++) {
		l[i].name = xstrdup(builtins[i]);
		l[i].members = i == 0 || i == 3 ? all : 0;
		l[i].builtin = true;
	}
	for (i = 0; i < x->nlists; i++) {
		l[4 + i].name = xstrdup(x->lists[i].name);
		l[4 + i].members = mask[i];
		l[4 + i].comment = x->lists[i].comment != NULL ?
		    xstrdup(x->lists[i].comment) : NULL;
	}
}

/*
 * A list name as a matcher sees it: a resolved list, or the RouterOS
 * interface classes, which hairpind decides by name, since every link
 * here is an Ethernet TAP: all-ethernet is every link, all-ppp the links
 * named like RouterOS names PPP interfaces (pppoe-, pptp-, l2tp-, sstp-,
 * ovpn-), all-vlan those with "vlan" in the name, all-wireless "wlan".
 */
int64_t
ros_iflist_lookup(const struct conf_iflist *l, int n, char *const *ifnames,
    int nifs, const char *name)
{
	static const char *const ppp[] = { "pppoe-", "pptp-", "l2tp-",
	    "sstp-", "ovpn-", "ppp", NULL };
	uint32_t m = 0;
	int i, k;

	for (i = 0; i < n; i++)
		if (strcmp(l[i].name, name) == 0)
			return l[i].members;
	if (strcmp(name, "all") == 0 || strcmp(name, "static") == 0 ||
	    strcmp(name, "all-ethernet") == 0)
		return nifs >= 32 ? 0xffffffffu : (1u << nifs) - 1;
	if (strcmp(name, "none") == 0 || strcmp(name, "dynamic") == 0)
		return 0;
	if (strcmp(name, "all-ppp") != 0 && strcmp(name, "all-vlan") != 0 &&
	    strcmp(name, "all-wireless") != 0)
		return -1;
	for (i = 0; i < nifs && i < 32; i++) {
		const char *s = ifnames[i];

		if (strcmp(name, "all-vlan") == 0 && strstr(s, "vlan") != NULL)
			m |= 1u << i;
		if (strcmp(name, "all-wireless") == 0 &&
		    strncmp(s, "wlan", 4) == 0)
			m |= 1u << i;
		if (strcmp(name, "all-ppp") == 0)
			for (k = 0; ppp[k] != NULL; k++)
				if (strncmp(s, ppp[k], strlen(ppp[k])) == 0)
					m |= 1u << i;
	}
	return m;
}

void
ros_export_counts(const struct ros_export *x, int *skipped,
    int *alist_entries, int *iflists)
{
	*skipped = x->skipped;
	*alist_entries = x->alist_entries;
	*iflists = x->nlists;
}
