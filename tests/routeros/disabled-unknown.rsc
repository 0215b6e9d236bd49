# 2026-12-07 09:30:12 by RouterOS 7.16.2
# software id = T9AH-4CWX
#
# Rules kept disabled for later, some with keys hairpind does not know:
# a typo nobody noticed because the rule never ran, a property of a newer
# RouterOS, and a matcher of a package this router lacks. Disabled rules
# are parsed, and an unknown key in one is a note, not an error. The
# enabled rules around them are ordinary.
/interface list
add name=WAN
add name=LAN
/interface list member
add interface=ether1 list=WAN
add interface=bridge list=LAN
/ip firewall filter
add action=accept chain=input connection-state=established,related,untracked
add action=drop chain=input connection-state=invalid
add action=accept chain=input disabled=yes dst-adress=1.1.1.1 dst-port=22 protocol=tcp comment="typo, never enabled"
add action=accept chain=input protocol=icmp
add action=drop chain=input disabled=yes src-address-list=geo-blocked geo-country=ZZ comment="from a newer release"
add action=drop chain=input in-interface-list=!LAN
add action=accept chain=forward connection-state=established,related,untracked
add action=accept chain=forward disabled=yes in-interface-list=WAN dst-port=80 protocol=tcp connection-nat-state=dstnat
add action=drop chain=forward connection-state=invalid
add action=drop chain=forward connection-nat-state=!dstnat connection-state=new in-interface-list=WAN
/ip firewall nat
add action=masquerade chain=srcnat out-interface-list=WAN
add action=dst-nat chain=dstnat disabled=yes dst-port=8080 in-interface-list=WAN protocol=tcp to-adresses=192.168.1.2
/ip firewall mangle
add action=mark-connection chain=prerouting disabled=yes new-connection-mark=voip passthrough=yes protocol=udp dst-port=5060 smart-qos=high
