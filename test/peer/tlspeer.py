"""TLS for the scripted P-CSCF (doc/tls.md): a test CA made at test time with the
openssl CLI, server certificates (good, from another CA, for another name, expired),
and TlsPeer, a sippeer.Peer that also listens for TLS on its own port (the P-CSCF's
protected port of SIP digest with TLS, TS 24.229 5.1.1.5.6)."""
import os
import select
import shutil
import socket
import ssl
import subprocess
import tempfile

from sippeer import Peer, Request, TestFailure

HOST_NAME = "pcscf.ims.test"

# Sofia-SIP never frees the OpenSSL state of its TLS connections (doc/tls.md): tell
# LeakSanitizer (--enable-sanitizers builds) about that known leak, and only that one.
_supp = os.path.join(os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__),
                                                               "..", "..")),
                     "test", "data", "lsan-sofia-tls.supp")
os.environ["LSAN_OPTIONS"] = ":".join(
    x for x in (os.environ.get("LSAN_OPTIONS"), "suppressions=" + os.path.abspath(_supp)) if x)
# The same for `make check-valgrind` (IMSUE_VALGRIND): valgrind reads VALGRIND_OPTS.
os.environ["VALGRIND_OPTS"] = " ".join(
    x for x in (os.environ.get("VALGRIND_OPTS"), "--suppressions=" + os.path.abspath(
        os.path.join(os.path.dirname(_supp), "valgrind-sofia-tls.supp"))) if x)
# Full stacks through OpenSSL (built without frame pointers), so the suppression can match.
os.environ["ASAN_OPTIONS"] = ":".join(
    x for x in (os.environ.get("ASAN_OPTIONS"), "fast_unwind_on_malloc=0") if x)

CA_CNF = """[ca]
default_ca = test
[test]
dir = %(dir)s
database = %(dir)s/%(name)s.index
new_certs_dir = %(dir)s
serial = %(dir)s/%(name)s.serial
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[any]
commonName = supplied
[req]
distinguished_name = dn
[dn]
"""


