# dec/07/2026 10:14:02 by RouterOS 7.16.2
# software id = U1KB-6WFD
#
# action=reject with every reject-with value RouterOS has, plus the
# iptables spelling icmp-net-unreachable that older hairpind configs use
# (kept as an alias of icmp-network-unreachable), and reject without
# reject-with (RouterOS default: icmp-network-unreachable).
/interface list
add name=WAN
add name=LAN
/interface list member
add interface=ether1 list=WAN
add interface=bridge list=LAN
/ip firewall filter
add action=accept chain=input connection-state=established,related
add action=reject chain=input dst-port=113 in-interface-list=WAN protocol=tcp \
    reject-with=tcp-reset comment="ident: say no quickly"
add action=reject chain=input in-interface-list=WAN protocol=udp \
    reject-with=icmp-port-unreachable
add action=reject chain=input in-interface-list=WAN protocol=icmp \
    reject-with=icmp-admin-prohibited
add action=reject chain=input in-interface-list=WAN protocol=gre \
    reject-with=icmp-protocol-unreachable
add action=drop chain=input in-interface-list=WAN
add action=accept chain=forward connection-state=established,related
add action=reject chain=forward dst-address=192.168.1.250 reject-with=\
    icmp-host-unreachable
add action=reject chain=forward dst-address=192.168.1.251 reject-with=\
    icmp-host-prohibited
add action=reject chain=forward dst-address=10.0.0.0/8 reject-with=\
    icmp-network-unreachable
add action=reject chain=forward dst-address=172.16.0.0/12 reject-with=\
    icmp-net-prohibited
add action=reject chain=forward dst-address=100.64.0.0/10 reject-with=\
    icmp-net-unreachable
add action=reject chain=forward dst-address=198.18.0.0/15
add action=reject chain=forward in-interface-list=WAN protocol=tcp \
    connection-nat-state=!dstnat connection-state=new reject-with=tcp-reset
add action=reject chain=forward in-interface-list=WAN connection-nat-state=\
    !dstnat connection-state=new reject-with=icmp-admin-prohibited
/ip firewall nat
add action=masquerade chain=srcnat out-interface-list=WAN
