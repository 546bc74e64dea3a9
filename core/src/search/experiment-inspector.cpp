#include "invx/experiment-inspector.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <array>

#include "invx/error.h"
#include "invx/experiment-file.h"
#include "invx/model-locator.h"
#include "model/model-identity.h"
#include "model/opt-model.h"
#include "quant/awq-quantizer.h"
#include "quant/omniquant-quantizer.h"
#include "search/ffn-transform.h"
#include "search/search-engine.h"
#include "search/searched-model.h"
#include "search/weight-snapshot.h"

namespace invx {

struct ExperimentInspector::Impl {
    std::string path;
    SearchSettings settings;
    std::unique_ptr<SearchEngine> engine;
    std::unique_ptr<OptModel> original;  // float16 precision, unquantized, as the search starts
    at::Tensor calibration;
    std::vector<std::array<at::Tensor, 4>>
        attentionInput;  // per layer: q, k, v, out as the base quantized them

    void requireLayer(int layer) const {
        const int layers = int(original->layers().size());
        if (layer < 0 || layer >= layers)
            throw Error("cannot inspect layer " + std::to_string(layer) + " of '" + path +
                        "': the model has layers 0 to " + std::to_string(layers - 1));
    }

    // `index` (-1 = the last) checked against the file's checkpoints now, as an index from 0.
    std::int64_t checkpointIndex(const ExperimentFile& file, std::int64_t index) const {
        const std::int64_t count = file.checkpointCount();
        if (count == 0) throw Error("experiment file '" + path + "' holds no checkpoint yet");
        if (index < -1 || index >= count)
            throw Error("experiment file '" + path + "' has checkpoints 0 to " +
                        std::to_string(count - 1) + " (or -1 for the last), not " +
                        std::to_string(index));
        return index < 0 ? count - 1 : index;
    }

