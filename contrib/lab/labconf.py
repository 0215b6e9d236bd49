#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Lab configs: derive per-run hairpind configs from etc/hairpind.yaml, and
turn a hairpind config into the kernel stand-in router (addresses, routes,
nftables) so that both routers run from the very same file.

  labconf.py gen --prefix P --socket S [--template F] [--no-hairpin]
                 [--no-nat] [--add-nat RULE]... [--lan-mtu N]
                 [--no-default-route]
  labconf.py nft CONFIG --link TAP=DEV...
  labconf.py kernel CONFIG --netns NS --link TAP=DEV...
  labconf.py show CONFIG socket|nat

Only the RouterOS subset the kernel can express is translated; anything
else is an error rather than a silently different router.
"""

import argparse
import copy
import ipaddress
import shlex
import subprocess
import sys

import yaml

# The SPEC section 4 seed config, used when etc/hairpind.yaml is absent.
SEED = {
    "interfaces": [
        {"name": "wan", "tap": "hp-wan", "netns": "hp-isp",
         "addresses": ["1.1.1.1/24"]},
        {"name": "lan", "tap": "hp-lan", "netns": "hp-lan",
         "addresses": ["192.168.1.1/24"]},
    ],
    "routes": [{"dst": "0.0.0.0/0", "gateway": "1.1.1.254"}],
    "nat": [
        "chain=dstnat dst-address=1.1.1.1 protocol=tcp dst-port=80 "
        "action=dst-nat to-addresses=192.168.1.2",
        "chain=srcnat out-interface=wan action=masquerade",
        "chain=srcnat src-address=192.168.1.0/24 dst-address=192.168.1.2 "
        "protocol=tcp dst-port=80 out-interface=lan action=masquerade",
    ],
    "control": {"socket": "/run/hairpind/hairpind.sock"},
}


class ConfError(Exception):
    pass


def die(msg):
    print("labconf: " + msg, file=sys.stderr)
    sys.exit(1)


# --- RouterOS rule language (the subset needed here) ----------------------

def ros_parse_line(line):
    """One `[add] key=value ...` line into an ordered dict."""
    try:
        words = shlex.split(line, comments=False, posix=True)
    except ValueError as e:
        raise ConfError("cannot split rule %r: %s" % (line, e))
    if words and words[0] == "add":
        words = words[1:]
    rule = {}
    for w in words:
        if "=" not in w:
            raise ConfError("word %r in rule %r is not key=value" % (w, line))
        k, v = w.split("=", 1)
        rule[k] = v
    return rule


def ros_parse_block(text):
    """A pasted RouterOS export: section lines, `add` lines, `\\` joins."""
    rules, cur = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not cur and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            cur += line[:-1] + " "
            continue
        cur += line
        if cur.startswith("/"):
            cur = ""
            continue
        rules.append(ros_parse_line(cur))
        cur = ""
    if cur.strip():
        rules.append(ros_parse_line(cur))
    return rules


def ros_rules(section):
    """Normalise a nat:/filter: section (list or block string) to dicts."""
    if section is None:
        return []
    if isinstance(section, str):
        return ros_parse_block(section)
    out = []
    for r in section:
        if isinstance(r, str):
            out.append(ros_parse_line(r))
        elif isinstance(r, dict):
            out.append({str(k): ("yes" if v is True else "no" if v is False
                                 else str(v)) for k, v in r.items()})
        else:
            raise ConfError("rule %r is neither a string nor a mapping" % r)
    return out


def ros_format(rule):
    words = []
    for k, v in rule.items():
        if not v or any(c.isspace() for c in v) or '"' in v:
            v = '"' + v.replace('"', '\\"') + '"'
        words.append("%s=%s" % (k, v))
    return " ".join(words)


# --- config generation -----------------------------------------------------

def rename(value, prefix):
    """hp-wan -> P-wan: the template's names carry the SPEC prefix."""
    if isinstance(value, str) and value.startswith("hp-"):
        return prefix + value[2:]
    return value


