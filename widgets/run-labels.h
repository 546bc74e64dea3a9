#pragma once
// Names for runs that a reader of the figure understands: what distinguishes a run among the runs
// shown, in the paper's words ("AWQ + P+S+R", "3-bit", "seed 1", "OPT-13B"), from the settings that
// matter to the result alone (evaluation and checkpoint timing never do), at most kMaxLabelLength
// characters. The full settings go to a tooltip (settingsToolTip), from the one setting table.
#include <QString>
#include <QStringList>
#include <string>
#include <vector>

#include "invx/search-records.h"
#include "invx/search-settings.h"

namespace invx::gui {

constexpr int kMaxLabelLength = 30;

// The model as a paper names it: "OPT-125M" from .../opt-125m, "OPT-13B" from a Hugging Face
// cache path (models--facebook--opt-13b/snapshots/...), "OPT-demo" for the bundled demo model; from
// its size when the path says nothing ("125M-parameter model").
QString modelName(const ModelIdentity& model);

// Whether the setting with this experiment-file key changes what the search gives (its method,
// bits, invariances, calibration, ...; awq_precision only over AWQ, gptq_candidates only over GPTQ,
// the base method's calibration only over AWQ and GPTQ). Evaluation, checkpoints and the fast or
// reference mode never do.
bool settingMatters(const std::string& key, const SearchSettings& settings);

// `settings` with every setting that does not matter to the result at its default: runs that are
// the same experiment compare equal.
SearchSettings resultSettings(const SearchSettings& settings);

// resultSettings, keeping what the runs' perplexities were measured on (evaluation data, windows
// and their length): runs that compare equal here are one experiment measured alike, the seeds of
// one group.
SearchSettings comparedSettings(const SearchSettings& settings);

// The keys (experiment-file keys, and "model") that matter and differ between the runs, in label
// order, then the evaluation settings that differ (a perplexity measured otherwise is not
// comparable); those in `ignore` are left out. `models` may be empty (then the model is never one).
QStringList distinguishingKeys(const std::vector<SearchSettings>& runs,
                               const std::vector<ModelIdentity>& models = {},
                               const QStringList& ignore = {});

// A label per run naming what distinguishes it among `runs` ("P only" against "P+S+R"; "AWQ + P"
// against "RTN + P"; "seed 0"), joined by ", ", shortened to kMaxLabelLength characters (compact
// words first, "…" last). Runs alike in everything that matters get the run's method ("RTN +
// P+S+R") and a numeric suffix: "RTN + P+S+R (1)", "RTN + P+S+R (2)".
QStringList differenceLabels(const std::vector<SearchSettings>& runs,
                             const std::vector<ModelIdentity>& models = {},
                             const QStringList& ignore = {});

// Runs over the same base method, from the same model, measured alike, share their step 0.
std::string baselineKey(const SearchSettings& settings, const ModelIdentity& model);
// A label per base method (a run over it stands for it): "RTN" against "AWQ", "RTN, 3-bit", ...
QStringList baselineLabels(const std::vector<SearchSettings>& runs,
                           const std::vector<ModelIdentity>& models = {});

// A column title for a distinguishing key: the setting table's label ("Invariances"), or "Model".
QString settingTitle(const QString& key);
// The value of a distinguishing key for a table cell: "P+S+R", "AWQ", "OPT-13B", "1".
QString settingText(const QString& key, const SearchSettings& settings, const ModelIdentity& model);

// Every setting of the run (from the setting table, by section), its model and its file, as rich
// text for a tooltip; `title` (the label) heads it.
QString settingsToolTip(const QString& title, const SearchSettings& settings,
                        const ModelIdentity& model, const QString& path = {});

}  // namespace invx::gui
