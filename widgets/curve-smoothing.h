#pragma once
// Smoothing for noisy curves; the raw curve stays drawn faintly underneath. A growing series is
// smoothed by its new points alone, to the same values as smoothing it whole.
#include <cstddef>
#include <vector>

namespace invx::gui {

enum class Smoothing { None, Ema, MovingAverage };

// Where a smoothing stands after the points it has taken in.
struct SmoothingState {
    double average = 0;  // EMA: the running average, before debiasing
    double decay = 1;    // EMA: weight^(points taken in)
    double sum = 0;      // moving average: the sum over the window that ends at the last point
};

// Exponential moving average with TensorBoard's debiasing: s_i = w s_{i-1} + (1-w) y_i, divided by
// 1 - w^(i+1), so the start is not pulled towards zero. weight in [0, 1).
std::vector<double> exponentialMovingAverage(const std::vector<double>& y, double weight);
// Trailing mean over the last `window` points (fewer at the start).
std::vector<double> movingAverage(const std::vector<double>& y, int window);

std::vector<double> smooth(const std::vector<double>& y, Smoothing kind, double parameter);

// Extends `smoothed` (the smoothing of the first smoothed->size() points of y, with `state` after
// them) to the whole of y, reading the new points (and, for a moving average, the points leaving
// its window). smooth() is this from an empty start.
void extendSmoothing(const std::vector<double>& y, Smoothing kind, double parameter,
                     SmoothingState* state, std::vector<double>* smoothed);

}  // namespace invx::gui
