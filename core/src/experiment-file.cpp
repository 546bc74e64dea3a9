#include "invx/experiment-file.h"

#include <hdf5.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <mutex>

#include "file-write-lock.h"
#include "invx/error.h"
#include "invx/version.h"

namespace invx {

// Debian's HDF5 is built without thread safety: every call into it, from any ExperimentFile on any
// thread (the workbench's search worker writes while its window reads), holds this one lock.
static std::unique_lock<std::recursive_mutex> hdf5Lock() {
    static std::recursive_mutex mutex;
    return std::unique_lock<std::recursive_mutex>(mutex);
}
namespace {

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
    ~Handle() {
        if (id_ >= 0 && close_) close_(id_);
    }
    operator hid_t() const { return id_; }
    bool valid() const { return id_ >= 0; }

private:
    hid_t id_ = -1;
    herr_t (*close_)(hid_t) = nullptr;
};

void silenceHdf5() {
    // Per thread: HDF5's error stacks are per thread where it is built thread-safe (the workbench
    // opens files on its window's thread and its search thread).
    thread_local const bool done = [] {
        // Errors become our own sentences; INVX_HDF5_ERRORS=1 shows HDF5's own error stack as well.
        if (!std::getenv("INVX_HDF5_ERRORS")) H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
        return true;
    }();
    (void)done;
}

// Packed rows of the /steps and /evaluations tables.
struct StepRow {
    std::int64_t step;
    std::int32_t layer;
    double loss, ce, mse;
    std::uint8_t accepted;
    double acceptanceRate, recentAcceptanceRate, elapsedSeconds;
};

struct EvaluationRow {
    std::int64_t step, acceptedSteps;
    double perplexity;
    std::int64_t windows, windowsAvailable;
    double elapsedSeconds, seconds;
};

Handle stepType() {
    Handle t(H5Tcreate(H5T_COMPOUND, sizeof(StepRow)), H5Tclose);
    H5Tinsert(t, "step", HOFFSET(StepRow, step), H5T_NATIVE_INT64);
    H5Tinsert(t, "layer", HOFFSET(StepRow, layer), H5T_NATIVE_INT32);
    H5Tinsert(t, "loss", HOFFSET(StepRow, loss), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "ce", HOFFSET(StepRow, ce), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "mse", HOFFSET(StepRow, mse), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "accepted", HOFFSET(StepRow, accepted), H5T_NATIVE_UINT8);
    H5Tinsert(t, "acceptance_rate", HOFFSET(StepRow, acceptanceRate), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "recent_acceptance_rate", HOFFSET(StepRow, recentAcceptanceRate), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "elapsed_s", HOFFSET(StepRow, elapsedSeconds), H5T_NATIVE_DOUBLE);
    return t;
}

Handle evaluationType() {
    Handle t(H5Tcreate(H5T_COMPOUND, sizeof(EvaluationRow)), H5Tclose);
    H5Tinsert(t, "step", HOFFSET(EvaluationRow, step), H5T_NATIVE_INT64);
    H5Tinsert(t, "accepted_steps", HOFFSET(EvaluationRow, acceptedSteps), H5T_NATIVE_INT64);
    H5Tinsert(t, "perplexity", HOFFSET(EvaluationRow, perplexity), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "windows", HOFFSET(EvaluationRow, windows), H5T_NATIVE_INT64);
    H5Tinsert(t, "windows_available", HOFFSET(EvaluationRow, windowsAvailable), H5T_NATIVE_INT64);
    H5Tinsert(t, "elapsed_s", HOFFSET(EvaluationRow, elapsedSeconds), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "eval_s", HOFFSET(EvaluationRow, seconds), H5T_NATIVE_DOUBLE);
    return t;
}

// Rows of /run_log: every change of status or step budget, appended (schema 2), because a writer in
// single-writer/multiple-reader mode may not rewrite attributes.
struct RunLogRow {
    char status[16];
    std::int64_t targetSteps;
    double unixTime;
};

Handle runLogType() {
    Handle text(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(text, sizeof(RunLogRow::status));
    H5Tset_strpad(text, H5T_STR_NULLTERM);
    Handle t(H5Tcreate(H5T_COMPOUND, sizeof(RunLogRow)), H5Tclose);
    H5Tinsert(t, "status", HOFFSET(RunLogRow, status), text);
    H5Tinsert(t, "target_steps", HOFFSET(RunLogRow, targetSteps), H5T_NATIVE_INT64);
    H5Tinsert(t, "unix_time", HOFFSET(RunLogRow, unixTime), H5T_NATIVE_DOUBLE);
    return t;
}

// Rows of /results: measurements for the results table (invx table, the workbench's Results tab).
// A row is written whole; one a killed writer left unwritten reads with an empty model and is skipped.
struct ResultRow {
    char model[16];
    std::int64_t step;
    char metric[32];
    double value, valueNorm;
    std::int64_t items;
    std::uint8_t complete;
    char protocol[256];
    double seconds, unixTime;
};

Handle fixedText(std::size_t size) {
    Handle text(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(text, size);
    H5Tset_strpad(text, H5T_STR_NULLTERM);
    return text;
}

Handle resultType() {
    Handle t(H5Tcreate(H5T_COMPOUND, sizeof(ResultRow)), H5Tclose);
    H5Tinsert(t, "model", HOFFSET(ResultRow, model), fixedText(sizeof(ResultRow::model)));
    H5Tinsert(t, "step", HOFFSET(ResultRow, step), H5T_NATIVE_INT64);
    H5Tinsert(t, "metric", HOFFSET(ResultRow, metric), fixedText(sizeof(ResultRow::metric)));
    H5Tinsert(t, "value", HOFFSET(ResultRow, value), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "value_norm", HOFFSET(ResultRow, valueNorm), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "items", HOFFSET(ResultRow, items), H5T_NATIVE_INT64);
    H5Tinsert(t, "complete", HOFFSET(ResultRow, complete), H5T_NATIVE_UINT8);
    H5Tinsert(t, "protocol", HOFFSET(ResultRow, protocol), fixedText(sizeof(ResultRow::protocol)));
    H5Tinsert(t, "seconds", HOFFSET(ResultRow, seconds), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "unix_time", HOFFSET(ResultRow, unixTime), H5T_NATIVE_DOUBLE);
    return t;
}

// The step field alone, to read a table's steps without the rest of its rows.
Handle stepFieldType() {
    Handle t(H5Tcreate(H5T_COMPOUND, sizeof(std::int64_t)), H5Tclose);
    H5Tinsert(t, "step", 0, H5T_NATIVE_INT64);
    return t;
}

// A row never written reads as this step (the fill value of every step column of schema 2).
constexpr std::int64_t kUnwrittenStep = -1;

const char* const kSnapshotWeights[] = {"original", "transformed", "quantized", "group_min", "group_max", "group_error"};

// Every table a checkpoint row or a snapshot row (schema 2) spans, the step that commits it last.
const std::vector<std::string>& checkpointTables() {
    static const std::vector<std::string> tables{
        "/checkpoints/permutation",    "/checkpoints/scales",       "/checkpoints/angles",
        "/checkpoints/rng_state",      "/checkpoints/recent_accepted", "/checkpoints/recent_count",
        "/checkpoints/accepted_steps", "/checkpoints/best_loss",    "/checkpoints/elapsed_s",
        "/checkpoints/step"};
    return tables;
}
const std::vector<std::string>& snapshotTables() {
    static const std::vector<std::string> tables = [] {
        std::vector<std::string> t;
        for (const char* g : {"/snapshots/fc1/", "/snapshots/fc2/"})
            for (const char* part : kSnapshotWeights) t.push_back(std::string(g) + part);
        for (const char* name : {"/snapshots/layer", "/snapshots/permutation", "/snapshots/scales", "/snapshots/angles",
                                 "/snapshots/step"})
            t.push_back(name);
        return t;
    }();
    return tables;
}

std::string nowIso() {
    const std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

}  // namespace

struct ExperimentFile::Impl {
    std::string path;
    Handle file;
    int schema = kSchemaVersion;
    bool live = false;        // in single-writer/multiple-reader mode: appends only
    std::string partPath;     // created and not yet published: the file is here
    FileWriteLock writeLock;  // held while this object may write

    void requireNotLive(const char* what) const {
        if (live) fail(std::string("cannot ") + what + " once the run is appending to it (a defect in invx)");
    }

    [[noreturn]] void fail(const std::string& what) const {
        throw Error("experiment file '" + path + "': " + what);
    }
    hid_t check(hid_t id, const std::string& what) const {
        if (id < 0) fail("cannot " + what);
        return id;
    }
    void checkStatus(herr_t status, const char* what) const {
        if (status < 0) fail(std::string("cannot ") + what);
    }

    Handle group(const std::string& name) const {
        return Handle(check(H5Gopen2(file, name.c_str(), H5P_DEFAULT), "open group " + name), H5Gclose);
    }
    Handle createGroup(const std::string& name) const {
        return Handle(check(H5Gcreate2(file, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                            "create group " + name),
                      H5Gclose);
    }
    Handle dataset(const std::string& name) const {
        return Handle(check(H5Dopen2(file, name.c_str(), H5P_DEFAULT), "open dataset " + name), H5Dclose);
    }
    bool exists(const std::string& name) const {
        return H5Lexists(file, name.c_str(), H5P_DEFAULT) > 0;
    }

    // Attributes on any object (by path).
    void setString(const std::string& object, const char* name, const std::string& value) const {
        Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
        H5Tset_size(type, H5T_VARIABLE);
        H5Tset_cset(type, H5T_CSET_UTF8);
        Handle space(H5Screate(H5S_SCALAR), H5Sclose);
        if (H5Aexists_by_name(file, object.c_str(), name, H5P_DEFAULT) > 0)
            checkStatus(H5Adelete_by_name(file, object.c_str(), name, H5P_DEFAULT), "replace an attribute");
        Handle attr(check(H5Acreate_by_name(file, object.c_str(), name, type, space, H5P_DEFAULT, H5P_DEFAULT,
                                            H5P_DEFAULT),
                          std::string("write attribute ") + name),
                    H5Aclose);
        const char* p = value.c_str();
        checkStatus(H5Awrite(attr, type, &p), "write a string attribute");
    }
    template <typename T>
    void setNumber(const std::string& object, const char* name, T value, hid_t type) const {
        Handle space(H5Screate(H5S_SCALAR), H5Sclose);
        if (H5Aexists_by_name(file, object.c_str(), name, H5P_DEFAULT) > 0)
            checkStatus(H5Adelete_by_name(file, object.c_str(), name, H5P_DEFAULT), "replace an attribute");
        Handle attr(check(H5Acreate_by_name(file, object.c_str(), name, type, space, H5P_DEFAULT, H5P_DEFAULT,
                                            H5P_DEFAULT),
                          std::string("write attribute ") + name),
                    H5Aclose);
        checkStatus(H5Awrite(attr, type, &value), "write a numeric attribute");
    }
    void setInt(const std::string& o, const char* n, std::int64_t v) const { setNumber(o, n, v, H5T_NATIVE_INT64); }
    void setDouble(const std::string& o, const char* n, double v) const { setNumber(o, n, v, H5T_NATIVE_DOUBLE); }

    Handle openAttribute(const std::string& object, const char* name) const {
        if (H5Aexists_by_name(file, object.c_str(), name, H5P_DEFAULT) <= 0)
            fail("attribute '" + std::string(name) + "' of " + object + " is missing");
        return Handle(H5Aopen_by_name(file, object.c_str(), name, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    }
    std::string getString(const std::string& object, const char* name) const {
        Handle attr = openAttribute(object, name);
        Handle type(H5Aget_type(attr), H5Tclose);
        if (H5Tget_class(type) != H5T_STRING) fail("attribute '" + std::string(name) + "' is not a string");
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
    std::int64_t getInt(const std::string& object, const char* name) const {
        std::int64_t v = 0;
        checkStatus(H5Aread(openAttribute(object, name), H5T_NATIVE_INT64, &v), "read an integer attribute");
        return v;
    }
    double getDouble(const std::string& object, const char* name) const {
        double v = 0;
        checkStatus(H5Aread(openAttribute(object, name), H5T_NATIVE_DOUBLE, &v), "read a numeric attribute");
        return v;
    }

    // A dataset of rows: dims[0] grows, the rest is fixed. Chunks of `chunkRows` rows.
    // Chunks stay under 2^20 elements: a snapshot row of a large model is split along its rows.
    // `fill` is what rows read as before they are written.
    void createTable(const std::string& name, hid_t type, std::vector<hsize_t> rowShape, hsize_t chunkRows,
                     bool compress = false, const void* fill = nullptr) const {
        std::vector<hsize_t> dims{0}, maxDims{H5S_UNLIMITED}, chunk{chunkRows};
        for (hsize_t d : rowShape) dims.push_back(d), maxDims.push_back(d), chunk.push_back(d);
        if (chunk.size() >= 2) {
            hsize_t inner = 1;
            for (std::size_t i = 2; i < chunk.size(); ++i) inner *= chunk[i];
            chunk[1] = std::max<hsize_t>(1, std::min<hsize_t>(chunk[1], (hsize_t(1) << 20) / std::max<hsize_t>(inner, 1)));
        }
        Handle space(H5Screate_simple(int(dims.size()), dims.data(), maxDims.data()), H5Sclose);
        Handle props(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
        H5Pset_chunk(props, int(chunk.size()), chunk.data());
        if (compress && H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) H5Pset_deflate(props, 1);
        if (fill) H5Pset_fill_value(props, type, fill);
        Handle ds(check(H5Dcreate2(file, name.c_str(), type, space, H5P_DEFAULT, props, H5P_DEFAULT),
                        "create dataset " + name),
                  H5Dclose);
    }
    std::vector<hsize_t> shape(hid_t ds) const {
        Handle space(H5Dget_space(ds), H5Sclose);
        std::vector<hsize_t> dims(std::size_t(H5Sget_simple_extent_ndims(space)));
        H5Sget_simple_extent_dims(space, dims.data(), nullptr);
        return dims;
    }
    hsize_t rows(const std::string& name) const {
        const std::vector<hsize_t> dims = shape(dataset(name));
        if (dims.empty()) fail("dataset " + name + " is a scalar, not a table");
        return dims[0];
    }

    // Every table is [rows, rowShape...]; the caller's buffer holds rows of exactly rowShape, so a
    // file whose dataset disagrees (edited, or from another program) is refused, not overrun.
    std::vector<hsize_t> tableShape(hid_t ds, const std::string& name, const std::vector<hsize_t>& rowShape) const {
        const std::vector<hsize_t> dims = shape(ds);
        bool same = dims.size() == rowShape.size() + 1;
        for (std::size_t i = 0; same && i < rowShape.size(); ++i) same = dims[i + 1] == rowShape[i];
        if (!same)
            fail("dataset " + name + " has the shape " + shapeText(dims) + ", but each of its rows must be " +
                 shapeText(rowShape) + " (from the model's layers and FFN width)");
        return dims;
    }
    static std::string shapeText(const std::vector<hsize_t>& dims) {
        std::string out = "[";
        for (std::size_t i = 0; i < dims.size(); ++i) out += (i ? ", " : "") + std::to_string(dims[i]);
        return out + "]";
    }
    void appendRows(const std::string& name, hid_t memType, const void* data, hsize_t count,
                    const std::vector<hsize_t>& rowShape = {}) const {
        if (count == 0) return;
        Handle ds = dataset(name);
        std::vector<hsize_t> dims = tableShape(ds, name, rowShape);
        const hsize_t start = dims[0];
        dims[0] += count;
        checkStatus(H5Dset_extent(ds, dims.data()), ("extend " + name).c_str());
        Handle space(H5Dget_space(ds), H5Sclose);
        std::vector<hsize_t> offset(dims.size(), 0), extent = dims;
        offset[0] = start;
        extent[0] = count;
        H5Sselect_hyperslab(space, H5S_SELECT_SET, offset.data(), nullptr, extent.data(), nullptr);
        Handle mem(H5Screate_simple(int(extent.size()), extent.data(), nullptr), H5Sclose);
        checkStatus(H5Dwrite(ds, memType, mem, space, H5P_DEFAULT, data), ("append to " + name).c_str());
    }
    // Reads rows [first, first + count) of a table.
    void readRows(const std::string& name, hid_t memType, void* data, hsize_t first, hsize_t count,
                  const std::vector<hsize_t>& rowShape = {}) const {
        if (count == 0) return;
        Handle ds = dataset(name);
        std::vector<hsize_t> dims = tableShape(ds, name, rowShape);
        if (first + count > dims[0]) fail("dataset " + name + " has fewer rows than expected");
        Handle space(H5Dget_space(ds), H5Sclose);
        std::vector<hsize_t> offset(dims.size(), 0), extent = dims;
        offset[0] = first;
        extent[0] = count;
        H5Sselect_hyperslab(space, H5S_SELECT_SET, offset.data(), nullptr, extent.data(), nullptr);
        Handle mem(H5Screate_simple(int(extent.size()), extent.data(), nullptr), H5Sclose);
        checkStatus(H5Dread(ds, memType, mem, space, H5P_DEFAULT, data), ("read " + name).c_str());
    }
    void shrink(const std::string& name, hsize_t count) const {
        Handle ds = dataset(name);
        std::vector<hsize_t> dims = shape(ds);
        if (count >= dims[0]) return;
        dims[0] = count;
        checkStatus(H5Dset_extent(ds, dims.data()), ("truncate " + name).c_str());
    }

    // The rows of a table up to its last written one. A killed writer can leave a table's extent
    // grown over rows it never wrote; in schema 2 they read as the step kUnwrittenStep.
    hsize_t writtenRows(const std::string& name, bool compoundRows) const {
        hsize_t n = rows(name);
        if (schema < 2) return n;
        Handle memType = compoundRows ? stepFieldType() : Handle(H5Tcopy(H5T_NATIVE_INT64), H5Tclose);
        while (n > 0) {
            const hsize_t block = std::min<hsize_t>(n, 64);
            std::vector<std::int64_t> steps(block);
            readRows(name, memType, steps.data(), n - block, block);
            for (hsize_t k = block; k > 0; --k)
                if (steps[k - 1] != kUnwrittenStep) return n - block + k;
            n -= block;
        }
        return 0;
    }

    // The newest row of /run_log (schema 2): the status and the step budget.
    std::optional<RunLogRow> lastRunLog() const {
        const hsize_t n = rows("/run_log");
        if (n == 0) return std::nullopt;
        RunLogRow row{};
        readRows("/run_log", runLogType(), &row, n - 1, 1);
        row.status[sizeof row.status - 1] = '\0';
        return row;
    }
    void appendRunLog(const std::string& status, std::int64_t targetSteps) const {
        RunLogRow row{};
        if (status.size() >= sizeof row.status) fail("the status '" + status + "' is too long to record");
        std::snprintf(row.status, sizeof row.status, "%s", status.c_str());
        row.targetSteps = targetSteps;
        row.unixTime = double(std::time(nullptr));
        appendRows("/run_log", runLogType(), &row, 1);
    }

    // A fixed-size dataset written at once.
    void writeArray(const std::string& name, hid_t type, const std::vector<hsize_t>& dims, const void* data) const {
        Handle space(H5Screate_simple(int(dims.size()), dims.data(), nullptr), H5Sclose);
        Handle props(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
        std::size_t elements = 1;
        for (hsize_t d : dims) elements *= d;
        if (elements >= 4096 && H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) {
            H5Pset_chunk(props, int(dims.size()), dims.data());
            H5Pset_deflate(props, 1);
        }
        Handle ds(check(H5Dcreate2(file, name.c_str(), type, space, H5P_DEFAULT, props, H5P_DEFAULT),
                        "create dataset " + name),
                  H5Dclose);
        checkStatus(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), ("write " + name).c_str());
    }
    template <typename T>
    std::vector<T> readArray(const std::string& name, hid_t type) const {
        Handle ds = dataset(name);
        std::size_t n = 1;
        for (hsize_t d : shape(ds)) n *= d;
        std::vector<T> out(n);
        if (n) checkStatus(H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), ("read " + name).c_str());
        return out;
    }

    // The model's size, which sizes every checkpoint buffer: refused when no OPT model could have it.
    std::int64_t layers() const {
        const std::int64_t v = getInt("/model", "layers");
        if (v < 1 || v > 4096) fail("/model@layers is " + std::to_string(v) + ", not a number of layers (1 to 4096)");
        return v;
    }
    std::int64_t ffn() const {
        const std::int64_t v = getInt("/model", "ffn");
        if (v < 2 || v > (1 << 20) || v % 2) fail("/model@ffn is " + std::to_string(v) + ", not an even FFN width (2 to 1048576)");
        return v;
    }
};

ExperimentFile::ExperimentFile(std::unique_ptr<Impl> impl) : d_(std::move(impl)) {}
ExperimentFile::ExperimentFile(ExperimentFile&&) noexcept = default;
ExperimentFile& ExperimentFile::operator=(ExperimentFile&& other) noexcept {
    const auto lock = hdf5Lock();  // the old file closes here
    d_ = std::move(other.d_);
    return *this;
}
ExperimentFile::~ExperimentFile() {
    const auto lock = hdf5Lock();
    if (d_ && d_->file.valid()) H5Fflush(d_->file, H5F_SCOPE_LOCAL);
    const std::string unpublished = d_ ? d_->partPath : std::string();
    d_.reset();  // closes the file's handles while the lock is held
    // A file never published holds no checkpoint, nothing to resume: the run failed or was stopped
    // while it was being set up.
    if (!unpublished.empty()) {
        std::error_code ignored;
        std::filesystem::remove(unpublished, ignored);
    }
}

const std::string& ExperimentFile::path() const {
    const auto lock = hdf5Lock();
    return d_->path;
}

void ExperimentFile::requireNewPath(const std::string& path) {
    const auto lock = hdf5Lock();
    if (std::filesystem::exists(path))
        throw Error("experiment file '" + path + "' already exists; choose another --out, or continue it with --resume " + path);
}

namespace {

// Every open takes no HDF5 file lock: a window that shows a run (or inspects it) must not keep
// `invx eval --record`, `invx table --evaluate` or `--resume` from writing it. One writer at a time
// is FileWriteLock's job, and single-writer/multiple-reader mode keeps what readers see consistent.
// (All opens alike: HDF5 refuses to open a file twice in one process with different settings.)
// A metadata block whose checksum fails is read again, HDF5 sleeping 1 ns and then twice as long
// each time: a live writer may be rewriting it. HDF5's 100 attempts under SWMR would sleep for
// ages on a block that a writer killed inside a flush left torn (a reader hung in a CI run of
// tst_experiment_file); 26 attempts wait at most about 0.07 s, then the read fails with an error.
constexpr unsigned kMetadataReadAttempts = 26;

Handle fileAccess() {
    Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
#if H5_VERSION_GE(1, 10, 7)
    H5Pset_file_locking(fapl, false, true);
#endif
    H5Pset_metadata_read_attempts(fapl, kMetadataReadAttempts);
    return fapl;
}

// The file format of HDF5 1.10, which single-writer/multiple-reader mode needs (h5py and every
// HDF5 from 1.10 read it).
Handle swmrFileAccess() {
    Handle fapl = fileAccess();
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110);
    return fapl;
}

}  // namespace

ExperimentFile ExperimentFile::create(const std::string& path, const SearchSettings& settings,
                                      const ModelIdentity& model, const CalibrationBatch& calibration) {
    const auto lock = hdf5Lock();
    silenceHdf5();
    requireNewPath(path);
    auto d = std::make_unique<Impl>();
    d->path = path;
    d->partPath = path + ".part";  // a leftover of a run killed while it was set up is replaced
    d->writeLock = FileWriteLock(d->partPath, /*create=*/true);
    d->file = Handle(H5Fcreate(d->partPath.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, swmrFileAccess()), H5Fclose);
    if (!d->file.valid()) {
        std::error_code ignored;
        std::filesystem::remove(d->partPath, ignored);
        throw Error("cannot create the experiment file '" + path + "' (is the directory writable?)");
    }

    d->setString("/", "format", kFormat);
    d->setInt("/", "schema_version", kSchemaVersion);
    d->setString("/", "created_by", std::string("invx ") + versionString());
    d->setString("/", "created_at", nowIso());

    d->createGroup("/settings");
    d->setString("/settings", "json", settings.toJson());

    d->createGroup("/model");
    d->setString("/model", "path", model.path);
    d->setString("/model", "config_json", model.configJson);
    d->setString("/model", "fingerprint", model.fingerprint);
    d->setInt("/model", "parameters", model.parameters);
    d->setInt("/model", "layers", model.layers);
    d->setInt("/model", "hidden", model.hidden);
    d->setInt("/model", "ffn", model.ffn);
    d->setString("/model", "device", model.device);
    d->setString("/model", "dtype", model.dtype);

    d->createGroup("/calibration");
    d->setString("/calibration", "corpus", calibration.corpus);
    d->writeArray("/calibration/input_ids", H5T_NATIVE_INT32,
                  {hsize_t(calibration.samples), hsize_t(calibration.length)}, calibration.ids.data());
    if (calibration.baseSamples > 0)
        d->writeArray("/calibration/base_input_ids", H5T_NATIVE_INT32,
                      {hsize_t(calibration.baseSamples), hsize_t(calibration.length)}, calibration.baseIds.data());

    // Every table is created now: a writer in single-writer/multiple-reader mode only appends.
    StepRow unwrittenStep{};
    unwrittenStep.step = kUnwrittenStep;
    EvaluationRow unwrittenEvaluation{};
    unwrittenEvaluation.step = kUnwrittenStep;
    const std::int64_t unwritten = kUnwrittenStep;
    d->createTable("/steps", stepType(), {}, 4096, false, &unwrittenStep);
    d->createTable("/evaluations", evaluationType(), {}, 64, false, &unwrittenEvaluation);
    d->createTable("/run_log", runLogType(), {}, 64);
    d->createTable("/results", resultType(), {}, 64);

    const hsize_t L = hsize_t(model.layers), F = hsize_t(model.ffn), H = hsize_t(model.hidden);
    d->createGroup("/checkpoints");
    d->createTable("/checkpoints/permutation", H5T_NATIVE_INT32, {L, F}, 1, true);
    d->createTable("/checkpoints/scales", H5T_NATIVE_FLOAT, {L, F}, 1, true);
    d->createTable("/checkpoints/angles", H5T_NATIVE_FLOAT, {L, F / 2}, 1, true);
    d->createTable("/checkpoints/rng_state", H5T_NATIVE_UINT64, {4}, 64);
    d->createTable("/checkpoints/recent_accepted", H5T_NATIVE_UINT8, {hsize_t(StepRecord::kRecentWindow)}, 64);
    d->createTable("/checkpoints/recent_count", H5T_NATIVE_INT32, {}, 64);
    d->createTable("/checkpoints/accepted_steps", H5T_NATIVE_INT64, {}, 64);
    d->createTable("/checkpoints/best_loss", H5T_NATIVE_DOUBLE, {}, 64);
    d->createTable("/checkpoints/elapsed_s", H5T_NATIVE_DOUBLE, {}, 64);
    d->createTable("/checkpoints/step", H5T_NATIVE_INT64, {}, 64, false, &unwritten);  // written last: it commits

    // Snapshots of one layer's fc1 [ffn, hidden] and fc2 [hidden, ffn], one row each.
    d->createGroup("/snapshots");
    d->createTable("/snapshots/layer", H5T_NATIVE_INT32, {}, 64);
    for (const char* name : {"fc1", "fc2"}) {
        const bool fc1 = name[2] == '1';
        const hsize_t rows = fc1 ? F : H, cols = fc1 ? H : F;
        // As makeWeightSnapshot groups them; a size that does not divide the row (only a model too
        // small for the settings, which the search refuses) makes one group per row.
        hsize_t group = settings.quant.groupSize > 0 ? hsize_t(settings.quant.groupSize) : cols;
        if (cols % group) group = cols;
        const std::string g = std::string("/snapshots/") + name;
        d->createGroup(g);
        d->setInt(g, "group_size", std::int64_t(group));
        for (const char* weight : {"original", "transformed", "quantized"})
            d->createTable(g + "/" + weight, H5T_NATIVE_FLOAT, {rows, cols}, 1, true);
        for (const char* stat : {"group_min", "group_max", "group_error"})
            d->createTable(g + "/" + stat, H5T_NATIVE_FLOAT, {rows, cols / std::max<hsize_t>(group, 1)}, 1, true);
    }
    d->createTable("/snapshots/permutation", H5T_NATIVE_INT64, {F}, 1, true);
    d->createTable("/snapshots/scales", H5T_NATIVE_FLOAT, {F}, 1, true);
    d->createTable("/snapshots/angles", H5T_NATIVE_FLOAT, {F / 2}, 1, true);
    d->createTable("/snapshots/step", H5T_NATIVE_INT64, {}, 64, false, &unwritten);  // written last: it commits

    d->appendRunLog("created", settings.steps);
    H5Fflush(d->file, H5F_SCOPE_LOCAL);
    return ExperimentFile(std::move(d));
}

void ExperimentFile::publish() {
    const auto lock = hdf5Lock();
    if (d_->partPath.empty()) return;
    d_->checkStatus(H5Fflush(d_->file, H5F_SCOPE_LOCAL), "flush to disk");
    d_->checkStatus(H5Fstart_swmr_write(d_->file), "start appending in single-writer/multiple-reader mode");
    d_->live = true;
    if (std::filesystem::exists(d_->path)) {
        const std::string kept = d_->partPath;
        d_->partPath.clear();  // kept, as the message says, not removed with this object
        d_->fail("another file appeared at its path while the run was being set up; this run is kept as " + kept);
    }
    std::error_code error;
    std::filesystem::rename(d_->partPath, d_->path, error);  // atomic: the file is whole or absent
    if (error) d_->fail("cannot move " + d_->partPath + " to its path: " + error.message());
    d_->partPath.clear();
}

ExperimentFile ExperimentFile::open(const std::string& path, bool writable) {
    const auto lock = hdf5Lock();
    silenceHdf5();
    if (!std::filesystem::exists(path)) throw Error("experiment file '" + path + "' does not exist");
    if (std::filesystem::is_directory(path)) throw Error("experiment file '" + path + "' is a folder, not a file");
    if (H5Fis_hdf5(path.c_str()) <= 0)
        throw Error("'" + path + "' is not an HDF5 file, so not an experiment file written by invx search");
    auto d = std::make_unique<Impl>();
    d->path = path;
    if (writable) {
        d->writeLock = FileWriteLock(path, /*create=*/false);  // refuses a file another run writes
        // A file whose writer was killed still carries its "being written" mark, and the end of
        // the file it recorded may lag behind the end of what it wrote: clear the one, catch up
        // the other. Files of schema 1 cannot be opened in this mode and are written as before.
        Handle recover = fileAccess();
        hbool_t clear = true;
        H5Pset(recover, "clear_status_flags", &clear);
        d->file = Handle(H5Fopen(path.c_str(), H5F_ACC_RDWR | H5F_ACC_SWMR_WRITE, recover), H5Fclose);
        if (d->file.valid()) {
            d->live = true;
            if (H5Fincrement_filesize(d->file, 0) < 0) d->fail("cannot recover the end of the file its last run wrote");
            // Files made before /results existed gain the table, which this mode cannot create.
            if (!d->exists("/results")) {
                d->file = Handle();
                Handle plain(H5Fopen(path.c_str(), H5F_ACC_RDWR, fileAccess()), H5Fclose);
                if (!plain.valid()) d->fail("cannot open it to add the /results table");
                std::swap(d->file, plain);
                d->createTable("/results", resultType(), {}, 64);
                d->checkStatus(H5Fflush(d->file, H5F_SCOPE_LOCAL), "flush to disk");
                d->file = Handle();
                d->file = Handle(H5Fopen(path.c_str(), H5F_ACC_RDWR | H5F_ACC_SWMR_WRITE, fileAccess()), H5Fclose);
                if (!d->file.valid()) d->fail("cannot reopen it for appending after adding the /results table");
            }
        } else {
            d->file = Handle(H5Fopen(path.c_str(), H5F_ACC_RDWR, fileAccess()), H5Fclose);
        }
    } else {
        // Single-writer/multiple-reader mode reads a file while a run appends to it, and one whose
        // writer was killed; files of schema 1 open without it.
        const Handle access = fileAccess();
        d->file = Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, access), H5Fclose);
        if (!d->file.valid()) d->file = Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, access), H5Fclose);
    }
    if (!d->file.valid())
        throw Error("cannot open the experiment file '" + path + "'" +
                    (writable ? " for writing (is it read-only, or open in another program?)" : ""));
    if (H5Aexists(d->file, "format") <= 0 || d->getString("/", "format") != kFormat)
        throw Error("'" + path + "' is an HDF5 file but not an InvarExplore experiment (its root attribute 'format' is not '" +
                    std::string(kFormat) + "')");
    const std::int64_t version = d->getInt("/", "schema_version");
    if (version > kSchemaVersion || version < 1)
        throw Error("experiment file '" + path + "' has schema version " + std::to_string(version) +
                    ", but this invx reads versions 1 to " + std::to_string(kSchemaVersion) + "; use a newer invx");
    d->schema = int(version);
    if (d->schema >= 2 && !d->exists("/run_log")) d->fail("it has no /run_log, which schema 2 files have");
    return ExperimentFile(std::move(d));
}

SearchSettings ExperimentFile::settings() const {
    const auto lock = hdf5Lock();
    const std::string json = d_->getString("/settings", "json");
    SearchSettings s = SearchSettings::fromJson(json, d_->path + ":/settings");
    // Runs recorded before the setting existed took their targets from the unmodified model.
    if (json.find("\"targets\"") == std::string::npos) s.targets = "original";
    // ... and ran AWQ in float32.
    if (json.find("\"awq_precision\"") == std::string::npos) s.awqPrecision = "float32";
    if (d_->schema >= 2)
        if (const auto last = d_->lastRunLog(); last && last->targetSteps > 0) s.steps = last->targetSteps;
    return s;
}

void ExperimentFile::setTargetSteps(std::int64_t steps) {
    const auto lock = hdf5Lock();
    if (d_->schema >= 2) {
        const auto last = d_->lastRunLog();
        d_->appendRunLog(last ? last->status : "created", steps);
        return;
    }
    SearchSettings s = settings();
    s.steps = steps;
    d_->setString("/settings", "json", s.toJson());
}

ModelIdentity ExperimentFile::model() const {
    const auto lock = hdf5Lock();
    ModelIdentity m;
    m.path = d_->getString("/model", "path");
    m.configJson = d_->getString("/model", "config_json");
    m.fingerprint = d_->getString("/model", "fingerprint");
    m.parameters = d_->getInt("/model", "parameters");
    m.layers = int(d_->getInt("/model", "layers"));
    m.hidden = d_->getInt("/model", "hidden");
    m.ffn = d_->getInt("/model", "ffn");
    m.device = d_->getString("/model", "device");
    m.dtype = d_->getString("/model", "dtype");
    return m;
}

CalibrationBatch ExperimentFile::calibration() const {
    const auto lock = hdf5Lock();
    CalibrationBatch c;
    c.corpus = d_->getString("/calibration", "corpus");
    const auto dims = d_->shape(d_->dataset("/calibration/input_ids"));
    if (dims.size() != 2) d_->fail("/calibration/input_ids is not two-dimensional");
    c.samples = std::int64_t(dims[0]);
    c.length = std::int64_t(dims[1]);
    c.ids = d_->readArray<std::int32_t>("/calibration/input_ids", H5T_NATIVE_INT32);
    if (d_->exists("/calibration/base_input_ids")) {
        const auto base = d_->shape(d_->dataset("/calibration/base_input_ids"));
        if (base.size() != 2 || base[1] != dims[1])
            d_->fail("/calibration/base_input_ids is not [samples, " + std::to_string(dims[1]) + "] like /calibration/input_ids");
        c.baseIds = d_->readArray<std::int32_t>("/calibration/base_input_ids", H5T_NATIVE_INT32);
        c.baseSamples = std::int64_t(base[0]);
    }
    return c;
}

std::string ExperimentFile::status() const {
    const auto lock = hdf5Lock();
    std::string status;
    if (d_->schema >= 2) {
        const auto last = d_->lastRunLog();
        status = last ? last->status : "created";
    } else {
        status = d_->getString("/", "status");
    }
    // Recorded as running, but no process writes it: the run was killed. So was a published
    // (schema 2) file still "created": every run that lives on records "running" next.
    const bool unfinished = status == "running" || (status == "created" && d_->schema >= 2);
    if (unfinished && !d_->writeLock.held() && !FileWriteLock::isHeld(d_->path)) return "interrupted";
    return status;
}

void ExperimentFile::setStatus(const std::string& status) {
    const auto lock = hdf5Lock();
    if (d_->schema < 2) {
        d_->setString("/", "status", status);
        return;
    }
    const auto last = d_->lastRunLog();
    d_->appendRunLog(status, last ? last->targetSteps : 0);
}

void ExperimentFile::writeBase(const BaseResult& base) {
    const auto lock = hdf5Lock();
    d_->requireNotLive("record the base method's results");
    if (d_->exists("/base")) d_->fail("the base method's results are already recorded");
    d_->createGroup("/base");
    d_->setString("/base", "method", base.method);
    d_->setDouble("/base", "ce0", base.ce0);
    d_->setDouble("/base", "mse0", base.mse0);
    d_->setDouble("/base", "full_precision_ce", base.fullPrecisionCe);
    if (!base.reusedFrom.empty()) d_->setString("/base", "reused_from", base.reusedFrom);
    std::vector<std::int32_t> matched(base.matchedLayers.begin(), base.matchedLayers.end());
    d_->writeArray("/base/matched_layers", H5T_NATIVE_INT32, {hsize_t(matched.size())}, matched.data());
}

std::optional<BaseResult> ExperimentFile::base() const {
    const auto lock = hdf5Lock();
    if (!d_->exists("/base")) return std::nullopt;
    BaseResult b;
    b.method = d_->getString("/base", "method");
    b.ce0 = d_->getDouble("/base", "ce0");
    b.mse0 = d_->getDouble("/base", "mse0");
    b.fullPrecisionCe = d_->getDouble("/base", "full_precision_ce");
    if (H5Aexists_by_name(d_->file, "/base", "reused_from", H5P_DEFAULT) > 0) b.reusedFrom = d_->getString("/base", "reused_from");
    for (auto v : d_->readArray<std::int32_t>("/base/matched_layers", H5T_NATIVE_INT32)) b.matchedLayers.push_back(v);
    return b;
}

namespace {
constexpr const char* kAwqParts[] = {"qkv_scales", "out_scales", "fc1_scales", "fc2_scales",
                                     "v_clip",     "out_clip",   "fc1_clip",   "fc2_clip"};
std::vector<float>* awqPart(AwqLayerRecord& r, int i) {
    std::vector<float>* parts[] = {&r.qkvScales, &r.outScales, &r.fc1Scales, &r.fc2Scales,
                                   &r.vClip,     &r.outClip,   &r.fc1Clip,   &r.fc2Clip};
    return parts[i];
}
}  // namespace

void ExperimentFile::writeAwq(const std::vector<AwqLayerRecord>& layers) {
    const auto lock = hdf5Lock();
    d_->requireNotLive("record AWQ's results");
    if (d_->exists("/base/awq")) d_->fail("AWQ's results are already recorded");
    d_->createGroup("/base/awq");
    for (std::size_t l = 0; l < layers.size(); ++l) {
        const std::string g = "/base/awq/layer_" + std::to_string(l);
        d_->createGroup(g);
        AwqLayerRecord r = layers[l];
        for (int i = 0; i < 8; ++i) {
            const std::vector<float>& v = *awqPart(r, i);
            if (!v.empty()) d_->writeArray(g + "/" + kAwqParts[i], H5T_NATIVE_FLOAT, {hsize_t(v.size())}, v.data());
        }
    }
}

std::vector<AwqLayerRecord> ExperimentFile::awq() const {
    const auto lock = hdf5Lock();
    std::vector<AwqLayerRecord> out;
    if (!d_->exists("/base/awq")) return out;
    for (std::size_t l = 0;; ++l) {
        const std::string g = "/base/awq/layer_" + std::to_string(l);
        if (!d_->exists(g)) break;
        AwqLayerRecord r;
        for (int i = 0; i < 8; ++i)
            if (d_->exists(g + "/" + kAwqParts[i])) *awqPart(r, i) = d_->readArray<float>(g + "/" + kAwqParts[i], H5T_NATIVE_FLOAT);
        out.push_back(std::move(r));
    }
    return out;
}

void ExperimentFile::writeGptq(const std::vector<GptqLayerRecord>& layers) {
    d_->requireNotLive("record GPTQ's results");
    const auto lock = hdf5Lock();
    if (d_->exists("/base/gptq")) d_->fail("GPTQ's weights are already recorded");
    d_->createGroup("/base/gptq");
    for (std::size_t l = 0; l < layers.size(); ++l) {
        const std::string g = "/base/gptq/layer_" + std::to_string(l);
        d_->createGroup(g);
        for (int j = 0; j < 6; ++j) {
            const GptqLinearRecord& r = layers[l].linears[j];
            const std::string lg = g + "/" + kGptqLinearNames[j];
            d_->createGroup(lg);
            const hsize_t rows = hsize_t(r.rows), cols = hsize_t(r.cols), groups = hsize_t(r.groups);
            d_->writeArray(lg + "/codes", H5T_NATIVE_UINT8, {rows, cols}, r.codes.data());
            d_->writeArray(lg + "/scale", H5T_NATIVE_FLOAT, {rows, groups}, r.scale.data());
            d_->writeArray(lg + "/zero", H5T_NATIVE_FLOAT, {rows, groups}, r.zero.data());
            d_->writeArray(lg + "/group_index", H5T_NATIVE_INT32, {cols}, r.groupIndex.data());
        }
    }
}

std::vector<GptqLayerRecord> ExperimentFile::gptq() const {
    const auto lock = hdf5Lock();
    std::vector<GptqLayerRecord> out;
    if (!d_->exists("/base/gptq")) return out;
    for (std::size_t l = 0;; ++l) {
        const std::string g = "/base/gptq/layer_" + std::to_string(l);
        if (!d_->exists(g)) break;
        GptqLayerRecord record;
        for (int j = 0; j < 6; ++j) {
            GptqLinearRecord& r = record.linears[j];
            const std::string lg = g + "/" + kGptqLinearNames[j];
            const std::vector<hsize_t> codes = d_->shape(d_->dataset(lg + "/codes"));
            const std::vector<hsize_t> scale = d_->shape(d_->dataset(lg + "/scale"));
            if (codes.size() != 2 || scale.size() != 2) d_->fail(lg + " is not a GPTQ record (codes and scale must be 2-D)");
            r.rows = std::int64_t(codes[0]);
            r.cols = std::int64_t(codes[1]);
            r.groups = std::int64_t(scale[1]);
            r.codes = d_->readArray<std::uint8_t>(lg + "/codes", H5T_NATIVE_UINT8);
            r.scale = d_->readArray<float>(lg + "/scale", H5T_NATIVE_FLOAT);
            r.zero = d_->readArray<float>(lg + "/zero", H5T_NATIVE_FLOAT);
            r.groupIndex = d_->readArray<std::int32_t>(lg + "/group_index", H5T_NATIVE_INT32);
        }
        out.push_back(std::move(record));
    }
    return out;
}

void ExperimentFile::appendSteps(const std::vector<StepRecord>& steps) {
    const auto lock = hdf5Lock();
    std::vector<StepRow> rows;
    rows.reserve(steps.size());
    for (const auto& s : steps)
        rows.push_back({s.step, s.layer, s.loss, s.ce, s.mse, std::uint8_t(s.accepted), s.acceptanceRate,
                        s.recentAcceptanceRate, s.elapsedSeconds});
    d_->appendRows("/steps", stepType(), rows.data(), rows.size());
}

std::int64_t ExperimentFile::stepCount() const {
    const auto lock = hdf5Lock();
    return std::int64_t(d_->writtenRows("/steps", true));
}

std::vector<StepRecord> ExperimentFile::steps(std::int64_t first, std::int64_t count) const {
    const auto lock = hdf5Lock();
    const std::int64_t total = stepCount();
    first = std::clamp<std::int64_t>(first, 0, total);
    if (count < 0 || first + count > total) count = total - first;
    std::vector<StepRow> rows(static_cast<std::size_t>(count));
    d_->readRows("/steps", stepType(), rows.data(), hsize_t(first), hsize_t(count));
    std::vector<StepRecord> out;
    out.reserve(rows.size());
    for (const auto& r : rows) {
        StepRecord s;
        s.step = r.step;
        s.layer = r.layer;
        s.loss = r.loss;
        s.ce = r.ce;
        s.mse = r.mse;
        s.accepted = r.accepted != 0;
        s.acceptanceRate = r.acceptanceRate;
        s.recentAcceptanceRate = r.recentAcceptanceRate;
        s.elapsedSeconds = r.elapsedSeconds;
        out.push_back(s);
    }
    return out;
}

void ExperimentFile::appendEvaluation(const EvaluationRecord& e) {
    const auto lock = hdf5Lock();
    EvaluationRow row{e.step, e.acceptedSteps, e.perplexity, e.windows, e.windowsAvailable, e.elapsedSeconds, e.seconds};
    d_->appendRows("/evaluations", evaluationType(), &row, 1);
}

std::vector<EvaluationRecord> ExperimentFile::evaluations() const {
    const auto lock = hdf5Lock();
    std::vector<EvaluationRow> rows(static_cast<std::size_t>(d_->writtenRows("/evaluations", true)));
    d_->readRows("/evaluations", evaluationType(), rows.data(), 0, rows.size());
    std::vector<EvaluationRecord> out;
    for (const auto& r : rows)
        out.push_back({r.step, r.acceptedSteps, r.perplexity, r.windows, r.windowsAvailable, r.elapsedSeconds, r.seconds});
    return out;
}

namespace {
void copyText(char* to, std::size_t size, const std::string& text, const char* what, const std::string& path) {
    if (text.size() >= size)
        throw Error("experiment file '" + path + "': the result's " + what + " '" + text + "' is longer than " +
                    std::to_string(size - 1) + " characters");
    std::snprintf(to, size, "%s", text.c_str());
}
}  // namespace

void ExperimentFile::appendResult(const ResultRecord& r) {
    const auto lock = hdf5Lock();
    if (std::find(std::begin(ResultRecord::kModels), std::end(ResultRecord::kModels), r.model) == std::end(ResultRecord::kModels))
        d_->fail("a result is of the full-precision, base or searched model, not '" + r.model + "'");
    if (!d_->exists("/results")) d_->createTable("/results", resultType(), {}, 64);  // schema 1: not live
    ResultRow row{};
    copyText(row.model, sizeof row.model, r.model, "model", d_->path);
    copyText(row.metric, sizeof row.metric, r.metric, "metric", d_->path);
    copyText(row.protocol, sizeof row.protocol, r.protocol, "protocol", d_->path);
    row.step = r.step;
    row.value = r.value, row.valueNorm = r.valueNorm;
    row.items = r.items;
    row.complete = r.complete ? 1 : 0;
    row.seconds = r.seconds;
    row.unixTime = r.unixTime > 0 ? r.unixTime : double(std::time(nullptr));
    d_->appendRows("/results", resultType(), &row, 1);
    d_->checkStatus(H5Fflush(d_->file, H5F_SCOPE_LOCAL), "flush to disk");
}

std::vector<ResultRecord> ExperimentFile::results() const {
    const auto lock = hdf5Lock();
    if (!d_->exists("/results")) return {};
    std::vector<ResultRow> rows(static_cast<std::size_t>(d_->rows("/results")));
    d_->readRows("/results", resultType(), rows.data(), 0, rows.size());
    std::vector<ResultRecord> out;
    for (ResultRow& r : rows) {
        r.model[sizeof r.model - 1] = r.metric[sizeof r.metric - 1] = r.protocol[sizeof r.protocol - 1] = '\0';
        if (r.model[0] == '\0') continue;  // extended by a killed writer, never written
        ResultRecord x;
        x.model = r.model, x.step = r.step, x.metric = r.metric;
        x.value = r.value, x.valueNorm = r.valueNorm, x.items = r.items, x.complete = r.complete != 0;
        x.protocol = r.protocol, x.seconds = r.seconds, x.unixTime = r.unixTime;
        out.push_back(std::move(x));
    }
    return out;
}

void ExperimentFile::appendCheckpoint(const SearchCheckpoint& c) {
    const auto lock = hdf5Lock();
    const std::int64_t L = d_->layers(), F = d_->ffn();
    if (std::int64_t(c.layers.size()) != L) d_->fail("a checkpoint must hold every layer");
    std::vector<std::int32_t> perm;  // FFN widths fit; half the size of int64 in every checkpoint
    std::vector<float> scales, angles;
    for (const auto& l : c.layers) {
        if (std::int64_t(l.permutation.size()) != F || std::int64_t(l.scales.size()) != F ||
            std::int64_t(l.angles.size()) != F / 2)
            d_->fail("a checkpoint layer does not match the FFN width " + std::to_string(F));
        perm.insert(perm.end(), l.permutation.begin(), l.permutation.end());
        scales.insert(scales.end(), l.scales.begin(), l.scales.end());
        angles.insert(angles.end(), l.angles.begin(), l.angles.end());
    }
    std::vector<std::uint8_t> recent(std::size_t(StepRecord::kRecentWindow), 0);
    std::copy(c.recentAccepted.begin(), c.recentAccepted.end(), recent.begin());
    const std::int32_t recentCount = std::int32_t(c.recentAccepted.size());
    const hsize_t layers = hsize_t(L), width = hsize_t(F);
    d_->appendRows("/checkpoints/permutation", H5T_NATIVE_INT32, perm.data(), 1, {layers, width});
    d_->appendRows("/checkpoints/scales", H5T_NATIVE_FLOAT, scales.data(), 1, {layers, width});
    d_->appendRows("/checkpoints/angles", H5T_NATIVE_FLOAT, angles.data(), 1, {layers, width / 2});
    d_->appendRows("/checkpoints/rng_state", H5T_NATIVE_UINT64, c.rng.data(), 1, {hsize_t(c.rng.size())});
    d_->appendRows("/checkpoints/recent_accepted", H5T_NATIVE_UINT8, recent.data(), 1, {hsize_t(recent.size())});
    d_->appendRows("/checkpoints/recent_count", H5T_NATIVE_INT32, &recentCount, 1);
    d_->appendRows("/checkpoints/accepted_steps", H5T_NATIVE_INT64, &c.acceptedSteps, 1);
    d_->appendRows("/checkpoints/best_loss", H5T_NATIVE_DOUBLE, &c.bestLoss, 1);
    d_->appendRows("/checkpoints/elapsed_s", H5T_NATIVE_DOUBLE, &c.elapsedSeconds, 1);
    // The step commits the row: it reaches the disk only after the rest of the row did.
    if (d_->schema >= 2) d_->checkStatus(H5Fflush(d_->file, H5F_SCOPE_LOCAL), "flush to disk");
    d_->appendRows("/checkpoints/step", H5T_NATIVE_INT64, &c.step, 1);
}

std::vector<std::int64_t> ExperimentFile::checkpointSteps() const {
    const auto lock = hdf5Lock();
    const std::int64_t n = checkpointCount();
    if (n == 0) return {};
    std::vector<std::int64_t> steps = d_->readArray<std::int64_t>("/checkpoints/step", H5T_NATIVE_INT64);
    steps.resize(std::size_t(n));
    return steps;
}

std::int64_t ExperimentFile::checkpointCount() const {
    const auto lock = hdf5Lock();
    // The step column is appended last, so a row is complete when its step is there.
    std::int64_t n = std::int64_t(d_->writtenRows("/checkpoints/step", false));
    for (const std::string& table : checkpointTables()) n = std::min(n, std::int64_t(d_->rows(table)));
    return n;
}

SearchCheckpoint ExperimentFile::checkpoint(std::int64_t index) const {
    const auto lock = hdf5Lock();
    const std::int64_t count = checkpointCount();
    if (index < 0) index += count;
    if (index < 0 || index >= count)
        d_->fail(count == 0 ? std::string("it holds no checkpoint yet")
                            : "checkpoint " + std::to_string(index) + " does not exist (it holds " +
                                  std::to_string(count) + ")");
    const std::int64_t L = d_->layers(), F = d_->ffn();
    const hsize_t i = hsize_t(index);
    // OPT-175B has 96 x 49,152 FFN neurons; more than 2^28 would be a damaged /model, not a model.
    if (L * F > (std::int64_t(1) << 28))
        d_->fail("/model says " + std::to_string(L) + " layers of FFN width " + std::to_string(F) + ", more than any OPT model");
    std::vector<std::int32_t> perm(static_cast<std::size_t>(L * F));
    std::vector<float> scales(static_cast<std::size_t>(L * F)), angles(static_cast<std::size_t>(L * F / 2));
    std::vector<std::uint8_t> recent(static_cast<std::size_t>(StepRecord::kRecentWindow));
    std::int32_t recentCount = 0;
    SearchCheckpoint c;
    const hsize_t layers = hsize_t(L), width = hsize_t(F);
    d_->readRows("/checkpoints/permutation", H5T_NATIVE_INT32, perm.data(), i, 1, {layers, width});
    d_->readRows("/checkpoints/scales", H5T_NATIVE_FLOAT, scales.data(), i, 1, {layers, width});
    d_->readRows("/checkpoints/angles", H5T_NATIVE_FLOAT, angles.data(), i, 1, {layers, width / 2});
    d_->readRows("/checkpoints/rng_state", H5T_NATIVE_UINT64, c.rng.data(), i, 1, {hsize_t(c.rng.size())});
    d_->readRows("/checkpoints/recent_accepted", H5T_NATIVE_UINT8, recent.data(), i, 1, {hsize_t(recent.size())});
    d_->readRows("/checkpoints/recent_count", H5T_NATIVE_INT32, &recentCount, i, 1);
    d_->readRows("/checkpoints/accepted_steps", H5T_NATIVE_INT64, &c.acceptedSteps, i, 1);
    d_->readRows("/checkpoints/best_loss", H5T_NATIVE_DOUBLE, &c.bestLoss, i, 1);
    d_->readRows("/checkpoints/elapsed_s", H5T_NATIVE_DOUBLE, &c.elapsedSeconds, i, 1);
    d_->readRows("/checkpoints/step", H5T_NATIVE_INT64, &c.step, i, 1);
    recentCount = std::clamp<std::int32_t>(recentCount, 0, StepRecord::kRecentWindow);
    c.recentAccepted.assign(recent.begin(), recent.begin() + recentCount);
    // A resumed search trusts this state: refuse one the search could not have written.
    auto refuse = [&](const std::string& what) { d_->fail("checkpoint " + std::to_string(index) + " (step " + std::to_string(c.step) + ") " + what); };
    if (std::all_of(c.rng.begin(), c.rng.end(), [](std::uint64_t w) { return w == 0; }))
        refuse("has an all-zero random generator state, which xoshiro256 never reaches");
    std::vector<std::uint8_t> seen(static_cast<std::size_t>(F));
    for (std::int64_t l = 0; l < L; ++l) {
        LayerInvariance s;
        s.permutation.assign(perm.begin() + l * F, perm.begin() + (l + 1) * F);
        s.scales.assign(scales.begin() + l * F, scales.begin() + (l + 1) * F);
        s.angles.assign(angles.begin() + l * F / 2, angles.begin() + (l + 1) * F / 2);
        std::fill(seen.begin(), seen.end(), 0);
        for (std::int64_t p : s.permutation) {
            if (p < 0 || p >= F || seen[std::size_t(p)])
                refuse("layer " + std::to_string(l) + ": its permutation is not a permutation of 0.." + std::to_string(F - 1));
            seen[std::size_t(p)] = 1;
        }
        for (float x : s.scales)
            if (!(x > 0) || !std::isfinite(x))
                refuse("layer " + std::to_string(l) + ": a scale is " + std::to_string(x) + "; scales must be positive and finite");
        for (float a : s.angles)
            if (!std::isfinite(a)) refuse("layer " + std::to_string(l) + ": an angle is not finite");
        c.layers.push_back(std::move(s));
    }
    return c;
}

std::vector<std::vector<std::int64_t>> ExperimentFile::permutationHistory(int layer) const {
    const auto lock = hdf5Lock();
    const std::int64_t L = d_->layers(), F = d_->ffn();
    if (layer < 0 || layer >= L)
        d_->fail("it has layers 0 to " + std::to_string(L - 1) + ", not " + std::to_string(layer));
    Handle ds = d_->dataset("/checkpoints/permutation");
    const std::vector<hsize_t> dims = d_->shape(ds);
    if (dims.size() != 3 || dims[1] != hsize_t(L) || dims[2] != hsize_t(F))
        d_->fail("/checkpoints/permutation does not have the shape [checkpoints, " + std::to_string(L) + ", " +
                 std::to_string(F) + "] its model's layers and FFN width ask for");
    std::vector<std::vector<std::int64_t>> history;
    if (dims[0] == 0) return history;
    std::vector<std::int32_t> values(std::size_t(dims[0]) * std::size_t(F));
    Handle space(H5Dget_space(ds), H5Sclose);
    const hsize_t offset[3] = {0, hsize_t(layer), 0}, extent[3] = {dims[0], 1, hsize_t(F)};
    H5Sselect_hyperslab(space, H5S_SELECT_SET, offset, nullptr, extent, nullptr);
    Handle mem(H5Screate_simple(3, extent, nullptr), H5Sclose);
    d_->checkStatus(H5Dread(ds, H5T_NATIVE_INT32, mem, space, H5P_DEFAULT, values.data()), "read /checkpoints/permutation");
    for (hsize_t c = 0; c < dims[0]; ++c)
        history.emplace_back(values.begin() + std::ptrdiff_t(c * hsize_t(F)), values.begin() + std::ptrdiff_t((c + 1) * hsize_t(F)));
    return history;
}

namespace {
std::string snapshotName(std::int64_t index) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "/snapshots/%06lld", (long long)index);
    return buf;
}
}  // namespace

