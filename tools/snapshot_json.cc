#include "tools/snapshot_json.h"

#include <algorithm>
#include <type_traits>
#include <vector>

#include "absl/strings/str_format.h"
#include "core/dtype.h"
#include "core/tensor.h"
#include "flatbuffers/reflection.h"
#include "snapshot/snapshot_bfbs_generated.h"
#include "tools/json.h"

namespace repro {
namespace {

using reflection::BaseType;

// Fields whose 64-bit values are hashes: hex strings.
bool IsDigest(const reflection::Field& f) {
  const std::string name = f.name()->str();
  return name == "fingerprint" || name == "digest";
}

// The name of enum value `v` of enum `index`, or the number.
void WriteEnum(JsonWriter& j, const reflection::Schema& schema, int index, int64_t v) {
  if (const reflection::EnumVal* e = schema.enums()->Get(index)->values()->LookupByKey(v)) {
    j.String(e->name()->str());
  } else {
    j.Int(v);
  }
}

// A TensorRecord's data as numbers of its dtype, decoded as the reader
// decodes it (TensorFromRecord), in row-major order.
void WriteData(JsonWriter& j, const flatbuffers::Table& table) {
  // The reflection table is the generated one (the FlatBuffers idiom).
  const auto& record = reinterpret_cast<const fb::TensorRecord&>(table);
  j.BeginArray();
  if (absl::StatusOr<Tensor> tensor = TensorFromRecord(record); tensor.ok()) {
    const Tensor data = tensor->Contiguous();
    VisitDType(data.dtype(), [&](auto t) {
      using T = decltype(t);
      for (int64_t i = 0; i < data.size(); ++i) {
        if constexpr (std::is_floating_point_v<T>) {
          j.Double(static_cast<double>(data.data<T>()[i]));
        } else {
          j.Int(static_cast<int64_t>(data.data<T>()[i]));
        }
      }
    });
  }
  j.EndArray();
}

// Writes the fields of `table` into the object open in `j`.
void WriteFields(JsonWriter& j, const reflection::Schema& schema, const reflection::Object& obj,
                 const flatbuffers::Table& table, bool include_data);

void WriteVector(JsonWriter& j, const reflection::Schema& schema, const reflection::Field& f,
                 const flatbuffers::Table& table, bool include_data) {
  const flatbuffers::VectorOfAny* v = flatbuffers::GetFieldAnyV(table, f);
  const BaseType elem = f.type()->element();
  if (f.name()->str() == "data" && elem == BaseType::UByte) {
    WriteData(j, table);
    return;
  }
  j.BeginArray();
  for (size_t i = 0; i < v->size(); ++i) {
    if (elem == BaseType::Obj) {
      j.BeginObject();
      WriteFields(j, schema, *schema.objects()->Get(f.type()->index()),
                  *flatbuffers::GetAnyVectorElemPointer<const flatbuffers::Table>(v, i),
                  include_data);
      j.EndObject();
    } else if (elem == BaseType::String) {
      j.String(flatbuffers::GetAnyVectorElemPointer<const flatbuffers::String>(v, i)->str());
    } else if (flatbuffers::IsFloat(elem)) {
      j.Double(flatbuffers::GetAnyVectorElemF(v, elem, i));
    } else {
      j.Int(flatbuffers::GetAnyVectorElemI(v, elem, i));
    }
  }
  j.EndArray();
}

void WriteFields(JsonWriter& j, const reflection::Schema& schema, const reflection::Object& obj,
                 const flatbuffers::Table& table, bool include_data) {
  // Fields in declaration order, as the schema file lists them.
  std::vector<const reflection::Field*> fields(obj.fields()->begin(), obj.fields()->end());
  std::sort(fields.begin(), fields.end(),
            [](const reflection::Field* a, const reflection::Field* b) { return a->id() < b->id(); });
  for (const reflection::Field* f : fields) {
    const BaseType type = f->type()->base_type();
    const bool present = table.CheckField(f->offset());
    // Scalars with their default when absent (as FlatBuffers reads them),
    // except optional ones; other fields only when present.
    if (!present && (!flatbuffers::IsScalar(type) || f->optional())) continue;
    if (f->name()->str() == "data" && !include_data) continue;
    j.Key(f->name()->str());
    if (type == BaseType::Bool) {
      j.Bool(flatbuffers::GetAnyFieldI(table, *f) != 0);
    } else if (flatbuffers::IsInteger(type) && IsDigest(*f)) {
      j.String(absl::StrFormat("%016x", static_cast<uint64_t>(flatbuffers::GetAnyFieldI(table, *f))));
    } else if (flatbuffers::IsInteger(type) && f->type()->index() >= 0) {
      WriteEnum(j, schema, f->type()->index(), flatbuffers::GetAnyFieldI(table, *f));
    } else if (flatbuffers::IsInteger(type)) {
      j.Int(flatbuffers::GetAnyFieldI(table, *f));
    } else if (flatbuffers::IsFloat(type)) {
      j.Double(flatbuffers::GetAnyFieldF(table, *f));
    } else if (type == BaseType::String) {
      j.String(flatbuffers::GetFieldS(table, *f)->str());
    } else if (type == BaseType::Obj) {
      j.BeginObject();
      WriteFields(j, schema, *schema.objects()->Get(f->type()->index()),
                  *flatbuffers::GetFieldT(table, *f), include_data);
      j.EndObject();
    } else if (type == BaseType::Vector) {
      WriteVector(j, schema, *f, table, include_data);
    } else {
      j.String("(unsupported field type)");
    }
  }
}

}  // namespace

std::string SnapshotToJson(const LoadedSnapshot& snapshot, bool include_data) {
  const reflection::Schema& schema = *reflection::GetSchema(fb::SnapshotBinarySchema::data());
  const auto& root = *flatbuffers::GetAnyRoot(
      reinterpret_cast<const uint8_t*>(snapshot.flatbuffer().data()));
  JsonWriter j;  // the root table is the object it opens
  WriteFields(j, schema, *schema.root_table(), root, include_data);
  return j.Finish();
}

}  // namespace repro
