#include "invx/search-run.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <chrono>
#include <filesystem>

#include "invx/bpe-tokenizer.h"
#include "invx/calibration-data.h"
#include "invx/corpus-documents.h"
#include "invx/error.h"
#include "invx/experiment-file.h"
#include "invx/model-locator.h"
#include "invx/perplexity-text.h"
#include "io/token-id-file.h"
#include "metrics/perplexity-evaluator.h"
#include "model/model-identity.h"
#include "quant/omniquant-quantizer.h"
#include "records/hdf5/file-write-lock.h"
#include "search/search-engine.h"
#include "search/searched-model.h"

namespace invx {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// Appends step records in chunks and flushes the file about once a second, so a crash loses at
// most the last second of steps (they are recomputed from the last checkpoint on resume).
class StepWriter {
  public:
    explicit StepWriter(ExperimentFile& file) : file_(file) {}
    void add(const StepRecord& r) {
        pending_.push_back(r);
        if (pending_.size() >= 4096 || secondsSince(lastFlush_) >= 1.0) flush();
    }
    void flush() {
        file_.appendSteps(pending_);
        pending_.clear();
        file_.flush();
        lastFlush_ = Clock::now();
    }

  private:
    ExperimentFile& file_;
    std::vector<StepRecord> pending_;
    Clock::time_point lastFlush_ = Clock::now();
};

// When the next perplexity evaluation is due (SearchSettings' evaluation schedule).
class EvaluationSchedule {
  public:
    explicit EvaluationSchedule(const SearchSettings& s) : s_(s) {}
    void evaluated(std::int64_t acceptedSteps, double searchSeconds, double evalSeconds) {
        lastAccepted_ = acceptedSteps;
        lastSearchSeconds_ = searchSeconds;
        lastCost_ = evalSeconds;
    }
    bool due(std::int64_t acceptedSteps, double searchSeconds) const {
        const double since = searchSeconds - lastSearchSeconds_;
        if (s_.evalEveryAccepted > 0 || s_.evalEverySeconds > 0) {
            return (s_.evalEveryAccepted > 0 &&
                    acceptedSteps - lastAccepted_ >= s_.evalEveryAccepted) ||
                   (s_.evalEverySeconds > 0 && since >= s_.evalEverySeconds);
        }
        // Automatic: evaluation takes at most evalBudget of the time.
        return acceptedSteps > lastAccepted_ &&
               since >= lastCost_ * (1.0 - s_.evalBudget) / s_.evalBudget;
    }

