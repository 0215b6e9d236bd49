# jun/02/2026 17:20:08 by RouterOS 6.48.6
# software id = HF9T-3KQZ
#
# How forum answers paste v6 rules: one full command per line with the
# menu path in front (`/ip firewall filter add ...`), keys in the order
# the author typed them (not sorted), `comment=` at the end, mixed with
# a menu line and its `add`s, and one path typed with double blanks.
/interface list add name=WAN
/interface list add name=LAN
/interface list member add list=WAN interface=ether1
/interface list member add list=LAN interface=bridge
/ip firewall address-list add list=remote address=198.51.100.0/24
/ip firewall filter add chain=input action=accept comment="allow Winbox" in-interface-list=WAN src-address-list=remote dst-port=8291 protocol=tcp
/ip firewall filter add chain=input action=accept connection-state=established,related,untracked comment="defconf: accept established,related,untracked"
/ip firewall filter add chain=input action=drop connection-state=invalid comment="defconf: drop invalid"
/ip firewall filter add chain=input action=accept protocol=icmp comment="defconf: accept ICMP"
/ip  firewall  filter  add chain=input action=drop in-interface-list=!LAN comment="defconf: drop all not coming from LAN"
/ip firewall filter
add chain=forward action=fasttrack-connection connection-state=established,related comment="defconf: fasttrack"
add chain=forward action=accept connection-state=established,related,untracked comment="defconf: accept established,related, untracked"
add chain=forward action=drop connection-state=invalid comment="defconf: drop invalid"
add chain=forward action=drop connection-state=new connection-nat-state=!dstnat in-interface-list=WAN comment="defconf: drop all from WAN not DSTNATed"
/ip firewall nat add chain=srcnat action=masquerade out-interface-list=WAN ipsec-policy=out,none comment="defconf: masquerade"
/ip firewall nat add chain=dstnat action=dst-nat protocol=tcp dst-port=3389 in-interface-list=WAN src-address-list=remote to-addresses=192.168.1.20
