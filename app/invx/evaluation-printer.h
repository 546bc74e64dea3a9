#pragma once
// The progress of an evaluation on stderr: a live line on a terminal, about ten lines in a log.
#include <cstdint>
#include <string>

#include "invx/model-evaluation.h"

namespace invx::cli {

class EvaluationPrinter : public EvaluationObserver {
  public:
    explicit EvaluationPrinter(bool quiet);
    void onMessage(const std::string& text) override;
    bool onPerplexityProgress(const PerplexityProgress& p) override;
    void onTaskProgress(const std::string& task, std::int64_t done, std::int64_t total) override;

  private:
    // Prints `line` in place on a terminal; otherwise once per tenth of the work.
    void show(const char* line, std::int64_t done, std::int64_t total);

    bool quiet_, tty_;
    long long lastDecile_ = -1;
    std::string lastTask_;
};

}  // namespace invx::cli
