#!/usr/bin/env python3
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acs import *  # noqa: E402,F403

DOC = """RCC.14 2.2.5: the HTTPS server certificate must verify. A certificate from
a CA the client does not trust is refused (no configuration, the request
never reaches the server), with no insecure fallback."""


def body(tap):
    acs = ACS([http_ok(), https(200, full(3, 86400))], wrong_ca=True)
    store = new_store()
    r = run_driver(acs, store)
    e = r.first("error")
    tap.ok(e is not None and "unreachable" in e.get("reason", ""), "TLS failure reported", r.out)
    tap.ok(e is not None and "TLS_(unknown-ca)" in e.get("reason", ""),
           "reason names the failure kind as sec/tls.h does (unknown-ca)", r.out)
    tap.eq(r.value("configured"), "no", "not configured")
    tap.eq([q.scheme for q in acs.requests], ["http"], "no HTTPS request got through")
    tap.eq(show(store).value("record"), "none", "nothing stored")
    acs.close()


if __name__ == "__main__":
    main(body)