  private:
    const SearchSettings& s_;
    std::int64_t lastAccepted_ = 0;
    double lastSearchSeconds_ = 0, lastCost_ = 0;
};

// A base method's results taken from another experiment file (--base-from), after checking that
// they fit: same model, method, bits, group and calibration length.
struct ReusedBase {
    std::vector<std::int32_t> ids;
    std::int64_t samples = 0;
    std::vector<AwqLayerRecord> awq;
    std::vector<GptqLayerRecord> gptq;
    std::vector<OmniquantLayerRecord> omniquant;
    SearchSettings recorded;  // the source's settings
};

ReusedBase reuseBase(const std::string& path, const SearchSettings& settings,
                     const ModelIdentity& model) {
    if (settings.base == "rtn")
        throw Error(
            "--base-from " + path +
            " reuses AWQ's, GPTQ's or OmniQuant's results, but the search's base is rtn; add "
            "--base awq, --base gptq or --base omniquant");
    const ExperimentFile source = ExperimentFile::open(path, /*writable=*/false);
    const SearchSettings recorded = source.settings();
    const std::string what = "--base-from '" + path + "'";
    if (recorded.base != settings.base)
        throw Error(what + " holds a " + recorded.base + " base, but this search asks for --base " +
                    settings.base);
    if (recorded.quant.bits != settings.quant.bits ||
        recorded.quant.groupSize != settings.quant.groupSize)
        throw Error(what + " was quantized with " + recorded.quant.describe() +
                    ", but this search asks for " + settings.quant.describe());
    if (settings.base == "awq" && recorded.awqPrecision != settings.awqPrecision)
        throw Error(what + " ran AWQ in " + recorded.awqPrecision +
                    ", but this search asks for --awq-precision " + settings.awqPrecision +
                    "; leave --awq-precision out to take the file's");
    const ModelIdentity sourceModel = source.model();
    if (sourceModel.fingerprint != model.fingerprint)
        throw Error(what + " was made for the model at '" + sourceModel.path + "' (fingerprint " +
                    sourceModel.fingerprint + "), not for '" + model.path + "' (fingerprint " +
                    model.fingerprint + ")");
    const CalibrationBatch calibration = source.calibration();
    if (calibration.baseSamples == 0)
        throw Error(what + " holds no calibration of its base method");
    if (calibration.length != settings.calibrationLength)
        throw Error(what + " calibrated on sequences of " + std::to_string(calibration.length) +
                    " tokens, but this search's --calibration-length is " +
                    std::to_string(settings.calibrationLength));
    ReusedBase r{calibration.baseIds, calibration.baseSamples, source.awq(),
                 source.gptq(),       source.omniquant(),      recorded};
    if (settings.base == "awq"         ? r.awq.empty()
        : settings.base == "omniquant" ? r.omniquant.empty()
                                       : r.gptq.empty())
        throw Error(what + " holds no stored " + settings.base +
                    " results (files written before GPTQ weights were stored "
                    "lack them); quantize again with invx quantize");
    return r;
}

std::vector<std::int32_t> evaluationIds(const SearchSettings& s, const BpeTokenizer& tokenizer) {
    if (s.evalData == "none") return {};
    return evaluationTokenIds(s.evalData, tokenizer);
}

std::string tokenizerDirectory(const std::string& modelDir) {
    if (!std::filesystem::exists(std::filesystem::path(modelDir) / "vocab.json"))
        throw Error("model directory '" + modelDir +
                    "' has no tokenizer (vocab.json), which the search needs for "
                    "its calibration and evaluation text");
    return modelDir;
}

class Run {
  public:
    Run(const SearchRunRequest& request, SearchObserver& observer, SearchControl& control)
        : request_(request), observer_(observer), control_(control) {}

    SearchSummary execute() {
        if (!request_.resume)
            createNew();
        else if (!std::filesystem::exists(request_.experimentPath) &&
                 ExperimentFile::hasUnpublished(request_.experimentPath))
            resumeSetUp();
        else
            openExisting();
        if (!engine_) return stoppedWhileSettingUp();
        try {
            return loop();
        } catch (const Error& e) {
            // A run that stops on an error (a full disk among them) keeps what it committed; say
            // where it can go on from.
            if (lastCheckpointStep_ < 0) throw;
            throw Error(
                std::string(e.what()) + "; the file keeps the run up to its checkpoint at step " +
                std::to_string(lastCheckpointStep_) +
                ", from which it resumes (invx search --resume " + request_.experimentPath + ")");
        }
    }

  private:
    SearchSummary stoppedWhileSettingUp() const {
        SearchSummary s;
        s.experimentPath = request_.experimentPath;
        s.stopped = s.stoppedInBaseMethod = true;
        s.seconds = secondsSince(started_);
        return s;
    }

