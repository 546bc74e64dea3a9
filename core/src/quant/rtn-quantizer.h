#pragma once
// Round-to-nearest: fake-quantize every linear layer inside the decoder blocks (q, k, v, out, fc1,
// fc2). Embeddings, the LM head and LayerNorms stay in their original precision.
#include "invx/quant-config.h"
#include "model/opt-model.h"

namespace invx {

// Checks every layer's width against the group size before touching any weight.
void quantizeRtn(OptModel& model, const QuantConfig& config);

// Throws naming the first linear layer whose input width the group size does not divide.
void validateGroupSizes(OptModel& model, const QuantConfig& config);

// The first block's inputs for calibration ids [samples, length], `chunkSamples` sequences per
// entry (what AWQ and GPTQ walk through the blocks).
std::vector<at::Tensor> embedInChunks(const OptModel& model, const at::Tensor& ids,
                                      std::int64_t chunkSamples);

// The linear layers of block `layer`, with their Hugging Face names ("self_attn.q_proj", ...).
std::vector<std::pair<std::string, LinearWeights*>> decoderLinears(OptLayer& layer);

}  // namespace invx
