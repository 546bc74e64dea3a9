// The table of settings: one row per setting of every command (invx/setting-table.h).
#include <cstdint>
#include <type_traits>

#include "invx/error.h"
#include "invx/setting-table.h"

namespace invx {
namespace {

constexpr unsigned S = unsigned(SettingCommand::Search), Q = unsigned(SettingCommand::Quantize),
                   E = unsigned(SettingCommand::Evaluate), I = unsigned(SettingCommand::ImportInvariances),
                   T = unsigned(SettingCommand::Table);
// Quantizing a model: what every command that quantizes one takes.
constexpr unsigned kQuantizers = S | Q | E | I;
constexpr double kUnbounded = 1e15;  // an upper end no value reaches
#define TR(text) QT_TRANSLATE_NOOP("invx::Settings", text)

// A field's value in and out of the table's three kinds of value.
template <typename F>
SettingValue toValue(const F& v) {
    if constexpr (std::is_same_v<F, std::string>) return v;
    else if constexpr (std::is_floating_point_v<F>) return double(v);
    else return std::int64_t(v);
}
template <typename F>
F fromValue(const SettingValue& v) {
    if constexpr (std::is_same_v<F, std::string>) return std::get<std::string>(v);
    else if constexpr (std::is_floating_point_v<F>) return F(std::get<double>(v));
    else return F(std::get<std::int64_t>(v));  // in range: parse() and check() came first
}

// A row under construction: what it is, then its range or choices, then the field it binds.
struct Row {
    SettingDeclaration d;

