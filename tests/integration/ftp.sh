#!/bin/bash
# SPDX-License-Identifier: ISC
# The FTP and TFTP helpers with real clients and servers (issue 15): curl
# against pyftpdlib in active (PORT, EPRT) and passive (PASV, EPSV) mode,
# a LAN client to an outside server, an outside client to a server behind
# dst-nat that announces its private address, a LAN client to that server
# through hairpin; tftp-hpa's client against its server outside. Each
# transfer is checked byte for byte, and conntrack shows the data
# connection as related with helper ftp. A run with the helpers off shows
# what breaks without them.

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

if [ "$ROUTER" != hairpind ]; then
	echo "ftp.sh tests hairpind itself, not ROUTER=$ROUTER" >&2
	exit 2
fi
if ! "$PY" -c 'import pyftpdlib' 2>/dev/null || ! command -v curl \
    >/dev/null; then
	echo "SKIP: ftp.sh needs python3-pyftpdlib and curl"
	exit 77
fi

t_setup
t_topology

C=$LAB_NS_CLIENT
S=$LAB_NS_SERVER
I=$LAB_NS_ISP

mkdir -p "$T_TMP/pub"
head -c 300000 /dev/urandom >"$T_TMP/pub/blob"
want=$(sha256sum <"$T_TMP/pub/blob" | cut -d' ' -f1)
chmod -R a+rX "$T_TMP/pub"
chmod a+x "$T_TMP"

# The outside server 2.2.2.2:21 and the LAN server 192.168.1.2:21, which
# announces its own (private) address in 227.
t_bg ftp-out "$I" timeout 170 "$PY" -m pyftpdlib -i 2.2.2.2 -p 21 \
    -d "$T_TMP/pub" -r 50000-50100
t_bg ftp-lan "$S" timeout 170 "$PY" -m pyftpdlib -i 192.168.1.2 -p 21 \
    -d "$T_TMP/pub" -r 51000-51100
if ! lab_wait 10 lab_listening "$I" 2.2.2.2 21 ||
    ! lab_wait 10 lab_listening "$S" 192.168.1.2 21; then
	t_fail "ftp servers listening"
	t_done
fi

# write_conf ON: the seed rules for port 21 (dst-nat, hairpin masquerade);
# service-port on or off.
write_conf() {
	cat >"$T_TMP/ftp-$1.yaml" <<EOF
interfaces:
  - name: wan
    tap: $LAB_TAP_WAN
    netns: $LAB_NS_ISP
    addresses: [1.1.1.1/24]
  - name: lan
    tap: $LAB_TAP_LAN
    netns: $LAB_NS_LAN
    addresses: [192.168.1.1/24]
routes:
  - dst: 0.0.0.0/0
    gateway: 1.1.1.254
nat:
  - chain=dstnat dst-address=1.1.1.1 protocol=tcp dst-port=21 action=dst-nat to-addresses=192.168.1.2
  - chain=srcnat out-interface=wan action=masquerade
  - chain=srcnat src-address=192.168.1.0/24 dst-address=192.168.1.2 protocol=tcp dst-port=21 out-interface=lan action=masquerade
service-port:
  ftp: $1
  tftp: $1
control:
  socket: $T_SOCK
EOF
	echo "$T_TMP/ftp-$1.yaml"
}

# get NS DESC URL CURL-ARGS...: fetch the blob, compare.
get() {
	local ns=$1 desc=$2 url=$3 got
	shift 3
	got=$(ip netns exec "$ns" timeout 20 curl -sS --max-time 15 \
	    --connect-timeout 5 "$@" "$url" 2>"$T_TMP/curl.err" |
	    sha256sum | cut -d' ' -f1)
	if [ "$got" = "$want" ]; then
		t_pass "$desc"
	else
		t_fail "$desc" "curl: $(tr '\n' ' ' <"$T_TMP/curl.err")"
	fi
}

# related_ftp: the number of conntrack entries related by the ftp helper.
related_ftp() {
	"$HAIRPINCTL" -s "$T_SOCK" -j conntrack proto=tcp 2>/dev/null |
	    "$PY" -c '
import json, sys
n = 0
for line in sys.stdin:
    for e in json.loads(line).get("result", []):
        if e.get("helper") == "ftp" and e.get("related"):
            n += 1
print(n)'
}

router_start "$(write_conf yes)" || t_done
sleep 0.5

# --- LAN client -> outside server -------------------------------------------
get "$C" "active PORT from the LAN to 2.2.2.2 (PORT rewritten, data expected)" \
    ftp://2.2.2.2/blob --ftp-port - --disable-eprt
