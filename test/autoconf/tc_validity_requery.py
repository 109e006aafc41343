#!/usr/bin/env python3
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acs import *  # noqa: E402,F403

DOC = """RCC.14 2.2.2 / 2.2.4 use case 2: when the validity expires the client
queries again at once (same process), sending its version; the renewed
validity schedules the next query."""


def body(tap):
    acs = ACS([http_ok(), https(200, full(3, 2)),
               http_ok(), https(200, version_only(3, 2), params={"vers": "3"}),
               http_ok(), https(200, full(4, 86400), params={"vers": "3"})])
    store = new_store()
    r = run_driver(acs, store, "--max-requests", "6", "--max-time", "20")
    tap.eq(r.rc, 0, "driver exits 0")
    tap.eq(acs.problems, [], "server checks pass (vers=3 on re-query)")
    q = acs.requests
    tap.eq(len(q), 6, "three queries")
    if len(q) == 6:
        dt = q[2].time - q[1].time
        tap.ok(1.8 <= dt <= 3.5, "re-query at expiry (%.2f s)" % dt)
        dt = q[4].time - q[3].time
        tap.ok(1.8 <= dt <= 3.5, "re-query at renewed expiry (%.2f s)" % dt)
    tap.ok(r.first("config-renewed") is not None, "renewed")
    ups = r.ev("config-updated")
    tap.eq([u["version"] for u in ups], ["3", "4"], "version 3, then 4")
    acs.close()


if __name__ == "__main__":
    main(body)
