#include "invx/search-settings.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "invx/error.h"
#include "invx/setting-table.h"
#include "records/json-text.h"

namespace invx {
namespace {

const SettingDeclaration& declaration(const std::string& key) {
    const SettingDeclaration* d = findSettingDeclaration(key);
    if (!d) throw Error("no setting '" + key + "' in the table (a defect in invx)");
    return *d;
}

// `predicate` said of the setting `key`: {"alpha", "Alpha must be ..."}.
SettingProblem about(const std::string& key, const std::string& predicate) {
    return declaration(key).problem(predicate);
}

std::string num(double v) { return declaration("alpha").format(v); }

// The checks that are more than a range or a list of choices.
void addCrossChecks(const SearchSettings& s, std::vector<SettingProblem>& out) {
    if (s.quant.groupSize == 0)
        out.push_back(about(
            "group", "must be a positive number of weights or -1 (one group per row), but is 0"));
    if (s.calibrationCorpus.empty()) out.push_back(about("calibration", "names no corpus"));
    if (s.evalData.empty()) out.push_back(about("eval_data", "names no data set"));
    if (s.invariances.empty() || s.invariances.find_first_not_of("PSR") != std::string::npos)
        out.push_back(
            about("invariances",
                  "must be a non-empty combination of P, S and R (e.g. PSR, P, SR), but is '" +
                      s.invariances + "'"));
    else
        for (char c : std::string("PSR"))
            if (std::count(s.invariances.begin(), s.invariances.end(), c) > 1)
                out.push_back(about("invariances",
                                    std::string("list ") + c + " twice: '" + s.invariances + "'"));
    if (s.base != "gptq" && s.gptqCandidates != "gptq")
        out.push_back(about("gptq_candidates",
                            "apply to a search over GPTQ, but the base method is " + s.base +
                                "; set the base method to gptq or the candidates back to gptq"));
    if (s.alpha > 0 && s.matchedLayers == 0)
        out.push_back(about(
            "alpha",
            "is " + num(s.alpha) +
                " but there are no matched layers: the MSE term needs at least one matched layer"));
}

}  // namespace

std::vector<SettingProblem> SearchSettings::problems() const {
    std::vector<SettingProblem> out;
    for (const SettingDeclaration& d : searchSettingDeclarations())
        if (auto p = d.check(d.readSearch(*this))) out.push_back(*p);
    addCrossChecks(*this, out);
    return out;
}

std::vector<SettingProblem> SearchSettings::problemsForModel(std::int64_t hidden, std::int64_t ffn,
                                                             int layers) const {
    std::vector<SettingProblem> out = problems();
    for (const auto& [width, layer] :
         {std::pair{hidden, "the attention and fc1 layers (hidden size)"},
          std::pair{ffn, "fc2 (FFN width)"}})
        if (auto p = quant.widthProblem(width, layer)) out.push_back(*p);
    if (ffn % 2 != 0)
        out.push_back(
            {"", "the FFN width " + std::to_string(ffn) + " is odd; rotations need neuron pairs"});
    else if (pairsPerStep(ffn) < 1)
        out.push_back(about("swap_frac", num(swapFraction) +
                                             " is too small to pick a pair of neurons: round(" +
                                             std::to_string(ffn) + " x " + num(swapFraction) +
                                             ") / 2 = 0; use at least " + num(1.5 / double(ffn))));
    if (layers < 1) out.push_back({"", "the model has no decoder layers"});
    return out;
}

void SearchSettings::validate() const {
    const std::vector<SettingProblem> p = problems();
    if (!p.empty()) throw SettingError(p.front());
}

void SearchSettings::validateForModel(std::int64_t hidden, std::int64_t ffn, int layers) const {
    const std::vector<SettingProblem> p = problemsForModel(hidden, ffn, layers);
    if (!p.empty()) throw SettingError(p.front());
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
        if (std::find(indices.begin(), indices.end(), index) == indices.end())
            indices.push_back(index);
    }
    return indices;
}

std::string SearchSettings::toJson() const {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    for (const SettingDeclaration& d : searchSettingDeclarations())
        std::visit([&](const auto& v) { j[d.key] = v; }, d.readSearch(*this));
    return j.dump(2);
}

SearchSettings SearchSettings::fromJson(const std::string& text, const std::string& source) {
    const nlohmann::json j = parseJsonText(text, "search settings", source);
    if (!j.is_object()) throw Error("search settings in '" + source + "' are not a JSON object");
    SearchSettings s;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& key = it.key();
        const nlohmann::json& v = it.value();
        const SettingDeclaration* d = findSettingDeclaration(key);
        if (!d || d->key != key || !d->recorded())
            throw Error("search settings in '" + source + "' have an unknown key '" + key + "'");
        auto typeError = [&](const char* expected) {
            return Error("search setting '" + key + "' in '" + source + "' must be " + expected +
                         ", but is " + v.dump());
        };
        SettingValue value;
        if (d->kind == SettingKind::Integer) {
            if (!v.is_number_integer() ||
                (v.is_number_unsigned() && v.get<std::uint64_t>() > std::uint64_t(INT64_MAX)))
                throw typeError("an integer");
            value = v.get<std::int64_t>();
        } else if (d->kind == SettingKind::Real) {
            if (!v.is_number()) throw typeError("a number");
            value = v.get<double>();
        } else {
            if (!v.is_string()) throw typeError("a string");
            value = v.get<std::string>();
        }
        // Integers are checked before they are narrowed into their fields; the rest is
        // validate()'s.
        if (d->kind == SettingKind::Integer)
            if (auto p = d->check(value))
                throw Error("search setting '" + key + "' in '" + source + "': " + p->sentence);
        d->writeSearch(s, value);
    }
    return s;
}

}  // namespace invx
