#!/usr/bin/env python3
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acs import *  # noqa: E402,F403

DOC = """RCC.14 section 3: a UCS2 SMS on port 37273 with <IMSI>-rcscfg, or
<IMPI>-rcscfg matching the configured Private_User_Identity, makes the
client query at once even with a valid configuration; another IMSI, another
port or plain text is ignored without a request."""


def body(tap):
    acs = ACS([http_ok(), https(200, full(3, 86400))])
    store = new_store()
    run_driver(acs, store)
    n = len(acs.requests)
    for text, port, why in (("214019999999999-rcscfg", 37273, "another IMSI"),
                            (IMSI + "-rcscfg", 16500, "another port"),
                            ("hello", 37273, "not a trigger")):
        r = run_driver(acs, store, "--sms", ucs2_sms(text, port))
        tap.ok("sms=ignored" in r.out and len(acs.requests) == n, "%s: ignored" % why, r.out)
    acs.add(http_ok(), https(200, version_only(3, 86400), params={"vers": "3"}))
    r = run_driver(acs, store, "--sms", ucs2_sms(IMSI + "-rcscfg"))
    tap.ok("sms=used" in r.out and r.first("config-renewed") is not None,
           "IMSI trigger: query with vers=3", r.out)
    acs.add(http_ok(), https(200, version_only(3, 86400), params={"vers": "3"}))
    r = run_driver(acs, store, "--sms", ucs2_sms(IMPI + "-rcscfg"))
    tap.ok("sms=used" in r.out and r.first("config-renewed") is not None, "IMPI trigger",
           r.out)
    tap.eq(acs.problems, [], "server checks pass")
    acs.close()


if __name__ == "__main__":
    main(body)