def is_hairpin(rule, lan_names):
    return (rule.get("chain") == "srcnat"
            and rule.get("action") == "masquerade"
            and rule.get("out-interface") in lan_names)


def cmd_gen(args):
    if args.template:
        try:
            with open(args.template) as f:
                conf = yaml.safe_load(f)
        except OSError as e:
            die("%s: %s" % (args.template, e.strerror))
        except yaml.YAMLError as e:
            die("%s: %s" % (args.template, e))
    else:
        conf = copy.deepcopy(SEED)
    if not isinstance(conf, dict) or "interfaces" not in conf:
        die("%s: no interfaces" % args.template)

    lan_names = set()
    for ifc in conf["interfaces"]:
        was_lan = str(ifc.get("tap", "")).endswith("-lan")
        ifc["tap"] = rename(ifc.get("tap"), args.prefix)
        if "netns" in ifc:
            ifc["netns"] = rename(ifc["netns"], args.prefix)
        if was_lan:
            lan_names.add(ifc["name"])
            if args.lan_mtu:
                ifc["mtu"] = args.lan_mtu
    conf.setdefault("control", {})
    conf["control"]["socket"] = args.socket
    if args.no_default_route:
        conf["routes"] = [r for r in conf.get("routes") or []
                          if str(r.get("dst")) != "0.0.0.0/0"]
        if not conf["routes"]:
            del conf["routes"]

    rules = None
    if args.no_nat:
        rules = []
    elif args.no_hairpin or args.add_nat:
        try:
            rules = ros_rules(conf.get("nat"))
        except ConfError as e:
            die(str(e))
        if args.no_hairpin:
            kept = [r for r in rules if not is_hairpin(r, lan_names)]
            if len(kept) == len(rules):
                die("no hairpin rule (srcnat masquerade out-interface=%s) "
                    "found to drop" % "|".join(sorted(lan_names)))
            rules = kept
    if rules is not None:
        # Keep mappings as mappings; a block string becomes a list.
        conf["nat"] = [ros_format(r) for r in rules]
    if args.add_nat:
        conf.setdefault("nat", [])
        if isinstance(conf["nat"], str):
            conf["nat"] = [ros_format(r) for r in ros_rules(conf["nat"])]
        conf["nat"].extend(args.add_nat)
    if not conf.get("nat"):
        conf.pop("nat", None)

    sys.stdout.write(yaml.safe_dump(conf, sort_keys=False,
                                    default_flow_style=False, width=200))


# --- nftables translation --------------------------------------------------

BUILTIN = {
    "dstnat": ("nat", "prerouting", "type nat hook prerouting priority dstnat"),
    "srcnat": ("nat", "postrouting",
               "type nat hook postrouting priority srcnat"),
    "input": ("filter", "input", "type filter hook input priority filter"),
    "forward": ("filter", "forward",
                "type filter hook forward priority filter"),
}

REJECT = {
    "icmp-port-unreachable": "reject with icmp type port-unreachable",
    "icmp-host-unreachable": "reject with icmp type host-unreachable",
    "icmp-net-unreachable": "reject with icmp type net-unreachable",
    "icmp-admin-prohibited": "reject with icmp type admin-prohibited",
    "tcp-reset": "reject with tcp reset",
}

IGNORED = {"comment", "disabled", "randomise-ports", "log-prefix"}


def neg(value):
    if value.startswith("!"):
        return "!= ", value[1:]
    return "", value


def nft_ports(value):
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if len(parts) == 1:
        return parts[0]
    return "{ " + ", ".join(parts) + " }"


def port_range(value):
    if "-" in value:
        lo, hi = value.split("-", 1)
        return int(lo), int(hi)
    return int(value), int(value)


