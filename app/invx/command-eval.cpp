#include <unistd.h>

#include <ATen/ATen.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "compute-options.h"
#include "invx/bpe-tokenizer.h"
#include "invx/error.h"
#include "invx/model-locator.h"
#include "invx/perplexity-text.h"
#include "perplexity-evaluator.h"
#include "base-quantization.h"
#include "invx/calibration-data.h"
#include "searched-model.h"
#include "task-evaluation.h"
#include "experiment-evaluation.h"

namespace invx::cli {
namespace {

std::string upper(std::string s) {
    for (char& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

PerplexityOptions perplexityOptions(const Arguments& args) {
    PerplexityOptions options;
    options.windowLength = args.getInt("--window", 2, 1 << 20);
    options.maxWindows = args.getInt("--max-windows", 0, 1LL << 40);
    return options;
}

// --model, with opt-demo standing for the bundled demo model (as in invx search).
std::string modelArgument(const Arguments& args) {
    const std::string model = args.get("--model");
    return model == "opt-demo" ? std::string(INVX_DEMO_MODEL_DIR) : model;
}

// Scores the reasoning tasks (--tasks) with the options of the command line.
std::vector<TaskResult> measureTasks(const OptModel& model, const BpeTokenizer& tokenizer, const Arguments& args) {
    const std::vector<std::string> tasks = parseTaskList(args.get("--tasks"));
    const std::string dataDir = dataDirectory();
    if (dataDir.empty())
        throw Error("--tasks reads the tasks under $INVX_DATA/tasks, but INVX_DATA is not set; set it to your data directory");
    return evaluateReasoningTasks(model, tokenizer, tasks, dataDir, taskPromptOptions(args), loglikelihoodOptions(args),
                                  taskProgressPrinter(args.has("--quiet")));
}

// Prints the task results as a table, or one JSON object that `fields` starts (the model and how
// it was quantized); --save-requests writes every choice's request and log-likelihood as JSON lines.
int printTasks(const std::vector<TaskResult>& results, const OptModel& model, const Arguments& args,
               const std::string& label, nlohmann::json fields) {
    const TaskPromptOptions prompts = taskPromptOptions(args);
    if (args.has("--save-requests")) {
        const std::string path = args.get("--save-requests");
        std::ofstream out(path);
        for (const TaskResult& r : results) {
            const TaskPrompts& p = r.prompts;
            for (std::size_t i = 0; i < p.items.size(); ++i)
                for (std::size_t c = 0; c < p.items[i].choices.size(); ++c)
                    out << nlohmann::json{{"task", p.task}, {"item", i}, {"choice", c}, {"gold", p.items[i].gold},
                                          {"context", p.items[i].choices[c].context},
                                          {"continuation", p.items[i].choices[c].continuation},
                                          {"norm_length", p.items[i].choices[c].normLength},
                                          {"loglikelihood", r.loglikelihoods[i][c]}}.dump()
                        << '\n';
        }
        if (!out) throw Error("cannot write the requests to '" + path + "'");
    }
    double sum = 0;
    for (const TaskResult& r : results) sum += r.score.acc;
    const double average = sum / double(results.size());
    if (args.has("--json")) {
        nlohmann::json list = nlohmann::json::array();
        for (const TaskResult& r : results)
            list.push_back({{"task", r.prompts.task}, {"file", r.prompts.file}, {"items", r.score.items}, {"items_in_file", r.prompts.itemsInFile},
                            {"acc", r.score.acc}, {"acc_norm", r.score.accNorm}, {"requests", r.requests}, {"seconds", r.seconds}});
        fields["tasks"] = list;
        fields["average_acc"] = average;
        fields["shots"] = prompts.shots, fields["limit"] = prompts.limit, fields["task_seed"] = prompts.seed;
        fields["device"] = model.placement().device.str(), fields["dtype"] = dtypeText(model.placement().dtype);
        std::cout << fields.dump() << '\n';
        return 0;
    }
    std::printf("%s, %d-shot%s:\n", label.c_str(), prompts.shots,
                prompts.limit > 0 ? (", first " + std::to_string(prompts.limit) + " items of each task").c_str() : "");
    std::printf("  %-14s %7s %8s %9s %9s\n", "task", "items", "acc", "acc_norm", "seconds");
    double seconds = 0;
    for (const TaskResult& r : results) {
        std::printf("  %-14s %7lld %8.4f %9.4f %9.1f\n", r.prompts.task.c_str(), (long long)r.score.items, r.score.acc, r.score.accNorm, r.seconds);
        seconds += r.seconds;
    }
    std::printf("  %-14s %7s %8.4f %9s %9.1f\n", "average", "", average, "", seconds);
    return 0;
}

// The fields every --json result has; each kind of evaluation adds its own.
nlohmann::json resultJson(const PerplexityResult& r, const std::string& model, const std::string& data,
                          const ModelPlacement& placement) {
    return {{"model", model},           {"data", data},
            {"ppl", r.ppl},             {"nll_sum", r.nllSum},
            {"tokens", r.tokens},       {"windows", r.windows},
            {"windows_available", r.windowsAvailable}, {"window_length", r.windowLength},
            {"seconds", r.seconds},     {"device", placement.device.str()},
            {"dtype", dtypeText(placement.dtype)}};
}

}  // namespace

const Command& evalCommand() {
    static const Command c = [] {
        Command cmd{
            "eval",
            "--model PATH|ID [--data NAME|PATH | --tasks LIST] [options] | --experiment FILE [--checkpoint K] [--data NAME|PATH | --tasks LIST]",
            "Measure perplexity (GPTQ/AWQ protocol: 2048-token windows) or reasoning-task accuracy (lm-evaluation-harness "
            "conventions, 5-shot), full precision, quantized or searched.",
            {
                {"--model", "PATH|ID", "model directory, or a Hugging Face id found in the local cache; opt-demo = the bundled demo model", ""},
                {"--experiment", "FILE", "measure the model a search reached (any base), as stored in this experiment file", ""},
                {"--checkpoint", "K", "with --experiment: which checkpoint; -1 = the last, 0 = the base method's model (the search's start)", "-1"},
                {"--full-precision", "", "with --experiment: measure the experiment's model unquantized", ""},
                {"--record", "", "with --experiment: keep the result in the file, for invx table and the workbench's Results tab", ""},
                {"--data", "NAME|PATH", "data set name (wikitext2, c4) or a file: raw text, or JSON lines with a text field", "wikitext2"},
                {"--tokenizer", "DIR", "tokenizer directory; default: the model directory", ""},
                {"--method", "fp|rtn|awq|gptq", "fp = no quantization; rtn = round to nearest (implied by --bits); awq, gptq calibrate first", "fp"},
                {"--bits", "B", "weight bits, 1-8; implies --method rtn", ""},
                {"--group", "G", "weights per quantization group; -1 = one group per row", "128"},
                {"--calibration", "NAME|PATH", "awq/gptq calibration corpus: wikipedia, c4, wikitext2-train, gutenberg or a file", "wikipedia"},
                {"--calibration-samples", "N", "awq/gptq calibration sequences", "128"},
                {"--calibration-length", "N", "tokens per calibration sequence", "512"},
                {"--calibration-seed", "N", "seed of the calibration document shuffle", "42"},
                {"--save-calibration", "FILE", "awq/gptq: also write the calibration token ids as JSON (for cross-checks)", ""},
                {"--rtn-precision", "float16|float32", "rtn: the quantizer's arithmetic; float16 = as llm-awq's pseudo_quantize_tensor on a float16 model (what invx apply names for runs over AWQ in float16)", "float32"},
                {"--awq-precision", "float16|float32", "awq: arithmetic of the scale and clip searches and folds; float16 = as the authors' code runs them", "float16"},
                {"--act-order", "", "gptq: quantize columns in order of decreasing Hessian diagonal", ""},
                {"--damp", "F", "gptq: dampening, as a fraction of the Hessian's mean diagonal", "0.01"},
                {"--window", "N", "tokens per window", "2048"},
                {"--max-windows", "N", "stop after N windows; 0 = all", "0"},
                {"--tasks", "LIST", "score reasoning tasks instead of perplexity: any of arc_challenge, arc_easy, boolq, hellaswag, piqa, winogrande (comma-separated), or all; read from $INVX_DATA/tasks", ""},
                {"--shots", "K", "with --tasks: examples of the same task before each item (the paper's 5)", "5"},
                {"--limit", "N", "with --tasks: only the first N items of each task; 0 = all", "0"},
                {"--task-seed", "S", "with --tasks: seed of the draw of the shots", "1234"},
                {"--batch-tokens", "N", "with --tasks: tokens per batch (rows x longest row); lower it if memory runs out", "8192"},
                {"--save-requests", "FILE", "with --tasks: write every choice's context, continuation and log-likelihood as JSON lines", ""},
                {"--json", "", "print one JSON object instead of text", ""},
                {"--quiet", "", "no progress display", ""},
            }};
        for (auto& o : computeOptions()) cmd.options.push_back(o);
        return cmd;
    }();
    return c;
}

namespace {

// invx eval --experiment: the searched model, rebuilt from its file (or its full-precision model,
// or with --checkpoint 0 its base-quantized start), on any text. Device and dtype default to the
// search's own, so that the recorded evaluations are reproduced. --record keeps the result in the file.
int runEvalExperiment(const Arguments& args) {
    for (const char* name : {"--method", "--bits", "--group", "--calibration", "--calibration-samples", "--calibration-length",
                             "--calibration-seed", "--save-calibration", "--awq-precision", "--rtn-precision", "--act-order", "--damp", "--tokenizer"})
        if (args.has(name))
            throw Error(std::string("--experiment measures the model the search reached, with its own quantization and "
                                    "tokenizer; leave out ") + name);
    const bool fullPrecision = args.has("--full-precision");
    if (fullPrecision && args.has("--checkpoint"))
        throw Error("--full-precision measures the experiment's model unquantized, which has no checkpoint; leave out --checkpoint");
    applyComputeOptions(args);  // threads; the placement defaults to the recorded one
    const std::string path = args.get("--experiment");
    const bool quiet = args.has("--quiet");
    const bool tasks = args.has("--tasks");
    const std::string dataPath = tasks ? std::string() : resolveDataset(args.get("--data"));
    const ExperimentModel m = loadExperimentModel(
        path, args.has("--model") ? modelArgument(args) : "", fullPrecision ? "full-precision" : "searched", args.getInt("--checkpoint", -(1LL << 40), 1LL << 40),
        args.has("--device") ? args.get("--device") : "", args.has("--dtype") ? args.get("--dtype") : "",
        [quiet](const std::string& message) {
            if (!quiet) std::cerr << "invx: " << message << '\n';
        });
    const SearchSettings& s = m.settings;
    const std::string label = m.kind == "full-precision" ? "full precision"
                              : m.kind == "base"         ? upper(s.base) + " " + s.quant.describe() + " (the search's start)"
                                                         : upper(s.base) + " + InvarExplore " + s.quant.describe() +
                                                               ", step " + std::to_string(m.step);
    nlohmann::json fields{{"model", m.directory}, {"experiment", path}, {"measured", m.kind}, {"step", m.step},
                          {"method", m.kind == "full-precision" ? "fp" : m.kind == "base" ? s.base : s.base + "+invarexplore"}};
    if (m.kind != "full-precision") fields["bits"] = s.quant.bits, fields["group"] = s.quant.groupSize;
    const BpeTokenizer tokenizer = BpeTokenizer::fromDirectory(m.directory);
    if (tasks) {
        const std::vector<TaskResult> results = measureTasks(m.model, tokenizer, args);
        if (args.has("--record")) recordResults(path, taskRecords(m, results, taskPromptOptions(args)));
        return printTasks(results, m.model, args, label, fields);
    }
    const std::vector<std::int32_t> ids = evaluationTokenIds(dataPath, tokenizer);
    const PerplexityResult r = evaluatePerplexity(m.model, ids, perplexityOptions(args), perplexityProgressPrinter(quiet));
    if (args.has("--record")) recordResults(path, {perplexityRecord(m, perplexityMetric(args.get("--data")), r)});
    if (args.has("--json")) {
        nlohmann::json j = resultJson(r, m.directory, dataPath, m.model.placement());
        j.update(fields);
        std::cout << j.dump() << '\n';
    } else {
        std::printf("%s, perplexity: %.4f (%s; %lld of %lld windows of %lld tokens; %.1f s)\n", label.c_str(), r.ppl,
                    std::filesystem::path(dataPath).filename().c_str(), (long long)r.windows,
                    (long long)r.windowsAvailable, (long long)r.windowLength, r.seconds);
    }
    return 0;
}

}  // namespace

// Options that belong to one kind of evaluation only.
void requireConsistentEvaluation(const Arguments& args) {
    if (args.has("--tasks")) {
        for (const char* name : {"--data", "--window", "--max-windows"})
            if (args.has(name))
                throw Error(std::string("--tasks scores reasoning tasks, not perplexity; leave out ") + name);
    } else {
        for (const char* name : {"--shots", "--limit", "--task-seed", "--batch-tokens", "--save-requests"})
            if (args.has(name)) throw Error(std::string(name) + " belongs to --tasks, which is missing");
    }
}

int runEval(const Arguments& args) {
    requireConsistentEvaluation(args);
    if (args.has("--experiment")) return runEvalExperiment(args);
    for (const char* name : {"--checkpoint", "--full-precision", "--record"})
        if (args.has(name)) throw Error(std::string(name) + " belongs to --experiment FILE, which is missing");
    args.require("--model");
    const std::string modelDir = resolveModelDirectory(modelArgument(args));
    const bool tasks = args.has("--tasks");
    const std::string dataPath = tasks ? std::string() : resolveDataset(args.get("--data"));
    std::string method = args.get("--method");
    QuantConfig quant;
    if (args.has("--bits")) {
        if (method == "fp" && args.has("--method"))
            throw Error("--bits asks for quantization, but --method is fp");
        if (method == "fp") method = "rtn";
    }
    if (method != "fp") requireBaseMethod(method);
    if (method != "fp") {
        quant.bits = int(args.getInt("--bits", 1, 8));
        quant.groupSize = int(args.getInt("--group", -1, 1 << 20));
        quant.validate();
    }
    for (const auto& [option, owner] : {std::pair{"--rtn-precision", "rtn"}, std::pair{"--awq-precision", "awq"}})
        if (args.has(option) && method != owner)
            throw Error(std::string(option) + " sets the arithmetic of --method " + owner + ", but the method is " + method);
    const std::string rtnPrecision = args.get("--rtn-precision");
    if (rtnPrecision != "float16" && rtnPrecision != "float32")
        throw Error("--rtn-precision must be float16 or float32, but is '" + rtnPrecision + "'");
    quant.float16Arithmetic = method == "rtn" && rtnPrecision == "float16";
    // "AWQ 2-bit, group 128", with the arithmetic where it is not the method's default.
    const std::string arithmetic = (method == "rtn" && rtnPrecision == "float16") ? ", float16 arithmetic"
                                   : (method == "awq" && args.get("--awq-precision") == "float32") ? ", float32 arithmetic" : "";
    const std::string label = method == "fp" ? "" : upper(method) + " " + quant.describe() + arithmetic;
    const PerplexityOptions options = perplexityOptions(args);
    const ModelPlacement placement = applyComputeOptions(args);
    const std::string tokenizerDir = args.has("--tokenizer") ? args.get("--tokenizer") : modelDir;
    if (!args.has("--tokenizer") && !std::filesystem::exists(std::filesystem::path(modelDir) / "vocab.json"))
        throw Error("model directory '" + modelDir + "' has no tokenizer (vocab.json); pass --tokenizer DIR");
    const auto tokenizer = BpeTokenizer::fromDirectory(tokenizerDir);
    const std::vector<std::int32_t> ids = tasks ? std::vector<std::int32_t>() : evaluationTokenIds(dataPath, tokenizer);

    OptModel model = loadModel(modelDir, placement);
    if (method != "fp") {
        at::Tensor calibration;
        if (method != "rtn") {
            const int samples = int(args.getInt("--calibration-samples", 1, 1 << 20));
            const int length = int(args.getInt("--calibration-length", 2, int(model.config().maxPositions)));
            const auto blocks = buildCalibrationBlocks(readCorpusDocuments(args.get("--calibration")), tokenizer, samples,
                                                       length, std::uint64_t(args.getInt("--calibration-seed", 0, 1LL << 62)),
                                                       args.get("--calibration"));
            calibration = at::tensor(std::vector<std::int64_t>(blocks.begin(), blocks.end())).view({samples, length});
            if (args.has("--save-calibration")) {
                std::ofstream out(args.get("--save-calibration"));
                out << nlohmann::json{{"samples", samples}, {"length", length}, {"ids", blocks}}.dump() << '\n';
                if (!out) throw Error("cannot write '" + args.get("--save-calibration") + "'");
            }
        }
        BaseMethodOptions options;
        options.awq.precision = awqPrecisionFromName(args.get("--awq-precision"), "--awq-precision");
        options.gptq.actOrder = args.has("--act-order");
        options.gptq.dampening = args.getDouble("--damp");
        if (!(options.gptq.dampening > 0 && options.gptq.dampening < 1))
            throw Error("--damp expects a fraction between 0 and 1, but got " + args.get("--damp"));
        std::vector<std::string> warnings;
        const bool quiet = args.has("--quiet");
        quantizeWithMethod(model, method, quant, calibration, options, &warnings, [quiet](const std::string& m) {
            if (!quiet) std::cerr << "invx: " << m << '\n';
        });
        for (const auto& w : warnings) std::cerr << "invx: warning: " << w << '\n';
    }
    if (tasks) {
        nlohmann::json fields{{"model", modelDir}, {"method", method}};
        if (method != "fp") fields["bits"] = quant.bits, fields["group"] = quant.groupSize;
        if (method == "awq") fields["awq_precision"] = args.get("--awq-precision");
        if (method == "rtn") fields["rtn_precision"] = rtnPrecision;
        return printTasks(measureTasks(model, tokenizer, args), model, args,
                          method == "fp" ? "full precision" : label, fields);
    }
    const PerplexityResult r =
        evaluatePerplexity(model, ids, options, perplexityProgressPrinter(args.has("--quiet")));

    if (args.has("--json")) {
        nlohmann::json j = resultJson(r, modelDir, dataPath, placement);
        j["method"] = method;
        if (method != "fp") j["bits"] = quant.bits, j["group"] = quant.groupSize;
        if (method == "awq" || method == "gptq")
            j["calibration"] = args.get("--calibration"), j["calibration_samples"] = std::stoll(args.get("--calibration-samples")),
            j["calibration_length"] = std::stoll(args.get("--calibration-length"));
        if (method == "awq") j["awq_precision"] = args.get("--awq-precision");
        if (method == "rtn") j["rtn_precision"] = rtnPrecision;
        std::cout << j.dump() << '\n';
    } else {
        std::printf("%s perplexity: %.4f (%s; %lld of %lld windows of %lld tokens; %lld tokens in all; %.1f s)\n",
                    method == "fp" ? "full-precision" : label.c_str(),
                    r.ppl, std::filesystem::path(dataPath).filename().c_str(), (long long)r.windows,
                    (long long)r.windowsAvailable, (long long)r.windowLength, (long long)r.tokens,
                    r.seconds);
    }
    return 0;
}

}  // namespace invx::cli
