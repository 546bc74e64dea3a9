// The experiment file's life cycle (create, publish, open, status) and what identifies a run: its
// settings, model and calibration tokens. The schema is docs/experiment-file.md.
#include "invx/experiment-file.h"

#include <ctime>
#include <filesystem>

#include "invx/error.h"
#include "invx/opt-config.h"
#include "invx/text-file.h"
#include "invx/version.h"
#include "records/experiment/experiment-file-impl.h"

namespace invx {

using experiment::RunLogRow;
using hdf5::Handle;

namespace {

std::string nowIso() {
    const std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

std::string describe(const std::string& path) { return "experiment file '" + path + "'"; }

}  // namespace

void ExperimentFile::Impl::requireNotLive(const char* what) const {
    if (live)
        fail(std::string("cannot ") + what + " once the run is appending to it (a defect in invx)");
}

hsize_t ExperimentFile::Impl::writtenRows(const std::string& table, bool compoundRows) const {
    hsize_t n = file.rows(table);
    if (schema < 2) return n;
    Handle memType =
        compoundRows ? experiment::stepFieldType() : Handle(H5Tcopy(H5T_NATIVE_INT64), H5Tclose);
    while (n > 0) {
        const hsize_t block = std::min<hsize_t>(n, 64);
        std::vector<std::int64_t> steps(block);
        file.readRows(table, memType, steps.data(), n - block, block);
        for (hsize_t k = block; k > 0; --k)
            if (steps[k - 1] != experiment::kUnwrittenStep) return n - block + k;
        n -= block;
    }
    return 0;
}

std::optional<RunLogRow> ExperimentFile::Impl::lastRunLog() const {
    const hsize_t n = file.rows("/run_log");
    if (n == 0) return std::nullopt;
    RunLogRow row{};
    file.readRows("/run_log", experiment::runLogType(), &row, n - 1, 1);
    row.status[sizeof row.status - 1] = '\0';
    return row;
}

void ExperimentFile::Impl::appendRunLog(const std::string& status, std::int64_t targetSteps) const {
    RunLogRow row{};
    if (status.size() >= sizeof row.status)
        fail("the status '" + status + "' is too long to record");
    std::snprintf(row.status, sizeof row.status, "%s", status.c_str());
    row.targetSteps = targetSteps;
    row.unixTime = double(std::time(nullptr));
    file.appendRows("/run_log", experiment::runLogType(), &row, 1);
}

std::int64_t ExperimentFile::Impl::layers() const {
    const std::int64_t v = file.getInt("/model", "layers");
    if (v < 1 || v > 4096)
        fail("/model@layers is " + std::to_string(v) + ", not a number of layers (1 to 4096)");
    return v;
}

std::int64_t ExperimentFile::Impl::ffn() const {
    const std::int64_t v = file.getInt("/model", "ffn");
    if (v < 2 || v > (1 << 20) || v % 2)
        fail("/model@ffn is " + std::to_string(v) + ", not an even FFN width (2 to 1048576)");
    return v;
}

ExperimentFile::ExperimentFile(std::unique_ptr<Impl> impl) : d_(std::move(impl)) {}
ExperimentFile::ExperimentFile(ExperimentFile&&) noexcept = default;
ExperimentFile& ExperimentFile::operator=(ExperimentFile&& other) noexcept {
    const auto lock = hdf5::lock();  // the old file closes here
    d_ = std::move(other.d_);
    return *this;
}
ExperimentFile::~ExperimentFile() {
    const auto lock = hdf5::lock();
    if (d_ && d_->file.valid()) H5Fflush(d_->file.id(), H5F_SCOPE_LOCAL);
    const std::string unpublished = d_ && !d_->keepPart ? d_->partPath : std::string();
    d_.reset();  // closes the file's handles while the lock is held
    // A file never published holds no checkpoint, nothing to resume: the run failed or was stopped
    // while it was being set up.
    if (!unpublished.empty()) {
        std::error_code ignored;
        std::filesystem::remove(unpublished, ignored);
    }
}

const std::string& ExperimentFile::path() const {
    const auto lock = hdf5::lock();
    return d_->path;
}

void ExperimentFile::requireNewPath(const std::string& path) {
    const auto lock = hdf5::lock();
    if (std::filesystem::exists(path))
        throw Error("experiment file '" + path +
                    "' already exists; choose another --out, or continue it with --resume " + path);
    if (unpublishedHoldsProgress(path))
        throw Error("'" + path +
                    ".part' holds a run stopped during OmniQuant's training; go on with "
                    "it (invx search --resume " +
                    path + "), or remove it to start again");
}

bool ExperimentFile::unpublishedHoldsProgress(const std::string& path) {
    const auto lock = hdf5::lock();
    if (!hasUnpublished(path)) return false;
    try {
        const ExperimentFile part = openUnpublished(path);
        return !part.omniquant().empty() || part.omniquantTraining().has_value();
    } catch (const Error&) {
        return false;  // unreadable: nothing a resume could go on from
    }
}

ExperimentFile ExperimentFile::create(const std::string& path, const SearchSettings& settings,
                                      const ModelIdentity& model,
                                      const CalibrationBatch& calibration) {
    const auto lock = hdf5::lock();
    hdf5::silenceErrorStacks();
    requireNewPath(path);
    auto d = std::make_unique<Impl>();
    d->path = path;
    d->partPath = path + ".part";  // a leftover of a run killed while it was set up is replaced
    d->writeLock = FileWriteLock(d->partPath, /*create=*/true);
    Handle id(H5Fcreate(d->partPath.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, hdf5::swmrFileAccess()),
              H5Fclose);
    if (!id.valid()) {
        std::error_code ignored;
        std::filesystem::remove(d->partPath, ignored);
        throw Error("cannot create the experiment file '" + path +
                    "' (is the directory writable?)");
    }
    d->file = hdf5::File(std::move(id), describe(path), path);
    const hdf5::File& f = d->file;

    f.setString("/", "format", kFormat);
    f.setInt("/", "schema_version", kSchemaVersion);
    f.setString("/", "created_by", std::string("invx ") + versionString());
    f.setString("/", "created_at", nowIso());

    f.createGroup("/settings");
    f.setString("/settings", "json", settings.toJson());

    f.createGroup("/model");
    f.setString("/model", "path", model.path);
    f.setString("/model", "config_json", model.configJson);
    f.setString("/model", "fingerprint", model.fingerprint);
    f.setInt("/model", "parameters", model.parameters);
    f.setInt("/model", "layers", model.layers);
    f.setInt("/model", "hidden", model.hidden);
    f.setInt("/model", "ffn", model.ffn);
    f.setString("/model", "device", model.device);
    f.setString("/model", "dtype", model.dtype);

    f.createGroup("/calibration");
    f.setString("/calibration", "corpus", calibration.corpus);
    f.writeArray("/calibration/input_ids", H5T_NATIVE_INT32,
                 {hsize_t(calibration.samples), hsize_t(calibration.length)},
                 calibration.ids.data());
    if (calibration.baseSamples > 0)
        f.writeArray("/calibration/base_input_ids", H5T_NATIVE_INT32,
                     {hsize_t(calibration.baseSamples), hsize_t(calibration.length)},
                     calibration.baseIds.data());

    // Every table is created now: a writer in single-writer/multiple-reader mode only appends.
    experiment::StepRow unwrittenStep{};
    unwrittenStep.step = experiment::kUnwrittenStep;
    experiment::EvaluationRow unwrittenEvaluation{};
    unwrittenEvaluation.step = experiment::kUnwrittenStep;
    f.createTable("/steps", experiment::stepType(), {}, 4096, false, &unwrittenStep);
    f.createTable("/evaluations", experiment::evaluationType(), {}, 64, false,
                  &unwrittenEvaluation);
    f.createTable("/run_log", experiment::runLogType(), {}, 64);
    f.createTable("/results", experiment::resultType(), {}, 64);
    experiment::createCheckpointTables(f, model);
    experiment::createSnapshotTables(f, settings, model);

    d->appendRunLog("created", settings.steps);
    f.flush();
    return ExperimentFile(std::move(d));
}

bool ExperimentFile::hasUnpublished(const std::string& path) {
    return std::filesystem::is_regular_file(path + ".part");
}

ExperimentFile ExperimentFile::openUnpublished(const std::string& path) {
    const auto lock = hdf5::lock();
    hdf5::silenceErrorStacks();
    const std::string part = path + ".part";
    if (!std::filesystem::is_regular_file(part))
        throw Error("experiment file '" + path + "' does not exist, nor does '" + part +
                    "', what a run stopped while it was being set up leaves");
    if (std::filesystem::exists(path))
        throw Error("experiment file '" + path + "' exists beside '" + part +
                    "'; resume the one, or remove the other");
    auto d = std::make_unique<Impl>();
    d->path = path;
    d->partPath = part;
    d->keepPart = true;  // whatever happens, what it held is not thrown away here
    d->writeLock = FileWriteLock(part, /*create=*/false);
    // A killed writer leaves its "being written" mark, cleared here as for a published file.
    Handle access = hdf5::swmrFileAccess();
    hbool_t clear = true;
    H5Pset(access, "clear_status_flags", &clear);
    Handle id(H5Fopen(part.c_str(), H5F_ACC_RDWR, access), H5Fclose);
    if (!id.valid())
        throw Error("cannot open '" + part +
                    "', left by a run stopped while it was being set up (damaged by a kill, or "
                    "read-only); remove it and start the run again");
    d->file = hdf5::File(std::move(id), describe(path), path);
    if (!d->file.hasAttribute("/", "format") || d->file.getString("/", "format") != kFormat)
        throw Error("'" + part + "' is not an InvarExplore experiment; remove it");
    return ExperimentFile(std::move(d));
}

void ExperimentFile::keepUnpublished() {
    const auto lock = hdf5::lock();
    d_->keepPart = true;
}

void ExperimentFile::publish() {
    const auto lock = hdf5::lock();
    if (d_->partPath.empty()) return;
    d_->file.flush();
    d_->file.checkStatus(H5Fstart_swmr_write(d_->file.id()),
                         "start appending in single-writer/multiple-reader mode");
    d_->live = true;
    if (std::filesystem::exists(d_->path)) {
        const std::string kept = d_->partPath;
        d_->partPath.clear();  // kept, as the message says, not removed with this object
        d_->fail(
            "another file appeared at its path while the run was being set up; this run is kept "
            "as " +
            kept);
    }
    std::error_code error;
    std::filesystem::rename(d_->partPath, d_->path, error);  // atomic: the file is whole or absent
    if (error) d_->fail("cannot move " + d_->partPath + " to its path: " + error.message());
    d_->partPath.clear();
}

namespace {

// Opens `path` for appending in single-writer/multiple-reader mode, recovering a file whose writer
// was killed: it still carries its "being written" mark, and the end of the file it recorded may
// lag behind the end of what it wrote; the one is cleared, the other caught up. An invalid handle
// when the file cannot be opened in this mode (schema 1 files).
Handle openForAppending(const std::string& path) {
    Handle recover = hdf5::fileAccess();
    hbool_t clear = true;
    H5Pset(recover, "clear_status_flags", &clear);
    return Handle(H5Fopen(path.c_str(), H5F_ACC_RDWR | H5F_ACC_SWMR_WRITE, recover), H5Fclose);
}

// Opens for reading: single-writer/multiple-reader mode reads a file while a run appends to it,
// and one whose writer was killed; files of schema 1 open without it.
Handle openForReading(const std::string& path) {
    const Handle access = hdf5::fileAccess();
    Handle id(H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, access), H5Fclose);
    if (!id.valid()) id = Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, access), H5Fclose);
    return id;
}

}  // namespace

