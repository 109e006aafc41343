#!/usr/bin/env python3
"""TS 34.229-1 8.1 (without IPsec, security = none): initial registration with
IMS AKA over UDP, the 200 (OK) contents (expiry of our binding among others, P-Associated-URI,
Service-Route, Path, GRUUs, Feature-Caps), then deregistration at shutdown
(24.229 5.1.1.2, 5.1.1.5.1, 5.1.1.6)."""
from sippeer import *

PUB_GRUU = "sip:%s;gr=urn:gsma:imei:49015420-323751-0" % IMPU[4:]
TEMP_GRUU = "sip:tgruu.7hs==jd7vnzga5w7fajsc7-ajd6fabz0f8g5@%s;gr" % DOMAIN
FCAPS = '*;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"'


def body(tap):
    p = Peer()
    ue = UE(tap, [p.port])
    aka = AKA()
    r1 = p.wait_request(method="REGISTER")
    check_initial_register(tap, r1)
    a = r1.auth()
    tap.ok(a is not None, "initial REGISTER carries Authorization")
    tap.eq((a["username"], a["realm"], a["uri"], a["nonce"], a["response"]),
           (IMPI, DOMAIN, "sip:" + DOMAIN, "", ""),
           "Authorization: username=IMPI realm=domain uri nonce=\"\" response=\"\"")
    tap.ok(not r1.has("Security-Client") and not r1.has("Require"),
           "security = none: no sec-agree headers")
    tap.ok(not r1.has("P-Access-Network-Info"), "no P-Access-Network-Info when unprotected")
    v = aka.vector()
    p.respond(r1, 401, "Unauthorized", [www_aka(v, opaque="op4que")])
    r2 = p.wait_request(method="REGISTER")
    check_aka_response(tap, r2, v, r1, "REGISTER with RES")
    tap.eq(r2.auth().get("opaque"), "op4que", "opaque echoed")
    tap.eq(params(r2.all("Contact")[0]).get("+sip.instance"), "<%s>" % INSTANCE,
           "same Contact instance on the authenticated REGISTER")
    # 200 (OK): another device's binding first (its expiry must not be
    # taken), ours with pub-gruu/temp-gruu, Feature-Caps.
    hdrs = ok_headers(r2, 600000, [("Feature-Caps", FCAPS)])
    hdrs[0] = ("Contact", "<sip:other@198.51.100.7:5060>;expires=100, %s;pub-gruu=\"%s\";"
               "temp-gruu=\"%s\"" % (hdrs[0][1], PUB_GRUU, TEMP_GRUU))
    p.respond(r2, 200, "OK", hdrs)
    ev = ue.wait_event("registered")
    tap.eq(ev.get("impu"), IMPU, "registered event names the IMPU")
    st = ue.status()
    tap.eq(st["state"], "registered", "status: registered")
    tap.eq(st["associated_uris"], [IMPU, "tel:+15551234567"],
           "status: P-Associated-URI stored, default IMPU first")
    tap.eq(st["call_id"], r1.call_id(), "status: call_id")
    tap.ok(599990 <= st["expires_in_s"] <= 600000, "status: expires_in_s", st["expires_in_s"])
    tap.ok(599390 <= st["refresh_in_s"] <= 599400, "status: refresh 600 s before expiry",
           st["refresh_in_s"])
    tap.eq((st["security"], st["auth"], st["last_error"]), ("none", "aka", None),
           "status: security, auth, last_error")
    tap.eq(st["pcscf"], "udp:127.0.0.1:%d" % p.port, "status: pcscf")
    tap.eq((st.get("pub_gruu"), st.get("temp_gruu")), (PUB_GRUU, TEMP_GRUU),
           "status: GRUUs of our Contact stored")
    tap.eq(st.get("path"), ["sip:term@pcscf.%s;lr" % DOMAIN], "status: Path stored")
    tap.eq(st.get("feature_caps"), FCAPS, "status: Feature-Caps stored")
    tap.eq(st.get("service_route"), ["sip:orig@scscf.%s;lr" % DOMAIN],
           "status: Service-Route stored")
    ok, extra = p.no_request(0.5)
    tap.ok(ok, "nothing else sent while registered", extra and extra.raw)

    # Shutdown deregisters first (5.1.1.6): Expires 0, same Call-ID, last nonce.
    ue.send("shutdown 5000")
    r3 = p.wait_request(method="REGISTER")
    tap.eq(r3.call_id(), r1.call_id(), "de-REGISTER: same Call-ID")
    tap.eq(r3.cseq(), r2.cseq() + 1, "de-REGISTER: CSeq + 1")
    tap.eq(r3.expires(), 0, "de-REGISTER: expires 0")
    tap.eq(uri_of(r3.all("Contact")[0]), uri_of(r2.all("Contact")[0]),
           "de-REGISTER: our contact")
    tap.eq(r3.auth().get("nonce"), v["nonce"], "de-REGISTER: last nonce")
    tap.eq(r3.auth().get("response"), r2.auth().get("response"), "de-REGISTER: last response")
    p.respond(r3, 200, "OK", [("Contact", r3.all("Contact")[0])])
    ev = ue.wait_event("deregistered")
    tap.eq(ev.get("reason"), "shutdown", "deregistered event, reason shutdown")
    ue.wait_reply("shutdown-done")
    tap.eq(ue.close(), 0, "driver exits cleanly")
    tr = ue.transitions()
    tap.eq(tr, ["deregistered --start--> registering", "registering --401--> authenticating",
                "authenticating --2xx--> registered", "registered --deregister--> deregistering",
                "deregistering --2xx--> deregistered"], "transition log (golden)")


if __name__ == "__main__":
    run(Tap(), body)
