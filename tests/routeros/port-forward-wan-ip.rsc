# dec/07/2026 09:43:50 by RouterOS 6.49.17
# software id = D2RX-M9QE
#
# The forum's recommended port forward for a static public address: the
# forwards match dst-address-list=WAN-IP, so they work from outside and,
# with the hairpin rule, from the LAN; the WAN-IP list also feeds the
# filter. A second public address is in the list too.
/interface list
add name=WAN
add name=LAN
/interface list member
add interface=ether1 list=WAN
add interface=bridge list=LAN
/ip firewall address-list
add address=1.1.1.1 list=WAN-IP
add address=1.1.1.7 comment="second public address" list=WAN-IP
add address=192.168.1.0/24 list=LAN-SUBNET
/ip firewall filter
add action=accept chain=input connection-state=established,related
add action=drop chain=input connection-state=invalid
add action=accept chain=input protocol=icmp
add action=drop chain=input in-interface-list=WAN
add action=accept chain=forward connection-state=established,related
add action=drop chain=forward connection-state=invalid
add action=accept chain=forward comment="allow port forwarding" \
    connection-nat-state=dstnat
add action=accept chain=forward in-interface-list=LAN out-interface-list=WAN
add action=drop chain=forward comment="drop all else"
/ip firewall nat
add action=masquerade chain=srcnat out-interface-list=WAN
add action=masquerade chain=srcnat comment=hairpin dst-address-list=\
    LAN-SUBNET src-address-list=LAN-SUBNET
add action=dst-nat chain=dstnat dst-address-list=WAN-IP dst-port=80,443 \
    protocol=tcp to-addresses=192.168.1.2
add action=dst-nat chain=dstnat dst-address=1.1.1.7 dst-port=25 protocol=tcp \
    to-addresses=192.168.1.3
add action=dst-nat chain=dstnat dst-address-list=WAN-IP dst-port=27015-27030 \
    protocol=udp to-addresses=192.168.1.40 to-ports=27015-27030
