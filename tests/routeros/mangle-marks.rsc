# 2026-12-07 09:50:40 by RouterOS 7.16.2
# software id = Q7HX-2MBD
#
# Mangle as QoS writes it: mark the connection once (connection-mark=
# no-mark), derive packet marks for the queues, change TTL and DSCP, a
# jump into a user chain and its return, and a filter that uses the
# marks. (mark-routing with its routing tables is in the pcc-dual-wan
# files.)
/interface list
add name=WAN
add name=LAN
/interface list member
add interface=ether1 list=WAN
add interface=bridge list=LAN
/ip firewall address-list
add address=192.168.1.60-192.168.1.69 comment="desk phones" list=phones
/ip firewall mangle
add action=mark-connection chain=prerouting comment="phones: one mark per connection" \
    connection-mark=no-mark in-interface-list=LAN new-connection-mark=voip-conn \
    passthrough=yes src-address-list=phones
add action=mark-connection chain=prerouting connection-mark=no-mark \
    connection-state=new dst-port=80,443 new-connection-mark=web-conn \
    passthrough=yes protocol=tcp
add action=mark-connection chain=prerouting connection-mark=no-mark \
    new-connection-mark=other-conn passthrough=yes
add action=mark-packet chain=forward connection-mark=voip-conn \
    new-packet-mark=voip passthrough=no
add action=mark-packet chain=forward connection-mark=web-conn \
    new-packet-mark=web passthrough=no
add action=mark-packet chain=forward connection-mark=other-conn \
    new-packet-mark=bulk passthrough=no
add action=jump chain=postrouting jump-target=qos-dscp out-interface-list=WAN
add action=change-dscp chain=qos-dscp new-dscp=46 packet-mark=voip \
    passthrough=yes
add action=change-dscp chain=qos-dscp new-dscp=0 packet-mark=bulk \
    passthrough=yes
add action=return chain=qos-dscp
add action=change-ttl chain=postrouting new-ttl=set:64 out-interface-list=WAN \
    passthrough=yes
add action=change-ttl chain=prerouting in-interface-list=LAN new-ttl=\
    increment:1 passthrough=yes ttl=equal:1
add action=change-ttl chain=forward new-ttl=decrement:1 passthrough=yes \
    disabled=yes
add action=accept chain=input in-interface-list=LAN
add action=log chain=output log-prefix=router-out protocol=udp dst-port=53 \
    disabled=yes
add action=passthrough chain=prerouting comment="count everything"
/ip firewall filter
add action=accept chain=input connection-state=established,related,untracked
add action=drop chain=input connection-state=invalid
add action=drop chain=input in-interface-list=WAN
add action=accept chain=forward connection-mark=voip-conn comment=\
    "phones are never fasttracked"
add action=fasttrack-connection chain=forward connection-state=\
    established,related
add action=accept chain=forward connection-state=established,related,untracked
add action=drop chain=forward connection-state=invalid
add action=drop chain=forward connection-nat-state=!dstnat connection-state=new \
    in-interface-list=WAN
add action=drop chain=forward packet-mark=bulk disabled=yes
/ip firewall nat
add action=masquerade chain=srcnat out-interface-list=WAN
/ip route
add disabled=no distance=1 dst-address=0.0.0.0/0 gateway=1.1.1.254 \
    routing-table=main
/queue tree
add max-limit=20M name=upload parent=ether1
add name=voip packet-mark=voip parent=upload priority=1
add name=bulk packet-mark=bulk parent=upload priority=8
