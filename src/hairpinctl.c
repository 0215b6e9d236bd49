/* SPDX-License-Identifier: ISC */
/*
 * hairpinctl: the command-line client of the control socket. It sends
 * one request line and prints the JSON answer as an aligned table (or
 * raw with -j); `events` and `trace` print one line per event.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "xmalloc.h"

#define EXIT_OK		0
#define EXIT_ERROR	1	/* the daemon answered an error */
#define EXIT_USAGE	2
#define EXIT_CONNECT	3	/* no socket, no answer */

#define LINE_MAX_REQ	4096	/* the daemon's request bound */
#define ANSWER_TIMEOUT	60	/* seconds to wait for an answer */
#define MAX_COLS	16

static const char *sock_path = RUNSTATEDIR "/hairpind/hairpind.sock";
static bool json_out;
static FILE *conn;
static json_t *answer;		/* the last answer; main() frees it */

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static int cmd_status(int, char **);
static int cmd_interfaces(int, char **);
static int cmd_routes(int, char **);
static int cmd_neighbors(int, char **);
static int cmd_dns(int, char **);
static int cmd_rules(int, char **);
static int cmd_address_lists(int, char **);
static int cmd_interface_lists(int, char **);
static int cmd_conntrack(int, char **);
static int cmd_reload(int, char **);
static int cmd_events(int, char **);
static int cmd_trace(int, char **);
static int cmd_metrics(int, char **);

static const struct command commands[] = {
	{ "status", cmd_status, "version, uptime, counters" },
	{ "interfaces", cmd_interfaces, "links, addresses, counters, drops" },
	{ "routes", cmd_routes, "the routing table" },
	{ "neighbors", cmd_neighbors, "the ARP neighbour cache" },
	{ "rules", cmd_rules, "[table=filter|nat|mangle|raw]: rules with "
	    "counters" },
	{ "address-lists", cmd_address_lists, "[list=NAME]: firewall address "
	    "lists, dynamic entries with time left" },
	{ "interface-lists", cmd_interface_lists, "interface lists and their "
	    "members" },
	{ "conntrack", cmd_conntrack, "[FILTERS] [limit=N] | flush" },
	{ "reload", cmd_reload, "reload the configuration file" },
	{ "events", cmd_events, "[FILTERS]: stream conntrack events" },
	{ "trace", cmd_trace, "[FILTERS]: stream each packet's walk" },
	{ "metrics", cmd_metrics, "Prometheus text exposition" },
	{ "dns", cmd_dns, "static entries and the cache | flush" },
};
static const size_t ncommands = sizeof(commands) / sizeof(commands[0]);

static void __attribute__((noreturn, format(printf, 2, 3)))
die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("hairpinctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: hairpinctl [-s SOCKET] [-j] COMMAND [ARGS]\n"
	    "  -s SOCKET  control socket (default %s)\n"
	    "  -j         print the daemon's JSON lines as they come\n"
	    "  -h         this help\n"
	    "commands:\n", RUNSTATEDIR "/hairpind/hairpind.sock");
	for (i = 0; i < ncommands; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "FILTERS: proto=tcp|udp|icmp|N src=A[/N] dst=A[/N] "
	    "port=N\n");
}

/* --- talking to the daemon ----------------------------------------------- */

