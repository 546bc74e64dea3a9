#include "quant/rtn-quantizer.h"

#include <ATen/ATen.h>

#include "quant/group-quantizer.h"

namespace invx {

std::vector<std::pair<std::string, LinearWeights*>> decoderLinears(OptLayer& layer) {
    return {{"self_attn.q_proj", &layer.q},
            {"self_attn.k_proj", &layer.k},
            {"self_attn.v_proj", &layer.v},
            {"self_attn.out_proj", &layer.out},
            {"fc1", &layer.fc1},
            {"fc2", &layer.fc2}};
}

void validateGroupSizes(OptModel& model, const QuantConfig& config) {
    for (std::size_t l = 0; l < model.layers().size(); ++l)
        for (auto& [name, linear] : decoderLinears(model.layers()[l]))
            config.validate(linear->weight.size(1), "layers." + std::to_string(l) + "." + name);
}

std::vector<at::Tensor> embedInChunks(const OptModel& model, const at::Tensor& ids,
                                      std::int64_t chunkSamples) {
    const at::Tensor onDevice = ids.to(model.placement().device, at::kLong);
    const std::int64_t samples = onDevice.size(0), chunk = std::max<std::int64_t>(1, chunkSamples);
    std::vector<at::Tensor> hidden;
    for (std::int64_t s = 0; s < samples; s += chunk)
        hidden.push_back(model.embed(onDevice.narrow(0, s, std::min(chunk, samples - s))));
    return hidden;
}

void quantizeRtn(OptModel& model, const QuantConfig& config) {
    validateGroupSizes(model, config);
    for (auto& layer : model.layers())
        for (auto& [name, linear] : decoderLinears(layer))
            linear->weight = fakeQuantize(linear->weight, config);
}

}  // namespace invx
