#include "io/safetensors-file.h"

#include <ATen/ATen.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "invx/error.h"
#include "io/mapped-file.h"

namespace invx {

at::ScalarType toScalarType(DType dtype) {
    switch (dtype) {
        case DType::F64:
            return at::kDouble;
        case DType::F32:
            return at::kFloat;
        case DType::F16:
            return at::kHalf;
        case DType::BF16:
            return at::kBFloat16;
        case DType::I64:
            return at::kLong;
        case DType::I32:
            return at::kInt;
        case DType::I16:
            return at::kShort;
        case DType::I8:
            return at::kChar;
        case DType::U8:
            return at::kByte;
        case DType::Bool:
            return at::kBool;
    }
    return at::kFloat;
}

DType fromScalarType(at::ScalarType type) {
    switch (type) {
        case at::kDouble:
            return DType::F64;
        case at::kFloat:
            return DType::F32;
        case at::kHalf:
            return DType::F16;
        case at::kBFloat16:
            return DType::BF16;
        case at::kLong:
            return DType::I64;
        case at::kInt:
            return DType::I32;
        case at::kShort:
            return DType::I16;
        case at::kChar:
            return DType::I8;
        case at::kByte:
            return DType::U8;
        case at::kBool:
            return DType::Bool;
        default:
            throw Error(std::string("safetensors cannot store tensors of type ") +
                        c10::toString(type));
    }
}

SafetensorsFile::SafetensorsFile(const std::string& path)
    : file_(std::make_unique<MappedFile>(path)),
      header_(parseSafetensorsHeader(file_->data(), file_->size(), path)) {}

SafetensorsFile::~SafetensorsFile() = default;

const std::string& SafetensorsFile::path() const { return file_->path(); }

at::Tensor SafetensorsFile::load(const std::string& name) const {
    const TensorEntry* entry = header_.find(name);
    if (!entry) throw Error("safetensors file '" + path() + "' has no tensor '" + name + "'");
    auto out = at::empty(entry->shape, at::TensorOptions().dtype(toScalarType(entry->dtype)));
    if (entry->end > entry->begin) {  // an empty tensor has no storage to copy into (UBSan)
        const std::size_t offset = header_.dataStart + entry->begin,
                          length = entry->end - entry->begin;
        std::memcpy(out.data_ptr(), file_->data() + offset, length);
        file_->release(offset, length);
    }
    return out;
}

void writeSafetensors(const std::string& path,
                      const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata) {
    nlohmann::json header = nlohmann::json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::vector<at::Tensor> blobs;
    std::uint64_t offset = 0;
    for (const auto& [name, tensor] : tensors) {
        if (name == "__metadata__" || header.contains(name))
            throw Error("writing '" + path + "': tensor name '" + name +
                        "' is reserved or repeated");
        at::Tensor cpu = tensor.detach().to(at::kCPU).contiguous();
        std::uint64_t bytes = std::uint64_t(cpu.numel()) * cpu.element_size();
        header[name] = {{"dtype", dtypeName(fromScalarType(cpu.scalar_type()))},
                        {"shape", cpu.sizes().vec()},
                        {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
        blobs.push_back(std::move(cpu));
    }
    std::string json = header.dump();
    json.append((8 - json.size() % 8) % 8, ' ');  // keep the data 8-byte aligned

    const std::string tmp = path + ".partial";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw Error("cannot create '" + tmp + "' for writing");
        std::uint64_t n = json.size();
        char len[8];
        for (int i = 0; i < 8; ++i) len[i] = char((n >> (8 * i)) & 0xff);
        out.write(len, 8);
        out.write(json.data(), std::streamsize(json.size()));
        for (const auto& t : blobs)
            out.write(static_cast<const char*>(t.data_ptr()),
                      std::streamsize(t.numel() * t.element_size()));
        if (!out.flush()) throw Error("writing '" + tmp + "' failed (disk full?)");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0)
        throw Error("cannot rename '" + tmp + "' to '" + path + "'");
}

}  // namespace invx
