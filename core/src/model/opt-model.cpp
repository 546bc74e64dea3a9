#include "model/opt-model.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "invx/error.h"
#include "invx/model-loading.h"
#include "io/checkpoint-reader.h"
#include "model/causal-attention.h"

namespace invx {
namespace {

constexpr double kLayerNormEps = 1e-5;
constexpr std::int64_t kPositionOffset = 2;  // OPT's learned positions start at row 2

std::string shapeText(at::IntArrayRef shape) {
    std::ostringstream s;
    s << '[';
    for (std::size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
    return s.str() + ']';
}

// Finds tensors by their canonical name ("decoder.layers.0.fc1.weight"), whichever prefix the
// checkpoint used, checks their shapes against the config and converts them to the placement.
class TensorBinder {
  public:
    TensorBinder(const NamedTensors& tensors, const ModelPlacement& placement, std::string source)
        : placement_(placement), source_(std::move(source)) {
        for (const auto& [name, t] : tensors) {
            std::string canonical = name.rfind("model.", 0) == 0 ? name.substr(6) : name;
            byName_[canonical] = {name, t};
        }
    }

    bool has(const std::string& name) const { return byName_.count(name) > 0; }

    at::Tensor take(const std::string& name, std::vector<std::int64_t> shape,
                    const std::string& why) {
        auto it = byName_.find(name);
        if (it == byName_.end()) {
            throw Error("checkpoint '" + source_ + "' has no tensor '" + name +
                        "', which config.json (" + why +
                        ") requires; the weights do not belong to this config");
        }
        const at::Tensor& t = it->second.second;
        if (t.sizes() != at::IntArrayRef(shape)) {
            throw Error("checkpoint '" + source_ + "': tensor '" + it->second.first +
                        "' has shape " + shapeText(t.sizes()) + ", but config.json (" + why +
                        ") implies " + shapeText(shape) +
                        "; the weights do not belong to this config");
        }
        if (!at::isFloatingType(t.scalar_type()))
            throw Error("checkpoint '" + source_ + "': tensor '" + it->second.first +
                        "' is not floating point (" + c10::toString(t.scalar_type()) + ")");
        used_.insert(name);
        return t.to(placement_.device, placement_.dtype).contiguous();
    }

    std::vector<std::string> unused() const {
        std::vector<std::string> out;
        for (const auto& [name, stored] : byName_)
            if (!used_.count(name)) out.push_back(stored.first);
        return out;
    }

  private:
    ModelPlacement placement_;
    std::string source_;
    std::map<std::string, std::pair<std::string, at::Tensor>> byName_;
    std::set<std::string> used_;
};

at::Tensor linear(const at::Tensor& x, const LinearWeights& w) {
    return at::linear(x, w.weight, w.bias);
}

at::Tensor layerNorm(const at::Tensor& x, const LayerNormWeights& w) {
    return at::layer_norm(x, {x.size(-1)}, w.weight, w.bias, kLayerNormEps);
}

}  // namespace

namespace {
std::atomic<bool> allowNonFinite{false};
}  // namespace

void setAllowNonFiniteWeights(bool allow) { allowNonFinite = allow; }
bool nonFiniteWeightsAllowed() { return allowNonFinite; }

OptModel OptModel::load(const std::string& directory, const ModelPlacement& placement,
                        std::vector<std::string>* warnings) {
    const std::string configPath = (std::filesystem::path(directory) / "config.json").string();
    OptConfig config = OptConfig::fromFile(configPath);
    CheckpointReader reader(directory);
    // Shard by shard: a .bin shard is unpickled whole, so interleaving shards would reload them.
    std::vector<std::string> names = reader.names();
    std::stable_sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
        return reader.fileOf(a) < reader.fileOf(b);
    });
    // Each tensor goes to the model's device and dtype as soon as it is read, so that the host
    // holds one tensor at a time, not the whole checkpoint (26 GB for OPT-13B in float16). The
    // binder still names a tensor that is not floating point.
    NamedTensors tensors;
    for (const auto& name : names) {
        at::Tensor t = reader.load(name);
        if (at::isFloatingType(t.scalar_type())) {
            t = t.to(placement.device, placement.dtype);
            // A damaged or diverged checkpoint is refused here, not believed until a NaN
            // perplexity.
            if (!allowNonFinite) {
                const std::int64_t bad = (~at::isfinite(t)).sum().item<std::int64_t>();
                if (bad > 0)
                    throw Error(
                        "model '" + directory + "': tensor '" + name + "' holds " +
                        std::to_string(bad) + " NaN or infinite values (as " +
                        dtypeText(placement.dtype) +
                        "); the checkpoint is damaged (--allow-nonfinite-weights loads it anyway)");
            }
        }
        tensors.emplace_back(name, std::move(t));
    }
    return fromTensors(config, tensors, placement,
                       (std::filesystem::path(directory) / reader.format()).string(), warnings);
}

