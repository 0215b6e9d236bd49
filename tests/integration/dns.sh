#!/bin/bash
# SPDX-License-Identifier: ISC
# The router as a DNS server (SPEC section 10) with real clients: dig,
# curl and python's resolver in the LAN client, an upstream dnsmasq in the
# ISP namespace at 2.2.2.53. Static entries, forwarding, the cache,
# truncation then TCP (both to the router and from it upstream),
# split-horizon for internal and external clients, refusal on the WAN,
# malformed queries, and SERVFAIL when the upstream is down.

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

if [ "$ROUTER" = kernel ]; then
	echo "SKIP: dns.sh tests hairpind's own resolver"
	exit 77
fi
for tool in dig dnsmasq; do
	if ! command -v "$tool" >/dev/null; then
		echo "SKIP: dns.sh needs $tool (contrib/lab/deps.sh installs it)"
		exit 77
	fi
done

t_setup
t_topology

C=$LAB_NS_CLIENT
I=$LAB_NS_ISP

# python's and curl's resolver read /etc/resolv.conf; `ip netns exec`
# mounts /etc/netns/NS/resolv.conf over it.
mkdir -p "/etc/netns/$C"
echo "nameserver 192.168.1.1" >"/etc/netns/$C/resolv.conf"
dns_cleanup() {
	rm -rf "/etc/netns/$C"
	t_cleanup
}
trap dns_cleanup EXIT

# --- the upstream: a dnsmasq on 2.2.2.53 in the ISP namespace ---------------
ip -n "$I" addr add 2.2.2.53/32 dev lo
big=$(printf 'x%.0s' $(seq 200))
bigtxt=
for i in 1 2 3 4 5 6 7 8; do
	bigtxt="$bigtxt,$i$big"
done
upstream_start() {
	t_bg dnsmasq "$I" dnsmasq --keep-in-foreground --no-resolv --no-hosts \
	    --listen-address=2.2.2.53 --bind-interfaces --port=53 \
	    --pid-file= --user=root --log-queries --log-facility=- \
	    --host-record=www.example.test,1.1.1.1 \
	    --host-record=full.example.test,1.1.1.2 \
	    --host-record=other.example.test,203.0.113.7 \
	    --txt-record="big.example.test$bigtxt" \
	    --address=/nx.example.test/ --local-ttl=300
	lab_wait 10 lab_listening "$I" 2.2.2.53 53 udp ||
	    t_fail "dnsmasq listening on 2.2.2.53"
}
upstream_start
# another server, only for the FWD entry's domain
ip -n "$I" addr add 2.2.2.54/32 dev lo
t_bg dnsmasq2 "$I" dnsmasq --keep-in-foreground --no-resolv --no-hosts \
    --listen-address=2.2.2.54 --bind-interfaces --port=53 --pid-file= \
    --user=root --host-record=www.sub.fwd.example,198.51.100.9
lab_wait 10 lab_listening "$I" 2.2.2.54 53 udp ||
    t_fail "dnsmasq listening on 2.2.2.54"

# --- the router: the seed, a second public address mapped whole -------------
conf=$(t_config dns \
    --add-nat "chain=dstnat dst-address=1.1.1.2 action=dst-nat to-addresses=192.168.1.2")
sed -i 's|^\( *\)- 1\.1\.1\.1/24$|&\n\1- 1.1.1.2/24|' "$conf"
# this test's dns: section replaces the one etc/hairpind.yaml gives
"$PY" - "$conf" <<'EOF' || t_fail "config: dns section"
import sys, yaml
conf = yaml.safe_load(open(sys.argv[1]))
conf["dns"] = yaml.safe_load(r'''
dns:
  servers: [2.2.2.53]
  allow-remote-requests: yes
  split-horizon: auto
  query-server-timeout: 300ms
  query-total-timeout: 1500ms
  max-concurrent-queries: 50
  max-concurrent-tcp-sessions: 4
  static:
    - { name: www.example.test, address: 192.168.1.2 }
    - { name: static.example.test, address: 192.168.1.77, ttl: 1h }
    - { regexp: '^[a-z0-9-]+\.lab\.example$', address: 192.168.1.3 }
    - { name: alias.example.test, type: CNAME, cname: static.example.test }
    - { name: far.example.test, type: CNAME, cname: other.example.test }
    - { name: gone.example.test, type: NXDOMAIN }
    - { name: txt.example.test, text: "hello from the router" }
    - { name: example.test, type: MX, mx-exchange: mail.example.test, mx-preference: 10 }
    - { name: fwd.example, type: FWD, forward-to: 2.2.2.54, match-subdomain: yes }
''')["dns"]
yaml.safe_dump(conf, open(sys.argv[1], "w"), sort_keys=False, width=200)
EOF
grep -q '1.1.1.2/24' "$conf" || t_fail "config: second WAN address" "$(cat "$conf")"

