#pragma once
// The quantized model a search reached, rebuilt from its experiment file: the recorded settings,
// calibration and base results, the invariance state of one checkpoint. `invx search --resume`
// continues from it; `invx eval --experiment` measures it on any text.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <string>

#include "invx/experiment-file.h"
#include "invx/search-records.h"
#include "invx/search-settings.h"
#include "model/opt-model.h"
#include "search/search-engine.h"

namespace invx {

// The calibration batch [samples, length] and the base method's inputs as the engine takes them.
at::Tensor calibrationTensor(const CalibrationBatch& calibration);
SearchEngine::BaseInputs baseInputs(const CalibrationBatch& calibration,
                                    std::vector<AwqLayerRecord> awq,
                                    std::vector<GptqLayerRecord> gptq,
                                    std::vector<OmniquantLayerRecord> omniquant = {});

// Where to load a recorded experiment's model: `device` and `dtype` when given, else as recorded.
// With `cpuWhenNoGpu`, a run made on CUDA is loaded on the CPU where no GPU is visible (to look at
// it or measure it elsewhere), in float32 unless `dtype` says otherwise; a resumed search keeps its
// device and is refused instead.
ModelPlacement recordedPlacement(const ModelIdentity& recorded, const std::string& device,
                                 const std::string& dtype, bool cpuWhenNoGpu = false);

struct SearchedModelRequest {
    std::string experimentPath;
    std::string modelPath;         // "" = the model path recorded in the experiment
    std::int64_t checkpoint = -1;  // index into the file's checkpoints; -1 = the last
    std::string device, dtype;     // "" = as recorded
    bool cpuWhenNoGpu = false;     // a run made on CUDA loads on the CPU where no GPU is visible
};

struct SearchedModel {
    OptModel model;  // quantized, with the checkpoint's invariances
    std::string modelDirectory;
    SearchSettings settings;
    std::int64_t step = 0;  // the search step of the checkpoint
};

// Throws naming the file when it holds no such checkpoint or was made for another model. Only the
// base method's inputs are recomputed (GPTQ's Hessians, by one pass over the calibration batch).
SearchedModel loadSearchedModel(const SearchedModelRequest& request,
                                const std::function<void(const std::string&)>& progress = {});

}  // namespace invx
