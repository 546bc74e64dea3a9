#include "invx/opt-config.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "invx/error.h"
#include "invx/text-file.h"
#include "records/json-text.h"

namespace invx {
namespace {

template <typename T>
void readKey(const nlohmann::json& json, const char* key, T* out, const std::string& path,
             bool required) {
    auto it = json.find(key);
    if (it == json.end() || it->is_null()) {
        if (required) {
            throw Error("model configuration '" + path + "' has no \"" + key +
                        "\"; it is not a complete OPT config.json");
        }
        return;
    }
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        // nlohmann converts 768.5 to 768 without a word: a size must be a whole number.
        const bool whole =
            it->is_number_integer() ||
            (it->is_number_float() && std::floor(it->get<double>()) == it->get<double>() &&
             std::abs(it->get<double>()) < 9.0e15);
        if (!whole)
            throw Error("model configuration '" + path + "': \"" + key + "\" is " + it->dump() +
                        ", not a whole number");
    }
    try {
        *out = it->get<T>();
    } catch (const nlohmann::json::exception&) {
        throw Error("model configuration '" + path + "': \"" + key + "\" has the wrong type (" +
                    it->dump() + ")");
    }
}

}  // namespace

std::int64_t OptConfig::parameterCount() const {
    const std::int64_t h = hiddenSize, f = ffnDim, e = wordEmbedProjDim;
    std::int64_t perLayer = 4 * (h * h + h) + (h * f + f) + (f * h + h) + 2 * 2 * h;
    std::int64_t total = vocabSize * e + (maxPositions + 2) * h + numLayers * perLayer;
    if (hasProjections()) total += 2 * h * e;
    if (hasFinalLayerNorm()) total += 2 * h;
    if (!tieWordEmbeddings) total += vocabSize * e;
    return total;
}

OptConfig OptConfig::fromJson(const std::string& text, const std::string& path) {
    const nlohmann::json json = parseJsonText(text, "model configuration", path);
    if (!json.is_object()) throw Error("model configuration '" + path + "' is not a JSON object");

    std::string modelType;
    readKey(json, "model_type", &modelType, path, false);
    if (modelType != "opt") {
        std::string arch = modelType.empty() ? std::string("(no model_type)") : modelType;
        if (json.contains("architectures") && json["architectures"].is_array() &&
            !json["architectures"].empty())
            arch += " / " + json["architectures"][0].dump();
        throw Error("model configuration '" + path + "' describes an unsupported architecture '" +
                    arch + "'; invx supports the OPT family (model_type \"opt\")");
    }

    OptConfig c;
    readKey(json, "vocab_size", &c.vocabSize, path, true);
    readKey(json, "hidden_size", &c.hiddenSize, path, true);
    readKey(json, "num_hidden_layers", &c.numLayers, path, true);
    readKey(json, "ffn_dim", &c.ffnDim, path, true);
    readKey(json, "num_attention_heads", &c.numHeads, path, true);
    readKey(json, "max_position_embeddings", &c.maxPositions, path, true);
    c.wordEmbedProjDim = c.hiddenSize;
    readKey(json, "word_embed_proj_dim", &c.wordEmbedProjDim, path, false);
    readKey(json, "do_layer_norm_before", &c.doLayerNormBefore, path, false);
    readKey(json, "_remove_final_layer_norm", &c.removeFinalLayerNorm, path, false);
    readKey(json, "enable_bias", &c.enableBias, path, false);
    readKey(json, "layer_norm_elementwise_affine", &c.layerNormAffine, path, false);
    readKey(json, "tie_word_embeddings", &c.tieWordEmbeddings, path, false);
    readKey(json, "pad_token_id", &c.padTokenId, path, false);
    readKey(json, "bos_token_id", &c.bosTokenId, path, false);
    readKey(json, "eos_token_id", &c.eosTokenId, path, false);
    // transformers 5 writes "dtype", earlier versions "torch_dtype".
    readKey(json, "torch_dtype", &c.torchDtype, path, false);
    readKey(json, "dtype", &c.torchDtype, path, false);

    std::string activation = "relu";
    readKey(json, "activation_function", &activation, path, false);
    if (activation != "relu") {
        throw Error("model configuration '" + path + "' uses activation '" + activation +
                    "'; OPT's invariances need ReLU, the only activation invx supports");
    }
    auto positive = [&](std::int64_t v, const char* key) {
        if (v <= 0)
            throw Error("model configuration '" + path + "': \"" + std::string(key) +
                        "\" must be positive, but is " + std::to_string(v));
    };
    positive(c.vocabSize, "vocab_size");
    positive(c.hiddenSize, "hidden_size");
    positive(c.numLayers, "num_hidden_layers");
    positive(c.ffnDim, "ffn_dim");
    positive(c.numHeads, "num_attention_heads");
    positive(c.maxPositions, "max_position_embeddings");
    positive(c.wordEmbedProjDim, "word_embed_proj_dim");
    if (c.hiddenSize % c.numHeads != 0) {
        throw Error("model configuration '" + path + "': hidden_size " +
                    std::to_string(c.hiddenSize) + " is not divisible by num_attention_heads " +
                    std::to_string(c.numHeads));
    }
    return c;
}

OptConfig OptConfig::fromFile(const std::string& path) {
    return fromJson(readWholeFile(path, "model configuration"), path);
}

std::string OptConfig::toJson() const {
    nlohmann::json j = {
        {"architectures", {"OPTForCausalLM"}},
        {"model_type", "opt"},
        {"activation_function", "relu"},
        {"vocab_size", vocabSize},
        {"hidden_size", hiddenSize},
        {"num_hidden_layers", numLayers},
        {"ffn_dim", ffnDim},
        {"num_attention_heads", numHeads},
        {"max_position_embeddings", maxPositions},
        {"word_embed_proj_dim", wordEmbedProjDim},
        {"do_layer_norm_before", doLayerNormBefore},
        {"_remove_final_layer_norm", removeFinalLayerNorm},
        {"enable_bias", enableBias},
        {"layer_norm_elementwise_affine", layerNormAffine},
        {"tie_word_embeddings", tieWordEmbeddings},
        {"pad_token_id", padTokenId},
        {"bos_token_id", bosTokenId},
        {"eos_token_id", eosTokenId},
        {"torch_dtype", torchDtype},
        {"dropout", 0.0},
        {"attention_dropout", 0.0},
        {"init_std", 0.02},
        {"layerdrop", 0.0},
        {"use_cache", true},
    };
    return j.dump(2) + "\n";
}

}  // namespace invx
