#!/usr/bin/env python3
"""The real daemon end to end: imsued -c FILE -f registers through the
scripted P-CSCF (IMS AKA, 24.229 5.1.1.2/5.1.1.5.1), `imsuectl -s SOCK status`
reports the status contract, `imsuectl bindings` fetches the bindings
(5.1.1.4.1, RFC 3261 10.2.3: REGISTER without Contact, result as the event
"bindings" on --json-events), and SIGTERM deregisters first (5.1.1.6).
Uses $IMSUED, else tools/imsued of the build tree (skips when not built)."""
import signal

from sippeer import *


def body(tap):
    imsued = os.environ.get("IMSUED") or os.path.join(BUILD, "tools", "imsued")
    imsuectl = os.path.join(BUILD, "tools", "imsuectl")
    if not os.access(imsued, os.X_OK) or not os.access(imsuectl, os.X_OK):
        tap.n += 1
        print("ok 1 - imsued end to end # SKIP %s not built" % imsued)
        return
    p = Peer()
    d = tempfile.mkdtemp(prefix="imsue-e2e-", dir="/tmp")
    cfg = os.path.join(d, "ue.conf")
    sock = os.path.join(d, "ctl.sock")
    with open(cfg, "w") as f:
        f.write("[identity]\nimpi = %s\nimpu = %s\nhome_domain = %s\nimei = %s\n"
                "[credentials]\nk = %s\nopc = %s\namf = %s\n"
                "[network]\npcscf = udp:127.0.0.1:%d\nlocal_ip = 127.0.0.1\nsecurity = none\n"
                "auth = aka\nt1 = 100\n[ctl]\nsocket = %s\n" %
                (IMPI, IMPU, DOMAIN, IMEI, K, OPC, AMF, p.port, sock))
    log = open(os.path.join(d, "imsued.log"), "w")
    evpath = os.path.join(d, "events.json")
    evout = open(evpath, "w")
    proc = subprocess.Popen([imsued, "-c", cfg, "-f", "-d", "3", "--json-events"], stderr=log,
                            stdout=evout)
    try:
        r1 = p.wait_request(method="REGISTER")
        check_initial_register(tap, r1, "imsued initial REGISTER")
        v = AKA().vector()
        p.respond(r1, 401, "Unauthorized", [www_aka(v)])
        r2 = p.wait_request(method="REGISTER")
        check_aka_response(tap, r2, v, r1, "imsued")
        p.respond(r2, 200, "OK", ok_headers(r2))
        st = None
        for _ in range(50):
            out = subprocess.run([imsuectl, "-s", sock, "status"], capture_output=True,
                                 text=True, timeout=10)
            try:
                st = json.loads(out.stdout)["ue"][0]
            except (ValueError, KeyError, IndexError):
                st = None
            if st and st.get("state") == "registered":
                break
            time.sleep(0.1)
        tap.ok(st is not None, "imsuectl status prints JSON", out.stdout + out.stderr)
        st = st or {}
        tap.eq(st.get("state"), "registered", "imsuectl status: registered")
        tap.eq(st.get("associated_uris"), [IMPU, "tel:+15551234567"],
               "imsuectl status: associated_uris")
        tap.eq(st.get("call_id"), r1.call_id(), "imsuectl status: call_id")
        tap.ok(all(k in st for k in ("impu", "pcscf", "security", "auth", "expires_in_s",
                                     "refresh_in_s", "last_error")),
               "imsuectl status: every contract key", sorted(st))
        out = subprocess.run([imsuectl, "-s", sock, "bindings"], capture_output=True,
                             text=True, timeout=10)
        tap.eq((out.returncode, out.stdout.strip()), (0, '{"ok":true}'),
               "imsuectl bindings: accepted")
        f = p.wait_request(method="REGISTER")
        tap.ok(not f.has("Contact") and not f.has("Expires"),
               "bindings: REGISTER without Contact and Expires", f.raw)
        mine = r2.all("Contact")[0]
        p.respond(f, 200, "OK", [("Contact", "%s;expires=500" % mine)])
        ev = None
        for _ in range(50):
            with open(evpath) as fh:
                for line in fh:
                    try:
                        e = json.loads(line)
                    except ValueError:
                        continue
                    if e.get("event") == "bindings":
                        ev = e
            if ev:
                break
            time.sleep(0.1)
        tap.eq((ev or {}).get("total"), 1, "--json-events: the bindings event")
        tap.eq([b.get("expires") for b in (ev or {}).get("bindings", [])], [500],
               "bindings event: our binding's expiry")
        proc.send_signal(signal.SIGTERM)
        r3 = p.wait_request(method="REGISTER")
        tap.eq((r3.expires(), r3.call_id()), (0, r1.call_id()),
               "SIGTERM: de-REGISTER with expiry 0 first")
        p.respond(r3, 200, "OK")
        tap.eq(proc.wait(timeout=10), 0, "imsued exits 0")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
        evout.close()
        shutil.rmtree(d, ignore_errors=True)
        p.close()


if __name__ == "__main__":
    tap = Tap()
    try:
        body(tap)
    except TestFailure as e:
        tap.ok(False, "scenario completed", str(e))
    tap.done()
