#!/usr/bin/env python3
"""503 Service Unavailable with Retry-After to REGISTER (24.229 5.1.1.2,
RFC 5626 4.5: a Retry-After governs the retry delay): no retry before it,
then a new initial registration."""
from sippeer import *


def body(tap):
    p = Peer()
    ue = UE(tap, [p.port])
    r1 = p.wait_request(method="REGISTER")
    t0 = time.monotonic()
    p.respond(r1, 503, "Service Unavailable", [("Retry-After", "2")])
    ev = ue.wait_event("error")
    st = ue.status()
    tap.eq(st["state"], "backoff", "state backoff")
    tap.ok("503" in (st["last_error"] or ""), "last_error names the 503", st["last_error"])
    ok, extra = p.no_request(1.7)
    tap.ok(ok, "no REGISTER during Retry-After", extra and extra.raw)
    r2 = p.wait_request(2.0, method="REGISTER")
    dt = r2.time - t0
    tap.ok(1.9 <= dt <= 2.8, "retry after 2 s (%.2f s)" % dt)
    tap.eq(r2.auth().get("response"), "", "retry is an initial REGISTER")
    v = AKA().vector()
    p.respond(r2, 401, "Unauthorized", [www_aka(v)])
    r3 = p.wait_request(method="REGISTER")
    p.respond(r3, 200, "OK", ok_headers(r3))
    ue.wait_event("registered")
    tap.eq(ue.status()["last_error"], None, "last_error cleared once registered")
    tap.eq(ue.close(), 0, "driver exits cleanly")


if __name__ == "__main__":
    run(Tap(), body)