static void
conn_open(bool stream)
{
	struct sockaddr_un sun;
	struct timeval tv = { ANSWER_TIMEOUT, 0 };
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(sock_path) >= sizeof(sun.sun_path))
		die(EXIT_CONNECT, "%s: socket path too long", sock_path);
	memcpy(sun.sun_path, sock_path, strlen(sock_path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		die(EXIT_CONNECT, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		die(EXIT_CONNECT, "connect %s: %s", sock_path, strerror(errno));
	if (!stream)
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if ((conn = fdopen(fd, "r+")) == NULL)
		die(EXIT_CONNECT, "fdopen: %s", strerror(errno));
}

/*
 * Written past stdio, without SIGPIPE: a daemon at its client limit
 * answers "too many clients" and closes before reading the request, and
 * that answer is still there for conn_line() to read.
 */
static void
conn_send(const char *req)
{
	size_t len = strlen(req), off = 0;
	char *buf = xmalloc(len + 1);
	ssize_t n;

	memcpy(buf, req, len);
	buf[len++] = '\n';
	while (off < len) {
		n = send(fileno(conn), buf + off, len - off, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EPIPE || errno == ECONNRESET))
			break;
		if (n == -1)
			die(EXIT_CONNECT, "send to %s: %s", sock_path,
			    strerror(errno));
		off += (size_t)n;
	}
	free(buf);
}

/* One answer line, without its newline; NULL at end of stream. */
static char *
conn_line(bool eof_ok)
{
	static char *line;
	static size_t size;
	ssize_t n;

	errno = 0;
	if ((n = getline(&line, &size, conn)) == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			die(EXIT_CONNECT, "no answer from hairpind within %d "
			    "seconds", ANSWER_TIMEOUT);
		if (eof_ok)
			return NULL;
		if (errno != 0)
			die(EXIT_CONNECT, "read from %s: %s", sock_path,
			    strerror(errno));
		die(EXIT_CONNECT, "connection closed by hairpind");
	}
	if (n > 0 && line[n - 1] == '\n')
		line[n - 1] = '\0';
	return line;
}

/*
 * Send @req and read its answer. With -j the raw line goes to stdout. An
 * error answer ends the program with status 1; else the parsed answer.
 */
static json_t *
call(const char *req, bool stream)
{
	json_error_t jerr;
	json_t *ans, *err;
	char *line;

	conn_open(stream);
	conn_send(req);
	line = conn_line(false);
	if (json_out) {
		puts(line);
		fflush(stdout);
	}
	json_decref(answer);
	answer = ans = json_loads(line, 0, &jerr);
	if (ans == NULL || !json_is_object(ans))
		die(EXIT_ERROR, "bad answer from hairpind: %s", jerr.text);
	if (!json_is_true(json_object_get(ans, "ok"))) {
		err = json_object_get(ans, "error");
		die(EXIT_ERROR, "%s", json_is_string(err) ?
		    json_string_value(err) : "error");
	}
	return ans;
}

/* --- formatting ---------------------------------------------------------- */

/* RouterOS durations: 1w2d3h4m5s, 0s. */
static char *
fmt_duration(json_int_t s)
{
	static const struct {
		char unit;
		json_int_t secs;
	} u[] = { { 'w', 604800 }, { 'd', 86400 }, { 'h', 3600 },
		  { 'm', 60 }, { 's', 1 } };
	char buf[64];
	size_t len = 0, i;

	if (s <= 0)
		return xstrdup("0s");
	buf[0] = '\0';
	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		if (s >= u[i].secs) {
			len += snprintf(buf + len, sizeof(buf) - len, "%lld%c",
			    (long long)(s / u[i].secs), u[i].unit);
			s %= u[i].secs;
		}
	}
	return xstrdup(buf);
}

/* Any scalar as text; "-" for null or missing. */
static char *
fmt(const json_t *v)
{
	char *s;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return xstrdup(json_string_value(v));
	case JSON_INTEGER:
		xasprintf(&s, "%lld", (long long)json_integer_value(v));
		return s;
	case JSON_REAL:
		xasprintf(&s, "%g", json_real_value(v));
		return s;
	case JSON_TRUE:
		return xstrdup("yes");
	case JSON_FALSE:
		return xstrdup("no");
	default:
		return xstrdup("-");
	}
}

static char *
fmt_key(const json_t *o, const char *key)
{
	const json_t *v = o != NULL ? json_object_get(o, key) : NULL;

	return v == NULL ? xstrdup("-") : fmt(v);
}

static char *
fmt_dur_key(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? fmt_duration(json_integer_value(v)) :
	    xstrdup("-");
}

/* "a,b,c" from an array of scalars; "-" when empty. */
static char *
fmt_list(const json_t *a)
{
	char *s = NULL, *t, *v;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) == 0)
		return xstrdup("-");
	for (i = 0; i < json_array_size(a); i++) {
		v = fmt(json_array_get(a, i));
		if (s == NULL)
			s = v;
		else {
			xasprintf(&t, "%s,%s", s, v);
			free(s);
			free(v);
			s = t;
		}
	}
	return s;
}

