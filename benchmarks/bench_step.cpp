// The search step's speed on one model, as docs/performance.md reports it: loading, the median
// step of the fast engine, the parts of a step, one perplexity pass over WikiText-2 test (its first
// 140 windows of 2048 tokens: the 287,644 tokens GPTQ's loader gives, the published loop's), peak
// host memory, and optionally a libtorch (Kineto) profile of
// a few steps. tools/step-benchmark-gpu.sh runs it on checkpoints of the OPT shapes beside the
// published step (tools/published_step.py). Not a test.
//   bench_step --model DIR [--device cuda --dtype float16 --samples 32 --length 512 --steps 30
//              --warmup 5 --threads 0 --corpus wikipedia --bits 2 --group 128 --invariances PSR
//              --eval wikitext2|none --eval-windows 140 --profile-steps 0 --profile TRACE.json
//              --label NAME]
// The last line of its output is one JSON object with every figure.
#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <torch/csrc/api/include/torch/version.h>

#if __has_include(<torch/csrc/autograd/profiler_kineto.h>)
#include <torch/csrc/autograd/profiler_kineto.h>
#define INVX_HAVE_KINETO 1
#endif

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench-support.h"
#include "invx/bpe-tokenizer.h"
#include "invx/calibration-data.h"
#include "invx/cpu-threads.h"
#include "invx/perplexity-text.h"
#include "metrics/perplexity-evaluator.h"
#include "model/opt-model.h"
#include "search/quantized-ffn.h"
#include "search/search-engine.h"

using namespace invx;
using bench::median;
using bench::synchronize;

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Resident-set high-water mark of this process (VmHWM), in bytes: anonymous memory and the file
// pages still mapped; the page cache the kernel keeps for itself is not in it.
double peakHostBytes() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0) return 1024.0 * std::stod(line.substr(6));
    return 0;
}

#ifdef INVX_HAVE_KINETO
void startProfiler() {
    namespace impl = torch::profiler::impl;
    const impl::ProfilerConfig config(impl::ProfilerState::KINETO);
    const std::set<impl::ActivityType> activities{impl::ActivityType::CPU,
                                                  impl::ActivityType::CUDA};
    torch::autograd::profiler::prepareProfiler(config, activities);
    torch::autograd::profiler::enableProfiler(config, activities);
}
void stopProfiler(const std::string& path) {
    torch::autograd::profiler::disableProfiler()->save(path);
}
#endif

}  // namespace

