# 2026-12-07 10:04:30 by RouterOS 7.16.2
# software id = S2GE-8HNU
#
# The manual's DoS and scan protection with rate matchers: limit (v7
# count/time,burst:mode), dst-limit per source, connection-limit per
# /32 and per /24, psd port-scan detection, connection-rate and
# connection-bytes to single out bulk transfers, and tarpit.
/interface list
add name=WAN
add name=LAN
/interface list member
add interface=ether1 list=WAN
add interface=bridge list=LAN
/ip firewall filter
add action=accept chain=input connection-state=established,related,untracked
add action=drop chain=input connection-state=invalid
add action=add-src-to-address-list address-list=port-scanners \
    address-list-timeout=2w chain=input comment="port scan detection" \
    in-interface-list=WAN protocol=tcp psd=21,3s,3,1
add action=drop chain=input src-address-list=port-scanners
add action=accept chain=input comment="ping, 50 a second, bursts of 5" \
    limit=50/1s,5:packet protocol=icmp
add action=drop chain=input protocol=icmp
add action=jump chain=forward comment="SYN flood check" connection-state=new \
    jump-target=detect-ddos
add action=return chain=detect-ddos dst-limit=32,32,src-and-dst-addresses/10s
add action=add-dst-to-address-list address-list=ddos-targets \
    address-list-timeout=10m chain=detect-ddos
add action=add-src-to-address-list address-list=ddos-attackers \
    address-list-timeout=10m chain=detect-ddos
add action=drop chain=forward connection-state=new dst-address-list=\
    ddos-targets src-address-list=ddos-attackers
add action=drop chain=forward comment="at most 100 connections per host" \
    connection-limit=100,32 protocol=tcp src-address=192.168.1.0/24 \
    connection-state=new
add action=drop chain=forward comment="and 400 per /24 from outside" \
    connection-limit=400,24 in-interface-list=WAN connection-state=new \
    protocol=tcp
add action=accept chain=forward connection-bytes=0-1000000 \
    connection-state=established,related
add action=accept chain=forward connection-rate=0-100k \
    connection-state=established,related protocol=tcp
add action=accept chain=forward connection-state=established,related \
    limit=1000/1m,100:bit
add action=accept chain=forward connection-state=established,related
add action=drop chain=forward connection-state=invalid
add action=tarpit chain=forward comment="slow down telnet probes" \
    dst-port=23 in-interface-list=WAN protocol=tcp connection-nat-state=dstnat
add action=accept chain=forward dst-limit=10/1m,20,dst-address-and-port/1h \
    connection-nat-state=dstnat
add action=drop chain=forward connection-nat-state=!dstnat connection-state=new \
    in-interface-list=WAN
/ip firewall nat
add action=masquerade chain=srcnat out-interface-list=WAN
add action=dst-nat chain=dstnat dst-port=23 in-interface-list=WAN protocol=tcp \
    to-addresses=192.168.1.2
