#pragma once
// Smoothing for noisy curves; the raw curve stays drawn faintly underneath.
#include <vector>

namespace invx::gui {

enum class Smoothing { None, Ema, MovingAverage };

// Exponential moving average with TensorBoard's debiasing: s_i = w s_{i-1} + (1-w) y_i, divided by
// 1 - w^(i+1), so the start is not pulled towards zero. weight in [0, 1).
std::vector<double> exponentialMovingAverage(const std::vector<double>& y, double weight);
// Trailing mean over the last `window` points (fewer at the start).
std::vector<double> movingAverage(const std::vector<double>& y, int window);

std::vector<double> smooth(const std::vector<double>& y, Smoothing kind, double parameter);

}  // namespace invx::gui
