// invx search: the InvarExplore search from the command line, with a live progress line.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "commands.h"
#include "compute-options.h"
#include "invx/error.h"
#include "invx/experiment-file.h"
#include "invx/search-run.h"
#include "invx/setting-table.h"

namespace invx::cli {
namespace {

std::string text(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

// The preset (or the defaults), then every setting given on the command line.
SearchSettings settingsFrom(const Arguments& a) {
    CommandSettings s;
    s.search = searchSettingsPreset(a.has("--preset") ? a.get("--preset") : "paper");
    applySettingOptions(a, SettingCommand::Search, s);
    return s.search;
}

std::vector<int> layerList(const std::string& text) {
    std::vector<int> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        try {
            std::size_t used = 0;
            out.push_back(std::stoi(item, &used));
            if (used != item.size()) throw std::invalid_argument(item);
        } catch (const std::exception&) {
            throw Error(
                "--snapshot-layers expects layer numbers separated by commas (e.g. 0,5), but got "
                "'" +
                text + "'");
        }
    }
    return out;
}

nlohmann::json stepJson(const StepRecord& r) {
    return {{"type", "step"},
            {"step", r.step},
            {"layer", r.layer},
            {"loss", r.loss},
            {"ce", r.ce},
            {"mse", r.mse},
            {"accepted", r.accepted},
            {"acceptance_rate", r.acceptanceRate},
            {"recent_acceptance_rate", r.recentAcceptanceRate},
            {"elapsed_s", r.elapsedSeconds}};
}

nlohmann::json evaluationJson(const EvaluationRecord& e) {
    return {{"type", "evaluation"},
            {"step", e.step},
            {"accepted_steps", e.acceptedSteps},
            {"perplexity", e.perplexity},
            {"windows", e.windows},
            {"windows_available", e.windowsAvailable},
            {"elapsed_s", e.elapsedSeconds},
            {"eval_s", e.seconds}};
}

// The live progress line on stderr (redrawn on a terminal, a line every 10 s in a log), and JSON
// lines on stdout with --json.
class ProgressPrinter : public SearchObserver {
  public:
    ProgressPrinter(bool json, bool quiet, std::int64_t targetSteps,
                    std::string evalData = "wikitext2")
        : json_(json),
          quiet_(quiet),
          tty_(::isatty(STDERR_FILENO)),
          target_(targetSteps),
          dataName_(evaluationDataName(evalData)) {}

    // What the search's perplexity is measured on, as the messages name it.
    static std::string evaluationDataName(const std::string& evalData) {
        if (evalData == "wikitext2") return "WikiText-2";
        if (evalData == "c4") return "C4";
        return std::filesystem::path(evalData).filename().string();
    }
    const std::string& dataName() const { return dataName_; }

    void onMessage(const std::string& text) override {
        if (quiet_) return;
        clearLine();
        std::cerr << "invx: " << text << '\n';
    }
    void onBase(const BaseResult& b) override {
        if (json_)
            std::cout << nlohmann::json{{"type", "base"},
                                        {"method", b.method},
                                        {"ce0", b.ce0},
                                        {"mse0", b.mse0},
                                        {"full_precision_ce", b.fullPrecisionCe},
                                        {"matched_layers", b.matchedLayers}}
                      << std::endl;
        if (!quiet_) {
            clearLine();
            std::fprintf(stderr, "invx: calibration CE: full precision %.4f, %s %.4f; MSE0 %.6g\n",
                         b.fullPrecisionCe, b.method.c_str(), b.ce0, b.mse0);
        }
    }
    void onStep(const StepRecord& r) override {
        if (json_) std::cout << stepJson(r) << '\n';
        if (!started_) {
            started_ = true;
            firstStep_ = r.step - 1;
            clock_ = std::chrono::steady_clock::now();
        }
        last_ = r;
        draw(false);
    }
    void onEvaluation(const EvaluationRecord& e) override {
        if (json_) std::cout << evaluationJson(e) << std::endl;
        ppl_ = e.perplexity;
        if (!quiet_) {
            clearLine();
            std::fprintf(stderr,
                         "invx: step %lld: %s perplexity %.4f (%lld of %lld windows, %.1f s)\n",
                         (long long)e.step, dataName_.c_str(), e.perplexity, (long long)e.windows,
                         (long long)e.windowsAvailable, e.seconds);
        }
        // Evaluation time is not search time: restart the rate clock.
        started_ = false;
    }
    void finish() {
        draw(true);
        if (tty_ && !quiet_ && drawn_) std::cerr << '\n';
        std::cout << std::flush;
    }

