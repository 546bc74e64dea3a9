#include "live-run-controller.h"

#include <QDir>
#include <QFileInfo>
#include <cmath>

#include "inspector-view.h"
#include "message-sink.h"
#include "open-runs.h"
#include "run-loader.h"
#include "search-launcher.h"

namespace invx::gui {
namespace {

QString duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return QStringLiteral("–");
    const qint64 s = qint64(seconds + 0.5);
    if (s >= 3600)
        return QStringLiteral("%1 h %2 min")
            .arg(s / 3600)
            .arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
    if (s >= 60)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1 s").arg(s);
}

}  // namespace

LiveRunController::LiveRunController(SearchLauncher* launcher, OpenRuns* runs,
                                     MessageSink* messages, QObject* parent)
    : QObject(parent), launcher_(launcher), runs_(runs), messages_(messages) {
    redraw_.setSingleShot(true);
    redraw_.setInterval(40);
    connect(&redraw_, &QTimer::timeout, this, &LiveRunController::takeLiveSteps);
    connect(launcher_, &SearchLauncher::stepsReady, this, [this] {
        if (!redraw_.isActive()) redraw_.start();
    });
    connect(launcher_, &SearchLauncher::message, this, &LiveRunController::onMessage);
    connect(launcher_, &SearchLauncher::evaluationStarted, this,
            &LiveRunController::onEvaluationStarted);
    connect(launcher_, &SearchLauncher::baseReady, this, &LiveRunController::onBase);
    connect(launcher_, &SearchLauncher::evaluationReady, this, &LiveRunController::onEvaluation);
    connect(launcher_, &SearchLauncher::checkpointReady, this, &LiveRunController::onCheckpoint);
    connect(launcher_, &SearchLauncher::finished, this, &LiveRunController::onFinished);
    connect(launcher_, &SearchLauncher::failed, this, &LiveRunController::onFailed);
}

bool LiveRunController::running() const { return launcher_->running(); }
bool LiveRunController::paused() const { return launcher_->paused(); }

LiveRunController::Activity LiveRunController::activity() const {
    if (!running()) return Activity::Idle;
    if (stopping_) return Activity::Stopping;
    if (launcher_->paused()) return Activity::Paused;
    if (evaluating_) return Activity::Evaluating;
    return stepped_ ? Activity::Running : Activity::Starting;
}

QString LiveRunController::activityText() const {
    const qint64 last = live_ && !live_->step.empty() ? qint64(live_->step.back()) : -1;
    switch (activity()) {
        case Activity::Idle:
            return {};
        case Activity::Starting:
            return tr("Starting…");
        case Activity::Running:
            return tr("Running");
        case Activity::Evaluating:
            return tr("Evaluating perplexity after step %1…").arg(evaluatedAt_);
        case Activity::Paused:
            return last < 0 ? tr("Paused") : tr("Paused at step %1").arg(last);
        case Activity::Stopping:
            return tr("Stopping: finishing the step and writing a checkpoint…");
    }
    return {};
}

void LiveRunController::reportActivity() {
    if (activity() == Activity::Running)
        clock_.resume();
    else
        clock_.pause();
    Q_EMIT statusTextChanged(activityText());
}

// The search's own notes (loading, calibrating, writing a checkpoint) show unless the line says
// something the user must see stay: that the run is paused, or what it evaluates.
void LiveRunController::onMessage(const QString& text) {
    const Activity now = activity();
    if (now == Activity::Paused || now == Activity::Evaluating) return;
    Q_EMIT statusTextChanged(text);
}

bool LiveRunController::startNew(const SearchRunRequest& request) {
    if (running()) return false;
    const QString path = QString::fromStdString(request.experimentPath);
    QDir().mkpath(QFileInfo(path).absolutePath());
    auto run = std::make_unique<RunData>();
    run->path = path;
    run->settings = request.settings;
    makeLive(runs_->add(std::move(run)), request.settings.steps,
             QString::fromStdString(request.device), -1);
    Q_EMIT runsChanged();
    launch(request, true);
    return true;
}

