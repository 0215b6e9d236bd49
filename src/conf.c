/* SPDX-License-Identifier: ISC */
/* The YAML configuration file, validated whole, with every error located. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <yaml.h>

#include "addrlist.h"
#include "conf.h"
#include "icmp.h"
#include "dns.h"
#include "log.h"
#include "match.h"
#include "names.h"
#include "natport.h"
#include "ros_export.h"
#include "route.h"
#include "routeros.h"
#include "rule.h"
#include "xmalloc.h"

#ifndef RUNSTATEDIR
#define RUNSTATEDIR "/run"
#endif

#define CONF_MAX_FILE (16 * 1024 * 1024)
/*
 * Sequences and mappings inside each other, at most. libyaml's scanner
 * re-checks every open level for each token, so deep nesting costs time
 * quadratic in it (120 kB of "[" took 6 s); no configuration needs more.
 */
#define CONF_MAX_DEPTH 64
#define CONF_MAX_NAME 32		/* interface names in rules */
#define CONF_TIMEOUT_MAX (365 * 86400)

struct conf_err_ent {
	int file, line, col, seq;	/* file: 0 the YAML, 1 an export */
	char *msg;
};

/* One load: the text, the YAML tree, the config and the errors so far. */
struct conf_ctx {
	const char *name;
	const char *buf;
	size_t len;
	size_t *lines;		/* byte offset where each line starts */
	int nlines;
	yaml_document_t *doc;
	struct config *conf;
	struct conf_err_ent *errs;
	int nerrs, caperrs;
	/* where each interface's name was written */
	yaml_node_t *ifname_node[CONF_MAX_IFACES];
	int file;		/* 0 the YAML; 1 while reading an export file */
	/* the export file of routeros: { file: }, kept for its messages */
	const char *xname;
	char *xbuf;
	size_t xlen;
	size_t *xlines;
	int xnlines;
	bool routeros;		/* a routeros: export may give addresses */
	char **notes;
	int nnotes;
	struct ros_pos iface_pos[CONF_MAX_IFACES];
	int nroutes_cap;
};

/* A scalar whose value offsets map back to the file, for rule words. */
struct conf_scalar_ref {
	struct conf_ctx *ctx;
	yaml_node_t *node;
	/*
	 * Where the last lookup ended: the export reader asks in increasing
	 * order, so a lookup resumes there instead of walking from the
	 * scalar's start (a 100,000-line export would be quadratic).
	 */
	const yaml_node_t *cnode;
	size_t cv, ci;
	int cline, ccol;
};

static void conf_error(struct conf_ctx *ctx, int line, int col,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void conf_node_error(struct conf_ctx *ctx, const yaml_node_t *n,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
conf_index_lines(struct conf_ctx *ctx)
{
	size_t i;
	int n = 1;

	for (i = 0; i < ctx->len; i++)
		if (ctx->buf[i] == '\n')
			n++;
	ctx->lines = xcalloc(n, sizeof(*ctx->lines));
	ctx->nlines = 1;
	for (i = 0; i < ctx->len; i++)
		if (ctx->buf[i] == '\n')
			ctx->lines[ctx->nlines++] = i + 1;
}

/* Append an error: "FILE:L:C: MSG", the source line, and a caret. */
static void
conf_verror(struct conf_ctx *ctx, int line, int col, const char *fmt,
    va_list ap)
{
	struct conf_err_ent *e;
	const char *src = "";
	size_t srclen = 0;
	char *msg, *out, *caret;
	int pad;

	if (vasprintf(&msg, fmt, ap) < 0)
		fatal("vasprintf");
	if (line >= 1 && line <= ctx->nlines) {
		size_t s = ctx->lines[line - 1], e2 = s;

		while (e2 < ctx->len && ctx->buf[e2] != '\n')
			e2++;
		if (e2 > s && ctx->buf[e2 - 1] == '\r')
			e2--;
		src = ctx->buf + s;
		srclen = e2 - s;
	}
	if (srclen > 4096)
		srclen = 4096;
	pad = col > 1 ? col - 1 : 0;
	if (pad > 4096)
		pad = 4096;
	caret = xmalloc((size_t)pad + 2);
	memset(caret, ' ', (size_t)pad);
	caret[pad] = '^';
	caret[pad + 1] = '\0';
	xasprintf(&out, "%s:%d:%d: %s\n    %.*s\n    %s", ctx->name, line, col,
	    msg, (int)srclen, src, caret);
	free(caret);
	free(msg);
	if (ctx->nerrs == ctx->caperrs) {
		ctx->caperrs = ctx->caperrs ? ctx->caperrs * 2 : 8;
		ctx->errs = xreallocarray(ctx->errs, ctx->caperrs,
		    sizeof(*ctx->errs));
	}
	e = &ctx->errs[ctx->nerrs];
	e->file = ctx->file;
	e->line = line;
	e->col = col;
	e->seq = ctx->nerrs++;
	e->msg = out;
}

static void
conf_error(struct conf_ctx *ctx, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_verror(ctx, line, col, fmt, ap);
	va_end(ap);
}

static void
conf_node_error(struct conf_ctx *ctx, const yaml_node_t *n, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_verror(ctx, (int)n->start_mark.line + 1,
	    (int)n->start_mark.column + 1, fmt, ap);
	va_end(ap);
}

/* Make the export file (1) or the YAML (0) the text messages quote. */
static void
conf_src_swap(struct conf_ctx *ctx)
{
	const char *n = ctx->name, *b = ctx->buf;
	size_t l = ctx->len, *li = ctx->lines;
	int nl = ctx->nlines;

	ctx->name = ctx->xname;
	ctx->buf = ctx->xbuf;
	ctx->len = ctx->xlen;
	ctx->lines = ctx->xlines;
	ctx->nlines = ctx->xnlines;
	ctx->xname = n;
	ctx->xbuf = (char *)b;
	ctx->xlen = l;
	ctx->xlines = li;
	ctx->xnlines = nl;
	ctx->file = !ctx->file;
}

/*
 * A message from the rule builders or the export reader; a position in
 * the export file is reported against that file, whenever it comes (the
 * builders finish after the file is read).
 */
static void
conf_ros_error_cb(void *arg, struct ros_pos pos, const char *msg)
{
	struct conf_ctx *ctx = arg;
	bool swap = pos.file != ctx->file && ctx->xbuf != NULL;

	if (swap)
		conf_src_swap(ctx);
	conf_error(ctx, pos.line, pos.col, "%s", msg);
	if (swap)
		conf_src_swap(ctx);
}

/* "FILE:LINE: note: MSG" (with :COL when it points into a line). */
static void
conf_ros_note_cb(void *arg, struct ros_pos pos, const char *msg)
{
	struct conf_ctx *ctx = arg;
	const char *name = pos.file != ctx->file && ctx->xname != NULL ?
	    ctx->xname : ctx->name;
	char *n;

	if (strncmp(msg, "section ", 8) == 0)
		xasprintf(&n, "%s:%d: note: %s", name, pos.line, msg);
	else
		xasprintf(&n, "%s:%d:%d: note: %s", name, pos.line, pos.col,
		    msg);
	ctx->notes = xreallocarray(ctx->notes, ctx->nnotes + 1,
	    sizeof(*ctx->notes));
	ctx->notes[ctx->nnotes++] = n;
}

/* A note from dns_split_notes(), already "FILE:LINE: note: ..." */
static void
conf_split_note_cb(void *arg, const char *note)
{
	struct conf_ctx *ctx = arg;

	ctx->notes = xreallocarray(ctx->notes, ctx->nnotes + 1,
	    sizeof(*ctx->notes));
	ctx->notes[ctx->nnotes++] = xstrdup(note);
}

/* Byte offset of a libyaml mark, whose column counts characters. */
static size_t
conf_mark_off(const struct conf_ctx *ctx, const yaml_mark_t *m)
{
	size_t i, c = 0;

	if (m->line >= (size_t)ctx->nlines)
		return ctx->len;
	i = ctx->lines[m->line];
	while (i < ctx->len && ctx->buf[i] != '\n' && c < m->column) {
		i++;
		while (i < ctx->len && (ctx->buf[i] & 0xc0) == 0x80)
			i++;
		c++;
	}
	return i;
}

static void
conf_step(const char *buf, size_t *i, int *line, int *col)
{
	if (buf[*i] == '\n') {
		(*line)++;
		*col = 0;
	} else if ((buf[*i] & 0xc0) != 0x80) {
		(*col)++;
	}
	(*i)++;
}

/*
 * The file position of byte @off of a scalar's value. libyaml only
 * gives the scalar's start, so walk the source and the value together:
 * what the value lacks (quotes, a block header, indentation, folded
 * line breaks) is skipped. Exact for plain and block scalars, which is
 * what rules are written as; close enough for escapes in quotes.
 */
static struct ros_pos
conf_scalar_pos(void *arg, size_t off)
{
	struct conf_scalar_ref *ref = arg;
	const struct conf_ctx *ctx = ref->ctx;
	const yaml_node_t *n = ref->node;
	const char *val = (const char *)n->data.scalar.value;
	size_t vlen = n->data.scalar.length, v;
	size_t i = conf_mark_off(ctx, &n->start_mark);
	size_t end = conf_mark_off(ctx, &n->end_mark);
	int line = (int)n->start_mark.line, col = (int)n->start_mark.column;
	struct ros_pos p;

	switch (n->data.scalar.style) {
	case YAML_LITERAL_SCALAR_STYLE:
	case YAML_FOLDED_SCALAR_STYLE:
		while (i < end && ctx->buf[i] != '\n')
			conf_step(ctx->buf, &i, &line, &col);
		if (i < end)
			conf_step(ctx->buf, &i, &line, &col);
		break;
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		if (i < end)
			conf_step(ctx->buf, &i, &line, &col);
		break;
	default:
		break;
	}
	v = 0;
	if (ref->cnode == n && ref->cv <= off) {
		v = ref->cv;
		i = ref->ci;
		line = ref->cline;
		col = ref->ccol;
	}
	for (; v < vlen && v <= off; v++) {
		size_t j = i;
		int l = line, c = col;

		while (j < end && ctx->buf[j] != val[v])
			conf_step(ctx->buf, &j, &l, &c);
		if (j >= end)
			break;
		i = j;
		line = l;
		col = c;
		if (v == off)
			break;
		conf_step(ctx->buf, &i, &line, &col);
	}
	/* resume here next time: v is at most off, i is val[v]'s place */
	if (v < vlen && v <= off) {
		ref->cnode = n;
		ref->cv = v;
		ref->ci = i;
		ref->cline = line;
		ref->ccol = col;
	}
	p.line = line + 1;
	p.col = col + 1;
	p.file = 0;
	return p;
}

static yaml_node_t *
conf_node(const struct conf_ctx *ctx, int id)
{
	return yaml_document_get_node(ctx->doc, id);
}

static const char *
conf_sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static bool
conf_is_null(const yaml_node_t *n)
{
	const char *s;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	s = conf_sval(n);
	return *s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/*
 * A section that must be a mapping, as "arp:" is. Return whether there is
 * anything to walk: not when it is empty, nor (after an error naming
 * @name, then @where) when it is something else.
 */
static bool
conf_section(struct conf_ctx *ctx, const yaml_node_t *n, const char *name,
    const char *where)
{
	if (conf_is_null(n))
		return false;
	if (n->type != YAML_MAPPING_NODE) {
		conf_node_error(ctx, n, "\"%s\" must be a mapping%s", name,
		    where);
		return false;
	}
	return true;
}

#define CONF_FOREACH_PAIR(p, n)						\
	for ((p) = (n)->data.mapping.pairs.start;			\
	    (p) < (n)->data.mapping.pairs.top; (p)++)

/*
 * Check one key of a mapping against @keys. Return its index, or -1
 * after reporting an unknown or repeated key.
 */
static int
conf_key(struct conf_ctx *ctx, const yaml_node_pair_t *p,
    const char *const *keys, const char *where, uint32_t *seen,
    yaml_node_t **val)
{
	yaml_node_t *k = conf_node(ctx, p->key);
	const char *name, *sug;
	int idx;

	*val = conf_node(ctx, p->value);
	if (k->type != YAML_SCALAR_NODE) {
		conf_node_error(ctx, k, "keys must be plain names%s", where);
		return -1;
	}
	name = conf_sval(k);
	idx = ros_lookup(keys, name);
	if (idx < 0) {
		sug = ros_suggest(name, keys, -1);
		if (sug != NULL)
			conf_node_error(ctx, k, "unknown key \"%s\"%s (did you "
			    "mean \"%s\"?)", name, where, sug);
		else
			conf_node_error(ctx, k, "unknown key \"%s\"%s", name,
			    where);
		return -1;
	}
	if (*seen & (1u << idx)) {
		conf_node_error(ctx, k, "duplicate key \"%s\"%s", name, where);
		return -1;
	}
	*seen |= 1u << idx;
	return idx;
}

static const char *
conf_str(struct conf_ctx *ctx, const yaml_node_t *v, const char *key,
    const char *where)
{
	if (v->type != YAML_SCALAR_NODE) {
		conf_node_error(ctx, v, "\"%s\" must be a scalar%s", key, where);
		return NULL;
	}
	return conf_sval(v);
}

static int
conf_decimal(const char *s, unsigned long long *out)
{
	unsigned long long v = 0;
	size_t i;

	if (*s == '\0' || strlen(s) > 12)
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long long)(s[i] - '0');
	}
	*out = v;
	return 0;
}

static int
conf_uint(struct conf_ctx *ctx, const yaml_node_t *v, const char *key,
    const char *where, unsigned long min, unsigned long max, uint32_t *out)
{
	const char *s = conf_str(ctx, v, key, where);
	unsigned long long n;

	if (s == NULL)
		return -1;
	if (conf_decimal(s, &n) < 0) {
		conf_node_error(ctx, v, "invalid %s \"%s\"%s (expected an "
		    "integer %lu..%lu)", key, s, where, min, max);
		return -1;
	}
	if (n < min || n > max) {
		conf_node_error(ctx, v, "%s %s out of range%s (expected "
		    "%lu..%lu)", key, s, where, min, max);
		return -1;
	}
	*out = (uint32_t)n;
	return 0;
}

/* A signed integer in min..max (as "nice: -10"). */
static int
conf_int(struct conf_ctx *ctx, const yaml_node_t *v, const char *key,
    const char *where, long min, long max, int *out)
{
	const char *s = conf_str(ctx, v, key, where);
	unsigned long long n;
	long val;

	if (s == NULL)
		return -1;
	if (conf_decimal(s + (*s == '-'), &n) < 0) {
		conf_node_error(ctx, v, "invalid %s \"%s\"%s (expected an "
		    "integer %ld..%ld)", key, s, where, min, max);
		return -1;
	}
	val = *s == '-' ? -(long)n : (long)n;
	if (val < min || val > max) {
		conf_node_error(ctx, v, "%s %s out of range%s (expected "
		    "%ld..%ld)", key, s, where, min, max);
		return -1;
	}
	*out = (int)val;
	return 0;
}

static int
conf_dur(struct conf_ctx *ctx, const yaml_node_t *v, const char *key,
    const char *where, uint32_t max, const char *maxtext, uint32_t *out)
{
	const char *s = conf_str(ctx, v, key, where);
	uint32_t n;

	if (s == NULL)
		return -1;
	if (conf_parse_duration(s, &n) < 0) {
		conf_node_error(ctx, v, "invalid %s \"%s\"%s (expected a "
		    "duration like 30s, 5m, 2h4m or 1d)", key, s, where);
		return -1;
	}
	if (n < 1 || n > max) {
		conf_node_error(ctx, v, "%s %s out of range%s (expected "
		    "1s..%s)", key, s, where, maxtext);
		return -1;
	}
	*out = n;
	return 0;
}

int
conf_parse_prefix(const char *s, uint32_t *addr, uint8_t *plen)
{
	const char *slash;
	uint32_t a;
	size_t alen;

	if (s == NULL)
		return -1;
	slash = strchr(s, '/');
	alen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (ros_parse_addr(s, alen, &a) < 0)
		return -1;
	if (slash != NULL) {
		const char *d = slash + 1;
		unsigned int n = 0;
		size_t i;

		if (*d == '\0' || strlen(d) > 2)
			return -1;
		for (i = 0; d[i] != '\0'; i++) {
			if (d[i] < '0' || d[i] > '9')
				return -1;
			n = n * 10 + (unsigned int)(d[i] - '0');
		}
		if (n > 32)
			return -1;
		*plen = (uint8_t)n;
	} else {
		*plen = 32;
	}
	*addr = htonl(a);
	return 0;
}

int
conf_parse_duration(const char *s, uint32_t *seconds)
{
	static const struct {
		char unit;
		uint32_t mult;
	} units[] = {
		{ 'w', 604800 }, { 'd', 86400 }, { 'h', 3600 }, { 'm', 60 },
		{ 's', 1 },
	};
	unsigned long long total = 0, n;
	size_t i = 0, u, next = 0;

	if (s == NULL || *s == '\0')
		return -1;
	if (conf_decimal(s, &n) == 0) {
		if (n > UINT32_MAX)
			return -1;
		*seconds = (uint32_t)n;
		return 0;
	}
	/* Components in decreasing units, each at most once: 2h4m, 1d. */
	while (s[i] != '\0') {
		size_t nd = 0;

		n = 0;
		while (s[i] >= '0' && s[i] <= '9' && nd < 10) {
			n = n * 10 + (unsigned long long)(s[i] - '0');
			i++;
			nd++;
		}
		if (nd == 0 || (s[i] >= '0' && s[i] <= '9'))
			return -1;
		for (u = next; u < sizeof(units) / sizeof(units[0]); u++)
			if (units[u].unit == s[i])
				break;
		if (u == sizeof(units) / sizeof(units[0]))
			return -1;
		total += n * units[u].mult;
		if (total > UINT32_MAX)
			return -1;
		next = u + 1;
		i++;
	}
	*seconds = (uint32_t)total;
	return 0;
}

int
conf_parse_usec(const char *s, uint32_t *usec)
{
	static const struct {
		const char *unit;
		uint32_t mult;
	} units[] = { { "us", 1 }, { "ms", 1000 }, { "s", 1000000 } };
	unsigned long long n = 0;
	size_t i, nd = 0;

	if (s == NULL)
		return -1;
	while (s[nd] >= '0' && s[nd] <= '9' && nd < 8) {
		n = n * 10 + (unsigned long long)(s[nd] - '0');
		nd++;
	}
	if (nd == 0)
		return -1;
	if (s[nd] == '\0') {
		if (n != 0)	/* a bare number: which unit? */
			return -1;
		*usec = 0;
		return 0;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(s + nd, units[i].unit) == 0) {
			n *= units[i].mult;
			if (n > 10000000)
				return -1;
			*usec = (uint32_t)n;
			return 0;
		}
	}
	return -1;
}

