"""A real DNS server in the test process (dnslib, UDP on a free loopback port) answering TXT records a test sets."""

import threading

from dnslib import QTYPE, RR, TXT
from dnslib.server import BaseResolver, DNSLogger, DNSServer


class TxtRecords(BaseResolver):
    """Answers TXT questions from a dict name -> [values]; every other name is NXDOMAIN."""

    def __init__(self):
        self.records = {}
        self.lock = threading.Lock()

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        with self.lock:
            values = list(self.records.get(name, []))
        if request.q.qtype == QTYPE.TXT and values:
            for value in values:
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(value), ttl=0))
        elif not values:
            reply.header.rcode = 3  # NXDOMAIN
        return reply

    def publish(self, name, value):
        with self.lock:
            self.records.setdefault(name.lower(), []).append(value)

    def clear(self):
        with self.lock:
            self.records.clear()


class QuietLogger(DNSLogger):
    def __init__(self):
        super().__init__(log="-request,-reply,-truncated,-error,-recv,-send,-data", prefix=False)


def start_dns_server():
    """(server, resolver, "127.0.0.1:<port>"): a running server; stop it with server.stop()."""
    resolver = TxtRecords()
    server = DNSServer(resolver, address="127.0.0.1", port=0, logger=QuietLogger())
    server.start_thread()
    port = server.server.server_address[1]
    return server, resolver, f"127.0.0.1:{port}"
