#include "study-estimate.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QLocale>
#include <cmath>

#include "run-data.h"

namespace invx::gui {
namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("invx::gui::StudyEstimate", text);
}

// "1 run", "8 runs": written out, as the window has no English plural translation to resolve %n.
QString runs(int n) { return n == 1 ? tr("1 run") : tr("%1 runs").arg(n); }

// The same directory however it was written (relative, with a trailing slash, through a link).
QString canonical(const QString& path) {
    const QString c = QFileInfo(path).canonicalFilePath();
    return c.isEmpty() ? QFileInfo(path).absoluteFilePath() : c;
}

}  // namespace

std::optional<RunPace> paceOf(const RunData& run) {
    if (run.stepCount() == 0 || !(run.searchSeconds() > 0)) return std::nullopt;
    return RunPace{QString::fromStdString(run.model.path), QString::fromStdString(run.model.device),
                   std::int64_t(run.stepCount()), run.searchSeconds()};
}

std::optional<MeasuredSpeed> measuredSpeed(const std::vector<RunPace>& paces,
                                           const QString& modelPath, const QString& device) {
    const QString model = canonical(modelPath);
    std::int64_t steps = 0;
    double seconds = 0;
    int runs = 0;
    for (const RunPace& p : paces) {
        if (p.device != device || p.steps <= 0 || !(p.seconds > 0)) continue;
        if (canonical(p.modelPath) != model) continue;
        steps += p.steps, seconds += p.seconds, ++runs;
    }
    if (runs == 0) return std::nullopt;
    return MeasuredSpeed{double(steps) / seconds, runs, device};
}

StudyEstimate estimateStudy(const std::vector<SearchSettings>& variants,
                            const std::optional<MeasuredSpeed>& speed) {
    StudyEstimate e;
    e.runs = int(variants.size());
    for (const SearchSettings& s : variants) e.steps += s.steps;
    if (speed && speed->stepsPerSecond > 0) e.seconds = double(e.steps) / speed->stepsPerSecond;
    return e;
}

QString durationText(double seconds) {
    const auto total = std::int64_t(std::llround(seconds));
    if (total < 60) return tr("%1 s").arg(total);
    const std::int64_t minutes = (total + 30) / 60;
    if (minutes < 60) return tr("%1 min").arg(minutes);
    return tr("%1 h %2 min").arg(minutes / 60).arg(minutes % 60, 2, 10, QLatin1Char('0'));
}

QString estimateText(const StudyEstimate& estimate, const std::optional<MeasuredSpeed>& speed) {
    QLocale grouped = QLocale::c();
    grouped.setNumberOptions({});  // with the group separator: 16,000
    const QString counts =
        tr("%1, %2 steps").arg(runs(estimate.runs), grouped.toString(qlonglong(estimate.steps)));
    if (!estimate.seconds || !speed)
        return tr("%1, time unknown until the first run (no run of this model on this device to "
                  "measure the speed on)")
            .arg(counts);
    return tr("%1, about %2 of search (%3 steps/s, measured on %4 of this model on %5; loading, "
              "the base method and the evaluations come on top)")
        .arg(counts, durationText(*estimate.seconds),
             QString::number(speed->stepsPerSecond, 'f', 2), runs(speed->runs), speed->device);
}

}  // namespace invx::gui
