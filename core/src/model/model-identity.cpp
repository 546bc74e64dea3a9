#include "model/model-identity.h"

#include <ATen/ATen.h>

#include <cstdio>
#include <cstring>

#include "invx/error.h"

namespace invx {
namespace {

struct Fnv1a {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    void add(const void* data, std::size_t n) {
        const auto* p = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
    }
    void add(const std::string& s) { add(s.data(), s.size()); }
};

}  // namespace

ModelIdentity identifyModel(const OptModel& model, const std::string& path) {
    ModelIdentity id;
    id.path = path;
    const OptConfig& c = model.config();
    id.layers = int(c.numLayers);
    id.hidden = c.hiddenSize;
    id.ffn = c.ffnDim;
    id.device = model.placement().device.str();
    id.dtype = dtypeText(model.placement().dtype);
    char config[256];
    std::snprintf(config, sizeof config,
                  "{\"hidden_size\": %lld, \"ffn_dim\": %lld, \"num_hidden_layers\": %lld, "
                  "\"num_attention_heads\": %lld, "
                  "\"vocab_size\": %lld, \"do_layer_norm_before\": %s}",
                  (long long)c.hiddenSize, (long long)c.ffnDim, (long long)c.numLayers,
                  (long long)c.numHeads, (long long)c.vocabSize,
                  c.doLayerNormBefore ? "true" : "false");
    id.configJson = config;

    Fnv1a hash;
    hash.add(id.configJson);
    for (const auto& [name, tensor] : model.stateDict()) {
        id.parameters += tensor.numel();
        hash.add(name);
        for (std::int64_t d : tensor.sizes()) hash.add(&d, sizeof d);
        const at::Tensor flat = tensor.reshape({-1});
        const std::int64_t n = flat.numel(), samples = std::min<std::int64_t>(n, 4096);
        if (samples == 0) continue;
        const at::Tensor index =
            at::linspace(0, double(n - 1), samples, at::TensorOptions().dtype(at::kDouble))
                .to(at::kLong)
                .to(flat.device());
        const at::Tensor values = flat.index_select(0, index).to(at::kCPU, at::kFloat).contiguous();
        hash.add(values.data_ptr<float>(), std::size_t(samples) * sizeof(float));
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", (unsigned long long)hash.h);
    id.fingerprint = hex;
    return id;
}

void requireSameModel(const ModelIdentity& recorded, const ModelIdentity& model,
                      const std::string& experimentPath) {
    if (recorded.fingerprint == model.fingerprint) return;
    throw Error("experiment file '" + experimentPath + "' was recorded with the model at '" +
                recorded.path + "' (fingerprint " + recorded.fingerprint + ", " +
                recorded.configJson + "), but '" + model.path +
                "' is a different model (fingerprint " + model.fingerprint + ", " +
                model.configJson + "); pass the model the experiment ran on with --model");
}

}  // namespace invx
