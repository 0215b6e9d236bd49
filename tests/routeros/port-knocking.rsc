# 2026-12-07 09:36:05 by RouterOS 7.16.2
# software id = 7KQD-ZW3P
#
# The manual's port knocking, on a defconf-style router: a TCP packet to
# port 888 puts the source in list 888 for 30 s; from there a packet to
# 555 puts it in list 555; from there a packet to 222 puts it in
# "secured" for 30 minutes, and secured sources may reach the router from
# the WAN, and SSH forwarded to a LAN server on 2222.
/interface list
add comment=defconf name=WAN
add comment=defconf name=LAN
/interface list member
add comment=defconf interface=bridge list=LAN
add comment=defconf interface=ether1 list=WAN
/ip firewall filter
add action=accept chain=input comment=\
    "defconf: accept established,related,untracked" connection-state=\
    established,related,untracked
add action=drop chain=input comment="defconf: drop invalid" connection-state=\
    invalid
add action=add-src-to-address-list address-list=888 address-list-timeout=30s \
    chain=input dst-port=888 in-interface-list=WAN protocol=tcp
add action=add-src-to-address-list address-list=555 address-list-timeout=30s \
    chain=input dst-port=555 in-interface-list=WAN protocol=tcp \
    src-address-list=888
add action=add-src-to-address-list address-list=secured \
    address-list-timeout=30m chain=input dst-port=222 in-interface-list=WAN \
    protocol=tcp src-address-list=555
add action=accept chain=input in-interface-list=WAN src-address-list=secured
add action=accept chain=input comment="defconf: accept ICMP" protocol=icmp
add action=drop chain=input comment="defconf: drop all not coming from LAN" \
    in-interface-list=!LAN
add action=accept chain=forward connection-state=established,related,untracked
add action=drop chain=forward connection-state=invalid
add action=accept chain=forward connection-nat-state=dstnat dst-port=22 \
    protocol=tcp src-address-list=secured
add action=drop chain=forward comment="drop all from WAN not DSTNATed" \
    connection-nat-state=!dstnat connection-state=new in-interface-list=WAN
add action=drop chain=forward connection-nat-state=dstnat in-interface-list=WAN
/ip firewall nat
add action=masquerade chain=srcnat out-interface-list=WAN
add action=dst-nat chain=dstnat dst-port=2222 in-interface-list=WAN protocol=tcp \
    to-addresses=192.168.1.2 to-ports=22
