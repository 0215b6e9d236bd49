# dec/07/2026 09:33:40 by RouterOS 6.49.17
# software id = C4WN-5ZPE
#
# User chains: one reached by jump and left by return, one nothing jumps
# to any more (its jump rule was deleted; RouterOS keeps and loads it),
# and a chain name with spaces, quoted.
/interface list
add name=WAN
add name=LAN
/interface list member
add interface=ether1 list=WAN
add interface=bridge list=LAN
/ip firewall filter
add action=accept chain=input connection-state=established,related
add action=drop chain=input connection-state=invalid
add action=jump chain=input jump-target=icmp-in protocol=icmp
add action=jump chain=input in-interface-list=WAN jump-target="from the internet"
add action=accept chain=input in-interface-list=LAN
add action=drop chain=input
add action=accept chain=icmp-in icmp-options=0:0 protocol=icmp comment="echo reply"
add action=accept chain=icmp-in icmp-options=3:0-255 protocol=icmp comment="unreachable, all codes"
add action=accept chain=icmp-in icmp-options=8:0 limit=5,10:packet protocol=icmp comment="echo request, limited"
add action=accept chain=icmp-in icmp-options=11:0-255 protocol=icmp
add action=drop chain=icmp-in
add action=accept chain="from the internet" dst-port=51820 protocol=udp
add action=return chain="from the internet"
add action=drop chain=old-scanners src-address-list=scanners comment="nothing jumps here since the cleanup"
add action=add-src-to-address-list address-list=scanners address-list-timeout=1d chain=old-scanners psd=21,3s,3,1 protocol=tcp
add action=accept chain=forward connection-state=established,related
add action=drop chain=forward connection-state=invalid
add action=drop chain=forward connection-nat-state=!dstnat connection-state=new in-interface-list=WAN
/ip firewall nat
add action=jump chain=srcnat jump-target=out-nat
add action=accept chain=out-nat dst-address=10.8.0.0/16 comment="site to site: no NAT"
add action=masquerade chain=out-nat out-interface-list=WAN
add action=return chain=out-nat
add action=dst-nat chain=unused-forwards dst-port=2222 protocol=tcp to-addresses=192.168.1.2 to-ports=22
