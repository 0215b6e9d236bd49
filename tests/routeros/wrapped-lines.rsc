# dec/07/2026 09:18:21 by RouterOS 6.49.10
# software id = KD7M-0NQ2
#
# Long lines as export wraps them at 80 columns: a trailing `\` and the
# next line indented by four spaces (the indentation is not part of the
# value). A break right after `key=`, a break before a quoted value, and
# breaks inside quoted strings: there export writes a space that starts
# the continued part as `\_`, since leading blanks are dropped.
/interface list
add comment=\
    "the interfaces facing the internet service provider, one today" name=\
    WAN
add comment="the inside of the house: wired ports, both radios and the gue\
    st network bridge" name=LAN
/interface list member
add interface=ether1 list=WAN
add interface=bridge list=LAN
/ip firewall address-list
add address=192.168.1.50-192.168.1.59 comment="printers and the NAS; keep \
    this range out of the DHCP pool\_so they never move" list=\
    fixed-hosts
/ip firewall filter
add action=accept chain=input comment=\
    "defconf: accept established,related,untracked" connection-state=\
    established,related,untracked
add action=drop chain=input comment="defconf: drop invalid" connection-state=\
    invalid
add action=accept chain=input comment="defconf: accept ICMP" protocol=icmp
add action=drop chain=input comment="defconf: drop all not coming from LAN" \
    in-interface-list=!LAN
add action=accept chain=forward comment="the NAS may reach its backup site on\
    \_the usual ports, and nothing else leaves from it unannounced" \
    dst-port=22,873,6690 protocol=tcp src-address-list=fixed-hosts
add action=fasttrack-connection chain=forward comment="defconf: fasttrack" \
    connection-state=established,related
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
add action=dst-nat chain=dstnat comment="forward the range of game ports to t\
    he console" dst-port=3074,3478-3480 in-interface-list=WAN protocol=udp \
    to-addresses=192.168.1.77
