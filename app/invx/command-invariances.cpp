// invx export-invariances and import-invariances: a checkpoint's invariances in the published
// InvarExplore code's ckpt.pkl, and such a file made into an experiment that eval, apply, table and
// the workbench read (and --resume continues).
#include <c10/core/InferenceMode.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <algorithm>
#include <iterator>
#include <regex>

#include "commands.h"
#include "compute-options.h"
#include "invx/error.h"
#include "invx/experiment-file.h"
#include "invx/model-locator.h"
#include "checkpoint-reader.h"
#include "model-identity.h"
#include "published-invariances.h"
#include "search-engine.h"
#include "searched-model.h"

namespace invx::cli {

const Command& exportInvariancesCommand() {
    static const Command c{
        "export-invariances",
        "--experiment FILE --out ckpt.pkl [--checkpoint K]",
        "Write a checkpoint's invariances as the published InvarExplore code saves them (ckpt.pkl: orders, scales, "
        "rotations per layer, float16), for its --load_invars.",
        {
            {"--experiment", "FILE", "experiment file written by invx search", ""},
            {"--out", "FILE", "the pickle to write (never overwritten)", ""},
            {"--checkpoint", "K", "which checkpoint; -1 = the last", "-1"},
        }};
    return c;
}

int runExportInvariances(const Arguments& args) {
    const std::string path = args.require("--experiment"), out = args.require("--out");
    if (std::filesystem::exists(out)) throw Error("'" + out + "' already exists; give a new file");
    const ExperimentFile file = ExperimentFile::open(path, /*writable=*/false);
    const SearchCheckpoint c = file.checkpoint(args.getInt("--checkpoint", -(1LL << 40), 1LL << 40));
    const std::string kinds = file.settings().invariances;
    writePublishedInvariances(out, c.layers, kinds);
    std::printf("Wrote the invariances (%s) of %s at step %lld to %s\n", kinds.c_str(), path.c_str(), (long long)c.step,
                out.c_str());
    return 0;
}

const Command& importInvariancesCommand() {
    static const Command c = [] {
        Command cmd = quantizeCommand();
        cmd.name = "import-invariances";
        cmd.synopsis = "ckpt.pkl --out FILE --model PATH|ID [--method rtn|awq|gptq] [--bits B] [--group G] [--step N] [calibration]";
        cmd.summary =
            "Make an experiment file from the published InvarExplore code's saved invariances (ckpt.pkl): the base "
            "method's model as invx quantize makes it, and the imported state as its last checkpoint.";
        cmd.operands = "ckpt.pkl";
        cmd.options.insert(cmd.options.begin() + 2,
                           {"--step", "N", "the search step the state was saved at; default: the METADATA file beside it, else 1", ""});
        return cmd;
    }();
    return c;
}

namespace {

// The step of the published code's METADATA beside the pickle ("step: 812, loss: ..."), or 0.
std::int64_t metadataStep(const std::string& pickle) {
    std::ifstream in(std::filesystem::path(pickle).parent_path() / "METADATA");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    std::smatch m;
    return std::regex_search(text, m, std::regex(R"(step:\s*(\d+))")) ? std::stoll(m[1]) : 0;
}

class MessagePrinter : public SearchObserver {
public:
    explicit MessagePrinter(bool quiet) : quiet_(quiet) {}
    void onMessage(const std::string& text) override {
        if (!quiet_) std::cerr << "invx: " << text << '\n';
    }

private:
    bool quiet_;
};

}  // namespace

// The imported state as the experiment's last checkpoint, with the loss the search would give it.
int appendImportedState(const std::string& path, const std::string& pickle, std::int64_t step, SearchObserver& printer) {
    c10::InferenceMode guard;

    ExperimentFile file = ExperimentFile::open(path, /*writable=*/true);
    const ModelIdentity recorded = file.model();
    const SearchSettings settings = file.settings();
    const PublishedInvariances imported = readPublishedInvariances(pickle, recorded.layers, recorded.ffn);
    printer.onMessage("measuring the imported state (" + imported.kinds + ") at step " + std::to_string(step));
    const std::string modelDir = resolveModelDirectory(recorded.path);
    OptModel model = OptModel::load(modelDir, recordedPlacement(recorded, "", ""));
    const CalibrationBatch calibration = file.calibration();
    SearchEngine engine(std::move(model), settings, calibrationTensor(calibration), baseInputs(calibration, file.awq(), file.gptq()));
    SearchCheckpoint c = file.checkpoint(0);
    c.layers = imported.layers;
    engine.restore(c);
    const auto [ce, mse] = engine.measureCurrent();
    const BaseResult base = engine.base();
    c.step = step;
    c.bestLoss = ce / base.ce0 + (base.mse0 > 0 ? settings.alpha * mse / base.mse0 : 0.0);
    file.appendCheckpoint(c);
    file.flush();
    std::printf("Imported %s (%s, step %lld) over %s %s: calibration CE %.4f -> %.4f, loss %.5f\n", pickle.c_str(),
                imported.kinds.c_str(), (long long)step, settings.base.c_str(), settings.quant.describe().c_str(), base.ce0,
                ce, c.bestLoss);
    std::printf("Experiment: %s (invx eval --experiment, invx apply, invx table and the workbench read it)\n",
                path.c_str());
    return 0;
}

int runImportInvariances(const Arguments& args) {
    if (args.operands().size() != 1) throw Error("invx import-invariances takes one ckpt.pkl; see its --help");
    const std::string pickle = args.operands().front();
    // Which kinds the file holds sets the experiment's invariances (checked in full below).
    std::string kinds;
    for (const auto& [name, list] : readPickledTensorLists(pickle))
        kinds += name == "orders" ? "P" : name == "scales" ? "S" : name == "rotations" ? "R" : "";
    std::sort(kinds.begin(), kinds.end(), [](char a, char b) { return std::string("PSR").find(a) < std::string("PSR").find(b); });
    if (kinds.empty()) throw Error("invariances '" + pickle + "': holds none of orders, scales and rotations");
    std::int64_t step = args.has("--step") ? args.getInt("--step", 1, 1LL << 40) : metadataStep(pickle);
    if (step <= 0) step = 1;

    SearchRunRequest request = quantizeRequest(args);
    request.settings.invariances = kinds;
    applyComputeOptions(args);
    MessagePrinter printer(args.has("--quiet"));
    SearchControl control;
    const SearchSummary summary = runSearch(request, printer, control);

    try {
        return appendImportedState(summary.experimentPath, pickle, step, printer);
    } catch (...) {
        std::filesystem::remove(summary.experimentPath);  // made here and not wanted half done
        throw;
    }
}

}  // namespace invx::cli