# hairpind -t names the rule split-horizon cannot use, and why
t_run "$HAIRPIND" -t -f "$conf"
assert_match "hairpind -t: note on the port-specific dst-nat" \
    'note: dns split-horizon: nat rule 0 .*maps only some ports' "$T_OUT"
assert_match "hairpind -t: still ok" 'configuration ok' "$T_OUT"

router_start "$conf" || t_done

# dg NS ARGS...: a bounded dig, short answers
dg() {
	local ns=$1
	shift
	ip netns exec "$ns" dig +time=2 +tries=1 "$@"
}
export -f dg

t_run dg "$C" @192.168.1.1 +short static.example.test
assert_eq "static A over UDP" 192.168.1.77 "$T_OUT"
t_run dg "$C" @192.168.1.1 +short +tcp static.example.test
assert_eq "static A over TCP" 192.168.1.77 "$T_OUT"

# trace: a query is handed to the resolver, with a word on why it matters
timeout 5 "$HAIRPINCTL" -s "$T_SOCK" trace proto=udp port=53 \
    >"$T_TMP/trace.txt" 2>&1 &
tpid=$!
sleep 0.5
t_run dg "$C" @192.168.1.1 +short static.example.test
wait "$tpid"
assert_match "trace: the query goes to the router's resolver" \
    'local: dns' "$(cat "$T_TMP/trace.txt")"
assert_match "trace: ... and says in plain words what it is for" \
    'reach the server directly' "$(cat "$T_TMP/trace.txt")"
t_run dg "$C" @192.168.1.1 +short host1.lab.example
assert_eq "static regexp" 192.168.1.3 "$T_OUT"
t_run dg "$C" @192.168.1.1 +short alias.example.test
assert_eq "static CNAME to a static name" \
    "static.example.test.
192.168.1.77" "$T_OUT"
t_run dg "$C" @192.168.1.1 +short far.example.test
assert_eq "static CNAME to a forwarded name" \
    "other.example.test.
203.0.113.7" "$T_OUT"
t_run dg "$C" @192.168.1.1 gone.example.test
assert_match "static NXDOMAIN" 'status: NXDOMAIN' "$T_OUT"
t_run dg "$C" @192.168.1.1 +short TXT txt.example.test
assert_eq "static TXT" '"hello from the router"' "$T_OUT"
t_run dg "$C" @192.168.1.1 +short MX example.test
assert_eq "static MX" '10 mail.example.test.' "$T_OUT"
t_run dg "$C" @192.168.1.1 +short AAAA static.example.test
assert_eq "a static name has no AAAA: NODATA" "" "$T_OUT"
t_run dg "$C" @192.168.1.1 +short www.sub.fwd.example
assert_eq "FWD entry (match-subdomain) forwards to its own server" \
    198.51.100.9 "$T_OUT"
t_run dg "$C" @192.168.1.1 +short www.sub.fwd.example.test
assert_no_match "... and only for its domain" '198\.51\.100\.9' "$T_OUT"

# forwarding and the cache
t_run dg "$C" @192.168.1.1 +short other.example.test
assert_eq "forwarded to 2.2.2.53" 203.0.113.7 "$T_OUT"
t_run dg "$C" @192.168.1.1 nx.example.test
assert_match "forwarded NXDOMAIN" 'status: NXDOMAIN' "$T_OUT"
n1=$(grep -c 'query\[A\] other.example.test' "$LAB_STATE/dnsmasq.log")
t_run dg "$C" @192.168.1.1 other.example.test
assert_match "cached answer" '203\.0\.113\.7' "$T_OUT"
ttl=$(printf '%s\n' "$T_OUT" | awk '$1 == "other.example.test." {print $2}')
n2=$(grep -c 'query\[A\] other.example.test' "$LAB_STATE/dnsmasq.log")
assert_eq "the cached answer did not go upstream" "$n1" "$n2"
[ -n "$ttl" ] && [ "$ttl" -le 300 ] && t_pass "cached TTL counts down ($ttl)" ||
    t_fail "cached TTL counts down" "ttl: $ttl"
t_run "$HAIRPINCTL" -s "$T_SOCK" dns
assert_match "hairpinctl dns lists the cached record" \
    'other\.example\.test\. +A +203\.0\.113\.7 .* no' "$T_OUT"
