// invx apply: an experiment's invariances folded into a float16 Hugging Face checkpoint.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "invx/experiment-apply.h"

namespace invx::cli {

const Command& applyCommand() {
    static const Command c{
        "apply",
        "--experiment FILE --out DIR [--model PATH|ID] [--checkpoint N]",
        "Write the searched model as a float16 Hugging Face checkpoint (invariances folded in).",
        {
            {"--experiment", "FILE", "experiment file written by invx search", ""},
            {"--out", "DIR", "new output directory", ""},
            {"--model", "PATH|ID", "the model the experiment ran on; default: the recorded path",
             ""},
            {"--checkpoint", "N", "which checkpoint; -1 = the last", "-1"},
            {"--json", "", "print one JSON object", ""},
        }};
    return c;
}

int runApply(const Arguments& args) {
    ApplyRequest request;
    request.experimentPath = args.require("--experiment");
    request.outputDirectory = args.require("--out");
    request.modelPath = args.get("--model");
    request.checkpoint = args.getInt("--checkpoint", -(1LL << 40), 1LL << 40);
    const ApplyResult r = applyExperiment(request);
    const std::string quantizeCommand =
        "invx eval --model " + r.outputDirectory + " --bits " + std::to_string(r.quant.bits) +
        " --group " + std::to_string(r.quant.groupSize) +
        (r.quant.float16Arithmetic ? " --rtn-precision float16" : "");
    if (args.has("--json")) {
        std::printf("%s\n", nlohmann::json{{"out", r.outputDirectory},
                                           {"step", r.step},
                                           {"tensors", r.tensors},
                                           {"bytes", r.bytes},
                                           {"quantize", quantizeCommand}}
                                .dump()
                                .c_str());
    } else {
        std::printf(
            "Wrote %s: %lld float16 tensors (%.1f MB) with the invariances of step %lld folded "
            "in.\n"
            "Quantized by RTN as the search quantized it (invx_apply.json says how), it is the "
            "searched model:\n"
            "  %s\n",
            r.outputDirectory.c_str(), (long long)r.tensors, double(r.bytes) / 1e6,
            (long long)r.step, quantizeCommand.c_str());
    }
    return 0;
}

}  // namespace invx::cli
