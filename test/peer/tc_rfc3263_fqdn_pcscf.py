#!/usr/bin/env python3
"""RFC 3263 resolution of an FQDN P-CSCF (issue 4; TS 24.229 9.2.1 gives the
UE P-CSCF names): a scripted DNS server on loopback (handed to nta's
resolver through IMSUE_RESOLV_CONF, a resolv.conf naming it; the "port"
directive is not supported by Debian's Sofia-SIP, so the server listens on
port 53 of a random 127/8 address, which needs root) serves the zone. With a transport and no port (pcscf =
udp:NAME) the UE looks up SRV _sip._udp.NAME (RFC 3263 4.2), then the
target's address, and registers with the port of the SRV record; with an
explicit port (udp:NAME:PORT) it looks up only the address. A name that
does not resolve is a failure of that P-CSCF (next P-CSCF, 5.1.1.4.1)."""
import socket
import struct
import threading
from sippeer import *

ZONE = "imsue.test"


class DnsPeer:
    """A tiny authoritative DNS server over UDP on 127.0.0.1 (stdlib only)."""

    def __init__(self, srv, addrs):
        self.srv = srv        # name -> [(prio, weight, port, target)]
        self.addrs = addrs    # name -> IPv4 address
        self.queries = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        # The resolver of Debian's Sofia-SIP always asks port 53 (no "port"
        # directive): a random loopback address, port 53 (needs root).
        self.addr = "127.%d.%d.%d" % tuple(os.urandom(3)[i] % 250 + 2 for i in range(3))
        self.sock.bind((self.addr, 53))
        self.dir = tempfile.mkdtemp(prefix="imsue-dns-", dir="/tmp")
        self.stop = False
        threading.Thread(target=self._run, daemon=True).start()

    @staticmethod
    def _name(data, off):
        labels = []
        while data[off]:
            n = data[off]
            labels.append(data[off + 1:off + 1 + n].decode())
            off += 1 + n
        return ".".join(labels).lower(), off + 1

    @staticmethod
    def _enc(name):
        return b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"

    def _run(self):
        try:
            self.sock.settimeout(0.2)
        except OSError:
            return  # closed before the thread ran (the probe in body)
        while not self.stop:
            try:
                data, src = self.sock.recvfrom(2048)
            except socket.timeout:
                continue
            except OSError:
                return
            qid, flags = struct.unpack("!HH", data[:4])
            name, off = self._name(data, 12)
            qtype = struct.unpack("!H", data[off:off + 2])[0]
            question = data[12:off + 4]
            self.queries.append((name, qtype))
            answers = []
            known = name in self.srv or name in self.addrs
            if qtype == 33 and name in self.srv:
                for prio, weight, port, target in self.srv[name]:
                    rd = struct.pack("!HHH", prio, weight, port) + self._enc(target)
                    answers.append((33, rd))
            elif qtype == 1 and name in self.addrs:
                answers.append((1, socket.inet_aton(self.addrs[name])))
            rcode = 0 if known else 3
            hdr = struct.pack("!HHHHHH", qid, 0x8400 | (flags & 0x0100) | rcode, 1,
                              len(answers), 0, 0)
            body = question
            for t, rd in answers:
                body += b"\xc0\x0c" + struct.pack("!HHIH", t, 1, 60, len(rd)) + rd
            self.sock.sendto(hdr + body, src)

    def close(self):
        self.stop = True
        self.sock.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def with_dns(dns, fn):
    """fn() with IMSUE_RESOLV_CONF naming dns (the file lives as long as dns:
    the resolver reads it at its first query)."""
    conf = os.path.join(dns.dir, "resolv.conf")
    with open(conf, "w") as f:
        f.write("nameserver %s\n" % dns.addr)
    old = os.environ.get("IMSUE_RESOLV_CONF")
    os.environ["IMSUE_RESOLV_CONF"] = conf
    try:
        return fn()
    finally:
        if old is None:
            del os.environ["IMSUE_RESOLV_CONF"]
        else:
            os.environ["IMSUE_RESOLV_CONF"] = old


def body(tap):
    p = Peer()
    name = "pcscf." + ZONE
    try:
        dns = DnsPeer({}, {})
        dns.close()
    except OSError as e:
        tap.ok(True, "RFC 3263 resolution # SKIP no DNS server on port 53 (%s)" % e)
        return
    dns = DnsPeer({"_sip._udp." + name: [(0, 0, p.port, "host1." + ZONE)]},
                  {"host1." + ZONE: "127.0.0.1"})
    # Build the configuration by hand: pcscf without a port.
    def make_ue(pcscf):
        u = with_dns(dns, lambda: UE(tap, [], extra="pcscf = %s\n" % pcscf))
        return u

    ue = make_ue("udp:" + name)
    r1, r2, v = register_aka(tap, p, ue)
    tap.ok(("_sip._udp." + name, 33) in dns.queries, "SRV _sip._udp.NAME looked up",
           dns.queries)
    tap.ok(("host1." + ZONE, 1) in dns.queries, "A record of the SRV target looked up",
           dns.queries)
    tap.ok((name, 35) not in dns.queries, "no NAPTR: the transport is configured (4.1)",
           dns.queries)
    tap.eq(r1.transport, "udp", "REGISTER sent over the configured transport")
    tap.ok("to sip:%s;transport=udp" % name in ue.log(),
           "next hop without a port, so the SRV record's port was used", r1.src)
    st = ue.status()
    tap.eq(st["state"], "registered", "registered through the SRV-resolved P-CSCF")
    tap.eq(ue.close(), 0, "driver exits cleanly")

    # Explicit port: only the address is looked up.
    dns.queries.clear()
    dns.addrs[name] = "127.0.0.1"
    ue = make_ue("udp:%s:%d" % (name, p.port))
    register_aka(tap, p, ue)
    tap.ok((name, 1) in dns.queries and not any(q[1] == 33 for q in dns.queries),
           "explicit port: A lookup only, no SRV", dns.queries)
    tap.eq(ue.close(), 0, "driver exits cleanly")

    # A name that does not exist: that P-CSCF fails, the next one is used.
    dns.queries.clear()
    ue = make_ue("udp:nowhere.%s\npcscf = udp:127.0.0.1:%d" % (ZONE, p.port))
    r = p.wait_request(10, method="REGISTER")
    tap.ok(any(q[0].startswith("_sip._udp.nowhere") for q in dns.queries),
           "unknown name looked up", dns.queries)
    st = ue.status()
    tap.ok("nowhere" in (st["last_error"] or ""), "the failed name is in last_error", st)
    tap.eq(st["pcscf"], "udp:127.0.0.1:%d" % p.port, "second P-CSCF in use")
    tap.eq(ue.close(), 0, "driver exits cleanly")
    dns.close()


if __name__ == "__main__":
    run(Tap(), body)
