#include "ablation-study.h"

#include <set>

#include "invx/error.h"
#include "invx/reasoning-tasks.h"
#include "run-labels.h"

namespace invx::gui {
namespace {

// The variant's values on every axis but the seed's: what its row stands for.
QStringList rowValues(const AblationPlan& plan, const AblationVariant& v) {
    QStringList values;
    for (std::size_t a = 0; a < plan.axes().size(); ++a)
        if (plan.axes()[a].key != QLatin1String("seed")) values << v.values[int(a)];
    return values;
}

std::vector<std::string> finishedPaths(const AblationPlan& plan) {
    std::vector<std::string> paths;
    for (const AblationVariant& v : plan.variants())
        if (v.state == QLatin1String("finished")) paths.push_back(v.path.toStdString());
    if (paths.empty()) throw Error("the study has no finished variant yet");
    return paths;
}

}  // namespace

std::vector<StudyVariant> studyVariants(const AblationPlan& plan) {
    std::vector<QStringList> rows;
    std::vector<SearchSettings> representatives;
    std::vector<StudyVariant> out;
    for (const AblationVariant& v : plan.variants()) {
        if (v.state != QLatin1String("finished")) continue;
        const QStringList values = rowValues(plan, v);
        std::size_t row = 0;
        while (row < rows.size() && rows[row] != values) ++row;
        if (row == rows.size()) {
            rows.push_back(values);
            representatives.push_back(v.settings);
            out.emplace_back();
        }
        out[row].paths.push_back(v.path.toStdString());
    }
    const QStringList labels = differenceLabels(representatives, {}, {QStringLiteral("seed")});
    for (std::size_t i = 0; i < out.size(); ++i) out[i].label = labels[int(i)].toStdString();
    return out;
}

StudyTable ablationStudyTable(const AblationPlan& plan) {
    const std::vector<std::string> paths = finishedPaths(plan);
    return buildStudyTable(studyVariants(plan), readResultsSources(paths));
}

std::vector<ResultsMeasurement> studyMeasurements(const AblationPlan& plan,
                                                  CommandSettings* settings) {
    std::set<std::string> metrics = {"wikitext2", "c4"};
    for (const std::string& task : reasoningTaskNames()) metrics.insert(task);
    CommandSettings s = defaultSettings(SettingCommand::Table);
    const bool quick = plan.evaluation() == AblationEvaluation::Quick;
    if (quick) s.search.evalWindows = plan.quickWindows(), s.evaluation.limit = plan.quickItems();
    if (settings) *settings = s;
    const ResultsTable table = buildResultsTable(readResultsSources(finishedPaths(plan)));
    return missingMeasurements(table, {"base", "searched"}, metrics, !quick);
}

}  // namespace invx::gui
