#include "invx/experiment-inspector.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include "ffn-transform.h"
#include "invx/error.h"
#include "invx/experiment-file.h"
#include "invx/model-locator.h"
#include "model-identity.h"
#include "opt-model.h"
#include "search-engine.h"
#include "searched-model.h"

namespace invx {

struct ExperimentInspector::Impl {
    std::string path;
    SearchSettings settings;
    std::unique_ptr<SearchEngine> engine;
    std::unique_ptr<OptModel> original;  // float16 precision, unquantized, as the search starts
    at::Tensor calibration;

    SearchCheckpoint checkpoint(std::int64_t index) const {
        const ExperimentFile file = ExperimentFile::open(path, /*writable=*/false);
        const std::int64_t count = file.checkpointCount();
        if (count == 0) throw Error("experiment file '" + path + "' holds no checkpoint yet");
        if (index < -1 || index >= count)
            throw Error("experiment file '" + path + "' has checkpoints 0 to " + std::to_string(count - 1) +
                        " (or -1 for the last), not " + std::to_string(index));
        SearchCheckpoint c = file.checkpoint(index);
        if (c.layers.size() != original->layers().size())
            throw Error("checkpoint " + std::to_string(index) + " of '" + path + "' holds " + std::to_string(c.layers.size()) +
                        " layers, but the model has " + std::to_string(original->layers().size()));
        return c;
    }
};

ExperimentInspector::ExperimentInspector(const std::string& experimentPath, const std::string& modelPath,
                                         const std::string& device, const std::string& dtype,
                                         const std::function<void(const std::string&)>& progress)
    : d_(std::make_unique<Impl>()) {
    c10::InferenceMode guard;
    d_->path = experimentPath;
    const ExperimentFile file = ExperimentFile::open(experimentPath, /*writable=*/false);
    const ModelIdentity recorded = file.model();
    d_->settings = file.settings();
    const std::string modelDir = resolveModelDirectory(modelPath.empty() ? recorded.path : modelPath);
    if (progress) progress("loading the model from " + modelDir);
    OptModel model = OptModel::load(modelDir, recordedPlacement(recorded, device, dtype));
    requireSameModel(recorded, identifyModel(model, modelDir), experimentPath);
    // A deep copy for the invariance check: the engine quantizes its own.
    NamedTensors weights = model.stateDict();
    for (auto& [name, tensor] : weights) tensor = tensor.clone();
    d_->original = std::make_unique<OptModel>(
        OptModel::fromTensors(model.config(), weights, model.placement(), "the inspector's copy of " + modelDir));
    d_->original->roundToFloat16();
    if (progress) progress("quantizing (" + d_->settings.base + ", " + d_->settings.quant.describe() + ")");
    const CalibrationBatch calibration = file.calibration();
    d_->calibration = calibrationTensor(calibration).to(model.placement().device);
    d_->engine = std::make_unique<SearchEngine>(std::move(model), d_->settings, calibrationTensor(calibration),
                                                baseInputs(calibration, file.awq(), file.gptq()));
}

ExperimentInspector::~ExperimentInspector() = default;

const SearchSettings& ExperimentInspector::settings() const { return d_->settings; }
int ExperimentInspector::layers() const { return int(d_->original->layers().size()); }

std::int64_t ExperimentInspector::checkpointCount() const {
    return ExperimentFile::open(d_->path, /*writable=*/false).checkpointCount();
}

std::int64_t ExperimentInspector::checkpointStep(std::int64_t checkpoint) const { return d_->checkpoint(checkpoint).step; }

LayerSnapshot ExperimentInspector::inspectLayer(std::int64_t checkpoint, int layer) {
    const SearchCheckpoint c = d_->checkpoint(checkpoint);
    if (layer < 0 || layer >= layers())
        throw Error("cannot inspect layer " + std::to_string(layer) + " of '" + d_->path + "': the model has layers 0 to " +
                    std::to_string(layers() - 1));
    LayerSnapshot s = d_->engine->snapshotOf(layer, c.layers[std::size_t(layer)]);
    s.step = c.step;
    return s;
}

LayerSnapshot ExperimentInspector::inspectStart(int layer) {
    if (layer < 0 || layer >= layers())
        throw Error("cannot inspect layer " + std::to_string(layer) + " of '" + d_->path + "': the model has layers 0 to " +
                    std::to_string(layers() - 1));
    LayerSnapshot s = d_->engine->snapshotOf(layer, LayerInvariance::identity(d_->original->config().ffnDim));
    s.step = 0;
    return s;
}

std::vector<double> ExperimentInspector::invarianceCheck(std::int64_t checkpoint) {
    c10::InferenceMode guard;
    const SearchCheckpoint c = d_->checkpoint(checkpoint);
    OptModel& model = *d_->original;
    std::vector<double> largest;
    at::Tensor original = model.embed(d_->calibration), transformed = original;
    for (std::size_t l = 0; l < model.layers().size(); ++l) {
        OptLayer& layer = model.layers()[l];
        const OptLayer kept = layer;
        const at::Tensor nextOriginal = model.forwardLayer(l, original);
        const FfnWeights t = transformFfn({layer.fc1.weight, layer.fc1.bias, layer.fc2.weight}, c.layers[l]);
        layer.fc1.weight = t.w1;
        layer.fc1.bias = t.b1;
        layer.fc2.weight = t.w2;
        const at::Tensor nextTransformed = model.forwardLayer(l, transformed);
        layer = kept;
        largest.push_back((nextOriginal.to(at::kFloat) - nextTransformed.to(at::kFloat)).abs().max().item<double>());
        original = nextOriginal;
        transformed = nextTransformed;
    }
    return largest;
}

}  // namespace invx
