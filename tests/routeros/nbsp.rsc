# dec/07/2026 09:21:45 by RouterOS 7.12.1
# software id = W4TQ-7YUB
#
# Rules copied from a web page (a forum post rendered in a browser):
# the blanks between words are U+00A0 no-break spaces, some lines are
# indented with them, and one rule mixes them with ordinary spaces.
/interface list
add name=WAN
add name=LAN
/interface list member
add interface=ether1 list=WAN
add interface=bridge list=LAN
/ip firewall filter
add chain=input action=accept connection-state=established,related,untracked
add chain=input action=drop connection-state=invalid
  add chain=input action=accept protocol=icmp
add chain=input action=drop  in-interface-list=!LAN
add chain=forward action=accept connection-state=established,related,untracked
add chain=forward action=drop connection-state=new connection-nat-state=!dstnat in-interface-list=WAN
/ip firewall nat
add chain=srcnat action=masquerade out-interface-list=WAN comment="masquerade everything out" 
add chain=dstnat action=dst-nat in-interface-list=WAN protocol=tcp dst-port=80 to-addresses=192.168.1.2
