#pragma once
// The architecture of an OPT model, read from a Hugging Face config.json. Covers the whole family,
// opt-125m to opt-66b, including opt-350m's post-LayerNorm blocks and its 512-wide embeddings with
// project_in / project_out.
#include <cstdint>
#include <string>

namespace invx {

struct OptConfig {
    std::int64_t vocabSize = 50272;
    std::int64_t hiddenSize = 768;  // width of the residual stream
    std::int64_t numLayers = 12;    // decoder blocks
    std::int64_t ffnDim = 3072;     // fc1 output width
    std::int64_t numHeads = 12;
    std::int64_t maxPositions = 2048;     // learned positions (the table has 2 more rows)
    std::int64_t wordEmbedProjDim = 768;  // embedding width; != hiddenSize adds project_in/out
    bool doLayerNormBefore = true;        // pre-LN (all but opt-350m) or post-LN
    bool removeFinalLayerNorm = false;    // "_remove_final_layer_norm"
    bool enableBias = true;               // linear layers carry biases
    bool layerNormAffine = true;          // "layer_norm_elementwise_affine"
    bool tieWordEmbeddings = true;        // LM head shares the token embedding
    std::int64_t padTokenId = 1, bosTokenId = 2, eosTokenId = 2;
    std::string torchDtype = "float16";  // stored dtype named in the config, informative

    std::int64_t headDim() const { return hiddenSize / numHeads; }
    bool hasFinalLayerNorm() const { return doLayerNormBefore && !removeFinalLayerNorm; }
    bool hasProjections() const { return wordEmbedProjDim != hiddenSize; }
    std::int64_t parameterCount() const;  // including the embeddings, excluding a tied head

    // Parses config.json text; `path` names the file in errors. Throws invx::Error for another
    // architecture, missing or ill-typed keys and inconsistent sizes.
    static OptConfig fromJson(const std::string& text, const std::string& path);
    static OptConfig fromFile(const std::string& path);
    std::string toJson() const;  // a config.json that transformers' OPTConfig reads
};

}  // namespace invx
