#!/usr/bin/env python3
"""SIP digest with TLS (TS 24.229 5.1.1.4.4, 5.1.1.5.6, 5.1.1.6.4; doc/tls.md): the
initial REGISTER offers "tls" in Security-Client over UDP; after a 401 whose
Security-Server lists tls, the UE verifies the P-CSCF's certificate (test CA made now
with the openssl CLI, subjectAltName IP:127.0.0.1) and sends the challenged REGISTER,
the reregistration and the deregistration over one TLS session to the protected port,
each with the same Security-Client and a Security-Verify mirroring Security-Server. A
session the P-CSCF dropped leads to a new initial registration (5.1.1.5.7)."""
from sippeer import *
from tlspeer import *


def body(tap):
    ca = TestCA()
    cert, key = ca.server("good")
    p = TlsPeer(cert, key)
    ue = tls_ue(tap, p, ca.ca_file(), expires=4)
    r1 = p.wait_request(method="REGISTER")
    tap.eq(r1.transport, "udp", "initial REGISTER unprotected (UDP)")
    tap.eq(r1.all("Security-Client"), ["tls"], "Security-Client: tls")
    tap.ok("sec-agree" in r1.all("Require") and "sec-agree" in r1.all("Proxy-Require"),
           "Require and Proxy-Require: sec-agree")
    tap.ok(not r1.has("Security-Verify"), "no Security-Verify before a 401")
    tap.eq((r1.auth().get("nonce"), r1.auth().get("response")), ("", ""),
           "initial Authorization: empty nonce and response")
    challenge_tls(p, r1, sec_server="tls;q=0.1, digest;d-alg=md5")
    r2 = p.wait_request(method="REGISTER")
    tap.eq(r2.transport, "tls", "challenged REGISTER over TLS to the protected port")
    # The UE's own verification probe, then the session that carries SIP.
    tap.eq(p.handshakes, 2, "probe + one TLS session")
    tap.eq(r2.call_id(), r1.call_id(), "same Call-ID as the 401")
    tap.eq(r2.all("Security-Client"), r1.all("Security-Client"), "same Security-Client")
    tap.eq(r2.all("Security-Verify"), ["tls;q=0.1", "digest;d-alg=md5"],
           "Security-Verify mirrors Security-Server")
    a = r2.auth()
    want = digest_response(IMPI, DOMAIN, PASSWORD.encode(), "REGISTER", a["uri"], "tlsnonce1",
                           "auth", a.get("nc"), a.get("cnonce"))
    tap.eq(a.get("response"), want, "digest response")
    tap.ok(params(r2.all("Via")[0]) is not None and "TLS" in r2.all("Via")[0].split()[0],
           "Via says TLS", r2.all("Via")[0])
    p.respond(r2, 200, "OK", ok_headers(r2, 4))
    ev = ue.wait_event("registered")
    tap.eq(ev.get("state"), "registered", "registered over TLS")

    r3 = p.wait_request(4, method="REGISTER")
    tap.ok(r3.transport == "tls" and r3.conn is r2.conn and p.handshakes == 2,
           "reregistration over the same session", (r3.transport, p.handshakes))
    tap.eq(r3.all("Security-Verify"), ["tls;q=0.1", "digest;d-alg=md5"],
           "reregistration: Security-Verify")
    tap.eq(r3.all("Security-Client"), ["tls"], "reregistration: Security-Client")
    p.respond(r3, 200, "OK", ok_headers(r3, 4))
    ue.wait_event("reregistered")

    # The P-CSCF loses the session: the next refresh is a new initial registration.
    p.drop_tls()
    r4 = p.wait_request(5, method="REGISTER")
    tap.eq(r4.transport, "udp", "session lost: new initial REGISTER, unprotected")
    tap.ok(r4.call_id() != r1.call_id(), "session lost: new Call-ID")
    tap.eq(r4.auth().get("response"), "", "session lost: empty response")
    tap.ok("TLS session" in (ue.log()), "session loss logged")
    challenge_tls(p, r4, nonce="tlsnonce2")
    r5 = p.wait_request(method="REGISTER")
    tap.eq((r5.transport, p.handshakes), ("tls", 4), "new TLS session after the loss")
    p.respond(r5, 200, "OK", ok_headers(r5, 600))
    ue.wait_event("registered")

    # Deregistration over TLS (5.1.1.6.4).
    ue.send("deregister " + IMPU)
    tap.eq(ue.wait_reply("ok").get("reply"), "ok", "deregister accepted")
    d = p.wait_request(method="REGISTER")
    tap.ok(d.transport == "tls" and d.conn is r5.conn, "de-REGISTER over the TLS session")
    tap.eq(d.expires(), 0, "de-REGISTER: expiry 0")
    tap.eq(d.all("Security-Client"), ["tls"], "de-REGISTER: Security-Client")
    tap.eq(d.all("Security-Verify"), ["tls;q=0.1"], "de-REGISTER: Security-Verify")
    tap.eq(d.auth().get("nonce"), "tlsnonce2", "de-REGISTER: stored nonce")
    p.respond(d, 200, "OK")
    ev = ue.wait_event("deregistered")
    tap.eq(ev.get("reason"), "user", "deregistered")
    p.no_request(0.5)
    tap.ok(d.conn not in p.conns, "TLS session closed after the deregistration (5.1.1.6.1)")
    tap.eq(ue.close(), 0, "driver exits cleanly")
    tap.ok(p.handshake_failures == 0, "no failed handshakes", p.handshake_errors)
    p.close()
    ca.close()


if __name__ == "__main__":
    run(Tap(), body)
