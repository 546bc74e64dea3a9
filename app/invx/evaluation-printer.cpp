#include "evaluation-printer.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "command-line.h"

namespace invx::cli {

EvaluationPrinter::EvaluationPrinter(bool quiet) : quiet_(quiet), tty_(::isatty(STDERR_FILENO)) {}

void EvaluationPrinter::onMessage(const std::string& text) {
    if (!quiet_) std::cerr << "invx: " << text << '\n';
}

bool EvaluationPrinter::onPerplexityProgress(const PerplexityProgress& p) {
    if (p.windowsDone <= 1) lastDecile_ = -1;  // a new pass
    const double rate = p.windowsDone / std::max(p.elapsedSeconds, 1e-9);
    const double left = (p.windowsTotal - p.windowsDone) / std::max(rate, 1e-9);
    char text[160];
    std::snprintf(text, sizeof text,
                  "perplexity: window %lld/%lld  ppl %.4f  %.2f windows/s  left %s",
                  (long long)p.windowsDone, (long long)p.windowsTotal, p.pplSoFar, rate,
                  formatDuration(left).c_str());
    show(text, p.windowsDone, p.windowsTotal);
    return true;
}

void EvaluationPrinter::onTaskProgress(const std::string& task, std::int64_t done,
                                       std::int64_t total) {
    if (task != lastTask_) lastTask_ = task, lastDecile_ = -1;
    char text[160];
    std::snprintf(text, sizeof text, "tasks: %s %lld/%lld requests", task.c_str(), (long long)done,
                  (long long)total);
    show(text, done, total);
}

void EvaluationPrinter::show(const char* line, std::int64_t done, std::int64_t total) {
    if (quiet_) return;
    if (tty_) {
        std::cerr << '\r' << line << "\033[K" << (done == total ? "\n" : "") << std::flush;
    } else if (long long decile = done * 10 / std::max<std::int64_t>(total, 1);
               decile != lastDecile_) {
        lastDecile_ = decile;
        std::cerr << line << '\n';
    }
}

}  // namespace invx::cli
