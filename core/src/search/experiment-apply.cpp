#include "invx/experiment-apply.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "invx/error.h"
#include "invx/experiment-file.h"
#include "invx/model-locator.h"
#include "invx/version.h"
#include "io/safetensors-file.h"
#include "model/model-identity.h"
#include "quant/awq-quantizer.h"
#include "quant/omniquant-quantizer.h"
#include "records/json-text.h"
#include "search/ffn-transform.h"

namespace invx {
namespace fs = std::filesystem;

namespace {

void prepareOutputDirectory(const std::string& dir) {
    if (fs::exists(dir) && (!fs::is_directory(dir) || !fs::is_empty(dir)))
        throw Error("output directory '" + dir +
                    "' already exists and is not empty; choose a new --out");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error("cannot create the output directory '" + dir + "': " + ec.message());
}

void writeConfig(const std::string& modelDir, const std::string& outDir) {
    const std::string path = (fs::path(modelDir) / "config.json").string();
    nlohmann::json config = readJsonFile(path, "model configuration");
    config["torch_dtype"] = "float16";
    std::ofstream out(fs::path(outDir) / "config.json");
    out << config.dump(2) << '\n';
    if (!out) throw Error("cannot write '" + (fs::path(outDir) / "config.json").string() + "'");
}

}  // namespace

ApplyResult applyExperiment(const ApplyRequest& request) {
    c10::InferenceMode guard;
    const ExperimentFile file = ExperimentFile::open(request.experimentPath, /*writable=*/false);
    const ModelIdentity recorded = file.model();
    const std::string modelDir =
        resolveModelDirectory(request.modelPath.empty() ? recorded.path : request.modelPath);
    // float32 on the CPU holds float16 weights exactly; a bfloat16 search is applied in bfloat16.
    OptModel model = OptModel::load(
        modelDir,
        ModelPlacement{at::kCPU, recorded.dtype == "bfloat16" ? at::kBFloat16 : at::kFloat});
    requireSameModel(recorded, identifyModel(model, modelDir), request.experimentPath);
    const SearchCheckpoint checkpoint = file.checkpoint(request.checkpoint);
    const SearchSettings settings = file.settings();
    if (settings.base == "gptq")
        throw Error("experiment '" + request.experimentPath +
                    "' searched over GPTQ, whose weights are not a transformation "
                    "of the full-precision ones, so there is no float16 checkpoint that RTN turns "
                    "into them");
    const QuantConfig quant = settings.base == "awq"
                                  ? finalQuantizerOfAwq(settings.quant, awqPrecisionOf(settings))
                                  : settings.quant;
    prepareOutputDirectory(request.outputDirectory);
    model.roundToFloat16();  // as the search did
    if (settings.base == "awq") {
        std::vector<AwqLayerResult> awq;
        for (const auto& r : file.awq())
            awq.push_back(awqFromRecord(r, model.config(), settings.quant, at::kCPU));
        if (awq.size() != model.layers().size())
            throw Error("experiment '" + request.experimentPath +
                        "' lacks AWQ's results for every layer");
        applyAwq(model, awq, settings.quant, awqPrecisionOf(settings));
        model.roundToFloat16();
    }
    if (settings.base == "omniquant") {
        // LET folded and LWC's clip applied, as the search started from them.
        std::vector<OmniquantLayerResult> omniquant;
        for (const auto& r : file.omniquant())
            omniquant.push_back(omniquantFromRecord(r, model.config(), settings.quant, at::kCPU));
        if (omniquant.size() != model.layers().size())
            throw Error("experiment '" + request.experimentPath +
                        "' lacks OmniQuant's results for every layer");
        applyOmniquant(model, omniquant, settings.quant);
    }

    for (std::size_t l = 0; l < model.layers().size(); ++l) {
        OptLayer& layer = model.layers()[l];
        const FfnWeights t = transformFfnForStorage(
            {layer.fc1.weight, layer.fc1.bias, layer.fc2.weight}, checkpoint.layers.at(l));
        layer.fc1.weight = t.w1;
        layer.fc1.bias = t.b1;
        layer.fc2.weight = t.w2;
    }
    NamedTensors tensors;
    std::int64_t bytes = 0;
    for (auto& [name, tensor] : model.stateDict()) {
        tensors.emplace_back(name, tensor.to(at::kHalf));
        bytes += tensor.numel() * 2;
    }
    writeSafetensors((fs::path(request.outputDirectory) / "model.safetensors").string(), tensors,
                     {{"format", "pt"},
                      {"invx_experiment", request.experimentPath},
                      {"invx_step", std::to_string(checkpoint.step)},
                      {"invx_bits", std::to_string(settings.quant.bits)},
                      {"invx_group", std::to_string(settings.quant.groupSize)}});
    writeConfig(modelDir, request.outputDirectory);
    for (const char* name : {"vocab.json", "merges.txt", "tokenizer.json", "tokenizer_config.json",
                             "special_tokens_map.json", "generation_config.json"}) {
        const fs::path from = fs::path(modelDir) / name;
        if (fs::exists(from)) fs::copy_file(from, fs::path(request.outputDirectory) / name);
    }
    nlohmann::ordered_json provenance = {
        {"written_by", std::string("invx ") + versionString()},
        {"experiment", request.experimentPath},
        {"model", modelDir},
        {"fingerprint", recorded.fingerprint},
        {"checkpoint_step", checkpoint.step},
        {"accepted_steps", checkpoint.acceptedSteps},
        {"best_loss", checkpoint.bestLoss},
        {"quantize_with",
         {{"method", "rtn"},
          {"bits", quant.bits},
          {"group", quant.groupSize},
          {"precision", quant.float16Arithmetic ? "float16" : "float32"}}},
        {"settings", nlohmann::json::parse(settings.toJson())},
    };
    std::ofstream(fs::path(request.outputDirectory) / "invx_apply.json")
        << provenance.dump(2) << '\n';
    return {request.outputDirectory, checkpoint.step, std::int64_t(tensors.size()), bytes, quant};
}

}  // namespace invx
