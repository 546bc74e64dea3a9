#pragma once
// What an experiment file alone says about a layer at a checkpoint, for a run whose model is not
// on this machine: the layer's invariance state (permutation, scales, angles) and how often each
// position changed, read through invx_records. No weights: those need the model.
#include <QString>
#include <cstdint>

#include "layer-inspector-source.h"

namespace invx::gui {

// `checkpoint` -1 = the last; `reason` is why the model could not be loaded (the core's sentence).
// Throws invx::Error naming the file for a checkpoint or layer it does not hold.
LayerInspection inspectFromFile(const QString& experiment, std::int64_t checkpoint, int layer,
                                const QString& reason);

}  // namespace invx::gui
