#pragma once
// A small typed layer over HDF5's C API that knows nothing of experiments: identifiers closed on
// scope exit, groups, scalar attributes, appendable tables of rows ([rows, rowShape...], growing
// along the first dimension), fixed arrays, and the opens of single-writer/multiple-reader (SWMR)
// mode. Every call is checked; a failure throws invx::Error beginning with the file's description
// ("experiment file 'run.h5': cannot read /steps").
//
// Locking rule: Debian's HDF5 is built without thread safety, so every call into HDF5, from any
// thread, must hold hdf5::lock() (the workbench's search worker writes while its window reads).
// This layer does not take it: its callers hold it across a whole operation.
#include <hdf5.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace invx::hdf5 {

// The one process-wide lock around HDF5 (recursive: an operation may call another).
std::unique_lock<std::recursive_mutex> lock();

// Turns HDF5's own printing of error stacks off on this thread (our errors are sentences);
// INVX_HDF5_ERRORS=1 keeps it, to see what HDF5 says behind an error.
void silenceErrorStacks();

// An HDF5 identifier closed on scope exit.
class Handle {
  public:
    Handle() = default;
    Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
    Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
    Handle& operator=(Handle&& o) noexcept {
        std::swap(id_, o.id_);
        std::swap(close_, o.close_);
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle() {
        if (id_ >= 0 && close_) close_(id_);
    }
    operator hid_t() const { return id_; }
    bool valid() const { return id_ >= 0; }
    // Closes now and says whether HDF5 could: closing a dataset writes its cached chunks, and a
    // full disk shows there, not at the write that filled the cache.
    herr_t close() {
        const herr_t status = id_ >= 0 && close_ ? close_(id_) : 0;
        id_ = -1;
        return status;
    }

  private:
    hid_t id_ = -1;
    herr_t (*close_)(hid_t) = nullptr;
};

// A fixed-size, NUL-terminated string type of `size` bytes (for fields of compound rows).
Handle fixedText(std::size_t size);
// A compound type of `size` bytes; add fields with H5Tinsert.
Handle compoundType(std::size_t size);

// File access properties of every open: no HDF5 file lock (one writer at a time is the caller's
// business, and a reader must not keep a writer out), and a bounded number of metadata read
// attempts (a block that a killed writer left torn fails instead of hanging a reader).
Handle fileAccess();
// The same in the file format of HDF5 1.10, which SWMR mode needs (h5py and HDF5 from 1.10 read
// it).
Handle swmrFileAccess();

class File {
  public:
    File() = default;
    // `id` is an open file; `description` begins every error ("experiment file 'run.h5'").
    File(Handle id, std::string description, std::string path = {})
        : id_(std::move(id)), description_(std::move(description)), path_(std::move(path)) {}

    bool valid() const { return id_.valid(); }
    hid_t id() const { return id_; }
    // Closes the file; `checked`, a failure to write what HDF5 still held is an error.
    void close(bool checked = false) {
        const herr_t status = id_.close();
        descriptor_ = kUnknownDescriptor;
        if (checked) checkStatus(status, "write the last of it to disk and close it");
    }

    [[noreturn]] void fail(const std::string& what) const;
    hid_t check(hid_t id, const std::string& what) const;  // fails "cannot <what>" when id < 0
    // The same for a status; a failed write names its cause (no space left, a quota, an I/O error)
    // and the free space of the disk holding the file.
    void checkStatus(herr_t status, const std::string& what) const;

    // Objects by absolute path ("/checkpoints/step").
    bool exists(const std::string& path) const;
    Handle group(const std::string& path) const;
    Handle createGroup(const std::string& path) const;
    Handle dataset(const std::string& path) const;
    std::vector<hsize_t> shape(hid_t dataset) const;
    std::vector<hsize_t> shape(const std::string& path) const { return shape(dataset(path)); }

    // Scalar attributes of any object; a set replaces the attribute, a get fails naming it when it
    // is missing or of another kind.
    bool hasAttribute(const std::string& object, const char* name) const;
    void setString(const std::string& object, const char* name, const std::string& value) const;
    void setInt(const std::string& object, const char* name, std::int64_t value) const;
    void setDouble(const std::string& object, const char* name, double value) const;
    std::string getString(const std::string& object, const char* name) const;
    std::int64_t getInt(const std::string& object, const char* name) const;
    double getDouble(const std::string& object, const char* name) const;

    // Tables: [rows, rowShape...], chunks of at most `chunkRows` rows and one 4 KiB page (a row of
    // a page or more: its own chunks, split along the second dimension under 2^20 elements), each
    // with a Fletcher32 checksum. `fill` is what
    // rows read as before they are written; `compress` deflates chunks.
    void createTable(const std::string& path, hid_t type, const std::vector<hsize_t>& rowShape,
                     hsize_t chunkRows, bool compress = false, const void* fill = nullptr) const;
    hsize_t rows(const std::string& path) const;
    // The caller's buffers hold rows of exactly `rowShape`: a table of another shape (edited, or
    // from another program) is refused, not overrun.
    void appendRows(const std::string& path, hid_t memType, const void* data, hsize_t count,
                    const std::vector<hsize_t>& rowShape = {}) const;
    void readRows(const std::string& path, hid_t memType, void* data, hsize_t first, hsize_t count,
                  const std::vector<hsize_t>& rowShape = {}) const;
    // Reads the block at `offset` of size `extent` (one entry per dimension) of a dataset.
    void readBlock(const std::string& path, hid_t memType, void* data,
                   const std::vector<hsize_t>& offset, const std::vector<hsize_t>& extent) const;
    // Drops the rows from `count` on; nothing when the table is not longer.
    void shrink(const std::string& path, hsize_t count) const;

    // Fixed datasets written at once, as one checksummed chunk (deflated from 4,096 elements).
    void writeArray(const std::string& path, hid_t type, const std::vector<hsize_t>& dims,
                    const void* data) const;
    template <typename T>
    std::vector<T> readArray(const std::string& path, hid_t type) const {
        Handle ds = dataset(path);
        std::size_t n = 1;
        for (hsize_t d : shape(ds)) n *= d;
        std::vector<T> out(n);
        if (n)
            checkStatus(H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()),
                        "read " + path);
        return out;
    }

    void flush() const;

    static std::string shapeText(const std::vector<hsize_t>& dims);  // "[3, 4]"

  private:
    std::vector<hsize_t> tableShape(hid_t dataset, const std::string& path,
                                    const std::vector<hsize_t>& rowShape) const;
    void selectRows(hid_t space, const std::vector<hsize_t>& dims, hsize_t first, hsize_t count,
                    std::vector<hsize_t>& extent) const;
    void addChecksum(hid_t datasetCreation, const std::string& path) const;

    std::string causeOfFailure(int savedErrno) const;
    // Makes sure the file has room for `bytes` more beyond what HDF5 has allocated, plus slack for
    // a flush's metadata; fails "cannot <what>: No space left on device ..." when the disk refuses.
    void reserve(hsize_t bytes, const std::string& what) const;
    int descriptor() const;  // of a file HDF5 keeps through its POSIX driver; -1 for others

    static constexpr hsize_t kWriteSlack = hsize_t(256) << 10;
    static constexpr int kUnknownDescriptor = -2;

    Handle id_;
    std::string description_;
    std::string path_;  // the file on disk, for its free space
    mutable int descriptor_ = kUnknownDescriptor;
};

}  // namespace invx::hdf5
