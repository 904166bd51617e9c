#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ddf2cpp: turns an OMA LwM2M object definition (DDF XML) into the static C++ descriptor
the library's data model uses (lwm2m::dm::ObjectDef, dm::ResourceDef, dm::ResourceInfo).

  ddf2cpp.py OBJECT.xml [-o OUT.hpp] [--namespace NS]   one file (stdout without -o)
  ddf2cpp.py --all DDF_DIR OUT_DIR [--namespace NS]     every *.xml under DDF_DIR
  ddf2cpp.py --check DDF_DIR OUT_DIR [--namespace NS]   fails when OUT_DIR is not what
                                                        --all would write

A header is named after the object id and version (object_3303_v1_1.hpp) and holds, in
namespace NS::<object name>_v<version> (NS defaults to lwm2m::objects::ddf):
  rid::kSensorValue ...  the resource ids
  kResources             dm::ResourceDef[], sorted by id
  kInfo                  dm::ResourceInfo[]: units and ranges, for resources that have them
  kObject                dm::ObjectDef

Names, units and range texts are written as text in every header; a library built without
names (LWM2M_WITH_NAMES=OFF, lwm2m/dm/name.hpp) drops them when the header is compiled.

Python 3 standard library only. Errors name the file and the element and exit with 1.
"""

import argparse
import os
import re
import sys
import xml.etree.ElementTree as ET

DEFAULT_NAMESPACE = "lwm2m::objects::ddf"

TYPES = {
    "": "none",
    "String": "string",
    "Integer": "integer",
    "Unsigned Integer": "unsigned_integer",
    "Float": "floating",
    "Boolean": "boolean",
    "Opaque": "opaque",
    "Time": "time",
    "Objlnk": "objlnk",
    "Corelnk": "corelnk",
}
OPERATIONS = {"": "none", "R": "read", "W": "write", "RW": "read_write", "E": "execute"}
MULTIPLE = {"Single": False, "Multiple": True}
MANDATORY = {"Mandatory": True, "Optional": False}

NUMBER = r"-?\d+(?:\.\d+)?"
RANGE_RE = re.compile(r"^(" + NUMBER + r")\s*\.\.\s*(" + NUMBER + r")\s*(bytes?)?$")
EXACT_LENGTH_RE = re.compile(r"^(\d+)\s*bytes?$")


class DdfError(Exception):
    """An invalid or unsupported definition: which file, which element, what is wrong."""

    def __init__(self, path, element, message):
        super().__init__(f"{path}: {element}: {message}")


def text_of(parent, tag):
    node = parent.find(tag)
    return None if node is None else (node.text or "").strip()


def required(parent, tag, path, where):
    value = text_of(parent, tag)
    if value is None:
        raise DdfError(path, f"{where}/{tag}", "missing")
    return value


def choice(value, table, path, element):
    if value not in table:
        expected = ", ".join(repr(k) for k in table)
        raise DdfError(path, element, f"unsupported value {value!r} (expected one of {expected})")
    return table[value]


def parse_id(value, path, element, low=0, high=65534):
    if value is None or not re.fullmatch(r"\d+", value.strip()):
        raise DdfError(path, element, f"not an id: {value!r} (expected a number {low}..{high})")
    number = int(value)
    if not low <= number <= high:
        raise DdfError(path, element, f"id {number} out of range {low}..{high}")
    return number


def parse_range(text, path, element):
    """(kind, min, max) for a numeric range, ("none", 0, 0) for a range given as text."""
    m = RANGE_RE.match(text)
    if m:
        low, high = float(m.group(1)), float(m.group(2))
        if low > high:
            raise DdfError(path, element, f"empty range {text!r} (minimum above maximum)")
        return ("length" if m.group(3) else "value", low, high)
    m = EXACT_LENGTH_RE.match(text)
    if m:
        return ("length", float(m.group(1)), float(m.group(1)))
    return ("none", 0.0, 0.0)


def parse_resource(item, path, index):
    where = f"Object/Resources/Item[{index}]"
    rid = parse_id(item.get("ID"), path, f"{where} attribute ID")
    where = f'Object/Resources/Item ID="{rid}"'
    name = required(item, "Name", path, where)
    if not name:
        raise DdfError(path, f"{where}/Name", "empty")
    ops = choice(required(item, "Operations", path, where), OPERATIONS, path, f"{where}/Operations")
    multiple = choice(required(item, "MultipleInstances", path, where), MULTIPLE, path,
                      f"{where}/MultipleInstances")
    mandatory = choice(required(item, "Mandatory", path, where), MANDATORY, path,
                       f"{where}/Mandatory")
    dtype = choice(required(item, "Type", path, where), TYPES, path, f"{where}/Type")
    if (ops == "execute") != (dtype == "none"):
        raise DdfError(path, f"{where}/Type",
                       "executable resources, and only they, have no type")
    range_text = text_of(item, "RangeEnumeration") or ""
    kind, low, high = parse_range(range_text, path, f"{where}/RangeEnumeration")
    return {
        "id": rid,
        "name": name,
        "ops": ops,
        "multiple": multiple,
        "mandatory": mandatory,
        "type": dtype,
        "range": range_text,
        "kind": kind,
        "min": low,
        "max": high,
        "units": text_of(item, "Units") or "",
    }


def parse_ddf(path):
    """The object in a DDF file as a dict; DdfError when invalid or unsupported."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        line, column = e.position
        raise DdfError(path, f"line {line} column {column}", f"not well-formed XML ({e})") from None
    except OSError as e:
        raise DdfError(path, "file", e.strerror or str(e)) from None
    if root.tag != "LWM2M":
        raise DdfError(path, f"<{root.tag}>", "the root element must be <LWM2M>")
    objects = root.findall("Object")
    if len(objects) != 1:
        raise DdfError(path, "LWM2M/Object",
                       f"{len(objects)} objects (one object per file is supported)")
    obj = objects[0]
    oid = parse_id(required(obj, "ObjectID", path, "Object"), path, "Object/ObjectID")
    name = required(obj, "Name", path, "Object")
    if not name:
        raise DdfError(path, "Object/Name", "empty")
    version = text_of(obj, "ObjectVersion") or "1.0"
    if not re.fullmatch(r"\d+\.\d+", version):
        raise DdfError(path, "Object/ObjectVersion", f"{version!r} is not MAJOR.MINOR")
    multiple = choice(required(obj, "MultipleInstances", path, "Object"), MULTIPLE, path,
                      "Object/MultipleInstances")
    mandatory = choice(required(obj, "Mandatory", path, "Object"), MANDATORY, path,
                       "Object/Mandatory")
    resources_node = obj.find("Resources")
    if resources_node is None:
        raise DdfError(path, "Object/Resources", "missing")
    resources = [parse_resource(item, path, i)
                 for i, item in enumerate(resources_node.findall("Item"))]
    seen = set()
    for r in resources:
        if r["id"] in seen:
            raise DdfError(path, f'Object/Resources/Item ID="{r["id"]}"', "id defined twice")
        seen.add(r["id"])
    resources.sort(key=lambda r: r["id"])
    return {"id": oid, "name": name, "version": version, "multiple": multiple,
            "mandatory": mandatory, "resources": resources, "copyright": copyright_of(path)}


