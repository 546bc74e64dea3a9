#pragma once
// Accepted / proposed steps per decoder layer of a growing run, counted as the run gains steps
// (RunData::acceptancePerLayer recounts every step; a live run's figure cannot afford that at
// every redraw).
#include <cstddef>
#include <vector>

#include "run-data.h"

namespace invx::gui {

class LayerAcceptance {
  public:
    // Counts the steps of `run` from counted() on (the run gained steps at its end since).
    void extend(const RunData& run);
    std::size_t counted() const { return counted_; }
    // What run.acceptancePerLayer() gives for the steps counted: a rate per layer (the model's
    // layers, or the largest layer seen + 1), NaN where no step proposed anything.
    std::vector<double> rates(const RunData& run) const;

  private:
    std::vector<double> proposed_, accepted_;
    std::size_t counted_ = 0;
};

}  // namespace invx::gui
