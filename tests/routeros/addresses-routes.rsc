# 2026-12-07 10:21:15 by RouterOS 7.16.2
# software id = X4CL-0HRV
#
# /ip address and /ip route of the main table as v7 exports them:
# several addresses on a link (the first per subnet is primary), a
# disabled address, static routes by gateway and by interface, two
# defaults with distances 1 and 5, a disabled route. (Routing tables,
# blackholes and check-gateway are in the pcc-dual-wan files.)
/interface list
add name=WAN
add name=LAN
/interface list member
add interface=ether1 list=WAN
add interface=bridge list=LAN
add interface=ether3 list=LAN
/ip address
add address=1.1.1.1/24 interface=ether1 network=1.1.1.0
add address=1.1.1.7/24 comment="second public address" interface=ether1 \
    network=1.1.1.0
add address=192.168.1.1/24 comment=defconf interface=bridge network=\
    192.168.1.0
add address=192.168.2.1/24 comment="lab subnet" interface=ether3 network=\
    192.168.2.0
add address=172.20.0.1/30 disabled=yes interface=ether3 network=172.20.0.0
/ip route
add disabled=no distance=1 dst-address=0.0.0.0/0 gateway=1.1.1.254 \
    routing-table=main scope=30 suppress-hw-offload=no target-scope=10
add disabled=no distance=5 dst-address=0.0.0.0/0 gateway=1.1.1.253 \
    routing-table=main suppress-hw-offload=no
add comment="the lab behind the lab router" disabled=no dst-address=\
    10.50.0.0/16 gateway=192.168.2.2 routing-table=main
add disabled=no dst-address=192.168.99.0/24 gateway=ether3 routing-table=main
add disabled=yes distance=1 dst-address=203.0.113.0/24 gateway=192.168.2.3
/ip firewall nat
add action=masquerade chain=srcnat out-interface-list=WAN