bool LiveRunController::resume(RunData* run) {
    if (running() || !run) return false;
    if (run->status == QLatin1String("finished") &&
        run->stepCount() >= std::size_t(run->settings.steps)) {
        messages_->showError(tr("Nothing to resume"),
                             tr("experiment '%1' has finished all %2 of its steps")
                                 .arg(run->path)
                                 .arg(run->settings.steps));
        return false;
    }
    SearchRunRequest request;
    request.experimentPath = run->path.toStdString();
    request.resume = true;
    request.device = "";
    request.dtype = "";
    makeLive(run, run->settings.steps, QString::fromStdString(run->model.device),
             0);  // cut at the first new step
    launch(request, true);
    return true;
}

void LiveRunController::startQueued(const SearchRunRequest& request, const RunData& run,
                                    std::int64_t targetSteps, const QString& device) {
    RunData* live = runs_->find(run.path);
    if (live)
        *live = run;
    else
        live = runs_->add(std::make_unique<RunData>(run));
    makeLive(live, targetSteps, device, request.resume ? 0 : -1);
    Q_EMIT runsChanged();
    launch(request, false);
}

void LiveRunController::makeLive(RunData* run, std::int64_t targetSteps, const QString& device,
                                 std::int64_t resumeCut) {
    live_ = run;
    live_->status = QStringLiteral("running");
    target_ = targetSteps;
    device_ = device;
    resumeCut_ = resumeCut;
    rateFirstStep_ = -1;
    stepsPerSecond_ = 0;
    evaluating_ = stopping_ = stepped_ = false;
}

void LiveRunController::launch(const SearchRunRequest& request, bool reportFailure) {
    reportFailure_ = reportFailure;
    launcher_->start(request);
    Q_EMIT searchStateChanged();
}

void LiveRunController::pauseOrResume() {
    if (!running()) return;
    if (launcher_->paused())
        launcher_->resume();
    else
        launcher_->pause();
    reportActivity();  // paused time is not search time: the clock stops with it
    Q_EMIT searchStateChanged();
}

void LiveRunController::stop() {
    if (!running()) return;
    launcher_->stop();
    stopping_ = true;
    reportActivity();
}

void LiveRunController::takeLiveSteps() {
    const std::vector<StepRecord> steps = launcher_->takeSteps();
    if (!live_ || steps.empty()) return;
    const bool resumed = resumeCut_ == 0;
    if (resumed) {
        // The file's steps from the checkpoint on are done again: the new ones replace them.
        live_->truncateFrom(steps.front().step);
        resumeCut_ = steps.front().step;
    }
    for (const StepRecord& r : steps) live_->append(r);
    // Starting… gives way to Running; a pause names the step the search actually held at (the
    // one it was finishing when Pause was pressed).
    if (!stepped_ || activity() == Activity::Paused) {
        stepped_ = true;
        reportActivity();
    }
    clockSteps(steps.back().step);
    if (resumed)
        Q_EMIT runsUpdated();
    else
        Q_EMIT runsGrew();
}

void LiveRunController::clockSteps(std::int64_t lastStep) {
    // From the first batch on: the time before it is loading and calibrating, not stepping.
    if (rateFirstStep_ < 0) {
        rateFirstStep_ = lastStep;
        clock_.restart(activity() == Activity::Running);
    } else if (clock_.seconds() > 0.5) {
        stepsPerSecond_ = double(lastStep - rateFirstStep_) / clock_.seconds();
    }
}

QString LiveRunController::rateText() const {
    if (!running() || !live_ || live_->step.empty()) return {};
    return tr("%1 steps/s").arg(stepsPerSecond_, 0, 'f', stepsPerSecond_ < 10 ? 2 : 1);
}