void ExperimentFile::Impl::addResultsTable() {
    file.close();
    Handle plain(H5Fopen(path.c_str(), H5F_ACC_RDWR, hdf5::fileAccess()), H5Fclose);
    if (!plain.valid()) fail("cannot open it to add the /results table");
    file = hdf5::File(std::move(plain), describe(path), path);
    file.createTable("/results", experiment::resultType(), {}, 64);
    file.flush();
    file.close();
    Handle again(H5Fopen(path.c_str(), H5F_ACC_RDWR | H5F_ACC_SWMR_WRITE, hdf5::fileAccess()),
                 H5Fclose);
    if (!again.valid()) fail("cannot reopen it for appending after adding the /results table");
    file = hdf5::File(std::move(again), describe(path), path);
}

ExperimentFile ExperimentFile::open(const std::string& path, bool writable) {
    const auto lock = hdf5::lock();
    hdf5::silenceErrorStacks();
    if (!std::filesystem::exists(path))
        throw Error("experiment file '" + path + "' does not exist" +
                    (unpublishedHoldsProgress(path)
                         ? " yet: its run was stopped during OmniQuant's training (" + path +
                               ".part holds it); continue it with invx search --resume " + path
                         : std::string()));
    requireRegularFile(path, "experiment file");  // a folder; HDF5 would wait on a named pipe
    if (H5Fis_hdf5(path.c_str()) <= 0)
        throw Error("'" + path +
                    "' is not an HDF5 file, so not an experiment file written by invx search");
    auto d = std::make_unique<Impl>();
    d->path = path;
    Handle id;
    if (writable) {
        d->writeLock = FileWriteLock(path, /*create=*/false);  // refuses a file another run writes
        id = openForAppending(path);
        d->live = id.valid();
        if (!d->live)
            id = Handle(H5Fopen(path.c_str(), H5F_ACC_RDWR, hdf5::fileAccess()), H5Fclose);
    } else {
        id = openForReading(path);
    }
    if (!id.valid())
        throw Error(
            "cannot open the experiment file '" + path + "'" +
            (writable ? " for writing (is it read-only, or open in another program?)" : ""));
    d->file = hdf5::File(std::move(id), describe(path), path);
    if (d->live) {
        if (H5Fincrement_filesize(d->file.id(), 0) < 0)
            d->fail("cannot recover the end of the file its last run wrote");
        if (!d->file.exists("/results")) d->addResultsTable();
    }
    if (!d->file.hasAttribute("/", "format") || d->file.getString("/", "format") != kFormat)
        throw Error("'" + path +
                    "' is an HDF5 file but not an InvarExplore experiment (its root attribute "
                    "'format' is not '" +
                    std::string(kFormat) + "')");
    const std::int64_t version = d->file.getInt("/", "schema_version");
    if (version > kSchemaVersion || version < 1)
        throw Error("experiment file '" + path + "' has schema version " + std::to_string(version) +
                    ", but this invx reads versions 1 to " + std::to_string(kSchemaVersion) +
                    "; use a newer invx");
    d->schema = int(version);
    if (d->schema >= 2 && !d->file.exists("/run_log"))
        d->fail("it has no /run_log, which schema 2 files have");
    return ExperimentFile(std::move(d));
}