  private:
    void clearLine() {
        if (tty_ && drawn_) std::cerr << "\r\033[K";
    }
    void draw(bool force) {
        if (quiet_ || !started_) return;
        const auto now = std::chrono::steady_clock::now();
        const double sinceDraw = std::chrono::duration<double>(now - lastDraw_).count();
        if (!force && sinceDraw < (tty_ ? 0.2 : 10.0)) return;
        lastDraw_ = now;
        const double seconds = std::chrono::duration<double>(now - clock_).count();
        const double rate = double(last_.step - firstStep_) / std::max(seconds, 1e-9);
        char line[256];
        std::snprintf(line, sizeof line,
                      "step %lld/%lld  %.2f steps/s  loss %.5f  accepted %.1f%% (last %d: %.0f%%)  "
                      "ppl %s  left %s",
                      (long long)last_.step, (long long)target_, rate, last_.loss,
                      100 * last_.acceptanceRate, StepRecord::kRecentWindow,
                      100 * last_.recentAcceptanceRate, ppl_ > 0 ? text(ppl_).c_str() : "-",
                      formatDuration(double(target_ - last_.step) / std::max(rate, 1e-9)).c_str());
        if (tty_)
            std::cerr << '\r' << line << "\033[K" << std::flush;
        else
            std::cerr << line << '\n';
        drawn_ = true;
    }

