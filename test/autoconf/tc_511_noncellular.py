#!/usr/bin/env python3
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acs import *  # noqa: E402,F403

DOC = """RCC.14 Table 8 row 13, 2.2.5, 2.3.1.1, 2.3.2, 2.3.3: 511 to the cellular
request starts the non-cellular flow: HTTPS with the Table 9 parameters and
the cookie of the 511; 200 with a new cookie and no document; the OTP
arrives by SMS on the announced port (UCS2, UDH port addressing) and is
sent in a second HTTPS request with the cookie (Table 10); the full
configuration is applied and the bootstrap credentials (OTP, cookie) purged.
An SMS on another port is not taken as the OTP."""


def body(tap):
    acs = ACS([Step("http", 511, set_cookie=True, no_query=True),
               https(200, None, cookie=True, set_cookie=True,
                     params={"vers": "0", "IMSI": IMSI, "token": "", "SMS_port": "37273",
                             "provisioning_version": "2.0", "OTP": ABSENT}),
               https(200, full(3, 86400, token="tok-nc"), cookie=True,
                     params={"OTP": "123456", "token": ""})])
    store = new_store()
    r = run_driver(acs, store, "--sms-port", "37273", "--otp-sms", ucs2_sms("123456"))
    tap.eq(acs.problems, [], "server checks pass (Table 9 parameters, cookies, OTP)")
    e = r.first("otp-needed")
    tap.ok(e is not None and e.get("from_user") == "0", "OTP awaited from the SMS port", r.out)
    tap.ok("sms=used" in r.out, "OTP SMS used")
    tap.ok(r.first("config-updated") is not None, "configured", r.out)
    tap.eq(show(store, token=True).value("token"), "tok-nc", "token stored")
    tap.ok(not os.path.exists(os.path.join(store, IMSI, "bootstrap")),
           "bootstrap credentials purged after success")
    # An SMS to another port while the OTP is awaited is ignored.
    acs2 = ACS([Step("http", 511, no_query=True), https(200, None, cookie=False, set_cookie=True)])
    store2 = new_store()
    r = run_driver(acs2, store2, "--otp-sms", ucs2_sms("123456", port=16500), "--stay", "0",
                   "--max-time", "5")
    tap.ok("sms=ignored" in r.out, "OTP SMS on another port ignored", r.out)
    tap.eq(r.value("configured"), "no", "not configured")
    tap.ok(os.path.exists(os.path.join(store2, IMSI, "bootstrap")),
           "cookie kept as bootstrap credential while the OTP is awaited")
    acs.close()
    acs2.close()


if __name__ == "__main__":
    main(body)
