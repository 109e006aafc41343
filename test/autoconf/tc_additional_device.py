#!/usr/bin/env python3
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acs import *  # noqa: E402,F403

DOC = """RCC.14 2.5 (Tables 12, 13): an additional device sharing the primary
identity: HTTPS only (no HTTP request), msisdn, provisioning_version, empty
token, device_type; 200 + cookie; the OTP typed by the user in a second
request with the cookie; the token kept with the MSISDN; the next time the
token is sent (2.5.3); 403 asks for another MSISDN (2.5.2); an invalid OTP
(511) restarts the procedure."""

MS = "+34600000001"


def body(tap):
    acs = ACS([https(200, None, cookie=False, set_cookie=True,
                     params={"msisdn": MS, "provisioning_version": "2.0", "token": "",
                             "device_type": "Tablet", "IMSI": ABSENT, "vers": "0"}),
               https(511, cookie=True, params={"OTP": "1"}),
               https(200, None, cookie=False, set_cookie=True, params={"token": ""}),
               https(200, full(3, 1, token="tok-add"), cookie=True, params={"OTP": "1"})])
    store = new_store()
    r = run_driver(acs, store, "--msisdn", MS, "--device-type", "Tablet", "--otp", "1", "--stay", "0",
                   flow="additional", imsi=None)
    tap.eq(acs.problems, [], "server checks pass (Table 12, Table 13, restart after 511)")
    tap.ok(all(q.scheme == "https" for q in acs.requests), "no HTTP request")
    tap.ok(r.first("config-updated") is not None, "configured", r.out)
    s = show(store, MS, token=True)
    tap.eq((s.value("token"), s.value("msisdn")), ("tok-add", MS), "token stored with the MSISDN")
    time.sleep(1.1)
    acs.add(https(200, version_only(3, 86400), cookie=False,
                  params={"token": "tok-add", "vers": "3", "msisdn": MS}))
    r = run_driver(acs, store, "--msisdn", MS, flow="additional", imsi=None)
    tap.ok(r.first("config-renewed") is not None, "subsequent attempt with the token", r.out)
    acs.add(https(403, cookie=False), https(200, full(3, 60), cookie=False,
                                            params={"msisdn": "+34600000002"}))
    r = run_driver(acs, new_store(), "--msisdn", MS, "--answer-msisdn", "+34600000002",
                   flow="additional", imsi=None)
    tap.ok(r.first("msisdn-needed") is not None, "403: another MSISDN asked", r.out)
    tap.eq(acs.problems, [], "server checks pass")
    acs.close()


if __name__ == "__main__":
    main(body)