SearchSettings ExperimentFile::settings() const {
    const auto lock = hdf5::lock();
    const std::string json = d_->file.getString("/settings", "json");
    SearchSettings s = SearchSettings::fromJson(json, d_->path + ":/settings");
    // Runs recorded before the setting existed took their targets from the unmodified model.
    if (json.find("\"targets\"") == std::string::npos) s.targets = "original";
    // ... and ran AWQ in float32.
    if (json.find("\"awq_precision\"") == std::string::npos) s.awqPrecision = "float32";
    // ... and trained OmniQuant in float32.
    if (json.find("\"omniquant_precision\"") == std::string::npos) s.omniquantPrecision = "float32";
    if (d_->schema >= 2)
        if (const auto last = d_->lastRunLog(); last && last->targetSteps > 0)
            s.steps = last->targetSteps;
    return s;
}

void ExperimentFile::setTargetSteps(std::int64_t steps) {
    const auto lock = hdf5::lock();
    if (d_->schema >= 2) {
        const auto last = d_->lastRunLog();
        d_->appendRunLog(last ? last->status : "created", steps);
        return;
    }
    SearchSettings s = settings();
    s.steps = steps;
    d_->file.setString("/settings", "json", s.toJson());
}

ModelIdentity ExperimentFile::model() const {
    const auto lock = hdf5::lock();
    const hdf5::File& f = d_->file;
    ModelIdentity m;
    m.path = f.getString("/model", "path");
    m.configJson = f.getString("/model", "config_json");
    m.fingerprint = f.getString("/model", "fingerprint");
    m.parameters = f.getInt("/model", "parameters");
    // The model's size sizes what readers allocate: checked here, once for every reader.
    m.layers = int(d_->layers());
    m.hidden = f.getInt("/model", "hidden");
    m.ffn = d_->ffn();
    if (m.hidden < 1 || m.hidden > (1 << 20))
        d_->fail("/model@hidden is " + std::to_string(m.hidden) +
                 ", not a hidden size (1 to 1048576)");
    if (m.parameters < 0) d_->fail("/model@parameters is negative");
    // The config the file recorded says the same, where it is a whole OPT config (a synthetic
    // file's may not be: then there is nothing to compare).
    std::optional<OptConfig> config;
    try {
        config = OptConfig::fromJson(m.configJson, d_->path + ":/model@config_json");
    } catch (const Error&) {
    }
    if (config && (config->numLayers != m.layers || config->hiddenSize != m.hidden ||
                   config->ffnDim != m.ffn))
        d_->fail("/model says " + std::to_string(m.layers) + " layers, hidden size " +
                 std::to_string(m.hidden) + " and FFN width " + std::to_string(m.ffn) +
                 ", but its config_json says " + std::to_string(config->numLayers) + ", " +
                 std::to_string(config->hiddenSize) + " and " + std::to_string(config->ffnDim));
    m.device = f.getString("/model", "device");
    m.dtype = f.getString("/model", "dtype");
    return m;
}

