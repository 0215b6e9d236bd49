# dec/07/2026 09:25:03 by RouterOS 6.49.17
# software id = B8KE-3VNL
#
# Quoted strings with RouterOS escapes, as export writes them: bytes
# outside ASCII as \XX (the UTF-8 of the text), \" \\ \_ (space) \$ \?
# and \t. An address list named with non-ASCII letters is referred to
# by the same escaped name; both must mean the same list.
/interface list
add comment="Stra\C3\9Fe (Glasfaser)" name=WAN
add comment="\D0\BB\D0\BE\D0\BA\D0\B0\D0\BB\D1\8C\D0\BD\D0\B0\D1\8F \D1\81\D0\B5\D1\82\D1\8C" name=LAN
/interface list member
add interface=ether1 list=WAN
add interface=bridge list=LAN
/ip firewall address-list
add address=192.168.1.200-192.168.1.220 comment="G\C3\A4ste \"Wohnzimmer\"" list="g\C3\A4ste"
add address=192.168.1.5 comment="C:\\backup\\nas \$share\? ja" list=nas
/ip firewall filter
add action=accept chain=input comment="caf\C3\A9: accept established" connection-state=established,related
add action=drop chain=input connection-state=invalid log=yes log-prefix="\"invalid\"\_"
add action=accept chain=input protocol=icmp
add action=drop chain=input comment="tab\there" in-interface-list=WAN
add action=accept chain=forward connection-state=established,related
add action=drop chain=forward comment="G\C3\A4ste d\C3\BCrfen nicht zum NAS" dst-address-list=nas src-address-list="g\C3\A4ste"
add action=drop chain=forward connection-nat-state=!dstnat connection-state=new in-interface-list=WAN
/ip firewall nat
add action=masquerade chain=srcnat comment="\E2\86\92 internet" out-interface-list=WAN
