# dec/07/2026 10:35:10 by RouterOS 7.16.2
# software id = Z3MD-7EPL
#
# /interface list with include= and exclude= (of the built-in all,
# none, dynamic and static lists and of each other), members in several
# lists, and every way rules use lists: in-interface-list,
# out-interface-list, negated, built-ins directly.
/interface list
add comment=defconf name=WAN
add comment=defconf name=LAN
add name=GUEST
add name=MGMT
add include=LAN,GUEST name=INSIDE
add exclude=WAN include=all name=NOT-WAN
add exclude=dynamic include=static name=STATIC-ONLY
add include=none name=EMPTY
/interface list member
add comment=defconf interface=ether1 list=WAN
add comment=defconf interface=bridge list=LAN
add interface=guest list=GUEST
add interface=ether5 list=MGMT
add interface=ether5 list=LAN
/ip firewall filter
add action=accept chain=input connection-state=established,related,untracked
add action=drop chain=input connection-state=invalid
add action=accept chain=input in-interface-list=MGMT
add action=accept chain=input dst-port=53,67 in-interface-list=GUEST \
    protocol=udp
add action=drop chain=input in-interface-list=GUEST
add action=drop chain=input in-interface-list=!INSIDE
add action=accept chain=forward connection-state=established,related,untracked
add action=drop chain=forward connection-state=invalid
add action=drop chain=forward in-interface-list=GUEST out-interface-list=!WAN
add action=drop chain=forward in-interface-list=EMPTY
add action=accept chain=forward in-interface-list=INSIDE out-interface-list=WAN
add action=drop chain=forward in-interface-list=dynamic
add action=accept chain=forward in-interface-list=all out-interface-list=\
    STATIC-ONLY connection-nat-state=dstnat
add action=drop chain=forward in-interface-list=NOT-WAN out-interface-list=\
    none
add action=drop chain=forward connection-nat-state=!dstnat connection-state=new \
    in-interface-list=WAN
/ip firewall nat
add action=masquerade chain=srcnat out-interface-list=WAN
add action=masquerade chain=srcnat comment="MGMT sees the router" \
    out-interface-list=MGMT in-interface-list=!MGMT
