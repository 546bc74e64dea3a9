#include "compute-options.h"

#include "invx/cpu-threads.h"
#include "invx/model-loading.h"

namespace invx::cli {

std::vector<Option> computeOptions() {
    return {
        {"--device", "cpu|cuda|auto", "where the model runs; auto picks cuda when a GPU is visible",
         "auto"},
        {"--dtype", "auto|float32|float16|bfloat16",
         "weights and activations; auto is float32 on CPU, float16 on CUDA", "auto"},
        {"--threads", "N", "CPU threads for libtorch; 0 = one per core", "0"},
        {"--allow-nonfinite-weights", "",
         "load a model whose weights hold NaN or infinite values (refused otherwise)", ""},
    };
}

void applyThreads(const Arguments& args) {
    setCpuThreads(int(args.getInt("--threads", 0, 1024)));
    setAllowNonFiniteWeights(args.has("--allow-nonfinite-weights"));
}

}  // namespace invx::cli