    void createNew() {
        settings_ = request_.settings;
        settings_.validate();
        if (request_.experimentPath.empty())
            throw Error("the search needs an experiment file to write (--out FILE)");
        ExperimentFile::requireNewPath(request_.experimentPath);  // before the slow loading
        const std::string modelDir = resolveModelDirectory(request_.modelPath);
        const BpeTokenizer tokenizer = BpeTokenizer::fromDirectory(tokenizerDirectory(modelDir));
        observer_.onMessage("loading the model from " + modelDir);
        OptModel model = OptModel::load(modelDir, parsePlacement(request_.device, request_.dtype));
        const OptConfig& config = model.config();
        settings_.validateForModel(config.hiddenSize, config.ffnDim, int(config.numLayers));
        snapshotLayers_ = request_.snapshotLayers;
        requireValidSnapshotLayers(int(config.numLayers));
        if (settings_.calibrationLength > config.maxPositions)
            throw Error("search setting 'calibration_length' (" +
                        std::to_string(settings_.calibrationLength) + ") exceeds the model's " +
                        std::to_string(config.maxPositions) + " positions");

        if (settings_.evalData != "none" && settings_.evalWindowLength > config.maxPositions)
            throw Error("search setting 'eval_window' (" +
                        std::to_string(settings_.evalWindowLength) + ") exceeds the model's " +
                        std::to_string(config.maxPositions) + " positions");
        if (!settings_.calibrationIds.empty())  // recorded absolute, like the model
            settings_.calibrationIds =
                std::filesystem::absolute(settings_.calibrationIds).lexically_normal().string();
        CalibrationBatch calibration;
        calibration.corpus = settings_.calibrationCorpus;
        calibration.samples = settings_.calibrationSamples;
        calibration.length = settings_.calibrationLength;
        // Recorded absolute, so that --resume and apply work from any directory.
        const ModelIdentity identity =
            identifyModel(model, std::filesystem::absolute(modelDir).lexically_normal().string());
        std::optional<ReusedBase> reused;
        if (!request_.baseFrom.empty()) {
            reused = reuseBase(request_.baseFrom, settings_, identity);
            settings_.baseCalibrationSamples = int(reused->samples);
            if (settings_.base == "omniquant") {  // the settings that made the reused results
                settings_.omniquantEpochs = reused->recorded.omniquantEpochs;
                settings_.omniquantLetLr = reused->recorded.omniquantLetLr;
                settings_.omniquantLwcLr = reused->recorded.omniquantLwcLr;
                settings_.omniquantLwc = reused->recorded.omniquantLwc;
                settings_.omniquantLet = reused->recorded.omniquantLet;
                settings_.omniquantAlpha = reused->recorded.omniquantAlpha;
            }
        }
        // One draw serves both: the search's batch is the first blocks of the base method's.
        const int baseSamples =
            settings_.base == "rtn" || reused ? 0 : settings_.baseCalibrationSamples;
        const int drawn = std::max(settings_.calibrationSamples, baseSamples);
        const std::vector<std::int32_t> blocks =
            calibrationBlocks(tokenizer, drawn, config.vocabSize);
        if (!settings_.calibrationIds.empty())
            calibration.corpus = "ids:" + settings_.calibrationIds;
        calibration.ids.assign(blocks.begin(),
                               blocks.begin() + std::int64_t(settings_.calibrationSamples) *
                                                    settings_.calibrationLength);
        if (baseSamples > 0) {
            calibration.baseSamples = baseSamples;
            calibration.baseIds.assign(
                blocks.begin(),
                blocks.begin() + std::int64_t(baseSamples) * settings_.calibrationLength);
        } else if (reused) {
            calibration.baseSamples = reused->samples;
            calibration.baseIds = reused->ids;
        }
        evalIds_ = evaluationIds(settings_, tokenizer);

        warnIfTheDiskIsTooSmall(identity);
        file_.emplace(
            ExperimentFile::create(request_.experimentPath, settings_, identity, calibration));
        file_->recordSnapshotLayers(snapshotLayers_);
        observer_.onMessage(
            "quantizing (" + settings_.base + ", " + settings_.quant.describe() +
            (settings_.base == "rtn" ? std::string()
             : reused
                 ? ", reusing the results in " + request_.baseFrom
                 : ", calibrating on " + std::to_string(calibration.baseSamples) + " sequences") +
            ") and measuring the starting point");
        SearchEngine::BaseInputs inputs =
            reused ? baseInputs(calibration, reused->awq, reused->gptq, reused->omniquant)
                   : baseInputs(calibration, {}, {});
        setUpBase(std::move(model), calibration, std::move(inputs),
                  reused ? std::filesystem::absolute(request_.baseFrom).lexically_normal().string()
                         : std::string());
    }

