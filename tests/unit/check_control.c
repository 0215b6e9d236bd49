/* SPDX-License-Identifier: ISC */
/*
 * Control socket: a hand-built router behind a real socket, driven by
 * real client sockets and non-blocking loop iterations; plus hairpinctl's
 * companion, the privilege drop.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cap-ng.h>
#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "arp.h"
#include "conf.h"
#include "control.h"
#include "ct.h"
#include "frag.h"
#include "natport.h"
#include "privdrop.h"
#include "route.h"
#include "router.h"
#include "rule.h"
#include "trace.h"

static struct router *r;
static struct config *conf;
static char tmpdir[64];
static char sockpath[160];
static struct rule rules[5];

static uint32_t
A(const char *s)
{
	struct in_addr a;

	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/* --- a router by hand ---------------------------------------------------- */

static struct ruleset *
ruleset_new(int nchains)
{
	static const char *const builtin[] = { "dstnat", "srcnat", "input",
		"forward" };
	struct ruleset *rs = calloc(1, sizeof(*rs));
	int i;

	rs->nchains = nchains;
	rs->chains = calloc(nchains, sizeof(*rs->chains));
	for (i = 0; i < nchains && i < 4; i++)
		rs->chains[i].name = (char *)builtin[i];
	return rs;
}

static void
chain_add(struct ruleset *rs, int chain, struct rule *ru)
{
	struct rule_chain *ch = &rs->chains[chain];

	ch->rules = realloc(ch->rules, (ch->nrules + 1) * sizeof(*ch->rules));
	ru->chain = chain;
	ru->index = ch->nrules;
	ch->rules[ch->nrules++] = ru;
}

static void
ct_cb(void *arg, enum ct_event ev, const struct ct_entry *e)
{
	control_ct_event(ev, e);
}

static struct ct_entry *
ct_add(uint8_t proto, const char *s, uint16_t sp, const char *d, uint16_t dp,
    const char *rs, uint16_t rsp, const char *rd, uint16_t rdp,
    uint8_t flags, uint32_t len)
{
	struct ct_tuple o = { A(s), A(d), htons(sp), htons(dp), proto };
	struct ct_tuple rp = { A(rs), A(rd), htons(rsp), htons(rdp), proto };
	struct ct_pkt p = { 0 };

	if (proto == IPPROTO_TCP) {
		p.tcp_flags = 0x02;	/* SYN */
		p.seq = 1000;
		p.win = 65535;
		p.payload = 1;
	}
	p.wscale = -1;
	p.len = len;
	return ct_insert(r->ct, &o, &rp, flags, &p, router_now());
}

static void
setup(void)
{
	struct conf_iface *ci;
	struct conf_route *rt;
	uint16_t eport;
	char *cause = NULL;
	int rc;

	strcpy(tmpdir, "/tmp/check_control.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	/* a directory that does not exist yet: control_init makes it */
	snprintf(sockpath, sizeof(sockpath), "%s/run/hp.sock", tmpdir);

	conf = calloc(1, sizeof(*conf));
	conf->path = strdup("/nonexistent/hairpind.yaml");
	conf->ctl_socket = sockpath;
	conf->ctl_mode = 0660;
	conf->limits.ctl_max_clients = 8;
	conf->limits.ct_max = 1000;
	conf->timeouts = (struct conf_timeouts){ 120, 60, 86400, 120, 60, 30,
		120, 10, 30, 180, 30, 600 };
	conf->nifaces = 2;
	ci = &conf->ifaces[0];
	ci->name = "wan";
	ci->tap = "hp-wan";
	ci->netns = "hp-isp";
	ci->addrs[0] = (struct conf_addr){ A("1.1.1.1"), 24 };
	ci->naddrs = 1;
	memcpy(ci->mac, "\x02\x00\x00\x00\x01\x01", 6);
	ci->mtu = 1500;
	ci = &conf->ifaces[1];
	ci->name = "lan";
	ci->tap = "hp-lan";
	ci->addrs[0] = (struct conf_addr){ A("192.168.1.1"), 24 };
	ci->addrs[1] = (struct conf_addr){ A("10.0.0.1"), 8 };
	ci->naddrs = 2;
	memcpy(ci->mac, "\x02\x00\x00\x00\x02\xab", 6);
	ci->mtu = 9000;
	rt = calloc(1, sizeof(*rt));
	*rt = (struct conf_route){ .dst = 0, .plen = 0, .gateway = A("1.1.1.254"),
	    .iface = 0, .distance = 1 };
	conf->routes = rt;
	conf->nroutes = 1;

	/* nat: dstnat #0, srcnat #0, and a user chain with a hostile name */
	memset(rules, 0, sizeof(rules));
	conf->nat = ruleset_new(5);
	conf->nat->chains[4].name = "we\"ird\\chain";
	rules[0].text = "chain=dstnat dst-address=1.1.1.1 protocol=tcp "
	    "dst-port=80 action=dst-nat to-addresses=192.168.1.2";
	rules[0].packets = 3;
	rules[0].bytes = 180;
	chain_add(conf->nat, CHAIN_DSTNAT, &rules[0]);
	rules[1].text = "chain=srcnat out-interface=wan action=masquerade";
	rules[1].packets = 7;
	rules[1].bytes = 700;
	rules[1].comment = "to the world";
	chain_add(conf->nat, CHAIN_SRCNAT, &rules[1]);
	rules[2].text = "chain=we\"ird\\chain action=return";
	rules[2].packets = 1;
	rules[2].bytes = 40;
	chain_add(conf->nat, 4, &rules[2]);
	conf->filter = ruleset_new(4);
	rules[3].text = "chain=forward protocol=udp action=drop disabled=yes";
	rules[3].disabled = true;
	chain_add(conf->filter, CHAIN_FORWARD, &rules[3]);

	r = calloc(1, sizeof(*r));
	router = r;
	r->base = event_base_new();
	r->conf = conf;
	r->nifaces = 2;
	r->ifaces[0].conf = &conf->ifaces[0];
	r->ifaces[0].fd = -1;
	r->ifaces[0].st.rx_packets = 10;
	r->ifaces[0].st.rx_bytes = 1000;
	r->ifaces[0].st.tx_packets = 20;
	r->ifaces[0].st.tx_bytes = 2000;
	r->ifaces[0].st.drops[DROP_BAD_IP_CHECKSUM] = 2;
	r->ifaces[0].st.drops[DROP_NO_ROUTE] = 1;
	r->ifaces[1].idx = 1;
	r->ifaces[1].conf = &conf->ifaces[1];
	r->ifaces[1].fd = -1;
	r->ifaces[1].st.rx_packets = 5;
	r->ifaces[1].st.rx_bytes = 500;
	r->started = time(NULL) - 100;
	r->reloads = 2;
	r->routes = route_build(conf);
	r->ct = ct_create(1000, &conf->timeouts, router_now());
	ct_set_event_cb(r->ct, ct_cb, NULL);
	r->np = natport_create();
	rc = natport_get(r->np, IPPROTO_UDP, A("1.1.1.1"), A("192.168.1.10"),
	    htons(5353), 0, 0, false, &eport);
	ck_assert_int_eq(rc, 0);
	r->frag = frag_create(4 << 20, 30);

	/* a hairpin connection, a masqueraded UDP flow, a ping */
	ck_assert_ptr_nonnull(ct_add(IPPROTO_TCP, "192.168.1.10", 40000,
	    "1.1.1.1", 80, "192.168.1.2", 80, "192.168.1.1", 40000,
	    CT_F_SNAT | CT_F_DNAT, 60));
	ck_assert_ptr_nonnull(ct_add(IPPROTO_UDP, "192.168.1.10", 5353,
	    "8.8.8.8", 53, "8.8.8.8", 53, "1.1.1.1", 5353, CT_F_SNAT, 76));
	ck_assert_ptr_nonnull(ct_add(IPPROTO_ICMP, "192.168.1.10", 7,
	    "1.1.1.254", 8, "1.1.1.254", 7, "1.1.1.1", 0, CT_F_SNAT, 84));

	rc = control_init(r, &cause);
	if (rc != 0)
		ck_abort_msg("control_init: %s", cause);
}

/* check forks each test: the process, its sockets and memory go with it,
   but the socket file and directory are ours to remove. */
static void
teardown(void)
{
	char dir[200];

	control_shutdown();
	unlink(sockpath);
	snprintf(dir, sizeof(dir), "%s/run", tmpdir);
	rmdir(dir);
	rmdir(tmpdir);
}

/* --- a client ------------------------------------------------------------ */

struct cli {
	int fd;
	char buf[1 << 16];
	size_t len;
	char *big;		/* lines longer than buf */
};

static void
pump(int n)
{
	while (n-- > 0)
		event_base_loop(r->base, EVLOOP_NONBLOCK);
}

static struct cli *
cli_open(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct cli *c = calloc(1, sizeof(*c));

	strcpy(sun.sun_path, sockpath);
	c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(c->fd, 0);
	ck_assert_int_eq(connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)),
	    0);
	fcntl(c->fd, F_SETFL, O_NONBLOCK);
	pump(2);
	return c;
}

