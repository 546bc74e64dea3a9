#include "invx/study-plan.h"

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "invx/error.h"
#include "invx/setting-table.h"
#include "invx/text-file.h"
#include "json-text.h"

namespace invx {
namespace fs = std::filesystem;
namespace {

std::string variantFileName(const std::vector<StudyAxis>& axes,
                            const std::vector<std::string>& values) {
    std::string name;
    for (std::size_t i = 0; i < axes.size(); ++i) {
        std::string v = values[i];
        for (char& c : v)
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '+' && c != '-')
                c = '_';
        name += (i ? "_" : "") + axes[i].key + "-" + v;
    }
    return name + ".h5";
}

// A grid that varies the matched layers down to 0 asks for the search without activation matching
// (the paper's Table 4, "w/ 0 layers"): the MSE term's weight goes to 0 with them, which the
// settings' check requires, unless alpha is an axis of its own.
void disableMatchingWithoutLayers(const std::vector<StudyAxis>& axes, SearchSettings& s) {
    bool layersVary = false;
    for (const StudyAxis& a : axes) {
        if (a.key == "alpha") return;
        layersVary = layersVary || a.key == "num_layers";
    }
    if (layersVary && s.matchedLayers == 0) s.alpha = 0;
}

std::string number(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", v);
    return text;
}

std::string joined(const std::vector<std::string>& values, const char* separator) {
    std::string out;
    for (std::size_t i = 0; i < values.size(); ++i) out += (i ? separator : "") + values[i];
    return out;
}

nlohmann::json slurmJson(const SlurmSubmission& s) {
    const SlurmOptions& o = s.options;
    return {{"partition", o.partition},
            {"account", o.account},
            {"time", o.timeLimit},
            {"gpus_per_task", o.gpusPerTask},
            {"cpus_per_task", o.cpusPerTask},
            {"extra_lines", o.extraLines},
            {"check_job", s.checkJob},
            {"base_job", s.baseJob},
            {"search_jobs", s.searchJobs},
            {"evaluation_jobs", s.evaluationJobs},
            {"submitted_at", s.submittedAt}};
}

SlurmSubmission slurmFromJson(const nlohmann::json& j, std::size_t variants) {
    SlurmSubmission s;
    SlurmOptions& o = s.options;
    o.partition = j.value("partition", "");
    o.account = j.value("account", "");
    o.timeLimit = j.value("time", "");
    o.gpusPerTask = j.value("gpus_per_task", 0);
    o.cpusPerTask = j.value("cpus_per_task", 0);
    o.extraLines = j.value("extra_lines", std::vector<std::string>{});
    s.checkJob = j.value("check_job", "");
    s.baseJob = j.value("base_job", "");
    s.searchJobs = j.value("search_jobs", std::vector<std::string>{});
    s.evaluationJobs = j.value("evaluation_jobs", std::vector<std::string>{});
    s.searchJobs.resize(variants);
    s.evaluationJobs.resize(variants);
    s.submittedAt = j.value("submitted_at", "");
    return s;
}

}  // namespace

std::string studyEvaluationName(StudyEvaluation e) {
    switch (e) {
        case StudyEvaluation::Whole:
            return "whole";
        case StudyEvaluation::Quick:
            return "quick";
        case StudyEvaluation::None:
            break;
    }
    return "none";
}

StudyEvaluation parseStudyEvaluation(const std::string& name) {
    if (name == "whole") return StudyEvaluation::Whole;
    if (name == "quick") return StudyEvaluation::Quick;
    if (name == "none") return StudyEvaluation::None;
    throw Error("a study's evaluation is none, quick or whole, not '" + name + "'");
}

