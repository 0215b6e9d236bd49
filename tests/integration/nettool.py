#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Small socket probes for the integration tests, each a subcommand that
prints one line saying what it saw and exits 0 only when it saw what a
working router produces.

  udp-echo   --bind A --ports P[-Q] [--log F]   echo server, logs port/peer
  udp-send   --dst A:P [--src A] [--size N]     datagram out, echo back?
  udp-refused --dst A:P                         ICMP port unreachable?
  udp-ttl    --dst A:P --ttl N                  ICMP time exceeded (IP_RECVERR)
  icmp-echo  --dst A --id N [--count C]         pings with a fixed identifier
"""

import argparse
import errno
import os
import select
import socket
import struct
import sys
import time

IP_RECVERR = 11
IP_MTU_DISCOVER = 10
IP_PMTUDISC_DONT = 0
SO_EE_ORIGIN_ICMP = 2


def addr_port(s):
    host, port = s.rsplit(":", 1)
    return host, int(port)


def payload(size):
    nonce = os.urandom(8)
    body = bytes((i * 7 + 13) & 0xFF for i in range(max(0, size - 8)))
    return (nonce + body)[:size]


def out(msg, ok):
    print(msg)
    sys.stdout.flush()
    sys.exit(0 if ok else 1)


def cmd_udp_echo(a):
    lo, _, hi = a.ports.partition("-")
    ports = range(int(lo), int(hi or lo) + 1)
    socks = []
    for p in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((a.bind, p))
        socks.append(s)
    logf = open(a.log, "a") if a.log else None
    while True:
        ready, _, _ = select.select(socks, [], [])
        for s in ready:
            data, peer = s.recvfrom(65535)
            if logf:
                logf.write("%s:%d %s:%d %d\n" % (s.getsockname() + peer +
                                                 (len(data),)))
                logf.flush()
            try:
                s.sendto(data, peer)
            except OSError:
                pass


def udp_socket(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER,
                 IP_PMTUDISC_DONT)
    if a.src:
        s.bind((a.src, 0))
    return s


def cmd_udp_send(a):
    dst = addr_port(a.dst)
    s = udp_socket(a)
    data = payload(a.size)
    s.sendto(data, dst)
    deadline = time.monotonic() + a.timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            out("no reply from %s:%d within %gs" % (dst + (a.timeout,)),
                False)
        s.settimeout(left)
        try:
            got, peer = s.recvfrom(65535)
        except socket.timeout:
            continue
        except OSError as e:
            out("error %s" % errno.errorcode.get(e.errno, e.errno), False)
        same = got == data
        out("reply from %s:%d, %d bytes, payload %s"
            % (peer[0], peer[1], len(got), "matches" if same else "DIFFERS"),
            same)


def cmd_udp_refused(a):
    dst = addr_port(a.dst)
    s = udp_socket(a)
    s.connect(dst)
    s.send(payload(32))
    s.settimeout(a.timeout)
    try:
        s.recv(65535)
        out("got a reply instead of an error", False)
    except socket.timeout:
        out("timeout (no ICMP error)", False)
    except ConnectionRefusedError:
        out("ECONNREFUSED", True)
    except OSError as e:
        out("error %s" % errno.errorcode.get(e.errno, e.errno), False)


def cmd_udp_ttl(a):
    dst = addr_port(a.dst)
    s = udp_socket(a)
    s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, a.ttl)
    s.connect(dst)
    s.send(payload(32))
    deadline = time.monotonic() + a.timeout
    while time.monotonic() < deadline:
        select.select([], [], [s], max(0.0, deadline - time.monotonic()))
        try:
            _, anc, _, _ = s.recvmsg(512, 1024, socket.MSG_ERRQUEUE)
        except BlockingIOError:
            time.sleep(0.05)
            continue
        except OSError as e:
            if e.errno == errno.EAGAIN:
                time.sleep(0.05)
                continue
            raise
        for level, typ, data in anc:
            if level != socket.IPPROTO_IP or typ != IP_RECVERR:
                continue
            ee_errno, origin, itype, code = struct.unpack_from("=IBBB", data)
            offender = "?"
            if len(data) >= 16 + 8:
                offender = socket.inet_ntoa(data[16 + 4:16 + 8])
            desc = ("icmp type=%d code=%d from %s (%s)"
                    % (itype, code, offender, os.strerror(ee_errno)))
            out(desc, origin == SO_EE_ORIGIN_ICMP and itype == 11)
    out("no ICMP error within %gs" % a.timeout, False)


def icmp_csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def cmd_icmp_echo(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    got = set()
    for seq in range(1, a.count + 1):
        body = struct.pack("!d", time.time()) + b"hairpind" * 4
        hdr = struct.pack("!BBHHH", 8, 0, 0, a.id, seq)
        c = icmp_csum(hdr + body)
        s.sendto(struct.pack("!BBHHH", 8, 0, c, a.id, seq) + body,
                 (a.dst, 0))
        deadline = time.monotonic() + a.interval
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([s], [], [], left)
            if not r:
                break
            pkt, peer = s.recvfrom(2048)
            ihl = (pkt[0] & 0x0F) * 4
            if len(pkt) < ihl + 8 or peer[0] != a.dst:
                continue
            t, _, _, rid, rseq = struct.unpack_from("!BBHHH", pkt, ihl)
            if t == 0 and rid == a.id:
                got.add(rseq)
    # Stragglers of the last request.
    end = time.monotonic() + a.timeout
    while len(got) < a.count and time.monotonic() < end:
        r, _, _ = select.select([s], [], [], end - time.monotonic())
        if not r:
            break
        pkt, peer = s.recvfrom(2048)
        ihl = (pkt[0] & 0x0F) * 4
        if len(pkt) >= ihl + 8 and peer[0] == a.dst:
            t, _, _, rid, rseq = struct.unpack_from("!BBHHH", pkt, ihl)
            if t == 0 and rid == a.id:
                got.add(rseq)
    out("%d/%d echo replies with id %d from %s"
        % (len(got), a.count, a.id, a.dst), len(got) == a.count)


def main():
    ap = argparse.ArgumentParser(prog="nettool.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("udp-echo")
    p.add_argument("--bind", required=True)
    p.add_argument("--ports", required=True)
    p.add_argument("--log")
    for name in ("udp-send", "udp-refused", "udp-ttl"):
        p = sub.add_parser(name)
        p.add_argument("--dst", required=True)
        p.add_argument("--src")
        p.add_argument("--size", type=int, default=64)
        p.add_argument("--ttl", type=int, default=64)
        p.add_argument("--timeout", type=float, default=3.0)
    p = sub.add_parser("icmp-echo")
    p.add_argument("--dst", required=True)
    p.add_argument("--id", type=int, required=True)
    p.add_argument("--count", type=int, default=5)
    p.add_argument("--interval", type=float, default=0.2)
    p.add_argument("--timeout", type=float, default=2.0)
    a = ap.parse_args()
    {"udp-echo": cmd_udp_echo, "udp-send": cmd_udp_send,
     "udp-refused": cmd_udp_refused, "udp-ttl": cmd_udp_ttl,
     "icmp-echo": cmd_icmp_echo}[a.cmd](a)


if __name__ == "__main__":
    main()
