#!/usr/bin/env python3
"""SIP digest with TLS, 5.1.1.5.6: a 401 without Security-Server, or whose
Security-Server does not list "tls", makes the UE abandon the authentication and send
a new (unprotected, unanswered) REGISTER; a second such 401 in a row is a failure
with an "error" event and backoff, so a P-CSCF without tls cannot make the UE loop.
No challenge response is ever sent, in plaintext or otherwise. A later 401 with tls
proceeds over TLS."""
from sippeer import *
from tlspeer import *


def body(tap):
    ca = TestCA()
    cert, key = ca.server("good")
    p = TlsPeer(cert, key)
    ue = tls_ue(tap, p, ca.ca_file())
    r1 = p.wait_request(method="REGISTER")
    challenge_tls(p, r1, sec_server=None)
    r2 = p.wait_request(method="REGISTER")
    tap.eq(r2.transport, "udp", "no Security-Server: new REGISTER, unprotected")
    tap.eq(r2.auth().get("response"), "", "no Security-Server: no challenge response")
    tap.ok(not r2.has("Security-Verify"), "no Security-Server: no Security-Verify")
    tap.eq(r2.all("Security-Client"), ["tls"], "new REGISTER offers tls again")
    ev = ue.wait_event("error")
    tap.ok("no Security-Server" in (ev.get("reason") or ""), "error event: no Security-Server",
           ev)
    challenge_tls(p, r2, sec_server="ipsec-3gpp;alg=hmac-sha-1-96;spi-c=1000;spi-s=1001;"
                  "port-c=5100;port-s=5101")
    ev = ue.wait_event("error")
    tap.ok('no "tls" in Security-Server' in (ev.get("reason") or ""),
           "second 401 without tls: error event", ev)
    ok, extra = p.no_request(1.0)
    tap.ok(ok, "second 401 without tls: nothing more sent (backoff)", extra and extra.raw)
    st = ue.status()
    tap.eq(st.get("state"), "backoff", "state backoff")
    tap.ok("authentication abandoned" in (st.get("last_error") or ""), "last_error", st)
    tap.eq(p.handshakes, 0, "no TLS session was set up")
    tap.eq(ue.close(), 0, "driver exits cleanly")

    # Abandon once, then a 401 with tls: the registration proceeds over TLS.
    ue = tls_ue(tap, p, ca.ca_file())
    r1 = p.wait_request(method="REGISTER")
    challenge_tls(p, r1, sec_server="digest;d-alg=md5")
    r2 = p.wait_request(method="REGISTER")
    tap.eq((r2.transport, r2.auth().get("response")), ("udp", ""),
           "Security-Server without tls: new unprotected REGISTER")
    challenge_tls(p, r2)
    r3 = p.wait_request(method="REGISTER")
    tap.eq(r3.transport, "tls", "then a 401 with tls: challenged REGISTER over TLS")
    tap.eq(r3.call_id(), r2.call_id(), "Call-ID of the answered 401")
    tap.eq(r3.all("Security-Verify"), ["tls;q=0.1"], "Security-Verify")
    p.respond(r3, 200, "OK", ok_headers(r3))
    ue.wait_event("registered")
    tap.eq(ue.close(), 0, "driver exits cleanly")
    p.close()
    ca.close()


if __name__ == "__main__":
    run(Tap(), body)
