/* SPDX-License-Identifier: ISC */
/*
 * Input guards against spoofed and source-routed packets, the RouterOS
 * /ip settings (and Linux net.ipv4.conf.*) of the same names:
 *
 * - rp-filter (RFC 3704): strict drops a packet whose source address
 *   would not be routed back out of the link it came in on (a LAN
 *   address arriving on the WAN); loose only one whose source is not
 *   routable at all; no (the default, as RouterOS) checks nothing.
 * - accept-source-route: no (the default, as RouterOS and Linux): a
 *   packet with a loose or strict source route option (LSRR, SSRR) is
 *   dropped, whoever it is for. Other options pass untouched.
 */
#ifndef HAIRPIND_GUARD_H
#define HAIRPIND_GUARD_H

struct router;
struct pkt;

/**
 * guard_input() - may the IPv4 packet @p that came in on @in_if go on?
 * Runs before reassembly and conntrack, on every fragment.
 * Return: -1 when it may, else the drop reason to count (source-route,
 * rp-filter, bad-ip-header for malformed options).
 */
int guard_input(const struct router *r, int in_if, const struct pkt *p);

#endif
