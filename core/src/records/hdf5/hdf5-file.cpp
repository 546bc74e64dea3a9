#include "records/hdf5/hdf5-file.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "invx/error.h"

namespace invx::hdf5 {

namespace {
// HDF5 closes what is still open at exit; a file whose writes failed (a full disk) stays half
// closed, and closing it again then crashes inside the library, turning a clear error into a
// segmentation fault. Every file of ours is flushed and closed by its owner, and a writer killed
// outright is a case the files survive (docs/experiment-file.md), so the exit handler is not
// needed. Set before HDF5 starts: this runs while the program is being loaded.
const bool kNoCloseAtExit = [] {
    H5dont_atexit();
    return true;
}();
}  // namespace

std::unique_lock<std::recursive_mutex> lock() {
    static std::recursive_mutex mutex;
    return std::unique_lock<std::recursive_mutex>(mutex);
}

void silenceErrorStacks() {
    // Per thread: HDF5's error stacks are per thread where it is built thread-safe (the workbench
    // opens files on its window's thread and its search thread).
    thread_local const bool done = [] {
        if (!std::getenv("INVX_HDF5_ERRORS")) H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
        return true;
    }();
    (void)done;
}

Handle fixedText(std::size_t size) {
    Handle text(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(text, size);
    H5Tset_strpad(text, H5T_STR_NULLTERM);
    return text;
}

Handle compoundType(std::size_t size) { return Handle(H5Tcreate(H5T_COMPOUND, size), H5Tclose); }

namespace {

// A metadata block whose checksum fails is read again, HDF5 sleeping 1 ns and then twice as long
// each time: a live writer may be rewriting it. HDF5's 100 attempts under SWMR would sleep for
// ages on a block that a writer killed inside a flush left torn (a reader hung in a CI run);
// 26 attempts wait at most about 0.07 s, then the read fails with an error.
constexpr unsigned kMetadataReadAttempts = 26;
constexpr hsize_t kPage = 4096;  // the page a killed writer's write stops at

}  // namespace

Handle fileAccess() {
    Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
#if H5_VERSION_GE(1, 10, 7)
    H5Pset_file_locking(fapl, false, true);
#endif
    H5Pset_metadata_read_attempts(fapl, kMetadataReadAttempts);
    // Every object on a page of its own. Linux ends a buffered write at a page boundary when the
    // writer is killed (SIGKILL between two pages gives a short write), so a metadata block that
    // straddled pages could be left half old, half new: its checksum then fails and the dataset it
    // describes is lost with all its rows (a killed-writer test lost a checkpoint table in one
    // kill of four hundred). Page-aligned, unaggregated allocations keep each small block within
    // one page, written whole or not at all; a demo search's file grows by about 4%.
    H5Pset_meta_block_size(fapl, 0);
    H5Pset_alignment(fapl, 1, kPage);
    return fapl;
}

Handle swmrFileAccess() {
    Handle fapl = fileAccess();
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110);
    return fapl;
}

void File::fail(const std::string& what) const { throw Error(description_ + ": " + what); }

void File::addChecksum(hid_t props, const std::string& path) const {
    // Fletcher32 over every chunk: a flipped byte is a read that fails, not a value believed.
    if (H5Zfilter_avail(H5Z_FILTER_FLETCHER32) > 0)
        checkStatus(H5Pset_fletcher32(props), "add a checksum to " + path);
}

hid_t File::check(hid_t id, const std::string& what) const {
    if (id < 0) fail("cannot " + what);
    return id;
}

void File::checkStatus(herr_t status, const std::string& what) const {
    if (status >= 0) return;
    const int savedErrno = errno;  // as the failed system call left it
    fail("cannot " + what + causeOfFailure(savedErrno));
}

std::string File::causeOfFailure(int savedErrno) const {
    std::string cause;
    if (savedErrno == ENOSPC || savedErrno == EDQUOT || savedErrno == EFBIG || savedErrno == EIO)
        cause = std::string(": ") + std::strerror(savedErrno);
    if (!path_.empty()) {
        std::error_code error;
        const auto space =
            std::filesystem::space(std::filesystem::absolute(path_).parent_path(), error);
        if (!error && space.available < (std::uintmax_t(1) << 20))
            cause += (cause.empty() ? ": " : "; ") + std::string("the disk holding it has ") +
                     std::to_string(space.available / 1024) + " KiB free";
    }
    return cause;
}

bool File::exists(const std::string& path) const {
    return H5Lexists(id_, path.c_str(), H5P_DEFAULT) > 0;
}

Handle File::group(const std::string& path) const {
    return Handle(check(H5Gopen2(id_, path.c_str(), H5P_DEFAULT), "open group " + path), H5Gclose);
}

Handle File::createGroup(const std::string& path) const {
    return Handle(check(H5Gcreate2(id_, path.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                        "create group " + path),
                  H5Gclose);
}

Handle File::dataset(const std::string& path) const {
    return Handle(check(H5Dopen2(id_, path.c_str(), H5P_DEFAULT), "open dataset " + path),
                  H5Dclose);
}

std::vector<hsize_t> File::shape(hid_t dataset) const {
    Handle space(H5Dget_space(dataset), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space);
    if (rank < 0) fail("cannot read the shape of a dataset");
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    return dims;
}

bool File::hasAttribute(const std::string& object, const char* name) const {
    return H5Aexists_by_name(id_, object.c_str(), name, H5P_DEFAULT) > 0;
}

namespace {

// Creates (replacing) a scalar attribute of `type` and writes `value` to it.
void writeAttribute(const File& file, const std::string& object, const char* name, hid_t type,
                    const void* value) {
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    if (file.hasAttribute(object, name))
        file.checkStatus(H5Adelete_by_name(file.id(), object.c_str(), name, H5P_DEFAULT),
                         "replace an attribute");
    Handle attr(file.check(H5Acreate_by_name(file.id(), object.c_str(), name, type, space,
                                             H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                           std::string("write attribute ") + name),
                H5Aclose);
    file.checkStatus(H5Awrite(attr, type, value), std::string("write attribute ") + name);
}

Handle openAttribute(const File& file, const std::string& object, const char* name) {
    if (!file.hasAttribute(object, name))
        file.fail("attribute '" + std::string(name) + "' of " + object + " is missing");
    return Handle(
        file.check(H5Aopen_by_name(file.id(), object.c_str(), name, H5P_DEFAULT, H5P_DEFAULT),
                   std::string("open attribute ") + name),
        H5Aclose);
}

}  // namespace

void File::setString(const std::string& object, const char* name, const std::string& value) const {
    Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    const char* p = value.c_str();
    writeAttribute(*this, object, name, type, &p);
}

void File::setInt(const std::string& object, const char* name, std::int64_t value) const {
    writeAttribute(*this, object, name, H5T_NATIVE_INT64, &value);
}

void File::setDouble(const std::string& object, const char* name, double value) const {
    writeAttribute(*this, object, name, H5T_NATIVE_DOUBLE, &value);
}

std::string File::getString(const std::string& object, const char* name) const {
    Handle attr = openAttribute(*this, object, name);
    Handle type(H5Aget_type(attr), H5Tclose);
    if (H5Tget_class(type) != H5T_STRING)
        fail("attribute '" + std::string(name) + "' is not a string");
    if (H5Tis_variable_str(type) > 0) {
        Handle memType(H5Tcopy(H5T_C_S1), H5Tclose);
        H5Tset_size(memType, H5T_VARIABLE);
        H5Tset_cset(memType, H5Tget_cset(type));
        char* p = nullptr;
        checkStatus(H5Aread(attr, memType, &p), "read a string attribute");
        std::string s = p ? p : "";
        Handle space(H5Aget_space(attr), H5Sclose);
        H5Dvlen_reclaim(memType, space, H5P_DEFAULT, &p);
        return s;
    }
    std::string s(H5Tget_size(type), '\0');
    checkStatus(H5Aread(attr, type, s.data()), "read a string attribute");
    return s.substr(0, s.find('\0'));
}

std::int64_t File::getInt(const std::string& object, const char* name) const {
    std::int64_t v = 0;
    checkStatus(H5Aread(openAttribute(*this, object, name), H5T_NATIVE_INT64, &v),
                "read an integer attribute");
    return v;
}

double File::getDouble(const std::string& object, const char* name) const {
    double v = 0;
    checkStatus(H5Aread(openAttribute(*this, object, name), H5T_NATIVE_DOUBLE, &v),
                "read a numeric attribute");
    return v;
}

void File::createTable(const std::string& path, hid_t type, const std::vector<hsize_t>& rowShape,
                       hsize_t chunkRows, bool compress, const void* fill) const {
    // A chunk that holds several rows is rewritten as rows are added to it, committed ones among
    // them: it must fit in one page, so that a killed writer leaves it whole (old or new) and its
    // checksum holds. A row of a page or more has chunks of its own, written while it is not yet
    // committed.
    hsize_t rowBytes = H5Tget_size(type);
    for (hsize_t d : rowShape) rowBytes *= d;
    chunkRows =
        std::max<hsize_t>(1, std::min<hsize_t>(chunkRows, kPage / std::max<hsize_t>(rowBytes, 1)));
    std::vector<hsize_t> dims{0}, maxDims{H5S_UNLIMITED}, chunk{chunkRows};
    for (hsize_t d : rowShape) dims.push_back(d), maxDims.push_back(d), chunk.push_back(d);
    if (chunk.size() >= 2) {
        hsize_t inner = 1;
        for (std::size_t i = 2; i < chunk.size(); ++i) inner *= chunk[i];
        chunk[1] = std::max<hsize_t>(
            1, std::min<hsize_t>(chunk[1], (hsize_t(1) << 20) / std::max<hsize_t>(inner, 1)));
    }
    Handle space(H5Screate_simple(int(dims.size()), dims.data(), maxDims.data()), H5Sclose);
    Handle props(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    checkStatus(H5Pset_chunk(props, int(chunk.size()), chunk.data()), "set the chunks of " + path);
    if (compress && H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) H5Pset_deflate(props, 1);
    addChecksum(props, path);
    if (fill) checkStatus(H5Pset_fill_value(props, type, fill), "set the fill value of " + path);
    Handle ds(check(H5Dcreate2(id_, path.c_str(), type, space, H5P_DEFAULT, props, H5P_DEFAULT),
                    "create dataset " + path),
              H5Dclose);
}

hsize_t File::rows(const std::string& path) const {
    const std::vector<hsize_t> dims = shape(path);
    if (dims.empty()) fail("dataset " + path + " is a scalar, not a table");
    return dims[0];
}

std::vector<hsize_t> File::tableShape(hid_t dataset, const std::string& path,
                                      const std::vector<hsize_t>& rowShape) const {
    const std::vector<hsize_t> dims = shape(dataset);
    bool same = dims.size() == rowShape.size() + 1;
    for (std::size_t i = 0; same && i < rowShape.size(); ++i) same = dims[i + 1] == rowShape[i];
    if (!same)
        fail("dataset " + path + " has the shape " + shapeText(dims) +
             ", but each of its rows must be " + shapeText(rowShape) +
             " (from the model's layers and FFN width)");
    return dims;
}

void File::selectRows(hid_t space, const std::vector<hsize_t>& dims, hsize_t first, hsize_t count,
                      std::vector<hsize_t>& extent) const {
    std::vector<hsize_t> offset(dims.size(), 0);
    extent = dims;
    offset[0] = first;
    extent[0] = count;
    checkStatus(
        H5Sselect_hyperslab(space, H5S_SELECT_SET, offset.data(), nullptr, extent.data(), nullptr),
        "select rows of a table");
}

void File::appendRows(const std::string& path, hid_t memType, const void* data, hsize_t count,
                      const std::vector<hsize_t>& rowShape) const {
    if (count == 0) return;
    Handle ds = dataset(path);
    std::vector<hsize_t> dims = tableShape(ds, path, rowShape);
    const hsize_t start = dims[0];
    dims[0] += count;
    checkStatus(H5Dset_extent(ds, dims.data()), "extend " + path);
    Handle space(H5Dget_space(ds), H5Sclose);
    std::vector<hsize_t> extent;
    selectRows(space, dims, start, count, extent);
    Handle mem(H5Screate_simple(int(extent.size()), extent.data(), nullptr), H5Sclose);
    reserve(hsize_t(H5Sget_select_npoints(space)) * H5Tget_size(memType), "append to " + path);
    checkStatus(H5Dwrite(ds, memType, mem, space, H5P_DEFAULT, data), "append to " + path);
    checkStatus(ds.close(), "append to " + path);
}

void File::readRows(const std::string& path, hid_t memType, void* data, hsize_t first,
                    hsize_t count, const std::vector<hsize_t>& rowShape) const {
    if (count == 0) return;
    Handle ds = dataset(path);
    const std::vector<hsize_t> dims = tableShape(ds, path, rowShape);
    if (first + count > dims[0]) fail("dataset " + path + " has fewer rows than expected");
    Handle space(H5Dget_space(ds), H5Sclose);
    std::vector<hsize_t> extent;
    selectRows(space, dims, first, count, extent);
    Handle mem(H5Screate_simple(int(extent.size()), extent.data(), nullptr), H5Sclose);
    checkStatus(H5Dread(ds, memType, mem, space, H5P_DEFAULT, data), "read " + path);
}

void File::readBlock(const std::string& path, hid_t memType, void* data,
                     const std::vector<hsize_t>& offset, const std::vector<hsize_t>& extent) const {
    Handle ds = dataset(path);
    const std::vector<hsize_t> dims = shape(ds);
    bool inside = dims.size() == offset.size() && dims.size() == extent.size();
    for (std::size_t i = 0; inside && i < dims.size(); ++i)
        inside = offset[i] + extent[i] <= dims[i];
    if (!inside)
        fail("dataset " + path + " of shape " + shapeText(dims) + " has no block " +
             shapeText(extent) + " at " + shapeText(offset));
    Handle space(H5Dget_space(ds), H5Sclose);
    checkStatus(
        H5Sselect_hyperslab(space, H5S_SELECT_SET, offset.data(), nullptr, extent.data(), nullptr),
        "select a block of " + path);
    Handle mem(H5Screate_simple(int(extent.size()), extent.data(), nullptr), H5Sclose);
    checkStatus(H5Dread(ds, memType, mem, space, H5P_DEFAULT, data), "read " + path);
}

void File::shrink(const std::string& path, hsize_t count) const {
    Handle ds = dataset(path);
    std::vector<hsize_t> dims = shape(ds);
    if (dims.empty() || count >= dims[0]) return;
    dims[0] = count;
    checkStatus(H5Dset_extent(ds, dims.data()), "truncate " + path);
}

void File::writeArray(const std::string& path, hid_t type, const std::vector<hsize_t>& dims,
                      const void* data) const {
    Handle space(H5Screate_simple(int(dims.size()), dims.data(), nullptr), H5Sclose);
    Handle props(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    std::size_t elements = 1;
    for (hsize_t d : dims) elements *= d;
    if (elements > 0) {  // one chunk: filters need chunks
        checkStatus(H5Pset_chunk(props, int(dims.size()), dims.data()),
                    "set the chunks of " + path);
        if (elements >= 4096 && H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) H5Pset_deflate(props, 1);
        addChecksum(props, path);
    }
    reserve(hsize_t(elements) * H5Tget_size(type), "write " + path);
    Handle ds(check(H5Dcreate2(id_, path.c_str(), type, space, H5P_DEFAULT, props, H5P_DEFAULT),
                    "create dataset " + path),
              H5Dclose);
    checkStatus(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "write " + path);
    checkStatus(ds.close(), "write " + path);
}

void File::flush() const {
    checkStatus(H5Fflush(id_, H5F_SCOPE_LOCAL), "flush to disk");
    // A flush cuts the file back to what HDF5 has allocated: the room for what comes next is
    // reserved again.
    reserve(0, "flush to disk");
}

int File::descriptor() const {
    if (descriptor_ != kUnknownDescriptor) return descriptor_;
    descriptor_ = -1;
    Handle access(H5Fget_access_plist(id_), H5Pclose);
    void* handle = nullptr;
    if (access.valid() && H5Pget_driver(access) == H5FD_SEC2 &&
        H5Fget_vfd_handle(id_, H5P_DEFAULT, &handle) >= 0 && handle)
        descriptor_ = *static_cast<int*>(handle);
    return descriptor_;
}

void File::reserve(hsize_t bytes, const std::string& what) const {
    // HDF5 writes a flush's metadata (the superblock at the file's start among it) and its data
    // wherever it allocated them; on a full disk the writes that extend the file fail and those
    // inside it do not, which leaves a superblock promising more file than there is: a file that
    // no longer opens. Space reserved ahead of every write (the write's bytes, and slack for the
    // metadata of the flush that follows) makes the disk's refusal come here, before anything of
    // the write reached the file, which stays as its last flush left it.
    const int fd = descriptor();
    haddr_t allocated = 0;
    if (fd < 0 || H5Fget_eoa(id_, &allocated) < 0) return;
    struct stat st {};
    const hsize_t wanted = hsize_t(allocated) + bytes + kWriteSlack;
    if (::fstat(fd, &st) != 0 || hsize_t(st.st_size) >= wanted) return;
    // Twice the slack at a time: most writes then find their room already there.
    const int error =
        ::posix_fallocate(fd, off_t(st.st_size), off_t(wanted + kWriteSlack - hsize_t(st.st_size)));
    if (error != 0 && error != EOPNOTSUPP && error != EINVAL)
        fail("cannot " + what + causeOfFailure(error));
}

std::string File::shapeText(const std::vector<hsize_t>& dims) {
    std::string out = "[";
    for (std::size_t i = 0; i < dims.size(); ++i) out += (i ? ", " : "") + std::to_string(dims[i]);
    return out + "]";
}

}  // namespace invx::hdf5