namespace {
std::vector<float>& snapshotPart(WeightSnapshot& w, int i) {
    std::vector<float>* parts[] = {&w.original, &w.transformed, &w.quantized, &w.groupMin, &w.groupMax, &w.groupError};
    return *parts[i];
}
}  // namespace

void ExperimentFile::recordSnapshotLayers(const std::vector<int>& layers) {
    const auto lock = hdf5Lock();
    d_->requireNotLive("record the snapshot layers");
    std::vector<std::int32_t> values(layers.begin(), layers.end());
    d_->writeArray("/snapshots/layers", H5T_NATIVE_INT32, {hsize_t(values.size())}, values.data());
}

std::vector<int> ExperimentFile::snapshotLayers() const {
    const auto lock = hdf5Lock();
    if (!d_->exists("/snapshots/layers")) return {};
    const auto values = d_->readArray<std::int32_t>("/snapshots/layers", H5T_NATIVE_INT32);
    return std::vector<int>(values.begin(), values.end());
}

void ExperimentFile::appendSnapshot(const LayerSnapshot& s) {
    const auto lock = hdf5Lock();
    if (d_->schema < 2) return appendSnapshotGroup(s);
    const std::int64_t F = d_->ffn();
    const auto& inv = s.invariance;
    if (std::int64_t(inv.permutation.size()) != F || std::int64_t(inv.scales.size()) != F ||
        std::int64_t(inv.angles.size()) != F / 2 || s.fc1.rows != F || s.fc2.cols != F)
        d_->fail("a snapshot does not match the FFN width " + std::to_string(F));
    for (const WeightSnapshot* w : {&s.fc1, &s.fc2}) {
        const std::string g = std::string("/snapshots/") + (w == &s.fc1 ? "fc1" : "fc2");
        const std::int64_t group = d_->getInt(g, "group_size");
        if (w->groupSize != group) d_->fail("a snapshot's " + g + " has groups of " + std::to_string(w->groupSize) + ", not " + std::to_string(group));
        const std::vector<hsize_t> weights{hsize_t(w->rows), hsize_t(w->cols)}, groups{hsize_t(w->rows), hsize_t(w->cols / group)};
        auto& parts = const_cast<WeightSnapshot&>(*w);
        for (int i = 0; i < 6; ++i) {
            const std::vector<float>& v = snapshotPart(parts, i);
            const std::vector<hsize_t>& shape = i < 3 ? weights : groups;
            if (v.size() != std::size_t(shape[0] * shape[1])) d_->fail("a snapshot's " + g + "/" + kSnapshotWeights[i] + " has the wrong size");
            d_->appendRows(g + "/" + kSnapshotWeights[i], H5T_NATIVE_FLOAT, v.data(), 1, shape);
        }
    }
    const std::int32_t layer = s.layer;
    d_->appendRows("/snapshots/layer", H5T_NATIVE_INT32, &layer, 1);
    d_->appendRows("/snapshots/permutation", H5T_NATIVE_INT64, inv.permutation.data(), 1, {hsize_t(F)});
    d_->appendRows("/snapshots/scales", H5T_NATIVE_FLOAT, inv.scales.data(), 1, {hsize_t(F)});
    d_->appendRows("/snapshots/angles", H5T_NATIVE_FLOAT, inv.angles.data(), 1, {hsize_t(F / 2)});
    // The step commits the row: it reaches the disk only after the rest of the row did.
    d_->checkStatus(H5Fflush(d_->file, H5F_SCOPE_LOCAL), "flush to disk");
    d_->appendRows("/snapshots/step", H5T_NATIVE_INT64, &s.step, 1);
}