CalibrationBatch ExperimentFile::calibration() const {
    const auto lock = hdf5::lock();
    const hdf5::File& f = d_->file;
    CalibrationBatch c;
    c.corpus = f.getString("/calibration", "corpus");
    const auto dims = f.shape("/calibration/input_ids");
    if (dims.size() != 2) d_->fail("/calibration/input_ids is not two-dimensional");
    c.samples = std::int64_t(dims[0]);
    c.length = std::int64_t(dims[1]);
    c.ids = f.readArray<std::int32_t>("/calibration/input_ids", H5T_NATIVE_INT32);
    if (f.exists("/calibration/base_input_ids")) {
        const auto base = f.shape("/calibration/base_input_ids");
        if (base.size() != 2 || base[1] != dims[1])
            d_->fail("/calibration/base_input_ids is not [samples, " + std::to_string(dims[1]) +
                     "] like /calibration/input_ids");
        c.baseIds = f.readArray<std::int32_t>("/calibration/base_input_ids", H5T_NATIVE_INT32);
        c.baseSamples = std::int64_t(base[0]);
    }
    return c;
}

std::string ExperimentFile::status() const {
    const auto lock = hdf5::lock();
    std::string status;
    if (d_->schema >= 2) {
        const auto last = d_->lastRunLog();
        status = last ? last->status : "created";
    } else {
        status = d_->file.getString("/", "status");
    }
    // Recorded as running, but no process writes it: the run was killed. So was a published
    // (schema 2) file still "created": every run that lives on records "running" next.
    const bool unfinished = status == "running" || (status == "created" && d_->schema >= 2);
    if (unfinished && !d_->writeLock.held() && !FileWriteLock::isHeld(d_->path))
        return "interrupted";
    return status;
}

