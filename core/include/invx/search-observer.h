#pragma once
// How a search reports and is steered, without Qt: the observer receives records on the thread
// that runs the search; SearchControl may be called from any thread (a GUI, a signal handler).
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "invx/search-records.h"

namespace invx {

class SearchObserver {
  public:
    virtual ~SearchObserver() = default;
    virtual void onMessage(const std::string& text) {}  // "calibrating", "evaluating", ...
    virtual void onBase(const BaseResult& base) {}
    virtual void onStep(const StepRecord& record) {}
    // The model's perplexity is being measured after `step` (no steps until onEvaluation).
    virtual void onEvaluationStart(std::int64_t step) {}
    virtual void onEvaluation(const EvaluationRecord& record) {}
    virtual void onCheckpoint(const SearchCheckpoint& checkpoint) {}
    virtual void onSnapshot(const LayerSnapshot& snapshot) {}
};

class SearchControl {
  public:
    void pause();
    void resume();
    // Finishes the current step, writes a checkpoint and returns. Async-signal-safe.
    void stop() { stop_.store(true); }
    // A snapshot of `layer` after the current step.
    void requestSnapshot(int layer);

    bool stopRequested() const { return stop_.load(); }
    bool paused() const { return paused_.load(); }
    // True while the search is blocked in waitWhilePaused: the step that was in flight when pause()
    // came has ended and no other will start until resume() (paused() alone says it was asked).
    bool holding() const { return holding_.load(); }
    // For the search: blocks while paused (returns at once when stop() is called).
    void waitWhilePaused();
    std::vector<int> takeSnapshotRequests();

  private:
    std::atomic<bool> stop_{false};
    std::atomic<bool> paused_{false};
    std::atomic<bool> holding_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<int> snapshotRequests_;
};

}  // namespace invx
