#!/usr/bin/env python3
"""305 Use Proxy to REGISTER (24.229 5.1.1.2.1): ignore its Contact, select
a different configured P-CSCF and register there from scratch."""
from sippeer import *


def body(tap):
    p1, p2 = Peer(), Peer()
    ue = UE(tap, [p1.port, p2.port])
    r1 = p1.wait_request(method="REGISTER")
    p1.respond(r1, 305, "Use Proxy", [("Contact", "<sip:127.0.0.1:9>")])
    r2 = p2.wait_request(method="REGISTER")
    tap.ok(True, "REGISTER sent to the second P-CSCF")
    tap.eq(r2.auth().get("response"), "", "initial registration there")
    tap.eq(r2.cseq(), 1, "fresh registration: CSeq 1")
    v = AKA().vector()
    p2.respond(r2, 401, "Unauthorized", [www_aka(v)])
    r3 = p2.wait_request(method="REGISTER")
    p2.respond(r3, 200, "OK", ok_headers(r3))
    ue.wait_event("registered")
    tap.eq(ue.status()["pcscf"], "udp:127.0.0.1:%d" % p2.port, "status names P-CSCF 2")
    ok, extra = p1.no_request(0.3)
    tap.ok(ok, "nothing more to P-CSCF 1", extra and extra.raw)
    tap.eq(ue.close(), 0, "driver exits cleanly")


if __name__ == "__main__":
    run(Tap(), body)
