#!/usr/bin/env python3
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acs import *  # noqa: E402,F403

DOC = """RCC.14 Table 8 last row and 2.2.4: the configuration server is unreachable
(connection refused; a name that does not resolve): the client keeps a
valid configuration and retries at the next start."""
import socket


def body(tap):
    acs = ACS([http_ok(), https(200, full(3, 1))])
    store = new_store()
    run_driver(acs, store, "--stay", "0")
    acs.close()
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    time.sleep(1.1)
    r = run_driver(None, store, "--server", "http://127.0.0.1:%d/" % port,
                   "--https-url", "https://127.0.0.1:%d/" % port, "--ca", acs.ca_file)
    e = r.first("error")
    tap.ok(e is not None and "unreachable" in e.get("reason", ""), "error: server unreachable",
           r.out)
    tap.eq(r.value("configured"), "yes", "expired configuration kept in use")
    tap.eq(show(store).value("version"), "3", "stored configuration unchanged")
    r = run_driver(None, store, "--server", "http://config.invalid/", "--timeout", "5000")
    tap.ok(r.first("error") is not None and r.value("configured") == "yes",
           "unresolvable name: error, configuration kept", r.out)


if __name__ == "__main__":
    main(body)
