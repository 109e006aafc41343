#!/usr/bin/env python3
"""TS 34.229-1 8.2 with short expiries: reregistration at half of a granted
time of 1200 s or less (24.229 5.1.1.4.1), same Call-ID, CSeq + 1, last
nonce and response for IMS AKA (5.1.1.4.2); a 401 on reregistration is
answered (re-authentication)."""
from sippeer import *


def body(tap):
    p = Peer()
    ue = UE(tap, [p.port])
    aka = AKA()
    r1, r2, v = register_aka(tap, p, ue, aka, expires=4)
    t0 = time.monotonic()
    st = ue.status()
    tap.ok(st["refresh_in_s"] in (1, 2), "status: refresh at half of 4 s", st)
    r3 = p.wait_request(5, method="REGISTER")
    dt = r3.time - t0
    tap.ok(1.5 <= dt <= 2.6, "re-REGISTER at half of 4 s (%.2f s)" % dt)
    tap.eq(r3.call_id(), r1.call_id(), "re-REGISTER: same Call-ID")
    tap.eq(r3.cseq(), r2.cseq() + 1, "re-REGISTER: CSeq + 1")
    tap.eq(r3.expires(), 600000, "re-REGISTER: asks for 600000 again")
    tap.eq(r3.auth().get("nonce"), v["nonce"], "re-REGISTER: last nonce")
    tap.eq(r3.auth().get("response"), r2.auth().get("response"), "re-REGISTER: last response")
    tap.eq(uri_of(r3.hdr("From")), IMPU, "re-REGISTER: same IMPU")
    # The network re-authenticates: a fresh challenge is answered.
    v2 = aka.vector()
    p.respond(r3, 401, "Unauthorized", [www_aka(v2)])
    r4 = p.wait_request(method="REGISTER")
    check_aka_response(tap, r4, v2, r3, "re-authentication")
    p.respond(r4, 200, "OK", ok_headers(r4, 6))
    ev = ue.wait_event("reregistered")
    tap.eq(ev.get("expires"), 6, "reregistered event with the new expiry")
    t1 = time.monotonic()
    r5 = p.wait_request(6, method="REGISTER")
    dt = r5.time - t1
    tap.ok(2.5 <= dt <= 3.6, "next re-REGISTER at half of 6 s (%.2f s)" % dt)
    tap.eq(r5.auth().get("nonce"), v2["nonce"], "next re-REGISTER: the newest nonce")
    tap.eq(r5.cseq(), r4.cseq() + 1, "next re-REGISTER: CSeq + 1")
    # Granted > 1200 s: refresh 600 s before expiry.
    p.respond(r5, 200, "OK", ok_headers(r5, 1800))
    ue.wait_event("reregistered")
    st = ue.status()
    tap.ok(1195 <= st["refresh_in_s"] <= 1200, "1800 s granted: refresh in 1200 s",
           st["refresh_in_s"])
    tap.eq(ue.close(), 0, "driver exits cleanly")


if __name__ == "__main__":
    run(Tap(), body)
