#pragma once
#include <cstdint>
#include <vector>

#include "invx/perplexity.h"
#include "model/opt-model.h"

namespace invx {

// Throws invx::Error when the text is shorter than one window or a window exceeds the model's
// positions.
PerplexityResult evaluatePerplexity(const OptModel& model, const std::vector<std::int32_t>& ids,
                                    const PerplexityOptions& options,
                                    const PerplexityCallback& progress = {});

// Mean next-token cross-entropy (nats) of each row of ids [batch, seq], in float32: [batch].
at::Tensor meanNextTokenLoss(const at::Tensor& logits, const at::Tensor& ids);

}  // namespace invx
