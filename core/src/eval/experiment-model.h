#pragma once
// The models an experiment file is about (its full-precision model, the base-quantized starting
// point, the searched model), loaded for measuring, and the results kept in the file
// (`invx eval --experiment --record`, `invx table --evaluate`).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "invx/perplexity.h"
#include "invx/search-records.h"
#include "invx/search-settings.h"
#include "metrics/task-evaluation.h"
#include "model/opt-model.h"

namespace invx {

struct ExperimentModel {
    OptModel model;
    std::string directory;  // the model's directory (its tokenizer too)
    std::string kind;       // ResultRecord::model: full-precision, base or searched
    std::int64_t step = 0;  // the checkpoint's step (0 for base and full precision)
    SearchSettings settings;
};

// `modelPath`: where the model is now ("" = as recorded). `kind` full-precision: the recorded model
// unquantized (checked against the file's fingerprint); base: checkpoint 0 (the search's start);
// searched: `checkpoint` (-1 = the last). `device` and `dtype` default to the search's own ("").
ExperimentModel loadExperimentModel(const std::string& experimentPath, const std::string& modelPath,
                                    const std::string& kind, std::int64_t checkpoint,
                                    const std::string& device, const std::string& dtype,
                                    const std::function<void(const std::string&)>& progress);

// "wikitext2" or "c4" for those data sets, else the file's name (what the data was named).
std::string perplexityMetric(const std::string& dataArgument);
ResultRecord perplexityRecord(const ExperimentModel& m, const std::string& metric,
                              const PerplexityResult& r);
std::vector<ResultRecord> taskRecords(const ExperimentModel& m,
                                      const std::vector<TaskResult>& results,
                                      const TaskPromptOptions& prompts);
// Appends to the experiment file; refused, naming the file, while a run writes it.
void recordResults(const std::string& experimentPath, const std::vector<ResultRecord>& results);

}  // namespace invx
