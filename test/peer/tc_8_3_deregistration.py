#!/usr/bin/env python3
"""TS 34.229-1 8.3 / C.30: user-initiated deregistration (24.229 5.1.1.6):
one IMPU (our contact, expiry 0) and all bindings (Contact: *, Expires: 0),
same Call-ID, CSeq + 1, last nonce and response; a 401 to the de-REGISTER
is answered."""
from sippeer import *


def body(tap):
    p = Peer()
    ue = UE(tap, [p.port])
    aka = AKA()
    r1, r2, v = register_aka(tap, p, ue, aka)
    ue.send("deregister " + IMPU)
    tap.eq(ue.wait_reply("ok").get("reply"), "ok", "deregister command accepted")
    d = p.wait_request(method="REGISTER")
    tap.eq(d.expires(), 0, "de-REGISTER: expiry 0")
    c = d.all("Contact")
    tap.eq(len(c), 1, "de-REGISTER: one Contact")
    tap.eq(params(c[0]).get("+sip.instance"), "<%s>" % INSTANCE, "de-REGISTER: +sip.instance")
    tap.eq((d.call_id(), d.cseq()), (r1.call_id(), r2.cseq() + 1),
           "de-REGISTER: same Call-ID, CSeq + 1")
    tap.eq(d.auth().get("nonce"), v["nonce"], "de-REGISTER: last nonce")
    tap.ok(not d.has("Route"), "de-REGISTER: no Route")
    # Re-authentication of the de-REGISTER (5.1.1.6.1 -> 5.1.1.5.1).
    v2 = aka.vector()
    p.respond(d, 401, "Unauthorized", [www_aka(v2)])
    d2 = p.wait_request(method="REGISTER")
    tap.eq(d2.expires(), 0, "challenged de-REGISTER repeated with expiry 0")
    check_aka_response(tap, d2, v2, d, "de-REGISTER after 401")
    p.respond(d2, 200, "OK")
    ev = ue.wait_event("deregistered")
    tap.eq(ev.get("reason"), "user", "deregistered, reason user")
    tap.eq(ue.status()["state"], "deregistered", "status: deregistered")
    tap.eq(ue.status()["associated_uris"], [], "status: no associated URIs")

    # Register again, then deregister all bindings.
    ue.send("register")
    r1b = p.wait_request(method="REGISTER")
    tap.ok(r1b.call_id() != r1.call_id(), "new registration, new Call-ID")
    vb = aka.vector()
    p.respond(r1b, 401, "Unauthorized", [www_aka(vb)])
    r2b = p.wait_request(method="REGISTER")
    p.respond(r2b, 200, "OK", ok_headers(r2b))
    ue.wait_event("registered")
    ue.send("deregister all")
    d = p.wait_request(method="REGISTER")
    tap.eq(d.all("Contact"), ["*"], "deregister all: Contact: *")
    tap.eq(d.hdr("Expires"), "0", "deregister all: Expires: 0")
    p.respond(d, 200, "OK")
    ue.wait_event("deregistered")
    ok, extra = p.no_request(0.5)
    tap.ok(ok, "nothing sent after deregistration", extra and extra.raw)
    tap.eq(ue.close(), 0, "driver exits cleanly")


if __name__ == "__main__":
    run(Tap(), body)
