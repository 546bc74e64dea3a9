#pragma once
// The invariances as the published InvarExplore code saves them (`ckpt.pkl`, pickle.dump of a
// dict): 'orders' (per layer, a list: new position -> original neuron), 'scales' (per layer, a
// float16 tensor [ffn] dividing fc1's rows), 'rotations' (per layer, a float16 tensor [ffn/2] of
// the pair angles, R = blockdiag([[cos, -sin], [sin, cos]]), fc1 <- R^T fc1). Only the active kinds
// are present. These are exactly the meanings of LayerInvariance, so the numbers carry over as they
// are.
#include <cstdint>
#include <string>
#include <vector>

#include "invx/search-records.h"

namespace invx {

struct PublishedInvariances {
    std::vector<LayerInvariance> layers;
    std::string kinds;  // which the file held: a subset of "PSR", in that order
};

// Throws naming the file when it is not such a pickle or does not fit `layers` x `ffn`; kinds the
// file lacks are the identity. No code named in the file runs.
PublishedInvariances readPublishedInvariances(const std::string& path, int layers,
                                              std::int64_t ffn);

// Writes `kinds` (a subset of "PSR") of the layers in that format, tensors as float16 on the CPU,
// loadable with pickle.load (PyTorch installed) by the published code's --load_invars.
void writePublishedInvariances(const std::string& path, const std::vector<LayerInvariance>& layers,
                               const std::string& kinds);

}  // namespace invx
