# 2026-12-07 10:39:02 by RouterOS 7.16.2
# software id = R5TV-1WQN
#
# Every NAT action a router with one public /24 uses: dst-nat with only
# to-ports (port change on the same host), dst-nat to a range, netmap
# 1:1 of a whole /29 with and without to-ports, src-nat to a pool,
# redirect, accept exemptions, endpoint-independent-nat for consoles,
# passthrough and log.
/interface list
add name=WAN
add name=LAN
/interface list member
add interface=ether1 list=WAN
add interface=bridge list=LAN
/ip firewall nat
add action=accept chain=srcnat comment="no NAT towards the VPN" \
    dst-address=10.8.0.0/16
add action=accept chain=srcnat comment="defconf: masquerade" ipsec-policy=\
    out,ipsec
add action=log chain=dstnat log-prefix=dnat-in in-interface-list=WAN \
    protocol=tcp connection-state=new disabled=yes
add action=passthrough chain=dstnat comment="count new inbound" \
    in-interface-list=WAN
add action=dst-nat chain=dstnat comment="web on 8080 behind 80" dst-address=\
    1.1.1.1 dst-port=80 protocol=tcp to-ports=8080
add action=dst-nat chain=dstnat dst-address=1.1.1.1 dst-port=8443 \
    protocol=tcp to-addresses=192.168.1.2 to-ports=443
add action=dst-nat chain=dstnat dst-address=1.1.1.1 dst-port=5000-5010 \
    protocol=udp to-addresses=192.168.1.10-192.168.1.12 to-ports=6000-6010
add action=netmap chain=dstnat dst-address=1.1.1.16/29 in-interface-list=WAN \
    to-addresses=192.168.1.16/29
add action=netmap chain=dstnat dst-address=1.1.1.24 dst-port=2222 \
    in-interface-list=WAN protocol=tcp to-addresses=192.168.1.24 to-ports=22
add action=netmap chain=srcnat src-address=192.168.1.16/29 \
    out-interface-list=WAN to-addresses=1.1.1.16/29
add action=endpoint-independent-nat chain=dstnat in-interface-list=WAN \
    protocol=udp
add action=endpoint-independent-nat chain=srcnat out-interface-list=WAN \
    protocol=udp randomise-ports=no src-address=192.168.1.40
add action=redirect chain=dstnat comment="transparent DNS" dst-port=53 \
    in-interface-list=LAN protocol=udp to-ports=53
add action=src-nat chain=srcnat out-interface-list=WAN src-address=\
    192.168.1.128/25 to-addresses=1.1.1.30-1.1.1.31
add action=src-nat chain=srcnat out-interface-list=WAN protocol=udp \
    src-address=192.168.1.50 to-addresses=1.1.1.29 to-ports=40000-40999
add action=masquerade chain=srcnat out-interface-list=WAN to-ports=\
    10000-65000 protocol=tcp
add action=masquerade chain=srcnat out-interface-list=WAN
