#pragma once
// Plain records the search produces: what the observer receives, the experiment file stores and the
// GUI draws. No tensors: vectors of numbers only.
#include <cstdint>
#include <string>
#include <vector>

#include "invx/random-generator.h"

namespace invx {

// One search step.
struct StepRecord {
    std::int64_t step = 0;  // 1-based
    int layer = 0;          // decoder layer the proposal changed
    double loss = 0;        // CE / CE0 + alpha * MSE / MSE0 of the candidate
    double ce = 0;          // calibration cross-entropy of the candidate (nats)
    double mse = 0;         // mean squared (clamped) difference at the matched layers
    bool accepted = false;
    double acceptanceRate = 0;        // accepted steps / steps so far
    double recentAcceptanceRate = 0;  // over the last kRecentWindow steps
    double elapsedSeconds = 0;        // search time since the run began (resumes included)

    static constexpr int kRecentWindow = 100;
};

// One perplexity evaluation of the current (accepted) quantized model.
struct EvaluationRecord {
    std::int64_t step = 0;  // steps done when evaluated (0 = before the search)
    std::int64_t acceptedSteps = 0;
    double perplexity = 0;
    std::int64_t windows = 0;  // windows evaluated
    std::int64_t windowsAvailable = 0;
    double elapsedSeconds = 0;  // search time when evaluated
    double seconds = 0;         // what the evaluation itself took
};

// One measurement of a model an experiment is about, for the results table (`invx table`): its
// full-precision model, the base-quantized model (the search's starting point) or the searched one.
struct ResultRecord {
    std::string model;       // "full-precision", "base" or "searched"
    std::int64_t step = 0;   // the checkpoint's search step (base: 0; full precision: 0)
    std::string metric;      // "wikitext2", "c4" (perplexity) or a reasoning task's name (accuracy)
    double value = 0;        // perplexity, or accuracy as a fraction
    double valueNorm = 0;    // tasks: length-normalised accuracy; perplexity: NaN
    std::int64_t items = 0;  // windows, or task items, measured
    bool complete = true;    // the whole data set (no --max-windows, no --limit)
    std::string protocol;    // JSON: window length, shots, seed, device, dtype, ...
    double seconds = 0;      // what the measurement took
    double unixTime = 0;     // when it was recorded

    static constexpr const char* kModels[] = {"full-precision", "base", "searched"};
};

// The invariance state of one decoder layer's FFN (SPEC section 2). Scales and angles are indexed
// by the original neuron (pair); the permutation maps new position -> original (rotated, scaled)
// neuron.
// The range of a neuron's scale. The search's random walk stays within it (a draw outside leaves
// the scale unchanged; the published code does not guard its walk, we do); a stored scale outside
// it is a damaged file, refused before anything trusts it.
constexpr float kMinimumScale = 1e-3f;
constexpr float kMaximumScale = 1e4f;

struct LayerInvariance {
    std::vector<std::int64_t> permutation;  // [ffn]
    std::vector<float> scales;              // [ffn], > 0
    std::vector<float> angles;              // [ffn / 2], radians