/* A stable locally administered unicast MAC from the tap name (FNV-1a). */
static void
conf_default_mac(const char *tap, uint8_t mac[6])
{
	uint64_t h = 0xcbf29ce484222325ULL;
	int i;

	for (; *tap != '\0'; tap++) {
		h ^= (uint8_t)*tap;
		h *= 0x100000001b3ULL;
	}
	mac[0] = 0x02;
	for (i = 1; i < 6; i++)
		mac[i] = (uint8_t)(h >> (8 * (i - 1)));
}

static int
conf_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
conf_parse_mac(const char *s, uint8_t mac[6])
{
	int i;

	if (strlen(s) != 17)
		return -1;
	for (i = 0; i < 6; i++) {
		int hi = conf_hex(s[3 * i]), lo = conf_hex(s[3 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		if (i < 5 && s[3 * i + 2] != ':' && s[3 * i + 2] != '-')
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static bool
conf_name_ok(const char *s, size_t max, bool rule_safe)
{
	size_t i, len = strlen(s);

	if (len == 0 || len > max || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (rule_safe) {
			/* RouterOS names may hold spaces: "ether1 WAN" */
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
			    c == '.' || (c == ' ' && i > 0 && i + 1 < len)))
				return false;
		} else if (c <= ' ' || c == '/' || c == 0x7f) {
			return false;
		}
	}
	return true;
}

static uint32_t
conf_mask(int plen)
{
	return plen == 0 ? 0 : 0xffffffffu << (32 - plen);
}

/* Which interface already has @a (network order) as its address? */
static int
conf_addr_owner(const struct config *c, uint32_t a)
{
	int i, j;

	for (i = 0; i < c->nifaces; i++)
		for (j = 0; j < c->ifaces[i].naddrs; j++)
			if (c->ifaces[i].addrs[j].addr == a)
				return i;
	return -1;
}

/* Add address @s to @ifc; errors at @line:@col. */
static void
conf_addr_add(struct conf_ctx *ctx, struct conf_iface *ifc, const char *s,
    int line, int col, const char *where)
{
	char buf[INET_ADDRSTRLEN];
	uint32_t a, h;
	uint8_t plen;
	int owner, j;

	if (s == NULL)
		return;
	if (conf_parse_prefix(s, &a, &plen) < 0 || plen == 0) {
		conf_error(ctx, line, col, "invalid address \"%s\"%s (expected "
		    "A.B.C.D/N with N 1-32, or A.B.C.D)", s, where);
		return;
	}
	h = ntohl(a);
	inet_ntop(AF_INET, &a, buf, sizeof(buf));
	if (h == 0 || h >= 0xe0000000u || (h >> 24) == 127) {
		conf_error(ctx, line, col, "address %s is not a usable host "
		    "address%s", buf, where);
		return;
	}
	if (plen <= 30 && (h | conf_mask(plen)) == 0xffffffffu) {
		uint32_t net = htonl(h & conf_mask(plen));
		char nbuf[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &net, nbuf, sizeof(nbuf));
		conf_error(ctx, line, col, "address %s is the broadcast address "
		    "of %s/%d%s", buf, nbuf, plen, where);
		return;
	}
	owner = conf_addr_owner(ctx->conf, a);
	for (j = 0; j < ifc->naddrs && owner < 0; j++)
		if (ifc->addrs[j].addr == a)
			owner = ctx->conf->nifaces;
	if (owner >= 0) {
		const char *oname = owner < ctx->conf->nifaces ?
		    ctx->conf->ifaces[owner].name : ifc->name;

		if (oname != NULL)
			conf_error(ctx, line, col, "address %s is already used by "
			    "interface \"%s\"", buf, oname);
		else
			conf_error(ctx, line, col, "address %s is used twice%s",
			    buf, where);
		return;
	}
	if (ifc->naddrs == CONF_MAX_ADDRS) {
		conf_error(ctx, line, col, "too many addresses%s (at most %d)",
		    where, CONF_MAX_ADDRS);
		return;
	}
	ifc->addrs[ifc->naddrs].addr = a;
	ifc->addrs[ifc->naddrs].plen = plen;
	ifc->naddrs++;
}

static void
conf_iface_addr(struct conf_ctx *ctx, struct conf_iface *ifc,
    const yaml_node_t *v, const char *where)
{
	const char *s = conf_str(ctx, v, "addresses", where);

	conf_addr_add(ctx, ifc, s, (int)v->start_mark.line + 1,
	    (int)v->start_mark.column + 1, where);
}

static void
conf_iface(struct conf_ctx *ctx, yaml_node_t *item, int num)
{
	static const char *const keys[] = {
		"name", "tap", "netns", "addresses", "mac", "mtu", NULL
	};
	enum { I_NAME, I_TAP, I_NETNS, I_ADDRS, I_MAC, I_MTU, I_COUNT };
	struct config *c = ctx->conf;
	struct conf_iface *ifc = &c->ifaces[c->nifaces];
	yaml_node_t *nodes[I_COUNT] = { NULL }, *v;
	yaml_node_pair_t *p;
	char where[48];
	uint32_t seen = 0, mtu;
	bool mac_set = false;
	const char *s;
	int i, k;

	snprintf(where, sizeof(where), " in interface %d", num);
	if (item->type != YAML_MAPPING_NODE) {
		conf_node_error(ctx, item, "interface %d must be a mapping", num);
		return;
	}
	memset(ifc, 0, sizeof(*ifc));
	ifc->mtu = 1500;
	ifc->loc.line = (int)item->start_mark.line + 1;
	ifc->loc.col = (int)item->start_mark.column + 1;
	CONF_FOREACH_PAIR(p, item) {
		k = conf_key(ctx, p, keys, where, &seen, &v);
		if (k >= 0)
			nodes[k] = v;
	}

	if ((v = nodes[I_NAME]) == NULL)
		conf_node_error(ctx, item, "missing \"name\"%s", where);
	else if ((s = conf_str(ctx, v, "name", where)) == NULL)
		;
	else if (!conf_name_ok(s, CONF_MAX_NAME, true))
		conf_node_error(ctx, v, "invalid interface name \"%s\" "
		    "(expected 1-%d letters, digits, \"-\", \"_\", \".\" or "
		    "inner spaces)", s, CONF_MAX_NAME);
	else
		ifc->name = xstrdup(s);

	if ((v = nodes[I_TAP]) == NULL)
		conf_node_error(ctx, item, "missing \"tap\"%s", where);
	else if ((s = conf_str(ctx, v, "tap", where)) == NULL)
		;
	else if (!conf_name_ok(s, 15, false))
		conf_node_error(ctx, v, "invalid tap \"%s\"%s (expected a "
		    "device name of 1-15 characters, no \"/\" or spaces)", s,
		    where);
	else
		ifc->tap = xstrdup(s);

	if ((v = nodes[I_NETNS]) != NULL && !conf_is_null(v) &&
	    (s = conf_str(ctx, v, "netns", where)) != NULL) {
		if (!conf_name_ok(s, 255, false))
			conf_node_error(ctx, v, "invalid netns \"%s\"%s "
			    "(expected a name in /run/netns)", s, where);
		else
			ifc->netns = xstrdup(s);
	}

	if ((v = nodes[I_ADDRS]) == NULL) {
		/* checked after the export's /ip address, when there is one */
		if (!ctx->routeros)
			conf_node_error(ctx, item, "missing \"addresses\"%s",
			    where);
	} else if (v->type == YAML_SCALAR_NODE && !conf_is_null(v)) {
		conf_iface_addr(ctx, ifc, v, where);
	} else if (v->type == YAML_SEQUENCE_NODE &&
	    v->data.sequence.items.top > v->data.sequence.items.start) {
		yaml_node_item_t *it;

		for (it = v->data.sequence.items.start;
		    it < v->data.sequence.items.top; it++)
			conf_iface_addr(ctx, ifc, conf_node(ctx, *it), where);
	} else if (v->type == YAML_MAPPING_NODE) {
		conf_node_error(ctx, v, "\"addresses\" must be a sequence%s",
		    where);
	} else {
		conf_node_error(ctx, v, "\"addresses\" is empty%s (the "
		    "router needs an address on each link)", where);
	}

	if ((v = nodes[I_MAC]) != NULL &&
	    (s = conf_str(ctx, v, "mac", where)) != NULL) {
		if (conf_parse_mac(s, ifc->mac) < 0)
			conf_node_error(ctx, v, "invalid mac \"%s\"%s (expected "
			    "XX:XX:XX:XX:XX:XX)", s, where);
		else if ((ifc->mac[0] & 1) ||
		    memcmp(ifc->mac, "\0\0\0\0\0\0", 6) == 0)
			conf_node_error(ctx, v, "mac %s is not a unicast "
			    "address%s", s, where);
		else
			mac_set = true;
	}
	if ((v = nodes[I_MTU]) != NULL &&
	    conf_uint(ctx, v, "mtu", where, 68, 65535, &mtu) == 0)
		ifc->mtu = (int)mtu;

	/* Names and taps must be unique; report at the second one. */
	for (i = 0; i < c->nifaces; i++) {
		if (ifc->name != NULL &&
		    strcmp(ifc->name, c->ifaces[i].name) == 0)
			conf_node_error(ctx, nodes[I_NAME], "duplicate "
			    "interface name \"%s\" (first at line %d)",
			    ifc->name,
			    (int)ctx->ifname_node[i]->start_mark.line + 1);
		if (ifc->tap != NULL && c->ifaces[i].tap != NULL &&
		    strcmp(ifc->tap, c->ifaces[i].tap) == 0)
			conf_node_error(ctx, nodes[I_TAP], "duplicate tap "
			    "\"%s\" (also used by interface \"%s\")", ifc->tap,
			    c->ifaces[i].name);
	}
	if (ifc->tap != NULL && !mac_set)
		conf_default_mac(ifc->tap, ifc->mac);
	if (ifc->name == NULL) {
		/* Not kept: rules could not name it anyway. */
		free(ifc->tap);
		free(ifc->netns);
		memset(ifc, 0, sizeof(*ifc));
		return;
	}
	ctx->ifname_node[c->nifaces] = nodes[I_NAME];
	ctx->iface_pos[c->nifaces].line = ifc->loc.line;
	ctx->iface_pos[c->nifaces].col = ifc->loc.col;
	c->nifaces++;
}

static void
conf_interfaces(struct conf_ctx *ctx, yaml_node_t *n)
{
	yaml_node_item_t *it;
	int num = 0;

	if (conf_is_null(n))
		return;
	if (n->type != YAML_SEQUENCE_NODE) {
		conf_node_error(ctx, n, "\"interfaces\" must be a sequence");
		return;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	    it++) {
		yaml_node_t *item = conf_node(ctx, *it);

		num++;
		if (ctx->conf->nifaces == CONF_MAX_IFACES) {
			conf_node_error(ctx, item, "too many interfaces (at "
			    "most %d)", CONF_MAX_IFACES);
			return;
		}
		conf_iface(ctx, item, num);
	}
}

/* The interface whose connected subnet holds @gw, longest prefix first. */
static int
conf_connected(const struct config *c, uint32_t gw, int only)
{
	int i, j, best = -1, bestlen = -1;

	for (i = 0; i < c->nifaces; i++) {
		if (only >= 0 && i != only)
			continue;
		for (j = 0; j < c->ifaces[i].naddrs; j++) {
			const struct conf_addr *a = &c->ifaces[i].addrs[j];
			uint32_t m = conf_mask(a->plen);

			if ((ntohl(a->addr) & m) == (ntohl(gw) & m) &&
			    a->plen > bestlen) {
				best = i;
				bestlen = a->plen;
			}
		}
	}
	return best;
}

static char **
conf_ifnames(const struct config *c)
{
	char **names = xcalloc(c->nifaces + 1, sizeof(*names));
	int i;

	for (i = 0; i < c->nifaces; i++)
		names[i] = c->ifaces[i].name;
	return names;
}

static void
conf_unknown_iface(struct conf_ctx *ctx, const yaml_node_t *v, const char *s,
    const char *where)
{
	char **names = conf_ifnames(ctx->conf);
	const char *sug = ros_suggest(s, (const char *const *)names,
	    ctx->conf->nifaces);

	if (sug != NULL)
		conf_node_error(ctx, v, "unknown interface \"%s\"%s (did you "
		    "mean \"%s\"?)", s, where, sug);
	else
		conf_node_error(ctx, v, "unknown interface \"%s\"%s", s, where);
	free(names);
}

static void
conf_route(struct conf_ctx *ctx, yaml_node_t *item, int num,
    yaml_node_t **dst_nodes)
{
	static const char *const keys[] = {
		"dst", "gateway", "interface", NULL
	};
	struct config *c = ctx->conf;
	struct conf_route rt;
	yaml_node_pair_t *p;
	yaml_node_t *v, *gw_node = NULL, *dst_node = NULL;
	char where[48], buf[INET_ADDRSTRLEN];
	uint32_t seen = 0, a;
	bool ok = true, have_gw = false;
	const char *s;
	uint8_t plen;
	int i, only = -1;

	snprintf(where, sizeof(where), " in route %d", num);
	if (item->type != YAML_MAPPING_NODE) {
		conf_node_error(ctx, item, "route %d must be a mapping", num);
		return;
	}
	memset(&rt, 0, sizeof(rt));
	rt.iface = -1;
	rt.distance = 1;
	rt.loc.line = (int)item->start_mark.line + 1;
	rt.loc.col = (int)item->start_mark.column + 1;
	CONF_FOREACH_PAIR(p, item) {
		switch (conf_key(ctx, p, keys, where, &seen, &v)) {
		case 0:
			if ((s = conf_str(ctx, v, "dst", where)) == NULL) {
				ok = false;
				break;
			}
			if (conf_parse_prefix(s, &a, &plen) < 0) {
				conf_node_error(ctx, v, "invalid dst \"%s\"%s "
				    "(expected A.B.C.D/N)", s, where);
				ok = false;
				break;
			}
			if ((ntohl(a) & ~conf_mask(plen)) != 0) {
				uint32_t net = htonl(ntohl(a) & conf_mask(plen));

				inet_ntop(AF_INET, &net, buf, sizeof(buf));
				conf_node_error(ctx, v, "dst %s has host bits "
				    "set%s (did you mean %s/%d?)", s, where, buf,
				    plen);
				ok = false;
				break;
			}
			rt.dst = a;
			rt.plen = plen;
			dst_node = v;
			break;
		case 1:
			if ((s = conf_str(ctx, v, "gateway", where)) == NULL) {
				ok = false;
				break;
			}
			if (conf_parse_prefix(s, &a, &plen) < 0 || plen != 32 ||
			    strchr(s, '/') != NULL) {
				conf_node_error(ctx, v, "invalid gateway \"%s\"%s "
				    "(expected A.B.C.D)", s, where);
				ok = false;
				break;
			}
			rt.gateway = a;
			gw_node = v;
			have_gw = true;
			break;
		case 2:
			if ((s = conf_str(ctx, v, "interface", where)) == NULL) {
				ok = false;
				break;
			}
			only = conf_iface_find(c, s);
			if (only < 0) {
				conf_unknown_iface(ctx, v, s, where);
				ok = false;
			}
			break;
		default:
			break;
		}
	}
	if (!(seen & 1)) {
		conf_node_error(ctx, item, "missing \"dst\"%s", where);
		ok = false;
	}
	if (!(seen & 6)) {
		conf_node_error(ctx, item, "route %d needs \"gateway\" or "
		    "\"interface\"", num);
		ok = false;
	}
	if (have_gw) {
		inet_ntop(AF_INET, &rt.gateway, buf, sizeof(buf));
		if (conf_addr_owner(c, rt.gateway) >= 0) {
			conf_node_error(ctx, gw_node, "gateway %s is an address "
			    "of this router%s", buf, where);
			return;
		}
		rt.iface = conf_connected(c, rt.gateway, only);
		if (rt.iface < 0) {
			if (only >= 0)
				conf_node_error(ctx, gw_node, "gateway %s is not "
				    "in a connected subnet of interface \"%s\"%s",
				    buf, c->ifaces[only].name, where);
			else
				conf_node_error(ctx, gw_node, "gateway %s is not "
				    "in any connected subnet%s", buf, where);
			return;
		}
	} else {
		rt.iface = only;
	}
	if (!ok)
		return;
	for (i = 0; i < c->nroutes; i++) {
		if (c->routes[i].dst == rt.dst && c->routes[i].plen == rt.plen) {
			inet_ntop(AF_INET, &rt.dst, buf, sizeof(buf));
			conf_node_error(ctx, dst_node, "duplicate route %s/%d "
			    "(first at line %d)", buf, rt.plen,
			    (int)dst_nodes[i]->start_mark.line + 1);
			return;
		}
	}
	dst_nodes[c->nroutes] = dst_node;
	c->routes[c->nroutes++] = rt;
}

static void
conf_routes(struct conf_ctx *ctx, yaml_node_t *n)
{
	yaml_node_item_t *it;
	yaml_node_t **dst_nodes;
	int num = 0, max;

	if (conf_is_null(n))
		return;
	if (n->type != YAML_SEQUENCE_NODE) {
		conf_node_error(ctx, n, "\"routes\" must be a sequence");
		return;
	}
	max = (int)(n->data.sequence.items.top - n->data.sequence.items.start);
	ctx->conf->routes = xcalloc(max > 0 ? max : 1,
	    sizeof(*ctx->conf->routes));
	ctx->nroutes_cap = max > 0 ? max : 1;
	dst_nodes = xcalloc(max > 0 ? max : 1, sizeof(*dst_nodes));
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	    it++)
		conf_route(ctx, conf_node(ctx, *it), ++num, dst_nodes);
	free(dst_nodes);
}

static void
conf_timeouts(struct conf_ctx *ctx, yaml_node_t *n)
{
	static const char *const keys[] = {
		"tcp-syn-sent", "tcp-syn-received", "tcp-established",
		"tcp-fin-wait", "tcp-close-wait", "tcp-last-ack",
		"tcp-time-wait", "tcp-close", "udp", "udp-stream", "icmp",
		"generic", NULL
	};
	static const size_t offs[] = {
		offsetof(struct conf_timeouts, tcp_syn_sent),
		offsetof(struct conf_timeouts, tcp_syn_received),
		offsetof(struct conf_timeouts, tcp_established),
		offsetof(struct conf_timeouts, tcp_fin_wait),
		offsetof(struct conf_timeouts, tcp_close_wait),
		offsetof(struct conf_timeouts, tcp_last_ack),
		offsetof(struct conf_timeouts, tcp_time_wait),
		offsetof(struct conf_timeouts, tcp_close),
		offsetof(struct conf_timeouts, udp),
		offsetof(struct conf_timeouts, udp_stream),
		offsetof(struct conf_timeouts, icmp),
		offsetof(struct conf_timeouts, generic),
	};
	const char *where = " in conntrack timeouts";
	yaml_node_pair_t *p;
	yaml_node_t *v;
	uint32_t seen = 0;
	int k;

	if (!conf_section(ctx, n, "timeouts", " in conntrack"))
		return;
	CONF_FOREACH_PAIR(p, n) {
		k = conf_key(ctx, p, keys, where, &seen, &v);
		if (k < 0)
			continue;
		conf_dur(ctx, v, keys[k], where, CONF_TIMEOUT_MAX, "365d",
		    (uint32_t *)((char *)&ctx->conf->timeouts + offs[k]));
	}
}

static void
conf_conntrack(struct conf_ctx *ctx, yaml_node_t *n)
{
	static const char *const keys[] = {
		"max", "timeouts", "frag-max-bytes", "frag-timeout",
		"nat-ports-per-host", NULL
	};
	const char *where = " in conntrack";
	struct conf_limits *l = &ctx->conf->limits;
	yaml_node_pair_t *p;
	yaml_node_t *v;
	uint32_t seen = 0;

	if (!conf_section(ctx, n, "conntrack", ""))
		return;
	CONF_FOREACH_PAIR(p, n) {
		switch (conf_key(ctx, p, keys, where, &seen, &v)) {
		case 0:
			conf_uint(ctx, v, "max", where, 1, 16777216,
			    &l->ct_max);
			break;
		case 1:
			conf_timeouts(ctx, v);
			break;
		case 2:
			conf_uint(ctx, v, "frag-max-bytes", where, 65536,
			    1073741824, &l->frag_max_bytes);
			break;
		case 3:
			conf_dur(ctx, v, "frag-timeout", where, 3600, "1h",
			    &l->frag_timeout);
			break;
		case 4:
			conf_uint(ctx, v, "nat-ports-per-host", where, 0,
			    65535, &l->nat_ports_per_host);
			break;
		default:
			break;
		}
	}
}

/* One word of @words; its index, or -1 after an error naming them all. */
static int
conf_word(struct conf_ctx *ctx, const yaml_node_t *v, const char *key,
    const char *where, const char *const *words)
{
	const char *s = conf_str(ctx, v, key, where);
	char list[128];
	size_t off = 0;
	int i;

	if (s == NULL)
		return -1;
	for (i = 0; words[i] != NULL; i++)
		if (strcmp(s, words[i]) == 0)
			return i;
	list[0] = '\0';
	for (i = 0; words[i] != NULL && off < sizeof(list); i++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
		    i ? ", " : "", words[i]);
	conf_node_error(ctx, v, "invalid %s \"%s\"%s (expected %s)", key, s,
	    where, list);
	return -1;
}

/*
 * A yes/no setting: RouterOS writes yes and no, YAML tools write true and
 * false (a YAML 1.1 "no" read by PyYAML and dumped again is "false").
 * Return: 0 or 1, or -1 after an error.
 */
/* "yes"/"no" and YAML's booleans, any case; -1 when neither. */
static int
conf_yesno(const char *s)
{
	static const char *const yes[] = { "yes", "true", "on", NULL };
	static const char *const no[] = { "no", "false", "off", NULL };
	int i;

	for (i = 0; yes[i] != NULL; i++)
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
	for (i = 0; no[i] != NULL; i++)
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	return -1;
}

/* The same for a node: 0 or 1, or -1 after reporting the error. */
static int
conf_yesno_node(struct conf_ctx *ctx, const yaml_node_t *v, const char *key,
    const char *where)
{
	const char *s = conf_str(ctx, v, key, where);
	int b;

	if (s == NULL)
		return -1;
	if ((b = conf_yesno(s)) < 0)
		conf_node_error(ctx, v, "invalid %s \"%s\"%s (expected yes or "
		    "no)", key, s, where);
	return b;
}

/* ip-settings: RouterOS /ip settings, the anti-spoofing part. */
static void
conf_ip_settings(struct conf_ctx *ctx, yaml_node_t *n)
{
	static const char *const keys[] = {
		"rp-filter", "accept-source-route", NULL
	};
	static const char *const rp[] = { "no", "loose", "strict", NULL };
	const char *where = " in ip-settings";
	yaml_node_pair_t *p;
	yaml_node_t *v;
	uint32_t seen = 0;
	int w;

	if (!conf_section(ctx, n, "ip-settings", ""))
		return;
	CONF_FOREACH_PAIR(p, n) {
		switch (conf_key(ctx, p, keys, where, &seen, &v)) {
		case 0:
			if ((w = conf_word(ctx, v, "rp-filter", where, rp)) >= 0)
				ctx->conf->ip.rp_filter = (enum conf_rp_filter)w;
			break;
		case 1:
			if ((w = conf_yesno_node(ctx, v, "accept-source-route",
			    where)) >= 0)
				ctx->conf->ip.accept_source_route = w == 1;
			break;
		default:
			break;
		}
	}
}

static void
conf_arp(struct conf_ctx *ctx, yaml_node_t *n)
{
	static const char *const keys[] = {
		"max", "queue-len", "accept", "locktime", NULL
	};
	const char *s;
	uint32_t us;
	int w;
	const char *where = " in arp";
	yaml_node_pair_t *p;
	yaml_node_t *v;
	uint32_t seen = 0;

	if (!conf_section(ctx, n, "arp", ""))
		return;
	CONF_FOREACH_PAIR(p, n) {
		switch (conf_key(ctx, p, keys, where, &seen, &v)) {
		case 0:
			conf_uint(ctx, v, "max", where, 1, 1048576,
			    &ctx->conf->limits.arp_max);
			break;
		case 1:
			conf_uint(ctx, v, "queue-len", where, 1, 1024,
			    &ctx->conf->limits.arp_queue);
			break;
		case 2:
			if ((w = conf_yesno_node(ctx, v, "accept", where)) >= 0)
				ctx->conf->limits.arp_accept = w == 1;
			break;
		case 3:
			if ((s = conf_str(ctx, v, "locktime", where)) == NULL)
				break;
			if (conf_parse_usec(s, &us) < 0)
				conf_node_error(ctx, v, "invalid locktime \"%s\"%s "
				    "(expected 0 or a time like 500ms or 1s, up to "
				    "10s)", s, where);
			else
				ctx->conf->limits.arp_locktime_ms = us / 1000;
			break;
		default:
			break;
		}
	}
}

static void
conf_dataplane(struct conf_ctx *ctx, yaml_node_t *n)
{
	static const char *const keys[] = { "nice", "busy-poll", "io", NULL };
	const char *where = " in dataplane", *s;
	struct conf_dataplane *dp = &ctx->conf->dp;
	yaml_node_pair_t *p;
	yaml_node_t *v;
	uint32_t seen = 0, u;

	if (!conf_section(ctx, n, "dataplane", ""))
		return;
	CONF_FOREACH_PAIR(p, n) {
		switch (conf_key(ctx, p, keys, where, &seen, &v)) {
		case 0:
			if (conf_int(ctx, v, "nice", where, -20, 19,
			    &dp->nice) == 0)
				dp->nice_set = true;
			break;
		case 1:
			if ((s = conf_str(ctx, v, "busy-poll", where)) == NULL)
				break;
			if (strcmp(s, "auto") == 0)
				dp->busy_poll_auto = true;
			else if (conf_parse_usec(s, &u) < 0)
				conf_node_error(ctx, v, "invalid busy-poll "
				    "\"%s\"%s (expected auto, 0 or a time like "
				    "500us or 3ms)", s, where);
			else if (u > 100000)
				conf_node_error(ctx, v, "busy-poll %s out of "
				    "range%s (expected 0..100ms)", s, where);
			else {
				dp->busy_poll_us = u;
				dp->busy_poll_auto = false;
			}
			break;
		case 2:
			if ((s = conf_str(ctx, v, "io", where)) == NULL)
				break;
			if (strcmp(s, "auto") == 0)
				dp->io = DP_IO_AUTO;
			else if (strcmp(s, "io_uring") == 0)
				dp->io = DP_IO_URING;
			else if (strcmp(s, "read-write") == 0)
				dp->io = DP_IO_READWRITE;
			else
				conf_node_error(ctx, v, "invalid io \"%s\"%s "
				    "(expected auto, io_uring or read-write)",
				    s, where);
			break;
		default:
			break;
		}
	}
}

static void
conf_icmp(struct conf_ctx *ctx, yaml_node_t *n)
{
	static const char *const keys[] = {
		"rate", "burst", "per-destination-rate",
		"per-destination-burst", "destinations", NULL
	};
	const char *where = " in icmp";
	struct conf_icmp *ic = &ctx->conf->icmp;
	yaml_node_pair_t *p;
	yaml_node_t *v;
	uint32_t seen = 0;

	if (!conf_section(ctx, n, "icmp", ""))
		return;
	CONF_FOREACH_PAIR(p, n) {
		switch (conf_key(ctx, p, keys, where, &seen, &v)) {
		case 0:
			conf_uint(ctx, v, "rate", where, 0, 1000000,
			    &ic->rate);
			break;
		case 1:
			conf_uint(ctx, v, "burst", where, 1, 1000000,
			    &ic->burst);
			break;
		case 2:
			conf_uint(ctx, v, "per-destination-rate", where, 0,
			    1000000, &ic->dst_rate);
			break;
		case 3:
			conf_uint(ctx, v, "per-destination-burst", where, 1,
			    1000000, &ic->dst_burst);
			break;
		case 4:
			conf_uint(ctx, v, "destinations", where, 4, 1048576,
			    &ic->destinations);
			break;
		default:
			break;
		}
	}
}

/* ports: 21 | "5060,5061" | [5060, 5061] */
static void
conf_sp_ports(struct conf_ctx *ctx, yaml_node_t *v, const char *where,
    struct conf_service_port *sp)
{
	yaml_node_item_t *it;
	uint32_t port;
	char buf[64], *tok, *save = NULL;
	const char *s;

	sp->nports = 0;
	if (v->type == YAML_SEQUENCE_NODE) {
		for (it = v->data.sequence.items.start;
		    it < v->data.sequence.items.top; it++) {
			if (sp->nports == CONF_SP_PORTS) {
				conf_node_error(ctx, v, "more than %d ports%s",
				    CONF_SP_PORTS, where);
				return;
			}
			if (conf_uint(ctx, conf_node(ctx, *it), "port", where,
			    1, 65535, &port) == 0)
				sp->ports[sp->nports++] = (uint16_t)port;
		}
		return;
	}
	if ((s = conf_str(ctx, v, "ports", where)) == NULL)
		return;
	if (strlen(s) >= sizeof(buf)) {
		conf_node_error(ctx, v, "invalid ports \"%s\"%s", s, where);
		return;
	}
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		unsigned long long n;

		if (conf_decimal(tok, &n) < 0 || n < 1 || n > 65535 ||
		    sp->nports == CONF_SP_PORTS) {
			conf_node_error(ctx, v, "invalid ports \"%s\"%s "
			    "(expected up to %d ports 1..65535, as 21 or "
			    "5060,5061)", s, where, CONF_SP_PORTS);
			return;
		}
		sp->ports[sp->nports++] = (uint16_t)n;
	}
	if (sp->nports == 0)
		conf_node_error(ctx, v, "invalid ports \"%s\"%s", s, where);
}

