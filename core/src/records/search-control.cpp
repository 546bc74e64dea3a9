#include <chrono>

#include "invx/search-observer.h"

namespace invx {

LayerInvariance LayerInvariance::identity(std::int64_t ffn) {
    LayerInvariance s;
    s.permutation.resize(std::size_t(ffn));
    for (std::int64_t i = 0; i < ffn; ++i) s.permutation[std::size_t(i)] = i;
    s.scales.assign(std::size_t(ffn), 1.0f);
    s.angles.assign(std::size_t(ffn / 2), 0.0f);
    return s;
}

void SearchControl::pause() { paused_.store(true); }

void SearchControl::resume() {
    paused_.store(false);
    wake_.notify_all();
}

void SearchControl::requestSnapshot(int layer) {
    std::lock_guard<std::mutex> lock(mutex_);
    snapshotRequests_.push_back(layer);
}

void SearchControl::waitWhilePaused() {
    std::unique_lock<std::mutex> lock(mutex_);
    // A timed wait: stop() from a signal handler cannot notify, so poll as well.
    while (paused_.load() && !stop_.load()) {
        holding_.store(true);
        wake_.wait_for(lock, std::chrono::milliseconds(100));
    }
    holding_.store(false);
}

std::vector<int> SearchControl::takeSnapshotRequests() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<int> out;
    out.swap(snapshotRequests_);
    return out;
}

}  // namespace invx
