#pragma once
// Perplexity by the GPTQ/AWQ/OmniQuant protocol (SPEC section 3): non-overlapping windows of
// `windowLength` tokens (the tail is dropped), NLL of a window = mean cross-entropy of its
// windowLength - 1 predictions x windowLength, PPL = exp(sum NLL / (windows x windowLength)).
#include <cstdint>
#include <functional>

namespace invx {

struct PerplexityOptions {
    std::int64_t windowLength = 2048;  // tokens per window
    std::int64_t maxWindows = 0;       // evaluate at most this many windows; 0 = all
};

struct PerplexityProgress {
    std::int64_t windowsDone = 0;
    std::int64_t windowsTotal = 0;
    double pplSoFar = 0.0;  // perplexity over the windows done
    double elapsedSeconds = 0.0;
};

// Receives progress after every window; returning false stops the evaluation after that window.
using PerplexityCallback = std::function<bool(const PerplexityProgress&)>;

struct PerplexityResult {
    double ppl = 0.0;
    double nllSum = 0.0;                // sum of window NLLs (nats)
    std::int64_t tokens = 0;            // tokens in the whole evaluation text
    std::int64_t windowsAvailable = 0;  // tokens / windowLength
    std::int64_t windows = 0;           // windows evaluated
    std::int64_t windowLength = 0;
    bool stopped = false;  // the callback stopped it early
    double seconds = 0.0;
};

}  // namespace invx
