#pragma once
// The search's random numbers: xoshiro256** seeded through splitmix64, with our own uniform,
// bounded-integer and Box-Muller normal draws. Unlike std::mt19937_64 with std::normal_distribution
// (whose output differs between standard libraries), every draw is defined here, and the whole
// state is four integers that an experiment checkpoint stores.
#include <array>
#include <cstdint>

namespace invx {

class RandomGenerator {
  public:
    using State = std::array<std::uint64_t, 4>;

    explicit RandomGenerator(std::uint64_t seed = 0);
    static RandomGenerator fromState(const State& state);

    std::uint64_t next();                  // 64 random bits
    double uniform();                      // [0, 1), 53 bits
    std::uint64_t below(std::uint64_t n);  // uniform integer in [0, n); n > 0; unbiased
    double normal(double stddev);          // N(0, stddev^2); one Box-Muller draw per call, no cache

    const State& state() const { return state_; }

  private:
    State state_{};
};

}  // namespace invx
