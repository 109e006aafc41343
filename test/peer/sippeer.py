"""A scripted P-CSCF/S-CSCF for the registration tests (python3 standard library).

The peer binds UDP and TCP on 127.0.0.1, waits for one request at a time,
lets the test assert on its header fields and answers with an exact response
built from the request (Via, From, To + tag, Call-ID and CSeq copied).
UDP retransmissions of a request already seen are answered with the stored
response (or ignored before one exists), as a real server would.

The UE under test is test/peer/ue_driver (one struct ims_ue on the real
event loop), driven through stdin/stdout JSON lines; see UE below.

Network-side AKA comes from test/peer/akavec (libosmocore), so the test
does not depend on our own Milenage.
"""
import base64
import hashlib
import json
import os
import queue
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

BUILD = os.environ.get("top_builddir", ".")
DOMAIN = "ims.mnc001.mcc001.3gppnetwork.org"
IMSI = "001010000000001"
IMPI = IMSI + "@" + DOMAIN
IMPU = "sip:" + IMSI + "@" + DOMAIN
IMEI = "490154203237518"
INSTANCE = "urn:gsma:imei:49015420-323751-0"
# TS 35.208 test set 1 key material
K = "465b5ce8b199b49faa5f0a2ee238a6bc"
OPC = "cd63cb71954a9f4e48a5994e37a02baf"
AMF = "8000"

COMPACT = {"m": "Contact", "v": "Via", "f": "From", "t": "To", "i": "Call-ID",
           "l": "Content-Length", "k": "Supported", "c": "Content-Type", "e": "Content-Encoding",
           "s": "Subject", "o": "Event", "u": "Allow-Events", "x": "Session-Expires"}
CANON = {n.lower(): n for n in (
    "Via", "From", "To", "Call-ID", "CSeq", "Contact", "Expires", "Max-Forwards", "Supported",
    "Require", "Proxy-Require", "Authorization", "Security-Client", "Security-Verify",
    "Route", "User-Agent", "P-Access-Network-Info", "Content-Length", "WWW-Authenticate",
    "Min-Expires", "Retry-After", "Service-Route", "P-Associated-URI", "Path",
    "Authentication-Info", "Content-Type", "Event", "Allow")}


class TestFailure(Exception):
    pass


