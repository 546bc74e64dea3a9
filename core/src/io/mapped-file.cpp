#include "io/mapped-file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "invx/error.h"

namespace invx {

MappedFile::MappedFile(const std::string& path) : path_(path) {
    // O_NONBLOCK: a named pipe opens at once (and is refused below) instead of waiting for a
    // writer.
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) throw Error("cannot open '" + path + "': " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw Error(
            "'" + path +
            "' is not a regular file (a folder, named pipe, device or socket); give a file");
    }
    size_ = std::size_t(st.st_size);
    if (size_ > 0) {
        void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            int err = errno;
            ::close(fd);
            throw Error("cannot map '" + path + "' into memory: " + std::strerror(err));
        }
        data_ = static_cast<const std::uint8_t*>(p);
    }
    ::close(fd);
}

MappedFile::~MappedFile() {
    if (data_) ::munmap(const_cast<std::uint8_t*>(data_), size_);
}

void MappedFile::release(std::size_t offset, std::size_t length) const {
    if (!data_ || offset >= size_) return;
    const std::size_t page = std::size_t(::sysconf(_SC_PAGESIZE));
    const std::size_t end = std::min(size_, offset + length);
    const std::size_t first = (offset + page - 1) / page * page,
                      last = end / page * page;  // whole pages only
    // Advice only: a mapping that refuses it is as before, so the result is not checked.
    if (last > first)
        ::madvise(const_cast<std::uint8_t*>(data_) + first, last - first, MADV_DONTNEED);
}

}  // namespace invx
