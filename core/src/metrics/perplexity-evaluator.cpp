#include "metrics/perplexity-evaluator.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <chrono>
#include <cmath>

#include "invx/error.h"

namespace invx {

at::Tensor meanNextTokenLoss(const at::Tensor& logits, const at::Tensor& ids) {
    const std::int64_t seq = logits.size(1);
    at::Tensor logp = at::log_softmax(logits.narrow(1, 0, seq - 1).to(at::kFloat), -1);
    at::Tensor targets = ids.narrow(-1, 1, seq - 1).to(logits.device(), at::kLong).unsqueeze(-1);
    return -logp.gather(-1, targets).squeeze(-1).mean(-1);
}

PerplexityResult evaluatePerplexity(const OptModel& model, const std::vector<std::int32_t>& ids,
                                    const PerplexityOptions& options,
                                    const PerplexityCallback& progress) {
    const std::int64_t L = options.windowLength;
    if (L < 2)
        throw Error("perplexity expects a window of at least 2 tokens, but got " +
                    std::to_string(L));
    if (L > model.config().maxPositions) {
        throw Error("perplexity window of " + std::to_string(L) + " tokens exceeds the model's " +
                    std::to_string(model.config().maxPositions) +
                    " positions; pass a smaller --window");
    }
    PerplexityResult result;
    result.tokens = std::int64_t(ids.size());
    result.windowLength = L;
    result.windowsAvailable = result.tokens / L;
    if (result.windowsAvailable == 0) {
        throw Error("perplexity needs at least one window of " + std::to_string(L) +
                    " tokens, but the text has only " + std::to_string(result.tokens));
    }
    std::int64_t windows = result.windowsAvailable;
    if (options.maxWindows > 0) windows = std::min(windows, options.maxWindows);

    c10::InferenceMode inference;
    const auto start = std::chrono::steady_clock::now();
    at::Tensor all = at::from_blob(const_cast<std::int32_t*>(ids.data()), {result.tokens}, at::kInt)
                         .to(at::kLong);
    for (std::int64_t w = 0; w < windows; ++w) {
        at::Tensor window = all.narrow(0, w * L, L).unsqueeze(0);
        at::Tensor logits = model.forward(window);
        double loss = meanNextTokenLoss(logits, window).item<double>();
        if (!std::isfinite(loss)) {
            throw Error("perplexity: window " + std::to_string(w) +
                        " has a non-finite loss; the model produced NaN or infinite logits");
        }
        result.nllSum += loss * double(L);
        result.windows = w + 1;
        result.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        result.ppl = std::exp(result.nllSum / double(result.windows * L));
        if (progress && !progress({result.windows, windows, result.ppl, result.seconds}) &&
            result.windows < windows) {
            result.stopped = true;
            break;
        }
    }
    return result;
}

}  // namespace invx
