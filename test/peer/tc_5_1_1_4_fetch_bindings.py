#!/usr/bin/env python3
"""TS 24.229 5.1.1.4.1 / RFC 3261 10.2.3: fetching bindings. Once registered,
the `bindings` command sends a REGISTER that is a reregistration without a
Contact header field (and without Expires): To/From the IMPU, same Call-ID,
CSeq + 1, the last nonce and response (5.1.1.4.2). Every binding of the
200 (OK) is reported in the "bindings" event (URI, expiry, instance). A 401
to the fetch is answered (re-authentication, still without Contact); the
registration itself is not changed by a fetch."""
from sippeer import *

OTHER = "<sip:other@198.51.100.7:5060>;expires=77"


def body(tap):
    p = Peer()
    ue = UE(tap, [p.port])
    ue.send("bindings")
    r = ue.wait_reply("ok")
    tap.eq(r.get("reply"), "error", "bindings refused while not registered")
    aka = AKA()
    r1, r2, v = register_aka(tap, p, ue, aka)

    ue.send("bindings")
    tap.eq(ue.wait_reply("ok").get("reply"), "ok", "bindings command accepted")
    f = p.wait_request(method="REGISTER")
    tap.ok(not f.has("Contact"), "fetch: no Contact header field", f.raw)
    tap.ok(not f.has("Expires"), "fetch: no Expires header field")
    tap.eq((uri_of(f.hdr("From")), uri_of(f.hdr("To"))), (IMPU, IMPU), "fetch: From/To the IMPU")
    tap.eq((f.call_id(), f.cseq()), (r1.call_id(), r2.cseq() + 1), "fetch: same Call-ID, CSeq + 1")
    tap.eq((f.auth().get("nonce"), f.auth().get("response")), (v["nonce"], r2.auth()["response"]),
           "fetch: last nonce and response")
    mine = r2.all("Contact")[0]
    p.respond(f, 200, "OK", [("Contact", "%s;expires=500, %s" % (mine, OTHER)),
                             ("P-Associated-URI", "<%s>" % IMPU)])
    ev = ue.wait_event("bindings")
    b = ev.get("bindings", [])
    tap.eq(ev.get("total"), 2, "bindings event: two bindings")
    tap.eq([x.get("uri") for x in b], [uri_of(mine), "sip:other@198.51.100.7:5060"],
           "bindings event: the URIs")
    tap.eq([x.get("expires") for x in b], [500, 77], "bindings event: the expiries")
    tap.eq([x.get("instance") for x in b], [INSTANCE, None], "bindings event: the instances")
    st = ue.status()
    tap.eq(st["state"], "registered", "the registration is unchanged by the fetch")
    tap.ok(st["expires_in_s"] > 599000, "expiry not taken from the fetch", st["expires_in_s"])

    # A 401 to the fetch: re-authentication, still without Contact.
    ue.send("bindings")
    ue.wait_reply("ok")
    f2 = p.wait_request(method="REGISTER")
    v2 = aka.vector()
    p.respond(f2, 401, "Unauthorized", [www_aka(v2)])
    f3 = p.wait_request(method="REGISTER")
    tap.ok(not f3.has("Contact"), "challenged fetch repeated without Contact")
    check_aka_response(tap, f3, v2, f2, "fetch after 401")
    p.respond(f3, 200, "OK", [("Contact", mine + ";expires=400")])
    ev = ue.wait_event("bindings")
    tap.eq([x.get("expires") for x in ev.get("bindings", [])], [400], "second fetch: one binding")

    # The next reregistration uses the nonce of the re-authentication.
    ue.send("deregister " + IMPU)
    ue.wait_reply("ok")
    d = p.wait_request(method="REGISTER")
    tap.eq(d.auth().get("nonce"), v2["nonce"], "de-REGISTER: the nonce of the last challenge")
    tap.eq(d.auth().get("response"), f3.auth().get("response"), "de-REGISTER: the last response")
    p.respond(d, 200, "OK")
    ue.wait_event("deregistered")
    tap.eq(ue.close(), 0, "driver exits cleanly")


if __name__ == "__main__":
    run(Tap(), body)
