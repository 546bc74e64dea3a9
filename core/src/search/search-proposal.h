#pragma once
// The proposal of one search step (SPEC section 2, Algorithm 1 as the published code runs it).
#include <cstdint>
#include <vector>

#include "invx/random-generator.h"
#include "invx/search-records.h"
#include "invx/search-settings.h"

namespace invx {

struct Proposal {
    int layer = 0;
    std::vector<std::int64_t> pairs;    // chosen pairs (neurons 2p, 2p+1), in draw order
    std::vector<std::int64_t> neurons;  // their neurons, shuffled: the cyclic shift's order
    LayerInvariance candidate;          // the layer's state after the proposal
};

// Draws, in this order: the layer (uniform), the pairs (distinct, partial Fisher-Yates), the
// shuffle of their neurons, one angle step per pair (R), one scale step per neuron in shuffled
// order (S). P moves the permutation value at neurons[k] to neurons[k+1], the last to the first.
Proposal proposeStep(const std::vector<LayerInvariance>& state, const SearchSettings& settings,
                     RandomGenerator& rng);

}  // namespace invx
