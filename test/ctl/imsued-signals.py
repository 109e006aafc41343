#!/usr/bin/env python3
"""imsued's life cycle: SIGTERM and SIGINT stop it (exit 0 within the
deregistration bound), SIGHUP and "reconfigure" reload the configuration
(new identity -> new registration; new socket path -> socket moves; a bad
file changes nothing), several UEs with a socket each, --json-events, and
running in the background."""
import json
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ctltest import (Client, Daemon, Tap, Workdir, connectable, ue_ready,  # noqa: E402
                     unused_udp_port, wait_for)

BOUND = 5.0 + 1.5  # IMSUED_SHUTDOWN_MS plus slack

tap = Tap()
wd = Workdir()


def status_impu(sock):
    try:
        c = Client(sock)
        r = c.request({"cmd": "status"}, timeout=2)
        c.close()
        return ((r or {}).get("ue") or [{}])[0].get("impu")
    except OSError:
        return None


for sig, name in ((signal.SIGTERM, "SIGTERM"), (signal.SIGINT, "SIGINT")):
    conf = wd.config("alice")
    sock = wd.file("alice.sock")
    d = Daemon(wd, [conf])
    if name == "SIGTERM" and d.fake:
        tap.comment("daemon: %s (tools/imsued is not built yet)" % d.binary)
    tap.ok(d.wait_socket(sock), "%s: daemon up" % name, d.stderr())
    t0 = time.time()
    d.signal(sig)
    rc = d.wait(BOUND + 2)
    took = time.time() - t0
    tap.ok(rc == 0 and took <= BOUND, "%s: exit 0 within %.1f s" % (name, BOUND),
           "rc %s after %.2f s\n%s" % (rc, took, d.stderr()))
    tap.ok(not os.path.exists(sock), "%s: socket removed" % name)
    tap.ok("stopping: deregistering" in d.stderr(), "%s: deregistration logged" % name,
           d.stderr())
    d.stop()

# Reload.
conf = wd.config("bob", impu="sip:bob@ims.example.net")
sock = wd.file("bob.sock")
d = Daemon(wd, [conf], args=("-f", "-d", "2", "--json-events"))
tap.ok(d.wait_socket(sock), "reload: daemon up", d.stderr())
ev = Client(sock)
tap.eq(ev.request({"cmd": "events"}), {"ok": True}, "reload: event subscription")

d.signal(signal.SIGHUP)
tap.ok(wait_for(lambda: "no change that needs a new registration" in d.stderr()),
       "SIGHUP, same file: nothing re-registers", d.stderr())

with open(conf) as f:
    text = f.read()
with open(conf, "w") as f:
    f.write(text.replace("sip:bob@", "sip:robert@"))
d.signal(signal.SIGHUP)
tap.ok(wait_for(lambda: status_impu(sock) == "sip:robert@ims.example.net", 10),
       "SIGHUP, new IMPU: the UE is re-created with it", d.stderr())
e = None
while True:
    line = ev.line(timeout=2)
    if not line:
        break
    obj = json.loads(line)
    if obj.get("event") == "config-updated":
        e = obj
        break
tap.ok(e is not None and e.get("reregister") is True and e.get("source") == "file",
       "SIGHUP, new IMPU: config-updated event", e)
tap.ok("configuration changed: deregistering, then registering again" in d.stderr(),
       "SIGHUP, new IMPU: logged", d.stderr())

# A new P-CSCF: the UE is re-created (deregisters, registers with the new one).
old_pcscf = re.search(r"^pcscf = .*$", text, re.M).group(0)
new_port = unused_udp_port()
text = text.replace(old_pcscf, "pcscf = udp:127.0.0.1:%d" % new_port)
with open(conf, "w") as f:
    f.write(text.replace("sip:bob@", "sip:robert@"))
d.signal(signal.SIGHUP)


def pcscf_changed():
    if d.stderr().count("configuration changed: deregistering") != 2 or not ue_ready(sock, 1):
        return False
    c = Client(sock)
    r = c.request({"cmd": "status"}, timeout=2) or {}
    c.close()
    st = (r.get("ue") or [{}])[0]
    return "pcscf" not in st or str(new_port) in json.dumps(st["pcscf"])