/* "reason=count,..." from an object; "-" when empty. */
static char *
fmt_pairs(const json_t *o)
{
	const char *key;
	json_t *v;
	char *s = NULL, *t, *val;

	if (!json_is_object(o) || json_object_size(o) == 0)
		return xstrdup("-");
	json_object_foreach((json_t *)o, key, v) {
		val = fmt(v);
		xasprintf(&t, "%s%s%s=%s", s != NULL ? s : "",
		    s != NULL ? "," : "", key, val);
		free(val);
		free(s);
		s = t;
	}
	return s;
}

/* "srcnat,dstnat" or "-". */
static char *
fmt_nat(const json_t *o)
{
	bool s = json_is_true(json_object_get(o, "srcnat"));
	bool d = json_is_true(json_object_get(o, "dstnat"));

	if (s && d)
		return xstrdup("srcnat,dstnat");
	return xstrdup(s ? "srcnat" : d ? "dstnat" : "-");
}

struct table {
	int ncols;
	const char *head[MAX_COLS];
	bool right[MAX_COLS];
	char **cells;		/* nrows * ncols */
	size_t nrows;
};

static void
table_cols(struct table *t, const char *spec)
{
	char *copy = xstrdup(spec), *p = copy, *w;

	/* "NAME MTU:r ..." : ":r" right-aligns a numeric column. */
	t->ncols = 0;
	while ((w = strsep(&p, " ")) != NULL && t->ncols < MAX_COLS) {
		size_t n = strlen(w);

		t->right[t->ncols] = n > 2 && strcmp(w + n - 2, ":r") == 0;
		if (t->right[t->ncols])
			w[n - 2] = '\0';
		t->head[t->ncols++] = xstrdup(w);
	}
	free(copy);
}

static void
table_row(struct table *t, char **cells)
{
	t->cells = xreallocarray(t->cells, (t->nrows + 1) * t->ncols,
	    sizeof(char *));
	memcpy(t->cells + t->nrows * t->ncols, cells,
	    t->ncols * sizeof(char *));
	t->nrows++;
}

static void
table_print(struct table *t)
{
	size_t w[MAX_COLS], n, r;
	const char *s;
	int c;

	for (c = 0; c < t->ncols; c++)
		w[c] = strlen(t->head[c]);
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++)
			if ((n = strlen(t->cells[r * t->ncols + c])) > w[c])
				w[c] = n;
	for (r = 0; r <= t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			s = r == 0 ? t->head[c] : t->cells[(r - 1) *
			    t->ncols + c];
			if (c == t->ncols - 1 && !t->right[c])
				printf("%s", s);
			else
				printf(t->right[c] ? "%*s" : "%-*s",
				    (int)w[c], s);
			if (c < t->ncols - 1)
				fputs("  ", stdout);
		}
		putchar('\n');
	}
	for (r = 0; r < t->nrows * t->ncols; r++)
		free(t->cells[r]);
	free(t->cells);
	for (c = 0; c < t->ncols; c++)
		free((char *)t->head[c]);
}

/* --- argument checks ----------------------------------------------------- */

static void
no_args(const char *cmd, int argc, char **argv)
{
	if (argc > 1)
		die(EXIT_USAGE, "%s takes no arguments (got \"%s\")", cmd,
		    argv[1]);
}

/* Words go on one request line: no blanks or control bytes inside. */
static char *
request(int argc, char **argv, const char *const *keys)
{
	size_t len = 0, i, k;
	const char *eq;
	char *req;
	int a;

	for (a = 0; a < argc; a++) {
		for (i = 0; argv[a][i] != '\0'; i++)
			if ((unsigned char)argv[a][i] <= ' ' ||
			    argv[a][i] == 0x7f)
				die(EXIT_USAGE, "bad argument \"%s\"", argv[a]);
		if (argv[a][0] == '\0')
			die(EXIT_USAGE, "empty argument");
		if (a > 0 && keys != NULL) {
			eq = strchr(argv[a], '=');
			for (k = 0; eq != NULL && keys[k] != NULL; k++)
				if (strlen(keys[k]) == (size_t)(eq - argv[a]) &&
				    strncmp(argv[a], keys[k],
				    (size_t)(eq - argv[a])) == 0)
					break;
			if (eq == NULL || keys[k] == NULL)
				die(EXIT_USAGE, "%s: unknown argument \"%s\" "
				    "(expected KEY=VALUE with KEY one of "
				    "proto, src, dst, port%s)", argv[0],
				    argv[a], strcmp(argv[0], "conntrack") ==
				    0 ? ", limit; or flush" : "");
		}
		len += strlen(argv[a]) + 1;
	}
	if (len > LINE_MAX_REQ)
		die(EXIT_USAGE, "request too long");
	req = xmalloc(len + 1);
	req[0] = '\0';
	for (a = 0; a < argc; a++) {
		if (a > 0)
			strcat(req, " ");
		strcat(req, argv[a]);
	}
	return req;
}

