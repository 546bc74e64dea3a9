#include "records/hdf5/file-write-lock.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "invx/error.h"

namespace invx {
namespace {

struct flock wholeFile(short type) {
    struct flock l {};
    l.l_type = type;
    l.l_whence = SEEK_SET;
    l.l_start = 0;
    l.l_len = 0;  // to the end, however far the file grows
    return l;
}

}  // namespace

FileWriteLock::FileWriteLock(const std::string& path, bool create) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
    if (fd < 0)
        throw Error("cannot open the experiment file '" + path +
                    "' for writing: " + std::strerror(errno));
    struct flock l = wholeFile(F_WRLCK);
    if (::fcntl(fd, F_OFD_SETLK, &l) != 0) {
        const int err = errno;
        ::close(fd);
        if (err == EAGAIN || err == EACCES)
            throw Error("experiment file '" + path +
                        "' is being written by another run (invx search or the workbench); "
                        "wait for it to end or stop it, then try again");
        throw Error("cannot lock the experiment file '" + path +
                    "' for writing: " + std::strerror(err));
    }
    fd_ = fd;
}

FileWriteLock::FileWriteLock(FileWriteLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

FileWriteLock& FileWriteLock::operator=(FileWriteLock&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
}

FileWriteLock::~FileWriteLock() {
    if (fd_ >= 0) ::close(fd_);  // closing the description releases its lock
}

bool FileWriteLock::isHeld(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct flock l = wholeFile(F_WRLCK);
    const bool held = ::fcntl(fd, F_OFD_GETLK, &l) == 0 && l.l_type != F_UNLCK;
    ::close(fd);
    return held;
}

}  // namespace invx
