# 2026-12-07 10:11:20 by RouterOS 7.16.2
# software id = Y6NA-4PQC
#
# Sampling and time matchers: nth (every Nth packet), random (per cent),
# per-connection-classifier with each classifier, and time of day and
# weekdays (the kids' curfew).
/interface list
add name=WAN
add name=LAN
/interface list member
add interface=ether1 list=WAN
add interface=bridge list=LAN
/ip firewall address-list
add address=192.168.1.30-192.168.1.39 comment="kids' devices" list=kids
/ip firewall filter
add action=accept chain=forward connection-state=established,related
add action=drop chain=forward connection-state=invalid
add action=drop chain=forward comment="school nights" src-address-list=kids \
    time=22h-23h59m59s,sun,mon,tue,wed,thu
add action=drop chain=forward comment="... and the early morning" \
    src-address-list=kids time=0s-7h,mon,tue,wed,thu,fri
add action=drop chain=forward comment="lunch break, weekdays" src-address-list=\
    kids time=12:00:00-13:00:00,mon,tue,wed,thu,fri
add action=log chain=forward comment="sample one in a hundred" log-prefix=\
    sample nth=100,1 connection-state=new
add action=log chain=forward log-prefix=rnd random=5 connection-state=new
add action=drop chain=forward connection-nat-state=!dstnat connection-state=new \
    in-interface-list=WAN
/ip firewall mangle
add action=mark-connection chain=prerouting connection-mark=no-mark \
    in-interface-list=LAN new-connection-mark=b0 passthrough=yes \
    per-connection-classifier=src-address:3/0
add action=mark-connection chain=prerouting connection-mark=no-mark \
    in-interface-list=LAN new-connection-mark=b1 passthrough=yes \
    per-connection-classifier=dst-address:3/1
add action=mark-connection chain=prerouting connection-mark=no-mark \
    in-interface-list=LAN new-connection-mark=b2 passthrough=yes \
    per-connection-classifier=src-port:3/2
add action=mark-connection chain=prerouting connection-mark=no-mark \
    in-interface-list=LAN new-connection-mark=b3 passthrough=yes \
    per-connection-classifier=dst-port:4/0
add action=mark-connection chain=prerouting connection-mark=no-mark \
    in-interface-list=LAN new-connection-mark=b4 passthrough=yes \
    per-connection-classifier=both-ports:4/1
add action=mark-connection chain=prerouting connection-mark=no-mark \
    in-interface-list=LAN new-connection-mark=b5 passthrough=yes \
    per-connection-classifier=src-address-and-port:4/2
add action=mark-connection chain=prerouting connection-mark=no-mark \
    in-interface-list=LAN new-connection-mark=b6 passthrough=yes \
    per-connection-classifier=dst-address-and-port:4/3
add action=mark-connection chain=prerouting connection-mark=no-mark \
    in-interface-list=LAN new-connection-mark=b7 passthrough=yes \
    per-connection-classifier=both-addresses-and-ports:2/0
add action=mark-packet chain=forward new-packet-mark=every-3rd nth=3,3 \
    passthrough=yes
add action=mark-packet chain=forward new-packet-mark=half random=50 \
    passthrough=yes
/ip firewall nat
add action=masquerade chain=srcnat out-interface-list=WAN
