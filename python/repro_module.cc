// _repro: the NumPy bridge's native half (docs/numpy.md).
//
// Two parts:
//  - Watch, a callable written against the raw C API (pybind11's calling
//    convention costs ~250 ns a call, this one ~2 ns): it forwards a call to
//    the NumPy function it wraps by vectorcall and reads the floating-point
//    flags right after it, from MXCSR and from the x87 status word (glibc's
//    float32 exp raises its flags there). Only a call that raised a flag
//    the policy counts, or an exception, reaches the Python callback that
//    records it (repro/_hooks.py); results and exceptions pass through
//    unchanged.
//  - pybind11 functions that write snapshots through the C++ recorder
//    (Recorder::RecordExternal: the same format, profile, verification,
//    dedup and caps as C++ snapshots) and read them back (the C++ reader and
//    its verifier) for `python -m repro.replay` and generated pytests.
#include <immintrin.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/base/optimization.h"
#include "absl/strings/str_cat.h"
#include "core/failure.h"
#include "core/fp_env.h"
#include "core/tensor.h"
#include "pybind11/numpy.h"
#include "pybind11/pybind11.h"
#include "pybind11/stl.h"
#include "recorder/recorder.h"
#include "snapshot/reader.h"
#include "snapshot/writer.h"
#include "testing/synthesizer.h"

namespace py = pybind11;

namespace repro {
namespace {

// ---------------------------------------------------------------------------
// Floating-point flags, SSE and x87.

// The exception flags of MXCSR and of the x87 status word, in the hardware
// encoding both share (IE 0x01, ZE 0x04, OE 0x08, UE 0x10).
inline uint32_t RawFlags() {
  uint16_t x87;
  __asm__ volatile("fnstsw %0" : "=am"(x87));
  return (_mm_getcsr() | x87) & fp_internal::kMxcsrFlags;
}

// Clears both units' exception flags (what NumPy's own loops do before
// they run; only called when a stale flag is up).
inline void ClearRawFlags() {
  __asm__ volatile("fnclex");
  ClearFpFlags();
}

// ---------------------------------------------------------------------------
// Watch.

// Calls through every Watch, for the run summary. Only written under the
// GIL, so a plain load and store (no locked instruction) count exactly.
std::atomic<int64_t> g_calls{0};

struct Watch {
  PyObject_HEAD
  vectorcallfunc vectorcall;
  PyObject* func;        // the wrapped callable
  PyObject* name;        // the Repro kernel name (str)
  PyObject* on_failure;  // callable(watch, args, kwargs, result, flags, exc)
  PyObject* extra;       // dict of attributes served before func's, or NULL
  uint32_t mask;         // hardware flag bits that count as failures
  int nin;               // a ufunc's number of inputs; -1 for other functions
};

// The `out` argument of a call, if any: a keyword `out`, or a positional
// argument beyond the `nin` inputs of a ufunc (`a += b` passes (a, b, a));
// `nin` < 0 looks at keywords only.
bool HasOut(PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames, Py_ssize_t nin) {
  if (nin >= 0 && nargs > nin) return true;
  if (kwnames == nullptr) return false;
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(kwnames); ++i) {
    if (PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, i), "out") == 0) {
      return true;
    }
  }
  return false;
}

