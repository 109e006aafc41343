#!/usr/bin/env python3
"""Network-initiated deregistration through the reg event (TS 24.229 5.1.1.7; TS 34.229-1 11.1):
Kamailio's form after HSS RTR / regscscf.dereg_impu (registration terminated without contacts),
`rejected` (IMPU deregistered, no automatic re-registration), and a registration that stays
active while our only contact ends with `unregistered` (no binding left). Each NOTIFY is answered
200, the UE emits `deregistered` with the reason, sends no de-REGISTER and drops the
subscription; a later `register` subscribes again with a new Call-ID. `probation` with
retry-after: an initial registration once it has passed. A 403 to the SUBSCRIBE: a new one
after the 30 s backoff, the registration unaffected."""
from sippeer import *


def registered(tap, p, ue, label):
    r1, r2, v = register_aka(tap, p, ue)
    sub = p.wait_request(method="SUBSCRIBE")
    d = RegEventDialog(p, sub)
    contact = uri_of(r2.all("Contact")[0])
    full = reginfo(0, [(IMPU, "active", [(contact, "active", "registered", 600000, INSTANCE)])])
    tap.eq(d.notify(full), 200, label + ": full-state NOTIFY answered 200")
    return d, contact, sub


def body(tap):
    p = Peer()
    p.auto_subscribe = False
    ue = UE(tap, [p.port])
    calls = set()

    # 1. Kamailio after RTR: terminated, no contacts, Subscription-State still active.
    d, contact, sub = registered(tap, p, ue, "kamailio")
    calls.add(sub.call_id())
    tap.eq(d.notify(reginfo(1, [(IMPU, "terminated", [])])), 200,
           "kamailio: terminated NOTIFY answered 200")
    ev = ue.wait_event("deregistered")
    tap.eq((ev.get("impu"), ev.get("reason"), ev.get("state")),
           (IMPU, "network: terminated", "deregistered"), "kamailio: deregistered event")
    st = ue.status()
    tap.eq((st["state"], st["reg_event"]["state"]), ("deregistered", "idle"),
           "kamailio: status deregistered, subscription idle")
    ok, req = p.no_request(1.0)
    tap.ok(ok, "kamailio: nothing sent (no de-REGISTER, no SUBSCRIBE)", req and req.raw)

    # 2. rejected: no automatic re-registration.
    ue.send("register")
    d, contact, sub = registered(tap, p, ue, "rejected")
    tap.ok(sub.call_id() not in calls, "rejected: new subscription with a new Call-ID")
    calls.add(sub.call_id())
    tap.eq(d.notify(reginfo(1, [(IMPU, "terminated", [(contact, "terminated", "rejected", 0,
                                                        INSTANCE)])]),
                    state="terminated;reason=rejected"), 200, "rejected: NOTIFY answered 200")
    ev = ue.wait_event("deregistered")
    tap.eq(ev.get("reason"), "network: rejected", "rejected: deregistered event")
    ok, req = p.no_request(1.5)
    tap.ok(ok, "rejected: no re-registration", req and req.raw)
    tap.eq(ue.status()["state"], "deregistered", "rejected: stays deregistered")

    # 3. registration active, our only contact unregistered (partial state).
    ue.send("register")
    d, contact, sub = registered(tap, p, ue, "unregistered")
    tap.eq(d.notify(reginfo(1, [(IMPU, "active", [(contact, "terminated", "unregistered", 0,
                                                    INSTANCE),
                                                   ("sip:other@127.0.0.1:5098", "active",
                                                    "registered", 300, None)])],
                            state="partial")), 200, "unregistered: NOTIFY answered 200")
    ev = ue.wait_event("deregistered")
    tap.eq(ev.get("reason"), "network: unregistered", "unregistered: deregistered event")
    st = ue.status()
    tap.eq((st["state"], st["reg_event"]["state"]), ("deregistered", "idle"),
           "unregistered: status deregistered, subscription idle")
    # 4. probation with retry-after: deregistered, registering again no earlier than that.
    ue.send("register")
    d4, contact, sub = registered(tap, p, ue, "probation")
    prob = reginfo(1, [(IMPU, "terminated", [(contact, "terminated", "probation", 0,
                                               INSTANCE)])])
    tap.eq(d4.notify(prob.replace('event="probation"', 'event="probation" retry-after="2"')),
           200, "probation: NOTIFY answered 200")
    t0 = time.monotonic()
    ev = ue.wait_event("deregistered")
    tap.eq(ev.get("reason"), "network: probation", "probation: deregistered event")
    r = p.wait_request(4, method="REGISTER")
    dt = r.time - t0
    tap.ok(1.9 <= dt <= 3.0, "probation: initial REGISTER after retry-after 2 s (%.2f s)" % dt)
    tap.eq((r.auth() or {}).get("response"), "", "probation: it is an initial registration")
    aka = AKA()
    v = aka.vector()
    p.respond(r, 401, "Unauthorized", [www_aka(v)])
    r2 = p.wait_request(method="REGISTER")
    p.respond(r2, 200, "OK", ok_headers(r2))
    ue.wait_event("registered")
    # 5. A SUBSCRIBE refused with 403: a new subscription after 30 s (backoff).
    s5 = p.wait_request(method="SUBSCRIBE")
    p.respond(s5, 403, "Forbidden")
    ev = ue.wait_event("reg-event")
    tap.eq((ev.get("action"), ev.get("reason")), ("resubscribe", "SUBSCRIBE: 403 Forbidden"),
           "403 to the SUBSCRIBE: reg-event resubscribe")
    re_ = ue.status()["reg_event"]
    tap.ok(re_["state"] == "waiting" and 28 <= (re_["retry_in_s"] or 0) <= 30,
           "403: next subscription in 30 s", re_)
    tap.eq(ue.status()["state"], "registered", "403 to the SUBSCRIBE: still registered")
    # The dialog is gone: its NOTIFYs are not accepted any more.
    tap.eq(d.notify(reginfo(2, [(IMPU, "terminated", [])]), call_id="nonexistent-dialog"), 481,
           "NOTIFY outside any dialog: 481")
    tap.eq(ue.close(), 0, "driver exits cleanly")


if __name__ == "__main__":
    run(Tap(), body)
