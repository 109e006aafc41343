#!/usr/bin/env python3
"""Reg event subscription (TS 24.229 5.1.1.3; TS 34.229-1 8.1 steps 8-10, A.1.4-A.1.6): the
SUBSCRIBE after the 200 to the initial REGISTER (default IMPU, Event/Accept/Expires, Route =
P-CSCF + Service-Route), a full-state NOTIFY answered 200 and shown in the status, a stale
version, a partial NOTIFY deregistering an implicitly registered IMPU, another UE's contact
ending (no action), a malformed body (200, no state change), the in-dialog refresh at half of a
short expiry (route set from Record-Route, remote target from Contact), and the unsubscribe
(Expires 0) before the de-REGISTER on user deregistration (TS 34.229-1 C.30)."""
from sippeer import *

TEL = "tel:+15551234567"
OTHER = "sip:001019999999999@127.0.0.1:5099"


def body(tap):
    p = Peer()
    p.auto_subscribe = False
    ue = UE(tap, [p.port])
    r1, r2, v = register_aka(tap, p, ue)
    sub = p.wait_request(method="SUBSCRIBE")
    tap.eq(sub.uri, IMPU, "SUBSCRIBE: Request-URI is the default IMPU")
    tap.eq(uri_of(sub.hdr("From")), IMPU, "SUBSCRIBE: From is the default IMPU")
    tap.ok(";tag=" in sub.hdr("From"), "SUBSCRIBE: From has a tag")
    tap.eq(uri_of(sub.hdr("To")), IMPU, "SUBSCRIBE: To is the default IMPU")
    tap.ok(";tag=" not in sub.hdr("To"), "SUBSCRIBE: To has no tag")
    tap.eq(sub.hdr("Event"), "reg", "SUBSCRIBE: Event: reg")
    tap.eq(sub.hdr("Accept"), "application/reginfo+xml", "SUBSCRIBE: Accept")
    tap.eq(sub.hdr("Expires"), "600000", "SUBSCRIBE: Expires 600000")
    routes = sub.all("Route")
    tap.eq(len(routes), 2, "SUBSCRIBE: two Route entries", )
    tap.ok(routes and uri_of(routes[0]).startswith("sip:127.0.0.1:%d" % p.port) and
           ";lr" in routes[0], "SUBSCRIBE: first Route is the P-CSCF with lr", routes)
    tap.eq([uri_of(r) for r in routes[1:]], ["sip:orig@scscf.%s;lr" % DOMAIN],
           "SUBSCRIBE: then the Service-Route")
    tap.eq(uri_of(sub.all("Contact")[0]), uri_of(r2.all("Contact")[0]),
           "SUBSCRIBE: Contact is the registered contact")
    tap.ok(sub.call_id() != r1.call_id(), "SUBSCRIBE: its own Call-ID")
    tap.eq(sub.transport, r2.transport, "SUBSCRIBE: same transport as the REGISTER")
    tap.ok(not sub.has("Authorization"), "SUBSCRIBE: no Authorization")
    contact = uri_of(r2.all("Contact")[0])

    # 200 with a short expiry and a Record-Route, then the full state.
    d = RegEventDialog(p, sub, answer=False)
    d.accept(4, [("Record-Route", "<sip:scscf.%s;lr>" % DOMAIN),
                 ("Record-Route", "<sip:127.0.0.1:%d;lr>" % p.port)])
    t0 = time.monotonic()
    ev = ue.wait_event("reg-event")
    tap.eq((ev.get("action"), ev.get("impu")), ("subscribed", IMPU), "event: subscribed")
    full = reginfo(0, [(IMPU, "active", [(contact, "active", "registered", 600000, INSTANCE)]),
                       (TEL, "active", [(contact, "active", "created", 600000, INSTANCE),
                                        (OTHER, "active", "registered", 3600, None)])])
    tap.eq(d.notify(full), 200, "full-state NOTIFY answered 200")
    st = ue.status()
    re_ = st.get("reg_event") or {}
    tap.eq(re_.get("state"), "active", "status: reg_event active")
    tap.eq(re_.get("version"), 0, "status: version 0")
    tap.eq(re_.get("call_id"), sub.call_id(), "status: subscription Call-ID")
    tap.eq([(r["aor"], r["state"]) for r in re_.get("registrations", [])],
           [(IMPU, "active"), (TEL, "active")], "status: registrations from the NOTIFY")
    tap.eq(st["state"], "registered", "still registered")

    # Stale: version 0 again, saying we are gone: ignored.
    stale = reginfo(0, [(IMPU, "terminated", [(contact, "terminated", "rejected", 0, INSTANCE)])])
    tap.eq(d.notify(stale), 200, "stale NOTIFY answered 200")
    # Another UE's contact of the default IMPU ends: no action.
    other = reginfo(1, [(IMPU, "active", [(OTHER, "terminated", "unregistered", 0, None)])],
                    state="partial")
    tap.eq(d.notify(other), 200, "NOTIFY about another UE's contact answered 200")
    # Malformed body: 200, nothing changes.
    tap.eq(d.notify("<reginfo xmlns='urn:ietf:params:xml:ns:reginfo' version='5' "
                    "state='full'><registration"), 200, "malformed NOTIFY answered 200")
    st = ue.status()
    tap.eq((st["state"], st["reg_event"].get("version")), ("registered", 1),
           "stale, other UE and malformed NOTIFYs change nothing")
    # Partial: the implicitly registered tel URI is deregistered.
    part = reginfo(2, [(TEL, "terminated", [(contact, "terminated", "unregistered", 0,
                                             INSTANCE)])], state="partial")
    tap.eq(d.notify(part), 200, "partial NOTIFY answered 200")
    ev = ue.wait_event("deregistered")
    tap.eq((ev.get("impu"), ev.get("reason")), (TEL, "network: unregistered"),
           "deregistered event for the tel URI")
    st = ue.status()
    tap.eq(st["state"], "registered", "default IMPU stays registered")
    tap.eq([(r["aor"], r["state"]) for r in st["reg_event"]["registrations"]],
           [(IMPU, "active"), (TEL, "terminated")], "status: tel URI terminated")

    # Refresh at half of 4 s, in the dialog.
    ref = p.wait_request(5, method="SUBSCRIBE")
    dt = ref.time - t0
    tap.ok(1.5 <= dt <= 2.8, "refresh SUBSCRIBE at half of 4 s (%.2f s)" % dt)
    tap.eq(ref.call_id(), sub.call_id(), "refresh: same Call-ID")
    tap.eq(ref.cseq(), sub.cseq() + 1, "refresh: CSeq + 1")
    tap.eq(params(ref.hdr("To")).get("tag"), "scscf1", "refresh: To tag of the 200")
    tap.eq(params(ref.hdr("From")).get("tag"), params(sub.hdr("From")).get("tag"),
           "refresh: same From tag")
    tap.eq(ref.uri, "sip:scscf@127.0.0.1:%d" % p.port, "refresh: Request-URI = remote target")
    tap.eq([uri_of(r) for r in ref.all("Route")],
           ["sip:127.0.0.1:%d;lr" % p.port, "sip:scscf.%s;lr" % DOMAIN],
           "refresh: Route = Record-Route reversed")
    tap.eq(ref.hdr("Expires"), "600000", "refresh: Expires 600000")
    p.respond(ref, 200, "OK", [("Expires", "600000")])
    time.sleep(0.3)
    st = ue.status()
    tap.ok(599000 < (st["reg_event"].get("refresh_in_s") or 0) <= 599400,
           "600000 s granted: refresh 600 s before expiry", st["reg_event"])

    # User deregistration: unsubscribe first, then the de-REGISTER.
    ue.send("deregister " + IMPU)
    uns = p.wait_request(method="SUBSCRIBE")
    tap.eq(uns.hdr("Expires"), "0", "unsubscribe: Expires 0")
    tap.eq(uns.call_id(), sub.call_id(), "unsubscribe: in the dialog")
    tap.eq(uns.cseq(), ref.cseq() + 1, "unsubscribe: CSeq + 1")
    p.respond(uns, 200, "OK", [("Expires", "0")])
    tap.eq(d.notify(reginfo(3, [(IMPU, "terminated", [(contact, "terminated", "expired", 0,
                                                        INSTANCE)])]),
                    state="terminated;reason=timeout"), 200, "final NOTIFY answered 200")
    dr = p.wait_request(method="REGISTER")
    tap.eq(dr.expires(), 0, "then the de-REGISTER")
    p.respond(dr, 200, "OK", [("Contact", "%s;expires=0" % dr.all("Contact")[0])])
    ev = ue.wait_event("deregistered")
    tap.eq(ev.get("reason"), "user", "deregistered by the user")
    st = ue.status()
    tap.eq(st["reg_event"]["state"], "idle", "subscription idle after deregistration")
    ok, req = p.no_request(1.0)
    tap.ok(ok, "no SUBSCRIBE after deregistration", req and req.raw)
    tap.eq(ue.close(), 0, "driver exits cleanly")


if __name__ == "__main__":
    run(Tap(), body)
