# 2026-12-07 09:10:12 by RouterOS 7.17
# software id = H3PL-Z9WQ
#
# A setup script in v7's path syntax, as the v7 manual and forum posts
# write it: every command is /menu/submenu/command with slashes, mixed
# with the classic space-separated form and a few menu changes.
/interface/list/add name=WAN
/interface/list/add name=LAN
/interface/list/member/add interface=ether1 list=WAN
/interface/list/member/add interface=bridge list=LAN
/ip/firewall/address-list/add address=1.1.1.1 list=WAN-IP
/ip/firewall/filter/add chain=input action=accept connection-state=established,related,untracked
/ip/firewall/filter/add chain=input action=drop connection-state=invalid
/ip/firewall/filter/add chain=input action=accept protocol=icmp
/ip/firewall/filter/add chain=input action=drop in-interface-list=!LAN
/ip/firewall/filter/add chain=forward action=fasttrack-connection connection-state=established,related hw-offload=yes
/ip/firewall/filter/add chain=forward action=accept connection-state=established,related,untracked
/ip/firewall/filter/add chain=forward action=drop connection-state=invalid
/ip/firewall/filter/add chain=forward action=drop connection-state=new connection-nat-state=!dstnat in-interface-list=WAN
/ip/firewall/nat/add chain=srcnat action=masquerade out-interface-list=WAN
/ip/firewall/nat/add chain=dstnat action=dst-nat dst-address-list=WAN-IP protocol=tcp dst-port=8080 to-addresses=192.168.1.2 to-ports=80
/ip firewall nat add chain=dstnat action=dst-nat dst-address-list=WAN-IP protocol=udp dst-port=51820 to-addresses=192.168.1.3
/ip/firewall/mangle/add chain=forward action=change-mss new-mss=clamp-to-pmtu passthrough=yes protocol=tcp tcp-flags=syn
/ip/route/add dst-address=0.0.0.0/0 gateway=1.1.1.254
/ip/dns/set servers=1.1.1.254
/system/identity/set name=lab-router
