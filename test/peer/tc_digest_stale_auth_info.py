#!/usr/bin/env python3
"""SIP digest (24.229 5.1.1.5.4): a 401 with stale=true (RFC 7616 3.3) is
answered with the new nonce without counting as a failed attempt; an
Authentication-Info whose cnonce or nc is not that of our request (RFC 2617
3.2.3) fails the registration like a wrong rspauth."""
from sippeer import *

PASSWORD = "stale-pass"


def www(nonce, stale=False):
    s = 'Digest realm="%s", nonce="%s", algorithm=MD5, qop="auth"' % (DOMAIN, nonce)
    if stale:
        s += ", stale=true"
    return ("WWW-Authenticate", s)


def rspauth(a):
    return digest_response(IMPI, a["realm"], PASSWORD.encode(), "", a["uri"], a["nonce"],
                           a.get("qop"), a.get("nc"), a.get("cnonce"))


def body(tap):
    p = Peer()
    ue = UE(tap, [p.port], auth="digest", password=PASSWORD)
    r = p.wait_request(method="REGISTER")
    p.respond(r, 401, "Unauthorized", [www("first")])
    # Three stale challenges in a row: more than the three answered
    # challenges allowed when they are not stale.
    prev = "first"
    for nonce in ("stale1", "stale2", "stale3", None):
        r = p.wait_request(method="REGISTER")
        a = r.auth()
        tap.eq(a.get("nonce"), prev, "REGISTER answers nonce %s" % prev)
        want = digest_response(IMPI, DOMAIN, PASSWORD.encode(), "REGISTER", a["uri"], prev,
                               "auth", a.get("nc"), a.get("cnonce"))
        tap.eq(a.get("response"), want, "response to nonce %s computed with the password" % prev)
        if nonce is None:
            break
        p.respond(r, 401, "Unauthorized", [www(nonce, stale=True)])
        prev = nonce
    a = r.auth()
    p.respond(r, 200, "OK", ok_headers(r, 600, [(
        "Authentication-Info", 'qop=auth, rspauth="%s", cnonce="%s", nc=%s' % (
            rspauth(a), a["cnonce"], a["nc"]))]))
    ue.wait_event("registered")
    tap.ok(ue.log().count("stale nonce: answering the new one") == 3,
           "three stale challenges answered without counting (log)")
    tap.ok("rspauth verified" in ue.log(), "rspauth verified after the stale nonces")
    tap.eq(ue.close(), 0, "driver exits cleanly")

    # Authentication-Info with a cnonce that is not ours.
    for what in ("cnonce", "nc"):
        p2 = Peer()
        ue2 = UE(tap, [p2.port], auth="digest", password=PASSWORD)
        r1 = p2.wait_request(method="REGISTER")
        p2.respond(r1, 401, "Unauthorized", [www("n1")])
        r2 = p2.wait_request(method="REGISTER")
        a = dict(r2.auth())
        good = rspauth(a)
        if what == "cnonce":
            a["cnonce"] = "not-" + a["cnonce"]
        else:
            a["nc"] = "00000002"
        info = 'qop=auth, rspauth="%s", cnonce="%s", nc=%s' % (good, a["cnonce"], a["nc"])
        p2.respond(r2, 200, "OK", ok_headers(r2, 600, [("Authentication-Info", info)]))
        ev = ue2.wait_event("auth-failed")
        tap.ok("cnonce/nc" in (ev.get("reason") or ""),
               "Authentication-Info with another %s: auth-failed" % what, ev)
        tap.eq(ue2.status()["state"], "failed", "another %s: state failed" % what)
        tap.eq(ue2.close(), 0, "driver exits cleanly")
        p2.close()


if __name__ == "__main__":
    run(Tap(), body)