int
conf_service_port_set(struct config *c, const char *name, const char *ports,
    int disabled, char *err, size_t errlen)
{
	static const char *const names[] = {
		[CONF_SP_FTP] = "ftp", [CONF_SP_TFTP] = "tftp",
		[CONF_SP_PPTP] = "pptp", [CONF_SP_SIP] = "sip", NULL
	};
	struct conf_service_port sp;
	char buf[64], *tok, *save = NULL;
	unsigned long long n;
	int k = ros_lookup(names, name);

	if (k < 0) {
		snprintf(err, errlen, "unknown service-port \"%s\" (expected "
		    "ftp, tftp, pptp or sip)", name);
		return -1;
	}
	sp = c->sp[k];
	if (ports != NULL) {
		sp.nports = 0;
		if (strlen(ports) >= sizeof(buf)) {
			snprintf(err, errlen, "invalid ports \"%s\"", ports);
			return -1;
		}
		strcpy(buf, ports);
		for (tok = strtok_r(buf, ",", &save); tok != NULL;
		    tok = strtok_r(NULL, ",", &save)) {
			if (conf_decimal(tok, &n) < 0 || n < 1 || n > 65535 ||
			    sp.nports == CONF_SP_PORTS) {
				snprintf(err, errlen, "invalid ports \"%s\" "
				    "(expected up to %d ports 1..65535)", ports,
				    CONF_SP_PORTS);
				return -1;
			}
			sp.ports[sp.nports++] = (uint16_t)n;
		}
		if (sp.nports == 0) {
			snprintf(err, errlen, "invalid ports \"%s\"", ports);
			return -1;
		}
	}
	if (disabled >= 0)
		sp.enabled = !disabled;
	if (k == CONF_SP_SIP && sp.enabled) {
		snprintf(err, errlen, "service-port sip: hairpind has no SIP "
		    "helper yet");
		return -1;
	}
	c->sp[k] = sp;
	return 0;
}

