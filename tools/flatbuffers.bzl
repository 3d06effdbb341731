"""flatbuffer_cc_library: run the system flatc (2.0.8) and wrap the output."""

load("@rules_cc//cc:defs.bzl", "cc_library")

_FLATC = "@system//:flatc"

def flatbuffer_cc_library(
        name,
        srcs,
        flatc_args = ["--gen-object-api", "--gen-compare"],
        deps = [],
        **kwargs):
    """For each foo.fbs in srcs generates (next to the BUILD file):

      foo_generated.h       C++ API (+ object API by default)
      foo_bfbs_generated.h  embedded binary schema (foo::FooBinarySchema::data())
      foo.bfbs              binary schema file (target :<name>_bfbs)

    and a cc_library `name` exposing the headers as "<pkg>/foo_generated.h".
    """
    hdrs = []
    bfbs = []
    for src in srcs:
        base = src.split("/")[-1][:-len(".fbs")]
        hdrs += [base + "_generated.h", base + "_bfbs_generated.h"]
        bfbs.append(base + ".bfbs")

    flatc = "$(location %s)" % _FLATC
    native.genrule(
        name = name + "_gen",
        srcs = srcs,
        outs = hdrs + bfbs,
        tools = [_FLATC],
        cmd = " && ".join([
            "%s --cpp %s --bfbs-gen-embed -I . -o $(RULEDIR) $(SRCS)" % (flatc, " ".join(flatc_args)),
            "%s --binary --schema --bfbs-comments --bfbs-builtins -I . -o $(RULEDIR) $(SRCS)" % flatc,
        ]),
        message = "flatc %s" % name,
    )
    native.filegroup(
        name = name + "_bfbs",
        srcs = bfbs,
        visibility = kwargs.get("visibility"),
    )
    cc_library(
        name = name,
        hdrs = hdrs,
        deps = deps + ["@system//:flatbuffers"],
        **kwargs
    )
