#!/usr/bin/env python3
"""bench/security.py - the API side of bench/security.sh: the start latency of one
container under several security settings, measured in interleaved rounds (one start
of each variant per round, so that load changes hit all of them alike).

  rounds SOCK IMAGE LABEL N WARM    per round and variant: create (untimed), POST
                                    /containers/ID/start timed (it returns once the
                                    command was exec'd: the spec with its seccomp
                                    filter, the shim, the filter's load), wait and
                                    delete (untimed). WARM rounds untimed first.
                                    Prints "VARIANT MEDIAN P90 MEAN" in ms per variant.
  cpu SOCK IMAGE LABEL EXECROOT DCTLD_PID N
                                    per round and variant: a container running sleep;
                                    the CPU time (ns, /proc/PID/schedstat, so that other
                                    load does not count) its start took in dctld's
                                    threads, in its dctl-shim and in its init up to the
                                    exec (the init's time before exec stays with it).
                                    Prints "VARIANT DCTLD SHIM INIT TOTAL" in us, medians.
  sweep SOCK LABEL                  force-removes every container with LABEL.
"""

import http.client
import json
import os
import socket
import statistics
import sys
import time
import urllib.parse

VARIANTS = [
    ("default", {}),
    ("unconfined", {"SecurityOpt": ["seccomp=unconfined"]}),
    ("unconfined+privileged", {"SecurityOpt": ["seccomp=unconfined"], "Privileged": True}),
    ("privileged", {"Privileged": True}),
    ("minimal-profile", {"SecurityOpt": ['seccomp={"defaultAction":"SCMP_ACT_ALLOW","architectures":'
                                         '["SCMP_ARCH_X86_64"],"syscalls":[{"names":["keyctl"],'
                                         '"action":"SCMP_ACT_ERRNO"}]}']}),
]


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=120)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)


def call(conn, method, path, body=None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    conn.request(method, path, json.dumps(body) if body is not None else None, headers)
    r = conn.getresponse()
    data = r.read()
    if r.status not in (200, 201, 204):
        raise SystemExit("%s %s: %d %s" % (method, path, r.status, data[:200]))
    return json.loads(data) if data else None


def one(conn, image, label, hc):
    hostconfig = {"NetworkMode": "none"}
    hostconfig.update(hc)
    cid = call(conn, "POST", "/containers/create",
               {"Image": image, "Cmd": ["true"], "Labels": {label.split("=")[0]: label.split("=")[1]},
                "HostConfig": hostconfig})["Id"]
    t0 = time.perf_counter()
    call(conn, "POST", "/containers/%s/start" % cid)
    dt = (time.perf_counter() - t0) * 1000
    call(conn, "POST", "/containers/%s/wait" % cid)
    call(conn, "DELETE", "/containers/%s?force=1" % cid)
    return dt


def cmd_rounds(sock, image, label, n, warm):
    conn = UnixConnection(sock)
    times = {name: [] for name, _ in VARIANTS}
    for r in range(warm + n):
        for name, hc in VARIANTS:
            dt = one(conn, image, label, hc)
            if r >= warm:
                times[name].append(dt)
    for name, _ in VARIANTS:
        v = sorted(times[name])
        print("%s %.3f %.3f %.3f" % (name, statistics.median(v), v[int(len(v) * 0.9) - 1],
                                     statistics.mean(v)))


def schedstat(pid):
    with open("/proc/%s/schedstat" % pid) as f:
        return int(f.read().split()[0])


def dctld_cpu(pid):
    total = 0
    for t in os.listdir("/proc/%s/task" % pid):
        try:
            total += schedstat("%s/task/%s" % (pid, t))
        except OSError:
            pass
    return total


def cmd_cpu(sock, image, label, execroot, dpid, n):
    conn = UnixConnection(sock)
    rows = {name: [] for name, _ in VARIANTS}
    for r in range(n + 3):
        for name, hc in VARIANTS:
            hostconfig = {"NetworkMode": "none"}
            hostconfig.update(hc)
            cid = call(conn, "POST", "/containers/create",
                       {"Image": image, "Cmd": ["sleep", "30"],
                        "Labels": {label.split("=")[0]: label.split("=")[1]},
                        "HostConfig": hostconfig})["Id"]
            c0 = dctld_cpu(dpid)
            call(conn, "POST", "/containers/%s/start" % cid)
            c1 = dctld_cpu(dpid)
            with open("%s/drivers/exec/native/%s/shim.pid" % (execroot, cid)) as f:
                shim = int(f.read())
            init = call(conn, "GET", "/containers/%s/json" % cid)["State"]["Pid"]
            row = (c1 - c0, schedstat(shim), schedstat(init))
            call(conn, "DELETE", "/containers/%s?force=1" % cid)
            if r >= 3:
                rows[name].append(row)
    for name, _ in VARIANTS:
        v = rows[name]
        med = [statistics.median(x[i] for x in v) / 1000 for i in range(3)]
        print("%s %.0f %.0f %.0f %.0f" % (name, med[0], med[1], med[2],
                                         statistics.median(sum(x) for x in v) / 1000))


def cmd_sweep(sock, label):
    conn = UnixConnection(sock)
    q = urllib.parse.quote(json.dumps({"label": [label]}))
    try:
        for c in call(conn, "GET", "/containers/json?all=1&filters=" + q) or []:
            try:
                call(conn, "DELETE", "/containers/%s?force=1" % c["Id"])
            except SystemExit:
                pass
    except (SystemExit, OSError):
        pass


if __name__ == "__main__":
    if sys.argv[1] == "rounds":
        cmd_rounds(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
    elif sys.argv[1] == "cpu":
        cmd_cpu(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], int(sys.argv[7]))
    elif sys.argv[1] == "sweep":
        cmd_sweep(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(__doc__)
