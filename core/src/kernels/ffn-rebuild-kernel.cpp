// The CPU twin of the FFN rebuild kernel: each group's values, extremes, grid and quantized values
// with the functions of ffn-rebuild-kernel.h, in the order the kernel uses. Compiled with
// -ffp-contract=off (core/CMakeLists.txt).
#include "kernels/ffn-rebuild-kernel.h"

#include <ATen/Parallel.h>
#include <c10/util/Half.h>

#include <limits>

namespace invx {
namespace {

float stored(float v) { return float(c10::Half(v)); }  // round to nearest even, as __float2half_rn

template <typename T>
struct Rebuild {
    const FfnRebuildArgs& a;

    float at(const void* p, std::int64_t i) const { return float(static_cast<const T*>(p)[i]); }

    // fc1's row i (a new position), column k.
    float fc1(std::int64_t i, std::int64_t k) const {
        const std::int64_t n = a.permutation[i], p = n / 2;
        const float v =
            rotatedNeuron(at(a.w1, 2 * p * a.hidden + k), at(a.w1, (2 * p + 1) * a.hidden + k),
                          a.cosines[p], a.sines[p], n % 2 == 1);
        return stored(v / a.scales[n]);
    }
    // fc2's row h, column i (a new position).
    float fc2(std::int64_t h, std::int64_t i) const {
        const std::int64_t n = a.permutation[i], p = n / 2;
        const float v = rotatedNeuron(at(a.w2, h * a.ffn + 2 * p), at(a.w2, h * a.ffn + 2 * p + 1),
                                      a.cosines[p], a.sines[p], n % 2 == 1);
        return stored(v * a.scales[n]);
    }
    float bias(std::int64_t i) const {
        const std::int64_t n = a.permutation[i], p = n / 2;
        return stored(rotatedNeuron(at(a.b1, 2 * p), at(a.b1, 2 * p + 1), a.cosines[p], a.sines[p],
                                    n % 2 == 1) /
                      a.scales[n]);
    }

    // One group of `count` values at `first` of `out`, value(j) giving the j-th.
    template <typename Value>
    void quantizeGroup(Value value, std::int64_t count, T* out) const {
        float mx = -std::numeric_limits<float>::infinity(),
              mn = std::numeric_limits<float>::infinity();
        for (std::int64_t j = 0; j < count; ++j) {
            const float v = value(j);
            mx = groupMax(mx, v), mn = groupMin(mn, v);
        }
        const GroupGrid g = groupGrid(mx, mn, a.qmax, a.inverseQmax);
        for (std::int64_t j = 0; j < count; ++j) out[j] = T(onGrid(value(j), g, a.qmax));
    }

    void run() const {
        const std::int64_t groups1 = a.hidden / a.group1, groups2 = a.ffn / a.group2;
        T* w1 = static_cast<T*>(a.outW1);
        T* w2 = static_cast<T*>(a.outW2);
        at::parallel_for(0, a.ffn * groups1, 64, [&](std::int64_t begin, std::int64_t end) {
            for (std::int64_t b = begin; b < end; ++b) {
                const std::int64_t i = b / groups1, first = (b % groups1) * a.group1;
                quantizeGroup([&](std::int64_t j) { return fc1(i, first + j); }, a.group1,
                              w1 + i * a.hidden + first);
            }
        });
        at::parallel_for(0, a.hidden * groups2, 64, [&](std::int64_t begin, std::int64_t end) {
            for (std::int64_t b = begin; b < end; ++b) {
                const std::int64_t h = b / groups2, first = (b % groups2) * a.group2;
                quantizeGroup([&](std::int64_t j) { return fc2(h, first + j); }, a.group2,
                              w2 + h * a.ffn + first);
            }
        });
        if (a.b1)
            for (std::int64_t i = 0; i < a.ffn; ++i) static_cast<T*>(a.outB1)[i] = T(bias(i));
    }
};

}  // namespace

void ffnRebuildCpu(const FfnRebuildArgs& args) {
    if (args.float16)
        Rebuild<c10::Half>{args}.run();
    else
        Rebuild<float>{args}.run();
}

}  // namespace invx
