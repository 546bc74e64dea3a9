#pragma once
// An ablation: a grid of variants over settings (e.g. invariances {P, S, R, PSR} x seed {0, 1, 2})
// around one base setting, each run in its own experiment file in one folder. The queue is saved
// as <folder>/ablation.json after every change of state, so that a restarted workbench carries on:
// finished variants stay, an interrupted one resumes from its file, pending ones start. This is
// the core's StudyPlan (invx/study-plan.h: the grid, the file, the base sources) in Qt's types.
#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

#include "invx/search-settings.h"
#include "invx/study-plan.h"

namespace invx::gui {

struct RunData;

struct AblationAxis {
    QString key;         // a setting's experiment-file key ("invariances", "seed")
    QStringList values;  // as the setting's text ("P", "PSR"; "0", "1")
};

// What an ablation measures once its variants are done (invx/study-plan.h).
using AblationEvaluation = StudyEvaluation;

struct AblationVariant {
    SearchSettings settings;
    QStringList values;  // one per axis
    QString path;        // its experiment file
    QString state;       // "pending", "running", "finished", "stopped", or "failed: <sentence>"
};

class AblationPlan {
  public:
    static constexpr const char* kFileName = StudyPlan::kFileName;

    // The grid's variants, first axis slowest. A variant that an axis gives 0 matched layers runs
    // without the MSE term (alpha 0), unless alpha is an axis too. Throws invx::Error naming the
    // axis and value when a value is not valid for its setting, or an axis names no setting.
    static AblationPlan create(const SearchSettings& base, const std::vector<AblationAxis>& axes,
                               const QString& folder, const QString& modelPath,
                               const QString& device, const QString& dtype);
    // Throws invx::Error naming the file when it cannot be read or is not an ablation.
    static AblationPlan load(const QString& file);
    // Writes <folder>/ablation.json (atomically). Throws invx::Error naming the file on failure.
    void save() const;
    QString file() const;

    const QString& folder() const { return folder_; }
    const QString& modelPath() const { return modelPath_; }
    const QString& device() const { return device_; }
    const QString& dtype() const { return dtype_; }
    const std::vector<AblationAxis>& axes() const { return axes_; }
    // A study preset's id (study-presets.h), "" for a grid of one's own.
    const QString& study() const { return study_; }
    void setStudy(const QString& id) { study_ = id; }
    AblationEvaluation evaluation() const { return evaluation_; }
    void setEvaluation(AblationEvaluation e) { evaluation_ = e; }
    int quickWindows() const { return quickWindows_; }  // StudyPlan's
    int quickItems() const { return quickItems_; }
    std::vector<AblationVariant>& variants() { return variants_; }
    const std::vector<AblationVariant>& variants() const { return variants_; }
    // The first variant not yet finished or failed; -1 when all are.
    int nextVariant() const;
    bool done() const { return nextVariant() < 0; }
    // The earlier variant whose file holds the base quantization `variant` starts from (same
    // base method, bits, group and calibration; see baseQuantizationKey), finished or stopped
    // with its file written:
    // the search reuses its AWQ or GPTQ results (--base-from) instead of calibrating again. -1 when
    // there is none, or the base is RTN (which has nothing to calibrate).
    int baseSource(int variant) const;
    // Where the study was submitted to a Slurm cluster (invx study submit, or the study dialog's
    // "Run on"), with its jobs; nothing for a study run on this machine.
    const std::optional<SlurmSubmission>& slurm() const { return slurm_; }
    void setSlurm(const std::optional<SlurmSubmission>& s) { slurm_ = s; }
    // The core's plan of the same study, and back.
    StudyPlan toStudyPlan() const;
    static AblationPlan fromStudyPlan(const StudyPlan& plan);

  private:
    QString folder_, modelPath_, device_, dtype_, study_;
    AblationEvaluation evaluation_ = AblationEvaluation::None;
    int quickWindows_ = kQuickStudyWindows, quickItems_ = kQuickStudyItems;
    SearchSettings base_;
    std::vector<AblationAxis> axes_;
    std::vector<AblationVariant> variants_;
    std::optional<SlurmSubmission> slurm_;
};

// One row of the ablation's result: the variants that share every axis value except the seed's,
// with the mean and sample standard deviation over their seeds.
struct AblationSummaryRow {
    QStringList values;  // the non-seed axes' values
    int runs = 0;
    double finalPerplexityMean = 0, finalPerplexityStd = 0;
    double bestPerplexityMean = 0, bestPerplexityStd = 0;
    double bestLossMean = 0, bestLossStd = 0;
};

// `results[i]` is variant i's data, or nullptr when it has none (not run, or unreadable).
std::vector<AblationSummaryRow> summarizeAblation(const AblationPlan& plan,
                                                  const std::vector<const RunData*>& results);
// The header of the summary's value columns: the non-seed axes' keys.
QStringList summaryAxisKeys(const AblationPlan& plan);

}  // namespace invx::gui