OptModel OptModel::fromTensors(const OptConfig& config, const NamedTensors& tensors,
                               const ModelPlacement& placement, const std::string& source,
                               std::vector<std::string>* warnings) {
    OptModel m;
    m.config_ = config;
    m.placement_ = placement;
    TensorBinder bind(tensors, placement, source);
    const std::int64_t h = config.hiddenSize, f = config.ffnDim, e = config.wordEmbedProjDim;
    const std::string hs = "hidden_size=" + std::to_string(h);
    const std::string fs = hs + ", ffn_dim=" + std::to_string(f);

    m.embedTokens_ = bind.take("decoder.embed_tokens.weight", {config.vocabSize, e},
                               "vocab_size=" + std::to_string(config.vocabSize) +
                                   ", word_embed_proj_dim=" + std::to_string(e));
    m.embedPositions_ =
        bind.take("decoder.embed_positions.weight", {config.maxPositions + kPositionOffset, h},
                  "max_position_embeddings=" + std::to_string(config.maxPositions));
    if (config.hasProjections()) {
        std::string why = hs + ", word_embed_proj_dim=" + std::to_string(e);
        m.projectIn_ = bind.take("decoder.project_in.weight", {h, e}, why);
        m.projectOut_ = bind.take("decoder.project_out.weight", {e, h}, why);
    }
    auto norm = [&](const std::string& prefix) {
        LayerNormWeights w;
        if (config.layerNormAffine) {
            w.weight = bind.take(prefix + ".weight", {h}, hs);
            w.bias = bind.take(prefix + ".bias", {h}, hs);
        }
        return w;
    };
    auto lin = [&](const std::string& prefix, std::int64_t out, std::int64_t in,
                   const std::string& why) {
        LinearWeights w;
        w.weight = bind.take(prefix + ".weight", {out, in}, why);
        if (config.enableBias) w.bias = bind.take(prefix + ".bias", {out}, why);
        return w;
    };
    if (config.hasFinalLayerNorm()) m.finalNorm_ = norm("decoder.final_layer_norm");

    for (std::int64_t l = 0; l < config.numLayers; ++l) {
        const std::string p = "decoder.layers." + std::to_string(l) + ".";
        OptLayer layer;
        layer.attnNorm = norm(p + "self_attn_layer_norm");
        layer.q = lin(p + "self_attn.q_proj", h, h, hs);
        layer.k = lin(p + "self_attn.k_proj", h, h, hs);
        layer.v = lin(p + "self_attn.v_proj", h, h, hs);
        layer.out = lin(p + "self_attn.out_proj", h, h, hs);
        layer.ffnNorm = norm(p + "final_layer_norm");
        layer.fc1 = lin(p + "fc1", f, h, fs);
        layer.fc2 = lin(p + "fc2", h, f, fs);
        m.layers_.push_back(std::move(layer));
    }
    if (bind.has("lm_head.weight")) {
        at::Tensor head = bind.take("lm_head.weight", {config.vocabSize, e}, "vocab_size");
        if (!config.tieWordEmbeddings) m.lmHead_ = head;
    } else if (!config.tieWordEmbeddings) {
        throw Error("checkpoint '" + source +
                    "' has no lm_head.weight, but config.json sets tie_word_embeddings to false");
    }
    if (warnings) {
        for (const auto& name : bind.unused())
            warnings->push_back("checkpoint '" + source + "': tensor '" + name +
                                "' is not part of an OPT model and was ignored");
    }
    return m;
}

at::Tensor OptModel::embed(const at::Tensor& ids) const {
    const std::int64_t seq = ids.size(-1);
    if (seq > config_.maxPositions) {
        throw Error("OPT forward expects at most max_position_embeddings=" +
                    std::to_string(config_.maxPositions) + " tokens per sequence, but got " +
                    std::to_string(seq));
    }
    return embedAt(ids, at::arange(kPositionOffset, seq + kPositionOffset,
                                   at::TensorOptions().device(placement_.device).dtype(at::kLong)));
}