class Tap:
    """TAP output; done() prints the plan and exits 0 (failures show as not ok)."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, diag=None):
        self.n += 1
        print(("ok %d - %s" if cond else "not ok %d - %s") % (self.n, name))
        if not cond:
            self.failed += 1
            if diag is not None:
                for line in str(diag).splitlines() or [""]:
                    print("#   " + line)
        sys.stdout.flush()
        return cond

    def eq(self, got, want, name):
        return self.ok(got == want, name, "got:  %r\nwant: %r" % (got, want))

    def comment(self, text):
        for line in str(text).splitlines():
            print("# " + line)
        sys.stdout.flush()

    def done(self):
        print("1..%d" % self.n)
        sys.stdout.flush()
        sys.exit(0)


def split_list(value):
    """Split a header value at commas outside quotes and <>."""
    out, cur, q, a, i = [], "", False, False, 0
    while i < len(value):
        c = value[i]
        if q:
            if c == "\\" and i + 1 < len(value):
                cur += c + value[i + 1]
                i += 2
                continue
            if c == '"':
                q = False
        elif a:
            if c == ">":
                a = False
        elif c == '"':
            q = True
        elif c == "<":
            a = True
        elif c == ",":
            out.append(cur.strip())
            cur = ""
            i += 1
            continue
        cur += c
        i += 1
    if cur.strip():
        out.append(cur.strip())
    return out


def params(value):
    """Header parameters after the URI part: {name_lower: value or True}."""
    v = value
    if ">" in v:
        v = v[v.index(">") + 1:]
    elif ";" in v:
        v = v[v.index(";"):]
    else:
        return {}
    out = {}
    for p in re.findall(r';\s*([^;=\s]+)(?:\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]*))?', v):
        name, val = p
        if val.startswith('"'):
            val = val[1:-1]
        out[name.lower()] = val if val != "" or "=" in v else True
    return out


def uri_of(value):
    m = re.search(r"<([^>]*)>", value)
    if m:
        return m.group(1)
    return value.split(";")[0].strip()


def digest_params(value):
    """Parameters of 'Digest a=b, c="d"' as a dict (names lower-case)."""
    assert value.lower().startswith("digest"), value
    out = {}
    for name, quoted, token in re.findall(
            r'([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))', value[6:]):
        out[name.lower()] = quoted if quoted or token == "" else token
        if quoted == "" and token == "":
            out[name.lower()] = ""
    return out


def md5hex(b):
    return hashlib.md5(b).hexdigest()


def digest_response(username, realm, secret, method, uri, nonce, qop=None, nc=None,
                    cnonce=None):
    """RFC 2617 request-digest with MD5; secret is bytes (RES for AKAv1-MD5)."""
    ha1 = md5hex(username.encode() + b":" + realm.encode() + b":" + secret)
    ha2 = md5hex((method + ":" + uri).encode())
    if qop:
        return md5hex(("%s:%s:%s:%s:%s:%s" % (ha1, nonce, nc, cnonce, qop, ha2)).encode())
    return md5hex(("%s:%s:%s" % (ha1, nonce, ha2)).encode())


class Request:
    def __init__(self, raw, src, transport, conn=None):
        self.raw = raw
        self.src = src
        self.transport = transport
        self.conn = conn
        self.time = time.monotonic()
        head, _, self.body = raw.partition("\r\n\r\n")
        lines = head.split("\r\n")
        self.method, self.uri, _ = lines[0].split(" ", 2)
        self.headers = []
        for line in lines[1:]:
            if line[:1] in (" ", "\t") and self.headers:
                n, v = self.headers[-1]
                self.headers[-1] = (n, v + " " + line.strip())
                continue
            name, _, value = line.partition(":")
            name = name.strip()
            name = COMPACT.get(name, CANON.get(name.lower(), name))
            self.headers.append((name, value.strip()))

    def all(self, name):
        """Every value of a header (list headers split at commas)."""
        out = []
        for n, v in self.headers:
            if n.lower() == name.lower():
                if name.lower() in ("authorization", "www-authenticate"):
                    out.append(v)
                else:
                    out.extend(split_list(v))
        return out

    def hdr(self, name):
        for n, v in self.headers:
            if n.lower() == name.lower():
                return v
        return None

    def has(self, name):
        return self.hdr(name) is not None

    def cseq(self):
        return int(self.hdr("CSeq").split()[0])

    def call_id(self):
        return self.hdr("Call-ID")

    def branch(self):
        return params(self.all("Via")[0]).get("branch")

    def auth(self):
        a = self.hdr("Authorization")
        return digest_params(a) if a else None

    def expires(self):
        """Expires header, or the contact's expires parameter."""
        c = self.all("Contact")
        if c and c[0] != "*":
            p = params(c[0])
            if "expires" in p:
                return int(p["expires"])
        e = self.hdr("Expires")
        return int(e) if e is not None else None


