#include "invx/calibration-data.h"

#include <string>

#include "invx/bpe-tokenizer.h"
#include "invx/error.h"
#include "invx/random-generator.h"
#include "invx/text-file.h"

namespace invx {

std::vector<std::int32_t> buildCalibrationBlocks(const std::vector<std::string>& documents,
                                                 const BpeTokenizer& tokenizer, int samples,
                                                 int length, std::uint64_t seed,
                                                 const std::string& corpusName) {
    std::vector<std::size_t> order(documents.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    RandomGenerator rng(seed);
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);

    const std::size_t needed = std::size_t(samples) * std::size_t(length);
    std::vector<std::int32_t> ids;
    std::size_t used = 0;
    for (std::size_t index : order) {
        if (ids.size() >= needed) break;
        const std::string text = trimWhitespace(documents[index]);
        if (text.empty()) continue;
        const auto tokens = tokenizer.encode(text, /*addSpecial=*/true);
        if (tokens.size() > std::size_t(length)) continue;
        ids.insert(ids.end(), tokens.begin(), tokens.end());
        ++used;
    }
    if (ids.size() < needed)
        throw Error("calibration corpus '" + corpusName + "' yields only " +
                    std::to_string(ids.size()) + " tokens from " + std::to_string(used) +
                    " documents of at most " + std::to_string(length) + " tokens, but " +
                    std::to_string(samples) + " x " + std::to_string(length) +
                    " are needed; use fewer or shorter samples, or a larger corpus");
    ids.resize(needed);
    return ids;
}

}  // namespace invx
