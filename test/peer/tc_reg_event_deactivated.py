#!/usr/bin/env python3
"""Reg event `deactivated` (TS 24.229 5.1.1.7; TS 34.229-1 11.1): the NOTIFY is answered 200,
the IMPU is deregistered (event with the reason) and a new initial registration starts (new
Call-ID, empty Authorization), followed by a new subscription with a new Call-ID, whose first
NOTIFY arrives before the 200 to its SUBSCRIBE."""
from sippeer import *


def body(tap):
    p = Peer()
    p.auto_subscribe = False
    ue = UE(tap, [p.port])
    r1, r2, v = register_aka(tap, p, ue)
    sub = p.wait_request(method="SUBSCRIBE")
    d = RegEventDialog(p, sub)
    contact = uri_of(r2.all("Contact")[0])
    tap.eq(d.notify(reginfo(0, [(IMPU, "active", [(contact, "active", "registered", 600000,
                                                   INSTANCE)])])), 200, "full state: 200")
    tap.eq(d.notify(reginfo(1, [(IMPU, "terminated", [(contact, "terminated", "deactivated", 0,
                                                        INSTANCE)])]),
                    state="terminated;reason=deactivated"), 200, "deactivated NOTIFY: 200")
    ev = ue.wait_event("deregistered")
    tap.eq(ev.get("reason"), "network: deactivated", "deregistered event, reason deactivated")
    r3 = p.wait_request(method="REGISTER")
    check_initial_register(tap, r3, "new initial REGISTER")
    tap.ok(r3.call_id() != r1.call_id(), "new initial REGISTER: new Call-ID")
    tap.eq((r3.auth() or {}).get("response"), "", "new initial REGISTER: empty response")
    aka = AKA()
    v = aka.vector()
    p.respond(r3, 401, "Unauthorized", [www_aka(v)])
    r4 = p.wait_request(method="REGISTER")
    p.respond(r4, 200, "OK", ok_headers(r4))
    ue.wait_event("registered")
    sub2 = p.wait_request(method="SUBSCRIBE")
    tap.ok(sub2.call_id() != sub.call_id(), "new SUBSCRIBE with a new Call-ID")
    tap.ok(";tag=" not in sub2.hdr("To"), "new SUBSCRIBE outside the old dialog")
    # This time the NOTIFY overtakes the 200 (RFC 6665 4.1.2.4): it creates the dialog.
    d2 = RegEventDialog(p, sub2, answer=False)
    tap.eq(d2.notify(reginfo(0, [(IMPU, "active", [(contact, "active", "registered", 600000,
                                                    INSTANCE)])])), 200,
           "new dialog: NOTIFY before the 200, version 0 accepted")
    d2.accept()
    time.sleep(0.3)
    st = ue.status()
    tap.eq((st["state"], st["reg_event"]["state"], st["reg_event"]["version"]),
           ("registered", "active", 0), "registered and subscribed again")
    tap.eq(ue.close(), 0, "driver exits cleanly")


if __name__ == "__main__":
    run(Tap(), body)
