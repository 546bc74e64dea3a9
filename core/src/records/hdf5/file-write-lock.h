#pragma once
// Marks an experiment file as being written, so that a second writer (another invx search --resume,
// or the workbench resuming it) is refused instead of corrupting it, and so that a reader can tell
// a run that is going on from one that was killed. HDF5's own lock cannot do either: a writer in
// single-writer/multiple-reader mode gives it up so that readers may open the file.
//
// An open-file-description lock (Linux F_OFD_SETLK) on the whole file: it belongs to this object's
// descriptor, so HDF5 opening and closing the same file in this process (the workbench reads what
// its worker writes) does not release it, and the kernel releases it when the process dies, however
// it dies.
#include <string>

namespace invx {

class FileWriteLock {
  public:
    FileWriteLock() = default;
    // Locks `path` (created empty when `create` and it is missing); throws naming the file when
    // another writer holds it or the file cannot be opened.
    FileWriteLock(const std::string& path, bool create);
    FileWriteLock(FileWriteLock&& other) noexcept;
    FileWriteLock& operator=(FileWriteLock&& other) noexcept;
    FileWriteLock(const FileWriteLock&) = delete;
    FileWriteLock& operator=(const FileWriteLock&) = delete;
    ~FileWriteLock();

    bool held() const { return fd_ >= 0; }
    // Whether some writer (this process included) holds the lock on `path` now.
    static bool isHeld(const std::string& path);

  private:
    int fd_ = -1;
};

}  // namespace invx
