#include "fake-search-launcher.h"

namespace invx::test {

void FakeSearchLauncher::start(const SearchRunRequest& request) {
    requests.push_back(request);
    running_ = true;
    paused_ = false;
}

std::vector<StepRecord> FakeSearchLauncher::takeSteps() {
    ++takes;
    std::vector<StepRecord> out;
    out.swap(pending_);
    return out;
}

StepRecord FakeSearchLauncher::step(std::int64_t i) {
    StepRecord r;
    r.step = i;
    r.layer = int((i - 1) % 3);
    r.accepted = i % 4 == 0;
    r.loss = 1.2 - 0.001 * double(i);
    r.ce = 8 - 0.002 * double(i);
    r.mse = 2 + 0.01 * double(i % 7);
    r.acceptanceRate = double(i / 4) / double(i);
    r.recentAcceptanceRate = 0.25;
    r.elapsedSeconds = 0.5 * double(i);
    return r;
}

void FakeSearchLauncher::emitSteps(std::int64_t first, std::int64_t last) {
    for (std::int64_t i = first; i <= last; ++i) pending_.push_back(step(i));
    Q_EMIT stepsReady();
}

void FakeSearchLauncher::finish(bool stopped, std::int64_t steps) {
    running_ = false;
    SearchSummary summary;
    summary.experimentPath = requests.empty() ? std::string() : requests.back().experimentPath;
    summary.stopped = stopped;
    summary.steps = steps;
    summary.seconds = 0.5 * double(steps);
    Q_EMIT finished(summary);
}

void FakeSearchLauncher::finishStoppedInBaseMethod() {
    running_ = false;
    SearchSummary summary;
    summary.experimentPath = requests.empty() ? std::string() : requests.back().experimentPath;
    summary.stopped = summary.stoppedInBaseMethod = true;
    Q_EMIT finished(summary);
}

void FakeSearchLauncher::fail(const QString& error) {
    running_ = false;
    Q_EMIT failed(error);
}

}  // namespace invx::test
