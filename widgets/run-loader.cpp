#include "run-loader.h"

#include "invx/error.h"
#include "invx/experiment-file.h"

namespace invx::gui {

RunData loadRun(const QString& path) {
    RunData run;
    run.path = path;
    refreshRun(run);
    return run;
}

bool refreshRun(RunData& run) {
    const ExperimentFile file = ExperimentFile::open(run.path.toStdString(), /*writable=*/false);
    // Read everything first, so that a failure part-way leaves `run` as it was.
    const QString status = QString::fromStdString(file.status());
    const bool first = run.stepCount() == 0 && !run.base && run.evaluations.empty();
    SearchSettings settings = first ? file.settings() : run.settings;
    ModelIdentity model = first ? file.model() : run.model;
    std::optional<BaseResult> base = run.base ? run.base : file.base();
    const std::int64_t have = std::int64_t(run.stepCount());
    const std::int64_t count = file.stepCount();
    std::vector<StepRecord> steps;
    if (count > have) steps = file.steps(have, count - have);
    std::vector<EvaluationRecord> evaluations = file.evaluations();
    std::vector<std::int64_t> checkpointSteps = file.checkpointSteps();
    const QString damageNote = QString::fromStdString(file.damageNote());
    if (count < have)
        throw Error("experiment file '" + run.path.toStdString() + "' now has fewer steps (" +
                    std::to_string(count) + ") than were read (" + std::to_string(have) +
                    "); it was resumed from an earlier checkpoint: reopen it");

    const bool changed = first || !steps.empty() || evaluations.size() != run.evaluations.size() ||
                         checkpointSteps.size() != run.checkpointSteps.size() ||
                         status != run.status || base.has_value() != run.base.has_value();
    run.status = status;
    run.settings = settings;
    run.model = model;
    run.base = base;
    for (const StepRecord& r : steps) run.append(r);
    run.evaluations = std::move(evaluations);
    run.checkpointSteps = std::move(checkpointSteps);
    run.damageNote = damageNote;
    return changed;
}

QString experimentStatus(const QString& path) {
    try {
        return QString::fromStdString(ExperimentFile::open(path.toStdString(), false).status());
    } catch (const std::exception& e) {
        return QStringLiteral("unreadable: ") + QString::fromStdString(e.what());
    }
}

}  // namespace invx::gui
