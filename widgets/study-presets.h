#pragma once
// The paper's analyses as ablation presets (its Section 4.2), on whatever model the form names:
// the invariances alone and together over AWQ (Table 2), bits x group size (Table 3), the layers
// matched by the MSE term (Table 4) and the calibration sequences (Figure 1). Data, not dialog
// code: the ablation dialog lists them and the tests read them.
#include <QString>
#include <optional>
#include <utility>
#include <vector>

#include "ablation-plan.h"
#include "invx/search-settings.h"

namespace invx::gui {

// A setting a study fixes for all of its variants: an experiment-file key and its text.
using FixedSetting = std::pair<QString, QString>;

struct StudyPreset {
    QString id;             // "invariances", "bits-group", "matched-layers", "calibration"
    const char* name;       // for the dialog (translated in context "invx::gui::StudyPresets")
    const char* paperPart;  // what it reproduces: "Table 2"
    std::vector<FixedSetting> fixed;  // set on the form's settings: base awq, as the paper
    std::vector<AblationAxis> axes;   // the variants, without the seed axis
};

const std::vector<StudyPreset>& studyPresets();
// How an ablation is set up beyond its axes: the preset it came from, the settings it fixes and
// the evaluation at its end.
struct StudyOptions {
    QString study;                    // a preset's id, "" for a grid of one's own
    std::vector<FixedSetting> fixed;  // applied to the form's settings before the grid
    AblationEvaluation evaluation = AblationEvaluation::None;
    // Where it runs: in the window, one variant after another (parallel 1, no cluster); on this
    // machine `parallel` variants at once (invx study run, on `gpus` where given: "0,1"); or on a
    // Slurm cluster (invx study submit --slurm).
    int parallel = 1;
    QString gpus;
    std::optional<SlurmOptions> slurm;
};

// nullptr when no preset has this id.
const StudyPreset* findStudyPreset(const QString& id);

// The seed axis of `seeds` runs per variant ("0", "1", ...); none for one seed, so that the form's
// seed stays.
std::vector<AblationAxis> seedAxis(int seeds);

// `settings` with the fixed settings set. Throws invx::Error with the setting table's sentence
// when a value is not valid for its setting.
void applyFixedSettings(SearchSettings& settings, const std::vector<FixedSetting>& fixed);

}  // namespace invx::gui