class Peer:
    """One scripted P-CSCF on 127.0.0.1:port (UDP and TCP)."""

    def __init__(self, port=0):
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", port))
        self.port = self.udp.getsockname()[1]
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind(("127.0.0.1", self.port))
        self.tcp.listen(8)
        self.conns = {}          # socket -> buffer
        self.answered = {}       # (branch, method) -> response bytes
        self.seen = set()
        self.retransmissions = 0
        self.log = []
        # reg event (RFC 3680): SUBSCRIBEs are answered 200 here unless a test
        # turns auto_subscribe off to handle them itself (see RegEventDialog).
        self.auto_subscribe = True
        self.subscribes = []     # SUBSCRIBEs answered automatically
        self.backlog = []        # new requests that arrived while waiting for a response
        self.responses = []      # responses to requests sent by the peer

    def close(self):
        for c in list(self.conns):
            c.close()
        self.udp.close()
        self.tcp.close()

    def _send(self, req, data):
        if req.transport == "udp":
            self.udp.sendto(data, req.src)
        else:
            req.conn.sendall(data)

    def _read_tcp(self, c):
        try:
            data = c.recv(65536)
        except OSError:
            data = b""
        if not data:
            del self.conns[c]
            c.close()
            return []
        self.conns[c] += data
        out = []
        while True:
            buf = self.conns[c]
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                break
            m = re.search(rb"\r\n(?:Content-Length|l)\s*:\s*(\d+)", buf[:end + 2], re.I)
            blen = int(m.group(1)) if m else 0
            if len(buf) < end + 4 + blen:
                break
            out.append(buf[:end + 4 + blen])
            self.conns[c] = buf[end + 4 + blen:]
        return [(m, c) for m in out]

    def _poll(self, timeout):
        """Messages arriving within timeout: [(Request)]."""
        rl = [self.udp, self.tcp] + list(self.conns)
        r, _, _ = select.select(rl, [], [], max(0, timeout))
        out = []
        for s in r:
            if s is self.udp:
                data, src = self.udp.recvfrom(65536)
                out.append(Request(data.decode("utf-8", "replace"), src, "udp"))
            elif s is self.tcp:
                c, src = self.tcp.accept()
                self.conns[c] = b""
            else:
                for data, c in self._read_tcp(s):
                    out.append(Request(data.decode("utf-8", "replace"), c.getpeername(), "tcp",
                                       c))
        return out

    def _intake(self, req):
        """A polled message: None when handled here (a response, a retransmission, a
        SUBSCRIBE answered automatically), else the new request."""
        if req.raw.startswith("SIP/2.0"):
            self.responses.append(req)
            return None
        key = (req.branch(), req.method)
        if key in self.seen:
            self.retransmissions += 1
            if key in self.answered:
                self._send(req, self.answered[key])
            return None
        self.seen.add(key)
        if self.auto_subscribe and req.method == "SUBSCRIBE":
            self.subscribes.append(req)
            self.respond(req, 200, "OK", [("Expires", req.hdr("Expires") or "600000"),
                                          ("Contact", "<sip:scscf@127.0.0.1:%d>" % self.port)],
                         to_tag="sub%d" % len(self.subscribes))
            return None
        self.log.append(req)
        return req

    def wait_request(self, timeout=5.0, method=None):
        """The next new request (retransmissions handled here); TestFailure on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            if self.backlog:
                req = self.backlog.pop(0)
                if method and req.method != method:
                    raise TestFailure("expected %s, got %s" % (method, req.method))
                return req
            left = deadline - time.monotonic()
            if left <= 0:
                raise TestFailure("no %s request within %.1f s" % (method or "SIP", timeout))
            for req in self._poll(left):
                req = self._intake(req)
                if req is not None:
                    self.backlog.append(req)

    def wait_response(self, branch, timeout=5.0):
        """The response to a request the peer sent with this Via branch; requests arriving
        meanwhile are kept for wait_request."""
        deadline = time.monotonic() + timeout
        while True:
            for i, r in enumerate(self.responses):
                if r.branch() == branch:
                    del self.responses[i]
                    return r
            left = deadline - time.monotonic()
            if left <= 0:
                raise TestFailure("no response to branch %s within %.1f s" % (branch, timeout))
            for req in self._poll(left):
                req = self._intake(req)
                if req is not None:
                    self.backlog.append(req)

    def no_request(self, seconds):
        """True when no new request arrives for seconds (retransmissions ignored)."""
        try:
            req = self.wait_request(seconds)
        except TestFailure:
            return True, None
        return False, req

    def respond(self, req, status, reason, headers=(), to_tag="peer1", body=""):
        vias = req.all("Via")
        if vias and req.transport == "udp":
            v = vias[0]
            v = re.sub(r";rport(?=;|$)", ";rport=%d" % req.src[1], v)
            v += ";received=%s" % req.src[0]
            vias[0] = v
        to = req.hdr("To")
        if to_tag and ";tag=" not in to:
            to += ";tag=" + to_tag
        lines = ["SIP/2.0 %d %s" % (status, reason)]
        lines += ["Via: " + v for v in vias]
        lines += ["From: " + req.hdr("From"), "To: " + to, "Call-ID: " + req.call_id(),
                  "CSeq: " + req.hdr("CSeq")]
        lines += ["%s: %s" % h for h in headers]
        b = body.encode()
        lines.append("Content-Length: %d" % len(b))
        data = ("\r\n".join(lines) + "\r\n\r\n").encode() + b
        self.answered[(req.branch(), req.method)] = data
        self._send(req, data)
        return data


class AKA:
    """Network-side AKA (libosmocore via test/peer/akavec)."""

    def __init__(self, k=K, opc=OPC, amf=AMF):
        self.k, self.opc, self.amf = k, opc, amf
        self.sqn = 0
        self.tool = os.path.join(BUILD, "test", "peer", "akavec")

    def _run(self, args):
        p = subprocess.run([self.tool] + args, capture_output=True, text=True, timeout=10)
        if p.returncode != 0:
            raise TestFailure("akavec %s: %s" % (args[0], p.stderr.strip()))
        return dict(line.split("=", 1) for line in p.stdout.split())

    def vector(self, sqn_prev=None, amf=None):
        v = self._run(["gen", self.k, self.opc, amf or self.amf,
                       str(self.sqn if sqn_prev is None else sqn_prev), os.urandom(16).hex()])
        self.sqn = int(v["sqn"])
        v["nonce"] = base64.b64encode(bytes.fromhex(v["rand"] + v["autn"])).decode()
        return v

    def resync(self, auts_b64, rand_hex):
        v = self._run(["auts", self.k, self.opc, self.amf,
                       base64.b64decode(auts_b64).hex(), rand_hex, os.urandom(16).hex()])
        self.sqn = int(v["sqn"])
        v["nonce"] = base64.b64encode(bytes.fromhex(v["rand"] + v["autn"])).decode()
        return v

    @staticmethod
    def bad_mac(v):
        """The same vector with the MAC in AUTN flipped."""
        autn = bytearray(bytes.fromhex(v["autn"]))
        autn[15] ^= 0x01
        w = dict(v)
        w["autn"] = autn.hex()
        w["nonce"] = base64.b64encode(bytes.fromhex(v["rand"]) + bytes(autn)).decode()
        return w


def www_aka(v, realm=DOMAIN, opaque=None):
    s = 'Digest realm="%s", nonce="%s", algorithm=AKAv1-MD5, qop="auth"' % (realm, v["nonce"])
    if opaque:
        s += ', opaque="%s"' % opaque
    return ("WWW-Authenticate", s)


def reginfo(version, regs, state="full"):
    """An RFC 3680 body. regs: [(aor, state, [(uri, state, event, expires or None,
    instance or None), ...])]."""
    out = ['<?xml version="1.0"?>',
           '<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="%d" state="%s">' %
           (version, state)]
    for i, (aor, rstate, contacts) in enumerate(regs):
        out.append('<registration aor="%s" id="r%d" state="%s">' % (aor, i, rstate))
        for j, (uri, cstate, event, expires, inst) in enumerate(contacts):
            out.append('<contact id="c%d_%d" state="%s" event="%s"%s>' %
                       (i, j, cstate, event, ' expires="%d"' % expires if expires is not None
                        else ""))
            out.append("<uri>%s</uri>" % uri)
            if inst:
                out.append('<unknown-param name="+sip.instance">"&lt;%s&gt;"</unknown-param>'
                           % inst)
            out.append("</contact>")
        out.append("</registration>")
    out.append("</reginfo>")
    return "\n".join(out) + "\n"


class RegEventDialog:
    """The notifier (S-CSCF) side of the UE's reg event subscription: accept the SUBSCRIBE
    sub with a 200 and send NOTIFYs in its dialog."""

    def __init__(self, peer, sub, tag="scscf1", expires=None, answer=True):
        self.p, self.sub, self.tag = peer, sub, tag
        self.cseq = 0
        self.target = uri_of(sub.all("Contact")[0])
        self.ue_from = sub.hdr("From")
        self.impu = uri_of(sub.hdr("To"))
        if answer:
            self.accept(expires)

    def accept(self, expires=None, headers=()):
        """The 200 to the SUBSCRIBE (Expires as asked unless given)."""
        self.p.respond(self.sub, 200, "OK", [
            ("Expires", str(expires if expires is not None else self.sub.hdr("Expires"))),
            ("Contact", "<sip:scscf@127.0.0.1:%d>" % self.p.port)] + list(headers),
            to_tag=self.tag)

    def notify(self, body, state="active;expires=600000", ctype="application/reginfo+xml",
               timeout=5.0, call_id=None, to_tag=None):
        """Send a NOTIFY in the dialog (or with another Call-ID / To tag); returns the status
        of the UE's response."""
        self.cseq += 1
        branch = "z9hG4bK" + os.urandom(6).hex()
        to = self.ue_from if to_tag is None else re.sub(r";tag=[^;]*", ";tag=" + to_tag,
                                                        self.ue_from)
        b = body.encode()
        lines = ["NOTIFY %s SIP/2.0" % self.target,
                 "Via: SIP/2.0/%s 127.0.0.1:%d;branch=%s" % (self.sub.transport.upper(),
                                                           self.p.port, branch),
                 "Max-Forwards: 69", "From: <%s>;tag=%s" % (self.impu, self.tag), "To: " + to,
                 "Call-ID: " + (call_id or self.sub.call_id()), "CSeq: %d NOTIFY" % self.cseq,
                 "Contact: <sip:scscf@127.0.0.1:%d>" % self.p.port, "Event: reg",
                 "Subscription-State: " + state]
        if b:
            lines.append("Content-Type: " + ctype)
        lines.append("Content-Length: %d" % len(b))
        self.p._send(self.sub, ("\r\n".join(lines) + "\r\n\r\n").encode() + b)
        return int(self.p.wait_response(branch, timeout).uri)


