#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Tests of scripts/ddf2cpp.py, the DDF XML -> C++ descriptor generator.

  ddf2cpp_test.py errors              bad DDF files (tests/data/ddf_bad) get their error
  ddf2cpp_test.py current DDF_DIR     every DDF generates, the checked-in headers are
                                      current, and a few resources match the XML

`current` exits 77 (skipped) when DDF_DIR is missing, unless CI=true: then it fails.
"""

import os
import re
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "ddf2cpp.py")
BAD = os.path.join(ROOT, "tests", "data", "ddf_bad")
GENERATED = os.path.join(ROOT, "include", "lwm2m", "objects", "ddf")
DDF_DIR = None


def run(*args):
    return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True)


class Errors(unittest.TestCase):
    # file -> what the error must name (the element) and say
    CASES = {
        "not_well_formed.xml": ("line 4", "not well-formed XML"),
        "unknown_type.xml": ('Item ID="1"/Type', "'Decimal'"),
        "unknown_operations.xml": ('Item ID="3"/Operations', "'RWX'"),
        "duplicate_id.xml": ('Item ID="0"', "id defined twice"),
        "bad_resource_id.xml": ("Item[0] attribute ID", "'abc'"),
        "missing_type.xml": ('Item ID="2"/Type', "missing"),
        "typed_executable.xml": ('Item ID="4"/Type', "executable resources"),
        "empty_range.xml": ('Item ID="5"/RangeEnumeration', "'10..1'"),
        "missing_object_id.xml": ("Object/ObjectID", "missing"),
        "wrong_root.xml": ("<Objects>", "<LWM2M>"),
        "bad_object_multiplicity.xml": ("Object/MultipleInstances", "'Many'"),
    }

    def test_each_bad_file_gets_an_error_naming_file_and_element(self):
        self.assertEqual(sorted(self.CASES), sorted(os.listdir(BAD)))
        for name, (element, words) in self.CASES.items():
            with self.subTest(name):
                path = os.path.join(BAD, name)
                r = run(path)
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertEqual(r.stdout, "")
                self.assertIn(f"ddf2cpp: error: {path}: ", r.stderr)
                self.assertIn(element, r.stderr)
                self.assertIn(words, r.stderr)

    def test_a_directory_with_a_bad_file_fails_naming_it(self):
        with tempfile.TemporaryDirectory() as out:
            r = run("--all", BAD, out)
        self.assertEqual(r.returncode, 1)
        self.assertIn(BAD, r.stderr)

    def test_a_missing_file_is_an_error(self):
        r = run(os.path.join(BAD, "absent.xml"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("absent.xml: file:", r.stderr)


def xml_items(path):
    root = ET.parse(path).getroot()
    obj = root.find("Object")
    items = {int(i.get("ID")): {c.tag: (c.text or "").strip() for c in i}
             for i in obj.find("Resources").findall("Item")}
    return obj, items


def header_entry(header_text, rid):
    m = re.search(r"^    \{" + str(rid) + r", dm::DataType::(\w+), dm::Operations::(\w+), "
                  r"(true|false), (true|false), \"([^\"]*)\"\},$", header_text, re.M)
    return m.groups() if m else None


class Current(unittest.TestCase):
    def test_checked_in_headers_are_what_the_ddf_directory_generates(self):
        r = run("--check", DDF_DIR, GENERATED)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_the_check_fails_on_an_edited_a_missing_or_a_stale_header(self):
        with tempfile.TemporaryDirectory() as out:
            self.assertEqual(run("--all", DDF_DIR, out).returncode, 0)
            self.assertEqual(run("--check", DDF_DIR, out).returncode, 0)
            edited = os.path.join(out, "object_3303_v1_1.hpp")
            with open(edited, "a", encoding="utf-8") as f:
                f.write("// edited by hand\n")
            os.remove(os.path.join(out, "object_6_v1_0.hpp"))
            with open(os.path.join(out, "object_9999_v1_0.hpp"), "w", encoding="utf-8") as f:
                f.write("")
            r = run("--check", DDF_DIR, out)
        self.assertEqual(r.returncode, 1)
        self.assertIn("object_3303_v1_1.hpp: differs", r.stderr)
        self.assertIn("object_6_v1_0.hpp: missing", r.stderr)
        self.assertIn("object_9999_v1_0.hpp: no DDF file generates it", r.stderr)
        self.assertIn("regenerate with: scripts/ddf2cpp.py --all", r.stderr)

    def test_every_ddf_file_generates_alone(self):
        for root, _dirs, files in os.walk(DDF_DIR):
            for f in sorted(files):
                if f.endswith(".xml"):
                    with self.subTest(f):
                        r = run(os.path.join(root, f))
                        self.assertEqual(r.returncode, 0, r.stderr)
                        self.assertIn("inline constexpr dm::ObjectDef kObject{", r.stdout)

    def test_resources_match_the_xml(self):
        types = {"Float": "floating", "Integer": "integer", "String": "string", "": "none",
                 "Boolean": "boolean", "Time": "time", "Objlnk": "objlnk", "Opaque": "opaque"}
        ops = {"R": "read", "RW": "read_write", "E": "execute", "W": "write"}
        picks = {("3303.xml", "object_3303_v1_1.hpp"): [5700, 5605, 5750],
                 ("versions/3-1_1.xml", "object_3_v1_1.hpp"): [4, 11, 13, 21],
                 ("3311.xml", "object_3311_v1_0.hpp"): [5850, 5851],
                 ("4.xml", "object_4_v1_3.hpp"): [1, 4],
                 ("6.xml", "object_6_v1_0.hpp"): [0, 4, 5]}
        for (xml_name, header), rids in picks.items():
            obj, items = xml_items(os.path.join(DDF_DIR, xml_name))
            with open(os.path.join(GENERATED, header), encoding="utf-8") as f:
                text = f.read()
            multiple = obj.findtext("MultipleInstances").strip() == "Multiple"
            self.assertIn(f"kObject{{{obj.findtext('ObjectID').strip()}, "
                          f"\"{obj.findtext('ObjectVersion').strip()}\", "
                          f"{'true' if multiple else 'false'}", text)
            for rid in rids:
                with self.subTest(f"{xml_name} resource {rid}"):
                    item = items[rid]
                    expected = (types[item["Type"]], ops[item["Operations"]],
                                "true" if item["MultipleInstances"] == "Multiple" else "false",
                                "true" if item["Mandatory"] == "Mandatory" else "false",
                                item["Name"])
                    self.assertEqual(header_entry(text, rid), expected)
                    if item.get("RangeEnumeration") or item.get("Units"):
                        self.assertIn(f"{{{rid}, \"{item.get('Units', '')}\", "
                                      f"\"{item.get('RangeEnumeration', '')}\"", text)


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "errors":
        suite = unittest.defaultTestLoader.loadTestsFromTestCase(Errors)
    elif mode == "current" and len(sys.argv) == 3:
        global DDF_DIR
        DDF_DIR = sys.argv[2]
        if not DDF_DIR or not os.path.isdir(DDF_DIR):
            if os.environ.get("CI") == "true":
                print(f"FAIL: DDF directory {DDF_DIR!r} not found and CI=true (configure with "
                      "-DLWM2M_DDF_DIR=path/to/shared/ddf)", file=sys.stderr)
                return 1
            print(f"SKIP: DDF directory {DDF_DIR!r} not found (configure with "
                  "-DLWM2M_DDF_DIR=path/to/shared/ddf)")
            return 77
        suite = unittest.defaultTestLoader.loadTestsFromTestCase(Current)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
