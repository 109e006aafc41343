#!/usr/bin/env python3
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acs import *  # noqa: E402,F403

DOC = """RCC.14 2.3.2 step 1b, 2.3.3 (Table 11), 2.3.4: SMS_port 0 policy in the
200 response: the client prompts the user for the OTP; an invalid OTP (511)
lets the user enter it again; the right one configures. With SMS_port=0 in
the request the user is prompted even without the policy."""


def body(tap):
    acs = ACS([https(200, policy_zero(), cookie=False, set_cookie=True,
                     params={"SMS_port": ABSENT, "IMSI": IMSI}),
               https(511, cookie=True, params={"OTP": "111111"}),
               https(200, full(3, 86400), cookie=True, params={"OTP": "111111"})])
    store = new_store()
    r = run_driver(acs, store, "--otp", "111111", flow="noncellular")
    tap.eq(acs.problems, [], "server checks pass")
    ev = r.ev("otp-needed")
    tap.eq([e.get("from_user") for e in ev], ["1", "1"], "user prompted twice (policy, then 511)")
    tap.ok(r.first("config-updated") is not None, "configured after the second OTP", r.out)
    acs.add(https(200, None, cookie=False, set_cookie=True, params={"SMS_port": "0"}),
            https(200, full(4, 86400), cookie=True, params={"OTP": "222222", "SMS_port": "0"}))
    store = new_store()
    r = run_driver(acs, store, "--sms-port", "0", "--otp", "222222", flow="noncellular")
    tap.eq(acs.problems, [], "server checks pass (SMS_port=0)")
    e = r.first("otp-needed")
    tap.ok(e is not None and e.get("from_user") == "1", "SMS_port 0: user prompted", r.out)
    tap.ok(r.first("config-updated") is not None, "configured")
    # OTP from the SMS port refused (511): configuration removed at once (2.3.4).
    store = new_store()
    acs.add(http_ok(), https(200, full(3, 1)))
    run_driver(acs, store, "--stay", "0")
    acs.add(https(200, None, cookie=False, set_cookie=True), https(511, cookie=True))
    time.sleep(1.1)
    r = run_driver(acs, store, "--otp-sms", ucs2_sms("999"), flow="noncellular")
    tap.ok(r.first("config-removed") is not None, "511 to an SMS OTP: configuration removed",
           r.out)
    tap.eq(acs.problems, [], "server checks pass")
    acs.close()


if __name__ == "__main__":
    main(body)
