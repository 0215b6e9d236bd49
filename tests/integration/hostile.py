#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Hostile traffic for the robustness tests: frames built with scapy (or by
hand where speed matters) and written straight to a link with an AF_PACKET
socket, so the sender's own IP stack neither fixes nor refuses them.
Each subcommand prints what it sent as one JSON object.

  malformed  --iface IF --dst-mac M --src A --dst A [--count N]
             every kind of broken frame, N of each (JSON: kind -> count)
  frags      --iface IF --dst-mac M --src A --dst A --count N
             first fragments of N datagrams that never complete
  flood      --iface IF --dst-mac M --src A[-B] --dst A --dport P
             [--proto udp|tcp] [--count N] [--sport-base P] [--pps R]
             N new flows (one packet each, a new source port each)

Control socket abuse (SOCK is the daemon's control socket):
  ctl-long   --socket SOCK --size N    an N-byte line, then `status`
  ctl-junk   --socket SOCK --size N    random bytes, then `status`; every
             answer must be a JSON object with "ok"
  ctl-hold   --socket SOCK --count N [--partial] --ready F --go F
             N connections held open (half a request each with
             --partial) until the file F (go) exists
  ctl-noread --socket SOCK --request REQ --ready F --go F
             asks for a stream and never reads it; afterwards reports
             whether the daemon closed it
  ctl-read   --socket SOCK --request REQ --seconds S
             a stream client that reads: lines received, still open?
"""

import argparse
import ipaddress
import json
import os
import random
import socket
import struct
import sys
import time

# scapy is only needed to build the malformed frames: import it there.

ETH_P_ALL = 0x0003


def mac_bytes(m):
    return bytes(int(x, 16) for x in m.split(":"))


def link_socket(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    return s


def our_mac(iface):
    with open("/sys/class/net/%s/address" % iface) as f:
        return f.read().strip()


class Sender:
    """Paced writes: the TAP's queue must not overflow, or the router never
    sees (and cannot count) what was sent."""

    def __init__(self, iface, pps):
        self.s = link_socket(iface)
        self.gap = 1.0 / pps if pps else 0
        self.next = time.monotonic()
        self.sent = 0

    def send(self, frame):
        if self.gap:
            now = time.monotonic()
            if now < self.next:
                time.sleep(self.next - now)
            self.next = max(self.next + self.gap, now - 0.01)
        while True:
            try:
                self.s.send(frame)
                break
            except BlockingIOError:
                time.sleep(0.001)
            except OSError as e:
                # ENOBUFS: the device queue is full; try again shortly.
                if e.errno != 105:
                    raise
                time.sleep(0.001)
        self.sent += 1


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip_hdr(src, dst, proto, plen, ident=0, frag=0, ttl=64):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + plen, ident, frag, ttl,
                    proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:]


def l4_csum(src, dst, proto, seg):
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack(
        "!BBH", 0, proto, len(seg))
    return csum(pseudo + seg)


def udp(src, dst, sport, dport, data):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    c = l4_csum(src, dst, 17, seg) or 0xFFFF
    return seg[:6] + struct.pack("!H", c) + seg[8:]


def tcp_syn(src, dst, sport, dport, seq):
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x02,
                      65535, 0, 0)
    c = l4_csum(src, dst, 6, seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def eth(dst_mac, src_mac, payload, etype=0x0800):
    return mac_bytes(dst_mac) + mac_bytes(src_mac) + struct.pack(
        "!H", etype) + payload


def addr_range(spec):
    lo, _, hi = spec.partition("-")
    a = int(ipaddress.IPv4Address(lo))
    b = int(ipaddress.IPv4Address(hi or lo))
    return [str(ipaddress.IPv4Address(x)) for x in range(a, b + 1)]


# --- malformed ---------------------------------------------------------------

def cmd_malformed(a):
    from scapy.all import ARP, Dot1Q, Dot1AD, Ether, ICMP, IP, Raw, TCP, UDP
    from scapy.all import raw

    rnd = random.Random(a.seed)
    me = our_mac(a.iface)
    tx = Sender(a.iface, a.pps)
    sent = {}

    def E(p, etype=None):
        e = Ether(src=me, dst=a.dst_mac)
        if etype is not None:
            e.type = etype
        return raw(e / p)

    def good_ip():
        return IP(src=a.src, dst=a.dst) / UDP(sport=7, dport=7) / Raw(b"x")

    def emit(kind, frames):
        for f in frames:
            tx.send(f)
        sent[kind] = sent.get(kind, 0) + len(frames)

    n = a.count
    base = raw(IP(src=a.src, dst=a.dst) / UDP(sport=9, dport=9) /
               Raw(b"m" * 32))

    # Random bytes after a valid Ethernet header with random types, and
    # frames of pure noise.
    emit("random", [E(Raw(rnd.randbytes(rnd.randint(1, 300))),
                      rnd.randint(0x600, 0xFFFF)) for _ in range(n)])
    emit("noise", [rnd.randbytes(rnd.randint(14, 200)) for _ in range(n)])
    # IPv4 ethertype, a header cut short.
    emit("truncated-ip", [E(Raw(base[:rnd.randint(1, 19)]), 0x0800)
                          for _ in range(n)])
    # IHL below 5 or past the frame, version not 4.
    bad_hdr = []
    for i in range(n):
        b = bytearray(base)
        if i % 3 == 0:
            b[0] = 0x40 | rnd.randint(0, 4)
        elif i % 3 == 1:
            b[0] = (rnd.choice([0, 5, 6, 15]) << 4) | 5
        else:
            b = bytearray(base[:24])
            b[0] = 0x4F
        bad_hdr.append(E(Raw(bytes(b)), 0x0800))
    emit("bad-ip-header", bad_hdr)
    # Total length larger than the frame, or smaller than the header.
    bad_len = []
    for i in range(n):
        b = bytearray(base)
        tl = rnd.randint(len(base) + 64, 65535) if i % 2 else \
            rnd.randint(0, 19)
        b[2:4] = struct.pack("!H", tl)
        b[10:12] = b"\0\0"
        b[10:12] = struct.pack("!H", csum(bytes(b[:20])))
        bad_len.append(E(Raw(bytes(b)), 0x0800))
    emit("bad-ip-length", bad_len)
    # Header checksum wrong.
    bad_ck = []
    for i in range(n):
        b = bytearray(base)
        b[10] ^= 0x5A
        b[11] ^= (i & 0xFF) | 1
        bad_ck.append(E(Raw(bytes(b)), 0x0800))
    emit("bad-ip-checksum", bad_ck)
    # TCP data offset below 5 or past the segment; UDP length lying.
    bad_l4 = []
    for i in range(n):
        if i % 2:
            bad_l4.append(E(IP(src=a.src, dst=a.dst) / TCP(
                sport=1000 + i, dport=80, flags="S",
                dataofs=rnd.choice([0, 1, 4, 15]))))
        else:
            u = UDP(sport=2000 + i, dport=53, len=rnd.choice([0, 3, 500]))
            bad_l4.append(E(IP(src=a.src, dst=a.dst) / u / Raw(b"q")))
    emit("bad-l4-header", bad_l4)
    # VLAN and QinQ tagged.
    emit("vlan", [E(Dot1Q(vlan=rnd.randint(1, 4094)) / good_ip())
                  if i % 2 else E(Dot1AD(vlan=7) / Dot1Q(vlan=8) / good_ip())
                  for i in range(n)])
    # ARP with wrong lengths or types, or cut short.
    bad_arp = []
    for i in range(n):
        k = i % 4
        if k == 0:
            p = ARP(hwlen=8, plen=4, psrc=a.src, pdst=a.dst)
        elif k == 1:
            p = ARP(hwlen=6, plen=16, psrc=a.src, pdst=a.dst)
        elif k == 2:
            p = ARP(hwtype=6, ptype=0x86DD, psrc=a.src, pdst=a.dst)
        else:
            p = Raw(raw(ARP(psrc=a.src, pdst=a.dst))[:rnd.randint(1, 27)])
        bad_arp.append(E(p, 0x0806))
    emit("bad-arp", bad_arp)
    # TTL 0 and 1, forwarded.
    emit("ttl-exceeded", [E(IP(src=a.src, dst=a.fwd, ttl=i % 2) /
                            UDP(sport=33434, dport=33434 + i))
                          for i in range(n)])
    # Unknown protocols, to the router and through it.
    emit("unknown-proto", [E(IP(src=a.src, dst=a.dst if i % 2 else a.fwd,
                                proto=rnd.choice([0, 2, 41, 132, 253, 255]))
                             / Raw(rnd.randbytes(16))) for i in range(n)])
    # ICMP errors quoting garbage: truncated, bogus inner headers,
    # errors about errors.
    icmp = []
    for i in range(n):
        k = i % 4
        if k == 0:
            inner = raw(IP(src=a.dst, dst=a.src) / UDP())[:rnd.randint(0, 27)]
        elif k == 1:
            inner = bytes([0x4F]) + rnd.randbytes(40)
        elif k == 2:
            inner = raw(IP(src=a.dst, dst=a.src, ihl=15) / TCP())
        else:
            inner = raw(IP(src=a.dst, dst=a.src) / ICMP(type=3, code=1) /
                        Raw(rnd.randbytes(28)))
        icmp.append(E(IP(src=a.src, dst=a.dst) / ICMP(
            type=rnd.choice([3, 4, 5, 11, 12]), code=rnd.randint(0, 15)) /
            Raw(inner)))
    emit("icmp-bogus-quote", icmp)
    # Fragments: overlapping with different data, tiny, past 64 KiB,
    # and first fragments that never complete.
    ov = []
    for i in range(n):
        ident = 0x4000 + i
        ov.append(E(IP(src=a.src, dst=a.dst, id=ident, flags="MF",
                       frag=0, proto=17) / Raw(b"A" * 64)))
        ov.append(E(IP(src=a.src, dst=a.dst, id=ident, flags="MF",
                       frag=4, proto=17) / Raw(b"B" * 64)))
    emit("frag-overlap", ov)
    emit("frag-oversize", [E(IP(src=a.src, dst=a.dst, id=0x6000 + i,
                                frag=8189, proto=17) / Raw(b"O" * 200))
                           for i in range(n)])
    emit("frag-tiny", [E(IP(src=a.src, dst=a.dst, id=0x7000 + i,
                            flags="MF", frag=rnd.randint(2, 100), proto=6)
                         / Raw(b"t" * 8)) for i in range(n)])
    print(json.dumps(sent))


# --- fragments that never complete ---------------------------------------------

def cmd_frags(a):
    me = our_mac(a.iface)
    tx = Sender(a.iface, a.pps)
    data = b"F" * a.size
    for i in range(a.count):
        ident = (a.id_base + i) & 0xFFFF
        ip = ip_hdr(a.src, a.dst, 17, len(data), ident=ident, frag=0x2000)
        tx.send(eth(a.dst_mac, me, ip + data))
    print(json.dumps({"frags": tx.sent, "bytes": tx.sent * len(data)}))


# --- many new flows ------------------------------------------------------------

def cmd_flood(a):
    me = our_mac(a.iface)
    tx = Sender(a.iface, a.pps)
    srcs = addr_range(a.src)
    dsts = addr_range(a.dst)
    port = a.sport_base
    i = 0
    while i < a.count:
        src = srcs[i % len(srcs)]
        dst = dsts[(i // len(srcs)) % len(dsts)]
        sport = port + (i // (len(srcs) * len(dsts))) % (65536 - port)
        if a.proto == "udp":
            ip = ip_hdr(src, dst, 17, 8 + 4)
            seg = udp(src, dst, sport, a.dport, b"ping")
        else:
            ip = ip_hdr(src, dst, 6, 20)
            seg = tcp_syn(src, dst, sport, a.dport, i * 7919)
        tx.send(eth(a.dst_mac, me, ip + seg))
        i += 1
    print(json.dumps({"flows": tx.sent}))


# --- control socket abuse -------------------------------------------------------

def ctl_connect(path, timeout=10):
    """A non-blocking UNIX connect fails at once (EAGAIN) while the
    listener's backlog is full: retry until @timeout instead."""
    end = time.monotonic() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect(path)
            break
        except BlockingIOError:
            s.close()
            if time.monotonic() > end:
                raise
            time.sleep(0.01)
    s.settimeout(timeout)
    return s


def read_lines(s, want, timeout):
    """Up to @want lines (or EOF) within @timeout seconds."""
    buf = b""
    end = time.monotonic() + timeout
    while buf.count(b"\n") < want:
        left = end - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        except OSError:
            break
        if not d:
            break
        buf += d
    return buf.split(b"\n")[:want] if buf else []


def is_answer(line):
    try:
        j = json.loads(line)
    except ValueError:
        return False
    return isinstance(j, dict) and isinstance(j.get("ok"), bool)


def wait_file(path, timeout):
    end = time.monotonic() + timeout
    while not os.path.exists(path) and time.monotonic() < end:
        time.sleep(0.05)


def cmd_ctl_long(a):
    s = ctl_connect(a.socket)
    chunk = b"a" * 65536
    left = a.size
    while left > 0:
        s.sendall(chunk[:min(left, len(chunk))])
        left -= min(left, len(chunk))
    s.sendall(b"\nstatus\n")
    for line in read_lines(s, 2, 10):
        print(line.decode(errors="replace")[:200])


def cmd_ctl_junk(a):
    rnd = random.Random(a.seed)
    s = ctl_connect(a.socket)
    data = rnd.randbytes(a.size)
    s.sendall(data + b"\nstatus\n")
    s.shutdown(socket.SHUT_WR)
    lines = [x for x in read_lines(s, 1 << 30, 20) if x]
    bad = [x for x in lines if not is_answer(x)]
    last_ok = bool(lines) and json.loads(lines[-1]).get("ok") is True
    print("%d answers, %d not JSON answers, last %s" % (
        len(lines), len(bad), "ok" if last_ok else "not ok"))
    for x in bad[:3]:
        print("bad: %r" % x[:200])
    sys.exit(0 if lines and not bad and last_ok else 1)


def cmd_ctl_hold(a):
    socks, refused, failed = [], 0, 0
    for _ in range(a.count):
        try:
            s = ctl_connect(a.socket, 2)
            if a.partial:
                s.sendall(b"sta")
            socks.append(s)
        except OSError:
            failed += 1
    # The daemon answers the ones over its limit and closes them.
    time.sleep(0.5)
    for s in socks:
        s.setblocking(False)
        try:
            d = s.recv(4096)
            if b"too many clients" in d:
                refused += 1
        except BlockingIOError:
            pass
        except OSError:
            pass
    with open(a.ready, "w") as f:
        f.write("%d %d %d\n" % (len(socks), refused, failed))
    wait_file(a.go, a.timeout)
    for s in socks:
        s.close()
    print(json.dumps({"connected": len(socks), "refused": refused,
                      "failed": failed}))


def cmd_ctl_noread(a):
    s = ctl_connect(a.socket)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(a.request.encode() + b"\n")
    with open(a.ready, "w") as f:
        f.write("ready\n")
    wait_file(a.go, a.timeout)
    # Now read what is left: a dropped client sees EOF (or a reset).
    got, closed = 0, False
    end = time.monotonic() + 10
    while time.monotonic() < end:
        s.settimeout(end - time.monotonic())
        try:
            d = s.recv(1 << 20)
        except socket.timeout:
            break
        except OSError:
            closed = True
            break
        if not d:
            closed = True
            break
        got += len(d)
    print(json.dumps({"closed": closed, "bytes": got}))


def cmd_ctl_read(a):
    s = ctl_connect(a.socket)
    s.sendall(a.request.encode() + b"\n")
    lines, buf, closed = 0, b"", False
    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        s.settimeout(max(0.01, end - time.monotonic()))
        try:
            d = s.recv(1 << 20)
        except socket.timeout:
            break
        if not d:
            closed = True
            break
        buf += d
        lines += d.count(b"\n")
    print(json.dumps({"lines": lines, "closed": closed}))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)

    def link(p):
        p.add_argument("--iface", required=True)
        p.add_argument("--dst-mac", required=True)
        p.add_argument("--pps", type=float, default=5000)

    p = sub.add_parser("malformed")
    link(p)
    p.add_argument("--src", required=True)
    p.add_argument("--dst", required=True)
    p.add_argument("--fwd", default="2.2.2.2",
                   help="an address routed through the router")
    p.add_argument("--count", type=int, default=200)
    p.add_argument("--seed", type=int, default=1)
    p = sub.add_parser("frags")
    link(p)
    p.add_argument("--src", required=True)
    p.add_argument("--dst", required=True)
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--size", type=int, default=1400)
    p.add_argument("--id-base", type=int, default=1)
    p = sub.add_parser("flood")
    link(p)
    p.add_argument("--src", required=True)
    p.add_argument("--dst", required=True)
    p.add_argument("--dport", type=int, default=9)
    p.add_argument("--proto", choices=("udp", "tcp"), default="udp")
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--sport-base", type=int, default=10000)
    p = sub.add_parser("ctl-long")
    p.add_argument("--socket", required=True)
    p.add_argument("--size", type=int, default=1 << 20)
    p = sub.add_parser("ctl-junk")
    p.add_argument("--socket", required=True)
    p.add_argument("--size", type=int, default=1 << 20)
    p.add_argument("--seed", type=int, default=1)
    p = sub.add_parser("ctl-hold")
    p.add_argument("--socket", required=True)
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--partial", action="store_true")
    p.add_argument("--ready", required=True)
    p.add_argument("--go", required=True)
    p.add_argument("--timeout", type=float, default=60)
    p = sub.add_parser("ctl-noread")
    p.add_argument("--socket", required=True)
    p.add_argument("--request", default="trace")
    p.add_argument("--ready", required=True)
    p.add_argument("--go", required=True)
    p.add_argument("--timeout", type=float, default=60)
    p = sub.add_parser("ctl-read")
    p.add_argument("--socket", required=True)
    p.add_argument("--request", default="trace")
    p.add_argument("--seconds", type=float, default=5)
    a = ap.parse_args()
    {"malformed": cmd_malformed, "frags": cmd_frags, "flood": cmd_flood,
     "ctl-long": cmd_ctl_long,
     "ctl-junk": cmd_ctl_junk, "ctl-hold": cmd_ctl_hold,
     "ctl-noread": cmd_ctl_noread, "ctl-read": cmd_ctl_read}[a.cmd](a)


if __name__ == "__main__":
    main()