assert_match "hairpinctl dns lists a static entry" \
    'static\.example\.test +A +192\.168\.1\.77 .* yes' "$T_OUT"
t_run "$HAIRPINCTL" -s "$T_SOCK" -j dns
assert_match "hairpinctl -j dns: the SPEC keys" \
    '"name":.*"type":.*"data":.*"ttl":.*"static":' "$T_OUT"
t_run "$HAIRPINCTL" -s "$T_SOCK" metrics
assert_match "metrics: cache hits" 'hairpind_dns_cache_hits_total [1-9]' "$T_OUT"
assert_match "metrics: queries" \
    'hairpind_dns_queries_total\{transport="udp"\} [1-9]' "$T_OUT"

# large answers: EDNS0 over UDP, truncation then TCP
t_run dg "$C" @192.168.1.1 +bufsize=4096 TXT big.example.test
assert_match "a 1.6 KB answer over UDP with EDNS0 (fetched upstream over TCP)" \
    'MSG SIZE  rcvd: (1[6-9]|[2-9])[0-9][0-9]' "$T_OUT"
assert_no_match "... not truncated" 'Truncated' "$T_OUT"
t_run dg "$C" @192.168.1.1 +noedns +ignore TXT big.example.test
assert_match "without EDNS0 the answer is truncated (TC)" \
    'flags: qr tc' "$T_OUT"
t_run dg "$C" @192.168.1.1 +noedns TXT big.example.test
assert_match "dig retries over TCP and gets it whole" \
    'MSG SIZE  rcvd: (1[6-9]|[2-9])[0-9][0-9]' "$T_OUT"
t_run "$HAIRPINCTL" -s "$T_SOCK" metrics
assert_match "metrics: a truncated upstream answer was fetched over TCP" \
    'hairpind_dns_upstream_tcp_total [1-9]' "$T_OUT"
assert_match "metrics: TCP queries" \
    'hairpind_dns_queries_total\{transport="tcp"\} [1-9]' "$T_OUT"

# real resolvers in the client: python and curl
t_run t_ns "$C" "$PY" -c 'import socket; print(socket.gethostbyname("static.example.test"))'
assert_eq "python's resolver gets the static entry" 192.168.1.77 "$T_OUT"

# the seed page's third way: the name gives the server's own address
t_run t_curl "$C" http://www.example.test/
assert_match "curl http://www.example.test/ reaches the server" \
    '^hello from 192\.168\.1\.2, you are ' "$T_OUT"
assert_eq "... and the server sees the client itself (static entry)" \
    192.168.1.10 "$(t_saw "$T_OUT")"
t_run t_curl "$C" http://1.1.1.1/
assert_eq "through 1.1.1.1 the server sees 192.168.1.1 (hairpin)" \
    192.168.1.1 "$(t_saw "$T_OUT")"

# split-horizon: 1.1.1.2 is dst-nat'ed whole to 192.168.1.2
t_run dg "$C" @192.168.1.1 +short full.example.test
assert_eq "split-horizon: an internal client gets the internal address" \
    192.168.1.2 "$T_OUT"
t_run t_curl "$C" http://full.example.test/
assert_eq "split-horizon: curl by name; the server sees the client" \
    192.168.1.10 "$(t_saw "$T_OUT")"
t_run dg "$C" @2.2.2.53 +short full.example.test
assert_eq "the upstream itself still says 1.1.1.2" 1.1.1.2 "$T_OUT"

# the WAN is external: no open resolver there
t_run dg "$I" @1.1.1.1 -b 2.2.2.2 +short full.example.test
assert_no_match "refused on the WAN (no answer)" '^[0-9.]+$' "$T_OUT"
t_run "$HAIRPINCTL" -s "$T_SOCK" metrics
assert_match "metrics: refusals counted" 'hairpind_dns_refused_total [1-9]' \
    "$T_OUT"

# bad input
t_run t_ns "$C" "$PY" - <<'EOF'
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
# a question whose name is a compression pointer to itself
q = struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + b"\xc0\x0c" + b"\x00\x01\x00\x01"
s.sendto(q, ("192.168.1.1", 53))
a = s.recv(4096)
print("id=%04x rcode=%d" % (struct.unpack("!H", a[:2])[0], a[3] & 15))
s.sendto(b"\x00", ("192.168.1.1", 53))
s.sendto(b"\xff" * 11, ("192.168.1.1", 53))
EOF
assert_eq "a compression loop gets FORMERR" "id=1234 rcode=1" "$T_OUT"
t_run t_ns "$C" "$PY" - <<'EOF'
import socket, struct
s = socket.create_connection(("192.168.1.1", 53), timeout=3)
s.sendall(struct.pack("!H", 5) + b"12345")	# shorter than a header
try:
    print("closed" if s.recv(100) == b"" else "answered")