tap.ok(wait_for(pcscf_changed, 10), "SIGHUP, new P-CSCF: the UE is re-created and uses it",
       d.stderr())

with open(conf, "w") as f:
    f.write(text.replace("sip:bob@", "sip:robert@") + "bogus = 1\n")
d.signal(signal.SIGHUP)
tap.ok(wait_for(lambda: "reload refused, keeping the old settings: %s:13: unknown key 'bogus'"
                % conf in d.stderr()), "SIGHUP, bad file: refused and logged", d.stderr())
tap.eq(status_impu(sock), "sip:robert@ims.example.net", "SIGHUP, bad file: UE unchanged")
c = Client(sock)
r = c.request({"cmd": "reconfigure"})
tap.eq(r, {"ok": False, "error": "reconfigure: %s:13: unknown key 'bogus' in [ctl]" % conf},
       "reconfigure, bad file: error reply")
c.close()

sock2 = wd.file("bob2.sock")
with open(conf, "w") as f:
    f.write(text.replace("sip:bob@", "sip:robert@").replace(sock, sock2))
c = Client(sock)
r = c.request({"cmd": "reconfigure"})
tap.eq(r, {"ok": True}, "reconfigure, new socket path: ok")
tap.ok(wait_for(lambda: connectable(sock2) and not os.path.exists(sock)),
       "reconfigure, new socket path: socket moved", d.stderr())
tap.ok(status_impu(sock2) == "sip:robert@ims.example.net" and
       d.stderr().count("configuration changed") == 2,
       "reconfigure, new socket path: same UE, no re-registration", d.stderr())
c.close()
ev.close()
d.signal(signal.SIGTERM)
tap.eq(d.wait(BOUND + 2), 0, "reload: exit 0")
out = d.proc.stdout.read().decode()
events = [json.loads(x) for x in out.splitlines() if x.strip()]
tap.ok(len(events) >= 1 and all("event" in x and "ue" in x for x in events) and
       any(x["event"] == "config-updated" for x in events),
       "--json-events: events as JSON lines on stdout", out)
d.stop()

# Several UEs, one socket each.
a = wd.config("ue-a", impu="sip:a@ims.example.net")
b = wd.config("ue-b", impu="sip:b@ims.example.net")
d = Daemon(wd, [a, b])
ok = d.wait_socket(wd.file("ue-a.sock")) and d.wait_socket(wd.file("ue-b.sock"))
tap.ok(ok and status_impu(wd.file("ue-a.sock")) == "sip:a@ims.example.net" and
       status_impu(wd.file("ue-b.sock")) == "sip:b@ims.example.net",
       "two UEs: each socket serves its own UE", d.stderr())
c = Client(wd.file("ue-b.sock"))
tap.eq(c.request({"cmd": "quit"}), {"ok": True}, "two UEs: quit on one socket")
tap.eq(d.wait(BOUND + 2), 0, "two UEs: the whole daemon stops, exit 0")
tap.ok(not os.path.exists(wd.file("ue-a.sock")) and not os.path.exists(wd.file("ue-b.sock")),
       "two UEs: both sockets removed")
c.close()
d.stop()

# In the background (no -f): the parent returns once everything is up.
conf = wd.config("bg")
sock = wd.file("bg.sock")
p = subprocess.run([d.binary, "-c", conf], capture_output=True, text=True, timeout=10)
tap.ok(p.returncode == 0 and not p.stderr and connectable(sock),
       "background: parent exits 0 with the socket ready", p.stderr)
if connectable(sock):
    c = Client(sock)
    tap.eq(c.request({"cmd": "quit"}), {"ok": True}, "background: quit")
    c.close()
    tap.ok(wait_for(lambda: not os.path.exists(sock), BOUND + 2), "background: daemon gone")
# A failure after forking still reaches the caller.
with open(conf) as f:
    text = f.read()
with open(conf, "w") as f:
    f.write(text.replace(sock, "/proc/no/such/dir/bg.sock"))
p = subprocess.run([d.binary, "-c", conf], capture_output=True, text=True, timeout=10)
tap.ok(p.returncode == 1 and "control socket" in p.stderr and p.stderr.count("\n") == 1,
       "background: startup failure reported by the parent, exit 1", p.stderr)

wd.cleanup()
tap.done()