/*
 * service-port: { ftp: yes, tftp: { ports: 69, disabled: no }, ... }:
 * each helper a boolean (on/off) or a mapping of ports and disabled.
 */
static void
conf_service_port(struct conf_ctx *ctx, yaml_node_t *n)
{
	static const char *const names[] = {
		[CONF_SP_FTP] = "ftp", [CONF_SP_TFTP] = "tftp",
		[CONF_SP_PPTP] = "pptp", [CONF_SP_SIP] = "sip", NULL
	};
	static const char *const keys[] = { "ports", "disabled", NULL };
	yaml_node_pair_t *p, *q;
	yaml_node_t *v, *w;
	uint32_t seen = 0, seen2;
	char where[64];
	const char *s;
	int k, b;

	if (!conf_section(ctx, n, "service-port", ""))
		return;
	CONF_FOREACH_PAIR(p, n) {
		k = conf_key(ctx, p, names, " in service-port", &seen, &v);
		if (k < 0)
			continue;
		snprintf(where, sizeof(where), " in service-port %s", names[k]);
		if (v->type == YAML_SCALAR_NODE) {
			s = conf_sval(v);
			if ((b = conf_yesno(s)) < 0)
				conf_node_error(ctx, v, "invalid %s \"%s\"%s "
				    "(expected yes or no, or a mapping of "
				    "ports and disabled)", names[k], s, where);
			else
				ctx->conf->sp[k].enabled = b;
		} else if (v->type == YAML_MAPPING_NODE) {
			seen2 = 0;
			CONF_FOREACH_PAIR(q, v) {
				switch (conf_key(ctx, q, keys, where, &seen2,
				    &w)) {
				case 0:
					conf_sp_ports(ctx, w, where,
					    &ctx->conf->sp[k]);
					break;
				case 1:
					if ((s = conf_str(ctx, w, "disabled",
					    where)) == NULL)
						break;
					if ((b = conf_yesno(s)) < 0)
						conf_node_error(ctx, w, "invalid "
						    "disabled \"%s\"%s (expected "
						    "yes or no)", s, where);
					else
						ctx->conf->sp[k].enabled = !b;
					break;
				default:
					break;
				}
			}
		} else {
			conf_node_error(ctx, v, "\"%s\" must be yes, no or a "
			    "mapping%s", names[k], " in service-port");
			continue;
		}
		if (k == CONF_SP_SIP && ctx->conf->sp[k].enabled)
			conf_node_error(ctx, v, "service-port sip: hairpind "
			    "has no SIP helper yet (it is off by default, as "
			    "many RouterOS users set it)");
	}
}

static void
conf_control(struct conf_ctx *ctx, yaml_node_t *n)
{
	static const char *const keys[] = {
		"socket", "mode", "group", "max-clients", NULL
	};
	const char *where = " in control";
	struct config *c = ctx->conf;
	yaml_node_pair_t *p;
	yaml_node_t *v;
	uint32_t seen = 0;
	const char *s;

	if (!conf_section(ctx, n, "control", ""))
		return;
	CONF_FOREACH_PAIR(p, n) {
		switch (conf_key(ctx, p, keys, where, &seen, &v)) {
		case 0:
			if ((s = conf_str(ctx, v, "socket", where)) == NULL)
				break;
			if (*s == '\0' || strlen(s) >=
			    sizeof(((struct sockaddr_un *)0)->sun_path)) {
				conf_node_error(ctx, v, "invalid socket \"%s\"%s "
				    "(expected a path of 1-%zu bytes)", s, where,
				    sizeof(((struct sockaddr_un *)0)->sun_path) -
				    1);
				break;
			}
			free(c->ctl_socket);
			c->ctl_socket = xstrdup(s);
			break;
		case 1: {
			unsigned int m = 0;
			size_t i;

			if ((s = conf_str(ctx, v, "mode", where)) == NULL)
				break;
			for (i = 0; s[i] >= '0' && s[i] <= '7' && i < 5; i++)
				m = m * 8 + (unsigned int)(s[i] - '0');
			if (i == 0 || s[i] != '\0' || m > 0777) {
				conf_node_error(ctx, v, "invalid mode \"%s\"%s "
				    "(expected octal permissions like 0660)", s,
				    where);
				break;
			}
			c->ctl_mode = (mode_t)m;
			break;
		}
		case 2:
			if (conf_is_null(v))
				break;
			if ((s = conf_str(ctx, v, "group", where)) == NULL)
				break;
			if (!conf_name_ok(s, 255, false)) {
				conf_node_error(ctx, v, "invalid group \"%s\"%s",
				    s, where);
				break;
			}
			c->ctl_group = xstrdup(s);
			break;
		case 3:
			conf_uint(ctx, v, "max-clients", where, 1, 1024,
			    &c->limits.ctl_max_clients);
			break;
		default:
			break;
		}
	}
}

static const char *const conf_levels[] = {
	[LOG_LEVEL_ERR] = "error",
	[LOG_LEVEL_WARN] = "warning",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
	NULL
};
static const char *const conf_targets[] = {
	[LOG_TARGET_STDERR] = "stderr",
	[LOG_TARGET_SYSLOG] = "syslog",
	NULL
};

static void
conf_log_value(struct conf_ctx *ctx, yaml_node_t *v, const char *key,
    const char *const *names, const char *expected, int *out,
    const char *where)
{
	const char *s = conf_str(ctx, v, key, where), *sug;
	int idx;

	if (s == NULL)
		return;
	idx = ros_lookup(names, s);
	if (idx >= 0) {
		*out = idx;
		return;
	}
	sug = ros_suggest(s, names, -1);
	if (sug != NULL)
		conf_node_error(ctx, v, "invalid %s \"%s\"%s (did you mean "
		    "\"%s\"?)", key, s, where, sug);
	else
		conf_node_error(ctx, v, "invalid %s \"%s\"%s (expected %s)", key,
		    s, where, expected);
}

static void
conf_log(struct conf_ctx *ctx, yaml_node_t *n)
{
	static const char *const keys[] = { "level", "target", NULL };
	const char *where = " in log";
	struct config *c = ctx->conf;
	yaml_node_pair_t *p;
	yaml_node_t *v;
	uint32_t seen = 0;
	int val;

	if (conf_is_null(n))
		return;
	if (n->type == YAML_SCALAR_NODE) {
		/* `log: syslog` (SPEC section 3) names the target. */
		val = c->log_target;
		conf_log_value(ctx, n, "log", conf_targets, "stderr or syslog, "
		    "or a mapping with level and target", &val, "");
		c->log_target = val;
		return;
	}
	if (n->type != YAML_MAPPING_NODE) {
		conf_node_error(ctx, n, "\"log\" must be a mapping or a target");
		return;
	}
	CONF_FOREACH_PAIR(p, n) {
		switch (conf_key(ctx, p, keys, where, &seen, &v)) {
		case 0:
			val = c->log_level;
			conf_log_value(ctx, v, "level", conf_levels,
			    "error, warning, info or debug", &val, where);
			c->log_level = val;
			break;
		case 1:
			val = c->log_target;
			conf_log_value(ctx, v, "target", conf_targets,
			    "stderr or syslog", &val, where);
			c->log_target = val;
			break;
		default:
			break;
		}
	}
}

/* --- dns: SPEC section 10 ------------------------------------------------- */

static const char *const conf_dns_types[] = {
	[CONF_DNS_A] = "A", [CONF_DNS_AAAA] = "AAAA",
	[CONF_DNS_CNAME] = "CNAME", [CONF_DNS_TXT] = "TXT",
	[CONF_DNS_MX] = "MX", [CONF_DNS_NS] = "NS", [CONF_DNS_SRV] = "SRV",
	[CONF_DNS_FWD] = "FWD", [CONF_DNS_NXDOMAIN] = "NXDOMAIN", NULL
};

/* yes/no as RouterOS and YAML write them, into *@out. */
static int
conf_bool(struct conf_ctx *ctx, const yaml_node_t *v, const char *key,
    const char *where, bool *out)
{
	int b = conf_yesno_node(ctx, v, key, where);

	if (b < 0)
		return -1;
	*out = b == 1;
	return 0;
}

int
conf_parse_msec(const char *s, uint32_t *msec)
{
	uint32_t sec, us;
	size_t n;

	if (s == NULL)
		return -1;
	n = strlen(s);
	if (n > 2 && strcmp(s + n - 2, "ms") == 0) {
		if (conf_parse_usec(s, &us) < 0)
			return -1;
		*msec = us / 1000;
		return 0;
	}
	if (conf_parse_duration(s, &sec) < 0 || sec > 86400)
		return -1;
	*msec = sec * 1000;
	return 0;
}

/* A host name as DNS allows it: labels of 1-63 bytes, 253 in all. */
static bool
conf_dns_name_ok(const char *s)
{
	size_t len = strlen(s), lab = 0, i;

	if (len == 0 || len > 253)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '.') {
			if (lab == 0 && !(i == len - 1 && len == 1))
				return false;
			lab = 0;
			continue;
		}
		if (ch <= ' ' || ch >= 0x7f || ch == '\\' || ch == '"' ||
		    ++lab > 63)
			return false;
	}
	return true;
}

static char *
conf_dns_name(const char *s)
{
	char *d = xstrdup(s);
	size_t i, n = strlen(d);

	if (n > 1 && d[n - 1] == '.')
		d[n - 1] = '\0';
	for (i = 0; d[i] != '\0'; i++)
		if (d[i] >= 'A' && d[i] <= 'Z')
			d[i] = (char)(d[i] - 'A' + 'a');
	return d;
}

static int
conf_dns_addr4(struct conf_ctx *ctx, const yaml_node_t *v, const char *key,
    const char *where, uint32_t *out)
{
	const char *s = conf_str(ctx, v, key, where);
	uint32_t a;

	if (s == NULL)
		return -1;
	if (ros_parse_addr(s, strlen(s), &a) < 0) {
		conf_node_error(ctx, v, "invalid %s \"%s\"%s (expected an IPv4 "
		    "address)", key, s, where);
		return -1;
	}
	*out = htonl(a);
	return 0;
}

enum {
	DS_NAME, DS_REGEXP, DS_TYPE, DS_ADDRESS, DS_CNAME, DS_TEXT,
	DS_MX_EXCHANGE, DS_MX_PREFERENCE, DS_NS, DS_SRV_TARGET, DS_SRV_PORT,
	DS_SRV_PRIORITY, DS_SRV_WEIGHT, DS_FORWARD_TO, DS_TTL,
	DS_MATCH_SUBDOMAIN, DS_DISABLED, DS_COMMENT, DS_COUNT
};

static const char *const conf_dns_static_keys[] = {
	"name", "regexp", "type", "address", "cname", "text",
	"mx-exchange", "mx-preference", "ns", "srv-target", "srv-port",
	"srv-priority", "srv-weight", "forward-to", "ttl",
	"match-subdomain", "disabled", "comment", NULL
};

/*
 * One value of a dns static entry, from YAML or from a RouterOS export
 * (`/ip dns static add ...`): both are checked by the same code.
 */
struct conf_val {
	const char *s;		/* NULL: not given */
	int line, col;
};

