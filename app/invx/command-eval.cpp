#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "compute-options.h"
#include "invx/bpe-tokenizer.h"
#include "invx/error.h"
#include "invx/model-locator.h"
#include "invx/perplexity-text.h"
#include "invx/text-file.h"
#include "perplexity-evaluator.h"
#include "rtn-quantizer.h"

namespace invx::cli {
namespace {

// A live line on a terminal; about ten lines in a log file.
PerplexityCallback progressPrinter(bool quiet) {
    const bool tty = ::isatty(STDERR_FILENO);
    return [quiet, tty, lastDecile = -1LL](const PerplexityProgress& p) mutable {
        if (quiet) return true;
        const double rate = p.windowsDone / std::max(p.elapsedSeconds, 1e-9);
        const double left = (p.windowsTotal - p.windowsDone) / std::max(rate, 1e-9);
        char line[160];
        std::snprintf(line, sizeof line, "perplexity: window %lld/%lld  ppl %.4f  %.2f windows/s  left %s",
                      (long long)p.windowsDone, (long long)p.windowsTotal, p.pplSoFar, rate,
                      formatDuration(left).c_str());
        if (tty) {
            std::cerr << '\r' << line << "\033[K" << (p.windowsDone == p.windowsTotal ? "\n" : "")
                      << std::flush;
        } else if (long long decile = p.windowsDone * 10 / p.windowsTotal; decile != lastDecile) {
            lastDecile = decile;
            std::cerr << line << '\n';
        }
        return true;
    };
}

}  // namespace

const Command& evalCommand() {
    static const Command c = [] {
        Command cmd{
            "eval",
            "--model PATH|ID --data NAME|PATH [options]",
            "Measure perplexity (GPTQ/AWQ protocol: 2048-token windows), full precision or quantized.",
            {
                {"--model", "PATH|ID", "model directory, or a Hugging Face id found in the local cache", ""},
                {"--data", "NAME|PATH", "data set name (wikitext2) or a raw text file", "wikitext2"},
                {"--tokenizer", "DIR", "tokenizer directory; default: the model directory", ""},
                {"--method", "fp|rtn", "fp = no quantization; rtn = round to nearest (set by --bits)", "fp"},
                {"--bits", "B", "weight bits, 1-8; implies --method rtn", ""},
                {"--group", "G", "weights per quantization group; -1 = one group per row", "128"},
                {"--window", "N", "tokens per window", "2048"},
                {"--max-windows", "N", "stop after N windows; 0 = all", "0"},
                {"--json", "", "print one JSON object instead of text", ""},
                {"--quiet", "", "no progress display", ""},
            }};
        for (auto& o : computeOptions()) cmd.options.push_back(o);
        return cmd;
    }();
    return c;
}

int runEval(const Arguments& args) {
    const std::string modelDir = resolveModelDirectory(args.require("--model"));
    const std::string dataPath = resolveDataset(args.get("--data"));
    std::string method = args.get("--method");
    QuantConfig quant;
    if (args.has("--bits")) {
        if (args.has("--method") && method != "rtn")
            throw Error("--bits asks for quantization, but --method is '" + method + "'");
        method = "rtn";
    }
    if (method != "fp" && method != "rtn")
        throw Error("--method expects fp or rtn, but got '" + method + "'");
    if (method == "rtn") {
        quant.bits = int(args.getInt("--bits", 1, 8));
        quant.groupSize = int(args.getInt("--group", -1, 1 << 20));
        quant.validate();
    }
    PerplexityOptions options;
    options.windowLength = args.getInt("--window", 2, 1 << 20);
    options.maxWindows = args.getInt("--max-windows", 0, 1LL << 40);

    const ModelPlacement placement = applyComputeOptions(args);
    const std::string tokenizerDir = args.has("--tokenizer") ? args.get("--tokenizer") : modelDir;
    if (!args.has("--tokenizer") && !std::filesystem::exists(std::filesystem::path(modelDir) / "vocab.json"))
        throw Error("model directory '" + modelDir + "' has no tokenizer (vocab.json); pass --tokenizer DIR");
    const auto tokenizer = BpeTokenizer::fromDirectory(tokenizerDir);
    std::vector<std::int32_t> ids;
    try {
        ids = tokenizer.encode(joinRowsForPerplexity(readWholeFile(dataPath, "evaluation data")),
                               /*addSpecial=*/true);
    } catch (const Error& e) {
        throw Error("'" + dataPath + "': " + e.what());
    }

    OptModel model = loadModel(modelDir, placement);
    if (method == "rtn") quantizeRtn(model, quant);
    const PerplexityResult r =
        evaluatePerplexity(model, ids, options, progressPrinter(args.has("--quiet")));

    if (args.has("--json")) {
        nlohmann::json j = {
            {"model", modelDir},          {"data", dataPath},
            {"method", method},           {"ppl", r.ppl},
            {"nll_sum", r.nllSum},        {"tokens", r.tokens},
            {"windows", r.windows},       {"windows_available", r.windowsAvailable},
            {"window_length", r.windowLength}, {"seconds", r.seconds},
            {"device", placement.device.str()}, {"dtype", dtypeText(placement.dtype)},
        };
        if (method == "rtn") j["bits"] = quant.bits, j["group"] = quant.groupSize;
        std::cout << j.dump() << '\n';
    } else {
        std::printf("%s perplexity: %.4f (%s; %lld of %lld windows of %lld tokens; %lld tokens in all; %.1f s)\n",
                    method == "rtn" ? ("RTN " + quant.describe()).c_str() : "full-precision",
                    r.ppl, std::filesystem::path(dataPath).filename().c_str(), (long long)r.windows,
                    (long long)r.windowsAvailable, (long long)r.windowLength, (long long)r.tokens,
                    r.seconds);
    }
    return 0;
}

}  // namespace invx::cli
