#!/usr/bin/env python3
"""RFC 3261 18.1.1 (required by TS 24.229 for the UE's transport): a request
within 200 bytes of the path MTU (1300 bytes, nta's default) must go over a
congestion-controlled transport. The UE registers over UDP; the 401 carries
a long AKA nonce (RAND, AUTN and 300 bytes of server data, RFC 3310 3.2) and
a long opaque, so the REGISTER with the response exceeds 1300 bytes: it
arrives over TCP to the same P-CSCF address and port, with a TCP Via, and
is answered there."""
import base64
from sippeer import *


def body(tap):
    p = Peer()
    ue = UE(tap, [p.port])
    aka = AKA()
    r1 = p.wait_request(method="REGISTER")
    tap.eq(r1.transport, "udp", "small initial REGISTER over UDP")
    tap.ok(len(r1.raw) < 1300, "initial REGISTER under 1300 bytes", len(r1.raw))
    v = aka.vector()
    v["nonce"] = base64.b64encode(bytes.fromhex(v["rand"] + v["autn"]) +
                                  os.urandom(300)).decode()
    opaque = "o" * 250
    p.respond(r1, 401, "Unauthorized", [www_aka(v, opaque=opaque)])
    r2 = p.wait_request(method="REGISTER")
    tap.ok(len(r2.raw) > 1300, "REGISTER with the response exceeds 1300 bytes", len(r2.raw))
    tap.eq(r2.transport, "tcp", "the large REGISTER is sent over TCP (RFC 3261 18.1.1)")
    tap.ok(r2.all("Via")[0].upper().startswith("SIP/2.0/TCP"), "Via transport TCP",
           r2.all("Via")[0])
    check_aka_response(tap, r2, v, r1, "large REGISTER")
    tap.eq(r2.auth().get("opaque"), opaque, "long opaque echoed")
    p.respond(r2, 200, "OK", ok_headers(r2, 600000))
    ue.wait_event("registered")
    tap.eq(ue.status()["state"], "registered", "registered through the TCP response")
    tap.eq(ue.close(), 0, "driver exits cleanly")


if __name__ == "__main__":
    run(Tap(), body)
