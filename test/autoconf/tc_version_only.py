#!/usr/bin/env python3
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acs import *  # noqa: E402,F403

DOC = """RCC.14 Table 8 row 4 (Table 3): version and validity only, same version
as sent: the validity of the stored configuration is renewed, the
configuration kept; a TOKEN replaces the stored token, its absence keeps it."""


def body(tap):
    acs = ACS([http_ok(), https(200, full(3, 1, token="tok-1"))])
    store = new_store()
    r = run_driver(acs, store, "--stay", "0")
    tap.ok(r.first("config-updated") is not None, "configured (validity 1 s)", r.out)
    time.sleep(1.2)
    acs.add(http_ok(), https(200, version_only(3, 7200), params={"vers": "3"}))
    r = run_driver(acs, store)
    tap.eq(acs.problems, [], "server checks pass (vers=3 sent after expiry)")
    tap.ok(r.first("config-updated") is not None, "expired configuration still used at start")
    tap.ok(r.first("config-renewed") is not None, "config-renewed event", r.out)
    s = show(store, token=True)
    tap.eq(s.value("version"), "3", "version kept")
    tap.eq(s.value("validity"), "7200", "validity renewed")
    tap.eq(s.value("token"), "tok-1", "token kept when TOKEN is absent")
    tap.eq(s.value("doc"), "parses", "configuration document kept")
    tap.ok(int(r.ev("idle")[-1]["next"]) > 7000, "next query at the renewed expiry")
    # A TOKEN in the version-only document replaces the stored one.
    acs.add(http_ok(), https(200, version_only(3, 1, token="tok-2")))
    r = run_driver(acs, store, "--sms", ucs2_sms(IMSI + "-rcscfg"))
    tap.ok(r.first("config-renewed") is not None, "renewed after an SMS trigger", r.out)
    tap.eq(show(store, token=True).value("token"), "tok-2", "token replaced")
    acs.close()


if __name__ == "__main__":
    main(body)
