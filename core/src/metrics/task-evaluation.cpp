#include "metrics/task-evaluation.h"

#include <chrono>

namespace invx {

std::vector<TaskResult> evaluateReasoningTasks(const OptModel& model, const BpeTokenizer& tokenizer,
                                               const std::vector<std::string>& tasks,
                                               const std::string& dataDir,
                                               const TaskPromptOptions& promptOptions,
                                               const LoglikelihoodOptions& options,
                                               const TaskProgress& progress) {
    std::vector<TaskResult> results;
    for (const std::string& task : tasks) {
        const auto start = std::chrono::steady_clock::now();
        TaskResult r;
        r.prompts = buildTaskPrompts(task, reasoningTaskFile(task, dataDir), promptOptions);
        std::vector<TokenizedRequest> requests;
        for (const TaskItem& item : r.prompts.items) {
            ContextTokenCache contexts;  // one item's choices share their context
            for (const ChoiceRequest& c : item.choices)
                requests.push_back(
                    tokenizeRequest(tokenizer, c.context, c.continuation, &contexts));
        }
        const std::vector<double> flat = evaluateLoglikelihoods(
            model, requests, options, [&](std::int64_t done, std::int64_t total) {
                if (progress) progress(task, done, total);
                return true;
            });
        r.requests = std::int64_t(requests.size());
        std::size_t k = 0;
        for (const TaskItem& item : r.prompts.items) {
            r.loglikelihoods.emplace_back(flat.begin() + std::ptrdiff_t(k),
                                          flat.begin() + std::ptrdiff_t(k + item.choices.size()));
            k += item.choices.size();
        }
        r.score = scoreTask(r.prompts, r.loglikelihoods);
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        results.push_back(std::move(r));
    }
    return results;
}

}  // namespace invx