std::int64_t ExperimentFile::snapshotCount() const {
    const auto lock = hdf5Lock();
    if (d_->schema < 2) return snapshotGroupCount();
    std::int64_t n = std::int64_t(d_->writtenRows("/snapshots/step", false));
    for (const std::string& table : snapshotTables()) n = std::min(n, std::int64_t(d_->rows(table)));
    return n;
}

LayerSnapshot ExperimentFile::snapshot(std::int64_t index) const {
    const auto lock = hdf5Lock();
    if (d_->schema < 2) return snapshotGroup(index);
    if (index < 0 || index >= snapshotCount()) d_->fail("snapshot " + std::to_string(index) + " does not exist");
    const std::int64_t F = d_->ffn(), H = d_->getInt("/model", "hidden");
    if (H < 1 || H > (1 << 20) || F * H > (std::int64_t(1) << 32))
        d_->fail("/model@hidden is " + std::to_string(H) + ", not a hidden size of an OPT model");
    const hsize_t i = hsize_t(index);
    LayerSnapshot s;
    std::int32_t layer = 0;
    d_->readRows("/snapshots/step", H5T_NATIVE_INT64, &s.step, i, 1);
    d_->readRows("/snapshots/layer", H5T_NATIVE_INT32, &layer, i, 1);
    s.layer = layer;
    for (WeightSnapshot* w : {&s.fc1, &s.fc2}) {
        const bool fc1 = w == &s.fc1;
        w->name = fc1 ? "fc1" : "fc2";
        const std::string g = "/snapshots/" + w->name;
        w->rows = fc1 ? F : H;
        w->cols = fc1 ? H : F;
        w->groupSize = d_->getInt(g, "group_size");
        if (w->groupSize < 1 || w->cols % w->groupSize)
            d_->fail(g + "@group_size is " + std::to_string(w->groupSize) + ", which does not divide its " + std::to_string(w->cols) + " columns");
        const std::vector<hsize_t> weights{hsize_t(w->rows), hsize_t(w->cols)}, groups{hsize_t(w->rows), hsize_t(w->cols / w->groupSize)};
        for (int k = 0; k < 6; ++k) {
            const std::vector<hsize_t>& shape = k < 3 ? weights : groups;
            std::vector<float>& v = snapshotPart(*w, k);
            v.resize(std::size_t(shape[0] * shape[1]));
            d_->readRows(g + "/" + kSnapshotWeights[k], H5T_NATIVE_FLOAT, v.data(), i, 1, shape);
        }
    }
    s.invariance.permutation.resize(std::size_t(F));
    s.invariance.scales.resize(std::size_t(F));
    s.invariance.angles.resize(std::size_t(F / 2));
    d_->readRows("/snapshots/permutation", H5T_NATIVE_INT64, s.invariance.permutation.data(), i, 1, {hsize_t(F)});
    d_->readRows("/snapshots/scales", H5T_NATIVE_FLOAT, s.invariance.scales.data(), i, 1, {hsize_t(F)});
    d_->readRows("/snapshots/angles", H5T_NATIVE_FLOAT, s.invariance.angles.data(), i, 1, {hsize_t(F / 2)});
    return s;
}

