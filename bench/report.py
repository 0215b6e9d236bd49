#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Numbers out of the benchmark's raw files.

  report.py expiry --flows N --count F --ping F --udp F --rate PPS
      the mass-expiry window (from the conntrack-count timeline) and what
      the ping and the paced UDP stream saw during it; "METRIC VALUE" lines
  report.py table RESULTS.tsv [--markdown]
      medians per metric and router, the ratio, and the target
"""

import argparse
import math
import re
import statistics
import sys

# metric: (title, unit, better, target text, check)
# better: "high" or "low" (for the ratio's meaning); check(h, k) -> bool
# or None when the row has no pass/fail.
METRICS = [
    ("tcp_dnat", "TCP 2.2.2.2 -> 1.1.1.1:5201 (dst-nat)", "Gbit/s",
     ">= 0.9x", lambda h, k: h >= 0.9 * k),
    ("tcp_dnat_rev", "TCP same, -R (server sends)", "Gbit/s",
     ">= 0.9x", lambda h, k: h >= 0.9 * k),
    ("tcp_hairpin", "TCP 192.168.1.10 -> 1.1.1.1:5201 (hairpin)", "Gbit/s",
     ">= 0.9x", lambda h, k: h >= 0.9 * k),
    ("udp_pps", "UDP 64-byte frames through dst-nat", "Mpps",
     ">= 1.0x", lambda h, k: h >= k),
    ("ping_avg_us", "ping RTT avg through masquerade", "us",
     "<= +40 us", lambda h, k: h - k <= 40),
    ("ping_min_us", "ping RTT min through masquerade", "us",
     "(info)", None),
    ("connrate", "new TCP connections/s through dst-nat", "conn/s",
     ">= 0.9x", lambda h, k: h >= 0.9 * k),
    ("cpu_tcp_dnat", "hairpind CPU during tcp_dnat (incl. overhead)", "%",
     "(info)", None),
    ("cpu_tcp_dnat_rev", "hairpind CPU during tcp_dnat_rev", "%", "(info)",
     None),
    ("cpu_tcp_hairpin", "hairpind CPU during tcp_hairpin", "%", "(info)",
     None),
    ("cpu_udp_pps", "hairpind CPU during udp_pps", "%", "(info)", None),
    ("cpu_connrate", "hairpind CPU during connrate", "%", "(info)", None),
    ("percpu_tcp_dnat", "tcp_dnat per hairpind CPU-second", "Gbit/s",
     "(info)", None),
    ("percpu_tcp_dnat_rev", "tcp_dnat_rev per hairpind CPU-second",
     "Gbit/s", "(info)", None),
    ("percpu_tcp_hairpin", "tcp_hairpin per hairpind CPU-second", "Gbit/s",
     "(info)", None),
    ("percpu_udp_pps", "udp_pps per hairpind CPU-second", "Mpps",
     "(info)", None),
    ("percpu_connrate", "connrate per hairpind CPU-second", "conn/s",
     "(info)", None),
    ("ct_entries", "conntrack entries after the fill", "entries",
     "(info)", None),
    ("ct_fill_secs", "time to create them", "s", "(info)", None),
    ("ct_bytes_per_entry", "memory per conntrack entry", "bytes",
     "hairpind <= 128", lambda h, k: h <= 128),
    ("ct_slab_bytes_per_entry", "  kernel: nf_conntrack slab only",
     "bytes", "(info)", None),
    ("udp_pps_full", "UDP pps with the table full", "Mpps",
     ">= 1.0x", lambda h, k: h >= k),
    ("connrate_full", "new connections/s with the table full", "conn/s",
     ">= 0.9x", lambda h, k: h >= 0.9 * k),
    ("ct_entries_after_load", "entries after those two", "entries",
     "(info)", None),
    ("expiry_secs", "mass expiry: 99% -> 1% of the entries", "s",
     "(info)", None),
    ("expiry_ping_max_ms", "ping RTT max during the expiry", "ms",
     "no stall", None),
    ("ping_max_ms_before", "ping RTT max before it", "ms", "(info)", None),
    ("expiry_ping_p99_ms", "ping RTT p99 during the expiry", "ms",
     "(info)", None),
    ("ping_p99_ms_before", "ping RTT p99 before it", "ms", "(info)", None),
    ("expiry_ping_lost", "pings lost during the expiry", "pings",
     "0", lambda h, k: h <= max(k, 0)),
    ("expiry_udp_min_pps", "paced UDP: worst 100 ms during expiry", "pps",
     "~ offered", None),
    ("udp_min_pps_before", "paced UDP: worst 100 ms before it", "pps",
     "(info)", None),
    ("ct_rss_kb_before", "hairpind VmRSS before the fill", "KiB",
     "(info)", None),
    ("ct_rss_kb_after", "hairpind VmRSS with the table full", "KiB",
     "(info)", None),
    ("ct_rss_kb_after_expiry", "hairpind VmRSS after the expiry", "KiB",
     "(info)", None),
]


def fnum(x):
    try:
        v = float(x)
    except ValueError:
        return None
    return None if math.isnan(v) else v


def fmt(v):
    if v is None:
        return "-"
    a = abs(v)
    if a >= 1000:
        return "%.0f" % v
    if a >= 100:
        return "%.1f" % v
    if a >= 10:
        return "%.2f" % v
    return "%.3f" % v


def pct(values, q):
    if not values:
        return "nan"
    v = sorted(values)
    return "%.3f" % v[min(len(v) - 1, int(len(v) * q))]


def cmd_expiry(a):
    counts = []
    for line in open(a.count):
        p = line.split()
        if len(p) == 2 and fnum(p[0]) is not None and fnum(p[1]) is not None:
            counts.append((float(p[0]), float(p[1])))
    pings = []
    rx = re.compile(r"^\[([0-9.]+)\].*icmp_seq=(\d+).*time=([0-9.]+) ms")
    for line in open(a.ping, errors="replace"):
        m = rx.match(line)
        if m:
            pings.append((float(m.group(1)), int(m.group(2)),
                          float(m.group(3))))
    udp = []
    try:
        for line in open(a.udp):
            p = line.split()
            if len(p) == 2:
                udp.append((float(p[0]), int(p[1])))
    except OSError:
        pass

    # The window: from the first of the filled flows going (the count
    # below 99% of them; the load tests' short-lived TCP entries, gone
    # long before, do not count) to all but 1% of them gone.
    t0 = t1 = None
    for t, c in counts:
        if t0 is None and c <= 0.99 * a.flows:
            t0 = t
        if t0 is not None and c <= a.flows / 100:
            t1 = t
            break
    if t0 is None:
        print("expiry_secs nan")
        return
    if t1 is None:
        t1 = counts[-1][0]
        print("expiry_secs nan")
        print("expiry_left %d" % counts[-1][1])
    else:
        print("expiry_secs %.2f" % (t1 - t0))
    lo, hi = t0 - 0.5, t1 + 0.5
    inw = [p for p in pings if lo <= p[0] <= hi]
    before = [p for p in pings if p[0] < lo]
    print("expiry_ping_max_ms %s" % (
        "%.3f" % max(p[2] for p in inw) if inw else "nan"))
    print("ping_max_ms_before %s" % (
        "%.3f" % max(p[2] for p in before) if before else "nan"))
    print("expiry_ping_p99_ms %s" % pct([p[2] for p in inw], 0.99))
    print("ping_p99_ms_before %s" % pct([p[2] for p in before], 0.99))
    if inw:
        seqs = sorted(set(p[1] for p in inw))
        print("expiry_ping_lost %d" % (seqs[-1] - seqs[0] + 1 - len(seqs)))
    per = 10.0  # 100 ms intervals
    uin = [c * per for t, c in udp if lo <= t <= hi]
    ubefore = [c * per for t, c in udp if t < lo]
    print("expiry_udp_min_pps %s" % ("%.0f" % min(uin) if uin else "nan"))
    print("udp_min_pps_before %s" % (
        "%.0f" % min(ubefore) if ubefore else "nan"))


def load(path):
    data = {}
    for line in open(path):
        p = line.split()
        if len(p) != 4:
            continue
        metric, router, _run, value = p
        v = fnum(value)
        data.setdefault(metric, {}).setdefault(router, [])
        if v is not None:
            data[metric][router].append(v)
    return data


def per_cpu(path):
    """hairpind's rate per CPU-second of the daemon, run by run: what it
    would forward with a core of its own, if it scaled linearly."""
    runs = {}
    for line in open(path):
        p = line.split()
        if len(p) == 4 and p[1] == "hairpind":
            runs.setdefault(p[2], {})[p[0]] = fnum(p[3])
    out = {}
    for metric in ("udp_pps", "tcp_dnat", "tcp_dnat_rev", "tcp_hairpin",
                   "connrate"):
        vals = []
        for r in runs.values():
            v, c = r.get(metric), r.get("cpu_" + metric)
            if v is not None and c:
                vals.append(v / (c / 100.0))
        if vals:
            out["percpu_" + metric] = {"hairpind": vals}
    return out


def cmd_table(a):
    data = load(a.results)
    data.update(per_cpu(a.results))
    rows = []
    for metric, title, unit, target, check in METRICS:
        if metric not in data:
            continue
        h = data[metric].get("hairpind", [])
        k = data[metric].get("kernel", [])
        mh = statistics.median(h) if h else None
        mk = statistics.median(k) if k else None
        if mh is None or mk is None:
            ratio = "-"
        elif unit in ("us", "ms") and metric.startswith("ping"):
            ratio = "%+.0f us" % (mh - mk) if unit == "us" else \
                "%+.3f ms" % (mh - mk)
        elif mk:
            ratio = "%.2fx" % (mh / mk)
        else:
            ratio = "-"
        verdict = ""
        if check is not None and mh is not None and (
                mk is not None or metric == "ct_bytes_per_entry"):
            verdict = "ok" if check(mh, mk if mk is not None else 0) \
                else "MISS"
        runs = "%d/%d" % (len(h), len(k))
        rows.append((metric, "%s [%s]" % (title, unit), fmt(mh), fmt(mk),
                     ratio, target, verdict, runs))
    head = ("test", "what", "hairpind median", "kernel median", "ratio",
            "target", "verdict", "runs h/k")
    if a.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in rows:
            print("| " + " | ".join(r) + " |")
        return
    w = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    for r in [head] + rows:
        print("  ".join(str(c).ljust(w[i]) for i, c in enumerate(r)).rstrip())


def main():
    ap = argparse.ArgumentParser(prog="report.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("expiry")
    e.add_argument("--flows", type=int, required=True)
    e.add_argument("--count", required=True)
    e.add_argument("--ping", required=True)
    e.add_argument("--udp", required=True)
    e.add_argument("--rate", type=float, default=0)
    t = sub.add_parser("table")
    t.add_argument("results")
    t.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    {"expiry": cmd_expiry, "table": cmd_table}[a.cmd](a)


if __name__ == "__main__":
    main()
