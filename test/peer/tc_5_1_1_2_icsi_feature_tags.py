#!/usr/bin/env python3
"""TS 24.229 5.1.1.2.1 item 3 and 7.9.2: the ICSI values of config key icsi
go into the Contact of every REGISTER as the g.3gpp.icsi-ref media feature
tag (percent-encoded URNs, RFC 3840 string list), also on reregistration
and for an additional IMPU, never with Contact: * (5.1.1.6.1). Item 8: the
configured P-Access-Network-Info is not sent on unprotected requests. A
value that is not a URN stops the UE at start with a one-line reason."""
from sippeer import *

ICSI = "urn:urn-7:3gpp-service.ims.icsi.mmtel, urn:urn-7:3gpp-application.ims.iari.rcs.fthttp"
TAG = "urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel,urn%3Aurn-7%3A3gpp-application.ims.iari.rcs.fthttp"
PANI = "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=0010100010019B01"
IMPU2 = "sip:alice.work@" + DOMAIN


def body(tap):
    p = Peer()
    ue = UE(tap, [p.port], expires=4, impus=(IMPU2,),
            extra="icsi = %s\npani = %s\n" % (ICSI, PANI))
    r1 = p.wait_request(method="REGISTER")
    c = r1.all("Contact")[0]
    tap.eq(params(c).get("+g.3gpp.icsi-ref"), TAG, "initial REGISTER: g.3gpp.icsi-ref")
    tap.eq(params(c).get("+sip.instance"), "<%s>" % INSTANCE, "and the instance")
    tap.ok(not r1.has("P-Access-Network-Info"), "no P-Access-Network-Info when unprotected")
    aka = AKA()
    v = aka.vector()
    p.respond(r1, 401, "Unauthorized", [www_aka(v)])
    r2 = p.wait_request(method="REGISTER")
    tap.eq(params(r2.all("Contact")[0]).get("+g.3gpp.icsi-ref"), TAG,
           "REGISTER with the response: g.3gpp.icsi-ref")
    tap.ok(not r2.has("P-Access-Network-Info"), "still no P-Access-Network-Info (security = none)")
    p.respond(r2, 200, "OK", ok_headers(r2, 4))
    ue.wait_event("registered")
    x = p.wait_request(method="REGISTER")
    tap.eq(uri_of(x.hdr("To")), IMPU2, "additional IMPU registered")
    tap.eq(params(x.all("Contact")[0]).get("+g.3gpp.icsi-ref"), TAG,
           "additional IMPU: g.3gpp.icsi-ref")
    p.respond(x, 200, "OK", [("Contact", x.all("Contact")[0] + ";expires=600")])
    r3 = p.wait_request(4, method="REGISTER")
    tap.eq(uri_of(r3.hdr("To")), IMPU, "reregistration of the first IMPU")
    tap.eq(params(r3.all("Contact")[0]).get("+g.3gpp.icsi-ref"), TAG,
           "reregistration: g.3gpp.icsi-ref")
    p.respond(r3, 200, "OK", ok_headers(r3, 600))
    ue.wait_event("reregistered")
    ue.send("deregister all")
    got = []
    for _ in range(2):
        d = p.wait_request(method="REGISTER")
        got.append(d)
        p.respond(d, 200, "OK")
    tap.ok(all(d.all("Contact") == ["*"] for d in got), "deregister all: Contact: * for both",
           [d.all("Contact") for d in got])
    tap.eq(sorted(uri_of(d.hdr("To")) for d in got), sorted([IMPU, IMPU2]),
           "deregister all: both IMPUs")
    tap.eq(ue.close(), 0, "driver exits cleanly")

    # A value that is not a URN.
    bad = UE(tap, [p.port], extra="icsi = mmtel\n")
    rc = bad.proc.wait(timeout=10)
    log = bad.log()
    bad.close()
    shutil.rmtree(bad.dir, ignore_errors=True)
    tap.eq(rc, 1, "icsi that is not a URN: the UE does not start")
    tap.ok("icsi: value 1 does not start with urn:" in log, "one-line reason", log)


if __name__ == "__main__":
    run(Tap(), body)
