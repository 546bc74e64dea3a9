// invx export-invariances and import-invariances: a checkpoint's invariances in the published
// InvarExplore code's ckpt.pkl, and such a file made into an experiment that eval, apply, table and
// the workbench read (and --resume continues).
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "commands.h"
#include "compute-options.h"
#include "invx/error.h"
#include "invx/experiment-file.h"
#include "invx/invariance-exchange.h"

namespace invx::cli {

const Command& exportInvariancesCommand() {
    static const Command c{
        "export-invariances",
        "--experiment FILE --out ckpt.pkl [--checkpoint K]",
        "Write a checkpoint's invariances as the published InvarExplore code saves them (ckpt.pkl: "
        "orders, scales, "
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
    const InvarianceExport e =
        exportInvariances(path, args.getInt("--checkpoint", -(1LL << 40), 1LL << 40), out);
    std::printf("Wrote the invariances (%s) of %s at step %lld to %s\n", e.kinds.c_str(),
                path.c_str(), (long long)e.step, out.c_str());
    return 0;
}

const Command& importInvariancesCommand() {
    static const Command c = [] {
        Command cmd = quantizeCommand();
        cmd.name = "import-invariances";
        cmd.synopsis =
            "ckpt.pkl --out FILE --model PATH|ID [--method rtn|awq|gptq|omniquant] [--bits B] "
            "[--group G] "
            "[--step N] [calibration]";
        cmd.summary =
            "Make an experiment file from the published InvarExplore code's saved invariances "
            "(ckpt.pkl): the base "
            "method's model as invx quantize makes it, and the imported state as its last "
            "checkpoint.";
        cmd.operands = "ckpt.pkl";
        cmd.options.insert(
            cmd.options.begin() + 2,
            {"--step", "N",
             "the search step the state was saved at; default: the METADATA file beside it, else 1",
             ""});
        return cmd;
    }();
    return c;
}

namespace {

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

int runImportInvariances(const Arguments& args) {
    if (args.operands().size() != 1)
        throw Error("invx import-invariances takes one ckpt.pkl; see its --help");
    const std::string pickle = args.operands().front();
    // Which kinds the file holds sets the experiment's invariances (checked in full on import).
    const std::string kinds = publishedInvarianceKinds(pickle);
    std::int64_t step =
        args.has("--step") ? args.getInt("--step", 1, 1LL << 40) : publishedMetadataStep(pickle);
    if (step <= 0) step = 1;

    SearchRunRequest request = quantizeRequest(args, SettingCommand::ImportInvariances);
    request.settings.invariances = kinds;
    applyThreads(args);
    MessagePrinter printer(args.has("--quiet"));
    SearchControl control;
    const SearchSummary summary = runSearch(request, printer, control);
    InvarianceImport imported;
    try {
        imported = importInvariances(summary.experimentPath, pickle, step, printer);
    } catch (...) {
        std::filesystem::remove(summary.experimentPath);  // made here and not wanted half done
        throw;
    }
    const SearchSettings& s = request.settings;
    std::printf("Imported %s (%s, step %lld) over %s %s: calibration CE %.4f -> %.4f, loss %.5f\n",
                pickle.c_str(), imported.kinds.c_str(), (long long)step, s.base.c_str(),
                s.quant.describe().c_str(), imported.ce0, imported.ce, imported.loss);
    std::printf(
        "Experiment: %s (invx eval --experiment, invx apply, invx table and the workbench read "
        "it)\n",
        summary.experimentPath.c_str());
    return 0;
}

}  // namespace invx::cli
