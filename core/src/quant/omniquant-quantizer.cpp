#include "quant/omniquant-quantizer.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>
#include <c10/core/InferenceMode.h>

#include <cmath>
#include <string>

#include "invx/error.h"
#include "model/tensor-values.h"
#include "quant/group-quantizer.h"
#include "quant/rtn-quantizer.h"

namespace invx {
namespace {

constexpr double kScaleFloor = 1e-2;       // |LET scale| >= this, as the authors' truncate_number
constexpr double kStatisticFloor = 1e-5;   // activation and weight maxima, initial scales
constexpr double kBoundInit = 4.0;         // LWC's logits start here (sigmoid 0.982)
constexpr std::int64_t kForwardChunk = 8;  // sequences per forward outside training

std::vector<LinearWeights*> linearsOf(OptLayer& l) {
    return {&l.q, &l.k, &l.v, &l.out, &l.fc1, &l.fc2};  // kGptqLinearNames' order
}

// Every tensor of a block replaced by fn(tensor).
void mapLayer(OptLayer& l, const std::function<at::Tensor(const at::Tensor&)>& fn) {
    for (LayerNormWeights* n : {&l.attnNorm, &l.ffnNorm}) {
        if (n->weight.defined()) n->weight = fn(n->weight);
        if (n->bias.defined()) n->bias = fn(n->bias);
    }
    for (LinearWeights* w : linearsOf(l)) {
        w->weight = fn(w->weight);
        if (w->bias.defined()) w->bias = fn(w->bias);
    }
}

at::Tensor float16Values(const at::Tensor& t) { return t.to(at::kHalf).to(t.scalar_type()); }

// `value` going forward, `t`'s gradient (identity) going back.
at::Tensor straightThrough(const at::Tensor& t, const at::Tensor& value) {
    if (!t.requires_grad()) return value;
    return value.detach() + (t - t.detach());
}

at::Tensor roundedToFloat16StraightThrough(const at::Tensor& t) {
    return straightThrough(t, float16Values(t));
}

void requireFoldable(const OptLayer& l) {
    if (!l.attnNorm.weight.defined() || !l.attnNorm.bias.defined() || !l.ffnNorm.weight.defined() ||
        !l.ffnNorm.bias.defined())
        throw Error(
            "OmniQuant's LET folds its scales into the LayerNorms' weights and biases, but this "
            "model's LayerNorms have none; turn LET off (--let off)");
}

// AdamW (weight decay 0) as torch.optim.AdamW computes a step.
class AdamW {
  public:
    AdamW(std::vector<at::Tensor> params, double lr) : params_(std::move(params)), lr_(lr) {
        for (const at::Tensor& p : params_) {
            m_.push_back(at::zeros_like(p));
            v_.push_back(at::zeros_like(p));
        }
    }
    void zeroGrad() {
        for (at::Tensor& p : params_)
            if (p.grad().defined()) p.mutable_grad().zero_();
    }
    void step() {
        at::NoGradGuard noGrad;
        ++t_;
        const double c1 = 1.0 - std::pow(kBeta1, double(t_)),
                     c2 = 1.0 - std::pow(kBeta2, double(t_));
        for (std::size_t i = 0; i < params_.size(); ++i) {
            const at::Tensor g = params_[i].grad();
            if (!g.defined()) continue;
            m_[i].mul_(kBeta1).add_(g, 1.0 - kBeta1);
            v_[i].mul_(kBeta2).addcmul_(g, g, 1.0 - kBeta2);
            const at::Tensor denominator = (v_[i].sqrt() / std::sqrt(c2)).add_(kEpsilon);
            params_[i].addcdiv_(m_[i], denominator, -lr_ / c1);
        }
    }

