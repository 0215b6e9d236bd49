# dec/07/2026 09:27:50 by RouterOS 7.13.5
# software id = M5QF-8RTE
#
# Commands from forum answers that insert rules at a position with
# place-before= (a CLI argument, not stored: export never prints it).
# hairpind ignores it and keeps the file's order.
/interface list
add name=WAN
add name=LAN
/interface list member
add interface=ether1 list=WAN
add interface=bridge list=LAN
/ip firewall filter
add action=accept chain=input connection-state=established,related,untracked
add action=drop chain=input connection-state=invalid
add action=drop chain=input in-interface-list=!LAN
add action=accept chain=input comment="allow WireGuard" dst-port=13231 protocol=udp place-before=2
add action=accept chain=input comment="allow ping" protocol=icmp place-before=0
/ip firewall nat
add action=masquerade chain=srcnat out-interface-list=WAN
add action=dst-nat chain=dstnat dst-port=8443 in-interface-list=WAN protocol=tcp to-addresses=192.168.1.2 to-ports=443 place-before=0
/ip firewall mangle
add action=change-mss chain=forward new-mss=clamp-to-pmtu protocol=tcp tcp-flags=syn passthrough=yes place-before=*3
