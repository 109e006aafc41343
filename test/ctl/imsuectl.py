#!/usr/bin/env python3
"""imsuectl against a running imsued: one-shot commands (reply line, exit
status 0/1/2), the events stream, and the interactive shell driven once
through a pseudo-terminal (completion, history, replies and asynchronous
events in human-readable form)."""
import json
import os
import pty
import select
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ctltest import STATES, Daemon, Tap, Workdir, imsuectl_path, ue_ready  # noqa: E402

tap = Tap()
wd = Workdir()
conf = wd.config("carol", impu="sip:carol@ims.example.net")
sock = wd.file("carol.sock")
d = Daemon(wd, [conf])
if d.fake:
    tap.comment("daemon: %s (tools/imsued is not built yet)" % d.binary)
if not tap.ok(d.wait_socket(sock), "daemon up", d.stderr()):
    d.stop()
    tap.done()
ctl = imsuectl_path()
env = dict(os.environ, HOME=wd.path)
env.pop("IMSUE_CTL", None)


def run(*args, extra_env=None, timeout=10):
    e = dict(env, **(extra_env or {}))
    p = subprocess.run([ctl] + list(args), capture_output=True, text=True, timeout=timeout,
                       env=e, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr


rc, out, err = run("-s", sock, "status")
try:
    r = json.loads(out)
except ValueError:
    r = {}
tap.ok(rc == 0 and out.count("\n") == 1 and r.get("ok") is True and
       r["ue"][0].get("state") in STATES and r["ue"][0].get("impu") == "sip:carol@ims.example.net",
       "status: one JSON line, exit 0", out + err)
rc, out, err = run("status", extra_env={"IMSUE_CTL": sock})
tap.ok(rc == 0 and json.loads(out or "{}").get("ok") is True, "$IMSUE_CTL names the socket",
       out + err)
rc, out, err = run("-s", sock, "frobnicate")
tap.eq((rc, out, err), (1, '{"ok":false,"error":"unknown command \'frobnicate\'"}\n', ""),
       "unknown command: the daemon's error reply, exit 1")
rc, out, err = run("-s", sock, "sms", "0011")
tap.eq((rc, out), (1, '{"ok":false,"error":"not supported yet: sms"}\n'),
       "sms HEX sent as {\"hex\":...}, exit 1 while unsupported")
rc, out, err = run("-s", sock, "status", "extra")
tap.eq((rc, out, err), (2, "", "imsuectl: status: unexpected argument 'extra'\n"),
       "stray argument: usage error, exit 2")
rc, out, err = run("-s", wd.file("nobody.sock"), "status")
tap.eq((rc, out, err),
       (2, "", "imsuectl: %s: No such file or directory\n" % wd.file("nobody.sock")),
       "no daemon: exit 2 with the reason")
rc, out, err = run("-s", sock, "-x")
tap.ok(rc == 2 and err.endswith("imsuectl: bad usage (try --help)\n"), "bad option: exit 2", err)
rc, out, err = run("--help")
tap.ok(rc == 0 and out.startswith("usage: imsuectl") and "deregister IMPU|all" in out,
       "--help", out + err)

# events: the reply, then event lines until interrupted.
ev = subprocess.Popen([ctl, "-s", sock, "events"], stdout=subprocess.PIPE, text=True, env=env)
first = ev.stdout.readline()
with open(conf) as f:
    text = f.read()
with open(conf, "w") as f:
    f.write(text.replace("t1 = 100", "t1 = 200"))
d.signal(signal.SIGHUP)
line = ev.stdout.readline()
ev.send_signal(signal.SIGINT)
try:
    rc = ev.wait(5)
except subprocess.TimeoutExpired:
    ev.kill()
    rc = None
ev.stdout.close()
tap.eq(first, '{"ok":true}\n', "events: the reply first")
tap.ok(json.loads(line or "{}").get("event") == "config-updated",
       "events: an event line as it happens", line)
tap.eq(rc, 0, "events: SIGINT ends the stream, exit 0")
tap.ok(ue_ready(sock), "the UE is back after the reload")


# The interactive shell through a pseudo-terminal.
pid, fd = pty.fork()
if pid == 0:
    os.environ["HOME"] = wd.path
    os.execv(ctl, [ctl, "-s", sock])
screen = b""


mark = 0


def pump(until=None, timeout=5.0):
    """Read the terminal until `until` shows up after `mark` (or the time is over)."""
    global screen
    end = time.time() + timeout
    while time.time() < end:
        if until is not None and until in screen[mark:]:
            return True
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                screen += os.read(fd, 65536)
            except OSError:
                break
    return until is None or until in screen[mark:]


tap.ok(pump(b"imsue> "), "shell: banner and prompt", screen)
mark = len(screen)
os.write(fd, b"sta\t\r")
tap.ok(pump(b"carol: ") and b"tus" in screen[mark:],
       "shell: tab completes 'sta' to 'status'; status shown as text", screen[mark:])
tap.ok(pump(b"impu sip:carol@ims.example.net\r\n"), "shell: status details", screen[mark:])
mark = len(screen)
os.write(fd, b"frobnicate\r")
tap.ok(pump(b"error: unknown command 'frobnicate'"), "shell: error replies as text",
       screen[mark:])
# An event while the shell waits at its prompt.
pump(b"imsue> ", 2)
mark = len(screen)
with open(conf, "w") as f:
    f.write(text.replace("t1 = 100", "t1 = 300"))
d.signal(signal.SIGHUP)
tap.ok(pump(b"[carol] config-updated"), "shell: asynchronous event shown", screen[mark:])
mark = max(mark, screen.find(b"[carol] config-updated", mark))
tap.ok(pump(b"imsue> ", 2), "shell: prompt redrawn after the event", screen[mark:])
ue_ready(sock)
mark = len(screen)
os.write(fd, b"\x1b[A\x1b[A\r")  # history: two lines up is "status"
tap.ok(pump(b"carol: "), "shell: history recalls 'status'", screen[mark:])
mark = len(screen)
os.write(fd, b'{"cmd":"deregister"}\r')
tap.ok(pump(b'error: deregister: needs "impu"'), "shell: raw JSON line", screen[mark:])
os.write(fd, b"otp 123456\rexit\r")
pump(None, 1.0)
_, status = os.waitpid(pid, 0)
tap.ok(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, "shell: 'exit' leaves, exit 0",
       status)
os.close(fd)
hist = wd.file(".imsuectl_history")
saved = open(hist).read() if os.path.exists(hist) else ""
tap.ok("status" in saved and "otp" not in saved, "shell: history saved, OTP left out", saved)
tap.ok(d.running(), "the daemon is still running")

d.stop()
if tap.failed:
    tap.comment(d.stderr())
wd.cleanup()
tap.done()