int main(int argc, char** argv) {
    invx::preferPassiveOpenMpWaiting(argv);
    std::map<std::string, std::string> o = {{"--model", ""},
                                            {"--device", "cuda"},
                                            {"--dtype", "float16"},
                                            {"--samples", "32"},
                                            {"--length", "512"},
                                            {"--steps", "30"},
                                            {"--warmup", "5"},
                                            {"--threads", "0"},
                                            {"--corpus", "wikipedia"},
                                            {"--bits", "2"},
                                            {"--group", "128"},
                                            {"--invariances", "PSR"},
                                            {"--eval", "wikitext2"},
                                            {"--eval-windows", "140"},
                                            {"--profile-steps", "0"},
                                            {"--profile", ""},
                                            {"--label", ""}};
    if (!bench::parseOptions(argc, argv, o, "bench_step")) return 2;
    if (o["--model"].empty()) {
        std::fprintf(stderr, "bench_step: --model DIR is required\n");
        return 2;
    }
    try {
        nlohmann::ordered_json r;
        r["label"] = o["--label"].empty() ? o["--model"] : o["--label"];
        r["threads"] = setCpuThreads(std::stoi(o["--threads"]));
        c10::InferenceMode guard;
        const ModelPlacement placement = parsePlacement(o["--device"], o["--dtype"]);
        r["device"] = placement.device.str();
        r["dtype"] = dtypeText(placement.dtype);
        r["torch"] = TORCH_VERSION;

        auto t0 = Clock::now();
        OptModel model = OptModel::load(o["--model"], placement);
        synchronize(placement.device);
        r["load_s"] = secondsSince(t0);
        r["peak_host_after_load_bytes"] = peakHostBytes();
        const OptConfig config = model.config();
        r["layers"] = config.numLayers;
        r["hidden"] = config.hiddenSize;
        r["ffn"] = config.ffnDim;

        SearchSettings settings;
        settings.calibrationSamples = std::stoi(o["--samples"]);
        settings.calibrationLength = std::stoi(o["--length"]);
        settings.quant.bits = std::stoi(o["--bits"]);
        settings.quant.groupSize = std::stoi(o["--group"]);
        settings.invariances = o["--invariances"];
        settings.base = "rtn";
        settings.mode = "fast";
        const BpeTokenizer tokenizer = BpeTokenizer::fromDirectory(o["--model"]);
        const at::Tensor calibration = bench::calibrationBatch(o["--corpus"], tokenizer, settings);
        r["calibration"] = {settings.calibrationSamples, settings.calibrationLength};
        r["matched_layers"] = settings.matchedLayerIndices(int(config.numLayers)).size();

        t0 = Clock::now();
        SearchEngine engine(std::move(model), settings,
                            calibration);  // as invx search: no second copy
        synchronize(placement.device);
        r["engine_setup_s"] = secondsSince(t0);

        const int warmup = std::stoi(o["--warmup"]), steps = std::stoi(o["--steps"]);
        std::vector<double> times,
            after;  // each step's seconds and the whole layers after its layer
        std::int64_t accepted = 0;
        for (int i = 0; i < warmup + steps; ++i) {
            t0 = Clock::now();
            const StepRecord s = engine.step();  // ends with the accept decision, read on the host
            if (i >= warmup) {
                times.push_back(secondsSince(t0)), accepted += s.accepted;
                after.push_back(double(config.numLayers - 1 - s.layer));
            }
        }
        r["step_ms"] = 1e3 * median(times);
        double mean = 0;
        for (double t : times) mean += t;
        r["step_mean_ms"] = 1e3 * mean / double(std::max<std::size_t>(1, times.size()));
        // A step runs the changed FFN and every layer after it, so its time is close to a + b x
        // (layers after); the median of a few dozen random layers moves with the draw. The least-
        // squares line gives the cost of one layer (b), of the rest (a: rebuild, head, losses, the
        // decision) and the expected step under the uniform choice of layer, a + b (L - 1) / 2.
        const auto [fixed, perLayer] = bench::leastSquaresLine(after, times);
        r["step_fixed_ms"] = 1e3 * fixed;
        r["step_per_layer_ms"] = 1e3 * perLayer;
        r["step_expected_ms"] = 1e3 * (fixed + perLayer * double(config.numLayers - 1) / 2);
        r["steps_timed"] = steps;
        r["accepted"] = accepted;
        r["best_loss"] = engine.checkpoint().bestLoss;
        r["fused_kernels"] = fusedKernelsEnabled();

        // Parts, each alone: the rebuild and quantization of one FFN, and one whole quantized
        // forward with the losses (a step runs the layers from the changed one on, about half of
        // it).
        std::vector<double> rebuild, forward;
        const int layers = int(config.numLayers);
        for (int i = 0; i < 5; ++i) {
            t0 = Clock::now();
            (void)engine.buildQuantizedFfn(i % layers, engine.state()[std::size_t(i % layers)]);
            synchronize(placement.device);
            rebuild.push_back(secondsSince(t0));
            t0 = Clock::now();
            (void)engine.measureCurrent();
            forward.push_back(secondsSince(t0));
        }
        r["rebuild_ms"] = 1e3 * median(rebuild);
        r["full_forward_ms"] = 1e3 * median(forward);

        if (const int profiled = std::stoi(o["--profile-steps"]);
            profiled > 0 && !o["--profile"].empty()) {
#ifdef INVX_HAVE_KINETO
            try {
                startProfiler();
                for (int i = 0; i < profiled; ++i) (void)engine.step();
                synchronize(placement.device);
                stopProfiler(o["--profile"]);
                r["profiled_steps"] = profiled;
            } catch (
                const c10::Error& e) {  // Debian's libtorch has the interface, not Kineto itself
                std::fprintf(stderr, "bench_step: no profile: %s\n", e.what_without_backtrace());
            }
#else
            std::fprintf(stderr,
                         "bench_step: this libtorch has no Kineto profiler; --profile ignored\n");
#endif
        }

        if (o["--eval"] != "none") {
            const std::vector<std::int32_t> text = evaluationTokenIds(o["--eval"], tokenizer);
            PerplexityOptions options;
            options.windowLength = std::min<std::int64_t>(2048, config.maxPositions);
            options.maxWindows =
                std::stoll(o["--eval-windows"]);  // 140: 287,644 tokens' worth, as GPTQ's count
            synchronize(placement.device);
            t0 = Clock::now();
            const PerplexityResult p = evaluatePerplexity(engine.model(), text, options, {});
            synchronize(placement.device);
            r["eval_s"] = secondsSince(t0);
            r["eval_tokens"] = std::int64_t(text.size());
            r["eval_windows"] = p.windows;
            r["eval_ppl"] = p.ppl;
        }
        r["peak_host_bytes"] = peakHostBytes();

        std::printf(
            "bench_step: %s on %s %s: %.2f ms/step expected (%.2f + %.2f per layer after the "
            "changed one; "
            "median of %d: %.2f), rebuild %.2f ms, whole forward %.2f ms",
            r["label"].get<std::string>().c_str(), placement.device.str().c_str(),
            dtypeText(placement.dtype).c_str(), r["step_expected_ms"].get<double>(),
            r["step_fixed_ms"].get<double>(), r["step_per_layer_ms"].get<double>(), steps,
            r["step_ms"].get<double>(), r["rebuild_ms"].get<double>(),
            r["full_forward_ms"].get<double>());
        if (r.contains("eval_s"))
            std::printf(", perplexity pass %.2f s", r["eval_s"].get<double>());
        std::printf(", peak host %.2f GB\n%s\n", r["peak_host_bytes"].get<double>() / 1e9,
                    r.dump().c_str());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_step: %s\n", e.what());
        return 1;
    }
}
