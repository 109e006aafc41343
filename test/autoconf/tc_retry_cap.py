#!/usr/bin/env python3
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acs import *  # noqa: E402,F403

DOC = """RCC.14 2.2.4: at most 5 consecutive unsuccessful configuration attempts;
then default behaviour (configuration removed) and no more queries until a
trigger. Retries here come from the daemon's error retry interval."""


def body(tap):
    acs = ACS([http_ok(), https(200, full(3, 1))])
    store = new_store()
    run_driver(acs, store, "--stay", "0")
    time.sleep(1.1)
    for _ in range(8):
        acs.add(http_ok(), https(500))
    r = run_driver(acs, store, "--error-retry", "1", "--max-time", "30")
    errs = r.ev("error")
    tap.eq(len(errs), 5, "five failed attempts")
    tap.eq([e["failures"] for e in errs], ["1", "2", "3", "4", "5"], "failures counted")
    tap.eq(len(acs.requests), 2 + 10, "no sixth attempt")
    tap.ok(r.first("config-removed") is not None, "default behaviour after the cap", r.out)
    tap.eq(r.ev("idle")[-1]["next"], "-1", "no further query scheduled")
    acs.close()


if __name__ == "__main__":
    main(body)