// Hands a failing call to the Python callback. Never lets the callback's
// own exception escape (the application must not see the recorder), and
// leaves the call's exception, if any, as it was.
void ReportFailure(Watch* w, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames,
                   PyObject* const* inputs, PyObject* result, uint32_t flags) {
  PyObject *type, *value, *traceback;
  PyErr_Fetch(&type, &value, &traceback);
  PyErr_NormalizeException(&type, &value, &traceback);
  PyObject* positional = PyTuple_New(nargs);
  PyObject* kwargs = nullptr;
  if (positional != nullptr) {
    for (Py_ssize_t i = 0; i < nargs; ++i) {
      PyObject* a = inputs != nullptr && inputs[i] != nullptr ? inputs[i] : args[i];
      Py_INCREF(a);
      PyTuple_SET_ITEM(positional, i, a);
    }
    if (kwnames != nullptr && PyTuple_GET_SIZE(kwnames) > 0) {
      kwargs = PyDict_New();
      for (Py_ssize_t i = 0; kwargs != nullptr && i < PyTuple_GET_SIZE(kwnames); ++i) {
        PyDict_SetItem(kwargs, PyTuple_GET_ITEM(kwnames, i), args[nargs + i]);
      }
    }
    PyObject* r = PyObject_CallFunction(
        w->on_failure, "OOOOIO", reinterpret_cast<PyObject*>(w), positional,
        kwargs != nullptr ? kwargs : Py_None, result != nullptr ? result : Py_None,
        static_cast<unsigned>(fp_internal::FromMxcsr(flags)), value != nullptr ? value : Py_None);
    if (r == nullptr) PyErr_WriteUnraisable(w->on_failure);
    Py_XDECREF(r);
  }
  if (positional == nullptr) PyErr_Clear();
  Py_XDECREF(positional);
  Py_XDECREF(kwargs);
  PyErr_Restore(type, value, traceback);
}

PyObject* WatchVectorcall(PyObject* self, PyObject* const* args, size_t nargsf,
                          PyObject* kwnames) {
  Watch* w = reinterpret_cast<Watch*>(self);
  g_calls.store(g_calls.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  if (ABSL_PREDICT_FALSE(RawFlags() != 0)) ClearRawFlags();  // stale flags
  const Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
  // An in-place call overwrites its inputs: keep copies of the array
  // inputs for the snapshot (only these calls pay for it).
  std::vector<PyObject*> copies;
  if (ABSL_PREDICT_FALSE(HasOut(args, nargs, kwnames, w->nin))) {
    copies.assign(nargs, nullptr);
    for (Py_ssize_t i = 0; i < nargs && (w->nin < 0 || i < w->nin); ++i) {
      if (PyObject_HasAttrString(args[i], "__array_interface__")) {
        copies[i] = PyObject_CallMethod(args[i], "copy", nullptr);
        if (copies[i] == nullptr) PyErr_Clear();
      }
    }
  }
  PyObject* result = PyObject_Vectorcall(w->func, args, nargsf, kwnames);
  const uint32_t flags = RawFlags() & w->mask;
  if (ABSL_PREDICT_FALSE(result == nullptr || flags != 0)) {
    ReportFailure(w, args, nargs, kwnames, copies.empty() ? nullptr : copies.data(), result,
                  flags);
    ClearRawFlags();  // NumPy has read them; stale flags would repeat the report
  }
  for (PyObject* c : copies) Py_XDECREF(c);
  return result;
}

PyObject* WatchNew(PyTypeObject* type, PyObject* args, PyObject* kwargs) {
  static const char* kKeywords[] = {"func", "name", "on_failure", "mask", "nin", "extra",
                                    nullptr};
  PyObject *func, *name, *on_failure, *extra = nullptr;
  unsigned int mask = 0;
  int nin = -1;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OUOI|iO!", const_cast<char**>(kKeywords),
                                   &func, &name, &on_failure, &mask, &nin, &PyDict_Type,
                                   &extra)) {
    return nullptr;
  }
  Watch* w = reinterpret_cast<Watch*>(type->tp_alloc(type, 0));
  if (w == nullptr) return nullptr;
  w->vectorcall = WatchVectorcall;
  Py_INCREF(func);
  w->func = func;
  Py_INCREF(name);
  w->name = name;
  Py_INCREF(on_failure);
  w->on_failure = on_failure;
  Py_XINCREF(extra);
  w->extra = extra;
  w->mask = fp_internal::ToMxcsr(mask);
  w->nin = nin;
  return reinterpret_cast<PyObject*>(w);
}

void WatchDealloc(PyObject* self) {
  Watch* w = reinterpret_cast<Watch*>(self);
  Py_XDECREF(w->func);
  Py_XDECREF(w->name);
  Py_XDECREF(w->on_failure);
  Py_XDECREF(w->extra);
  Py_TYPE(self)->tp_free(self);
}

