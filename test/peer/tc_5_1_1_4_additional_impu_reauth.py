#!/usr/bin/env python3
"""TS 24.229 5.1.1.4.1 / 5.1.1.5.1: the first IMPU is re-authenticated at its
reregistration (401 → response → 200) while an additional IMPU is
registered: the additional IMPU stays registered (no event), and its own
next REGISTER uses the nonce and response of that re-authentication
(5.1.1.4.2). A 403 to the first IMPU's reregistration (5.1.1.4.1: initial
registration) makes the additional IMPU deregistered locally
(event `deregistered`, reason `registration failed`) and registered again
after the first IMPU."""
from sippeer import *

IMPU2 = "sip:alice.work@" + DOMAIN


def body(tap):
    p = Peer()
    ue = UE(tap, [p.port], impus=(IMPU2,))
    aka = AKA()
    r1 = p.wait_request(method="REGISTER")
    v = aka.vector()
    p.respond(r1, 401, "Unauthorized", [www_aka(v)])
    r2 = p.wait_request(method="REGISTER")
    p.respond(r2, 200, "OK", ok_headers(r2, 4))            # first IMPU: 4 s
    ue.wait_event("registered")
    x1 = p.wait_request(method="REGISTER")
    tap.eq(uri_of(x1.hdr("To")), IMPU2, "additional IMPU registers")
    p.respond(x1, 200, "OK", [("Contact", x1.all("Contact")[0] + ";expires=600")])

    r3 = p.wait_request(4, method="REGISTER")
    tap.eq(uri_of(r3.hdr("To")), IMPU, "first IMPU reregisters")
    v2 = aka.vector()
    p.respond(r3, 401, "Unauthorized", [www_aka(v2)])
    r4 = p.wait_request(method="REGISTER")
    check_aka_response(tap, r4, v2, r3, "re-authentication of the first IMPU")
    st = ue.status()
    im = {e["impu"]: e for e in st["impus"]}
    tap.eq(im[IMPU2]["state"], "registered", "additional IMPU still registered while the first "
           "one re-authenticates")
    p.respond(r4, 200, "OK", ok_headers(r4, 600))
    ue.wait_event("reregistered")
    tap.ok(not any(e == "deregistered" for e, _ in ue.events), "no deregistered event",
           ue.events)

    ue.send("deregister " + IMPU2)
    ue.wait_reply("ok")
    d = p.wait_request(method="REGISTER")
    tap.eq((d.auth().get("nonce"), d.auth().get("response")), (v2["nonce"], r4.auth()["response"]),
           "additional IMPU's next request: nonce and response of the re-authentication")
    p.respond(d, 200, "OK")
    ue.wait_event("deregistered")
    ue.send("register")
    x2 = p.wait_request(method="REGISTER")
    tap.eq(uri_of(x2.hdr("To")), IMPU2, "additional IMPU registered again")
    p.respond(x2, 200, "OK", [("Contact", x2.all("Contact")[0] + ";expires=600")])
    ue.wait_event("registered")

    tap.eq(ue.close(), 0, "driver exits cleanly")

    # 403 to the first IMPU's reregistration: a new initial registration.
    p2 = Peer()
    ue2 = UE(tap, [p2.port], impus=(IMPU2,))
    r1 = p2.wait_request(method="REGISTER")
    v = aka.vector()
    p2.respond(r1, 401, "Unauthorized", [www_aka(v)])
    r2 = p2.wait_request(method="REGISTER")
    p2.respond(r2, 200, "OK", ok_headers(r2, 4))
    ue2.wait_event("registered")
    x1 = p2.wait_request(method="REGISTER")
    p2.respond(x1, 200, "OK", [("Contact", x1.all("Contact")[0] + ";expires=600")])
    r3 = p2.wait_request(4, method="REGISTER")
    tap.eq(uri_of(r3.hdr("To")), IMPU, "second run: first IMPU reregisters")
    p2.respond(r3, 403, "Forbidden")
    d = None
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        d = ue2.wait_event("deregistered", deadline - time.monotonic())
        if d.get("impu") == IMPU2:
            break
    tap.eq((d or {}).get("reason"), "registration failed",
           "403 on the first IMPU's reregistration: additional IMPU deregistered locally")
    r5 = p2.wait_request(method="REGISTER")
    tap.ok(uri_of(r5.hdr("To")) == IMPU and r5.call_id() != r1.call_id(),
           "new initial registration of the first IMPU (new Call-ID)")
    v3 = aka.vector()
    p2.respond(r5, 401, "Unauthorized", [www_aka(v3)])
    r6 = p2.wait_request(method="REGISTER")
    p2.respond(r6, 200, "OK", ok_headers(r6, 600))
    x3 = p2.wait_request(method="REGISTER")
    tap.eq((uri_of(x3.hdr("To")), x3.call_id()), (IMPU2, r5.call_id()),
           "additional IMPU registered again with the new Call-ID")
    p2.respond(x3, 200, "OK", [("Contact", x3.all("Contact")[0] + ";expires=600")])
    tap.eq(ue2.close(), 0, "driver exits cleanly")


if __name__ == "__main__":
    run(Tap(), body)
