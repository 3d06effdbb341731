#!/usr/bin/env python3
"""Offline stand-in for Bazel's LcovMerger (C++/gcc only).

Converts gcov JSON (*.gcov.json.gz, gcc >= 9) and existing *.dat files found
under --coverage_dir into one LCOV file at --output_file.
"""
import glob, gzip, json, os, re, sys

args = {}
filters = []
for a in sys.argv[1:]:
    k, _, v = a.partition("=")
    if k == "--filter_sources":
        filters.append(re.compile(v))
    else:
        args[k] = v
cov_dir, out = args["--coverage_dir"], args["--output_file"]
manifest = set()
if args.get("--source_file_manifest") and os.path.exists(args["--source_file_manifest"]):
    manifest = {l.strip() for l in open(args["--source_file_manifest"]) if l.strip()}

files = {}  # path -> {"lines": {n: count}, "fns": {name: (line, count)}}
for p in glob.glob(os.path.join(cov_dir, "**", "*.gcov.json.gz"), recursive=True):
    data = json.load(gzip.open(p, "rt"))
    for f in data.get("files", []):
        path = f["file"]
        if any(r.match(path) for r in filters):
            continue
        if manifest and path not in manifest:
            continue
        e = files.setdefault(path, {"lines": {}, "fns": {}})
        for ln in f.get("lines", []):
            n = ln["line_number"]
            e["lines"][n] = e["lines"].get(n, 0) + ln["count"]
        for fn in f.get("functions", []):
            name = fn.get("demangled_name") or fn["name"]
            line, c = e["fns"].get(name, (fn["start_line"], 0))
            e["fns"][name] = (line, c + fn["execution_count"])

with open(out, "w") as o:
    for p in glob.glob(os.path.join(cov_dir, "**", "*.dat"), recursive=True):
        if os.path.abspath(p) != os.path.abspath(out) and os.path.getsize(p):
            o.write(open(p).read())
    for path in sorted(files):
        e = files[path]
        o.write("SF:%s\n" % path)
        for name, (line, c) in sorted(e["fns"].items(), key=lambda x: x[1][0]):
            o.write("FN:%d,%s\n" % (line, name))
        for name, (line, c) in e["fns"].items():
            o.write("FNDA:%d,%s\n" % (c, name))
        o.write("FNF:%d\nFNH:%d\n" % (len(e["fns"]), sum(1 for v in e["fns"].values() if v[1])))
        for n in sorted(e["lines"]):
            o.write("DA:%d,%d\n" % (n, e["lines"][n]))
        o.write("LF:%d\nLH:%d\nend_of_record\n" % (len(e["lines"]), sum(1 for v in e["lines"].values() if v)))
