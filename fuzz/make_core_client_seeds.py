#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the seed corpus of fuzz_core_client (fuzz/corpus/core_client/): realistic exchanges
between the client and its servers, in the operation format of fuzz/core_client_fuzz.cpp.

    fuzz/make_core_client_seeds.py [OUT_DIR]    (default: fuzz/corpus/core_client)
"""
import os
import struct
import sys

# Peers (SRC): 0 the bootstrap server, 1 and 2 management servers 101 and 102, 3 the
# firmware download peer, 4 a stranger.
BS, S1, S2, DL, STRANGER = 0, 1, 2, 3, 4
CON, NON, ACK, RST = 0, 1, 2, 3
GET, POST, PUT, DELETE = 1, 2, 3, 4
URI_PATH, URI_QUERY, OBSERVE, LOCATION, CF, ACCEPT, BLOCK2, BLOCK1 = 11, 15, 6, 8, 12, 17, 23, 27
TLV, SENML_JSON, SENML_CBOR, LINK, TEXT = 11542, 110, 112, 40, 0


def code(c, d):
    return (c << 5) | d


def uint(v):
    out = b""
    while v:
        out = bytes([v & 0xFF]) + out
        v >>= 8
    return out


def ext(n):
    if n < 13:
        return n, b""
    if n < 269:
        return 13, bytes([n - 13])
    return 14, struct.pack(">H", n - 269)


def options(opts, payload=b""):
    """opts: [(number, bytes)], sorted stably by number as CoAP needs."""
    out, last = b"", 0
    for num, val in sorted(opts, key=lambda o: o[0]):
        d, dx = ext(num - last)
        l, lx = ext(len(val))
        out += bytes([(d << 4) | l]) + dx + lx + val
        last = num
    if payload:
        out += b"\xff" + payload
    return out


def path(p):
    return [(URI_PATH, s.encode()) for s in p.strip("/").split("/") if s]


def block(num, more, szx):
    return uint((num << 4) | (8 if more else 0) | szx)


class Seed:
    def __init__(self):
        self.ops = b""
        self.mid = 0x1000

    def raw(self, src, datagram):
        self.ops += bytes([0, src]) + struct.pack("<H", len(datagram)) + datagram
        return self

    def request(self, src, c, p, opts=(), payload=b"", token=b"\x11\x22", typ=CON):
        """A request from a server to the client."""
        self.mid += 1
        head = bytes([0x40 | (typ << 4) | len(token), c]) + struct.pack(">H", self.mid) + token
        return self.raw(src, head + options(path(p) + list(opts), payload))

    def reply(self, src, c, opts=(), payload=b"", typ=ACK):
        """A reply to the client's latest request to src (or an empty ACK of its CON)."""
        rest = options(list(opts), payload)
        self.ops += bytes([1, src, typ, c]) + struct.pack("<H", len(rest)) + rest
        return self

    def wait(self, ms):
        while ms > 0:
            step = min(ms, 655350)
            self.ops += bytes([2]) + struct.pack("<H", step // 10)
            ms -= step
        return self

    def deadline(self):
        self.ops += b"\x03"
        return self

    def sensor(self, celsius):
        self.ops += bytes([4, celsius + 40])
        return self

    def app(self, what):
        self.ops += bytes([5, what])
        return self

    def oversized(self, src, datagram):
        self.ops += bytes([6, src]) + struct.pack("<H", len(datagram)) + datagram
        return self

    def registered(self):
        """Both management servers answer Register with 2.01 and a location."""
        for src in (S1, S2):
            self.reply(src, code(2, 1), [(LOCATION, b"rd"), (LOCATION, b"5a3f")])
        return self


APP_START, APP_STOP, APP_UPDATE, APP_BOOTSTRAP, APP_SEND = 0, 1, 2, 3, 4


def seeds():
    s = {}
    s["register_read"] = (Seed().registered()
                          .request(S1, GET, "/3/0", [(ACCEPT, uint(TLV))])
                          .request(S1, GET, "/3303/0/5700", [(ACCEPT, uint(SENML_CBOR))])
                          .request(S1, GET, "/3/0/0", [(ACCEPT, uint(TEXT))])
                          .request(S2, GET, "/3303/0", [(ACCEPT, uint(SENML_JSON))])
                          .request(S1, GET, "/3303", [(ACCEPT, uint(LINK))]).ops)
    s["observe"] = (Seed().registered()
                    .request(S1, PUT, "/3303/0/5700", [(URI_QUERY, b"pmin=1"), (URI_QUERY, b"pmax=10"), (URI_QUERY, b"st=0.5")])
                    .request(S1, GET, "/3303/0/5700", [(OBSERVE, b""), (ACCEPT, uint(TEXT))], token=b"\x0b\x5e")
                    .sensor(25).wait(2000).reply(S1, 0).sensor(30).wait(1500).deadline()
                    .reply(S1, 0, typ=RST).sensor(-10).wait(11000).ops)
    s["observe_composite"] = (Seed().registered()
                              .request(S1, 5, "/", [(OBSERVE, b""), (CF, uint(SENML_JSON)), (ACCEPT, uint(SENML_JSON))],
                                       b'[{"n":"/3303/0/5700"},{"n":"/3/0/9"}]')
                              .sensor(12).app(6).wait(3000).deadline().ops)
    s["block2_read"] = (Seed().registered()
                        .request(S1, GET, "/3/0", [(ACCEPT, uint(SENML_JSON)), (BLOCK2, block(0, False, 0))])
                        .request(S1, GET, "/3/0", [(ACCEPT, uint(SENML_JSON)), (BLOCK2, block(1, False, 0))])
                        .request(S1, GET, "/3/0", [(ACCEPT, uint(SENML_JSON)), (BLOCK2, block(2, False, 0))])
                        .request(S1, GET, "/3/0", [(ACCEPT, uint(SENML_JSON)), (BLOCK2, block(3, False, 0))]).ops)
    body = b'[{"bn":"/3303/0/","n":"5750","vs":"outdoor temperature probe"},{"n":"5821","v":0.25}]'
    blk = Seed().registered()
    for n in range(0, (len(body) + 31) // 32):
        chunk = body[n * 32:(n + 1) * 32]
        more = (n + 1) * 32 < len(body)
        blk.request(S1, POST, "/3303/0", [(CF, uint(SENML_JSON)), (BLOCK1, block(n, more, 1))], chunk, token=b"\x33")
    s["block1_write"] = blk.oversized(S1, bytes([0x40, PUT, 0x20, 0x01]) + options(path("/5/0/0"), b"\x00" * 200)).ops
    s["write_create_delete"] = (Seed().registered()
                                .request(S1, PUT, "/3303/0", [(CF, uint(SENML_JSON))],
                                         b'[{"bn":"/3303/0/","n":"5750","vs":"x"},{"n":"5821","v":1.5}]')
                                .request(S1, POST, "/3303", [(CF, uint(SENML_JSON))],
                                         b'[{"bn":"/3303/1/","n":"5750","vs":"y"}]')
                                .request(S1, GET, "/3303", [(ACCEPT, uint(TLV))])
                                .request(S1, DELETE, "/3303/1")
                                .request(S2, PUT, "/3303/0/5750", [(CF, uint(TEXT))], b"denied")
                                .request(S1, POST, "/3/0/4")
                                .request(S1, POST, "/1/0/8").deadline().reply(S1, code(2, 4)).ops)
    s["update_lifetime"] = (Seed().registered().wait(60000).reply(S1, code(2, 4)).reply(S2, code(2, 4))
                            .app(APP_UPDATE).reply(S1, code(4, 4)).reply(S1, code(2, 1), [(LOCATION, b"rd"), (LOCATION, b"77")])
                            .app(APP_SEND).reply(S1, code(2, 4)).app(APP_STOP).reply(S1, code(2, 2)).reply(S2, code(2, 2)).ops)
    s["register_retry"] = (Seed().reply(S1, code(5, 3)).reply(S2, code(4, 0)).deadline().deadline()
                           .reply(S1, code(2, 1), [(LOCATION, b"rd"), (LOCATION, b"1")]).deadline().deadline().ops)
    secb = b'[{"bn":"/0/1/","n":"0","vs":"coap://192.0.2.2:5683"},{"n":"1","vb":false},{"n":"2","v":3},{"n":"10","v":101}]'
    srvb = b'[{"bn":"/1/0/","n":"0","v":101},{"n":"1","v":120},{"n":"6","vb":true},{"n":"7","vs":"U"}]'
    s["bootstrap"] = (Seed().app(APP_BOOTSTRAP).reply(BS, code(2, 4))
                      .request(BS, GET, "/", [(ACCEPT, uint(LINK))])
                      .request(BS, DELETE, "/")
                      .request(BS, PUT, "/0/1", [(CF, uint(SENML_JSON))], secb)
                      .request(BS, PUT, "/1/0", [(CF, uint(SENML_JSON))], srvb)
                      .request(BS, POST, "/bs")
                      .deadline().reply(S1, code(2, 1), [(LOCATION, b"rd"), (LOCATION, b"9")])
                      .request(S1, GET, "/1", [(ACCEPT, uint(TLV))]).ops)
    s["firmware_pull"] = (Seed().registered()
                          .request(S1, PUT, "/5/0/1", [(CF, uint(TEXT))], b"coap://192.0.2.9/fw.bin")
                          .reply(DL, code(2, 5), [(BLOCK2, block(0, True, 2))], bytes(range(64)))
                          .reply(DL, code(2, 5), [(BLOCK2, block(1, False, 2))], bytes(range(20)))
                          .request(S1, GET, "/5/0/3", [(ACCEPT, uint(TEXT))])
                          .request(S1, POST, "/5/0/2").app(7).ops)
    s["stranger"] = (Seed().request(STRANGER, GET, "/3/0").registered()
                     .request(STRANGER, POST, "/1/0/8")
                     .raw(STRANGER, b"\x50\x00\x00\x07")
                     .request(S1, GET, "/3/0/2", [(ACCEPT, uint(TEXT))]).ops)
    return s


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "core_client")
    os.makedirs(out, exist_ok=True)
    for name, data in seeds().items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