static void
cli_close(struct cli *c)
{
	close(c->fd);
	free(c->big);
	free(c);
	pump(3);
}

static void
cli_send(struct cli *c, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;
	int spins = 0;

	while (len > 0) {
		n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		ck_assert_msg(n == -1 && errno == EAGAIN, "send: %s",
		    strerror(errno));
		ck_assert_int_lt(++spins, 100000);
		pump(1);
	}
}

/*
 * The next line from the daemon (malloc'd), pumping the loop while
 * waiting. NULL at EOF; a test failure after ~5 s of nothing.
 */
static char *
cli_line(struct cli *c)
{
	char tmp[65536], *nl, *line;
	size_t blen = c->big != NULL ? strlen(c->big) : 0;
	ssize_t n;
	int i;

	for (i = 0; i < 50000; i++) {
		if ((nl = memchr(c->buf, '\n', c->len)) != NULL) {
			size_t k = (size_t)(nl - c->buf);

			line = malloc(blen + k + 1);
			if (blen > 0)
				memcpy(line, c->big, blen);
			memcpy(line + blen, c->buf, k);
			line[blen + k] = '\0';
			memmove(c->buf, nl + 1, c->len - k - 1);
			c->len -= k + 1;
			free(c->big);
			c->big = NULL;
			return line;
		}
		if (c->len == sizeof(c->buf)) {
			c->big = realloc(c->big, blen + c->len + 1);
			memcpy(c->big + blen, c->buf, c->len);
			blen += c->len;
			c->big[blen] = '\0';
			c->len = 0;
		}
		n = recv(c->fd, tmp, sizeof(c->buf) - c->len < sizeof(tmp) ?
		    sizeof(c->buf) - c->len : sizeof(tmp), MSG_DONTWAIT);
		if (n > 0) {
			memcpy(c->buf + c->len, tmp, (size_t)n);
			c->len += (size_t)n;
			continue;
		}
		if (n == 0)
			return NULL;
		pump(1);
		if (i > 1000)
			usleep(100);
	}
	ck_abort_msg("no answer from the control socket");
	return NULL;
}

static json_t *
cli_json(struct cli *c)
{
	json_error_t err;
	char *line = cli_line(c);
	json_t *j;

	ck_assert_ptr_nonnull(line);
	j = json_loads(line, 0, &err);
	ck_assert_msg(j != NULL, "not JSON: %s (%s)", line, err.text);
	ck_assert(json_is_object(j));
	free(line);
	return j;
}

static json_t *
req(struct cli *c, const char *line)
{
	cli_send(c, line, strlen(line));
	cli_send(c, "\n", 1);
	return cli_json(c);
}

/* The result of an ok answer. */
static json_t *
ok_result(json_t *ans)
{
	ck_assert_msg(json_is_true(json_object_get(ans, "ok")),
	    "answer not ok: %s", json_dumps(ans, JSON_COMPACT));
	ck_assert_int_eq(json_object_size(ans), 2);
	return json_object_get(ans, "result");
}

/* The error text of an error answer. */
static const char *
err_text(json_t *ans)
{
	ck_assert(json_is_false(json_object_get(ans, "ok")));
	ck_assert(json_is_string(json_object_get(ans, "error")));
	return json_string_value(json_object_get(ans, "error"));
}

static const char *
S(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_string(v), "%s is not a string", key);
	return json_string_value(v);
}

static long long
I(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_integer(v), "%s is not an integer", key);
	return json_integer_value(v);
}

