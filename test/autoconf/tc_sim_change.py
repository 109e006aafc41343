#!/usr/bin/env python3
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acs import *  # noqa: E402,F403

DOC = """RCC.14 2.2.4 use case 5 and 4.2.1 (also an AID.02 operational-profile
switch): when the IMSI changes the previous working configuration is backed
up and the client configures from scratch (vers=0, the new IMSI); back on
the old SIM a still-valid backup is used without any request; an expired
backup is not used (new query with vers=0)."""

IMSI_B = "214011001388742"
IMPI_B = IMSI_B + "@" + DOMAIN


def body(tap):
    acs = ACS([http_ok(), https(200, full(3, 86400), params={"IMSI": IMSI})])
    store = new_store()
    r = run_driver(acs, store)
    tap.ok(r.first("config-updated") is not None, "SIM A configured")
    acs.add(http_ok(), https(200, full(7, 2, impi=IMPI_B),
                             params={"IMSI": IMSI_B, "vers": "0"}))
    r = run_driver(acs, store, "--stay", "0", imsi=IMSI_B)
    tap.eq(acs.problems, [], "server checks pass (SIM B: vers=0, IMSI B)")
    ev = r.first("config-updated")
    tap.ok(ev is not None and ev.get("impi") == IMPI_B, "SIM B configured", r.out)
    tap.ok(os.path.exists(os.path.join(store, IMSI, "backup")), "SIM A configuration backed up")
    tap.eq(show(store, IMSI_B).value("last_identity"), IMSI_B, "last identity B")
    n = len(acs.requests)
    r = run_driver(acs, store)
    tap.eq(len(acs.requests), n, "back to SIM A: valid backup used, no request")
    ev = r.first("config-updated")
    tap.ok(ev is not None and ev.get("impi") == IMPI and ev.get("restored") == "1",
           "SIM A configuration restored", r.out)
    time.sleep(2.1)
    acs.add(http_ok(), https(200, full(8, 86400, impi=IMPI_B),
                             params={"IMSI": IMSI_B, "vers": "0"}))
    r = run_driver(acs, store, imsi=IMSI_B)
    tap.eq(len(acs.requests), n + 2, "SIM B again, backup expired: query with vers=0")
    ev = r.first("config-updated")
    tap.ok(ev is not None and ev.get("version") == "8", "SIM B configured anew", r.out)
    tap.eq(acs.problems, [], "server checks pass")
    acs.close()


if __name__ == "__main__":
    main(body)