except ConnectionResetError:
    print("closed")
EOF
assert_eq "a TCP message shorter than a header closes the session" closed \
    "$T_OUT"
t_run dg "$C" @192.168.1.1 +short static.example.test
assert_eq "still answering after bad input" 192.168.1.77 "$T_OUT"

# TCP abuse: sessions bounded, a length of 65535 with 100 bytes behind it
# and idle sessions closed after 10 s
T_TIMEOUT=40 t_run t_ns "$C" "$PY" - <<'EOF'
import socket, time
socks = [socket.create_connection(("192.168.1.1", 53), timeout=3)
         for i in range(4)]
socks[0].sendall(b"\xff\xff" + b"x" * 100)
time.sleep(0.5)
s5 = socket.create_connection(("192.168.1.1", 53), timeout=3)
try:
    print("fifth:", "closed" if s5.recv(10) == b"" else "answered")
except ConnectionResetError:
    print("fifth: closed")
except socket.timeout:
    print("fifth: open")
t0, closed = time.time(), 0
for s in socks:
    s.settimeout(20)
    try:
        if s.recv(10) == b"":
            closed += 1
    except ConnectionResetError:
        closed += 1
    except socket.timeout:
        pass
print("closed %d of 4 in %d s" % (closed, round(time.time() - t0)))
EOF
assert_match "max-concurrent-tcp-sessions: the fifth session is closed" \
    'fifth: closed' "$T_OUT"
assert_match "slow and idle TCP sessions closed after 10 s" \
    'closed 4 of 4 in (9|1[0-2]) s' "$T_OUT"

# a flood of questions nobody can answer: memory stays bounded, the
# router keeps forwarding and answering
pid=$(cat "$LAB_STATE/hairpind.pid")
rss0=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
T_TIMEOUT=60 t_run t_ns "$C" "$PY" - <<'EOF'
import os, socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setblocking(False)
sent = 0
for i in range(20000):
    name = b"".join(bytes([len(l)]) + l for l in
                    (b"f%d" % i, os.urandom(4).hex().encode(), b"flood", b"test"))
    q = struct.pack("!HHHHHH", i & 0xffff, 0x0100, 1, 0, 0, 0) + name + \
        b"\0\0\1\0\1"
    try:
        s.sendto(q, ("192.168.1.1", 53))
        sent += 1
    except BlockingIOError:
        pass
print("sent", sent)
EOF
sleep 2
rss1=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
t_note "flood: $T_OUT; hairpind rss $rss0 -> $rss1 KiB"
[ $((rss1 - rss0)) -lt 16384 ] && t_pass "flood: rss grew less than 16 MiB" ||
    t_fail "flood: rss grew less than 16 MiB" "$rss0 -> $rss1 KiB"
t_run t_curl "$I" --interface 2.2.2.2 http://1.1.1.1/
assert_eq "flood: forwarding unaffected" 2.2.2.2 "$(t_saw "$T_OUT")"
t_run dg "$C" @192.168.1.1 +short static.example.test
assert_eq "flood: still answering" 192.168.1.77 "$T_OUT"
t_run "$HAIRPINCTL" -s "$T_SOCK" metrics
assert_match "metrics: flood refused at max-concurrent-queries" \
    'hairpind_dns_overload_total [1-9]' "$T_OUT"
assert_match "metrics: tcp sessions refused" \
    'hairpind_dns_tcp_refused_total [1-9]' "$T_OUT"
assert_match "metrics: tcp timeouts" 'hairpind_dns_tcp_timeouts_total [1-9]' \
    "$T_OUT"

# reload: answer the WAN too; external clients see the real answer
t_run "$PY" -c 'import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
c["dns"]["interfaces"] = ["lan", "wan"]
yaml.safe_dump(c, open(sys.argv[1], "w"), sort_keys=False, width=200)' "$conf"
t_run "$HAIRPINCTL" -s "$T_SOCK" reload
assert_match "reload with interfaces: [lan, wan]" reloaded "$T_OUT"
t_run dg "$I" @1.1.1.1 -b 2.2.2.2 +short full.example.test
assert_eq "split-horizon: an external client gets the public address" \
    1.1.1.2 "$T_OUT"