at::Tensor OptModel::embed(const at::Tensor& ids, const at::Tensor& positions) const {
    const at::Tensor p = positions.to(placement_.device, at::kLong);
    if (p.numel() > 0) {
        const at::Tensor bounds = at::stack({p.min(), p.max()}).cpu();
        if (bounds[0].item<std::int64_t>() < 0 ||
            bounds[1].item<std::int64_t>() >= config_.maxPositions)
            throw Error("OPT forward expects positions in [0, " +
                        std::to_string(config_.maxPositions) + "), but got one outside");
    }
    return embedAt(ids, p + kPositionOffset);
}

at::Tensor OptModel::embedAt(const at::Tensor& ids, const at::Tensor& positionRows) const {
    at::Tensor idx = ids.to(placement_.device, at::kLong);
    // One transfer for both bounds: on CUDA each .item() is a synchronisation.
    at::Tensor bounds = idx.numel() > 0 ? at::stack({idx.min(), idx.max()}).cpu() : at::Tensor();
    if (bounds.defined() && (bounds[0].item<std::int64_t>() < 0 ||
                             bounds[1].item<std::int64_t>() >= config_.vocabSize)) {
        throw Error("OPT forward expects token ids in [0, " + std::to_string(config_.vocabSize) +
                    "), but got one outside; the tokenizer does not match the model");
    }
    at::Tensor x = at::embedding(embedTokens_, idx);
    if (projectIn_.defined()) x = at::linear(x, projectIn_);
    return x + at::embedding(embedPositions_, positionRows);
}

at::Tensor OptModel::selfAttention(std::size_t index, const at::Tensor& x,
                                   at::Tensor* outProjInput) const {
    return attend(index, x, outProjInput, at::Tensor());
}

at::Tensor OptModel::attend(std::size_t index, const at::Tensor& x, at::Tensor* outProjInput,
                            const at::Tensor& allowed) const {
    const OptLayer& layer = layers_.at(index);
    const std::int64_t batch = x.size(0), seq = x.size(1);
    const std::int64_t heads = config_.numHeads, headDim = config_.headDim();
    auto split = [&](const at::Tensor& t) {
        return t.view({batch, seq, heads, headDim}).transpose(1, 2);  // [B, H, T, D]
    };
    at::Tensor q = split(linear(x, layer.q));
    at::Tensor k = split(linear(x, layer.k));
    at::Tensor v = split(linear(x, layer.v));
    at::Tensor attn =
        allowed.defined() ? maskedAttention(q, k, v, allowed) : causalAttention(q, k, v);
    attn = attn.transpose(1, 2).reshape({batch, seq, heads * headDim});
    if (outProjInput) *outProjInput = attn;
    return linear(attn, layer.out);
}

at::Tensor OptModel::attentionHalf(std::size_t index, const at::Tensor& hidden,
                                   BlockLinearInputs* inputs) const {
    return attentionHalf(index, hidden, inputs, at::Tensor());
}

at::Tensor OptModel::attentionHalf(std::size_t index, const at::Tensor& hidden,
                                   BlockLinearInputs* inputs, const at::Tensor& allowed) const {
    const OptLayer& layer = layers_.at(index);
    const bool preLN = config_.doLayerNormBefore;
    at::Tensor x = preLN ? layerNorm(hidden, layer.attnNorm) : hidden;
    if (inputs) inputs->qkv = x;
    at::Tensor h = hidden + attend(index, x, inputs ? &inputs->out : nullptr, allowed);
    if (!preLN) h = layerNorm(h, layer.attnNorm);
    return h;
}

at::Tensor OptModel::ffnHalf(std::size_t index, const at::Tensor& afterAttention,
                             BlockLinearInputs* inputs) const {
    const OptLayer& layer = layers_.at(index);
    const bool preLN = config_.doLayerNormBefore;
    const at::Tensor& h = afterAttention;
    at::Tensor x = preLN ? layerNorm(h, layer.ffnNorm) : h;
    at::Tensor act = at::relu(linear(x, layer.fc1));
    if (inputs) inputs->fc1 = x, inputs->fc2 = act;
    at::Tensor out = h + linear(act, layer.fc2);
    if (!preLN) out = layerNorm(out, layer.ffnNorm);
    return out;
}

