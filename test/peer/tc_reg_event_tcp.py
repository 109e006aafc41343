#!/usr/bin/env python3
"""Reg event over TCP (TS 24.229 5.1.1.3: same transport as the registration): the SUBSCRIBE
goes over TCP with a transport=tcp Contact and Route, the NOTIFY comes back over the UE's
connection and is answered 200; a `rejected` NOTIFY over it deregisters."""
from sippeer import *


def body(tap):
    p = Peer()
    p.auto_subscribe = False
    ue = UE(tap, [p.port], transport="tcp")
    r1, r2, v = register_aka(tap, p, ue)
    sub = p.wait_request(method="SUBSCRIBE")
    tap.eq(sub.transport, "tcp", "SUBSCRIBE over TCP")
    tap.ok(sub.all("Via")[0].upper().startswith("SIP/2.0/TCP"), "SUBSCRIBE: Via TCP",
           sub.all("Via"))
    tap.ok("transport=tcp" in sub.all("Contact")[0], "SUBSCRIBE: Contact transport=tcp")
    tap.ok("transport=tcp" in sub.all("Route")[0], "SUBSCRIBE: P-CSCF Route transport=tcp")
    d = RegEventDialog(p, sub)
    contact = uri_of(r2.all("Contact")[0])
    tap.eq(d.notify(reginfo(0, [(IMPU, "active", [(contact, "active", "registered", 600000,
                                                   INSTANCE)])])), 200,
           "NOTIFY over TCP answered 200")
    tap.eq(d.notify(reginfo(1, [(IMPU, "terminated", [(contact, "terminated", "rejected", 0,
                                                        INSTANCE)])])), 200,
           "rejected NOTIFY answered 200")
    ev = ue.wait_event("deregistered")
    tap.eq(ev.get("reason"), "network: rejected", "deregistered, reason rejected")
    tap.eq(ue.close(), 0, "driver exits cleanly")


if __name__ == "__main__":
    run(Tap(), body)
