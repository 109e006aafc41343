#!/usr/bin/env python3
"""TS 34.229-1 8.4 (A.1.7): 423 Interval Too Brief with Min-Expires; the UE
sends a new REGISTER with an expiry of at least Min-Expires (24.229
5.1.1.2.1, RFC 3261 10.2.8), and registration completes."""
from sippeer import *


def body(tap):
    p = Peer()
    ue = UE(tap, [p.port], expires=300)
    aka = AKA()
    r1 = p.wait_request(method="REGISTER")
    tap.eq(r1.expires(), 300, "configured expiry requested")
    p.respond(r1, 423, "Interval Too Brief", [("Min-Expires", "3600")])
    r2 = p.wait_request(method="REGISTER")
    tap.ok(r2.expires() is not None and r2.expires() >= 3600,
           "new REGISTER with expiry >= Min-Expires", r2.expires())
    tap.eq(r2.cseq(), r1.cseq() + 1, "CSeq + 1")
    tap.eq(r2.call_id(), r1.call_id(), "same Call-ID")
    v = aka.vector()
    p.respond(r2, 401, "Unauthorized", [www_aka(v)])
    r3 = p.wait_request(method="REGISTER")
    tap.ok(r3.expires() >= 3600, "authenticated REGISTER keeps the raised expiry")
    check_aka_response(tap, r3, v, r2, "after 423")
    p.respond(r3, 200, "OK", ok_headers(r3, 3600))
    ue.wait_event("registered")
    tap.eq(ue.status()["state"], "registered", "registered")
    tap.eq(ue.close(), 0, "driver exits cleanly")


if __name__ == "__main__":
    run(Tap(), body)
