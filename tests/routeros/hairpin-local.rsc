# 2026-12-07 09:41:12 by RouterOS 7.16.2
# software id = 7KQD-ZW3P
#
# Port forward and hairpin for a router whose public address changes
# (DHCP on the WAN): the forward matches dst-address-type=local, i.e.
# any address of the router, and the hairpin masquerade catches the LAN
# talking to the LAN through the router.
/interface list
add comment=defconf name=WAN
add comment=defconf name=LAN
/interface list member
add comment=defconf interface=bridge list=LAN
add comment=defconf interface=ether1 list=WAN
/ip firewall filter
add action=accept chain=input connection-state=established,related,untracked
add action=drop chain=input connection-state=invalid
add action=accept chain=input protocol=icmp
add action=drop chain=input in-interface-list=!LAN
add action=fasttrack-connection chain=forward connection-state=\
    established,related hw-offload=yes
add action=accept chain=forward connection-state=established,related,untracked
add action=drop chain=forward connection-state=invalid
add action=drop chain=forward connection-nat-state=!dstnat connection-state=new \
    in-interface-list=WAN
/ip firewall nat
add action=masquerade chain=srcnat out-interface-list=WAN
add action=dst-nat chain=dstnat comment="web server, on every router address" \
    dst-address-type=local dst-port=80 protocol=tcp to-addresses=192.168.1.2
add action=dst-nat chain=dstnat comment="mail, only from outside" \
    dst-address-type=local dst-port=25,587 in-interface-list=WAN protocol=tcp \
    to-addresses=192.168.1.3
add action=masquerade chain=srcnat comment=hairpin dst-address=192.168.1.0/24 \
    src-address=192.168.1.0/24
