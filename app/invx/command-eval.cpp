// invx eval: perplexity or reasoning-task accuracy of a model, full precision, quantized on the fly
// or as an experiment file reached it. The work is the core's evaluateModel; this file parses and
// prints.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "compute-options.h"
#include "evaluation-printer.h"
#include "invx/error.h"
#include "invx/model-evaluation.h"

namespace invx::cli {
namespace {

// --model, with opt-demo standing for the bundled demo model (as in invx search).
std::string modelArgument(const Arguments& args) {
    const std::string model = args.get("--model");
    return model == "opt-demo" ? std::string(INVX_DEMO_MODEL_DIR) : model;
}

// Options that belong to one kind of evaluation only.
void requireConsistentEvaluation(const Arguments& args) {
    if (args.has("--tasks")) {
        for (const char* name : {"--eval-data", "--eval-window", "--eval-windows"})
            if (args.has(name))
                throw Error("--tasks scores reasoning tasks, not perplexity; leave out " +
                            args.typed(name));
    } else {
        for (const char* name :
             {"--shots", "--limit", "--task-seed", "--batch-tokens", "--save-requests"})
            if (args.has(name))
                throw Error(std::string(name) + " belongs to --tasks, which is missing");
    }
    if (args.has("--experiment")) {
        for (const char* name :
             {"--method", "--bits", "--group", "--calibration", "--base-calibration-samples",
              "--calibration-length", "--calibration-seed", "--save-calibration", "--awq-precision",
              "--rtn-precision", "--act-order", "--damp", "--epochs", "--let-lr", "--lwc-lr",
              "--lwc", "--let", "--let-alpha", "--tokenizer"})
            if (args.has(name))
                throw Error(
                    "--experiment measures the model the search reached, with its own quantization "
                    "and tokenizer; "
                    "leave out " +
                    args.typed(name));
        if (args.has("--full-precision") && args.has("--checkpoint"))
            throw Error(
                "--full-precision measures the experiment's model unquantized, which has no "
                "checkpoint; leave out --checkpoint");
        return;
    }
    for (const char* name : {"--checkpoint", "--full-precision", "--record"})
        if (args.has(name))
            throw Error(std::string(name) + " belongs to --experiment FILE, which is missing");
    args.require("--model");
}

// The request the options describe. --bits alone asks for RTN; each method's own settings are
// refused for another method.
EvaluationRequest requestFrom(const Arguments& args) {
    EvaluationRequest r;
    applySettingOptions(args, SettingCommand::Evaluate, r.settings);
    std::string& method = r.settings.search.base;
    if (args.has("--bits") && !args.has("--method")) method = "rtn";
    if (args.has("--bits") && method == "fp")
        throw Error("--bits asks for quantization, but --method is fp");
    refuseOtherMethodsSettings(args, SettingCommand::Evaluate, method);
    if (args.has("--eval-data")) r.perplexityData = {args.get("--eval-data")};
    r.modelPath = args.has("--model") ? modelArgument(args) : "";
    r.tokenizerPath = args.get("--tokenizer");
    if (args.has("--experiment")) {
        r.experimentPath = args.get("--experiment");
        r.experimentModel = args.has("--full-precision") ? "full-precision" : "searched";
        r.checkpoint = args.getInt("--checkpoint", -(1LL << 40), 1LL << 40);
        // The search's own device and dtype unless given, so that its evaluations are reproduced.
        r.device = args.has("--device") ? args.get("--device") : "";
        r.dtype = args.has("--dtype") ? args.get("--dtype") : "";
        r.record = args.has("--record");
    } else {
        r.device = args.get("--device"), r.dtype = args.get("--dtype");
    }
    r.saveCalibrationPath = args.get("--save-calibration");
    r.saveRequestsPath = args.get("--save-requests");
    return r;
}

// What every --json result starts with: the model and how it was quantized.
nlohmann::json modelJson(const EvaluationRequest& request, const EvaluatedModel& m) {
    const SearchSettings& s = request.settings.search;
    if (!request.experimentPath.empty()) {
        nlohmann::json j{{"model", m.directory},
                         {"experiment", request.experimentPath},
                         {"measured", m.kind},
                         {"step", m.step},
                         {"method", m.method}};
        if (m.kind != "full-precision") j["bits"] = m.quant.bits, j["group"] = m.quant.groupSize;
        return j;
    }
    nlohmann::json j{{"model", m.directory}, {"method", m.method}};
    if (m.method != "fp") j["bits"] = m.quant.bits, j["group"] = m.quant.groupSize;
    if (m.method == "awq" || m.method == "gptq" || m.method == "omniquant")
        j["calibration"] = s.calibrationCorpus, j["calibration_samples"] = s.baseCalibrationSamples,
        j["calibration_length"] = s.calibrationLength;
    if (m.method == "awq") j["awq_precision"] = s.awqPrecision;
    if (m.method == "omniquant")
        j["omniquant"] = {{"epochs", s.omniquantEpochs}, {"let_lr", s.omniquantLetLr},
                          {"lwc_lr", s.omniquantLwcLr},  {"lwc", s.omniquantLwc},
                          {"let", s.omniquantLet},       {"let_alpha", s.omniquantAlpha}};
    if (m.method == "rtn") j["rtn_precision"] = request.settings.evaluation.rtnPrecision;
    return j;
}

int printPerplexity(const EvaluationRequest& request, const EvaluationReport& report, bool json) {
    const PerplexityEvaluation& p = report.perplexities.front();
    const PerplexityResult& r = p.result;
    const EvaluatedModel& m = report.model;
    if (json) {
        nlohmann::json j{{"model", m.directory},
                         {"data", p.dataPath},
                         {"ppl", r.ppl},
                         {"nll_sum", r.nllSum},
                         {"tokens", r.tokens},
                         {"windows", r.windows},
                         {"windows_available", r.windowsAvailable},
                         {"window_length", r.windowLength},
                         {"seconds", r.seconds},
                         {"device", m.device},
                         {"dtype", m.dtype}};
        j.update(modelJson(request, m));
        std::cout << j.dump() << '\n';
        return 0;
    }
    const std::string file = std::filesystem::path(p.dataPath).filename().string();
    if (!request.experimentPath.empty()) {
        std::printf("%s, perplexity: %.4f (%s; %lld of %lld windows of %lld tokens; %.1f s)\n",
                    m.label.c_str(), r.ppl, file.c_str(), (long long)r.windows,
                    (long long)r.windowsAvailable, (long long)r.windowLength, r.seconds);
    } else {
        std::printf(
            "%s perplexity: %.4f (%s; %lld of %lld windows of %lld tokens; %lld tokens in all; "
            "%.1f s)\n",
            m.method == "fp" ? "full-precision" : m.label.c_str(), r.ppl, file.c_str(),
            (long long)r.windows, (long long)r.windowsAvailable, (long long)r.windowLength,
            (long long)r.tokens, r.seconds);
    }
    return 0;
}

int printTasks(const EvaluationRequest& request, const EvaluationReport& report, bool json) {
    const EvaluationSettings& e = request.settings.evaluation;
    double sum = 0;
    for (const TaskEvaluation& t : report.tasks) sum += t.score.acc;
    const double average = sum / double(report.tasks.size());
    if (json) {
        nlohmann::json j = modelJson(request, report.model);
        nlohmann::json list = nlohmann::json::array();
        for (const TaskEvaluation& t : report.tasks)
            list.push_back({{"task", t.prompts.task},
                            {"file", t.prompts.file},
                            {"items", t.score.items},
                            {"items_in_file", t.prompts.itemsInFile},
                            {"acc", t.score.acc},
                            {"acc_norm", t.score.accNorm},
                            {"requests", t.requests},
                            {"seconds", t.seconds}});
        j["tasks"] = list;
        j["average_acc"] = average;
        j["shots"] = e.shots, j["limit"] = e.limit, j["task_seed"] = e.taskSeed;
        j["device"] = report.model.device, j["dtype"] = report.model.dtype;
        std::cout << j.dump() << '\n';
        return 0;
    }
    std::printf(
        "%s, %d-shot%s:\n", report.model.label.c_str(), e.shots,
        e.limit > 0 ? (", first " + std::to_string(e.limit) + " items of each task").c_str() : "");
    std::printf("  %-14s %7s %8s %9s %9s\n", "task", "items", "acc", "acc_norm", "seconds");
    double seconds = 0;
    for (const TaskEvaluation& t : report.tasks) {
        std::printf("  %-14s %7lld %8.4f %9.4f %9.1f\n", t.prompts.task.c_str(),
                    (long long)t.score.items, t.score.acc, t.score.accNorm, t.seconds);
        seconds += t.seconds;
    }
    std::printf("  %-14s %7s %8.4f %9s %9.1f\n", "average", "", average, "", seconds);
    return 0;
}

}  // namespace

const Command& evalCommand() {
    static const Command c = [] {
        Command cmd{
            "eval",
            "--model PATH|ID [--eval-data NAME|PATH | --tasks LIST] [options] | --experiment FILE "
            "[--checkpoint K] "
            "[--eval-data NAME|PATH | --tasks LIST]",
            "Measure perplexity (GPTQ/AWQ protocol: 2048-token windows) or reasoning-task accuracy "
            "(lm-evaluation-harness "
            "conventions, 5-shot), full precision, quantized or searched.",
            {
                {"--model", "PATH|ID",
                 "model directory, or a Hugging Face id found in the local cache; opt-demo = the "
                 "bundled demo model",
                 ""},
                {"--experiment", "FILE",
                 "measure the model a search reached (any base), as stored in this experiment file",
                 ""},
                {"--checkpoint", "K",
                 "with --experiment: which checkpoint; -1 = the last, 0 = the base method's model "
                 "(the search's start)",
                 "-1"},
                {"--full-precision", "",
                 "with --experiment: measure the experiment's model unquantized", ""},
                {"--record", "",
                 "with --experiment: keep the result in the file, for invx table and the "
                 "workbench's Results tab",
                 ""},
                {"--tokenizer", "DIR", "tokenizer directory; default: the model directory", ""},
            }};
        for (const Option& o : settingOptions(SettingCommand::Evaluate)) cmd.options.push_back(o);
        cmd.options.push_back(
            {"--save-calibration", "FILE",
             "awq/gptq/omniquant: also write the calibration token ids as JSON (for cross-checks)",
             ""});
        cmd.options.push_back({"--save-requests", "FILE",
                               "with --tasks: write every choice's context, continuation and "
                               "log-likelihood as JSON lines",
                               ""});
        cmd.options.push_back({"--json", "", "print one JSON object instead of text", ""});
        cmd.options.push_back({"--quiet", "", "no progress display", ""});
        for (auto& o : computeOptions()) cmd.options.push_back(o);
        return cmd;
    }();
    return c;
}

int runEval(const Arguments& args) {
    requireConsistentEvaluation(args);
    const EvaluationRequest request = requestFrom(args);
    applyThreads(args);
    EvaluationPrinter printer(args.has("--quiet"));
    const EvaluationReport report = evaluateModel(request, printer);
    return report.tasks.empty() ? printPerplexity(request, report, args.has("--json"))
                                : printTasks(request, report, args.has("--json"));
}

}  // namespace invx::cli
