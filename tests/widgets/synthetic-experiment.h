#pragma once
// Experiment files with known contents for the widget tests, written through the core's own
// ExperimentFile (no model, no libtorch): steps whose values follow simple formulas, so tests can
// compute what the views must show.
#include <QString>
#include <cstdint>

#include "invx/search-records.h"
#include "invx/search-settings.h"

namespace invx::test {

struct SyntheticRun {
    SearchSettings settings;
    std::int64_t steps = 100;
    int layers = 3;
    double perplexityStart =
        300;  // evaluations at 0, steps/2 and steps: start, start-10, start-20 (+ seed)
    QString status = QStringLiteral("finished");
    int checkpoints = 0;  // at steps * (k + 1) / checkpoints, k = 0, 1, ... (see checkpointState)
    bool lastCheckpoint =
        false;  // without `checkpoints`: one checkpoint (identity invariances) at the last step
};

// Layer `layer`'s invariance state at checkpoint k of a synthetic run (FFN width 16): position i
// holds neuron (i + (k + 1) * (layer + 1)) % 16, neuron n has scale 2^((n % 4) - 1.5), pair j has
// angle 0.01 * (j + 1) * (k + 1).
LayerInvariance checkpointState(int checkpoint, int layer);

// Step i (1-based): layer (i-1) % layers; accepted when i % 3 == 0; loss 1.1 - 0.001 i on accepted
// steps (1.2 on rejected ones); ce = 8 - 0.002 i; mse = 2 + 0.01 (i % 7).
void writeSyntheticExperiment(const QString& path, const SyntheticRun& run);

}  // namespace invx::test