    SearchCheckpoint checkpoint(std::int64_t index) const {
        const ExperimentFile file = ExperimentFile::open(path, /*writable=*/false);
        SearchCheckpoint c = file.checkpoint(checkpointIndex(file, index));
        if (c.layers.size() != original->layers().size())
            throw Error("checkpoint " + std::to_string(index) + " of '" + path + "' holds " +
                        std::to_string(c.layers.size()) + " layers, but the model has " +
                        std::to_string(original->layers().size()));
        return c;
    }
};

ExperimentInspector::ExperimentInspector(const std::string& experimentPath,
                                         const std::string& modelPath, const std::string& device,
                                         const std::string& dtype,
                                         const std::function<void(const std::string&)>& progress)
    : d_(std::make_unique<Impl>()) {
    c10::InferenceMode guard;
    d_->path = experimentPath;
    const ExperimentFile file = ExperimentFile::open(experimentPath, /*writable=*/false);
    const ModelIdentity recorded = file.model();
    d_->settings = file.settings();
    const std::string modelDir =
        resolveModelDirectory(modelPath.empty() ? recorded.path : modelPath);
    if (progress) progress("loading the model from " + modelDir);
    OptModel model =
        OptModel::load(modelDir, recordedPlacement(recorded, device, dtype, /*cpuWhenNoGpu=*/true));
    requireSameModel(recorded, identifyModel(model, modelDir), experimentPath);
    // A deep copy for the invariance check: the engine quantizes its own.
    NamedTensors weights = model.stateDict();
    for (auto& [name, tensor] : weights) tensor = tensor.clone();
    d_->original = std::make_unique<OptModel>(OptModel::fromTensors(
        model.config(), weights, model.placement(), "the inspector's copy of " + modelDir));
    d_->original->roundToFloat16();
    if (progress)
        progress("quantizing (" + d_->settings.base + ", " + d_->settings.quant.describe() + ")");
    const CalibrationBatch calibration = file.calibration();
    d_->calibration = calibrationTensor(calibration).to(model.placement().device);
    d_->engine = std::make_unique<SearchEngine>(
        std::move(model), d_->settings, calibrationTensor(calibration),
        baseInputs(calibration, file.awq(), file.gptq(), file.omniquant()));
    keepAttentionInputs();
}

void ExperimentInspector::keepAttentionInputs() {
    // Over AWQ the attention weights were scaled and clipped before rounding; the engine keeps
    // only the result, so the scaling is applied again to a copy, as the engine applied it.
    std::unique_ptr<OptModel> scaled;
    const auto copyOfOriginal = [this](const char* what) {
        NamedTensors weights = d_->original->stateDict();
        for (auto& [name, tensor] : weights) tensor = tensor.clone();
        return std::make_unique<OptModel>(OptModel::fromTensors(d_->original->config(), weights,
                                                                d_->original->placement(), what));
    };
    if (d_->settings.base == "awq") {
        scaled = copyOfOriginal("the inspector's AWQ-scaled copy");
        std::vector<AwqLayerResult> awq;
        for (const AwqLayerRecord& r : d_->engine->awqRecords())
            awq.push_back(
                awqFromRecord(r, scaled->config(), d_->settings.quant, scaled->placement().device));
        applyAwq(*scaled, awq, d_->settings.quant, awqPrecisionOf(d_->settings));
        scaled->roundToFloat16();
    }
    if (d_->settings.base == "omniquant") {
        scaled = copyOfOriginal("the inspector's OmniQuant-folded copy");
        scaled->roundToFloat16();
        std::vector<OmniquantLayerResult> omniquant;
        for (const OmniquantLayerRecord& r : d_->engine->omniquantRecords())
            omniquant.push_back(omniquantFromRecord(r, scaled->config(), d_->settings.quant,
                                                    scaled->placement().device));
        applyOmniquant(*scaled, omniquant, d_->settings.quant);
    }
    const OptModel& source = scaled ? *scaled : *d_->original;
    for (const OptLayer& l : source.layers())
        d_->attentionInput.push_back({l.q.weight, l.k.weight, l.v.weight, l.out.weight});
}

ExperimentInspector::~ExperimentInspector() = default;

const SearchSettings& ExperimentInspector::settings() const { return d_->settings; }
std::string ExperimentInspector::device() const { return d_->original->placement().device.str(); }
std::string ExperimentInspector::dtype() const {
    return dtypeText(d_->original->placement().dtype);
}
int ExperimentInspector::layers() const { return int(d_->original->layers().size()); }

std::int64_t ExperimentInspector::checkpointCount() const {
    return ExperimentFile::open(d_->path, /*writable=*/false).checkpointCount();
}

std::int64_t ExperimentInspector::checkpointStep(std::int64_t checkpoint) const {
    return d_->checkpoint(checkpoint).step;
}

LayerSnapshot ExperimentInspector::inspectLayer(std::int64_t checkpoint, int layer) {
    const SearchCheckpoint c = d_->checkpoint(checkpoint);
    d_->requireLayer(layer);
    LayerSnapshot s = d_->engine->snapshotOf(layer, c.layers[std::size_t(layer)]);
    s.step = c.step;
    return s;
}

LayerSnapshot ExperimentInspector::inspectStart(int layer) {
    d_->requireLayer(layer);
    LayerSnapshot s =
        d_->engine->snapshotOf(layer, LayerInvariance::identity(d_->original->config().ffnDim));
    s.step = 0;
    return s;
}

std::vector<WeightSnapshot> ExperimentInspector::inspectAttention(int layer) {
    c10::InferenceMode guard;
    d_->requireLayer(layer);
    const std::array<at::Tensor, 4>& input = d_->attentionInput[std::size_t(layer)];
    const OptLayer& quantized = d_->engine->model().layers()[std::size_t(layer)];
    const std::array<at::Tensor, 4> used = {quantized.q.weight, quantized.k.weight,
                                            quantized.v.weight, quantized.out.weight};
    const char* names[] = {"q_proj", "k_proj", "v_proj", "out_proj"};
    std::vector<WeightSnapshot> out;
    for (std::size_t m = 0; m < 4; ++m)
        out.push_back(
            makeWeightSnapshot(names[m], input[m], input[m], used[m], d_->settings.quant));
    return out;
}

std::vector<std::int64_t> ExperimentInspector::positionChanges(int layer, std::int64_t checkpoint) {
    d_->requireLayer(layer);
    const ExperimentFile file = ExperimentFile::open(d_->path, /*writable=*/false);
    const std::int64_t last = d_->checkpointIndex(file, checkpoint);
    const std::vector<std::vector<std::int64_t>> history = file.permutationHistory(layer);
    const std::int64_t ffn = d_->original->config().ffnDim;
    std::vector<std::int64_t> changes(std::size_t(ffn), 0);
    std::vector<std::int64_t> previous = LayerInvariance::identity(ffn).permutation;
    for (std::int64_t c = 0; c <= last && c < std::int64_t(history.size()); ++c) {
        const std::vector<std::int64_t>& now = history[std::size_t(c)];
        for (std::size_t i = 0; i < changes.size(); ++i) changes[i] += now[i] != previous[i];
        previous = now;
    }
    return changes;
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
        const FfnWeights t =
            transformFfn({layer.fc1.weight, layer.fc1.bias, layer.fc2.weight}, c.layers[l]);
        layer.fc1.weight = t.w1;
        layer.fc1.bias = t.b1;
        layer.fc2.weight = t.w2;
        const at::Tensor nextTransformed = model.forwardLayer(l, transformed);
        layer = kept;
        largest.push_back((nextOriginal.to(at::kFloat) - nextTransformed.to(at::kFloat))
                              .abs()
                              .max()
                              .item<double>());
        original = nextOriginal;
        transformed = nextTransformed;
    }
    return largest;
}

}  // namespace invx