/* Ask a listing and hand back its rows (or print them raw with -j). */
static json_t *
listing(int argc, char **argv)
{
	json_t *ans, *rows;
	char *req;

	/* the daemon checks the arguments of those that take some */
	if (strcmp(argv[0], "rules") != 0 &&
	    strcmp(argv[0], "address-lists") != 0)
		no_args(argv[0], argc, argv);
	req = request(argc, argv, NULL);
	ans = call(req, false);
	free(req);
	if (json_out)
		exit(EXIT_OK);
	rows = json_object_get(ans, "result");
	if (!json_is_array(rows))
		die(EXIT_ERROR, "bad answer from hairpind: no result rows");
	return rows;
}

/* --- commands ------------------------------------------------------------ */

static int
cmd_status(int argc, char **argv)
{
	const char *key;
	json_t *ans, *res, *v;
	size_t w = 0;
	char *s;

	no_args(argv[0], argc, argv);
	ans = call("status", false);
	if (json_out)
		return EXIT_OK;
	res = json_object_get(ans, "result");
	if (!json_is_object(res))
		die(EXIT_ERROR, "bad answer from hairpind");
	json_object_foreach(res, key, v)
		if (strlen(key) > w)
			w = strlen(key);
	json_object_foreach(res, key, v) {
		s = strcmp(key, "uptime") == 0 && json_is_integer(v) ?
		    fmt_duration(json_integer_value(v)) : fmt(v);
		printf("%s:%*s %s\n", key, (int)(w - strlen(key)), "", s);
		free(s);
	}
	return EXIT_OK;
}

static int
cmd_interfaces(int argc, char **argv)
{
	struct table t = { 0 };
	json_t *rows = listing(argc, argv), *o;
	char *c[MAX_COLS];
	size_t i;

	table_cols(&t, "NAME TAP NETNS MAC MTU:r ADDRESSES RX-PACKETS:r "
	    "RX-BYTES:r TX-PACKETS:r TX-BYTES:r DROPS");
	json_array_foreach(rows, i, o) {
		c[0] = fmt_key(o, "name");
		c[1] = fmt_key(o, "tap");
		c[2] = fmt_key(o, "netns");
		c[3] = fmt_key(o, "mac");
		c[4] = fmt_key(o, "mtu");
		c[5] = fmt_list(json_object_get(o, "addresses"));
		c[6] = fmt_key(o, "rx-packets");
		c[7] = fmt_key(o, "rx-bytes");
		c[8] = fmt_key(o, "tx-packets");
		c[9] = fmt_key(o, "tx-bytes");
		c[10] = fmt_pairs(json_object_get(o, "drops"));
		table_row(&t, c);
	}
	table_print(&t);
	return EXIT_OK;
}

static int
cmd_routes(int argc, char **argv)
{
	struct table t = { 0 };
	json_t *rows = listing(argc, argv), *o;
	char *c[MAX_COLS];
	size_t i;

	table_cols(&t, "DST GATEWAY INTERFACE KIND TABLE DISTANCE:r FLAGS");
	json_array_foreach(rows, i, o) {
		c[0] = fmt_key(o, "dst");
		c[1] = fmt_key(o, "gateway");
		c[2] = fmt_key(o, "interface");
		c[3] = fmt_key(o, "kind");
		c[4] = fmt_key(o, "routing-table");
		c[5] = fmt_key(o, "distance");
		/* RouterOS's A (active) flag */
		c[6] = xstrdup(json_is_true(json_object_get(o, "active")) ?
		    "A" : "");
		table_row(&t, c);
	}
	table_print(&t);
	return EXIT_OK;
}