class Translator:
    def __init__(self, conf, links):
        self.ifdev = {}
        for ifc in conf.get("interfaces") or []:
            tap = ifc.get("tap")
            if tap not in links:
                raise ConfError("interface %s: tap %s has no --link"
                                % (ifc.get("name"), tap))
            self.ifdev[str(ifc["name"])] = links[tap]

    def dev(self, name):
        if name not in self.ifdev:
            raise ConfError("unknown interface %r" % name)
        return '"%s"' % self.ifdev[name]

    def matches(self, r):
        m = []
        proto = r.get("protocol")
        if proto:
            op, p = neg(proto)
            m.append("meta l4proto %s%s" % (op, p))
        for key, field in (("src-address", "saddr"), ("dst-address", "daddr")):
            if key in r:
                op, v = neg(r[key])
                m.append("ip %s %s%s" % (field, op, v))
        for key, field in (("src-port", "sport"), ("dst-port", "dport")):
            if key in r:
                if not proto or proto.startswith("!"):
                    raise ConfError("%s needs protocol=tcp|udp" % key)
                op, v = neg(r[key])
                m.append("%s %s %s%s" % (proto, field, op, nft_ports(v)))
        for key, field in (("in-interface", "iifname"),
                           ("out-interface", "oifname")):
            if key in r:
                op, v = neg(r[key])
                m.append("%s %s%s" % (field, op, self.dev(v)))
        if "connection-state" in r:
            op, v = neg(r["connection-state"])
            states = [s.strip() for s in v.split(",")]
            m.append("ct state %s{ %s }" % (op, ", ".join(states)))
        if "connection-nat-state" in r:
            op, v = neg(r["connection-nat-state"])
            # a bit test: `ct status != dnat` would compare the whole word
            bits = " | ".join({"srcnat": "snat", "dstnat": "dnat"}[x.strip()]
                              for x in v.split(","))
            m.append("ct status & (%s) %s 0" % (bits, "==" if op else "!="))
        if "icmp-options" in r:
            op, v = neg(r["icmp-options"])
            t = v.split(":")
            m.append("icmp type %s%s" % (op, t[0]))
            if len(t) > 1 and t[1]:
                m.append("icmp code %s" % t[1])
        return m

    def nat_target(self, r, verb):
        to = r.get("to-addresses", r.get("to-address"))
        ports = r.get("to-ports")
        proto = r.get("protocol")
        if to is None:
            raise ConfError("action=%s needs to-addresses" % r["action"])
        if not ports:
            return ["%s to %s" % (verb, to)]
        if proto not in ("tcp", "udp"):
            raise ConfError("to-ports needs protocol=tcp|udp")
        dp = r.get("dst-port", "")
        if verb == "dnat" and dp and "," not in dp and not dp.startswith("!"):
            lo, hi = port_range(dp)
            tlo, thi = port_range(ports)
            if hi > lo and hi - lo == thi - tlo:
                pairs = ", ".join("%d : %d" % (lo + i, tlo + i)
                                  for i in range(hi - lo + 1))
                return ["%s to %s : %s dport map { %s }"
                        % (verb, to, proto, pairs)]
        return ["%s to %s:%s" % (verb, to, ports)]

    def action(self, r):
        a = r.get("action", "accept")
        chain = r.get("chain")
        if a in ("accept", "drop", "return"):
            return [a]
        if a in ("passthrough",):
            return ["counter"]
        if a == "log":
            return ['log prefix "%s "' % r.get("log-prefix", chain)]
        if a == "jump":
            if "jump-target" not in r:
                raise ConfError("action=jump needs jump-target")
            return ["jump %s" % r["jump-target"]]
        if a == "reject":
            how = r.get("reject-with", "icmp-port-unreachable")
            if how not in REJECT:
                raise ConfError("unknown reject-with=%s" % how)
            return [REJECT[how]]
        if a == "dst-nat":
            return self.nat_target(r, "dnat")
        if a == "src-nat":
            return self.nat_target(r, "snat")
        if a == "masquerade":
            ports = r.get("to-ports")
            if ports:
                if r.get("protocol") in ("tcp", "udp"):
                    return ["masquerade to :%s" % ports]
                # Ports only exist for TCP and UDP; the rest keeps its ids.
                return ["PORTSPLIT masquerade to :%s" % ports]
            return ["masquerade"]
        if a == "redirect":
            ports = r.get("to-ports")
            return ["redirect to :%s" % ports if ports else "redirect"]
        if a == "netmap":
            to = r.get("to-addresses", r.get("to-address"))
            if to is None:
                raise ConfError("action=netmap needs to-addresses")
            key = "dst-address" if chain == "dstnat" else "src-address"
            verb = "dnat" if chain == "dstnat" else "snat"
            field = "daddr" if chain == "dstnat" else "saddr"
            frm = r.get(key)
            if not frm or frm.startswith("!"):
                if ipaddress.ip_network(to, strict=False).prefixlen == 32:
                    return ["%s to %s" % (verb, to.split("/")[0])]
                raise ConfError("netmap needs %s (the prefix to map)" % key)
            return ["%s ip prefix to ip %s map { %s : %s }"
                    % (verb, field, frm, to)]
        raise ConfError("action=%s cannot be expressed in nftables" % a)

    def chains(self, rules, family):
        """-> {(table, chain): [rule lines]}, keeping rule order."""
        out = {}
        user = {}
        for r in rules:
            if r.get("disabled") == "yes":
                continue
            unknown = set(r) - IGNORED - {
                "chain", "action", "protocol", "src-address", "dst-address",
                "src-port", "dst-port", "in-interface", "out-interface",
                "connection-state", "connection-nat-state", "icmp-options",
                "to-addresses", "to-address", "to-ports", "jump-target",
                "reject-with"}
            if unknown:
                raise ConfError("rule %s: keys %s not translated"
                                % (ros_format(r), ", ".join(sorted(unknown))))
            chain = r.get("chain")
            if chain in BUILTIN:
                key = (BUILTIN[chain][0], BUILTIN[chain][1])
            else:
                key = (family, chain)
                user[key] = True
            m = " ".join(self.matches(r))
            lines = out.setdefault(key, [])
            for act in self.action(r):
                if act.startswith("PORTSPLIT "):
                    act = act[len("PORTSPLIT "):]
                    lines.append(("meta l4proto { tcp, udp } " + m + " " +
                                  act).strip())
                    lines.append((m + " masquerade").strip())
                else:
                    lines.append((m + " " + act).strip())
        return out

    def ruleset(self, conf):
        text = ["flush ruleset"]
        for family, section in (("nat", conf.get("nat")),
                                ("filter", conf.get("filter"))):
            rules = ros_rules(section)
            chains = self.chains(rules, family)
            hooks = {v[1]: v[2] for v in BUILTIN.values() if v[0] == family}
            names = [c for (t, c) in chains if t == family and c in hooks]
            if family == "nat":
                names = sorted(set(names) | {"prerouting", "postrouting"})
            if not chains and family == "filter":
                continue
            text.append("table ip %s {" % family)
            for (t, c) in chains:
                if t == family and c not in hooks:
                    text.append("\tchain %s {" % c)
                    text.extend("\t\t" + ln for ln in chains[(t, c)])
                    text.append("\t}")
            for c in names:
                text.append("\tchain %s {" % c)
                text.append("\t\t%s; policy accept;" % hooks[c])
                text.extend("\t\t" + ln for ln in chains.get((family, c), []))
                text.append("\t}")
            text.append("}")
        return "\n".join(text) + "\n"