t_run dg "$C" @192.168.1.1 +short full.example.test
assert_eq "... while the internal client still gets 192.168.1.2" \
    192.168.1.2 "$T_OUT"

# behind RouterOS's defconf input chain (etc/hairpind-firewall.yaml): the
# resolver's own traffic is conntrack-established, so upstream answers
# from the WAN and the TCP segments after a SYN pass; the WAN is dropped
t_run "$PY" -c 'import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
c["dns"]["interfaces"] = ["lan"]
c["filter"] = [
 "chain=input action=accept connection-state=established,related",
 "chain=input action=drop connection-state=invalid",
 "chain=input action=accept in-interface=lan protocol=icmp",
 "chain=input action=drop in-interface=!lan"]
yaml.safe_dump(c, open(sys.argv[1], "w"), sort_keys=False, width=200)' "$conf"
t_run "$HAIRPINCTL" -s "$T_SOCK" reload
assert_match "reload with the defconf input chain" reloaded "$T_OUT"
t_run "$HAIRPINCTL" -s "$T_SOCK" dns flush
t_run dg "$C" @192.168.1.1 +short other.example.test
assert_eq "firewall: forwarded (the upstream's answer is established)" \
    203.0.113.7 "$T_OUT"
t_run dg "$C" @192.168.1.1 +tcp +short static.example.test
assert_eq "firewall: TCP from the LAN" 192.168.1.77 "$T_OUT"
t_run dg "$C" @192.168.1.1 +bufsize=4096 TXT big.example.test
assert_match "firewall: upstream over TCP after truncation" \
    'MSG SIZE  rcvd: (1[6-9]|[2-9])[0-9][0-9]' "$T_OUT"
t_run dg "$I" @1.1.1.1 -b 2.2.2.2 +short full.example.test
assert_no_match "firewall: nothing for the WAN" '^[0-9.]+$' "$T_OUT"

# dns flush, then the upstream goes away: SERVFAIL, bounded in time
t_run "$HAIRPINCTL" -s "$T_SOCK" dns flush
assert_match "hairpinctl dns flush" 'removed [1-9][0-9]* cache entries' "$T_OUT"
lab_kill dnsmasq TERM || true
t_run dg "$C" @192.168.1.1 +time=5 other.example.test
assert_match "upstream down: SERVFAIL" 'status: SERVFAIL' "$T_OUT"
[ "$T_MS" -lt 4000 ] && t_pass "... within query-total-timeout ($T_MS ms)" ||
    t_fail "... within query-total-timeout" "$T_MS ms"
t_run dg "$C" @192.168.1.1 +short static.example.test
assert_eq "static entries answer with the upstream down" 192.168.1.77 \
    "$T_OUT"
t_run "$HAIRPINCTL" -s "$T_SOCK" metrics
assert_match "metrics: upstream failures" \
    'hairpind_dns_upstream_failures_total [1-9]' "$T_OUT"

# forwarding is unaffected by all this
t_run t_curl "$I" --interface 2.2.2.2 http://1.1.1.1/
assert_eq "forwarding still works (dst-nat from outside)" 2.2.2.2 \
    "$(t_saw "$T_OUT")"

router_stop

# after the privilege drop: sockets for upstream queries and TCP are made
# in the resolver's namespace with no capability left
upstream_start
chmod 711 "$T_TMP"
chmod 644 "$conf"
mkdir -m 755 "$T_TMP/run"
T_SOCK=$T_TMP/run/ctl.sock	# a directory of its own, given to nobody
t_run "$PY" -c 'import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
c["user"] = "nobody"
c["control"]["socket"] = sys.argv[2]
yaml.safe_dump(c, open(sys.argv[1], "w"), sort_keys=False, width=200)' \
    "$conf" "$T_SOCK"
router_start "$conf" || t_done
pid=$(cat "$LAB_STATE/hairpind.pid")
assert_match "user nobody: no capability left" 'CapEff:\s+0+$' \
    "$(grep CapEff "/proc/$pid/status")"
t_run dg "$C" @192.168.1.1 +short other.example.test
assert_eq "user nobody: forwarded over UDP" 203.0.113.7 "$T_OUT"
t_run dg "$C" @192.168.1.1 +bufsize=4096 TXT big.example.test
assert_match "user nobody: truncated upstream answer fetched over TCP" \
    'MSG SIZE  rcvd: (1[6-9]|[2-9])[0-9][0-9]' "$T_OUT"
t_run dg "$C" @192.168.1.1 +short +tcp static.example.test
assert_eq "user nobody: TCP from the client" 192.168.1.77 "$T_OUT"
router_stop
t_done