  private:
    static constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kEpsilon = 1e-8;
    std::vector<at::Tensor> params_, m_, v_;
    double lr_;
    std::int64_t t_ = 0;
};

// SmoothQuant's scale act_max^a / w_max^(1-a); w_max over the rows of the layer the scale feeds
// (for q/k/v, q_proj's, as the authors' code takes it).
at::Tensor smoothQuantScales(const at::Tensor& actMax, const at::Tensor& weight, double alpha) {
    const at::Tensor wMax = weight.abs().amax(0).clamp_min(kStatisticFloor);
    return (actMax.clamp_min(kStatisticFloor).pow(alpha) / wMax.pow(1.0 - alpha))
        .clamp_min(kStatisticFloor);
}

// Keeps each scale at |s| >= 1e-2, its sign kept (0 counts as positive).
void keepAwayFromZero(at::Tensor& s) {
    at::NoGradGuard noGrad;
    s.copy_(at::where(
        s.abs() < kScaleFloor,
        at::where(s < 0, at::full_like(s, -kScaleFloor), at::full_like(s, kScaleFloor)), s));
}

// Runs `block` over `input` [samples, length, hidden] in chunks; returns the outputs.
at::Tensor forwardInChunks(const OptModel& model, std::size_t layer, const at::Tensor& input,
                           const std::function<void(const BlockLinearInputs&)>& seen = {}) {
    at::NoGradGuard noGrad;
    std::vector<at::Tensor> out;
    for (std::int64_t s = 0; s < input.size(0); s += kForwardChunk) {
        BlockLinearInputs in;
        out.push_back(model.forwardLayer(
            layer, input.narrow(0, s, std::min(kForwardChunk, input.size(0) - s)),
            seen ? &in : nullptr));
        if (seen) seen(in);
    }
    return at::cat(out, 0);
}

}  // namespace

OmniquantOptions omniquantOptionsOf(const SearchSettings& s) {
    OmniquantOptions o;
    o.epochs = s.omniquantEpochs;
    o.letLearningRate = s.omniquantLetLr;
    o.lwcLearningRate = s.omniquantLwcLr;
    o.lwc = s.omniquantLwc == "on";
    o.let = s.omniquantLet == "on";
    o.alpha = s.omniquantAlpha;
    return o;
}

void foldLet(OptLayer& l, const at::Tensor& qkv, const at::Tensor& out, const at::Tensor& fc1,
             const at::Tensor& qk) {
    auto divideNorm = [](LayerNormWeights& n, const at::Tensor& s) {
        n.weight = n.weight / s;
        n.bias = n.bias / s;
    };
    auto scaleRows = [](LinearWeights& w, const at::Tensor& s, bool divide) {
        w.weight = divide ? w.weight / s.view({-1, 1}) : w.weight * s.view({-1, 1});
        if (w.bias.defined()) w.bias = divide ? w.bias / s : w.bias * s;
    };
    divideNorm(l.attnNorm, qkv);
    for (LinearWeights* w : {&l.q, &l.k, &l.v}) w->weight = w->weight * qkv.view({1, -1});
    divideNorm(l.ffnNorm, fc1);
    l.fc1.weight = l.fc1.weight * fc1.view({1, -1});
    scaleRows(l.v, out, /*divide=*/true);             // v's output rows and bias ...
    l.out.weight = l.out.weight * out.view({1, -1});  // ... and out_proj's input columns
    scaleRows(l.q, qk, /*divide=*/true);
    scaleRows(l.k, qk, /*divide=*/false);
}

at::Tensor lwcClip(const at::Tensor& weight, const at::Tensor& upper, const at::Tensor& lower,
                   const QuantConfig& quant) {
    const std::int64_t rows = weight.size(0), cols = weight.size(1);
    const std::int64_t g = quant.groupWidth(cols);
    const at::Tensor grouped = weight.reshape({rows, cols / g, g});
    const at::Tensor hi = upper.to(weight.scalar_type()).unsqueeze(-1) * grouped.amax(-1, true);
    const at::Tensor lo = lower.to(weight.scalar_type()).unsqueeze(-1) * grouped.amin(-1, true);
    return at::minimum(at::maximum(grouped, lo), hi).reshape({rows, cols});
}

at::Tensor lwcFakeQuantize(const at::Tensor& weight, const at::Tensor& upper,
                           const at::Tensor& lower, const QuantConfig& quant) {
    quant.validate(weight.size(1));
    const std::int64_t rows = weight.size(0), cols = weight.size(1);
    const std::int64_t g = quant.groupWidth(cols);
    const double qmax = double(quant.qmax());
    const at::Tensor grouped = weight.to(at::kFloat).reshape({rows, cols / g, g});
    const at::Tensor hi = roundedToFloat16StraightThrough(upper.to(at::kFloat).unsqueeze(-1) *
                                                          grouped.amax(-1, true));
    const at::Tensor lo = roundedToFloat16StraightThrough(lower.to(at::kFloat).unsqueeze(-1) *
                                                          grouped.amin(-1, true));
    const at::Tensor scale = (hi - lo).clamp_min(1e-5) / qmax;
    const at::Tensor zero = (-at::round(lo.detach() / scale.detach())).clamp(0.0, qmax);
    const at::Tensor x = grouped / scale;
    const at::Tensor q = (straightThrough(x, at::round(x)) + zero).clamp(0.0, qmax);
    return ((q - zero) * scale).reshape({rows, cols}).to(weight.scalar_type());
}

at::Tensor fakeQuantizeStraightThrough(const at::Tensor& weight, const QuantConfig& quant) {
    // fakeQuantize's operations, one by one, with round(x) taken as x going back.
    quant.validate(weight.size(1));
    const double qmax = double(quant.qmax());
    const at::Tensor w = weight.to(at::kFloat).reshape({-1, quant.groupWidth(weight.size(1))});
    const at::Tensor maxv = w.amax({1}, true), minv = w.amin({1}, true);
    const at::Tensor scale = (maxv - minv).clamp_min(1e-5) / qmax;
    const at::Tensor zero = (-at::round(minv.detach() / scale.detach())).clamp(0.0, qmax);
    const at::Tensor x = w / scale;
    const at::Tensor q = (straightThrough(x, at::round(x)) + zero).clamp(0.0, qmax);
    return ((q - zero) * scale).view(weight.sizes()).to(weight.scalar_type());
}

OptLayer omniquantLayer(const OptLayer& layer, const OmniquantLayerResult& r,
                        const QuantConfig& quant) {
    at::NoGradGuard noGrad;
    const at::ScalarType dtype = layer.q.weight.scalar_type();
    OptLayer t = layer;
    mapLayer(t, [](const at::Tensor& x) { return x.to(at::kFloat); });
    if (r.qkvScales.defined()) {
        requireFoldable(t);
        foldLet(t, r.qkvScales.to(at::kFloat), r.outScales.to(at::kFloat),
                r.fc1Scales.to(at::kFloat), r.qkScales.to(at::kFloat));
    }
    mapLayer(t, float16Values);
    const auto linears = linearsOf(t);
    for (std::size_t i = 0; i < linears.size(); ++i)
        if (r.upper[i].defined())
            linears[i]->weight = float16Values(lwcClip(
                linears[i]->weight, r.upper[i].to(at::kFloat), r.lower[i].to(at::kFloat), quant));
    mapLayer(t, [dtype](const at::Tensor& x) { return x.to(dtype); });
    return t;
}

void applyOmniquant(OptModel& model, const std::vector<OmniquantLayerResult>& result,
                    const QuantConfig& quant) {
    if (result.size() != model.layers().size())
        throw Error("OmniQuant's results cover " + std::to_string(result.size()) +
                    " blocks, but the model has " + std::to_string(model.layers().size()));
    for (std::size_t l = 0; l < result.size(); ++l)
        model.layers()[l] = omniquantLayer(model.layers()[l], result[l], quant);
}

std::vector<OmniquantLayerResult> trainOmniquant(const OptModel& fp, const at::Tensor& calibration,
                                                 const QuantConfig& quant,
                                                 const OmniquantOptions& options,
                                                 const OmniquantProgress& progress) {
    // Autograd on, even where the caller runs in inference mode; every tensor trained on is made
    // here (cloned), so none is an inference tensor.
    c10::InferenceMode inferenceOff(false);
    at::AutoGradMode gradOn(true);
    if (options.let && !fp.config().doLayerNormBefore)
        throw Error(
            "OmniQuant's LET folds its scales into the LayerNorm before q/k/v and fc1, but this "
            "model applies its LayerNorms after them (post-LN, like OPT-350m); turn LET off "
            "(--let off) or use another method");
    if (options.epochs < 0)
        throw Error("OmniQuant expects epochs >= 0, but got " + std::to_string(options.epochs));
    if (!calibration.defined() || calibration.dim() != 2 || calibration.size(0) == 0)
        throw Error("OmniQuant needs calibration token ids [samples, length]; none were given");
    OptModel model = fp;
    model.roundToFloat16();  // the values the search and `invx apply` start from
    validateGroupSizes(model, quant);
    const std::int64_t hidden = model.config().hiddenSize;
    const std::int64_t batch = std::max<std::int64_t>(1, options.batchSamples);

    at::Tensor fpIn;
    {
        at::NoGradGuard noGrad;
        fpIn = at::cat(embedInChunks(model, calibration, kForwardChunk), 0).to(at::kFloat).clone();
    }
    at::Tensor qIn = fpIn.clone();
    const std::int64_t samples = fpIn.size(0);
    OptModel work = model;  // the block being trained is installed here
    const int layers = int(model.layers().size());
    std::vector<OmniquantLayerResult> results;
    for (int l = 0; l < layers; ++l) {
        const std::size_t li = std::size_t(l);
        OptLayer original = model.layers()[li];
        mapLayer(original, [](const at::Tensor& t) { return t.to(at::kFloat).clone(); });
        if (options.let) requireFoldable(original);

        // The full-precision block on full-precision inputs: the targets, and the activation
        // maxima LET's scales start from.
        work.layers()[li] = original;
        at::Tensor actQkv = at::zeros({hidden}, fpIn.options());
        at::Tensor actOut = actQkv.clone(), actFc1 = actQkv.clone();
        auto channelMax = [hidden](const at::Tensor& x) {
            return x.abs().reshape({-1, hidden}).amax(0).to(at::kFloat);
        };
        const at::Tensor fpOut = forwardInChunks(work, li, fpIn, [&](const BlockLinearInputs& in) {
            actQkv = at::maximum(actQkv, channelMax(in.qkv));
            actOut = at::maximum(actOut, channelMax(in.out));
            actFc1 = at::maximum(actFc1, channelMax(in.fc1));
        });

        std::vector<at::Tensor> letParams, lwcParams;
        at::Tensor sQkv, sOut, sFc1, sQk;
        if (options.let) {
            at::NoGradGuard noGrad;
            sQkv = smoothQuantScales(actQkv, original.q.weight, options.alpha);
            sOut = smoothQuantScales(actOut, original.out.weight, options.alpha);
            sFc1 = smoothQuantScales(actFc1, original.fc1.weight, options.alpha);
            sQk = at::ones({hidden}, fpIn.options());
            letParams = {sQkv, sOut, sFc1, sQk};
        }
        at::Tensor upper[6], lower[6];
        if (options.lwc) {
            const auto linears = linearsOf(original);
            for (std::size_t i = 0; i < 6; ++i) {
                const at::Tensor& w = linears[i]->weight;
                const std::int64_t groups = quant.groupsPerRow(w.size(1));
                upper[i] = at::full({w.size(0), groups}, kBoundInit, fpIn.options());
                lower[i] = upper[i].clone();
                lwcParams.push_back(upper[i]);
                lwcParams.push_back(lower[i]);
            }
        }
        for (at::Tensor& p : letParams) p.requires_grad_(true);
        for (at::Tensor& p : lwcParams) p.requires_grad_(true);
        AdamW letOptimizer(letParams, options.letLearningRate);
        AdamW lwcOptimizer(lwcParams, options.lwcLearningRate);

        // The quantized block as a function of the parameters: omniquantLayer's folds and
        // roundings, then LWC's quantizer (the exported clip's values, the authors' gradient),
        // every rounding straight-through.
        auto quantizedBlock = [&]() {
            OptLayer t = original;
            if (options.let) foldLet(t, sQkv, sOut, sFc1, sQk);
            mapLayer(t, roundedToFloat16StraightThrough);
            const auto linears = linearsOf(t);
            for (std::size_t i = 0; i < 6; ++i) {
                const at::Tensor& w = linears[i]->weight;
                linears[i]->weight = options.lwc ? lwcFakeQuantize(w, at::sigmoid(upper[i]),
                                                                   at::sigmoid(lower[i]), quant)
                                                 : fakeQuantizeStraightThrough(w, quant);
            }
            return t;
        };

        OmniquantLayerResult r;
        const bool trains = !letParams.empty() || !lwcParams.empty();
        for (int epoch = 0; trains && epoch < options.epochs; ++epoch) {
            double sum = 0;
            int count = 0;
            for (std::int64_t s = 0; s < samples; s += batch) {
                const std::int64_t n = std::min(batch, samples - s);
                for (at::Tensor& p : letParams) keepAwayFromZero(p);
                work.layers()[li] = quantizedBlock();
                const at::Tensor out = work.forwardLayer(li, qIn.narrow(0, s, n));
                const at::Tensor loss = at::mse_loss(out, fpOut.narrow(0, s, n));
                const double value = loss.item<double>();
                if (!std::isfinite(value))
                    throw Error("OmniQuant's loss became " + std::to_string(value) + " in block " +
                                std::to_string(l) + ", epoch " + std::to_string(epoch + 1) +
                                "; lower the learning rates (--let-lr, --lwc-lr)");
                letOptimizer.zeroGrad();
                lwcOptimizer.zeroGrad();
                loss.backward();
                letOptimizer.step();
                lwcOptimizer.step();
                sum += value;
                ++count;
            }
            r.epochLoss.push_back(sum / count);
            if (progress) progress(l, layers, epoch + 1, options.epochs, r.epochLoss.back());
        }

        // What was learned, and the block as exported, which the next block's inputs go through.
        for (at::Tensor& p : letParams) keepAwayFromZero(p);
        {
            at::NoGradGuard noGrad;
            if (options.let) {
                r.qkvScales = sQkv.detach().clone();
                r.outScales = sOut.detach().clone();
                r.fc1Scales = sFc1.detach().clone();
                r.qkScales = sQk.detach().clone();
            }
            if (options.lwc)
                for (std::size_t i = 0; i < 6; ++i) {
                    r.upper[i] = at::sigmoid(upper[i]).detach();
                    r.lower[i] = at::sigmoid(lower[i]).detach();
                }
            OptLayer exported = omniquantLayer(original, r, quant);
            for (LinearWeights* w : linearsOf(exported)) w->weight = fakeQuantize(w->weight, quant);
            work.layers()[li] = exported;
            qIn = forwardInChunks(work, li, qIn);
            fpIn = fpOut;
        }
        results.push_back(std::move(r));
    }
    return results;
}

namespace {

at::Tensor tensorOf(const std::vector<float>& v, std::vector<std::int64_t> shape,
                    const at::Device& device, const std::string& what) {
    if (v.empty()) return {};
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    if (std::int64_t(v.size()) != n)
        throw Error("OmniQuant record's " + what + " has " + std::to_string(v.size()) +
                    " values where " + std::to_string(n) + " belong");
    return at::tensor(v).view(shape).to(device);
}

}  // namespace

OmniquantLayerRecord omniquantRecord(const OmniquantLayerResult& r) {
    OmniquantLayerRecord out;
    out.qkvScales = toFloatVector(r.qkvScales);
    out.outScales = toFloatVector(r.outScales);
    out.fc1Scales = toFloatVector(r.fc1Scales);
    out.qkScales = toFloatVector(r.qkScales);
    for (int i = 0; i < 6; ++i) {
        out.upperClip[i] = toFloatVector(r.upper[i]);
        out.lowerClip[i] = toFloatVector(r.lower[i]);
    }
    out.epochLoss = r.epochLoss;
    return out;
}

OmniquantLayerResult omniquantFromRecord(const OmniquantLayerRecord& record,
                                         const OptConfig& config, const QuantConfig& quant,
                                         const at::Device& device) {
    const std::int64_t h = config.hiddenSize, f = config.ffnDim;
    OmniquantLayerResult out;
    out.qkvScales = tensorOf(record.qkvScales, {h}, device, "qkv_scales");
    out.outScales = tensorOf(record.outScales, {h}, device, "out_scales");
    out.fc1Scales = tensorOf(record.fc1Scales, {h}, device, "fc1_scales");
    out.qkScales = tensorOf(record.qkScales, {h}, device, "qk_scales");
    const bool let = out.qkvScales.defined();
    if (out.outScales.defined() != let || out.fc1Scales.defined() != let ||
        out.qkScales.defined() != let)
        throw Error("OmniQuant record holds some of LET's four scales but not all of them");
    const std::int64_t rows[6] = {h, h, h, h, f, h}, cols[6] = {h, h, h, h, h, f};
    for (int i = 0; i < 6; ++i) {
        const std::vector<std::int64_t> shape = {rows[i], quant.groupsPerRow(cols[i])};
        const std::string name = kGptqLinearNames[i];
        out.upper[i] = tensorOf(record.upperClip[i], shape, device, name + "_upper");
        out.lower[i] = tensorOf(record.lowerClip[i], shape, device, name + "_lower");
        if (out.upper[i].defined() != out.lower[i].defined())
            throw Error("OmniQuant record holds one of " + name +
                        "'s clip bounds without the other");
    }
    out.epochLoss = record.epochLoss;
    return out;
}

}  // namespace invx