/* Nothing more arrives for a while. */
static void
cli_quiet(struct cli *c)
{
	char tmp[16];

	pump(20);
	ck_assert_int_eq(c->len, 0);
	ck_assert_int_eq(recv(c->fd, tmp, sizeof(tmp), MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);
}

/* --- commands ------------------------------------------------------------ */

START_TEST(test_socket_mode)
{
	struct stat st;
	char dir[200];

	ck_assert_int_eq(lstat(sockpath, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0660);
	snprintf(dir, sizeof(dir), "%s/run", tmpdir);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0755);
}
END_TEST

START_TEST(test_status)
{
	struct cli *c = cli_open();
	json_t *ans = req(c, "status"), *o = ok_result(ans);

	ck_assert(json_is_object(o));
	ck_assert_str_eq(S(o, "version"), PACKAGE_VERSION);
	ck_assert_int_eq(I(o, "pid"), getpid());
	ck_assert_int_ge(I(o, "uptime"), 100);
	ck_assert_int_le(I(o, "uptime"), 105);
	ck_assert_str_eq(S(o, "config"), "/nonexistent/hairpind.yaml");
	ck_assert_int_eq(I(o, "conntrack-count"), 3);
	ck_assert_int_eq(I(o, "conntrack-max"), 1000);
	ck_assert_int_eq(I(o, "rx-packets"), 15);
	ck_assert_int_eq(I(o, "rx-bytes"), 1500);
	ck_assert_int_eq(I(o, "tx-packets"), 20);
	ck_assert_int_eq(I(o, "tx-bytes"), 2000);
	ck_assert_int_eq(I(o, "drops"), 3);
	ck_assert_int_eq(I(o, "conntrack-created"), 3);
	ck_assert_int_eq(I(o, "conntrack-expired"), 0);
	ck_assert_int_eq(I(o, "conntrack-evicted"), 0);
	ck_assert_int_eq(I(o, "conntrack-dropped"), 0);
	ck_assert_int_eq(I(o, "nat-mappings"), 1);
	ck_assert_int_eq(I(o, "reloads"), 2);
	ck_assert_int_eq(I(o, "control-clients"), 1);
	json_decref(ans);
	cli_close(c);
}
END_TEST

START_TEST(test_interfaces)
{
	struct cli *c = cli_open();
	json_t *ans = req(c, "interfaces"), *rows = ok_result(ans), *w, *l;
	json_t *drops;

	ck_assert(json_is_array(rows));
	ck_assert_int_eq(json_array_size(rows), 2);
	w = json_array_get(rows, 0);
	l = json_array_get(rows, 1);
	ck_assert_str_eq(S(w, "name"), "wan");
	ck_assert_str_eq(S(w, "tap"), "hp-wan");
	ck_assert_str_eq(S(w, "netns"), "hp-isp");
	ck_assert_str_eq(S(w, "mac"), "02:00:00:00:01:01");
	ck_assert_int_eq(I(w, "mtu"), 1500);
	ck_assert_int_eq(json_array_size(json_object_get(w, "addresses")), 1);
	ck_assert_str_eq(json_string_value(json_array_get(
	    json_object_get(w, "addresses"), 0)), "1.1.1.1/24");
	ck_assert_int_eq(I(w, "rx-packets"), 10);
	ck_assert_int_eq(I(w, "rx-bytes"), 1000);
	ck_assert_int_eq(I(w, "tx-packets"), 20);
	ck_assert_int_eq(I(w, "tx-bytes"), 2000);
	drops = json_object_get(w, "drops");
	ck_assert(json_is_object(drops));
	ck_assert_int_eq(json_object_size(drops), 2);
	ck_assert_int_eq(I(drops, "bad-ip-checksum"), 2);
	ck_assert_int_eq(I(drops, "no-route"), 1);

	ck_assert_str_eq(S(l, "name"), "lan");
	ck_assert(json_is_null(json_object_get(l, "netns")));
	ck_assert_str_eq(S(l, "mac"), "02:00:00:00:02:ab");
	ck_assert_int_eq(I(l, "mtu"), 9000);
	ck_assert_str_eq(json_string_value(json_array_get(
	    json_object_get(l, "addresses"), 1)), "10.0.0.1/8");
	ck_assert_int_eq(json_object_size(json_object_get(l, "drops")), 0);
	json_decref(ans);
	cli_close(c);
}
END_TEST

static json_t *
find_row(json_t *rows, const char *key, const char *value)
{
	size_t i;
	json_t *o;

	json_array_foreach(rows, i, o) {
		json_t *v = json_object_get(o, key);

		if (json_is_string(v) && strcmp(json_string_value(v),
		    value) == 0)
			return o;
	}
	ck_abort_msg("no row with %s=%s", key, value);
	return NULL;
}

START_TEST(test_routes)
{
	struct cli *c = cli_open();
	json_t *ans = req(c, "routes"), *rows = ok_result(ans), *o;

	ck_assert(json_is_array(rows));
	ck_assert_int_eq(json_array_size(rows), route_count(r->routes));
	o = find_row(rows, "dst", "0.0.0.0/0");
	ck_assert_str_eq(S(o, "gateway"), "1.1.1.254");
	ck_assert_str_eq(S(o, "interface"), "wan");
	ck_assert_str_eq(S(o, "kind"), "static");
	o = find_row(rows, "dst", "192.168.1.0/24");
	ck_assert(json_is_null(json_object_get(o, "gateway")));
	ck_assert_str_eq(S(o, "interface"), "lan");
	ck_assert_str_eq(S(o, "kind"), "connected");
	json_decref(ans);
	cli_close(c);
}
END_TEST

START_TEST(test_neighbors)
{
	static const uint8_t frame[42] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,	/* broadcast */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,	/* request */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x02,	/* sender mac */
		192, 168, 1, 2,				/* sender ip */
		0, 0, 0, 0, 0, 0,
		192, 168, 1, 1,				/* target: us */
	};
	struct cli *c;
	json_t *ans, *rows, *o;

	c = cli_open();
	ans = req(c, "neighbors");
	rows = ok_result(ans);
	ck_assert(json_is_array(rows));
	ck_assert_int_eq(json_array_size(rows), 0);	/* no table yet */
	json_decref(ans);

	r->arp = arp_create(r, 16, 4);
	ck_assert_int_eq(arp_input(r->arp, 1, frame, sizeof(frame)), 0);
	ans = req(c, "neighbors");
	rows = ok_result(ans);
	ck_assert_int_eq(json_array_size(rows), 1);
	o = json_array_get(rows, 0);
	ck_assert_str_eq(S(o, "address"), "192.168.1.2");
	ck_assert_str_eq(S(o, "mac"), "02:00:00:00:00:02");
	ck_assert_str_eq(S(o, "interface"), "lan");
	ck_assert_str_eq(S(o, "state"), arp_state_name(ARP_REACHABLE));
	ck_assert_int_le(I(o, "age"), 1);
	json_decref(ans);
	cli_close(c);
}
END_TEST

START_TEST(test_rules)
{
	struct cli *c = cli_open();
	json_t *ans = req(c, "rules"), *rows = ok_result(ans), *o;

	ck_assert_int_eq(json_array_size(rows), 4);
	o = json_array_get(rows, 0);
	ck_assert_str_eq(S(o, "table"), "nat");
	ck_assert_str_eq(S(o, "chain"), "dstnat");
	ck_assert_int_eq(I(o, "index"), 0);
	ck_assert_str_eq(S(o, "rule"), rules[0].text);
	ck_assert_int_eq(I(o, "packets"), 3);
	ck_assert_int_eq(I(o, "bytes"), 180);
	ck_assert(json_is_false(json_object_get(o, "disabled")));
	o = json_array_get(rows, 1);
	ck_assert_str_eq(S(o, "chain"), "srcnat");
	ck_assert_str_eq(S(o, "comment"), "to the world");
	o = json_array_get(rows, 2);
	ck_assert_str_eq(S(o, "chain"), "we\"ird\\chain");
	o = json_array_get(rows, 3);
	ck_assert_str_eq(S(o, "table"), "filter");
	ck_assert_str_eq(S(o, "chain"), "forward");
	ck_assert(json_is_true(json_object_get(o, "disabled")));
	json_decref(ans);
	cli_close(c);
}
END_TEST

START_TEST(test_conntrack)
{
	struct cli *c = cli_open();
	json_t *ans, *rows, *o;

	ans = req(c, "conntrack");
	rows = ok_result(ans);
	ck_assert_int_eq(json_array_size(rows), 3);
	o = find_row(rows, "protocol", "tcp");
	ck_assert_str_eq(S(o, "src-address"), "192.168.1.10:40000");
	ck_assert_str_eq(S(o, "dst-address"), "1.1.1.1:80");
	ck_assert_str_eq(S(o, "reply-src-address"), "192.168.1.2:80");
	ck_assert_str_eq(S(o, "reply-dst-address"), "192.168.1.1:40000");
	ck_assert_str_eq(S(o, "tcp-state"),
	    ct_tcp_state_name(CT_TCP_SYN_SENT));
	ck_assert_int_gt(I(o, "timeout"), 100);
	ck_assert_int_le(I(o, "timeout"), 120);
	ck_assert(json_is_true(json_object_get(o, "srcnat")));
	ck_assert(json_is_true(json_object_get(o, "dstnat")));
	ck_assert_int_eq(I(o, "orig-packets"), 1);
	ck_assert_int_eq(I(o, "orig-bytes"), 60);
	ck_assert_int_eq(I(o, "repl-packets"), 0);
	ck_assert_int_eq(I(o, "repl-bytes"), 0);

	o = find_row(rows, "protocol", "udp");
	ck_assert_str_eq(S(o, "reply-dst-address"), "1.1.1.1:5353");
	ck_assert(json_is_null(json_object_get(o, "tcp-state")));
	ck_assert(json_is_true(json_object_get(o, "srcnat")));
	ck_assert(json_is_false(json_object_get(o, "dstnat")));
	ck_assert_int_eq(I(o, "orig-bytes"), 76);

	o = find_row(rows, "protocol", "icmp");
	ck_assert_str_eq(S(o, "src-address"), "192.168.1.10");
	ck_assert_str_eq(S(o, "dst-address"), "1.1.1.254");
	ck_assert_int_eq(I(o, "icmp-id"), 7);
	ck_assert(json_is_null(json_object_get(o, "tcp-state")));
	json_decref(ans);

	/* filters: either tuple matches */
	ans = req(c, "conntrack proto=udp");
	rows = ok_result(ans);
	ck_assert_int_eq(json_array_size(rows), 1);
	ck_assert_str_eq(S(json_array_get(rows, 0), "protocol"), "udp");
	json_decref(ans);
	ans = req(c, "conntrack src=192.168.1.2");	/* the reply tuple */
	rows = ok_result(ans);
	ck_assert_int_eq(json_array_size(rows), 1);
	ck_assert_str_eq(S(json_array_get(rows, 0), "protocol"), "tcp");
	json_decref(ans);
	ans = req(c, "conntrack src=192.168.1.0/24 dst=1.1.1.0/24");
	rows = ok_result(ans);
	ck_assert_int_eq(json_array_size(rows), 2);	/* tcp and icmp */
	json_decref(ans);
	ans = req(c, "conntrack port=53");
	ck_assert_int_eq(json_array_size(ok_result(ans)), 1);
	json_decref(ans);
	ans = req(c, "conntrack port=7");	/* an ICMP id is no port */
	ck_assert_int_eq(json_array_size(ok_result(ans)), 0);
	json_decref(ans);
	ans = req(c, "conntrack proto=6 port=80 dst=1.1.1.1");
	ck_assert_int_eq(json_array_size(ok_result(ans)), 1);
	json_decref(ans);
	ans = req(c, "conntrack src=10.9.9.9");
	ck_assert_int_eq(json_array_size(ok_result(ans)), 0);
	json_decref(ans);

	/* limit: truncated answers say so */
	ans = req(c, "conntrack limit=2");
	ck_assert(json_is_true(json_object_get(ans, "ok")));
	ck_assert_int_eq(json_array_size(json_object_get(ans, "result")), 2);
	ck_assert(json_is_true(json_object_get(ans, "truncated")));
	json_decref(ans);
	ans = req(c, "conntrack limit=3");
	ck_assert_int_eq(json_array_size(ok_result(ans)), 3);
	json_decref(ans);

	/* bad arguments */
	ans = req(c, "conntrack proto=foo");
	ck_assert_ptr_nonnull(strstr(err_text(ans), "bad proto \"foo\""));
	json_decref(ans);
	ans = req(c, "conntrack port=70000");
	ck_assert_ptr_nonnull(strstr(err_text(ans), "bad port"));
	json_decref(ans);
	ans = req(c, "conntrack src=1.2.3");
	ck_assert_ptr_nonnull(strstr(err_text(ans), "bad src"));
	json_decref(ans);
	ans = req(c, "conntrack dst=1.2.3.4/33");
	ck_assert_ptr_nonnull(strstr(err_text(ans), "bad dst"));
	json_decref(ans);
	ans = req(c, "conntrack limit=0");
	ck_assert_ptr_nonnull(strstr(err_text(ans), "bad limit"));
	json_decref(ans);
	ans = req(c, "conntrack color=red");
	ck_assert_ptr_nonnull(strstr(err_text(ans),
	    "unknown argument \"color=red\""));
	json_decref(ans);
	ans = req(c, "conntrack flush now");
	err_text(ans);
	json_decref(ans);
	ck_assert_int_eq(ct_count(r->ct), 3);
	cli_close(c);
}
END_TEST

