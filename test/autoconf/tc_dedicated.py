#!/usr/bin/env python3
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acs import *  # noqa: E402,F403

DOC = """RCC.14 2.6 (Table 14): a device with a dedicated identity: HTTPS only,
msisdn or sip_uri, token empty, device_type, and the OTP the user obtained
beforehand in the first request; 200 + cookie, then the same request with
the cookie gets the configuration; later attempts send the token and an
empty OTP (2.6.1); an invalid OTP (511) asks the user again."""


def body(tap):
    acs = ACS([https(200, None, cookie=False, set_cookie=True,
                     params={"sip_uri": "sip:alice@example.net", "msisdn": ABSENT, "token": "",
                             "OTP": "otp-1", "device_type": "PC",
                             "provisioning_version": "2.0"}),
               https(200, full(3, 1, token="tok-ded"), cookie=True, params={"OTP": "otp-1"})])
    store = new_store()
    r = run_driver(acs, store, "--sip-uri", "sip:alice@example.net", "--dedicated-otp", "otp-1",
                   "--device-type", "PC", "--stay", "0", flow="dedicated", imsi=None)
    tap.eq(acs.problems, [], "server checks pass (Table 14)")
    tap.ok(r.first("config-updated") is not None, "configured", r.out)
    time.sleep(1.1)
    acs.add(https(200, version_only(3, 60), cookie=False,
                  params={"token": "tok-ded", "OTP": "", "vers": "3"}))
    r = run_driver(acs, store, "--sip-uri", "sip:alice@example.net", flow="dedicated", imsi=None)
    tap.ok(r.first("config-renewed") is not None, "token sent, OTP empty (2.6.1)", r.out)
    acs.add(https(511, cookie=False, params={"OTP": "bad"}),
            https(200, full(3, 60), cookie=False, params={"OTP": "good"}))
    r = run_driver(acs, new_store(), "--msisdn", "+34600000003", "--dedicated-otp", "bad",
                   "--otp", "good", flow="dedicated", imsi=None)
    e = r.first("otp-needed")
    tap.ok(e is not None and e.get("from_user") == "1", "invalid OTP: user asked again", r.out)
    tap.ok(r.first("config-updated") is not None, "configured with the new OTP")
    tap.eq(acs.problems, [], "server checks pass")
    acs.close()


if __name__ == "__main__":
    main(body)
