# dec/07/2026 09:38:30 by RouterOS 6.49.17
# software id = 5TRW-H2NC
#
# The manual's SSH brute-force prevention: every new connection to port
# 22 moves its source one stage on (ssh_stage1 -> 2 -> 3, one minute
# each), the fourth within the minute lands it in ssh_blacklist for ten
# days, and the blacklist is dropped, on the router and downstream. The
# same for FTP in a user chain with quoted names that have spaces.
/ip firewall filter
add action=drop chain=input comment="drop ssh brute forcers" dst-port=22 \
    protocol=tcp src-address-list=ssh_blacklist
add action=add-src-to-address-list address-list=ssh_blacklist \
    address-list-timeout=1w3d chain=input connection-state=new dst-port=22 \
    protocol=tcp src-address-list=ssh_stage3
add action=add-src-to-address-list address-list=ssh_stage3 \
    address-list-timeout=1m chain=input connection-state=new dst-port=22 \
    protocol=tcp src-address-list=ssh_stage2
add action=add-src-to-address-list address-list=ssh_stage2 \
    address-list-timeout=1m chain=input connection-state=new dst-port=22 \
    protocol=tcp src-address-list=ssh_stage1
add action=add-src-to-address-list address-list=ssh_stage1 \
    address-list-timeout=1m chain=input connection-state=new dst-port=22 \
    protocol=tcp
add action=drop chain=forward comment="drop ssh brute downstream" dst-port=22 \
    protocol=tcp src-address-list=ssh_blacklist
add action=jump chain=input dst-port=21 jump-target="FTP brute force" \
    protocol=tcp
add action=drop chain="FTP brute force" src-address-list="FTP black list"
add action=add-src-to-address-list address-list="FTP black list" \
    address-list-timeout=none-dynamic chain="FTP brute force" \
    connection-state=new src-address-list="FTP stage 2"
add action=add-src-to-address-list address-list="FTP stage 2" \
    address-list-timeout=1m chain="FTP brute force" connection-state=new \
    src-address-list="FTP stage 1"
add action=add-src-to-address-list address-list="FTP stage 1" \
    address-list-timeout=1m chain="FTP brute force" connection-state=new
add action=return chain="FTP brute force"
add action=add-dst-to-address-list address-list=ftp-login-failed \
    address-list-timeout=none-static chain=output content=\
    "530 Login incorrect" protocol=tcp
/ip firewall nat
add action=masquerade chain=srcnat out-interface=ether1
add action=dst-nat chain=dstnat dst-port=22 in-interface=ether1 protocol=tcp \
    to-addresses=192.168.1.2
