#!/usr/bin/env python3
"""A small scripted UE for the IMS test network, where SIPp cannot serve: TLS, IMS-AKA with
arbitrary keys and resynchronisation (SIPp takes ASCII keys and never sends AUTS), and the reg
event package (SIPp cannot take the NOTIFY and the 200 to the SUBSCRIBE in either order).

usage: ue_probe.py --ue-ip IP --pcscf IP:PORT [--transport udp|tls --ca FILE]
                   --domain D --impi I --impu U (--password PW | --k HEX --opc HEX
                   [--sqn-ms HEX]) [--expires N] [--local-port P]
                   [--subscribe --notified FILE --wait-terminated SECS]
                   [--reregister EXPIRES] [--hold SECS --dereg] [--expect-events E1,E2...]

Run in the UE namespace. Registers (401 answered with SIP digest or Digest-AKAv1-MD5 as the
challenge says; RFC 2617/3310, qop=auth), optionally subscribes to its reg event package,
touches FILE once the first NOTIFY is answered and waits for one that terminates every
registration, optionally registers again and deregisters on the same flow, and checks that the
NOTIFYs reported the contact events named by --expect-events (waiting up to 3 s for them).
The USIM side (TS 35.206 Milenage, TS 33.102 6.3.3 with the simplified rule "SQN must exceed
SQN_MS", AUTS with AMF* = 0) runs on the openssl CLI's AES-128. One line per event on stdout;
exit 0 when every step succeeded.
"""
import argparse
import base64
import hashlib
import re
import secrets
import socket
import ssl
import subprocess
import sys
import time


def aes(k, x):
    return subprocess.run(["openssl", "enc", "-aes-128-ecb", "-nopad", "-nosalt", "-K", k.hex()],
                          input=x, capture_output=True, check=True).stdout[:16]


def xor(a, b):
    return bytes(i ^ j for i, j in zip(a, b))


def rot(x, nbytes):
    return x[nbytes:] + x[:nbytes]


class Milenage:
    """TS 35.206 4.1: r1..r5 = 64, 0, 32, 64, 96 bits, c1..c5 = 0, 1, 2, 4, 8."""

    def __init__(self, k, opc):
        self.k, self.opc = k, opc

    def _out(self, temp, r, c):
        return xor(aes(self.k, xor(rot(xor(temp, self.opc), r), bytes(15) + bytes([c]))),
                   self.opc)

    def f1(self, rand, sqn, amf):
        temp = aes(self.k, xor(rand, self.opc))
        in1 = sqn + amf + sqn + amf
        out1 = xor(aes(self.k, xor(temp, rot(xor(in1, self.opc), 8))), self.opc)
        return out1[:8], out1[8:]                     # MAC-A, MAC-S

    def f2345(self, rand):
        temp = aes(self.k, xor(rand, self.opc))
        out2 = self._out(temp, 0, 1)
        return out2[8:], out2[:6], self._out(temp, 12, 8)[:6]   # RES, AK, AK*


def md5(b):
    return hashlib.md5(b).hexdigest()


class Flow:
    """One UDP socket or one TLS connection to the P-CSCF, carrying whole SIP messages."""

    def __init__(self, args):
        host, port = args.pcscf.rsplit(":", 1)
        self.dest = (host, int(port))
        self.tls = args.transport == "tls"
        self.buf = b""
        if self.tls:
            raw = socket.create_connection(self.dest, timeout=5,
                                           source_address=(args.ue_ip, args.local_port))
            self.port = raw.getsockname()[1]
            ctx = ssl.create_default_context(cafile=args.ca)
            self.sock = ctx.wrap_socket(raw, server_hostname=host)
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.bind((args.ue_ip, args.local_port))
            self.port = self.sock.getsockname()[1]
        self.sock.settimeout(5)

    def send(self, text):
        data = text.encode()
        if self.tls:
            self.sock.sendall(data)
        else:
            self.sock.sendto(data, self.dest)

    def recv(self, timeout=5.0):
        """(first line, [(name, value)], body); raises socket.timeout."""
        self.sock.settimeout(timeout)
        if not self.tls:
            data = self.sock.recv(65535)
            head, _, body = data.partition(b"\r\n\r\n")
        else:
            while b"\r\n\r\n" not in self.buf:
                chunk = self.sock.recv(65535)
                if not chunk:
                    raise EOFError("connection closed")
                self.buf += chunk
            head, _, rest = self.buf.partition(b"\r\n\r\n")
            m = re.search(rb"^content-length:\s*(\d+)", head, re.I | re.M)
            n = int(m.group(1)) if m else 0
            while len(rest) < n:
                rest += self.sock.recv(65535)
            body, self.buf = rest[:n], rest[n:]
        lines = head.decode(errors="replace").split("\r\n")
        headers = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.append((name.strip().lower(), value.strip()))
        return lines[0], headers, body.decode(errors="replace")


