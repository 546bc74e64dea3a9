// The table of settings: one row per setting of every command (invx/setting-table.h).
#include "invx/setting-table.h"

#include <cstdint>
#include <type_traits>

#include "invx/error.h"

namespace invx {
namespace {

constexpr unsigned S = unsigned(SettingCommand::Search), Q = unsigned(SettingCommand::Quantize),
                   E = unsigned(SettingCommand::Evaluate),
                   I = unsigned(SettingCommand::ImportInvariances),
                   T = unsigned(SettingCommand::Table);
// Quantizing a model: what every command that quantizes one takes.
constexpr unsigned kQuantizers = S | Q | E | I;
constexpr double kUnbounded = 1e15;  // an upper end no value reaches

// A field's value in and out of the table's three kinds of value.
template <typename F>
SettingValue toValue(const F& v) {
    if constexpr (std::is_same_v<F, std::string>)
        return v;
    else if constexpr (std::is_floating_point_v<F>)
        return double(v);
    else
        return std::int64_t(v);
}
template <typename F>
F fromValue(const SettingValue& v) {
    if constexpr (std::is_same_v<F, std::string>)
        return std::get<std::string>(v);
    else if constexpr (std::is_floating_point_v<F>)
        return F(std::get<double>(v));
    else
        return F(std::get<std::int64_t>(v));  // in range: parse() and check() came first
}

// A row under construction: what it is, then its range or choices, then the field it binds.
struct Row {
    SettingDeclaration d;

