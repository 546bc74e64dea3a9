// Search steps per second of the fast and the reference mode, side by side, on the same model,
// calibration batch and seed (the two make the same decisions; this checks it too). Not a test:
// run it through scripts/bench-search.sh.
//   bench_search [--model DIR] [--samples 8 --length 512 --steps 20 --warmup 3 --threads 0
//                --device cpu|cuda --dtype float32|float16 --corpus wikipedia]
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "bench-support.h"
#include "invx/bpe-tokenizer.h"
#include "invx/calibration-data.h"
#include "invx/cpu-threads.h"
#include "invx/error.h"
#include "metrics/perplexity-evaluator.h"
#include "model/opt-model.h"
#include "search/search-engine.h"

using namespace invx;
using bench::median;
using bench::synchronize;

namespace {

using Clock = std::chrono::steady_clock;

struct ModeResult {
    double medianStep = 0;
    std::vector<double> losses;
};

ModeResult runMode(const OptModel& fp, SearchSettings settings, const at::Tensor& calibration,
                   int warmup, int steps) {
    SearchEngine engine(fp, settings, calibration);
    ModeResult r;
    std::vector<double> times;
    for (int i = 0; i < warmup + steps; ++i) {
        const auto t0 = Clock::now();
        const StepRecord s = engine.step();
        synchronize(fp.placement().device);
        if (i >= warmup) times.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
        r.losses.push_back(s.loss);
    }
    r.medianStep = median(times);
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    invx::preferPassiveOpenMpWaiting(argv);
    std::map<std::string, std::string> o = {{"--model", INVX_DEMO_MODEL_DIR},
                                            {"--samples", "8"},
                                            {"--length", "512"},
                                            {"--steps", "20"},
                                            {"--warmup", "3"},
                                            {"--threads", "0"},
                                            {"--device", "cpu"},
                                            {"--dtype", "auto"},
                                            {"--corpus", "wikipedia"}};
    if (!bench::parseOptions(argc, argv, o, "bench_search")) return 2;
    try {
        const int threads = setCpuThreads(std::stoi(o["--threads"]));
        c10::InferenceMode guard;
        const ModelPlacement placement = parsePlacement(o["--device"], o["--dtype"]);
        const OptModel model = OptModel::load(o["--model"], placement);
        SearchSettings settings;
        settings.calibrationSamples = std::stoi(o["--samples"]);
        settings.calibrationLength = std::stoi(o["--length"]);
        const at::Tensor calibration = bench::calibrationBatch(
            o["--corpus"], BpeTokenizer::fromDirectory(o["--model"]), settings);
        const int warmup = std::stoi(o["--warmup"]), steps = std::stoi(o["--steps"]);

        settings.mode = "fast";
        const ModeResult fast = runMode(model, settings, calibration, warmup, steps);
        settings.mode = "reference";
        const ModeResult reference = runMode(model, settings, calibration, warmup, steps);

        // Parts of a step, measured alone on the fast engine.
        settings.mode = "fast";
        SearchEngine engine(model, settings, calibration);
        std::vector<double> build, forward;
        for (int i = 0; i < std::max(steps / 2, 3); ++i) {
            auto t0 = Clock::now();
            (void)engine.buildQuantizedFfn(i % int(model.layers().size()), engine.state()[0]);
            synchronize(placement.device);
            build.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
            t0 = Clock::now();
            (void)engine.measureCurrent();
            synchronize(placement.device);
            forward.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
        }
        // The forward's parts, on the quantized model.
        std::vector<double> tAttention, tFfn, tHead, tCe;
        const OptModel& q = engine.model();
        for (int i = 0; i < 5; ++i) {
            auto t0 = Clock::now();
            at::Tensor h = q.embed(calibration.to(placement.device));
            at::Tensor a = q.attentionHalf(0, h);
            synchronize(placement.device);
            tAttention.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
            t0 = Clock::now();
            h = q.ffnHalf(0, a);
            synchronize(placement.device);
            tFfn.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
            t0 = Clock::now();
            at::Tensor logits = q.head(h);
            synchronize(placement.device);
            tHead.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
            t0 = Clock::now();
            (void)meanNextTokenLoss(logits, calibration).mean().item<double>();
            tCe.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
        }
        const bool same = fast.losses == reference.losses;
        std::printf(
            "bench_search: %s, %s %s, %d threads, calibration %d x %d tokens (%s), %d timed steps "
            "after %d warm-up\n",
            o["--model"].c_str(), placement.device.str().c_str(),
            dtypeText(placement.dtype).c_str(), threads, settings.calibrationSamples,
            settings.calibrationLength, o["--corpus"].c_str(), steps, warmup);
        std::printf("  fast mode:       %8.1f ms/step  %7.2f steps/s\n", 1e3 * fast.medianStep,
                    1 / fast.medianStep);
        std::printf("  reference mode:  %8.1f ms/step  %7.2f steps/s\n", 1e3 * reference.medianStep,
                    1 / reference.medianStep);
        std::printf("  speed-up:        %8.2fx\n", reference.medianStep / fast.medianStep);
        std::printf(
            "  parts: FFN rebuild + quantization %.1f ms, one whole quantized forward + losses "
            "%.1f ms\n",
            1e3 * median(build), 1e3 * median(forward));
        std::printf(
            "  forward parts: embedding + attention half %.1f ms, FFN half %.1f ms (per layer), LM "
            "head %.1f ms, "
            "cross-entropy %.1f ms\n",
            1e3 * median(tAttention), 1e3 * median(tFfn), 1e3 * median(tHead), 1e3 * median(tCe));
        std::printf("  same losses and decisions in both modes: %s\n", same ? "yes" : "NO");
        return same ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_search: %s\n", e.what());
        return 1;
    }
}
