#!/usr/bin/env python3
"""The control protocol against a running imsued: transcripts of request
lines and replies, malformed and oversized input, many clients, clients that
leave mid-line or stop reading, and "quit"."""
import json
import os
import socket
import stat
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ctltest import STATES, Client, Daemon, Tap, Workdir, wait_for  # noqa: E402

tap = Tap()
wd = Workdir()
conf = wd.config("alice")
sock = wd.file("alice.sock")
d = Daemon(wd, [conf])
if d.fake:
    tap.comment("daemon: %s (tools/imsued is not built yet)" % d.binary)
if not tap.ok(d.wait_socket(sock), "control socket appears", d.stderr()):
    d.stop()
    tap.done()

st = os.stat(sock)
tap.ok(stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600,
       "socket is owner-only (0600)", oct(st.st_mode))

c = Client(sock)
r = c.request({"cmd": "status"})
ue = (r or {}).get("ue") or [{}]
tap.ok(r is not None and r.get("ok") is True and len(r["ue"]) == 1, "status: ok, one UE", r)
tap.ok(ue[0].get("state") in STATES, "status: state is one of the contract's", ue[0])
tap.eq(ue[0].get("impu"), "sip:alice@ims.example.net", "status: impu")

# Transcripts: request line -> exact reply line.
transcript = [
    (b'{"cmd":"status","id":42}', None),  # checked below: id echoed
    (b'{"cmd":"status"', b'{"ok":false,"error":"malformed JSON: \'}\' expected near end of file"}'),
    (b'not json', b'{"ok":false,"error":"malformed JSON: \'[\' or \'{\' expected near \'not\'"}'),
    (b'["status"]', b'{"ok":false,"error":"a request is a JSON object"}'),
    (b'{"command":"status"}', b'{"ok":false,"error":"missing \\"cmd\\" (a string)"}'),
    (b'{"cmd":"frobnicate"}', b'{"ok":false,"error":"unknown command \'frobnicate\'"}'),
    (b'{"cmd":"sms","hex":"0011"}', b'{"ok":false,"error":"not supported yet: sms"}'),
    (b'{"cmd":"otp","otp":"123456"}', b'{"ok":false,"error":"not supported yet: otp"}'),
    (b'{"cmd":"msisdn","msisdn":"+15550100"}',
     b'{"ok":false,"error":"not supported yet: msisdn"}'),
    (b'{"cmd":"deregister"}',
     b'{"ok":false,"error":"deregister: needs \\"impu\\" (an IMPU or \\"all\\")"}'),
    (b'{"cmd":"events","id":"e"}', b'{"ok":true,"id":"e"}'),
]
for req, want in transcript:
    c.send(req + b"\n")
    got = c.line()
    if want is None:
        obj = json.loads(got or b"{}")
        tap.ok(obj.get("ok") is True and obj.get("id") == 42, "status with id: id echoed", got)
    else:
        tap.eq(got, want, "transcript: %s" % req.decode())
# Blank lines are ignored; two requests in one write get two replies in order.
c.send(b'\n\r\n{"cmd":"status","id":1}\n{"cmd":"status","id":2}\n')
ids = [(c.reply() or {}).get("id") for _ in range(2)]
tap.eq(ids, [1, 2], "pipelined requests answered in order")
c.close()

# Oversized line: an error reply, then the daemon closes the connection.
big = Client(sock)
big.send(b"x" * 70000)
tap.eq(big.line(), b'{"ok":false,"error":"line too long"}', "oversized line: error reply")
tap.eq(big.line(), b"", "oversized line: connection closed")
big.close()
# The largest line that fits (64 KiB with its newline) is fine.
pad = 65536 - len(b'{"cmd":"status","pad":""}\n')
fit = Client(sock)
fit.send(b'{"cmd":"status","pad":"' + b"p" * pad + b'"}\n')
r = fit.reply()
tap.ok(r is not None and r.get("ok") is True, "64 KiB line accepted", r)
fit.close()

# Many clients at once, each answered.
clients = [Client(sock) for _ in range(60)]
for i, cl in enumerate(clients):
    cl.send('{"cmd":"status","id":%d}\n' % i)
got = [(cl.reply() or {}).get("id") for cl in clients]
tap.eq(got, list(range(60)), "60 concurrent clients answered")
for cl in clients:
    cl.close()

# Clients that leave in the middle of a line, or right after sending.
for i in range(20):
    cl = Client(sock)
    cl.send(b'{"cmd":"sta')
    cl.close()
    cl = Client(sock)
    cl.send(b'{"cmd":"status"}\n')
    cl.close()
c = Client(sock)
r = c.request({"cmd": "status"})
tap.ok(d.running() and r is not None and r.get("ok") is True,
       "daemon unharmed by clients leaving mid-line", r)

# A client that subscribes to events and never reads is dropped once its
# queue is full; the others are served meanwhile.
slow = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
slow.connect(sock)
slow.sendall(b'{"cmd":"events"}\n')
stop = threading.Event()
dropped = threading.Event()


def flood():
    req = b'{"cmd":"status"}\n' * 256
    try:
        while not stop.is_set():
            slow.sendall(req)
    except OSError:
        dropped.set()


t = threading.Thread(target=flood, daemon=True)
t.start()
slowest = 0.0
for i in range(20):
    t0 = time.time()
    r = c.request({"cmd": "status"}, timeout=5)
    slowest = max(slowest, time.time() - t0)
    if r is None:
        break
tap.ok(r is not None and slowest < 2.0,
       "others served while an event subscriber floods without reading",
       "slowest reply %.3f s" % slowest)
tap.ok(dropped.wait(20), "the client that stops reading is dropped")
stop.set()
slow.close()
t.join(5)

# quit: the reply, then the daemon deregisters, exits 0 and removes the socket.
r = c.request({"cmd": "quit"})
tap.eq(r, {"ok": True}, "quit: ok")
rc = d.wait(10)
tap.eq(rc, 0, "quit: daemon exits 0")
tap.ok(not os.path.exists(sock), "quit: socket file removed")
c.close()
d.stop()
if tap.failed:
    tap.comment(d.stderr())
wd.cleanup()
tap.done()
