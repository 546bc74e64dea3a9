#pragma once
// What the benchmark programs share: `--key value` options over declared defaults, waiting for the
// GPU before reading the clock, medians, the calibration batch, a line fit. (Threads:
// invx::setCpuThreads.)
#include <ATen/ATen.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "invx/bpe-tokenizer.h"
#include "invx/calibration-data.h"
#include "invx/corpus-documents.h"
#include "invx/search-settings.h"

namespace invx::bench {

// Overrides `options` (the defaults) from the command line; false, after saying so on stderr, for a
// key that is not declared.
inline bool parseOptions(int argc, char** argv, std::map<std::string, std::string>& options,
                         const char* program) {
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!options.count(argv[i])) {
            std::fprintf(stderr, "%s: unknown option %s\n", program, argv[i]);
            return false;
        }
        options[argv[i]] = argv[i + 1];
    }
    return true;
}

inline void synchronize(const at::Device& device) {
    if (device.is_cuda())
        at::empty({1}, at::TensorOptions().device(device)).cpu();  // waits for the stream
}

inline double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

// The search's calibration batch [samples, length] (int64) from a corpus, as `invx search` builds
// it.
inline at::Tensor calibrationBatch(const std::string& corpus, const BpeTokenizer& tokenizer,
                                   const SearchSettings& settings) {
    const auto ids =
        buildCalibrationBlocks(readCorpusDocuments(corpus), tokenizer, settings.calibrationSamples,
                               settings.calibrationLength, settings.calibrationSeed, corpus);
    return at::from_blob(const_cast<std::int32_t*>(ids.data()),
                         {settings.calibrationSamples, settings.calibrationLength},
                         at::TensorOptions().dtype(at::kInt))
        .to(at::kLong);
}

// The least-squares line y = a + b x through the points: {a, b}. With one distinct x, b is 0.
inline std::pair<double, double> leastSquaresLine(const std::vector<double>& x,
                                                  const std::vector<double>& y) {
    const double n = double(x.size());
    if (x.empty()) return {0.0, 0.0};
    double mx = 0, my = 0;
    for (std::size_t i = 0; i < x.size(); ++i) mx += x[i] / n, my += y[i] / n;
    double sxy = 0, sxx = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
        sxy += (x[i] - mx) * (y[i] - my), sxx += (x[i] - mx) * (x[i] - mx);
    const double b = sxx > 0 ? sxy / sxx : 0.0;
    return {my - b * mx, b};
}

}  // namespace invx::bench
