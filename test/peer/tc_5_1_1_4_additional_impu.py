#!/usr/bin/env python3
"""TS 24.229 5.1.1.4.1: registration of additional public user identities.
The configuration lists four IMPUs. The first registers (IMS AKA); the 200
(OK) carries two IMPUs in P-Associated-URI, the first IMPU and a tel URI,
so the tel URI is implicitly registered and gets no REGISTER. The two others
are registered one after the other with their own REGISTER (From/To the
IMPU, same Call-ID, CSeq + 1, same Contact, last nonce and response,
5.1.1.4.2); a barred one is refused (403) and reported. The additional IMPU
is refreshed on its own timer and re-authenticated on a 401, deregistered
alone (5.1.1.6.1), registered again with `register`, and deregistered with
the first one at shutdown."""
from sippeer import *

IMPU2 = "sip:alice.work@" + DOMAIN
TEL = "tel:+15551234567"
BARRED = "sip:barred@" + DOMAIN


def wait_event_for(ue, name, impu, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TestFailure("no %s event for %s" % (name, impu))
        d = ue.wait_event(name, left)
        if d.get("impu") == impu:
            return d


def by_impu(st):
    return {e["impu"]: e for e in st.get("impus", [])}


def body(tap):
    p = Peer()
    ue = UE(tap, [p.port], impus=(IMPU2, TEL, BARRED))
    aka = AKA()
    r1, r2, v = register_aka(tap, p, ue, aka)   # P-Associated-URI: IMPU, tel URI

    x1 = p.wait_request(method="REGISTER")
    tap.eq((uri_of(x1.hdr("From")), uri_of(x1.hdr("To"))), (IMPU2, IMPU2),
           "additional IMPU: From and To are the additional IMPU")
    tap.eq(x1.uri, "sip:" + DOMAIN, "additional IMPU: Request-URI is the home domain")
    tap.eq((x1.call_id(), x1.cseq()), (r1.call_id(), r2.cseq() + 1),
           "additional IMPU: same Call-ID, CSeq + 1")
    tap.eq(uri_of(x1.all("Contact")[0]), uri_of(r2.all("Contact")[0]),
           "additional IMPU: the same contact address")
    tap.eq(params(x1.all("Contact")[0]).get("+sip.instance"), "<%s>" % INSTANCE,
           "additional IMPU: +sip.instance")
    tap.eq(x1.expires(), 600000, "additional IMPU: expires 600000")
    a = x1.auth() or {}
    tap.eq((a.get("nonce"), a.get("response")), (v["nonce"], r2.auth().get("response")),
           "additional IMPU: last nonce and last response (5.1.1.4.2)")
    p.respond(x1, 200, "OK", [("Contact", "%s;expires=4" % x1.all("Contact")[0]),
                              ("P-Associated-URI", "<%s>" % IMPU2)])
    ev = wait_event_for(ue, "registered", IMPU2)
    tap.eq(ev.get("expires"), 4, "registered event for the additional IMPU")

    xb = p.wait_request(method="REGISTER")
    tap.eq(uri_of(xb.hdr("To")), BARRED, "the next additional IMPU is registered after the first")
    tap.eq(xb.cseq(), x1.cseq() + 1, "CSeq + 1 again")
    p.respond(xb, 403, "Forbidden")
    ev = wait_event_for(ue, "error", BARRED)
    tap.ok("403" in (ev.get("reason") or ""), "barred IMPU: error event with the 403", ev)

    st = ue.status()
    im = by_impu(st)
    tap.eq(st["impu"], IMPU, "status: impu is the first IMPU")
    tap.eq(st["associated_uris"], [IMPU, TEL], "status: associated_uris of the first IMPU")
    tap.eq([e["impu"] for e in st["impus"]], [IMPU, IMPU2, TEL, BARRED],
           "status: impus lists every configured IMPU, first one first")
    tap.eq([im[u]["state"] for u in (IMPU, IMPU2, TEL, BARRED)],
           ["registered", "registered", "implicit", "failed"],
           "status: registered, registered, implicit (in P-Associated-URI), failed (barred)")
    tap.eq(im[IMPU2]["associated_uris"], [IMPU2], "status: the additional IMPU's associated URIs")
    tap.ok(im[IMPU2]["expires_in_s"] is not None and im[IMPU2]["expires_in_s"] <= 4,
           "status: the additional IMPU's own expiry", im[IMPU2])
    tap.ok("403" in (im[BARRED]["last_error"] or ""), "status: barred IMPU last_error", im[BARRED])

    # Its own refresh at half of 4 s, re-authenticated on a 401 (5.1.1.5.1).
    x2 = p.wait_request(4, method="REGISTER")
    tap.eq(uri_of(x2.hdr("To")), IMPU2, "the additional IMPU is refreshed on its own timer")
    tap.eq(x2.call_id(), r1.call_id(), "refresh: same Call-ID")
    tap.ok(x2.time - x1.time > 1.5, "refresh after about half of the 4 s granted",
           x2.time - x1.time)
    v2 = aka.vector()
    p.respond(x2, 401, "Unauthorized", [www_aka(v2)])
    x3 = p.wait_request(method="REGISTER")
    tap.eq(uri_of(x3.hdr("To")), IMPU2, "challenged refresh repeated for the additional IMPU")
    check_aka_response(tap, x3, v2, x2, "additional IMPU after 401")
    p.respond(x3, 200, "OK", [("Contact", "%s;expires=600" % x3.all("Contact")[0]),
                              ("P-Associated-URI", "<%s>" % IMPU2)])
    wait_event_for(ue, "reregistered", IMPU2)
    ok, extra = p.no_request(0.3)
    tap.ok(ok, "the first IMPU is not re-registered by the additional one's refresh",
           extra and extra.raw)

    # Deregistration of the implicitly registered IMPU alone is refused.
    ue.send("deregister " + TEL)
    tap.eq(ue.wait_reply("ok").get("reply"), "error", "deregister of an implicit IMPU refused")

    # Deregistration of the additional IMPU alone (5.1.1.6.1).
    ue.send("deregister " + IMPU2)
    tap.eq(ue.wait_reply("ok").get("reply"), "ok", "deregister of the additional IMPU accepted")
    d = p.wait_request(method="REGISTER")
    tap.eq(uri_of(d.hdr("To")), IMPU2, "de-REGISTER: To is the additional IMPU")
    tap.eq(d.expires(), 0, "de-REGISTER: expiry 0")
    tap.eq(uri_of(d.all("Contact")[0]), uri_of(r2.all("Contact")[0]), "de-REGISTER: our contact")
    tap.eq(d.auth().get("nonce"), v2["nonce"], "de-REGISTER: the latest nonce")
    p.respond(d, 200, "OK")
    ev = wait_event_for(ue, "deregistered", IMPU2)
    tap.eq(ev.get("reason"), "user", "deregistered event for the additional IMPU, reason user")
    im = by_impu(ue.status())
    tap.eq((im[IMPU]["state"], im[IMPU2]["state"]), ("registered", "deregistered"),
           "status: the first IMPU stays registered")
    ok, extra = p.no_request(0.3)
    tap.ok(ok, "nothing else sent after the additional IMPU's deregistration",
           extra and extra.raw)

    # register: the additional IMPUs are registered again.
    ue.send("register")
    x4 = p.wait_request(method="REGISTER")
    tap.eq(uri_of(x4.hdr("To")), IMPU2, "register: the additional IMPU registers again")
    p.respond(x4, 200, "OK", [("Contact", "%s;expires=600" % x4.all("Contact")[0])])
    wait_event_for(ue, "registered", IMPU2)
    xb2 = p.wait_request(method="REGISTER")
    tap.eq(uri_of(xb2.hdr("To")), BARRED, "register: the failed one is tried again")
    p.respond(xb2, 403, "Forbidden")
    wait_event_for(ue, "error", BARRED)

    # Shutdown deregisters the first and the additional IMPU.
    ue.send("shutdown 5000")
    got = {}
    for _ in range(2):
        d = p.wait_request(method="REGISTER")
        got[uri_of(d.hdr("To"))] = d
        p.respond(d, 200, "OK")
    tap.eq(sorted(got), sorted([IMPU, IMPU2]), "shutdown: both registered IMPUs deregistered")
    tap.ok(all(d.expires() == 0 for d in got.values()), "shutdown: expiry 0 on both")
    ue.wait_reply("shutdown-done")
    tap.eq(ue.close(), 0, "driver exits cleanly")
    tr = [t for t in ue.transitions() if "extra IMPU " + IMPU2 in t]
    tap.eq(tr[:4], ["extra IMPU %s: deregistered --first-registered--> registering" % IMPU2,
                    "extra IMPU %s: registering --send--> registering" % IMPU2,
                    "extra IMPU %s: registering --2xx--> registered" % IMPU2,
                    "extra IMPU %s: registered --reregistration-timer--> registering" % IMPU2],
           "transition log of the additional IMPU (golden, start)")


if __name__ == "__main__":
    run(Tap(), body)
