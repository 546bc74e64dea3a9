#pragma once
// AWQ (Lin et al., 2024) as its authors' code runs it for OPT. Per decoder block, from the block's
// calibration inputs: for each scaling group (LayerNorm 1 -> q/k/v, v -> out_proj, LayerNorm 2 ->
// fc1, fc1 -> fc2) the scale s = mean|x|^r / sqrt(max * min), r on a grid of 20 ratios in [0, 1),
// that minimises the inspected module's output error after quantizing the scaled weights; the
// scales are folded into the preceding operator (exact); then, for v, out_proj, fc1 and fc2 (not
// q and k), the clipping search: per output row and group, shrink the symmetric range
// max|w| x (1 - i/20), i < 10, to minimise the group's output error on 512 sampled tokens. The
// next block's inputs are the full-precision outputs of this one, as in the authors' code.
//
// Precision. The authors' model is float16, and so is every tensor of their searches: the scale
// candidates, the scaled and quantized weights, the outputs compared, the clip errors. float16
// reproduces that arithmetic (emulated in float32 with a rounding to float16 after each operation,
// so that the CPU and CUDA agree; sums and matrix products accumulate in float32 and round once,
// as CUDA's half kernels do). float32 is what invx did before it had the choice: the quantizer and
// the errors in float32, the rest in the model's dtype. Rounding decides between the search's
// nearly equal candidates, so the two pick different scales and clips, and at 2 bits that moves
// perplexity by several percent (docs/base-methods.md).
#include <ATen/core/Tensor.h>

#include <functional>
#include <string>
#include <vector>

#include "invx/quant-config.h"
#include "invx/search-records.h"
#include "invx/search-settings.h"
#include "model/opt-model.h"

namespace invx {

enum class AwqPrecision { Float16, Float32 };

// "float16" | "float32"; throws for anything else, naming `what`.
AwqPrecision awqPrecisionFromName(const std::string& name, const std::string& what);
// The precision a search's settings (or an experiment file's) ask for.
AwqPrecision awqPrecisionOf(const SearchSettings& settings);
// The RTN that follows AWQ: in float16 arithmetic after AWQ in float16, as the authors' code
// quantizes its float16 model (at 2 bits on the demo model this last rounding alone moves
// perplexity from 203.6 to 187.5; docs/base-methods.md).
QuantConfig finalQuantizerOfAwq(QuantConfig quant, AwqPrecision precision);

struct AwqOptions {
    AwqPrecision precision = AwqPrecision::Float16;  // the authors'
    int grid = 20;                  // scale ratios 0, 1/20, ..., 19/20; clip steps of 1/20
    double maxShrink = 0.5;         // clip ranges down to half
    std::int64_t clipTokens = 512;  // tokens sampled for the clipping search
    bool clip = true;
    std::int64_t chunkSamples = 8;  // calibration sequences per forward
};

// What AWQ found for one block. Scales multiply the columns of the linear layers they feed;
// clips are the per-(row, group) symmetric bounds, [out, groups] (undefined: not clipped).
struct AwqLayerResult {
    at::Tensor qkvScales, outScales, fc1Scales, fc2Scales;
    double qkvRatio = 0, outRatio = 0, fc1Ratio = 0, fc2Ratio = 0;
    at::Tensor vClip, outClip, fc1Clip, fc2Clip;
};

// Searches scales and clips on a full-precision model (which it does not change). Throws for
// post-LayerNorm models (OPT-350m), whose LayerNorms do not precede the layers they would scale.
std::vector<AwqLayerResult> searchAwq(const OptModel& model, const at::Tensor& calibration,
                                      const QuantConfig& quant, const AwqOptions& options,
                                      const std::function<void(int, int)>& progress = {});

// Plain numbers for the experiment file, and back (on `device`).
AwqLayerRecord awqRecord(const AwqLayerResult& result);
AwqLayerResult awqFromRecord(const AwqLayerRecord& record, const OptConfig& config,
                             const QuantConfig& quant, const at::Device& device);

// Folds scales (exactly, up to rounding) and clips into the full-precision weights; quantization is
// left to RTN. In float16 the model is first rounded to float16 and each fold's result too, as the
// authors' float16 model folds them.
void applyAwq(OptModel& model, const std::vector<AwqLayerResult>& result, const QuantConfig& quant,
              AwqPrecision precision);

// The scale search's candidate: mean|x| ^ ratio, clamped at 1e-4, over sqrt(max * min).
at::Tensor awqScales(const at::Tensor& meanAbs, double ratio, AwqPrecision precision);
// The scale search for one linear layer on its inputs x [tokens, in]: the scales [in] and ratio
// minimising |x W^T - x (Q(W s) / s)^T|^2 over options.grid ratios.
at::Tensor awqSearchLinearScales(const LinearWeights& linear, const at::Tensor& x,
                                 const QuantConfig& quant, const AwqOptions& options,
                                 double* ratio = nullptr);
// The clipping search for one weight [out, in] and its inputs x [tokens, in]: bounds [out, groups].
at::Tensor awqClip(const at::Tensor& weight, const at::Tensor& inputs, const QuantConfig& quant,
                   const AwqOptions& options);

}  // namespace invx
