#!/usr/bin/env python3
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acs import *  # noqa: E402,F403

DOC = """RCC.14 2.2.3 (Table 7): MSG with a full first configuration is shown
(config-message); with Reject_btn 1 the configuration is enabled when the
user accepts and the services revert to default behaviour when the user
rejects; with Reject_btn 0 it is enabled at once. MSG with a disabling
response is shown too. Not shown when a working configuration existed."""


def body(tap):
    acs = ACS([http_ok(), https(200, full(3, 86400, msg=("Welcome", "Accept the terms", True)))])
    store = new_store()
    r = run_driver(acs, store, "--msg", "accept")
    m = r.first("config-message")
    tap.ok(m is not None and m.get("title") == "Welcome" and m.get("reject_btn") == "1",
           "message shown with both buttons", r.out)
    tap.ok(r.first("config-updated") is not None, "accepted: configuration enabled")
    tap.ok(r.out.index("config-message") < r.out.index("config-updated"),
           "enabled only after the answer")

    acs.add(http_ok(), https(200, full(3, 86400, msg=("Welcome", "Terms", True))))
    store = new_store()
    r = run_driver(acs, store, "--msg", "reject")
    tap.ok(r.first("config-updated") is None and r.first("config-removed") is not None,
           "rejected: default behaviour", r.out)
    tap.eq(show(store).value("version"), "0", "stored version 0")

    acs.add(http_ok(), https(200, full(3, 1, msg=("Hello", "world", False))))
    store = new_store()
    r = run_driver(acs, store, "--stay", "0")
    tap.ok(r.first("config-message") is not None and r.first("config-updated") is not None,
           "Reject_btn 0: shown and enabled at once", r.out)
    time.sleep(1.1)
    acs.add(http_ok(), https(200, full(4, 86400, msg=("Again", "x", False))))
    r = run_driver(acs, store)
    tap.ok(r.first("config-message") is None and r.first("config-updated") is not None,
           "update over a working configuration: no message", r.out)
    acs.add(http_ok(), https(200, reset(0, msg=("Bye", "deprovisioned", False))))
    r = run_driver(acs, store, "--sms", ucs2_sms(IMSI + "-rcscfg"))
    tap.ok(r.first("config-message") is not None and r.first("config-removed") is not None,
           "message with a disabling response", r.out)
    tap.eq(acs.problems, [], "server checks pass")
    acs.close()


if __name__ == "__main__":
    main(body)
