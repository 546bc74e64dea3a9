#pragma once
// What the fuzz targets share: a scratch folder of their own (one per process) and writing the
// files a reader expects there. Readers may refuse any input with invx::Error; anything else (a
// crash, a sanitizer report, another exception, a hang) is a finding.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace invx::fuzz {

inline const std::filesystem::path& scratch() {
    static const std::filesystem::path dir = [] {
        auto d =
            std::filesystem::temp_directory_path() / ("invx-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        return d;
    }();
    return dir;
}

inline std::filesystem::path writeFile(const std::string& name, const std::string& bytes) {
    const std::filesystem::path p = scratch() / name;
    std::ofstream(p, std::ios::binary | std::ios::trunc)
        .write(bytes.data(), std::streamsize(bytes.size()));
    return p;
}

}  // namespace invx::fuzz
