#include "search/search-proposal.h"

#include <numeric>

namespace invx {

Proposal proposeStep(const std::vector<LayerInvariance>& state, const SearchSettings& settings,
                     RandomGenerator& rng) {
    Proposal p;
    p.layer = int(rng.below(state.size()));
    const LayerInvariance& current = state[std::size_t(p.layer)];
    const std::int64_t ffn = std::int64_t(current.permutation.size());
    const std::int64_t pairCount = ffn / 2;
    const std::int64_t k = settings.pairsPerStep(ffn);

    std::vector<std::int64_t> all(static_cast<std::size_t>(pairCount));
    std::iota(all.begin(), all.end(), 0);
    for (std::int64_t i = 0; i < k; ++i) {
        const std::int64_t j = i + std::int64_t(rng.below(std::uint64_t(pairCount - i)));
        std::swap(all[std::size_t(i)], all[std::size_t(j)]);
    }
    p.pairs.assign(all.begin(), all.begin() + k);

    for (std::int64_t pair : p.pairs) {
        p.neurons.push_back(2 * pair);
        p.neurons.push_back(2 * pair + 1);
    }
    for (std::size_t i = p.neurons.size(); i > 1; --i)
        std::swap(p.neurons[i - 1], p.neurons[rng.below(i)]);

    p.candidate = current;
    if (settings.rotate()) {
        for (std::int64_t pair : p.pairs)
            p.candidate.angles[std::size_t(pair)] += float(rng.normal(settings.sigmaRotation));
    }
    if (settings.scale()) {
        for (std::int64_t n : p.neurons) {
            float& s = p.candidate.scales[std::size_t(n)];
            const float next = s + float(rng.normal(settings.sigmaScale));
            if (next >= kMinimumScale && next <= kMaximumScale) s = next;
        }
    }
    if (settings.permute()) {
        const std::size_t m = p.neurons.size();
        for (std::size_t i = 0; i < m; ++i)
            p.candidate.permutation[std::size_t(p.neurons[(i + 1) % m])] =
                current.permutation[std::size_t(p.neurons[i])];
    }
    return p;
}

}  // namespace invx