std::string baseQuantizationKey(const SearchSettings& s) {
    if (s.base == "rtn") return {};
    std::vector<std::string> parts{s.base,
                                   std::to_string(s.quant.bits),
                                   std::to_string(s.quant.groupSize),
                                   std::to_string(s.baseCalibrationSamples),
                                   s.calibrationCorpus,
                                   s.calibrationIds,
                                   std::to_string(s.calibrationLength),
                                   std::to_string(s.calibrationSeed)};
    if (s.base == "awq") parts.push_back(s.awqPrecision);
    if (s.base == "omniquant")  // what its training learns from
        parts.insert(parts.end(), {std::to_string(s.omniquantEpochs), number(s.omniquantLetLr),
                                   number(s.omniquantLwcLr), s.omniquantLwc, s.omniquantLet,
                                   number(s.omniquantAlpha), s.omniquantPrecision});
    return joined(parts, "|");
}

StudyPlan StudyPlan::create(const SearchSettings& base, const std::vector<StudyAxis>& axes,
                            const std::string& folder, const std::string& modelPath,
                            const std::string& device, const std::string& dtype) {
    if (axes.empty()) throw Error("a study needs at least one setting to vary");
    StudyPlan plan;
    plan.folder_ = folder;
    plan.modelPath_ = modelPath;
    plan.device_ = device;
    plan.dtype_ = dtype;
    plan.base_ = base;
    plan.axes_ = axes;
    std::vector<const SettingDeclaration*> declarations;
    for (const StudyAxis& axis : axes) {
        const SettingDeclaration* d = findSettingDeclaration(axis.key);
        if (!d || !d->recorded())
            throw Error("study axis '" + axis.key + "' names no search setting");
        if (axis.values.empty()) throw Error("study axis '" + axis.key + "' lists no values");
        declarations.push_back(d);
    }
    // Odometer over the axes, the last fastest.
    std::vector<std::size_t> at(axes.size(), 0);
    while (true) {
        PlannedVariant v;
        v.settings = base;
        for (std::size_t a = 0; a < axes.size(); ++a) {
            const std::string value = trimWhitespace(axes[a].values[at[a]]);
            v.values.push_back(value);
            try {
                declarations[a]->set(v.settings, value);
            } catch (const Error& e) {
                throw Error("study axis '" + axes[a].key + "': " + e.what());
            }
        }
        disableMatchingWithoutLayers(axes, v.settings);
        try {
            v.settings.validate();
        } catch (const Error& e) {
            throw Error("study variant " + joined(v.values, ", ") + ": " + e.what());
        }
        v.path = (fs::path(folder) / variantFileName(axes, v.values)).string();
        v.state = "pending";
        plan.variants_.push_back(v);
        std::size_t a = axes.size();
        while (a > 0 && ++at[a - 1] == axes[a - 1].values.size()) at[--a] = 0;
        if (a == 0) break;
    }
    return plan;
}

std::string StudyPlan::file() const { return (fs::path(folder_) / kFileName).string(); }

void StudyPlan::save() const {
    nlohmann::json axes = nlohmann::json::array(), variants = nlohmann::json::array();
    for (const StudyAxis& a : axes_) axes.push_back({{"key", a.key}, {"values", a.values}});
    for (const PlannedVariant& v : variants_)
        variants.push_back({{"values", v.values},
                            {"path", fs::path(v.path).lexically_relative(folder_).string()},
                            {"state", v.state}});
    nlohmann::json root{{"format", "invx-ablation"},
                        {"version", 1},
                        {"model", modelPath_},
                        {"device", device_},
                        {"dtype", dtype_},
                        {"base_settings", nlohmann::json::parse(base_.toJson())},
                        {"axes", axes},
                        {"study", study_},
                        {"evaluation", studyEvaluationName(evaluation_)},
                        {"variants", variants}};
    if (evaluation_ == StudyEvaluation::Quick)
        root["quick_windows"] = quickWindows_, root["quick_items"] = quickItems_;
    if (slurm_) root["slurm"] = slurmJson(*slurm_);
    std::error_code error;
    fs::create_directories(folder_.empty() ? "." : folder_, error);
    if (error)
        throw Error("could not create the study folder '" + folder_ + "': " + error.message());
    writeFileAtomically(file(), root.dump(4) + "\n", "study");
}

