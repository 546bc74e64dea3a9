// The safetensors header parser on any bytes: the whole input is the file.
#include <cstdint>

#include "invx/error.h"
#include "invx/safetensors-header.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const invx::SafetensorsHeader h =
            invx::parseSafetensorsHeader(data, size, "fuzz.safetensors");
        // What a reader does next: every tensor's bytes lie inside the file.
        for (const auto& t : h.tensors)
            if (h.dataStart + t.end > size) __builtin_trap();
    } catch (const invx::Error&) {
    }
    return 0;
}
