#pragma once
// Measuring a model: perplexity by the GPTQ/AWQ protocol and the paper's reasoning tasks, of a
// model quantized on the fly (full precision, RTN, AWQ or GPTQ) or of the models an experiment file
// is about (its full-precision model, the base method's starting point, the searched model at a
// checkpoint). The one entry point that `invx eval`, `invx table --evaluate` and the workbench
// call. Blocking; no torch in this header.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "invx/perplexity.h"
#include "invx/reasoning-tasks.h"
#include "invx/results-table.h"
#include "invx/setting-table.h"

namespace invx {

struct EvaluationRequest {
    // A model directory or Hugging Face id, quantized as `settings.search` says (its base method,
    // "fp" = none; bits, group, calibration) ...
    std::string modelPath;
    std::string tokenizerPath;  // "" = the model's directory
    // ... or the model an experiment file is about: searched (at `checkpoint`, -1 = the last), base
    // (the search's start, checkpoint 0) or full-precision. `modelPath` then says where the model
    // is now ("" = as recorded).
    std::string experimentPath;
    std::string experimentModel = "searched";
    std::int64_t checkpoint = -1;

    // What to measure: perplexity on each of `perplexityData` (names or files; the settings'
    // eval_data when empty and no tasks are asked for), and the tasks in settings.evaluation.tasks.
    std::vector<std::string> perplexityData;
    CommandSettings settings = defaultSettings(SettingCommand::Evaluate);
    std::string device,
        dtype;            // "" = auto (cuda when present; float16 there), or the experiment's own
    bool record = false;  // keep every result in the experiment file as it is taken

    std::string saveCalibrationPath;  // awq/gptq: also write the calibration token ids as JSON
    std::string
        saveRequestsPath;  // tasks: every choice's request and log-likelihood, as JSON lines
    // Token ids of evaluation texts by name, kept across calls for models of one tokenizer.
    std::map<std::string, std::vector<std::int32_t>>* tokenIdCache = nullptr;
};

struct EvaluatedModel {
    std::string directory;  // where the model (and its tokenizer) was read
    std::string kind;       // plain, full-precision, base or searched
    std::string method;     // fp, rtn, awq, gptq, or BASE+invarexplore for a searched model
    std::string
        label;  // "AWQ 2-bit, group 128", "full precision", "RTN + InvarExplore ..., step 200"
    std::int64_t step = 0;  // the checkpoint's step (experiments)
    QuantConfig quant;
    std::string device, dtype;
};

struct TaskEvaluation {
    TaskPrompts prompts;  // the task, its file, the items scored
    TaskScore score;
    std::int64_t requests = 0;
    double seconds = 0;
};

struct PerplexityEvaluation {
    std::string data;      // as named in the request
    std::string dataPath;  // the file it was read from
    std::string metric;    // what a result row calls it: wikitext2, c4, or the file's name
    PerplexityResult result;
};

struct EvaluationReport {
    EvaluatedModel model;
    std::vector<PerplexityEvaluation> perplexities;
    std::vector<TaskEvaluation> tasks;
};

// Progress of an evaluation; the defaults ignore it.
class EvaluationObserver {
  public:
    virtual ~EvaluationObserver() = default;
    virtual void onMessage(const std::string& text) {}
    // After every window; false stops the evaluation after it.
    virtual bool onPerplexityProgress(const PerplexityProgress& progress) { return true; }
    virtual void onTaskProgress(const std::string& task, std::int64_t done, std::int64_t total) {}
};

// Throws invx::Error naming the file, data set or setting at fault.
EvaluationReport evaluateModel(const EvaluationRequest& request, EvaluationObserver& observer);

// Measures what a results table lacks of one model and records each value in its file as it is
// taken (`invx table --evaluate`, the workbench's Results tab). `settings` gives the windows and
// the tasks' settings; `device` and `dtype` "" = the search's own.
EvaluationReport measureMissingResults(
    const ResultsMeasurement& need, const CommandSettings& settings, const std::string& device,
    const std::string& dtype, std::map<std::string, std::vector<std::int32_t>>* tokenIdCache,
    EvaluationObserver& observer);

}  // namespace invx
