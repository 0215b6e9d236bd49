# 2026-12-07 09:58:02 by RouterOS 7.16.2
# software id = L8WP-3DRF
#
# The manual's PCC load balancing over two ISPs on v7: a routing table
# per WAN (fib), connections split by both-addresses into two buckets,
# marked once, replies held on the WAN they came in by, each table's
# default route checked by ping, and the main table's two defaults with
# distance 1 and 2 as the failover.
/interface list
add name=WAN
add name=LAN
/routing table
add disabled=no fib name=to-isp1
add disabled=no fib name=to-isp2
/interface list member
add interface=ether1 list=WAN
add interface=ether2 list=WAN
add interface=bridge list=LAN
/ip address
add address=192.168.1.1/24 interface=bridge network=192.168.1.0
add address=1.1.1.1/24 interface=ether1 network=1.1.1.0
add address=5.5.5.1/24 interface=ether2 network=5.5.5.0
/ip firewall mangle
add action=accept chain=prerouting dst-address=1.1.1.0/24 in-interface=bridge
add action=accept chain=prerouting dst-address=5.5.5.0/24 in-interface=bridge
add action=mark-connection chain=prerouting connection-mark=no-mark \
    in-interface=ether1 new-connection-mark=ISP1_conn passthrough=yes
add action=mark-connection chain=prerouting connection-mark=no-mark \
    in-interface=ether2 new-connection-mark=ISP2_conn passthrough=yes
add action=mark-connection chain=prerouting connection-mark=no-mark \
    dst-address-type=!local in-interface=bridge new-connection-mark=ISP1_conn \
    passthrough=yes per-connection-classifier=both-addresses:2/0
add action=mark-connection chain=prerouting connection-mark=no-mark \
    dst-address-type=!local in-interface=bridge new-connection-mark=ISP2_conn \
    passthrough=yes per-connection-classifier=both-addresses:2/1
add action=mark-routing chain=prerouting connection-mark=ISP1_conn \
    in-interface=bridge new-routing-mark=to-isp1 passthrough=yes
add action=mark-routing chain=prerouting connection-mark=ISP2_conn \
    in-interface=bridge new-routing-mark=to-isp2 passthrough=yes
add action=mark-routing chain=output connection-mark=ISP1_conn \
    new-routing-mark=to-isp1 passthrough=yes
add action=mark-routing chain=output connection-mark=ISP2_conn \
    new-routing-mark=to-isp2 passthrough=yes
/ip firewall nat
add action=masquerade chain=srcnat out-interface=ether1
add action=masquerade chain=srcnat out-interface=ether2
/ip route
add check-gateway=ping disabled=no distance=1 dst-address=0.0.0.0/0 \
    gateway=1.1.1.254 routing-table=to-isp1 suppress-hw-offload=no
add check-gateway=ping disabled=no distance=1 dst-address=0.0.0.0/0 \
    gateway=5.5.5.254 routing-table=to-isp2 suppress-hw-offload=no
add check-gateway=ping disabled=no distance=1 dst-address=0.0.0.0/0 \
    gateway=1.1.1.254 routing-table=main suppress-hw-offload=no
add check-gateway=ping disabled=no distance=2 dst-address=0.0.0.0/0 \
    gateway=5.5.5.254 routing-table=main suppress-hw-offload=no
add blackhole disabled=no distance=254 dst-address=0.0.0.0/0 routing-table=\
    to-isp1 comment="never leak a marked flow through the main table"
add blackhole disabled=no distance=250 dst-address=10.0.0.0/8
add blackhole disabled=no distance=250 dst-address=172.16.0.0/12