StudyPlan StudyPlan::load(const std::string& path) {
    const nlohmann::json root = readJsonFile(path, "study");
    if (!root.is_object() || root.value("format", "") != "invx-ablation")
        throw Error("'" + path + "' is not a study written by the workbench or invx study");
    try {
        std::vector<StudyAxis> axes;
        for (const nlohmann::json& a : root.at("axes"))
            axes.push_back(
                {a.at("key").get<std::string>(), a.at("values").get<std::vector<std::string>>()});
        const SearchSettings base = SearchSettings::fromJson(root.at("base_settings").dump(), path);
        std::string folder = fs::path(path).parent_path().string();
        if (folder.empty()) folder = ".";
        StudyPlan plan =
            create(base, axes, fs::absolute(folder).lexically_normal().string(),
                   root.value("model", ""), root.value("device", ""), root.value("dtype", ""));
        plan.study_ = root.value("study", "");
        // Queues written before studies could evaluate have no entry: none.
        plan.evaluation_ = root.value("evaluation", "") == "whole"   ? StudyEvaluation::Whole
                           : root.value("evaluation", "") == "quick" ? StudyEvaluation::Quick
                                                                     : StudyEvaluation::None;
        plan.quickWindows_ = root.value("quick_windows", kQuickStudyWindows);
        plan.quickItems_ = root.value("quick_items", kQuickStudyItems);
        if (plan.quickWindows_ < 1 || plan.quickItems_ < 1)
            throw Error("study '" + path + "' asks for a quick evaluation of no windows or items");
        const nlohmann::json& saved = root.at("variants");
        if (saved.size() != plan.variants_.size())
            throw Error("study '" + path + "' lists " + std::to_string(saved.size()) +
                        " variants but its grid has " + std::to_string(plan.variants_.size()));
        for (std::size_t i = 0; i < saved.size(); ++i)
            plan.variants_[i].state = saved[i].value("state", "pending");
        if (root.contains("slurm"))
            plan.slurm_ = slurmFromJson(root.at("slurm"), plan.variants_.size());
        return plan;
    } catch (const nlohmann::json::exception& e) {
        throw Error("study '" + path + "' is damaged: " + e.what());
    }
}

int StudyPlan::nextVariant() const {
    for (std::size_t i = 0; i < variants_.size(); ++i)
        if (variants_[i].state != "finished" && variants_[i].state.rfind("failed", 0) != 0)
            return int(i);
    return -1;
}

int StudyPlan::baseSource(int variant) const {
    if (variant < 0 || variant >= int(variants_.size())) return -1;
    const std::string key = baseQuantizationKey(variants_[std::size_t(variant)].settings);
    if (key.empty()) return -1;
    for (int i = 0; i < variant; ++i) {
        const PlannedVariant& v = variants_[std::size_t(i)];
        // A run stopped while OmniQuant trained has no file yet (only FILE.part).
        const bool holdsBase =
            (v.state == "finished" || v.state == "stopped") && fs::exists(v.path);
        if (holdsBase && baseQuantizationKey(v.settings) == key) return i;
    }
    return -1;
}

std::vector<int> StudyPlan::distinctBases() const {
    std::vector<int> firsts;
    std::vector<std::string> keys;
    for (std::size_t i = 0; i < variants_.size(); ++i) {
        const std::string key = baseQuantizationKey(variants_[i].settings);
        if (key.empty()) continue;
        bool seen = false;
        for (const std::string& k : keys) seen = seen || k == key;
        if (!seen) keys.push_back(key), firsts.push_back(int(i));
    }
    return firsts;
}

std::string StudyPlan::baseFile(int variant) const {
    const std::string key = baseQuantizationKey(variants_.at(std::size_t(variant)).settings);
    if (key.empty()) return {};
    const std::vector<int> bases = distinctBases();
    for (std::size_t n = 0; n < bases.size(); ++n)
        if (baseQuantizationKey(variants_[std::size_t(bases[n])].settings) == key)
            return (fs::path(folder_) / ("base-" + std::to_string(n + 1) + ".h5")).string();
    return {};
}

}  // namespace invx
