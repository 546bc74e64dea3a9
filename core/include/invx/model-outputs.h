#pragma once
// `invx logits`: the model run on given token ids, its logits (and chosen layers' outputs) written
// as float32 safetensors, for comparisons with other implementations. No torch here.
#include <cstdint>
#include <string>
#include <vector>

namespace invx {

struct ModelOutputsRequest {
    std::string modelPath;    // model directory or Hugging Face id
    std::string idsPath;      // one sequence per line, ids separated by white space, equal lengths
    std::vector<int> layers;  // decoder layers whose outputs to write as well ("hidden.L")
    std::string outputPath;   // the safetensors file: 'logits' [batch, seq, vocab], 'hidden.L'
                              // [batch, seq, hidden]
    std::string device = "auto", dtype = "auto";
};

struct ModelOutputsResult {
    std::string modelDirectory;
    std::int64_t batch = 0, sequence = 0, vocabulary = 0;
    std::vector<std::string> warnings;  // what loading the model noticed
};

// Throws naming the file or line at fault.
ModelOutputsResult writeModelOutputs(const ModelOutputsRequest& request);

}  // namespace invx
