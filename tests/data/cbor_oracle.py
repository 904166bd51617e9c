#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Independent oracle for the CBOR codecs: Debian's python3-cbor2 decodes what the library
wrote, or encodes documents for the library to read, and this script prints a canonical
text form that the C++ tests compare with.

Modes:
  diag FILE               decode FILE, print it in the diagnostic notation of
                          tests/unit/codec/cbor_diag.hpp (tags dropped, floats as the
                          shortest "%.*g" that reads back)
  gen SEED FILE           write a random CBOR item to FILE, print its diagnostic notation
  senml FILE              decode a SenML CBOR pack (RFC 8428 §6), resolve bn/n and bt/t,
                          print one line per record: "<name> <t|-> <kind> <value>"
  lwm2m FILE              decode an LwM2M CBOR document (nested maps keyed by ids or id
                          arrays), print one line per leaf: "<path> - <kind> <value>"
  value PATH FILE         decode a plain CBOR value, print its line with name PATH
  gensenml SEED FILE      write a random SenML CBOR pack, print its record lines
  genlwm2m SEED FILE      write a random LwM2M CBOR document, print its leaf lines

Record lines use the kinds of json_oracle.py: "v i <int>", "v f <double bits hex>",
"vs <utf-8 hex>", "vb true|false", "vd <hex>", "vlo <utf-8 hex>", "none".
"""
import random
import struct
import sys

import cbor2


def fdiag(v):
    if v != v:
        return "nan"
    for p in range(1, 18):
        s = "%.*g" % (p, v)
        if float(s) == v:
            return s
    return s


def diag(v):
    if isinstance(v, cbor2.CBORTag):
        return diag(v.value)
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if v is cbor2.undefined:
        return "undefined"
    if isinstance(v, cbor2.CBORSimpleValue):
        return "simple(%d)" % v.value
    if isinstance(v, int):
        return "%d" % v
    if isinstance(v, float):
        return fdiag(v)
    if isinstance(v, bytes):
        return "h'" + v.hex() + "'"
    if isinstance(v, str):
        return '"' + v + '"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(diag(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(diag(k) + ": " + diag(x) for k, x in v.items()) + "}"
    raise TypeError(type(v))


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    return cbor2.loads(data)


def rand_item(r, depth):
    kind = r.randrange(0, 10 if depth < 4 else 8)
    if kind == 0:
        return r.choice([0, 23, 24, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 2**64 - 1,
                         r.randrange(0, 2**64)])
    if kind == 1:
        return r.choice([-1, -24, -25, -256, -257, -2**63, -2**64, -r.randrange(1, 2**64)])
    if kind == 2:
        return r.choice([0.0, -0.0, 1.5, 1.1, 1e300, -4.1, 65504.0, 5.960464477539063e-8,
                         float("inf"), float("-inf"), r.uniform(-1e9, 1e9),
                         struct.unpack("<f", struct.pack("<f", r.random()))[0]])
    if kind == 3:
        return bytes(r.randrange(0, 256) for _ in range(r.randrange(0, 6)))
    if kind == 4:
        return "".join(r.choice(["a", "Z", " ", "\u00e9", "\u20ac", "\U0001F600", "\""])
                       for _ in range(r.randrange(0, 6)))
    if kind == 5:
        return r.choice([True, False, None])
    if kind == 6:
        return cbor2.CBORTag(r.choice([1000, 40000, 7]), r.randrange(0, 2**32))
    if kind == 7:
        return r.randrange(-1000, 1000)
    if kind == 8:
        return [rand_item(r, depth + 1) for _ in range(r.randrange(0, 5))]
    d = {}
    for _ in range(r.randrange(0, 5)):
        d[r.choice([r.randrange(0, 100), "k%d" % r.randrange(0, 100)])] = rand_item(r, depth + 1)
    return d


def gen(seed, path):
    r = random.Random(seed)
    v = rand_item(r, 0)
    data = cbor2.dumps(v, canonical=bool(seed % 2))
    with open(path, "wb") as f:
        f.write(data)
    print(diag(cbor2.loads(data)))  # canonical mode reorders map keys


def fmt_time(t):
    if t is None:
        return "-"
    return struct.pack(">d", float(t)).hex()


def value_line(v, objlnk=False):
    if v is None:
        return "none"
    if isinstance(v, cbor2.CBORTag):
        v = v.value
    if isinstance(v, bool):
        return "vb " + ("true" if v else "false")
    if isinstance(v, int):
        return "v i %d" % v
    if isinstance(v, float):
        return "v f " + struct.pack(">d", v).hex()
    if isinstance(v, bytes):
        return "vd " + v.hex()
    if isinstance(v, str):
        return ("vlo " if objlnk else "vs ") + v.encode("utf-8").hex()
    raise ValueError("not a value: %r" % (v,))


SENML_VALUES = (2, 3, 4, 8, "vlo")


def senml(path):
    pack = load(path)
    if not isinstance(pack, list):
        raise ValueError("pack must be an array")
    bn, bt = "", None
    for rec in pack:
        if not isinstance(rec, dict):
            raise ValueError("record must be a map")
        if -2 in rec:
            bn = rec[-2]
        if -3 in rec:
            bt = rec[-3]
        name = bn + rec.get(0, "")
        t = rec.get(6)
        if bt is not None:
            t = bt + (t if t is not None else 0)
        vals = [k for k in SENML_VALUES if k in rec]
        if len(vals) > 1:
            raise ValueError("several values")
        if not vals:
            print("%s %s none" % (name, fmt_time(t)))
            continue
        k = vals[0]
        v = rec[k]
        if k == 2 and (isinstance(v, bool) or not isinstance(v, (int, float))):
            raise ValueError("v must be a number")
        if k in (3, "vlo") and not isinstance(v, str):
            raise ValueError("string expected")
        if k == 4 and not isinstance(v, bool):
            raise ValueError("vb must be a boolean")
        if k == 8 and not isinstance(v, bytes):
            raise ValueError("vd must be a byte string")
        print("%s %s %s" % (name, fmt_time(t), value_line(v, k == "vlo")))


def lwm2m_walk(node, prefix, objlnk_paths):
    if not isinstance(node, dict):
        name = "/" + "/".join(str(i) for i in prefix)
        print("%s - %s" % (name, value_line(node, name in objlnk_paths)))
        return
    for k, v in node.items():
        ids = list(k) if isinstance(k, (list, tuple)) else [k]
        if not ids or any(isinstance(i, bool) or not isinstance(i, int) or i < 0 or i > 65534
                          for i in ids):
            raise ValueError("bad key %r" % (k,))
        if len(prefix) + len(ids) > 4:
            raise ValueError("path too deep")
        lwm2m_walk(v, prefix + ids, objlnk_paths)


def lwm2m(path, objlnk_paths=()):
    doc = load(path)
    if not isinstance(doc, dict):
        raise ValueError("need a map")
    lwm2m_walk(doc, [], set(objlnk_paths))


def rand_leaf(r):
    kind = r.randrange(0, 7)
    if kind == 0:
        return r.choice([0, 1, -1, 23, 24, -25, 2**63 - 1, -2**63, r.randrange(-10**9, 10**9)])
    if kind == 1:
        return r.choice([2**63, 2**64 - 1])
    if kind == 2:
        return r.choice([0.5, -2.25, 1.1, 1e300, 3.4028234663852886e+38, r.uniform(-1e6, 1e6)])
    if kind == 3:
        return "".join(r.choice(["a", "Z", "0", " ", "\u00e9", "\U0001F600"])
                       for _ in range(r.randrange(0, 8)))
    if kind == 4:
        return r.choice([True, False])
    if kind == 5:
        return bytes(r.randrange(0, 256) for _ in range(r.randrange(0, 8)))
    return None  # objlnk, chosen by the caller


def rand_records(r, base=(3, 0)):
    """Records (path tuple, value, is_objlnk) below `base`, sorted and unique."""
    paths = set()
    for _ in range(r.randrange(1, 8)):
        p = list(base)
        while len(p) < 3:
            p.append(r.choice([0, 1, 2, 100, 65534]))
        if r.random() < 0.3:
            p.append(r.choice([0, 3, 7, 1000]))
        paths.add(tuple(p))
    # a resource and its own instances cannot both be leaves
    paths = {p for p in paths if not (len(p) == 3 and any(q[:3] == p and len(q) == 4 for q in paths))}
    out = []
    for p in sorted(paths):
        v = rand_leaf(r)
        if v is None:
            out.append((p, "%d:%d" % (r.randrange(0, 65535), r.randrange(0, 65535)), True))
        else:
            out.append((p, v, False))
    return out


def gensenml(seed, path):
    r = random.Random(seed)
    recs = rand_records(r)
    pack = []
    bt = None
    if seed % 3 == 0:
        bt = 1700000000.0
    for i, (p, v, is_link) in enumerate(recs):
        name = "/" + "/".join(str(x) for x in p)
        rec = {}
        if i == 0:
            rec[-2] = "/3/0/"
            if bt is not None:
                rec[-3] = bt
        rec[0] = name[len("/3/0/"):]
        if seed % 3 == 0:
            rec[6] = float(i)
        if is_link:
            rec["vlo"] = v
        elif isinstance(v, bool):
            rec[4] = v
        elif isinstance(v, (int, float)):
            rec[2] = v
        elif isinstance(v, str):
            rec[3] = v
        else:
            rec[8] = v
        pack.append(rec)
    data = cbor2.dumps(pack)
    with open(path, "wb") as f:
        f.write(data)
    senml(path)


def genlwm2m(seed, path):
    r = random.Random(seed)
    recs = rand_records(r)
    doc = {}
    for p, v, _ in recs:
        node = doc
        for i in p[:-1]:
            node = node.setdefault(i, {})
        node[p[-1]] = v
    if seed % 2:
        doc = {(3, 0): doc[3][0]}  # a path-prefix key, as LwM2M 1.2 §7.4.7 allows
    with open(path, "wb") as f:
        f.write(cbor2.dumps(doc))
    links = ["/" + "/".join(str(x) for x in p) for p, _, is_link in recs if is_link]
    lwm2m(path, links)


def main():
    mode = sys.argv[1]
    if mode == "diag":
        print(diag(load(sys.argv[2])))
    elif mode == "gen":
        gen(int(sys.argv[2]), sys.argv[3])
    elif mode == "senml":
        senml(sys.argv[2])
    elif mode == "lwm2m":
        lwm2m(sys.argv[2])
    elif mode == "value":
        print("%s - %s" % (sys.argv[2], value_line(load(sys.argv[3]))))
    elif mode == "gensenml":
        gensenml(int(sys.argv[2]), sys.argv[3])
    elif mode == "genlwm2m":
        genlwm2m(int(sys.argv[2]), sys.argv[3])
    else:
        raise SystemExit("unknown mode " + mode)


if __name__ == "__main__":
    main()
