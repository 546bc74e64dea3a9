// invx inspect: an experiment file's summary (model, settings, progress, results) and the
// invariance check at one of its checkpoints.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "invx/experiment-file.h"
#include "invx/experiment-inspector.h"

namespace invx::cli {

const Command& inspectCommand() {
    static const Command c{
        "inspect",
        "--experiment FILE [--checkpoint N] [--no-check] [--verify] [--json]",
        "Summarize an experiment file and check that its transformation keeps the model's "
        "function.",
        {
            {"--experiment", "FILE", "experiment file written by invx search", ""},
            {"--checkpoint", "N", "the checkpoint to check; -1 = the last", "-1"},
            {"--model", "PATH|ID", "the model the experiment ran on; default: the recorded path",
             ""},
            {"--device", "cpu|cuda|auto",
             "where the check runs; default: where the run ran, or the CPU where that was a GPU "
             "this machine lacks",
             ""},
            {"--dtype", "auto|float32|float16|bfloat16",
             "the check's precision; default: the run's (float32 on the CPU for a run made on a "
             "GPU)",
             ""},
            {"--no-check", "", "only the summary: do not load the model for the invariance check",
             ""},
            {"--verify", "",
             "read every record of the file (steps, evaluations, checkpoints, snapshots, base, "
             "results) and check its checksum and values; exit status 1 at the first that fails",
             ""},
            {"--json", "", "print one JSON object", ""},
        }};
    return c;
}

namespace {

// Every record read and checked, as `invx inspect --verify` counts them; throws at the first that
// fails its checksum or its checks.
nlohmann::json verifyEveryRecord(const ExperimentFile& file) {
    (void)file.settings();
    (void)file.model();
    (void)file.calibration();
    (void)file.base();
    (void)file.awq();
    (void)file.gptq();
    const std::int64_t checkpoints = file.checkpointCount();
    for (std::int64_t i = 0; i < checkpoints; ++i) file.checkpoint(i);
    const std::int64_t snapshots = file.snapshotCount();
    for (std::int64_t i = 0; i < snapshots; ++i) file.snapshot(i);
    return {{"steps", file.steps().size()},
            {"evaluations", file.evaluations().size()},
            {"checkpoints", checkpoints},
            {"snapshots", snapshots},
            {"results", file.results().size()}};
}

}  // namespace

int runInspect(const Arguments& args) {
    const std::string path = args.require("--experiment");
    const std::int64_t checkpoint = args.getInt("--checkpoint", -1, 1LL << 40);
    const ExperimentFile file = ExperimentFile::open(path, /*writable=*/false);
    const SearchSettings settings = file.settings();
    const ModelIdentity model = file.model();
    const std::vector<std::int64_t> checkpoints = file.checkpointSteps();
    const std::vector<EvaluationRecord> evaluations = file.evaluations();
    const std::int64_t steps = file.stepCount();
    const std::vector<StepRecord> last =
        steps > 0 ? file.steps(steps - 1, 1) : std::vector<StepRecord>{};
    std::optional<SearchCheckpoint> latest;
    if (!checkpoints.empty()) latest = file.checkpoint(-1);
    const std::string damage = file.damageNote();
    if (!damage.empty()) std::cerr << "note: " << damage << "\n";
    nlohmann::json verified;
    if (args.has("--verify")) verified = verifyEveryRecord(file);

    std::vector<double> check;
    std::int64_t checkedStep = -1;
    std::string checkedOn;  // "cpu, float32"
    if (!args.has("--no-check") && !checkpoints.empty()) {
        ExperimentInspector inspector(path, args.get("--model"), args.get("--device"),
                                      args.get("--dtype"));
        check = inspector.invarianceCheck(checkpoint);
        checkedStep = inspector.checkpointStep(checkpoint);
        checkedOn = inspector.device() + ", " + inspector.dtype();
    }

    nlohmann::json j = {{"experiment", path},
                        {"status", file.status()},
                        {"model", model.path},
                        {"parameters", model.parameters},
                        {"layers", model.layers},
                        {"base", settings.base},
                        {"quantization", settings.quant.describe()},
                        {"invariances", settings.invariances},
                        {"seed", settings.seed},
                        {"steps", steps},
                        {"target_steps", settings.steps},
                        {"checkpoints", checkpoints}};
    if (latest) j["accepted_steps"] = latest->acceptedSteps, j["best_loss"] = latest->bestLoss;
    if (!last.empty()) j["elapsed_s"] = last.back().elapsedSeconds;
    if (!evaluations.empty()) {
        j["perplexity_start"] = evaluations.front().perplexity;
        j["perplexity_last"] = evaluations.back().perplexity;
        j["perplexity_last_step"] = evaluations.back().step;
    }
    if (!check.empty())
        j["invariance_check"] = {
            {"step", checkedStep}, {"max_abs_difference", check}, {"placement", checkedOn}};
    if (!verified.is_null()) j["verified"] = verified;
    if (!damage.empty()) j["damage"] = damage;
    if (args.has("--json")) {
        std::printf("%s\n", j.dump().c_str());
        return 0;
    }
    std::printf("%s: %s\n", path.c_str(), file.status().c_str());
    std::printf("  model         %s (%lld parameters, %d layers)\n", model.path.c_str(),
                (long long)model.parameters, model.layers);
    std::printf("  search        %s, %s, invariances %s, seed %llu\n", settings.base.c_str(),
                settings.quant.describe().c_str(), settings.invariances.c_str(),
                (unsigned long long)settings.seed);
    std::printf("  steps         %lld of %lld", (long long)steps, (long long)settings.steps);
    if (latest)
        std::printf(", %lld accepted, best loss %.6g", (long long)latest->acceptedSteps,
                    latest->bestLoss);
    if (!last.empty()) std::printf(", %.1f s", last.back().elapsedSeconds);
    std::printf("\n  checkpoints   %zu", checkpoints.size());
    if (!checkpoints.empty())
        std::printf(" (steps %lld to %lld)", (long long)checkpoints.front(),
                    (long long)checkpoints.back());
    std::printf("\n");
    if (!evaluations.empty())
        std::printf("  perplexity    %.2f at step 0, %.2f at step %lld\n",
                    evaluations.front().perplexity, evaluations.back().perplexity,
                    (long long)evaluations.back().step);
    if (!verified.is_null())
        std::printf(
            "  verified      every record: %lld steps, %lld evaluations, %lld checkpoints, "
            "%lld snapshots, %lld results\n",
            verified["steps"].get<long long>(), verified["evaluations"].get<long long>(),
            verified["checkpoints"].get<long long>(), verified["snapshots"].get<long long>(),
            verified["results"].get<long long>());
    if (!check.empty()) {
        std::printf(
            "  invariance    largest |original - transformed| block output at step %lld "
            "(unquantized, calibration "
            "batch, on %s; 0 up to rounding for P and S, small for R):\n",
            (long long)checkedStep, checkedOn.c_str());
        for (std::size_t l = 0; l < check.size(); ++l)
            std::printf("                layer %zu: %.3g\n", l, check[l]);
    } else if (checkpoints.empty()) {
        std::printf("  invariance    no checkpoint yet to check\n");
    }
    return 0;
}

}  // namespace invx::cli
