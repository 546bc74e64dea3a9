#pragma once
// OmniQuant (Shao et al., ICLR 2024) for OPT, weight-only, as its paper and the authors' scripts
// define it (OpenGVLab/OmniQuant; docs/base-methods.md says which code version each choice follows
// and where we differ). Block by block: the inputs of block i are the quantized model's outputs of
// block i-1; the loss is the mean squared error between the full-precision block's output on the
// full-precision inputs and the quantized block's output on the quantized inputs; AdamW (weight
// decay 0, batch of one sequence) trains
//  - LWC, learnable weight clipping: per weight group two factors sigmoid(u) and sigmoid(l) (u and
//    l start at 4) that clip the group to [sigmoid(l) min, sigmoid(u) max] before SPEC section 2's
//    min/max quantizer, whose round is straight-through;
//  - LET, learnable equivalent transformation: per-channel scales between LayerNorm 1 and q/k/v,
//    between v and out_proj, between LayerNorm 2 and fc1, and between q and k (fc2 has none),
//    starting at SmoothQuant's act_max^a / w_max^(1-a) from the calibration set's full-precision
//    activations, kept at |s| >= 1e-2 as the authors' code keeps them.
//
// What is trained is what is exported. The training forward folds the scales exactly as
// applyOmniquant does (float32, one operation order), rounds the folded block to float16 and the
// clipped weights again (straight-through: gradient one), so RTN of the applied model is the
// trained model bit for bit, and so is the search's identity state over it. The v -> out_proj scale
// divides v's output rows and bias and multiplies out_proj's input columns, in training and folding
// alike. Training runs on the model's device; its step in float16 on CUDA by default (precision).
#include <ATen/core/Tensor.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "invx/error.h"
#include "invx/quant-config.h"
#include "invx/search-records.h"
#include "invx/search-settings.h"
#include "model/opt-model.h"

