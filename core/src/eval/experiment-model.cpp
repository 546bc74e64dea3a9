#include "eval/experiment-model.h"

#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "invx/error.h"
#include "invx/experiment-file.h"
#include "invx/model-locator.h"
#include "model/model-identity.h"
#include "search/searched-model.h"

namespace invx {

ExperimentModel loadExperimentModel(const std::string& experimentPath, const std::string& modelPath,
                                    const std::string& kind, std::int64_t checkpoint,
                                    const std::string& device, const std::string& dtype,
                                    const std::function<void(const std::string&)>& progress) {
    c10::InferenceMode guard;
    if (kind == "full-precision") {
        const ExperimentFile file = ExperimentFile::open(experimentPath, /*writable=*/false);
        const ModelIdentity recorded = file.model();
        const std::string directory =
            resolveModelDirectory(modelPath.empty() ? recorded.path : modelPath);
        if (progress) progress("loading the full-precision model from " + directory);
        OptModel model = OptModel::load(
            directory, recordedPlacement(recorded, device, dtype, /*cpuWhenNoGpu=*/true));
        requireSameModel(recorded, identifyModel(model, directory), experimentPath);
        return {std::move(model), directory, kind, 0, file.settings()};
    }
    if (kind != "base" && kind != "searched")
        throw Error("an experiment's model is full-precision, base or searched, not '" + kind +
                    "'");
    SearchedModelRequest request;
    request.experimentPath = experimentPath;
    request.modelPath = modelPath;
    request.checkpoint = kind == "base" ? 0 : checkpoint;
    request.device = device, request.dtype = dtype;
    request.cpuWhenNoGpu = true;  // measuring elsewhere: a run made on a GPU is measured on the CPU
    SearchedModel searched = loadSearchedModel(request, progress);
    if (kind == "base" && searched.step != 0)
        throw Error("experiment file '" + experimentPath +
                    "' has no checkpoint at step 0, so its base model cannot be rebuilt");
    // A checkpoint at step 0 is the base method's model, whatever asked for it.
    const std::string measured = searched.step == 0 ? "base" : "searched";
    return {std::move(searched.model), searched.modelDirectory, measured, searched.step,
            searched.settings};
}

std::string perplexityMetric(const std::string& dataArgument) {
    if (dataArgument == "wikitext2" || dataArgument == "c4") return dataArgument;
    return std::filesystem::path(dataArgument).filename().string().substr(0, 31);
}

namespace {
nlohmann::json placementJson(const ExperimentModel& m) {
    return {{"device", m.model.placement().device.str()},
            {"dtype", dtypeText(m.model.placement().dtype)}};
}
}  // namespace

ResultRecord perplexityRecord(const ExperimentModel& m, const std::string& metric,
                              const PerplexityResult& r) {
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

std::vector<ResultRecord> taskRecords(const ExperimentModel& m,
                                      const std::vector<TaskResult>& results,
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

}  // namespace invx
