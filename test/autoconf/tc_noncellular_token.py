#!/usr/bin/env python3
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acs import *  # noqa: E402,F403

DOC = """RCC.14 2.3.2 cases 2 and 3, 2.3.4 last bullet: a stored token is sent;
valid -> configuration directly; valid but not privileged (200 without
document) -> token deleted, OTP procedure; invalid (511) -> token removed,
the configuration restarted with an empty token."""


def configure(acs, store, token):
    acs.add(http_ok(), https(200, full(3, 1, token=token)))
    run_driver(acs, store, "--stay", "0")
    time.sleep(1.1)


def body(tap):
    acs = ACS()
    store = new_store()
    configure(acs, store, "tok-valid")
    acs.add(https(200, version_only(3, 86400), cookie=False,
                  params={"token": "tok-valid", "vers": "3",
                          "msisdn": "+34600000001", "IMSI": IMSI}))
    r = run_driver(acs, store, flow="noncellular")
    tap.eq(acs.problems, [], "server checks pass (token and MSISDN from the configuration)")
    tap.ok(r.first("config-renewed") is not None, "valid token: renewed directly", r.out)

    store = new_store()
    configure(acs, store, "tok-old")
    acs.add(https(511, cookie=False, params={"token": "tok-old"}),
            https(200, None, cookie=False, set_cookie=True, params={"token": ""}),
            https(200, full(4, 86400, token="tok-new"), cookie=True, params={"OTP": "77"}))
    r = run_driver(acs, store, "--otp", "77", "--sms-port", "0", flow="noncellular")
    tap.eq(acs.problems, [], "server checks pass (511, then empty token)")
    tap.ok(r.first("config-updated") is not None, "configured after restart", r.out)
    tap.eq(show(store, token=True).value("token"), "tok-new", "new token stored")

    store = new_store()
    configure(acs, store, "tok-np")
    acs.add(https(200, None, cookie=False, set_cookie=True, params={"token": "tok-np"}),
            https(200, version_only(3, 86400), cookie=True, params={"OTP": "88", "token": ""}))
    r = run_driver(acs, store, "--otp", "88", "--sms-port", "0", flow="noncellular")
    tap.eq(acs.problems, [], "server checks pass (token deleted before the OTP request)")
    tap.ok(r.first("config-renewed") is not None, "configured", r.out)
    tap.eq(show(store).value("has_token"), "0", "token not privileged: deleted")
    acs.close()


if __name__ == "__main__":
    main(body)
