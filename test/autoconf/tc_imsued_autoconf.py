#!/usr/bin/env python3
"""imsued with [autoconf] enabled (RCC.14 2.2 before TS 24.229 5.1.1.2): the
daemon queries the configuration server at start-up and registers with the
provisioned IMPU and P-CSCF; at the next start the stored configuration is
used without a request; without a server answer and without a P-CSCF it
refuses to start, naming the reason."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acs import *  # noqa: E402,F403

BUILD = os.environ.get("top_builddir", ".")
IMSUED = os.path.join(BUILD, "tools", "imsued")
IMSUECTL = os.path.join(BUILD, "tools", "imsuectl")
IMPU1 = "sip:+34600000001@" + DOMAIN


def conf(d, acs_url, ca, store):
    sock = os.path.join(d, "ue.sock")
    path = os.path.join(d, "ue.conf")
    with open(path, "w") as f:
        f.write("[identity]\nimsi = %s\n"
                "[credentials]\nk = 465b5ce8b199b49faa5f0a2ee238a6bc\n"
                "opc = cd63cb71954a9f4e48a5994e37a02baf\n"
                "[network]\nt1 = 100\n"
                "[autoconf]\nenabled = yes\nserver = %s\nca_file = %s\nstore = %s\n"
                "[ctl]\nsocket = %s\n" % (IMSI, acs_url, ca, store, sock))
    return path, sock


def status(sock):
    """The status once the UE exists (the control socket is there before
    autoconfiguration has finished)."""
    st = {}
    for _ in range(100):
        p = subprocess.run([IMSUECTL, "-s", sock, "status"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=10)
        try:
            st = json.loads(p.stdout)
        except ValueError:
            st = {"raw": p.stdout + p.stderr}
        if find(st, "impu"):
            break
        time.sleep(0.1)
    return st


def start(path, sock):
    p = subprocess.Popen([IMSUED, "-f", "-c", path], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    for _ in range(300):
        if os.path.exists(sock) or p.poll() is not None:
            break
        time.sleep(0.05)
    return p


def stop(p):
    p.terminate()
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def find(obj, key):
    """The first value of key anywhere in a JSON object."""
    if isinstance(obj, dict):
        if key in obj:
            return obj[key]
        obj = list(obj.values())
    if isinstance(obj, list):
        for v in obj:
            r = find(v, key)
            if r is not None:
                return r
    return None


def body(tap):
    if not (os.access(IMSUED, os.X_OK) and os.access(IMSUECTL, os.X_OK)):
        tap.ok(True, "imsued # SKIP tools/imsued not built")
        return
    acs = ACS([http_ok(), https(200, full(3, 86400, pcscf="127.0.0.1"),
                                params={"IMSI": IMSI, "vers": "0"})], one_port=True)
    d = tmpdir("imsue-acd-")
    store = os.path.join(d, "store")
    path, sock = conf(d, acs.http_url, acs.ca_file, store)
    p = start(path, sock)
    tap.ok(p.poll() is None, "imsued started", p.poll() is not None and p.stderr.read())
    st = status(sock) if p.poll() is None else {}
    tap.eq(acs.problems, [], "server checks pass (HTTP, then HTTPS with Table 1)")
    tap.eq(len(acs.requests), 2, "two requests at start-up")
    tap.eq(find(st, "impu"), IMPU1, "UE uses the provisioned IMPU")
    tap.ok("127.0.0.1" in str(find(st, "pcscf")), "UE uses the provisioned P-CSCF", st)
    stop(p)
    p = start(path, sock)
    st = status(sock) if p.poll() is None else {}
    tap.eq(len(acs.requests), 2, "restart: stored configuration, no request")
    tap.eq(find(st, "impu"), IMPU1, "stored IMPU used")
    stop(p)
    acs.close()
    d2 = tmpdir("imsue-acd-")
    path, sock = conf(d2, "http://127.0.0.1:9/", acs.ca_file, os.path.join(d2, "store"))
    p = start(path, sock)
    try:
        rc = p.wait(30)
    except subprocess.TimeoutExpired:
        stop(p)
        rc = None
    err = p.stderr.read()
    tap.eq(rc, 1, "no configuration and no P-CSCF: imsued exits 1")
    tap.ok("autoconfiguration" in err and "unreachable" in err, "reason on stderr", err)


if __name__ == "__main__":
    main(body)