def copyright_of(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        m = re.search(r"Copyright[^\n]*", f.read())
    return m.group(0).strip() if m else ""


# ---- C++ output --------------------------------------------------------------------------

def words(name):
    return [w for w in re.split(r"[^0-9A-Za-z]+", name) if w]


def snake(name):
    ident = "_".join(w.lower() for w in words(name)) or "object"
    return "_" + ident if ident[0].isdigit() else ident


def constant(name):
    return "k" + "".join(w[0].upper() + w[1:] for w in words(name))


def cpp_string(text):
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def cpp_number(x):
    return str(int(x)) if x == int(x) else repr(x)


def cpp_bool(b):
    return "true" if b else "false"


def header_name(obj):
    return f"object_{obj['id']}_v{obj['version'].replace('.', '_')}.hpp"


def namespace_of(obj, base):
    return f"{base}::{snake(obj['name'])}_v{obj['version'].replace('.', '_')}"


def generate(obj, source_name, base_namespace=DEFAULT_NAMESPACE):
    ns = namespace_of(obj, base_namespace)
    lines = [
        # The generator's output is the project's (Apache-2.0); the ids, names and
        # definitions come from the OMA file (BSD-3-Clause, its notice kept below).
        "// SPDX-License-Identifier: Apache-2.0 AND BSD-3-Clause",
        "// clang-format off",
        f"// Generated by scripts/ddf2cpp.py from {source_name}: do not edit, regenerate.",
        f"// {obj['name']} ({obj['id']}), object version {obj['version']}, from the OMA LwM2M",
        "// object definition (DDF) of the same name.",
    ]
    if obj["copyright"]:
        lines.append(f"// Object definition: {obj['copyright']} (BSD-3-Clause; the licence text is")
        lines.append("// in the DDF file, https://github.com/OpenMobileAlliance/lwm2m-registry).")
    lines += [
        "#pragma once",
        "",
        '#include "lwm2m/dm/object.hpp"',
        '#include "lwm2m/dm/resource_info.hpp"',
        "",
        f"namespace {ns} {{",
        "",
        "namespace rid {",
    ]
    used = {}
    for r in obj["resources"]:
        used[constant(r["name"])] = used.get(constant(r["name"]), 0) + 1
    for r in obj["resources"]:
        c = constant(r["name"])
        if used[c] > 1 or c == "k":
            c = f"{c}{r['id']}"
        lines.append(f"inline constexpr dm::ResourceId {c} = {r['id']};")
    lines += ["}  // namespace rid", "", "inline constexpr dm::ResourceDef kResources[] = {"]
    for r in obj["resources"]:
        lines.append(
            f"    {{{r['id']}, dm::DataType::{r['type']}, dm::Operations::{r['ops']}, "
            f"{cpp_bool(r['multiple'])}, {cpp_bool(r['mandatory'])}, {cpp_string(r['name'])}}},")
    lines.append("};")
    lines.append("")
    info = [r for r in obj["resources"] if r["units"] or r["range"]]
    if info:
        lines.append("inline constexpr dm::ResourceInfo kInfo[] = {")
        for r in info:
            lines.append(
                f"    {{{r['id']}, {cpp_string(r['units'])}, {cpp_string(r['range'])}, "
                f"dm::RangeKind::{r['kind']}, {cpp_number(r['min'])}, {cpp_number(r['max'])}}},")
        lines.append("};")
    else:
        lines.append("inline constexpr std::span<const dm::ResourceInfo> kInfo{};")
    lines += [
        "",
        f"inline constexpr dm::ObjectDef kObject{{{obj['id']}, {cpp_string(obj['version'])}, "
        f"{cpp_bool(obj['multiple'])}, {cpp_bool(obj['mandatory'])}, kResources, "
        f"{cpp_string(obj['name'])}}};",
        "",
        f"}}  // namespace {ns}",
        "// clang-format on",
        "",
    ]
    return "\n".join(lines)


def ddf_files(directory):
    found = []
    for root, _dirs, files in os.walk(directory):
        found += [os.path.join(root, f) for f in files if f.endswith(".xml")]
    return sorted(found)


def same_definition(a, b):
    return {k: v for k, v in a.items() if k != "copyright"} == \
        {k: v for k, v in b.items() if k != "copyright"}


def generate_dir(ddf_dir, base_namespace):
    """{header name: text} for every DDF file under ddf_dir."""
    out, origin = {}, {}
    files = ddf_files(ddf_dir)
    if not files:
        raise DdfError(ddf_dir, "directory", "holds no .xml file")
    for path in files:
        obj = parse_ddf(path)
        name = header_name(obj)
        if name in origin:
            # The same object version twice (a registry keeps the newest at the top and
            # every version below): fine when both say the same.
            if same_definition(origin[name][1], obj):
                continue
            raise DdfError(path, "Object/ObjectID",
                           f"object {obj['id']} version {obj['version']} is also defined, "
                           f"differently, in {origin[name][0]}")
        origin[name] = (path, obj)
        out[name] = generate(obj, os.path.relpath(path, ddf_dir), base_namespace)
    return out


def check(ddf_dir, out_dir, base_namespace):
    expected = generate_dir(ddf_dir, base_namespace)
    present = {f for f in os.listdir(out_dir) if f.endswith(".hpp")} if os.path.isdir(out_dir) \
        else set()
    problems = []
    for name, text in sorted(expected.items()):
        path = os.path.join(out_dir, name)
        if name not in present:
            problems.append(f"{path}: missing")
            continue
        with open(path, encoding="utf-8") as f:
            if f.read() != text:
                problems.append(f"{path}: differs from what {ddf_dir} generates")
    problems += [f"{os.path.join(out_dir, n)}: no DDF file generates it (stale)"
                 for n in sorted(present - set(expected))]
    return problems


def main(argv):
    parser = argparse.ArgumentParser(
        prog="ddf2cpp.py", description="OMA LwM2M DDF XML -> lwm2m C++ object descriptor")
    parser.add_argument("ddf", nargs="?", help="one DDF XML file")
    parser.add_argument("-o", "--output", help="header to write (default: stdout)")
    parser.add_argument("--all", nargs=2, metavar=("DDF_DIR", "OUT_DIR"),
                        help="generate a header for every .xml under DDF_DIR into OUT_DIR")
    parser.add_argument("--check", nargs=2, metavar=("DDF_DIR", "OUT_DIR"),
                        help="exit 1 when OUT_DIR differs from what --all would write")
    parser.add_argument("--namespace", default=DEFAULT_NAMESPACE,
                        help=f"C++ namespace of the descriptors (default {DEFAULT_NAMESPACE})")
    args = parser.parse_args(argv)
    if sum(x is not None for x in (args.ddf, args.all, args.check)) != 1:
        parser.error("give one DDF file, or --all DDF_DIR OUT_DIR, or --check DDF_DIR OUT_DIR")
    try:
        if args.check:
            ddf_dir, out_dir = args.check
            if not os.path.isdir(ddf_dir):
                raise DdfError(ddf_dir, "directory", "not found (pass the DDF directory)")
            problems = check(ddf_dir, out_dir, args.namespace)
            for p in problems:
                print(f"ddf2cpp: {p}", file=sys.stderr)
            if problems:
                print(f"ddf2cpp: regenerate with: scripts/ddf2cpp.py --all {ddf_dir} {out_dir}",
                      file=sys.stderr)
                return 1
            print(f"ddf2cpp: {out_dir} is current with {ddf_dir}")
            return 0
        if args.all:
            ddf_dir, out_dir = args.all
            generated = generate_dir(ddf_dir, args.namespace)
            os.makedirs(out_dir, exist_ok=True)
            for name, text in generated.items():
                with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
                    f.write(text)
            print(f"ddf2cpp: wrote {len(generated)} headers to {out_dir}")
            return 0
        obj = parse_ddf(args.ddf)
        text = generate(obj, os.path.basename(args.ddf), args.namespace)
        if args.output:
            with open(args.output, "w", encoding="utf-8") as f:
                f.write(text)
        else:
            sys.stdout.write(text)
        return 0
    except DdfError as e:
        print(f"ddf2cpp: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
