#pragma once
// The six reasoning tasks the paper reports (ARC-Challenge, ARC-Easy, BoolQ, HellaSwag, PIQA,
// WinoGrande), prompted and scored by the conventions of lm-evaluation-harness (SPEC.md section 3):
// every choice of an item is a (context, continuation) pair scored by the summed log-likelihood of
// the continuation given the context; k-shot contexts put k other items of the same set, each with
// its gold answer, before the item. Torch-free: building prompts and scoring need no model.
#include <cstdint>
#include <string>
#include <vector>

namespace invx {

// One choice, as the harness requests it: log P(continuation | context).
struct ChoiceRequest {
    std::string context, continuation;
    std::int64_t normLength = 1;  // acc_norm divides by this: the choice's length in bytes
};

struct TaskItem {
    std::vector<ChoiceRequest> choices;
    int gold = 0;
};

struct TaskPrompts {
    std::string task;  // arc_challenge, ...
    std::string file;  // where the items came from
    std::int64_t itemsInFile = 0;
    std::vector<TaskItem> items;  // the first `limit` items of the file (all when limit is 0)
};

struct TaskPromptOptions {
    int shots = 5;              // the paper's
    std::uint64_t seed = 1234;  // which other items serve as the shots
    std::int64_t limit = 0;     // score only the first N items; 0 = all
};

// The task names in the paper's order, and where each task's file lies under a data directory.
const std::vector<std::string>& reasoningTaskNames();
std::string reasoningTaskFile(const std::string& task, const std::string& dataDir);
// "arc_easy,piqa" -> the names, checked; "all" -> the six. Throws naming a task that is not one.
std::vector<std::string> parseTaskList(const std::string& list);

// Reads a task's file (formats in the data's README) and builds every item's k-shot choices.
// Shots for item i are k distinct other items drawn with `seed` (the same draws for every model),
// written as their context and gold continuation and joined by blank lines, as the harness joins
// them. Throws naming the file and line of an item it cannot read.
TaskPrompts buildTaskPrompts(const std::string& task, const std::string& file,
                             const TaskPromptOptions& options);

struct TaskScore {
    std::int64_t items = 0;
    double acc = 0, accNorm = 0;  // fractions of items
};

// acc: the choice of the highest log-likelihood is the gold one; acc_norm: of the highest
// log-likelihood per byte. Ties go to the first choice (numpy's argmax, as the harness).
// `loglikelihoods[i][j]` belongs to items[i].choices[j].
TaskScore scoreTask(const TaskPrompts& prompts,
                    const std::vector<std::vector<double>>& loglikelihoods);

}  // namespace invx