class TestCA:
    """Certificates for one test, in a temporary directory."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="imsue-tls-test-", dir="/tmp")
        self.ca = self.make_ca("ca")
        self.other_ca = self.make_ca("other")

    def _run(self, *args):
        p = subprocess.run(["openssl"] + list(args), capture_output=True, text=True,
                           cwd=self.dir, timeout=30)
        if p.returncode != 0:
            raise TestFailure("openssl %s: %s" % (args[0], p.stderr.strip()))

    def make_ca(self, name):
        key, pem = os.path.join(self.dir, name + ".key"), os.path.join(self.dir, name + ".pem")
        self._run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                  "-nodes", "-keyout", key, "-out", pem, "-days", "30", "-subj",
                  "/CN=imsue test CA %s" % name,
                  "-addext", "basicConstraints=critical,CA:TRUE",
                  "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        with open(os.path.join(self.dir, name + ".cnf"), "w") as f:
            f.write(CA_CNF % {"dir": self.dir, "name": name})
        open(os.path.join(self.dir, name + ".index"), "w").close()
        with open(os.path.join(self.dir, name + ".serial"), "w") as f:
            f.write("%016X\n" % int.from_bytes(os.urandom(7), "big"))
        return name

    def server(self, label, san="IP:127.0.0.1,DNS:" + HOST_NAME, ca=None, cn=HOST_NAME,
               start=None, end=None):
        """(cert, key) signed by ca (default: the trusted one), valid from start to end
        (openssl YYYYMMDDHHMMSSZ; default now .. 30 days)."""
        ca = ca or self.ca
        key = os.path.join(self.dir, label + ".key")
        csr = os.path.join(self.dir, label + ".csr")
        pem = os.path.join(self.dir, label + ".pem")
        args = ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=" + cn]
        if san:
            args += ["-addext", "subjectAltName=" + san]
        self._run(*args)
        args = ["ca", "-batch", "-config", os.path.join(self.dir, ca + ".cnf"), "-notext",
                "-cert", os.path.join(self.dir, ca + ".pem"),
                "-keyfile", os.path.join(self.dir, ca + ".key"), "-in", csr, "-out", pem]
        if start and end:
            args += ["-startdate", start, "-enddate", end]
        else:
            args += ["-days", "30"]
        self._run(*args)
        return pem, key

    def ca_file(self, name=None):
        return os.path.join(self.dir, (name or self.ca) + ".pem")

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class TlsPeer(Peer):
    """Peer with a TLS listener on 127.0.0.1:tls_port presenting cert/key.
    Requests over TLS have transport "tls". Connections whose handshake fails are
    counted in handshake_failures (with the reason in handshake_errors)."""

    def __init__(self, cert, key, port=0, max_version=None, later=None):
        """later: (cert, key) presented from the second connection on (a P-CSCF, or a
        man in the middle, that shows the UE's verification probe one certificate and
        the SIP session another)."""
        super().__init__(port)
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.later = None
        if later:
            self.later = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.later.load_cert_chain(*later)
        if max_version:
            self.ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
            self.ctx.maximum_version = max_version
        self.tls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tls.bind(("127.0.0.1", 0))
        self.tls.listen(8)
        self.tls_port = self.tls.getsockname()[1]
        self.tls_conns = set()
        self.handshakes = 0
        self.handshake_failures = 0
        self.handshake_errors = []

    def close(self):
        for c in list(self.tls_conns):
            c.close()
        self.tls.close()
        super().close()

    def drop_tls(self):
        """Close every TLS connection (the P-CSCF lost the session)."""
        for c in list(self.tls_conns):
            self.conns.pop(c, None)
            try:
                c.close()
            except OSError:
                pass
        self.tls_conns.clear()

    def _accept_tls(self):
        c, _ = self.tls.accept()
        c.settimeout(5)
        ctx = self.later if self.later and self.handshakes + self.handshake_failures else self.ctx
        try:
            s = ctx.wrap_socket(c, server_side=True)
        except (ssl.SSLError, OSError) as e:
            self.handshake_failures += 1
            self.handshake_errors.append(str(e))
            c.close()
            return
        self.handshakes += 1
        self.tls_conns.add(s)
        self.conns[s] = b""

    def _poll(self, timeout):
        # Decrypted bytes already buffered in an SSL object do not wake select().
        pending = [c for c in self.tls_conns if c in self.conns and c.pending()]
        rl = [self.udp, self.tcp, self.tls] + list(self.conns)
        r, _, _ = select.select(rl, [], [], 0 if pending else max(0, timeout))
        out = []
        for s in set(r) | set(pending):
            if s is self.tls:
                self._accept_tls()
            elif s in self.tls_conns:
                if s not in self.conns:
                    continue
                for data, c in self._read_tcp(s):
                    out.append(Request(data.decode("utf-8", "replace"), c.getpeername(), "tls",
                                       c))
                if s not in self.conns:
                    self.tls_conns.discard(s)
            else:
                out.extend(self._poll_plain(s))
        return out

    def _poll_plain(self, s):
        out = []
        if s is self.udp:
            data, src = self.udp.recvfrom(65536)
            out.append(Request(data.decode("utf-8", "replace"), src, "udp"))
        elif s is self.tcp:
            c, _ = self.tcp.accept()
            self.conns[c] = b""
        elif s in self.conns:
            for data, c in self._read_tcp(s):
                out.append(Request(data.decode("utf-8", "replace"), c.getpeername(), "tcp", c))
        return out


PASSWORD = "tls-secret"
SEC_SERVER = "tls;q=0.1"


def www_digest(nonce):
    return ("WWW-Authenticate",
            'Digest realm="ims.mnc001.mcc001.3gppnetwork.org", nonce="%s", algorithm=MD5, '
            'qop="auth"' % nonce)


def tls_ue(tap, peer, ca_file, expires=600000, extra=""):
    """A UE doing SIP digest with TLS: unprotected REGISTER to the peer's UDP port,
    protected port = the peer's TLS port."""
    from sippeer import UE
    return UE(tap, [peer.port], auth="digest", password=PASSWORD, security="tls",
              expires=expires, extra="ca_file = %s\ntls_port = %d\n%s" % (
                  ca_file, peer.tls_port, extra))


def challenge_tls(peer, req, nonce="tlsnonce1", sec_server=SEC_SERVER):
    h = [www_digest(nonce)]
    if sec_server is not None:
        h.append(("Security-Server", sec_server))
    peer.respond(req, 401, "Unauthorized", h)
