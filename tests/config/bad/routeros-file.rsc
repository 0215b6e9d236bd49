# dec/07/2026 12:00:00 by RouterOS 7.16
# software id = TEST-0001
/ip firewall nat
add action=masquerade chain=srcnat out-interface-list=WAN
add action=dst-nat chain=dstnat dst-port=80 protocol=tcp to-adresses=192.168.88.2
