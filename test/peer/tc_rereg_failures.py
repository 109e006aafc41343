#!/usr/bin/env python3
"""408, 500, 504 and 403 to a reregistration (24.229 5.1.1.4.1): the UE
performs an initial registration (new Call-ID, CSeq 1, empty credentials).
A 403 to the initial registration is final: auth-failed, state failed."""
from sippeer import *


def body(tap):
    p = Peer()
    ue = UE(tap, [p.port])
    aka = AKA()
    r1, r2, v = register_aka(tap, p, ue, aka, expires=2)
    for code, reason in ((408, "Request Timeout"), (500, "Server Internal Error"),
                         (504, "Server Time-out"), (403, "Forbidden")):
        rr = p.wait_request(3, method="REGISTER")
        tap.eq(rr.call_id(), r1.call_id(), "%d: the reregistration uses the Call-ID" % code)
        p.respond(rr, code, reason)
        ri = p.wait_request(2, method="REGISTER")
        tap.ok(ri.call_id() != r1.call_id(), "%d: initial registration, new Call-ID" % code)
        tap.eq(ri.cseq(), 1, "%d: CSeq 1" % code)
        tap.eq(ri.auth().get("response"), "", "%d: empty credentials" % code)
        r1 = ri
        vv = aka.vector()
        p.respond(ri, 401, "Unauthorized", [www_aka(vv)])
        ra = p.wait_request(method="REGISTER")
        p.respond(ra, 200, "OK", ok_headers(ra, 2))
        ue.wait_event("registered")
    rr = p.wait_request(3, method="REGISTER")
    p.respond(rr, 200, "OK", ok_headers(rr, 600))
    ue.wait_event("reregistered")
    tap.eq(ue.close(), 0, "driver exits cleanly")

    p2 = Peer()
    ue2 = UE(tap, [p2.port])
    r = p2.wait_request(method="REGISTER")
    p2.respond(r, 401, "Unauthorized", [www_aka(aka.vector())])
    r = p2.wait_request(method="REGISTER")
    p2.respond(r, 403, "Forbidden")
    ev = ue2.wait_event("auth-failed")
    st = ue2.status()
    tap.eq(st["state"], "failed", "403 to the authenticated REGISTER: failed")
    tap.ok((st["last_error"] or "").startswith("auth-failed"), "last_error auth-failed",
           st["last_error"])
    ok, extra = p2.no_request(1.0)
    tap.ok(ok, "no automatic retry after 403", extra and extra.raw)
    tap.eq(ue2.close(), 0, "driver exits cleanly")


if __name__ == "__main__":
    run(Tap(), body)
