#!/usr/bin/env python3
"""A scripted UE that registers over real ESP (run in the test guest, in the UE namespace):
REGISTER with an ipsec-3gpp Security-Client, 401 with Security-Server, RES/CK/IK from
`imsue aka`, the UE's four SAs installed through sec/xfrm.c (`esp_xfrm add`), then the
challenged REGISTER sent from port-c to the P-CSCF's port-s with Security-Verify, and the 200
expected over the SAs (TS 33.203 7.1, TS 24.229 5.1.1.2/5.1.1.5.1).

usage: ipsec_probe.py --ue-ip IP --pcscf IP:PORT --domain D --impi I --impu U --k HEX --opc HEX
                      --imsue PATH --esp-xfrm PATH [--alg A] [--ealg E] [--port-c N --port-s N]
Prints key=value lines; exit 0 when the protected REGISTER got its 200.
"""
import argparse
import base64
import hashlib
import re
import secrets
import select
import socket
import subprocess
import sys


def md5(b):
    return hashlib.md5(b).hexdigest()


def parse(data):
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode(errors="replace").split("\r\n")
    hdrs = []
    for line in lines[1:]:
        n, _, v = line.partition(":")
        hdrs.append((n.strip().lower(), v.strip()))
    return lines[0], hdrs


def hdr(hdrs, name):
    return [v for n, v in hdrs if n == name]


def recv_final(socks, cseq, timeout=8.0):
    while True:
        r, _, _ = select.select(socks, [], [], timeout)
        if not r:
            raise RuntimeError("no final response to CSeq %s" % cseq)
        for s in r:
            data = s.recv(65535)
            first, hdrs = parse(data)
            if not first.startswith("SIP/2.0 ") or first.startswith("SIP/2.0 1"):
                continue
            if hdr(hdrs, "cseq") and hdr(hdrs, "cseq")[0] == cseq:
                return first, hdrs, s


