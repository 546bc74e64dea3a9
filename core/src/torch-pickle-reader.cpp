// Reads pytorch_model.bin files through libtorch's own unpickler (kept in its own translation unit:
// the JIT serialization headers are heavy).
#include <torch/csrc/jit/serialization/pickle.h>

#include <fstream>
#include <iterator>

#include "checkpoint-reader.h"
#include "invx/error.h"

namespace invx {

std::map<std::string, at::Tensor> readTorchPickle(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot open PyTorch checkpoint '" + path + "'");
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.size() < 4 || bytes[0] != 'P' || bytes[1] != 'K') {
        throw Error("PyTorch checkpoint '" + path +
                    "' is not a zip archive: it is truncated, or in the legacy format of PyTorch "
                    "before 1.6; re-save it with a current torch.save or convert it to safetensors");
    }
    c10::IValue value;
    try {
        value = torch::jit::pickle_load(bytes);
    } catch (const std::exception& e) {
        std::string what = e.what();
        what = what.substr(0, what.find('\n'));
        throw Error("cannot unpickle PyTorch checkpoint '" + path + "': " + what +
                    "; convert it to safetensors");
    }
    if (!value.isGenericDict())
        throw Error("PyTorch checkpoint '" + path + "' does not hold a dict of tensors (a state_dict)");
    std::map<std::string, at::Tensor> out;
    for (const auto& item : value.toGenericDict()) {
        if (!item.key().isString()) continue;
        if (!item.value().isTensor())
            throw Error("PyTorch checkpoint '" + path + "': entry '" + item.key().toStringRef() +
                        "' is not a tensor");
        out[item.key().toStringRef()] = item.value().toTensor();
    }
    return out;
}

}  // namespace invx
