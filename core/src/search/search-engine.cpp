#include "search/search-engine.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include "invx/error.h"
#include "quant/awq-quantizer.h"
#include "quant/base-quantization.h"
#include "quant/gptq-quantizer.h"
#include "quant/group-quantizer.h"
#include "quant/omniquant-quantizer.h"
#include "quant/rtn-quantizer.h"
#include "search/loss-kernels.h"
#include "search/quantized-ffn.h"
#include "search/weight-snapshot.h"

namespace invx {
namespace {

// Summed next-token cross-entropy of the LM head over `hidden` [batch, seq, width], as a float64
// scalar on the device: the step reads it with the MSE terms in one transfer.
// - With the CUDA kernels, the logits of about 4,096 tokens at a time (400 MB in float16 at OPT's
//   vocabulary, not 1.6 GB for the whole batch) go to the row cross-entropy kernel, which reads
//   them once and never makes a float copy.
// - On the CPU, one sequence at a time, so each block of logits is consumed while it is still in
//   cache; logsumexp minus the target logit never writes the log-softmax out.
at::Tensor headCrossEntropySum(const OptModel& model, const at::Tensor& hidden,
                               const at::Tensor& ids) {
    const std::int64_t batch = hidden.size(0), seq = hidden.size(1);
    const bool kernel = hidden.is_cuda() && lossKernelsTake(hidden) && fusedKernelsEnabled();
    const std::int64_t chunk = kernel             ? std::max<std::int64_t>(1, 4096 / seq)
                               : hidden.is_cuda() ? batch
                                                  : 1;
    std::vector<at::Tensor> sums;
    for (std::int64_t b = 0; b < batch; b += chunk) {
        const std::int64_t n = std::min(chunk, batch - b);
        const at::Tensor logits = model.head(hidden.narrow(0, b, n).narrow(1, 0, seq - 1));
        const at::Tensor targets = ids.narrow(0, b, n).narrow(1, 1, seq - 1);
        if (kernel) {
            sums.push_back(
                rowCrossEntropy(logits.reshape({n * (seq - 1), -1}), targets).sum(at::kDouble));
        } else {
            const at::Tensor x = logits.to(at::kFloat);
            sums.push_back(
                (at::logsumexp(x, -1) - x.gather(-1, targets.unsqueeze(-1)).squeeze(-1)).sum());
        }
    }
    return at::stack(sums).to(at::kDouble).sum();
}

// The mean cross-entropy and the values of the MSE terms, in their order, read from the device in
// one transfer: the step's only synchronisation before its decision.
std::pair<double, std::vector<double>> readLosses(const at::Tensor& ceSum, double tokens,
                                                  const std::vector<at::Tensor>& terms) {
    std::vector<at::Tensor> values{ceSum.reshape({1})};
    for (const at::Tensor& t : terms) values.push_back(t.to(at::kDouble).reshape({1}));
    const at::Tensor host = at::cat(values).to(at::kCPU);
    const double* v = host.data_ptr<double>();
    return {v[0] / tokens, std::vector<double>(v + 1, v + host.numel())};
}

double tokensOf(const at::Tensor& ids) { return double(ids.size(0) * (ids.size(1) - 1)); }

}  // namespace

SearchEngine::SearchEngine(OptModel model, const SearchSettings& settings,
                           const at::Tensor& calibration, const BaseInputs& baseInputs)
    : settings_(settings), model_(std::move(model)), rng_(settings.seed) {
    c10::InferenceMode guard;
    const OptConfig& config = model_.config();
    const int layers = int(config.numLayers);
    settings_.validateForModel(config.hiddenSize, config.ffnDim, layers);
    // AWQ in float16 ends, as its authors' code does, with RTN in float16 arithmetic; so does every
    // candidate, so that the identity state is AWQ's model.
    if (settings_.base == "awq")
        settings_.quant = finalQuantizerOfAwq(settings_.quant, awqPrecisionOf(settings_));
    calibration_ = calibration.to(model_.placement().device, at::kLong);
    // The search works on the float16 values `invx apply` writes, so that an applied checkpoint
    // quantizes to exactly the model the search ended with.
    model_.roundToFloat16();

    matched_ = settings_.matchedLayerIndices(layers);
    matchedSlot_.assign(std::size_t(layers), -1);
    for (std::size_t i = 0; i < matched_.size(); ++i)
        matchedSlot_[std::size_t(matched_[i])] = int(i);

    // Full-precision targets, computed once: from the unmodified model, and again below from the
    // AWQ-applied one when the targets are the base method's (--targets base).
    const at::Tensor h = computeTargets(model_);
    base_.fullPrecisionCe =
        readLosses(headCrossEntropySum(model_, h, calibration_), tokensOf(calibration_), {}).first;

    const bool baseCalibrated =
        baseInputs.calibration.defined() && baseInputs.calibration.numel() > 0;
    if ((settings_.base == "gptq" || (settings_.base == "awq" && baseInputs.awq.empty()) ||
         (settings_.base == "omniquant" && baseInputs.omniquant.empty())) &&
        !baseCalibrated)
        throw Error("the search's base method " + settings_.base +
                    " needs calibration data; none was given");
    // The reference mode recomputes the full-precision targets every step, so it keeps that model.
    if (settings_.mode == "reference") fullPrecision_ = std::make_unique<OptModel>(model_);
    if (settings_.base == "awq") {
        // The search starts from the AWQ-scaled (and clipped) full-precision weights.
        std::vector<AwqLayerResult> awq;
        if (!baseInputs.awq.empty()) {
            for (const auto& r : baseInputs.awq)
                awq.push_back(awqFromRecord(r, config, settings_.quant, model_.placement().device));
        } else {
            AwqOptions options;
            options.precision = awqPrecisionOf(settings_);
            awq = searchAwq(model_, baseInputs.calibration, settings_.quant, options);
        }
        applyAwq(model_, awq, settings_.quant, awqPrecisionOf(settings_));
        model_.roundToFloat16();  // as `invx apply` stores the scaled weights
        for (const auto& r : awq) awq_.push_back(awqRecord(r));
        if (settings_.targets == "base") {
            computeTargets(model_);
            if (fullPrecision_) fullPrecision_ = std::make_unique<OptModel>(model_);
        }
    }
    if (settings_.base == "omniquant") {
        // The search starts from OmniQuant's folded (LET) and clipped (LWC) full-precision
        // weights, whose RTN is OmniQuant's model bit for bit (quant/omniquant-quantizer.h).
        std::vector<OmniquantLayerResult> omniquant;
        if (!baseInputs.omniquant.empty()) {
            for (const auto& r : baseInputs.omniquant)
                omniquant.push_back(
                    omniquantFromRecord(r, config, settings_.quant, model_.placement().device));
        } else {
            OmniquantTrainingHooks hooks;
            hooks.progress = [&baseInputs](int block, int blocks, int epoch, int epochs,
                                           double loss) {
                if (baseInputs.progress)
                    baseInputs.progress(omniquantProgressText(block, blocks, epoch, epochs, loss));
            };
            if (baseInputs.omniquantBlockFinished)
                hooks.blockFinished = [&baseInputs](int block, const OmniquantLayerResult& r) {
                    baseInputs.omniquantBlockFinished(block, omniquantRecord(r));
                };
            hooks.stopRequested = baseInputs.stopRequested;
            for (const auto& r : baseInputs.omniquantFinished)
                hooks.finished.push_back(
                    omniquantFromRecord(r, config, settings_.quant, model_.placement().device));
            hooks.inProgress = baseInputs.omniquantInProgress;
            omniquant = trainOmniquant(model_, baseInputs.calibration, settings_.quant,
                                       omniquantOptionsOf(settings_), hooks);
        }
        applyOmniquant(model_, omniquant, settings_.quant);
        for (const auto& r : omniquant) omniquant_.push_back(omniquantRecord(r));
        if (settings_.targets == "base") {
            computeTargets(model_);
            if (fullPrecision_) fullPrecision_ = std::make_unique<OptModel>(model_);
        }
    }
    for (int l = 0; l < layers; ++l) {
        const OptLayer& layer = model_.layers()[std::size_t(l)];
        fullPrecisionFfn_.push_back(
            {layer.fc1.weight.clone(),
             layer.fc1.bias.defined() ? layer.fc1.bias.clone() : at::Tensor(),
             layer.fc2.weight.clone()});
    }

    if (settings_.base == "gptq") {
        GptqExtras extras;
        if (rerunsGptq()) extras.ffnHessians = &gptqHessians_;
        if (baseInputs.gptq.empty())
            extras.records = &gptq_;
        else
            extras.reuse = &baseInputs.gptq;
        quantizeGptq(model_, baseInputs.calibration, settings_.quant, GptqOptions{}, extras);
        if (!baseInputs.gptq.empty()) gptq_ = baseInputs.gptq;
        if (!rerunsGptq()) startFromGptqWeights();
    } else {
        quantizeRtn(model_, settings_.quant);
    }
    state_.assign(std::size_t(layers), LayerInvariance::identity(config.ffnDim));
    for (int l = 0; l < layers; ++l) installFfn(l, buildQuantizedFfn(l, state_[std::size_t(l)]));

    const Losses initial = forwardAll(settings_.mode == "fast", &attention_, targets_);
    mse_ = initial.mse;
    base_.method = settings_.base;
    base_.ce0 = initial.ce;
    base_.mse0 = combinedMse(initial.mse);
    base_.matchedLayers = matched_;
    best_ = lossOf(initial);  // exactly 1 + alpha (1 when MSE0 is 0)
}

at::Tensor SearchEngine::computeTargets(const OptModel& model) {
    c10::InferenceMode guard;
    targets_.assign(matched_.size(), at::Tensor());
    at::Tensor h = model.embed(calibration_);
    for (std::size_t l = 0; l < model.layers().size(); ++l) {
        h = model.forwardLayer(l, h);
        if (int slot = matchedSlot_[l]; slot >= 0) targets_[std::size_t(slot)] = h;
    }
    return h;
}

FfnWeights SearchEngine::buildQuantizedFfn(int layer, const LayerInvariance& state) const {
    c10::InferenceMode guard;
    if (!rerunsGptq())
        return quantizedFfn(fullPrecisionFfn_.at(std::size_t(layer)), state, settings_.quant);
    // GPTQ again on the transformed weights, with the base run's Hessians carried through the
    // transformation: fc1's input is unchanged, fc2's is transformed like its columns.
    const FfnWeights t = transformFfnForStorage(fullPrecisionFfn_.at(std::size_t(layer)), state);
    const auto& [h1, h2] = gptqHessians_.at(std::size_t(layer));
    return {gptqQuantizeWeight(t.w1, h1, settings_.quant, GptqOptions{}).weight, t.b1,
            gptqQuantizeWeight(t.w2, transformFfnHessian(h2, state), settings_.quant, GptqOptions{})
                .weight};
}

bool SearchEngine::rerunsGptq() const {
    return settings_.base == "gptq" && settings_.gptqCandidates == "gptq";
}

void SearchEngine::startFromGptqWeights() {
    // GPTQ's dequantized FFN weights take the place of the full-precision ones, as AWQ's scaled
    // weights do. Where a group's codes span the whole integer range, RTN of them gives back
    // GPTQ's grid; where GPTQ's compensation left a group short of an end, RTN fits a narrower
    // one, so the identity state is close to GPTQ's model, not equal (docs/base-methods.md).
    // Rounded to float16 like every starting weight of the search.
    for (std::size_t l = 0; l < fullPrecisionFfn_.size(); ++l) {
        const OptLayer& layer = model_.layers()[l];
        auto half = [](const at::Tensor& t) { return t.to(at::kHalf).to(t.scalar_type()); };
        fullPrecisionFfn_[l].w1 = half(layer.fc1.weight);
        fullPrecisionFfn_[l].w2 = half(layer.fc2.weight);
    }
}

void SearchEngine::installFfn(int layer, const FfnWeights& w) {
    OptLayer& l = model_.layers()[std::size_t(layer)];
    l.fc1.weight = w.w1;
    l.fc1.bias = w.b1;
    l.fc2.weight = w.w2;
}

FfnWeights SearchEngine::currentFfn(int layer) const {
    const OptLayer& l = model_.layers()[std::size_t(layer)];
    return {l.fc1.weight, l.fc1.bias, l.fc2.weight};
}

at::Tensor SearchEngine::mseTerm(const at::Tensor& hidden, const at::Tensor& target) const {
    // On CUDA one pass over both (clamped-squared-error-kernel.h); the same value, summed in
    // another order, as the tensor operations below, which stay on the CPU so that its results do
    // not move.
    if (hidden.is_cuda() && lossKernelsTake(hidden) && fusedKernelsEnabled() &&
        target.scalar_type() == hidden.scalar_type())
        return clampedSquaredErrorMean(hidden, target);
    const at::Tensor diff = hidden.to(at::kFloat) - target.to(at::kFloat);
    return diff.clamp(-100.0, 100.0).pow(2).mean();
}

std::vector<at::Tensor> SearchEngine::fullPrecisionTargets() const {
    std::vector<at::Tensor> targets(matched_.size());
    if (matched_.empty()) return targets;
    const int last = *std::max_element(matched_.begin(), matched_.end());
    at::Tensor h = fullPrecision_->embed(calibration_);
    for (int l = 0; l <= last; ++l) {
        h = fullPrecision_->forwardLayer(std::size_t(l), h);
        if (int slot = matchedSlot_[std::size_t(l)]; slot >= 0) targets[std::size_t(slot)] = h;
    }
    return targets;
}

SearchEngine::Losses SearchEngine::forwardAll(bool cacheAttention,
                                              std::vector<at::Tensor>* attention,
                                              const std::vector<at::Tensor>& targets) const {
    const int layers = int(model_.layers().size());
    if (cacheAttention) attention->assign(std::size_t(layers), at::Tensor());
    std::vector<at::Tensor> terms;
    at::Tensor h = model_.embed(calibration_);
    for (int l = 0; l < layers; ++l) {
        const at::Tensor a = model_.attentionHalf(std::size_t(l), h);
        if (cacheAttention) (*attention)[std::size_t(l)] = a;
        h = model_.ffnHalf(std::size_t(l), a);
        if (int slot = matchedSlot_[std::size_t(l)]; slot >= 0)
            terms.push_back(mseTerm(h, targets[std::size_t(slot)]));
    }
    Losses out;
    const auto [ce, values] =
        readLosses(headCrossEntropySum(model_, h, calibration_), tokensOf(calibration_), terms);
    out.ce = ce;
    // Layers are visited in increasing order; matched_ lists them from the last one down.
    out.mse.assign(matched_.size(), 0.0);
    std::size_t t = 0;
    for (int l = 0; l < layers; ++l)
        if (int slot = matchedSlot_[std::size_t(l)]; slot >= 0)
            out.mse[std::size_t(slot)] = values[t++];
    return out;
}

SearchEngine::Losses SearchEngine::forwardFrom(int layer,
                                               std::vector<at::Tensor>& newAttention) const {
    const int layers = int(model_.layers().size());
    newAttention.assign(std::size_t(layers), at::Tensor());
    std::vector<std::pair<int, at::Tensor>> terms;
    at::Tensor h = model_.ffnHalf(std::size_t(layer), attention_[std::size_t(layer)]);
    if (int slot = matchedSlot_[std::size_t(layer)]; slot >= 0)
        terms.push_back({slot, mseTerm(h, targets_[std::size_t(slot)])});
    for (int l = layer + 1; l < layers; ++l) {
        const at::Tensor a = model_.attentionHalf(std::size_t(l), h);
        newAttention[std::size_t(l)] = a;
        h = model_.ffnHalf(std::size_t(l), a);
        if (int slot = matchedSlot_[std::size_t(l)]; slot >= 0)
            terms.push_back({slot, mseTerm(h, targets_[std::size_t(slot)])});
    }
    std::vector<at::Tensor> values;
    for (auto& t : terms) values.push_back(t.second);
    Losses out;
    const auto [ce, mse] =
        readLosses(headCrossEntropySum(model_, h, calibration_), tokensOf(calibration_), values);
    out.ce = ce;
    out.mse = mse_;  // layers before `layer` are unchanged
    for (std::size_t i = 0; i < terms.size(); ++i) out.mse[std::size_t(terms[i].first)] = mse[i];
    return out;
}

double SearchEngine::combinedMse(const std::vector<double>& mse) const {
    if (mse.empty()) return 0.0;
    double sum = 0;
    for (double v : mse) sum += v;  // matched order: the same sum in both modes
    return sum / double(mse.size());
}

double SearchEngine::lossOf(const Losses& l) const {
    // With no quantization error at the matched layers (MSE0 = 0) the MSE term stays at alpha.
    const double mseRatio = base_.mse0 > 0 ? combinedMse(l.mse) / base_.mse0 : 1.0;
    return l.ce / base_.ce0 + settings_.alpha * mseRatio;
}

StepRecord SearchEngine::step() {
    c10::InferenceMode guard;
    Proposal p = proposeStep(state_, settings_, rng_);
    const FfnWeights previous = currentFfn(p.layer);
    installFfn(p.layer, buildQuantizedFfn(p.layer, p.candidate));

    const bool fast = settings_.mode == "fast";
    std::vector<at::Tensor> newAttention;
    const Losses losses = fast ? forwardFrom(p.layer, newAttention)
                               : forwardAll(false, nullptr, fullPrecisionTargets());
    const double loss = lossOf(losses);

    StepRecord r;
    r.step = ++step_;
    r.layer = p.layer;
    r.loss = loss;
    r.ce = losses.ce;
    r.mse = combinedMse(losses.mse);
    r.accepted = loss < best_;
    if (r.accepted) {
        best_ = loss;
        ++accepted_;
        state_[std::size_t(p.layer)] = std::move(p.candidate);
        mse_ = losses.mse;
        if (fast)
            for (std::size_t l = std::size_t(p.layer) + 1; l < newAttention.size(); ++l)
                attention_[l] = newAttention[l];
    } else {
        installFfn(p.layer, previous);  // the very tensors that were there: bit for bit
    }
    recent_.push_back(r.accepted ? 1 : 0);
    if (recent_.size() > std::size_t(StepRecord::kRecentWindow)) recent_.pop_front();
    r.acceptanceRate = double(accepted_) / double(step_);
    std::int64_t recentAccepted = 0;
    for (auto a : recent_) recentAccepted += a;
    r.recentAcceptanceRate = double(recentAccepted) / double(recent_.size());
    return r;
}

void SearchEngine::restore(const SearchCheckpoint& c) {
    c10::InferenceMode guard;
    const std::int64_t ffn = model_.config().ffnDim;
    if (c.layers.size() != state_.size())
        throw Error("the checkpoint holds " + std::to_string(c.layers.size()) +
                    " layers, but the model has " + std::to_string(state_.size()));
    for (const auto& l : c.layers)
        if (std::int64_t(l.permutation.size()) != ffn || std::int64_t(l.scales.size()) != ffn ||
            std::int64_t(l.angles.size()) != ffn / 2)
            throw Error("the checkpoint's invariance state does not match the model's FFN width " +
                        std::to_string(ffn));
    state_ = c.layers;
    for (int l = 0; l < int(state_.size()); ++l)
        installFfn(l, buildQuantizedFfn(l, state_[std::size_t(l)]));
    const Losses now = forwardAll(settings_.mode == "fast", &attention_, targets_);
    mse_ = now.mse;
    rng_ = RandomGenerator::fromState(c.rng);
    step_ = c.step;
    accepted_ = c.acceptedSteps;
    best_ = c.bestLoss;
    recent_.assign(c.recentAccepted.begin(), c.recentAccepted.end());
}

SearchCheckpoint SearchEngine::checkpoint() const {
    SearchCheckpoint c;
    c.step = step_;
    c.acceptedSteps = accepted_;
    c.bestLoss = best_;
    c.rng = rng_.state();
    c.recentAccepted.assign(recent_.begin(), recent_.end());
    c.layers = state_;
    return c;
}

std::pair<double, double> SearchEngine::measureCurrent() const {
    c10::InferenceMode guard;
    const Losses l = forwardAll(false, nullptr, targets_);
    return {l.ce, combinedMse(l.mse)};
}

void SearchEngine::requireLayer(int layer) const {
    if (layer < 0 || layer >= int(state_.size()))
        throw Error("cannot snapshot layer " + std::to_string(layer) +
                    ": the model has layers 0 to " + std::to_string(state_.size() - 1));
}

LayerSnapshot SearchEngine::snapshotWith(int layer, const LayerInvariance& state,
                                         const FfnWeights& quantized) const {
    c10::InferenceMode guard;
    const FfnWeights& fp = fullPrecisionFfn_[std::size_t(layer)];
    const FfnWeights t = transformFfnForStorage(fp, state);
    LayerSnapshot s;
    s.step = step_;
    s.layer = layer;
    s.fc1 = makeWeightSnapshot("fc1", fp.w1, t.w1, quantized.w1, settings_.quant);
    s.fc2 = makeWeightSnapshot("fc2", fp.w2, t.w2, quantized.w2, settings_.quant);
    s.invariance = state;
    return s;
}

LayerSnapshot SearchEngine::snapshot(int layer) const {
    requireLayer(layer);
    return snapshotWith(layer, state_[std::size_t(layer)], currentFfn(layer));
}

LayerSnapshot SearchEngine::snapshotOf(int layer, const LayerInvariance& state) const {
    requireLayer(layer);
    return snapshotWith(layer, state, buildQuantizedFfn(layer, state));
}

}  // namespace invx