    Row(const char* key, const char* option, const char* valueName, SettingKind kind, unsigned commands) {
        d.key = key, d.option = option, d.valueName = valueName, d.kind = kind, d.commands = commands;
    }
    Row& text(const char* label, const char* name, const char* section, const char* help) {
        d.label = label, d.name = name, d.section = section, d.help = help;
        return *this;
    }
    Row& range(double minimum, double maximum, bool minimumOpen = false, bool maximumOpen = false) {
        d.minimum = minimum, d.maximum = maximum, d.minimumOpen = minimumOpen, d.maximumOpen = maximumOpen;
        return *this;
    }
    Row& choices(std::vector<std::string> values) {
        d.choices = std::move(values);
        return *this;
    }
    Row& evaluateChoices(std::vector<std::string> values) {
        d.evaluateChoices = std::move(values);
        return *this;
    }
    Row& aliases(std::vector<std::string> names) {
        d.aliases = std::move(names);
        return *this;
    }
    // Binds the row to a field of the settings an experiment file records ...
    template <typename F>
    SettingDeclaration search(F& (*field)(SearchSettings&)) {
        d.readSearch = [field](const SearchSettings& s) { return toValue(field(const_cast<SearchSettings&>(s))); };
        d.writeSearch = [field](SearchSettings& s, const SettingValue& v) { field(s) = fromValue<F>(v); };
        return d;
    }
    // ... or of invx eval's own. (Reading goes through the same accessor; it never writes.)
    template <typename F>
    SettingDeclaration evaluation(F& (*field)(EvaluationSettings&)) {
        d.readEvaluation = [field](const EvaluationSettings& s) { return toValue(field(const_cast<EvaluationSettings&>(s))); };
        d.writeEvaluation = [field](EvaluationSettings& s, const SettingValue& v) { field(s) = fromValue<F>(v); };
        return d;
    }
};

using K = SettingKind;
using SS = SearchSettings;
using ES = EvaluationSettings;

std::vector<SettingDeclaration> declare() {
    const char* q = TR("Quantization");
    const char* c = TR("Calibration");
    const char* s = TR("Search");
    const char* e = TR("Evaluation");
    const char* k = TR("Checkpoints");
    const std::vector<std::string> corpora = {"wikipedia", "c4", "wikitext2-train", "gutenberg"};
    return {
        Row("steps", "--steps", "N", K::Integer, S)
            .text(TR("Steps"), TR("the step budget"), s, TR("search steps (on --resume: the new total)"))
            .range(0, kUnbounded)
            .search(+[](SS& x) -> std::int64_t& { return x.steps; }),
        Row("bits", "--bits", "B", K::Integer, kQuantizers)
            .text(TR("Bits"), TR("bits"), q, TR("weight bits, 1-8"))
            .range(1, 8)
            .search(+[](SS& x) -> int& { return x.quant.bits; }),
        Row("group", "--group", "G", K::Integer, kQuantizers)
            .text(TR("Group size"), TR("the group size"), q, TR("weights per quantization group; -1 = one group per row"))
            .range(-1, 1 << 20)
            .search(+[](SS& x) -> int& { return x.quant.groupSize; }),
        Row("base", "--method", "rtn|awq|gptq", K::Choice, kQuantizers)
            .text(TR("Base method"), TR("the base method"), q,
                  TR("base quantization method (the search starts from its model); eval: fp = no quantization"))
            .choices({"rtn", "awq", "gptq"})
            .evaluateChoices({"fp"})
            .aliases({"--base"})
            .search(+[](SS& x) -> std::string& { return x.base; }),
        Row("base_calibration_samples", "--base-calibration-samples", "N", K::Integer, kQuantizers)
            .text(TR("Base calibration samples"), TR("the base method's calibration samples"), q,
                  TR("awq/gptq calibration sequences (from the same corpus)"))
            .range(1, 4096)
            .aliases({"--calibration-samples"})
            .search(+[](SS& x) -> int& { return x.baseCalibrationSamples; }),
        Row("awq_precision", "--awq-precision", "float16|float32", K::Choice, kQuantizers)
            .text(TR("AWQ precision"), TR("AWQ's precision"), q,
                  TR("awq: arithmetic of the scale and clip searches and folds; float16 = as the authors' code runs them"))
            .choices({"float16", "float32"})
            .search(+[](SS& x) -> std::string& { return x.awqPrecision; }),
        Row("gptq_candidates", "--gptq-candidates", "gptq|rtn", K::Choice, S)
            .text(TR("GPTQ candidates"), TR("the GPTQ candidates"), q,
                  TR("base gptq: quantize each candidate FFN by GPTQ again, or by RTN from GPTQ's weights"))
            .choices({"gptq", "rtn"})
            .search(+[](SS& x) -> std::string& { return x.gptqCandidates; }),
        Row("targets", "--targets", "base|original", K::Choice, S)
            .text(TR("MSE targets"), TR("the MSE targets"), s,
                  TR("full-precision targets of the MSE term: base = from the model the base method hands over (over "
                     "AWQ: scaled and clipped, as the published code), original = from the unmodified model"))
            .choices({"base", "original"})
            .search(+[](SS& x) -> std::string& { return x.targets; }),
        Row("invariances", "--invariances", "PSR", K::Invariances, S)
            .text(TR("Invariances"), TR("the invariances"), s, TR("active invariances: any of P (permute), S (scale), R (rotate)"))
            .choices({"P", "S", "R"})
            .search(+[](SS& x) -> std::string& { return x.invariances; }),
        Row("calibration", "--calibration", "NAME|PATH", K::OpenChoice, kQuantizers)
            .text(TR("Corpus"), TR("the calibration corpus"), c,
                  TR("calibration corpus: wikipedia, c4, wikitext2-train, gutenberg or a file"))
            .choices(corpora)
            .search(+[](SS& x) -> std::string& { return x.calibrationCorpus; }),
        Row("calibration_ids", "--calibration-ids", "FILE", K::OpenChoice, S | Q | I)
            .text(TR("Token ids file"), TR("the calibration token ids file"), c,
                  TR("calibration token ids as given (.npy or .safetensors, int [samples, length], e.g. the published "
                     "code's); replaces the corpus draw; \"\" = draw from the corpus"))
            .choices({""})
            .search(+[](SS& x) -> std::string& { return x.calibrationIds; }),
        Row("calibration_samples", "--calibration-samples", "N", K::Integer, S)
            .text(TR("Samples"), TR("the calibration samples"), c, TR("calibration sequences"))
            .range(1, 4096)
            .search(+[](SS& x) -> int& { return x.calibrationSamples; }),
        Row("calibration_length", "--calibration-length", "N", K::Integer, kQuantizers)
            .text(TR("Tokens per sample"), TR("the tokens per calibration sample"), c, TR("tokens per calibration sequence"))
            .range(2, 65536)
            .search(+[](SS& x) -> int& { return x.calibrationLength; }),
        Row("calibration_seed", "--calibration-seed", "N", K::Integer, kQuantizers)
            .text(TR("Shuffle seed"), TR("the calibration shuffle seed"), c, TR("seed of the calibration document shuffle"))
            .range(0, double(INT64_MAX))
            .search(+[](SS& x) -> std::uint64_t& { return x.calibrationSeed; }),
        Row("alpha", "--alpha", "A", K::Real, S)
            .text(TR("Alpha (MSE weight)"), TR("alpha"), s, TR("weight of the activation MSE in the loss"))
            .range(0, kUnbounded)
            .search(+[](SS& x) -> double& { return x.alpha; }),
        Row("swap_frac", "--swap-frac", "F", K::Real, S)
            .text(TR("Swap fraction"), TR("the swap fraction"), s, TR("fraction of a layer's FFN neurons changed per step"))
            .range(0, 1, /*minimumOpen=*/true)
            .search(+[](SS& x) -> double& { return x.swapFraction; }),
        Row("sigma_s", "--sigma-s", "S", K::Real, S)
            .text(TR("Sigma (scales)"), TR("sigma of the scales"), s, TR("random-walk standard deviation of the scales"))
            .range(0, kUnbounded)
            .search(+[](SS& x) -> double& { return x.sigmaScale; }),
        Row("sigma_r", "--sigma-r", "S", K::Real, S)
            .text(TR("Sigma (angles, rad)"), TR("sigma of the angles"), s, TR("random-walk standard deviation of the rotation angles"))
            .range(0, kUnbounded)
            .search(+[](SS& x) -> double& { return x.sigmaRotation; }),
        Row("num_layers", "--num-layers", "N", K::Integer, S)
            .text(TR("Matched layers"), TR("the matched layers"), s, TR("decoder layers matched by the MSE term"))
            .range(0, 1024)
            .search(+[](SS& x) -> int& { return x.matchedLayers; }),
        Row("seed", "--seed", "N", K::Integer, S)
            .text(TR("Seed"), TR("the seed"), s, TR("seed of the search"))
            .range(0, double(INT64_MAX))
            .search(+[](SS& x) -> std::uint64_t& { return x.seed; }),
        Row("mode", "--mode", "fast|reference", K::Choice, S)
            .text(TR("Mode"), TR("the mode"), s,
                  TR("fast recomputes from the changed layer on; reference recomputes everything (targets, whole forward)"))
            .choices({"fast", "reference"})
            .search(+[](SS& x) -> std::string& { return x.mode; }),
        Row("eval_data", "--eval-data", "NAME|PATH|none", K::OpenChoice, kQuantizers)
            .text(TR("Perplexity data"), TR("the perplexity data"), e,
                  TR("perplexity data: a name (wikitext2, c4, ...) or a file (raw text, or JSON lines with a text field); "
                     "none = no evaluation"))
            .choices({"wikitext2", "c4", "none"})
            .aliases({"--data"})
            .search(+[](SS& x) -> std::string& { return x.evalData; }),
        Row("eval_every_accepted", "--eval-every-accepted", "N", K::Integer, S)
            .text(TR("Every N accepted steps"), TR("the evaluation interval in accepted steps"), e,
                  TR("evaluate every N accepted steps; 0 = off"))
            .range(0, kUnbounded)
            .search(+[](SS& x) -> std::int64_t& { return x.evalEveryAccepted; }),
        Row("eval_every_seconds", "--eval-every-seconds", "T", K::Real, S)
            .text(TR("Every T seconds"), TR("the evaluation interval in seconds"), e,
                  TR("evaluate every T seconds of search; 0 = off"))
            .range(0, kUnbounded)
            .search(+[](SS& x) -> double& { return x.evalEverySeconds; }),
        Row("eval_budget", "--eval-budget", "F", K::Real, S)
            .text(TR("Time budget (fraction)"), TR("the evaluation time budget"), e,
                  TR("without an interval: evaluation takes at most this fraction of the time"))
            .range(0, 1, /*minimumOpen=*/true, /*maximumOpen=*/true)
            .search(+[](SS& x) -> double& { return x.evalBudget; }),
        Row("eval_windows", "--eval-windows", "K", K::Integer, kQuantizers | T)
            .text(TR("Windows"), TR("the evaluation windows"), e, TR("evaluate the first K windows; 0 = all"))
            .range(0, kUnbounded)
            .aliases({"--max-windows"})
            .search(+[](SS& x) -> std::int64_t& { return x.evalWindows; }),
        Row("eval_window", "--eval-window", "N", K::Integer, kQuantizers)
            .text(TR("Tokens per window"), TR("the tokens per evaluation window"), e,
                  TR("tokens per evaluation window (the protocol's 2048)"))
            .range(2, 1 << 20)
            .aliases({"--window"})
            .search(+[](SS& x) -> std::int64_t& { return x.evalWindowLength; }),
        Row("checkpoint_steps", "--checkpoint-steps", "N", K::Integer, S)
            .text(TR("Every N steps"), TR("the checkpoint interval in steps"), k, TR("write a checkpoint every N steps"))
            .range(1, kUnbounded)
            .search(+[](SS& x) -> std::int64_t& { return x.checkpointEverySteps; }),
        Row("checkpoint_seconds", "--checkpoint-seconds", "T", K::Real, S)
            .text(TR("Every T seconds"), TR("the checkpoint interval in seconds"), k,
                  TR("... or every T seconds, whichever comes first"))
            .range(0, kUnbounded, /*minimumOpen=*/true)
            .search(+[](SS& x) -> double& { return x.checkpointEverySeconds; }),
        // invx eval's own.
        Row("rtn_precision", "--rtn-precision", "float16|float32", K::Choice, E)
            .text(TR("RTN precision"), TR("RTN's precision"), q,
                  TR("rtn: the quantizer's arithmetic; float16 = as llm-awq's pseudo_quantize_tensor on a float16 model "
                     "(what invx apply names for runs over AWQ in float16)"))
            .choices({"float32", "float16"})
            .evaluation(+[](ES& x) -> std::string& { return x.rtnPrecision; }),
        Row("act_order", "--act-order", "", K::Flag, E)
            .text(TR("GPTQ activation order"), TR("GPTQ's activation order"), q,
                  TR("gptq: quantize columns in order of decreasing Hessian diagonal"))
            .range(0, 1)
            .evaluation(+[](ES& x) -> bool& { return x.actOrder; }),
        Row("damp", "--damp", "F", K::Real, E)
            .text(TR("GPTQ dampening"), TR("GPTQ's dampening"), q, TR("gptq: dampening, as a fraction of the Hessian's mean diagonal"))
            .range(0, 1, /*minimumOpen=*/true, /*maximumOpen=*/true)
            .evaluation(+[](ES& x) -> double& { return x.dampening; }),
        Row("tasks", "--tasks", "LIST", K::OpenChoice, E)
            .text(TR("Tasks"), TR("the tasks"), e,
                  TR("score reasoning tasks instead of perplexity: any of arc_challenge, arc_easy, boolq, hellaswag, piqa, "
                     "winogrande (comma-separated), or all; read from $INVX_DATA/tasks"))
            .choices({"", "all"})
            .evaluation(+[](ES& x) -> std::string& { return x.tasks; }),
        Row("shots", "--shots", "K", K::Integer, E | T)
            .text(TR("Shots"), TR("the shots"), e, TR("tasks: examples of the same task before each item (the paper's 5)"))
            .range(0, 1000)
            .evaluation(+[](ES& x) -> int& { return x.shots; }),
        Row("limit", "--limit", "N", K::Integer, E | T)
            .text(TR("Items per task"), TR("the item limit"), e, TR("tasks: only the first N items of each task; 0 = all"))
            .range(0, double(1LL << 40))
            .evaluation(+[](ES& x) -> std::int64_t& { return x.limit; }),
        Row("task_seed", "--task-seed", "S", K::Integer, E | T)
            .text(TR("Task seed"), TR("the task seed"), e, TR("tasks: seed of the draw of the shots"))
            .range(0, double(1LL << 62))
            .evaluation(+[](ES& x) -> std::uint64_t& { return x.taskSeed; }),
        Row("batch_tokens", "--batch-tokens", "N", K::Integer, E | T)
            .text(TR("Tokens per batch"), TR("the tokens per batch"), e,
                  TR("tasks: tokens per batch (rows x longest row); lower it if memory runs out"))
            .range(1, double(1 << 30))
            .evaluation(+[](ES& x) -> std::int64_t& { return x.batchTokens; }),
    };
}

#undef TR

}  // namespace

const std::vector<SettingDeclaration>& settingDeclarations() {
    static const std::vector<SettingDeclaration> table = declare();
    return table;
}

const std::vector<SettingDeclaration>& searchSettingDeclarations() {
    static const std::vector<SettingDeclaration> recorded = [] {
        std::vector<SettingDeclaration> out;
        for (const SettingDeclaration& d : settingDeclarations())
            if (d.recorded()) out.push_back(d);
        return out;
    }();
    return recorded;
}

std::vector<const SettingDeclaration*> settingDeclarations(SettingCommand command) {
    std::vector<const SettingDeclaration*> out;
    for (const SettingDeclaration& d : settingDeclarations())
        if (d.takenBy(command)) out.push_back(&d);
    return out;
}

const SettingDeclaration* findSettingDeclaration(const std::string& keyOptionOrAlias) {
    for (const SettingDeclaration& d : settingDeclarations())
        if (d.key == keyOptionOrAlias || d.option == keyOptionOrAlias) return &d;
    for (const SettingDeclaration& d : settingDeclarations())
        for (const std::string& alias : d.aliases)
            if (alias == keyOptionOrAlias) return &d;
    return nullptr;
}

CommandSettings defaultSettings(SettingCommand command) {
    CommandSettings s;
    if (command == SettingCommand::Quantize || command == SettingCommand::ImportInvariances) {
        s.search.base = "awq";
        s.search.steps = 0;
    }
    if (command == SettingCommand::Evaluate) s.search.base = "fp";
    return s;
}

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

}  // namespace invx
