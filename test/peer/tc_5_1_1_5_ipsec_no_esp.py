#!/usr/bin/env python3
"""security = ipsec-3gpp on a kernel without ESP (issue 9; the guest suite
test/esp-vm/test_imsued_esp.sh covers real ESP). The initial REGISTER carries
an ipsec-3gpp Security-Client with the configured alg/ealg, fresh SPIs and
ports, Require and Proxy-Require sec-agree (24.229 5.1.1.2.1, TS 34.229-1
A.1.1 A1). A valid 401 makes the UE install the temporary SA set
(5.1.1.5.1, TS 33.203 7.1); the kernel refuses it, so last_error carries the
kernel's words, the UE stops, nothing is sent (neither protected nor
unprotected) and no SA or policy of ours is left."""
import os
import subprocess

from sippeer import *

TAG = 0x1d5e0000


def kernel_has_esp():
    """An ESP SA can be added in a throwaway network namespace."""
    r = subprocess.run(["unshare", "-n", "ip", "xfrm", "state", "add", "src", "10.9.9.1",
                        "dst", "10.9.9.2", "proto", "esp", "spi", "0x1000", "mode",
                        "transport", "auth-trunc", "hmac(sha1)",
                        "0x" + "11" * 20, "96", "enc", "ecb(cipher_null)", "\"\""],
                       capture_output=True, text=True)
    return r.returncode == 0


def our_objects():
    """Lines of `ip xfrm state/policy` naming a reqid with imsue's tag."""
    out = []
    for what in ("state", "policy"):
        r = subprocess.run(["ip", "xfrm", what], capture_output=True, text=True)
        for tok in r.stdout.split("reqid")[1:]:
            val = tok.split()[0]
            try:
                rq = int(val, 0)
            except ValueError:
                continue
            if rq & 0xffff0000 == TAG:
                out.append("%s reqid %#x" % (what, rq))
    return out


def body(tap):
    if os.geteuid() != 0:
        tap.ok(True, "scenario # SKIP needs root (CAP_NET_ADMIN for XFRM)")
        return
    if kernel_has_esp():
        tap.ok(True, "scenario # SKIP this kernel has ESP: see test/esp-vm/test_imsued_esp.sh")
        return
    p = Peer()
    ue = UE(tap, [p.port], security="ipsec-3gpp",
            extra="ipsec_alg = hmac-md5-96\nipsec_ealg = aes-cbc\n")
    r1 = p.wait_request(method="REGISTER")
    sc = r1.all("Security-Client")
    tap.ok(len(sc) >= 1 and all(s.startswith("ipsec-3gpp") for s in sc),
           "Security-Client lists ipsec-3gpp offers", sc)
    pr = params("x" + sc[0][len("ipsec-3gpp"):]) if sc else {}
    tap.ok(all(k in pr for k in ("alg", "spi-c", "spi-s", "port-c", "port-s")),
           "offers carry alg, spi-c, spi-s, port-c, port-s", pr)
    tap.eq((pr.get("alg"), pr.get("ealg")), ("hmac-md5-96", "aes-cbc"),
           "alg and ealg from ipsec_alg / ipsec_ealg")
    spis = [int(pr.get("spi-c", 0)), int(pr.get("spi-s", 0))]
    tap.ok(all(s >= 256 for s in spis) and spis[0] != spis[1], "SPIs >= 256 and distinct", spis)
    tap.ok(pr.get("port-c") != pr.get("port-s"), "port-c differs from port-s", pr)
    tap.eq([x.lower() for x in r1.all("Require")], ["sec-agree"], "Require: sec-agree")
    tap.eq([x.lower() for x in r1.all("Proxy-Require")], ["sec-agree"],
           "Proxy-Require: sec-agree")
    tap.ok(not r1.all("Security-Verify"), "no Security-Verify on the initial REGISTER")
    v = AKA().vector()
    p.respond(r1, 401, "Unauthorized", [www_aka(v), (
        "Security-Server", "ipsec-3gpp;q=0.9;alg=hmac-md5-96;ealg=aes-cbc;spi-c=1111;"
        "spi-s=2222;port-c=5062;port-s=5064")])
    ue.wait_event("error")
    st = ue.status()
    tap.eq(st["state"], "failed", "state failed")
    err = st["last_error"]
    tap.ok(err.startswith("ipsec: temporary SA set: xfrm: adding SA") and
           "Protocol not supported" in err, "last_error gives the kernel's refusal", err)
    tap.ok("spi 2222" in err and ":5064" in err,
           "last_error names the SA (P-CSCF port-s and spi-s)", err)
    ok, extra = p.no_request(0.7)
    tap.ok(ok, "no REGISTER with the response (nothing unprotected)", extra and extra.raw)
    tap.eq(our_objects(), [], "no SA or policy of ours left")
    tap.eq(ue.close(), 0, "driver exits cleanly")


if __name__ == "__main__":
    run(Tap(), body)
