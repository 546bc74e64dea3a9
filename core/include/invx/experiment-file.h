#pragma once
// One search experiment in one HDF5 file (schema in docs/experiment-file.md): settings, the model's
// identity, the calibration tokens, the base method's results, every step, the evaluations,
// periodic checkpoints and snapshots. Plain HDF5 types, readable with h5dump and h5py. Appends
// only: nothing recorded is rewritten, except that resuming drops the steps after the checkpoint it
// resumes from (they are then recomputed identically).
//
// Crash-proof (schema 2): a new file is written as FILE.part and appears at its path only once its
// first checkpoint is in it (publish()); from then on it is written in HDF5's single-writer/
// multiple-reader mode, which orders every write so that the file on disk is consistent at every
// moment: a kill at any instant leaves a file that opens and resumes. Every record is appended;
// the row that commits a checkpoint or snapshot is written only after the rest of it is flushed.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "invx/search-records.h"
#include "invx/search-settings.h"

namespace invx {

struct CalibrationBatch {
    std::string corpus;
    std::int64_t samples = 0, length = 0;
    std::vector<std::int32_t> ids;  // samples x length, row-major
    std::int64_t baseSamples = 0;  // awq/gptq/omniquant calibration: baseSamples x length (0: none)
    std::vector<std::int32_t> baseIds;
};

class ExperimentFile {
  public:
    static constexpr int kSchemaVersion = 2;
    static constexpr const char* kFormat = "invx-experiment";

    // Throws unless `path` is free for a new experiment (no file, and no FILE.part with progress).
    static void requireNewPath(const std::string& path);
    // Creates a new file, written as `path`.part until publish(). Refuses a path that exists,
    // whatever it holds.
    static ExperimentFile create(const std::string& path, const SearchSettings& settings,
                                 const ModelIdentity& model, const CalibrationBatch& calibration);
    // Opens an existing experiment; throws naming the file when it is missing, not HDF5, not an
    // experiment, or of a newer schema. Readers may open a file while a run writes it. A writer
    // locks the file (a second writer is refused) and recovers one whose writer was killed.
    static ExperimentFile open(const std::string& path, bool writable);

    // A created file that was never published (its run was stopped or killed while OmniQuant
    // trained, before the first checkpoint): `path`.part, reopened to go on writing where it
    // stopped. Throws naming the file when there is none or it cannot be opened.
    static ExperimentFile openUnpublished(const std::string& path);
    // Whether `path`.part, a file never published, is there; and whether it holds progress that
    // a resume goes on from (OmniQuant's finished blocks, or where its training was stopped), which
    // a new run at `path` must not overwrite (requireNewPath refuses then).
    static bool hasUnpublished(const std::string& path);
    static bool unpublishedHoldsProgress(const std::string& path);
    // An unpublished file is removed when this object goes, unless this is called: the file keeps
    // progress (OmniQuant's finished blocks) that a resume goes on from.
    void keepUnpublished();

    // A created file: moves it to its path and starts appending in single-writer/multiple-reader
    // mode, after which only appends are allowed (no writeBase, writeAwq, writeGptq,
    // writeOmniquant, recordSnapshotLayers). Does nothing on a file opened for writing, which is in
    // that mode.
    void publish();

    ExperimentFile(ExperimentFile&&) noexcept;
    ExperimentFile& operator=(ExperimentFile&&) noexcept;
    ~ExperimentFile();

    const std::string& path() const;
    SearchSettings settings() const;
    // Only the step budget may change (a resumed run may go on for longer).
    void setTargetSteps(std::int64_t steps);
    ModelIdentity model() const;
    CalibrationBatch calibration() const;
    // "created", "running", "stopped", "finished", or "interrupted": recorded as running (or, once
    // published, as created) while no process writes it (the run was killed; --resume continues
    // it).
    std::string status() const;
    void setStatus(const std::string& status);

    void writeBase(const BaseResult& base);  // once
    std::optional<BaseResult> base() const;
    void writeAwq(const std::vector<AwqLayerRecord>& layers);    // once, for base awq
    std::vector<AwqLayerRecord> awq() const;                     // empty when none is recorded
    void writeGptq(const std::vector<GptqLayerRecord>& layers);  // once, for base gptq
    std::vector<GptqLayerRecord> gptq() const;                   // empty when none is recorded
    // OmniQuant's blocks, in order: those not recorded yet are added (appendOmniquantLayer may
    // have recorded the first ones as they finished), and the stopped training's state goes.
    void writeOmniquant(const std::vector<OmniquantLayerRecord>& layers);
    std::vector<OmniquantLayerRecord> omniquant() const;  // empty when none is recorded
    // Before publish(): one more finished block, as training goes, and where a stopped training
    // stood (replacing the one recorded before), to resume from.
    void appendOmniquantLayer(const OmniquantLayerRecord& layer);
    void writeOmniquantTraining(const OmniquantTrainingRecord& training);
    std::optional<OmniquantTrainingRecord> omniquantTraining() const;

    void appendSteps(const std::vector<StepRecord>& steps);
    std::int64_t stepCount() const;
    std::vector<StepRecord> steps(std::int64_t first = 0, std::int64_t count = -1) const;

    void appendEvaluation(const EvaluationRecord& record);
    std::vector<EvaluationRecord> evaluations() const;

    // Measurements for the results table (`invx eval --record`, `invx table --evaluate`), kept in
    // the order they were taken; the newest of a kind counts. Appending to a file no run writes.
    void appendResult(const ResultRecord& result);
    std::vector<ResultRecord> results() const;

    void appendCheckpoint(const SearchCheckpoint& checkpoint);
    // The checkpoints up to the last good one. Trailing checkpoints that fail their checks (a
    // flush torn by a kill, a chunk whose checksum fails, values no search writes) count as not
    // written: the file reads, and resumes, as if it ended at its last good checkpoint, and
    // damageNote() says so.
    std::int64_t checkpointCount() const;
    std::vector<std::int64_t> checkpointSteps() const;  // the step of every checkpoint, in order
    // -1 = the last good one. A damaged checkpoint asked for by its index is refused with the
    // reason.
    SearchCheckpoint checkpoint(std::int64_t index) const;
    // One sentence when the file's tail was found damaged and is read as not written; else empty.
    std::string damageNote() const;
    // The permutation of `layer` at every checkpoint, in order ([checkpoints][ffn]), read without
    // the other layers' states.
    std::vector<std::vector<std::int64_t>> permutationHistory(int layer) const;

    // The layers the run snapshots at its start and its end (--snapshot-layers); before publish().
    void recordSnapshotLayers(const std::vector<int>& layers);
    std::vector<int> snapshotLayers() const;
    void appendSnapshot(const LayerSnapshot& snapshot);
    std::int64_t snapshotCount() const;
    LayerSnapshot snapshot(std::int64_t index) const;
    bool hasSnapshot(std::int64_t step, int layer) const;

    // For resuming from the checkpoint at `step`: drops later steps, evaluations and snapshots,
    // and whatever a killed writer left half-written.
    void truncateAfter(std::int64_t step);
    void flush();
    // Writes what is left and closes the file; a failure (a full disk, a quota) is an error naming
    // the file and the cause. The destructor closes too, but cannot report.
    void close();

  private:
    struct Impl;
    void appendSnapshotGroup(const LayerSnapshot& snapshot);  // schema 1
    std::int64_t snapshotGroupCount() const;
    LayerSnapshot snapshotGroup(std::int64_t index) const;
    explicit ExperimentFile(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> d_;
};

}  // namespace invx
