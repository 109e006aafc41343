#!/usr/bin/env python3
"""TS 34.229-1 10.1 with a short T: 503 + Retry-After: 3 to the reg event SUBSCRIBE: no
SUBSCRIBE during 3 s, then a new one with a different Call-ID. Then the dialog's failures: a
481 to the refresh gives a new subscription at once (new Call-ID), and a NOTIFY with
Subscription-State terminated;reason=timeout one more (RFC 6665 4.1.3)."""
from sippeer import *


def body(tap):
    p = Peer()
    p.auto_subscribe = False
    ue = UE(tap, [p.port])
    register_aka(tap, p, ue)
    s1 = p.wait_request(method="SUBSCRIBE")
    p.respond(s1, 503, "Service Unavailable", [("Retry-After", "3")])
    t0 = time.monotonic()
    ev = ue.wait_event("reg-event")
    tap.eq(ev.get("action"), "resubscribe", "reg-event: resubscribe")
    st = ue.status()
    tap.eq(st["reg_event"]["state"], "waiting", "status: waiting")
    tap.ok(st["reg_event"]["retry_in_s"] in (2, 3), "status: retry in 3 s", st["reg_event"])
    s2 = p.wait_request(6, method="SUBSCRIBE")
    dt = s2.time - t0
    tap.ok(2.9 <= dt <= 4.0, "no SUBSCRIBE before Retry-After, one after (%.2f s)" % dt)
    tap.ok(s2.call_id() != s1.call_id(), "new SUBSCRIBE: different Call-ID")
    tap.ok(";tag=" not in s2.hdr("To"), "new SUBSCRIBE: no To tag")
    tap.eq(st["state"], "registered", "the registration is not affected")

    # Accepted for 2 s: the refresh comes after 1 s and gets 481.
    d = RegEventDialog(p, s2, expires=2)
    s3 = p.wait_request(4, method="SUBSCRIBE")
    tap.eq(s3.call_id(), s2.call_id(), "refresh in the dialog")
    p.respond(s3, 481, "Call/Transaction Does Not Exist")
    s4 = p.wait_request(2, method="SUBSCRIBE")
    tap.ok(s4.call_id() not in (s1.call_id(), s2.call_id()),
           "481 to the refresh: new subscription, new Call-ID")
    tap.ok(";tag=" not in s4.hdr("To"), "481: SUBSCRIBE outside the old dialog")
    d = RegEventDialog(p, s4)
    tap.eq(d.notify("", state="terminated;reason=timeout"), 200,
           "terminated NOTIFY without a body answered 200")
    s5 = p.wait_request(2, method="SUBSCRIBE")
    tap.ok(s5.call_id() != s4.call_id(), "terminated;reason=timeout: new subscription")
    RegEventDialog(p, s5)
    time.sleep(0.3)
    tap.eq(ue.status()["reg_event"]["state"], "active", "subscribed again")
    tap.eq(ue.close(), 0, "driver exits cleanly")


if __name__ == "__main__":
    run(Tap(), body)
