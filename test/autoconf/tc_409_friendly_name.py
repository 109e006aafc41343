#!/usr/bin/env python3
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acs import *  # noqa: E402,F403

DOC = """RCC.14 Table 8 row 12: 409 Conflict on friendly_device_name: the user is
asked for another name and the request is retried with it."""


def body(tap):
    acs = ACS([http_ok(), https(409, params={"friendly_device_name": "Kitchen"}),
               http_ok(), https(200, full(3, 86400), params={"friendly_device_name": "Kitchen 2"})])
    store = new_store()
    r = run_driver(acs, store, "--fname", "Kitchen", "--new-fname", "Kitchen 2")
    tap.eq(acs.problems, [], "server checks pass (old name, then the new one)")
    tap.ok(r.first("friendly-name-needed") is not None, "friendly-name-needed event", r.out)
    tap.ok(r.first("config-updated") is not None, "configured with the new name")
    acs.close()


if __name__ == "__main__":
    main(body)
