#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Writes the seed corpus of fuzz_frame: real frames of every kind the
router handles, built with scapy, each prefixed with the harness' link
byte (0 wan, 1 lan, 2 dmz; +0x80: traced) and a virtio-net header.

  tests/fuzz/mkcorpus.py DIR
"""

import os
import struct
import sys

from scapy.all import (ARP, Dot1Q, Ether, ICMP, IP, IPv6, Raw, TCP, UDP,
                       fragment, raw)

WAN, LAN, DMZ = 0, 1, 2
MAC = {WAN: "02:00:00:00:01:01", LAN: "02:00:00:00:02:01",
       DMZ: "02:00:00:00:03:01"}
PEER = {WAN: "02:ee:00:00:00:fe", LAN: "02:ee:00:00:01:0a",
        DMZ: "02:ee:00:00:03:05"}

NEEDS_CSUM = 1
GSO_TCPV4, GSO_UDP_L4 = 1, 5


def vnet(flags=0, gso_type=0, hdr_len=0, gso_size=0, cstart=0, coff=0):
    return struct.pack("<BBHHHH", flags, gso_type, hdr_len, gso_size,
                       cstart, coff)


def eth(link, payload, dst=None):
    e = Ether(src=PEER[link], dst=dst or MAC[link])
    if isinstance(payload, Raw):
        e.type = 0x0800     # malformed IPv4, not scapy's default for raw
    return e / payload


def frame(link, pkt, vh=None, traced=False):
    b = bytes([link | (0x80 if traced else 0)])
    b += vh if vh is not None else vnet()
    return b + (pkt if isinstance(pkt, bytes) else raw(pkt))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    seeds = {}

    def add(name, data):
        seeds[name] = data

    # --- the seed scenario -------------------------------------------------
    syn = TCP(sport=40000, dport=80, flags="S", seq=1000,
              options=[("MSS", 1460), ("WScale", 7), ("SAckOK", b""),
                       ("Timestamp", (1, 0))])
    add("wan-syn-dstnat", frame(WAN, eth(WAN, IP(src="2.2.2.2",
        dst="1.1.1.1") / syn), traced=True))
    add("wan-synack-reply", frame(WAN, eth(WAN, IP(src="2.2.2.2",
        dst="1.1.1.1") / TCP(sport=80, dport=40000, flags="SA", seq=5,
                             ack=1001))))
    add("lan-synack-server", frame(LAN, eth(LAN, IP(src="192.168.1.2",
        dst="2.2.2.2") / TCP(sport=80, dport=40000, flags="SA", seq=9000,
                             ack=1001, window=29200))))
    add("lan-ack-data", frame(LAN, eth(LAN, IP(src="192.168.1.2",
        dst="2.2.2.2") / TCP(sport=80, dport=40000, flags="PA", seq=9001,
                             ack=1001) / Raw(b"HTTP/1.0 200 OK\r\n\r\n"))))
    add("wan-fin", frame(WAN, eth(WAN, IP(src="2.2.2.2", dst="1.1.1.1") /
        TCP(sport=40000, dport=80, flags="FA", seq=1001, ack=9001))))
    add("wan-rst", frame(WAN, eth(WAN, IP(src="2.2.2.2", dst="1.1.1.1") /
        TCP(sport=40000, dport=80, flags="R", seq=1001))))
    add("lan-syn-hairpin", frame(LAN, eth(LAN, IP(src="192.168.1.10",
        dst="1.1.1.1") / TCP(sport=5555, dport=80, flags="S")), traced=True))
    add("lan-syn-masq", frame(LAN, eth(LAN, IP(src="192.168.1.10",
        dst="2.2.2.2") / TCP(sport=5556, dport=8080, flags="S"))))
    add("lan-udp-masq", frame(LAN, eth(LAN, IP(src="192.168.1.10",
        dst="2.2.2.2") / UDP(sport=40000, dport=53) / Raw(b"query"))))
    add("wan-udp-reply", frame(WAN, eth(WAN, IP(src="2.2.2.2",
        dst="1.1.1.1") / UDP(sport=53, dport=40000) / Raw(b"answer"))))
    add("wan-udp-portrange", frame(WAN, eth(WAN, IP(src="2.2.2.2",
        dst="1.1.1.1") / UDP(sport=7000, dport=5003) / Raw(b"x" * 64)),
        traced=True))
    add("lan-udp-redirect", frame(LAN, eth(LAN, IP(src="192.168.1.10",
        dst="8.8.8.8") / UDP(sport=3333, dport=53) / Raw(b"q"))))
    add("wan-netmap", frame(WAN, eth(WAN, IP(src="2.2.2.2",
        dst="1.1.1.2") / ICMP(type=8, id=7, seq=1) / Raw(b"netmap"))))
    add("wan-jump-chain", frame(WAN, eth(WAN, IP(src="2.2.2.9",
        dst="1.1.1.1") / TCP(sport=1234, dport=2222, flags="S"))))
    add("dmz-srcnat-range", frame(DMZ, eth(DMZ, IP(src="10.9.0.5",
        dst="2.2.2.2") / UDP(sport=1000, dport=9000) / Raw(b"r"))))
    add("dmz-reject-net", frame(DMZ, eth(DMZ, IP(src="10.9.0.5",
        dst="172.20.1.1") / TCP(sport=1000, dport=80, flags="S"))))
    add("lan-to-dmz-unresolved", frame(LAN, eth(LAN, IP(src="192.168.1.10",
        dst="172.16.0.9") / UDP(sport=1, dport=2) / Raw(b"queued"))))
    add("lan-forward-drop", frame(LAN, eth(LAN, IP(src="192.168.1.10",
        dst="2.2.2.2") / TCP(sport=2525, dport=25, flags="S"))))
    add("lan-forward-reject", frame(LAN, eth(LAN, IP(src="192.168.1.10",
        dst="2.2.2.2") / UDP(sport=137, dport=137) / Raw(b"n"))))

    # --- the router itself ---------------------------------------------------
    add("lan-echo-router", frame(LAN, eth(LAN, IP(src="192.168.1.10",
        dst="192.168.1.1") / ICMP(type=8, id=1, seq=1) / Raw(b"ping")),
        traced=True))
    add("lan-echo-out", frame(LAN, eth(LAN, IP(src="192.168.1.10",
        dst="1.1.1.254") / ICMP(type=8, id=9, seq=1) / Raw(b"p" * 56))))
    add("wan-echo-reply", frame(WAN, eth(WAN, IP(src="1.1.1.254",
        dst="1.1.1.1") / ICMP(type=0, id=9, seq=1) / Raw(b"p" * 56))))
    add("lan-telnet-reset", frame(LAN, eth(LAN, IP(src="192.168.1.10",
        dst="192.168.1.1") / TCP(sport=4000, dport=23, flags="S"))))
    add("lan-snmp-reject", frame(LAN, eth(LAN, IP(src="192.168.1.10",
        dst="192.168.1.1") / UDP(sport=4000, dport=161) / Raw(b"s"))))
    add("lan-ttl1", frame(LAN, eth(LAN, IP(src="192.168.1.10",
        dst="2.2.2.2", ttl=1) / UDP(sport=33434, dport=33434))))
    add("lan-proto-unknown", frame(LAN, eth(LAN, IP(src="192.168.1.10",
        dst="192.168.1.1", proto=132) / Raw(b"sctp?"))))
    add("lan-gre-forward", frame(LAN, eth(LAN, IP(src="192.168.1.10",
        dst="2.2.2.2", proto=47) / Raw(b"\x00\x00\x08\x00"))))
    add("wan-df-too-big", frame(WAN, eth(WAN, IP(src="2.2.2.2",
        dst="1.1.1.1", flags="DF") / TCP(sport=40001, dport=80,
                                         flags="S") / Raw(b"z" * 1420))))
    add("wan-ip-options", frame(WAN, eth(WAN, IP(src="2.2.2.2",
        dst="1.1.1.1", options=b"\x94\x04\x00\x00") /
        UDP(sport=7001, dport=5001) / Raw(b"opt"))))

    # --- ICMP errors quoting each protocol -----------------------------------
    q_udp = IP(src="1.1.1.1", dst="2.2.2.2") / UDP(sport=40000, dport=53,
                                                   len=13, chksum=0x1234)
    q_tcp = IP(src="1.1.1.1", dst="2.2.2.2") / TCP(sport=5556, dport=8080,
                                                   flags="S")
    q_icmp = IP(src="1.1.1.1", dst="1.1.1.254") / ICMP(type=8, id=9, seq=1)
    add("wan-icmp-unreach-udp", frame(WAN, eth(WAN, IP(src="2.2.2.2",
        dst="1.1.1.1") / ICMP(type=3, code=3) / raw(q_udp)[:28]),
        traced=True))
    add("wan-icmp-timxceed-tcp", frame(WAN, eth(WAN, IP(src="1.1.1.254",
        dst="1.1.1.1") / ICMP(type=11, code=0) / raw(q_tcp))))
    add("wan-icmp-needfrag-tcp", frame(WAN, eth(WAN, IP(src="1.1.1.254",
        dst="1.1.1.1") / ICMP(type=3, code=4, nexthopmtu=1280) /
        raw(q_tcp)[:28])))
    add("wan-icmp-unreach-icmp", frame(WAN, eth(WAN, IP(src="1.1.1.254",
        dst="1.1.1.1") / ICMP(type=3, code=1) / raw(q_icmp))))
    add("wan-icmp-quote-truncated", frame(WAN, eth(WAN, IP(src="2.2.2.2",
        dst="1.1.1.1") / ICMP(type=3, code=3) / raw(q_udp)[:22])))
    add("lan-icmp-unreach-dstnat", frame(LAN, eth(LAN, IP(src="192.168.1.2",
        dst="2.2.2.2") / ICMP(type=3, code=3) /
        raw(IP(src="2.2.2.2", dst="192.168.1.2") / TCP(sport=40000,
                                                       dport=80))[:28])))

    # --- fragments ----------------------------------------------------------
    big = IP(src="2.2.2.2", dst="1.1.1.1", id=77) / UDP(sport=7000,
                                                        dport=5004) / Raw(b"F" * 3000)
    frags = fragment(big, fragsize=1000)
    for i, f in enumerate(frags):
        add("wan-frag-%d" % i, frame(WAN, eth(WAN, f)))
    add("wan-frag-overlap", frame(WAN, eth(WAN, IP(src="2.2.2.2",
        dst="1.1.1.1", id=77, frag=60, flags="MF") / Raw(b"O" * 800))))
    add("wan-frag-tiny", frame(WAN, eth(WAN, IP(src="2.2.2.2",
        dst="1.1.1.1", id=78, frag=0, flags="MF", proto=6) / Raw(b"T" * 8))))
    add("wan-frag-past-64k", frame(WAN, eth(WAN, IP(src="2.2.2.2",
        dst="1.1.1.1", id=79, frag=8190, proto=17) / Raw(b"E" * 200))))
    lan_big = IP(src="192.168.1.10", dst="2.2.2.2", id=5) / UDP(
        sport=40002, dport=9000) / Raw(b"L" * 2000)
    for i, f in enumerate(fragment(lan_big, fragsize=1200)):
        add("lan-frag-%d" % i, frame(LAN, eth(LAN, f)))

    # --- ARP ------------------------------------------------------------------
    add("wan-arp-request", frame(WAN, eth(WAN, ARP(op=1, hwsrc=PEER[WAN],
        psrc="1.1.1.254", pdst="1.1.1.1"), dst="ff:ff:ff:ff:ff:ff")))
    add("lan-arp-reply", frame(LAN, eth(LAN, ARP(op=2, hwsrc="02:ee:00:00:01:63",
        psrc="192.168.1.99", hwdst=MAC[LAN], pdst="192.168.1.1"))))
    add("dmz-arp-reply-queued", frame(DMZ, eth(DMZ, ARP(op=2,
        hwsrc="02:ee:00:00:03:09", psrc="172.16.0.9", hwdst=MAC[DMZ],
        pdst="10.9.0.1"))))
    add("lan-arp-gratuitous", frame(LAN, eth(LAN, ARP(op=1,
        hwsrc=PEER[LAN], psrc="192.168.1.10", pdst="192.168.1.10"),
        dst="ff:ff:ff:ff:ff:ff")))
    add("lan-arp-badlen", frame(LAN, raw(eth(LAN, ARP(op=1, hwlen=8, plen=4,
        hwsrc=PEER[LAN], psrc="192.168.1.10", pdst="192.168.1.1"),
        dst="ff:ff:ff:ff:ff:ff"))[:40]))

    # --- offloads: partial checksums and GSO ----------------------------------
    seg = IP(src="192.168.1.10", dst="2.2.2.2") / TCP(sport=5557, dport=8080,
                                                     flags="PA", seq=1, ack=1) / Raw(b"G" * 4000)
    hl = 14 + 20 + 20
    add("lan-gso-tcp", frame(LAN, eth(LAN, seg), vh=vnet(NEEDS_CSUM,
        GSO_TCPV4, hl, 1360, 34, 16)))
    add("lan-partial-csum", frame(LAN, eth(LAN, IP(src="192.168.1.10",
        dst="2.2.2.2") / TCP(sport=5558, dport=443, flags="S")),
        vh=vnet(NEEDS_CSUM, 0, 0, 0, 34, 16)))
    useg = IP(src="192.168.1.10", dst="2.2.2.2") / UDP(sport=40003,
                                                      dport=9000) / Raw(b"U" * 3000)
    add("lan-gso-udp", frame(LAN, eth(LAN, useg), vh=vnet(NEEDS_CSUM,
        GSO_UDP_L4, 14 + 28, 1372, 34, 6)))
    wseg = IP(src="2.2.2.2", dst="1.1.1.1") / TCP(sport=40000, dport=80,
                                                 flags="A", seq=1001, ack=9001) / Raw(b"W" * 3000)
    add("wan-gso-tcp-dstnat", frame(WAN, eth(WAN, wseg), vh=vnet(NEEDS_CSUM,
        GSO_TCPV4, hl, 1448, 34, 16), traced=True))
    add("wan-bad-vnet", frame(WAN, eth(WAN, IP(src="2.2.2.2",
        dst="1.1.1.1") / UDP(sport=1, dport=5005)), vh=vnet(NEEDS_CSUM,
        GSO_TCPV4, 0, 0, 60000, 60000)))

    # --- malformed ---------------------------------------------------------------
    ok = raw(IP(src="2.2.2.2", dst="1.1.1.1") / UDP(sport=9, dport=5006) /
             Raw(b"m" * 20))
    add("wan-bad-ihl", frame(WAN, eth(WAN, Raw(bytes([0x43]) + ok[1:]))))
    add("wan-long-totlen", frame(WAN, eth(WAN, Raw(ok[:2] + b"\x05\xdc" +
        ok[4:]))))
    add("wan-bad-ipcsum", frame(WAN, eth(WAN, Raw(ok[:10] + b"\xde\xad" +
        ok[12:]))))
    add("wan-tcp-bad-doff", frame(WAN, eth(WAN, IP(src="2.2.2.2",
        dst="1.1.1.1") / TCP(sport=1, dport=80, dataofs=15, flags="S"))))
    add("wan-vlan", frame(WAN, eth(WAN, Dot1Q(vlan=10) / IP(src="2.2.2.2",
        dst="1.1.1.1") / ICMP())))
    add("wan-ipv6", frame(WAN, eth(WAN, IPv6(src="fe80::1", dst="ff02::1") /
        Raw(b"6"))))
    add("wan-not-for-us", frame(WAN, eth(WAN, IP(src="2.2.2.2",
        dst="1.1.1.1") / ICMP(), dst="02:00:00:00:09:09")))
    add("wan-martian", frame(WAN, eth(WAN, IP(src="127.0.0.1",
        dst="1.1.1.1") / ICMP())))
    add("wan-short", frame(WAN, Raw(b"\x02\x00\x00\x00\x01\x01\x02")))

    # --- NAT helpers (issue 15): an FTP control connection from the LAN
    # whose PORT is rewritten, the server's data connection it expects, a
    # 227 from the dst-nat'ed side, TFTP; SCTP, ESP and PPTP GRE keys.
    # Replayed in name order, the ftp-* seeds build on each other.
    def lan_ftp(flags, seq, ack, data=b""):
        return frame(LAN, eth(LAN, IP(src="192.168.1.10", dst="2.2.2.2") /
                              TCP(sport=40021, dport=21, flags=flags,
                                  seq=seq, ack=ack) / Raw(data)))

    def wan_ftp(flags, seq, ack, data=b"", sport=21, dport=40021):
        return frame(WAN, eth(WAN, IP(src="2.2.2.2", dst="1.1.1.1") /
                              TCP(sport=sport, dport=dport, flags=flags,
                                  seq=seq, ack=ack) / Raw(data)))
    add("ftp-1-syn", lan_ftp("S", 1000, 0))
    add("ftp-2-synack", wan_ftp("SA", 5000, 1001))
    add("ftp-3-ack", lan_ftp("A", 1001, 5001))
    add("ftp-4-port", lan_ftp("PA", 1001, 5001,
                              b"PORT 192,168,1,10,19,137\r\n"))
    add("ftp-5-ack-moved", wan_ftp("PA", 5001, 1022, b"200 ok\r\n"))
    add("ftp-6-eprt", lan_ftp("PA", 1027, 5009,
                              b"EPRT |1|192.168.1.10|5002|\r\n"))
    add("ftp-7-sack", wan_ftp("A", 5009, 1040) )
    add("ftp-8-data-syn", wan_ftp("S", 9000, 0, sport=20, dport=5002))
    add("ftp-9-227", frame(LAN, eth(LAN, IP(src="192.168.1.2",
        dst="2.2.2.2") / TCP(sport=21, dport=40022, flags="PA", seq=1,
                             ack=1) /
        Raw(b"227 Entering Passive Mode (192,168,1,2,19,140).\r\n"))))
    add("tftp-rrq", frame(LAN, eth(LAN, IP(src="192.168.1.10",
        dst="2.2.2.2") / UDP(sport=40069, dport=69) /
        Raw(b"\x00\x01blob\x00octet\x00"))))
    add("tftp-answer", frame(WAN, eth(WAN, IP(src="2.2.2.2",
        dst="1.1.1.1") / UDP(sport=50123, dport=40069) /
        Raw(b"\x00\x03\x00\x01data"))))
    add("lan-sctp-init", frame(LAN, eth(LAN, IP(src="192.168.1.10",
        dst="2.2.2.2", proto=132) / Raw(bytes.fromhex(
            "1388" "1b58" "00000000" "00000000" "01000014" "00001234"
            "0001000000010001" "0000")))))
    add("lan-esp", frame(LAN, eth(LAN, IP(src="192.168.1.10",
        dst="2.2.2.2", proto=50) / Raw(b"\x00\x00\x10\x01\x00\x00\x00"
                                        b"\x01payload!"))))
    add("wan-esp-answer", frame(WAN, eth(WAN, IP(src="2.2.2.2",
        dst="1.1.1.1", proto=50) / Raw(b"\x00\x01\x10\x01\x00\x00\x00"
                                        b"\x01payload!"))))
    add("lan-gre-pptp", frame(LAN, eth(LAN, IP(src="192.168.1.10",
        dst="2.2.2.2", proto=47) / Raw(b"\x30\x81\x88\x0b\x00\x04\x00"
                                        b"\x40\x00\x00\x00\x01ppp!"))))

    def pptp(ctype, body):
        return struct.pack("!HHIHH", 12 + len(body), 1, 0x1A2B3C4D, ctype,
                           0) + body
    ocrq = pptp(7, struct.pack("!HHIIIIHH64s64s", 7, 1, 300, 64000000, 1, 1,
                               16, 0, b"", b""))
    ocrp = pptp(8, struct.pack("!HHBBHIIHHI", 0x100, 7, 1, 0, 0, 64000, 16,
                               0, 0, 0))
    add("pptp-1-syn", frame(LAN, eth(LAN, IP(src="192.168.1.10",
        dst="2.2.2.2") / TCP(sport=41723, dport=1723, flags="S", seq=1))))
    add("pptp-2-synack", frame(WAN, eth(WAN, IP(src="2.2.2.2",
        dst="1.1.1.1") / TCP(sport=1723, dport=41723, flags="SA", seq=50,
                             ack=2))))
    add("pptp-3-ocrq", frame(LAN, eth(LAN, IP(src="192.168.1.10",
        dst="2.2.2.2") / TCP(sport=41723, dport=1723, flags="PA", seq=2,
                             ack=51) / Raw(ocrq + ocrq[:20]))))
    add("pptp-4-ocrp", frame(WAN, eth(WAN, IP(src="2.2.2.2",
        dst="1.1.1.1") / TCP(sport=1723, dport=41723, flags="PA", seq=51,
                             ack=2 + len(ocrq) + 20) / Raw(ocrp))))
    add("pptp-5-gre-in", frame(WAN, eth(WAN, IP(src="2.2.2.2",
        dst="1.1.1.1", proto=47) / Raw(b"\x30\x81\x88\x0b\x00\x04\x00"
                                        b"\x07\x00\x00\x00\x01ppp!"))))

    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print("%d seeds in %s" % (len(seeds), out))


if __name__ == "__main__":
    main()
