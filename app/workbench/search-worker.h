#pragma once
// Runs the core's search on a background thread for the window: one search at a time, steered
// through the core's SearchControl, reporting through SearchLauncher's queued signals. The core's
// observer calls arrive on the search thread; steps are appended to a buffer under `mutex_` and one
// stepsReady() is queued until the window takes them, so a fast search cannot flood the event loop.
#include <QThread>
#include <atomic>
#include <memory>
#include <mutex>

#include "invx/search-observer.h"
#include "search-launcher.h"

namespace invx::gui {

class SearchWorker : public SearchLauncher {
    Q_OBJECT
  public:
    explicit SearchWorker(QObject* parent = nullptr);
    ~SearchWorker() override;  // stops a running search and waits for its checkpoint

    QStringList devices() const override;
    bool running() const override;
    bool paused() const override;
    // Paused and at rest: the step in flight has ended, and the window has taken every step.
    bool holdingWithNoStepsPending();
    void start(const SearchRunRequest& request) override;
    void pause() override;
    void resume() override;
    void stop() override;
    std::vector<StepRecord> takeSteps() override;
    bool waitForFinished(int milliseconds) override;

  private:
    class Observer;
    void run(const SearchRunRequest& request);
    void waitForThreadEnd();

    std::unique_ptr<SearchControl> control_;
    QThread* thread_ = nullptr;
    std::mutex mutex_;                 // guards pending_
    std::vector<StepRecord> pending_;  // steps not yet taken by the window
    std::atomic<bool> notified_{false};
};

}  // namespace invx::gui