bool ExperimentFile::hasSnapshot(std::int64_t step, int layer) const {
    const auto lock = hdf5Lock();
    const std::int64_t n = snapshotCount();
    if (d_->schema < 2) {
        for (std::int64_t i = 0; i < n; ++i) {
            const LayerSnapshot s = snapshotGroup(i);
            if (s.step == step && s.layer == layer) return true;
        }
        return false;
    }
    if (n == 0) return false;
    std::vector<std::int64_t> steps(static_cast<std::size_t>(n));
    std::vector<std::int32_t> layers(static_cast<std::size_t>(n));
    d_->readRows("/snapshots/step", H5T_NATIVE_INT64, steps.data(), 0, hsize_t(n));
    d_->readRows("/snapshots/layer", H5T_NATIVE_INT32, layers.data(), 0, hsize_t(n));
    for (std::int64_t i = 0; i < n; ++i)
        if (steps[std::size_t(i)] == step && layers[std::size_t(i)] == layer) return true;
    return false;
}

// Schema 1: a group per snapshot.
void ExperimentFile::appendSnapshotGroup(const LayerSnapshot& s) {
    const std::string g = snapshotName(snapshotGroupCount());
    d_->createGroup(g);
    d_->setInt(g, "step", s.step);
    d_->setInt(g, "layer", s.layer);
    for (const WeightSnapshot* w : {&s.fc1, &s.fc2}) {
        const std::string wg = g + "/" + w->name;
        d_->createGroup(wg);
        d_->setInt(wg, "group_size", w->groupSize);
        const std::vector<hsize_t> dims{hsize_t(w->rows), hsize_t(w->cols)};
        const std::vector<hsize_t> groups{hsize_t(w->rows), hsize_t(w->cols / std::max<std::int64_t>(w->groupSize, 1))};
        d_->writeArray(wg + "/original", H5T_NATIVE_FLOAT, dims, w->original.data());
        d_->writeArray(wg + "/transformed", H5T_NATIVE_FLOAT, dims, w->transformed.data());
        d_->writeArray(wg + "/quantized", H5T_NATIVE_FLOAT, dims, w->quantized.data());
        d_->writeArray(wg + "/group_min", H5T_NATIVE_FLOAT, groups, w->groupMin.data());
        d_->writeArray(wg + "/group_max", H5T_NATIVE_FLOAT, groups, w->groupMax.data());
        d_->writeArray(wg + "/group_error", H5T_NATIVE_FLOAT, groups, w->groupError.data());
    }
    const auto& inv = s.invariance;
    d_->writeArray(g + "/permutation", H5T_NATIVE_INT64, {hsize_t(inv.permutation.size())}, inv.permutation.data());
    d_->writeArray(g + "/scales", H5T_NATIVE_FLOAT, {hsize_t(inv.scales.size())}, inv.scales.data());
    d_->writeArray(g + "/angles", H5T_NATIVE_FLOAT, {hsize_t(inv.angles.size())}, inv.angles.data());
}

