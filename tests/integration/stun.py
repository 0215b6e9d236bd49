#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""A STUN-like reflector and socket helpers for tests/integration/rfc.sh.

The reflector answers what STUN's binding request asks: the address and
port it saw the request come from. It is plain text, not RFC 5389 wire
format, since the tests only need the mapped address and the behaviour
discovery of RFC 5780 (answers from another port or another address).

  reflector --addrs A1,A2 --ports P1,P2 [--log F]
      UDP on each Ai:Pj. A datagram "BINDING [change-port] [change-ip]
      [stream N]" is answered "MAPPED a:p" (the source seen), from the
      socket with the other port and/or the other address when asked, N
      times one second apart with "stream N". Anything else is only
      logged. TCP on A1:P1 and A2:P1: each connection gets one line
      "MAPPED a:p" and stays open until the peer closes it.

  agent
      Reads one command a line on stdin and answers each with one line on
      stdout, so a test can keep sockets open in one namespace while it
      does other things elsewhere (see COMMANDS below).

  send-from --src A:P --dst A:P --text T
      One UDP datagram from a fixed source (an outside host).

  tcp-connect --src A:P --dst A:P --timeout S [--say T]
      Connect and report "connected after X s", "refused after X s" or
      "timeout after X s"; with --say, exchange a line once connected.

  icmp-error --src A --dst A --inner-src A:P --inner-dst A:P
      An ICMP port unreachable (raw socket) quoting a UDP datagram from
      inner-src to inner-dst, as a host beyond the NAT would send it.

Every wait is bounded; nothing here blocks forever.
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
IP_PMTUDISC_DO = 2
SO_REUSEPORT = getattr(socket, "SO_REUSEPORT", 15)


def addr_port(s):
    host, port = s.rsplit(":", 1)
    return host, int(port)


def fmt(ap):
    return "%s:%d" % (ap[0], ap[1])


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


# --- reflector --------------------------------------------------------------

def cmd_reflector(a):
    addrs = a.addrs.split(",")
    ports = [int(p) for p in a.ports.split(",")]
    if len(addrs) != 2 or len(ports) != 2:
        sys.exit("reflector: need two addresses and two ports")
    udp = {}
    for ad in addrs:
        for p in ports:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((ad, p))
            udp[(ad, p)] = s
    lsn = []
    for ad in addrs:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((ad, ports[0]))
        s.listen(64)
        lsn.append(s)
    logf = open(a.log, "a") if a.log else None
    conns = []
    pending = []		# (when, socket, text, peer)

    def log(msg):
        if logf:
            logf.write(msg + "\n")
            logf.flush()

    while True:
        now = time.monotonic()
        wait = 1.0
        if pending:
            wait = max(0.0, min(w for w, _, _, _ in pending) - now)
        socks = list(udp.values()) + lsn + conns
        ready, _, _ = select.select(socks, [], [], wait)
        now = time.monotonic()
        for item in [x for x in pending if x[0] <= now]:
            pending.remove(item)
            try:
                item[1].sendto(item[2], item[3])
            except OSError:
                pass
        for s in ready:
            if s in lsn:
                try:
                    c, peer = s.accept()
                except OSError:
                    continue
                log("tcp %s from %s" % (fmt(s.getsockname()), fmt(peer)))
                try:
                    c.sendall(("MAPPED %s\n" % fmt(peer)).encode())
                except OSError:
                    c.close()
                    continue
                conns.append(c)
                continue
            if s in conns:
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    conns.remove(s)
                    s.close()
                continue
            try:
                data, peer = s.recvfrom(65535)
            except OSError:
                continue
            here = s.getsockname()
            text = data.decode(errors="replace").split()
            log("udp %s from %s %s" % (fmt(here), fmt(peer), " ".join(text)))
            if not text or text[0] != "BINDING":
                continue
            ad, p = here
            if "change-ip" in text:
                ad = addrs[1] if ad == addrs[0] else addrs[0]
            if "change-port" in text:
                p = ports[1] if p == ports[0] else ports[0]
            n = 1
            if "stream" in text:
                i = text.index("stream")
                if i + 1 < len(text) and text[i + 1].isdigit():
                    n = max(1, min(60, int(text[i + 1])))
            for k in range(n):
                msg = ("MAPPED %s %d" % (fmt(peer), k)).encode()
                pending.append((now + k, udp[(ad, p)], msg, peer))


