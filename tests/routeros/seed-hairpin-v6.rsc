# dec/07/2026 10:42:18 by RouterOS 6.49.17
# software id = 0GHP-WIKI
#
# The seed page (MikroTik wiki "Hairpin NAT") inside a whole v6 export
# whose interfaces are named WAN and LAN, as the page's rules assume:
# the dst-nat of 1.1.1.1:80, the masquerade, and the hairpin rule.
/interface ethernet
set [ find default-name=ether1 ] name=WAN
set [ find default-name=ether2 ] name=LAN
/ip address
add address=1.1.1.1/24 interface=WAN network=1.1.1.0
add address=192.168.1.1/24 interface=LAN network=192.168.1.0
/ip dns
set servers=1.1.1.254
/ip firewall nat
add action=dst-nat chain=dstnat dst-address=1.1.1.1 dst-port=80 protocol=tcp \
    to-addresses=192.168.1.2
add action=masquerade chain=srcnat out-interface=WAN
add action=masquerade chain=srcnat dst-address=192.168.1.2 dst-port=80 \
    out-interface=LAN protocol=tcp src-address=192.168.1.0/24
/ip route
add distance=1 gateway=1.1.1.254
/system identity
set name=hairpin