    // A run stopped (or killed) while OmniQuant trained, before its first checkpoint: its file is
    // still FILE.part, with the blocks OmniQuant finished and, when it was stopped, where the
    // block in training stood. The training goes on from there, bit for bit.
    void resumeSetUp() {
        file_.emplace(ExperimentFile::openUnpublished(request_.experimentPath));
        settings_ = file_->settings();
        if (settings_.base != "omniquant")
            throw Error("'" + request_.experimentPath +
                        ".part' is a run stopped while it was being set up, before its first "
                        "checkpoint; only OmniQuant's training goes on from there, and this run's "
                        "base is " +
                        settings_.base + ": remove the file and start the run again");
        if (request_.resumeSteps >= 0) {
            settings_.steps = request_.resumeSteps;
            file_->setTargetSteps(request_.resumeSteps);
        }
        const ModelIdentity recorded = file_->model();
        std::string modelDir;
        OptModel model = loadRecordedModel(recorded, modelDir);
        snapshotLayers_ = file_->snapshotLayers();
        evalIds_ =
            evaluationIds(settings_, BpeTokenizer::fromDirectory(tokenizerDirectory(modelDir)));
        const CalibrationBatch calibration = file_->calibration();
        SearchEngine::BaseInputs inputs = baseInputs(calibration, {}, {});
        inputs.omniquantFinished = file_->omniquant();
        inputs.omniquantInProgress = file_->omniquantTraining();
        if (inputs.omniquantInProgress &&
            inputs.omniquantInProgress->block != std::int64_t(inputs.omniquantFinished.size()))
            inputs.omniquantInProgress.reset();  // a state of a block since finished
        const std::size_t blocks = inputs.omniquantFinished.size();
        observer_.onMessage(
            "OmniQuant goes on from block " + std::to_string(blocks + 1) + " of " +
            std::to_string(recorded.layers) +
            (inputs.omniquantInProgress
                 ? ", epoch " + std::to_string(inputs.omniquantInProgress->epoch + 1)
                 : std::string()));
        setUpBase(std::move(model), calibration, std::move(inputs), std::string());
    }

    // Quantizes with the base method, measures the starting point, records both and publishes
    // the file with its first checkpoint. OmniQuant's blocks are recorded as they finish; a stop
    // during its training leaves the file unpublished with where it stood (engine_ stays empty).
    void setUpBase(OptModel model, const CalibrationBatch& calibration,
                   SearchEngine::BaseInputs inputs, const std::string& reusedFrom) {
        inputs.progress = [this](const std::string& m) { observer_.onMessage(m); };
        inputs.omniquantBlockFinished = [this](int, const OmniquantLayerRecord& r) {
            file_->appendOmniquantLayer(r);
            file_->keepUnpublished();  // from now on a kill or a failure leaves progress to go on
            file_->flush();
        };
        inputs.stopRequested = [this] { return control_.stopRequested(); };
        try {
            engine_.emplace(std::move(model), settings_, calibrationTensor(calibration), inputs);
        } catch (const OmniquantStopped& stopped) {
            file_->writeOmniquantTraining(stopped.state);
            file_->keepUnpublished();
            file_->close();
            observer_.onMessage(std::string(stopped.what()) + "; go on with invx search --resume " +
                                request_.experimentPath);
            return;
        }
        BaseResult base = engine_->base();
        base.reusedFrom = reusedFrom;
        file_->writeBase(base);
        if (!engine_->awqRecords().empty()) file_->writeAwq(engine_->awqRecords());
        if (!engine_->gptqRecords().empty()) file_->writeGptq(engine_->gptqRecords());
        if (!engine_->omniquantRecords().empty())
            file_->writeOmniquant(engine_->omniquantRecords());
        // With its first checkpoint the file can be resumed: it appears at its path (until then a
        // kill leaves nothing to resume, and no file).
        const SearchCheckpoint first = storeCheckpoint();
        file_->publish();
        observer_.onBase(base);
        observer_.onCheckpoint(first);
    }

