# dec/07/2026 09:15:02 by RouterOS 6.49.15
# software id = P2XV-ALQ4
#
# A hand-annotated config: whole-line comments, indented comments,
# blank lines, comments after a command, and `#` inside quoted strings
# (not a comment there).

/interface list
add name=WAN # the ISP side
add name=LAN   # everything inside
    # members follow
/interface list member
add interface=ether1 list=WAN
add interface=bridge list=LAN

/ip firewall filter
# --- input: the router itself ---
add action=accept chain=input connection-state=established,related # replies
add action=drop chain=input connection-state=invalid
add action=accept chain=input comment="ping is fine #1" protocol=icmp
add action=accept chain=input comment="#winbox from LAN" dst-port=8291 in-interface-list=LAN protocol=tcp
add action=drop chain=input in-interface-list=WAN	# tab before this comment
# --- forward ---
add action=accept chain=forward connection-state=established,related
add action=drop chain=forward connection-state=invalid
add action=drop chain=forward connection-nat-state=!dstnat connection-state=new in-interface-list=WAN #no unsolicited
#
/ip firewall nat
add action=masquerade chain=srcnat out-interface-list=WAN # hide the LAN
add action=dst-nat chain=dstnat comment="web #2 (the old one)" dst-port=80 in-interface-list=WAN protocol=tcp to-addresses=192.168.1.2 #port forward
