#pragma once
// A study (an ablation): a grid of variants over settings (e.g. invariances {P, S, R, PSR} x seed
// {0, 1, 2}) around one base setting, each run in its own experiment file in one folder, saved as
// <folder>/ablation.json. The workbench's queue runs it on this machine; `invx study` runs it on
// this machine's GPUs or submits it to a Slurm cluster (slurm-study.h), whose job ids the file
// keeps. Torch-free and Qt-free: the CLI and the widgets read and write the same file.
#include <optional>
#include <string>
#include <vector>

#include "invx/search-settings.h"

namespace invx {

struct StudyAxis {
    std::string key;                  // a setting's experiment-file key ("invariances", "seed")
    std::vector<std::string> values;  // as the setting's text ("P", "PSR"; "0", "1")
};

// What a study measures once its variants are done: nothing more, or each variant (and its base
// method) on WikiText-2, C4 and the six tasks as `invx table --evaluate` does, on the whole data or
// on the first 40 windows and 100 items (quick; the table marks such values *).
enum class StudyEvaluation { None, Whole, Quick };
constexpr int kQuickStudyWindows = 40;  // WikiText-2 and C4 windows of a quick evaluation
constexpr int kQuickStudyItems = 100;   // items of each task of a quick evaluation

struct PlannedVariant {
    SearchSettings settings;
    std::vector<std::string> values;  // one per axis
    std::string path;                 // its experiment file (absolute, or as the folder was given)
    std::string state;  // "pending", "running", "finished", "stopped", or "failed: <sentence>"
};

// Where a study runs on a Slurm cluster, as `invx study submit --slurm` and the study dialog take
// it (the dialog keeps the last ones in QSettings).
struct SlurmOptions {
    std::string partition;                // --partition; "" for the cluster's default
    std::string account;                  // --account
    std::string timeLimit;                // --time, Slurm's format ("4:00:00", "1-00:00:00")
    int gpusPerTask = 0;                  // --gpus-per-task; 0 asks for none
    int cpusPerTask = 0;                  // --cpus-per-task; 0 leaves it to the cluster
    std::vector<std::string> extraLines;  // further "#SBATCH ..." lines, written as given
};

// What was submitted: the jobs' ids as sbatch --parsable printed them, and the array task that
// runs each variant now ("1234_2"; a resubmission replaces it).
struct SlurmSubmission {
    SlurmOptions options;
    std::string checkJob, baseJob;
    std::vector<std::string> searchJobs, evaluationJobs;  // per variant; "" when not submitted
    std::string submittedAt;                              // ISO 8601, UTC
};

class StudyPlan {
  public:
    static constexpr const char* kFileName = "ablation.json";

    // The grid's variants, first axis slowest. A variant that an axis gives 0 matched layers runs
    // without the MSE term (alpha 0), unless alpha is an axis too. Throws invx::Error naming the
    // axis and value when a value is not valid for its setting, or an axis names no setting.
    static StudyPlan create(const SearchSettings& base, const std::vector<StudyAxis>& axes,
                            const std::string& folder, const std::string& modelPath,
                            const std::string& device, const std::string& dtype);
    // Throws invx::Error naming the file when it cannot be read or is not a study.
    static StudyPlan load(const std::string& file);
    // Writes <folder>/ablation.json (atomically). Throws invx::Error naming the file on failure.
    void save() const;
    std::string file() const;

    const std::string& folder() const { return folder_; }
    const std::string& modelPath() const { return modelPath_; }
    const std::string& device() const { return device_; }
    const std::string& dtype() const { return dtype_; }
    const SearchSettings& baseSettings() const { return base_; }
    const std::vector<StudyAxis>& axes() const { return axes_; }
    // A study preset's id (the workbench's study presets), "" for a grid of one's own.
    const std::string& study() const { return study_; }
    void setStudy(const std::string& id) { study_ = id; }
    StudyEvaluation evaluation() const { return evaluation_; }
    void setEvaluation(StudyEvaluation e) { evaluation_ = e; }
    // A quick evaluation's windows per perplexity and items per task (kQuickStudyWindows and
    // kQuickStudyItems unless the study says otherwise).
    int quickWindows() const { return quickWindows_; }
    int quickItems() const { return quickItems_; }
    void setQuickScope(int windows, int items) { quickWindows_ = windows, quickItems_ = items; }
    std::vector<PlannedVariant>& variants() { return variants_; }
    const std::vector<PlannedVariant>& variants() const { return variants_; }
    const std::optional<SlurmSubmission>& slurm() const { return slurm_; }
    void setSlurm(const std::optional<SlurmSubmission>& s) { slurm_ = s; }

    // The first variant not yet finished or failed; -1 when all are.
    int nextVariant() const;
    bool done() const { return nextVariant() < 0; }
    // The earlier variant whose file holds the base quantization `variant` starts from (same
    // base method, bits, group and calibration; see baseQuantizationKey), finished or stopped with
    // its file written: the search reuses its AWQ, GPTQ or OmniQuant results (--base-from) instead
    // of calibrating again. -1 when there is none, or the base is RTN (nothing to calibrate).
    int baseSource(int variant) const;
    // The shared base quantizations of the grid, one per distinct baseQuantizationKey (RTN has
    // none): the first variant needing each, in the queue's order.
    std::vector<int> distinctBases() const;
    // Where the separately computed base quantization of `variant` lives (`invx quantize`'s file
    // for a study run by `invx study`): <folder>/base-<n>.h5, n counting distinctBases from 1; ""
    // for RTN.
    std::string baseFile(int variant) const;

  private:
    std::string folder_, modelPath_, device_, dtype_, study_;
    StudyEvaluation evaluation_ = StudyEvaluation::None;
    int quickWindows_ = kQuickStudyWindows, quickItems_ = kQuickStudyItems;
    SearchSettings base_;
    std::vector<StudyAxis> axes_;
    std::vector<PlannedVariant> variants_;
    std::optional<SlurmSubmission> slurm_;
};

// What decides the base-quantized model within one study (the model, device and dtype are the
// study's): the method, bits, group, AWQ's precision, OmniQuant's training settings and the base
// method's calibration (its sequences, their corpus or token ids, length and shuffle seed). "" for
// RTN, which calibrates nothing. The search's seed, invariances, steps and the search's own
// calibration size do not enter: the search's batch is the first rows of the base method's.
std::string baseQuantizationKey(const SearchSettings& settings);

std::string studyEvaluationName(StudyEvaluation e);  // none | whole | quick
// Throws invx::Error for another name.
StudyEvaluation parseStudyEvaluation(const std::string& name);

}  // namespace invx
