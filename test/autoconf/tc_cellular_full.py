#!/usr/bin/env python3
"""RCC.14 2.2 and Table 8 rows 1 and 3: the initial HTTP GET without
parameters is answered 200 with a cookie; the HTTPS GET to the same host
carries the cookie, the Table 1 parameters and Accept-Language; the full
configuration is parsed, stored (with its token) and applied, and no other
request follows while it is valid."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acs import *  # noqa: E402,F403


def body(tap):
    acs = ACS([http_ok(),
               https(200, full(3, 86400, token="tok-1"),
                     params={"vers": "0", "IMSI": IMSI, "IMEI": IMEI,
                             "terminal_vendor": "ACME", "terminal_model": "Phone-1234",
                             "terminal_sw_version": "1.2.3-beta",
                             "provisioning_version": "2.0",
                             "friendly_device_name": "x" * 30,
                             "msisdn": ABSENT, "token": ABSENT, "SMS_port": ABSENT})])
    store = new_store()
    r = run_driver(acs, store, "--imei", IMEI, "--vendor", "ACMEcorp",
                   "--model", "Phone-1234567", "--swver", "1.2.3-beta-long",
                   "--fname", "x" * 40, "--lang", "de_DE.UTF-8")
    tap.eq(r.rc, 0, "driver exits 0")
    tap.eq(acs.problems, [], "server checks pass (scheme, parameters, cookie, Accept-Language)")
    tap.eq(len(acs.requests), 2, "two requests: HTTP then HTTPS")
    tap.eq([q.scheme for q in acs.requests], ["http", "https"], "HTTP first, then HTTPS")
    tap.eq(acs.requests[0].query, "", "initial HTTP request has no parameters")
    tap.eq(acs.requests[1].headers.get("accept-language"), "de-DE",
           "Accept-Language from the locale setting")
    ev = r.first("config-updated")
    tap.ok(ev is not None, "config-updated event", r.out)
    if ev:
        tap.eq(ev.get("impi"), IMPI, "IMPI from the document")
        tap.eq(ev.get("pcscf"), "192.0.2.10", "P-CSCF from the document")
        tap.eq(ev.get("version"), "3", "version 3")
    idle = r.ev("idle")
    tap.ok(idle and int(idle[-1]["next"]) > 86000, "next query at validity expiry",
           idle and idle[-1])
    s = show(store, token=True)
    tap.eq(s.value("version"), "3", "stored version 3")
    tap.eq(s.value("token"), "tok-1", "token stored")
    tap.eq(s.value("doc"), "parses", "stored document parses")
    tap.eq(s.value("msisdn"), "+34600000001", "MSISDN derived from the IMPU and stored")
    st = os.stat(os.path.join(store, IMSI, "record"))
    tap.eq(st.st_mode & 0o777, 0o600, "record mode 0600")
    # Restart while valid: no request at all (Table 8: "do not try
    # reconfiguration until the validity period is expired").
    n = len(acs.requests)
    r2 = run_driver(acs, store)
    tap.eq(len(acs.requests), n, "no request while the configuration is valid")
    ev = r2.first("config-updated")
    tap.ok(ev is not None and ev.get("restored") == "1", "stored configuration used at start",
           r2.out)
    # Length limits count bytes and never cut a UTF-8 character in two.
    acs.add(http_ok(), https(200, full(3, 86400),
                             params={"friendly_device_name": "\u00e9" * 15,
                                     "terminal_vendor": "\u00e9\u00e9"}))
    run_driver(acs, new_store(), "--fname", "\u00e9" * 16, "--vendor", "\u00e9\u00e9\u00e9")
    tap.eq(acs.problems, [], "UTF-8 values cut at a character boundary (30 and 4 bytes)")
    acs.close()


if __name__ == "__main__":
    main(body)
