"""A GSMA RCC.14 configuration server for the tests (python3 standard library
only): an HTTP and an HTTPS listener on loopback, a test CA generated at test
time with the openssl command, and a script of expected requests and canned
responses per scenario. Every request is recorded and checked (scheme,
parameters, cookie, Accept-Language); problems are collected in
ACS.problems for the test to report.

Also: Tap (TAP output), docs (configuration documents), run_driver (runs
test/autoconf/acs_driver and parses its event lines).
"""
import atexit
import http.server
import os
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

_tmpdirs = []
atexit.register(lambda: [shutil.rmtree(d, ignore_errors=True) for d in _tmpdirs])


def tmpdir(prefix):
    d = tempfile.mkdtemp(prefix=prefix)
    _tmpdirs.append(d)
    return d


IMSI = "214011001388741"
IMEI = "350000000000006"
DOMAIN = "ims.mnc001.mcc214.3gppnetwork.org"
IMPI = IMSI + "@" + DOMAIN


class Tap:
    """TAP output; done() prints the plan and exits 0."""

    def __init__(self):
        self.n = 0

    def ok(self, cond, name, extra=None):
        self.n += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, name))
        if not cond and extra is not None:
            for line in str(extra).splitlines():
                print("# " + line)
        sys.stdout.flush()
        return cond

    def eq(self, got, want, name):
        return self.ok(got == want, name, "got %r, want %r" % (got, want))

    def done(self):
        print("1..%d" % self.n)
        sys.exit(0)


# ---- PKI -------------------------------------------------------------------