START_TEST(test_conntrack_flush)
{
	struct cli *c = cli_open();
	json_t *ans;

	ans = req(c, "conntrack flush");
	ck_assert_int_eq(json_integer_value(ok_result(ans)), 3);
	json_decref(ans);
	ck_assert_int_eq(ct_count(r->ct), 0);
	ans = req(c, "conntrack");
	ck_assert_int_eq(json_array_size(ok_result(ans)), 0);
	json_decref(ans);
	ans = req(c, "status");
	ck_assert_int_eq(I(ok_result(ans), "conntrack-count"), 0);
	json_decref(ans);
	cli_close(c);
}
END_TEST

START_TEST(test_conntrack_many)
{
	struct cli *c = cli_open();
	json_t *ans;
	int i;

	/* more rows than the default limit, so the answer is truncated */
	for (i = 0; i < 996 - 3 + 1; i++)
		ck_assert_ptr_nonnull(ct_add(IPPROTO_UDP, "10.1.0.1",
		    (uint16_t)(1000 + i), "10.2.0.1", 53, "10.2.0.1", 53,
		    "10.1.0.1", (uint16_t)(1000 + i), 0, 60));
	ans = req(c, "conntrack proto=udp limit=500");
	ck_assert_int_eq(json_array_size(json_object_get(ans, "result")), 500);
	ck_assert(json_is_true(json_object_get(ans, "truncated")));
	json_decref(ans);
	ans = req(c, "conntrack proto=udp src=10.1.0.0/16");
	ck_assert_int_eq(json_array_size(ok_result(ans)), 994);
	json_decref(ans);
	cli_close(c);
}
END_TEST

/*
 * Issue 17: `conntrack limit=100000` over a big table is written in
 * slices. Clients that ask and never read hold at most about
 * CONTROL_OUT_MAX each, no loop turn takes long, and a client that does
 * read gets every row.
 */
START_TEST(test_conntrack_listing_bounded)
{
	struct cli *lazy[4], *c;
	struct timespec t0, t1;
	long long worst = 0, us;
	size_t peak = 0, q;
	json_t *ans;
	int i;

	ct_reconfigure(r->ct, 40000, &conf->timeouts);
	for (i = 0; i < 30000; i++)
		ck_assert_ptr_nonnull(ct_add(IPPROTO_UDP, "10.1.0.1",
		    (uint16_t)(1000 + i), "10.2.0.1", 53, "10.2.0.1", 53,
		    "10.1.0.1", (uint16_t)(1000 + i), 0, 60));
	for (i = 0; i < 4; i++) {
		lazy[i] = cli_open();
		cli_send(lazy[i], "conntrack limit=100000\n", 23);
	}
	for (i = 0; i < 300; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		event_base_loop(r->base, EVLOOP_NONBLOCK);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		us = (t1.tv_sec - t0.tv_sec) * 1000000LL +
		    (t1.tv_nsec - t0.tv_nsec) / 1000;
		if (us > worst)
			worst = us;
		q = control_queued_bytes();
		if (q > peak)
			peak = q;
	}
	/* ~300 bytes a row: 9 MB each if queued whole; a slice is only
	   made once the client read, so what its socket holds is all */
	ck_assert_uint_le(peak, 4 * (CONTROL_OUT_MAX + 128 * 1024));
	/* a slice per client per turn (not under valgrind, 50x slower) */
	if (getenv("LD_PRELOAD") == NULL ||
	    strstr(getenv("LD_PRELOAD"), "vgpreload") == NULL)
		ck_assert_int_lt(worst, 200000);
	for (i = 0; i < 4; i++)
		cli_close(lazy[i]);

	/* one that reads gets the whole listing */
	c = cli_open();
	ans = req(c, "conntrack limit=100000");
	ck_assert_int_eq(json_array_size(ok_result(ans)), 30000 + 3);
	ck_assert_ptr_null(json_object_get(ans, "truncated"));
	json_decref(ans);
	ans = req(c, "status");
	ck_assert_ptr_nonnull(ok_result(ans));
	json_decref(ans);
	cli_close(c);
}
END_TEST

START_TEST(test_reload_error)
{
	struct cli *c = cli_open();
	json_t *ans = req(c, "reload");

	ck_assert_ptr_nonnull(strstr(err_text(ans), "/nonexistent/"));
	ck_assert_int_eq(json_object_size(ans), 2);
	json_decref(ans);
	/* nothing changed, and the connection still answers */
	ck_assert_ptr_eq(r->conf, conf);
	ck_assert_int_eq(r->reload_failures, 1);
	ans = req(c, "status");
	ck_assert_int_eq(I(ok_result(ans), "reload-failures"), 1);
	json_decref(ans);
	cli_close(c);
}
END_TEST

