#!/usr/bin/env python3
"""bench/containers.py - the raw Docker API side of bench/containers.sh: timed
container requests over a daemon's unix socket with http.client (one keep-alive
connection per thread), the same for dctld and dockerd.

Every container it makes carries the label LABEL (given as KEY=VALUE) and its ID is
appended to IDFILE (emptied when they are removed) and IDFILE.all, so that cleanup
finds each one. Times are printed in
milliseconds (or seconds where the command says), one figure per line.

  probe SOCK IMAGE LABEL IDFILE        create + delete one container: prints
                                       "STATUS MESSAGE", exits 0 on 201
  lifecycle SOCK IMAGE LABEL IDFILE N WARM
                                       create -> start -> wait -> delete, WARM
                                       untimed then N timed: one ms figure each
  create SOCK IMAGE LABEL IDFILE N CMD...
                                       creates N containers running CMD, not
                                       started; prints the seconds it took
  start SOCK IDFILE                    starts every container in IDFILE at once
                                       (one thread and connection each, released
                                       together) and waits until GET
                                       /containers/json lists them all running:
                                       prints the seconds from release to that
  remove SOCK IDFILE                   force-removes every container in IDFILE
                                       concurrently; prints the seconds; empties IDFILE
  sweep SOCK LABEL                     force-removes every container with LABEL
                                       (cleanup; never fails)
  exec SOCK CID N WARM                 exec create -> start (its stream read to its
                                       end, on a connection of its own) -> inspect of
                                       `true` in running container CID, WARM untimed
                                       then N timed: one ms figure each
"""

import http.client
import json
import socket
import sys
import threading
import time
import urllib.parse

NETWORK_NONE = {"NetworkMode": "none"}


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=120):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


class ApiError(Exception):
    def __init__(self, method, path, status, body):
        try:
            msg = json.loads(body).get("message", body)
        except (ValueError, AttributeError):
            msg = body.decode(errors="replace") if isinstance(body, bytes) else body
        super().__init__("%s %s: %d %s" % (method, path, status, msg))
        self.status = status
        self.message = msg