    // A resume reads and checks everything first (the file, the model, the base method's records,
    // the checkpoint, the engine restored from it) on a read-only handle; only then does it open
    // the file for writing. A refused resume leaves the file as it was, byte for byte.
    void openExisting() {
        if (FileWriteLock::isHeld(request_.experimentPath))
            throw Error("experiment file '" + request_.experimentPath +
                        "' is being written by another run; wait for it to end, or stop it first");
        std::optional<ExperimentFile> reading;
        reading.emplace(ExperimentFile::open(request_.experimentPath, /*writable=*/false));
        const ExperimentFile& file = *reading;
        settings_ = file.settings();
        if (request_.resumeSteps >= 0) settings_.steps = request_.resumeSteps;
        const ModelIdentity recorded = file.model();
        std::string modelDir;
        OptModel model = loadRecordedModel(recorded, modelDir);
        if (file.checkpointCount() == 0)
            throw Error(file.damageNote().empty() ? "experiment file '" + request_.experimentPath +
                                                        "' holds no checkpoint to resume from"
                                                  : file.damageNote() + ": nothing to resume from");
        const SearchCheckpoint checkpoint = file.checkpoint(-1);
        if (const std::string damage = file.damageNote(); !damage.empty())
            observer_.onMessage("note: " + damage);
        if (request_.resumeSteps >= 0 && request_.resumeSteps < checkpoint.step)
            throw Error("--steps " + std::to_string(request_.resumeSteps) + " is below the " +
                        std::to_string(checkpoint.step) + " steps '" + request_.experimentPath +
                        "' has already done; give a larger total");
        // The recorded layers unless others are asked for; those are snapshotted where it resumes.
        snapshotLayers_ =
            request_.snapshotLayers.empty() ? file.snapshotLayers() : request_.snapshotLayers;
        snapshotOnResume_ = !request_.snapshotLayers.empty();
        requireValidSnapshotLayers(int(model.config().numLayers));
        evalIds_ =
            evaluationIds(settings_, BpeTokenizer::fromDirectory(tokenizerDirectory(modelDir)));

        observer_.onMessage("quantizing and restoring the checkpoint at step " +
                            std::to_string(checkpoint.step));
        const CalibrationBatch calibration = file.calibration();
        const std::vector<AwqLayerRecord> awq = file.awq();
        const std::vector<GptqLayerRecord> gptq = file.gptq();
        const std::vector<OmniquantLayerRecord> omniquant = file.omniquant();
        // A file over AWQ, GPTQ or OmniQuant keeps what the base method found; without it the
        // search would start from another model than the one its checkpoints are of.
        if ((settings_.base == "awq" && awq.empty()) ||
            (settings_.base == "gptq" && gptq.empty()) ||
            (settings_.base == "omniquant" && omniquant.empty()))
            throw Error("experiment file '" + request_.experimentPath + "' ran over " +
                        settings_.base + ", but its /base/" + settings_.base +
                        " records are missing, so its checkpoints cannot be rebuilt");
        if (!file.base())
            throw Error("experiment file '" + request_.experimentPath +
                        "' has no /base, the starting point its checkpoints are measured from");
        engine_.emplace(std::move(model), settings_, calibrationTensor(calibration),
                        baseInputs(calibration, awq, gptq, omniquant));
        engine_->restore(checkpoint);

        // Everything holds: from here on the file is written.
        reading.reset();
        file_.emplace(ExperimentFile::open(request_.experimentPath, /*writable=*/true));
        if (request_.resumeSteps >= 0) file_->setTargetSteps(request_.resumeSteps);
        file_->truncateAfter(checkpoint.step);
        elapsedOffset_ = checkpoint.elapsedSeconds;
        resumedFrom_ = checkpoint.step;
        observer_.onBase(engine_->base());
        lastCheckpointStep_ = checkpoint.step;
    }

    // The model a file records, from --model when given, placed as recorded unless --device or
    // --dtype say otherwise; refused when it is not the recorded one. Sets `modelDir`.
    OptModel loadRecordedModel(const ModelIdentity& recorded, std::string& modelDir) {
        modelDir =
            resolveModelDirectory(request_.modelPath.empty() ? recorded.path : request_.modelPath);
        observer_.onMessage("loading the model from " + modelDir);
        OptModel model =
            OptModel::load(modelDir, recordedPlacement(recorded, request_.device, request_.dtype));
        requireSameModel(recorded, identifyModel(model, modelDir), request_.experimentPath);
        return model;
    }

    // `samples` x calibration_length token ids: the first rows of --calibration-ids, or drawn from
    // the corpus.
    std::vector<std::int32_t> calibrationBlocks(const BpeTokenizer& tokenizer, int samples,
                                                std::int64_t vocabulary) {
        if (settings_.calibrationIds.empty()) {
            observer_.onMessage("tokenizing the calibration corpus " + settings_.calibrationCorpus);
            return buildCalibrationBlocks(readCorpusDocuments(settings_.calibrationCorpus),
                                          tokenizer, samples, settings_.calibrationLength,
                                          settings_.calibrationSeed, settings_.calibrationCorpus);
        }
        observer_.onMessage("reading the calibration token ids " + settings_.calibrationIds);
        const TokenIdMatrix m = readTokenIdFile(settings_.calibrationIds, vocabulary);
        const std::string what = "the token ids '" + settings_.calibrationIds + "' [" +
                                 std::to_string(m.rows) + ", " + std::to_string(m.cols) + "]";
        if (m.cols != settings_.calibrationLength)
            throw Error(what + " hold sequences of " + std::to_string(m.cols) +
                        " tokens, but --calibration-length is " +
                        std::to_string(settings_.calibrationLength) +
                        "; pass --calibration-length " + std::to_string(m.cols));
        if (m.rows < samples)
            throw Error(what + " hold " + std::to_string(m.rows) + " sequences, but " +
                        std::to_string(samples) +
                        " are needed (--calibration-samples, and --base-calibration-samples for "
                        "awq/gptq/omniquant)");
        return std::vector<std::int32_t>(m.ids.begin(),
                                         m.ids.begin() + std::int64_t(samples) * m.cols);
    }

