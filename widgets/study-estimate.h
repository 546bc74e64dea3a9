#pragma once
// How long a study will take, from what this machine has measured: the search speed of runs
// already made of the same model on the same device (their files record each step's search time).
// Without such a run there is no estimate: the time is said to be unknown, never guessed.
#include <QString>
#include <cstdint>
#include <optional>
#include <vector>

#include "invx/search-settings.h"

namespace invx::gui {

struct RunData;

// A finished or stopped run's measured pace: its steps and the search time they took.
struct RunPace {
    QString modelPath;  // the model's directory as the file records it
    QString device;     // "cpu", "cuda"
    std::int64_t steps = 0;
    double seconds = 0;  // search time of those steps (evaluations during the search included)
};

// The pace of `run` (steps and the last step's search time); nothing for a run without steps.
std::optional<RunPace> paceOf(const RunData& run);

struct MeasuredSpeed {
    double stepsPerSecond = 0;  // all their steps over all their seconds
    int runs = 0;               // runs measured
    QString device;
};

// The speed of the runs of `modelPath` on `device` among `paces` (paths compared as canonical
// paths); nothing when none is of them.
std::optional<MeasuredSpeed> measuredSpeed(const std::vector<RunPace>& paces,
                                           const QString& modelPath, const QString& device);

struct StudyEstimate {
    int runs = 0;
    std::int64_t steps = 0;         // every variant's step budget, summed
    std::optional<double> seconds;  // steps at the measured speed; none without a speed
};

StudyEstimate estimateStudy(const std::vector<SearchSettings>& variants,
                            const std::optional<MeasuredSpeed>& speed);

// "2 h 05 min", "12 min", "40 s".
QString durationText(double seconds);
// "8 runs, 16,000 steps, about 1 h 20 min (3.33 steps/s, measured on 4 runs of this model on
// cpu; loading, the base method and evaluations come on top)" or "..., time unknown until the
// first run".
QString estimateText(const StudyEstimate& estimate, const std::optional<MeasuredSpeed>& speed);

}  // namespace invx::gui