def identity(i):
    """(IMPI, IMPU) of the i-th test UE (0 is IMPI/IMPU above)."""
    imsi = "%s%d" % (IMSI[:-1], int(IMSI[-1]) + i)
    return imsi + "@" + DOMAIN, "sip:" + imsi + "@" + DOMAIN


class UE:
    """test/peer/ue_driver with generated configs (count UEs in one process);
    events and status as JSON."""

    def __init__(self, tap, pcscf_ports, auth="aka", expires=600000, extra="", transport="udp",
                 t1=100, timer_f=None, password="secret", security="none", count=1,
                 impus=()):
        self.tap = tap
        self.dir = tempfile.mkdtemp(prefix="imsue-peer-", dir="/tmp")
        pcscf = "".join("pcscf = %s:127.0.0.1:%d\n" % (transport, p) for p in pcscf_ports)
        cred = ("k = %s\nopc = %s\namf = %s\n" % (K, OPC, AMF)) if auth == "aka" else \
            "password = %s\n" % password
        self.cfgs = []
        for i in range(count):
            impi, impu = identity(i)
            cfg = os.path.join(self.dir, "ue%d.conf" % i)
            with open(cfg, "w") as f:
                f.write("[identity]\nimpi = %s\nimpu = %s\n%shome_domain = %s\nimei = %s\n"
                        "[credentials]\n%s"
                        "[network]\n%slocal_ip = 127.0.0.1\nsecurity = %s\nauth = %s\n"
                        "expires = %d\nt1 = %d\n%s%s"
                        "[ctl]\nsocket = %s/ctl%d.sock\n" %
                        (impi, impu, "".join("impu = %s\n" % u for u in impus), DOMAIN, IMEI,
                         cred, pcscf, security, auth, expires, t1,
                         "timer_f = %d\n" % timer_f if timer_f else "", extra, self.dir, i))
            self.cfgs.append(cfg)
        self.cfg = self.cfgs[0]
        self.stderr_path = os.path.join(self.dir, "ue.log")
        env = dict(os.environ)
        env["IMSUE_LOG_LEVEL"] = "3"
        cmd = [os.path.join(BUILD, "test", "peer", "ue_driver")] + self.cfgs
        if os.environ.get("IMSUE_VALGRIND"):
            cmd = ["valgrind", "-q", "--leak-check=full", "--error-exitcode=99"] + cmd
        self.errf = open(self.stderr_path, "w")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.errf, text=True, env=env)
        self.q = queue.Queue()
        self.events = []
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        for line in self.proc.stdout:
            try:
                self.q.put(json.loads(line))
            except ValueError:
                self.q.put({"garbage": line})
        self.q.put(None)

    def _next(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            return "timeout"
        try:
            return self.q.get(timeout=left)
        except queue.Empty:
            return "timeout"

    def wait_event(self, name, timeout=5.0, ue=None):
        deadline = time.monotonic() + timeout
        while True:
            m = self._next(deadline)
            if m == "timeout":
                raise TestFailure("no %s event within %.1f s (events so far: %s)" %
                                  (name, timeout, [e[0] for e in self.events]))
            if m is None:
                raise TestFailure("ue_driver exited (waiting for %s)" % name)
            if "event" in m:
                self.events.append((m["event"], m["data"]))
                if m["event"] == name and (ue is None or m.get("ue") == ue):
                    return m["data"]

    def send(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def status(self, timeout=5.0, ue=None):
        self.send("status" if ue is None else "%d:status" % ue)
        deadline = time.monotonic() + timeout
        while True:
            m = self._next(deadline)
            if m == "timeout" or m is None:
                raise TestFailure("no status reply")
            if "event" in m:
                self.events.append((m["event"], m["data"]))
            if "status" in m:
                return m["status"]

    def wait_reply(self, want, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            m = self._next(deadline)
            if m == "timeout" or m is None:
                raise TestFailure("no %s reply" % want)
            if "event" in m:
                self.events.append((m["event"], m["data"]))
            elif m.get("reply") == want or m.get("reply") == "error":
                return m

    def log(self):
        if getattr(self, "_log", None) is not None:
            return self._log
        if not self.errf.closed:
            self.errf.flush()
        with open(self.stderr_path) as f:
            return f.read()

    def transitions(self):
        return [l.split(": ", 1)[1] for l in self.log().splitlines() if "--" in l and "-->" in l]

    def close(self):
        """Stop the driver; returns its exit code (99: valgrind found errors)."""
        try:
            if self.proc.poll() is None:
                self.send("quit")
            rc = self.proc.wait(timeout=20)
        except (subprocess.TimeoutExpired, BrokenPipeError, OSError):
            self.proc.kill()
            rc = self.proc.wait()
        self.errf.close()
        self._log = None
        self._log = self.log()
        if rc == 0 and not os.environ.get("IMSUE_KEEP_LOGS"):
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            self.tap.comment("UE log kept in %s" % self.stderr_path)
        return rc


def run(tap, body):
    """Run a test body(tap); a TestFailure or any exception is one failing point."""
    driver = os.path.join(BUILD, "test", "peer", "ue_driver")
    if not os.access(driver, os.X_OK):
        tap.n += 1
        print("ok 1 - scenario # SKIP %s not built (it needs sec/digest.c)" % driver)
        tap.done()
    try:
        body(tap)
    except TestFailure as e:
        tap.ok(False, "scenario completed", str(e))
    except Exception as e:  # noqa: BLE001 - report every crash as a TAP failure
        import traceback
        tap.ok(False, "scenario completed", traceback.format_exc())
    tap.done()


def check_initial_register(tap, req, label="initial REGISTER"):
    """TS 34.229-1 A.1.1 (A1) checks on an unprotected initial REGISTER."""
    tap.eq(req.uri, "sip:" + DOMAIN, label + ": Request-URI is the home domain")
    tap.ok(not req.has("Route"), label + ": no Route")
    tap.eq(uri_of(req.hdr("From")), IMPU, label + ": From is the IMPU")
    tap.eq(uri_of(req.hdr("To")), IMPU, label + ": To is the IMPU")
    tap.ok(";tag=" not in req.hdr("To"), label + ": To has no tag")
    via = req.all("Via")[0]
    tap.ok(params(via).get("branch", "").startswith("z9hG4bK"), label + ": branch z9hG4bK")
    if req.transport == "udp":
        tap.ok("rport" in params(via), label + ": rport in Via over UDP")
    c = req.all("Contact")
    tap.eq(len(c), 1, label + ": one Contact")
    tap.eq(params(c[0]).get("+sip.instance"), "<%s>" % INSTANCE,
           label + ": +sip.instance from the IMEI")
    tap.eq(req.expires(), 600000, label + ": expires 600000")
    sup = [s.lower() for s in req.all("Supported")]
    tap.ok("path" in sup and "gruu" in sup, label + ": Supported path, gruu", sup)


def ok_headers(req, expires=600000, extra=()):
    """Header fields of a 200 (OK) to REGISTER binding req's contact."""
    h = [("Contact", "%s;expires=%d" % (req.all("Contact")[0], expires)),
         ("P-Associated-URI", "<%s>, <tel:+15551234567>" % IMPU),
         ("Service-Route", "<sip:orig@scscf.%s;lr>" % DOMAIN),
         ("Path", "<sip:term@pcscf.%s;lr>" % DOMAIN)]
    return h + list(extra)


def check_aka_response(tap, req, v, prev, label):
    """The REGISTER answering an AKA challenge (5.1.1.5.1) against the vector v."""
    a = req.auth() or {}
    tap.eq(req.call_id(), prev.call_id(), label + ": same Call-ID as the challenged REGISTER")
    tap.eq(req.cseq(), prev.cseq() + 1, label + ": CSeq + 1")
    tap.eq(a.get("username"), IMPI, label + ": username is the IMPI")
    tap.eq(a.get("realm"), DOMAIN, label + ": realm from the challenge")
    tap.eq(a.get("uri"), "sip:" + DOMAIN, label + ": uri is the home domain")
    tap.eq(a.get("nonce"), v["nonce"], label + ": nonce echoed")
    tap.eq((a.get("algorithm") or "").lower(), "akav1-md5", label + ": algorithm AKAv1-MD5")
    want = digest_response(IMPI, DOMAIN, bytes.fromhex(v["xres"]), "REGISTER", a.get("uri", ""),
                           v["nonce"], a.get("qop"), a.get("nc"), a.get("cnonce"))
    tap.eq(a.get("response"), want, label + ": response computed with RES = XRES")
    tap.ok("auts" not in a, label + ": no auts")


def register_aka(tap, p, ue, aka=None, expires=600000, label="8.1"):
    """Initial registration with one AKA challenge; returns (r1, r2, vector)."""
    aka = aka or AKA()
    r1 = p.wait_request(method="REGISTER")
    v = aka.vector()
    p.respond(r1, 401, "Unauthorized", [www_aka(v)])
    r2 = p.wait_request(method="REGISTER")
    p.respond(r2, 200, "OK", ok_headers(r2, expires))
    ue.wait_event("registered")
    return r1, r2, v