    // What the file will take at the end of the run, roughly: every checkpoint's state, every
    // step's row, the snapshots. A disk with less free is named before the run begins, so that a
    // long run does not end on a full disk unannounced.
    void warnIfTheDiskIsTooSmall(const ModelIdentity& model) {
        const double layers = double(model.layers), ffn = double(model.ffn),
                     hidden = double(model.hidden);
        const double checkpoint = layers * ffn * (4 + 4 + 2) + 4096;
        const double checkpoints =
            double(settings_.steps) / double(settings_.checkpointEverySteps) + 2;
        const double snapshot = 2 * (3 * ffn * hidden * 4) + 4096;
        const double needed = checkpoint * checkpoints + 64.0 * double(settings_.steps) +
                              snapshot * 2 * double(snapshotLayers_.size()) + (1 << 20);
        std::error_code error;
        const auto folder = std::filesystem::absolute(request_.experimentPath).parent_path();
        const auto space = std::filesystem::space(folder, error);
        if (!error && double(space.available) < needed)
            observer_.onMessage("warning: the experiment file may need about " + mebibytes(needed) +
                                ", but '" + folder.string() + "' has " +
                                mebibytes(double(space.available)) +
                                " free; a full disk stops the run at its last checkpoint");
    }

    static std::string mebibytes(double bytes) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / (1024.0 * 1024.0));
        return buf;
    }

    void requireValidSnapshotLayers(int layers) const {
        for (int l : snapshotLayers_)
            if (l < 0 || l >= layers)
                throw Error("--snapshot-layers names layer " + std::to_string(l) +
                            ", but the model has layers 0 to " + std::to_string(layers - 1));
    }

    double elapsed() const { return elapsedOffset_ + secondsSince(started_); }

    SearchCheckpoint storeCheckpoint() {
        SearchCheckpoint c = engine_->checkpoint();
        c.elapsedSeconds = elapsed();
        if (steps_) steps_->flush();  // the steps up to the checkpoint are on disk first
        file_->appendCheckpoint(c);
        file_->flush();
        lastCheckpointStep_ = c.step;
        lastCheckpointTime_ = Clock::now();
        return c;
    }
    void writeCheckpoint() { observer_.onCheckpoint(storeCheckpoint()); }

    void evaluate() {
        if (evalIds_.empty()) return;
        observer_.onMessage("evaluating perplexity");
        observer_.onEvaluationStart(engine_->stepsDone());
        PerplexityOptions options;
        options.maxWindows = settings_.evalWindows;
        options.windowLength = settings_.evalWindowLength;
        const PerplexityResult r = evaluatePerplexity(engine_->model(), evalIds_, options);
        EvaluationRecord e;
        e.step = engine_->stepsDone();
        e.acceptedSteps = engine_->acceptedSteps();
        e.perplexity = r.ppl;
        e.windows = r.windows;
        e.windowsAvailable = r.windowsAvailable;
        e.seconds = r.seconds;
        e.elapsedSeconds = elapsed();
        file_->appendEvaluation(e);
        file_->flush();
        evalSeconds_ += r.seconds;
        schedule_.evaluated(e.acceptedSteps, searchSeconds(), r.seconds);
        observer_.onEvaluation(e);
    }
    double searchSeconds() const { return elapsed() - evalSecondsTotal(); }
    double evalSecondsTotal() const { return evalSeconds_ + evalSecondsBefore_; }

    // Once per layer and step: a run killed after its snapshots and resumed does not repeat them.
    void snapshotOnce(int layer) {
        if (!file_->hasSnapshot(engine_->stepsDone(), layer)) snapshot(layer);
    }
    void snapshot(int layer) {
        const LayerSnapshot s = engine_->snapshot(layer);
        file_->appendSnapshot(s);
        file_->flush();
        observer_.onSnapshot(s);
    }

    SearchSummary loop() {
        started_ = Clock::now();
        lastCheckpointTime_ = started_;
        if (request_.resume) {
            // Evaluation time already spent counts against the budget of the resumed run too.
            const auto evals = file_->evaluations();
            for (const auto& e : evals) evalSecondsBefore_ += e.seconds;
            if (!evals.empty())
                schedule_.evaluated(evals.back().acceptedSteps, searchSeconds(),
                                    evals.back().seconds);
        }
        file_->setStatus("running");
        steps_.emplace(*file_);
        if (engine_->stepsDone() == 0 && file_->evaluations().empty()) {
            evaluate();
        } else if (request_.resume && engine_->stepsDone() < settings_.steps) {
            // An evaluation follows the checkpoint of its step: a run killed between the two
            // resumes from that checkpoint and owes the evaluation the schedule had made due.
            const auto evals = file_->evaluations();
            if ((evals.empty() || evals.back().step != engine_->stepsDone()) &&
                schedule_.due(engine_->acceptedSteps(), searchSeconds()))
                evaluate();
        }
        if (engine_->stepsDone() == 0 || snapshotOnResume_)
            for (int layer : snapshotLayers_) snapshotOnce(layer);

        bool stopped = false;
        while (engine_->stepsDone() < settings_.steps) {
            control_.waitWhilePaused();
            if (control_.stopRequested()) {
                stopped = true;
                break;
            }
            StepRecord r = engine_->step();
            r.elapsedSeconds = elapsed();
            steps_->add(r);
            observer_.onStep(r);
            for (int layer : control_.takeSnapshotRequests()) snapshot(layer);
            if (engine_->stepsDone() - lastCheckpointStep_ >= settings_.checkpointEverySteps ||
                secondsSince(lastCheckpointTime_) >= settings_.checkpointEverySeconds)
                writeCheckpoint();
            if (engine_->stepsDone() < settings_.steps &&
                schedule_.due(engine_->acceptedSteps(), searchSeconds()))
                evaluate();
        }
        steps_->flush();
        if (lastCheckpointStep_ != engine_->stepsDone()) writeCheckpoint();
        if (!stopped) {
            const auto evals = file_->evaluations();
            if (evals.empty() || evals.back().step != engine_->stepsDone()) evaluate();
            for (int layer : snapshotLayers_) snapshotOnce(layer);
        }
        file_->setStatus(stopped ? "stopped" : "finished");
        file_->flush();

        SearchSummary s;
        s.experimentPath = request_.experimentPath;
        s.base = engine_->base();
        s.steps = engine_->stepsDone();
        s.acceptedSteps = engine_->acceptedSteps();
        s.resumedFromStep = resumedFrom_;
        s.bestLoss = engine_->bestLoss();
        std::tie(s.finalCe, s.finalMse) = engine_->measureCurrent();
        s.stopped = stopped;
        const auto evals = file_->evaluations();
        if (!evals.empty()) {
            s.haveEvaluations = true;
            s.first = evals.front();
            s.last = evals.back();
        }
        s.seconds = elapsed();
        // What HDF5 still holds reaches the disk now: a run is finished only once its file is.
        steps_.reset();
        file_->close();
        return s;
    }

    const SearchRunRequest& request_;
    SearchObserver& observer_;
    SearchControl& control_;
    SearchSettings settings_;
    std::optional<ExperimentFile> file_;
    std::vector<int> snapshotLayers_;  // at the start and the end
    bool snapshotOnResume_ = false;
    std::optional<SearchEngine> engine_;
    std::optional<StepWriter> steps_;
    std::vector<std::int32_t> evalIds_;
    EvaluationSchedule schedule_{settings_};
    Clock::time_point started_ = Clock::now(), lastCheckpointTime_ = Clock::now();
    double elapsedOffset_ = 0, evalSeconds_ = 0, evalSecondsBefore_ = 0;
    std::int64_t lastCheckpointStep_ = -1, resumedFrom_ = -1;
};

}  // namespace

SearchSummary runSearch(const SearchRunRequest& request, SearchObserver& observer,
                        SearchControl& control) {
    Run run(request, observer, control);
    return run.execute();
}

}  // namespace invx
