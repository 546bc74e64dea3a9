#pragma once
// The reasoning tasks on one model: prompts (invx/reasoning-tasks.h), every choice's
// log-likelihood (loglikelihood-evaluator.h), and each task's accuracy.
#include <functional>
#include <string>
#include <vector>

#include "invx/bpe-tokenizer.h"
#include "invx/reasoning-tasks.h"
#include "metrics/loglikelihood-evaluator.h"
#include "model/opt-model.h"

namespace invx {

struct TaskResult {
    TaskPrompts prompts;  // what was scored: the task, its file, every choice's request
    TaskScore score;
    std::int64_t requests = 0;
    double seconds = 0;
    std::vector<std::vector<double>> loglikelihoods;  // [item][choice]
};

// Called after each batch: the task, requests done and in all.
using TaskProgress =
    std::function<void(const std::string& task, std::int64_t done, std::int64_t total)>;

// Each task in `tasks` from its file under `dataDir` (reasoningTaskFile).
std::vector<TaskResult> evaluateReasoningTasks(const OptModel& model, const BpeTokenizer& tokenizer,
                                               const std::vector<std::string>& tasks,
                                               const std::string& dataDir,
                                               const TaskPromptOptions& prompts,
                                               const LoglikelihoodOptions& options,
                                               const TaskProgress& progress = {});

}  // namespace invx