static void conf_val_error(struct conf_ctx *ctx, const struct conf_val *v,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
conf_val_error(struct conf_ctx *ctx, const struct conf_val *v,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_verror(ctx, v->line, v->col, fmt, ap);
	va_end(ap);
}

static int
conf_val_bool(struct conf_ctx *ctx, const struct conf_val *v,
    const char *key, const char *where, bool *out)
{
	static const char *const t[] = { "yes", "true", "on", "Yes", "True",
		"YES", "TRUE", NULL };
	static const char *const f[] = { "no", "false", "off", "No", "False",
		"NO", "FALSE", NULL };

	if (ros_lookup(t, v->s) >= 0)
		*out = true;
	else if (ros_lookup(f, v->s) >= 0)
		*out = false;
	else {
		conf_val_error(ctx, v, "invalid %s \"%s\"%s (expected yes or "
		    "no)", key, v->s, where);
		return -1;
	}
	return 0;
}

static int
conf_val_uint(struct conf_ctx *ctx, const struct conf_val *v,
    const char *key, const char *where, unsigned long max, uint16_t *out)
{
	unsigned long long n;

	if (conf_decimal(v->s, &n) < 0) {
		conf_val_error(ctx, v, "invalid %s \"%s\"%s (expected an "
		    "integer 0..%lu)", key, v->s, where, max);
		return -1;
	}
	if (n > max) {
		conf_val_error(ctx, v, "%s %s out of range%s (expected 0..%lu)",
		    key, v->s, where, max);
		return -1;
	}
	*out = (uint16_t)n;
	return 0;
}

static int
conf_val_addr4(struct conf_ctx *ctx, const struct conf_val *v,
    const char *key, const char *where, uint32_t *out)
{
	uint32_t a;

	if (ros_parse_addr(v->s, strlen(v->s), &a) < 0) {
		conf_val_error(ctx, v, "invalid %s \"%s\"%s (expected an IPv4 "
		    "address)", key, v->s, where);
		return -1;
	}
	*out = htonl(a);
	return 0;
}

/* "1d", "2h4m", and RouterOS's "1d00:05:00" / "00:05:00" */
static int
conf_dns_ttl(const char *s, uint32_t *out)
{
	unsigned int d = 0, h, m, sec;
	char tail;

	if (conf_parse_duration(s, out) == 0)
		return 0;
	if (sscanf(s, "%ud%u:%u:%u%c", &d, &h, &m, &sec, &tail) != 4 &&
	    (d = 0, sscanf(s, "%u:%u:%u%c", &h, &m, &sec, &tail) != 3))
		return -1;
	if (d > 3650 || h > 23 || m > 59 || sec > 59)
		return -1;
	*out = d * 86400 + h * 3600 + m * 60 + sec;
	return 0;
}

/*
 * Check one static entry's values and add it. @desc names it in
 * messages ("dns static entry 3", "/ip dns static entry"); @line/@col
 * is where it starts.
 */
static void
conf_dns_static_vals(struct conf_ctx *ctx, const struct conf_val *vals,
    int line, int col, const char *desc)
{
	const char *const *keys = conf_dns_static_keys;
	struct conf_dns *d = &ctx->conf->dns;
	struct conf_val item = { NULL, line, col };
	struct conf_dns_static e;
	char where[80];
	const char *s;
	bool ok = true, disabled = false;
	int k, type = -1;

	snprintf(where, sizeof(where), " in %s", desc);
	memset(&e, 0, sizeof(e));
	e.ttl = 86400;
	e.loc.line = line;
	e.loc.col = col;
	if (vals[DS_DISABLED].s != NULL && conf_val_bool(ctx,
	    &vals[DS_DISABLED], "disabled", where, &disabled) < 0)
		ok = false;
	if ((vals[DS_NAME].s == NULL) == (vals[DS_REGEXP].s == NULL)) {
		conf_val_error(ctx, &item, "%s needs exactly one of name and "
		    "regexp", desc);
		ok = false;
	}
	if ((s = vals[DS_NAME].s) != NULL) {
		if (!conf_dns_name_ok(s)) {
			conf_val_error(ctx, &vals[DS_NAME], "invalid name "
			    "\"%s\"%s (expected a domain name)", s, where);
			ok = false;
		} else
			e.name = conf_dns_name(s);
	}
	if ((s = vals[DS_REGEXP].s) != NULL) {
		regex_t *re = xcalloc(1, sizeof(*re));
		char msg[128];
		int rc = regcomp(re, s, REG_EXTENDED | REG_ICASE | REG_NOSUB);

		if (rc != 0) {
			regerror(rc, re, msg, sizeof(msg));
			conf_val_error(ctx, &vals[DS_REGEXP], "invalid regexp "
			    "\"%s\"%s (%s)", s, where, msg);
			free(re);
			ok = false;
		} else {
			e.re = re;
			e.regexp = xstrdup(s);
		}
	}
	if ((s = vals[DS_TYPE].s) != NULL) {
		char up[16];
		size_t i;

		for (i = 0; s[i] != '\0' && i < sizeof(up) - 1; i++)
			up[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ?
			    s[i] - 'a' + 'A' : s[i]);
		up[i] = '\0';
		type = s[i] == '\0' ? ros_lookup(conf_dns_types, up) : -1;
		if (type < 0) {
			const char *sug = ros_suggest(up, conf_dns_types, -1);

			conf_val_error(ctx, &vals[DS_TYPE], "unknown type \"%s\"%s "
			    "(%s%s%sexpected A, AAAA, CNAME, TXT, MX, NS, SRV, "
			    "FWD or NXDOMAIN)", s, where,
			    sug ? "did you mean \"" : "", sug ? sug : "",
			    sug ? "\"? " : "");
			ok = false;
		}
	}
	if ((s = vals[DS_ADDRESS].s) != NULL) {
		if (inet_pton(AF_INET, s, e.addr) == 1) {
			if (type < 0)
				type = CONF_DNS_A;
		} else if (inet_pton(AF_INET6, s, e.addr) == 1) {
			if (type < 0)
				type = CONF_DNS_AAAA;
		} else {
			conf_val_error(ctx, &vals[DS_ADDRESS], "invalid address "
			    "\"%s\"%s (expected an IPv4 or IPv6 address)", s,
			    where);
			ok = false;
		}
	}
	if (type < 0) {
		if (vals[DS_CNAME].s != NULL)
			type = CONF_DNS_CNAME;
		else if (vals[DS_FORWARD_TO].s != NULL)
			type = CONF_DNS_FWD;
		else if (vals[DS_TEXT].s != NULL)
			type = CONF_DNS_TXT;
		else if (vals[DS_MX_EXCHANGE].s != NULL)
			type = CONF_DNS_MX;
		else if (vals[DS_NS].s != NULL)
			type = CONF_DNS_NS;
		else if (vals[DS_SRV_TARGET].s != NULL)
			type = CONF_DNS_SRV;
		else if (ok) {
			conf_val_error(ctx, &item, "%s has no data (expected "
			    "address, cname, text, mx-exchange, ns, srv-target, "
			    "forward-to or type: NXDOMAIN)", desc);
			ok = false;
		}
	}
	if (type >= 0) {
		static const int need[CONF_DNS_TYPE_COUNT] = {
			[CONF_DNS_A] = DS_ADDRESS, [CONF_DNS_AAAA] = DS_ADDRESS,
			[CONF_DNS_CNAME] = DS_CNAME, [CONF_DNS_TXT] = DS_TEXT,
			[CONF_DNS_MX] = DS_MX_EXCHANGE, [CONF_DNS_NS] = DS_NS,
			[CONF_DNS_SRV] = DS_SRV_TARGET,
			[CONF_DNS_FWD] = DS_FORWARD_TO,
			[CONF_DNS_NXDOMAIN] = -1,
		};
		static const int own[DS_COUNT] = {
			[DS_ADDRESS] = 1 << CONF_DNS_A | 1 << CONF_DNS_AAAA,
			[DS_CNAME] = 1 << CONF_DNS_CNAME,
			[DS_TEXT] = 1 << CONF_DNS_TXT,
			[DS_MX_EXCHANGE] = 1 << CONF_DNS_MX,
			[DS_MX_PREFERENCE] = 1 << CONF_DNS_MX,
			[DS_NS] = 1 << CONF_DNS_NS,
			[DS_SRV_TARGET] = 1 << CONF_DNS_SRV,
			[DS_SRV_PORT] = 1 << CONF_DNS_SRV,
			[DS_SRV_PRIORITY] = 1 << CONF_DNS_SRV,
			[DS_SRV_WEIGHT] = 1 << CONF_DNS_SRV,
			[DS_FORWARD_TO] = 1 << CONF_DNS_FWD,
		};

		e.type = (enum conf_dns_type)type;
		if (need[type] >= 0 && vals[need[type]].s == NULL) {
			conf_val_error(ctx, &item, "%s of type %s needs %s", desc,
			    conf_dns_types[type], keys[need[type]]);
			ok = false;
		}
		for (k = 0; k < DS_COUNT; k++) {
			if (own[k] == 0 || vals[k].s == NULL ||
			    (own[k] & (1 << type)))
				continue;
			conf_val_error(ctx, &vals[k], "%s does not apply to type "
			    "%s%s", keys[k], conf_dns_types[type], where);
			ok = false;
		}
		if (type == CONF_DNS_A && vals[DS_ADDRESS].s != NULL &&
		    strchr(vals[DS_ADDRESS].s, ':') != NULL) {
			conf_val_error(ctx, &vals[DS_ADDRESS], "type A needs an "
			    "IPv4 address%s", where);
			ok = false;
		}
		if (type == CONF_DNS_AAAA && vals[DS_ADDRESS].s != NULL &&
		    strchr(vals[DS_ADDRESS].s, ':') == NULL) {
			conf_val_error(ctx, &vals[DS_ADDRESS], "type AAAA needs "
			    "an IPv6 address%s", where);
			ok = false;
		}
	}
	for (k = DS_CNAME; k <= DS_SRV_TARGET; k++) {
		if ((s = vals[k].s) == NULL || k == DS_MX_PREFERENCE)
			continue;
		if (k == DS_TEXT) {
			if (strlen(s) > 1024) {
				conf_val_error(ctx, &vals[k], "text longer than "
				    "1024 bytes%s", where);
				ok = false;
			} else
				e.data = xstrdup(s);
		} else if (!conf_dns_name_ok(s)) {
			conf_val_error(ctx, &vals[k], "invalid %s \"%s\"%s "
			    "(expected a domain name)", keys[k], s, where);
			ok = false;
		} else
			e.data = conf_dns_name(s);
	}
	if (vals[DS_MX_PREFERENCE].s != NULL && conf_val_uint(ctx,
	    &vals[DS_MX_PREFERENCE], "mx-preference", where, 65535,
	    &e.mx_preference) < 0)
		ok = false;
	if (vals[DS_SRV_PORT].s != NULL && conf_val_uint(ctx,
	    &vals[DS_SRV_PORT], "srv-port", where, 65535, &e.srv_port) < 0)
		ok = false;
	if (vals[DS_SRV_PRIORITY].s != NULL && conf_val_uint(ctx,
	    &vals[DS_SRV_PRIORITY], "srv-priority", where, 65535,
	    &e.srv_priority) < 0)
		ok = false;
	if (vals[DS_SRV_WEIGHT].s != NULL && conf_val_uint(ctx,
	    &vals[DS_SRV_WEIGHT], "srv-weight", where, 65535,
	    &e.srv_weight) < 0)
		ok = false;
	if (vals[DS_FORWARD_TO].s != NULL && conf_val_addr4(ctx,
	    &vals[DS_FORWARD_TO], "forward-to", where, &e.forward_to) < 0)
		ok = false;
	if (vals[DS_TTL].s != NULL && (conf_dns_ttl(vals[DS_TTL].s,
	    &e.ttl) < 0 || e.ttl > 604800 * 52)) {
		conf_val_error(ctx, &vals[DS_TTL], "invalid ttl \"%s\"%s "
		    "(expected a duration up to 52w, like 5m, 1d or 1d00:00:00)",
		    vals[DS_TTL].s, where);
		ok = false;
	}
	if (vals[DS_MATCH_SUBDOMAIN].s != NULL) {
		if (conf_val_bool(ctx, &vals[DS_MATCH_SUBDOMAIN],
		    "match-subdomain", where, &e.match_subdomain) < 0)
			ok = false;
		else if (e.match_subdomain && vals[DS_REGEXP].s != NULL) {
			conf_val_error(ctx, &vals[DS_MATCH_SUBDOMAIN],
			    "match-subdomain applies to name, not regexp%s",
			    where);
			ok = false;
		}
	}
	if (!ok || disabled) {
		conf_dns_static_free(&e);
		return;
	}
	d->statics = xreallocarray(d->statics, (size_t)d->nstatics + 1,
	    sizeof(*d->statics));
	d->statics[d->nstatics++] = e;
}

/* One item of dns.static, a YAML mapping. */
static void
conf_dns_static(struct conf_ctx *ctx, yaml_node_t *item, int num)
{
	struct conf_val vals[DS_COUNT];
	yaml_node_pair_t *p;
	yaml_node_t *v;
	uint32_t seen = 0;
	char desc[48], where[64];
	bool ok = true;
	int k;

	snprintf(desc, sizeof(desc), "dns static entry %d", num + 1);
	snprintf(where, sizeof(where), " in %s", desc);
	memset(vals, 0, sizeof(vals));
	if (item->type != YAML_MAPPING_NODE) {
		conf_node_error(ctx, item, "%s must be a mapping (name, "
		    "address, ...)", desc);
		return;
	}
	CONF_FOREACH_PAIR(p, item) {
		k = conf_key(ctx, p, conf_dns_static_keys, where, &seen, &v);
		if (k < 0) {
			ok = false;
			continue;
		}
		if ((vals[k].s = conf_str(ctx, v, conf_dns_static_keys[k],
		    where)) == NULL)
			ok = false;
		vals[k].line = (int)v->start_mark.line + 1;
		vals[k].col = (int)v->start_mark.column + 1;
	}
	if (!ok)
		return;
	conf_dns_static_vals(ctx, vals, (int)item->start_mark.line + 1,
	    (int)item->start_mark.column + 1, desc);
}

/* "2048KiB", "2MiB", "4096" (KiB, as RouterOS cache-size): bytes. */
static int
conf_dns_size(const char *s, uint32_t *bytes)
{
	static const struct {
		const char *unit;
		uint64_t mult;
	} units[] = {
		{ "", 1024 }, { "KiB", 1024 }, { "k", 1024 }, { "K", 1024 },
		{ "MiB", 1048576 }, { "M", 1048576 }, { "B", 1 },
	};
	unsigned long long n = 0;
	size_t i, nd = 0;

	while (s[nd] >= '0' && s[nd] <= '9' && nd < 10) {
		n = n * 10 + (unsigned long long)(s[nd] - '0');
		nd++;
	}
	if (nd == 0)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(s + nd, units[i].unit) == 0) {
			n *= units[i].mult;
			if (n > (1ull << 30))
				return -1;
			*bytes = (uint32_t)n;
			return 0;
		}
	}
	return -1;
}

static void
conf_dns_ms(struct conf_ctx *ctx, const yaml_node_t *v, const char *key,
    const char *where, uint32_t *out)
{
	const char *s = conf_str(ctx, v, key, where);
	uint32_t ms;

	if (s == NULL)
		return;
	if (conf_parse_msec(s, &ms) < 0 || ms < 10 || ms > 600000)
		conf_node_error(ctx, v, "invalid %s \"%s\"%s (expected a time "
		    "from 10ms to 10m, like 500ms or 2s)", key, s, where);
	else
		*out = ms;
}

