#include "curve-smoothing.h"

#include <algorithm>
#include <cmath>

namespace invx::gui {

std::vector<double> exponentialMovingAverage(const std::vector<double>& y, double weight) {
    weight = std::clamp(weight, 0.0, 0.9999);
    std::vector<double> out(y.size());
    double state = 0, decay = 1;  // decay = weight^(i+1)
    for (std::size_t i = 0; i < y.size(); ++i) {
        state = weight * state + (1 - weight) * y[i];
        decay *= weight;
        out[i] = state / (1 - decay);
    }
    return out;
}

std::vector<double> movingAverage(const std::vector<double>& y, int window) {
    window = std::max(window, 1);
    std::vector<double> out(y.size());
    double sum = 0;  // Kahan-free: windows are short and values of one scale
    for (std::size_t i = 0; i < y.size(); ++i) {
        sum += y[i];
        if (i >= std::size_t(window)) sum -= y[i - std::size_t(window)];
        out[i] = sum / double(std::min<std::size_t>(i + 1, std::size_t(window)));
    }
    return out;
}

std::vector<double> smooth(const std::vector<double>& y, Smoothing kind, double parameter) {
    switch (kind) {
        case Smoothing::Ema: return exponentialMovingAverage(y, parameter);
        case Smoothing::MovingAverage: return movingAverage(y, int(std::lround(parameter)));
        case Smoothing::None: break;
    }
    return y;
}

}  // namespace invx::gui
