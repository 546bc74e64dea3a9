#pragma once
// A whole search run: load the model and data, create or reopen the experiment file, step the
// engine, evaluate on schedule, checkpoint, and report to an observer. Blocking; run it on a worker
// thread and steer it with SearchControl. No torch in this header.
#include <cstdint>
#include <string>
#include <vector>

#include "invx/search-observer.h"
#include "invx/search-settings.h"

namespace invx {

struct SearchRunRequest {
    std::string experimentPath;
    bool resume = false;      // continue experimentPath from its last checkpoint
    std::string modelPath;    // model directory or Hugging Face id; on resume "" = as recorded
    SearchSettings settings;  // new runs only; a resumed run keeps its own
    std::int64_t resumeSteps = -1;  // on resume: a new step budget (-1 keeps the recorded one)
    std::string device = "auto", dtype = "auto";  // on resume "" = as recorded
    std::vector<int> snapshotLayers;  // snapshots of these layers at the start and the end
    std::string
        baseFrom;  // new awq/gptq/omniquant runs: reuse the base results in this experiment file
};

struct SearchSummary {
    std::string experimentPath;
    BaseResult base;
    std::int64_t steps = 0, acceptedSteps = 0;
    std::int64_t resumedFromStep = -1;  // -1 for a new run
    double bestLoss = 0;
    double finalCe = 0, finalMse = 0;
    bool stopped = false;  // ended by SearchControl::stop() before the step budget
    // ... while OmniQuant trained, before the first checkpoint: the file is still FILE.part, and
    // `invx search --resume FILE` goes on with the training
    bool stoppedInBaseMethod = false;
    bool haveEvaluations = false;
    EvaluationRecord first, last;  // the first and the last evaluation in the file
    double seconds = 0;            // search time (resumes included)
};

SearchSummary runSearch(const SearchRunRequest& request, SearchObserver& observer,
                        SearchControl& control);

}  // namespace invx
