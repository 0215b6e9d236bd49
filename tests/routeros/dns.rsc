# dec/07/2026 10:24:39 by RouterOS 7.16.2
# software id = 7KQD-ZW3P
#
# The router as the LAN's resolver: upstream servers, remote requests
# allowed (and port 53 dropped from the WAN), static A records (one with
# a TTL), a CNAME and a regexp, and the split-horizon answer for the
# published web server, the seed page's better fix for hairpin.
/interface list
add comment=defconf name=WAN
add comment=defconf name=LAN
/interface list member
add comment=defconf interface=bridge list=LAN
add comment=defconf interface=ether1 list=WAN
/ip dns
set allow-remote-requests=yes cache-size=4096KiB servers=2.2.2.53,1.1.1.254
/ip dns static
add address=192.168.1.1 comment=defconf name=router.lan type=A
add address=192.168.1.2 name=www.example.com ttl=5m
add address=192.168.1.3 regexp=".*\\.lab\\.example\$"
add cname=www.example.com name=web.example.com type=CNAME
add address=192.168.1.4 disabled=yes name=old.example.com
/ip firewall filter
add action=accept chain=input connection-state=established,related,untracked
add action=drop chain=input connection-state=invalid
add action=drop chain=input comment="no open resolver" dst-port=53 \
    in-interface-list=WAN protocol=udp
add action=drop chain=input dst-port=53 in-interface-list=WAN protocol=tcp
add action=accept chain=input in-interface-list=LAN
add action=drop chain=input
/ip firewall nat
add action=masquerade chain=srcnat out-interface-list=WAN
add action=dst-nat chain=dstnat dst-address=1.1.1.1 dst-port=80 protocol=tcp \
    to-addresses=192.168.1.2
add action=redirect chain=dstnat comment="LAN DNS goes to the router" \
    dst-port=53 in-interface-list=LAN protocol=udp to-ports=53