START_TEST(test_events)
{
	struct cli *c = cli_open(), *t = cli_open();
	struct ct_entry *e;
	json_t *ans, *o;

	ans = req(c, "events");
	ck_assert(json_is_true(json_object_get(ans, "ok")));
	ck_assert_str_eq(S(ans, "stream"), "events");
	ck_assert_ptr_null(json_object_get(ans, "result"));
	json_decref(ans);
	ans = req(t, "events proto=tcp");
	ck_assert_str_eq(S(ans, "stream"), "events");
	json_decref(ans);

	e = ct_add(IPPROTO_UDP, "192.168.1.10", 6000, "9.9.9.9", 443,
	    "9.9.9.9", 443, "1.1.1.1", 6000, CT_F_SNAT, 100);
	ck_assert_ptr_nonnull(e);
	o = cli_json(c);
	ck_assert_str_eq(S(o, "event"), "new");
	ck_assert_str_eq(S(o, "protocol"), "udp");
	ck_assert_str_eq(S(o, "src-address"), "192.168.1.10:6000");
	ck_assert_str_eq(S(o, "dst-address"), "9.9.9.9:443");
	ck_assert_str_eq(S(o, "reply-dst-address"), "1.1.1.1:6000");
	ck_assert(json_is_true(json_object_get(o, "srcnat")));
	ck_assert_int_eq(I(o, "orig-bytes"), 100);
	json_decref(o);
	ct_remove(r->ct, e);
	o = cli_json(c);
	ck_assert_str_eq(S(o, "event"), "destroy");
	ck_assert_str_eq(S(o, "dst-address"), "9.9.9.9:443");
	json_decref(o);
	/* the tcp-only client saw none of it */
	cli_quiet(t);
	ck_assert_ptr_nonnull(ct_add(IPPROTO_TCP, "192.168.1.11", 1234,
	    "1.1.1.1", 80, "192.168.1.2", 80, "192.168.1.1", 1234,
	    CT_F_SNAT | CT_F_DNAT, 60));
	o = cli_json(t);
	ck_assert_str_eq(S(o, "event"), "new");
	ck_assert_str_eq(S(o, "tcp-state"), ct_tcp_state_name(CT_TCP_SYN_SENT));
	json_decref(o);
	/* requests on a stream connection are ignored */
	cli_send(c, "status\n", 7);
	o = cli_json(c);
	ck_assert_str_eq(S(o, "event"), "new");
	json_decref(o);
	cli_quiet(c);
	cli_close(c);
	cli_close(t);
}
END_TEST

START_TEST(test_events_slow_reader_dropped)
{
	struct cli *c = cli_open(), *q = cli_open();
	struct ct_entry *e;
	json_t *ans;
	int i;

	ans = req(c, "events");
	json_decref(ans);
	/* c never reads: its queue must hit the bound and c must go */
	for (i = 0; i < 20000 && control_stream_drops() == 0; i++) {
		e = ct_add(IPPROTO_UDP, "192.168.1.10",
		    (uint16_t)(2000 + i % 500), "9.9.9.9", 443, "9.9.9.9",
		    443, "1.1.1.1", (uint16_t)(2000 + i % 500), 0, 100);
		ck_assert_ptr_nonnull(e);
		ct_remove(r->ct, e);
		if (i % 100 == 0)
			pump(1);
	}
	ck_assert_int_eq(control_stream_drops(), 1);
	ans = req(q, "status");
	ck_assert_int_eq(I(ok_result(ans), "control-clients"), 1);
	json_decref(ans);
	cli_close(q);
	cli_close(c);
}
END_TEST

START_TEST(test_trace)
{
	struct cli *c = cli_open();
	struct trace tr;
	json_t *ans, *o, *ru;

	ck_assert(!r->tracing);
	ck_assert_ptr_nonnull(r->trace_emit);
	ans = req(c, "trace proto=tcp port=80");
	ck_assert_str_eq(S(ans, "stream"), "trace");
	json_decref(ans);
	ck_assert(r->tracing);

	memset(&tr, 0, sizeof(tr));
	tr.in_if = "lan";
	tr.pkt = (struct ct_tuple){ A("192.168.1.10"), A("1.1.1.1"),
		htons(40000), htons(80), IPPROTO_TCP };
	tr.tcp_flags = 0x02;
	tr.icmp_type = tr.icmp_code = -1;
	tr.len = 60;
	tr.conntrack = "new";
	tr.rules[0] = (struct trace_rule){ "nat", &rules[0], true };
	tr.rules[1] = (struct trace_rule){ "nat", &rules[1], false };
	tr.nrules = 2;
	strcpy(tr.translation, "dst-nat 1.1.1.1:80 -> 192.168.1.2:80");
	strcpy(tr.route, "192.168.1.0/24 connected dev lan");
	tr.out_if = "lan";
	strcpy(tr.verdict, "forward");
	r->trace_emit(r->trace_arg, &tr);

	o = cli_json(c);
	ck_assert(json_is_number(json_object_get(o, "time")));
	ck_assert_str_eq(S(o, "in-interface"), "lan");
	ck_assert_str_eq(S(o, "protocol"), "tcp");
	ck_assert_str_eq(S(o, "src-address"), "192.168.1.10:40000");
	ck_assert_str_eq(S(o, "dst-address"), "1.1.1.1:80");
	ck_assert_str_eq(S(o, "tcp-flags"), "SYN");
	ck_assert_int_eq(I(o, "len"), 60);
	ck_assert_str_eq(S(o, "conntrack"), "new");
	ck_assert_int_eq(json_array_size(json_object_get(o, "rules")), 2);
	ru = json_array_get(json_object_get(o, "rules"), 0);
	ck_assert_str_eq(S(ru, "table"), "nat");
	ck_assert_str_eq(S(ru, "chain"), "dstnat");
	ck_assert_int_eq(I(ru, "index"), 0);
	ck_assert_str_eq(S(ru, "rule"), rules[0].text);
	ck_assert(json_is_true(json_object_get(ru, "matched")));
	ru = json_array_get(json_object_get(o, "rules"), 1);
	ck_assert_str_eq(S(ru, "chain"), "srcnat");
	ck_assert(json_is_false(json_object_get(ru, "matched")));
	ck_assert_str_eq(S(o, "translation"),
	    "dst-nat 1.1.1.1:80 -> 192.168.1.2:80");
	ck_assert_str_eq(S(o, "route"), "192.168.1.0/24 connected dev lan");
	ck_assert_str_eq(S(o, "out-interface"), "lan");
	ck_assert_str_eq(S(o, "verdict"), "forward");
	json_decref(o);

	/* the answer (reversed tuple) matches too; flags print in order */
	tr.pkt = (struct ct_tuple){ A("192.168.1.2"), A("192.168.1.1"),
		htons(80), htons(40000), IPPROTO_TCP };
	tr.tcp_flags = 0x12;
	tr.nrules = 0;
	tr.translation[0] = '\0';
	tr.out_if = NULL;
	r->trace_emit(r->trace_arg, &tr);
	o = cli_json(c);
	ck_assert_str_eq(S(o, "tcp-flags"), "SYN,ACK");
	ck_assert(json_is_null(json_object_get(o, "translation")));
	ck_assert(json_is_null(json_object_get(o, "out-interface")));
	ck_assert_int_eq(json_array_size(json_object_get(o, "rules")), 0);
	json_decref(o);

	/* filtered out: UDP, and TCP on another port */
	tr.pkt.proto = IPPROTO_UDP;
	r->trace_emit(r->trace_arg, &tr);
	tr.pkt = (struct ct_tuple){ A("192.168.1.10"), A("1.1.1.1"),
		htons(40000), htons(443), IPPROTO_TCP };
	r->trace_emit(r->trace_arg, &tr);
	cli_quiet(c);

	cli_close(c);
	ck_assert(!r->tracing);
}
END_TEST

/* --- metrics: a small validator of the text format ------------------------ */

static bool
metric_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_' ||
	    s[0] == ':'))
		return false;
	for (i = 1; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_' ||
		    s[i] == ':'))
			return false;
	return true;
}

/* Parse `{a="x",b="y"}` at *p; advance past it. */
static bool
labels_ok(const char **p)
{
	const char *s = *p, *n;

	if (*s != '{')
		return true;
	s++;
	while (*s != '}') {
		n = s;
		while (isalnum((unsigned char)*s) || *s == '_')
			s++;
		if (s == n || !metric_name_ok(n, (size_t)(s - n)) ||
		    *s++ != '=' || *s++ != '"')
			return false;
		while (*s != '"') {
			if (*s == '\0' || *s == '\n')
				return false;
			if (*s == '\\') {
				s++;
				if (*s != '\\' && *s != '"' && *s != 'n')
					return false;
			}
			s++;
		}
		s++;
		if (*s == ',')
			s++;
		else if (*s != '}')
			return false;
	}
	*p = s + 1;
	return true;
}