void ExperimentFile::setStatus(const std::string& status) {
    const auto lock = hdf5::lock();
    if (d_->schema < 2) {
        d_->file.setString("/", "status", status);
        return;
    }
    const auto last = d_->lastRunLog();
    d_->appendRunLog(status, last ? last->targetSteps : 0);
}

void ExperimentFile::truncateAfter(std::int64_t step) {
    const auto lock = hdf5::lock();
    const auto all = steps();
    std::int64_t keep = 0;
    while (keep < std::int64_t(all.size()) && all[std::size_t(keep)].step <= step) ++keep;
    d_->file.shrink("/steps", hsize_t(keep));
    const auto evals = evaluations();
    std::int64_t keepEvals = 0;
    while (keepEvals < std::int64_t(evals.size()) && evals[std::size_t(keepEvals)].step <= step)
        ++keepEvals;
    d_->file.shrink("/evaluations", hsize_t(keepEvals));
    if (d_->schema < 2) return;
    // Rows a killed writer left half-written: tables longer than their committed rows.
    const hsize_t checkpoints = hsize_t(checkpointCount());
    for (const std::string& table : experiment::checkpointTables())
        d_->file.shrink(table, checkpoints);
    const std::int64_t count = snapshotCount();
    std::int64_t keepSnapshots = 0;
    if (count > 0) {
        std::vector<std::int64_t> steps(static_cast<std::size_t>(count));
        d_->file.readRows("/snapshots/step", H5T_NATIVE_INT64, steps.data(), 0, hsize_t(count));
        while (keepSnapshots < count && steps[std::size_t(keepSnapshots)] <= step) ++keepSnapshots;
    }
    for (const std::string& table : experiment::snapshotTables())
        d_->file.shrink(table, hsize_t(keepSnapshots));
}

void ExperimentFile::flush() {
    const auto lock = hdf5::lock();
    d_->file.flush();
}

void ExperimentFile::close() {
    const auto lock = hdf5::lock();
    d_->file.flush();
    d_->file.close(/*checked=*/true);
}

}  // namespace invx
