#!/usr/bin/env python3
"""Two struct ims_ue in one process on one loop (no global state, issue 4):
each registers its own IMPU from its own port with its own Call-ID and
credentials; deregistering one leaves the other registered."""
from sippeer import *


def body(tap):
    p = Peer()
    ue = UE(tap, [p.port], count=2)
    aka = AKA()
    reqs = {}
    for _ in range(2):
        r = p.wait_request(method="REGISTER")
        reqs[uri_of(r.hdr("From"))] = r
    impus = [identity(0)[1], identity(1)[1]]
    tap.eq(sorted(reqs), sorted(impus), "one initial REGISTER per IMPU")
    a, b = reqs[impus[0]], reqs[impus[1]]
    tap.ok(a.call_id() != b.call_id(), "different Call-IDs")
    tap.ok(a.src[1] != b.src[1], "different local ports")
    vs = {}
    for impu, r in reqs.items():
        vs[impu] = aka.vector()
        p.respond(r, 401, "Unauthorized", [www_aka(vs[impu])])
    for _ in range(2):
        r = p.wait_request(method="REGISTER")
        impu = uri_of(r.hdr("From"))
        imp = identity(impus.index(impu))[0]
        want = digest_response(imp, DOMAIN, bytes.fromhex(vs[impu]["xres"]), "REGISTER",
                               "sip:" + DOMAIN, vs[impu]["nonce"], "auth", r.auth().get("nc"),
                               r.auth().get("cnonce"))
        tap.eq(r.auth().get("response"), want, "%s: response with its own RES" % impu)
        tap.eq(r.auth().get("username"), imp, "%s: its own IMPI" % impu)
        p.respond(r, 200, "OK", ok_headers(r))
    ue.wait_event("registered", ue=0)
    ue.wait_event("registered", ue=1)
    tap.eq((ue.status(ue=0)["state"], ue.status(ue=1)["state"]), ("registered", "registered"),
           "both registered")
    ue.send("1:deregister all")
    d = p.wait_request(method="REGISTER")
    tap.eq(uri_of(d.hdr("To")), impus[1], "deregistration of the second UE only")
    p.respond(d, 200, "OK")
    ue.wait_event("deregistered", ue=1)
    tap.eq((ue.status(ue=0)["state"], ue.status(ue=1)["state"]),
           ("registered", "deregistered"), "the first stays registered")
    tap.eq(ue.close(), 0, "driver exits cleanly")


if __name__ == "__main__":
    run(Tap(), body)
