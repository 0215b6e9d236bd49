/* SPDX-License-Identifier: ISC */
/* RouterOS export text: logical lines, sections, commands and words. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "ros_lex.h"
#include "xmalloc.h"

static const char *const ros_verbs[] = {
	"add", "set", "remove", "print", "export", "enable", "disable",
	"unset", "edit", "comment", "move", "find", "reset", "import",
	"monitor", "get", NULL
};

/* One logical line: its bytes and where each came from. */
struct lex_src {
	char *s;		/* writable copy, NBSP already spaces */
	size_t len;
	const size_t *offs;	/* logical offset -> text offset */
	ros_map_fn map;
	void *marg;
	ros_error_fn err;
	void *earg;
	int lines;
};

struct lex_state {
	char path[ROS_PATH_MAX];
	struct ros_pos path_pos;
	ros_cmd_fn fn;
	void *arg;
};

static struct ros_pos
lex_pos(const struct lex_src *src, size_t off)
{
	struct ros_pos p;

	if (off > src->len)
		off = src->len;
	if (src->offs != NULL)
		off = src->offs[off];
	if (src->map != NULL)
		return src->map(src->marg, off);
	p.line = 1;
	p.col = (int)off + 1;
	p.file = 0;
	return p;
}

static void lex_err(const struct lex_src *src, size_t off, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static void
lex_err(const struct lex_src *src, size_t off, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ros_vemit(src->err, src->earg, lex_pos(src, off), fmt, ap);
	va_end(ap);
}

static bool
lex_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
lex_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * A quoted string from @i (at the opening quote) into @out; RouterOS's
 * escapes are undone. Return: the offset after the closing quote, or
 * (size_t)-1 when it is not closed.
 */
static size_t
lex_quoted(const struct lex_src *src, size_t i, char *out, size_t *olen)
{
	const char *s = src->s;
	size_t len = src->len, n = *olen;

	for (i++; i < len; i++) {
		char c = s[i];

		if (c == '"') {
			*olen = n;
			return i + 1;
		}
		if (c != '\\' || i + 1 >= len) {
			out[n++] = c;
			continue;
		}
		c = s[++i];
		if (i + 1 < len && lex_hex(c) >= 0 && lex_hex(s[i + 1]) >= 0) {
			out[n++] = (char)(lex_hex(c) << 4 | lex_hex(s[i + 1]));
			i++;
			continue;
		}
		switch (c) {
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'a': out[n++] = '\a'; break;
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'v': out[n++] = '\v'; break;
		case '_': out[n++] = ' '; break;
		default: out[n++] = c; break;	/* \" \\ \$ \? */
		}
	}
	return (size_t)-1;
}

static bool
lex_is_verb(const char *w, size_t n)
{
	int i;

	for (i = 0; ros_verbs[i] != NULL; i++)
		if (strlen(ros_verbs[i]) == n && strncmp(ros_verbs[i], w, n) == 0)
			return true;
	return false;
}

/* Append "/word" to a path; false when it does not fit. */
static bool
lex_path_add(char *path, const char *w, size_t n)
{
	size_t pl = strlen(path);

	if (pl + n + 2 > ROS_PATH_MAX)
		return false;
	path[pl++] = '/';
	memcpy(path + pl, w, n);
	path[pl + n] = '\0';
	return true;
}

struct lex_cmd_buf {
	struct ros_cmd cmd;
	char **bufs;
	int nbufs, capbufs;
	int capitems, capunset;
};

static char *
lex_keep(struct lex_cmd_buf *cb, char *s)
{
	if (cb->nbufs == cb->capbufs) {
		cb->capbufs = cb->capbufs ? cb->capbufs * 2 : 16;
		cb->bufs = xreallocarray(cb->bufs, cb->capbufs,
		    sizeof(*cb->bufs));
	}
	cb->bufs[cb->nbufs++] = s;
	return s;
}

static void
lex_cmd_free(struct lex_cmd_buf *cb)
{
	int i;

	for (i = 0; i < cb->nbufs; i++)
		free(cb->bufs[i]);
	free(cb->bufs);
	free(cb->cmd.items);
	free(cb->cmd.unset);
}

/*
 * One command, s[start..end): an optional section path, a verb, words.
 * With @rule_only (a `nat:` list item), there is no section and the verb
 * "add" is optional.
 */
static void
lex_command(struct lex_state *st, const struct lex_src *src, size_t start,
    size_t end, bool rule_only)
{
	const char *s = src->s;
	struct lex_cmd_buf cb;
	struct ros_cmd *c = &cb.cmd;
	size_t i = start;
	bool have_verb = false, path_here = false;

	memset(&cb, 0, sizeof(cb));
	while (i < end && lex_space(s[i]))
		i++;
	if (i >= end)
		return;
	c->pos = lex_pos(src, i);
	c->lines = src->lines;

	/* the section: "/a b c" or "/a/b/c", maybe ending in a verb */
	if (!rule_only && s[i] == '/') {
		char path[ROS_PATH_MAX] = "";
		struct ros_pos ppos = lex_pos(src, i);
		bool ok = true;

		path_here = true;
		for (;;) {
			size_t ws = i, we;

			while (i < end && !lex_space(s[i]))
				i++;
			we = i;
			/* split a word on '/' */
			while (ws < we && ok) {
				size_t cs, ce;

				while (ws < we && s[ws] == '/')
					ws++;
				cs = ws;
				while (ws < we && s[ws] != '/')
					ws++;
				ce = ws;
				if (ce == cs)
					break;
				if (lex_is_verb(s + cs, ce - cs) && ce == we) {
					have_verb = true;
					c->pos = lex_pos(src, cs);
					c->verb = lex_keep(&cb, xstrndup(s + cs,
					    ce - cs));
					break;
				}
				ok = lex_path_add(path, s + cs, ce - cs);
			}
			if (!ok) {
				lex_err(src, start, "section path too long");
				return;
			}
			if (have_verb)
				break;
			while (i < end && lex_space(s[i]))
				i++;
			if (i >= end)
				break;
			/* more path words: bare, not a verb, not a key=value */
			{
				size_t k = i;

				while (k < end && !lex_space(s[k]) &&
				    s[k] != '=')
					k++;
				if (k < end && s[k] == '=')
					break;
				if (s[i] == '[' || s[i] == '!' || s[i] == '"')
					break;
				if (lex_is_verb(s + i, k - i)) {
					have_verb = true;
					c->pos = lex_pos(src, i);
					c->verb = lex_keep(&cb, xstrndup(s + i,
					    k - i));
					i = k;
					break;
				}
			}
		}
		snprintf(st->path, sizeof(st->path), "%s", path[0] != '\0' ?
		    path : "/");
		st->path_pos = ppos;
	}
	memcpy(c->path, st->path, sizeof(c->path));
	c->path_pos = st->path_pos;

	while (i < end && lex_space(s[i]))
		i++;
	if (!have_verb) {
		size_t k = i;

		while (k < end && !lex_space(s[k]) && s[k] != '=')
			k++;
		if (i < end && (k >= end || s[k] != '=') &&
		    lex_is_verb(s + i, k - i) && s[i] != '!') {
			have_verb = true;
			c->pos = lex_pos(src, i);
			c->verb = lex_keep(&cb, xstrndup(s + i, k - i));
			i = k;
		} else if (rule_only) {
			c->verb = "add";
			have_verb = true;
		}
	}
	if (!have_verb)
		c->verb = "";
	if (path_here && !have_verb && i >= end) {
		/* a line that only names a section */
		st->fn(st->arg, c);
		lex_cmd_free(&cb);
		return;
	}

	/* words */
	while (i < end) {
		size_t ks, ke, vs;
		char *val;
		size_t vlen = 0;

		while (i < end && lex_space(s[i]))
			i++;
		if (i >= end)
			break;
		ks = i;
		if (s[i] == '[') {
			int depth = 0;

			while (i < end) {
				if (s[i] == '[')
					depth++;
				else if (s[i] == ']' && --depth == 0) {
					i++;
					break;
				}
				i++;
			}
			if (c->bare == NULL) {
				c->bare = lex_keep(&cb, xstrndup(s + ks,
				    i - ks));
				c->bare_pos = lex_pos(src, ks);
			}
			continue;
		}
		while (i < end && !lex_space(s[i]) && s[i] != '=')
			i++;
		if (i >= end || s[i] != '=') {
			if (s[ks] == '!' && i - ks > 1) {
				if (c->nunset == cb.capunset) {
					cb.capunset = cb.capunset ?
					    cb.capunset * 2 : 8;
					c->unset = xreallocarray(c->unset,
					    cb.capunset, sizeof(*c->unset));
				}
				c->unset[c->nunset].key = lex_keep(&cb,
				    xstrndup(s + ks + 1, i - ks - 1));
				c->unset[c->nunset].val = "";
				c->unset[c->nunset].kpos = lex_pos(src, ks + 1);
				c->unset[c->nunset].vpos = lex_pos(src, ks + 1);
				c->nunset++;
			} else if (c->bare == NULL) {
				c->bare = lex_keep(&cb, xstrndup(s + ks,
				    i - ks));
				c->bare_pos = lex_pos(src, ks);
			}
			continue;
		}
		ke = i++;
		if (ke == ks) {
			lex_err(src, ks, "missing key before \"=\"");
			c->partial = true;
			while (i < end && !lex_space(s[i]))
				i++;
			continue;
		}
		vs = i;
		val = lex_keep(&cb, xmalloc(end - i + 1));
		if (i + 1 < end && s[i] == '!' && s[i + 1] == '"')
			val[vlen++] = s[i++];
		if (i < end && s[i] == '"') {
			size_t q = i, after = lex_quoted(src, i, val, &vlen);

			if (after == (size_t)-1) {
				lex_err(src, q, "unterminated quoted value");
				c->partial = true;
				break;
			}
			i = after;
			if (i < end && !lex_space(s[i])) {
				lex_err(src, i, "unexpected text after quoted "
				    "value");
				c->partial = true;
				while (i < end && !lex_space(s[i]))
					i++;
				continue;
			}
		} else {
			while (i < end && !lex_space(s[i]))
				val[vlen++] = s[i++];
		}
		val[vlen] = '\0';
		if (c->nitems == cb.capitems) {
			cb.capitems = cb.capitems ? cb.capitems * 2 : 8;
			c->items = xreallocarray(c->items, cb.capitems,
			    sizeof(*c->items));
		}
		c->items[c->nitems].key = lex_keep(&cb, xstrndup(s + ks,
		    ke - ks));
		c->items[c->nitems].val = val;
		c->items[c->nitems].kpos = lex_pos(src, ks);
		c->items[c->nitems].vpos = lex_pos(src, vs);
		c->nitems++;
	}
	st->fn(st->arg, c);
	lex_cmd_free(&cb);
}

/*
 * Split a logical line into commands at ';' (outside quotes and
 * brackets), dropping a '#' comment that starts a word.
 */
static void
lex_line(struct lex_state *st, struct lex_src *src, bool rule_only)
{
	char *s = src->s;
	size_t i = 0, start = 0;
	bool quoted = false;
	int depth = 0;

	for (i = 0; i < src->len; i++) {
		char c = s[i];

		if (quoted) {
			if (c == '\\' && i + 1 < src->len)
				i++;
			else if (c == '"')
				quoted = false;
			continue;
		}
		if (c == '"') {
			quoted = true;
		} else if (c == '[') {
			depth++;
		} else if (c == ']' && depth > 0) {
			depth--;
		} else if (c == '#' && !rule_only && depth == 0 &&
		    (i == 0 || lex_space(s[i - 1]) || s[i - 1] == ';')) {
			break;
		} else if (c == ';' && depth == 0) {
			lex_command(st, src, start, i, rule_only);
			start = i + 1;
		}
	}
	lex_command(st, src, start, i, rule_only);
}

/* A non-breaking space (U+00A0, C2 A0 in UTF-8) is two spaces. */
static void
lex_nbsp(char *s, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++)
		if ((unsigned char)s[i] == 0xc2 &&
		    (unsigned char)s[i + 1] == 0xa0)
			s[i] = s[i + 1] = ' ';
}