def load(path):
    try:
        with open(path) as f:
            return yaml.safe_load(f)
    except OSError as e:
        die("%s: %s" % (path, e.strerror))
    except yaml.YAMLError as e:
        die("%s: %s" % (path, e))


def parse_links(items):
    links = {}
    for it in items or []:
        if "=" not in it:
            die("--link wants TAP=DEV, not %r" % it)
        tap, dev = it.split("=", 1)
        links[tap] = dev
    return links


def cmd_nft(args):
    conf = load(args.config)
    try:
        sys.stdout.write(Translator(conf, parse_links(args.link))
                         .ruleset(conf))
    except (ConfError, ValueError, KeyError) as e:
        die("%s: %s" % (args.config, e))


def cmd_show(args):
    """What the lab prints: the socket path, or the NAT rules one a line."""
    conf = load(args.config)
    if args.what == "socket":
        print((conf.get("control") or {}).get("socket",
                                              "/run/hairpind/hairpind.sock"))
        return
    try:
        for r in ros_rules(conf.get("nat")):
            print(ros_format(r))
    except ConfError as e:
        die("%s: %s" % (args.config, e))


def run(ns, *cmd, stdin=None):
    full = ["ip", "netns", "exec", ns] + list(cmd)
    p = subprocess.run(full, input=stdin, text=True, capture_output=True,
                       timeout=20)
    if p.returncode != 0:
        die("%s: %s" % (" ".join(full), p.stderr.strip()))


