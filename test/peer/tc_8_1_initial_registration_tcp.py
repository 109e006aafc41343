#!/usr/bin/env python3
"""TS 34.229-1 8.1 over TCP (the Rel-16 chapter note: TCP for clause 8):
initial registration with IMS AKA over a TCP P-CSCF, Contact with
transport=tcp, responses on the same connection."""
from sippeer import *


def body(tap):
    p = Peer()
    ue = UE(tap, [p.port], transport="tcp")
    r1 = p.wait_request(method="REGISTER")
    tap.eq(r1.transport, "tcp", "REGISTER arrives over TCP")
    tap.ok("SIP/2.0/TCP" in r1.all("Via")[0], "Via says TCP", r1.all("Via")[0])
    tap.eq(params(uri_of(r1.all("Contact")[0]).replace("<", "").replace(">", "")
                  .replace("sip:", "x;", 1)).get("transport"), "tcp",
           "Contact URI has transport=tcp")
    v = AKA().vector()
    p.respond(r1, 401, "Unauthorized", [www_aka(v)])
    r2 = p.wait_request(method="REGISTER")
    check_aka_response(tap, r2, v, r1, "TCP")
    p.respond(r2, 200, "OK", ok_headers(r2))
    ue.wait_event("registered")
    tap.eq(ue.status()["pcscf"], "tcp:127.0.0.1:%d" % p.port, "status: tcp P-CSCF")
    tap.eq(ue.close(), 0, "driver exits cleanly")


if __name__ == "__main__":
    run(Tap(), body)