at::Tensor OptModel::forwardLayer(std::size_t index, const at::Tensor& hidden,
                                  BlockLinearInputs* inputs) const {
    return ffnHalf(index, attentionHalf(index, hidden, inputs), inputs);
}

at::Tensor OptModel::forwardLayerMasked(std::size_t index, const at::Tensor& hidden,
                                        const at::Tensor& allowed) const {
    return ffnHalf(index, attentionHalf(index, hidden, nullptr, allowed));
}

at::Tensor OptModel::head(const at::Tensor& hidden) const {
    at::Tensor x = hidden;
    if (config_.hasFinalLayerNorm()) x = layerNorm(x, finalNorm_);
    if (projectOut_.defined()) x = at::linear(x, projectOut_);
    return at::linear(x, lmHead_.defined() ? lmHead_ : embedTokens_);
}

at::Tensor OptModel::forward(const at::Tensor& ids, const std::vector<int>& captureLayers,
                             std::vector<at::Tensor>* captured) const {
    at::Tensor ids2 = ids.dim() == 1 ? ids.unsqueeze(0) : ids;
    at::Tensor h = embed(ids2);
    std::vector<at::Tensor> byLayer(layers_.size());
    for (std::size_t l = 0; l < layers_.size(); ++l) {
        h = forwardLayer(l, h);
        byLayer[l] = h;
    }
    if (captured) {
        for (int l : captureLayers) {
            if (l < 0 || std::size_t(l) >= layers_.size())
                throw Error("cannot capture the output of layer " + std::to_string(l) +
                            ": the model has " + std::to_string(layers_.size()) + " layers");
            captured->push_back(byLayer[std::size_t(l)]);
        }
    }
    return head(h);
}

void OptModel::roundToFloat16() {
    auto round = [](at::Tensor& t) {
        if (t.defined()) t = t.to(at::kHalf).to(t.scalar_type());
    };
    auto roundNorm = [&](LayerNormWeights& n) { round(n.weight), round(n.bias); };
    auto roundLinear = [&](LinearWeights& w) { round(w.weight), round(w.bias); };
    round(embedTokens_);
    round(embedPositions_);
    round(projectIn_);
    round(projectOut_);
    roundNorm(finalNorm_);
    round(lmHead_);
    for (OptLayer& layer : layers_) {
        roundNorm(layer.attnNorm);
        roundNorm(layer.ffnNorm);
        for (LinearWeights* w : {&layer.q, &layer.k, &layer.v, &layer.out, &layer.fc1, &layer.fc2})
            roundLinear(*w);
    }
}

NamedTensors OptModel::stateDict() const {
    NamedTensors out;
    const std::string d = "model.decoder.";
    out.emplace_back(d + "embed_tokens.weight", embedTokens_);
    out.emplace_back(d + "embed_positions.weight", embedPositions_);
    if (finalNorm_.weight.defined()) {
        out.emplace_back(d + "final_layer_norm.weight", finalNorm_.weight);
        out.emplace_back(d + "final_layer_norm.bias", finalNorm_.bias);
    }
    if (projectOut_.defined()) out.emplace_back(d + "project_out.weight", projectOut_);
    if (projectIn_.defined()) out.emplace_back(d + "project_in.weight", projectIn_);
    for (std::size_t l = 0; l < layers_.size(); ++l) {
        const OptLayer& layer = layers_[l];
        const std::string p = d + "layers." + std::to_string(l) + ".";
        auto addLinear = [&](const std::string& name, const LinearWeights& w) {
            out.emplace_back(p + name + ".weight", w.weight);
            if (w.bias.defined()) out.emplace_back(p + name + ".bias", w.bias);
        };
        auto addNorm = [&](const std::string& name, const LayerNormWeights& w) {
            if (!w.weight.defined()) return;
            out.emplace_back(p + name + ".weight", w.weight);
            out.emplace_back(p + name + ".bias", w.bias);
        };
        addLinear("self_attn.k_proj", layer.k);
        addLinear("self_attn.v_proj", layer.v);
        addLinear("self_attn.q_proj", layer.q);
        addLinear("self_attn.out_proj", layer.out);
        addNorm("self_attn_layer_norm", layer.attnNorm);
        addLinear("fc1", layer.fc1);
        addLinear("fc2", layer.fc2);
        addNorm("final_layer_norm", layer.ffnNorm);
    }
    if (lmHead_.defined()) out.emplace_back("lm_head.weight", lmHead_);
    return out;
}

}  // namespace invx
