#include "running-clock.h"

namespace invx::gui {

RunningClock::RunningClock() { monotonic_.start(); }

void RunningClock::setTimeSource(TimeSource now) {
    source_ = std::move(now);
    restart(counting_);
}

std::int64_t RunningClock::now() const { return source_ ? source_() : monotonic_.elapsed(); }

void RunningClock::restart(bool running) {
    countedMs_ = 0;
    since_ = now();
    counting_ = running;
}

void RunningClock::pause() {
    if (!counting_) return;
    countedMs_ += now() - since_;
    counting_ = false;
}

void RunningClock::resume() {
    if (counting_) return;
    since_ = now();
    counting_ = true;
}

double RunningClock::seconds() const {
    return double(countedMs_ + (counting_ ? now() - since_ : 0)) / 1000.0;
}

}  // namespace invx::gui
