#include "invx/search-settings.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "invx/error.h"
#include "json-text.h"

namespace invx {
namespace {

void require(bool ok, const std::string& message) {
    if (!ok) throw Error(message);
}

std::string num(double v) {
    nlohmann::json j = v;
    return j.dump();
}

}  // namespace

void SearchSettings::validate() const {
    quant.validate();
    require(base == "rtn" || base == "awq" || base == "gptq",
            "search setting 'base' must be rtn, awq or gptq, but is '" + base + "'");
    require(baseCalibrationSamples >= 1 && baseCalibrationSamples <= 4096,
            "search setting 'base_calibration_samples' must be between 1 and 4096, but is " + std::to_string(baseCalibrationSamples));
    require(gptqCandidates == "gptq" || gptqCandidates == "rtn",
            "search setting 'gptq_candidates' must be gptq or rtn, but is '" + gptqCandidates + "'");
    require(!calibrationCorpus.empty(), "search setting 'calibration' names no corpus");
    require(calibrationSamples >= 1 && calibrationSamples <= 4096,
            "search setting 'calibration_samples' must be between 1 and 4096, but is " + std::to_string(calibrationSamples));
    require(calibrationLength >= 2 && calibrationLength <= 65536,
            "search setting 'calibration_length' must be between 2 and 65536 tokens, but is " + std::to_string(calibrationLength));
    require(targets == "base" || targets == "original",
            "search setting 'targets' must be base or original, but is '" + targets + "'");
    require(awqPrecision == "float16" || awqPrecision == "float32",
            "search setting 'awq_precision' must be float16 or float32, but is '" + awqPrecision + "'");
    require(!invariances.empty() &&
                invariances.find_first_not_of("PSR") == std::string::npos,
            "search setting 'invariances' must be a non-empty combination of P, S and R (e.g. PSR, P, SR), but is '" +
                invariances + "'");
    for (char c : std::string("PSR"))
        require(std::count(invariances.begin(), invariances.end(), c) <= 1,
                std::string("search setting 'invariances' lists ") + c + " twice: '" + invariances + "'");
    require(std::isfinite(alpha) && alpha >= 0, "search setting 'alpha' must be a finite number >= 0, but is " + num(alpha));
    require(std::isfinite(swapFraction) && swapFraction > 0 && swapFraction <= 1,
            "search setting 'swap_frac' must be in (0, 1], but is " + num(swapFraction));
    require(std::isfinite(sigmaScale) && sigmaScale >= 0, "search setting 'sigma_s' must be >= 0, but is " + num(sigmaScale));
    require(std::isfinite(sigmaRotation) && sigmaRotation >= 0,
            "search setting 'sigma_r' must be >= 0, but is " + num(sigmaRotation));
    require(matchedLayers >= 0, "search setting 'num_layers' (matched layers) must be >= 0, but is " + std::to_string(matchedLayers));
    require(alpha == 0 || matchedLayers > 0,
            "search setting 'alpha' is " + num(alpha) + " but 'num_layers' is 0: the MSE term needs at least one matched layer");
    require(steps >= 0, "search setting 'steps' must be >= 0, but is " + std::to_string(steps));
    require(mode == "fast" || mode == "reference", "search setting 'mode' must be fast or reference, but is '" + mode + "'");
    require(!evalData.empty(), "search setting 'eval_data' names no data set");
    require(evalEveryAccepted >= 0, "search setting 'eval_every_accepted' must be >= 0, but is " + std::to_string(evalEveryAccepted));
    require(std::isfinite(evalEverySeconds) && evalEverySeconds >= 0,
            "search setting 'eval_every_seconds' must be >= 0, but is " + num(evalEverySeconds));
    require(std::isfinite(evalBudget) && evalBudget > 0 && evalBudget < 1,
            "search setting 'eval_budget' must be in (0, 1), but is " + num(evalBudget));
    require(evalWindows >= 0, "search setting 'eval_windows' must be >= 0 (0 = all), but is " + std::to_string(evalWindows));
    require(evalWindowLength >= 2, "search setting 'eval_window' must be at least 2 tokens, but is " + std::to_string(evalWindowLength));
    require(checkpointEverySteps >= 1, "search setting 'checkpoint_steps' must be >= 1, but is " + std::to_string(checkpointEverySteps));
    require(std::isfinite(checkpointEverySeconds) && checkpointEverySeconds > 0,
            "search setting 'checkpoint_seconds' must be > 0, but is " + num(checkpointEverySeconds));
}

void SearchSettings::validateForModel(std::int64_t hidden, std::int64_t ffn, int layers) const {
    validate();
    quant.validate(hidden, "the attention and fc1 layers (hidden size)");
    quant.validate(ffn, "fc2 (FFN width)");
    require(ffn % 2 == 0, "the FFN width " + std::to_string(ffn) + " is odd; rotations need neuron pairs");
    require(pairsPerStep(ffn) >= 1,
            "search setting 'swap_frac' " + num(swapFraction) + " is too small to pick a pair of neurons: round(" +
                std::to_string(ffn) + " x " + num(swapFraction) + ") / 2 = 0; use at least " +
                num(1.5 / double(ffn)));
    require(layers >= 1, "the model has no decoder layers");
}

std::int64_t SearchSettings::pairsPerStep(std::int64_t ffn) const {
    // std::nearbyint rounds half to even, like Python's round().
    return std::int64_t(std::nearbyint(double(ffn) * swapFraction)) / 2;
}

std::vector<int> SearchSettings::matchedLayerIndices(int layers) const {
    const int n = std::min(matchedLayers, layers);
    std::vector<int> indices;
    for (int i = 0; i < n; ++i) {
        const int index = layers - 1 - int((std::int64_t(i) * layers + n - 1) / n);
        if (std::find(indices.begin(), indices.end(), index) == indices.end()) indices.push_back(index);
    }
    return indices;
}

std::string SearchSettings::toJson() const {
    nlohmann::ordered_json j = {
        {"bits", quant.bits},
        {"group", quant.groupSize},
        {"base", base},
        {"base_calibration_samples", baseCalibrationSamples},
        {"gptq_candidates", gptqCandidates},
        {"calibration", calibrationCorpus},
        {"calibration_samples", calibrationSamples},
        {"calibration_length", calibrationLength},
        {"calibration_seed", calibrationSeed},
        {"calibration_ids", calibrationIds},
        {"targets", targets},
        {"awq_precision", awqPrecision},
        {"invariances", invariances},
        {"alpha", alpha},
        {"swap_frac", swapFraction},
        {"sigma_s", sigmaScale},
        {"sigma_r", sigmaRotation},
        {"num_layers", matchedLayers},
        {"steps", steps},
        {"seed", seed},
        {"mode", mode},
        {"eval_data", evalData},
        {"eval_every_accepted", evalEveryAccepted},
        {"eval_every_seconds", evalEverySeconds},
        {"eval_budget", evalBudget},
        {"eval_windows", evalWindows},
        {"eval_window", evalWindowLength},
        {"checkpoint_steps", checkpointEverySteps},
        {"checkpoint_seconds", checkpointEverySeconds},
    };
    return j.dump(2);
}

SearchSettings SearchSettings::fromJson(const std::string& text, const std::string& source) {
    const nlohmann::json j = parseJsonText(text, "search settings", source);
    if (!j.is_object()) throw Error("search settings in '" + source + "' are not a JSON object");
    SearchSettings s;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& key = it.key();
        const nlohmann::json& v = it.value();
        auto typeError = [&](const char* expected) {
            return Error("search setting '" + key + "' in '" + source + "' must be " + expected + ", but is " + v.dump());
        };
        auto integer = [&]() -> std::int64_t {
            if (!v.is_number_integer()) throw typeError("an integer");
            return v.get<std::int64_t>();
        };
        auto unsignedInt = [&]() -> std::uint64_t {
            if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0))
                throw typeError("a non-negative integer");
            return v.get<std::uint64_t>();
        };
        auto real = [&]() -> double {
            if (!v.is_number()) throw typeError("a number");
            return v.get<double>();
        };
        auto text = [&]() -> std::string {
            if (!v.is_string()) throw typeError("a string");
            return v.get<std::string>();
        };
        if (key == "bits") s.quant.bits = int(integer());
        else if (key == "group") s.quant.groupSize = int(integer());
        else if (key == "base") s.base = text();
        else if (key == "base_calibration_samples") s.baseCalibrationSamples = int(integer());
        else if (key == "gptq_candidates") s.gptqCandidates = text();
        else if (key == "calibration") s.calibrationCorpus = text();
        else if (key == "calibration_samples") s.calibrationSamples = int(integer());
        else if (key == "calibration_length") s.calibrationLength = int(integer());
        else if (key == "calibration_seed") s.calibrationSeed = unsignedInt();
        else if (key == "calibration_ids") s.calibrationIds = text();
        else if (key == "targets") s.targets = text();
        else if (key == "awq_precision") s.awqPrecision = text();
        else if (key == "invariances") s.invariances = text();
        else if (key == "alpha") s.alpha = real();
        else if (key == "swap_frac") s.swapFraction = real();
        else if (key == "sigma_s") s.sigmaScale = real();
        else if (key == "sigma_r") s.sigmaRotation = real();
        else if (key == "num_layers") s.matchedLayers = int(integer());
        else if (key == "steps") s.steps = integer();
        else if (key == "seed") s.seed = unsignedInt();
        else if (key == "mode") s.mode = text();
        else if (key == "eval_data") s.evalData = text();
        else if (key == "eval_every_accepted") s.evalEveryAccepted = integer();
        else if (key == "eval_every_seconds") s.evalEverySeconds = real();
        else if (key == "eval_budget") s.evalBudget = real();
        else if (key == "eval_windows") s.evalWindows = integer();
        else if (key == "eval_window") s.evalWindowLength = integer();
        else if (key == "checkpoint_steps") s.checkpointEverySteps = integer();
        else if (key == "checkpoint_seconds") s.checkpointEverySeconds = real();
        else throw Error("search settings in '" + source + "' have an unknown key '" + key + "'");
    }
    return s;
}

}  // namespace invx