// Attributes: the Watch's own (`_repro_func`, `_repro_name`), then the
// extra ones (a ufunc's watched `reduce`), then the wrapped function's, so
// that `np.add.nin`, `np.add.__name__` and `isinstance(np.add, np.ufunc)`
// (through `__class__`) answer as before.
PyObject* WatchGetattr(PyObject* self, PyObject* attr) {
  Watch* w = reinterpret_cast<Watch*>(self);
  if (PyUnicode_CompareWithASCIIString(attr, "_repro_func") == 0) {
    Py_INCREF(w->func);
    return w->func;
  }
  if (PyUnicode_CompareWithASCIIString(attr, "_repro_name") == 0) {
    Py_INCREF(w->name);
    return w->name;
  }
  if (w->extra != nullptr) {
    PyObject* v = PyDict_GetItemWithError(w->extra, attr);
    if (v != nullptr) {
      Py_INCREF(v);
      return v;
    }
    if (PyErr_Occurred()) return nullptr;
  }
  return PyObject_GetAttr(w->func, attr);
}

PyObject* WatchRepr(PyObject* self) {
  return PyObject_Repr(reinterpret_cast<Watch*>(self)->func);
}

PyTypeObject WatchType = [] {
  PyTypeObject t{PyVarObject_HEAD_INIT(nullptr, 0)};
  t.tp_name = "_repro.Watch";
  t.tp_basicsize = sizeof(Watch);
  t.tp_dealloc = WatchDealloc;
  t.tp_vectorcall_offset = offsetof(Watch, vectorcall);
  t.tp_call = PyVectorcall_Call;
  t.tp_getattro = WatchGetattr;
  t.tp_repr = WatchRepr;
  t.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL;
  t.tp_doc = "Watch(func, name, on_failure, mask, nin=-1, extra=None): calls func, reports failures";
  t.tp_new = WatchNew;
  return t;
}();

// ---------------------------------------------------------------------------
// Tensors and arrays.

// The Repro dtype of a NumPy dtype; false for the others (bool, complex,
// float16, ...), which the bridge skips.
bool DTypeOfArray(const py::array& a, DType* out) {
  const py::dtype d = a.dtype();
  if (d.kind() == 'f' && d.itemsize() == 4) *out = DType::kFloat32;
  else if (d.kind() == 'f' && d.itemsize() == 8) *out = DType::kFloat64;
  else if (d.kind() == 'i' && d.itemsize() == 4) *out = DType::kInt32;
  else if (d.kind() == 'i' && d.itemsize() == 8) *out = DType::kInt64;
  else return false;
  return true;
}

py::dtype NumpyDType(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: return py::dtype::of<float>();
    case DType::kFloat64: return py::dtype::of<double>();
    case DType::kInt32: return py::dtype::of<int32_t>();
    case DType::kInt64: return py::dtype::of<int64_t>();
  }
  return py::dtype::of<double>();
}

// A contiguous copy of `a` (any layout, native byte order) as a Tensor.
Tensor ToTensor(const py::array& a) {
  DType dtype;
  if (!DTypeOfArray(a, &dtype)) {
    throw py::type_error(absl::StrCat("unsupported dtype ", std::string(py::str(a.dtype()))));
  }
  // A C-contiguous array of the native byte order (a copy only if needed).
  const py::array c = py::module_::import("numpy").attr("asarray")(a, NumpyDType(dtype), "C");
  std::vector<int64_t> shape(c.shape(), c.shape() + c.ndim());
  Tensor t = Tensor::Empty(dtype, shape);
  std::memcpy(t.raw_data(), c.data(), t.size() * t.element_size());
  return t;
}

py::array ToArray(const Tensor& t) {
  const Tensor c = t.Contiguous();
  std::vector<py::ssize_t> shape(c.shape().begin(), c.shape().end());
  py::array a(NumpyDType(c.dtype()), shape);
  std::memcpy(a.mutable_data(), c.raw_data(), c.size() * c.element_size());
  return a;
}

