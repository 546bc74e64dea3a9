#include "experiment-evaluation.h"

#include <unistd.h>

#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "command-line.h"
#include "invx/error.h"
#include "invx/experiment-file.h"
#include "invx/model-locator.h"
#include "model-identity.h"
#include "searched-model.h"

namespace invx::cli {
namespace {

// Prints `line` in place on a terminal; otherwise once per tenth of the work.
class ProgressLine {
public:
    explicit ProgressLine(bool quiet) : quiet_(quiet), tty_(::isatty(STDERR_FILENO)) {}
    void show(const char* line, std::int64_t done, std::int64_t total) {
        if (quiet_) return;
        if (tty_) {
            std::cerr << '\r' << line << "\033[K" << (done == total ? "\n" : "") << std::flush;
        } else if (long long decile = done * 10 / std::max<std::int64_t>(total, 1); decile != lastDecile_) {
            lastDecile_ = decile;
            std::cerr << line << '\n';
        }
    }
    void restart() { lastDecile_ = -1; }

private:
    bool quiet_, tty_;
    long long lastDecile_ = -1;
};

}  // namespace

PerplexityCallback perplexityProgressPrinter(bool quiet) {
    return [line = ProgressLine(quiet)](const PerplexityProgress& p) mutable {
        const double rate = p.windowsDone / std::max(p.elapsedSeconds, 1e-9);
        const double left = (p.windowsTotal - p.windowsDone) / std::max(rate, 1e-9);
        char text[160];
        std::snprintf(text, sizeof text, "perplexity: window %lld/%lld  ppl %.4f  %.2f windows/s  left %s",
                      (long long)p.windowsDone, (long long)p.windowsTotal, p.pplSoFar, rate, formatDuration(left).c_str());
        line.show(text, p.windowsDone, p.windowsTotal);
        return true;
    };
}

TaskProgress taskProgressPrinter(bool quiet) {
    return [line = ProgressLine(quiet), lastTask = std::string()](const std::string& task, std::int64_t done,
                                                                  std::int64_t total) mutable {
        if (task != lastTask) lastTask = task, line.restart();
        char text[160];
        std::snprintf(text, sizeof text, "tasks: %s %lld/%lld requests", task.c_str(), (long long)done, (long long)total);
        line.show(text, done, total);
    };
}

TaskPromptOptions taskPromptOptions(const Arguments& args) {
    TaskPromptOptions o;
    o.shots = int(args.getInt("--shots", 0, 1000));
    o.limit = args.getInt("--limit", 0, 1LL << 40);
    o.seed = std::uint64_t(args.getInt("--task-seed", 0, 1LL << 62));
    return o;
}

LoglikelihoodOptions loglikelihoodOptions(const Arguments& args) {
    LoglikelihoodOptions o;
    o.batchTokens = args.getInt("--batch-tokens", 1, 1LL << 30);
    return o;
}

ExperimentModel loadExperimentModel(const std::string& experimentPath, const std::string& modelPath, const std::string& kind, std::int64_t checkpoint,
                                    const std::string& device, const std::string& dtype,
                                    const std::function<void(const std::string&)>& progress) {
    c10::InferenceMode guard;
    if (kind == "full-precision") {
        const ExperimentFile file = ExperimentFile::open(experimentPath, /*writable=*/false);
        const ModelIdentity recorded = file.model();
        const std::string directory = resolveModelDirectory(modelPath.empty() ? recorded.path : modelPath);
        if (progress) progress("loading the full-precision model from " + directory);
        OptModel model = OptModel::load(directory, recordedPlacement(recorded, device, dtype));
        requireSameModel(recorded, identifyModel(model, directory), experimentPath);
        return {std::move(model), directory, kind, 0, file.settings()};
    }
    if (kind != "base" && kind != "searched")
        throw Error("an experiment's model is full-precision, base or searched, not '" + kind + "'");
    SearchedModelRequest request;
    request.experimentPath = experimentPath;
    request.modelPath = modelPath;
    request.checkpoint = kind == "base" ? 0 : checkpoint;
    request.device = device, request.dtype = dtype;
    SearchedModel searched = loadSearchedModel(request, progress);
    if (kind == "base" && searched.step != 0)
        throw Error("experiment file '" + experimentPath + "' has no checkpoint at step 0, so its base model cannot be rebuilt");
    // A checkpoint at step 0 is the base method's model, whatever asked for it.
    const std::string measured = searched.step == 0 ? "base" : "searched";
    return {std::move(searched.model), searched.modelDirectory, measured, searched.step, searched.settings};
}

std::string perplexityMetric(const std::string& dataArgument) {
    if (dataArgument == "wikitext2" || dataArgument == "c4") return dataArgument;
    return std::filesystem::path(dataArgument).filename().string().substr(0, 31);
}

namespace {
nlohmann::json placementJson(const ExperimentModel& m) {
    return {{"device", m.model.placement().device.str()}, {"dtype", dtypeText(m.model.placement().dtype)}};
}
}  // namespace

ResultRecord perplexityRecord(const ExperimentModel& m, const std::string& metric, const PerplexityResult& r) {
    ResultRecord x;
    x.model = m.kind, x.step = m.step, x.metric = metric;
    x.value = r.ppl;
    x.valueNorm = std::nan("");
    x.items = r.windows;
    x.complete = r.windows == r.windowsAvailable;
    nlohmann::json protocol = placementJson(m);
    protocol["window"] = r.windowLength;
    protocol["tokens"] = r.tokens;
    x.protocol = protocol.dump();
    x.seconds = r.seconds;
    return x;
}

std::vector<ResultRecord> taskRecords(const ExperimentModel& m, const std::vector<TaskResult>& results,
                                      const TaskPromptOptions& prompts) {
    std::vector<ResultRecord> out;
    for (const TaskResult& r : results) {
        ResultRecord x;
        x.model = m.kind, x.step = m.step, x.metric = r.prompts.task;
        x.value = r.score.acc, x.valueNorm = r.score.accNorm;
        x.items = r.score.items;
        x.complete = r.score.items == r.prompts.itemsInFile;
        nlohmann::json protocol = placementJson(m);
        protocol["shots"] = prompts.shots, protocol["task_seed"] = prompts.seed;
        x.protocol = protocol.dump();
        x.seconds = r.seconds;
        out.push_back(std::move(x));
    }
    return out;
}

void recordResults(const std::string& experimentPath, const std::vector<ResultRecord>& results) {
    ExperimentFile file = ExperimentFile::open(experimentPath, /*writable=*/true);
    for (const ResultRecord& r : results) file.appendResult(r);
}

}  // namespace invx::cli
