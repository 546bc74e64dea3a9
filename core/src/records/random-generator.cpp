#include "invx/random-generator.h"

#include <cmath>

namespace invx {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

RandomGenerator::RandomGenerator(std::uint64_t seed) {
    for (auto& word : state_) word = splitmix64(seed);
}

RandomGenerator RandomGenerator::fromState(const State& state) {
    RandomGenerator g;
    g.state_ = state;
    return g;
}

std::uint64_t RandomGenerator::next() {
    auto& s = state_;
    const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
    const std::uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double RandomGenerator::uniform() { return double(next() >> 11) * 0x1.0p-53; }

std::uint64_t RandomGenerator::below(std::uint64_t n) {
    // Rejection keeps it unbiased: draws in the incomplete last block of n are redrawn.
    const std::uint64_t limit = ~std::uint64_t(0) - (~std::uint64_t(0) % n);
    std::uint64_t x;
    do x = next();
    while (x >= limit);
    return x % n;
}

double RandomGenerator::normal(double stddev) {
    const double u1 = 1.0 - uniform();  // (0, 1]: log stays finite
    const double u2 = uniform();
    return stddev * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

}  // namespace invx