static int
cmd_neighbors(int argc, char **argv)
{
	struct table t = { 0 };
	json_t *rows = listing(argc, argv), *o;
	char *c[MAX_COLS];
	size_t i;

	table_cols(&t, "ADDRESS MAC INTERFACE STATE AGE");
	json_array_foreach(rows, i, o) {
		c[0] = fmt_key(o, "address");
		c[1] = fmt_key(o, "mac");
		c[2] = fmt_key(o, "interface");
		c[3] = fmt_key(o, "state");
		c[4] = fmt_dur_key(o, "age");
		table_row(&t, c);
	}
	table_print(&t);
	return EXIT_OK;
}

static int
cmd_rules(int argc, char **argv)
{
	struct table t = { 0 };
	json_t *rows = listing(argc, argv), *o;
	char *c[MAX_COLS];
	size_t i;

	table_cols(&t, "TABLE CHAIN #:r FLAGS PACKETS:r BYTES:r RULE");
	json_array_foreach(rows, i, o) {
		c[0] = fmt_key(o, "table");
		c[1] = fmt_key(o, "chain");
		c[2] = fmt_key(o, "index");
		c[3] = xstrdup(json_is_true(json_object_get(o, "disabled")) ?
		    "X" : json_is_true(json_object_get(o, "dynamic")) ? "D" :
		    "");
		c[4] = fmt_key(o, "packets");
		c[5] = fmt_key(o, "bytes");
		c[6] = fmt_key(o, "rule");
		table_row(&t, c);
	}
	table_print(&t);
	return EXIT_OK;
}

static int
cmd_address_lists(int argc, char **argv)
{
	struct table t = { 0 };
	json_t *rows = listing(argc, argv), *o;
	char *c[MAX_COLS];
	size_t i;

	table_cols(&t, "LIST ADDRESS FLAGS TIMEOUT:r COMMENT");
	json_array_foreach(rows, i, o) {
		c[0] = fmt_key(o, "list");
		c[1] = fmt_key(o, "address");
		c[2] = xstrdup(json_is_true(json_object_get(o, "dynamic")) ?
		    "D" : "");
		c[3] = fmt_dur_key(o, "timeout");
		c[4] = fmt_key(o, "comment");
		table_row(&t, c);
	}
	table_print(&t);
	return EXIT_OK;
}

static int
cmd_interface_lists(int argc, char **argv)
{
	struct table t = { 0 };
	json_t *rows = listing(argc, argv), *o;
	char *c[MAX_COLS];
	size_t i;

	table_cols(&t, "LIST INTERFACES COMMENT");
	json_array_foreach(rows, i, o) {
		c[0] = fmt_key(o, "list");
		c[1] = fmt_list(json_object_get(o, "interfaces"));
		c[2] = fmt_key(o, "comment");
		table_row(&t, c);
	}
	table_print(&t);
	return EXIT_OK;
}

static int
cmd_conntrack(int argc, char **argv)
{
	static const char *const keys[] = { "proto", "src", "dst", "port",
		"limit", NULL };
	struct table t = { 0 };
	json_t *ans, *rows, *o;
	char *c[MAX_COLS], *req;
	size_t i;

	if (argc >= 2 && strcmp(argv[1], "flush") == 0) {
		if (argc > 2)
			die(EXIT_USAGE, "conntrack flush takes no other "
			    "arguments");
		ans = call("conntrack flush", false);
		if (!json_out)
			printf("removed %lld connections\n", (long long)
			    json_integer_value(json_object_get(ans, "result")));
		return EXIT_OK;
	}
	req = request(argc, argv, keys);
	ans = call(req, false);
	free(req);
	if (json_out)
		return EXIT_OK;
	if (!json_is_array(rows = json_object_get(ans, "result")))
		die(EXIT_ERROR, "bad answer from hairpind: no result rows");
	table_cols(&t, "PROTO SRC-ADDRESS DST-ADDRESS REPLY-SRC-ADDRESS "
	    "REPLY-DST-ADDRESS TCP-STATE TIMEOUT:r NAT ORIG-PACKETS:r "
	    "ORIG-BYTES:r REPL-PACKETS:r REPL-BYTES:r");
	json_array_foreach(rows, i, o) {
		c[0] = fmt_key(o, "protocol");
		c[1] = fmt_key(o, "src-address");
		c[2] = fmt_key(o, "dst-address");
		c[3] = fmt_key(o, "reply-src-address");
		c[4] = fmt_key(o, "reply-dst-address");
		c[5] = fmt_key(o, "tcp-state");
		c[6] = fmt_dur_key(o, "timeout");
		c[7] = fmt_nat(o);
		c[8] = fmt_key(o, "orig-packets");
		c[9] = fmt_key(o, "orig-bytes");
		c[10] = fmt_key(o, "repl-packets");
		c[11] = fmt_key(o, "repl-bytes");
		table_row(&t, c);
	}
	table_print(&t);
	if (json_is_true(json_object_get(ans, "truncated")))
		fprintf(stderr, "hairpinctl: only the first %zu connections "
		    "shown (use limit=N)\n", json_array_size(rows));
	return EXIT_OK;
}

