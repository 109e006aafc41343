#!/usr/bin/env python3
"""imsued end to end with the scripted P-CSCF (test/peer/sippeer.py) and
[debug] pcap set: IMS AKA over UDP and SIP digest over TCP, register, then
SIGTERM deregisters. tshark must decode the trace as SIP (every REGISTER and
its responses, on the real addresses and ports, with valid IP/UDP/TCP
checksums), and the debug log (-d 3) must hold no secret: K, OPc, RES, CK,
IK, the digest password. With -K the AKA keys are logged."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "peer"))
from sippeer import (AKA, AMF, DOMAIN, IMEI, IMPI, IMPU, K, OPC, BUILD, Peer, Tap,  # noqa: E402
                     TestFailure, ok_headers, www_aka)

PASSWORD = "pcap-test-s3cret"
TSHARK = shutil.which("tshark")


def secrets_absent(tap, log, secrets, label):
    found = [s for s in secrets if s and (s.lower() in log.lower())]
    tap.ok(not found, label + ": no secret in the -d 3 log", "found: %r" % found)


def tshark_rows(path):
    """One row per SIP message tshark decodes (a TCP segment may carry several):
    protocol, ports, method or status, CSeq, and whether the IP, UDP and TCP
    checksums of its packet are valid."""
    cmd = [TSHARK, "-n", "-r", path, "-Y", "sip", "-T", "json",
           "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
           "-o", "tcp.check_checksum:TRUE"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    rows = []
    for pkt in json.loads(p.stdout or "[]"):
        layers = pkt["_source"]["layers"]
        l4 = "udp" if "udp" in layers else "tcp"
        t = layers.get(l4, {})
        # Wireshark's checksum status: 1 = good (0 bad, 2 unverified).
        good = all(layers.get(proto, {}).get(proto + ".checksum.status", "1") == "1"
                   for proto in ("ip", "udp", "tcp"))
        sips = layers["sip"] if isinstance(layers["sip"], list) else [layers["sip"]]
        for m in sips:
            req, st = m.get("sip.Request-Line"), m.get("sip.Status-Line")
            rows.append({
                "proto": l4,
                "sport": int(t.get(l4 + ".srcport", 0)),
                "dport": int(t.get(l4 + ".dstport", 0)),
                "method": req.split()[0] if req else "",
                "status": st.split()[1] if st else "",
                "cseq": m.get("sip.msg_hdr_tree", {}).get("sip.CSeq", ""),
                "good": good,
            })
    return rows, p.stderr


def scenario(tap, transport, auth, log_keys=False):
    label = "%s %s%s" % (auth, transport, " -K" if log_keys else "")
    imsued = os.environ.get("IMSUED") or os.path.join(BUILD, "tools", "imsued")
    p = Peer()
    d = tempfile.mkdtemp(prefix="imsue-pcap-", dir="/tmp")
    cfg = os.path.join(d, "ue.conf")
    pcap = os.path.join(d, "trace.pcap")
    cred = ("k = %s\nopc = %s\namf = %s\n" % (K, OPC, AMF) if auth == "aka"
            else "password = %s\n" % PASSWORD)
    with open(cfg, "w") as f:
        f.write("[identity]\nimpi = %s\nimpu = %s\nhome_domain = %s\nimei = %s\n"
                "[credentials]\n%s"
                "[network]\npcscf = %s:127.0.0.1:%d\nlocal_ip = 127.0.0.1\nauth = %s\nt1 = 100\n"
                "[ctl]\nsocket = %s\n[debug]\npcap = %s\n" %
                (IMPI, IMPU, DOMAIN, IMEI, cred, transport, p.port, auth,
                 os.path.join(d, "ctl.sock"), pcap))
    logpath = os.path.join(d, "imsued.log")
    log = open(logpath, "w")
    args = [imsued, "-c", cfg, "-f", "-d", "3"] + (["-K"] if log_keys else [])
    proc = subprocess.Popen(args, stderr=log, stdout=subprocess.DEVNULL)
    v = {}
    try:
        r1 = p.wait_request(method="REGISTER")
        if auth == "aka":
            v = AKA().vector()
            p.respond(r1, 401, "Unauthorized", [www_aka(v)])
        else:
            p.respond(r1, 401, "Unauthorized", [(
                "WWW-Authenticate",
                'Digest realm="%s", nonce="pcapn0nce", algorithm=MD5, qop="auth"' % DOMAIN)])
        r2 = p.wait_request(method="REGISTER")
        p.respond(r2, 200, "OK", ok_headers(r2))
        time.sleep(0.3)
        proc.send_signal(signal.SIGTERM)
        r3 = p.wait_request(method="REGISTER")
        p.respond(r3, 200, "OK")
        tap.eq(proc.wait(timeout=10), 0, label + ": imsued registers, deregisters, exits 0")
        ue_port = r1.src[1]
        log.close()
        with open(logpath) as f:
            text = f.read()
        secrets = [K, OPC, PASSWORD] + [v.get(k) for k in ("xres", "ck", "ik")]
        if log_keys:
            tap.ok(all(v[k] in text for k in ("xres", "ck", "ik")) and K not in text,
                   label + ": RES, CK and IK logged (K never)", text[-2000:])
        else:
            secrets_absent(tap, text, secrets, label)
        with open(pcap, "rb") as f:
            head = f.read(24)
        tap.ok(head[:4] == b"\xd4\xc3\xb2\xa1" and head[20:24] == b"\x65\x00\x00\x00",
               label + ": pcap file, raw IP link type", head.hex())
        if not TSHARK:
            tap.ok(True, label + ": tshark decodes the trace # SKIP tshark not installed "
                   "(tools/install-deps.sh installs it)")
            return
        rows, err = tshark_rows(pcap)
        regs = [(r["method"] or r["status"], r["cseq"]) for r in rows
                if r["cseq"].endswith("REGISTER")]
        # UDP requests may be retransmitted before the peer answers; count each once.
        seen = []
        for x in regs:
            if x not in seen:
                seen.append(x)
        want = [("REGISTER", "1 REGISTER"), ("401", "1 REGISTER"), ("REGISTER", "2 REGISTER"),
                ("200", "2 REGISTER"), ("REGISTER", "3 REGISTER"), ("200", "3 REGISTER")]
        tap.eq(seen, want, label + ": tshark -Y sip shows the REGISTERs and their responses")
        sent = [r for r in rows if r["method"] == "REGISTER"]
        recv = [r for r in rows if r["status"]]
        tap.ok(rows and all(r["proto"] == transport for r in rows) and
               all((r["sport"], r["dport"]) == (ue_port, p.port) for r in sent) and
               all((r["sport"], r["dport"]) == (p.port, ue_port) for r in recv),
               label + ": %s packets between the UE's port %d and the P-CSCF's %d" %
               (transport.upper(), ue_port, p.port), rows)
        tap.ok(rows and all(r["good"] for r in rows), label + ": IP and %s checksums valid" %
               transport.upper(), rows)
    except TestFailure as e:
        tap.ok(False, label + ": scenario completed", str(e))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if not log.closed:
            log.close()
        if tap.failed:
            with open(logpath) as f:
                tap.comment(f.read()[-3000:])
        shutil.rmtree(d, ignore_errors=True)
        p.close()


def refused(tap, imsued):
    """A trace file that cannot be used stops imsued from starting (exit 1, one line)."""
    d = tempfile.mkdtemp(prefix="imsue-pcap-", dir="/tmp")
    bad = os.path.join(d, "notes.txt")
    with open(bad, "w") as f:
        f.write("these are notes, not a packet capture\n")
    for path, why in ((bad, "not a little-endian microsecond pcap file"),
                      (os.path.join(d, "no", "such.pcap"), "No such file or directory")):
        cfg = os.path.join(d, "bad.conf")
        with open(cfg, "w") as f:
            f.write("[identity]\nimpi = %s\nimpu = %s\nhome_domain = %s\n"
                    "[credentials]\nk = %s\nopc = %s\n[network]\npcscf = udp:127.0.0.1:9\n"
                    "[ctl]\nsocket = %s\n[debug]\npcap = %s\n" %
                    (IMPI, IMPU, DOMAIN, K, OPC, os.path.join(d, "c.sock"), path))
        p = subprocess.run([imsued, "-f", "-c", cfg], capture_output=True, text=True,
                           timeout=20)
        tap.eq((p.returncode, p.stderr), (1, "imsued: bad: %s: %s\n" % (path, why)),
               "unusable trace file refused: %s" % why)
    with open(bad) as f:
        tap.eq(f.read(), "these are notes, not a packet capture\n",
               "a file that is not a pcap file is left untouched")
    shutil.rmtree(d, ignore_errors=True)


def main():
    tap = Tap()
    imsued = os.environ.get("IMSUED") or os.path.join(BUILD, "tools", "imsued")
    akavec = os.path.join(BUILD, "test", "peer", "akavec")
    if not os.access(imsued, os.X_OK) or not os.access(akavec, os.X_OK):
        print("1..1\nok 1 - imsued signalling trace # SKIP %s or %s not built" % (imsued, akavec))
        return
    refused(tap, imsued)
    scenario(tap, "udp", "aka")
    scenario(tap, "tcp", "digest")
    scenario(tap, "udp", "aka", log_keys=True)
    tap.done()


main()
