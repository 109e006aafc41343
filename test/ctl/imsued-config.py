#!/usr/bin/env python3
"""imsued refuses bad configuration files and bad usage: exit status 2, one
line on stderr naming file, line and key, and nothing started (no socket)."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ctltest import Client, Tap, Workdir, connectable, imsued_path, wait_for  # noqa: E402

tap = Tap()
wd = Workdir()
imsued, fake = imsued_path()
if fake:
    tap.comment("daemon: %s (tools/imsued is not built yet)" % imsued)

GOOD = ("[identity]\nimpi = a@ims.example.net\nimpu = sip:a@ims.example.net\n"
        "home_domain = ims.example.net\n"
        "[credentials]\nk = 465b5ce8b199b49faa5f0a2ee238a6bc\n"
        "opc = cd63cb71954a9f4e48a5994e37a02baf\n"
        "[network]\npcscf = udp:127.0.0.1:9\n")


def run(args, timeout=10):
    p = subprocess.run([imsued] + args, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def refused(text, want, name):
    """want: the message after "imsued: FILE"."""
    sock = wd.file("c.sock")
    path = wd.config("c", raw=text + "[ctl]\nsocket = %s\n" % sock if "[ctl]" not in text
                     else text)
    rc, out, err = run(["-f", "-c", path])
    tap.ok(rc == 2 and err == "imsued: %s%s\n" % (path, want) and not os.path.exists(sock),
           name, "rc %s\nstderr %r\nwant   %r" % (rc, err, "imsued: %s%s\n" % (path, want)))


refused(GOOD + "colour = blue\n", ":10: unknown key 'colour' in [network]", "unknown key")
refused(GOOD + "[extras]\nx = 1\n", ":11: unknown key 'x' in [extras] (no such section)",
        "unknown section")
refused("oops\n" + GOOD, ":1: syntax error: expected 'key = value'", "syntax error")
refused(GOOD + "expires = soon\n",
        ":10: key 'expires': 'soon' is not a number in 1..4294967295", "bad number")
refused(GOOD + "port = 70000\n",
        ":10: key 'port': '70000' is not a port number in 0..65535", "port out of range")
refused(GOOD + "pcscf = 127.0.0.1\n",
        ":10: key 'pcscf': '127.0.0.1' does not start with udp:, tcp: or tls:", "bad pcscf")
refused(GOOD + "pcscf = tcp:fe80::1:5060\n",
        ":10: key 'pcscf': IPv6 addresses must be in brackets", "IPv6 pcscf without brackets")
refused(GOOD + "security = ipsec\n",
        ":10: key 'security': 'ipsec' is not one of none, ipsec-3gpp, tls", "bad enum")
refused(GOOD + "[debug]\nlog_keys = perhaps\n",
        ":11: key 'log_keys': 'perhaps' is not yes, no, true, false, 1 or 0", "bad boolean")
refused(GOOD.replace("k = 465b", "k = 465"),
        ":6: key 'k': needs 32 hex digits, got 31", "short K")
refused(GOOD + "[identity]\nimsi = 12345\n",
        ":11: key 'imsi': needs 14 to 15 decimal digits", "bad IMSI")
refused(GOOD + "[identity]\nimei = 1234\n",
        ":11: key 'imei': needs 15 digits (IMEI) or 16 digits (IMEISV)", "bad IMEI")
refused(GOOD + "t1 = 1\nt1 = 2\n", ":11: key 't1': already set on line 10", "key set twice")
refused(GOOD.replace("opc = cd63cb71954a9f4e48a5994e37a02baf\n", ""),
        ": auth = aka needs op or opc in [credentials]", "missing OPc")
refused(GOOD + "auth = digest\n", ": auth = digest needs password in [credentials]",
        "digest without password")
refused(GOOD.replace("[network]\npcscf = udp:127.0.0.1:9\n", ""),
        ": no pcscf in [network] (and [autoconf] is not enabled)", "no P-CSCF")
refused(GOOD.replace("home_domain = ims.example.net\n", ""),
        ": [identity] needs home_domain (or imsi, or [autoconf] enabled)", "no home domain")

# Nothing starts when any one of several files is bad.
sock_a = wd.file("a.sock")
a = wd.config("a", raw=GOOD + "[ctl]\nsocket = %s\n" % sock_a)
b = wd.config("b", raw=GOOD + "bogus = 1\n")
rc, out, err = run(["-f", "-c", a, "-c", b])
tap.ok(rc == 2 and err == "imsued: %s:10: unknown key 'bogus' in [network]\n" % b
       and not os.path.exists(sock_a), "second file bad: nothing started",
       "rc %s stderr %r" % (rc, err))
# Two UEs on one socket.
b = wd.config("b", raw=GOOD + "[ctl]\nsocket = %s\n" % sock_a)
rc, out, err = run(["-f", "-c", a, "-c", b])
tap.eq((rc, err), (2, "imsued: %s: control socket %s is also used by %s\n" % (b, sock_a, a)),
       "shared control socket refused")
missing = wd.file("missing.conf")
rc, out, err = run(["-f", "-c", missing])
tap.eq((rc, err), (2, "imsued: %s: No such file or directory\n" % missing), "missing file")

# Usage.
rc, out, err = run([])
tap.eq((rc, err), (2, "imsued: no configuration file (-c FILE; try --help)\n"), "no -c")
rc, out, err = run(["-c", a, "-d", "7"])
tap.eq((rc, err), (2, "imsued: -d needs a level 0..3, got '7'\n"), "bad -d")
rc, out, err = run(["-c", a, "-d", "2,sql=3"])
tap.eq((rc, err), (2, "imsued: -d: unknown category 'sql' (daemon, ctl, event, reg, regevent, "
                      "sip)\n"), "-d with an unknown category")
rc, out, err = run(["-c", a, "-d", "sip=3,"])
tap.eq((rc, err), (2, "imsued: -d needs a level 0..3, got 'sip=3,'\n"), "-d with a trailing comma")

# Per-category levels: only the control socket's lines, at info level.
sock_cat = wd.file("cat.sock")
cat = wd.config("cat", raw=GOOD + "[ctl]\nsocket = %s\n" % sock_cat)
p = subprocess.Popen([imsued, "-f", "-d", "0,ctl=2", "-c", cat], stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
if wait_for(lambda: connectable(sock_cat), 5):
    c = Client(sock_cat)
    c.request({"cmd": "quit"})
    c.close()
try:
    _, err = p.communicate(timeout=10)
except subprocess.TimeoutExpired:
    p.kill()
    _, err = p.communicate()
lines = err.splitlines()
tap.ok(p.returncode == 0 and lines and
       all(x.startswith("imsued[") and " cat ctl: " in x for x in lines) and
       "imsued[info] cat ctl: control socket %s" % sock_cat in lines and
       "imsued[info] cat ctl: quit requested on the control socket" in lines,
       "-d 0,ctl=2: the control socket's info lines and nothing else", err)

rc, out, err = run(["-c", a, "--bogus"])
tap.ok(rc == 2 and err.endswith("imsued: bad usage (try --help)\n"), "unknown option", err)
rc, out, err = run(["-c", a, "extra"])
tap.eq((rc, err), (2, "imsued: unexpected argument 'extra' (try --help)\n"), "stray argument")
rc, out, err = run(["--help"])
tap.ok(rc == 0 and out.startswith("usage: imsued -c FILE") and "--json-events" in out and
       not err, "--help", out + err)
rc, out, err = run(["-V"])
tap.ok(rc == 0 and out.startswith("imsued ") and not err, "-V", out + err)

wd.cleanup()
tap.done()
