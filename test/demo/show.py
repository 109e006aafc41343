#!/usr/bin/env python3
"""Readable rendering of imsued's JSON for the demo (test/demo/demo.sh).

  show.py events T0     read event lines (imsued --json-events, or imsuectl events) on stdin and
                        print each as it arrives, with the time since T0 (epoch seconds)
  show.py status        read one `imsuectl status` reply on stdin and print it
  show.py field KEY     print STATUS[KEY] of the first UE of a status reply (empty if absent)

Keys this file does not know are printed too, so what later versions of imsued add (the reg
event subscription, autoconfiguration) shows up without changes here.
"""
import json
import sys
import time

KNOWN_STATUS = ["name", "state", "impu", "associated_uris", "service_route", "pcscf",
                "security", "auth", "expires_in_s", "refresh_in_s", "call_id", "last_error"]


def text(v):
    if v is None:
        return "-"
    if isinstance(v, (list, tuple)):
        return ", ".join(text(x) for x in v) if v else "(none)"
    if isinstance(v, dict):
        return ", ".join("%s %s" % (k, text(x)) for k, x in v.items())
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(v)


def events(t0):
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            ev = json.loads(line)
        except ValueError:
            print("  (not JSON: %s)" % line, flush=True)
            continue
        if not isinstance(ev, dict) or "event" not in ev:
            continue  # the reply to `events`
        rest = dict(ev)
        name = rest.pop("event")
        ue = rest.pop("ue", "?")
        impu = rest.pop("impu", "")
        state = rest.pop("state", None)
        parts = []
        if state is not None:
            parts.append("state " + text(state))
        if "expires" in rest:
            parts.append("expires in %s s" % text(rest.pop("expires")))
        for k, v in rest.items():
            parts.append("%s %s" % (k.replace("_", " "), text(v)))
        print("  [+%6.2f s] event %-12s %s %s%s" % (time.time() - t0, name, ue, impu,
                                                   " (" + ", ".join(parts) + ")" if parts else ""),
              flush=True)


def status_reply():
    raw = sys.stdin.read()
    try:
        reply = json.loads(raw)
    except ValueError:
        print("  (no status: %s)" % raw.strip())
        return 1
    if not reply.get("ok"):
        print("  error: %s" % reply.get("error"))
        return 1
    for ue in reply.get("ue", []):
        print("  %s: %s" % (ue.get("name"), ue.get("state")))
        rows = [
            ("public identity", ue.get("impu")),
            ("implicitly registered", ue.get("associated_uris")),
            ("service route", ue.get("service_route")),
            ("P-CSCF", ue.get("pcscf")),
            ("security", ue.get("security")),
            ("authentication", {"aka": "IMS-AKA (Digest-AKAv1-MD5)",
                                "digest": "SIP digest"}.get(ue.get("auth"), ue.get("auth"))),
            ("binding expires in", None if ue.get("expires_in_s") is None
             else "%s s" % ue["expires_in_s"]),
            ("reregistration in", None if ue.get("refresh_in_s") is None
             else "%s s" % ue["refresh_in_s"]),
            ("Call-ID", ue.get("call_id")),
            ("last error", ue.get("last_error")),
        ]
        for k in ue:
            if k not in KNOWN_STATUS:
                rows.append((k.replace("_", " "), ue[k]))
        for label, v in rows:
            if isinstance(v, dict):
                print("    %s:" % label)
                for k, x in v.items():
                    if x is None or x == [] or x == "":
                        continue
                    if isinstance(x, list) and x and isinstance(x[0], dict):
                        for item in x:
                            print("      %-20s %s" % (k.replace("_", " "), text(item)))
                    else:
                        print("      %-20s %s" % (k.replace("_", " "), text(x)))
            elif isinstance(v, list) and v and isinstance(v[0], dict):
                for item in v:
                    print("    %-22s %s" % (label, text({k: x for k, x in item.items()
                                                        if x is not None})))
            elif isinstance(v, list) and len(v) > 1:
                print("    %-22s %s" % (label, text(v[0])))
                for x in v[1:]:
                    print("    %-22s %s" % ("", text(x)))
            else:
                print("    %-22s %s" % (label, text(v)))
    return 0


def field(key):
    try:
        reply = json.loads(sys.stdin.read())
        v = reply["ue"][0].get(key)
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return 0
    if v is not None:
        print(text(v))
    return 0


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "events":
        events(float(sys.argv[2]) if len(sys.argv) > 2 else time.time())
        return 0
    if len(sys.argv) == 2 and sys.argv[1] == "status":
        return status_reply()
    if len(sys.argv) == 3 and sys.argv[1] == "field":
        return field(sys.argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
