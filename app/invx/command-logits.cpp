// invx logits: the model's logits (and chosen layers' outputs) on given token ids, as safetensors.
#include <iostream>
#include <sstream>

#include "commands.h"
#include "compute-options.h"
#include "invx/error.h"
#include "invx/model-outputs.h"

namespace invx::cli {
namespace {

std::vector<int> parseLayerList(const std::string& text) {
    std::vector<int> layers;
    std::stringstream s(text);
    std::string item;
    while (std::getline(s, item, ',')) {
        try {
            layers.push_back(std::stoi(item));
        } catch (const std::exception&) {
            throw Error("--layers expects comma-separated layer indices, but got '" + text + "'");
        }
    }
    return layers;
}

}  // namespace

const Command& logitsCommand() {
    static const Command c = [] {
        Command cmd{"logits",
                    "--model PATH|ID --ids FILE --out FILE.safetensors [--layers L,L...]",
                    "Run the model on token ids and write its logits (and chosen layers' outputs) "
                    "as float32 safetensors.",
                    {
                        {"--model", "PATH|ID",
                         "model directory, or a Hugging Face id found in the local cache", ""},
                        {"--ids", "FILE", "token ids: one sequence per line, equal lengths", ""},
                        {"--out", "FILE",
                         "safetensors file to write: 'logits' [batch, seq, vocab], 'hidden.L' "
                         "[batch, seq, hidden]",
                         ""},
                        {"--layers", "L,L...", "decoder layers whose outputs to write as well", ""},
                    }};
        for (auto& o : computeOptions()) cmd.options.push_back(o);
        return cmd;
    }();
    return c;
}

int runLogits(const Arguments& args) {
    ModelOutputsRequest request;
    request.modelPath = args.require("--model");
    request.idsPath = args.require("--ids");
    request.outputPath = args.require("--out");
    if (args.has("--layers")) request.layers = parseLayerList(args.get("--layers"));
    request.device = args.get("--device"), request.dtype = args.get("--dtype");
    applyThreads(args);
    const ModelOutputsResult r = writeModelOutputs(request);
    for (const auto& w : r.warnings) std::cerr << "invx: warning: " << w << '\n';
    std::cerr << "invx: wrote " << request.outputPath << " (logits " << r.batch << "x" << r.sequence
              << "x" << r.vocabulary << ")\n";
    return 0;
}

}  // namespace invx::cli
