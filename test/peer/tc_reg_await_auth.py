#!/usr/bin/env python3
"""reg-await-auth (24.229 5.1.1.5.1): when the 200 (OK) to the REGISTER that
carried the challenge response does not arrive in time, the registration
has failed; the UE backs off instead of waiting for timer F."""
from sippeer import *


def body(tap):
    p = Peer()
    ue = UE(tap, [p.port], t1=100, timer_f=10000, extra="reg_await_auth = 600\n")
    r1 = p.wait_request(method="REGISTER")
    p.respond(r1, 401, "Unauthorized", [www_aka(AKA().vector())])
    r2 = p.wait_request(method="REGISTER")
    t0 = r2.time
    ev = ue.wait_event("error", timeout=3)
    dt = time.monotonic() - t0
    tap.ok(0.5 <= dt <= 1.5, "gave up after reg-await-auth (%.2f s)" % dt)
    tap.ok("reg-await-auth" in (ev.get("reason") or ""), "reason names reg-await-auth", ev)
    st = ue.status()
    tap.eq(st["state"], "backoff", "state backoff")
    tap.eq(ue.transitions(), ["deregistered --start--> registering",
                              "registering --401--> authenticating",
                              "authenticating --reg-await-auth-timer--> backoff"],
           "transition log (golden)")
    tap.eq(ue.close(), 0, "driver exits cleanly")


if __name__ == "__main__":
    run(Tap(), body)
