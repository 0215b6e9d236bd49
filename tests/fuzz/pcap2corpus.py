#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Turns real captures into fuzz_frame seeds: each frame a TAP handed to
hairpind, prefixed with the harness' link byte and the virtio-net header
the kernel would have given it (partial checksum for locally built
TCP/UDP, GSO for frames past the link MTU).

  tests/fuzz/pcap2corpus.py LINK PCAP DIR     LINK: 0 wan, 1 lan
"""
import hashlib
import os
import struct
import sys

from scapy.all import IP, TCP, UDP, Ether, rdpcap  # Debian python3-scapy


def vnet(frame):
    eth = Ether(frame)
    if IP not in eth or (TCP not in eth and UDP not in eth):
        return struct.pack("<BBHHHH", 0, 0, 0, 0, 0, 0)
    ip = eth[IP]
    l4 = eth[TCP] if TCP in eth else eth[UDP]
    coff = 16 if TCP in eth else 6
    start = 14 + ip.ihl * 4
    sent = l4.chksum
    l4.chksum = None
    full = type(l4)(bytes(l4)).chksum
    partial = sent != full          # the kernel left a pseudo-header sum
    gso_type = gso_size = 0
    if len(frame) > 1514:
        gso_type = 1 if TCP in eth else 5
        gso_size = 1448 if TCP in eth else 1472
    flags = 1 if partial or gso_type else 0
    hdr_len = start + (l4.dataofs * 4 if TCP in eth else 8)
    return struct.pack("<BBHHHH", flags, gso_type, hdr_len, gso_size,
                       start if flags else 0, coff if flags else 0)


def main():
    link, pcap, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    os.makedirs(out, exist_ok=True)
    n = 0
    for p in rdpcap(pcap):
        raw = bytes(p)
        data = bytes([link]) + vnet(raw) + raw
        name = "cap-" + hashlib.sha1(data).hexdigest()[:16]
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        n += 1
    print("%s: %d frames" % (pcap, n))


if __name__ == "__main__":
    main()
