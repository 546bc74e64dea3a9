#include "synthetic-experiment.h"

#include <cmath>
#include <vector>

#include "invx/experiment-file.h"

namespace invx::test {

LayerInvariance checkpointState(int checkpoint, int layer) {
    LayerInvariance state = LayerInvariance::identity(16);
    for (std::int64_t i = 0; i < 16; ++i) {
        state.permutation[std::size_t(i)] = (i + (checkpoint + 1) * (layer + 1)) % 16;
        state.scales[std::size_t(i)] = float(std::exp2(double(i % 4) - 1.5));
    }
    for (std::size_t j = 0; j < state.angles.size(); ++j)
        state.angles[j] = 0.01f * float(j + 1) * float(checkpoint + 1);
    return state;
}

void writeSyntheticExperiment(const QString& path, const SyntheticRun& run) {
    ModelIdentity model;
    model.path = "synthetic";
    model.configJson = "{}";
    model.fingerprint = "0";
    model.layers = run.layers;
    model.hidden = 8;
    model.ffn = 16;
    model.device = "cpu";
    model.dtype = "float32";
    CalibrationBatch calibration;
    calibration.corpus = "synthetic";
    calibration.samples = 1;
    calibration.length = 4;
    calibration.ids = {2, 3, 4, 5};
    ExperimentFile file =
        ExperimentFile::create(path.toStdString(), run.settings, model, calibration);
    BaseResult base;
    base.method = run.settings.base;
    base.ce0 = 8.1;
    base.mse0 = 2.5;
    base.fullPrecisionCe = 7;
    file.writeBase(base);
    file.publish();
    std::vector<StepRecord> steps;
    std::int64_t accepted = 0;
    for (std::int64_t i = 1; i <= run.steps; ++i) {
        StepRecord r;
        r.step = i;
        r.layer = int((i - 1) % run.layers);
        r.accepted = i % 3 == 0;
        accepted += r.accepted;
        r.loss = r.accepted ? 1.1 - 0.001 * double(i) : 1.2;
        r.ce = 8 - 0.002 * double(i);
        r.mse = 2 + 0.01 * double(i % 7);
        r.acceptanceRate = double(accepted) / double(i);
        r.recentAcceptanceRate = r.acceptanceRate;
        r.elapsedSeconds = 0.5 * double(i);
        steps.push_back(r);
    }
    file.appendSteps(steps);
    const double offset = double(run.settings.seed);
    for (std::int64_t k = 0; k < 3; ++k) {
        EvaluationRecord e;
        e.step = run.steps * k / 2;
        e.perplexity = run.perplexityStart - 10.0 * double(k) + offset;
        e.windows = e.windowsAvailable = 4;
        e.elapsedSeconds = 0.5 * double(e.step);
        file.appendEvaluation(e);
    }
    for (int k = 0; k < run.checkpoints; ++k) {
        SearchCheckpoint c;
        c.step = run.steps * (k + 1) / run.checkpoints;
        c.acceptedSteps = c.step / 3;
        // Any generator state but all-zero, which xoshiro never reaches (the file refuses it).
        c.rng = {1, 2, 3, std::uint64_t(k + 1)};
        for (int l = 0; l < run.layers; ++l) c.layers.push_back(checkpointState(k, l));
        file.appendCheckpoint(c);
    }
    if (run.lastCheckpoint && run.checkpoints == 0) {
        SearchCheckpoint c;
        c.step = run.steps;
        c.rng = {1, 2, 3, 4};
        for (int l = 0; l < run.layers; ++l)
            c.layers.push_back(LayerInvariance::identity(model.ffn));
        file.appendCheckpoint(c);
    }
    file.setStatus(run.status.toStdString());
    file.flush();
}

}  // namespace invx::test