static void
conf_dns(struct conf_ctx *ctx, yaml_node_t *n)
{
	static const char *const keys[] = {
		"servers", "allow-remote-requests", "interfaces", "static",
		"split-horizon", "cache-size", "cache-max-ttl",
		"max-concurrent-queries", "max-concurrent-tcp-sessions",
		"query-server-timeout", "query-total-timeout", NULL
	};
	static const char *const sh[] = { "auto", "off", NULL };
	const char *where = " in dns", *s;
	struct conf_dns *d = &ctx->conf->dns;
	yaml_node_item_t *it;
	yaml_node_pair_t *p;
	yaml_node_t *v, *x;
	uint32_t seen = 0;
	int i, k;

	d->configured = true;
	d->loc.line = (int)n->start_mark.line + 1;
	d->loc.col = (int)n->start_mark.column + 1;
	if (!conf_section(ctx, n, "dns", ""))
		return;
	CONF_FOREACH_PAIR(p, n) {
		k = conf_key(ctx, p, keys, where, &seen, &v);
		switch (k) {
		case 0:
		case 2:
		case 3:
			if (conf_is_null(v))
				break;
			if (v->type != YAML_SEQUENCE_NODE) {
				conf_node_error(ctx, v, "\"%s\" must be a list%s",
				    keys[k], where);
				break;
			}
			if (k == 2)
				d->ifaces_set = true;
			i = 0;
			for (it = v->data.sequence.items.start;
			    it < v->data.sequence.items.top; it++, i++) {
				x = conf_node(ctx, *it);
				if (k == 3) {
					conf_dns_static(ctx, x, i);
					continue;
				}
				if (k == 0) {
					uint32_t a;

					if (conf_dns_addr4(ctx, x, "server",
					    where, &a) < 0)
						continue;
					if (d->nservers == CONF_DNS_MAX_SERVERS)
						conf_node_error(ctx, x, "more "
						    "than %d servers%s",
						    CONF_DNS_MAX_SERVERS, where);
					else
						d->servers[d->nservers++] = a;
					continue;
				}
				if ((s = conf_str(ctx, x, "interface",
				    where)) == NULL)
					continue;
				if (conf_iface_find(ctx->conf, s) < 0)
					conf_unknown_iface(ctx, x, s, where);
				else
					d->ifaces[conf_iface_find(ctx->conf,
					    s)] = true;
			}
			break;
		case 1:
			conf_bool(ctx, v, "allow-remote-requests", where,
			    &d->allow_remote);
			break;
		case 4:
			if ((s = conf_str(ctx, v, "split-horizon", where)) ==
			    NULL)
				break;
			if (ros_lookup(sh, s) < 0)
				conf_node_error(ctx, v, "invalid split-horizon "
				    "\"%s\"%s (expected auto or off)", s, where);
			else
				d->split_horizon = strcmp(s, "auto") == 0;
			break;
		case 5:
			if ((s = conf_str(ctx, v, "cache-size", where)) == NULL)
				break;
			if (conf_dns_size(s, &d->cache_size) < 0)
				conf_node_error(ctx, v, "invalid cache-size "
				    "\"%s\"%s (expected a size up to 1GiB like "
				    "2048KiB or 4MiB)", s, where);
			break;
		case 6:
			conf_dur(ctx, v, "cache-max-ttl", where, 604800 * 52,
			    "52w", &d->cache_max_ttl);
			break;
		case 7:
			conf_uint(ctx, v, "max-concurrent-queries", where, 1,
			    10000, &d->max_queries);
			break;
		case 8:
			conf_uint(ctx, v, "max-concurrent-tcp-sessions", where,
			    1, 1000, &d->max_tcp);
			break;
		case 9:
			conf_dns_ms(ctx, v, "query-server-timeout", where,
			    &d->server_timeout_ms);
			break;
		case 10:
			conf_dns_ms(ctx, v, "query-total-timeout", where,
			    &d->total_timeout_ms);
			break;
		default:
			break;
		}
	}
}

void
conf_dns_static_free(struct conf_dns_static *e)
{
	if (e->re != NULL) {
		regfree(e->re);
		free(e->re);
	}
	free(e->name);
	free(e->regexp);
	free(e->data);
	memset(e, 0, sizeof(*e));
}

/* A YAML mapping rule: its pairs become the builder's words. */
static void
conf_rule_mapping(struct conf_ctx *ctx, struct ros_builder *b,
    yaml_node_t *item, const char *tn, int num)
{
	int n = (int)(item->data.mapping.pairs.top -
	    item->data.mapping.pairs.start), k = 0, i;
	struct ros_item *items = xcalloc(n > 0 ? n : 1, sizeof(*items));
	struct ros_pos pos = { (int)item->start_mark.line + 1,
	    (int)item->start_mark.column + 1, 0 };
	bool bad = false;

	for (i = 0; i < n; i++) {
		yaml_node_pair_t *p = &item->data.mapping.pairs.start[i];
		yaml_node_t *kn = conf_node(ctx, p->key);
		yaml_node_t *vn = conf_node(ctx, p->value);

		if (kn->type != YAML_SCALAR_NODE) {
			conf_node_error(ctx, kn, "keys must be plain names in "
			    "%s rule %d", tn, num);
			bad = true;
			continue;
		}
		if (vn->type != YAML_SCALAR_NODE) {
			conf_node_error(ctx, vn, "\"%s\" must be a scalar in %s "
			    "rule %d", conf_sval(kn), tn, num);
			bad = true;
			continue;
		}
		items[k].key = conf_sval(kn);
		items[k].val = conf_is_null(vn) ? "" : conf_sval(vn);
		items[k].kpos.line = (int)kn->start_mark.line + 1;
		items[k].kpos.col = (int)kn->start_mark.column + 1;
		items[k].vpos.line = (int)vn->start_mark.line + 1;
		items[k].vpos.col = (int)vn->start_mark.column + 1;
		k++;
	}
	if (bad)
		ros_builder_add_invalid(b, pos);
	else
		ros_builder_add(b, items, k, pos);
	free(items);
}

/* One table's YAML: a list of rules or a block string of its section. */
static void
conf_rule_list(struct conf_ctx *ctx, struct ros_builder *b, yaml_node_t *n,
    enum ros_table t)
{
	const char *tn = ros_table_names[t];
	struct conf_scalar_ref ref = { ctx, NULL, NULL, 0, 0, 0, 0 };
	int num = 0;

	if (n == NULL || conf_is_null(n)) {
		/* no rules: builtin chains only */
	} else if (n->type == YAML_SCALAR_NODE) {
		ref.node = n;
		ros_builder_add_export(b, conf_sval(n), conf_scalar_pos, &ref);
	} else if (n->type == YAML_SEQUENCE_NODE) {
		yaml_node_item_t *it;

		for (it = n->data.sequence.items.start;
		    it < n->data.sequence.items.top; it++) {
			yaml_node_t *item = conf_node(ctx, *it);
			struct ros_pos pos = { (int)item->start_mark.line + 1,
			    (int)item->start_mark.column + 1, 0 };

			num++;
			if (item->type == YAML_SCALAR_NODE) {
				ref.node = item;
				ros_builder_add_text(b, conf_sval(item),
				    conf_scalar_pos, &ref);
			} else if (item->type == YAML_MAPPING_NODE) {
				conf_rule_mapping(ctx, b, item, tn, num);
			} else {
				conf_node_error(ctx, item, "%s rule %d must be "
				    "a string or a mapping", tn, num);
				ros_builder_add_invalid(b, pos);
			}
		}
	} else {
		conf_node_error(ctx, n, "\"%s\" must be a sequence of rules or "
		    "a RouterOS export", tn);
	}
}

/* Only @keys; report the others (did you mean ...). */
static bool
conf_cmd_keys(struct conf_ctx *ctx, const struct ros_cmd *c,
    const char *const *keys, const char *what)
{
	return ros_cmd_keys(c, keys, what, conf_ros_error_cb, ctx);
}

static bool
conf_cmd_disabled(const struct ros_cmd *c)
{
	const struct ros_item *d = ros_cmd_item(c, "disabled");

	return d != NULL && strcmp(d->val, "yes") == 0;
}

/* /ip address add address=A/N interface=NAME */
static void
conf_ros_address(void *arg, const struct ros_cmd *c)
{
	static const char *const keys[] = { "address", "interface",
	    "network", "netmask", "broadcast", "comment", "disabled", NULL };
	struct conf_ctx *ctx = arg;
	const struct ros_item *a, *i;
	char where[64];
	int idx;

	if (!conf_cmd_keys(ctx, c, keys, "/ip address") ||
	    conf_cmd_disabled(c))
		return;
	a = ros_cmd_item(c, "address");
	i = ros_cmd_item(c, "interface");
	if (a == NULL || i == NULL) {
		conf_error(ctx, c->pos.line, c->pos.col, "/ip address needs "
		    "address and interface");
		return;
	}
	idx = conf_iface_find(ctx->conf, i->val);
	if (idx < 0) {
		char **names = conf_ifnames(ctx->conf);
		const char *sug = ros_suggest(i->val,
		    (const char *const *)names, ctx->conf->nifaces);

		conf_error(ctx, i->vpos.line, i->vpos.col, "unknown interface "
		    "\"%s\" in /ip address%s%s%s (declare it under "
		    "interfaces:)", i->val, sug != NULL ? " (did you mean \"" :
		    "", sug != NULL ? sug : "", sug != NULL ? "\"?)" : "");
		free(names);
		return;
	}
	snprintf(where, sizeof(where), " in /ip address");
	conf_addr_add(ctx, &ctx->conf->ifaces[idx], a->val, a->vpos.line,
	    a->vpos.col, where);
}

/*
 * /ip dns set ...: what dns: says (SPEC section 10). Properties that
 * cannot change what is answered (DoH tuning, mDNS, the UDP size RouterOS
 * offers) are accepted; a DoH server or another VRF is an error.
 */
static void
conf_ros_dns(void *arg, const struct ros_cmd *c)
{
	static const char *const keys[] = { "servers", "allow-remote-requests",
	    "cache-size", "cache-max-ttl", "max-concurrent-queries",
	    "max-concurrent-tcp-sessions", "query-server-timeout",
	    "query-total-timeout", "max-udp-packet-size", "use-doh-server",
	    "verify-doh-cert", "doh-max-server-connections",
	    "doh-max-concurrent-queries", "doh-timeout",
	    "address-list-extra-time", "vrf", "mdns-repeat-ifaces", NULL };
	struct conf_ctx *ctx = arg;
	struct conf_dns *d = &ctx->conf->dns;
	const char *where = " in /ip dns";
	unsigned long long n;
	int i;

	if (strcmp(c->verb, "set") != 0) {
		conf_error(ctx, c->pos.line, c->pos.col, "unsupported command "
		    "\"%s\" in /ip dns (expected set)", c->verb[0] != '\0' ?
		    c->verb : c->bare != NULL ? c->bare : "");
		return;
	}
	if (!conf_cmd_keys(ctx, c, keys, "/ip dns"))
		return;
	d->configured = true;
	if (d->loc.line == 0) {
		d->loc.line = c->pos.line;
		d->loc.col = c->pos.col;
	}
	for (i = 0; i < c->nitems; i++) {
		const struct ros_item *it = &c->items[i];
		struct conf_val v = { it->val, it->vpos.line, it->vpos.col };
		const char *k = it->key;

		if (strcmp(k, "servers") == 0) {
			char *dup = xstrdup(it->val), *save = NULL, *w;

			d->nservers = 0;
			for (w = strtok_r(dup, ",", &save); w != NULL;
			    w = strtok_r(NULL, ",", &save)) {
				struct conf_val sv = { w, v.line,
				    v.col + (int)(w - dup) };
				uint32_t a;

				if (conf_val_addr4(ctx, &sv, "server", where,
				    &a) < 0)
					break;
				if (d->nservers == CONF_DNS_MAX_SERVERS) {
					conf_val_error(ctx, &v, "more than %d "
					    "servers%s", CONF_DNS_MAX_SERVERS,
					    where);
					break;
				}
				d->servers[d->nservers++] = a;
			}
			free(dup);
		} else if (strcmp(k, "allow-remote-requests") == 0) {
			conf_val_bool(ctx, &v, k, where, &d->allow_remote);
		} else if (strcmp(k, "cache-size") == 0) {
			if (conf_dns_size(it->val, &d->cache_size) < 0)
				conf_val_error(ctx, &v, "invalid cache-size "
				    "\"%s\"%s (expected a size up to 1GiB like "
				    "2048KiB)", it->val, where);
		} else if (strcmp(k, "cache-max-ttl") == 0) {
			if (conf_dns_ttl(it->val, &d->cache_max_ttl) < 0 ||
			    d->cache_max_ttl == 0)
				conf_val_error(ctx, &v, "invalid cache-max-ttl "
				    "\"%s\"%s (expected a duration like 1w)",
				    it->val, where);
		} else if (strcmp(k, "max-concurrent-queries") == 0 ||
		    strcmp(k, "max-concurrent-tcp-sessions") == 0) {
			bool q = k[15] == 'q';
			unsigned long max = q ? 10000 : 1000;

			if (conf_decimal(it->val, &n) < 0 || n < 1 || n > max)
				conf_val_error(ctx, &v, "invalid %s \"%s\"%s "
				    "(expected an integer 1..%lu)", k, it->val,
				    where, max);
			else if (q)
				d->max_queries = (uint32_t)n;
			else
				d->max_tcp = (uint32_t)n;
		} else if (strcmp(k, "query-server-timeout") == 0 ||
		    strcmp(k, "query-total-timeout") == 0) {
			uint32_t ms;

			if (conf_parse_msec(it->val, &ms) < 0 || ms < 10 ||
			    ms > 600000)
				conf_val_error(ctx, &v, "invalid %s \"%s\"%s "
				    "(expected a time from 10ms to 10m, like "
				    "500ms or 2s)", k, it->val, where);
			else if (k[6] == 's')
				d->server_timeout_ms = ms;
			else
				d->total_timeout_ms = ms;
		} else if ((strcmp(k, "use-doh-server") == 0 &&
		    it->val[0] != '\0') || (strcmp(k, "vrf") == 0 &&
		    strcmp(it->val, "main") != 0)) {
			conf_error(ctx, it->kpos.line, it->kpos.col, "%s=%s in "
			    "/ip dns is not supported (hairpind forwards over "
			    "plain DNS, in the main table)", k, it->val);
		}
	}
}

/* /ip dns static add ...: one entry, checked as dns.static's are. */
static void
conf_ros_dns_static(void *arg, const struct ros_cmd *c)
{
	struct conf_ctx *ctx = arg;
	struct conf_val vals[DS_COUNT];
	int i, k;

	if (!conf_cmd_keys(ctx, c, conf_dns_static_keys, "/ip dns static"))
		return;
	memset(vals, 0, sizeof(vals));
	for (i = 0; i < c->nitems; i++) {
		k = ros_lookup(conf_dns_static_keys, c->items[i].key);
		vals[k].s = c->items[i].val;
		vals[k].line = c->items[i].vpos.line;
		vals[k].col = c->items[i].vpos.col;
	}
	ctx->conf->dns.configured = true;
	conf_dns_static_vals(ctx, vals, c->pos.line, c->pos.col,
	    "/ip dns static entry");
}

/*
 * /ip route add dst-address=... gateway=... [distance=N]: static routes
 * of the main table. Of several routes to one destination the lowest
 * distance wins, as RouterOS makes it active.
 */
/*
 * /ip firewall service-port: `set ftp ports=21,2121`, `set sip
 * disabled=yes`. RouterOS's helpers that hairpind does not have (irc,
 * h323, rtsp, udplite, dccp, sctp) may be switched off, which changes
 * nothing here; switching one on is an error.
 */
