#!/usr/bin/env python3
"""Timer F (64*T1) expiry on REGISTER (24.229 5.1.1.4.1 "When the timer F
expires"): the UE retransmits over UDP, gives up after timer F, selects the
next P-CSCF and registers there; when every P-CSCF failed it backs off
(RFC 5626 4.5)."""
from sippeer import *


def body(tap):
    p1, p2 = Peer(), Peer()
    ue = UE(tap, [p1.port, p2.port], t1=100, timer_f=1000)
    r1 = p1.wait_request(method="REGISTER")
    t0 = r1.time
    r2 = p2.wait_request(4.0, method="REGISTER")
    dt = r2.time - t0
    tap.ok(0.9 <= dt <= 2.0, "second P-CSCF tried after timer F (%.2f s)" % dt)
    st = ue.status()
    tap.ok("no response" in (st["last_error"] or ""), "last_error: no response",
           st["last_error"])
    # Nobody answers at P-CSCF 2 either: backoff.
    time.sleep(1.5)
    st = ue.status()
    tap.eq(st["state"], "backoff", "all P-CSCFs failed: backoff")
    ok, extra = p1.no_request(0.5)
    tap.ok(ok, "no immediate retry during backoff", extra and extra.raw)
    tap.ok(p1.retransmissions >= 2, "UDP retransmissions to P-CSCF 1 (%d)" % p1.retransmissions)
    tap.eq(ue.close(), 0, "driver exits cleanly")


if __name__ == "__main__":
    run(Tap(), body)
