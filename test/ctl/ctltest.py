"""Helpers for the imsued / imsuectl tests (TAP, python3 standard library).

The daemon under test is $IMSUED, else tools/imsued of the build tree, else
test/ctl/imsued-fake (imsued linked with a fake UE; said in a TAP comment).
Each UE points at a P-CSCF that does not answer, so a real UE just keeps
trying to register, which is all the control protocol needs.
"""
import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("top_builddir", ".")
STATES = {"deregistered", "registering", "authenticating", "registered", "reregistering",
          "deregistering", "backoff", "failed"}


class Tap:
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

    def skip(self, name, reason):
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, name, reason))

    def comment(self, text):
        for line in str(text).splitlines():
            print("# " + line)

    def done(self):
        print("1..%d" % self.n)
        sys.exit(0)


def imsued_path():
    if os.environ.get("IMSUED"):
        return os.environ["IMSUED"], False
    real = os.path.join(BUILD, "tools", "imsued")
    if os.access(real, os.X_OK):
        return real, False
    return os.path.join(BUILD, "test", "ctl", "imsued-fake"), True


def imsuectl_path():
    return os.path.join(BUILD, "tools", "imsuectl")


def unused_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Workdir:
    """A temporary directory (short path: socket names must fit 108 bytes)."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="imsue-ctl-", dir="/tmp")

    def file(self, name):
        return os.path.join(self.path, name)

    def config(self, name, impu="sip:alice@ims.example.net", socket_name=None, extra="",
               raw=None):
        path = self.file(name + ".conf")
        if raw is None:
            raw = ("[identity]\n"
                   "impi = %s\n"
                   "impu = %s\n"
                   "home_domain = ims.example.net\n"
                   "[credentials]\n"
                   "k = 465b5ce8b199b49faa5f0a2ee238a6bc\n"
                   "opc = cd63cb71954a9f4e48a5994e37a02baf\n"
                   "[network]\n"
                   "pcscf = udp:127.0.0.1:%d\n"
                   "t1 = 100\n"
                   "[ctl]\n"
                   "socket = %s\n" % (impu.split(":", 1)[1], impu, unused_udp_port(),
                                      self.file((socket_name or name) + ".sock"))) + extra
        with open(path, "w") as f:
            f.write(raw)
        return path

    def cleanup(self):
        shutil.rmtree(self.path, ignore_errors=True)


def wait_for(cond, timeout=5.0, step=0.02):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(step)
    return cond()


class Daemon:
    def __init__(self, wd, configs, args=("-f", "-d", "2"), env=None):
        self.wd = wd
        self.binary, self.fake = imsued_path()
        self.errpath = wd.file("imsued-%d.err" % int(time.time() * 1e6))
        self.err = open(self.errpath, "w")
        cmd = [self.binary] + list(args)
        for c in configs:
            cmd += ["-c", c]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self.err, env=env)
        # Never leave a daemon behind, even when a test dies half-way.
        atexit.register(self.stop)

    def wait_socket(self, path, timeout=5.0):
        return wait_for(lambda: connectable(path), timeout)

    def stderr(self):
        if not self.err.closed:
            self.err.flush()
        with open(self.errpath) as f:
            return f.read()

    def running(self):
        return self.proc.poll() is None

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            if self.wait(8) is None:
                self.proc.kill()
                self.proc.wait()
        self.err.close()
        if self.proc.stdout:
            self.proc.stdout.close()


def connectable(path):
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        s.close()
        return True
    except OSError:
        return False


class Client:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = b""

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def line(self, timeout=5.0):
        """The next line (bytes without newline); b"" on EOF; None on timeout."""
        end = time.time() + timeout
        while b"\n" not in self.buf:
            left = end - time.time()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return None
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                if self.buf:
                    rest, self.buf = self.buf, b""
                    return rest
                return b""
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def reply(self, timeout=5.0):
        """The next line that is not an event, as JSON (None if none)."""
        while True:
            line = self.line(timeout)
            if not line:
                return None
            obj = json.loads(line)
            if "event" not in obj:
                return obj

    def request(self, obj, timeout=5.0):
        self.send(json.dumps(obj) + "\n")
        return self.reply(timeout)

    def close(self):
        self.sock.close()


def ue_ready(sock, timeout=10.0):
    """Wait until status lists a UE again (it is empty while the UE is re-created)."""
    def ready():
        try:
            c = Client(sock)
            r = c.request({"cmd": "status"}, timeout=2)
            c.close()
            return bool((r or {}).get("ue"))
        except OSError:
            return False
    return wait_for(ready, timeout)