void
ros_export_read(const char *text, ros_map_fn map, void *marg,
    ros_error_fn err, void *earg, ros_cmd_fn fn, void *arg)
{
	size_t tlen = strlen(text), p = 0, n = 0;
	char *line = xmalloc(tlen + 1);
	size_t *offs = xcalloc(tlen + 1, sizeof(*offs));
	struct lex_state st;
	bool cont = false;
	int lines = 0;

	memset(&st, 0, sizeof(st));
	st.fn = fn;
	st.arg = arg;
	while (p <= tlen) {
		size_t ls = p, le, k;

		while (p < tlen && text[p] != '\n')
			p++;
		le = p;
		p++;		/* past '\n', or past the end */
		if (le > ls && text[le - 1] == '\r')
			le--;
		if (!cont) {
			size_t f = ls;

			n = 0;
			lines = 0;
			while (f < le && (text[f] == ' ' || text[f] == '\t'))
				f++;
			if (f < le && text[f] == '#')
				continue;
		} else {
			/* a wrapped line goes on after its indentation */
			while (ls < le && (text[ls] == ' ' || text[ls] == '\t'))
				ls++;
			if (le - ls >= 2 && (unsigned char)text[ls] == 0xc2 &&
			    (unsigned char)text[ls + 1] == 0xa0)
				ls += 2;
		}
		lines++;
		/* A trailing backslash joins the next line to this one. */
		cont = le > ls && text[le - 1] == '\\';
		if (cont)
			le--;
		for (k = ls; k < le; k++) {
			line[n] = text[k];
			offs[n++] = k;
		}
		if (cont && p <= tlen)
			continue;
		line[n] = '\0';
		offs[n] = le;
		lex_nbsp(line, n);
		{
			struct lex_src src = { line, n, offs, map, marg, err,
			    earg, lines };

			lex_line(&st, &src, false);
		}
		cont = false;
	}
	free(line);
	free(offs);
}

