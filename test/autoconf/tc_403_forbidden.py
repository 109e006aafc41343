#!/usr/bin/env python3
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acs import *  # noqa: E402,F403

DOC = """RCC.14 Table 8 row 11 and 2.2.4: 403 Forbidden: the configuration is
removed, version set to 0, retry at the next start (with vers=0)."""


def body(tap):
    acs = ACS([http_ok(), https(200, full(3, 1, token="t"))])
    store = new_store()
    run_driver(acs, store, "--stay", "0")
    time.sleep(1.1)
    acs.add(http_ok(), https(403))
    r = run_driver(acs, store)
    ev = r.first("config-removed")
    tap.ok(ev is not None and ev.get("status") == "403", "config-removed on 403", r.out)
    tap.eq(r.value("configured"), "no", "no configuration in use")
    s = show(store)
    tap.eq((s.value("version"), s.value("doc_length")), ("0", "0"), "stored version 0, no document")
    acs.add(http_ok(), https(200, full(4, 86400), params={"vers": "0"}))
    r = run_driver(acs, store)
    tap.ok(r.first("config-updated") is not None, "next start: query with vers=0, configured")
    tap.eq(acs.problems, [], "server checks pass")
    acs.close()


if __name__ == "__main__":
    main(body)
