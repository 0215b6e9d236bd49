# dec/07/2026 10:07:55 by RouterOS 6.49.17
# software id = E5MZ-1TWB
#
# Matchers on the packet itself: tcp-flags combinations, icmp-options
# with code ranges, packet-size, ttl comparisons, tcp-mss ranges,
# src-mac-address, dscp, fragment, ipv4-options, content.
/interface list
add name=WAN
add name=LAN
/interface list member
add interface=ether1 list=WAN
add interface=bridge list=LAN
/ip firewall filter
add action=accept chain=input connection-state=established,related
add action=drop chain=input connection-state=invalid
add action=drop chain=input comment="NULL scan" protocol=tcp tcp-flags=\
    !fin,!syn,!rst,!psh,!ack,!urg
add action=drop chain=input comment="XMAS scan" protocol=tcp tcp-flags=\
    fin,psh,urg,!syn,!rst,!ack
add action=drop chain=input comment="SYN without a new connection" \
    connection-state=!new protocol=tcp tcp-flags=syn,!ack
add action=accept chain=input icmp-options=8:0 packet-size=28-128 \
    protocol=icmp
add action=accept chain=input icmp-options=3:0-255 protocol=icmp
add action=accept chain=input icmp-options=11:0-1 protocol=icmp
add action=accept chain=input icmp-options=0-18:0-255 in-interface-list=LAN \
    protocol=icmp
add action=drop chain=input comment="big pings" packet-size=1000-65535 \
    protocol=icmp
add action=drop chain=input comment="traceroute probes that expire here" \
    ttl=equal:1 protocol=udp
add action=accept chain=input in-interface-list=LAN ttl=greater-than:1
add action=drop chain=input in-interface-list=WAN ttl=less-than:10 \
    protocol=tcp
add action=drop chain=input in-interface-list=WAN ttl=not-equal:64 \
    protocol=udp dst-port=161
add action=accept chain=input comment="the admin laptop" src-mac-address=\
    00:0C:42:1F:2A:3B in-interface-list=LAN
add action=drop chain=input in-interface-list=WAN
add action=drop chain=forward comment="tiny MSS is an attack" protocol=tcp \
    tcp-flags=syn tcp-mss=0-500
add action=drop chain=forward comment="source routed packets" \
    ipv4-options=loose-source-routing
add action=drop chain=forward ipv4-options=strict-source-routing
add action=drop chain=forward disabled=yes ipv4-options=any
add action=drop chain=forward comment="non-first fragments from outside" \
    fragment=yes in-interface-list=WAN
add action=accept chain=forward comment="voice first" dscp=46
add action=drop chain=forward comment="old P2P tracker requests" content=\
    "announce.php?info_hash" dst-port=80 protocol=tcp
add action=reject chain=forward content="User-Agent: BadBot" protocol=tcp \
    reject-with=tcp-reset
add action=accept chain=forward connection-state=established,related
add action=drop chain=forward connection-state=invalid
add action=drop chain=forward connection-nat-state=!dstnat connection-state=new \
    in-interface-list=WAN
/ip firewall nat
add action=masquerade chain=srcnat out-interface-list=WAN
