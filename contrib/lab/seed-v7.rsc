# dec/07/2026 12:00:00 by RouterOS 7.16.1
# software id = SEED-0001
#
# model = RB5009UG+S+
# The seed page (MikroTik wiki "Hairpin NAT") as a whole RouterOS v7
# router: the default configuration (interface lists, the defconf
# firewall with fasttrack) with the seed's addresses, the port forward of
# 1.1.1.1:80 to 192.168.1.2 and the hairpin masquerade. Run it with
#   contrib/lab/seed-lab.sh --routeros contrib/lab/seed-v7.rsc
/interface bridge
add admin-mac=02:00:00:00:02:01 auto-mac=no comment=defconf name=bridge
/interface list
add comment=defconf name=WAN
add comment=defconf name=LAN
/ip pool
add name=dhcp ranges=192.168.1.100-192.168.1.200
/interface bridge port
add bridge=bridge comment=defconf interface=ether2
/interface list member
add comment=defconf interface=bridge list=LAN
add comment=defconf interface=ether1 list=WAN
/ip address
add address=192.168.1.1/24 comment=defconf interface=bridge network=\
    192.168.1.0
add address=1.1.1.1/24 interface=ether1 network=1.1.1.0
/ip dns
set allow-remote-requests=yes servers=1.1.1.254
/ip firewall filter
add action=accept chain=input comment=\
    "defconf: accept established,related,untracked" connection-state=\
    established,related,untracked
add action=drop chain=input comment="defconf: drop invalid" connection-state=\
    invalid
add action=accept chain=input comment="defconf: accept ICMP" protocol=icmp
add action=accept chain=input comment=\
    "defconf: accept to local loopback (for CAPsMAN)" dst-address=127.0.0.1
add action=drop chain=input comment="defconf: drop all not coming from LAN" \
    in-interface-list=!LAN
add action=accept chain=forward comment="defconf: accept in ipsec policy" \
    ipsec-policy=in,ipsec
add action=accept chain=forward comment="defconf: accept out ipsec policy" \
    ipsec-policy=out,ipsec
add action=fasttrack-connection chain=forward comment="defconf: fasttrack" \
    connection-state=established,related hw-offload=yes
add action=accept chain=forward comment=\
    "defconf: accept established,related, untracked" connection-state=\
    established,related,untracked
add action=drop chain=forward comment="defconf: drop invalid" \
    connection-state=invalid
add action=drop chain=forward comment=\
    "defconf: drop all from WAN not DSTNATed" connection-nat-state=!dstnat \
    connection-state=new in-interface-list=WAN
/ip firewall nat
add action=masquerade chain=srcnat comment="defconf: masquerade" \
    ipsec-policy=out,none out-interface-list=WAN
add action=dst-nat chain=dstnat comment="web server" dst-address=1.1.1.1 \
    dst-port=80 protocol=tcp to-addresses=192.168.1.2
add action=masquerade chain=srcnat comment="hairpin NAT" dst-address=\
    192.168.1.2 dst-port=80 out-interface=bridge protocol=tcp src-address=\
    192.168.1.0/24
/ip route
add disabled=no dst-address=0.0.0.0/0 gateway=1.1.1.254 routing-table=main \
    suppress-hw-offload=no
/system clock
set time-zone-name=Europe/Riga
/system identity
set name=seed
