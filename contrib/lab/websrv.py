#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""The lab's web server: answers every GET with the client address it saw,
which is the whole point of a NAT lab (who does the server think it talks
to?), and logs the same to a file.

  websrv.py --bind 192.168.1.2 [--port 80] [--log FILE]

Reply body: "hello from 192.168.1.2, you are 192.168.1.1:40312\\n".
Log line:   "2024-01-01T12:00:00 192.168.1.1:40312 GET /".

For bulk transfers: GET /bytes/N answers N bytes of pattern() below, and
POST /sha256 answers the hex SHA-256 of the request body.
"""

import argparse
import hashlib
import http.server
import socketserver
import sys
import threading
import time


MAX_BYTES = 1 << 30


def pattern(n):
    """N bytes that are not all alike, so a misplaced segment shows."""
    block = bytes((i * 31 + 7) & 0xFF for i in range(65521))
    whole, part = divmod(n, len(block))
    return block * whole + block[:part]


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "hairpind-lab"
    sys_version = ""
    protocol_version = "HTTP/1.0"

    def answer(self, code, body):
        host, port = self.client_address[:2]
        self.server.record("%s:%d %s %s" % (host, port, self.command,
                                             self.path))
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        host, port = self.client_address[:2]
        local = self.connection.getsockname()[0]
        if self.path.startswith("/bytes/"):
            try:
                n = int(self.path[len("/bytes/"):])
            except ValueError:
                n = -1
            if not 0 <= n <= MAX_BYTES:
                self.answer(400, b"bad length\n")
                return
            self.answer(200, pattern(n))
            return
        self.answer(200, ("hello from %s, you are %s:%d\n"
                          % (local, host, port)).encode())

    do_HEAD = do_GET

    def do_POST(self):
        try:
            left = int(self.headers.get("Content-Length", "-1"))
        except ValueError:
            left = -1
        if self.path != "/sha256" or not 0 <= left <= MAX_BYTES:
            self.answer(400, b"POST /sha256 with a Content-Length\n")
            return
        h = hashlib.sha256()
        while left > 0:
            chunk = self.rfile.read(min(left, 1 << 16))
            if not chunk:
                break
            h.update(chunk)
            left -= len(chunk)
        self.answer(200, (h.hexdigest() + "\n").encode())

    def log_message(self, fmt, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, logf):
        super().__init__(addr, Handler)
        self.logf = logf
        self.lock = threading.Lock()

    def server_bind(self):
        # Not HTTPServer's: its getfqdn() is a reverse DNS lookup, which in
        # a lab namespace waits for a resolver that is not there.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def record(self, line):
        if not self.logf:
            return
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
        with self.lock:
            self.logf.write("%s %s\n" % (stamp, line))
            self.logf.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bind")
    ap.add_argument("--port", type=int, default=80)
    ap.add_argument("--log")
    ap.add_argument("--pattern", type=int, metavar="N",
                    help="write N bytes of the /bytes/N pattern to stdout")
    args = ap.parse_args()
    if args.pattern is not None:
        sys.stdout.buffer.write(pattern(args.pattern))
        return
    if not args.bind:
        ap.error("--bind is required")
    logf = open(args.log, "a") if args.log else None
    try:
        srv = Server((args.bind, args.port), logf)
    except OSError as e:
        print("websrv: %s:%d: %s" % (args.bind, args.port, e.strerror),
              file=sys.stderr)
        sys.exit(1)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
