// evaluateModel: load (and quantize) the model a request names, then measure its perplexity on each
// data set and its accuracy on the reasoning tasks, recording the results in an experiment file
// when asked.
#include "invx/model-evaluation.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "eval/experiment-model.h"
#include "invx/bpe-tokenizer.h"
#include "invx/calibration-data.h"
#include "invx/corpus-documents.h"
#include "invx/data-sets.h"
#include "invx/error.h"
#include "invx/model-locator.h"
#include "invx/perplexity-text.h"
#include "metrics/perplexity-evaluator.h"
#include "metrics/task-evaluation.h"
#include "quant/base-quantization.h"

namespace invx {
namespace {

// A method's name as the papers write it: "AWQ", "GPTQ", "OmniQuant".
std::string upper(std::string s) {
    if (s == "omniquant") return "OmniQuant";
    for (char& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

// A model loaded (and quantized) as a request names it, with its tokenizer and what describes it.
struct LoadedModel {
    OptModel model;
    BpeTokenizer tokenizer;
    EvaluatedModel description;
};

// The calibration batch of AWQ and GPTQ, drawn as the search draws it.
at::Tensor calibrationBatch(const SearchSettings& s, const BpeTokenizer& tokenizer,
                            std::int64_t maxPositions, const std::string& saveTo) {
    const int samples = s.baseCalibrationSamples, length = s.calibrationLength;
    if (length > maxPositions)
        throw SettingError(findSettingDeclaration("calibration_length")
                               ->problem("must be at most the model's " +
                                         std::to_string(maxPositions) + " positions, but is " +
                                         std::to_string(length)));
    const auto blocks =
        buildCalibrationBlocks(readCorpusDocuments(s.calibrationCorpus), tokenizer, samples, length,
                               s.calibrationSeed, s.calibrationCorpus);
    if (!saveTo.empty()) {
        std::ofstream out(saveTo);
        out << nlohmann::json{{"samples", samples}, {"length", length}, {"ids", blocks}}.dump()
            << '\n';
        if (!out) throw Error("cannot write the calibration token ids to '" + saveTo + "'");
    }
    return at::tensor(std::vector<std::int64_t>(blocks.begin(), blocks.end()))
        .view({samples, length});
}

// "AWQ 2-bit, group 128", with the arithmetic where it is not the method's default.
std::string plainLabel(const std::string& method, const QuantConfig& quant,
                       const CommandSettings& s) {
    if (method == "fp") return "full precision";
    const std::string arithmetic = quant.float16Arithmetic ? ", float16 arithmetic"
                                   : (method == "awq" && s.search.awqPrecision == "float32")
                                       ? ", float32 arithmetic"
                                       : "";
    return upper(method) + " " + quant.describe() + arithmetic;
}

EvaluatedModel describePlacement(EvaluatedModel d, const OptModel& model) {
    d.device = model.placement().device.str();
    d.dtype = dtypeText(model.placement().dtype);
    return d;
}

LoadedModel loadPlainModel(const EvaluationRequest& r, EvaluationObserver& observer) {
    const CommandSettings& s = r.settings;
    const std::string method = s.search.base;
    if (auto p = findSettingDeclaration("base")->check(method, SettingCommand::Evaluate))
        throw SettingError(*p);
    QuantConfig quant = s.search.quant;
    if (method != "fp") quant.validate();
    if (auto p = findSettingDeclaration("rtn_precision")->check(s.evaluation.rtnPrecision))
        throw SettingError(*p);
    quant.float16Arithmetic = method == "rtn" && s.evaluation.rtnPrecision == "float16";
    const std::string directory = resolveModelDirectory(r.modelPath);
    const std::string tokenizerDir = r.tokenizerPath.empty() ? directory : r.tokenizerPath;
    if (r.tokenizerPath.empty() &&
        !std::filesystem::exists(std::filesystem::path(directory) / "vocab.json"))
        throw Error("model directory '" + directory +
                    "' has no tokenizer (vocab.json); pass --tokenizer DIR");
    BpeTokenizer tokenizer = BpeTokenizer::fromDirectory(tokenizerDir);

    std::vector<std::string> warnings;
    OptModel model = OptModel::load(
        directory,
        parsePlacement(r.device.empty() ? "auto" : r.device, r.dtype.empty() ? "auto" : r.dtype),
        &warnings);
    for (const auto& w : warnings) observer.onMessage("warning: " + w);
    if (method != "fp") {
        at::Tensor calibration;
        if (method != "rtn")
            calibration = calibrationBatch(s.search, tokenizer, model.config().maxPositions,
                                           r.saveCalibrationPath);
        BaseMethodOptions options;
        options.awq.precision = awqPrecisionFromName(s.search.awqPrecision, "--awq-precision");
        options.gptq.actOrder = s.evaluation.actOrder;
        if (method == "omniquant")
            for (const char* key : {"omniquant_epochs", "omniquant_let_lr", "omniquant_lwc_lr",
                                    "omniquant_lwc", "omniquant_let", "omniquant_alpha"}) {
                const SettingDeclaration* d = findSettingDeclaration(key);
                if (auto p = d->check(d->readSearch(s.search))) throw SettingError(*p);
            }
        options.omniquant = omniquantOptionsOf(s.search);
        options.gptq.dampening = s.evaluation.dampening;
        if (auto p = findSettingDeclaration("damp")->check(s.evaluation.dampening))
            throw SettingError(*p);
        warnings.clear();
        quantizeWithMethod(model, method, quant, calibration, options, &warnings,
                           [&observer](const std::string& m) { observer.onMessage(m); });
        for (const auto& w : warnings) observer.onMessage("warning: " + w);
    }
    EvaluatedModel d;
    d.directory = directory, d.kind = "plain", d.method = method,
    d.label = plainLabel(method, quant, s), d.quant = quant;
    d = describePlacement(d, model);
    return {std::move(model), std::move(tokenizer), std::move(d)};
}

EvaluatedModel describeExperimentModel(const ExperimentModel& m) {
    const SearchSettings& s = m.settings;
    EvaluatedModel d;
    d.directory = m.directory, d.kind = m.kind, d.step = m.step, d.quant = s.quant;
    d.method = m.kind == "full-precision" ? "fp"
               : m.kind == "base"         ? s.base
                                          : s.base + "+invarexplore";
    d.label = m.kind == "full-precision" ? "full precision"
              : m.kind == "base"
                  ? upper(s.base) + " " + s.quant.describe() + " (the search's start)"
                  : upper(s.base) + " + InvarExplore " + s.quant.describe() + ", step " +
                        std::to_string(m.step);
    return describePlacement(d, m.model);
}

std::vector<std::int32_t> tokenIds(const EvaluationRequest& r, const std::string& data,
                                   const BpeTokenizer& tokenizer) {
    if (!r.tokenIdCache) return evaluationTokenIds(data, tokenizer);
    auto it = r.tokenIdCache->find(data);
    if (it == r.tokenIdCache->end())
        it = r.tokenIdCache->emplace(data, evaluationTokenIds(data, tokenizer)).first;
    return it->second;
}

void saveRequests(const std::string& path, const std::vector<TaskResult>& results) {
    std::ofstream out(path);
    for (const TaskResult& r : results) {
        const TaskPrompts& p = r.prompts;
        for (std::size_t i = 0; i < p.items.size(); ++i)
            for (std::size_t c = 0; c < p.items[i].choices.size(); ++c)
                out << nlohmann::json{{"task", p.task},
                                      {"item", i},
                                      {"choice", c},
                                      {"gold", p.items[i].gold},
                                      {"context", p.items[i].choices[c].context},
                                      {"continuation", p.items[i].choices[c].continuation},
                                      {"norm_length", p.items[i].choices[c].normLength},
                                      {"loglikelihood", r.loglikelihoods[i][c]}}
                           .dump()
                    << '\n';
    }
    if (!out) throw Error("cannot write the requests to '" + path + "'");
}

}  // namespace

EvaluationReport evaluateModel(const EvaluationRequest& r, EvaluationObserver& observer) {
    c10::InferenceMode guard;
    if (r.experimentPath.empty())
        resolveModelDirectory(r.modelPath);  // a missing model is named first
    const EvaluationSettings& e = r.settings.evaluation;
    const std::vector<std::string> tasks =
        e.tasks.empty() ? std::vector<std::string>() : parseTaskList(e.tasks);
    std::vector<std::string> data = r.perplexityData;
    if (data.empty() && tasks.empty()) data.push_back(r.settings.search.evalData);
    for (const std::string& d : data)
        if (d == "none")
            throw SettingError(findSettingDeclaration("eval_data")
                                   ->problem("is none: there is nothing to measure"));
    for (const std::string& d : data)
        resolveDataset(d);  // a missing file is refused before the model loads
    if (!tasks.empty() && dataDirectory().empty())
        throw Error(
            "the tasks are read under $INVX_DATA/tasks, but INVX_DATA is not set; set it to your "
            "data directory");

    auto say = [&observer](const std::string& m) { observer.onMessage(m); };
    std::optional<ExperimentModel> experiment;
    std::optional<LoadedModel> plain;
    std::optional<BpeTokenizer> experimentTokenizer;
    if (!r.experimentPath.empty()) {
        experiment.emplace(loadExperimentModel(r.experimentPath, r.modelPath, r.experimentModel,
                                               r.checkpoint, r.device, r.dtype, say));
        experimentTokenizer.emplace(BpeTokenizer::fromDirectory(experiment->directory));
    } else {
        plain.emplace(loadPlainModel(r, observer));
    }
    const OptModel& model = experiment ? experiment->model : plain->model;
    const BpeTokenizer& tokenizer = experiment ? *experimentTokenizer : plain->tokenizer;
    EvaluationReport report;
    report.model = experiment ? describeExperimentModel(*experiment) : plain->description;

    PerplexityOptions options;
    options.windowLength = r.settings.search.evalWindowLength;
    options.maxWindows = r.settings.search.evalWindows;
    for (const std::string& d : data) {
        if (data.size() > 1 || !tasks.empty()) say("measuring " + d + " perplexity");
        PerplexityEvaluation p{d, resolveDataset(d), perplexityMetric(d), {}};
        p.result = evaluatePerplexity(
            model, tokenIds(r, d, tokenizer), options,
            [&observer](const PerplexityProgress& x) { return observer.onPerplexityProgress(x); });
        // A pass the observer stopped is not a measurement to keep.
        if (r.record && experiment && !p.result.stopped)
            recordResults(r.experimentPath, {perplexityRecord(*experiment, p.metric, p.result)});
        const bool stopped = p.result.stopped;
        report.perplexities.push_back(std::move(p));
        if (stopped) return report;
    }

    TaskPromptOptions prompts;
    prompts.shots = e.shots, prompts.limit = e.limit, prompts.seed = e.taskSeed;
    LoglikelihoodOptions loglikelihoods;
    loglikelihoods.batchTokens = e.batchTokens;
    std::vector<TaskResult> results;
    for (const std::string& task : tasks) {  // one at a time, each recorded as it is taken
        std::vector<TaskResult> one = evaluateReasoningTasks(
            model, tokenizer, {task}, dataDirectory(), prompts, loglikelihoods,
            [&observer](const std::string& t, std::int64_t done, std::int64_t total) {
                observer.onTaskProgress(t, done, total);
            });
        if (r.record && experiment)
            recordResults(r.experimentPath, taskRecords(*experiment, one, prompts));
        for (TaskResult& x : one) results.push_back(std::move(x));
    }
    if (!r.saveRequestsPath.empty()) saveRequests(r.saveRequestsPath, results);
    for (TaskResult& x : results)
        report.tasks.push_back({std::move(x.prompts), x.score, x.requests, x.seconds});
    return report;
}

EvaluationReport measureMissingResults(
    const ResultsMeasurement& need, const CommandSettings& settings, const std::string& device,
    const std::string& dtype, std::map<std::string, std::vector<std::int32_t>>* tokenIdCache,
    EvaluationObserver& observer) {
    EvaluationRequest request;
    request.experimentPath = need.path;
    request.experimentModel = need.model;
    request.settings = settings;
    request.settings.evaluation.tasks.clear();
    for (const std::string& metric : need.metrics) {
        if (metric == "wikitext2" || metric == "c4")
            request.perplexityData.push_back(metric);
        else
            request.settings.evaluation.tasks +=
                (request.settings.evaluation.tasks.empty() ? "" : ",") + metric;
    }
    request.device = device, request.dtype = dtype;
    request.record = true;
    request.tokenIdCache = tokenIdCache;
    return evaluateModel(request, observer);
}

}  // namespace invx
