#pragma once
// A stopwatch that counts only the time a search runs: paused and evaluating spans are left out,
// so that steps per second and the time left are over the search's own time. The time source is
// a monotonic clock in milliseconds; a test passes one it advances by hand.
#include <QElapsedTimer>
#include <cstdint>
#include <functional>

namespace invx::gui {

class RunningClock {
  public:
    using TimeSource = std::function<std::int64_t()>;  // milliseconds, never decreasing

    RunningClock();
    void setTimeSource(TimeSource now);

    // Zero, and counting unless `running` is false.
    void restart(bool running = true);
    // Stops counting (pause, evaluation); counting again from resume(). Both may repeat.
    void pause();
    void resume();
    bool counting() const { return counting_; }
    // The running time counted so far.
    double seconds() const;

  private:
    std::int64_t now() const;

    TimeSource source_;
    QElapsedTimer monotonic_;  // the default source
    std::int64_t countedMs_ = 0;
    std::int64_t since_ = 0;  // when counting last began
    bool counting_ = false;
};

}  // namespace invx::gui
