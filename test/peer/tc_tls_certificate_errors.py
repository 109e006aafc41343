#!/usr/bin/env python3
"""SIP digest with TLS, certificate verification (doc/tls.md; TS 33.203 Annex H,
RFC 5922 7.2): a P-CSCF certificate from a CA the UE does not trust, one for another
name (also: the right IP only in the CN), an expired one, one not valid yet, and a
server that speaks only TLS 1.1 each stop the registration before the challenged
REGISTER is sent, with a last_error and an "error" event naming the kind, and no
fallback to plaintext (nothing more is sent until the backoff timer)."""
from sippeer import *
from tlspeer import *

CASES = [
    # label, TestCA.server() arguments, expected kind, words in last_error
    ("unknown CA", dict(ca="other"), "unknown-ca", "not issued by a trusted CA"),
    ("wrong name", dict(san="IP:127.0.0.2,DNS:other.ims.test"), "wrong-name",
     "certificate is not for 127.0.0.1"),
    ("IP only in CN", dict(san=None, cn="127.0.0.1"), "wrong-name",
     "certificate is not for 127.0.0.1"),
    ("expired", dict(start="20200101000000Z", end="20200201000000Z"), "expired",
     "certificate has expired"),
    ("not yet valid", dict(start="20991201000000Z", end="20991231000000Z"), "not-yet-valid",
     "not valid yet"),
]


def one(tap, ca, label, cert, key, kind, words, max_version=None):
    p = TlsPeer(cert, key, max_version=max_version)
    ue = tls_ue(tap, p, ca.ca_file())
    r1 = p.wait_request(method="REGISTER")
    challenge_tls(p, r1)
    # The peer must keep polling for the UE's verification handshake to happen.
    ok, extra = p.no_request(1.5)
    tap.ok(ok, label + ": nothing sent, neither over TLS nor in plaintext",
           extra and extra.raw)
    ev = ue.wait_event("error")
    reason = ev.get("reason") or ""
    tap.ok("(%s)" % kind in reason and words in reason, label + ": error event names it",
           reason)
    st = ue.status()
    tap.ok("(%s)" % kind in (st.get("last_error") or ""), label + ": last_error", st)
    tap.eq(st.get("state"), "backoff", label + ": waiting to retry")
    ok, extra = p.no_request(0.5)
    tap.ok(ok, label + ": still nothing sent (backoff)", extra and extra.raw)
    tap.ok(p.handshake_failures >= 1, label + ": the peer saw the handshake fail",
           (p.handshakes, p.handshake_errors))
    tap.eq(ue.close(), 0, label + ": driver exits cleanly")
    p.close()


def body(tap):
    ca = TestCA()
    for label, args, kind, words in CASES:
        if args.get("ca") == "other":
            args = dict(args, ca=ca.other_ca)
        cert, key = ca.server(label.replace(" ", "_"), **args)
        one(tap, ca, label, cert, key, kind, words)
    cert, key = ca.server("tls11")
    one(tap, ca, "TLS 1.1 only", cert, key, "handshake", "handshake failed",
        max_version=ssl.TLSVersion.TLSv1_1)
    ca.close()


if __name__ == "__main__":
    import ssl
    run(Tap(), body)
