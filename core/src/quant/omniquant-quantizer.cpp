#include "quant/omniquant-quantizer.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>
#include <c10/core/InferenceMode.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>
#include <string>

#include "invx/error.h"
#include "kernels/lwc-quantize-kernel.h"
#include "model/tensor-values.h"
#include "quant/group-quantizer.h"
#include "quant/rtn-quantizer.h"

#ifdef INVX_CUDA_KERNELS
#include <c10/cuda/CUDAStream.h>
#endif

namespace invx {
namespace {

constexpr double kScaleFloor = 1e-2;       // |LET scale| >= this, as the authors' truncate_number
constexpr double kStatisticFloor = 1e-5;   // activation and weight maxima, initial scales
constexpr double kBoundInit = 4.0;         // LWC's logits start here (sigmoid 0.982)
constexpr std::int64_t kForwardChunk = 8;  // sequences per forward outside training

std::vector<LinearWeights*> linearsOf(OptLayer& l) {
    return {&l.q, &l.k, &l.v, &l.out, &l.fc1, &l.fc2};  // kGptqLinearNames' order
}

// Every tensor of a block replaced by fn(tensor) (the linear layers' weights only if `weights`).
void mapLayer(OptLayer& l, const std::function<at::Tensor(const at::Tensor&)>& fn,
              bool weights = true) {
    for (LayerNormWeights* n : {&l.attnNorm, &l.ffnNorm}) {
        if (n->weight.defined()) n->weight = fn(n->weight);
        if (n->bias.defined()) n->bias = fn(n->bias);
    }
    for (LinearWeights* w : linearsOf(l)) {
        if (weights) w->weight = fn(w->weight);
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

    // What a stopped training keeps, and gives back to resume.
    const std::vector<at::Tensor>& firstMoments() const { return m_; }
    const std::vector<at::Tensor>& secondMoments() const { return v_; }
    std::int64_t steps() const { return t_; }
    void setSteps(std::int64_t t) { t_ = t; }

  private:
    static constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kEpsilon = 1e-8;
    std::vector<at::Tensor> params_, m_, v_;
    double lr_;
    std::int64_t t_ = 0;
};

// torch.amp.GradScaler's dynamic loss scale (its defaults): the loss is multiplied by the scale
// before the backward pass so that float16 gradients do not flush to zero; the gradients are
// divided by it again; a step whose gradients are not all finite is skipped and halves the scale,
// and 2000 finite steps in a row double it.
class LossScale {
  public:
    double value = 65536.0;
    std::int64_t steps = 0;  // finite steps since the scale last changed

    // Divides the gradients by the scale; whether all of them are finite (else skip the step).
    bool unscale(const std::vector<at::Tensor>& params) const {
        at::NoGradGuard noGrad;
        const double inverse = double(float(1.0 / value));  // as GradScaler, in float32
        at::Tensor bad;
        for (const at::Tensor& p : params) {
            at::Tensor g = p.grad();
            if (!g.defined()) continue;
            g.mul_(inverse);
            const at::Tensor b = at::logical_not(at::isfinite(g)).any();
            bad = bad.defined() ? at::logical_or(bad, b) : b;
        }
        return !bad.defined() || !bad.item<bool>();
    }
    void update(bool finite) {
        if (!finite) {
            value *= 0.5;
            steps = 0;
        } else if (++steps == 2000) {
            value *= 2.0;
            steps = 0;
        }
    }
};

bool trainsInFloat16(const OmniquantOptions& options, const at::Device& device) {
    if (options.precision == "float32") return false;
    if (options.precision == "float16" && !device.is_cuda())
        throw Error("OmniQuant's float16 training needs a CUDA device; this model is on the " +
                    device.str() + " (use --omniquant-precision float32, or auto)");
    if (options.precision != "float16" && options.precision != "auto")
        throw Error("OmniQuant's precision must be auto, float16 or float32, but is '" +
                    options.precision + "'");
    return device.is_cuda();
}

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

// LET's four scales and LWC's twelve bound tensors (upper and lower of each linear layer) as one
// record, and back: how a stopped training keeps its parameters and AdamW's moments.
OmniquantLayerRecord recordOf(const std::vector<at::Tensor>& let,
                              const std::vector<at::Tensor>& lwc,
                              std::vector<double> epochLoss = {}) {
    OmniquantLayerRecord r;
    std::vector<float>* scales[] = {&r.qkvScales, &r.outScales, &r.fc1Scales, &r.qkScales};
    for (std::size_t i = 0; i < let.size(); ++i) *scales[i] = toFloatVector(let[i]);
    for (std::size_t i = 0; i < lwc.size() / 2; ++i) {
        r.upperClip[i] = toFloatVector(lwc[2 * i]);
        r.lowerClip[i] = toFloatVector(lwc[2 * i + 1]);
    }
    r.epochLoss = std::move(epochLoss);
    return r;
}

void restoreFrom(const OmniquantLayerRecord& r, std::vector<at::Tensor>& let,
                 std::vector<at::Tensor>& lwc) {
    at::NoGradGuard noGrad;
    auto copy = [](at::Tensor& t, const std::vector<float>& v, const char* what) {
        if (std::int64_t(v.size()) != t.numel())
            throw Error(std::string("the stopped OmniQuant training's ") + what + " holds " +
                        std::to_string(v.size()) + " values where " + std::to_string(t.numel()) +
                        " belong; it was made with other settings or another model");
        t.copy_(at::tensor(v).view(t.sizes()).to(t.device()));
    };
    const std::vector<float>* scales[] = {&r.qkvScales, &r.outScales, &r.fc1Scales, &r.qkScales};
    for (std::size_t i = 0; i < let.size(); ++i) copy(let[i], *scales[i], "LET scales");
    for (std::size_t i = 0; i < lwc.size() / 2; ++i) {
        copy(lwc[2 * i], r.upperClip[i], "LWC bounds");
        copy(lwc[2 * i + 1], r.lowerClip[i], "LWC bounds");
    }
}

}  // namespace

OmniquantStopped::OmniquantStopped(OmniquantTrainingRecord at)
    : Error("OmniQuant's training was stopped in block " + std::to_string(at.block + 1) +
            ", epoch " + std::to_string(at.epoch + 1)),
      state(std::move(at)) {}

OmniquantOptions omniquantOptionsOf(const SearchSettings& s) {
    OmniquantOptions o;
    o.epochs = s.omniquantEpochs;
    o.letLearningRate = s.omniquantLetLr;
    o.lwcLearningRate = s.omniquantLwcLr;
    o.lwc = s.omniquantLwc == "on";
    o.let = s.omniquantLet == "on";
    o.alpha = s.omniquantAlpha;
    o.precision = s.omniquantPrecision;
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

namespace {

// LWC's quantizer by the kernels of kernels/lwc-quantize-kernel.h (one pass forward, one back).
class LwcQuantizeFunction : public torch::autograd::Function<LwcQuantizeFunction> {
  public:
    static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& weight,
                              const at::Tensor& upper, const at::Tensor& lower, std::int64_t width,
                              double qmax, bool float16Weights) {
        ctx->save_for_backward({weight, upper, lower});
        ctx->saved_data["width"] = width;
        ctx->saved_data["qmax"] = qmax;
        ctx->saved_data["float16"] = float16Weights;
        at::Tensor out = at::empty_like(weight);
        LwcQuantizeArgs a = argsOf(weight, upper, lower, width, qmax, float16Weights);
        a.out = out.data_ptr<float>();
        launch(a, weight, /*backward=*/false);
        return out;
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const at::Tensor &weight = saved[0], &upper = saved[1], &lower = saved[2];
        const at::Tensor gradOut = grads[0].to(at::kFloat).contiguous();
        at::Tensor gw = at::empty_like(weight), gu = at::empty_like(upper),
                   gl = at::empty_like(lower);
        LwcQuantizeArgs a =
            argsOf(weight, upper, lower, ctx->saved_data["width"].toInt(),
                   ctx->saved_data["qmax"].toDouble(), ctx->saved_data["float16"].toBool());
        a.gradOut = gradOut.data_ptr<float>();
        a.gradWeight = gw.data_ptr<float>();
        a.gradUpper = gu.data_ptr<float>();
        a.gradLower = gl.data_ptr<float>();
        launch(a, weight, /*backward=*/true);
        return {gw, gu, gl, at::Tensor(), at::Tensor(), at::Tensor()};
    }

  private:
    static LwcQuantizeArgs argsOf(const at::Tensor& weight, const at::Tensor& upper,
                                  const at::Tensor& lower, std::int64_t width, double qmax,
                                  bool float16Weights) {
        LwcQuantizeArgs a;
        a.float16Weights = float16Weights;
        a.weight = weight.data_ptr<float>();
        a.upper = upper.data_ptr<float>();
        a.lower = lower.data_ptr<float>();
        a.rows = weight.size(0), a.cols = weight.size(1), a.width = width;
        a.qmax = float(qmax);
        return a;
    }
    // On `on`'s device: the CPU twin, or the CUDA kernel on libtorch's current stream.
    static void launch(const LwcQuantizeArgs& a, const at::Tensor& on, bool backward) {
        if (!on.is_cuda()) {
            backward ? lwcQuantizeBackwardCpu(a) : lwcQuantizeForwardCpu(a);
            return;
        }
#ifdef INVX_CUDA_KERNELS
        void* stream = c10::cuda::getCurrentCUDAStream(on.device().index()).stream();
        backward ? lwcQuantizeBackwardCuda(a, stream) : lwcQuantizeForwardCuda(a, stream);
#else
        throw Error("the LWC quantizer on CUDA needs the CUDA kernels, which this build has not");
#endif
    }
};

}  // namespace

bool lwcKernelsTake(const at::Tensor& weight) {
#ifdef INVX_CUDA_KERNELS
    return weight.is_cuda() || weight.is_cpu();
#else
    return weight.is_cpu();
#endif
}

namespace {

at::Tensor lwcByKernels(const at::Tensor& weight, const at::Tensor& upper, const at::Tensor& lower,
                        const QuantConfig& quant, bool float16Weights) {
    quant.validate(weight.size(1));
    const at::Tensor out = LwcQuantizeFunction::apply(
        weight.to(at::kFloat).contiguous(), upper.to(at::kFloat).contiguous(),
        lower.to(at::kFloat).contiguous(), quant.groupWidth(weight.size(1)), double(quant.qmax()),
        float16Weights);
    return out.to(weight.scalar_type());
}

}  // namespace

at::Tensor lwcFakeQuantize(const at::Tensor& weight, const at::Tensor& upper,
                           const at::Tensor& lower, const QuantConfig& quant) {
    if (!lwcKernelsTake(weight)) return lwcFakeQuantizeByTensorOps(weight, upper, lower, quant);
    return lwcByKernels(weight, upper, lower, quant, /*float16Weights=*/false);
}

at::Tensor lwcFakeQuantizeOfFloat16(const at::Tensor& weight, const at::Tensor& upper,
                                    const at::Tensor& lower, const QuantConfig& quant) {
    if (!lwcKernelsTake(weight))
        return lwcFakeQuantizeByTensorOps(roundedToFloat16StraightThrough(weight), upper, lower,
                                          quant);
    return lwcByKernels(weight, upper, lower, quant, /*float16Weights=*/true);
}

at::Tensor lwcFakeQuantizeByTensorOps(const at::Tensor& weight, const at::Tensor& upper,
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
                                                 const OmniquantTrainingHooks& hooks) {
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
    const int layers = int(model.layers().size());
    const bool float16 = trainsInFloat16(options, model.placement().device);
    if (int(hooks.finished.size()) > layers ||
        (hooks.inProgress && hooks.inProgress->block != std::int64_t(hooks.finished.size())))
        throw Error("the stopped OmniQuant training to resume from does not fit this model: " +
                    std::to_string(hooks.finished.size()) + " blocks finished of " +
                    std::to_string(layers));

    at::Tensor fpIn;
    {
        at::NoGradGuard noGrad;
        fpIn = at::cat(embedInChunks(model, calibration, kForwardChunk), 0).to(at::kFloat).clone();
    }
    at::Tensor qIn = fpIn.clone();
    const std::int64_t samples = fpIn.size(0);
    OptModel work = model;  // the block being trained is installed here
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

        // The block as exported, which the next block's inputs go through.
        auto finishBlock = [&](OmniquantLayerResult r) {
            at::NoGradGuard noGrad;
            OptLayer exported = omniquantLayer(original, r, quant);
            for (LinearWeights* w : linearsOf(exported)) w->weight = fakeQuantize(w->weight, quant);
            work.layers()[li] = exported;
            qIn = forwardInChunks(work, li, qIn);
            fpIn = fpOut;
            results.push_back(std::move(r));
        };
        if (li < hooks.finished.size()) {  // resuming: finished before
            finishBlock(hooks.finished[li]);
            continue;
        }

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
        LossScale lossScale;
        std::vector<at::Tensor> allParams = letParams;
        allParams.insert(allParams.end(), lwcParams.begin(), lwcParams.end());

        OmniquantLayerResult r;
        std::int64_t firstEpoch = 0, firstSample = 0;
        double resumedSum = 0;
        if (hooks.inProgress && li == hooks.finished.size()) {  // resuming inside this block
            const OmniquantTrainingRecord& at = *hooks.inProgress;
            restoreFrom(at.parameters, letParams, lwcParams);
            std::vector<at::Tensor> m1 = letOptimizer.firstMoments(),
                                    m2 = letOptimizer.secondMoments(),
                                    w1 = lwcOptimizer.firstMoments(),
                                    w2 = lwcOptimizer.secondMoments();
            restoreFrom(at.firstMoment, m1, w1);
            restoreFrom(at.secondMoment, m2, w2);
            letOptimizer.setSteps(at.optimizerSteps);
            lwcOptimizer.setSteps(at.optimizerSteps);
            lossScale.value = at.lossScale;
            lossScale.steps = at.lossScaleSteps;
            r.epochLoss = at.parameters.epochLoss;
            firstEpoch = at.epoch;
            firstSample = at.sample;
            resumedSum = at.epochLossSum;
        }

        // The quantized block as a function of the parameters: omniquantLayer's folds and
        // roundings, then LWC's quantizer (the exported clip's values, the authors' gradient),
        // every rounding straight-through.
        auto quantizedBlock = [&]() {
            OptLayer t = original;
            if (options.let) foldLet(t, sQkv, sOut, sFc1, sQk);
            // The weights' rounding to float16 is LWC's quantizer's first step (one pass).
            mapLayer(t, roundedToFloat16StraightThrough, /*weights=*/!options.lwc);
            const auto linears = linearsOf(t);
            for (std::size_t i = 0; i < 6; ++i) {
                const at::Tensor& w = linears[i]->weight;
                linears[i]->weight = options.lwc
                                         ? lwcFakeQuantizeOfFloat16(w, at::sigmoid(upper[i]),
                                                                    at::sigmoid(lower[i]), quant)
                                         : fakeQuantizeStraightThrough(w, quant);
            }
            return t;
        };
        auto stoppedAt = [&](std::int64_t epoch, std::int64_t sample, double sum) {
            OmniquantTrainingRecord at;
            at.block = l;
            at.epoch = epoch;
            at.sample = sample;
            at.epochLossSum = sum;
            at.optimizerSteps = letOptimizer.steps();
            at.lossScale = float16 ? lossScale.value : 1.0;
            at.lossScaleSteps = lossScale.steps;
            at.parameters = recordOf(letParams, lwcParams, r.epochLoss);
            at.firstMoment = recordOf(letOptimizer.firstMoments(), lwcOptimizer.firstMoments());
            at.secondMoment = recordOf(letOptimizer.secondMoments(), lwcOptimizer.secondMoments());
            return OmniquantStopped(std::move(at));
        };

        const bool trains = !letParams.empty() || !lwcParams.empty();
        for (std::int64_t epoch = firstEpoch; trains && epoch < options.epochs; ++epoch) {
            const bool resumed = epoch == firstEpoch;
            double sum = resumed ? resumedSum : 0.0;
            for (std::int64_t s = resumed ? firstSample : 0; s < samples; s += batch) {
                const std::int64_t n = std::min(batch, samples - s);
                for (at::Tensor& p : letParams) keepAwayFromZero(p);
                OptLayer block = quantizedBlock();
                at::Tensor in = qIn.narrow(0, s, n);
                if (float16) {  // the products, LayerNorms and attention in float16
                    mapLayer(block, [](const at::Tensor& t) { return t.to(at::kHalf); });
                    in = in.to(at::kHalf);
                }
                work.layers()[li] = std::move(block);
                const at::Tensor out = work.forwardLayer(li, in).to(at::kFloat);
                const at::Tensor loss = at::mse_loss(out, fpOut.narrow(0, s, n));
                const double value = loss.item<double>();
                if (!std::isfinite(value))
                    throw Error(
                        "OmniQuant's loss became " + std::to_string(value) + " in block " +
                        std::to_string(l) + ", epoch " + std::to_string(epoch + 1) +
                        "; lower the learning rates (--let-lr, --lwc-lr)" +
                        (float16 ? " or train in float32 (--omniquant-precision float32)" : ""));
                letOptimizer.zeroGrad();
                lwcOptimizer.zeroGrad();
                if (float16) {
                    (loss * lossScale.value).backward();
                    const bool finite = lossScale.unscale(allParams);
                    if (finite) {
                        letOptimizer.step();
                        lwcOptimizer.step();
                    }
                    lossScale.update(finite);
                } else {
                    loss.backward();
                    letOptimizer.step();
                    lwcOptimizer.step();
                }
                sum += value;
                if (hooks.stopRequested && hooks.stopRequested())
                    throw stoppedAt(epoch, s + n, sum);
            }
            const std::int64_t count = (samples + batch - 1) / batch;
            r.epochLoss.push_back(sum / double(count));
            if (hooks.progress)
                hooks.progress(l, layers, int(epoch + 1), options.epochs, r.epochLoss.back());
        }

        // What was learned.
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
        }
        if (hooks.blockFinished) hooks.blockFinished(l, r);
        finishBlock(std::move(r));
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
