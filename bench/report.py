#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Numbers out of the benchmark's raw files.

  report.py expiry --flows N --count F --ping F --udp F --rate PPS
      the mass-expiry window (from the conntrack-count timeline) and what
      the ping and the paced UDP stream saw during it; "METRIC VALUE" lines
  report.py table RESULTS.tsv [--markdown] [--note TEXT]...
      medians per metric and router, the ratio, the target and the
      verdict (always of the "hairpind" router: etc/hairpind.yaml's
      settings as shipped), each figure with the hairpind daemon's CPU
      share and the host's load average; "hairpind-tuned", when the run
      has it, in extra columns
"""

import argparse
import math
import re
import statistics
import sys
import textwrap

# The routers as results.tsv names them. The verdict is always that of
# DEFAULTS, hairpind with etc/hairpind.yaml's settings as shipped; TUNED
# (when the run has it) is only shown beside it.
DEFAULTS, KERNEL, TUNED = "hairpind", "kernel", "hairpind-tuned"
HAIRPINDS = (DEFAULTS, TUNED)


def ratio_check(x):
    return lambda h, k: h >= x * k


def ping_check(h, k):
    return h - k <= 40


# (metric, title, unit, target text, check, test)
# check(h, k) -> bool, or None when the row has no pass/fail. test: the
# measurement whose cpu_TEST and load_TEST go beside the figure.
METRICS = [
    ("cpu_idle", "hairpind daemon's CPU with no traffic", "%",
     "0%", lambda h, k: h < 1, "idle"),
    ("tcp_dnat", "TCP 2.2.2.2 -> 1.1.1.1:5201 (dst-nat)", "Gbit/s",
     ">= 0.9x", ratio_check(0.9), "tcp_dnat"),
    ("tcp_dnat_rev", "TCP same, -R (server sends)", "Gbit/s",
     ">= 0.9x", ratio_check(0.9), "tcp_dnat_rev"),
    ("tcp_hairpin", "TCP 192.168.1.10 -> 1.1.1.1:5201 (hairpin)", "Gbit/s",
     ">= 0.9x", ratio_check(0.9), "tcp_hairpin"),
    ("udp_pps", "UDP 64-byte frames through dst-nat", "Mpps",
     ">= 0.85x", ratio_check(0.85), "udp_pps"),
]
for _ms in (1, 5, 100):
    METRICS += [
        ("ping%d_avg_us" % _ms,
         "ping RTT avg through masquerade, every %d ms" % _ms, "us",
         "<= +40 us", ping_check, "ping%d" % _ms),
        ("ping%d_min_us" % _ms,
         "ping RTT min through masquerade, every %d ms" % _ms, "us",
         "(info)", None, "ping%d" % _ms),
    ]
METRICS += [
    ("connrate", "new TCP connections/s through dst-nat, 256 in flight",
     "conn/s", ">= 0.9x", ratio_check(0.9), "connrate"),
    ("connrate1", "new TCP connections/s through dst-nat, 1 at a time",
     "conn/s", ">= 0.9x", ratio_check(0.9), "connrate1"),
    ("percpu_tcp_dnat", "tcp_dnat per hairpind CPU-second", "Gbit/s",
     "(info)", None, "tcp_dnat"),
    ("percpu_tcp_dnat_rev", "tcp_dnat_rev per hairpind CPU-second",
     "Gbit/s", "(info)", None, "tcp_dnat_rev"),
    ("percpu_tcp_hairpin", "tcp_hairpin per hairpind CPU-second", "Gbit/s",
     "(info)", None, "tcp_hairpin"),
    ("percpu_udp_pps", "udp_pps per hairpind CPU-second", "Mpps",
     "(info)", None, "udp_pps"),
    ("percpu_connrate", "connrate per hairpind CPU-second", "conn/s",
     "(info)", None, "connrate"),
    ("percpu_connrate1", "connrate1 per hairpind CPU-second", "conn/s",
     "(info)", None, "connrate1"),
    ("persys_tcp_dnat", "tcp_dnat per machine CPU-second", "Gbit/s",
     "(info)", None, "tcp_dnat"),
    ("persys_tcp_dnat_rev", "tcp_dnat_rev per machine CPU-second",
     "Gbit/s", "(info)", None, "tcp_dnat_rev"),
    ("persys_tcp_hairpin", "tcp_hairpin per machine CPU-second", "Gbit/s",
     "(info)", None, "tcp_hairpin"),
    ("persys_udp_pps", "udp_pps per machine CPU-second", "Mpps",
     "(info)", None, "udp_pps"),
    ("persys_connrate", "connrate per machine CPU-second", "conn/s",
     "(info)", None, "connrate"),
    ("persys_connrate1", "connrate1 per machine CPU-second", "conn/s",
     "(info)", None, "connrate1"),
    ("ct_entries", "conntrack entries after the fill", "entries",
     "(info)", None, "scale"),
    ("ct_fill_secs", "time to create them", "s", "(info)", None, "scale"),
    ("ct_bytes_per_entry", "memory per conntrack entry", "bytes",
     "hairpind <= 128", lambda h, k: h <= 128, "scale"),
    ("ct_slab_bytes_per_entry", "  kernel: nf_conntrack slab only",
     "bytes", "(info)", None, "scale"),
    ("udp_pps_full", "UDP pps with the table full", "Mpps",
     ">= 0.85x", ratio_check(0.85), "udp_pps_full"),
    ("connrate_full", "new connections/s with the table full", "conn/s",
     ">= 0.9x", ratio_check(0.9), "connrate_full"),
    ("percpu_udp_pps_full", "udp_pps_full per hairpind CPU-second", "Mpps",
     "(info)", None, "udp_pps_full"),
    ("percpu_connrate_full", "connrate_full per hairpind CPU-second",
     "conn/s", "(info)", None, "connrate_full"),
    ("ct_entries_after_load", "entries after those two", "entries",
     "(info)", None, "scale"),
    ("expiry_secs", "mass expiry: 99% -> 1% of the entries", "s",
     "(info)", None, "scale"),
    ("expiry_ping_max_ms", "ping RTT max during the expiry", "ms",
     "no stall", None, "scale"),
    ("ping_max_ms_before", "ping RTT max before it", "ms", "(info)", None,
     "scale"),
    ("expiry_ping_p99_ms", "ping RTT p99 during the expiry", "ms",
     "(info)", None, "scale"),
    ("ping_p99_ms_before", "ping RTT p99 before it", "ms", "(info)", None,
     "scale"),
    ("expiry_ping_lost", "pings lost during the expiry", "pings",
     "0", lambda h, k: h <= max(k, 0), "scale"),
    ("expiry_udp_min_pps", "paced UDP: worst 100 ms during expiry", "pps",
     "~ offered", None, "scale"),
    ("udp_min_pps_before", "paced UDP: worst 100 ms before it", "pps",
     "(info)", None, "scale"),
    ("ct_rss_kb_before", "hairpind VmRSS before the fill", "KiB",
     "(info)", None, "scale"),
    ("ct_rss_kb_after", "hairpind VmRSS with the table full", "KiB",
     "(info)", None, "scale"),
    ("ct_rss_kb_after_expiry", "hairpind VmRSS after the expiry", "KiB",
     "(info)", None, "scale"),
    ("ct_one_endpoint_entries", "entries from one internal endpoint",
     "entries", "(info)", None, "scale_one"),
    ("ct_one_endpoint_bytes_per_entry", "memory per such entry", "bytes",
     "(info)", None, "scale_one"),
    ("ct_one_endpoint_slab_bytes_per_entry",
     "  kernel: nf_conntrack slab only", "bytes", "(info)", None,
     "scale_one"),
    ("ct_one_endpoint_nat_exhausted", "hairpind nat-exhausted refusals",
     "datagrams", "(info)", None, "scale_one"),
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
    """{metric: {router: {run: value}}}; a run that gave no number (nan)
    has the value None."""
    data = {}
    for line in open(path):
        p = line.split()
        if len(p) != 4:
            continue
        metric, router, run, value = p
        data.setdefault(metric, {}).setdefault(router, {})[run] = fnum(value)
    return data


def values(data, metric, router):
    return [v for v in data.get(metric, {}).get(router, {}).values()
            if v is not None]


def failed(data, metric, router):
    return sum(1 for v in data.get(metric, {}).get(router, {}).values()
               if v is None)


PER_CPU = ("udp_pps", "tcp_dnat", "tcp_dnat_rev", "tcp_hairpin", "connrate",
           "connrate1", "udp_pps_full", "connrate_full")


def per_share(data, share, routers, prefix):
    """Each figure over the CPU share that went with it, run by run:
    "cpu" (the hairpind daemon's share: what one loop would forward with a
    core of its own, if it scaled linearly) or "sys" (all CPUs' busy time,
    the router's work and the endpoints' together: how much each router
    gets out of the same CPUs; when both keep the machine busy, the
    throughput ratio cannot exceed this ratio)."""
    out = {}
    for metric in PER_CPU:
        for router in routers:
            vals = data.get(metric, {}).get(router, {})
            cpus = data.get(share + "_" + metric, {}).get(router, {})
            pc = {run: v / (cpus[run] / 100.0) for run, v in vals.items()
                  if v is not None and cpus.get(run)}
            if pc:
                out.setdefault(prefix + metric, {})[router] = pc
    return out


def median(data, metric, router):
    vals = values(data, metric, router)
    return statistics.median(vals) if vals else None


def runs_text(data, metric, router):
    n, bad = len(values(data, metric, router)), failed(data, metric, router)
    return "%d" % n if not bad else "%d+%d failed" % (n, bad)


def ratio(metric, unit, v, k):
    if v is None or k is None:
        return "-"
    if unit == "us" and metric.startswith("ping"):
        return "%+.0f us" % (v - k)
    if unit == "ms" and metric.startswith("ping"):
        return "%+.3f ms" % (v - k)
    if k:
        return "%.2fx" % (v / k)
    return "-"


def fmt_cpu(v):
    return "-" if v is None else "%.0f%%" % v


def fmt_load(v):
    return "-" if v is None else "%.2f" % v


def cmd_table(a):
    data = load(a.results)
    data.update(per_share(data, "cpu", HAIRPINDS, "percpu_"))
    data.update(per_share(data, "sys", HAIRPINDS + (KERNEL,), "persys_"))
    tuned = any(TUNED in routers for routers in data.values())
    rows = []
    for metric, title, unit, target, check, test in METRICS:
        if metric not in data:
            continue
        mh = median(data, metric, DEFAULTS)
        mk = median(data, metric, KERNEL)
        mt = median(data, metric, TUNED)

        def beside(router, m, cpu=True):
            # the CPU share and the load average that go with figure m
            if m is None:
                return ["-", "-"] if cpu else ["-"]
            c = [fmt_cpu(median(data, "cpu_" + test, router))] if cpu \
                else []
            return c + [fmt_load(median(data, "load_" + test, router))]

        # From the defaults column only. No figure from hairpind, or a
        # run of it that gave none, is a miss, not a blank.
        verdict = ""
        # no kernel figure needed
        own = metric in ("ct_bytes_per_entry", "cpu_idle")
        if check is None:
            pass
        elif mh is None:
            verdict = "MISS (no figure)" if (mk is not None or own) else "-"
        elif mk is None and not own:
            verdict = "- (no kernel figure)"
        else:
            verdict = "ok" if check(mh, mk if mk is not None else 0) \
                else "MISS"
            bad = failed(data, metric, DEFAULTS)
            if bad:
                verdict = "MISS (%d run%s failed)" % (bad, "s"[:bad > 1])
        row = [metric, "%s [%s]" % (title, unit), fmt(mh)]
        row += beside(DEFAULTS, mh)
        row += [fmt(mk)] + beside(KERNEL, mk, cpu=False)
        row += [ratio(metric, unit, mh, mk), target, verdict]
        runs = "%s/%s" % (runs_text(data, metric, DEFAULTS),
                          runs_text(data, metric, KERNEL))
        if tuned:
            row += [fmt(mt)] + beside(TUNED, mt)
            row += [ratio(metric, unit, mt, mk)]
            runs += "/" + runs_text(data, metric, TUNED)
        rows.append(row + [runs])
    head = ["test", "what", "hairpind median", "h CPU", "h load",
            "kernel median", "k load", "ratio", "target", "verdict"]
    if tuned:
        head += ["tuned median", "t CPU", "t load", "t ratio",
                 "runs h/k/t"]
    else:
        head += ["runs h/k"]
    legend = [
        "hairpind (h): etc/hairpind.yaml's settings as shipped; the "
        "verdicts are its own. kernel (k): nftables NAT from the same "
        "config." + (" hairpind-tuned (t): the same config with the "
                     "dataplane section shown below; ratio against the kernel, "
                     "no verdict." if tuned else ""),
        "Medians over the runs. CPU: the hairpind daemon's share of one "
        "CPU during the test (setup included). load: the host's 1-minute "
        "load average at the end of the measurement. Per machine "
        "CPU-second: the figure over the busy time of all CPUs together "
        "(the router's work and the endpoints'), what each router gets "
        "out of the same CPUs." + (
            " For the scale and scale_one rows both cover the whole test, "
            "except udp_pps_full and connrate_full." if any(
                r[0].startswith(("ct_", "expiry_")) for r in rows) else ""),
    ] + a.note
    if a.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in rows:
            print("| " + " | ".join(r) + " |")
        print()
        for line in legend:
            print(line)
            print()
        return
    w = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    for r in [head] + rows:
        print("  ".join(str(c).ljust(w[i]) for i, c in enumerate(r)).rstrip())
    print()
    for line in legend:
        print(textwrap.fill(line, 79))


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
    t.add_argument("--note", action="append", default=[],
                   help="a line to print under the table")
    a = ap.parse_args()
    {"expiry": cmd_expiry, "table": cmd_table}[a.cmd](a)


if __name__ == "__main__":
    main()