    bool json_, quiet_, tty_;
    std::int64_t target_;
    std::string dataName_;
    bool started_ = false, drawn_ = false;
    std::int64_t firstStep_ = 0;
    StepRecord last_;
    double ppl_ = 0;
    std::chrono::steady_clock::time_point clock_, lastDraw_;
};

// --base-from: what the user did not set is taken from the file, so that `--base-from FILE` alone
// reuses a quantization.
void inheritBaseSettings(const Arguments& args, SearchRunRequest& request) {
    request.baseFrom = args.get("--base-from");
    const SearchSettings recorded =
        ExperimentFile::open(request.baseFrom, /*writable=*/false).settings();
    SearchSettings& s = request.settings;
    if (!args.has("--method")) s.base = recorded.base;
    if (!args.has("--bits")) s.quant.bits = recorded.quant.bits;
    if (!args.has("--group")) s.quant.groupSize = recorded.quant.groupSize;
    if (!args.has("--calibration-length")) s.calibrationLength = recorded.calibrationLength;
    if (!args.has("--awq-precision")) s.awqPrecision = recorded.awqPrecision;
}

nlohmann::json summaryJson(const SearchSummary& s) {
    nlohmann::json j = {{"type", "summary"},       {"experiment", s.experimentPath},
                        {"steps", s.steps},        {"accepted_steps", s.acceptedSteps},
                        {"best_loss", s.bestLoss}, {"ce0", s.base.ce0},
                        {"final_ce", s.finalCe},   {"mse0", s.base.mse0},
                        {"final_mse", s.finalMse}, {"stopped", s.stopped},
                        {"seconds", s.seconds},    {"resumed_from_step", s.resumedFromStep}};
    if (s.haveEvaluations) {
        j["first_evaluation"] = evaluationJson(s.first);
        j["last_evaluation"] = evaluationJson(s.last);
    }
    return j;
}

SearchControl* activeControl = nullptr;

extern "C" void stopOnSignal(int) {
    if (activeControl) activeControl->stop();
    std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process at once
}

// A run stopped while OmniQuant trained has no result yet: says how to go on, and true.
bool reportedStopInBaseMethod(const SearchSummary& s) {
    if (!s.stoppedInBaseMethod) return false;
    std::printf("Stopped during OmniQuant's training; continue with: invx search --resume %s\n",
                s.experimentPath.c_str());
    return true;
}

}  // namespace

const Command& searchCommand() {
    static const Command c = [] {
        Command cmd{
            "search",
            "--model PATH|ID --out FILE [settings] | --resume FILE [--steps N]",
            "Run the InvarExplore search and record it in an HDF5 experiment file.",
            {
                {"--model", "PATH|ID",
                 "model directory or Hugging Face id; opt-demo = the bundled demo model (on "
                 "--resume: the recorded one)",
                 "opt-demo"},
                {"--out", "FILE", "new experiment file (.h5); never overwritten", ""},
                {"--resume", "FILE", "continue this experiment from its last checkpoint", ""},
                {"--preset", "demo|paper",
                 "start from a preset: demo (the demo model alive on a 2-core CPU: 4 x 128 "
                 "calibration tokens, 2000 steps, 4 evaluation windows every 30 s) or paper (the "
                 "defaults below); options given override it",
                 ""},
                {"--base-from", "FILE",
                 "reuse the AWQ/GPTQ/OmniQuant results of this experiment file (e.g. from invx "
                 "quantize); "
                 "base, bits, group and calibration length default to its own",
                 ""},
                {"--snapshot-layers", "L,L",
                 "record weight snapshots of these layers at the start and the end", ""},
                {"--json", "",
                 "print JSON lines (base, every step, evaluations, summary) on stdout", ""},
                {"--quiet", "", "no progress display", ""},
            }};
        auto settings = settingOptions(SettingCommand::Search);
        cmd.options.insert(cmd.options.begin() + 4, settings.begin(),
                           settings.end());  // after --preset
        for (auto& o : computeOptions()) cmd.options.push_back(o);
        return cmd;
    }();
    return c;
}

int runSearchCommand(const Arguments& args) {
    SearchRunRequest request;
    request.resume = args.has("--resume");
    if (request.resume) {
        for (const char* name : {"--out", "--base-from", "--preset"})
            if (args.has(name))
                throw Error(
                    std::string(
                        "--resume continues an existing file with its own base; leave out ") +
                    name + " (" + args.get(name) + ")");
        for (const auto& o : settingOptions(SettingCommand::Search))
            if (o.name != "--steps" && args.has(o.name))
                throw Error(
                    o.name +
                    " cannot be changed when resuming: the experiment keeps its recorded settings "
                    "(only --steps may raise the step budget)");
        request.experimentPath = args.get("--resume");
        request.modelPath = args.has("--model") ? args.get("--model") : "";
        request.resumeSteps = args.has("--steps") ? args.getInt("--steps", 0, 1LL << 62) : -1;
        request.device = args.has("--device") ? args.get("--device") : "";
        request.dtype = args.has("--dtype") ? args.get("--dtype") : "";
    } else {
        request.experimentPath = args.require("--out");
        request.modelPath =
            args.get("--model") == "opt-demo" ? INVX_DEMO_MODEL_DIR : args.get("--model");
        request.settings = settingsFrom(args);
        if (args.has("--base-from")) inheritBaseSettings(args, request);
        refuseOtherMethodsSettings(args, SettingCommand::Search, request.settings.base);
        request.device = args.get("--device");
        request.dtype = args.get("--dtype");
    }
    if (args.has("--snapshot-layers"))
        request.snapshotLayers = layerList(args.get("--snapshot-layers"));
    applyThreads(args);  // the device and dtype are the run's

    std::int64_t target = request.resume ? request.resumeSteps : request.settings.steps;
    std::string evalData = request.settings.evalData;
    if (request.resume) {
        // A run stopped during OmniQuant's training is still FILE.part.
        const bool unpublished = !std::filesystem::exists(request.experimentPath) &&
                                 ExperimentFile::hasUnpublished(request.experimentPath);
        const SearchSettings recorded =
            unpublished
                ? ExperimentFile::openUnpublished(request.experimentPath).settings()
                : ExperimentFile::open(request.experimentPath, /*writable=*/false).settings();
        if (target < 0) target = recorded.steps;
        evalData = recorded.evalData;
    }
    ProgressPrinter printer(args.has("--json"), args.has("--quiet"), target, evalData);
    SearchControl control;
    activeControl = &control;
    std::signal(SIGINT, stopOnSignal);
    std::signal(SIGTERM, stopOnSignal);
    const SearchSummary s = runSearch(request, printer, control);
    activeControl = nullptr;
    printer.finish();

    if (reportedStopInBaseMethod(s)) return 0;
    if (args.has("--json")) {
        std::cout << summaryJson(s).dump() << std::endl;
    } else {
        std::printf(
            "%s after %lld steps (%lld accepted, %.1f%%): loss %.5f, calibration CE %.4f -> %.4f, "
            "MSE %.6g -> %.6g\n",
            s.stopped ? "Stopped" : "Finished", (long long)s.steps, (long long)s.acceptedSteps,
            s.steps ? 100.0 * double(s.acceptedSteps) / double(s.steps) : 0.0, s.bestLoss,
            s.base.ce0, s.finalCe, s.base.mse0, s.finalMse);
        if (s.haveEvaluations)
            std::printf("%s perplexity: %.4f (step %lld) -> %.4f (step %lld)\n",
                        printer.dataName().c_str(), s.first.perplexity, (long long)s.first.step,
                        s.last.perplexity, (long long)s.last.step);
        std::printf("Experiment: %s (%.1f s)%s\n", s.experimentPath.c_str(), s.seconds,
                    s.stopped ? "; continue with: invx search --resume FILE" : "");
    }
    return 0;
}

}  // namespace invx::cli

