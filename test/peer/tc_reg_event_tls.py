#!/usr/bin/env python3
"""Reg event over the TLS session of sec-agree (TS 24.229 5.1.1.3 with 5.1.1.2.1/5.1.1.5.6;
TS 34.229-1 A.1.4): the SUBSCRIBE goes over the same TLS session as the protected REGISTER,
with Security-Verify mirroring Security-Server, Require/Proxy-Require: sec-agree and
P-Access-Network-Info (a protected request); the NOTIFY
comes back over that session and is answered 200; the unsubscribe also goes over it. A
network-initiated deregistration closes the TLS session (5.1.1.7)."""
from sippeer import *
from tlspeer import *

PANI = "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=00101000100019B"


def body(tap):
    ca = TestCA()
    cert, key = ca.server("good")
    p = TlsPeer(cert, key)
    p.auto_subscribe = False
    ue = tls_ue(tap, p, ca.ca_file(), extra="pani = %s\n" % PANI)
    r1 = p.wait_request(method="REGISTER")
    challenge_tls(p, r1, sec_server="tls;q=0.1, digest;d-alg=md5")
    r2 = p.wait_request(method="REGISTER")
    tap.eq(r2.transport, "tls", "challenged REGISTER over TLS")
    p.respond(r2, 200, "OK", ok_headers(r2))
    ue.wait_event("registered")
    sub = p.wait_request(method="SUBSCRIBE")
    tap.ok(sub.transport == "tls" and sub.conn is r2.conn, "SUBSCRIBE over the TLS session",
           sub.transport)
    tap.eq(sub.all("Security-Verify"), ["tls;q=0.1", "digest;d-alg=md5"],
           "SUBSCRIBE: Security-Verify mirrors Security-Server")
    tap.ok("sec-agree" in sub.all("Require") and "sec-agree" in sub.all("Proxy-Require"),
           "SUBSCRIBE: Require and Proxy-Require sec-agree")
    tap.ok(not sub.has("Security-Client"), "SUBSCRIBE: no Security-Client")
    tap.eq(sub.hdr("P-Access-Network-Info"), PANI, "SUBSCRIBE: P-Access-Network-Info")
    tap.ok("transport=tls" in sub.all("Route")[0], "SUBSCRIBE: P-CSCF Route with transport=tls",
           sub.all("Route"))
    d = RegEventDialog(p, sub)
    contact = uri_of(r2.all("Contact")[0])
    tap.eq(d.notify(reginfo(0, [(IMPU, "active", [(contact, "active", "registered", 600000,
                                                   INSTANCE)])])), 200,
           "NOTIFY over the TLS session answered 200")
    tap.eq(ue.status()["reg_event"]["state"], "active", "subscribed")
    ue.send("deregister " + IMPU)
    uns = p.wait_request(method="SUBSCRIBE")
    tap.ok(uns.transport == "tls" and uns.hdr("Expires") == "0",
           "unsubscribe over the TLS session", uns.transport)
    p.respond(uns, 200, "OK", [("Expires", "0")])
    dr = p.wait_request(method="REGISTER")
    tap.eq(dr.expires(), 0, "then the de-REGISTER")
    p.respond(dr, 200, "OK")
    ue.wait_event("deregistered")

    # Registered again, then deregistered by the network: the TLS session goes (5.1.1.7).
    ue.send("register")
    r1 = p.wait_request(method="REGISTER")
    challenge_tls(p, r1, nonce="tlsnonce2", sec_server="tls;q=0.1")
    r2 = p.wait_request(method="REGISTER")
    p.respond(r2, 200, "OK", ok_headers(r2))
    ue.wait_event("registered")
    sub = p.wait_request(method="SUBSCRIBE")
    tap.eq(sub.transport, "tls", "second SUBSCRIBE over TLS")
    d = RegEventDialog(p, sub)
    tap.eq(d.notify(reginfo(0, [(IMPU, "terminated", [])])), 200,
           "terminated NOTIFY over TLS answered 200")
    ev = ue.wait_event("deregistered")
    tap.eq(ev.get("reason"), "network: terminated", "deregistered by the network")
    p.no_request(0.5)
    tap.ok(sub.conn not in p.conns, "TLS session closed after the network deregistration")
    tap.eq(ue.close(), 0, "driver exits cleanly")
    p.close()
    ca.close()


if __name__ == "__main__":
    run(Tap(), body)
