#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""SCTP, ESP and PPTP GRE over raw sockets, for protos.sh (no kernel
SCTP, IPsec or PPTP needed).

  keyed.py reflect --proto P --log FILE [--secs S] [--addr A]
      answer every packet of P: SCTP with the ports swapped (CRC32c
      computed), ESP with SPI + 0x10000, GRE v1 with call id + 0x100;
      log "P FROM ADDR KEY crc=ok|bad" per packet
  keyed.py probe --proto P --dst A --key K [--dport D] [--count N]
      send N packets (SCTP from port K to D, ESP with SPI K, GRE with call
      id K), 0.3 s apart; print "answers A of N from ADDR key KEY crc=..."
  keyed.py pptp-server --addr A --log FILE [--secs S]
      a PPTP server (PAC) on A:1723: answers each Outgoing-Call-Request
      with a call id of its own (0x100, 0x101, ...), logs the client's
      call id as it arrived, and echoes GRE to each call's peer call id
  keyed.py pptp-client --dst A --call N
      the client (PNS): Outgoing-Call-Request with call id N, then GRE
      with the server's call id; print "call N server S gre K of 3"
      where K counts echoes that came back with key N
"""

import argparse
import select
import socket
import struct
import sys
import time

PROTO = {"sctp": 132, "esp": 50, "gre": 47}


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return ~crc & 0xFFFFFFFF


def sctp_pkt(sport, dport, vtag, chunk_type):
    chunk = struct.pack("!BBHI", chunk_type, 0, 8, 0x11223344)
    hdr = struct.pack("!HHII", sport, dport, vtag, 0)
    crc = crc32c(hdr + chunk)
    return struct.pack("!HHI", sport, dport, vtag) + \
        struct.pack("<I", crc) + chunk


def sctp_crc_ok(seg):
    got = struct.unpack_from("<I", seg, 8)[0]
    return got == crc32c(seg[:8] + b"\0\0\0\0" + seg[12:])


def esp_pkt(spi, seq):
    return struct.pack("!II", spi, seq) + b"esp-payload!"


def gre_pkt(call):
    payload = b"ppp-frame"
    return struct.pack("!BBHHH", 0x20, 0x01, 0x880B, len(payload), call) + \
        payload


def parse(proto, pkt):
    """(src addr, key, crc ok) of a received IP packet."""
    ihl = (pkt[0] & 15) * 4
    src = socket.inet_ntoa(pkt[12:16])
    seg = pkt[ihl:]
    if proto == "sctp":
        if len(seg) < 12:
            return None
        sport, dport = struct.unpack_from("!HH", seg)
        return src, (sport, dport), sctp_crc_ok(seg)
    if proto == "esp":
        if len(seg) < 8:
            return None
        return src, struct.unpack_from("!I", seg)[0], True
    if len(seg) < 8 or (seg[1] & 7) != 1:
        return None
    return src, struct.unpack_from("!H", seg, 6)[0], True


def cmd_reflect(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, PROTO[a.proto])
    # answers come from this address, not the one routing would pick
    s.bind((a.addr, 0))
    log = open(a.log, "a")
    end = time.monotonic() + a.secs
    while time.monotonic() < end:
        r, _, _ = select.select([s], [], [], 0.5)
        if not r:
            continue
        pkt, peer = s.recvfrom(4096)
        got = parse(a.proto, pkt)
        if got is None:
            continue
        src, key, ok = got
        log.write("%s FROM %s %s crc=%s\n" % (a.proto, src, key,
                                             "ok" if ok else "bad"))
        log.flush()
        if a.proto == "sctp":
            ans = sctp_pkt(key[1], key[0], 0x1234, 2)
        elif a.proto == "esp":
            ans = esp_pkt(key + 0x10000, 1)
        else:
            ans = gre_pkt((key + 0x100) & 0xFFFF)
        s.sendto(ans, (src, 0))


def cmd_probe(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, PROTO[a.proto])
    n = 0
    seen = []
    for i in range(a.count):
        if a.proto == "sctp":
            s.sendto(sctp_pkt(a.key, a.dport, 0, 1), (a.dst, 0))
        elif a.proto == "esp":
            s.sendto(esp_pkt(a.key, i + 1), (a.dst, 0))
        else:
            s.sendto(gre_pkt(a.key), (a.dst, 0))
        end = time.monotonic() + 0.3
        while True:
            left = end - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([s], [], [], left)
            if not r:
                break
            pkt, _ = s.recvfrom(4096)
            got = parse(a.proto, pkt)
            if got is None or got[0] != a.dst:
                continue
            src, key, ok = got
            if a.proto == "sctp":
                if key != (a.dport, a.key):
                    continue
                key = "%d->%d" % key
            elif a.proto == "esp" and key != a.key + 0x10000:
                continue
            elif a.proto == "gre" and key != (a.key + 0x100) & 0xFFFF:
                continue
            n += 1
            seen.append("from %s key %s crc=%s" % (src, key,
                                                  "ok" if ok else "bad"))
    print("answers %d of %d %s" % (n, a.count, seen[-1] if seen else ""))
    return 0 if n > 0 else 1


def pptp_msg(ctype, body):
    n = 12 + len(body)
    return struct.pack("!HHIHH", n, 1, 0x1A2B3C4D, ctype, 0) + body


def cmd_pptp_server(a):
    lsn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsn.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsn.bind((a.addr, 1723))
    lsn.listen(8)
    gre = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47)
    gre.bind((a.addr, 0))
    log = open(a.log, "a")
    conns = []
    peer_of = {}        # our call id -> (client address, its call id)
    next_id = 0x100
    end = time.monotonic() + a.secs
    while time.monotonic() < end:
        r, _, _ = select.select([lsn, gre] + conns, [], [], 0.5)
        for s in r:
            if s is lsn:
                c, _ = lsn.accept()
                conns.append(c)
            elif s is gre:
                pkt, peer = gre.recvfrom(4096)
                got = parse("gre", pkt)
                if got is None or got[1] not in peer_of:
                    continue
                src, key, _ = got
                caddr, ccall = peer_of[key]
                log.write("gre FROM %s key %d\n" % (src, key))
                log.flush()
                gre.sendto(gre_pkt(ccall), (caddr, 0))
            else:
                data = s.recv(4096)
                if not data:
                    conns.remove(s)
                    continue
                if len(data) < 16:
                    continue
                ctype, = struct.unpack_from("!H", data, 8)
                if ctype != 7:
                    continue
                ccall, = struct.unpack_from("!H", data, 12)
                caddr = s.getpeername()[0]
                mine = next_id
                next_id += 1
                peer_of[mine] = (caddr, ccall)
                log.write("ocrq FROM %s call %d\n" % (caddr, ccall))
                log.flush()
                body = struct.pack("!HHBBHIIHHI", mine, ccall, 1, 0, 0,
                                   64000, 16, 0, 0, 0)
                s.sendall(pptp_msg(8, body))


def cmd_pptp_client(a):
    s = socket.create_connection((a.dst, 1723), timeout=5)
    body = struct.pack("!HHIIIIHH64s64s", a.call, 1, 300, 64000000, 1, 1,
                       16, 0, b"", b"")
    s.sendall(pptp_msg(7, body))
    data = b""
    end = time.monotonic() + 5
    while len(data) < 16 and time.monotonic() < end:
        data += s.recv(4096)
    if len(data) < 16:
        print("no reply")
        return 1
    srv, peer = struct.unpack_from("!HH", data, 12)
    g = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47)
    n = 0
    for _ in range(3):
        g.sendto(gre_pkt(srv), (a.dst, 0))
        end = time.monotonic() + 0.5
        while time.monotonic() < end:
            r, _, _ = select.select([g], [], [], end - time.monotonic())
            if not r:
                break
            pkt, _ = g.recvfrom(4096)
            got = parse("gre", pkt)
            if got and got[0] == a.dst and got[1] == a.call:
                n += 1
                break
    print("call %d server %d peer %d gre %d of 3" % (a.call, srv, peer, n))
    s.close()
    return 0 if n > 0 else 1


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("reflect")
    r.add_argument("--proto", choices=PROTO, required=True)
    r.add_argument("--log", required=True)
    r.add_argument("--secs", type=float, default=60)
    r.add_argument("--addr", default="2.2.2.2")
    q = sub.add_parser("probe")
    q.add_argument("--proto", choices=PROTO, required=True)
    q.add_argument("--dst", required=True)
    q.add_argument("--key", type=lambda x: int(x, 0), required=True)
    q.add_argument("--dport", type=int, default=7000)
    q.add_argument("--count", type=int, default=3)
    ps = sub.add_parser("pptp-server")
    ps.add_argument("--addr", required=True)
    ps.add_argument("--log", required=True)
    ps.add_argument("--secs", type=float, default=60)
    pc = sub.add_parser("pptp-client")
    pc.add_argument("--dst", required=True)
    pc.add_argument("--call", type=lambda x: int(x, 0), required=True)
    a = p.parse_args()
    if a.cmd == "pptp-server":
        cmd_pptp_server(a)
        return 0
    if a.cmd == "pptp-client":
        return cmd_pptp_client(a)
    if a.cmd == "reflect":
        cmd_reflect(a)
        return 0
    return cmd_probe(a)


if __name__ == "__main__":
    sys.exit(main())