    Row(const char* key, const char* option, const char* valueName, SettingKind kind,
        unsigned commands) {
        d.key = key, d.option = option, d.valueName = valueName, d.kind = kind,
        d.commands = commands;
    }
    Row& text(const char* label, const char* name, const char* section, const char* help) {
        d.label = label, d.name = name, d.section = section, d.help = help;
        return *this;
    }
    Row& range(double minimum, double maximum, bool minimumOpen = false, bool maximumOpen = false) {
        d.minimum = minimum, d.maximum = maximum, d.minimumOpen = minimumOpen,
        d.maximumOpen = maximumOpen;
        return *this;
    }
    Row& bases(std::vector<std::string> methods) {
        d.bases = std::move(methods);
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
        d.readSearch = [field](const SearchSettings& s) {
            return toValue(field(const_cast<SearchSettings&>(s)));
        };
        d.writeSearch = [field](SearchSettings& s, const SettingValue& v) {
            field(s) = fromValue<F>(v);
        };
        return d;
    }
    // ... or of invx eval's own. (Reading goes through the same accessor; it never writes.)
    template <typename F>
    SettingDeclaration evaluation(F& (*field)(EvaluationSettings&)) {
        d.readEvaluation = [field](const EvaluationSettings& s) {
            return toValue(field(const_cast<EvaluationSettings&>(s)));
        };
        d.writeEvaluation = [field](EvaluationSettings& s, const SettingValue& v) {
            field(s) = fromValue<F>(v);
        };
        return d;
    }
};

using K = SettingKind;
using SS = SearchSettings;
using ES = EvaluationSettings;

std::vector<SettingDeclaration> declare() {
    const char* q = INVX_TRANSLATE_NOOP("invx::Settings", "Quantization");
    const char* c = INVX_TRANSLATE_NOOP("invx::Settings", "Calibration");
    const char* s = INVX_TRANSLATE_NOOP("invx::Settings", "Search");
    const char* e = INVX_TRANSLATE_NOOP("invx::Settings", "Evaluation");
    const char* k = INVX_TRANSLATE_NOOP("invx::Settings", "Checkpoints");
    const std::vector<std::string> corpora = {"wikipedia", "c4", "wikitext2-train", "gutenberg"};
    return {
        Row("steps", "--steps", "N", K::Integer, S)
            .text(
                INVX_TRANSLATE_NOOP("invx::Settings", "Steps"),
                INVX_TRANSLATE_NOOP("invx::Settings", "the step budget"), s,
                INVX_TRANSLATE_NOOP("invx::Settings", "search steps (on --resume: the new total)"))
            .range(0, kUnbounded)
            .search(+[](SS& x) -> std::int64_t& { return x.steps; }),
        Row("bits", "--bits", "B", K::Integer, kQuantizers)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Bits"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "bits"), q,
                  INVX_TRANSLATE_NOOP("invx::Settings", "weight bits, 1-8"))
            .range(1, 8)
            .search(+[](SS& x) -> int& { return x.quant.bits; }),
        Row("group", "--group", "G", K::Integer, kQuantizers)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Group size"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the group size"), q,
                  INVX_TRANSLATE_NOOP("invx::Settings",
                                      "weights per quantization group; -1 = one group per row"))
            .range(-1, 1 << 20)
            .search(+[](SS& x) -> int& { return x.quant.groupSize; }),
        Row("base", "--method", "rtn|awq|gptq|omniquant", K::Choice, kQuantizers)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Base method"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the base method"), q,
                  INVX_TRANSLATE_NOOP("invx::Settings",
                                      "base quantization method (the search starts from its "
                                      "model); eval: fp = no quantization"))
            .choices({"rtn", "awq", "gptq", "omniquant"})
            .evaluateChoices({"fp"})
            .aliases({"--base"})
            .search(+[](SS& x) -> std::string& { return x.base; }),
        Row("base_calibration_samples", "--base-calibration-samples", "N", K::Integer, kQuantizers)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Base calibration samples"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the base method's calibration samples"), q,
                  INVX_TRANSLATE_NOOP("invx::Settings",
                                      "awq/gptq/omniquant calibration sequences (from the same "
                                      "corpus)"))
            .range(1, 4096)
            .aliases({"--calibration-samples"})
            .search(+[](SS& x) -> int& { return x.baseCalibrationSamples; }),
        Row("awq_precision", "--awq-precision", "float16|float32", K::Choice, kQuantizers)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "AWQ precision"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "AWQ's precision"), q,
                  INVX_TRANSLATE_NOOP("invx::Settings",
                                      "awq: arithmetic of the scale and clip searches and folds; "
                                      "float16 = as the authors' code runs them"))
            .choices({"float16", "float32"})
            .bases({"awq"})
            .search(+[](SS& x) -> std::string& { return x.awqPrecision; }),
        Row("omniquant_epochs", "--epochs", "N", K::Integer, kQuantizers)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "OmniQuant epochs"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "OmniQuant's epochs"), q,
                  INVX_TRANSLATE_NOOP("invx::Settings",
                                      "omniquant: training passes over the calibration set per "
                                      "block (the authors' scripts: 40 at 2 bits)"))
            .range(0, 10000)
            .bases({"omniquant"})
            .search(+[](SS& x) -> int& { return x.omniquantEpochs; }),
        Row("omniquant_let_lr", "--let-lr", "R", K::Real, kQuantizers)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "LET learning rate"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "LET's learning rate"), q,
                  INVX_TRANSLATE_NOOP("invx::Settings",
                                      "omniquant: AdamW's learning rate of the equivalent scales"))
            .range(0, 1, /*minimumOpen=*/true)
            .bases({"omniquant"})
            .search(+[](SS& x) -> double& { return x.omniquantLetLr; }),
        Row("omniquant_lwc_lr", "--lwc-lr", "R", K::Real, kQuantizers)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "LWC learning rate"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "LWC's learning rate"), q,
                  INVX_TRANSLATE_NOOP("invx::Settings",
                                      "omniquant: AdamW's learning rate of the clipping bounds"))
            .range(0, 1, /*minimumOpen=*/true)
            .bases({"omniquant"})
            .search(+[](SS& x) -> double& { return x.omniquantLwcLr; }),
        Row("omniquant_lwc", "--lwc", "on|off", K::Choice, kQuantizers)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "LWC (learned clipping)"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "LWC"), q,
                  INVX_TRANSLATE_NOOP("invx::Settings",
                                      "omniquant: learn each weight group's clipping bounds"))
            .choices({"on", "off"})
            .bases({"omniquant"})
            .search(+[](SS& x) -> std::string& { return x.omniquantLwc; }),
        Row("omniquant_let", "--let", "on|off", K::Choice, kQuantizers)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "LET (learned scales)"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "LET"), q,
                  INVX_TRANSLATE_NOOP("invx::Settings",
                                      "omniquant: learn the equivalent per-channel scales "
                                      "(LayerNorm 1 -> q/k/v, v -> out_proj, LayerNorm 2 -> fc1, "
                                      "q -> k)"))
            .choices({"on", "off"})
            .bases({"omniquant"})
            .search(+[](SS& x) -> std::string& { return x.omniquantLet; }),
        Row("omniquant_alpha", "--let-alpha", "A", K::Real, kQuantizers)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "LET initial alpha"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "LET's initial alpha"), q,
                  INVX_TRANSLATE_NOOP("invx::Settings",
                                      "omniquant: LET's scales start at act_max^A / w_max^(1-A) "
                                      "(SmoothQuant's migration strength)"))
            .range(0, 1)
            .bases({"omniquant"})
            .search(+[](SS& x) -> double& { return x.omniquantAlpha; }),
        Row("omniquant_precision", "--omniquant-precision", "auto|float16|float32", K::Choice,
            kQuantizers)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "OmniQuant precision"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "OmniQuant's precision"), q,
                  INVX_TRANSLATE_NOOP("invx::Settings",
                                      "omniquant: arithmetic of the training step; float16 = the "
                                      "block in float16 with a scaled loss, as the authors' "
                                      "autocast (CUDA only); auto = float16 on CUDA, else float32"))
            .choices({"auto", "float16", "float32"})
            .bases({"omniquant"})
            .search(+[](SS& x) -> std::string& { return x.omniquantPrecision; }),
        Row("gptq_candidates", "--gptq-candidates", "gptq|rtn", K::Choice, S)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "GPTQ candidates"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the GPTQ candidates"), q,
                  INVX_TRANSLATE_NOOP("invx::Settings",
                                      "base gptq: quantize each candidate FFN by GPTQ again, or by "
                                      "RTN from GPTQ's weights"))
            .choices({"gptq", "rtn"})
            .bases({"gptq"})
            .search(+[](SS& x) -> std::string& { return x.gptqCandidates; }),
        Row("targets", "--targets", "base|original", K::Choice, S)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "MSE targets"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the MSE targets"), s,
                  INVX_TRANSLATE_NOOP("invx::Settings",
                                      "full-precision targets of the MSE term: base = from the "
                                      "model the base method hands over (over "
                                      "AWQ: scaled and clipped, as the published code; over "
                                      "OmniQuant: LET folded, LWC clipped), original = "
                                      "from the unmodified model"))
            .choices({"base", "original"})
            .search(+[](SS& x) -> std::string& { return x.targets; }),
        Row("invariances", "--invariances", "PSR", K::Invariances, S)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Invariances"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the invariances"), s,
                  INVX_TRANSLATE_NOOP(
                      "invx::Settings",
                      "active invariances: any of P (permute), S (scale), R (rotate)"))
            .choices({"P", "S", "R"})
            .search(+[](SS& x) -> std::string& { return x.invariances; }),
        Row("calibration", "--calibration", "NAME|PATH", K::OpenChoice, kQuantizers)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Corpus"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the calibration corpus"), c,
                  INVX_TRANSLATE_NOOP(
                      "invx::Settings",
                      "calibration corpus: wikipedia, c4, wikitext2-train, gutenberg or a file"))
            .choices(corpora)
            .search(+[](SS& x) -> std::string& { return x.calibrationCorpus; }),
        Row("calibration_ids", "--calibration-ids", "FILE", K::OpenChoice, S | Q | I)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Token ids file"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the calibration token ids file"), c,
                  INVX_TRANSLATE_NOOP(
                      "invx::Settings",
                      "calibration token ids as given (.npy or .safetensors, int [samples, "
                      "length], e.g. the published "
                      "code's); replaces the corpus draw; \"\" = draw from the corpus"))
            .choices({""})
            .search(+[](SS& x) -> std::string& { return x.calibrationIds; }),
        Row("calibration_samples", "--calibration-samples", "N", K::Integer, S)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Samples"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the calibration samples"), c,
                  INVX_TRANSLATE_NOOP("invx::Settings", "calibration sequences"))
            .range(1, 4096)
            .search(+[](SS& x) -> int& { return x.calibrationSamples; }),
        Row("calibration_length", "--calibration-length", "N", K::Integer, kQuantizers)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Tokens per sample"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the tokens per calibration sample"), c,
                  INVX_TRANSLATE_NOOP("invx::Settings", "tokens per calibration sequence"))
            .range(2, 65536)
            .search(+[](SS& x) -> int& { return x.calibrationLength; }),
        Row("calibration_seed", "--calibration-seed", "N", K::Integer, kQuantizers)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Shuffle seed"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the calibration shuffle seed"), c,
                  INVX_TRANSLATE_NOOP("invx::Settings", "seed of the calibration document shuffle"))
            .range(0, double(INT64_MAX))
            .search(+[](SS& x) -> std::uint64_t& { return x.calibrationSeed; }),
        Row("alpha", "--alpha", "A", K::Real, S)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Alpha (MSE weight)"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "alpha"), s,
                  INVX_TRANSLATE_NOOP("invx::Settings", "weight of the activation MSE in the loss"))
            .range(0, kUnbounded)
            .search(+[](SS& x) -> double& { return x.alpha; }),
        Row("swap_frac", "--swap-frac", "F", K::Real, S)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Swap fraction"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the swap fraction"), s,
                  INVX_TRANSLATE_NOOP("invx::Settings",
                                      "fraction of a layer's FFN neurons changed per step"))
            .range(0, 1, /*minimumOpen=*/true)
            .search(+[](SS& x) -> double& { return x.swapFraction; }),
        Row("sigma_s", "--sigma-s", "S", K::Real, S)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Sigma (scales)"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "sigma of the scales"), s,
                  INVX_TRANSLATE_NOOP("invx::Settings",
                                      "random-walk standard deviation of the scales"))
            .range(0, kUnbounded)
            .search(+[](SS& x) -> double& { return x.sigmaScale; }),
        Row("sigma_r", "--sigma-r", "S", K::Real, S)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Sigma (angles, rad)"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "sigma of the angles"), s,
                  INVX_TRANSLATE_NOOP("invx::Settings",
                                      "random-walk standard deviation of the rotation angles"))
            .range(0, kUnbounded)
            .search(+[](SS& x) -> double& { return x.sigmaRotation; }),
        Row("num_layers", "--num-layers", "N", K::Integer, S)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Matched layers"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the matched layers"), s,
                  INVX_TRANSLATE_NOOP("invx::Settings", "decoder layers matched by the MSE term"))
            .range(0, 1024)
            .search(+[](SS& x) -> int& { return x.matchedLayers; }),
        Row("seed", "--seed", "N", K::Integer, S)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Seed"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the seed"), s,
                  INVX_TRANSLATE_NOOP("invx::Settings", "seed of the search"))
            .range(0, double(INT64_MAX))
            .search(+[](SS& x) -> std::uint64_t& { return x.seed; }),
        Row("mode", "--mode", "fast|reference", K::Choice, S)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Mode"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the mode"), s,
                  INVX_TRANSLATE_NOOP("invx::Settings",
                                      "fast recomputes from the changed layer on; reference "
                                      "recomputes everything (targets, whole forward)"))
            .choices({"fast", "reference"})
            .search(+[](SS& x) -> std::string& { return x.mode; }),
        Row("eval_data", "--eval-data", "NAME|PATH|none", K::OpenChoice, kQuantizers)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Perplexity data"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the perplexity data"), e,
                  INVX_TRANSLATE_NOOP("invx::Settings",
                                      "perplexity data: a name (wikitext2, c4, ...) or a file (raw "
                                      "text, or JSON lines with a text field); "
                                      "none = no evaluation"))
            .choices({"wikitext2", "c4", "none"})
            .aliases({"--data"})
            .search(+[](SS& x) -> std::string& { return x.evalData; }),
        Row("eval_every_accepted", "--eval-every-accepted", "N", K::Integer, S)
            .text(
                INVX_TRANSLATE_NOOP("invx::Settings", "Every N accepted steps"),
                INVX_TRANSLATE_NOOP("invx::Settings", "the evaluation interval in accepted steps"),
                e,
                INVX_TRANSLATE_NOOP("invx::Settings", "evaluate every N accepted steps; 0 = off"))
            .range(0, kUnbounded)
            .search(+[](SS& x) -> std::int64_t& { return x.evalEveryAccepted; }),
        Row("eval_every_seconds", "--eval-every-seconds", "T", K::Real, S)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Every T seconds"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the evaluation interval in seconds"), e,
                  INVX_TRANSLATE_NOOP("invx::Settings",
                                      "evaluate every T seconds of search; 0 = off"))
            .range(0, kUnbounded)
            .search(+[](SS& x) -> double& { return x.evalEverySeconds; }),
        Row("eval_budget", "--eval-budget", "F", K::Real, S)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Time budget (fraction)"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the evaluation time budget"), e,
                  INVX_TRANSLATE_NOOP(
                      "invx::Settings",
                      "without an interval: evaluation takes at most this fraction of the time"))
            .range(0, 1, /*minimumOpen=*/true, /*maximumOpen=*/true)
            .search(+[](SS& x) -> double& { return x.evalBudget; }),
        Row("eval_windows", "--eval-windows", "K", K::Integer, kQuantizers | T)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Windows"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the evaluation windows"), e,
                  INVX_TRANSLATE_NOOP("invx::Settings", "evaluate the first K windows; 0 = all"))
            .range(0, kUnbounded)
            .aliases({"--max-windows"})
            .search(+[](SS& x) -> std::int64_t& { return x.evalWindows; }),
        Row("eval_window", "--eval-window", "N", K::Integer, kQuantizers)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Tokens per window"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the tokens per evaluation window"), e,
                  INVX_TRANSLATE_NOOP("invx::Settings",
                                      "tokens per evaluation window (the protocol's 2048)"))
            .range(2, 1 << 20)
            .aliases({"--window"})
            .search(+[](SS& x) -> std::int64_t& { return x.evalWindowLength; }),
        Row("checkpoint_steps", "--checkpoint-steps", "N", K::Integer, S)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Every N steps"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the checkpoint interval in steps"), k,
                  INVX_TRANSLATE_NOOP("invx::Settings", "write a checkpoint every N steps"))
            .range(1, kUnbounded)
            .search(+[](SS& x) -> std::int64_t& { return x.checkpointEverySteps; }),
        Row("checkpoint_seconds", "--checkpoint-seconds", "T", K::Real, S)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Every T seconds"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the checkpoint interval in seconds"), k,
                  INVX_TRANSLATE_NOOP("invx::Settings",
                                      "... or every T seconds, whichever comes first"))
            .range(0, kUnbounded, /*minimumOpen=*/true)
            .search(+[](SS& x) -> double& { return x.checkpointEverySeconds; }),
        // invx eval's own.
        Row("rtn_precision", "--rtn-precision", "float16|float32", K::Choice, E)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "RTN precision"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "RTN's precision"), q,
                  INVX_TRANSLATE_NOOP("invx::Settings",
                                      "rtn: the quantizer's arithmetic; float16 = as llm-awq's "
                                      "pseudo_quantize_tensor on a float16 model "
                                      "(what invx apply names for runs over AWQ in float16)"))
            .choices({"float32", "float16"})
            .bases({"rtn"})
            .evaluation(+[](ES& x) -> std::string& { return x.rtnPrecision; }),
        Row("act_order", "--act-order", "", K::Flag, E)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "GPTQ activation order"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "GPTQ's activation order"), q,
                  INVX_TRANSLATE_NOOP(
                      "invx::Settings",
                      "gptq: quantize columns in order of decreasing Hessian diagonal"))
            .range(0, 1)
            .evaluation(+[](ES& x) -> bool& { return x.actOrder; }),
        Row("damp", "--damp", "F", K::Real, E)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "GPTQ dampening"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "GPTQ's dampening"), q,
                  INVX_TRANSLATE_NOOP(
                      "invx::Settings",
                      "gptq: dampening, as a fraction of the Hessian's mean diagonal"))
            .range(0, 1, /*minimumOpen=*/true, /*maximumOpen=*/true)
            .evaluation(+[](ES& x) -> double& { return x.dampening; }),
        Row("tasks", "--tasks", "LIST", K::OpenChoice, E)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Tasks"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the tasks"), e,
                  INVX_TRANSLATE_NOOP(
                      "invx::Settings",
                      "score reasoning tasks instead of perplexity: any of arc_challenge, "
                      "arc_easy, boolq, hellaswag, piqa, "
                      "winogrande (comma-separated), or all; read from $INVX_DATA/tasks"))
            .choices({"", "all"})
            .evaluation(+[](ES& x) -> std::string& { return x.tasks; }),
        Row("shots", "--shots", "K", K::Integer, E | T)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Shots"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the shots"), e,
                  INVX_TRANSLATE_NOOP(
                      "invx::Settings",
                      "tasks: examples of the same task before each item (the paper's 5)"))
            .range(0, 1000)
            .evaluation(+[](ES& x) -> int& { return x.shots; }),
        Row("limit", "--limit", "N", K::Integer, E | T)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Items per task"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the item limit"), e,
                  INVX_TRANSLATE_NOOP("invx::Settings",
                                      "tasks: only the first N items of each task; 0 = all"))
            .range(0, double(1LL << 40))
            .evaluation(+[](ES& x) -> std::int64_t& { return x.limit; }),
        Row("task_seed", "--task-seed", "S", K::Integer, E | T)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Task seed"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the task seed"), e,
                  INVX_TRANSLATE_NOOP("invx::Settings", "tasks: seed of the draw of the shots"))
            .range(0, double(1LL << 62))
            .evaluation(+[](ES& x) -> std::uint64_t& { return x.taskSeed; }),
        Row("batch_tokens", "--batch-tokens", "N", K::Integer, E | T)
            .text(INVX_TRANSLATE_NOOP("invx::Settings", "Tokens per batch"),
                  INVX_TRANSLATE_NOOP("invx::Settings", "the tokens per batch"), e,
                  INVX_TRANSLATE_NOOP(
                      "invx::Settings",
                      "tasks: tokens per batch (rows x longest row); lower it if memory runs out"))
            .range(1, double(1 << 30))
            .evaluation(+[](ES& x) -> std::int64_t& { return x.batchTokens; }),
    };
}

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