def hdr(headers, name):
    return [v for n, v in headers if n == name]


class UE:
    def __init__(self, args):
        self.args = args
        self.flow = Flow(args)
        self.proto = "TLS" if self.flow.tls else "UDP"
        self.contact = "<sip:ue@%s:%d%s>" % (args.ue_ip, self.flow.port,
                                             ";transport=tls" if self.flow.tls else "")
        self.call_id = secrets.token_hex(8) + "@" + args.ue_ip
        self.tag = secrets.token_hex(4)
        self.cseq = 0
        self.sqn_ms = int(args.sqn_ms, 16)
        self.mil = Milenage(bytes.fromhex(args.k), bytes.fromhex(args.opc)) if args.k else None
        self.notifies = 0
        self.terminated = False
        self.events = set()

    def request(self, method, ruri, extra, to_tag=""):
        self.cseq += 1
        self.flow.send(
            "%s %s SIP/2.0\r\n"
            "Via: SIP/2.0/%s %s:%d;branch=z9hG4bK%s;rport\r\n"
            "Max-Forwards: 70\r\n"
            "From: <%s>;tag=%s\r\n"
            "To: <%s>%s\r\n"
            "Call-ID: %s\r\n"
            "CSeq: %d %s\r\n"
            "Contact: %s\r\n"
            "%s"
            "User-Agent: imsue ims-net probe\r\n"
            "Content-Length: 0\r\n\r\n"
            % (method, ruri, self.proto, self.args.ue_ip, self.flow.port, secrets.token_hex(6),
               self.args.impu, self.tag, self.args.impu, to_tag, self.call_id, self.cseq, method,
               self.contact, extra))

    def on_notify(self, headers, body):
        """Answer a NOTIFY (headers copied from it) and note what its reginfo says."""
        resp = "SIP/2.0 200 OK\r\n"
        for name in ("via", "from", "to", "call-id", "cseq"):
            for v in hdr(headers, name):
                resp += "%s: %s\r\n" % (name.title() if name != "call-id" else "Call-ID", v)
        resp += "Contact: %s\r\nContent-Length: 0\r\n\r\n" % self.contact
        self.flow.send(resp)
        regs = re.findall(r'<registration [^>]*state="(\w+)"', body)
        events = re.findall(r'<contact [^>]*event="(\w+)"', body)
        print("notify %d sub-state=%s registrations=%s events=%s"
              % (self.notifies + 1, ",".join(hdr(headers, "subscription-state")),
                 ",".join(regs), ",".join(events)))
        self.notifies += 1
        self.events.update(events)
        if regs and all(s == "terminated" for s in regs):
            self.terminated = True
        if self.notifies == 1 and self.args.notified:
            open(self.args.notified, "w").close()

    def response(self, method, timeout=5.0):
        """The final response to our last request; NOTIFYs arriving meanwhile are answered."""
        deadline = time.time() + timeout
        while True:
            first, headers, body = self.flow.recv(max(0.1, deadline - time.time()))
            if first.startswith("NOTIFY "):
                self.on_notify(headers, body)
                continue
            if not first.startswith("SIP/2.0 "):
                continue
            cseq = hdr(headers, "cseq")
            if not cseq or cseq[0] != "%d %s" % (self.cseq, method):
                continue          # a late response to an earlier request
            if first.startswith("SIP/2.0 1"):
                continue
            return first, headers

    def answer(self, www):
        """The Authorization for a challenge, after the USIM check for AKA."""
        a = self.args
        params = dict(re.findall(r'(\w+)="?([^",]*)"?', www))
        realm, nonce, alg = params["realm"], params["nonce"], params.get("algorithm", "MD5")
        uri = "sip:" + a.domain
        extra = ""
        if alg.upper().startswith("AKAV1"):
            if not self.mil:
                raise RuntimeError("AKA challenge but no --k/--opc")
            raw = base64.b64decode(nonce)
            rand, autn = raw[:16], raw[16:32]
            res, ak, aks = self.mil.f2345(rand)
            sqn, amf, mac = xor(autn[:6], ak), autn[6:8], autn[8:16]
            if self.mil.f1(rand, sqn, amf)[0] != mac:
                print("mac-failure")
                raise RuntimeError("MAC failure")
            n = int.from_bytes(sqn, "big")
            if n <= self.sqn_ms:
                ms = self.sqn_ms.to_bytes(6, "big")
                auts = xor(ms, aks) + self.mil.f1(rand, ms, b"\0\0")[1]
                print("sync-failure sqn=%012x sqn_ms=%012x" % (n, self.sqn_ms))
                password = b""
                extra = ',auts="%s"' % base64.b64encode(auts).decode()
            else:
                print("accepted sqn=%012x" % n)
                self.sqn_ms = n
                password = res
        else:
            password = a.password.encode()
        cnonce = secrets.token_hex(8)
        ha1 = md5(a.impi.encode() + b":" + realm.encode() + b":" + password)
        ha2 = md5(("REGISTER:" + uri).encode())
        resp = md5(("%s:%s:00000001:%s:auth:%s" % (ha1, nonce, cnonce, ha2)).encode())
        return ('Digest username="%s",realm="%s",uri="%s",nonce="%s",response="%s",'
                'algorithm=%s,qop=auth,nc=00000001,cnonce="%s"%s'
                % (a.impi, realm, uri, nonce, resp, alg, cnonce, extra))

    def register(self, expires):
        a = self.args
        auth = ('Digest username="%s",realm="%s",uri="sip:%s",nonce="",response=""'
                % (a.impi, a.domain, a.domain))
        for _ in range(4):
            self.request("REGISTER", "sip:" + a.domain,
                         "Expires: %d\r\nSupported: path\r\nAuthorization: %s\r\n"
                         % (expires, auth))
            first, headers = self.response("REGISTER")
            print(first)
            for ss in hdr(headers, "security-server"):
                print("security-server=" + ss)
            if first.startswith("SIP/2.0 200"):
                for c in hdr(headers, "contact"):
                    print("contact=" + c)
                return True
            if not first.startswith("SIP/2.0 401"):
                return False
            auth = self.answer(hdr(headers, "www-authenticate")[0])
            # the S-CSCF stores the vector just after sending the 401 (doc/conformance.md)
            time.sleep(0.05)
        return False

    def subscribe(self):
        self.request("SUBSCRIBE", self.args.impu,
                     "Event: reg\r\nAccept: application/reginfo+xml\r\nExpires: 600\r\n")
        first, _ = self.response("SUBSCRIBE")
        print(first)
        return first.startswith("SIP/2.0 2")

    def wait_notifies(self, count, secs, terminated=False):
        """Answer NOTIFYs until COUNT have come (or one terminated everything)."""
        deadline = time.time() + secs
        while time.time() < deadline:
            if (self.terminated if terminated else self.notifies >= count):
                return True
            try:
                first, headers, body = self.flow.recv(max(0.1, deadline - time.time()))
            except socket.timeout:
                break
            if first.startswith("NOTIFY "):
                self.on_notify(headers, body)
        return self.terminated if terminated else self.notifies >= count


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ue-ip", required=True)
    p.add_argument("--pcscf", required=True)
    p.add_argument("--transport", default="udp", choices=("udp", "tls"))
    p.add_argument("--ca")
    p.add_argument("--domain", required=True)
    p.add_argument("--impi", required=True)
    p.add_argument("--impu", required=True)
    p.add_argument("--password", default="")
    p.add_argument("--k")
    p.add_argument("--opc")
    p.add_argument("--sqn-ms", default="0")
    p.add_argument("--expires", type=int, default=600)
    p.add_argument("--local-port", type=int, default=0)
    p.add_argument("--subscribe", action="store_true")
    p.add_argument("--notified")
    p.add_argument("--wait-terminated", type=float, default=0)
    p.add_argument("--reregister", type=int)
    p.add_argument("--hold", type=float, default=0)
    p.add_argument("--dereg", action="store_true")
    p.add_argument("--expect-events", default="")
    a = p.parse_args()
    ue = UE(a)
    if not ue.register(a.expires):
        return 1
    if a.subscribe:
        if not ue.subscribe():
            return 1
        # the first NOTIFY may come before or after the 200 (doc/conformance.md)
        if not ue.wait_notifies(1, 5):
            print("no NOTIFY")
            return 1
    if a.wait_terminated and not ue.wait_notifies(0, a.wait_terminated, terminated=True):
        print("no terminating NOTIFY")
        return 1
    if a.reregister is not None and not ue.register(a.reregister):
        return 1
    if a.hold:
        time.sleep(a.hold)
    if a.dereg and not ue.register(0):
        return 1
    want = set(e for e in a.expect_events.split(",") if e)
    deadline = time.time() + 3
    while not want <= ue.events and time.time() < deadline:
        ue.wait_notifies(ue.notifies + 1, deadline - time.time())
    if not want <= ue.events:
        print("missing NOTIFY events: %s" % ",".join(sorted(want - ue.events)))
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, EOFError, RuntimeError, KeyError, IndexError) as e:
        print("error: %s" % e)
        sys.exit(1)
