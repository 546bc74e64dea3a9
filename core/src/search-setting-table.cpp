#include "invx/search-setting-table.h"

#include <cstdint>
#include <sstream>
#include <type_traits>

#include "invx/error.h"

namespace invx {
namespace {

std::string realText(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

std::int64_t parseInteger(const std::string& option, const std::string& text) {
    try {
        std::size_t used = 0;
        const long long v = std::stoll(text, &used);
        if (used == text.size()) return v;
    } catch (const std::exception&) {
    }
    throw Error(option + " expects an integer, but got '" + text + "'");
}

double parseReal(const std::string& option, const std::string& text) {
    try {
        std::size_t used = 0;
        const double v = std::stod(text, &used);
        if (used == text.size()) return v;
    } catch (const std::exception&) {
    }
    throw Error(option + " expects a number, but got '" + text + "'");
}

// Declarations of one kind, bound to a member through an accessor that returns a reference to it.
// Reading goes through the same accessor on a const_cast copy of the reference: it never writes.
template <typename T>
SettingDeclaration integer(std::string key, std::string option, std::string valueName, std::string label,
                           std::string section, double min, double max, std::string help,
                           T& (*field)(SearchSettings&)) {
    SettingDeclaration d{std::move(key), std::move(option), std::move(valueName), std::move(label),
                         std::move(section), SettingKind::Integer, min, max, {}, std::move(help), {}, {}};
    d.get = [field](const SearchSettings& s) { return std::to_string(field(const_cast<SearchSettings&>(s))); };
    d.set = [field, option = d.option](SearchSettings& s, const std::string& text) {
        const std::int64_t v = parseInteger(option, text);
        if (std::is_unsigned<T>::value && v < 0) throw Error(option + " expects a non-negative integer, but got '" + text + "'");
        field(s) = T(v);
    };
    return d;
}

SettingDeclaration real(std::string key, std::string option, std::string valueName, std::string label,
                        std::string section, double min, double max, std::string help,
                        double& (*field)(SearchSettings&)) {
    SettingDeclaration d{std::move(key), std::move(option), std::move(valueName), std::move(label),
                         std::move(section), SettingKind::Real, min, max, {}, std::move(help), {}, {}};
    d.get = [field](const SearchSettings& s) { return realText(field(const_cast<SearchSettings&>(s))); };
    d.set = [field, option = d.option](SearchSettings& s, const std::string& text) { field(s) = parseReal(option, text); };
    return d;
}

SettingDeclaration text(std::string key, std::string option, std::string valueName, std::string label,
                        std::string section, SettingKind kind, std::vector<std::string> choices, std::string help,
                        std::string& (*field)(SearchSettings&)) {
    SettingDeclaration d{std::move(key), std::move(option), std::move(valueName), std::move(label),
                         std::move(section), kind, 0, 0, std::move(choices), std::move(help), {}, {}};
    d.get = [field](const SearchSettings& s) { return field(const_cast<SearchSettings&>(s)); };
    d.set = [field](SearchSettings& s, const std::string& value) { field(s) = value; };
    return d;
}

std::vector<SettingDeclaration> declare() {
    const double big = 1e15;
    const char* q = "Quantization";
    const char* c = "Calibration";
    const char* s = "Search";
    const char* e = "Evaluation";
    const char* k = "Checkpoints";
    const std::vector<std::string> corpora = {"wikipedia", "c4", "wikitext2-train", "gutenberg"};
    return {
        integer("steps", "--steps", "N", "Steps", s, 0, big, "search steps (on --resume: the new total)",
                +[](SearchSettings& x) -> std::int64_t& { return x.steps; }),
        integer("bits", "--bits", "B", "Bits", q, 1, 8, "weight bits, 1-8",
                +[](SearchSettings& x) -> int& { return x.quant.bits; }),
        integer("group", "--group", "G", "Group size", q, -1, 1 << 20, "weights per quantization group; -1 = one group per row",
                +[](SearchSettings& x) -> int& { return x.quant.groupSize; }),
        text("base", "--base", "rtn|awq|gptq", "Base method", q, SettingKind::Choice, {"rtn", "awq", "gptq"},
             "base quantization method the search starts from", +[](SearchSettings& x) -> std::string& { return x.base; }),
        integer("base_calibration_samples", "--base-calibration-samples", "N", "Base calibration samples", q, 1, 4096,
                "awq/gptq calibration sequences (from the same corpus)",
                +[](SearchSettings& x) -> int& { return x.baseCalibrationSamples; }),
        text("awq_precision", "--awq-precision", "float16|float32", "AWQ precision", q, SettingKind::Choice,
             {"float16", "float32"},
             "base awq: arithmetic of the scale and clip searches and folds; float16 = as the authors' code runs them",
             +[](SearchSettings& x) -> std::string& { return x.awqPrecision; }),
        text("gptq_candidates", "--gptq-candidates", "gptq|rtn", "GPTQ candidates", q, SettingKind::Choice, {"gptq", "rtn"},
             "base gptq: quantize each candidate FFN by GPTQ again, or by RTN from GPTQ's weights",
             +[](SearchSettings& x) -> std::string& { return x.gptqCandidates; }),
        text("targets", "--targets", "base|original", "MSE targets", s, SettingKind::Choice, {"base", "original"},
             "full-precision targets of the MSE term: base = from the model the base method hands over (over AWQ: "
             "scaled and clipped, as the published code), original = from the unmodified model",
             +[](SearchSettings& x) -> std::string& { return x.targets; }),
        text("invariances", "--invariances", "PSR", "Invariances", s, SettingKind::Invariances, {"P", "S", "R"},
             "active invariances: any of P (permute), S (scale), R (rotate)",
             +[](SearchSettings& x) -> std::string& { return x.invariances; }),
        text("calibration", "--calibration", "NAME|PATH", "Corpus", c, SettingKind::OpenChoice, corpora,
             "calibration corpus: wikipedia, c4, wikitext2-train, gutenberg or a file",
             +[](SearchSettings& x) -> std::string& { return x.calibrationCorpus; }),
        text("calibration_ids", "--calibration-ids", "FILE", "Token ids file", c, SettingKind::OpenChoice, {""},
             "calibration token ids as given (.npy or .safetensors, int [samples, length], e.g. the published code's); "
             "replaces the corpus draw; \"\" = draw from the corpus",
             +[](SearchSettings& x) -> std::string& { return x.calibrationIds; }),
        integer("calibration_samples", "--calibration-samples", "N", "Samples", c, 1, 4096, "calibration sequences",
                +[](SearchSettings& x) -> int& { return x.calibrationSamples; }),
        integer("calibration_length", "--calibration-length", "N", "Tokens per sample", c, 2, 65536,
                "tokens per calibration sequence", +[](SearchSettings& x) -> int& { return x.calibrationLength; }),
        integer("calibration_seed", "--calibration-seed", "N", "Shuffle seed", c, 0, 2147483647,
                "seed of the calibration document shuffle",
                +[](SearchSettings& x) -> std::uint64_t& { return x.calibrationSeed; }),
        real("alpha", "--alpha", "A", "Alpha (MSE weight)", s, 0, big, "weight of the activation MSE in the loss",
             +[](SearchSettings& x) -> double& { return x.alpha; }),
        real("swap_frac", "--swap-frac", "F", "Swap fraction", s, 0, 1, "fraction of a layer's FFN neurons changed per step",
             +[](SearchSettings& x) -> double& { return x.swapFraction; }),
        real("sigma_s", "--sigma-s", "S", "Sigma (scales)", s, 0, big, "random-walk standard deviation of the scales",
             +[](SearchSettings& x) -> double& { return x.sigmaScale; }),
        real("sigma_r", "--sigma-r", "S", "Sigma (angles, rad)", s, 0, big,
             "random-walk standard deviation of the rotation angles",
             +[](SearchSettings& x) -> double& { return x.sigmaRotation; }),
        integer("num_layers", "--num-layers", "N", "Matched layers", s, 0, 1024, "decoder layers matched by the MSE term",
                +[](SearchSettings& x) -> int& { return x.matchedLayers; }),
        integer("seed", "--seed", "N", "Seed", s, 0, 2147483647, "seed of the search",
                +[](SearchSettings& x) -> std::uint64_t& { return x.seed; }),
        text("mode", "--mode", "fast|reference", "Mode", s, SettingKind::Choice, {"fast", "reference"},
             "fast recomputes from the changed layer on; reference recomputes everything (targets, whole forward)",
             +[](SearchSettings& x) -> std::string& { return x.mode; }),
        text("eval_data", "--eval-data", "NAME|PATH|none", "Perplexity data", e, SettingKind::OpenChoice,
             {"wikitext2", "c4", "none"},
             "perplexity data: a name (wikitext2, c4, ...) or a raw text file; none = no evaluation",
             +[](SearchSettings& x) -> std::string& { return x.evalData; }),
        integer("eval_every_accepted", "--eval-every-accepted", "N", "Every N accepted steps", e, 0, big,
                "evaluate every N accepted steps; 0 = off",
                +[](SearchSettings& x) -> std::int64_t& { return x.evalEveryAccepted; }),
        real("eval_every_seconds", "--eval-every-seconds", "T", "Every T seconds", e, 0, big,
             "evaluate every T seconds of search; 0 = off", +[](SearchSettings& x) -> double& { return x.evalEverySeconds; }),
        real("eval_budget", "--eval-budget", "F", "Time budget (fraction)", e, 0, 1,
             "without an interval: evaluation takes at most this fraction of the time",
             +[](SearchSettings& x) -> double& { return x.evalBudget; }),
        integer("eval_windows", "--eval-windows", "K", "Windows", e, 0, big, "evaluate the first K windows; 0 = all",
                +[](SearchSettings& x) -> std::int64_t& { return x.evalWindows; }),
        integer("eval_window", "--eval-window", "N", "Tokens per window", e, 2, 1 << 20,
                "tokens per evaluation window (the protocol's 2048)",
                +[](SearchSettings& x) -> std::int64_t& { return x.evalWindowLength; }),
        integer("checkpoint_steps", "--checkpoint-steps", "N", "Every N steps", k, 1, big,
                "write a checkpoint every N steps",
                +[](SearchSettings& x) -> std::int64_t& { return x.checkpointEverySteps; }),
        real("checkpoint_seconds", "--checkpoint-seconds", "T", "Every T seconds", k, 0, big,
             "... or every T seconds, whichever comes first",
             +[](SearchSettings& x) -> double& { return x.checkpointEverySeconds; }),
    };
}

}  // namespace

SearchSettings searchSettingsPreset(const std::string& name) {
    SearchSettings s;
    if (name == "paper") return s;
    if (name != "demo") throw Error("unknown search preset '" + name + "'; use demo or paper");
    // Measured on the 2-core development machine (docs/workbench.md): about 0.22 s a step on the
    // demo model, where the LM head over the 512 calibration tokens dominates, and ~5 s for 4
    // evaluation windows.
    s.calibrationSamples = 4;
    s.calibrationLength = 128;
    s.steps = 2000;
    s.evalWindows = 4;
    s.evalEverySeconds = 30;
    s.checkpointEverySteps = 100;
    s.checkpointEverySeconds = 30;
    return s;
}

const std::vector<SettingDeclaration>& searchSettingDeclarations() {
    static const std::vector<SettingDeclaration> table = declare();
    return table;
}

const SettingDeclaration* findSettingDeclaration(const std::string& keyOrOption) {
    for (const auto& d : searchSettingDeclarations())
        if (d.key == keyOrOption || d.option == keyOrOption) return &d;
    return nullptr;
}

std::string settingKeyInMessage(const std::string& message) {
    std::string best;
    std::size_t bestAt = std::string::npos;
    for (const auto& d : searchSettingDeclarations()) {
        for (const std::string& needle : {"'" + d.key + "'", d.option + " "}) {
            const std::size_t at = message.find(needle);
            if (at < bestAt) bestAt = at, best = d.key;
        }
    }
    return best;
}

}  // namespace invx
