#!/usr/bin/env python3
"""contrib/imsued.service: systemd-analyze verify accepts it; it runs imsued
as an unprivileged user with CAP_NET_ADMIN only; the built copy names this
build's bindir; and imsued really works that way (started with setpriv as
nobody with only CAP_NET_ADMIN: the control socket answers, and the
process holds no other capability)."""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ctltest import BUILD, Client, Tap, Workdir, connectable, imsued_path, wait_for  # noqa: E402

SRC = os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__), "..", ".."))
CAP_NET_ADMIN = 12

tap = Tap()
wd = Workdir()
with open(os.path.join(SRC, "contrib", "imsued.service.in")) as f:
    template = f.read()
imsued, fake = imsued_path()


def settings(text):
    """[Service] key -> list of values."""
    out = {}
    section = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            section = line
            continue
        if section == "[Service]" and "=" in line:
            k, v = line.split("=", 1)
            out.setdefault(k.strip(), []).append(v.strip())
    return out


unit = template.replace("@bindir@", os.path.dirname(os.path.abspath(imsued)))
path = wd.file("imsued.service")
with open(path, "w") as f:
    f.write(unit)

if shutil.which("systemd-analyze"):
    p = subprocess.run(["systemd-analyze", "verify", "--man=no", path], capture_output=True,
                       text=True, timeout=60)
    tap.ok(p.returncode == 0 and not p.stdout.strip() and not p.stderr.strip(),
           "systemd-analyze verify: no error, no warning", p.stdout + p.stderr)
else:
    tap.skip("systemd-analyze verify", "systemd-analyze not installed")

s = settings(template)
tap.eq(s.get("User"), ["imsue"], "runs as the user imsue, not root")
tap.eq(s.get("AmbientCapabilities"), ["CAP_NET_ADMIN"], "AmbientCapabilities=CAP_NET_ADMIN")
tap.eq(s.get("CapabilityBoundingSet"), ["CAP_NET_ADMIN"], "bounding set: CAP_NET_ADMIN only")
tap.eq(s.get("NoNewPrivileges"), ["yes"], "NoNewPrivileges=yes")
tap.ok(s.get("RuntimeDirectory") == ["imsue"] and
       any(re.match(r"@bindir@/imsued -f -c \S+$", x) for x in s.get("ExecStart", [])),
       "ExecStart: imsued -f -c FILE, sockets in /run/imsue", s.get("ExecStart"))

built = os.path.join(BUILD, "contrib", "imsued.service")
if os.path.exists(built):
    with open(built) as f:
        text = f.read()
    tap.ok("@" not in text.replace("$MAINPID", "") and
           re.search(r"^ExecStart=/\S+/imsued -f", text, re.M) is not None,
           "built unit names the configured bindir", text)
else:
    tap.skip("built unit names the configured bindir", "%s not built" % built)

# Run imsued the way the unit does: not root, CAP_NET_ADMIN only.
setpriv = shutil.which("setpriv")
if os.geteuid() != 0 or not setpriv:
    tap.skip("imsued as nobody with CAP_NET_ADMIN only",
             "needs root and setpriv (util-linux)")
else:
    os.chmod(wd.path, 0o777)
    conf = wd.config("svc")
    os.chmod(conf, 0o644)
    sock = wd.file("svc.sock")
    proc = subprocess.Popen(
        [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
         "--inh-caps=-all,+net_admin", "--ambient-caps=-all,+net_admin",
         "--bounding-set=-all,+net_admin", imsued, "-f", "-c", conf],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    up = wait_for(lambda: connectable(sock), 10)
    caps = {}
    try:
        with open("/proc/%d/status" % proc.pid) as f:
            for line in f:
                if line.startswith("Cap") or line.startswith("Uid"):
                    k, v = line.split(":", 1)
                    caps[k] = v.split()[0]
    except OSError:
        pass
    reply = None
    if up:
        c = Client(sock)
        reply = c.request({"cmd": "status"})
        tap.ok(reply is not None and reply.get("ok") is True and
               os.stat(sock).st_uid == 65534,
               "as nobody: control socket owned by nobody answers status", reply)
        c.request({"cmd": "quit"})
        c.close()
    else:
        tap.ok(False, "as nobody: control socket owned by nobody answers status",
               proc.stderr.read() if proc.poll() is not None else "no socket")
    tap.ok(caps.get("Uid") == "65534" and caps.get("CapEff") is not None and
           int(caps["CapEff"], 16) == 1 << CAP_NET_ADMIN and
           int(caps.get("CapBnd", "0"), 16) == 1 << CAP_NET_ADMIN,
           "as nobody: effective and bounding capabilities are CAP_NET_ADMIN only", caps)
    try:
        rc = proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
    tap.eq(rc, 0, "as nobody: quit, exit 0")

wd.cleanup()
tap.done()