namespace invx {

struct OmniquantOptions {
    int epochs = 20;                // passes over the calibration set per block (W2 scripts: 40)
    double letLearningRate = 5e-3;  // AdamW's learning rate of LET's scales
    double lwcLearningRate = 1e-2;  // AdamW's learning rate of LWC's bound logits
    bool lwc = true;                // train clipping bounds (off: min/max of the whole group)
    bool let = true;                // train equivalent scales (off: the weights as they are)
    double alpha = 0.5;             // SmoothQuant's migration strength of LET's initial scales
    std::int64_t batchSamples = 1;  // calibration sequences per optimizer step (the authors' 1)
    // The training step's arithmetic: "float16" (the block's forward and backward in float16, the
    // parameters, folds and quantizer in float32, the loss scaled as torch.amp.GradScaler scales
    // it: what the authors' autocast does to a block of linear layers), "float32", or "auto"
    // (float16 on CUDA, float32 on the CPU, which has no fast float16 products).
    std::string precision = "auto";
};

// The options a search's settings (or an experiment file's) ask for.
OmniquantOptions omniquantOptionsOf(const SearchSettings& settings);

// What OmniQuant learned for one block.
struct OmniquantLayerResult {
    // LET's scales [hidden]; undefined when LET is off. qkv divides LayerNorm 1 and multiplies the
    // columns of q, k and v; out divides v's rows and bias and multiplies out_proj's columns; fc1
    // divides LayerNorm 2 and multiplies fc1's columns; qk divides q's rows and bias and multiplies
    // k's rows and bias.
    at::Tensor qkvScales, outScales, fc1Scales, qkScales;
    // LWC's clip factors, the sigmoid of the learned bounds, [rows, groups] for each linear layer
    // in kGptqLinearNames order; undefined when LWC is off.
    at::Tensor upper[6], lower[6];
    std::vector<double> epochLoss;  // mean block loss of each epoch, in training order
};

// After each epoch: (block 0-based, blocks, epoch 1-based, epochs, that epoch's mean loss).
using OmniquantProgress = std::function<void(int, int, int, int, double)>;

// How a training is followed, stopped and continued; every member may be left empty.
struct OmniquantTrainingHooks {
    OmniquantProgress progress;
    // After each block: (block 0-based, what it learned). A caller keeps these to resume from.
    std::function<void(int, const OmniquantLayerResult&)> blockFinished;
    // Asked after every optimizer step; true stops the training with OmniquantStopped.
    std::function<bool()> stopRequested;
    // Resuming: the blocks finished before (as blockFinished gave them, in order), and where the
    // next one stopped (absent: it starts from the beginning).
    std::vector<OmniquantLayerResult> finished;
    std::optional<OmniquantTrainingRecord> inProgress;
};

// Thrown when stopRequested() said so: where the training stood, to resume from.
struct OmniquantStopped : Error {
    explicit OmniquantStopped(OmniquantTrainingRecord at);
    OmniquantTrainingRecord state;
};

// Trains OmniQuant on `calibration` [samples, length] token ids over a copy of `model`, which it
// does not change. The copy is rounded to float16 first, as the search and `invx apply` hold the
// weights. Throws for post-LayerNorm models when LET is on. A training resumed from what a stopped
// one left (hooks.finished, hooks.inProgress) with the same model, calibration and options ends
// with the same results bit for bit as one that was never stopped.
std::vector<OmniquantLayerResult> trainOmniquant(const OptModel& model,
                                                 const at::Tensor& calibration,
                                                 const QuantConfig& quant,
                                                 const OmniquantOptions& options,
                                                 const OmniquantTrainingHooks& hooks = {});

// LWC's clip of a weight [out, in]: each group (SPEC's, along the input dimension) to
// [lower x its min, upper x its max]; factors [out, groups]. Differentiable.
at::Tensor lwcClip(const at::Tensor& weight, const at::Tensor& upper, const at::Tensor& lower,
                   const QuantConfig& quant);
// LWC's quantizer as the authors train it (quantize/quantizer.py): the group's learned range
// [lower x its min, upper x its max], its ends rounded to float16 as the exported clip rounds them,
// sets the scale; weights beyond it saturate at the integer clamp and pass no gradient; the zero
// point passes none; the round is straight-through. Forward it gives fakeQuantize of lwcClip's
// float16 weights, what omniquantLayer exports; backward it gives the authors' gradient, not the
// derivative of the clip (which moves a bound by every weight it cuts off, and trained less well:
// 2 bits on the demo model, 208.8 against 179.4 for the reference, docs/base-methods.md).
// By the kernels of kernels/lwc-quantize-kernel.h (a float32 copy of the weight when it is not
// float32), on the CPU and, in builds with CUDA kernels, on CUDA; otherwise by tensor operations.
at::Tensor lwcFakeQuantize(const at::Tensor& weight, const at::Tensor& upper,
                           const at::Tensor& lower, const QuantConfig& quant);
// LWC's quantizer of the weight's values rounded to float16 (straight-through), in one pass: what
// the training does to a folded weight.
at::Tensor lwcFakeQuantizeOfFloat16(const at::Tensor& weight, const at::Tensor& upper,
                                    const at::Tensor& lower, const QuantConfig& quant);
// The same by tensor operations and autograd: the kernels' reference (the same values; gradients
// equal up to the order of float32 sums).
at::Tensor lwcFakeQuantizeByTensorOps(const at::Tensor& weight, const at::Tensor& upper,
                                      const at::Tensor& lower, const QuantConfig& quant);
// Whether lwcFakeQuantize runs `weight`'s device by the kernels.
bool lwcKernelsTake(const at::Tensor& weight);
// SPEC section 2's quantizer (float32) with a straight-through round: the value fakeQuantize gives,
// bit for bit, and gradients through the group's scale and, as identity, through the rounding.
at::Tensor fakeQuantizeStraightThrough(const at::Tensor& weight, const QuantConfig& quant);

// LET's scales folded into a block, in its own dtype, in the authors' order (LayerNorm 1 -> q/k/v,
// LayerNorm 2 -> fc1, v -> out_proj, q -> k): exact in real arithmetic. The training forward and
// omniquantLayer run these same operations. Differentiable.
void foldLet(OptLayer& layer, const at::Tensor& qkv, const at::Tensor& out, const at::Tensor& fc1,
             const at::Tensor& qk);

// One block as OmniQuant exports it, before RTN: LET folded in float32 (LayerNorms, weights and
// biases), every tensor rounded to float16, the weights clipped by LWC and rounded to float16
// again. In the block's own dtype.
OptLayer omniquantLayer(const OptLayer& layer, const OmniquantLayerResult& result,
                        const QuantConfig& quant);
// The same for every block of `model`, in place: RTN of the result is OmniQuant's model.
void applyOmniquant(OptModel& model, const std::vector<OmniquantLayerResult>& result,
                    const QuantConfig& quant);

// Plain numbers for the experiment file, and back (on `device`).
OmniquantLayerRecord omniquantRecord(const OmniquantLayerResult& result);
OmniquantLayerResult omniquantFromRecord(const OmniquantLayerRecord& record,
                                         const OptConfig& config, const QuantConfig& quant,
                                         const at::Device& device);

}  // namespace invx
