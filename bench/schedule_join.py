#!/usr/bin/env python3
"""Drives bench/schedule_join.sh through the MCU's REST API (HTTPS, session cookie + CSRF).

  schedule_join.py PORT CA SITES OUT_JSON LOADGEN_LOG MCU_PID --phase control|summary

"control" runs everything against the MCU and writes OUT_JSON; "summary", once mcu-loadgen has
ended, adds the per-site instants from its SUMMARY line to OUT_JSON.

Measures, with SITES mcu-loadgen sites online and idle (--wait-call):
  - login: the time of POST /session (Argon2id verification), p50 over 5;
  - a conference scheduled 3 s ahead, all sites invited, lead time 0: from the instant it opened
    (the audit row of the scheduler's "open") to each site being called, media-connected
    (DTLS-SRTP up) and receiving its first composite frame, from mcu-loadgen's SUMMARY;
  - with everyone in: round trip of control calls (mute/unmute, layout) and of the roll-call,
    p50/p95 over many calls from one client, and the MCU's CPU during those calls.
Prints one line; writes OUT_JSON.
"""
import http.client
import json
import os
import ssl
import statistics
import sys
import time
from datetime import datetime, timezone


class Client:
    def __init__(self, port, ca):
        ctx = ssl.create_default_context(cafile=ca)
        ctx.check_hostname = False  # The deployment certificate names the server, not 127.0.0.1.
        self.conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
        self.cookie = ""
        self.csrf = ""

    def raw(self, path):
        """GET outside /api/v1 (/metrics): status, body bytes."""
        self.conn.request("GET", path, headers={"Cookie": self.cookie})
        res = self.conn.getresponse()
        return res.status, res.read()

    def call(self, method, path, body=None):
        headers = {"Content-Type": "application/json"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if self.csrf and method != "GET":
            headers["X-CSRF-Token"] = self.csrf
        data = json.dumps(body).encode() if body is not None else None
        self.conn.request(method, "/api/v1" + path, body=data, headers=headers)
        res = self.conn.getresponse()
        raw = res.read()
        cookie = res.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";")[0]
        return res.status, (json.loads(raw) if raw else None)

    def timed(self, method, path, body=None):
        t0 = time.perf_counter()
        status, out = self.call(method, path, body)
        ms = (time.perf_counter() - t0) * 1000
        if status >= 300:
            sys.exit(f"{method} {path}: {status} {out}")
        return ms, out


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def iso(unix_s):
    return datetime.fromtimestamp(unix_s, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def summary_phase(out_json, loadgen_log):
    with open(out_json) as f:
        result = json.load(f)
    with open(loadgen_log) as f:
        summary = json.loads(next(l for l in f if l.startswith("SUMMARY "))[len("SUMMARY "):])
    open_ms = result.pop("openMs")
    at = summary.get("atMs", {})
    delays = {k: [t[k] - open_ms for t in at.values() if t[k]] for k in ("called", "connected", "firstFrame")}
    result.update({
        "openToCalledMsMax": max(delays["called"], default=None),
        "openToConnectedMsP50": statistics.median(delays["connected"]) if delays["connected"] else None,
        "openToConnectedMsMax": max(delays["connected"], default=None),
        "openToFirstFrameMsP50": statistics.median(delays["firstFrame"]) if delays["firstFrame"] else None,
        "openToFirstFrameMsMax": max(delays["firstFrame"], default=None),
        "sitesConnected": len(delays["connected"]),
        "sitesWithFrames": len(delays["firstFrame"]),
        "mediaFailed": summary["mediaFailed"],
        "errors": summary["errors"],
    })
    with open(out_json, "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result))


def main():
    port, ca, sites, out_json, loadgen_log, mcu_pid = sys.argv[1:7]
    if sys.argv[7:] == ["--phase", "summary"]:
        return summary_phase(out_json, loadgen_log)
    port, sites, mcu_pid = int(port), int(sites), int(mcu_pid)
    c = Client(port, ca)

    logins = []
    for _ in range(5):
        ms, out = c.timed("POST", "/session", {"login": "bench", "password": "bench-password"})
        logins.append(ms)
        c.csrf = out["csrfToken"]

    names = [f"load-{i}" for i in range(1, sites + 1)]
    deadline = time.time() + 30
    while True:  # Every site online (its idle connection authenticated) before the schedule.
        _, all_sites = c.call("GET", "/sites")
        online = sum(1 for s in all_sites if s["id"] in names and s.get("online"))
        if online == sites:
            break
        if time.time() > deadline:
            sys.exit(f"only {online}/{sites} sites online")
        time.sleep(0.2)

    start = int(time.time()) + 3
    c.timed("POST", "/conferences", {"id": "lich", "title": "Giao ban bench", "start": iso(start),
                                     "end": iso(start + 3600), "leadTimeMinutes": 0,
                                     "invited": names, "host": names[0], "layout": "grid"})
    deadline = time.time() + 60
    while True:
        _, roll = c.call("GET", "/conferences/lich/roll-call")
        video = sum(1 for s in roll["sites"] if s["state"] == "video")
        if video == sites:
            break
        if time.time() > deadline:
            sys.exit(f"only {video}/{sites} sites with video flowing: {json.dumps(roll)}")
        time.sleep(0.1)
    time.sleep(2)  # Let every first keyframe and layout settle before timing control calls.

    c0 = cpu_s(mcu_pid)
    t0 = time.monotonic()
    mutes, layouts, rolls = [], [], []
    kinds = ["speaker", "grid", "single", "grid"]
    for i in range(100):
        site = names[i % sites]
        ms, _ = c.timed("POST", f"/conferences/lich/sites/{site}/mute", {"audio": i % 2 == 0, "video": False})
        mutes.append(ms)
        if i % 5 == 0:
            ms, _ = c.timed("PUT", "/conferences/lich/layout", {"layout": kinds[(i // 5) % 4]})
            layouts.append(ms)
        ms, _ = c.timed("GET", "/conferences/lich/roll-call")
        rolls.append(ms)
    control_cpu = (cpu_s(mcu_pid) - c0) / (time.monotonic() - t0)

    # What a technician's view costs: the live statistics and a Prometheus scrape.
    stats_ms, metrics_ms, stats_bytes, metrics_bytes = [], [], 0, 0
    for _ in range(50):
        ms, st = c.timed("GET", "/conferences/lich/stats")
        stats_ms.append(ms)
        stats_bytes = len(json.dumps(st))
        t = time.perf_counter()
        status, body = c.raw("/metrics")
        metrics_ms.append((time.perf_counter() - t) * 1000)
        if status != 200:
            sys.exit(f"/metrics: {status}")
        metrics_bytes = len(body)
    missing = [s["site"] for s in st["sites"] if s["videoIn"]["fps"] <= 0]
    if len(st["sites"]) != sites or missing:
        sys.exit(f"stats: {len(st['sites'])} sites, no video from {missing}")
    _, audit = c.call("GET", "/audit?limit=1000")
    opened = [a for a in audit if a["action"] == "open" and a["target"] == "lich"]
    if not opened:
        sys.exit("no audit row for the open")
    open_ms = opened[-1]["atMs"]
    c.timed("POST", "/conferences/lich/stop")

    result = {
        "sites": sites,
        "openMs": open_ms,
        "loginMsP50": round(statistics.median(logins), 1),
        "scheduledToOpenMs": open_ms - start * 1000,
        "muteMsP50": round(pct(mutes, 50), 2), "muteMsP95": round(pct(mutes, 95), 2),
        "layoutMsP50": round(pct(layouts, 50), 2), "layoutMsP95": round(pct(layouts, 95), 2),
        "rollCallMsP50": round(pct(rolls, 50), 2), "rollCallMsP95": round(pct(rolls, 95), 2),
        "mcuCpuCoreDuringControl": round(control_cpu, 3),
        "statsMsP50": round(pct(stats_ms, 50), 2), "statsMsP95": round(pct(stats_ms, 95), 2),
        "statsBytes": stats_bytes,
        "metricsMsP50": round(pct(metrics_ms, 50), 2), "metricsMsP95": round(pct(metrics_ms, 95), 2),
        "metricsBytes": metrics_bytes,
        "mcuThreads": st["process"]["threads"], "mcuRssMb": round(st["process"]["rssBytes"] / 1e6, 1),
    }
    with open(out_json, "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