static void
conf_ros_service_port(void *arg, const struct ros_cmd *c)
{
	static const char *const keys[] = { "ports", "disabled", "name",
	    "sip-direct-media", "sip-timeout", "comment", NULL };
	static const char *const absent[] = { "irc", "h323", "rtsp", NULL };
	/* not helpers: whether conntrack follows these protocols' ports */
	static const char *const tracked[] = { "udplite", "dccp", "sctp",
	    NULL };
	struct conf_ctx *ctx = arg;
	const struct ros_item *it, *pi, *di;
	const char *name = c->bare;
	struct ros_pos pos = c->bare != NULL ? c->bare_pos : c->pos;
	char err[160];
	int dis = -1;

	if (strcmp(c->verb, "set") != 0) {
		conf_error(ctx, c->pos.line, c->pos.col, "only set lines are "
		    "understood in /ip firewall service-port");
		return;
	}
	if (!conf_cmd_keys(ctx, c, keys, "/ip firewall service-port"))
		return;
	if ((it = ros_cmd_item(c, "name")) != NULL) {
		name = it->val;
		pos = it->vpos;
	}
	if (name == NULL) {
		conf_error(ctx, c->pos.line, c->pos.col, "/ip firewall "
		    "service-port set needs a name (ftp, tftp, pptp, sip)");
		return;
	}
	pi = ros_cmd_item(c, "ports");
	if ((di = ros_cmd_item(c, "disabled")) != NULL &&
	    (dis = conf_yesno(di->val)) < 0) {
		conf_error(ctx, di->vpos.line, di->vpos.col, "invalid disabled "
		    "\"%s\" in /ip firewall service-port (expected yes or no)",
		    di->val);
		return;
	}
	if (ros_lookup(tracked, name) >= 0) {
		if (dis == 1)
			conf_error(ctx, pos.line, pos.col, "service-port %s: "
			    "hairpind always tracks %s by its ports (only "
			    "disabled=no is accepted)", name, name);
		return;
	}
	if (ros_lookup(absent, name) >= 0) {
		if (dis != 1)
			conf_error(ctx, pos.line, pos.col, "service-port %s: "
			    "hairpind has no %s helper (only disabled=yes is "
			    "accepted)", name, name);
		return;
	}
	if (conf_service_port_set(ctx->conf, name, pi != NULL ? pi->val : NULL,
	    dis, err, sizeof(err)) == -1)
		conf_error(ctx, pos.line, pos.col, "%s in /ip firewall "
		    "service-port", err);
}

static void
conf_ros_route(void *arg, const struct ros_cmd *c)
{
	static const char *const keys[] = { "dst-address", "gateway",
	    "distance", "comment", "disabled", "routing-table", "scope",
	    "target-scope", "suppress-hw-offload", "pref-src", "type",
	    "check-gateway", "routing-mark", "blackhole", "vrf-interface",
	    NULL };
	struct conf_ctx *ctx = arg;
	struct config *conf = ctx->conf;
	const struct ros_item *it;
	struct conf_route rt;
	char buf[INET_ADDRSTRLEN];
	unsigned long long d;
	uint32_t a;
	uint8_t plen;
	int i;

	if (!conf_cmd_keys(ctx, c, keys, "/ip route") || conf_cmd_disabled(c))
		return;
	memset(&rt, 0, sizeof(rt));
	rt.iface = -1;
	rt.distance = 1;
	rt.loc.line = c->pos.line;
	rt.loc.col = c->pos.col;
	for (i = 0; i < c->nitems; i++) {
		const struct ros_item *x = &c->items[i];
		const char *k = x->key;

		if (strcmp(k, "routing-table") == 0 ||
		    strcmp(k, "routing-mark") == 0) {
			/* v7 routing-table, v6 routing-mark: the same tables */
			if (strcmp(x->val, "main") == 0)
				continue;
			rt.table = names_intern(NAMES_MARK, x->val);
			if (rt.table == 0 || x->val[0] == '\0') {
				conf_error(ctx, x->vpos.line, x->vpos.col,
				    "invalid %s \"%s\" in /ip route", k, x->val);
				return;
			}
			continue;
		}
		if (strcmp(k, "check-gateway") == 0) {
			if (strcmp(x->val, "ping") != 0) {
				conf_error(ctx, x->vpos.line, x->vpos.col,
				    "check-gateway=%s in /ip route is not "
				    "supported (expected ping)", x->val);
				return;
			}
			rt.check_gateway = true;
			continue;
		}
		if (strcmp(k, "type") == 0 || strcmp(k, "blackhole") == 0) {
			/* v6 type=, v7's blackhole=yes as a key */
			static const char *const types[] = { "unicast",
			    "blackhole", "unreachable", "prohibit", NULL };
			int ty = strcmp(k, "blackhole") == 0 ?
			    (conf_yesno(x->val) == 1 ? 1 : 0) :
			    ros_lookup(types, x->val);

			if (ty < 0) {
				conf_error(ctx, x->vpos.line, x->vpos.col,
				    "invalid type \"%s\" in /ip route (expected "
				    "unicast, blackhole, unreachable or "
				    "prohibit)", x->val);
				return;
			}
			rt.kind = ty == 0 ? 0 : ROUTE_BLACKHOLE + ty - 1;
			continue;
		}
		if (strcmp(k, "vrf-interface") == 0) {
			conf_error(ctx, x->kpos.line, x->kpos.col, "%s=%s in /ip "
			    "route is not supported: hairpind has no VRFs", k,
			    x->val);
			return;
		}
	}
	/* v7 writes a blackhole route as a bare word */
	if (c->bare != NULL && strcmp(c->bare, "blackhole") == 0)
		rt.kind = ROUTE_BLACKHOLE;
	it = ros_cmd_item(c, "dst-address");
	if (it == NULL)
		it = NULL;	/* RouterOS: 0.0.0.0/0 */
	else if (conf_parse_prefix(it->val, &a, &plen) < 0 ||
	    (ntohl(a) & ~conf_mask(plen)) != 0) {
		conf_error(ctx, it->vpos.line, it->vpos.col, "invalid "
		    "dst-address \"%s\" in /ip route (expected A.B.C.D/N "
		    "without host bits)", it->val);
		return;
	} else {
		rt.dst = a;
		rt.plen = plen;
	}
	if ((it = ros_cmd_item(c, "distance")) != NULL &&
	    (conf_decimal(it->val, &d) < 0 || d < 1 || d > 255)) {
		conf_error(ctx, it->vpos.line, it->vpos.col, "invalid distance "
		    "\"%s\" in /ip route (expected 1-255)", it->val);
		return;
	} else if (it != NULL) {
		rt.distance = (uint8_t)d;
	}
	it = ros_cmd_item(c, "gateway");
	if (it == NULL && rt.kind == 0) {
		conf_error(ctx, c->pos.line, c->pos.col, "/ip route needs a "
		    "gateway");
		return;
	}
	if (it == NULL || rt.kind != 0) {
		rt.iface = -1;	/* a route that sends nowhere */
	} else if (conf_parse_prefix(it->val, &a, &plen) == 0 && plen == 32 &&
	    strchr(it->val, '/') == NULL) {
		rt.gateway = a;
		inet_ntop(AF_INET, &a, buf, sizeof(buf));
		if (conf_addr_owner(conf, a) >= 0) {
			conf_error(ctx, it->vpos.line, it->vpos.col, "gateway %s "
			    "is an address of this router", buf);
			return;
		}
		rt.iface = conf_connected(conf, a, -1);
		if (rt.iface < 0) {
			conf_error(ctx, it->vpos.line, it->vpos.col, "gateway %s "
			    "is not in any connected subnet", buf);
			return;
		}
	} else if ((rt.iface = conf_iface_find(conf, it->val)) < 0) {
		conf_error(ctx, it->vpos.line, it->vpos.col, "invalid gateway "
		    "\"%s\" in /ip route (expected an address or an interface "
		    "name)", it->val);
		return;
	}
	/*
	 * Several routes to one destination in one table: the lowest
	 * distance whose gateway answers is used (route_lookup_table()).
	 */
	for (i = 0; i < conf->nroutes; i++) {
		struct conf_route *o = &conf->routes[i];

		if (o->dst != rt.dst || o->plen != rt.plen ||
		    o->table != rt.table || o->distance != rt.distance)
			continue;
		inet_ntop(AF_INET, &rt.dst, buf, sizeof(buf));
		conf_error(ctx, c->pos.line, c->pos.col, "duplicate route "
		    "%s/%d with distance %d in one table (first at line %d)",
		    buf, rt.plen, rt.distance, o->loc.line);
		return;
	}
	if (conf->nroutes == ctx->nroutes_cap) {
		ctx->nroutes_cap = conf->nroutes + 16;
		conf->routes = xreallocarray(conf->routes, ctx->nroutes_cap,
		    sizeof(*conf->routes));
	}
	conf->routes[conf->nroutes++] = rt;
}

/* Position in the text being read (an export file): line index search. */
static struct ros_pos
conf_text_pos(void *arg, size_t off)
{
	struct conf_ctx *ctx = arg;
	struct ros_pos p;
	int lo = 0, hi = ctx->nlines - 1;

	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;

		if (ctx->lines[mid] <= off)
			lo = mid;
		else
			hi = mid - 1;
	}
	p.line = lo + 1;
	p.col = (int)(off - ctx->lines[lo]) + 1;
	p.file = ctx->file;
	return p;
}

static char *conf_read_file(const char *path, size_t *len, char **err);

/* routeros: { file: PATH } relative to the config file's folder. */
static void
conf_routeros_file(struct conf_ctx *ctx, struct ros_export *x,
    yaml_node_t *n)
{
	yaml_node_pair_t *p;
	yaml_node_t *v, *fnode = NULL;
	uint32_t seen = 0;
	static const char *const keys[] = { "file", NULL };
	const char *name, *slash;
	char *path, *buf, *err;
	size_t len;

	CONF_FOREACH_PAIR(p, n) {
		if (conf_key(ctx, p, keys, " in routeros", &seen, &v) == 0)
			fnode = v;
	}
	if (fnode == NULL) {
		if (seen == 0)
			conf_node_error(ctx, n, "routeros needs \"file\" (or a "
			    "block string holding the export)");
		return;
	}
	if ((name = conf_str(ctx, fnode, "file", " in routeros")) == NULL)
		return;
	slash = strrchr(ctx->name, '/');
	if (name[0] == '/' || slash == NULL)
		path = xstrdup(name);
	else
		xasprintf(&path, "%.*s/%s", (int)(slash - ctx->name), ctx->name,
		    name);
	buf = conf_read_file(path, &len, &err);
	if (buf == NULL) {
		conf_node_error(ctx, fnode, "%s", err);
		free(err);
		free(path);
		return;
	}
	free(ctx->conf->routeros_file);
	ctx->conf->routeros_file = path;
	/* errors and notes now point into the export file */
	ctx->xname = path;
	ctx->xbuf = buf;
	ctx->xlen = len;
	conf_src_swap(ctx);
	conf_index_lines(ctx);
	ros_export_text(x, buf, conf_text_pos, ctx);
	conf_src_swap(ctx);
}

struct conf_env {
	struct config *conf;
	char **names;
};

static int64_t
conf_iflist_cb(void *arg, const char *name)
{
	struct conf_env *e = arg;

	return ros_iflist_lookup(e->conf->iflists, e->conf->niflists,
	    e->names, e->conf->nifaces, name);
}

/*
 * Every rule table, address and interface lists, and the export's
 * addresses and routes: the YAML tables first, then `routeros:`.
 */
static void
conf_tables(struct conf_ctx *ctx, yaml_node_t *const *tables,
    yaml_node_t *ros)
{
	struct config *c = ctx->conf;
	char **names = conf_ifnames(c);
	struct ros_builder *b[ROS_TABLE_COUNT];
	struct ruleset **out[ROS_TABLE_COUNT] = { &c->nat, &c->filter,
	    &c->mangle, &c->raw };
	struct ros_export_ops ops = { conf_ros_error_cb, conf_ros_note_cb,
	    ctx, conf_ros_address, conf_ros_route, conf_ros_service_port,
	    conf_ros_dns, conf_ros_dns_static };
	struct ros_export *x;
	struct conf_env env = { c, names };
	struct match_env menv = { conf_iflist_cb, &env };
	int t, i, skipped = 0, nalist = 0, nifl = 0;

	c->alists = addrlist_set_new();
	for (t = 0; t < ROS_TABLE_COUNT; t++) {
		b[t] = ros_builder_new(t, c->path, names, c->nifaces,
		    conf_ros_error_cb, ctx);
		ros_builder_set_note(b[t], conf_ros_note_cb, ctx);
		conf_rule_list(ctx, b[t], tables[t], t);
	}
	x = ros_export_new(b, c->alists, names, c->nifaces, &ops);
	if (ros != NULL && !conf_is_null(ros)) {
		struct conf_scalar_ref ref = { ctx, ros, NULL, 0, 0, 0, 0 };

		if (ros->type == YAML_SCALAR_NODE)
			ros_export_text(x, conf_sval(ros), conf_scalar_pos,
			    &ref);
		else if (ros->type == YAML_MAPPING_NODE)
			conf_routeros_file(ctx, x, ros);
		else
			conf_node_error(ctx, ros, "\"routeros\" must be a block "
			    "string holding an export, or { file: PATH }");
	}
	ros_export_iflists(x, &c->iflists, &c->niflists);
	ros_export_counts(x, &skipped, &nalist, &nifl);
	ros_export_free(x);
	addrlist_set_finish(c->alists);
	for (t = 0; t < ROS_TABLE_COUNT; t++) {
		*out[t] = ros_builder_finish_env(b[t], &menv);
		if (*out[t] == NULL) {
			/* Errors are reported; an empty set keeps it whole. */
			struct ros_builder *e = ros_builder_new(t, c->path,
			    NULL, 0, NULL, NULL);

			*out[t] = ros_builder_finish(e);
		}
	}
	/* the export file's text: no message can come from it any more */
	free(ctx->xbuf);
	free(ctx->xlines);
	ctx->xbuf = NULL;
	ctx->xlines = NULL;
	ctx->xname = NULL;
	for (i = 0; i < c->nifaces && ctx->routeros; i++)
		if (c->ifaces[i].naddrs == 0)
			conf_error(ctx, ctx->iface_pos[i].line,
			    ctx->iface_pos[i].col, "interface \"%s\" has no "
			    "address (give addresses: or an /ip address line "
			    "in the export)", c->ifaces[i].name);
	if (ros != NULL && !conf_is_null(ros))
		xasprintf(&c->summary, "routeros: filter %d, nat %d, mangle %d, "
		    "raw %d rules; %d interface lists, %d address-list entries; "
		    "%d routes; %d sections skipped", c->filter->nrules,
		    c->nat->nrules, c->mangle->nrules, c->raw->nrules, nifl,
		    nalist, c->nroutes, skipped);
	free(names);
}

enum {
	T_INTERFACES, T_ROUTES, T_NAT, T_FILTER, T_CONNTRACK, T_CONTROL,
	T_USER, T_LOG, T_ARP, T_DATAPLANE, T_MANGLE, T_RAW, T_ROUTEROS,
	T_IP_SETTINGS, T_ICMP, T_SERVICE_PORT, T_DNS, T_COUNT
};