QString LiveRunController::progressText() const {
    if (!running() || !live_ || live_->step.empty()) return {};
    const std::int64_t last = std::int64_t(live_->step.back());
    const double left = stepsPerSecond_ > 0 ? double(target_ - last) / stepsPerSecond_ : NAN;
    return tr("step %1 of %2, %3 left").arg(qint64(last)).arg(target_).arg(duration(left));
}

QString LiveRunController::deviceText() const {
    if (!running() || !live_) return {};
    return tr("device: %1")
        .arg(device_.isEmpty() || device_ == QLatin1String("auto") ? tr("auto") : device_);
}

void LiveRunController::followFiles() {
    bool changed = false;
    for (RunData* r : runs_->allMutable()) {
        if (r == live_ && running()) continue;
        if (r->status != QLatin1String("running")) continue;
        try {
            if (refreshRun(*r)) {
                changed = true;
                followInspectedRun(*r);
            }
        } catch (const std::exception&) {
            // A writer may be mid-flush; the next second reads it again.
        }
    }
    // refreshRun only adds steps at the end (a file with fewer is refused).
    if (changed) Q_EMIT runsGrew();
}

void LiveRunController::followInspectedRun(const RunData& run) {
    if (!inspector_ || inspector_->experiment() != run.path ||
        run.checkpointSteps.size() <= std::size_t(inspector_->checkpointCount()))
        return;
    inspector_->setAcceptedSteps(run.step, run.layer, run.accepted);
    inspector_->updateCheckpoints(run.checkpointSteps);
}

void LiveRunController::onBase(const BaseResult& base) {
    if (!live_) return;
    live_->base = base;
    Q_EMIT runsUpdated();
}

void LiveRunController::onEvaluationStarted(qint64 step) {
    if (!live_) return;
    takeLiveSteps();  // the steps before it are done
    evaluating_ = true;
    evaluatedAt_ = step;
    reportActivity();  // evaluation time is not search time
}

void LiveRunController::onEvaluation(const EvaluationRecord& evaluation) {
    if (!live_) return;
    takeLiveSteps();
    live_->evaluations.push_back(evaluation);
    Q_EMIT runsGrew();
    if (evaluating_) {
        evaluating_ = false;
        reportActivity();
    }
}

void LiveRunController::onCheckpoint(qint64 step) {
    if (!live_) return;
    live_->checkpointSteps.push_back(step);
    takeLiveSteps();
    followInspectedRun(*live_);
}

void LiveRunController::onFinished(const SearchSummary& summary) {
    takeLiveSteps();
    if (live_) {
        // The file is the record: reload it whole (exact values, evaluations, status).
        try {
            *live_ = loadRun(live_->path);
        } catch (const std::exception&) {
            live_->status =
                summary.stopped ? QStringLiteral("stopped") : QStringLiteral("finished");
        }
    }
    live_ = nullptr;
    Q_EMIT statusTextChanged(
        !summary.stopped
            ? tr("Finished %1 steps in %2").arg(summary.steps).arg(duration(summary.seconds))
        : summary.stoppedInBaseMethod
            ? tr("Stopped during OmniQuant's training; resume it from the Experiments list")
            : tr("Stopped after %1 steps; resume it from the Experiments list").arg(summary.steps));
    Q_EMIT runsChanged();
    Q_EMIT searchStateChanged();
    Q_EMIT ended(summary.stopped ? QStringLiteral("stopped") : QStringLiteral("finished"));
}

void LiveRunController::onFailed(const QString& error) {
    takeLiveSteps();
    if (live_) {
        // A run that failed before its file existed leaves nothing to show.
        if (!QFileInfo::exists(live_->path))
            runs_->remove(live_);
        else
            live_->status = QStringLiteral("stopped");
    }
    live_ = nullptr;
    Q_EMIT runsChanged();
    Q_EMIT searchStateChanged();
    Q_EMIT statusTextChanged(tr("Search failed"));
    if (reportFailure_) messages_->showError(tr("Search failed"), error);
    Q_EMIT ended(QStringLiteral("failed: ") + error);
}

}  // namespace invx::gui