def cmd_kernel(args):
    """Configure namespace args.netns as the router the config describes."""
    conf = load(args.config)
    links = parse_links(args.link)
    try:
        nft = Translator(conf, links).ruleset(conf)
    except (ConfError, ValueError, KeyError) as e:
        die("%s: %s" % (args.config, e))
    ns = args.netns
    for key in ("net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=0",
                "net.ipv4.conf.default.rp_filter=0",
                "net.ipv4.conf.all.send_redirects=0",
                "net.ipv4.conf.default.send_redirects=0"):
        run(ns, "sysctl", "-qw", key)
    for ifc in conf.get("interfaces") or []:
        dev = links[ifc["tap"]]
        run(ns, "sysctl", "-qw", "net.ipv4.conf.%s.send_redirects=0" % dev)
        run(ns, "ip", "addr", "flush", "dev", dev)
        if ifc.get("mac"):
            run(ns, "ip", "link", "set", dev, "address", str(ifc["mac"]))
        run(ns, "ip", "link", "set", dev, "mtu", str(ifc.get("mtu", 1500)),
            "up")
        for a in ifc.get("addresses") or []:
            run(ns, "ip", "addr", "add", str(a), "dev", dev)
    for r in conf.get("routes") or []:
        cmd = ["ip", "route", "replace", str(r["dst"])]
        if r.get("gateway"):
            cmd += ["via", str(r["gateway"])]
        if r.get("interface"):
            cmd += ["dev", links[[i["tap"] for i in conf["interfaces"]
                                  if i["name"] == r["interface"]][0]]]
        run(ns, *cmd)
    run(ns, "nft", "-f", "-", stdin=nft)


def main():
    ap = argparse.ArgumentParser(prog="labconf.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen", help="per-run config from the seed template")
    g.add_argument("--template")
    g.add_argument("--prefix", required=True)
    g.add_argument("--socket", required=True)
    g.add_argument("--no-hairpin", action="store_true")
    g.add_argument("--no-nat", action="store_true")
    g.add_argument("--no-default-route", action="store_true")
    g.add_argument("--lan-mtu", type=int)
    g.add_argument("--add-nat", action="append", default=[])
    n = sub.add_parser("nft", help="print the nftables equivalent")
    n.add_argument("config")
    n.add_argument("--link", action="append", required=True)
    k = sub.add_parser("kernel", help="configure a namespace as the router")
    k.add_argument("config")
    k.add_argument("--netns", required=True)
    k.add_argument("--link", action="append", required=True)
    s = sub.add_parser("show", help="print the control socket or NAT rules")
    s.add_argument("config")
    s.add_argument("what", choices=["socket", "nat"])
    args = ap.parse_args()
    {"gen": cmd_gen, "nft": cmd_nft, "kernel": cmd_kernel,
     "show": cmd_show}[args.cmd](args)


if __name__ == "__main__":
    main()
