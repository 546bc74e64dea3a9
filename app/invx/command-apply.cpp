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
            {"--model", "PATH|ID", "the model the experiment ran on; default: the recorded path", ""},
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
    if (args.has("--json")) {
        std::printf("%s\n", nlohmann::json{{"out", r.outputDirectory}, {"step", r.step}, {"tensors", r.tensors},
                                           {"bytes", r.bytes}}
                                .dump()
                                .c_str());
    } else {
        std::printf("Wrote %s: %lld float16 tensors (%.1f MB) with the invariances of step %lld folded in.\n"
                    "Quantize it with RTN at the experiment's bits and group (see invx_apply.json) to get the "
                    "searched model, e.g. invx eval --model %s --bits B --group G\n",
                    r.outputDirectory.c_str(), (long long)r.tensors, double(r.bytes) / 1e6, (long long)r.step,
                    r.outputDirectory.c_str());
    }
    return 0;
}

}  // namespace invx::cli