def main():
    p = argparse.ArgumentParser()
    for a in ("--ue-ip", "--pcscf", "--domain", "--impi", "--impu", "--k", "--opc", "--imsue",
              "--esp-xfrm"):
        p.add_argument(a, required=True)
    p.add_argument("--alg", default="hmac-sha-1-96")
    p.add_argument("--ealg", default="null")
    p.add_argument("--port-c", type=int, default=5200)
    p.add_argument("--port-s", type=int, default=5201)
    a = p.parse_args()
    host, port = a.pcscf.rsplit(":", 1)
    spi_c = 256 + secrets.randbelow(1 << 30)
    spi_s = spi_c + 1
    sc = ("ipsec-3gpp;alg=%s;ealg=%s;prot=esp;mod=trans;spi-c=%d;spi-s=%d;port-c=%d;port-s=%d"
          % (a.alg, a.ealg, spi_c, spi_s, a.port_c, a.port_s))
    print("ue spi-c=%d spi-s=%d port-c=%d port-s=%d" % (spi_c, spi_s, a.port_c, a.port_s))
    call_id = secrets.token_hex(8) + "@" + a.ue_ip
    tag = secrets.token_hex(4)

    def register(sock, dest, via_port, cseq, extra):
        msg = ("REGISTER sip:%s SIP/2.0\r\n"
               "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK%s;rport\r\n"
               "Max-Forwards: 70\r\n"
               "From: <%s>;tag=%s\r\nTo: <%s>\r\nCall-ID: %s\r\nCSeq: %d REGISTER\r\n"
               "Contact: <sip:ue@%s:%d>\r\nExpires: 600\r\n"
               "Supported: path, sec-agree\r\nRequire: sec-agree\r\nProxy-Require: sec-agree\r\n"
               "%sUser-Agent: imsue esp-vm probe\r\nContent-Length: 0\r\n\r\n"
               % (a.domain, a.ue_ip, via_port, secrets.token_hex(6), a.impu, tag, a.impu,
                  call_id, cseq, a.ue_ip, via_port, extra))
        sock.sendto(msg.encode(), dest)

    plain = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    plain.bind((a.ue_ip, 0))
    auth0 = ('Digest username="%s",realm="%s",uri="sip:%s",nonce="",response=""'
             % (a.impi, a.domain, a.domain))
    register(plain, (host, int(port)), plain.getsockname()[1], 1,
             "Security-Client: %s\r\nAuthorization: %s\r\n" % (sc, auth0))
    first, hdrs, _ = recv_final([plain], "1 REGISTER")
    print("first=" + first)
    if not first.startswith("SIP/2.0 401"):
        return 1
    ss = hdr(hdrs, "security-server")
    print("security-server=" + ",".join(ss))
    entry = next(e for e in ",".join(ss).split(",") if e.strip().startswith("ipsec-3gpp"))
    prm = dict(re.findall(r";\s*([\w-]+)=([^;,\s]+)", entry))
    www = hdr(hdrs, "www-authenticate")[0]
    wp = dict(re.findall(r'(\w+)="?([^",]*)"?', www))
    raw = base64.b64decode(wp["nonce"])
    out = subprocess.run([a.imsue, "aka", "--k", a.k, "--opc", a.opc, "--rand", raw[:16].hex(),
                          "--autn", raw[16:32].hex()], capture_output=True, text=True)
    kv = dict(l.split("=", 1) for l in out.stdout.split() if "=" in l)
    print("aka=" + kv.get("result", out.stderr.strip()))
    if kv.get("result") != "ok":
        return 1
    pc_c, pc_s = int(prm["port-c"]), int(prm["port-s"])
    alg, ealg = prm.get("alg", a.alg), prm.get("ealg", "null")
    print("pcscf spi-c=%s spi-s=%s port-c=%d port-s=%d alg=%s ealg=%s"
          % (prm["spi-c"], prm["spi-s"], pc_c, pc_s, alg, ealg))
    add = subprocess.run([a.esp_xfrm, "add", a.ue_ip, host, str(a.port_c), str(a.port_s),
                          str(spi_c), str(spi_s), str(pc_c), str(pc_s), prm["spi-c"],
                          prm["spi-s"], alg, ealg, kv["ck"], kv["ik"], "120"],
                         capture_output=True, text=True)
    print("sa-add=%d %s" % (add.returncode, add.stderr.strip()))
    if add.returncode != 0:
        return 1
    sock_c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock_c.bind((a.ue_ip, a.port_c))
    sock_s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock_s.bind((a.ue_ip, a.port_s))
    realm, nonce = wp["realm"], wp["nonce"]
    uri = "sip:" + a.domain
    cnonce = secrets.token_hex(8)
    ha1 = md5(a.impi.encode() + b":" + realm.encode() + b":" + bytes.fromhex(kv["res"]))
    ha2 = md5(("REGISTER:" + uri).encode())
    resp = md5(("%s:%s:00000001:%s:auth:%s" % (ha1, nonce, cnonce, ha2)).encode())
    auth = ('Digest username="%s",realm="%s",uri="%s",nonce="%s",response="%s",'
            'algorithm=%s,qop=auth,nc=00000001,cnonce="%s"'
            % (a.impi, realm, uri, nonce, resp, wp.get("algorithm", "AKAv1-MD5"), cnonce))
    register(sock_c, (host, pc_s), a.port_s, 2,
             "Security-Client: %s\r\nSecurity-Verify: %s\r\nAuthorization: %s\r\n"
             % (sc, ",".join(ss), auth))
    first, hdrs, s = recv_final([sock_c, sock_s], "2 REGISTER")
    print("protected=" + first)
    print("answered-on=%s" % ("port-c" if s is sock_c else "port-s"))
    return 0 if first.startswith("SIP/2.0 200") else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, RuntimeError, KeyError, IndexError, StopIteration, ValueError) as e:
        print("error: %r" % e)
        sys.exit(1)
