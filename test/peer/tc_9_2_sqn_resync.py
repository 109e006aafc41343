#!/usr/bin/env python3
"""TS 34.229-1 9.2: a 401 whose SQN is out of range; the UE answers with
auts (nonce and opaque echoed, same Call-ID, CSeq + 1; 24.229 5.1.1.5.3)
and a response computed with an empty password (RFC 3310 3.4),
the network resynchronises from AUTS (libosmocore checks its MAC-S) and
the fresh challenge is answered normally."""
from sippeer import *


def body(tap):
    p = Peer()
    ue = UE(tap, [p.port])
    aka = AKA()
    r1 = p.wait_request(method="REGISTER")
    # SEQ = 2^29 is far beyond the USIM's delta (2^28) above SEQ_MS = 0.
    far = aka.vector(sqn_prev=(1 << 29) << 5)
    p.respond(r1, 401, "Unauthorized", [www_aka(far, opaque="sync0")])
    r2 = p.wait_request(method="REGISTER")
    a = r2.auth()
    tap.ok(bool(a.get("auts")), "REGISTER carries auts", a)
    tap.eq(a.get("nonce"), far["nonce"], "nonce echoed")
    tap.eq(a.get("opaque"), "sync0", "opaque echoed")
    # RFC 3310 3.4: the credentials are calculated with an empty password.
    want = digest_response(IMPI, DOMAIN, b"", "REGISTER", a.get("uri", ""), far["nonce"],
                           a.get("qop"), a.get("nc"), a.get("cnonce"))
    tap.eq(a.get("response"), want, "response computed with an empty password (RFC 3310 3.4)")
    tap.eq((a.get("qop"), a.get("nc")), ("auth", "00000001"), "qop=auth, nc=00000001")
    tap.eq(r2.call_id(), r1.call_id(), "same Call-ID as step 1")
    tap.eq(r2.cseq(), r1.cseq() + 1, "CSeq + 1")
    try:
        v = aka.resync(a.get("auts", ""), far["rand"])
        tap.ok(True, "libosmocore accepts the AUTS (MAC-S valid)")
    except TestFailure as e:
        tap.ok(False, "libosmocore accepts the AUTS (MAC-S valid)", e)
        raise
    p.respond(r2, 401, "Unauthorized", [www_aka(v)])
    r3 = p.wait_request(method="REGISTER")
    check_aka_response(tap, r3, v, r2, "after resynchronisation")
    p.respond(r3, 200, "OK", ok_headers(r3))
    ue.wait_event("registered")
    tap.eq(ue.status()["state"], "registered", "registered")
    tap.eq(ue.close(), 0, "driver exits cleanly")


if __name__ == "__main__":
    run(Tap(), body)
