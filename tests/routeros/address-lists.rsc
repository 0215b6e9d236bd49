# 2026-12-07 10:17:48 by RouterOS 7.16.2
# software id = J0TR-5CVE
#
# Address lists in every form: single addresses, prefixes, ranges, the
# same address in two lists, an entry with a timeout (dynamic, gone after
# a day), a disabled entry, comments, and rules that use the lists on
# both sides, negated, in every table.
/interface list
add name=WAN
add name=LAN
/interface list member
add interface=ether1 list=WAN
add interface=bridge list=LAN
/ip firewall address-list
add address=192.168.1.0/24 list=lan
add address=192.168.1.2 comment="web server" list=servers
add address=192.168.1.3 comment=mail list=servers
add address=192.168.1.2 list=backup-targets
add address=192.168.1.100-192.168.1.150 comment="DHCP pool" list=dhcp-clients
add address=203.0.113.0/24 comment="branch office" list=trusted
add address=198.51.100.17 comment="admin at home" list=trusted
add address=198.51.100.99 comment="old admin address" disabled=yes list=trusted
add address=192.0.2.66 comment="blocked for a day" list=blocked timeout=1d
add address=192.0.2.77 list=blocked timeout=2h30m
add address=192.0.2.0/25 list=blocked timeout=1w
add address=10.10.10.1 list=blocked
/ip firewall raw
add action=drop chain=prerouting src-address-list=blocked
/ip firewall mangle
add action=mark-connection chain=prerouting dst-address-list=backup-targets \
    new-connection-mark=backup passthrough=yes src-address-list=!servers
/ip firewall filter
add action=accept chain=input connection-state=established,related
add action=accept chain=input src-address-list=trusted dst-port=22,8291 \
    protocol=tcp
add action=accept chain=input src-address-list=lan
add action=drop chain=input
add action=accept chain=forward connection-state=established,related
add action=accept chain=forward dst-address-list=servers src-address-list=\
    trusted
add action=drop chain=forward dst-address-list=servers src-address-list=\
    dhcp-clients dst-port=25 protocol=tcp
add action=accept chain=forward src-address-list=lan dst-address-list=!lan
add action=drop chain=forward
/ip firewall nat
add action=masquerade chain=srcnat src-address-list=lan out-interface-list=WAN
add action=dst-nat chain=dstnat dst-port=443 in-interface-list=WAN protocol=tcp \
    src-address-list=trusted to-addresses=192.168.1.2
