#!/usr/bin/env python3
"""SIP digest with TLS (doc/tls.md): the UE verifies the P-CSCF's certificate on its own
probe connection (sec/tls.h) and the SIP session is Sofia-SIP's; the session must
present the certificate the probe verified. Here the probe sees a good certificate and
the session another one from the same trusted CA but for other names: the UE drops
the session at the first response and reports a wrong-name error (documented limit:
that first request has already gone out over the session)."""
from sippeer import *
from tlspeer import *


def body(tap):
    ca = TestCA()
    good = ca.server("good")
    other = ca.server("other", san="DNS:other.ims.test,IP:127.0.0.1", cn="other.ims.test")
    p = TlsPeer(*good, later=other)
    ue = tls_ue(tap, p, ca.ca_file())
    r1 = p.wait_request(method="REGISTER")
    challenge_tls(p, r1)
    r2 = p.wait_request(method="REGISTER")
    tap.eq(r2.transport, "tls", "challenged REGISTER over the (other) session")
    p.respond(r2, 200, "OK", ok_headers(r2))
    ev = ue.wait_event("error")
    reason = ev.get("reason") or ""
    tap.ok("(wrong-name): the session presented a certificate" in reason and
           "other.ims.test" in reason, "error: session certificate is not the verified one",
           reason)
    ok, extra = p.no_request(1.0)
    tap.ok(ok, "nothing more sent", extra and extra.raw)
    st = ue.status()
    tap.ok(st.get("state") != "registered", "not registered", st.get("state"))
    tap.eq(ue.close(), 0, "driver exits cleanly")
    p.close()
    ca.close()


if __name__ == "__main__":
    run(Tap(), body)
