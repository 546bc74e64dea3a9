#pragma once
// A batch of token ids given as a file, as other pipelines save them (the published InvarExplore
// code's calibration tokens, say): NumPy .npy or safetensors, integers, [samples, length].
#include <cstdint>
#include <string>
#include <vector>

namespace invx {

struct TokenIdMatrix {
    std::int64_t rows = 0, cols = 0;
    std::vector<std::int32_t> ids;  // rows x cols, row-major
};

// .npy: a C-ordered 2-D array of little-endian int16/int32/int64 or uint8/uint16/uint32.
// .safetensors: its only tensor, or the one named input_ids, of I64/I32/I16/I8/U8. Throws naming
// the file and what is wrong with it: format, type, shape, or an id outside [0, vocabulary).
TokenIdMatrix readTokenIdFile(const std::string& path, std::int64_t vocabulary);

}  // namespace invx
