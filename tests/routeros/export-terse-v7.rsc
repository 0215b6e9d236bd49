# 2026-12-07 08:40:55 by RouterOS 7.15.3
# software id = 9MZK-Q4VA
#
# model = RB5009UG+S+
# serial number = HG70912ABCD
#
# `/export terse` of a small office router: every line carries its
# whole path, nothing is wrapped however long it gets. Static WAN
# address on ether1, LAN bridge, two port forwards and their hairpin.
/interface bridge add comment=defconf name=bridge port-cost-mode=short
/interface list add comment=defconf name=WAN
/interface list add comment=defconf name=LAN
/ip pool add name=dhcp ranges=192.168.1.100-192.168.1.199
/ip dhcp-server add address-pool=dhcp interface=bridge lease-time=1d name=lan-dhcp
/interface bridge port add bridge=bridge comment=defconf interface=ether2 internal-path-cost=10 path-cost=10
/interface bridge port add bridge=bridge comment=defconf interface=ether3 internal-path-cost=10 path-cost=10
/interface bridge port add bridge=bridge comment=defconf interface=ether4 internal-path-cost=10 path-cost=10
/interface list member add comment=defconf interface=bridge list=LAN
/interface list member add comment=defconf interface=ether1 list=WAN
/ip address add address=192.168.1.1/24 comment=defconf interface=bridge network=192.168.1.0
/ip address add address=1.1.1.1/24 comment="static from the ISP" interface=ether1 network=1.1.1.0
/ip firewall address-list add address=1.1.1.1 comment="our public address" list=WAN-IP
/ip firewall address-list add address=192.168.1.0/24 list=LAN-NET
/ip firewall filter add action=accept chain=input comment="defconf: accept established,related,untracked" connection-state=established,related,untracked
/ip firewall filter add action=drop chain=input comment="defconf: drop invalid" connection-state=invalid
/ip firewall filter add action=accept chain=input comment="defconf: accept ICMP" protocol=icmp
/ip firewall filter add action=accept chain=input comment="winbox from the office only" dst-port=8291 protocol=tcp src-address-list=LAN-NET
/ip firewall filter add action=drop chain=input comment="defconf: drop all not coming from LAN" in-interface-list=!LAN
/ip firewall filter add action=accept chain=forward comment="defconf: accept in ipsec policy" ipsec-policy=in,ipsec
/ip firewall filter add action=accept chain=forward comment="defconf: accept out ipsec policy" ipsec-policy=out,ipsec
/ip firewall filter add action=fasttrack-connection chain=forward comment="defconf: fasttrack" connection-state=established,related hw-offload=yes
/ip firewall filter add action=accept chain=forward comment="defconf: accept established,related, untracked" connection-state=established,related,untracked
/ip firewall filter add action=drop chain=forward comment="defconf: drop invalid" connection-state=invalid
/ip firewall filter add action=drop chain=forward comment="defconf: drop all from WAN not DSTNATed" connection-nat-state=!dstnat connection-state=new in-interface-list=WAN
/ip firewall nat add action=masquerade chain=srcnat comment="defconf: masquerade" ipsec-policy=out,none out-interface-list=WAN
/ip firewall nat add action=dst-nat chain=dstnat comment="web server" dst-address-list=WAN-IP dst-port=80,443 protocol=tcp to-addresses=192.168.1.2
/ip firewall nat add action=dst-nat chain=dstnat comment="remote desktop on another port" dst-address-list=WAN-IP dst-port=33890 protocol=tcp to-addresses=192.168.1.20 to-ports=3389
/ip firewall nat add action=masquerade chain=srcnat comment=hairpin dst-address=192.168.1.0/24 src-address=192.168.1.0/24
/ip route add disabled=no dst-address=0.0.0.0/0 gateway=1.1.1.254 routing-table=main suppress-hw-offload=no
/ip service set telnet disabled=yes
/ip service set ftp disabled=yes
/system clock set time-zone-name=Europe/Vienna
/system identity set name=office-gw
/tool mac-server set allowed-interface-list=LAN
