#pragma once
// `invx apply`: fold a search's invariances into the full-precision weights and write a float16
// Hugging Face checkpoint. Quantizing it with RTN at the experiment's bits and group gives the
// quantized model the search ended with.
#include <cstdint>
#include <string>

#include "invx/quant-config.h"

namespace invx {

struct ApplyRequest {
    std::string experimentPath;
    std::string modelPath;         // "" = the model path recorded in the experiment
    std::string outputDirectory;   // must not exist, or be empty
    std::int64_t checkpoint = -1;  // index into the file's checkpoints; -1 = the last
};

struct ApplyResult {
    std::string outputDirectory;
    std::int64_t step = 0;  // the search step of the applied checkpoint
    std::int64_t tensors = 0;
    std::int64_t bytes = 0;
    QuantConfig quant;  // the RTN that turns the written model into the searched one (bits, group,
                        // arithmetic)
};

ApplyResult applyExperiment(const ApplyRequest& request);

}  // namespace invx
