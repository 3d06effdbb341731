#!/usr/bin/env python3
"""Offline stand-in for Bazel's CoverageReportGenerator: concatenates the
per-test LCOV files listed in --reports_file into --output_file."""
import sys
args = dict(a.partition("=")[::2] for a in sys.argv[1:] if a.startswith("--"))
with open(args["--output_file"], "w") as out:
    for line in open(args["--reports_file"]):
        p = line.strip()
        if p.endswith(".dat") and not p.endswith("baseline_coverage.dat"):
            out.write(open(p).read())
