#!/usr/bin/env python3
"""TS 34.229-1 11.2 with short times: network-initiated re-authentication (TS 24.229 5.1.1.5A).
A partial NOTIFY with our contact `shortened` to expires=4 is answered 200, the UE reports it
and re-registers at half of 4 s; the network challenges, the UE answers, 200. Then a partial
NOTIFY after a version gap makes the UE refresh the subscription for full state."""
from sippeer import *


def body(tap):
    p = Peer()
    p.auto_subscribe = False
    ue = UE(tap, [p.port])
    aka = AKA()
    r1, r2, v = register_aka(tap, p, ue, aka)
    sub = p.wait_request(method="SUBSCRIBE")
    d = RegEventDialog(p, sub)
    contact = uri_of(r2.all("Contact")[0])
    tap.eq(d.notify(reginfo(0, [(IMPU, "active", [(contact, "active", "registered", 600000,
                                                   INSTANCE)])])), 200, "full state: 200")
    tap.ok(ue.status()["refresh_in_s"] > 500000, "reregistration far away before")
    t0 = time.monotonic()
    tap.eq(d.notify(reginfo(1, [(IMPU, "active", [(contact, "active", "shortened", 4,
                                                   INSTANCE)])], state="partial")), 200,
           "shortened NOTIFY answered 200")
    ev = ue.wait_event("reg-event")
    tap.eq((ev.get("reason"), ev.get("action"), ev.get("expires")), ("shortened", "reregister", 4),
           "reg-event: shortened, reregister, expires 4")
    st = ue.status()
    tap.ok(st["refresh_in_s"] in (1, 2) and st["expires_in_s"] in (3, 4),
           "status: expiry 4 s, refresh at half", st)
    r3 = p.wait_request(5, method="REGISTER")
    dt = r3.time - t0
    tap.ok(1.5 <= dt <= 2.8, "re-REGISTER at half of 4 s (%.2f s)" % dt)
    tap.eq(r3.call_id(), r1.call_id(), "re-REGISTER: same Call-ID")
    v2 = aka.vector()
    p.respond(r3, 401, "Unauthorized", [www_aka(v2)])
    r4 = p.wait_request(method="REGISTER")
    check_aka_response(tap, r4, v2, r3, "re-authentication")
    p.respond(r4, 200, "OK", ok_headers(r4))
    ue.wait_event("reregistered")
    st = ue.status()
    tap.eq((st["state"], st["reg_event"]["state"]), ("registered", "active"),
           "registered, subscription kept")
    tap.ok(not [r for r in p.log if r.method == "SUBSCRIBE" and r is not sub],
           "no new SUBSCRIBE")
    # A partial document after a version gap: state may be missing, so the UE refreshes the
    # subscription in the dialog to get full state (RFC 3680 4.4).
    tap.eq(d.notify(reginfo(5, [(IMPU, "active", [(contact, "active", "refreshed", 600000,
                                                   INSTANCE)])], state="partial")), 200,
           "partial NOTIFY after a version gap answered 200")
    ref = p.wait_request(3, method="SUBSCRIBE")
    tap.ok(ref.call_id() == sub.call_id() and ref.hdr("Expires") == "600000",
           "version gap: SUBSCRIBE in the dialog for full state")
    p.respond(ref, 200, "OK", [("Expires", "600000")])
    tap.eq(ue.close(), 0, "driver exits cleanly")


if __name__ == "__main__":
    run(Tap(), body)
