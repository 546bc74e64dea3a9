#pragma once
// What an ExperimentFile holds, shared by the files of experiment/ that implement its parts
// (experiment-file.cpp: life cycle and identity; experiment-tables.cpp: steps, evaluations,
// results; experiment-base.cpp: the base method's records; experiment-checkpoints.cpp and
// experiment-snapshots.cpp). Every member function of ExperimentFile holds hdf5::lock().
#include <optional>
#include <string>
#include <vector>

#include "invx/experiment-file.h"
#include "records/experiment/experiment-rows.h"
#include "records/hdf5/file-write-lock.h"
#include "records/hdf5/hdf5-file.h"

namespace invx {

struct ExperimentFile::Impl {
    std::string path;
    hdf5::File file;
    int schema = kSchemaVersion;
    bool live = false;        // in single-writer/multiple-reader mode: appends only
    std::string partPath;     // created and not yet published: the file is here
    bool keepPart = false;    // ... and kept when this object goes (it holds progress)
    FileWriteLock writeLock;  // held while this object may write

    // The checkpoints' damaged tail, found once for every committed count (a followed file grows).
    std::int64_t checkedCheckpoints = -1;  // the committed rows last examined
    std::int64_t goodCheckpoints = 0;      // of those, the rows before the damaged tail
    std::string damageNote;

    [[noreturn]] void fail(const std::string& what) const { file.fail(what); }
    void requireNotLive(const char* what) const;

    // The rows of a table up to its last written one. A killed writer can leave a table's extent
    // grown over rows it never wrote; in schema 2 they read as the step kUnwrittenStep.
    hsize_t writtenRows(const std::string& table, bool compoundRows) const;

    // The newest row of /run_log (schema 2): the status and the step budget.
    std::optional<experiment::RunLogRow> lastRunLog() const;
    void appendRunLog(const std::string& status, std::int64_t targetSteps) const;

    // Files made before /results existed gain the table, which appending mode cannot create.
    void addResultsTable();

    // The model's size, which sizes every checkpoint buffer: refused when no OPT model could have
    // it.
    std::int64_t layers() const;
    std::int64_t ffn() const;

    // The rows of /checkpoints whose step has been written (committed), damaged or not.
    std::int64_t committedCheckpoints() const;
    // Reads and checks one committed checkpoint row; throws with the reason it cannot be trusted.
    SearchCheckpoint readCheckpoint(std::int64_t index) const;
};

namespace experiment {

// Every table a checkpoint row or a snapshot row (schema 2) spans, the step that commits it last.
const std::vector<std::string>& checkpointTables();
const std::vector<std::string>& snapshotTables();
// The weights and group statistics of a snapshot's fc1 and fc2, in WeightSnapshot's order.
extern const char* const kSnapshotWeights[6];
// Create the /checkpoints and /snapshots tables of a new file (schema 2).
void createCheckpointTables(const hdf5::File& file, const ModelIdentity& model);
void createSnapshotTables(const hdf5::File& file, const SearchSettings& settings,
                          const ModelIdentity& model);

}  // namespace experiment
}  // namespace invx
