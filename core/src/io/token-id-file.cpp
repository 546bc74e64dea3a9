#include "io/token-id-file.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <regex>

#include "invx/error.h"
#include "invx/safetensors-header.h"
#include "invx/text-file.h"

namespace invx {
namespace {

std::vector<std::uint8_t> readBytes(const std::string& path) {
    requireRegularFile(path, "token ids file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot read the token ids '" + path + "' (does it exist?)");
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    throw Error("token ids '" + path + "': " + what);
}

// Element `i` of little-endian integers of `size` bytes, signed or not.
std::int64_t element(const std::uint8_t* data, std::size_t i, int size, bool isSigned) {
    std::uint64_t v = 0;
    for (int b = 0; b < size; ++b)
        v |= std::uint64_t(data[i * std::size_t(size) + std::size_t(b)]) << (8 * b);
    if (isSigned && size < 8 && (v >> (8 * size - 1)) & 1) v |= ~std::uint64_t(0) << (8 * size);
    return std::int64_t(v);
}

TokenIdMatrix fromElements(const std::string& path, const std::uint8_t* data, std::size_t available,
                           std::int64_t rows, std::int64_t cols, int size, bool isSigned,
                           std::int64_t vocabulary) {
    if (rows < 1 || cols < 1)
        fail(path,
             "holds an empty batch [" + std::to_string(rows) + ", " + std::to_string(cols) + "]");
    const std::size_t n = std::size_t(rows) * std::size_t(cols);
    if (available < n * std::size_t(size))
        fail(path, "is truncated: [" + std::to_string(rows) + ", " + std::to_string(cols) +
                       "] needs " + std::to_string(n * std::size_t(size)) + " bytes of ids, but " +
                       std::to_string(available) + " follow");
    TokenIdMatrix m{rows, cols, std::vector<std::int32_t>(n)};
    for (std::size_t i = 0; i < n; ++i) {
        const std::int64_t id = element(data, i, size, isSigned);
        if (id < 0 || id >= vocabulary)
            fail(path, "id " + std::to_string(id) + " at [" +
                           std::to_string(i / std::size_t(cols)) + ", " +
                           std::to_string(i % std::size_t(cols)) +
                           "] is outside the model's vocabulary of " + std::to_string(vocabulary) +
                           " tokens (was it made with another tokenizer?)");
        m.ids[i] = std::int32_t(id);
    }
    return m;
}

TokenIdMatrix readNpy(const std::string& path, const std::vector<std::uint8_t>& bytes,
                      std::int64_t vocabulary) {
    if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0)
        fail(path, "is not a NumPy .npy file");
    const int major = bytes[6];
    const std::size_t lengthBytes = major == 1 ? 2 : 4;
    if (major < 1 || major > 3 || bytes.size() < 8 + lengthBytes)
        fail(path, "has an unknown .npy version " + std::to_string(major));
    std::size_t headerLength = 0;
    for (std::size_t b = 0; b < lengthBytes; ++b)
        headerLength |= std::size_t(bytes[8 + b]) << (8 * b);
    const std::size_t dataStart = 8 + lengthBytes + headerLength;
    if (dataStart > bytes.size()) fail(path, "is truncated inside its header");
    const std::string header(bytes.begin() + std::ptrdiff_t(8 + lengthBytes),
                             bytes.begin() + std::ptrdiff_t(dataStart));
    std::smatch m;
    if (!std::regex_search(header, m, std::regex(R"('descr'\s*:\s*'([<>|=])([iu])([1248])')")))
        fail(path, "holds " + header.substr(0, header.find(',')) +
                       ", not integers (int16/int32/int64 or uint8/16/32)");
    const int size = std::stoi(m[3]);
    if (m[1] == ">" && size > 1)
        fail(path, "holds big-endian integers; save it little-endian (numpy's default)");
    const bool isSigned = m[2] == "i";
    if (!isSigned && size == 8) fail(path, "holds uint64 ids; save them as int64 or int32");
    if (std::regex_search(header, std::regex(R"('fortran_order'\s*:\s*True)")))
        fail(path, "is in Fortran order; save it with numpy.ascontiguousarray");
    if (!std::regex_search(header, m,
                           std::regex(R"('shape'\s*:\s*\(\s*(\d+)\s*,\s*(\d+)\s*,?\s*\))")))
        fail(path, "is not a 2-D array [samples, length]: its header says " + header);
    return fromElements(path, bytes.data() + dataStart, bytes.size() - dataStart, std::stoll(m[1]),
                        std::stoll(m[2]), size, isSigned, vocabulary);
}

TokenIdMatrix readSafetensors(const std::string& path, const std::vector<std::uint8_t>& bytes,
                              std::int64_t vocabulary) {
    const SafetensorsHeader header = parseSafetensorsHeader(bytes.data(), bytes.size(), path);
    const TensorEntry* t = header.find("input_ids");
    if (!t && header.tensors.size() == 1) t = &header.tensors.front();
    if (!t)
        fail(path, "holds " + std::to_string(header.tensors.size()) +
                       " tensors and none is named input_ids");
    if (t->shape.size() != 2) fail(path, "tensor '" + t->name + "' is not 2-D [samples, length]");
    int size = 0;
    bool isSigned = true;
    switch (t->dtype) {
        case DType::I64:
            size = 8;
            break;
        case DType::I32:
            size = 4;
            break;
        case DType::I16:
            size = 2;
            break;
        case DType::I8:
            size = 1;
            break;
        case DType::U8:
            size = 1, isSigned = false;
            break;
        default:
            fail(path,
                 "tensor '" + t->name + "' holds " + dtypeName(t->dtype) + ", not integer ids");
    }
    return fromElements(path, bytes.data() + header.dataStart + t->begin,
                        std::size_t(t->end - t->begin), t->shape[0], t->shape[1], size, isSigned,
                        vocabulary);
}

}  // namespace

TokenIdMatrix readTokenIdFile(const std::string& path, std::int64_t vocabulary) {
    const std::vector<std::uint8_t> bytes = readBytes(path);
    if (bytes.size() >= 6 && std::memcmp(bytes.data(), "\x93NUMPY", 6) == 0)
        return readNpy(path, bytes, vocabulary);
    if (path.size() >= 12 && path.compare(path.size() - 12, 12, ".safetensors") == 0)
        return readSafetensors(path, bytes, vocabulary);
    fail(path, "is neither a NumPy .npy file nor a .safetensors file");
}

}  // namespace invx
