// A checkpoint directory as a model loader meets it: config.json, model.safetensors.index.json and
// two shards, all from the input; the config parsed, the index resolved, every tensor loaded.
#include <ATen/ATen.h>
#include <fuzzer/FuzzedDataProvider.h>

#include "fuzz-support.h"
#include "invx/error.h"
#include "invx/opt-config.h"
#include "io/checkpoint-reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const std::string config = in.ConsumeRandomLengthString(4096);
    const std::string index = in.ConsumeRandomLengthString(4096);
    const std::string shard = in.ConsumeRandomLengthString(1 << 16);
    const std::string other = in.ConsumeRemainingBytesAsString();
    const auto dir = invx::fuzz::scratch() / "checkpoint";
    std::filesystem::create_directories(dir);
    invx::fuzz::writeFile("checkpoint/config.json", config);
    invx::fuzz::writeFile("checkpoint/model.safetensors.index.json", index);
    invx::fuzz::writeFile("checkpoint/model-00001-of-00002.safetensors", shard);
    invx::fuzz::writeFile("checkpoint/model-00002-of-00002.safetensors", other);
    try {
        invx::OptConfig::fromJson(config, "config.json");
    } catch (const invx::Error&) {
    }
    try {
        invx::CheckpointReader reader(dir.string());
        for (const std::string& name : reader.names()) {
            const at::Tensor t = reader.load(name);
            if (t.numel() > 0) (void)t.sum();  // read every byte the header promised
        }
    } catch (const invx::Error&) {
    }
    return 0;
}
