#include "quant/awq-quantizer.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <limits>

#include "invx/error.h"
#include "model/tensor-values.h"
#include "quant/group-quantizer.h"
#include "quant/rtn-quantizer.h"

namespace invx {
namespace {

// The searches' arithmetic: in float16 mode each result is rounded to float16 (and held as
// float32), in float32 mode it is left as computed.
struct Arithmetic {
    explicit Arithmetic(AwqPrecision precision) : half(precision == AwqPrecision::Float16) {}
    at::Tensor operator()(const at::Tensor& t) const { return half ? roundedToFloat16(t) : t; }
    // Rounded likewise, in t's own dtype.
    at::Tensor keepingDtype(const at::Tensor& t) const {
        return half && t.scalar_type() != at::kHalf ? t.to(at::kHalf).to(t.scalar_type()) : t;
    }
    bool half;
};

at::Tensor flatten(const std::vector<at::Tensor>& parts) {
    std::vector<at::Tensor> flat;
    for (const auto& p : parts) flat.push_back(p.reshape({-1, p.size(-1)}));
    return at::cat(flat, 0);
}

// The authors' loss: (reference - out).float().pow(2).mean(), the difference taken in the
// search's precision.
double meanSquaredError(const at::Tensor& a, const at::Tensor& b, const Arithmetic& r) {
    return r(a.to(at::kFloat) - b.to(at::kFloat)).pow(2).mean().item<double>();
}

// quantize(W * s) / s for each weight: what the scale search evaluates. Same dtype as `w`.
at::Tensor scaledQuantized(const at::Tensor& w, const at::Tensor& s, const QuantConfig& quant,
                           const Arithmetic& r) {
    if (r.half) {
        const at::Tensor row = s.view({1, -1}).to(at::kFloat);
        return r(fakeQuantizeFloat16(r(r(w.to(at::kFloat)) * row), quant) / row)
            .to(w.scalar_type());
    }
    const at::Tensor row = s.view({1, -1}).to(w.scalar_type());
    return fakeQuantize(w * row, quant) / row;
}

struct ScaleChoice {
    at::Tensor scales;
    double ratio = 0;
};

// Tries every ratio; `evaluate(scales)` returns the inspected output for weights quantized with
// those scales (in float16 mode, rounded to float16, as `reference` is).
ScaleChoice searchScales(const at::Tensor& x, const at::Tensor& reference,
                         const AwqOptions& options,
                         const std::function<at::Tensor(const at::Tensor&)>& evaluate) {
    const Arithmetic r(options.precision);
    const at::Tensor meanAbs = r(x.abs().reshape({-1, x.size(-1)}).to(at::kFloat).mean(0));
    ScaleChoice best;
    double bestError = std::numeric_limits<double>::infinity();
    for (int i = 0; i < options.grid; ++i) {
        const double ratio = double(i) / options.grid;
        const at::Tensor s = awqScales(meanAbs, ratio, options.precision);
        const double error = meanSquaredError(evaluate(s), reference, r);
        if (error < bestError) bestError = error, best = {s, ratio};
    }
    if (!best.scales.defined())
        throw Error(
            "AWQ: every scale candidate gave a non-finite error; check the calibration data");
    return best;
}

// Each (row, token, group) output of a clip candidate as the authors compute it in float16:
// (x * w).sum(-1), the products rounded to float16, summed in float32 and rounded once.
// x [1, tokens, groups, g], w [rows, 1, groups, g] -> [rows, tokens, groups].
at::Tensor groupOutputsFloat16(const at::Tensor& x, const at::Tensor& w) {
    return roundedToFloat16(roundedToFloat16(x * w).sum(-1));
}

// The clipping search in float16, as the authors' auto_clip_layer runs on float16 tensors. Rows go
// in batches that keep the [rows, tokens, in] products near 64 MiB (1 GiB on a GPU, where few large
// launches are what is fast).
at::Tensor clipFloat16(const at::Tensor& weight, const at::Tensor& x, const QuantConfig& quant,
                       const AwqOptions& options) {
    const auto r = roundedToFloat16;
    const std::int64_t rows = weight.size(0), cols = weight.size(1), tokens = x.size(0);
    const std::int64_t g = quant.groupWidth(cols), groups = cols / g;
    const at::Tensor xg = r(x).view({1, tokens, groups, g});
    const at::Tensor w = r(weight.to(at::kFloat)).view({rows, 1, groups, g});
    const std::int64_t budget = std::int64_t(1) << (weight.is_cuda() ? 28 : 24);
    const std::int64_t batch =
        std::max<std::int64_t>(1, budget / std::max<std::int64_t>(1, tokens * cols));
    std::vector<at::Tensor> bounds;
    for (std::int64_t first = 0; first < rows; first += batch) {
        const at::Tensor wb = w.narrow(0, first, std::min(batch, rows - first));
        const at::Tensor maxAbs = wb.abs().amax(-1, true);  // [rows, 1, groups, 1]
        const at::Tensor reference = groupOutputsFloat16(xg, wb);
        at::Tensor best = maxAbs.clone();
        // The authors start from ones * 1e9, which is infinity in float16.
        at::Tensor bestError = at::full_like(maxAbs, std::numeric_limits<float>::infinity());
        for (int i = 0; i < int(options.maxShrink * options.grid); ++i) {
            const at::Tensor bound = r(maxAbs * (1.0 - double(i) / options.grid));
            const at::Tensor clipped = at::min(at::max(wb, -bound), bound);
            const at::Tensor q =
                fakeQuantizeFloat16(clipped.reshape({-1, cols}), quant).view(wb.sizes());
            const at::Tensor error =
                r(r(r(groupOutputsFloat16(xg, q) - reference).pow(2)).mean(1)).view(maxAbs.sizes());
            const at::Tensor better = error < bestError;
            bestError = at::where(better, error, bestError);
            best = at::where(better, bound, best);
        }
        bounds.push_back(best.view({-1, groups}));
    }
    return at::cat(bounds, 0);
}

// The clipping search in float32: a group's output as a batched matrix product.
at::Tensor clipFloat32(const at::Tensor& weight, const at::Tensor& x, const QuantConfig& quant,
                       const AwqOptions& options) {
    const std::int64_t rows = weight.size(0), cols = weight.size(1);
    const std::int64_t g = quant.groupWidth(cols), groups = cols / g;
    const at::Tensor xg = x.view({-1, groups, g}).permute({1, 2, 0});    // [groups, g, tokens]
    const at::Tensor w = weight.to(at::kFloat).view({rows, groups, g});  // [rows, groups, g]
    const at::Tensor reference = at::bmm(w.permute({1, 0, 2}), xg);      // [groups, rows, tokens]
    const at::Tensor maxAbs = w.abs().amax(-1, true);                    // [rows, groups, 1]
    at::Tensor best = maxAbs.clone();
    at::Tensor bestError =
        at::full({rows, groups, 1}, std::numeric_limits<float>::infinity(), w.options());
    for (int i = 0; i < int(options.maxShrink * options.grid); ++i) {
        const at::Tensor bound = maxAbs * (1.0 - double(i) / options.grid);
        const at::Tensor clipped = at::max(at::min(w, bound), -bound);
        const at::Tensor q =
            fakeQuantize(clipped.reshape({rows, cols}), quant).view({rows, groups, g});
        const at::Tensor out = at::bmm(q.permute({1, 0, 2}), xg);
        const at::Tensor error =
            (out - reference).pow(2).mean(-1).permute({1, 0}).unsqueeze(-1);  // [rows, groups, 1]
        const at::Tensor better = error < bestError;
        bestError = at::where(better, error, bestError);
        best = at::where(better, bound, best);
    }
    return best.squeeze(-1);
}

// The folds: one operation per tensor, rounded to float16 in float16 mode (and kept in its dtype).
void scaleColumns(LinearWeights& w, const at::Tensor& s, const Arithmetic& r) {
    w.weight = r.keepingDtype(w.weight * s.view({1, -1}).to(w.weight.scalar_type()));
}

void divideRows(LinearWeights& w, const at::Tensor& s, const Arithmetic& r) {
    w.weight = r.keepingDtype(w.weight / s.view({-1, 1}).to(w.weight.scalar_type()));
    if (w.bias.defined()) w.bias = r.keepingDtype(w.bias / s.to(w.bias.scalar_type()));
}

void divideNorm(LayerNormWeights& n, const at::Tensor& s, const Arithmetic& r) {
    n.weight = r.keepingDtype(n.weight / s.to(n.weight.scalar_type()));
    n.bias = r.keepingDtype(n.bias / s.to(n.bias.scalar_type()));
}

void clipWeight(LinearWeights& w, const at::Tensor& bound, const QuantConfig& quant) {
    if (!bound.defined()) return;
    const std::int64_t rows = w.weight.size(0), cols = w.weight.size(1);
    const std::int64_t g = quant.groupWidth(cols);
    const at::Tensor b = bound.to(w.weight.scalar_type()).unsqueeze(-1);  // [rows, groups, 1]
    const at::Tensor grouped = w.weight.reshape({rows, cols / g, g});
    w.weight = at::max(at::min(grouped, b), -b).reshape({rows, cols});
}

// In the authors' order: LayerNorm 1 -> q/k/v, v -> out_proj, LayerNorm 2 -> fc1, fc1 -> fc2.
void foldScales(OptLayer& layer, const AwqLayerResult& result, const Arithmetic& r) {
    divideNorm(layer.attnNorm, result.qkvScales, r);
    for (LinearWeights* w : {&layer.q, &layer.k, &layer.v}) scaleColumns(*w, result.qkvScales, r);
    divideRows(layer.v, result.outScales, r);
    scaleColumns(layer.out, result.outScales, r);
    divideNorm(layer.ffnNorm, result.fc1Scales, r);
    scaleColumns(layer.fc1, result.fc1Scales, r);
    divideRows(layer.fc1, result.fc2Scales, r);
    scaleColumns(layer.fc2, result.fc2Scales, r);
}

void foldClips(OptLayer& layer, const AwqLayerResult& r, const QuantConfig& quant) {
    clipWeight(layer.v, r.vClip, quant);
    clipWeight(layer.out, r.outClip, quant);
    clipWeight(layer.fc1, r.fc1Clip, quant);
    clipWeight(layer.fc2, r.fc2Clip, quant);
}

}  // namespace

AwqPrecision awqPrecisionFromName(const std::string& name, const std::string& what) {
    if (name == "float16") return AwqPrecision::Float16;
    if (name == "float32") return AwqPrecision::Float32;
    throw Error(what + " must be float16 or float32, but is '" + name + "'");
}

AwqPrecision awqPrecisionOf(const SearchSettings& settings) {
    return awqPrecisionFromName(settings.awqPrecision, "search setting 'awq_precision'");
}

QuantConfig finalQuantizerOfAwq(QuantConfig quant, AwqPrecision precision) {
    quant.float16Arithmetic = precision == AwqPrecision::Float16;
    return quant;
}

at::Tensor awqScales(const at::Tensor& meanAbs, double ratio, AwqPrecision precision) {
    const Arithmetic r(precision);
    const at::Tensor s = r(r(meanAbs.pow(ratio)).clamp_min(1e-4));
    return r(s / r(r(s.max() * s.min()).sqrt()));
}

at::Tensor awqSearchLinearScales(const LinearWeights& w, const at::Tensor& x,
                                 const QuantConfig& quant, const AwqOptions& options,
                                 double* ratio) {
    c10::InferenceMode guard;
    const Arithmetic r(options.precision);
    // In float16 the inputs, weights and outputs are float16 values (held as float32).
    const at::Tensor in = r.half ? r(x.to(at::kFloat)) : x;
    const at::Tensor weight = r.half ? r(w.weight.to(at::kFloat)) : w.weight;
    const at::Tensor bias = r.half && w.bias.defined() ? r(w.bias.to(at::kFloat)) : w.bias;
    const at::Tensor reference = r(at::linear(in, weight, bias));
    const ScaleChoice c = searchScales(in, reference, options, [&](const at::Tensor& s) {
        return r(at::linear(in, scaledQuantized(weight, s, quant, r), bias));
    });
    if (ratio) *ratio = c.ratio;
    return c.scales;
}

at::Tensor awqClip(const at::Tensor& weight, const at::Tensor& inputs, const QuantConfig& quant,
                   const AwqOptions& options) {
    const std::int64_t cols = weight.size(1);
    at::Tensor x = inputs.reshape({-1, cols}).to(at::kFloat);
    const std::int64_t stride = std::max<std::int64_t>(1, x.size(0) / options.clipTokens);
    x = x.slice(0, 0, x.size(0), stride);  // every stride-th token, as the authors sample
    return options.precision == AwqPrecision::Float16 ? clipFloat16(weight, x, quant, options)
                                                      : clipFloat32(weight, x, quant, options);
}

std::vector<AwqLayerResult> searchAwq(const OptModel& fp, const at::Tensor& calibration,
                                      const QuantConfig& quant, const AwqOptions& options,
                                      const std::function<void(int, int)>& progress) {
    c10::InferenceMode guard;
    if (!fp.config().doLayerNormBefore)
        throw Error(
            "AWQ folds its scales into the LayerNorm before q/k/v and fc1, but this model applies "
            "its "
            "LayerNorms after them (post-LN, like OPT-350m); use --method rtn or gptq");
    const Arithmetic r16(options.precision);
    OptModel model = fp;  // scales and clips go into this copy, block by block
    // The authors' model is float16; so are the weights that float16 mode scales and clips.
    if (r16.half) model.roundToFloat16();
    const int layers = int(model.layers().size());
    validateGroupSizes(model, quant);
    std::vector<at::Tensor> hidden =
        embedInChunks(model, calibration, options.chunkSamples);  // block inputs
    // In float16 mode the recorded inputs are float16 values (kept in the model's dtype).
    auto recorded = [&](const at::Tensor& x) { return r16.half ? r16(x).to(x.scalar_type()) : x; };

    std::vector<AwqLayerResult> results;
    for (int l = 0; l < layers; ++l) {
        const std::size_t li = std::size_t(l);
        std::vector<at::Tensor> qkvIn, outIn, fc1In, fc2In;
        for (at::Tensor& h : hidden) {
            BlockLinearInputs in;
            h = model.forwardLayer(li, h, &in);  // full-precision outputs feed the next block
            qkvIn.push_back(recorded(in.qkv)), outIn.push_back(recorded(in.out));
            fc1In.push_back(recorded(in.fc1)), fc2In.push_back(recorded(in.fc2));
        }
        OptLayer& layer = model.layers()[li];
        AwqLayerResult r;

        // LayerNorm 1 -> q/k/v: inspect the whole attention (out_proj in full precision), which
        // runs in the model's dtype.
        {
            std::vector<at::Tensor> reference;
            for (const auto& x : qkvIn) reference.push_back(model.selfAttention(li, x));
            const OptLayer original = layer;
            const ScaleChoice c = searchScales(
                at::cat(qkvIn, 0), r16(at::cat(reference, 0)), options, [&](const at::Tensor& s) {
                    layer.q.weight = scaledQuantized(original.q.weight, s, quant, r16);
                    layer.k.weight = scaledQuantized(original.k.weight, s, quant, r16);
                    layer.v.weight = scaledQuantized(original.v.weight, s, quant, r16);
                    std::vector<at::Tensor> out;
                    for (const auto& x : qkvIn) out.push_back(model.selfAttention(li, x));
                    layer = original;
                    return r16(at::cat(out, 0));
                });
            r.qkvScales = c.scales, r.qkvRatio = c.ratio;
        }
        r.outScales = awqSearchLinearScales(layer.out, flatten(outIn), quant, options, &r.outRatio);
        r.fc1Scales = awqSearchLinearScales(layer.fc1, flatten(fc1In), quant, options, &r.fc1Ratio);
        r.fc2Scales = awqSearchLinearScales(layer.fc2, flatten(fc2In), quant, options, &r.fc2Ratio);

        // Fold the scales, and scale the recorded inputs the same way for the clipping search.
        foldScales(layer, r, r16);
        if (options.clip) {
            auto scaledInputs = [&](const std::vector<at::Tensor>& in, const at::Tensor& s) {
                if (r16.half)
                    return r16(flatten(in).to(at::kFloat) / s.view({1, -1}).to(at::kFloat));
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

at::Tensor tensorOf(const std::vector<float>& v, std::vector<std::int64_t> shape,
                    const at::Device& device) {
    if (v.empty()) return {};
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    if (std::int64_t(v.size()) != n)
        throw Error("AWQ record has " + std::to_string(v.size()) + " values where " +
                    std::to_string(n) + " belong");
    return at::tensor(v).view(shape).to(device);
}

}  // namespace

AwqLayerRecord awqRecord(const AwqLayerResult& r) {
    return {toFloatVector(r.qkvScales), toFloatVector(r.outScales), toFloatVector(r.fc1Scales),
            toFloatVector(r.fc2Scales), toFloatVector(r.vClip),     toFloatVector(r.outClip),
            toFloatVector(r.fc1Clip),   toFloatVector(r.fc2Clip)};
}

AwqLayerResult awqFromRecord(const AwqLayerRecord& r, const OptConfig& c, const QuantConfig& quant,
                             const at::Device& device) {
    const std::int64_t h = c.hiddenSize, f = c.ffnDim;
    auto groups = [&](std::int64_t in) { return quant.groupsPerRow(in); };
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

void applyAwq(OptModel& model, const std::vector<AwqLayerResult>& result, const QuantConfig& quant,
              AwqPrecision precision) {
    c10::InferenceMode guard;
    const Arithmetic r(precision);
    if (r.half) model.roundToFloat16();
    for (std::size_t l = 0; l < result.size(); ++l) {
        foldScales(model.layers().at(l), result[l], r);
        foldClips(model.layers().at(l), result[l], quant);
    }
}

}  // namespace invx
