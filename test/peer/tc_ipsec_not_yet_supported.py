#!/usr/bin/env python3
"""security = ipsec-3gpp before IPsec SAs exist (issue 9): the initial
REGISTER already carries Security-Client with Require and Proxy-Require
sec-agree (24.229 5.1.1.2.1, TS 34.229-1 A.1.1 A1), and a valid challenge
stops the registration with last_error "ipsec not yet supported" instead of
sending a REGISTER that should be protected."""
from sippeer import *


def body(tap):
    p = Peer()
    ue = UE(tap, [p.port], security="ipsec-3gpp")
    r1 = p.wait_request(method="REGISTER")
    sc = r1.all("Security-Client")
    tap.ok(len(sc) >= 1 and all(s.startswith("ipsec-3gpp") for s in sc),
           "Security-Client lists ipsec-3gpp offers", sc)
    pr = params("x" + sc[0][len("ipsec-3gpp"):]) if sc else {}
    tap.ok(all(k in pr for k in ("alg", "spi-c", "spi-s", "port-c", "port-s")),
           "offers carry alg, spi-c, spi-s, port-c, port-s", pr)
    tap.eq([x.lower() for x in r1.all("Require")], ["sec-agree"], "Require: sec-agree")
    tap.eq([x.lower() for x in r1.all("Proxy-Require")], ["sec-agree"],
           "Proxy-Require: sec-agree")
    v = AKA().vector()
    p.respond(r1, 401, "Unauthorized", [www_aka(v), (
        "Security-Server", "ipsec-3gpp;q=0.9;alg=hmac-sha-1-96;ealg=null;spi-c=1111;"
        "spi-s=2222;port-c=5062;port-s=5064")])
    ue.wait_event("error")
    st = ue.status()
    tap.eq(st["state"], "failed", "state failed")
    tap.eq(st["last_error"], "ipsec not yet supported", "last_error")
    ok, extra = p.no_request(0.7)
    tap.ok(ok, "no unprotected REGISTER with the response", extra and extra.raw)
    tap.eq(ue.close(), 0, "driver exits cleanly")


if __name__ == "__main__":
    run(Tap(), body)
