# 2026-12-07 09:39:40 by RouterOS 7.18
# software id = 7KQD-ZW3P
#
# The current manual's bruteforce prevention, in the v7 path syntax its
# page uses: connection1 (5 min) -> connection2 (15 min) -> connection3
# (1 h) -> bruteforce_blacklist (1 day), and SSH accepted only from
# sources not on the blacklist (negated src-address-list). The trusted
# "secured" list of the port-knocking page is exempt from stage 3.
/ip/firewall/address-list/add address=192.168.1.0/24 list=secured
/ip/firewall/filter/add action=add-src-to-address-list address-list=bruteforce_blacklist address-list-timeout=1d chain=input comment="Blacklist" connection-state=new dst-port=22 protocol=tcp src-address-list=connection3
/ip/firewall/filter/add action=add-src-to-address-list address-list=connection3 address-list-timeout=1h chain=input comment="Third attempt" connection-state=new dst-port=22 protocol=tcp src-address-list=connection2
/ip/firewall/filter/add action=add-src-to-address-list address-list=connection2 address-list-timeout=15m chain=input comment="Second attempt" connection-state=new dst-port=22 protocol=tcp src-address-list=connection1
/ip/firewall/filter/add action=add-src-to-address-list address-list=connection1 address-list-timeout=5m chain=input comment="First attempt" connection-state=new dst-port=22 protocol=tcp src-address-list=!secured
/ip/firewall/filter/add action=accept chain=input dst-port=22 protocol=tcp src-address-list=!bruteforce_blacklist
/ip/firewall/filter/add action=drop chain=input dst-port=22 protocol=tcp
