#include "test-support.h"

#include <ATen/ATen.h>
#include <QtTest>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "invx/error.h"
#include "safetensors-file.h"

namespace invx::test {

std::string dataDir() {
    const char* env = std::getenv("INVX_DATA");
    std::string dir = env && *env ? env : INVX_DEFAULT_DATA_DIR;
    if (!std::filesystem::is_directory(dir))
        qFatal("test data directory '%s' is missing; set INVX_DATA", dir.c_str());
    return dir;
}

OptConfig tinyConfig(bool postLN, std::int64_t projDim) {
    OptConfig c;
    c.vocabSize = 96;
    c.hiddenSize = 32;
    c.numLayers = 3;
    c.ffnDim = 128;
    c.numHeads = 4;
    c.maxPositions = 64;
    c.wordEmbedProjDim = projDim > 0 ? projDim : c.hiddenSize;
    c.doLayerNormBefore = !postLN;
    c.torchDtype = "float32";
    return c;
}

NamedTensors randomWeights(const OptConfig& config, std::uint64_t seed) {
    at::manual_seed(seed);
    NamedTensors w;
    const std::int64_t h = config.hiddenSize, f = config.ffnDim, e = config.wordEmbedProjDim;
    auto normal = [](std::vector<std::int64_t> s, double std) { return at::randn(s) * std; };
    const std::string d = "model.decoder.";
    w.emplace_back(d + "embed_tokens.weight", normal({config.vocabSize, e}, 0.5));
    w.emplace_back(d + "embed_positions.weight", normal({config.maxPositions + 2, h}, 0.2));
    if (config.hasProjections()) {
        w.emplace_back(d + "project_in.weight", normal({h, e}, 0.2));
        w.emplace_back(d + "project_out.weight", normal({e, h}, 0.2));
    }
    if (config.hasFinalLayerNorm()) {
        w.emplace_back(d + "final_layer_norm.weight", 1.0 + normal({h}, 0.1));
        w.emplace_back(d + "final_layer_norm.bias", normal({h}, 0.1));
    }
    for (std::int64_t l = 0; l < config.numLayers; ++l) {
        const std::string p = d + "layers." + std::to_string(l) + ".";
        for (const char* name : {"self_attn.k_proj", "self_attn.v_proj", "self_attn.q_proj", "self_attn.out_proj"}) {
            w.emplace_back(p + name + ".weight", normal({h, h}, 0.2));
            w.emplace_back(p + name + ".bias", normal({h}, 0.05));
        }
        w.emplace_back(p + "self_attn_layer_norm.weight", 1.0 + normal({h}, 0.1));
        w.emplace_back(p + "self_attn_layer_norm.bias", normal({h}, 0.1));
        w.emplace_back(p + "fc1.weight", normal({f, h}, 0.2));
        w.emplace_back(p + "fc1.bias", normal({f}, 0.05));
        w.emplace_back(p + "fc2.weight", normal({h, f}, 0.1));
        w.emplace_back(p + "fc2.bias", normal({h}, 0.05));
        w.emplace_back(p + "final_layer_norm.weight", 1.0 + normal({h}, 0.1));
        w.emplace_back(p + "final_layer_norm.bias", normal({h}, 0.1));
    }
    return w;
}

void writeModel(const std::string& dir, const OptConfig& config, const NamedTensors& weights) {
    std::filesystem::create_directories(dir);
    std::ofstream(std::filesystem::path(dir) / "config.json") << config.toJson();
    writeSafetensors((std::filesystem::path(dir) / "model.safetensors").string(), weights);
}

std::string errorOf(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const invx::Error& e) {
        return e.what();
    }
    QTest::qFail("expected an invx::Error, but nothing was thrown", __FILE__, __LINE__);
    return {};
}

}  // namespace invx::test