// ---------------------------------------------------------------------------
// Writing and reading.

// The recorder REPRO_* installed in this process, or nullptr.
Recorder* Installed() {
  Recorder* r = InstallRecorderFromEnvironment();
  if (r != nullptr) r->CountExternalCalls(&g_calls);
  return r;
}

// Records one failing NumPy call; see repro/_hooks.py for the arguments.
std::string Record(const std::string& kernel, const std::vector<py::array>& inputs,
                   const std::vector<py::array>& outputs, const py::dict& attrs,
                   const std::string& failure, unsigned flags, const std::string& message,
                   const std::vector<std::string>& stack,
                   const std::vector<std::pair<std::string, std::string>>& breadcrumbs,
                   const std::string& call_site, uint64_t quick_key,
                   const std::string& producer) {
  Recorder* recorder = Installed();
  if (recorder == nullptr) return "";
  absl::StatusOr<FailureKind> kind = ParseFailureKind(failure);
  if (!kind.ok()) throw py::value_error(std::string(kind.status().message()));
  CallRecord r;
  r.kernel = kernel;
  for (const py::array& a : inputs) r.inputs.push_back(ToTensor(a));
  for (const py::array& a : outputs) r.outputs.push_back(ToTensor(a));
  for (const auto& [name, value] : attrs) {
    r.attrs.Set(py::cast<std::string>(name), py::cast<double>(value));
  }
  r.failure = *kind;
  r.fp_flags = flags & kFpAll;
  r.message = message;
  r.stack = stack;
  r.breadcrumbs.assign(breadcrumbs.begin(), breadcrumbs.end());
  r.environment = CurrentEnvironment();
  r.environment.producer = producer;
  py::gil_scoped_release release;  // encoding a large call takes a while
  return recorder->RecordExternal(std::move(r), call_site, quick_key);
}

// The snapshot at `path`, read and verified by the C++ reader, as a dict.
py::dict Load(const std::string& path) {
  absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::Load(path);
  if (!s.ok()) throw py::value_error(std::string(s.status().message()));
  const fb::Snapshot& root = s->root();
  py::dict d;
  d["kernel"] = root.kernel() ? root.kernel()->str() : "";
  d["failure"] = std::string(FailureKindName(static_cast<FailureKind>(root.outcome()->failure())));
  d["flags"] = root.outcome()->fp_flags();
  d["message"] = root.outcome()->message() ? root.outcome()->message()->str() : "";
  d["producer"] = root.environment() && root.environment()->producer()
                      ? root.environment()->producer()->str()
                      : "";
  d["policy"] = Policy::FromBits(root.policy()).ToString();
  py::dict attrs;
  if (root.attrs()) {
    for (const auto* a : *root.attrs()) attrs[py::str(a->name()->str())] = a->value();
  }
  d["attrs"] = attrs;
  py::list stack, crumbs;
  if (root.stack()) {
    for (const auto* frame : *root.stack()) stack.append(frame->str());
  }
  if (root.breadcrumbs()) {
    for (const auto* b : *root.breadcrumbs()) {
      crumbs.append(py::make_tuple(b->key() ? b->key()->str() : "",
                                   b->value() ? b->value()->str() : ""));
    }
  }
  d["stack"] = stack;
  d["breadcrumbs"] = crumbs;
  py::list ins, outs;
  absl::StatusOr<std::vector<Tensor>> in = s->Inputs();
  if (in.ok()) {
    for (const Tensor& t : *in) ins.append(ToArray(t));
  }
  absl::StatusOr<std::vector<Tensor>> out = s->Outputs();
  if (out.ok()) {
    for (const Tensor& t : *out) outs.append(ToArray(t));
  }
  d["inputs"] = ins;
  d["outputs"] = outs;
  d["full_inputs"] = s->HasFullInputs();
  return d;
}

