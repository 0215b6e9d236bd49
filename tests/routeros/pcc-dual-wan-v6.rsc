# dec/07/2026 10:01:44 by RouterOS 6.49.17
# software id = V3QS-9JYN
#
# The same PCC recipe as v6 writes it: no routing tables, the routes
# carry routing-mark=, and the ISPs' interfaces have descriptive names
# with spaces ("ether1 ISP-A").
/ip address
add address=192.168.1.1/24 interface=bridge network=192.168.1.0
add address=1.1.1.1/24 interface="ether1 ISP-A" network=1.1.1.0
add address=5.5.5.1/24 interface="ether2 ISP-B" network=5.5.5.0
/ip firewall mangle
add action=accept chain=prerouting dst-address=1.1.1.0/24 in-interface=bridge
add action=accept chain=prerouting dst-address=5.5.5.0/24 in-interface=bridge
add action=mark-connection chain=prerouting connection-mark=no-mark \
    in-interface="ether1 ISP-A" new-connection-mark=ISP1_conn passthrough=yes
add action=mark-connection chain=prerouting connection-mark=no-mark \
    in-interface="ether2 ISP-B" new-connection-mark=ISP2_conn passthrough=yes
add action=mark-connection chain=prerouting connection-mark=no-mark \
    dst-address-type=!local in-interface=bridge new-connection-mark=ISP1_conn \
    passthrough=yes per-connection-classifier=both-addresses-and-ports:2/0
add action=mark-connection chain=prerouting connection-mark=no-mark \
    dst-address-type=!local in-interface=bridge new-connection-mark=ISP2_conn \
    passthrough=yes per-connection-classifier=both-addresses-and-ports:2/1
add action=mark-routing chain=prerouting connection-mark=ISP1_conn \
    in-interface=bridge new-routing-mark=to_ISP1 passthrough=yes
add action=mark-routing chain=prerouting connection-mark=ISP2_conn \
    in-interface=bridge new-routing-mark=to_ISP2 passthrough=yes
add action=mark-routing chain=output connection-mark=ISP1_conn \
    new-routing-mark=to_ISP1 passthrough=yes
add action=mark-routing chain=output connection-mark=ISP2_conn \
    new-routing-mark=to_ISP2 passthrough=yes
/ip firewall nat
add action=masquerade chain=srcnat out-interface="ether1 ISP-A"
add action=masquerade chain=srcnat out-interface="ether2 ISP-B"
/ip route
add check-gateway=ping distance=1 gateway=1.1.1.254 routing-mark=to_ISP1
add check-gateway=ping distance=1 gateway=5.5.5.254 routing-mark=to_ISP2
add check-gateway=ping distance=1 gateway=1.1.1.254
add check-gateway=ping distance=2 gateway=5.5.5.254
