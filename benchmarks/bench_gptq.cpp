// GPTQ on one weight: the row kernels (gptq-block-kernel.h) against the reference column loop, on
// FFN shapes, with random weights and a Hessian of correlated inputs. Prints the median time of
// each and whether their results are the same bits. Not a test: run it through
// scripts/bench-gptq.sh.
//   bench_gptq [--device cpu|cuda --shapes 1536x384,384x1536 --bits 2 --group 128 --repeat 5
//               --threads 0 --skip-loop-above 4096]
// A shape is ROWSxCOLS of the weight (OPT's fc1 is FFNxHIDDEN, fc2 HIDDENxFFN); the column loop is
// skipped for weights with more columns than --skip-loop-above (it takes minutes there on a CPU).
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "bench-support.h"
#include "invx/cpu-threads.h"
#include "invx/error.h"
#include "model/opt-model.h"
#include "quant/gptq-quantizer.h"

using namespace invx;

namespace {

using Clock = std::chrono::steady_clock;

// Median seconds of `repeat` runs after one warm-up run; the last result in `out`.
double timeGptq(const at::Tensor& w, const at::Tensor& H, const QuantConfig& q,
                const GptqOptions& o, int repeat, at::Tensor& out) {
    std::vector<double> times;
    for (int i = 0; i <= repeat; ++i) {
        const auto t0 = Clock::now();
        out = gptqQuantizeWeight(w, H, q, o).weight;
        bench::synchronize(w.device());
        if (i > 0) times.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    }
    return bench::median(times);
}

}  // namespace

int main(int argc, char** argv) {
    invx::preferPassiveOpenMpWaiting(argv);
    std::map<std::string, std::string> o = {{"--device", "cpu"},
                                            {"--shapes", "1536x384,384x1536"},
                                            {"--bits", "2"},
                                            {"--group", "128"},
                                            {"--repeat", "5"},
                                            {"--threads", "0"},
                                            {"--skip-loop-above", "4096"}};
    if (!bench::parseOptions(argc, argv, o, "bench_gptq")) return 2;
    try {
        c10::InferenceMode guard;
        setCpuThreads(std::stoi(o["--threads"]));
        const at::Device device = parsePlacement(o["--device"], "float32").device;
        QuantConfig q;
        q.bits = std::stoi(o["--bits"]);
        q.groupSize = std::stoi(o["--group"]);
        const int repeat = std::stoi(o["--repeat"]);
        const std::int64_t skipAbove = std::stoll(o["--skip-loop-above"]);
        std::printf("GPTQ, %d bits, group %d, %s, %d threads, median of %d runs\n", q.bits,
                    q.groupSize, device.str().c_str(), at::get_num_threads(), repeat);
        std::printf(
            "| weight | row kernel | column loop | speed-up | same bits |\n| --- | --- | --- | --- "
            "| --- |\n");
        std::stringstream shapes(o["--shapes"]);
        for (std::string shape; std::getline(shapes, shape, ',');) {
            const auto x = shape.find('x');
            if (x == std::string::npos)
                throw Error("--shapes expects ROWSxCOLS items, but got '" + shape + "'");
            const std::int64_t rows = std::stoll(shape.substr(0, x)),
                               cols = std::stoll(shape.substr(x + 1));
            at::manual_seed(0);
            const at::TensorOptions f = at::TensorOptions().device(device);
            const at::Tensor inputs =
                at::matmul(at::randn({2048, 64}, f), at::randn({64, cols}, f)) +
                0.1 * at::randn({2048, cols}, f);
            const at::Tensor H = 2.0 * at::matmul(inputs.t(), inputs) / 2048.0;
            const at::Tensor w = at::randn({rows, cols}, f);
            GptqOptions kernel, loop;
            loop.columnLoop = true;
            at::Tensor a, b;
            const double tk = timeGptq(w, H, q, kernel, repeat, a);
            if (cols > skipAbove) {
                std::printf("| %s | %.1f ms | (skipped) | | |\n", shape.c_str(), 1e3 * tk);
                continue;
            }
            const double tl = timeGptq(w, H, q, loop, repeat, b);
            std::printf("| %s | %.1f ms | %.1f ms | %.1fx | %s |\n", shape.c_str(), 1e3 * tk,
                        1e3 * tl, tl / tk, at::equal(a, b) ? "yes" : "NO");
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_gptq: error: %s\n", e.what());
        return 1;
    }
    return 0;
}