def call(conn, method, path, body=None, ok=(200, 201, 204, 304)):
    headers = {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    resp = conn.getresponse()
    raw = resp.read()
    if resp.status not in ok:
        raise ApiError(method, path, resp.status, raw)
    if raw and resp.getheader("Content-Type", "").startswith("application/json"):
        return json.loads(raw)
    return raw


def create(conn, image, label, cmd, idfile=None):
    key, _, value = label.partition("=")
    body = {"Image": image, "Cmd": cmd, "Labels": {key: value},
            "AttachStdout": False, "AttachStderr": False,
            "HostConfig": dict(NETWORK_NONE), "NetworkingConfig": {"EndpointsConfig": {}}}
    cid = call(conn, "POST", "/containers/create", body, ok=(201,))["Id"]
    if idfile:   # IDFILE: not yet removed; IDFILE.all: every one made
        for name in (idfile, idfile + ".all"):
            with open(name, "a") as f:
                f.write(cid + "\n")
    return cid


def delete(conn, cid):
    call(conn, "DELETE", "/containers/%s?force=1" % cid, ok=(204, 404))


def read_ids(idfile):
    try:
        with open(idfile) as f:
            return [line.strip() for line in f if line.strip()]
    except FileNotFoundError:
        return []


def cmd_probe(sock, image, label, idfile):
    conn = UnixConnection(sock)
    try:
        cid = create(conn, image, label, ["true"], idfile)
    except ApiError as e:
        print(e.status, e.message)
        return 1
    delete(conn, cid)
    open(idfile, "w").close()
    print(201, "created")
    return 0


def cmd_lifecycle(sock, image, label, idfile, n, warm):
    conn = UnixConnection(sock)
    for i in range(warm + n):
        t0 = time.perf_counter()
        cid = create(conn, image, label, ["true"], idfile)
        call(conn, "POST", "/containers/%s/start" % cid, ok=(204,))
        res = call(conn, "POST", "/containers/%s/wait" % cid, ok=(200,))
        call(conn, "DELETE", "/containers/%s" % cid, ok=(204,))
        t1 = time.perf_counter()
        if res.get("StatusCode") != 0:
            raise SystemExit("container %s exited %s: %s" % (cid, res.get("StatusCode"), res))
        if i >= warm:
            print("%.3f" % ((t1 - t0) * 1000), flush=True)
    open(idfile, "w").close()   # all removed
    return 0


def cmd_exec(sock, cid, n, warm):
    conn = UnixConnection(sock)
    for i in range(warm + n):
        t0 = time.perf_counter()
        body = {"Cmd": ["true"], "AttachStdout": True, "AttachStderr": True}
        xid = call(conn, "POST", "/containers/%s/exec" % cid, body, ok=(201,))["Id"]
        sconn = UnixConnection(sock)   # the stream ends with the connection
        call(sconn, "POST", "/exec/%s/start" % xid, {"Detach": False, "Tty": False}, ok=(200,))
        sconn.close()
        res = call(conn, "GET", "/exec/%s/json" % xid, ok=(200,))
        t1 = time.perf_counter()
        if res.get("ExitCode") != 0 or res.get("Running"):
            raise SystemExit("exec %s: %s" % (xid, res))
        if i >= warm:
            print("%.3f" % ((t1 - t0) * 1000), flush=True)
    return 0


def cmd_create(sock, image, label, idfile, n, cmd):
    conn = UnixConnection(sock)
    t0 = time.perf_counter()
    for _ in range(n):
        create(conn, image, label, cmd, idfile)
    print("%.3f" % (time.perf_counter() - t0))
    return 0


def run_all(sock, ids, fn):
    """Runs fn(conn, cid) for every id in its own thread and connection, all
    released together; returns (seconds from release to the last return, errors)."""
    barrier = threading.Barrier(len(ids) + 1)
    errors = []
    conns = [UnixConnection(sock) for _ in ids]
    for c in conns:
        c.connect()   # connected before the clock starts

    def worker(conn, cid):
        barrier.wait()
        try:
            fn(conn, cid)
        except Exception as e:   # reported after all have finished
            errors.append(str(e))

    threads = [threading.Thread(target=worker, args=(c, cid)) for c, cid in zip(conns, ids)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return t0, errors


def cmd_start(sock, idfile):
    ids = read_ids(idfile)
    t0, errors = run_all(sock, ids, lambda c, cid: call(c, "POST", "/containers/%s/start" % cid, ok=(204,)))
    if errors:
        raise SystemExit("%d of %d starts failed; first: %s" % (len(errors), len(ids), errors[0]))
    conn = UnixConnection(sock)
    want = set(ids)
    deadline = time.perf_counter() + 120
    while True:
        running = {c["Id"] for c in call(conn, "GET", "/containers/json")}
        if want <= running:
            break
        if time.perf_counter() > deadline:
            raise SystemExit("%d of %d not running after 120 s" % (len(want - running), len(ids)))
        time.sleep(0.005)
    print("%.3f" % (time.perf_counter() - t0))
    return 0


def cmd_remove(sock, idfile):
    ids = read_ids(idfile)
    if not ids:
        print("0.000")
        return 0
    t0, errors = run_all(sock, ids, delete)
    t1 = time.perf_counter()
    if errors:
        raise SystemExit("%d of %d removals failed; first: %s" % (len(errors), len(ids), errors[0]))
    open(idfile, "w").close()
    print("%.3f" % (t1 - t0))
    return 0


def cmd_sweep(sock, label):
    try:
        conn = UnixConnection(sock, timeout=60)
        q = urllib.parse.quote(json.dumps({"label": [label]}))
        for c in call(conn, "GET", "/containers/json?all=1&filters=" + q):
            if c.get("Labels", {}).get(label.partition("=")[0]) == label.partition("=")[2]:
                try:
                    delete(conn, c["Id"])
                except Exception as e:
                    print("sweep: %s: %s" % (c["Id"][:12], e), file=sys.stderr)
    except Exception as e:
        print("sweep: %s" % e, file=sys.stderr)
    return 0


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, sock_path = argv[1], argv[2]
    a = argv[3:]
    try:
        if cmd == "probe":
            return cmd_probe(sock_path, a[0], a[1], a[2])
        if cmd == "lifecycle":
            return cmd_lifecycle(sock_path, a[0], a[1], a[2], int(a[3]), int(a[4]))
        if cmd == "create":
            return cmd_create(sock_path, a[0], a[1], a[2], int(a[3]), a[4:])
        if cmd == "start":
            return cmd_start(sock_path, a[0])
        if cmd == "remove":
            return cmd_remove(sock_path, a[0])
        if cmd == "sweep":
            return cmd_sweep(sock_path, a[0])
        if cmd == "exec":
            return cmd_exec(sock_path, a[0], int(a[1]), int(a[2]))
    except ApiError as e:
        print("containers.py %s: %s" % (cmd, e), file=sys.stderr)
        return 1
    except (OSError, http.client.HTTPException) as e:
        print("containers.py %s: %s" % (cmd, e), file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