struct family {
	char name[128];
	char type[16];
	bool help;
};

static char verr[300];

#define VCHECK(cond, ...) do {						\
	if (!(cond)) {							\
		snprintf(verr, sizeof(verr), __VA_ARGS__);		\
		return verr;						\
	}								\
} while (0)

/*
 * Check Prometheus text format 0.0.4: every line is a HELP or TYPE line
 * or `name{labels} value`; names and labels well formed, label values
 * escaped; every sample's family has HELP and TYPE before it; counters
 * end in _total. Return: NULL, or what is wrong.
 */
static const char *
metrics_validate(const char *text, int *nsamples)
{
	struct family fam[128];
	int nfam = 0, i, lineno = 0;
	const char *line = text, *end, *p, *n;
	char name[128], buf[256];

	*nsamples = 0;
	while (*line != '\0') {
		end = strchr(line, '\n');
		VCHECK(end != NULL, "last line without newline");
		lineno++;
		VCHECK((size_t)(end - line) < sizeof(buf), "line %d: too long",
		    lineno);
		memcpy(buf, line, (size_t)(end - line));
		buf[end - line] = '\0';
		line = end + 1;
		if (strncmp(buf, "# HELP ", 7) == 0 ||
		    strncmp(buf, "# TYPE ", 7) == 0) {
			bool help = buf[2] == 'H';

			p = buf + 7;
			n = p;
			while (*p != ' ' && *p != '\0')
				p++;
			VCHECK(metric_name_ok(n, (size_t)(p - n)),
			    "line %d: bad name", lineno);
			snprintf(name, sizeof(name), "%.*s", (int)(p - n), n);
			for (i = 0; i < nfam; i++)
				if (strcmp(fam[i].name, name) == 0)
					break;
			if (i == nfam) {
				VCHECK(nfam < 128, "too many families");
				memset(&fam[nfam], 0, sizeof(fam[0]));
				strcpy(fam[nfam++].name, name);
			}
			VCHECK(*p == ' ', "line %d: no text", lineno);
			if (help) {
				fam[i].help = true;
				continue;
			}
			VCHECK(fam[i].type[0] == '\0', "line %d: second TYPE",
			    lineno);
			VCHECK(strcmp(p + 1, "counter") == 0 ||
			    strcmp(p + 1, "gauge") == 0, "line %d: type %s",
			    lineno, p + 1);
			strcpy(fam[i].type, p + 1);
			VCHECK(strcmp(p + 1, "counter") != 0 ||
			    (strlen(name) > 6 && strcmp(name + strlen(name) -
			    6, "_total") == 0), "%s: counter without _total",
			    name);
			continue;
		}
		VCHECK(buf[0] != '#', "line %d: stray comment", lineno);
		p = buf;
		while (isalnum((unsigned char)*p) || *p == '_' || *p == ':')
			p++;
		VCHECK(metric_name_ok(buf, (size_t)(p - buf)),
		    "line %d: bad sample name: %s", lineno, buf);
		snprintf(name, sizeof(name), "%.*s", (int)(p - buf), buf);
		VCHECK(labels_ok(&p), "line %d: bad labels: %s", lineno, buf);
		VCHECK(*p == ' ', "line %d: no value", lineno);
		p++;
		VCHECK(*p != '\0' && strspn(p, "0123456789") == strlen(p),
		    "line %d: bad value \"%s\"", lineno, p);
		for (i = 0; i < nfam; i++)
			if (strcmp(fam[i].name, name) == 0)
				break;
		VCHECK(i < nfam && fam[i].type[0] != '\0' && fam[i].help,
		    "line %d: %s without HELP/TYPE before it", lineno, name);
		(*nsamples)++;
	}
	return NULL;
}

START_TEST(test_metrics)
{
	struct cli *c = cli_open();
	json_t *ans = req(c, "metrics"), *res = ok_result(ans);
	const char *text, *err;
	int n;

	ck_assert(json_is_string(res));
	text = json_string_value(res);
	err = metrics_validate(text, &n);
	ck_assert_msg(err == NULL, "%s", err);
	/* 2 interfaces x (4 + drop reasons) + 2 x 3 rules + the rest */
	ck_assert_int_gt(n, 2 * (4 + DROP_COUNT) + 6);
	ck_assert_ptr_nonnull(strstr(text,
	    "\nhairpind_interface_rx_packets_total{interface=\"wan\"} 10\n"));
	ck_assert_ptr_nonnull(strstr(text,
	    "\nhairpind_interface_tx_bytes_total{interface=\"wan\"} 2000\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nhairpind_interface_drops_total"
	    "{interface=\"wan\",reason=\"bad-ip-checksum\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nhairpind_interface_drops_total"
	    "{interface=\"lan\",reason=\"no-route\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nhairpind_rule_packets_total"
	    "{table=\"nat\",chain=\"dstnat\",index=\"0\"} 3\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nhairpind_rule_bytes_total"
	    "{table=\"nat\",chain=\"srcnat\",index=\"0\"} 700\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nhairpind_rule_packets_total"
	    "{table=\"nat\",chain=\"we\\\"ird\\\\chain\",index=\"0\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nhairpind_conntrack_entries 3\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nhairpind_conntrack_max 1000\n"));
	ck_assert_ptr_nonnull(strstr(text,
	    "\nhairpind_conntrack_created_total 3\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nhairpind_nat_mappings 1\n"));
	ck_assert_ptr_nonnull(strstr(text,
	    "\nhairpind_nat_port_exhausted_total 0\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nhairpind_frag_pending 0\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nhairpind_reloads_total 2\n"));
	ck_assert_ptr_nonnull(strstr(text, "# TYPE hairpind_uptime_seconds "
	    "gauge\n"));
	json_decref(ans);
	cli_close(c);
}
END_TEST

