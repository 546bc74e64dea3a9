#include "ablation-runner.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

#include "ablation-study.h"
#include "ablation-view.h"
#include "invx/error.h"
#include "live-run-controller.h"
#include "message-sink.h"
#include "results-evaluator.h"
#include "run-loader.h"

namespace invx::gui {

namespace {
const QString kQueueSetting = QStringLiteral("ablation/queue");
}

AblationRunner::AblationRunner(LiveRunController* live, AblationView* view, MessageSink* messages,
                               QObject* parent)
    : QObject(parent), live_(live), view_(view), messages_(messages) {
    connect(live_, &LiveRunController::ended, this, [this](const QString& outcome) {
        if (plan_ && running_ >= 0) variantEnded(outcome);
    });
}

bool AblationRunner::start(const SearchRunRequest& base, const std::vector<AblationAxis>& axes,
                           const QString& folder, QString* error, const StudyOptions& options) {
    if (live_->running()) {
        if (error)
            *error = tr("a search is running; stop it or wait for it before starting an ablation");
        return false;
    }
    try {
        if (QFileInfo::exists(QDir(folder).filePath(QString::fromLatin1(AblationPlan::kFileName))))
            throw Error("the folder '" + folder.toStdString() +
                        "' already holds an ablation; continue it or choose another folder");
        SearchSettings settings = base.settings;
        applyFixedSettings(settings, options.fixed);
        plan_ = AblationPlan::create(settings, axes, folder, QString::fromStdString(base.modelPath),
                                     QString::fromStdString(base.device),
                                     QString::fromStdString(base.dtype));
        plan_->setStudy(options.study);
        plan_->setEvaluation(options.evaluation);
        plan_->save();
    } catch (const std::exception& e) {
        plan_.reset();
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
    QSettings().setValue(kQueueSetting, plan_->file());
    results_.clear();
    results_.resize(plan_->variants().size());
    interrupted_ = false;
    startNextVariant();
    return true;
}

bool AblationRunner::carryOn(const QString& queueFile, QString* error) {
    if (live_->running()) {
        if (error) *error = tr("a search is running; wait for it before continuing an ablation");
        return false;
    }
    try {
        plan_ = AblationPlan::load(queueFile);
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
    QSettings().setValue(kQueueSetting, plan_->file());
    loadResults();
    interrupted_ = false;
    startNextVariant();
    return true;
}

void AblationRunner::restoreLast() {
    const QString queue = QSettings().value(kQueueSetting).toString();
    if (queue.isEmpty() || !QFileInfo::exists(queue)) return;
    try {
        plan_ = AblationPlan::load(queue);
    } catch (const std::exception&) {
        plan_.reset();  // a queue that no longer reads is not worth a dialog at start-up
        return;
    }
    loadResults();
    refreshView();
    if (!plan_->done())
        Q_EMIT statusTextChanged(
            tr("An ablation is unfinished (%1); Search > Continue Ablation carries on with it")
                .arg(queue));
}

void AblationRunner::interrupt() {
    if (running_ >= 0) interrupted_ = true;
}

void AblationRunner::setEvaluator(ResultsEvaluator* evaluator) {
    if (evaluator_) disconnect(evaluator_, nullptr, this, nullptr);
    evaluator_ = evaluator;
    if (!evaluator) return;
    connect(evaluator, &ResultsEvaluator::recorded, this, [this] {
        if (evaluating_) refreshView();
    });
    connect(evaluator, &ResultsEvaluator::finished, this, [this](bool stopped) {
        if (!evaluating_) return;
        evaluating_ = false;
        Q_EMIT statusTextChanged(stopped ? tr("Study evaluation stopped; what was measured is "
                                              "recorded in the variants' files")
                                         : tr("Study finished and evaluated"));
        refreshView();
    });
    connect(evaluator, &ResultsEvaluator::failed, this, [this](const QString& error) {
        if (!evaluating_) return;
        evaluating_ = false;
        messages_->showError(tr("Study not evaluated"), error);
        refreshView();
    });
}

std::vector<RunPace> AblationRunner::paces() const {
    std::vector<RunPace> out;
    for (const auto& r : results_)
        if (r)
            if (const std::optional<RunPace> pace = paceOf(*r)) out.push_back(*pace);
    return out;
}

void AblationRunner::evaluateStudy() {
    if (!plan_ || plan_->evaluation() == AblationEvaluation::None) return;
    if (!evaluator_ || evaluator_->running()) {
        Q_EMIT statusTextChanged(
            tr("Ablation finished; its variants are not evaluated (Results > Measure Missing "
               "measures them)"));
        return;
    }
    std::vector<ResultsMeasurement> needs;
    CommandSettings settings;
    try {
        needs = studyMeasurements(*plan_, &settings);
    } catch (const std::exception& e) {
        messages_->showError(tr("Study not evaluated"), QString::fromStdString(e.what()));
        return;
    }
    if (needs.empty()) return;
    evaluating_ = true;
    Q_EMIT statusTextChanged(
        tr("Evaluating the study on WikiText-2, C4 and the six tasks: %1 models, one after "
           "another…")
            .arg(needs.size()));
    evaluator_->start(needs, settings);
}

void AblationRunner::loadResults() {
    results_.clear();
    results_.resize(plan_->variants().size());
    for (std::size_t i = 0; i < plan_->variants().size(); ++i) {
        AblationVariant& v = plan_->variants()[i];
        if (v.state != QLatin1String("finished")) continue;
        try {
            results_[i] = std::make_unique<RunData>(loadRun(v.path));
        } catch (const std::exception& e) {
            v.state = QStringLiteral("failed: ") + QString::fromStdString(e.what());
        }
    }
}

void AblationRunner::startNextVariant() {
    running_ = plan_->nextVariant();
    refreshView();
    if (running_ < 0) {
        Q_EMIT statusTextChanged(
            tr("Ablation finished: %1 variants").arg(plan_->variants().size()));
        evaluateStudy();
        return;
    }
    AblationVariant& v = plan_->variants()[std::size_t(running_)];
    SearchRunRequest request;
    request.experimentPath = v.path.toStdString();
    request.device = plan_->device().toStdString();
    request.dtype = plan_->dtype().toStdString();
    RunData run;
    run.path = v.path;
    run.settings = v.settings;
    if (QFileInfo::exists(v.path)) {
        // Interrupted earlier: carry on from its last checkpoint, as recorded.
        request.resume = true;
        request.device = request.dtype = "";
        try {
            run = loadRun(v.path);
        } catch (const std::exception& e) {
            variantEnded(QStringLiteral("failed: ") + QString::fromStdString(e.what()));
            return;
        }
    } else {
        request.modelPath = plan_->modelPath().toStdString();
        request.settings = v.settings;
        // Same base as an earlier variant: start from its AWQ/GPTQ results, not a new calibration.
        const int source = plan_->baseSource(running_);
        if (source >= 0 && QFileInfo::exists(plan_->variants()[std::size_t(source)].path))
            request.baseFrom = plan_->variants()[std::size_t(source)].path.toStdString();
    }
    v.state = QStringLiteral("running");
    save();
    live_->startQueued(request, run, v.settings.steps, plan_->device());
    refreshView();
}

void AblationRunner::variantEnded(const QString& outcome) {
    AblationVariant& v = plan_->variants()[std::size_t(running_)];
    v.state = outcome;
    if (outcome == QLatin1String("finished")) {
        try {
            results_[std::size_t(running_)] = std::make_unique<RunData>(loadRun(v.path));
        } catch (const std::exception& e) {
            v.state = QStringLiteral("failed: ") + QString::fromStdString(e.what());
        }
    }
    save();
    if (interrupted_ || outcome == QLatin1String("stopped")) {
        running_ = -1;
        interrupted_ = false;
        Q_EMIT statusTextChanged(
            tr("Ablation stopped; it continues where it was with Search > Continue Ablation"));
        refreshView();
        return;
    }
    startNextVariant();
}

void AblationRunner::save() {
    try {
        plan_->save();
    } catch (const std::exception& e) {
        messages_->showError(tr("Ablation queue not saved"), QString::fromStdString(e.what()));
    }
}

void AblationRunner::refreshView() {
    std::vector<const RunData*> results;
    for (const auto& r : results_) results.push_back(r.get());
    view_->display(plan(), results);
}

}  // namespace invx::gui
