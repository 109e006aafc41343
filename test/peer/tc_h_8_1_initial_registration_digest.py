#!/usr/bin/env python3
"""TS 34.229-1 H.8.1 (fixed broadband, SIP digest without TLS): initial
REGISTER with an empty digest Authorization, 401 MD5 with qop=auth, response
with cnonce and nc, rspauth checked on the 200's Authentication-Info,
nextnonce adopted for the reregistration with nc counted up (24.229
5.1.1.5.4, 5.1.1.4.3). A wrong rspauth fails the registration."""
from sippeer import *

PASSWORD = "s3cret-pass"


def rspauth(a, password=PASSWORD):
    return digest_response(IMPI, a["realm"], password.encode(), "", a["uri"], a["nonce"],
                           a.get("qop"), a.get("nc"), a.get("cnonce"))


def body(tap):
    p = Peer()
    ue = UE(tap, [p.port], auth="digest", password=PASSWORD, expires=4)
    r1 = p.wait_request(method="REGISTER")
    a = r1.auth()
    tap.eq((a.get("username"), a.get("realm"), a.get("nonce"), a.get("response")),
           (IMPI, DOMAIN, "", ""), "initial Authorization: empty nonce and response")
    tap.ok(not r1.has("Security-Client"), "no RFC 3329 headers with digest without TLS")
    p.respond(r1, 401, "Unauthorized", [(
        "WWW-Authenticate",
        'Digest realm="%s", nonce="n0nce1", algorithm=MD5, qop="auth", opaque="0paque"' %
        DOMAIN)])
    r2 = p.wait_request(method="REGISTER")
    a = r2.auth()
    tap.eq(r2.call_id(), r1.call_id(), "same Call-ID as the 401")
    tap.eq(a.get("nonce"), "n0nce1", "nonce from the challenge")
    tap.eq(a.get("opaque"), "0paque", "opaque echoed")
    tap.eq(a.get("qop"), "auth", "qop=auth")
    tap.eq(a.get("nc"), "00000001", "nc=00000001")
    tap.ok(bool(a.get("cnonce")), "cnonce present")
    want = digest_response(IMPI, DOMAIN, PASSWORD.encode(), "REGISTER", a["uri"], "n0nce1",
                           "auth", a.get("nc"), a.get("cnonce"))
    tap.eq(a.get("response"), want, "RFC 2617 response")
    info = 'qop=auth, rspauth="%s", cnonce="%s", nc=%s, nextnonce="n0nce2"' % (
        rspauth(a), a["cnonce"], a["nc"])
    p.respond(r2, 200, "OK", ok_headers(r2, 4, [("Authentication-Info", info)]))
    ue.wait_event("registered")
    tap.ok("rspauth verified" in ue.log(), "rspauth verified (log)")
    r3 = p.wait_request(4, method="REGISTER")
    a3 = r3.auth()
    tap.eq(a3.get("nonce"), "n0nce2", "reregistration uses nextnonce")
    tap.eq(r3.call_id(), r1.call_id(), "reregistration: same Call-ID")
    tap.eq(a3.get("nc"), "00000001", "nc restarts at 1 with the new nonce")
    want = digest_response(IMPI, DOMAIN, PASSWORD.encode(), "REGISTER", a3["uri"], "n0nce2",
                           "auth", a3.get("nc"), a3.get("cnonce"))
    tap.eq(a3.get("response"), want, "reregistration response")
    p.respond(r3, 200, "OK", ok_headers(r3, 4))
    ue.wait_event("reregistered")
    r4 = p.wait_request(4, method="REGISTER")
    tap.eq((r4.auth().get("nonce"), r4.auth().get("nc")), ("n0nce2", "00000002"),
           "next reregistration: same nonce, nc 2")
    p.respond(r4, 200, "OK", ok_headers(r4, 600))
    ue.wait_event("reregistered")
    tap.eq(ue.close(), 0, "driver exits cleanly")

    # A wrong rspauth: the network is not authenticated.
    p2 = Peer()
    ue2 = UE(tap, [p2.port], auth="digest", password=PASSWORD)
    r1 = p2.wait_request(method="REGISTER")
    p2.respond(r1, 401, "Unauthorized", [(
        "WWW-Authenticate", 'Digest realm="%s", nonce="abc", algorithm=MD5, qop="auth"' %
        DOMAIN)])
    r2 = p2.wait_request(method="REGISTER")
    a = r2.auth()
    bad = 'qop=auth, rspauth="%s", cnonce="%s", nc=%s' % ("0" * 32, a["cnonce"], a["nc"])
    p2.respond(r2, 200, "OK", ok_headers(r2, 600, [("Authentication-Info", bad)]))
    ev = ue2.wait_event("auth-failed")
    tap.ok("rspauth" in (ev.get("reason") or ""), "bad rspauth: auth-failed", ev)
    st = ue2.status()
    tap.eq(st["state"], "failed", "bad rspauth: state failed")
    tap.eq(ue2.close(), 0, "driver exits cleanly")


if __name__ == "__main__":
    run(Tap(), body)
