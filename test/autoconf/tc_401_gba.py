#!/usr/bin/env python3
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acs import *  # noqa: E402,F403

DOC = """RCC.14 Table 8 rows 9-10 (2.4): 401 with a WWW-Authenticate realm naming
3GPP-bootstrapping asks for GBA digest authentication, which imsue does not
implement: reported as GBA unsupported and handled as any other HTTP error
(configuration kept, retry at the next start)."""


def body(tap):
    acs = ACS([http_ok(), https(200, full(3, 1))])
    store = new_store()
    run_driver(acs, store, "--stay", "0")
    time.sleep(1.1)
    acs.add(http_ok(), https(401, headers=[(
        "WWW-Authenticate",
        'Digest realm="3GPP-bootstrapping@bsf.mnc001.mcc214.pub.3gppnetwork.org", '
        'nonce="abc", qop="auth"')]))
    r = run_driver(acs, store)
    tap.eq(acs.problems, [], "server checks pass")
    e = r.first("error")
    tap.ok(e is not None and e.get("status") == "401" and "GBA" in e.get("reason", ""),
           "error names GBA as unsupported", r.out)
    tap.eq(r.value("configured"), "yes", "configuration kept")
    tap.eq(len(acs.requests), 4, "no further request (no digest attempt)")
    acs.add(http_ok(), https(401, headers=[("WWW-Authenticate", 'Basic realm="x"')]))
    r = run_driver(acs, store)
    e = r.first("error")
    tap.ok(e is not None and "GBA" not in e.get("reason", ""), "plain 401: ordinary error", r.out)
    acs.close()


if __name__ == "__main__":
    main(body)
