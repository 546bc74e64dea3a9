// Times one forward pass (logits included) of a batch of token sequences: the demo model's speed
// anchor (8 x 512 tokens on the CPU). Not a test: run it through scripts/bench.sh.
//   bench_forward --model DIR [--batch 8 --seq 512 --repeat 5 --threads 0 --device cpu]
//   bench_forward --shape HIDDEN,FFN,LAYERS,HEADS,VOCAB   (random weights of that shape)
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "bench-support.h"
#include "invx/cpu-threads.h"
#include "model/opt-model.h"

using namespace invx;

namespace {

OptModel randomModel(const std::string& shape) {
    std::vector<std::int64_t> v;
    std::stringstream s(shape);
    std::string item;
    while (std::getline(s, item, ',')) v.push_back(std::stoll(item));
    if (v.size() != 5) throw std::runtime_error("--shape expects HIDDEN,FFN,LAYERS,HEADS,VOCAB");
    OptConfig c;
    c.hiddenSize = c.wordEmbedProjDim = v[0];
    c.ffnDim = v[1];
    c.numLayers = v[2];
    c.numHeads = v[3];
    c.vocabSize = v[4];
    c.maxPositions = 2048;
    NamedTensors w;
    const std::string d = "model.decoder.";
    w.emplace_back(d + "embed_tokens.weight", at::randn({c.vocabSize, c.hiddenSize}) * 0.02);
    w.emplace_back(d + "embed_positions.weight",
                   at::randn({c.maxPositions + 2, c.hiddenSize}) * 0.02);
    w.emplace_back(d + "final_layer_norm.weight", at::ones({c.hiddenSize}));
    w.emplace_back(d + "final_layer_norm.bias", at::zeros({c.hiddenSize}));
    for (std::int64_t l = 0; l < c.numLayers; ++l) {
        const std::string p = d + "layers." + std::to_string(l) + ".";
        for (const char* n :
             {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.out_proj"}) {
            w.emplace_back(p + n + ".weight", at::randn({c.hiddenSize, c.hiddenSize}) * 0.02);
            w.emplace_back(p + n + ".bias", at::zeros({c.hiddenSize}));
        }
        for (const char* n : {"self_attn_layer_norm", "final_layer_norm"}) {
            w.emplace_back(p + n + ".weight", at::ones({c.hiddenSize}));
            w.emplace_back(p + n + ".bias", at::zeros({c.hiddenSize}));
        }
        w.emplace_back(p + "fc1.weight", at::randn({c.ffnDim, c.hiddenSize}) * 0.02);
        w.emplace_back(p + "fc1.bias", at::zeros({c.ffnDim}));
        w.emplace_back(p + "fc2.weight", at::randn({c.hiddenSize, c.ffnDim}) * 0.02);
        w.emplace_back(p + "fc2.bias", at::zeros({c.hiddenSize}));
    }
    return OptModel::fromTensors(c, w, {}, "random " + shape);
}

}  // namespace

int main(int argc, char** argv) {
    invx::preferPassiveOpenMpWaiting(argv);
    std::string model, shape, device = "cpu";
    int batch = 8, seq = 512, repeat = 5, threads = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--model")
            model = v;
        else if (k == "--shape")
            shape = v;
        else if (k == "--batch")
            batch = std::stoi(v);
        else if (k == "--seq")
            seq = std::stoi(v);
        else if (k == "--repeat")
            repeat = std::stoi(v);
        else if (k == "--threads")
            threads = std::stoi(v);
        else if (k == "--device")
            device = v;
        else {
            std::fprintf(stderr, "unknown option %s\n", k.c_str());
            return 2;
        }
    }
    setCpuThreads(threads);
    ModelPlacement placement;
    if (device == "cuda") placement = {at::Device(at::kCUDA, 0), at::kHalf};
    try {
        OptModel m = !shape.empty() ? randomModel(shape) : OptModel::load(model, placement);
        const auto& c = m.config();
        c10::InferenceMode guard;
        at::manual_seed(0);
        at::Tensor ids = at::randint(c.vocabSize, {batch, seq}, at::kLong).to(placement.device);
        std::vector<double> times;
        for (int r = 0; r < repeat + 1; ++r) {  // the first run warms up
            auto t0 = std::chrono::steady_clock::now();
            at::Tensor logits = m.forward(ids);
            logits.sum().item<float>();  // wait for the device
            double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            if (r > 0) times.push_back(s);
        }
        std::sort(times.begin(), times.end());
        const double median = times[times.size() / 2];
        std::printf(
            "{\"model\": \"%s\", \"params\": %lld, \"batch\": %d, \"seq\": %d, \"threads\": %d, "
            "\"device\": \"%s\", \"median_s\": %.4f, \"min_s\": %.4f, \"tokens_per_s\": %.0f}\n",
            shape.empty() ? model.c_str() : ("random " + shape).c_str(),
            (long long)c.parameterCount(), batch, seq, at::get_num_threads(), device.c_str(),
            median, times.front(), batch * seq / median);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_forward: %s\n", e.what());
        return 1;
    }
    return 0;
}
