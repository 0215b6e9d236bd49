# dec/07/2026 09:12:40 by RouterOS 7.14.3
# software id = 2BNR-66TX
#
# Several commands on one line separated by `;`, as pasted from a forum
# answer or a /system script: a menu change and its commands on one
# line, two whole commands on one line, and a trailing `;`.
/interface list add name=WAN; /interface list add name=LAN
/interface list member; add interface=ether1 list=WAN; add interface=bridge list=LAN
/ip firewall filter
add chain=input action=accept connection-state=established,related; add chain=input action=drop connection-state=invalid
add chain=input action=accept protocol=icmp ; add chain=input action=drop in-interface-list=WAN ;
/ip firewall nat; add chain=srcnat action=masquerade out-interface-list=WAN;
/ip firewall nat add chain=dstnat action=dst-nat protocol=tcp dst-port=80 in-interface-list=WAN to-addresses=192.168.1.2; /ip firewall filter add chain=forward action=accept connection-nat-state=dstnat
/system identity set name=semicolons; /system clock set time-zone-name=UTC