    static LayerInvariance identity(std::int64_t ffn);
    bool operator==(const LayerInvariance& o) const {
        return permutation == o.permutation && scales == o.scales && angles == o.angles;
    }
};

// Everything needed to continue a search exactly where it was.
struct SearchCheckpoint {
    std::int64_t step = 0;
    std::int64_t acceptedSteps = 0;
    double bestLoss = 0;
    double elapsedSeconds = 0;
    RandomGenerator::State rng{};
    std::vector<std::uint8_t> recentAccepted;  // the last <= kRecentWindow decisions, oldest first
    std::vector<LayerInvariance> layers;
};

// One weight matrix of a layer snapshot, row-major [rows, cols]; groups run along a row.
struct WeightSnapshot {
    std::string name;  // "fc1", "fc2"
    std::int64_t rows = 0, cols = 0, groupSize = 0;
    std::vector<float> original;     // full precision, before any transformation
    std::vector<float> transformed;  // rotated, scaled and permuted (float16 precision)
    std::vector<float> quantized;    // the dequantized weight the model uses
    std::vector<float> groupMin, groupMax,
        groupError;  // [rows, cols / groupSize]; error = mean squared
};

struct LayerSnapshot {
    std::int64_t step = 0;
    int layer = 0;
    WeightSnapshot fc1, fc2;
    LayerInvariance invariance;
};

// AWQ's result for one decoder block, as plain numbers: the scales of its four scaling groups
// (they multiply the columns of q/k/v, out_proj, fc1, fc2) and the clipping bounds of v, out_proj,
// fc1 and fc2, row-major [rows, groups].
struct AwqLayerRecord {
    std::vector<float> qkvScales, outScales, fc1Scales, fc2Scales;
    std::vector<float> vClip, outClip, fc1Clip, fc2Clip;
};

// GPTQ's result for one linear layer, as stored integers: codes [rows, cols] in the layer's own
// column order, and per row and group the scale and zero [rows, groups]; column c belongs to group
// groupIndex[c] (c / group, or its rank in the activation order). weight = (code - zero) * scale.
struct GptqLinearRecord {
    std::int64_t rows = 0, cols = 0, groups = 0;
    std::vector<std::uint8_t> codes;
    std::vector<float> scale, zero;
    std::vector<std::int32_t> groupIndex;
};

// GPTQ's result for one decoder block, in the order of kGptqLinearNames.
constexpr const char* kGptqLinearNames[] = {"q_proj", "k_proj", "v_proj", "out_proj", "fc1", "fc2"};
struct GptqLayerRecord {
    GptqLinearRecord linears[6];
};

// OmniQuant's result for one decoder block, as plain numbers: LET's scales [hidden] (empty when LET
// was off; qkv divides LayerNorm 1 and multiplies q/k/v's columns, out divides v's rows and bias
// and multiplies out_proj's columns, fc1 divides LayerNorm 2 and multiplies fc1's columns, qk
// divides q's rows and bias and multiplies k's), LWC's clip factors (the sigmoid of the learned
// bounds, in (0, 1): a group is clipped to [lower x min, upper x max]) of each linear layer in
// kGptqLinearNames order, row-major [rows, groups] (empty when LWC was off), and the block's mean
// training loss of each epoch.
struct OmniquantLayerRecord {
    std::vector<float> qkvScales, outScales, fc1Scales, qkScales;
    std::vector<float> upperClip[6], lowerClip[6];
    std::vector<double> epochLoss;
};

// OmniQuant's training where it was stopped, so that it goes on bit for bit: the block in training
// (the blocks before it are finished and kept as OmniquantLayerRecords), how far it got, its
// parameters and AdamW's moments. `parameters` holds LET's scales and LWC's bound logits (before
// the sigmoid) in upperClip/lowerClip, and the losses of the block's whole epochs in epochLoss;
// `firstMoment` and `secondMoment` hold AdamW's moments of each, laid out the same way.
struct OmniquantTrainingRecord {
    std::int64_t block = 0;           // 0-based
    std::int64_t epoch = 0;           // whole epochs done of the block
    std::int64_t sample = 0;          // sequences done of the epoch in progress
    double epochLossSum = 0;          // the sum of their batches' losses
    std::int64_t optimizerSteps = 0;  // AdamW's step count (both optimizers take every step)
    double lossScale = 1;             // float16 training: the loss scale, and the steps since it
    std::int64_t lossScaleSteps = 0;  // last changed
    OmniquantLayerRecord parameters, firstMoment, secondMoment;
};

// What identifies the model an experiment ran on.
struct ModelIdentity {
    std::string path;
    std::string configJson;
    std::string
        fingerprint;  // hex digest of the config and every tensor's name, shape and sampled bytes
    std::int64_t parameters = 0;
    int layers = 0;
    std::int64_t hidden = 0, ffn = 0;
    std::string device, dtype;  // where the search ran ("cpu", "float32")
};

// The quantized starting point, measured on the calibration batch before the first step.
struct BaseResult {
    std::string method;
    double ce0 = 0;              // cross-entropy of the base-quantized model
    double mse0 = 0;             // its MSE at the matched layers
    double fullPrecisionCe = 0;  // cross-entropy of the unquantized model, for reference
    std::vector<int> matchedLayers;
    // The experiment file whose AWQ/GPTQ/OmniQuant results were reused ("" = computed).
    std::string reusedFrom;
};

}  // namespace invx
