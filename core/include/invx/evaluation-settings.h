#pragma once
// The settings only `invx eval` (and `invx table --evaluate`) take, beside the recorded settings of
// SearchSettings that say how a model is quantized and what text it is measured on. Declared in
// the setting table (invx/setting-table.h) with the rest.
#include <cstdint>
#include <string>

namespace invx {

struct EvaluationSettings {
    std::string rtnPrecision =
        "float32";  // RTN's arithmetic: float32, or float16 as llm-awq's pseudo_quantize_tensor
    bool actOrder = false;          // GPTQ: columns in order of decreasing Hessian diagonal
    double dampening = 0.01;        // GPTQ: fraction of the Hessian's mean diagonal added to it
    std::string tasks;              // reasoning tasks (comma-separated, or "all"); "" = perplexity
    int shots = 5;                  // examples of the same task before each item (the paper's 5)
    std::int64_t limit = 0;         // the first N items of each task; 0 = all
    std::uint64_t taskSeed = 1234;  // draw of the shots
    std::int64_t batchTokens = 8192;  // tokens per batch of task requests (rows x longest row)
};

}  // namespace invx