static void
conf_root(struct conf_ctx *ctx, yaml_node_t *root)
{
	static const char *const keys[] = {
		"interfaces", "routes", "nat", "filter", "conntrack",
		"control", "user", "log", "arp", "dataplane", "mangle", "raw",
		"routeros", "ip-settings", "icmp", "service-port", "dns", NULL
	};
	struct config *c = ctx->conf;
	yaml_node_t *nodes[T_COUNT] = { NULL }, *v;
	yaml_node_pair_t *p;
	uint32_t seen = 0;
	int k;

	if (root != NULL && !conf_is_null(root) &&
	    root->type != YAML_MAPPING_NODE) {
		conf_node_error(ctx, root, "the configuration must be a "
		    "mapping of keys (interfaces, routes, nat, ...)");
		root = NULL;
	}
	if (root != NULL && root->type == YAML_MAPPING_NODE) {
		CONF_FOREACH_PAIR(p, root) {
			k = conf_key(ctx, p, keys, "", &seen, &v);
			if (k >= 0)
				nodes[k] = v;
		}
	}
	ctx->routeros = nodes[T_ROUTEROS] != NULL &&
	    !conf_is_null(nodes[T_ROUTEROS]);
	/* Interfaces first: routes and rules refer to them. */
	if (nodes[T_INTERFACES] != NULL)
		conf_interfaces(ctx, nodes[T_INTERFACES]);
	if (c->nifaces == 0 && ctx->nerrs == 0) {
		if (nodes[T_INTERFACES] != NULL)
			conf_node_error(ctx, nodes[T_INTERFACES], "no interfaces "
			    "configured");
		else
			conf_error(ctx, 1, 1, "no interfaces configured");
	}
	if (nodes[T_ROUTES] != NULL)
		conf_routes(ctx, nodes[T_ROUTES]);
	if (nodes[T_CONNTRACK] != NULL)
		conf_conntrack(ctx, nodes[T_CONNTRACK]);
	if (nodes[T_ARP] != NULL)
		conf_arp(ctx, nodes[T_ARP]);
	if (nodes[T_CONTROL] != NULL)
		conf_control(ctx, nodes[T_CONTROL]);
	if (nodes[T_DATAPLANE] != NULL)
		conf_dataplane(ctx, nodes[T_DATAPLANE]);
	if (nodes[T_IP_SETTINGS] != NULL)
		conf_ip_settings(ctx, nodes[T_IP_SETTINGS]);
	if (nodes[T_ICMP] != NULL)
		conf_icmp(ctx, nodes[T_ICMP]);
	if (nodes[T_SERVICE_PORT] != NULL)
		conf_service_port(ctx, nodes[T_SERVICE_PORT]);
	if (nodes[T_USER] != NULL && !conf_is_null(nodes[T_USER])) {
		const char *s = conf_str(ctx, nodes[T_USER], "user", "");

		if (s != NULL && !conf_name_ok(s, 255, false))
			conf_node_error(ctx, nodes[T_USER], "invalid user "
			    "\"%s\"", s);
		else if (s != NULL)
			c->user = xstrdup(s);
	}
	if (nodes[T_LOG] != NULL)
		conf_log(ctx, nodes[T_LOG]);
	/* dns: before an export's /ip dns, whose static entries follow */
	if (nodes[T_DNS] != NULL)
		conf_dns(ctx, nodes[T_DNS]);
	{
		yaml_node_t *tables[ROS_TABLE_COUNT];

		tables[ROS_NAT] = nodes[T_NAT];
		tables[ROS_FILTER] = nodes[T_FILTER];
		tables[ROS_MANGLE] = nodes[T_MANGLE];
		tables[ROS_RAW] = nodes[T_RAW];
		conf_tables(ctx, tables, nodes[T_ROUTEROS]);
	}
	if (c->dns.allow_remote && c->dns.nservers == 0 &&
	    c->dns.nstatics == 0)
		conf_error(ctx, c->dns.loc.line, c->dns.loc.col, "dns answers "
		    "clients but has neither servers nor static entries");
	/* which dst-nat rules split-horizon cannot use, and why */
	if (ctx->nerrs == 0 && c->dns.split_horizon && c->nat != NULL)
		dns_split_notes(c, conf_split_note_cb, ctx);
}

static void
conf_defaults(struct config *c)
{
	struct conf_timeouts *t = &c->timeouts;

	/* RFC 5382 REQ-5 / RFC 7857: established >= 2h4m; RouterOS uses 1d. */
	t->tcp_established = 86400;
	t->tcp_syn_sent = 240;
	t->tcp_syn_received = 240;
	t->tcp_fin_wait = 240;
	t->tcp_close_wait = 240;
	t->tcp_last_ack = 240;
	t->tcp_time_wait = 240;
	t->tcp_close = 10;
	/* RFC 4787 REQ-5: at least 2 minutes. */
	t->udp = 120;
	t->udp_stream = 300;	/* RFC 4787 REQ-5c recommends >= 5 min */
	t->icmp = 60;		/* RFC 5508 REQ-2: >= 60 s */
	t->generic = 600;
	c->limits.ct_max = 262144;
	c->dp.busy_poll_auto = true;	/* adaptive polling (hairpind.c) */
	c->dp.io = DP_IO_AUTO;
	c->limits.frag_max_bytes = 4194304;
	c->limits.nat_ports_per_host = NATPORT_HOST_LIMIT_DEFAULT;
	c->limits.frag_timeout = 30;
	c->limits.arp_queue = 16;
	c->limits.arp_max = 4096;
	c->limits.arp_locktime_ms = 1000;
	c->limits.ctl_max_clients = 64;
	c->icmp.rate = ICMP_RATE_PER_SEC;
	c->icmp.burst = ICMP_RATE_BURST;
	c->icmp.dst_rate = ICMP_DST_RATE_PER_SEC;
	c->icmp.dst_burst = ICMP_DST_RATE_BURST;
	c->icmp.destinations = ICMP_RATE_DESTINATIONS;
	/* RouterOS's service-port defaults */
	c->sp[CONF_SP_FTP] = (struct conf_service_port){ true, { 21 }, 1 };
	c->sp[CONF_SP_TFTP] = (struct conf_service_port){ true, { 69 }, 1 };
	c->sp[CONF_SP_PPTP] = (struct conf_service_port){ true, { 1723 }, 1 };
	c->sp[CONF_SP_SIP] = (struct conf_service_port){ false, { 5060, 5061 },
	    2 };
	c->ctl_socket = xstrdup(RUNSTATEDIR "/hairpind/hairpind.sock");
	c->ctl_mode = 0660;
	c->log_level = LOG_LEVEL_INFO;
	c->log_target = LOG_TARGET_STDERR;
	c->dns.cache_size = 2048 * 1024;
	c->dns.cache_max_ttl = 604800;
	c->dns.max_queries = 100;
	c->dns.max_tcp = 20;
	c->dns.server_timeout_ms = 2000;
	c->dns.total_timeout_ms = 10000;
}

static void
conf_yaml_error(struct conf_ctx *ctx, const yaml_parser_t *ps)
{
	const char *problem = ps->problem != NULL ? ps->problem : "error";

	if (ps->error == YAML_MEMORY_ERROR)
		fatalx("%s: out of memory parsing YAML", ctx->name);
	if (ps->error == YAML_READER_ERROR) {
		size_t off = ps->problem_offset, i;
		int line = 1, col = 1;

		for (i = 0; i < off && i < ctx->len; i++) {
			if (ctx->buf[i] == '\n') {
				line++;
				col = 1;
			} else if ((ctx->buf[i] & 0xc0) != 0x80) {
				col++;
			}
		}
		conf_error(ctx, line, col, "syntax error: %s", problem);
		return;
	}
	if (ps->context != NULL)
		conf_error(ctx, (int)ps->problem_mark.line + 1,
		    (int)ps->problem_mark.column + 1, "syntax error: %s (%s "
		    "at line %d)", problem, ps->context,
		    (int)ps->context_mark.line + 1);
	else
		conf_error(ctx, (int)ps->problem_mark.line + 1,
		    (int)ps->problem_mark.column + 1, "syntax error: %s",
		    problem);
}

/*
 * Aliases would let a small file expand into a huge (or cyclic) tree, and
 * a NUL inside a scalar would cut it short: refuse both before walking.
 */
static void
conf_check_tree(struct conf_ctx *ctx)
{
	yaml_document_t *d = ctx->doc;
	int n = (int)(d->nodes.top - d->nodes.start), i;
	uint8_t *refs = xcalloc(n + 1, 1);
	yaml_node_t *nd;

	refs[1] = 1;		/* the root */
	for (i = 1; i <= n; i++) {
		nd = conf_node(ctx, i);
		if (nd->type == YAML_SCALAR_NODE && memchr(nd->data.scalar.value,
		    '\0', nd->data.scalar.length) != NULL)
			conf_node_error(ctx, nd, "NUL character in a value");
		if (nd->type == YAML_SEQUENCE_NODE) {
			yaml_node_item_t *it;

			for (it = nd->data.sequence.items.start;
			    it < nd->data.sequence.items.top; it++)
				if (refs[*it]++ == 1)
					conf_node_error(ctx, conf_node(ctx, *it),
					    "YAML anchors and aliases are not "
					    "supported");
		} else if (nd->type == YAML_MAPPING_NODE) {
			yaml_node_pair_t *p;

			CONF_FOREACH_PAIR(p, nd) {
				if (refs[p->key]++ == 1)
					conf_node_error(ctx, conf_node(ctx,
					    p->key), "YAML anchors and aliases "
					    "are not supported");
				if (refs[p->value]++ == 1)
					conf_node_error(ctx, conf_node(ctx,
					    p->value), "YAML anchors and "
					    "aliases are not supported");
			}
		}
		/* counts saturate at 2: only the first repeat is reported */
	}
	free(refs);
}

static int
conf_err_cmp(const void *a, const void *b)
{
	const struct conf_err_ent *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Hand the errors over in file order. */
static void
conf_errors_out(struct conf_ctx *ctx, struct conf_errors *errs)
{
	int i;

	if (ctx->nerrs > 0)
		qsort(ctx->errs, ctx->nerrs, sizeof(*ctx->errs),
		    conf_err_cmp);
	if (errs == NULL || ctx->nerrs == 0) {
		for (i = 0; i < ctx->nerrs; i++)
			free(ctx->errs[i].msg);
	} else {
		errs->msgs = xcalloc(ctx->nerrs > 0 ? ctx->nerrs : 1,
		    sizeof(char *));
		for (i = 0; i < ctx->nerrs; i++)
			errs->msgs[i] = ctx->errs[i].msg;
		errs->n = ctx->nerrs;
	}
	free(ctx->errs);
	ctx->errs = NULL;
}

/*
 * A first pass over the events only, stopped at the first collection
 * nested deeper than CONF_MAX_DEPTH, so a hostile file costs time linear
 * in its size before the document is built. A syntax error is left to
 * the real load, which reports it with its context.
 * Return: true when the nesting is fine.
 */
static bool
conf_depth_ok(struct conf_ctx *ctx, const char *buf, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0;
	bool ok = true, done = false;

	if (!yaml_parser_initialize(&parser))
		fatalx("yaml_parser_initialize");
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	while (!done && yaml_parser_parse(&parser, &ev)) {
		switch (ev.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > CONF_MAX_DEPTH) {
				conf_error(ctx, (int)ev.start_mark.line + 1,
				    (int)ev.start_mark.column + 1, "nested "
				    "deeper than %d levels", CONF_MAX_DEPTH);
				ok = false;
				done = true;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return ok;
}

struct config *
conf_load_buf(const char *name, const char *buf, size_t len,
    struct conf_errors *errs)
{
	struct conf_ctx ctx;
	yaml_parser_t parser;
	yaml_document_t doc, doc2;
	struct config *c;
	yaml_node_t *root;

	if (errs != NULL) {
		errs->msgs = NULL;
		errs->n = 0;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.name = name;
	ctx.buf = buf;
	ctx.len = len;
	conf_index_lines(&ctx);
	c = ctx.conf = xcalloc(1, sizeof(*c));
	c->path = xstrdup(name);
	conf_defaults(c);

	if (!conf_depth_ok(&ctx, buf, len))
		goto out;
	if (!yaml_parser_initialize(&parser))
		fatalx("yaml_parser_initialize");
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		conf_yaml_error(&ctx, &parser);
		yaml_parser_delete(&parser);
		goto out;
	}
	ctx.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root != NULL) {
		/* A second document would be silently ignored: refuse it. */
		if (!yaml_parser_load(&parser, &doc2)) {
			conf_yaml_error(&ctx, &parser);
		} else {
			yaml_node_t *r2 = yaml_document_get_root_node(&doc2);

			if (r2 != NULL)
				conf_error(&ctx, (int)doc2.start_mark.line + 1,
				    (int)doc2.start_mark.column + 1, "only one "
				    "YAML document is allowed");
			yaml_document_delete(&doc2);
		}
	}
	yaml_parser_delete(&parser);
	if (root != NULL)
		conf_check_tree(&ctx);
	if (ctx.nerrs == 0)
		conf_root(&ctx, root);
	yaml_document_delete(&doc);
out:
	free(ctx.lines);
	c->notes = ctx.notes;
	c->nnotes = ctx.nnotes;
	if (ctx.nerrs > 0) {
		conf_errors_out(&ctx, errs);
		conf_free(c);
		return NULL;
	}
	conf_errors_out(&ctx, errs);
	return c;
}

/*
 * The whole of a file, bounded; NULL and *@err on failure. Regular files
 * only: a FIFO or a device would block the reader (and before, the loop)
 * for as long as nobody writes to it. O_NONBLOCK keeps open() itself from
 * waiting on a FIFO's writer.
 */
static char *
conf_read_file(const char *path, size_t *lenp, char **err)
{
	struct stat st;
	char *buf;
	size_t len = 0, cap = 65536;
	FILE *f;
	int fd;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1) {
		xasprintf(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		xasprintf(err, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		xasprintf(err, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	if (st.st_size > CONF_MAX_FILE) {
		xasprintf(err, "%s: file too large (at most %d MiB)", path,
		    CONF_MAX_FILE >> 20);
		close(fd);
		return NULL;
	}
	if (fcntl(fd, F_SETFL, 0) == -1 || (f = fdopen(fd, "r")) == NULL) {
		xasprintf(err, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	buf = xmalloc(cap + 1);
	for (;;) {
		size_t n = fread(buf + len, 1, cap - len, f);

		len += n;
		if (n == 0)
			break;
		if (len == cap) {
			if (cap >= CONF_MAX_FILE) {
				fclose(f);
				free(buf);
				xasprintf(err, "%s: file too large (at most "
				    "%d MiB)", path, CONF_MAX_FILE >> 20);
				return NULL;
			}
			cap *= 2;
			buf = xreallocarray(buf, cap + 1, 1);
		}
	}
	if (ferror(f)) {
		xasprintf(err, "%s: %s", path, strerror(errno));
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

struct config *
conf_load(const char *path, struct conf_errors *errs)
{
	struct config *c;
	char *buf, *msg;
	size_t len = 0;

	if (errs != NULL) {
		errs->msgs = NULL;
		errs->n = 0;
	}
	buf = conf_read_file(path, &len, &msg);
	if (buf == NULL) {
		if (errs != NULL) {
			errs->msgs = xcalloc(1, sizeof(char *));
			errs->msgs[0] = msg;
			errs->n = 1;
		} else {
			free(msg);
		}
		return NULL;
	}
	c = conf_load_buf(path, buf, len, errs);
	free(buf);
	return c;
}

void
conf_free(struct config *c)
{
	int i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nifaces; i++) {
		free(c->ifaces[i].name);
		free(c->ifaces[i].tap);
		free(c->ifaces[i].netns);
	}
	free(c->routes);
	ruleset_free(c->nat);
	ruleset_free(c->filter);
	for (i = 0; i < c->dns.nstatics; i++)
		conf_dns_static_free(&c->dns.statics[i]);
	free(c->dns.statics);
	ruleset_free(c->mangle);
	ruleset_free(c->raw);
	for (i = 0; i < c->niflists; i++) {
		free(c->iflists[i].name);
		free(c->iflists[i].comment);
	}
	free(c->iflists);
	addrlist_set_free(c->alists);
	free(c->routeros_file);
	for (i = 0; i < c->nnotes; i++)
		free(c->notes[i]);
	free(c->notes);
	free(c->summary);
	free(c->ctl_socket);
	free(c->ctl_group);
	free(c->user);
	free(c->path);
	free(c);
}

void
conf_errors_free(struct conf_errors *errs)
{
	int i;

	if (errs == NULL)
		return;
	for (i = 0; i < errs->n; i++)
		free(errs->msgs[i]);
	free(errs->msgs);
	errs->msgs = NULL;
	errs->n = 0;
}

int
conf_iface_find(const struct config *c, const char *name)
{
	int i;

	for (i = 0; i < c->nifaces; i++)
		if (c->ifaces[i].name != NULL &&
		    strcmp(c->ifaces[i].name, name) == 0)
			return i;
	return -1;
}