START_TEST(test_metrics_validator)
{
	static const char *const bad[] = {
		"y 1\n",					/* no TYPE */
		"# HELP x a\n# TYPE x counter\nx 1\n",	/* no _total */
		"# HELP x a\n# TYPE x gauge\nx{a=\"b} 1\n",
		"# HELP x a\n# TYPE x gauge\nx{a=\"\\q\"} 1\n",
		"# HELP x a\n# TYPE x gauge\nx{1a=\"b\"} 1\n",
		"# HELP x a\n# TYPE x gauge\nx 1.5x\n",
		"# HELP x a\n# TYPE x gauge\nx 1",	/* no newline */
		"# HELP x a\n# TYPE x histo\nx 1\n",
		"# HELP 9x a\n# TYPE 9x gauge\n9x 1\n",
		"# HELP x a\n# TYPE x gauge\n# TYPE x gauge\nx 1\n",
	};
	size_t i;
	int n;

	/* the validator itself must catch a broken exposition */
	ck_assert_ptr_null(metrics_validate("# HELP x_total a\n"
	    "# TYPE x_total counter\nx_total{a=\"b\\\"c\",d=\"\"} 1\n",
	    &n));
	ck_assert_int_eq(n, 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(metrics_validate(bad[i], &n) != NULL,
		    "accepted: %s", bad[i]);
}
END_TEST

/* --- bad input ----------------------------------------------------------- */

START_TEST(test_pipelined)
{
	struct cli *c = cli_open();
	static const char reqs[] = "status\nroutes\r\nrules\n  \t\nfoo\n";
	json_t *a;

	cli_send(c, reqs, sizeof(reqs) - 1);
	a = cli_json(c);
	ck_assert(json_is_object(ok_result(a)));
	json_decref(a);
	a = cli_json(c);
	ck_assert(json_is_array(ok_result(a)));
	ck_assert_ptr_nonnull(json_object_get(json_array_get(
	    json_object_get(a, "result"), 0), "dst"));
	json_decref(a);
	a = cli_json(c);
	ck_assert_ptr_nonnull(json_object_get(json_array_get(
	    json_object_get(a, "result"), 0), "rule"));
	json_decref(a);
	a = cli_json(c);
	ck_assert_str_eq(err_text(a), "empty request");
	json_decref(a);
	a = cli_json(c);
	ck_assert_ptr_nonnull(strstr(err_text(a),
	    "unknown command \"foo\""));
	ck_assert_ptr_nonnull(strstr(err_text(a), "metrics"));
	json_decref(a);
	cli_quiet(c);
	cli_close(c);
}
END_TEST

START_TEST(test_oversized)
{
	struct cli *c = cli_open();
	char *big = malloc(10000);
	json_t *a;

	/* one write with the newline */
	memset(big, 'a', 5000);
	big[5000] = '\n';
	cli_send(c, big, 5001);
	a = cli_json(c);
	ck_assert_ptr_nonnull(strstr(err_text(a), "too long"));
	json_decref(a);
	a = req(c, "status");
	ok_result(a);
	json_decref(a);

	/* in pieces: the error comes once the bound is passed, the rest of
	   the line is skipped, the next request answered */
	memset(big, 'b', 9000);
	cli_send(c, big, 4097);
	a = cli_json(c);
	ck_assert_ptr_nonnull(strstr(err_text(a), "too long"));
	json_decref(a);
	cli_send(c, big, 9000);
	pump(5);
	cli_send(c, "bbb\nstatus\n", 11);
	a = cli_json(c);
	ok_result(a);
	json_decref(a);
	cli_quiet(c);

	/* exactly 4096 bytes is still a request */
	memset(big, 'c', 4096);
	big[4096] = '\n';
	cli_send(c, big, 4097);
	a = cli_json(c);
	ck_assert_ptr_nonnull(strstr(err_text(a), "unknown command"));
	json_decref(a);
	memset(big, 'c', 4097);
	big[4097] = '\n';
	cli_send(c, big, 4098);
	a = cli_json(c);
	ck_assert_ptr_nonnull(strstr(err_text(a), "too long"));
	json_decref(a);
	a = req(c, "rules");
	ok_result(a);
	json_decref(a);
	free(big);
	cli_close(c);
}
END_TEST

START_TEST(test_binary_junk)
{
	static const char *const junk[] = {
		"\x01\x02\xff\xfe",		/* control bytes, no UTF-8 */
		"status\xc3(",			/* broken sequence */
		"\xc0\xafstatus",		/* overlong */
		"\xed\xa0\x80",			/* surrogate */
		"sta\x1btus",			/* escape */
	};
	struct cli *c = cli_open();
	char nul[] = "sta\0tus\n", word[128], expect[128];
	json_t *a;
	size_t i;

	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		a = req(c, junk[i]);
		ck_assert_str_eq(err_text(a), "request is not UTF-8 text");
		json_decref(a);
	}
	cli_send(c, nul, sizeof(nul) - 1);
	a = cli_json(c);
	ck_assert_str_eq(err_text(a), "request is not UTF-8 text");
	json_decref(a);
	/* UTF-8 is fine, and echoed back correctly */
	a = req(c, "st\xc3\xa4tus");
	ck_assert_str_eq(err_text(a), "unknown command \"st\xc3\xa4tus\" "
	    "(expected status, interfaces, routes, neighbors, rules, "
	    "address-lists, interface-lists, conntrack, reload, events, "
	    "trace or metrics)");
	json_decref(a);
	a = req(c, "status now");
	ck_assert_str_eq(err_text(a), "status: unexpected argument \"now\"");
	json_decref(a);
	/* long words are cut in the message, at a character boundary */
	memset(word, 'a', 100);
	word[100] = '\0';
	a = req(c, word);
	snprintf(expect, sizeof(expect), "\"%.59s...\"", word);
	ck_assert_ptr_nonnull(strstr(err_text(a), expect));
	json_decref(a);
	for (i = 0; i < 40; i++)
		memcpy(word + 2 * i, "\xc3\xa9", 2);
	word[80] = '\0';
	a = req(c, word);
	snprintf(expect, sizeof(expect), "\"%.58s...\"", word);
	ck_assert_ptr_nonnull(strstr(err_text(a), expect));
	json_decref(a);
	a = req(c, "interfaces");
	ok_result(a);
	json_decref(a);
	cli_close(c);
}
END_TEST

START_TEST(test_backpressure)
{
	struct cli *c = cli_open();
	char reqs[4000];
	json_t *a;
	int i, n = (int)(sizeof(reqs) / 8);

	/* 500 metrics requests in a row, several MiB of answers: they all
	   come, in order, while the queue stays bounded */
	for (i = 0; i < n; i++)
		memcpy(reqs + 8 * i, "metrics\n", 8);
	cli_send(c, reqs, sizeof(reqs));
	for (i = 0; i < n; i++) {
		a = cli_json(c);
		ck_assert(json_is_string(ok_result(a)));
		json_decref(a);
	}
	cli_quiet(c);
	cli_close(c);
}
END_TEST

START_TEST(test_eof_last_line)
{
	struct cli *c = cli_open();
	json_t *a;

	cli_send(c, "routes\nstatus", 13);
	shutdown(c->fd, SHUT_WR);
	a = cli_json(c);
	ck_assert(json_is_array(ok_result(a)));
	json_decref(a);
	a = cli_json(c);
	ck_assert(json_is_object(ok_result(a)));
	json_decref(a);
	ck_assert_ptr_null(cli_line(c));	/* then the daemon closes */
	cli_close(c);
}
END_TEST

START_TEST(test_max_clients)
{
	struct cli *c[9];
	json_t *a;
	char *line;
	int i;

	for (i = 0; i < 8; i++)
		c[i] = cli_open();
	c[8] = cli_open();
	line = cli_line(c[8]);
	ck_assert_str_eq(line, "{\"ok\":false,\"error\":\"too many clients\"}");
	free(line);
	ck_assert_ptr_null(cli_line(c[8]));
	cli_close(c[8]);
	a = req(c[7], "status");
	ck_assert_int_eq(I(ok_result(a), "control-clients"), 8);
	json_decref(a);
	/* a slot frees up */
	cli_close(c[0]);
	c[0] = cli_open();
	a = req(c[0], "status");
	ok_result(a);
	json_decref(a);
	for (i = 0; i < 8; i++)
		cli_close(c[i]);
}
END_TEST

START_TEST(test_emfile_pause)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct rlimit rl;
	struct cli *c = calloc(1, sizeof(*c));
	int fds[64], n = 0, i;
	json_t *a;

	/*
	 * valgrind holds descriptors of its own and answers rlimit calls
	 * itself, so the EMFILE it produces is not the daemon's: this one
	 * test runs only outside it (tests/valgrind.sh sets the variable).
	 */
	if (getenv("HAIRPIND_UNDER_VALGRIND") != NULL) {
		free(c);
		return;
	}
	/* a client waits in the backlog while the daemon has no fd left */
	strcpy(sun.sun_path, sockpath);
	c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(connect(c->fd, (struct sockaddr *)&sun,
	    sizeof(sun)), 0);
	fcntl(c->fd, F_SETFL, O_NONBLOCK);
	cli_send(c, "status\n", 7);
	/* only the soft limit: valgrind refuses to lower the hard one */
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = 64;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	while (n < 64 && (fds[n] = dup(0)) != -1)
		n++;
	ck_assert_int_eq(errno, EMFILE);
	pump(50);	/* accept fails: paused, not spinning, not dead */
	for (i = 0; i < n; i++)
		close(fds[i]);
	/* after the pause the listener takes the client */
	a = cli_json(c);
	ck_assert(json_is_object(ok_result(a)));
	json_decref(a);
	cli_close(c);
}
END_TEST

/* --- the socket file ----------------------------------------------------- */

