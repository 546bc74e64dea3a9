#pragma once
// A SearchLauncher that runs nothing: a test starts it through the window or a controller, hands
// it steps as the worker would (queued, then one stepsReady), ends it by hand, and reads what it
// was asked to do.
#include <vector>

#include "search-launcher.h"

namespace invx::test {

class FakeSearchLauncher : public gui::SearchLauncher {
  public:
    QStringList devices() const override { return {QStringLiteral("cpu")}; }
    bool running() const override { return running_; }
    bool paused() const override { return paused_; }
    void start(const SearchRunRequest& request) override;
    void pause() override { paused_ = true; }
    void resume() override { paused_ = false; }
    // Asks for a stop; the test ends the run with finish().
    void stop() override { ++stops; }
    std::vector<StepRecord> takeSteps() override;
    bool waitForFinished(int) override { return !running_; }

    // Step i's record: layer (i-1) % 3, accepted when i % 4 == 0, values that follow i.
    static StepRecord step(std::int64_t i);
    // Queues steps first..last and says so.
    void emitSteps(std::int64_t first, std::int64_t last);
    // The run ends: finished() with `steps`, stopped or done.
    void finish(bool stopped, std::int64_t steps);
    void finishStoppedInBaseMethod();  // stopped while OmniQuant trained: no file yet, FILE.part
    void fail(const QString& error);

    std::vector<SearchRunRequest> requests;  // every start, in order
    int stops = 0;
    int takes = 0;  // calls of takeSteps()

  private:
    bool running_ = false, paused_ = false;
    std::vector<StepRecord> pending_;
};

}  // namespace invx::test
