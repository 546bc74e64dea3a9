#pragma once
// Every setting of one InvarExplore search (SPEC section 2). The setting table
// (invx/setting-table.h) declares each field once, for the command line, the form and the
// experiment file, which stores them as JSON.
#include <cstdint>
#include <string>
#include <vector>

#include "invx/quant-config.h"
#include "invx/setting-problem.h"

namespace invx {

struct SearchSettings {
    // Quantization and the base method the search starts from.
    QuantConfig quant;                 // 2-bit, group 128
    std::string base = "rtn";          // rtn | awq | gptq | omniquant
    int baseCalibrationSamples = 128;  // awq/gptq/omniquant calibration sequences (AWQ's 128 x 512)
    // Base gptq only: how a candidate FFN is quantized. "gptq": GPTQ again on the transformed
    // weights (the base run's Hessians carried through); "rtn": GPTQ's weights are the search's
    // starting weights and candidates are rounded by RTN, as over AWQ (docs/base-methods.md).
    std::string gptqCandidates = "gptq";

    // Calibration batch (AWQ style, SPEC section 3).
    std::string calibrationCorpus =
        "wikipedia";                     // wikipedia | c4 | wikitext2-train | gutenberg | a file
    int calibrationSamples = 32;         // sequences
    int calibrationLength = 512;         // tokens per sequence
    std::uint64_t calibrationSeed = 42;  // document shuffle (AWQ's seed)
    // Token ids given as a file (.npy or .safetensors, [samples, length]) instead of drawn from
    // the corpus: the search takes the first calibrationSamples rows, AWQ/GPTQ the first
    // baseCalibrationSamples. "" = drawn from calibrationCorpus.
    std::string calibrationIds;
    // Where the MSE term's full-precision targets come from: "base" = the full-precision model the
    // base method hands the search (over AWQ: scaled and clipped, as the published code does; over
    // OmniQuant: LET folded and LWC clipped), "original" = the unmodified model. RTN and GPTQ leave
    // it unmodified, so both agree there. Files written before this setting existed ran with
    // "original".
    std::string targets = "base";
    // The arithmetic of AWQ's scale and clip searches and folds: "float16" as its authors' code
    // runs them (their model is float16), "float32" as invx did before. Files written before this
    // setting existed ran with "float32".
    std::string awqPrecision = "float16";
    // Base omniquant (docs/base-methods.md): AdamW's passes over the calibration set per block (the
    // authors' scripts: 20, 40 at 2 bits), its learning rates of LET's scales and LWC's bounds,
    // whether LWC (learnable clipping) and LET (learnable equivalent scales) are trained ("on" |
    // "off"), and SmoothQuant's migration strength a of LET's initial scales act^a / w^(1-a).
    int omniquantEpochs = 20;
    double omniquantLetLr = 5e-3;
    double omniquantLwcLr = 1e-2;
    std::string omniquantLwc = "on";
    std::string omniquantLet = "on";
    double omniquantAlpha = 0.5;
    // The arithmetic of OmniQuant's training step: "float16" (the block's forward and backward in
    // float16 with a scaled loss, as the authors' autocast trains; CUDA only), "float32", or
    // "auto" (float16 on CUDA, float32 on the CPU).
    std::string omniquantPrecision = "auto";

    // The search.
    std::string invariances = "PSR";  // any non-empty subset of P (permute), S (scale), R (rotate)
    double alpha = 0.1;               // weight of MSE / MSE0 in the loss
    double swapFraction = 0.1;        // neurons touched per step, as a fraction of the FFN width
    double sigmaScale = 1e-2;         // random-walk standard deviation of the scales
    double sigmaRotation = 1e-5;      // random-walk standard deviation of the angles (radians)
    int matchedLayers = 10;           // decoder-layer outputs matched by the MSE term
    std::int64_t steps = 10000;
    std::uint64_t seed = 0;
    std::string mode =
        "fast";  // fast (recompute from the changed layer on) | reference (whole forward)

    // Perplexity evaluation during the search. When neither interval is set, evaluation is
    // scheduled to take at most `evalBudget` of the run time.
    std::string evalData = "wikitext2";
    std::int64_t evalEveryAccepted = 0;    // every N accepted steps; 0 = off
    double evalEverySeconds = 0;           // every T seconds of search; 0 = off
    double evalBudget = 0.2;               // fraction of run time for automatic scheduling
    std::int64_t evalWindows = 0;          // first K windows; 0 = all
    std::int64_t evalWindowLength = 2048;  // tokens per window (the protocol's 2048)

    // Checkpoints of the invariance state (whichever comes first).
    std::int64_t checkpointEverySteps = 200;
    double checkpointEverySeconds = 60;

    bool permute() const { return invariances.find('P') != std::string::npos; }
    bool scale() const { return invariances.find('S') != std::string::npos; }
    bool rotate() const { return invariances.find('R') != std::string::npos; }

    // Every setting against the table's ranges and choices, and against each other; empty when
    // all is well. The sentences speak of the settings, never of command-line options.
    std::vector<SettingProblem> problems() const;
    // ... and against the model: group size against the widths, a pair to pick, enough layers.
    std::vector<SettingProblem> problemsForModel(std::int64_t hidden, std::int64_t ffn,
                                                 int layers) const;
    // Throw SettingError with the first problem.
    void validate() const;
    void validateForModel(std::int64_t hidden, std::int64_t ffn, int layers) const;
    // Neuron pairs changed per step: round(ffn * swapFraction) / 2 (integer division).
    std::int64_t pairsPerStep(std::int64_t ffn) const;
    // Decoder layers whose outputs the MSE matches: L-1-ceil(i*L/n), i = 0..n-1, with n capped at
    // L.
    std::vector<int> matchedLayerIndices(int layers) const;

    // The experiment file's /settings JSON: every recorded setting of the table, by its key.
    std::string toJson() const;
    // Unknown keys, wrong types and values outside the table's ranges are errors that name the key
    // and `source`; missing keys keep their defaults.
    static SearchSettings fromJson(const std::string& json, const std::string& source);
};

}  // namespace invx
