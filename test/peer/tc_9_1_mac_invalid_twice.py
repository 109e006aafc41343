#!/usr/bin/env python3
"""TS 34.229-1 9.1: two 401s whose AUTN has a wrong MAC, then a valid one.
After each invalid one: REGISTER with response="" and no auts, same Call-ID,
CSeq + 1 (24.229 5.1.1.5.3). A third consecutive invalid challenge is not
answered (5.1.1.5.12): auth-failed."""
from sippeer import *


def body(tap):
    p = Peer()
    ue = UE(tap, [p.port])
    aka = AKA()
    prev = r1 = p.wait_request(method="REGISTER")
    for i in (1, 2):
        bad = AKA.bad_mac(aka.vector())
        p.respond(prev, 401, "Unauthorized", [www_aka(bad, opaque="o%d" % i)])
        r = p.wait_request(method="REGISTER")
        a = r.auth()
        tap.eq(a.get("response"), "", "MAC failure %d: empty response" % i)
        tap.ok("auts" not in a, "MAC failure %d: no auts" % i)
        tap.eq(r.call_id(), r1.call_id(), "MAC failure %d: same Call-ID as step 1" % i)
        tap.eq(r.cseq(), prev.cseq() + 1, "MAC failure %d: CSeq + 1" % i)
        prev = r
    v = aka.vector()
    p.respond(prev, 401, "Unauthorized", [www_aka(v)])
    r = p.wait_request(method="REGISTER")
    check_aka_response(tap, r, v, prev, "valid challenge after two invalid")
    p.respond(r, 200, "OK", ok_headers(r))
    ue.wait_event("registered")
    tap.eq(ue.status()["state"], "registered", "registered after two MAC failures")
    tap.eq(ue.transitions(), ["deregistered --start--> registering",
                              "registering --401--> registering",
                              "registering --401--> registering",
                              "registering --401--> authenticating",
                              "authenticating --2xx--> registered"], "transition log (golden)")
    tap.eq(ue.close(), 0, "driver exits cleanly")

    # Three invalid challenges in a row: the third is not answered.
    p2 = Peer()
    ue2 = UE(tap, [p2.port])
    prev = p2.wait_request(method="REGISTER")
    for i in (1, 2):
        p2.respond(prev, 401, "Unauthorized", [www_aka(AKA.bad_mac(aka.vector()))])
        prev = p2.wait_request(method="REGISTER")
    p2.respond(prev, 401, "Unauthorized", [www_aka(AKA.bad_mac(aka.vector()))])
    ev = ue2.wait_event("auth-failed")
    tap.ok("invalid challenges" in (ev.get("reason") or ""), "auth-failed after the third",
           ev)
    ok, extra = p2.no_request(1.0)
    tap.ok(ok, "third invalid challenge not answered", extra and extra.raw)
    st = ue2.status()
    tap.ok(st["state"] in ("backoff", "failed"), "state backoff or failed", st["state"])
    tap.ok("auth-failed" in (st["last_error"] or ""), "last_error says auth-failed",
           st["last_error"])
    tap.eq(ue2.transitions()[-1], "registering --401--> backoff",
           "transition log: the third invalid challenge ends in backoff")
    tap.eq(ue2.close(), 0, "driver exits cleanly")


if __name__ == "__main__":
    run(Tap(), body)
