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
SearchEngine::BaseInputs baseInputs(const CalibrationBatch& calibration, std::vector<AwqLayerRecord> awq,
                                    std::vector<GptqLayerRecord> gptq);

// Where to load a recorded experiment's model: `device` and `dtype` when given, else as recorded.
ModelPlacement recordedPlacement(const ModelIdentity& recorded, const std::string& device, const std::string& dtype);

struct SearchedModelRequest {
    std::string experimentPath;
    std::string modelPath;            // "" = the model path recorded in the experiment
    std::int64_t checkpoint = -1;     // index into the file's checkpoints; -1 = the last
    std::string device, dtype;        // "" = as recorded
};

struct SearchedModel {
    OptModel model;                   // quantized, with the checkpoint's invariances
    std::string modelDirectory;
    SearchSettings settings;
    std::int64_t step = 0;            // the search step of the checkpoint
};

// Throws naming the file when it holds no such checkpoint or was made for another model. Only the
// base method's inputs are recomputed (GPTQ's Hessians, by one pass over the calibration batch).
SearchedModel loadSearchedModel(const SearchedModelRequest& request,
                                const std::function<void(const std::string&)>& progress = {});

}  // namespace invx