void
ros_line_read(const char *text, ros_map_fn map, void *marg,
    ros_error_fn err, void *earg, ros_cmd_fn fn, void *arg)
{
	size_t len = strlen(text);
	char *copy = xstrdup(text);
	struct lex_state st;
	struct lex_src src = { copy, len, NULL, map, marg, err, earg, 1 };

	memset(&st, 0, sizeof(st));
	st.fn = fn;
	st.arg = arg;
	lex_nbsp(copy, len);
	lex_line(&st, &src, true);
	free(copy);
}

const struct ros_item *
ros_cmd_item(const struct ros_cmd *c, const char *key)
{
	int i;

	for (i = 0; i < c->nitems; i++)
		if (strcmp(c->items[i].key, key) == 0)
			return &c->items[i];
	return NULL;
}

bool
ros_cmd_keys(const struct ros_cmd *c, const char *const *keys,
    const char *what, ros_error_fn err, void *arg)
{
	bool ok = true;
	char *msg;
	int i, k;

	for (i = 0; i < c->nitems; i++) {
		const char *sug;

		for (k = 0; keys[k] != NULL; k++)
			if (strcmp(keys[k], c->items[i].key) == 0)
				break;
		if (keys[k] != NULL)
			continue;
		sug = ros_suggest(c->items[i].key, keys, -1);
		if (asprintf(&msg, "unknown key \"%s\" in %s%s%s%s",
		    c->items[i].key, what, sug != NULL ? " (did you mean \"" :
		    "", sug != NULL ? sug : "", sug != NULL ? "\"?)" : "") < 0)
			fatal("asprintf");
		err(arg, c->items[i].kpos, msg);
		free(msg);
		ok = false;
	}
	return ok;
}
