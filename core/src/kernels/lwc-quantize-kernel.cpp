// The CPU twin of the LWC quantizer's kernels: the same operations per group and the same order of
// its sums (lwc-quantize-kernel.h). Compiled with -ffp-contract=off (kernels/CMakeLists.txt).
#include "kernels/lwc-quantize-kernel.h"

#include <ATen/Parallel.h>
#include <c10/util/Half.h>

#include <algorithm>

namespace invx {
namespace {

float toHalf(float x) { return float(c10::Half(x)); }

float tree(float* lanes) {
    for (int w = kLwcLanes / 2; w >= 1; w /= 2)
        for (int t = 0; t < w; ++t) lanes[t] = lanes[t] + lanes[t + w];
    return lanes[0];
}

// The group's extremes, of the weights as the quantizer takes them.
void extremes(const LwcQuantizeArgs& a, std::int64_t first, float* mx, float* mn) {
    *mx = *mn = lwcWeight(a, first, toHalf);
    for (std::int64_t j = 1; j < a.width; ++j) {
        const float v = lwcWeight(a, first + j, toHalf);
        *mx = std::max(*mx, v);
        *mn = std::min(*mn, v);
    }
}

// Calls fn(group's first element, group's index) for every group, in parallel.
template <typename Fn>
void forEachGroup(const LwcQuantizeArgs& a, Fn fn) {
    const std::int64_t groups = a.rows * (a.cols / a.width);
    at::parallel_for(0, groups, 64, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t g = begin; g < end; ++g) fn(g * a.width, g);
    });
}

}  // namespace

void lwcQuantizeForwardCpu(const LwcQuantizeArgs& a) {
    forEachGroup(a, [&](std::int64_t first, std::int64_t g) {
        float mx, mn;
        extremes(a, first, &mx, &mn);
        const LwcGrid grid = lwcGrid(a.upper[g], a.lower[g], mx, mn, a.qmax, toHalf);
        for (std::int64_t j = 0; j < a.width; ++j) {
            const float w = lwcWeight(a, first + j, toHalf);
            a.out[first + j] = (lwcClamp(lwcUnclamped(w, grid), a.qmax) - grid.zero) * grid.scale;
        }
    });
}

void lwcQuantizeBackwardCpu(const LwcQuantizeArgs& a) {
    forEachGroup(a, [&](std::int64_t first, std::int64_t g) {
        const float* go = a.gradOut + first;
        float* gw = a.gradWeight + first;
        float mx, mn;
        extremes(a, first, &mx, &mn);
        const float up = a.upper[g], low = a.lower[g];
        const LwcGrid grid = lwcGrid(up, low, mx, mn, a.qmax, toHalf);
        float byOutput[kLwcLanes] = {}, byInput[kLwcLanes] = {};
        int atMax = 0, atMin = 0;
        for (std::int64_t j = 0; j < a.width; ++j) {
            const int lane = int(j % kLwcLanes);
            const float w = lwcWeight(a, first + j, toHalf);
            const float v = lwcUnclamped(w, grid);
            const bool inside = v >= 0.0f && v <= a.qmax;
            const float gx = inside ? go[j] * grid.scale : 0.0f;
            gw[j] = gx / grid.scale;
            byOutput[lane] = byOutput[lane] + go[j] * (lwcClamp(v, a.qmax) - grid.zero);
            byInput[lane] = byInput[lane] + -(gx * w) / (grid.scale * grid.scale);
            atMax += w == mx;
            atMin += w == mn;
        }
        const float gScale = tree(byOutput) + tree(byInput);
        const float gRange = grid.open ? gScale / a.qmax : 0.0f;
        a.gradUpper[g] = gRange * mx;
        a.gradLower[g] = -gRange * mn;
        const float toMax = gRange * up / float(atMax), toMin = -gRange * low / float(atMin);
        for (std::int64_t j = 0; j < a.width; ++j) {
            const float w = lwcWeight(a, first + j, toHalf);
            if (w == mx) gw[j] = gw[j] + toMax;
            if (w == mn) gw[j] = gw[j] + toMin;
        }
    });
}

}  // namespace invx
