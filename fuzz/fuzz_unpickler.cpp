// The restricted state_dict unpickler: a PyTorch zip archive whose data.pkl is the input's pickle,
// with one storage record ("data/0") of the input's bytes.
#include <ATen/ATen.h>
#include <caffe2/serialize/inline_container.h>
#include <fuzzer/FuzzedDataProvider.h>

#include "fuzz-support.h"
#include "invx/error.h"
#include "io/checkpoint-reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const std::string storage = in.ConsumeRandomLengthString(4096);
    const std::string pickle = in.ConsumeRemainingBytesAsString();
    const std::string path = (invx::fuzz::scratch() / "fuzz.bin").string();
    {
        caffe2::serialize::PyTorchStreamWriter writer(path);
        writer.writeRecord("data.pkl", pickle.data(), pickle.size());
        writer.writeRecord("data/0", storage.data(), storage.size());
        writer.writeRecord("version", "3\n", 2);
        writer.writeEndOfFile();
    }
    try {
        for (const auto& [name, tensor] : invx::readTorchPickle(path))
            if (tensor.numel() > 0) (void)tensor.sum();  // every element inside its storage
    } catch (const invx::Error&) {
    }
    return 0;
}