// testing::Synthesize, for repro.synth's test that its port gives the
// same bits: `profile` holds MakeProfile's arguments by name.
py::array SynthesizeForTest(const std::string& dtype, const std::vector<int64_t>& shape,
                            const py::dict& p, uint64_t seed) {
  DType d;
  const py::array probe(py::dtype(dtype), std::vector<py::ssize_t>{0});
  if (!DTypeOfArray(probe, &d)) throw py::type_error("unsupported dtype " + dtype);
  auto i = [&](const char* k) { return py::cast<int64_t>(p[k]); };
  auto f = [&](const char* k) { return py::cast<double>(p[k]); };
  const Profile profile = testing::MakeProfile(
      i("count"), f("min"), f("max"), f("mean"), f("std"),
      py::cast<std::vector<double>>(p["quantiles"]), i("nan"), i("pos_inf"), i("neg_inf"),
      i("zeros"), i("negatives"), i("subnormals"), i("integers"));
  return ToArray(testing::Synthesize(d, shape, profile, seed));
}

}  // namespace
}  // namespace repro

PYBIND11_MODULE(_repro, m) {
  using namespace repro;
  m.doc() = "Repro's NumPy bridge: flag-reading wrappers and the C++ snapshot writer";
  if (PyType_Ready(&WatchType) < 0) throw py::error_already_set();
  Py_INCREF(&WatchType);
  m.add_object("Watch", reinterpret_cast<PyObject*>(&WatchType));
  m.def("install", [] { return Installed() != nullptr; },
        "Installs the recorder from REPRO_* (True), or says why not on stderr (False).");
  m.def("policy_flags", [] {
    Recorder* r = Installed();
    const Policy p = r != nullptr ? r->options().policy : Policy::Default();
    FpFlags f = 0;
    for (auto [kind, flag] : {std::pair{FailureKind::kInvalid, kFpInvalid},
                              {FailureKind::kDivide, kFpDivide},
                              {FailureKind::kOverflow, kFpOverflow},
                              {FailureKind::kUnderflow, kFpUnderflow}}) {
      if (p.Has(kind)) f |= flag;
    }
    return f;
  }, "The FP flags (Repro's bits) the installed recorder's policy counts.");
  m.def("policy_has", [](const std::string& kind) {
    Recorder* r = Installed();
    absl::StatusOr<FailureKind> k = ParseFailureKind(kind);
    return k.ok() && (r != nullptr ? r->options().policy : Policy::Default()).Has(*k);
  }, "Whether the policy counts a failure category ('error', ...).");
  m.def("classify_flags", [](unsigned flags) {
    Recorder* r = Installed();
    return std::string(FailureKindName(
        ClassifyFpFlags(flags, r != nullptr ? r->options().policy : Policy::Default())));
  }, "The failure category of FP flags under the policy ('none' when none counts).");
  m.def("seen", [](uint64_t key) {
    Recorder* r = Installed();
    return r != nullptr && r->CountExternalRepeat(key);
  }, "Counts a repeat of the failure recorded with `key`; False if there is none.");
  m.def("record", &Record, py::arg("kernel"), py::arg("inputs"), py::arg("outputs"),
        py::arg("attrs"), py::arg("failure"), py::arg("flags"), py::arg("message"),
        py::arg("stack"), py::arg("breadcrumbs"), py::arg("call_site"), py::arg("key"),
        py::arg("producer"),
        "Writes a failing call as a snapshot; returns its path, or '' for a repeat.");
  m.def("load", &Load, py::arg("path"), "Reads and verifies a snapshot: a dict.");
  m.def("fp_flags", [] { return fp_internal::FromMxcsr(RawFlags()); },
        "The FP flags raised now (SSE and x87), Repro's bits.");
  m.def("clear_fp_flags", [] { ClearRawFlags(); }, "Clears the SSE and x87 FP flags.");
  m.def("synthesize", &SynthesizeForTest, py::arg("dtype"), py::arg("shape"),
        py::arg("profile"), py::arg("seed"),
        "testing::Synthesize (C++), for tests of repro.synth's port.");
  m.def("flag_names", [](unsigned flags) { return FpFlagsToString(flags); },
        "'invalid,divide' for Repro's flag bits.");
}
