#include "invx/safetensors-header.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "invx/error.h"

namespace invx {
namespace {

struct DTypeName {
    DType dtype;
    const char* name;
    std::size_t size;
};

constexpr DTypeName kDTypes[] = {
    {DType::F64, "F64", 8},   {DType::F32, "F32", 4}, {DType::F16, "F16", 2},
    {DType::BF16, "BF16", 2}, {DType::I64, "I64", 8}, {DType::I32, "I32", 4},
    {DType::I16, "I16", 2},   {DType::I8, "I8", 1},   {DType::U8, "U8", 1},
    {DType::Bool, "BOOL", 1},
};

// Largest header we accept; the safetensors format itself caps it at 100 MB.
constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

std::string where(const std::string& path) { return "safetensors file '" + path + "'"; }

TensorEntry parseEntry(const std::string& name, const nlohmann::json& value,
                       const std::string& path) {
    auto fail = [&](const std::string& what) {
        throw Error(where(path) + ": tensor '" + name + "' " + what +
                    "; the file is damaged or was not written by a safetensors writer");
    };
    if (!value.is_object()) fail("has a header entry that is not a JSON object");
    TensorEntry entry;
    entry.name = name;

    auto dtype = value.find("dtype");
    if (dtype == value.end() || !dtype->is_string()) fail("has no \"dtype\" string");
    if (!parseDType(dtype->get<std::string>(), &entry.dtype)) {
        throw Error(where(path) + ": tensor '" + name + "' has dtype '" +
                    dtype->get<std::string>() +
                    "', which is not supported (supported: F64, F32, F16, BF16, I64, I32, I16, "
                    "I8, U8, BOOL); convert the checkpoint to float16 or float32");
    }

    auto shape = value.find("shape");
    if (shape == value.end() || !shape->is_array()) fail("has no \"shape\" array");
    for (const auto& dim : *shape) {
        if (!dim.is_number_integer() || dim.get<std::int64_t>() < 0)
            fail("has a shape entry that is not a non-negative integer");
        entry.shape.push_back(dim.get<std::int64_t>());
    }

    auto offsets = value.find("data_offsets");
    if (offsets == value.end() || !offsets->is_array() || offsets->size() != 2 ||
        !(*offsets)[0].is_number_unsigned() || !(*offsets)[1].is_number_unsigned())
        fail("has no \"data_offsets\" pair of non-negative integers");
    entry.begin = (*offsets)[0].get<std::uint64_t>();
    entry.end = (*offsets)[1].get<std::uint64_t>();
    if (entry.begin > entry.end) fail("has data_offsets whose start lies after their end");

    // Guard the byte count against overflow before comparing it with the offsets.
    std::uint64_t bytes = dtypeSize(entry.dtype);
    for (std::int64_t dim : entry.shape) {
        if (dim != 0 && bytes > std::numeric_limits<std::uint64_t>::max() / std::uint64_t(dim))
            fail("has a shape too large to address");
        bytes *= std::uint64_t(dim);
    }
    if (bytes != entry.end - entry.begin) {
        fail("claims " + std::to_string(entry.end - entry.begin) +
             " bytes of data, but its shape and " + dtypeName(entry.dtype) + " dtype need " +
             std::to_string(bytes));
    }
    return entry;
}

}  // namespace

const char* dtypeName(DType dtype) {
    for (const auto& d : kDTypes)
        if (d.dtype == dtype) return d.name;
    return "?";
}

std::size_t dtypeSize(DType dtype) {
    for (const auto& d : kDTypes)
        if (d.dtype == dtype) return d.size;
    return 0;
}

bool parseDType(const std::string& name, DType* out) {
    for (const auto& d : kDTypes) {
        if (name == d.name) {
            *out = d.dtype;
            return true;
        }
    }
    return false;
}

std::int64_t TensorEntry::numel() const {
    std::int64_t n = 1;
    for (std::int64_t d : shape) n *= d;
    return n;
}

const TensorEntry* SafetensorsHeader::find(const std::string& name) const {
    for (const auto& t : tensors)
        if (t.name == name) return &t;
    return nullptr;
}

SafetensorsHeader parseSafetensorsHeader(const std::uint8_t* bytes, std::size_t size,
                                         const std::string& path) {
    if (size < 8) {
        throw Error(where(path) + " is " + std::to_string(size) +
                    " bytes long, too short to hold a header; the file is truncated");
    }
    std::uint64_t headerLength = 0;
    for (int i = 7; i >= 0; --i) headerLength = (headerLength << 8) | bytes[i];
    if (headerLength > kMaxHeaderBytes)
        throw Error(where(path) + " declares a header of " + std::to_string(headerLength) +
                    " bytes, more than the 100,000,000 the safetensors format allows; it is not a "
                    "safetensors file");
    if (headerLength > size - 8) {
        throw Error(where(path) + " declares a header of " + std::to_string(headerLength) +
                    " bytes but the file has only " + std::to_string(size - 8) +
                    " after the length field; the file is truncated or not a safetensors file");
    }

    nlohmann::json json;
    try {
        json = nlohmann::json::parse(bytes + 8, bytes + 8 + headerLength);
    } catch (const nlohmann::json::exception& e) {
        throw Error(where(path) + " has a header that is not valid JSON (" + e.what() +
                    "); the file is damaged or not a safetensors file");
    }
    if (!json.is_object())
        throw Error(where(path) + " has a header that is not a JSON object; the file is damaged");

    SafetensorsHeader header;
    header.dataStart = 8 + headerLength;
    const std::uint64_t dataSize = size - header.dataStart;
    for (const auto& [key, value] : json.items()) {
        if (key == "__metadata__") {
            if (!value.is_object())
                throw Error(where(path) + ": \"__metadata__\" is not a JSON object");
            for (const auto& [mk, mv] : value.items())
                header.metadata[mk] = mv.is_string() ? mv.get<std::string>() : mv.dump();
            continue;
        }
        TensorEntry entry = parseEntry(key, value, path);
        if (entry.end > dataSize) {
            throw Error(where(path) + ": tensor '" + key + "' lies at bytes [" +
                        std::to_string(entry.begin) + ", " + std::to_string(entry.end) +
                        ") of the data, but the file holds only " + std::to_string(dataSize) +
                        " data bytes; the file is truncated");
        }
        header.tensors.push_back(std::move(entry));
    }

    std::sort(header.tensors.begin(), header.tensors.end(),
              [](const TensorEntry& a, const TensorEntry& b) { return a.begin < b.begin; });
    // Zero-length tensors occupy nothing and may sit anywhere; each other tensor must start at or
    // after the furthest end so far (comparing neighbours only missed overlaps across an empty
    // one).
    const TensorEntry* furthest = nullptr;
    for (const TensorEntry& cur : header.tensors) {
        if (cur.end == cur.begin) continue;
        if (furthest && cur.begin < furthest->end)
            throw Error(where(path) + ": tensors '" + furthest->name + "' and '" + cur.name +
                        "' overlap in the file; the file is damaged");
        if (!furthest || cur.end > furthest->end) furthest = &cur;
    }
    return header;
}

}  // namespace invx
