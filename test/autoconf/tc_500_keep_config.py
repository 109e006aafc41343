#!/usr/bin/env python3
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acs import *  # noqa: E402,F403

DOC = """RCC.14 Table 8 row 8 (500 or any other HTTP error except 403) and 2.2.4:
a valid (even expired) configuration is kept and used; the query is repeated
at the next start (vers = the stored version)."""


def body(tap):
    acs = ACS([http_ok(), https(200, full(3, 1, token="t"))])
    store = new_store()
    run_driver(acs, store, "--stay", "0")
    time.sleep(1.1)
    acs.add(http_ok(), https(500, params={"vers": "3"}))
    r = run_driver(acs, store)
    tap.eq(acs.problems, [], "server checks pass")
    e = r.first("error")
    tap.ok(e is not None and e.get("status") == "500", "error event with status 500", r.out)
    tap.eq(r.value("configured"), "yes", "expired configuration kept in use")
    s = show(store, token=True)
    tap.eq((s.value("version"), s.value("doc"), s.value("token")), ("3", "parses", "t"),
           "stored configuration and token unchanged")
    tap.eq(r.ev("idle")[-1]["next"], "-1", "no retry in this process (next start)")
    for status in (404, 502):
        acs.add(http_ok(), https(status))
        r = run_driver(acs, store)
        tap.ok(r.first("error") is not None and r.value("configured") == "yes",
               "%d: error, configuration kept" % status)
    acs.add(Step("http", 500, no_query=True))
    r = run_driver(acs, store)
    tap.ok(r.first("error") is not None and r.value("configured") == "yes",
           "500 to the initial HTTP request: configuration kept")
    acs.add(http_ok(), https(200, full(5, 86400)))
    r = run_driver(acs, store)
    tap.ok(r.first("config-updated", ) is not None, "next start: configured again")
    tap.eq(acs.problems, [], "server checks pass")
    acs.close()


if __name__ == "__main__":
    main(body)
