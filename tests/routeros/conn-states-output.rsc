# dec/07/2026 10:50:33 by RouterOS 7.16.2
# software id = N0BW-4UJY
#
# Connection tracking matchers and the router's own traffic: every
# connection-state including untracked, connection-type for helper
# (related) connections, connection-nat-state both ways, connection-mark
# in the filter, the output chain, ipsec-policy in and out, and
# src/dst-address-type values.
/interface list
add name=WAN
add name=LAN
/interface list member
add interface=ether1 list=WAN
add interface=bridge list=LAN
/ip firewall raw
add action=notrack chain=prerouting comment="NTP is stateless" dst-port=123 \
    in-interface-list=LAN protocol=udp
/ip firewall mangle
add action=mark-connection chain=forward connection-state=new \
    new-connection-mark=from-wan in-interface-list=WAN passthrough=yes
/ip firewall filter
add action=accept chain=input connection-state=untracked
add action=accept chain=input connection-state=established,related
add action=drop chain=input connection-state=invalid
add action=accept chain=input connection-state=new in-interface-list=LAN
add action=drop chain=input dst-address-type=broadcast in-interface-list=WAN
add action=drop chain=input dst-address-type=multicast in-interface-list=WAN
add action=drop chain=input src-address-type=!unicast
add action=drop chain=input
add action=accept chain=forward connection-state=related connection-type=ftp
add action=accept chain=forward connection-state=related connection-type=sip
add action=accept chain=forward connection-state=related connection-type=\
    tftp
add action=accept chain=forward connection-state=related connection-type=\
    pptp
add action=accept chain=forward connection-state=established,related,untracked
add action=drop chain=forward connection-state=invalid
add action=accept chain=forward ipsec-policy=in,ipsec
add action=accept chain=forward ipsec-policy=out,none out-interface-list=WAN
add action=accept chain=forward connection-mark=from-wan \
    connection-nat-state=dstnat
add action=drop chain=forward connection-nat-state=!dstnat connection-state=new \
    in-interface-list=WAN
add action=drop chain=forward dst-address-type=blackhole
add action=reject chain=forward dst-address-type=unreachable reject-with=\
    icmp-host-unreachable
add action=reject chain=forward dst-address-type=prohibit reject-with=\
    icmp-admin-prohibited
add action=accept chain=forward connection-nat-state=srcnat,dstnat
add action=accept chain=output connection-state=established,related,untracked
add action=accept chain=output dst-port=53,123 protocol=udp
add action=accept chain=output protocol=icmp
add action=accept chain=output dst-address-type=local
add action=log chain=output log-prefix=router-out
add action=accept chain=output
/ip firewall nat
add action=masquerade chain=srcnat ipsec-policy=out,none out-interface-list=WAN
add action=accept chain=dstnat connection-type=ftp
add action=dst-nat chain=dstnat dst-address-type=local dst-port=21 \
    in-interface-list=WAN protocol=tcp to-addresses=192.168.1.2
