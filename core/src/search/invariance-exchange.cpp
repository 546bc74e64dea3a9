// The published code's ckpt.pkl made into an experiment's checkpoint, and back.
#include "invx/invariance-exchange.h"

#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>

#include "invx/error.h"
#include "invx/experiment-file.h"
#include "invx/model-locator.h"
#include "invx/text-file.h"
#include "io/checkpoint-reader.h"
#include "io/published-invariances.h"
#include "search/search-engine.h"
#include "search/searched-model.h"

namespace invx {

InvarianceExport exportInvariances(const std::string& experimentPath, std::int64_t checkpoint,
                                   const std::string& picklePath) {
    if (std::filesystem::exists(picklePath))
        throw Error("'" + picklePath + "' already exists; give a new file");
    const ExperimentFile file = ExperimentFile::open(experimentPath, /*writable=*/false);
    const SearchCheckpoint c = file.checkpoint(checkpoint);
    const std::string kinds = file.settings().invariances;
    writePublishedInvariances(picklePath, c.layers, kinds);
    return {kinds, c.step};
}

std::string publishedInvarianceKinds(const std::string& picklePath) {
    std::string kinds;
    for (const auto& [name, list] : readPickledTensorLists(picklePath))
        kinds += name == "orders" ? "P" : name == "scales" ? "S" : name == "rotations" ? "R" : "";
    std::sort(kinds.begin(), kinds.end(), [](char a, char b) {
        return std::string("PSR").find(a) < std::string("PSR").find(b);
    });
    if (kinds.empty())
        throw Error("invariances '" + picklePath + "': holds none of orders, scales and rotations");
    return kinds;
}

std::int64_t publishedMetadataStep(const std::string& picklePath) {
    const std::filesystem::path metadata =
        std::filesystem::path(picklePath).parent_path() / "METADATA";
    requireRegularFile(metadata.string(), "published code's METADATA");
    std::ifstream in(metadata);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    std::smatch m;
    return std::regex_search(text, m, std::regex(R"(step:\s*(\d+))")) ? std::stoll(m[1]) : 0;
}

InvarianceImport importInvariances(const std::string& experimentPath, const std::string& picklePath,
                                   std::int64_t step, SearchObserver& observer) {
    c10::InferenceMode guard;
    ExperimentFile file = ExperimentFile::open(experimentPath, /*writable=*/true);
    const ModelIdentity recorded = file.model();
    const SearchSettings settings = file.settings();
    const PublishedInvariances imported =
        readPublishedInvariances(picklePath, recorded.layers, recorded.ffn);
    observer.onMessage("measuring the imported state (" + imported.kinds + ") at step " +
                       std::to_string(step));
    OptModel model =
        OptModel::load(resolveModelDirectory(recorded.path), recordedPlacement(recorded, "", ""));
    const CalibrationBatch calibration = file.calibration();
    SearchEngine engine(std::move(model), settings, calibrationTensor(calibration),
                        baseInputs(calibration, file.awq(), file.gptq(), file.omniquant()));
    SearchCheckpoint c = file.checkpoint(0);
    c.layers = imported.layers;
    engine.restore(c);
    const auto [ce, mse] = engine.measureCurrent();
    const BaseResult base = engine.base();
    c.step = step;
    c.bestLoss = ce / base.ce0 + (base.mse0 > 0 ? settings.alpha * mse / base.mse0 : 0.0);
    file.appendCheckpoint(c);
    file.flush();
    return {imported.kinds, base.ce0, ce, c.bestLoss};
}

}  // namespace invx