def _run(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_ca(d, name):
    key, pem = os.path.join(d, name + ".key"), os.path.join(d, name + ".pem")
    _run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-keyout", key, "-out", pem, "-days", "2", "-subj", "/CN=imsue test " + name,
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    return key, pem


def make_server_cert(d, name, ca_key, ca_pem):
    key, csr, pem = (os.path.join(d, name + x) for x in (".key", ".csr", ".pem"))
    ext = os.path.join(d, name + ".ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                "extendedKeyUsage=serverAuth\n")
    _run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", key, "-out", csr, "-subj", "/CN=localhost")
    _run("openssl", "x509", "-req", "-in", csr, "-CA", ca_pem, "-CAkey", ca_key,
         "-CAcreateserial", "-out", pem, "-days", "2", "-extfile", ext)
    return key, pem


# ---- documents -------------------------------------------------------------

def doc(version, validity, token=None, msg=None, ims=True, impi=IMPI, pcscf="192.0.2.10",
        impu=None, policy=None, vers=True):
    out = ['<?xml version="1.0"?>', '<wap-provisioningdoc version="1.1">']
    if vers:
        out += ['<characteristic type="VERS">',
                '<parm name="version" value="%d"/>' % version,
                '<parm name="validity" value="%d"/>' % validity,
                '</characteristic>']
    if token is not None:
        out += ['<characteristic type="TOKEN">', '<parm name="token" value="%s"/>' % token,
                '</characteristic>']
    if msg:
        out += ['<characteristic type="MSG">',
                '<parm name="title" value="%s"/>' % msg[0],
                '<parm name="message" value="%s"/>' % msg[1],
                '<parm name="Accept_btn" value="1"/>',
                '<parm name="Reject_btn" value="%d"/>' % (1 if msg[2] else 0),
                '</characteristic>']
    if policy is not None:
        out += ['<characteristic type="POLICY">',
                '<parm name="SMS_port" value="%d"/>' % policy, '</characteristic>']
    if ims:
        impu = impu or ["sip:+34600000001@" + DOMAIN, "tel:+34600000001"]
        out += ['<characteristic type="APPLICATION">', '<parm name="AppID" value="ap2001"/>',
                '<parm name="Private_User_Identity" value="%s"/>' % impi,
                '<characteristic type="Public_user_identity_List">']
        out += ['<parm name="Public_user_identity" value="%s"/>' % u for u in impu]
        out += ['</characteristic>',
                '<parm name="Home_network_domain_name" value="%s"/>' % DOMAIN,
                '<characteristic type="LBO_P-CSCF_Address">',
                '<parm name="Address" value="%s"/>' % pcscf,
                '</characteristic>', '</characteristic>']
    out.append('</wap-provisioningdoc>')
    return "\n".join(out) + "\n"


def full(version=3, validity=86400, **kw):
    return doc(version, validity, **kw)


def version_only(version=3, validity=86400, **kw):
    return doc(version, validity, ims=False, **kw)


def reset(v, **kw):
    return doc(v, v, ims=False, **kw)


def policy_zero():
    return doc(0, 0, ims=False, vers=False, policy=0)


# ---- the server ------------------------------------------------------------

ABSENT = object()


class Step:
    """One expected request and its response.

    scheme: "http" or "https"; params: {name: value} that must be present
    with exactly that value, or ABSENT; cookie: the request must carry the
    cookie issued before; set_cookie: issue a new session cookie; status,
    headers, body: the response; no_query: the request must have no query.
    """

    def __init__(self, scheme, status=200, body=None, headers=(), params=None, cookie=False,
                 set_cookie=False, no_query=False):
        self.scheme, self.status, self.body = scheme, status, body
        self.headers, self.params = list(headers), params or {}
        self.cookie, self.set_cookie, self.no_query = cookie, set_cookie, no_query


class Req:
    def __init__(self, scheme, path, query, headers):
        self.time = time.monotonic()
        self.scheme, self.path, self.query = scheme, path, query
        self.params = urllib.parse.parse_qs(query, keep_blank_values=True)
        self.headers = headers

    def p(self, name):
        v = self.params.get(name)
        return v[0] if v else None


class ACS:
    def __init__(self, steps=(), wrong_ca=False, one_port=False):
        self.dir = tmpdir("imsue-acs-")
        ca_key, self.ca_file = make_ca(self.dir, "ca")
        if wrong_ca:
            other_key, other_pem = make_ca(self.dir, "other-ca")
            key, pem = make_server_cert(self.dir, "server", other_key, other_pem)
        else:
            key, pem = make_server_cert(self.dir, "server", ca_key, self.ca_file)
        self.steps = list(steps)
        self.requests = []
        self.problems = []
        self.cookie = None
        self.lock = threading.Lock()
        self.ctx = ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(pem, key)
        if one_port:
            # HTTP and HTTPS on one port (a TLS ClientHello starts with
            # 0x16): the client derives https://HOST:PORT/ from the URL.
            self.http = self.https = self._server(None)
            self.servers = [self.http]
        else:
            self.http = self._server("http")
            self.https = self._server("https")
            self.https.socket = ctx.wrap_socket(self.https.socket, server_side=True)
            self.servers = [self.http, self.https]
        self.http_url = "http://127.0.0.1:%d/" % self.http.server_address[1]
        self.https_url = "https://127.0.0.1:%d/" % self.https.server_address[1]
        for s in self.servers:
            threading.Thread(target=s.serve_forever, daemon=True).start()

    def add(self, *steps):
        with self.lock:
            self.steps.extend(steps)

    def _server(self, scheme):
        acs = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                acs._handle(self, scheme or (
                    "https" if isinstance(self.request, ssl.SSLSocket) else "http"))

            def log_message(self, *a):
                pass

        class S(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # failed TLS handshakes (the unknown-CA test)

            def get_request(self):
                sock, addr = self.socket.accept()
                if scheme is None:
                    sock.settimeout(5)
                    try:
                        if sock.recv(1, socket.MSG_PEEK) == b"\x16":
                            sock = acs.ctx.wrap_socket(sock, server_side=True)
                    except OSError:
                        pass
                    sock.settimeout(None)
                return sock, addr

        return S(("127.0.0.1", 0), H)

    def _problem(self, n, text):
        self.problems.append("request %d: %s" % (n, text))

    def _handle(self, h, scheme):
        path, _, query = h.path.partition("?")
        r = Req(scheme, path, query, {k.lower(): v for k, v in h.headers.items()})
        with self.lock:
            self.requests.append(r)
            n = len(self.requests)
            step = self.steps.pop(0) if self.steps else None
            if step is None:
                self._problem(n, "unexpected %s request %s" % (scheme, h.path))
                step = Step(scheme, 500)
            if step.scheme != scheme:
                self._problem(n, "%s request, expected %s" % (scheme, step.scheme))
            if step.no_query and query:
                self._problem(n, "initial HTTP request has a query: %s" % query)
            if not r.headers.get("accept-language"):
                self._problem(n, "no Accept-Language header")
            for k, v in step.params.items():
                got = r.params.get(k)
                if v is ABSENT:
                    if got is not None:
                        self._problem(n, "parameter %s present (%r)" % (k, got))
                elif got != [v]:
                    self._problem(n, "parameter %s is %r, expected %r" % (k, got, v))
            if step.cookie:
                if not self.cookie or ("sid=" + self.cookie) not in r.headers.get("cookie", ""):
                    self._problem(n, "cookie missing: %r" % r.headers.get("cookie"))
            if step.set_cookie:
                self.cookie = secrets.token_hex(8)
        body = (step.body or "").encode()
        h.send_response(step.status)
        if step.set_cookie:
            h.send_header("Set-Cookie", "sid=%s; Path=/" % self.cookie)
        for k, v in step.headers:
            h.send_header(k, v)
        if body:
            h.send_header("Content-Type", "text/xml")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def close(self):
        for s in self.servers:
            s.shutdown()
            s.server_close()

    def leftover(self):
        return len(self.steps)


# Typical steps of the cellular flow (2.2).
def http_ok():
    return Step("http", 200, set_cookie=True, no_query=True)


def https(status=200, body=None, headers=(), params=None, cookie=True, set_cookie=False):
    return Step("https", status, body, headers, params, cookie=cookie, set_cookie=set_cookie)


# ---- the driver --------------------------------------------------------------

def driver_path():
    return os.path.join(os.environ.get("top_builddir", "."), "test", "autoconf", "acs_driver")


class Run:
    def __init__(self, rc, out, err):
        self.rc, self.out, self.err = rc, out, err
        self.lines = out.splitlines()
        self.events = []
        for line in self.lines:
            if line.startswith("event="):
                ev = {}
                for kv in line.split(" "):
                    k, _, v = kv.partition("=")
                    if k in ev:
                        ev[k] = ev[k] + [v] if isinstance(ev[k], list) else [ev[k], v]
                    else:
                        ev[k] = v
                self.events.append(ev)

    def ev(self, name):
        return [e for e in self.events if e["event"] == name]

    def first(self, name):
        e = self.ev(name)
        return e[0] if e else None

    def value(self, key):
        for line in self.lines:
            if line.startswith(key + "="):
                return line[len(key) + 1:]
        return None


def new_store():
    d = tmpdir("imsue-acstore-")
    return os.path.join(d, "store")


def run_driver(acs, store, *args, imsi=IMSI, flow="cellular", timeout=60):
    cmd = [driver_path(), "--store", store, "--flow", flow]
    if acs is not None:
        cmd += ["--server", acs.http_url, "--https-url", acs.https_url, "--ca", acs.ca_file]
    if imsi:
        cmd += ["--imsi", imsi]
    cmd += list(args)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=timeout)
    return Run(p.returncode, p.stdout, p.stderr)


def show(store, ident=IMSI, token=False):
    cmd = [driver_path(), "--store", store, "--show", ident] + (["--show-token"] if token else [])
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    r = Run(p.returncode, p.stdout, p.stderr)
    return r


def ucs2_sms(text, port=37273):
    """An SMS-DELIVER TPDU (hex) with a 16-bit application port UDH and UCS2
    text (RCC.14 section 3 and 2.3.3)."""
    ud_text = text.encode("utf-16-be")
    udh = bytes([0x06, 0x05, 0x04, port >> 8, port & 0xFF, 0x00, 0x00])
    ud = udh + ud_text
    tpdu = bytes([0x44, 0x0B, 0x91]) + bytes.fromhex("4306000000F1") + bytes([0x00, 0x08]) \
        + bytes.fromhex("61301201000040") + bytes([len(ud)]) + ud
    return tpdu.hex().upper()


def main(body):
    tap = Tap()
    if not os.path.exists(driver_path()):
        tap.ok(True, "acs_driver # SKIP not built")
        tap.done()
    try:
        body(tap)
    except Exception as e:  # a crash of the test itself is a failure
        import traceback
        tap.ok(False, "test ran to the end", traceback.format_exc())
    tap.done()


def version_removed(tap, v):
    """RCC.14 Table 8 rows 5-7 (Tables 4-6): a version and validity of v (0, -1
    or -2) removes the configuration. Afterwards: 0 queries again (vers=0) at
    the next start; -1 and -2 do not query at start, and an SMS trigger
    (section 3) queries again with vers=0."""
    acs = ACS([http_ok(), https(200, full(3, 1))])
    store = new_store()
    r = run_driver(acs, store, "--stay", "0")
    tap.ok(r.first("config-updated") is not None, "configured first", r.out)
    time.sleep(1.1)
    acs.add(http_ok(), https(200, reset(v), params={"vers": "3"}))
    r = run_driver(acs, store)
    tap.eq(acs.problems, [], "server checks pass")
    ev = r.first("config-removed")
    tap.ok(ev is not None and ev["version"] == str(v), "config-removed with version %d" % v, r.out)
    tap.eq(r.value("configured"), "no", "no configuration in use")
    s = show(store)
    tap.eq(s.value("version"), str(v), "stored version %d" % v)
    tap.eq(s.value("doc_length"), "0", "configuration document removed")
    n = len(acs.requests)
    if v == 0:
        acs.add(http_ok(), https(200, full(4, 86400), params={"vers": "0"}))
        r = run_driver(acs, store)
        tap.eq(len(acs.requests), n + 2, "queried again at the next start, with vers=0")
    else:
        r = run_driver(acs, store)
        tap.eq(len(acs.requests), n, "no query at the next start")
        tap.eq(r.value("configured"), "no", "still default behaviour")
        acs.add(http_ok(), https(200, full(4, 86400), params={"vers": "0"}))
        r = run_driver(acs, store, "--sms", ucs2_sms(IMSI + "-rcscfg"))
        tap.eq(len(acs.requests), n + 2, "an SMS trigger queries again, vers=0 (section 3)")
    tap.ok(r.first("config-updated") is not None, "configured again", r.out)
    tap.eq(acs.problems, [], "server checks pass")
    acs.close()