std::int64_t ExperimentFile::snapshotGroupCount() const {
    Handle g = d_->group("/snapshots");
    H5G_info_t info;
    d_->checkStatus(H5Gget_info(g, &info), "count the snapshots");
    return std::int64_t(info.nlinks);
}

LayerSnapshot ExperimentFile::snapshotGroup(std::int64_t index) const {
    if (index < 0 || index >= snapshotGroupCount()) d_->fail("snapshot " + std::to_string(index) + " does not exist");
    const std::string g = snapshotName(index);
    LayerSnapshot s;
    s.step = d_->getInt(g, "step");
    s.layer = int(d_->getInt(g, "layer"));
    for (WeightSnapshot* w : {&s.fc1, &s.fc2}) {
        w->name = w == &s.fc1 ? "fc1" : "fc2";
        const std::string wg = g + "/" + w->name;
        w->groupSize = d_->getInt(wg, "group_size");
        const auto dims = d_->shape(d_->dataset(wg + "/original"));
        if (dims.size() != 2 || w->groupSize < 1 || dims[1] % hsize_t(w->groupSize))
            d_->fail(wg + " is not a [rows, cols] weight in groups of its group_size");
        w->rows = std::int64_t(dims[0]);
        w->cols = std::int64_t(dims[1]);
        const std::vector<hsize_t> weights = dims, groups = {dims[0], dims[1] / hsize_t(w->groupSize)};
        auto read = [&](const char* name, const std::vector<hsize_t>& expected) {
            if (d_->shape(d_->dataset(wg + "/" + name)) != expected)
                d_->fail(wg + "/" + name + " is not " + Impl::shapeText(expected) + " like the snapshot's weight");
            return d_->readArray<float>(wg + "/" + name, H5T_NATIVE_FLOAT);
        };
        w->original = read("original", weights);
        w->transformed = read("transformed", weights);
        w->quantized = read("quantized", weights);
        w->groupMin = read("group_min", groups);
        w->groupMax = read("group_max", groups);
        w->groupError = read("group_error", groups);
    }
    s.invariance.permutation = d_->readArray<std::int64_t>(g + "/permutation", H5T_NATIVE_INT64);
    s.invariance.scales = d_->readArray<float>(g + "/scales", H5T_NATIVE_FLOAT);
    s.invariance.angles = d_->readArray<float>(g + "/angles", H5T_NATIVE_FLOAT);
    if (s.invariance.scales.size() != s.invariance.permutation.size() ||
        s.invariance.angles.size() != s.invariance.permutation.size() / 2 ||
        std::int64_t(s.invariance.permutation.size()) != s.fc1.rows)
        d_->fail(g + " holds an invariance state that does not match its fc1's " + std::to_string(s.fc1.rows) + " neurons");
    return s;
}

