#pragma once
// A read-only memory map of a whole file. Checkpoints are many gigabytes, so tensors are copied out
// of the map one at a time instead of reading the file into memory.
#include <cstddef>
#include <cstdint>
#include <string>

namespace invx {

class MappedFile {
  public:
    explicit MappedFile(const std::string& path);  // throws invx::Error naming the path
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const std::uint8_t* data() const { return data_; }
    std::size_t size() const { return size_; }
    const std::string& path() const { return path_; }
    // Drops the whole pages of [offset, offset + length) from this process's resident memory once
    // they have been copied out; they stay in the page cache, and a later read maps them again.
    // Without it, reading a 26 GB checkpoint leaves 26 GB counted against the process.
    void release(std::size_t offset, std::size_t length) const;

  private:
    std::string path_;
    const std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace invx