static int
cmd_dns(int argc, char **argv)
{
	struct table t = { 0 };
	json_t *ans, *rows, *o;
	char *c[MAX_COLS];
	size_t i;

	if (argc >= 2 && strcmp(argv[1], "flush") == 0) {
		if (argc > 2)
			die(EXIT_USAGE, "dns flush takes no other arguments");
		ans = call("dns flush", false);
		if (!json_out)
			printf("removed %lld cache entries\n", (long long)
			    json_integer_value(json_object_get(ans, "result")));
		return EXIT_OK;
	}
	if (argc > 1)
		die(EXIT_USAGE, "dns: unknown argument \"%s\" (expected flush)",
		    argv[1]);
	ans = call("dns", false);
	if (json_out)
		return EXIT_OK;
	if (!json_is_array(rows = json_object_get(ans, "result")))
		die(EXIT_ERROR, "bad answer from hairpind: no result rows");
	table_cols(&t, "NAME TYPE DATA TTL:r STATIC");
	json_array_foreach(rows, i, o) {
		c[0] = fmt_key(o, "name");
		c[1] = fmt_key(o, "type");
		c[2] = fmt_key(o, "data");
		c[3] = fmt_dur_key(o, "ttl");
		c[4] = xstrdup(json_is_true(json_object_get(o, "static")) ?
		    "yes" : "no");
		table_row(&t, c);
	}
	table_print(&t);
	return EXIT_OK;
}

static int
cmd_reload(int argc, char **argv)
{
	json_t *ans;
	char *s;

	no_args(argv[0], argc, argv);
	ans = call("reload", false);
	if (!json_out) {
		s = fmt(json_object_get(ans, "result"));
		puts(s);
		free(s);
	}
	return EXIT_OK;
}

static int
cmd_metrics(int argc, char **argv)
{
	json_t *ans, *res;
	const char *text;
	size_t n;

	no_args(argv[0], argc, argv);
	ans = call("metrics", false);
	if (json_out)
		return EXIT_OK;
	if (!json_is_string(res = json_object_get(ans, "result")))
		die(EXIT_ERROR, "bad answer from hairpind");
	text = json_string_value(res);
	n = strlen(text);
	fwrite(text, 1, n, stdout);
	if (n > 0 && text[n - 1] != '\n')
		putchar('\n');
	return EXIT_OK;
}

static void
print_event(const json_t *o)
{
	char *p = fmt_key(o, "protocol"), *s = fmt_key(o, "src-address");
	char *d = fmt_key(o, "dst-address"), *rs, *rd, *st, *to, *nat;
	char *ev = fmt_key(o, "event");

	rs = fmt_key(o, "reply-src-address");
	rd = fmt_key(o, "reply-dst-address");
	st = fmt_key(o, "tcp-state");
	to = fmt_dur_key(o, "timeout");
	nat = fmt_nat(o);
	printf("%-7s %-4s %s -> %s reply %s -> %s", ev, p, s, d, rs, rd);
	if (json_is_string(json_object_get(o, "tcp-state")))
		printf(" %s", st);
	if (strcmp(nat, "-") != 0)
		printf(" %s", nat);
	printf(" timeout %s\n", to);
	free(p);
	free(s);
	free(d);
	free(rs);
	free(rd);
	free(st);
	free(to);
	free(nat);
	free(ev);
}

