#!/usr/bin/env python3
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acs import *  # noqa: E402,F403

DOC = """RCC.14 Table 8 row 2 and 2.2.4: 503 with Retry-After: the client retries
after the time given, not before, in the same process (to the HTTP request
and to the HTTPS request)."""


def body(tap):
    acs = ACS([Step("http", 503, headers=[("Retry-After", "2")], no_query=True),
               http_ok(), https(503, headers=[("Retry-After", "1")]),
               http_ok(), https(200, full(3, 86400))])
    store = new_store()
    r = run_driver(acs, store)
    tap.eq(r.rc, 0, "driver exits 0")
    tap.eq(acs.problems, [], "server checks pass")
    tap.eq(len(acs.requests), 5, "five requests")
    q = acs.requests
    if len(q) == 5:
        dt = q[1].time - q[0].time
        tap.ok(1.9 <= dt <= 3.0, "HTTP retried after Retry-After 2 s (%.2f s)" % dt)
        dt = q[3].time - q[2].time
        tap.ok(0.9 <= dt <= 2.0, "HTTPS 503: whole procedure again after 1 s (%.2f s)" % dt)
    errs = r.ev("error")
    tap.eq([e.get("status") for e in errs], ["503", "503"], "two error events with status 503")
    tap.ok(r.first("config-updated") is not None, "configured in the end", r.out)
    acs.close()


if __name__ == "__main__":
    main(body)
