# dec/07/2026 10:28:03 by RouterOS 6.49.17
# software id = 5TRW-H2NC
#
# model = RBD52G-5HacD2HnD
# serial number = HD10A7B9C3F
#
# A home router's export where most sections are outside hairpind's
# model: each is skipped with one note, and the few modelled sections in
# between (interface lists, address, firewall) still load. Among them the
# firewall's own unmodelled menu (connection tracking); service-port is read (issue 15).
/interface bridge
add admin-mac=48:A9:8A:4C:21:08 auto-mac=no comment=defconf name=bridge
/interface ethernet
set [ find default-name=ether5 ] poe-out=off
/interface wireless
set [ find default-name=wlan1 ] band=2ghz-b/g/n channel-width=20/40mhz-XX \
    country=austria disabled=no distance=indoors frequency=auto mode=\
    ap-bridge ssid=Heimnetz wireless-protocol=802.11
/interface vlan
add interface=bridge name=vlan-iot vlan-id=30
/interface list
add name=WAN
add name=LAN
/interface wireless security-profiles
set [ find default=yes ] authentication-types=wpa2-psk mode=dynamic-keys \
    supplicant-identity=MikroTik wpa2-pre-shared-key=not-the-real-one
/ip ipsec profile
set [ find default=yes ] dpd-interval=2m dpd-maximum-failures=5
/ip pool
add name=dhcp-lan ranges=192.168.1.100-192.168.1.199
/ip dhcp-server
add address-pool=dhcp-lan disabled=no interface=bridge lease-time=1d name=\
    lan
/interface bridge port
add bridge=bridge comment=defconf interface=ether2
add bridge=bridge comment=defconf interface=ether3
add bridge=bridge comment=defconf interface=wlan1
/interface list member
add interface=ether1 list=WAN
add interface=bridge list=LAN
/ip address
add address=192.168.1.1/24 interface=bridge network=192.168.1.0
/ip cloud
set ddns-enabled=yes
/ip dhcp-client
add disabled=no interface=ether1
/ip dhcp-server lease
add address=192.168.1.2 mac-address=02:00:00:00:01:02 server=lan
/ip dhcp-server network
add address=192.168.1.0/24 dns-server=192.168.1.1 gateway=192.168.1.1
/ip firewall connection tracking
set enabled=auto generic-timeout=10m icmp-timeout=10s loose-tcp-tracking=yes \
    tcp-close-timeout=10s tcp-close-wait-timeout=10s \
    tcp-established-timeout=1d tcp-fin-wait-timeout=10s \
    tcp-last-ack-timeout=10s tcp-max-retrans-timeout=5m \
    tcp-syn-received-timeout=5s tcp-syn-sent-timeout=5s \
    tcp-time-wait-timeout=10s tcp-unacked-timeout=5m udp-stream-timeout=3m \
    udp-timeout=10s
/ip firewall filter
add action=accept chain=input connection-state=established,related
add action=drop chain=input in-interface-list=WAN
/ip firewall nat
add action=masquerade chain=srcnat out-interface-list=WAN
/ip firewall service-port
set ftp disabled=no ports=21
set tftp disabled=no ports=69
set irc disabled=yes ports=6667
set h323 disabled=yes
set sip disabled=yes ports=5060,5061 sip-direct-media=yes sip-timeout=1h
set pptp disabled=no
set udplite disabled=no
set dccp disabled=no
set sctp disabled=no
/ip service
set telnet disabled=yes
/ip upnp
set enabled=yes
/ip upnp interfaces
add interface=bridge type=internal
/snmp
set enabled=yes trap-version=2
/system clock
set time-zone-name=Europe/Vienna
/system identity
set name=heim-router
/system logging
add topics=firewall
/system ntp client
set enabled=yes server-dns-names=pool.ntp.org
/system scheduler
add interval=1w name=backup on-event="/system backup save name=weekly" \
    start-time=03:00:00
/tool bandwidth-server
set enabled=no
/tool netwatch
add down-script=":log warning gateway-down" host=1.1.1.254
/user group
set full policy="local,telnet,ssh,ftp,reboot,read,write,policy,test,winbox,pa\
    ssword,web,sniff,sensitive,api,romon,dude,tikapp"
