// A tokenizer directory from the input (vocab.json, merges.txt, added_tokens.json,
// tokenizer_config.json, special_tokens_map.json), then a text encoded and decoded with it.
#include <fuzzer/FuzzedDataProvider.h>

#include "fuzz-support.h"
#include "invx/bpe-tokenizer.h"
#include "invx/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const auto dir = invx::fuzz::scratch() / "tokenizer";
    std::filesystem::create_directories(dir);
    for (const char* name : {"vocab.json", "merges.txt", "added_tokens.json",
                             "tokenizer_config.json", "special_tokens_map.json"}) {
        const std::filesystem::path p = dir / name;
        if (in.ConsumeBool())
            invx::fuzz::writeFile(std::string("tokenizer/") + name,
                                  in.ConsumeRandomLengthString(2048));
        else
            std::filesystem::remove(p);
    }
    const std::string text = in.ConsumeRemainingBytesAsString();
    try {
        const invx::BpeTokenizer tokenizer = invx::BpeTokenizer::fromDirectory(dir.string());
        const std::vector<std::int32_t> ids = tokenizer.encode(text, true);
        (void)tokenizer.decode(ids);
    } catch (const invx::Error&) {
    }
    return 0;
}
