#include "ablation-plan.h"

#include <QDir>
#include <cmath>

#include "run-data.h"

namespace invx::gui {
namespace {

std::string str(const QString& s) { return s.toStdString(); }
QString qstr(const std::string& s) { return QString::fromStdString(s); }

std::vector<std::string> strings(const QStringList& list) {
    std::vector<std::string> out;
    for (const QString& s : list) out.push_back(str(s));
    return out;
}

QStringList qstrings(const std::vector<std::string>& list) {
    QStringList out;
    for (const std::string& s : list) out << qstr(s);
    return out;
}

void meanAndStd(const std::vector<double>& v, double* mean, double* sd) {
    double sum = 0;
    for (double x : v) sum += x;
    *mean = v.empty() ? std::nan("") : sum / double(v.size());
    double sq = 0;
    for (double x : v) sq += (x - *mean) * (x - *mean);
    *sd = v.size() > 1 ? std::sqrt(sq / double(v.size() - 1)) : 0.0;
}

}  // namespace

StudyPlan AblationPlan::toStudyPlan() const {
    std::vector<StudyAxis> axes;
    for (const AblationAxis& a : axes_) axes.push_back({str(a.key), strings(a.values)});
    StudyPlan plan =
        StudyPlan::create(base_, axes, str(folder_), str(modelPath_), str(device_), str(dtype_));
    plan.setStudy(str(study_));
    plan.setEvaluation(evaluation_);
    plan.setQuickScope(quickWindows_, quickItems_);
    plan.setSlurm(slurm_);
    for (std::size_t i = 0; i < variants_.size() && i < plan.variants().size(); ++i)
        plan.variants()[i].state = str(variants_[i].state);
    return plan;
}

AblationPlan AblationPlan::fromStudyPlan(const StudyPlan& plan) {
    AblationPlan out;
    out.folder_ = qstr(plan.folder());
    out.modelPath_ = qstr(plan.modelPath());
    out.device_ = qstr(plan.device());
    out.dtype_ = qstr(plan.dtype());
    out.study_ = qstr(plan.study());
    out.evaluation_ = plan.evaluation();
    out.quickWindows_ = plan.quickWindows();
    out.quickItems_ = plan.quickItems();
    out.base_ = plan.baseSettings();
    for (const StudyAxis& a : plan.axes()) out.axes_.push_back({qstr(a.key), qstrings(a.values)});
    for (const PlannedVariant& v : plan.variants())
        out.variants_.push_back({v.settings, qstrings(v.values), qstr(v.path), qstr(v.state)});
    out.slurm_ = plan.slurm();
    return out;
}

int AblationPlan::baseSource(int variant) const { return toStudyPlan().baseSource(variant); }

AblationPlan AblationPlan::create(const SearchSettings& base, const std::vector<AblationAxis>& axes,
                                  const QString& folder, const QString& modelPath,
                                  const QString& device, const QString& dtype) {
    std::vector<StudyAxis> studyAxes;
    for (const AblationAxis& a : axes) studyAxes.push_back({str(a.key), strings(a.values)});
    return fromStudyPlan(
        StudyPlan::create(base, studyAxes, str(folder), str(modelPath), str(device), str(dtype)));
}

QString AblationPlan::file() const {
    return QDir(folder_).filePath(QString::fromLatin1(kFileName));
}

void AblationPlan::save() const { toStudyPlan().save(); }

AblationPlan AblationPlan::load(const QString& path) {
    return fromStudyPlan(StudyPlan::load(str(path)));
}

int AblationPlan::nextVariant() const { return toStudyPlan().nextVariant(); }

QStringList summaryAxisKeys(const AblationPlan& plan) {
    QStringList keys;
    for (const AblationAxis& a : plan.axes())
        if (a.key != QLatin1String("seed")) keys << a.key;
    return keys;
}

std::vector<AblationSummaryRow> summarizeAblation(const AblationPlan& plan,
                                                  const std::vector<const RunData*>& results) {
    std::vector<int> kept;
    for (std::size_t a = 0; a < plan.axes().size(); ++a)
        if (plan.axes()[a].key != QLatin1String("seed")) kept.push_back(int(a));
    std::vector<AblationSummaryRow> rows;
    std::vector<std::vector<double>> finals, bests, losses;
    for (std::size_t i = 0; i < plan.variants().size(); ++i) {
        QStringList values;
        for (int a : kept) values << plan.variants()[i].values[a];
        std::size_t row = 0;
        while (row < rows.size() && rows[row].values != values) ++row;
        if (row == rows.size()) {
            rows.push_back({values});
            finals.emplace_back();
            bests.emplace_back();
            losses.emplace_back();
        }
        const RunData* r = i < results.size() ? results[i] : nullptr;
        if (!r) continue;
        ++rows[row].runs;
        if (std::isfinite(r->finalPerplexity())) finals[row].push_back(r->finalPerplexity());
        if (std::isfinite(r->bestPerplexity())) bests[row].push_back(r->bestPerplexity());
        if (std::isfinite(r->bestLoss())) losses[row].push_back(r->bestLoss());
    }
    for (std::size_t row = 0; row < rows.size(); ++row) {
        meanAndStd(finals[row], &rows[row].finalPerplexityMean, &rows[row].finalPerplexityStd);
        meanAndStd(bests[row], &rows[row].bestPerplexityMean, &rows[row].bestPerplexityStd);
        meanAndStd(losses[row], &rows[row].bestLossMean, &rows[row].bestLossStd);
    }
    return rows;
}

}  // namespace invx::gui
