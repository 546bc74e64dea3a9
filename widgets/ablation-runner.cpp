#include "ablation-runner.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

#include "ablation-study.h"
#include "ablation-view.h"
#include "invx/error.h"
#include "invx/experiment-file.h"
#include "live-run-controller.h"
#include "message-sink.h"
#include "results-evaluator.h"
#include "run-loader.h"
#include "slurm-monitor.h"
#include "study-command.h"

namespace invx::gui {

namespace {
const QString kQueueSetting = QStringLiteral("ablation/queue");
constexpr int kFollowMilliseconds = 5000;

// Whether the file a process outside the window writes says its run finished.
bool fileFinished(const QString& path) {
    if (!QFileInfo::exists(path)) return false;
    try {
        return ExperimentFile::open(path.toStdString(), false).status() == "finished";
    } catch (const std::exception&) {
        return false;  // being created, or damaged: the next look tells
    }
}

QStringList slurmArguments(const SlurmOptions& o) {
    QStringList args{QStringLiteral("--slurm")};
    auto add = [&](const char* option, const std::string& value) {
        if (!value.empty()) args << QLatin1String(option) << QString::fromStdString(value);
    };
    add("--partition", o.partition);
    add("--account", o.account);
    add("--time", o.timeLimit);
    if (o.gpusPerTask > 0)
        args << QStringLiteral("--gpus-per-task") << QString::number(o.gpusPerTask);
    if (o.cpusPerTask > 0)
        args << QStringLiteral("--cpus-per-task") << QString::number(o.cpusPerTask);
    QStringList lines;
    for (const std::string& l : o.extraLines) lines << QString::fromStdString(l);
    if (!lines.isEmpty()) args << QStringLiteral("--sbatch") << lines.join(QLatin1Char(';'));
    return args;
}
}  // namespace

AblationRunner::AblationRunner(LiveRunController* live, AblationView* view, MessageSink* messages,
                               QObject* parent)
    : QObject(parent), live_(live), view_(view), messages_(messages) {
    connect(live_, &LiveRunController::ended, this, [this](const QString& outcome) {
        if (plan_ && running_ >= 0) variantEnded(outcome);
    });
    command_ = new StudyCommand(this);
    connect(command_, &StudyCommand::finished, this, &AblationRunner::commandFinished);
    monitor_ = new SlurmMonitor(this);
    connect(monitor_, &SlurmMonitor::updated, this, &AblationRunner::refreshView);
    connect(view_, &AblationView::cancelRequested, this, &AblationRunner::cancelOnCluster);
    connect(view_, &AblationView::resubmitRequested, this, &AblationRunner::resubmitOnCluster);
    followTimer_.setInterval(kFollowMilliseconds);
    connect(&followTimer_, &QTimer::timeout, this, &AblationRunner::followNow);
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
    if (options.slurm || options.parallel > 1) return startOutside(options, error);
    following_ = false;
    followTimer_.stop();
    startNextVariant();
    return true;
}

bool AblationRunner::startOutside(const StudyOptions& options, QString* error) {
    QStringList args;
    if (options.slurm) {
        args << QStringLiteral("submit") << plan_->file() << slurmArguments(*options.slurm);
    } else {
        args << QStringLiteral("run") << plan_->file() << QStringLiteral("--parallel")
             << QString::number(options.parallel);
        if (!options.gpus.trimmed().isEmpty())
            args << QStringLiteral("--gpus") << options.gpus.trimmed();
    }
    if (!command_->start(args, error)) return false;
    commandAction_ = args.front();
    Q_EMIT statusTextChanged(
        options.slurm
            ? tr("Submitting the study to Slurm…")
            : tr("Running the study on this machine, %1 variants at once…").arg(options.parallel));
    follow();
    return true;
}

void AblationRunner::follow() {
    following_ = true;
    running_ = -1;
    followTimer_.start();
    followNow();
}

void AblationRunner::followNow() {
    if (!plan_ || !following_) return;
    // The command line saves the plan as it goes (job ids, a local run's states): read it again,
    // keeping what was loaded of the finished variants.
    try {
        AblationPlan saved = AblationPlan::load(plan_->file());
        for (std::size_t i = 0; i < saved.variants().size() && i < plan_->variants().size(); ++i)
            if (plan_->variants()[i].state == QLatin1String("finished"))
                saved.variants()[i].state = plan_->variants()[i].state;
        plan_ = std::move(saved);
    } catch (const std::exception&) {  // being replaced this instant: the next look reads it
    }
    results_.resize(plan_->variants().size());
    for (std::size_t i = 0; i < plan_->variants().size(); ++i) {
        AblationVariant& v = plan_->variants()[i];
        if (v.state != QLatin1String("finished") && fileFinished(v.path))
            v.state = QStringLiteral("finished");
        if (v.state == QLatin1String("finished") && !results_[i]) {
            try {
                results_[i] = std::make_unique<RunData>(loadRun(v.path));
            } catch (const std::exception& e) {
                v.state = QStringLiteral("failed: ") + QString::fromStdString(e.what());
            }
        }
    }
    if (plan_->slurm()) {
        monitor_->setJobs(submissionJobIds(*plan_->slurm()));
        monitor_->poll();  // the view is refreshed again when it answers
    }
    refreshView();
}

void AblationRunner::commandFinished(bool ok, const QString& output) {
    const QString action = commandAction_;
    commandAction_.clear();
    if (!ok) {
        const QString title = action == QLatin1String("submit") ? tr("Study not submitted")
                              : action == QLatin1String("run")  ? tr("Study run ended with errors")
                              : action == QLatin1String("cancel") ? tr("Tasks not cancelled")
                                                                  : tr("Tasks not resubmitted");
        QString message = output;
        message.remove(QStringLiteral("invx: error: "));
        messages_->showError(title, message);
    }
    if (action == QLatin1String("run")) {
        followNow();
        following_ = false;
        followTimer_.stop();
        Q_EMIT statusTextChanged(
            tr("Study run on this machine ended: %1").arg(output.section(QLatin1Char('\n'), -1)));
        return;
    }
    if (ok) Q_EMIT statusTextChanged(output.section(QLatin1Char('\n'), -1));
    followNow();
}

void AblationRunner::cancelOnCluster(int variant) {
    if (!plan_ || !plan_->slurm()) return;
    QStringList args{QStringLiteral("cancel"), plan_->file()};
    if (variant >= 0) args << QStringLiteral("--variant") << QString::number(variant);
    QString error;
    if (!command_->start(args, &error))
        return messages_->showError(tr("Tasks not cancelled"), error);
    commandAction_ = QStringLiteral("cancel");
}

void AblationRunner::resubmitOnCluster() {
    if (!plan_ || !plan_->slurm()) return;
    QString error;
    if (!command_->start({QStringLiteral("resubmit"), plan_->file()}, &error))
        return messages_->showError(tr("Tasks not resubmitted"), error);
    commandAction_ = QStringLiteral("resubmit");
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
    if (plan_->slurm()) {  // the cluster runs it; the tab follows
        follow();
        return true;
    }
    following_ = false;
    followTimer_.stop();
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
    if (plan_->slurm()) {
        follow();
        Q_EMIT statusTextChanged(tr("Following the study on the Slurm cluster (%1)").arg(queue));
        return;
    }
    if (!plan_->done())
        Q_EMIT statusTextChanged(
            tr("An ablation is unfinished (%1); Search > Continue Ablation carries on with it")
                .arg(queue));
}

void AblationRunner::interrupt() {
    if (running_ >= 0) interrupted_ = true;
    if (commandAction_ == QLatin1String("run")) command_->stop();  // its searches checkpoint
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
    view_->display(plan(), results, plan_ && plan_->slurm() ? &monitor_->states() : nullptr);
}

}  // namespace invx::gui