# --- agent --------------------------------------------------------------------

class Agent:
    def __init__(self):
        self.socks = {}

    def reply(self, msg):
        sys.stdout.write(msg + "\n")
        sys.stdout.flush()

    def sock(self, name):
        if name not in self.socks:
            raise KeyError("no socket %s" % name)
        return self.socks[name]

    @staticmethod
    def err(e):
        return "err %s" % errno.errorcode.get(e.errno, str(e.errno))

    @staticmethod
    def drain_errq(s):
        """Empty the IP_RECVERR queue, so that poll stops reporting it."""
        n = 0
        while True:
            try:
                s.recvmsg(512, 1024, socket.MSG_ERRQUEUE | socket.MSG_DONTWAIT)
                n += 1
            except OSError:
                return n

    def recv_dgram(self, s, timeout):
        """("ok FROM a:p TEXT" | "timeout" | "err E", text)"""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return "timeout", None
            r, _, _ = select.select([s], [], [], left)
            if not r:
                return "timeout", None
            try:
                data, peer = s.recvfrom(65535, socket.MSG_DONTWAIT)
            except BlockingIOError:
                # readable for an error queued by IP_RECVERR only
                if self.drain_errq(s):
                    return "err ECONNREFUSED", None
                time.sleep(0.01)
                continue
            except OSError as e:
                self.drain_errq(s)
                return self.err(e), None
            text = data.decode(errors="replace")
            return "ok FROM %s %s" % (fmt(peer), text), text

    def c_udp(self, name, addr, port, *opt):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        if "recverr" in opt:
            s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
        s.bind((addr, int(port)))
        self.socks[name] = s
        return "ok %s" % fmt(s.getsockname())

    def c_query(self, name, dst, *flags):
        """A binding request; the answer must come within 1.5 s (3 tries
        when nothing comes back: the first datagram may wait on ARP)."""
        s = self.sock(name)
        dst = addr_port(dst)
        msg = ("BINDING " + " ".join(flags)).encode()
        tries = 1 if "once" in flags else 3
        for _ in range(tries):
            s.sendto(msg, dst)
            end = time.monotonic() + 1.5
            while time.monotonic() < end:
                res, text = self.recv_dgram(s, end - time.monotonic())
                if text is not None and text.startswith("MAPPED "):
                    return "ok %s %s" % (text.split()[1], res.split()[2])
                if text is None:
                    break
        return "timeout"

    def c_send(self, name, dst, *text):
        self.sock(name).sendto(" ".join(text).encode(), addr_port(dst))
        return "ok"

    def c_recv(self, name, timeout):
        return self.recv_dgram(self.sock(name), float(timeout))[0]

    def c_drain(self, name):
        s = self.sock(name)
        n = 0
        while select.select([s], [], [], 0)[0]:
            try:
                s.recv(65535, socket.MSG_DONTWAIT)
            except OSError:
                if not self.drain_errq(s):
                    break
            n += 1
        return "ok %d" % n

    def c_count(self, name, timeout):
        """Datagrams received within @timeout seconds."""
        s = self.sock(name)
        end = time.monotonic() + float(timeout)
        n = 0
        while True:
            left = end - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([s], [], [], left)
            if not r:
                break
            try:
                s.recv(65535, socket.MSG_DONTWAIT)
                n += 1
            except OSError:
                self.drain_errq(s)
                time.sleep(0.01)
        return "ok %d" % n

    def c_keepalive(self, name, dst, count, interval):
        """Send @count datagrams @interval s apart (outbound only)."""
        s = self.sock(name)
        d = addr_port(dst)
        for i in range(int(count)):
            s.sendto(b"KEEPALIVE %d" % i, d)
            time.sleep(float(interval))
        return "ok"

    def c_pmtu(self, name, dst, size):
        """Send @size bytes with DF set; report the ICMP error queued."""
        s = self.sock(name)
        s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)
        s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
        try:
            s.sendto(b"d" * int(size), addr_port(dst))
        except OSError as e:
            return self.err(e)
        end = time.monotonic() + 2.0
        while time.monotonic() < end:
            select.select([], [], [s], max(0.0, end - time.monotonic()))
            try:
                _, anc, _, _ = s.recvmsg(512, 1024,
                                         socket.MSG_ERRQUEUE |
                                         socket.MSG_DONTWAIT)
            except BlockingIOError:
                time.sleep(0.02)
                continue
            for level, typ, data in anc:
                if level != socket.IPPROTO_IP or typ != IP_RECVERR:
                    continue
                ee_errno, origin, itype, code, _, info = struct.unpack_from(
                    "=IBBBBI", data)
                offender = socket.inet_ntoa(data[16 + 4:16 + 8]) \
                    if len(data) >= 24 else "?"
                return "ok icmp type=%d code=%d mtu=%d from %s" % (
                    itype, code, info, offender)
        return "timeout"

    @staticmethod
    def tcp_sock(addr, port):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Several sockets on one port: the hole punching of RFC 5128.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, SO_REUSEPORT, 1)
        s.bind((addr, int(port)))
        return s

    def readline(self, s, timeout):
        s.settimeout(timeout)
        buf = b""
        end = time.monotonic() + timeout
        while b"\n" not in buf:
            left = end - time.monotonic()
            if left <= 0:
                raise socket.timeout()
            s.settimeout(left)
            d = s.recv(4096)
            if not d:
                break
            buf += d
        return buf.decode(errors="replace").strip()

    def c_tcp_stun(self, name, addr, port, dst):
        s = self.tcp_sock(addr, port)
        s.settimeout(5)
        try:
            s.connect(addr_port(dst))
            line = self.readline(s, 5)
        except socket.timeout:
            return "timeout"
        except OSError as e:
            return self.err(e)
        self.socks[name] = s
        if not line.startswith("MAPPED "):
            return "err bad answer %r" % line
        return "ok %s" % line.split()[1]

    def c_tcp_listen(self, name, addr, port):
        s = self.tcp_sock(addr, port)
        s.listen(8)
        self.socks[name] = s
        return "ok"

    def c_tcp_accept(self, lname, cname, timeout):
        s = self.sock(lname)
        r, _, _ = select.select([s], [], [], float(timeout))
        if not r:
            return "timeout"
        c, peer = s.accept()
        self.socks[cname] = c
        return "ok %s" % fmt(peer)

    def c_tcp_connect(self, name, addr, port, dst, timeout):
        s = self.tcp_sock(addr, port)
        s.settimeout(float(timeout))
        t0 = time.monotonic()
        try:
            s.connect(addr_port(dst))
        except socket.timeout:
            return "timeout"
        except OSError as e:
            return "%s after %.2f s" % (self.err(e), time.monotonic() - t0)
        self.socks[name] = s
        return "ok %s" % fmt(s.getsockname())

    def c_tcp_send(self, name, *text):
        self.sock(name).sendall((" ".join(text) + "\n").encode())
        return "ok"

    def c_tcp_recv(self, name, timeout):
        try:
            return "ok " + self.readline(self.sock(name), float(timeout))
        except socket.timeout:
            return "timeout"
        except OSError as e:
            return self.err(e)

    def c_icmp_watch(self, name):
        self.socks[name] = socket.socket(socket.AF_INET, socket.SOCK_RAW,
                                         socket.IPPROTO_ICMP)
        return "ok"

    def c_icmp_next(self, name, timeout):
        """The next echo request that reached this host."""
        s = self.sock(name)
        end = time.monotonic() + float(timeout)
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return "timeout"
            r, _, _ = select.select([s], [], [], left)
            if not r:
                return "timeout"
            pkt, peer = s.recvfrom(2048)
            ihl = (pkt[0] & 0x0F) * 4
            if len(pkt) < ihl + 8:
                continue
            t, _, _, ident, _ = struct.unpack_from("!BBHHH", pkt, ihl)
            if t == 8:
                return "ok ECHO FROM %s ID %d" % (peer[0], ident)

    def c_close(self, name):
        self.socks.pop(name).close()
        return "ok"

    def run(self):
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            if words[0] == "quit":
                self.reply("ok")
                return
            fn = getattr(self, "c_" + words[0].replace("-", "_"), None)
            if fn is None:
                self.reply("err unknown command %s" % words[0])
                continue
            try:
                self.reply(fn(*words[1:]))
            except (KeyError, TypeError, ValueError) as e:
                self.reply("err %s" % e)
            except OSError as e:
                self.reply(self.err(e))


