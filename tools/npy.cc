#include "tools/npy.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace repro {

std::string NpyBytes(const Tensor& t) {
  static const char* kDescr[] = {"<f4", "<f8", "<i4", "<i8"};
  std::string shape = absl::StrJoin(t.shape(), ", ");
  if (t.rank() == 1) shape += ",";
  std::string header = absl::StrCat("{'descr': '", kDescr[static_cast<int>(t.dtype())],
                                    "', 'fortran_order': False, 'shape': (", shape, "), }");
  // Magic (6) + version (2) + length (2) + header + '\n', padded to 64.
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  std::vector<uint8_t> data = t.ToBytes();
  out.append(reinterpret_cast<const char*>(data.data()), data.size());
  return out;
}

}  // namespace repro
