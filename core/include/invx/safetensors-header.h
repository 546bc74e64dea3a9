#pragma once
// The header of a safetensors file (https://huggingface.co/docs/safetensors): 8 bytes of little-
// endian header length, a JSON object of tensor entries, then the raw tensor bytes. Parsing it
// needs no libtorch, so the GUI and tests can inspect files cheaply.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace invx {

// Element types that can be stored; the names are safetensors' own ("F32", "BF16", ...).
enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool };

const char* dtypeName(DType dtype);
std::size_t dtypeSize(DType dtype);  // bytes per element
// Parses a safetensors dtype name; returns false for names we do not support.
bool parseDType(const std::string& name, DType* out);

struct TensorEntry {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::uint64_t begin = 0;  // byte offset of the data, relative to the end of the header
    std::uint64_t end = 0;    // one past the last byte
    std::int64_t numel() const;
};

struct SafetensorsHeader {
    std::vector<TensorEntry> tensors;             // in file order of their data
    std::map<std::string, std::string> metadata;  // the "__metadata__" object, if any
    std::uint64_t dataStart = 0;                  // absolute offset of the first data byte
    const TensorEntry* find(const std::string& name) const;  // nullptr when absent
};

// Validates and parses the header of a file whose whole content is `bytes[0, size)`. Throws
// invx::Error naming `path` and the tensor for truncated files, lying lengths or shapes, offsets
// outside the file, overlapping tensors and unknown dtypes.
SafetensorsHeader parseSafetensorsHeader(const std::uint8_t* bytes, std::size_t size,
                                         const std::string& path);

}  // namespace invx
