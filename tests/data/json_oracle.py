#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Independent oracle for the JSON codecs: Python's json module parses or produces the
documents, and this script prints a canonical line form that the C++ tests compare with.

Canonical lines (one per token, depth-first):
  {  }  [  ]         containers
  k <hex>            object key, UTF-8 bytes in hex
  s <hex>            string, UTF-8 bytes in hex
  i <decimal>        integer (JSON number without fraction or exponent)
  f <16 hex digits>  float, big-endian IEEE 754 double bits
  t / F / n          true / false / null

Modes:
  canon FILE              parse FILE, print canonical lines
  gen SEED FILE           write a random document to FILE with json.dumps (varied
                          whitespace, escaping and unicode), print its canonical lines
  senml FILE              parse a SenML JSON pack (RFC 8428), resolve bn/n and bt/t, print
                          one line per record: "<name> <t|-> <kind> <value>"
  lwm2mjson FILE          same for an LwM2M 1.0 JSON document ({"bn","bt","e":[...]})
"""
import base64
import json
import random
import struct
import sys


def canon(v, out):
    if isinstance(v, dict):
        out.append("{")
        for k, x in v.items():
            out.append("k " + k.encode("utf-8", "surrogatepass").hex())
            canon(x, out)
        out.append("}")
    elif isinstance(v, list):
        out.append("[")
        for x in v:
            canon(x, out)
        out.append("]")
    elif isinstance(v, bool):
        out.append("t" if v else "F")
    elif v is None:
        out.append("n")
    elif isinstance(v, int):
        out.append("i %d" % v)
    elif isinstance(v, float):
        out.append("f " + struct.pack(">d", v).hex())
    elif isinstance(v, str):
        out.append("s " + v.encode("utf-8", "surrogatepass").hex())
    else:
        raise TypeError(type(v))


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(pairs)


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    # strict: bytes must be UTF-8, no NaN/Infinity, no duplicate keys
    return json.loads(data.decode("utf-8"), object_pairs_hook=no_duplicates,
                      parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))


def rand_string(r):
    pool = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\x00", "\x01", "\x1f", "\x7f",
            "\u00e9", "\u20ac", "\u2028", "\U0001F600", "\U00010000", "\uffff", "\U0010FFFF"]
    return "".join(r.choice(pool) for _ in range(r.randrange(0, 12)))


def rand_value(r, depth):
    kind = r.randrange(0, 9 if depth < 4 else 7)
    if kind == 0:
        return r.choice([0, 1, -1, 2**53 + 1, -2**63, 2**64 - 1, 2**63 - 1, r.randrange(-10**6, 10**6)])
    if kind == 1:
        return r.choice([0.5, -0.0, 1e300, 5e-324, 0.1, 1.7976931348623157e308, 100.0, -2.5e-7,
                         r.uniform(-1e9, 1e9), struct.unpack("<f", struct.pack("<f", r.random()))[0]])
    if kind == 2:
        return rand_string(r)
    if kind == 3:
        return True
    if kind == 4:
        return False
    if kind == 5:
        return None
    if kind == 6:
        return rand_string(r)
    if kind == 7:
        return [rand_value(r, depth + 1) for _ in range(r.randrange(0, 4))]
    d = {}
    for _ in range(r.randrange(0, 4)):
        d[rand_string(r) + str(len(d))] = rand_value(r, depth + 1)
    return d


def gen(seed, path):
    r = random.Random(seed)
    doc = [rand_value(r, 1) for _ in range(r.randrange(1, 6))]
    style = seed % 4
    if style == 0:
        text = json.dumps(doc)
    elif style == 1:
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    elif style == 2:
        text = json.dumps(doc, indent=2)
    else:
        text = json.dumps(doc, ensure_ascii=False, indent="\t", separators=(" ,  ", " :\r\n"))
    with open(path, "wb") as f:
        f.write(text.encode("utf-8"))
    out = []
    canon(doc, out)
    print("\n".join(out))


def value_line(rec, keys):
    """Value of a record as "<kind> <text>"; exactly one value key allowed."""
    present = [k for k in keys if k in rec]
    if len(present) != 1:
        raise ValueError("record needs exactly one value: %r" % rec)
    k = present[0]
    v = rec[k]
    if k == "v":
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ValueError("v must be a number")
        return "v " + (("i %d" % v) if isinstance(v, int) else ("f " + struct.pack(">d", v).hex()))
    if k in ("vs", "sv", "vlo", "ov"):
        if not isinstance(v, str):
            raise ValueError(k + " must be a string")
        return k + " " + v.encode("utf-8").hex()
    if k in ("vb", "bv"):
        if not isinstance(v, bool):
            raise ValueError(k + " must be a boolean")
        return k + " " + ("true" if v else "false")
    if k == "vd":
        if not isinstance(v, str):
            raise ValueError("vd must be a string")
        # RFC 8428 §5: base64url without padding
        if "=" in v:
            raise ValueError("vd padded")
        return "vd " + base64.urlsafe_b64decode(v + "=" * (-len(v) % 4)).hex()
    raise ValueError(k)


def fmt_time(t):
    if t is None:
        return "-"
    return struct.pack(">d", float(t)).hex()


def senml(path):
    pack = load(path)
    if not isinstance(pack, list):
        raise ValueError("pack must be an array")
    bn, bt = "", None
    for rec in pack:
        if "bn" in rec:
            bn = rec["bn"]
        if "bt" in rec:
            bt = rec["bt"]
        name = bn + rec.get("n", "")
        t = rec.get("t")
        if bt is not None:
            t = bt + (t if t is not None else 0)
        vals = [k for k in ("v", "vs", "vb", "vd", "vlo") if k in rec]
        if not vals:
            print("%s %s none" % (name, fmt_time(t)))
        else:
            print("%s %s %s" % (name, fmt_time(t), value_line(rec, ("v", "vs", "vb", "vd", "vlo"))))


def lwm2mjson(path):
    doc = load(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("e"), list):
        raise ValueError("need an object with an e array")
    bn = doc.get("bn", "")
    bt = doc.get("bt")
    for e in doc["e"]:
        name = bn + e.get("n", "")
        t = e.get("t")
        if bt is not None:
            t = bt + (t if t is not None else 0)
        print("%s %s %s" % (name, fmt_time(t), value_line(e, ("v", "sv", "bv", "ov"))))


def main():
    mode = sys.argv[1]
    if mode == "canon":
        out = []
        canon(load(sys.argv[2]), out)
        print("\n".join(out))
    elif mode == "gen":
        gen(int(sys.argv[2]), sys.argv[3])
    elif mode == "senml":
        senml(sys.argv[2])
    elif mode == "lwm2mjson":
        lwm2mjson(sys.argv[2])
    else:
        raise SystemExit("unknown mode " + mode)


if __name__ == "__main__":
    main()
