#!/usr/bin/env python3
"""imsued in the background logs to syslog: facility daemon, priorities by
level, "UE CATEGORY: message" lines filtered per category (-d 1,ctl=2).
The daemon runs in a private mount namespace whose /dev/log is a datagram
socket of this test (needs root and unshare; skipped otherwise)."""
import os
import re
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ctltest import Client, Tap, Workdir, imsued_path, wait_for  # noqa: E402

LOG_DAEMON = 3 << 3
PRI = {"err": 3, "notice": 5, "info": 6, "debug": 7}

tap = Tap()
wd = Workdir()
imsued, fake = imsued_path()
unshare = shutil.which("unshare")
if os.geteuid() != 0 or not unshare:
    tap.skip("imsued logs to syslog", "needs root and unshare (util-linux)")
    wd.cleanup()
    tap.done()

logsock = wd.file("log")
rx = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
rx.bind(logsock)
conf = wd.config("bg")
sock = wd.file("bg.sock")
script = ("mount -t tmpfs tmpfs /dev && mknod -m 666 /dev/null c 1 3 && "
          "mknod -m 444 /dev/urandom c 1 9 && touch /dev/log && "
          "mount --bind \"$1\" /dev/log && exec \"$2\" -c \"$3\" -d 1,ctl=2")
p = subprocess.run([unshare, "-m", "--propagation", "private", "sh", "-c", script, "sh",
                    logsock, imsued, conf], capture_output=True, text=True, timeout=20)
if p.returncode != 0 and "unshare" in p.stderr:
    tap.skip("imsued logs to syslog", "cannot make a mount namespace: " + p.stderr.strip())
    wd.cleanup()
    tap.done()
tap.ok(p.returncode == 0 and not p.stderr and not p.stdout,
       "background: started, nothing on stdout or stderr", p.stdout + p.stderr)

lines = []


def drain(seconds):
    rx.settimeout(0.1)
    end = time.time() + seconds
    while time.time() < end:
        try:
            lines.append(rx.recv(65536).decode("utf-8", "replace"))
        except socket.timeout:
            pass


drain(0.5)
if wait_for(lambda: os.path.exists(sock), 5):
    c = Client(sock)
    tap.eq(c.request({"cmd": "quit"}), {"ok": True}, "quit")
    c.close()
wait_for(lambda: not os.path.exists(sock), 8)
drain(0.5)

parsed = []
for x in lines:
    m = re.match(r"<(\d+)>\w{3} [ \d]\d \d\d:\d\d:\d\d imsued\[(\d+)\]: (.*)$", x, re.S)
    parsed.append((int(m.group(1)), m.group(3)) if m else (None, x))
tap.ok(parsed and all(pri is not None for pri, _ in parsed),
       "every line: <PRI>TIMESTAMP imsued[PID]: message", lines)
want = [
    (LOG_DAEMON | PRI["info"], "bg ctl: control socket %s" % sock),
    (LOG_DAEMON | PRI["notice"], "daemon: imsued %s running 1 UE"),
    (LOG_DAEMON | PRI["info"], "bg ctl: quit requested on the control socket"),
    (LOG_DAEMON | PRI["notice"], "daemon: stopping: deregistering (at most 5000 ms)"),
    (LOG_DAEMON | PRI["notice"], "daemon: stopped"),
]
for pri, text in want:
    if "%s" in text and "running" in text:
        ok = any(q == pri and re.match(r"daemon: imsued \S+ running 1 UE$", t)
                 for q, t in parsed)
    else:
        ok = (pri, text) in parsed
    tap.ok(ok, "syslog <%d> %s" % (pri, text), "\n".join(lines))
tap.ok(not any(t.startswith("bg reg:") or t.startswith("bg sip:") or
               t.startswith("daemon: configuration") for _, t in parsed),
       "-d 1,ctl=2: no info lines of other categories", "\n".join(lines))
rx.close()
wd.cleanup()
tap.done()