get "$C" "active EPRT from the LAN to 2.2.2.2" ftp://2.2.2.2/blob --ftp-port -
get "$C" "passive PASV from the LAN to 2.2.2.2" ftp://2.2.2.2/blob \
    --disable-epsv
get "$C" "passive EPSV from the LAN to 2.2.2.2" ftp://2.2.2.2/blob
# trace: the rewrite and the expected connection, in plain words
timeout 10 "$HAIRPINCTL" -s "$T_SOCK" -j trace proto=tcp \
    >"$T_TMP/trace.out" 2>&1 &
tpid=$!
sleep 0.5
get "$C" "active PORT again, traced" ftp://2.2.2.2/blob --ftp-port - \
    --disable-eprt
sleep 0.3
kill "$tpid" 2>/dev/null
wait "$tpid" 2>/dev/null
assert_match "trace shows the PORT rewrite and the expectation" \
    'ftp helper: PORT 192\.168\.1\.10:[0-9]+ rewritten; expecting 2\.2\.2\.2 -> 1\.1\.1\.1:[0-9]+' \
    "$(cat "$T_TMP/trace.out")"
assert_match "trace shows the data connection as related" \
    'related \(expected by a helper\)' "$(cat "$T_TMP/trace.out")"
n=$(related_ftp)
if [[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 5 ]; then
	t_pass "conntrack shows the data connections: related, helper ftp ($n)"
else
	t_fail "conntrack shows the data connections as related, helper ftp" \
	    "got: $n"
fi

# --- outside client -> server behind dst-nat ----------------------------------
get "$I" "passive PASV from outside to 1.1.1.1 (the server announces 192.168.1.2)" \
    ftp://1.1.1.1/blob --interface 2.2.2.2 --disable-epsv
get "$I" "passive EPSV from outside to 1.1.1.1" ftp://1.1.1.1/blob \
    --interface 2.2.2.2
get "$I" "active PORT from outside to 1.1.1.1" ftp://1.1.1.1/blob \
    --interface 2.2.2.2 --ftp-port 2.2.2.2 --disable-eprt

# --- LAN client -> 1.1.1.1 through hairpin -------------------------------------
get "$C" "hairpin passive PASV: LAN client to 1.1.1.1" ftp://1.1.1.1/blob \
    --disable-epsv
get "$C" "hairpin passive EPSV: LAN client to 1.1.1.1" ftp://1.1.1.1/blob
get "$C" "hairpin active PORT: LAN client to 1.1.1.1" ftp://1.1.1.1/blob \
    --ftp-port - --disable-eprt
get "$C" "hairpin active EPRT: LAN client to 1.1.1.1" ftp://1.1.1.1/blob \
    --ftp-port -

# --- TFTP ----------------------------------------------------------------------
if command -v in.tftpd >/dev/null && command -v tftp >/dev/null; then
	t_bg tftpd "$I" timeout 170 in.tftpd -L -a 2.2.2.2:69 -s "$T_TMP/pub"
	lab_wait 10 lab_listening "$I" 2.2.2.2 69 udp
	rm -f "$T_TMP/tftp.out"
	(cd "$T_TMP" && timeout 20 ip netns exec "$C" tftp -m binary 2.2.2.2 \
	    -c get blob tftp.out) >"$T_TMP/tftp.log" 2>&1
	got=$(sha256sum <"$T_TMP/tftp.out" 2>/dev/null | cut -d' ' -f1)
	assert_eq "TFTP from the LAN: the server's answers from a new port pass" \
	    "$want" "$got"
else
	t_note "no tftp-hpa: TFTP not tested"
fi
router_stop

# --- the same with the helpers off ------------------------------------------------
router_start "$(write_conf no)" || t_done
sleep 0.5
if ip netns exec "$C" timeout 10 curl -sS --max-time 6 --ftp-port - \
    --disable-eprt ftp://2.2.2.2/blob >/dev/null 2>&1; then
	t_fail "helpers off: active FTP from the LAN fails (the kernel's without its helper does)"
else
	t_pass "helpers off: active FTP from the LAN fails, as without a helper"
fi
if ip netns exec "$I" timeout 10 curl -sS --max-time 6 --interface 2.2.2.2 \
    --disable-epsv ftp://1.1.1.1/blob >/dev/null 2>&1; then
	t_fail "helpers off: passive FTP to the dst-nat'ed server fails"
else
	t_pass "helpers off: passive FTP to the dst-nat'ed server fails (private address in 227)"
fi
router_stop
t_done
