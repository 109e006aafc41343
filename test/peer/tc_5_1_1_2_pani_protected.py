#!/usr/bin/env python3
"""TS 24.229 5.1.1.2.1 item 8 (and 5.1.1.4.1): P-Access-Network-Info is
included only in REGISTER requests that are protected. With SIP digest over
TLS (5.1.1.5.6, test/peer/tlspeer.py) the initial REGISTER goes unprotected
over UDP without it; the challenged REGISTER, the reregistration and the
de-REGISTER go over the TLS session with the configured value."""
from sippeer import *
from tlspeer import *

PANI = "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=0010100010019B01"


def body(tap):
    ca = TestCA()
    cert, key = ca.server("good")
    p = TlsPeer(cert, key)
    ue = tls_ue(tap, p, ca.ca_file(), expires=4, extra="pani = %s\n" % PANI)
    r1 = p.wait_request(method="REGISTER")
    tap.eq(r1.transport, "udp", "initial REGISTER unprotected")
    tap.ok(not r1.has("P-Access-Network-Info"), "no P-Access-Network-Info unprotected")
    challenge_tls(p, r1)
    r2 = p.wait_request(method="REGISTER")
    tap.eq(r2.transport, "tls", "challenged REGISTER over TLS")
    tap.eq(r2.hdr("P-Access-Network-Info"), PANI, "protected: P-Access-Network-Info")
    p.respond(r2, 200, "OK", ok_headers(r2, 4))
    ue.wait_event("registered")
    r3 = p.wait_request(4, method="REGISTER")
    tap.eq((r3.transport, r3.hdr("P-Access-Network-Info")), ("tls", PANI),
           "reregistration over TLS: P-Access-Network-Info")
    p.respond(r3, 200, "OK", ok_headers(r3, 600))
    ue.wait_event("reregistered")
    ue.send("deregister " + IMPU)
    ue.wait_reply("ok")
    d = p.wait_request(method="REGISTER")
    tap.eq((d.transport, d.hdr("P-Access-Network-Info")), ("tls", PANI),
           "de-REGISTER over TLS: P-Access-Network-Info")
    p.respond(d, 200, "OK")
    ue.wait_event("deregistered")
    tap.eq(ue.close(), 0, "driver exits cleanly")
    p.close()
    ca.close()


if __name__ == "__main__":
    run(Tap(), body)
