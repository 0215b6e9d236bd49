# 2026-12-07 10:46:51 by RouterOS 7.16.2
# software id = 7KQD-ZW3P
#
# model = C53UiG+5HPaxD2HPaxD
# serial number = HGB12345XYZ
#
# A whole v7 home export: PPPoE to the ISP on a VLAN, a guest VLAN,
# WireGuard for the phone, the defconf firewall extended with guest
# isolation and a port forward on the PPPoE address. Interfaces hairpind
# does not model (pppoe-client, vlan, wireguard) are declared in the
# YAML as links of their own under the same names.
/interface bridge
add admin-mac=78:9A:18:00:11:22 auto-mac=no comment=defconf name=bridge \
    vlan-filtering=yes
/interface wireguard
add listen-port=13231 mtu=1420 name=wg0
/interface vlan
add interface=ether1 name=vlan7-isp vlan-id=7
add interface=bridge name=vlan20-guest vlan-id=20
/interface pppoe-client
add add-default-route=yes disabled=no interface=vlan7-isp name=pppoe-out1 \
    use-peer-dns=yes user=kunde@provider.example
/interface list
add comment=defconf name=WAN
add comment=defconf name=LAN
add name=GUEST
/ip pool
add name=default-dhcp ranges=192.168.88.10-192.168.88.254
add name=guest-dhcp ranges=192.168.20.10-192.168.20.250
/ip dhcp-server
add address-pool=default-dhcp interface=bridge name=defconf
add address-pool=guest-dhcp interface=vlan20-guest name=guest
/interface bridge port
add bridge=bridge comment=defconf interface=ether2
add bridge=bridge comment=defconf interface=ether3
add bridge=bridge comment=defconf interface=wifi1
/interface bridge vlan
add bridge=bridge tagged=bridge,wifi1 vlan-ids=20
/ip neighbor discovery-settings
set discover-interface-list=LAN
/interface list member
add comment=defconf interface=bridge list=LAN
add comment=defconf interface=ether1 list=WAN
add interface=pppoe-out1 list=WAN
add interface=vlan20-guest list=GUEST
add interface=wg0 list=LAN
/interface wireguard peers
add allowed-address=10.77.0.2/32 interface=wg0 name=phone public-key=\
    "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5PQ="
/ip address
add address=192.168.88.1/24 comment=defconf interface=bridge network=\
    192.168.88.0
add address=192.168.20.1/24 interface=vlan20-guest network=192.168.20.0
add address=10.77.0.1/24 interface=wg0 network=10.77.0.0
add address=192.168.100.2/24 comment="reach the modem's web page" interface=\
    ether1 network=192.168.100.0
/ip dhcp-server network
add address=192.168.20.0/24 dns-server=192.168.20.1 gateway=192.168.20.1
add address=192.168.88.0/24 comment=defconf dns-server=192.168.88.1 \
    gateway=192.168.88.1
/ip dns
set allow-remote-requests=yes
/ip dns static
add address=192.168.88.1 comment=defconf name=router.lan type=A
/ip firewall address-list
add address=192.168.88.0/24 list=LAN-NET
/ip firewall filter
add action=accept chain=input comment=\
    "defconf: accept established,related,untracked" connection-state=\
    established,related,untracked
add action=drop chain=input comment="defconf: drop invalid" connection-state=\
    invalid
add action=accept chain=input comment="defconf: accept ICMP" protocol=icmp
add action=accept chain=input comment="defconf: accept to local loopback (for CAPsMAN)" \
    dst-address=127.0.0.1
add action=accept chain=input comment=WireGuard dst-port=13231 protocol=udp
add action=accept chain=input comment="guests: DNS and DHCP only" dst-port=\
    53,67 in-interface-list=GUEST protocol=udp
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
add action=drop chain=forward comment="guests never reach the LAN" \
    in-interface-list=GUEST out-interface-list=!WAN
add action=drop chain=forward comment=\
    "defconf: drop all from WAN not DSTNATed" connection-nat-state=!dstnat \
    connection-state=new in-interface-list=WAN
/ip firewall mangle
add action=change-mss chain=forward new-mss=clamp-to-pmtu out-interface=\
    pppoe-out1 passthrough=yes protocol=tcp tcp-flags=syn
/ip firewall nat
add action=masquerade chain=srcnat comment="defconf: masquerade" \
    ipsec-policy=out,none out-interface-list=WAN
add action=dst-nat chain=dstnat comment="game server" dst-port=25565 \
    in-interface=pppoe-out1 protocol=tcp to-addresses=192.168.88.20
add action=dst-nat chain=dstnat comment="hairpin for the game server" \
    dst-address-type=local dst-port=25565 in-interface-list=LAN protocol=tcp \
    to-addresses=192.168.88.20
add action=masquerade chain=srcnat comment="hairpin for the game server" \
    dst-address=192.168.88.20 dst-port=25565 protocol=tcp src-address-list=\
    LAN-NET
/ip service
set telnet disabled=yes
set ftp disabled=yes
set www disabled=yes
set api disabled=yes
set api-ssl disabled=yes
/system clock
set time-zone-name=Europe/Berlin
/system identity
set name=zuhause
/tool mac-server
set allowed-interface-list=LAN
/tool mac-server mac-winbox
set allowed-interface-list=LAN
