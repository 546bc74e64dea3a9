// ExperimentInspector on an experiment file (timed; not a test): loading once, then one layer at a
// checkpoint and the invariance check.
//   build/benchmarks/bench_inspector FILE.h5 [--layer 0] [--repeat 5]
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "bench-support.h"
#include "invx/experiment-inspector.h"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_inspector FILE.h5 [--layer 0] [--repeat 5]\n");
        return 2;
    }
    std::map<std::string, std::string> o{{"--layer", "0"}, {"--repeat", "5"}};
    if (!invx::bench::parseOptions(argc - 1, argv + 1, o, "bench_inspector")) return 2;
    using Clock = std::chrono::steady_clock;
    auto seconds = [](Clock::time_point a) {
        return std::chrono::duration<double>(Clock::now() - a).count();
    };
    auto t = Clock::now();
    invx::ExperimentInspector inspector(argv[1]);
    std::printf("load and base quantization: %.2f s\n", seconds(t));
    std::vector<double> layer, attention, changes, check;
    for (int r = 0; r < std::stoi(o["--repeat"]); ++r) {
        t = Clock::now();
        inspector.inspectLayer(-1, std::stoi(o["--layer"]));
        layer.push_back(seconds(t));
        t = Clock::now();
        inspector.inspectAttention(std::stoi(o["--layer"]));
        attention.push_back(seconds(t));
        t = Clock::now();
        inspector.positionChanges(std::stoi(o["--layer"]), -1);
        changes.push_back(seconds(t));
        t = Clock::now();
        inspector.invarianceCheck(-1);
        check.push_back(seconds(t));
    }
    std::printf(
        "one layer at the last checkpoint (fc1, fc2): median %.1f ms; its attention matrices: "
        "median %.1f ms; "
        "position changes over %lld checkpoints: median %.1f ms; invariance check: median %.1f "
        "ms\n",
        1000 * invx::bench::median(layer), 1000 * invx::bench::median(attention),
        (long long)inspector.checkpointCount(), 1000 * invx::bench::median(changes),
        1000 * invx::bench::median(check));
    return 0;
}
