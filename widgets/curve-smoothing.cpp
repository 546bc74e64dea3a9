#include "curve-smoothing.h"

#include <algorithm>
#include <cmath>

namespace invx::gui {
namespace {

void extendEma(const std::vector<double>& y, double weight, SmoothingState* state,
               std::vector<double>* out) {
    weight = std::clamp(weight, 0.0, 0.9999);
    for (std::size_t i = out->size(); i < y.size(); ++i) {
        state->average = weight * state->average + (1 - weight) * y[i];
        state->decay *= weight;
        out->push_back(state->average / (1 - state->decay));
    }
}

void extendMovingAverage(const std::vector<double>& y, int window, SmoothingState* state,
                         std::vector<double>* out) {
    window = std::max(window, 1);
    const std::size_t w = std::size_t(window);
    // Kahan-free: windows are short and values of one scale.
    for (std::size_t i = out->size(); i < y.size(); ++i) {
        state->sum += y[i];
        if (i >= w) state->sum -= y[i - w];
        out->push_back(state->sum / double(std::min<std::size_t>(i + 1, w)));
    }
}

}  // namespace

std::vector<double> exponentialMovingAverage(const std::vector<double>& y, double weight) {
    SmoothingState state;
    std::vector<double> out;
    out.reserve(y.size());
    extendEma(y, weight, &state, &out);
    return out;
}

std::vector<double> movingAverage(const std::vector<double>& y, int window) {
    SmoothingState state;
    std::vector<double> out;
    out.reserve(y.size());
    extendMovingAverage(y, window, &state, &out);
    return out;
}

std::vector<double> smooth(const std::vector<double>& y, Smoothing kind, double parameter) {
    SmoothingState state;
    std::vector<double> out;
    out.reserve(y.size());
    extendSmoothing(y, kind, parameter, &state, &out);
    return out;
}

void extendSmoothing(const std::vector<double>& y, Smoothing kind, double parameter,
                     SmoothingState* state, std::vector<double>* smoothed) {
    switch (kind) {
        case Smoothing::Ema:
            extendEma(y, parameter, state, smoothed);
            return;
        case Smoothing::MovingAverage:
            extendMovingAverage(y, int(std::lround(parameter)), state, smoothed);
            return;
        case Smoothing::None:
            break;
    }
    smoothed->insert(smoothed->end(), y.begin() + std::ptrdiff_t(smoothed->size()), y.end());
}

}  // namespace invx::gui