void ExperimentFile::truncateAfter(std::int64_t step) {
    const auto lock = hdf5Lock();
    const auto all = steps();
    std::int64_t keep = 0;
    while (keep < std::int64_t(all.size()) && all[std::size_t(keep)].step <= step) ++keep;
    d_->shrink("/steps", hsize_t(keep));
    const auto evals = evaluations();
    std::int64_t keepEvals = 0;
    while (keepEvals < std::int64_t(evals.size()) && evals[std::size_t(keepEvals)].step <= step) ++keepEvals;
    d_->shrink("/evaluations", hsize_t(keepEvals));
    if (d_->schema < 2) return;
    // Rows a killed writer left half-written: tables longer than their committed rows.
    const hsize_t checkpoints = hsize_t(checkpointCount());
    for (const std::string& table : checkpointTables()) d_->shrink(table, checkpoints);
    const std::int64_t count = snapshotCount();
    std::int64_t keepSnapshots = 0;
    if (count > 0) {
        std::vector<std::int64_t> steps(static_cast<std::size_t>(count));
        d_->readRows("/snapshots/step", H5T_NATIVE_INT64, steps.data(), 0, hsize_t(count));
        while (keepSnapshots < count && steps[std::size_t(keepSnapshots)] <= step) ++keepSnapshots;
    }
    for (const std::string& table : snapshotTables()) d_->shrink(table, hsize_t(keepSnapshots));
}

void ExperimentFile::flush() {
    const auto lock = hdf5Lock();
    d_->checkStatus(H5Fflush(d_->file, H5F_SCOPE_LOCAL), "flush to disk");
}

}  // namespace invx