static void
print_trace(const json_t *o)
{
	const json_t *rules = json_object_get(o, "rules"), *ru, *v;
	char tbuf[32], *a, *b, *c, *d;
	struct tm tm;
	time_t sec;
	double t;
	size_t i;

	t = json_number_value(json_object_get(o, "time"));
	sec = (time_t)t;
	localtime_r(&sec, &tm);
	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
	a = fmt_key(o, "in-interface");
	b = fmt_key(o, "protocol");
	c = fmt_key(o, "src-address");
	d = fmt_key(o, "dst-address");
	printf("%s.%06ld %s %s %s -> %s", tbuf,
	    (long)((t - (double)sec) * 1e6), a, b, c, d);
	free(a);
	free(b);
	free(c);
	free(d);
	if (json_is_string(v = json_object_get(o, "tcp-flags")))
		printf(" [%s]", json_string_value(v));
	if (json_is_integer(v = json_object_get(o, "icmp-type")))
		printf(" type %lld code %lld", (long long)json_integer_value(v),
		    (long long)json_integer_value(json_object_get(o,
		    "icmp-code")));
	a = fmt_key(o, "len");
	b = fmt_key(o, "conntrack");
	printf(" len %s ct %s", a, b);
	free(a);
	free(b);
	printf("\n");
	json_array_foreach(rules, i, ru) {
		bool m = json_is_true(json_object_get(ru, "matched"));

		a = fmt_key(ru, "table");
		b = fmt_key(ru, "chain");
		c = fmt_key(ru, "index");
		d = fmt_key(ru, "rule");
		printf("    %s %s #%s %-8s %s\n", a, b, c,
		    m ? "MATCH" : "no-match", m ? d : "");
		free(a);
		free(b);
		free(c);
		free(d);
	}
	if (json_is_string(v = json_object_get(o, "translation")) &&
	    json_string_length(v) > 0)
		printf("    %s\n", json_string_value(v));
	if (json_is_string(v = json_object_get(o, "route")))
		printf("    route %s", json_string_value(v));
	if (json_is_string(v = json_object_get(o, "out-interface")))
		printf(", out %s", json_string_value(v));
	a = fmt_key(o, "verdict");
	printf(": %s\n", a);
	free(a);
	if (json_is_string(v = json_object_get(o, "note")))
		printf("    note: %s\n", json_string_value(v));
}

/* events and trace: one line per event until interrupted. */
static int
stream(int argc, char **argv, void (*print)(const json_t *))
{
	static const char *const keys[] = { "proto", "src", "dst", "port",
		NULL };
	json_error_t jerr;
	json_t *o;
	char *req, *line;

	req = request(argc, argv, keys);
	setvbuf(stdout, NULL, _IOLBF, 0);
	call(req, true);
	free(req);
	while ((line = conn_line(true)) != NULL) {
		if (json_out) {
			puts(line);
			continue;
		}
		if ((o = json_loads(line, 0, &jerr)) == NULL)
			die(EXIT_ERROR, "bad line from hairpind: %s",
			    jerr.text);
		print(o);
		json_decref(o);
	}
	die(EXIT_ERROR, "connection closed by hairpind");
}

static int
cmd_events(int argc, char **argv)
{
	return stream(argc, argv, print_event);
}

static int
cmd_trace(int argc, char **argv)
{
	return stream(argc, argv, print_trace);
}

int
main(int argc, char **argv)
{
	size_t i;
	int ch;

	while ((ch = getopt(argc, argv, "+s:jh")) != -1) {
		switch (ch) {
		case 's':
			sock_path = optarg;
			break;
		case 'j':
			json_out = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < ncommands; i++) {
		if (strcmp(argv[0], commands[i].name) == 0) {
			ch = commands[i].fn(argc, argv);
			json_decref(answer);
			if (conn != NULL)
				fclose(conn);
			return ch;
		}
	}
	fprintf(stderr, "hairpinctl: unknown command \"%s\"; choose from:\n",
	    argv[0]);
	for (i = 0; i < ncommands; i++)
		fprintf(stderr, "  %-10s %s\n", commands[i].name,
		    commands[i].help);
	return EXIT_USAGE;
}