# --- one-shot helpers -------------------------------------------------------

def cmd_send_from(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(addr_port(a.src))
    s.sendto(a.text.encode(), addr_port(a.dst))
    print("sent")


def cmd_tcp_connect(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(addr_port(a.src))
    s.settimeout(a.timeout)
    t0 = time.monotonic()
    try:
        s.connect(addr_port(a.dst))
    except socket.timeout:
        print("timeout after %.2f s" % (time.monotonic() - t0))
        sys.exit(1)
    except ConnectionRefusedError:
        print("refused after %.2f s" % (time.monotonic() - t0))
        sys.exit(1)
    except OSError as e:
        print("error %s after %.2f s" % (errno.errorcode.get(e.errno, e.errno),
                                         time.monotonic() - t0))
        sys.exit(1)
    msg = "connected after %.2f s" % (time.monotonic() - t0)
    if a.say:
        try:
            s.sendall((a.say + "\n").encode())
            s.settimeout(5)
            got = s.recv(4096).decode(errors="replace").strip()
        except OSError as e:
            got = "(error %s)" % errno.errorcode.get(e.errno, e.errno)
        msg += ", got %s" % (got or "(eof)")
    print(msg)


def cmd_icmp_error(a):
    isrc, isport = addr_port(a.inner_src)
    idst, idport = addr_port(a.inner_dst)
    data = b"quoted!!"
    udp = struct.pack("!HHHH", isport, idport, 8 + len(data), 0) + data
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0x4242, 0,
                     63, socket.IPPROTO_UDP, 0, socket.inet_aton(isrc),
                     socket.inet_aton(idst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    body = ip + udp
    hdr = struct.pack("!BBHI", 3, 3, 0, 0)
    c = csum(hdr + body)
    if a.bad_checksum:
        c ^= 0x5a5a
    msg = struct.pack("!BBHI", 3, 3, c, 0) + body
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.bind((a.src, 0))
    s.sendto(msg, (a.dst, 0))
    print("sent")


def main():
    ap = argparse.ArgumentParser(prog="stun.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("reflector")
    p.add_argument("--addrs", required=True)
    p.add_argument("--ports", default="3478,3479")
    p.add_argument("--log")
    sub.add_parser("agent")
    p = sub.add_parser("send-from")
    p.add_argument("--src", required=True)
    p.add_argument("--dst", required=True)
    p.add_argument("--text", default="HELLO")
    p = sub.add_parser("tcp-connect")
    p.add_argument("--src", required=True)
    p.add_argument("--dst", required=True)
    p.add_argument("--timeout", type=float, default=5.0)
    p.add_argument("--say")
    p = sub.add_parser("icmp-error")
    p.add_argument("--src", required=True)
    p.add_argument("--dst", required=True)
    p.add_argument("--inner-src", required=True)
    p.add_argument("--inner-dst", required=True)
    p.add_argument("--bad-checksum", action="store_true")
    a = ap.parse_args()
    if a.cmd == "agent":
        Agent().run()
        return
    {"reflector": cmd_reflector, "send-from": cmd_send_from,
     "tcp-connect": cmd_tcp_connect, "icmp-error": cmd_icmp_error}[a.cmd](a)


if __name__ == "__main__":
    main()