static int
listen_at(const char *path, bool do_listen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(sun.sun_path, path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	if (do_listen)
		ck_assert_int_eq(listen(fd, 1), 0);
	return fd;
}

START_TEST(test_socket_stale_and_live)
{
	char *cause = NULL;
	struct stat st;
	int fd;

	control_shutdown();
	ck_assert_int_eq(access(sockpath, F_OK), -1);	/* removed */

	/* a stale socket (nobody listens) is replaced */
	fd = listen_at(sockpath, false);
	close(fd);
	ck_assert_int_eq(control_init(r, &cause), 0);
	control_shutdown();

	/* a live one is not */
	fd = listen_at(sockpath, true);
	ck_assert_int_eq(control_init(r, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "another hairpind"));
	free(cause);
	ck_assert_int_eq(access(sockpath, F_OK), 0);
	close(fd);
	unlink(sockpath);

	/* nor is a file that is not a socket */
	fd = open(sockpath, O_CREAT | O_WRONLY, 0600);
	close(fd);
	ck_assert_int_eq(control_init(r, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "not a socket"));
	free(cause);
	unlink(sockpath);

	/* control.group: by name or number; an unknown one is an error */
	if (geteuid() == 0) {
		conf->ctl_group = "65534";
		conf->ctl_mode = 0640;
		ck_assert_int_eq(control_init(r, &cause), 0);
		ck_assert_int_eq(lstat(sockpath, &st), 0);
		ck_assert_int_eq(st.st_gid, 65534);
		ck_assert_int_eq(st.st_mode & 0777, 0640);
		control_shutdown();
	}
	conf->ctl_group = "no-such-group-hp";
	ck_assert_int_eq(control_init(r, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "no such group"));
	free(cause);
	ck_assert_int_eq(access(sockpath, F_OK), -1);
	conf->ctl_group = NULL;

	ck_assert_int_eq(control_init(r, &cause), 0);
}
END_TEST

/* --- privilege drop (root only; check forks, so each test is alone) ------ */

START_TEST(test_privdrop_root)
{
	char *cause = NULL, dir[] = "/tmp/check_control.XXXXXX";

	if (geteuid() != 0)
		return;
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(privdrop_drop(NULL, &cause), 0);
	ck_assert_int_eq(getuid(), 0);
	ck_assert_int_eq(capng_get_caps_process(), 0);
	ck_assert_int_eq(capng_have_capabilities(CAPNG_SELECT_CAPS),
	    CAPNG_NONE);
	ck_assert_int_eq(capng_have_capabilities(CAPNG_SELECT_BOUNDS),
	    CAPNG_NONE);
	ck_assert_int_eq(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);
	/* the proof: root without CAP_CHOWN cannot chown */
	ck_assert_int_eq(chown(dir, 1, 1), -1);
	ck_assert_int_eq(errno, EPERM);
	rmdir(dir);
}
END_TEST

START_TEST(test_privdrop_user)
{
	struct passwd *pw = getpwnam("nobody");
	char *cause = NULL;

	if (geteuid() != 0 || pw == NULL)
		return;
	ck_assert_int_eq(privdrop_drop("nobody", &cause), 0);
	ck_assert_int_eq(getuid(), pw->pw_uid);
	ck_assert_int_eq(geteuid(), pw->pw_uid);
	ck_assert_int_eq(getgid(), pw->pw_gid);
	ck_assert_int_eq(getgroups(0, NULL), 0);
	ck_assert_int_eq(setuid(0), -1);
	ck_assert_int_eq(capng_get_caps_process(), 0);
	ck_assert_int_eq(capng_have_capabilities(CAPNG_SELECT_BOTH),
	    CAPNG_NONE);
	ck_assert_int_eq(privdrop_drop("no-such-user-hp", &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "no such user"));
	free(cause);
}
END_TEST

/*
 * Issue 17: no path operation as root follows a symlink, and the socket's
 * directory is never one another user may write to.
 */
START_TEST(test_socket_dir_safety)
{
	struct passwd *pw = getpwnam("nobody");
	char *cause = NULL, dir[200], victim[220];
	struct stat st;
	int fd;

	if (geteuid() != 0 || pw == NULL)
		return;
	control_shutdown();
	snprintf(dir, sizeof(dir), "%s/run", tmpdir);
	snprintf(victim, sizeof(victim), "%s/victim", tmpdir);
	fd = open(victim, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ne(fd, -1);
	close(fd);

	/* a symlink planted where the socket goes: not followed */
	ck_assert_int_eq(symlink(victim, sockpath), 0);
	conf->ctl_group = "65534";
	ck_assert_int_eq(control_init(r, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "not a socket"));
	free(cause);
	ck_assert_int_eq(stat(victim, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(st.st_gid, 0);
	ck_assert_int_eq(unlink(sockpath), 0);

	/* a directory of another user's: refused, nothing made there */
	ck_assert_int_eq(chown(dir, pw->pw_uid + 1, 0), 0);
	ck_assert_int_eq(control_init(r, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "must belong to root"));
	free(cause);
	ck_assert_int_eq(lstat(sockpath, &st), -1);
	ck_assert_int_eq(chown(dir, 0, 0), 0);

	/* group-writable, not sticky: refused; sticky: fine */
	ck_assert_int_eq(chmod(dir, 0775), 0);
	ck_assert_int_eq(control_init(r, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "writable by group or others"));
	free(cause);
	ck_assert_int_eq(chmod(dir, 01777), 0);
	ck_assert_int_eq(control_init(r, &cause), 0);
	control_shutdown();
	ck_assert_int_eq(chmod(dir, 0755), 0);

	/* one that an older hairpind gave to user: is taken back */
	conf->user = "nobody";
	ck_assert_int_eq(chown(dir, pw->pw_uid, 0), 0);
	ck_assert_int_eq(control_init(r, &cause), 0);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_int_eq(st.st_uid, 0);
	/* the socket is born with its mode (no chmod by path) and group */
	ck_assert_int_eq(lstat(sockpath, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, conf->ctl_mode & 0777);
	ck_assert_int_eq(st.st_gid, 65534);
	conf->user = NULL;
	conf->ctl_group = NULL;
	unlink(victim);
}
END_TEST

static Suite *
control_suite(void)
{
	Suite *s = suite_create("control");
	TCase *tc = tcase_create("commands");
	TCase *tb = tcase_create("bad-input");
	TCase *tp = tcase_create("privdrop");
	TCase *td = tcase_create("privdrop-dir");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_socket_mode);
	tcase_add_test(tc, test_status);
	tcase_add_test(tc, test_interfaces);
	tcase_add_test(tc, test_routes);
	tcase_add_test(tc, test_neighbors);
	tcase_add_test(tc, test_rules);
	tcase_add_test(tc, test_conntrack);
	tcase_add_test(tc, test_conntrack_flush);
	tcase_add_test(tc, test_conntrack_many);
	tcase_add_test(tc, test_conntrack_listing_bounded);
	tcase_add_test(tc, test_reload_error);
	tcase_add_test(tc, test_events);
	tcase_add_test(tc, test_events_slow_reader_dropped);
	tcase_add_test(tc, test_trace);
	tcase_add_test(tc, test_metrics);
	tcase_add_test(tc, test_metrics_validator);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tb, setup, teardown);
	tcase_set_timeout(tb, 60);
	tcase_add_test(tb, test_pipelined);
	tcase_add_test(tb, test_oversized);
	tcase_add_test(tb, test_binary_junk);
	tcase_add_test(tb, test_backpressure);
	tcase_add_test(tb, test_eof_last_line);
	tcase_add_test(tb, test_max_clients);
	tcase_add_test(tb, test_emfile_pause);
	tcase_add_test(tb, test_socket_stale_and_live);
	suite_add_tcase(s, tb);

	/* no control socket here: after the drop it could not be removed */
	tcase_add_test(tp, test_privdrop_root);
	tcase_add_test(tp, test_privdrop_user);
	suite_add_tcase(s, tp);
	tcase_add_checked_fixture(td, setup, teardown);
	tcase_add_test(td, test_socket_dir_safety);
	suite_add_tcase(s, td);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(control_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
