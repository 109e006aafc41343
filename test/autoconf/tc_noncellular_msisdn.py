#!/usr/bin/env python3
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acs import *  # noqa: E402,F403

DOC = """RCC.14 2.3.2 and 2.3.4: an IMSI-only request answered 403 makes the client
ask the user for the MSISDN (msisdn-needed), keep its configuration, and
repeat the request with the MSISDN, the '+' percent-encoded (RFC 3986 2.1).
A client without the IMSI identifies with the MSISDN."""


def body(tap):
    acs = ACS([https(403, cookie=False, params={"IMSI": IMSI, "msisdn": ABSENT}),
               https(200, None, cookie=False, set_cookie=True,
                     params={"IMSI": IMSI, "msisdn": "+34600000009"}),
               https(200, full(3, 86400), cookie=True, params={"OTP": "4321"})])
    store = new_store()
    r = run_driver(acs, store, "--answer-msisdn", "+34600000009", "--otp", "4321",
                   "--sms-port", "0", flow="noncellular")
    tap.eq(acs.problems, [], "server checks pass")
    tap.ok(r.first("msisdn-needed") is not None, "msisdn-needed after 403", r.out)
    tap.ok(len(acs.requests) > 1 and "msisdn=%2b34600000009" in acs.requests[1].query.lower(),
           "plus sign percent-encoded", acs.requests[1].query if len(acs.requests) > 1 else "")
    tap.ok(r.first("config-removed") is None, "configuration not removed by the 403")
    tap.ok(r.first("config-updated") is not None, "configured")
    # A client that cannot read the IMSI (2.3.2 case 1): MSISDN only.
    acs.add(https(200, None, cookie=False, set_cookie=True,
                  params={"IMSI": ABSENT, "msisdn": "+34600000009", "token": ""}),
            https(200, full(3, 86400), cookie=True, params={"OTP": "5"}))
    store = new_store()
    r = run_driver(acs, store, "--msisdn", "+34600000009", "--otp", "5", "--sms-port", "0",
                   flow="noncellular", imsi=None)
    tap.eq(acs.problems, [], "server checks pass (no IMSI, MSISDN given)")
    tap.ok(r.first("config-updated") is not None, "configured", r.out)
    tap.eq(show(store, "+34600000009").value("version"), "3", "stored under the MSISDN")
    acs.close()


if __name__ == "__main__":
    main(body)
