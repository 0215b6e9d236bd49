# 2026-12-07 09:46:27 by RouterOS 7.15.3
# software id = N6VB-1QKA
#
# A PPPoE WAN (pppoe-out1 over ether1, MTU 1492) with both MSS recipes:
# clamp to the path MTU in both directions, and the older fixed value
# for SYNs announcing more than 1452. The PPPoE client itself is not
# modelled; the YAML declares pppoe-out1 as a link of its own.
/interface pppoe-client
add add-default-route=yes disabled=no interface=ether1 max-mtu=1492 name=\
    pppoe-out1 use-peer-dns=yes user=customer@isp.example
/interface list
add name=WAN
add name=LAN
/interface list member
add interface=pppoe-out1 list=WAN
add interface=bridge list=LAN
/ip firewall mangle
add action=change-mss chain=forward comment="clamp to path MTU" new-mss=\
    clamp-to-pmtu passthrough=yes protocol=tcp tcp-flags=syn
add action=change-mss chain=forward comment="fixed 1452 for the tunnel" \
    new-mss=1452 out-interface=pppoe-out1 passthrough=yes protocol=tcp \
    tcp-flags=syn tcp-mss=1453-65535
add action=change-mss chain=forward in-interface=pppoe-out1 new-mss=1452 \
    passthrough=yes protocol=tcp tcp-flags=syn tcp-mss=!0-1452
add action=change-mss chain=output new-mss=clamp-to-pmtu passthrough=yes \
    protocol=tcp tcp-flags=syn
/ip firewall filter
add action=accept chain=input connection-state=established,related,untracked
add action=drop chain=input connection-state=invalid
add action=drop chain=input in-interface-list=WAN
add action=fasttrack-connection chain=forward connection-state=\
    established,related
add action=accept chain=forward connection-state=established,related,untracked
add action=drop chain=forward connection-state=invalid
add action=drop chain=forward connection-nat-state=!dstnat connection-state=new \
    in-interface-list=WAN
/ip firewall nat
add action=masquerade chain=srcnat out-interface=pppoe-out1
