#include "search/searched-model.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include "invx/error.h"
#include "invx/experiment-file.h"
#include "invx/model-locator.h"
#include "model/model-identity.h"

namespace invx {

at::Tensor calibrationTensor(const CalibrationBatch& c) {
    return at::tensor(c.ids).view({c.samples, c.length}).to(at::kLong);
}

SearchEngine::BaseInputs baseInputs(const CalibrationBatch& c, std::vector<AwqLayerRecord> awq,
                                    std::vector<GptqLayerRecord> gptq,
                                    std::vector<OmniquantLayerRecord> omniquant) {
    SearchEngine::BaseInputs b;
    if (c.baseSamples > 0)
        b.calibration = at::tensor(c.baseIds).view({c.baseSamples, c.length}).to(at::kLong);
    b.awq = std::move(awq);
    b.gptq = std::move(gptq);
    b.omniquant = std::move(omniquant);
    return b;
}

ModelPlacement recordedPlacement(const ModelIdentity& recorded, const std::string& device,
                                 const std::string& dtype, bool cpuWhenNoGpu) {
    const bool madeOnCuda = recorded.device.rfind("cuda", 0) == 0;
    const std::string where = !device.empty()                                   ? device
                              : madeOnCuda && !(cpuWhenNoGpu && !at::hasCUDA()) ? "cuda"
                                                                                : "cpu";
    // The CPU computes in float32 what a GPU run computed in float16 (the CPU lacks half kernels).
    const bool onCpu = where == "cpu" || (where == "auto" && !at::hasCUDA());
    const std::string precision = !dtype.empty()                        ? dtype
                                  : madeOnCuda && onCpu && cpuWhenNoGpu ? "float32"
                                                                        : recorded.dtype;
    return parsePlacement(where, precision);
}

SearchedModel loadSearchedModel(const SearchedModelRequest& request,
                                const std::function<void(const std::string&)>& progress) {
    c10::InferenceMode guard;
    const ExperimentFile file = ExperimentFile::open(request.experimentPath, /*writable=*/false);
    const ModelIdentity recorded = file.model();
    const SearchSettings settings = file.settings();
    const SearchCheckpoint checkpoint =
        file.checkpoint(request.checkpoint);  // before the slow loading
    const std::string modelDir =
        resolveModelDirectory(request.modelPath.empty() ? recorded.path : request.modelPath);
    if (progress) progress("loading the model from " + modelDir);
    OptModel model = OptModel::load(
        modelDir, recordedPlacement(recorded, request.device, request.dtype, request.cpuWhenNoGpu));
    requireSameModel(recorded, identifyModel(model, modelDir), request.experimentPath);
    if (progress)
        progress("quantizing (" + settings.base + ", " + settings.quant.describe() +
                 ") and restoring the checkpoint at step " + std::to_string(checkpoint.step));
    const CalibrationBatch calibration = file.calibration();
    SearchEngine engine(std::move(model), settings, calibrationTensor(calibration),
                        baseInputs(calibration, file.awq(), file.gptq(), file.omniquant()));
    engine.restore(checkpoint);
    return {engine.model(), modelDir, settings, checkpoint.step};
}

}  // namespace invx
