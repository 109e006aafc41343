#!/usr/bin/env python3
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acs import *  # noqa: E402,F403

DOC = """RCC.14 4.2.1 storage: the client killed (SIGKILL) at each step of writing
a new configuration leaves the old or the new one intact, never a mix;
before the rename the old one, after it the new one."""

STEPS = ["temp-created", "half-written", "written", "synced", "renamed", "done"]


def body(tap):
    acs = ACS()
    for i, name in enumerate(STEPS):
        store = new_store()
        acs.add(http_ok(), https(200, full(3, 1)))
        run_driver(acs, store, "--stay", "0")
        time.sleep(1.05)
        acs.add(http_ok(), https(200, full(4, 86400, pcscf="192.0.2.44")))
        r = run_driver(acs, store, "--kill-write", "2", "--kill-step", str(i))
        tap.ok(r.rc == -9 and ("killed write=2 step=%d" % i) in r.out,
               "%s: killed while writing the record" % name, r.out + r.err)
        s = show(store)
        want = "3" if i < 4 else "4"
        tap.eq((s.value("record"), s.value("version"), s.value("doc"), s.value("doc_version")),
               ("ok", want, "parses", want), "%s: version %s intact" % (name, want))
        left = [f for f in os.listdir(os.path.join(store, IMSI)) if ".tmp" in f]
        r = run_driver(acs, store, "--stay", "0") if want == "4" else None
        if r is not None:
            tap.ok(r.first("config-updated") is not None, "%s: restart uses version 4" % name)
        left2 = [f for f in os.listdir(os.path.join(store, IMSI)) if ".tmp" in f]
        tap.ok(want == "3" or left2 == [], "%s: no temporary file after restart" % name,
               (left, left2))
    acs.close()


if __name__ == "__main__":
    main(body)
