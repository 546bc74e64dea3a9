#pragma once
// Reading tensors out of, and writing, safetensors files.
#include <ATen/core/Tensor.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "invx/safetensors-header.h"

namespace invx {

class MappedFile;

class SafetensorsFile {
  public:
    explicit SafetensorsFile(const std::string& path);  // maps and validates the header
    ~SafetensorsFile();

    const SafetensorsHeader& header() const { return header_; }
    const std::string& path() const;
    // A CPU tensor that owns a copy of the named tensor's data, in its stored dtype.
    at::Tensor load(const std::string& name) const;

  private:
    std::unique_ptr<MappedFile> file_;
    SafetensorsHeader header_;
};

at::ScalarType toScalarType(DType dtype);
DType fromScalarType(at::ScalarType type);  // throws for types safetensors cannot hold

// Writes tensors (any device, contiguous or not) in the order given, with optional metadata.
// The file is written to a temporary name and renamed, so a crash never leaves half a file.
void writeSafetensors(const std::string& path,
                      const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace invx
