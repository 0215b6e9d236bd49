# 2026-12-07 10:31:30 by RouterOS 7.16.2
# software id = K9FB-2SXA
#
# protocol by name and by number as exports print them (gre, ipsec-esp,
# ipsec-ah, ospf, igmp, sctp, udp-lite, dccp, vrrp, l2tp, ipip, etherip,
# icmp, 41), port= (either port), port lists and ranges, negated ports.
/interface list
add name=WAN
add name=LAN
/interface list member
add interface=ether1 list=WAN
add interface=bridge list=LAN
/ip firewall filter
add action=accept chain=input connection-state=established,related,untracked
add action=drop chain=input connection-state=invalid
add action=accept chain=input comment="IPsec" protocol=ipsec-esp
add action=accept chain=input protocol=ipsec-ah
add action=accept chain=input dst-port=500,4500 protocol=udp
add action=accept chain=input comment=PPTP dst-port=1723 protocol=tcp
add action=accept chain=input protocol=gre
add action=accept chain=input comment="L2TP over UDP" dst-port=1701 \
    protocol=udp
add action=accept chain=input protocol=l2tp
add action=accept chain=input in-interface-list=LAN protocol=ospf
add action=accept chain=input in-interface-list=LAN protocol=igmp
add action=accept chain=input in-interface-list=LAN protocol=vrrp
add action=accept chain=input comment="6in4 tunnel" protocol=41 src-address=\
    192.0.2.1
add action=accept chain=input protocol=ipip src-address=192.0.2.2
add action=accept chain=input protocol=etherip src-address=192.0.2.3
add action=accept chain=input protocol=sctp dst-port=9899
add action=accept chain=input protocol=udp-lite dst-port=5004
add action=accept chain=input protocol=dccp dst-port=5001-5002
add action=accept chain=input protocol=icmp
add action=drop chain=input in-interface-list=!LAN
add action=accept chain=forward connection-state=established,related
add action=drop chain=forward comment="no SMB or NetBIOS across" port=\
    135-139,445 protocol=tcp
add action=drop chain=forward port=137-139 protocol=udp
add action=drop chain=forward dst-port=!80,443 protocol=tcp src-address=\
    192.168.1.128/25 out-interface-list=WAN
add action=drop chain=forward protocol=udp src-port=!1024-65535 \
    in-interface-list=LAN disabled=yes
add action=drop chain=forward connection-nat-state=!dstnat connection-state=new \
    in-interface-list=WAN
/ip firewall nat
add action=masquerade chain=srcnat out-interface-list=WAN
add action=dst-nat chain=dstnat in-interface-list=WAN protocol=gre \
    to-addresses=192.168.1.5
add action=dst-nat chain=dstnat dst-port=1723 in-interface-list=WAN \
    protocol=tcp to-addresses=192.168.1.5
