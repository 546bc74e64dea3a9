#include "awq-quantizer.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <limits>

#include "group-quantizer.h"
#include "invx/error.h"
#include "rtn-quantizer.h"
#include "tensor-values.h"

namespace invx {
namespace {

at::Tensor flatten(const std::vector<at::Tensor>& parts) {
    std::vector<at::Tensor> flat;
    for (const auto& p : parts) flat.push_back(p.reshape({-1, p.size(-1)}));
    return at::cat(flat, 0);
}

double meanSquaredError(const at::Tensor& a, const at::Tensor& b) {
    return (a.to(at::kFloat) - b.to(at::kFloat)).pow(2).mean().item<double>();
}

// quantize(W * s) / s for each weight: what the scale search evaluates.
at::Tensor scaledQuantized(const at::Tensor& w, const at::Tensor& s, const QuantConfig& quant) {
    const at::Tensor row = s.view({1, -1}).to(w.scalar_type());
    return fakeQuantize(w * row, quant) / row;
}

struct ScaleChoice {
    at::Tensor scales;
    double ratio = 0;
};

// Tries every ratio; `evaluate(scales)` returns the inspected output for weights quantized with
// those scales.
ScaleChoice searchScales(const at::Tensor& x, const at::Tensor& reference, int grid,
                         const std::function<at::Tensor(const at::Tensor&)>& evaluate) {
    const at::Tensor meanAbs = x.abs().reshape({-1, x.size(-1)}).to(at::kFloat).mean(0);
    ScaleChoice best;
    double bestError = std::numeric_limits<double>::infinity();
    for (int i = 0; i < grid; ++i) {
        const double ratio = double(i) / grid;
        const at::Tensor s = awqScales(meanAbs, ratio);
        const double error = meanSquaredError(evaluate(s), reference);
        if (error < bestError) bestError = error, best = {s, ratio};
    }
    if (!best.scales.defined()) throw Error("AWQ: every scale candidate gave a non-finite error; check the calibration data");
    return best;
}

void scaleColumns(LinearWeights& w, const at::Tensor& s) { w.weight = w.weight * s.view({1, -1}).to(w.weight.scalar_type()); }

void divideRows(LinearWeights& w, const at::Tensor& s) {
    w.weight = w.weight / s.view({-1, 1}).to(w.weight.scalar_type());
    if (w.bias.defined()) w.bias = w.bias / s.to(w.bias.scalar_type());
}

void divideNorm(LayerNormWeights& n, const at::Tensor& s) {
    n.weight = n.weight / s.to(n.weight.scalar_type());
    n.bias = n.bias / s.to(n.bias.scalar_type());
}

void clipWeight(LinearWeights& w, const at::Tensor& bound, const QuantConfig& quant) {
    if (!bound.defined()) return;
    const std::int64_t rows = w.weight.size(0), cols = w.weight.size(1);
    const std::int64_t g = quant.groupSize > 0 ? quant.groupSize : cols;
    const at::Tensor b = bound.to(w.weight.scalar_type()).unsqueeze(-1);  // [rows, groups, 1]
    const at::Tensor grouped = w.weight.reshape({rows, cols / g, g});
    w.weight = at::max(at::min(grouped, b), -b).reshape({rows, cols});
}

void foldScales(OptLayer& layer, const AwqLayerResult& r) {
    divideNorm(layer.attnNorm, r.qkvScales);
    for (LinearWeights* w : {&layer.q, &layer.k, &layer.v}) scaleColumns(*w, r.qkvScales);
    divideRows(layer.v, r.outScales);
    scaleColumns(layer.out, r.outScales);
    divideNorm(layer.ffnNorm, r.fc1Scales);
    scaleColumns(layer.fc1, r.fc1Scales);
    divideRows(layer.fc1, r.fc2Scales);
    scaleColumns(layer.fc2, r.fc2Scales);
}

void foldClips(OptLayer& layer, const AwqLayerResult& r, const QuantConfig& quant) {
    clipWeight(layer.v, r.vClip, quant);
    clipWeight(layer.out, r.outClip, quant);
    clipWeight(layer.fc1, r.fc1Clip, quant);
    clipWeight(layer.fc2, r.fc2Clip, quant);
}

}  // namespace

at::Tensor awqScales(const at::Tensor& meanAbs, double ratio) {
    at::Tensor s = meanAbs.pow(ratio).clamp_min(1e-4);
    return s / (s.max() * s.min()).sqrt();
}

at::Tensor awqSearchLinearScales(const LinearWeights& w, const at::Tensor& x, const QuantConfig& quant, int grid,
                                 double* ratio) {
    c10::InferenceMode guard;
    const at::Tensor reference = at::linear(x, w.weight, w.bias);
    const ScaleChoice c = searchScales(x, reference, grid, [&](const at::Tensor& s) {
        return at::linear(x, scaledQuantized(w.weight, s, quant), w.bias);
    });
    if (ratio) *ratio = c.ratio;
    return c.scales;
}

at::Tensor awqClip(const at::Tensor& weight, const at::Tensor& inputs, const QuantConfig& quant, const AwqOptions& options) {
    const std::int64_t rows = weight.size(0), cols = weight.size(1);
    const std::int64_t g = quant.groupSize > 0 ? quant.groupSize : cols, groups = cols / g;
    at::Tensor x = inputs.reshape({-1, cols}).to(at::kFloat);
    const std::int64_t stride = std::max<std::int64_t>(1, x.size(0) / options.clipTokens);
    x = x.slice(0, 0, x.size(0), stride);  // every stride-th token, as the authors sample
    const at::Tensor xg = x.view({-1, groups, g}).permute({1, 2, 0});        // [groups, g, tokens]
    const at::Tensor w = weight.to(at::kFloat).view({rows, groups, g});      // [rows, groups, g]
    const at::Tensor reference = at::bmm(w.permute({1, 0, 2}), xg);          // [groups, rows, tokens]
    const at::Tensor maxAbs = w.abs().amax(-1, true);                        // [rows, groups, 1]
    at::Tensor best = maxAbs.clone();
    at::Tensor bestError = at::full({rows, groups, 1}, std::numeric_limits<float>::infinity(), w.options());
    for (int i = 0; i < int(options.maxShrink * options.grid); ++i) {
        const at::Tensor bound = maxAbs * (1.0 - double(i) / options.grid);
        const at::Tensor clipped = at::max(at::min(w, bound), -bound);
        const at::Tensor q = fakeQuantize(clipped.reshape({rows, cols}), quant).view({rows, groups, g});
        const at::Tensor out = at::bmm(q.permute({1, 0, 2}), xg);
        const at::Tensor error = (out - reference).pow(2).mean(-1).permute({1, 0}).unsqueeze(-1);  // [rows, groups, 1]
        const at::Tensor better = error < bestError;
        bestError = at::where(better, error, bestError);
        best = at::where(better, bound, best);
    }
    return best.squeeze(-1);
}

std::vector<AwqLayerResult> searchAwq(const OptModel& fp, const at::Tensor& calibration, const QuantConfig& quant,
                                      const AwqOptions& options, const std::function<void(int, int)>& progress) {
    c10::InferenceMode guard;
    if (!fp.config().doLayerNormBefore)
        throw Error("AWQ folds its scales into the LayerNorm before q/k/v and fc1, but this model applies its "
                    "LayerNorms after them (post-LN, like OPT-350m); use --method rtn or gptq");
    OptModel model = fp;  // scales and clips go into this copy, block by block
    const int layers = int(model.layers().size());
    validateGroupSizes(model, quant);
    std::vector<at::Tensor> hidden = embedInChunks(model, calibration, options.chunkSamples);  // block inputs

    std::vector<AwqLayerResult> results;
    for (int l = 0; l < layers; ++l) {
        const std::size_t li = std::size_t(l);
        std::vector<at::Tensor> qkvIn, outIn, fc1In, fc2In;
        for (at::Tensor& h : hidden) {
            BlockLinearInputs in;
            h = model.forwardLayer(li, h, &in);  // full-precision outputs feed the next block
            qkvIn.push_back(in.qkv), outIn.push_back(in.out), fc1In.push_back(in.fc1), fc2In.push_back(in.fc2);
        }
        OptLayer& layer = model.layers()[li];
        AwqLayerResult r;

        // LayerNorm 1 -> q/k/v: inspect the whole attention (out_proj in full precision).
        {
            std::vector<at::Tensor> reference;
            for (const auto& x : qkvIn) reference.push_back(model.selfAttention(li, x));
            const OptLayer original = layer;
            const ScaleChoice c = searchScales(at::cat(qkvIn, 0), at::cat(reference, 0), options.grid, [&](const at::Tensor& s) {
                layer.q.weight = scaledQuantized(original.q.weight, s, quant);
                layer.k.weight = scaledQuantized(original.k.weight, s, quant);
                layer.v.weight = scaledQuantized(original.v.weight, s, quant);
                std::vector<at::Tensor> out;
                for (const auto& x : qkvIn) out.push_back(model.selfAttention(li, x));
                layer = original;
                return at::cat(out, 0);
            });
            r.qkvScales = c.scales, r.qkvRatio = c.ratio;
        }
        r.outScales = awqSearchLinearScales(layer.out, flatten(outIn), quant, options.grid, &r.outRatio);
        r.fc1Scales = awqSearchLinearScales(layer.fc1, flatten(fc1In), quant, options.grid, &r.fc1Ratio);
        r.fc2Scales = awqSearchLinearScales(layer.fc2, flatten(fc2In), quant, options.grid, &r.fc2Ratio);

        // Fold the scales, and scale the recorded inputs the same way for the clipping search.
        foldScales(layer, r);
        if (options.clip) {
            auto scaledInputs = [](const std::vector<at::Tensor>& in, const at::Tensor& s) {
                return flatten(in) / s.view({1, -1}).to(in.front().scalar_type());
            };
            r.vClip = awqClip(layer.v.weight, scaledInputs(qkvIn, r.qkvScales), quant, options);
            r.outClip = awqClip(layer.out.weight, scaledInputs(outIn, r.outScales), quant, options);
            r.fc1Clip = awqClip(layer.fc1.weight, scaledInputs(fc1In, r.fc1Scales), quant, options);
            r.fc2Clip = awqClip(layer.fc2.weight, scaledInputs(fc2In, r.fc2Scales), quant, options);
            foldClips(layer, r, quant);
        }
        results.push_back(r);
        if (progress) progress(l + 1, layers);
    }
    return results;
}

namespace {

at::Tensor tensorOf(const std::vector<float>& v, std::vector<std::int64_t> shape, const at::Device& device) {
    if (v.empty()) return {};
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    if (std::int64_t(v.size()) != n) throw Error("AWQ record has " + std::to_string(v.size()) + " values where " + std::to_string(n) + " belong");
    return at::tensor(v).view(shape).to(device);
}

}  // namespace

AwqLayerRecord awqRecord(const AwqLayerResult& r) {
    return {toFloatVector(r.qkvScales), toFloatVector(r.outScales), toFloatVector(r.fc1Scales),
            toFloatVector(r.fc2Scales), toFloatVector(r.vClip),     toFloatVector(r.outClip),
            toFloatVector(r.fc1Clip),   toFloatVector(r.fc2Clip)};
}

AwqLayerResult awqFromRecord(const AwqLayerRecord& r, const OptConfig& c, const QuantConfig& quant, const at::Device& device) {
    const std::int64_t h = c.hiddenSize, f = c.ffnDim;
    auto groups = [&](std::int64_t in) { return quant.groupSize > 0 ? in / quant.groupSize : 1; };
    AwqLayerResult out;
    out.qkvScales = tensorOf(r.qkvScales, {h}, device);
    out.outScales = tensorOf(r.outScales, {h}, device);
    out.fc1Scales = tensorOf(r.fc1Scales, {h}, device);
    out.fc2Scales = tensorOf(r.fc2Scales, {f}, device);
    out.vClip = tensorOf(r.vClip, {h, groups(h)}, device);
    out.outClip = tensorOf(r.outClip, {h, groups(h)}, device);
    out.fc1Clip = tensorOf(r.fc1Clip, {f, groups(h)}, device);
    out.fc2Clip = tensorOf(r.fc2Clip, {h, groups(f)}, device);
    return out;
}

void applyAwq(OptModel& model, const std::vector<AwqLayerResult>& result, const QuantConfig& quant) {
    c10::InferenceMode guard;
    for (std::size_t l = 0; l < result.size(); ++l) {
        foldScales(model.layers().at(l), result[l]);
        foldClips(model.layers().at(l), result[l], quant);
    }
}

}  // namespace invx
