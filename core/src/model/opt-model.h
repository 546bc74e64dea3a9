#pragma once
// The OPT decoder in libtorch: learned positions (offset 2), causal multi-head attention, pre- or
// post-LayerNorm blocks, ReLU FFN, LM head tied to the token embedding. float32 on CPU,
// float16/bfloat16 on CUDA. Weights are plain tensors so quantizers and the search can rewrite
// them.
#include <ATen/core/Tensor.h>

#include <string>
#include <utility>
#include <vector>

#include "invx/opt-config.h"

namespace invx {

struct LinearWeights {
    at::Tensor weight;  // [out, in]
    at::Tensor bias;    // [out], undefined when the model has no biases
};

struct LayerNormWeights {
    at::Tensor weight, bias;  // [hidden]; undefined when not elementwise-affine
};

struct OptLayer {
    LayerNormWeights attnNorm;  // self_attn_layer_norm
    LinearWeights q, k, v, out;
    LayerNormWeights ffnNorm;  // final_layer_norm of the block
    LinearWeights fc1, fc2;
};

// The inputs of a block's linear layers: q/k/v share one, then out_proj, fc1, fc2.
struct BlockLinearInputs {
    at::Tensor qkv, out, fc1, fc2;
};

struct ModelPlacement {
    at::Device device = at::kCPU;
    at::ScalarType dtype = at::kFloat;
};

// "cpu" | "cuda" | "auto" and "auto" | "float32" | "float16" | "bfloat16" (auto: float32 on CPU,
// float16 on CUDA). Throws invx::Error for other names or when CUDA is asked for but missing.
ModelPlacement parsePlacement(const std::string& device, const std::string& dtype);
std::string dtypeText(at::ScalarType dtype);

// Named list of tensors, in the order they are listed in a Hugging Face OPT state_dict.
using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

class OptModel {
  public:
    // Loads config.json and the weights of a Hugging Face directory. Tensors the model does not
    // use are reported in `warnings` (when given) instead of failing the load.
    static OptModel load(const std::string& directory, const ModelPlacement& placement,
                         std::vector<std::string>* warnings = nullptr);
    // Builds a model from tensors named as in a Hugging Face state_dict ("model.decoder..." or
    // "decoder..."); `source` names where they came from in errors.
    static OptModel fromTensors(const OptConfig& config, const NamedTensors& tensors,
                                const ModelPlacement& placement, const std::string& source,
                                std::vector<std::string>* warnings = nullptr);

    const OptConfig& config() const { return config_; }
    const ModelPlacement& placement() const { return placement_; }
    std::vector<OptLayer>& layers() { return layers_; }
    const std::vector<OptLayer>& layers() const { return layers_; }

    // ids: [batch, seq] int64 on any device. Returns the input of the first block.
    at::Tensor embed(const at::Tensor& ids) const;
    // The same at given positions [batch, seq] (0-based, below max_position_embeddings): packed
    // rows, where several continuations of one context each start at the context's end.
    at::Tensor embed(const at::Tensor& ids, const at::Tensor& positions) const;
    // A block over packed rows: each query sees the keys `allowed` [batch, seq, seq] (bool,
    // query x key) says, instead of the causal triangle.
    at::Tensor forwardLayerMasked(std::size_t layer, const at::Tensor& hidden,
                                  const at::Tensor& allowed) const;
    // One decoder block: hidden [batch, seq, hidden] -> its output. With `inputs`, also the inputs
    // of its linear layers (what AWQ and GPTQ calibrate on).
    at::Tensor forwardLayer(std::size_t layer, const at::Tensor& hidden,
                            BlockLinearInputs* inputs = nullptr) const;
    // The two halves of a block: forwardLayer(l, h) == ffnHalf(l, attentionHalf(l, h)), bit for
    // bit. The search caches attentionHalf, which a change to the FFN of block l cannot affect.
    at::Tensor attentionHalf(std::size_t layer, const at::Tensor& hidden,
                             BlockLinearInputs* inputs = nullptr) const;
    at::Tensor ffnHalf(std::size_t layer, const at::Tensor& afterAttention,
                       BlockLinearInputs* inputs = nullptr) const;
    // q/k/v, causal attention and out_proj of block `layer` on its normalized input (no residual):
    // the module AWQ inspects for the q/k/v scales.
    at::Tensor selfAttention(std::size_t layer, const at::Tensor& normed,
                             at::Tensor* outProjInput = nullptr) const;
    // Final LayerNorm and project_out, then the LM head: [batch, seq, vocab] in the model's dtype.
    at::Tensor head(const at::Tensor& hidden) const;
    // The whole model. When `captureLayers` is given, the outputs of those blocks are appended to
    // `captured` in the order listed.
    at::Tensor forward(const at::Tensor& ids, const std::vector<int>& captureLayers = {},
                       std::vector<at::Tensor>* captured = nullptr) const;

    // Rounds every weight to float16 precision (kept in the model's dtype): the precision OPT
    // checkpoints and `invx apply` store. A float16 checkpoint is left exactly as it is.
    void roundToFloat16();

    // The weights under transformers' OPTForCausalLM names ("model.decoder.layers.0.fc1.weight").
    NamedTensors stateDict() const;

  private:
    OptConfig config_;
    ModelPlacement placement_;
    at::Tensor embedTokens_;             // [vocab, word_embed_proj_dim]
    at::Tensor embedPositions_;          // [max_positions + 2, hidden]
    at::Tensor projectIn_, projectOut_;  // only when word_embed_proj_dim != hidden
    LayerNormWeights finalNorm_;         // only for pre-LN models
    // embed with the rows of the position table given (positions already checked, plus OPT's
    // offset), so that the plain forward adds no work for the packed one.
    at::Tensor embedAt(const at::Tensor& ids, const at::Tensor& positionRows) const;
    // selfAttention and attentionHalf with an optional mask (undefined: causal).
    at::Tensor attend(std::size_t layer, const at::Tensor& normed, at::Tensor* outProjInput,
                      const at::Tensor& allowed) const;
    at::Tensor attentionHalf(std::size_t layer, const at::Tensor& hidden, BlockLinearInputs* inputs,
                             const at::Tensor& allowed) const;
    at::Tensor lmHead_;  // undefined when tied to embedTokens_
    std::vector<OptLayer> layers_;
};

}  // namespace invx
