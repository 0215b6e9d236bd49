#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Probes and small servers for the RouterOS firewall tests (ros_*.sh).
Each client subcommand prints one line saying what it saw and exits 0
only when it saw what the caller asked for.

  banner-server --bind A --port P [--log F]  TCP server: "SSH-2.0-hp PEER"
  connect  --dst A:P [--src A] [--timeout S]  TCP connect, read one line:
           prints "banner: LINE", "timeout", "refused" or "error: E";
           exits 0 on a banner
  knock    --dst A:P [--src A] [--timeout S]  one TCP connection attempt
           whose outcome does not matter (a port knock); always exits 0
  bare-ack --src A --dst A:P [--count N]      TCP ACKs that belong to no
           connection (raw socket), as an invalid packet from outside
  rows     FILE [KEY=VALUE...]                 the control socket's JSON
           answer in FILE: rows whose keys match (str() of the value:
           None for null, true/false for booleans), one JSON object a line
  duration VALUE                               a timeout as hairpinctl may
           write it (seconds, "9m58s", "00:09:58", "1w3d") -> seconds
"""

import argparse
import json
import os
import random
import re
import socket
import struct
import sys
import threading


def addr_port(s):
    host, port = s.rsplit(":", 1)
    return host, int(port)


def cmd_banner_server(a):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((a.bind, a.port))
    srv.listen(64)
    logf = open(a.log, "a") if a.log else None

    def serve(c, peer):
        try:
            c.sendall(("SSH-2.0-hp %s:%d\r\n" % peer).encode())
        except OSError:
            pass
        finally:
            c.close()

    while True:
        c, peer = srv.accept()
        if logf:
            logf.write("%s:%d\n" % peer)
            logf.flush()
        threading.Thread(target=serve, args=(c, peer), daemon=True).start()


def tcp_attempt(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if a.src:
        s.bind((a.src, 0))
    s.settimeout(a.timeout)
    try:
        s.connect(addr_port(a.dst))
        line = s.makefile("rb").readline().decode(errors="replace").strip()
        return ("banner: " + line) if line else "closed without a banner"
    except socket.timeout:
        return "timeout"
    except ConnectionRefusedError:
        return "refused"
    except OSError as e:
        return "error: %s" % e
    finally:
        s.close()


def cmd_connect(a):
    r = tcp_attempt(a)
    print(r)
    sys.exit(0 if r.startswith("banner: ") else 1)


def cmd_knock(a):
    print("knock %s: %s" % (a.dst, tcp_attempt(a)))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def cmd_bare_ack(a):
    dst, dport = addr_port(a.dst)
    sport = a.sport or random.randint(40000, 60000)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    s.bind((a.src, 0))
    for i in range(a.count):
        seq, ack = 1000 + i, 2000
        hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4,
                          0x10, 65535, 0, 0)
        pseudo = struct.pack("!4s4sBBH", socket.inet_aton(a.src),
                             socket.inet_aton(dst), 0, socket.IPPROTO_TCP,
                             len(hdr))
        c = csum(pseudo + hdr)
        hdr = hdr[:16] + struct.pack("!H", c) + hdr[18:]
        s.sendto(hdr, (dst, 0))
    print("sent %d bare ACKs %s:%d > %s:%d" % (a.count, a.src, sport, dst,
                                             dport))


def cmd_rows(a):
    want = dict(kv.split("=", 1) for kv in a.match)
    n = 0
    with open(a.file) as f:
        for line in f:
            try:
                ans = json.loads(line)
            except ValueError:
                continue
            res = ans.get("result")
            if not isinstance(res, list):
                continue
            for r in res:
                if all(k in r and (str(r[k]) == v or
                                   (isinstance(r[k], bool) and
                                    str(r[k]).lower() == v))
                       for k, v in want.items()):
                    print(json.dumps(r, sort_keys=True))
                    n += 1
    sys.exit(0 if n else 1)


UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001}


def seconds(v):
    if v is None:
        return None
    if isinstance(v, (int, float)):
        return float(v)
    v = str(v).strip()
    if re.fullmatch(r"\d+(\.\d+)?", v):
        return float(v)
    m = re.fullmatch(r"(?:(\d+)([wd]))?(?:(\d+)([wd]))?(\d+):(\d\d):(\d\d)"
                     r"(?:\.\d+)?", v)
    if m:
        t = 0.0
        for n, u in ((m.group(1), m.group(2)), (m.group(3), m.group(4))):
            if n:
                t += int(n) * UNITS[u]
        return t + int(m.group(5)) * 3600 + int(m.group(6)) * 60 + \
            int(m.group(7))
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|w|d|h|m|s)", v)
    if parts and "".join(n + u for n, u in parts) == v:
        return sum(float(n) * UNITS[u] for n, u in parts)
    raise ValueError("not a duration: %r" % v)


def cmd_duration(a):
    v = a.value
    try:
        v = json.loads(v)
    except ValueError:
        pass
    print("%g" % seconds(v))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("banner-server")
    s.add_argument("--bind", required=True)
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--log")
    for name in ("connect", "knock"):
        s = sub.add_parser(name)
        s.add_argument("--dst", required=True)
        s.add_argument("--src")
        s.add_argument("--timeout", type=float,
                       default=3.0 if name == "connect" else 0.5)
    s = sub.add_parser("bare-ack")
    s.add_argument("--src", required=True)
    s.add_argument("--dst", required=True)
    s.add_argument("--sport", type=int)
    s.add_argument("--count", type=int, default=3)
    s = sub.add_parser("rows")
    s.add_argument("file")
    s.add_argument("match", nargs="*")
    s = sub.add_parser("duration")
    s.add_argument("value")
    a = p.parse_args()
    {"banner-server": cmd_banner_server, "connect": cmd_connect,
     "knock": cmd_knock, "bare-ack": cmd_bare_ack, "rows": cmd_rows,
     "duration": cmd_duration}[a.cmd](a)


if __name__ == "__main__":
    main()