namespace invx::cli {

const Command& quantizeCommand() {
    static const Command c = [] {
        Command cmd{"quantize",
                    "--model PATH|ID --out FILE [--method rtn|awq|gptq|omniquant] [--bits B] "
                    "[--group G] [calibration]",
                    "Quantize with RTN, AWQ, GPTQ or OmniQuant alone, measure perplexity, and "
                    "store the results (AWQ's scales and clips, GPTQ's integer weights, "
                    "OmniQuant's LET scales, LWC clip factors and losses per block and epoch) in "
                    "an experiment file that `invx search --base-from FILE` reuses.",
                    {
                        {"--model", "PATH|ID",
                         "model directory or Hugging Face id; opt-demo = the bundled demo model",
                         "opt-demo"},
                        {"--out", "FILE", "new experiment file (.h5); never overwritten", ""},
                    }};
        for (const Option& o : settingOptions(SettingCommand::Quantize)) cmd.options.push_back(o);
        cmd.options.push_back(
            {"--json", "", "print JSON lines (base, evaluation, summary) on stdout", ""});
        cmd.options.push_back({"--quiet", "", "no progress display", ""});
        for (auto& o : computeOptions()) cmd.options.push_back(o);
        return cmd;
    }();
    return c;
}

// A search of zero steps: it calibrates and quantizes with the base method, measures the starting
// point and writes everything a later search reuses.
SearchRunRequest quantizeRequest(const Arguments& args, SettingCommand command) {
    SearchRunRequest request;
    request.experimentPath = args.require("--out");
    request.modelPath =
        args.get("--model") == "opt-demo" ? INVX_DEMO_MODEL_DIR : args.get("--model");
    CommandSettings settings = defaultSettings(command);
    applySettingOptions(args, command, settings);
    refuseOtherMethodsSettings(args, command, settings.search.base);
    request.settings = settings.search;
    SearchSettings& s = request.settings;
    // The calibration CE and MSE of the starting point are measured on the first sequences.
    s.calibrationSamples = std::max(1, std::min(s.calibrationSamples, s.baseCalibrationSamples));
    request.device = args.get("--device");
    request.dtype = args.get("--dtype");
    return request;
}

int runQuantizeCommand(const Arguments& args) {
    const SearchRunRequest request = quantizeRequest(args, SettingCommand::Quantize);
    const SearchSettings& s = request.settings;
    applyThreads(args);

    ProgressPrinter printer(args.has("--json"), args.has("--quiet"), 0, s.evalData);
    SearchControl control;
    activeControl = &control;  // Ctrl-C stops OmniQuant's training where it can go on from
    std::signal(SIGINT, stopOnSignal);
    std::signal(SIGTERM, stopOnSignal);
    const SearchSummary summary = runSearch(request, printer, control);
    activeControl = nullptr;
    printer.finish();
    if (reportedStopInBaseMethod(summary)) return 0;
    if (args.has("--json")) {
        std::cout << summaryJson(summary).dump() << std::endl;
        return 0;
    }
    std::printf("Quantized with %s (%s): calibration CE %.4f (full precision %.4f)\n",
                s.base.c_str(), s.quant.describe().c_str(), summary.base.ce0,
                summary.base.fullPrecisionCe);
    if (summary.haveEvaluations)
        std::printf("%s perplexity: %.4f\n", printer.dataName().c_str(), summary.last.perplexity);
    std::printf("Experiment: %s; search over it with: invx search --base-from %s --out NEW.h5\n",
                summary.experimentPath.c_str(), summary.experimentPath.c_str());
    return 0;
}

}  // namespace invx::cli
