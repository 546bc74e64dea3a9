#pragma once
// One search run as the workbench draws it: its settings, identity and every step and evaluation,
// column by column. Filled from an experiment file (run-loader.h) or live from the search worker.
// Never thinned: plots downsample for display only.
#include <QString>
#include <cstdint>
#include <optional>
#include <vector>

#include "invx/search-records.h"
#include "invx/search-settings.h"

namespace invx::gui {

struct RunData {
    QString path;    // the experiment file
    QString status;  // created | running | stopped | finished (as recorded), or "live"
    SearchSettings settings;
    ModelIdentity model;
    std::optional<BaseResult> base;

    // One entry per step, in step order.
    std::vector<double> step, seconds, loss, ce, mse, acceptance, recentAcceptance;
    std::vector<int> layer;
    std::vector<std::uint8_t> accepted;
    // The accepted state after each step (the model the search holds): the candidate's values when
    // the step was accepted, else the previous state's; before any acceptance, the base's.
    std::vector<double> stateLoss, stateCe, stateMse;
    std::vector<EvaluationRecord> evaluations;
    std::vector<std::int64_t> checkpointSteps;  // the step of each checkpoint in the file
    // Set when the file's last checkpoints are damaged and read as not written (said once, when
    // the run is opened).
    QString damageNote;

    // The index of the checkpoint nearest to `step` (-1 when there is none).
    std::int64_t nearestCheckpoint(double step) const;

    void append(const StepRecord& r);
    // Drops the steps and evaluations from `step` on (a resumed run recomputes them).
    void truncateFrom(std::int64_t step);
    std::size_t stepCount() const { return step.size(); }

    // Summary numbers for tables; NaN where there is nothing to summarise.
    double bestLoss() const;
    double bestPerplexity() const;
    double finalPerplexity() const;
    double acceptanceRate() const;  // accepted / steps
    double searchSeconds() const;
    // Accepted / proposed per decoder layer (size: the model's layers, or the largest layer seen +
    // 1).
    std::vector<double> acceptancePerLayer() const;
};

}  // namespace invx::gui
