#include "file-layer-inspection.h"

#include "invx/error.h"
#include "invx/experiment-file.h"

namespace invx::gui {

LayerInspection inspectFromFile(const QString& experiment, std::int64_t checkpoint, int layer,
                                const QString& reason) {
    const ExperimentFile file = ExperimentFile::open(experiment.toStdString(), false);
    LayerInspection out;
    out.experiment = experiment;
    out.checkpointCount = file.checkpointCount();
    if (out.checkpointCount == 0)
        throw Error("experiment '" + experiment.toStdString() + "' has no checkpoint to inspect");
    out.checkpoint = checkpoint < 0 ? out.checkpointCount - 1 : checkpoint;
    if (out.checkpoint >= out.checkpointCount)
        throw Error("experiment '" + experiment.toStdString() + "' has " +
                    std::to_string(out.checkpointCount) + " checkpoints, not checkpoint " +
                    std::to_string(out.checkpoint));
    const SearchCheckpoint state = file.checkpoint(out.checkpoint);
    if (layer < 0 || std::size_t(layer) >= state.layers.size())
        throw Error("experiment '" + experiment.toStdString() + "' has layers 0 to " +
                    std::to_string(int(state.layers.size()) - 1) + ", not layer " +
                    std::to_string(layer));
    out.now.step = state.step;
    out.now.layer = layer;
    out.now.invariance = state.layers[std::size_t(layer)];
    out.start.layer = layer;
    out.start.invariance =
        LayerInvariance::identity(std::int64_t(out.now.invariance.permutation.size()));
    // As the core counts them: a position changed at a checkpoint when its neuron differs from
    // the one it held at the previous checkpoint (the identity before the first).
    const std::vector<std::vector<std::int64_t>> history = file.permutationHistory(layer);
    std::vector<std::int64_t> previous = out.start.invariance.permutation;
    out.positionChanges.assign(previous.size(), 0.0);
    for (std::int64_t c = 0; c <= out.checkpoint && std::size_t(c) < history.size(); ++c) {
        const std::vector<std::int64_t>& now = history[std::size_t(c)];
        for (std::size_t i = 0; i < now.size() && i < previous.size(); ++i)
            out.positionChanges[i] += now[i] != previous[i] ? 1.0 : 0.0;
        previous = now;
    }
    out.missingModel = QString::fromStdString(file.model().path);
    out.missingModelReason = reason;
    return out;
}

}  // namespace invx::gui
