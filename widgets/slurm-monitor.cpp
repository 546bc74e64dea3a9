#include "slurm-monitor.h"

#include <QStandardPaths>

namespace invx::gui {
namespace {

QStringList qtArguments(const std::vector<std::string>& args) {
    QStringList out;
    for (const std::string& a : args) out << QString::fromStdString(a);
    return out;
}

}  // namespace

SlurmMonitor::SlurmMonitor(QObject* parent) : QObject(parent) {
    connect(&squeue_, &QProcess::finished, this, [this](int code, QProcess::ExitStatus) {
        const QString out = QString::fromUtf8(squeue_.readAllStandardOutput());
        fromSqueue_ = parseSchedulerStates(out.toStdString());
        problem_ = code == 0
                       ? QString()
                       : tr("squeue failed: %1")
                             .arg(QString::fromUtf8(squeue_.readAllStandardError()).trimmed());
        askSacct();
    });
    connect(&squeue_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e != QProcess::FailedToStart) return;
        problem_ = tr("squeue could not be started: %1").arg(squeue_.errorString());
        fromSqueue_.clear();
        askSacct();
    });
    connect(&sacct_, &QProcess::finished, this, [this](int code, QProcess::ExitStatus) {
        states_.clear();
        // Without accounting storage sacct says so and exits with an error: squeue alone, then.
        if (code == 0) states_ = parseSchedulerStates(sacct_.readAllStandardOutput().toStdString());
        finish();
    });
    connect(&sacct_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e != QProcess::FailedToStart) return;
        states_.clear();
        finish();
    });
}

SlurmMonitor::~SlurmMonitor() {
    for (QProcess* p : {&squeue_, &sacct_})
        if (p->state() != QProcess::NotRunning) {
            p->kill();
            p->waitForFinished(1000);
        }
}

void SlurmMonitor::setJobs(const std::vector<std::string>& jobIds) {
    ids_.clear();
    for (const std::string& id : jobIds) ids_ += (ids_.empty() ? "" : ",") + id;
    if (ids_.empty()) states_.clear();
}

void SlurmMonitor::poll() {
    if (ids_.empty() || squeue_.state() != QProcess::NotRunning ||
        sacct_.state() != QProcess::NotRunning)
        return;
    const QString squeue = QStandardPaths::findExecutable(QStringLiteral("squeue"));
    if (squeue.isEmpty()) {
        problem_ = tr("squeue is not on PATH: the cluster's states are unknown here");
        fromSqueue_.clear();
        askSacct();
        return;
    }
    squeue_.start(squeue, qtArguments(squeueArguments(ids_)));
}

void SlurmMonitor::askSacct() {
    const QString sacct = QStandardPaths::findExecutable(QStringLiteral("sacct"));
    if (sacct.isEmpty()) {
        states_.clear();
        finish();
        return;
    }
    sacct_.start(sacct, qtArguments(sacctArguments(ids_)));
}

void SlurmMonitor::finish() {
    // squeue's word is the newer one where both know a job.
    for (const auto& [id, state] : fromSqueue_) states_[id] = state;
    Q_EMIT updated();
}

SchedulerState SlurmMonitor::stateOf(const std::string& job) const {
    return schedulerStateOf(states_, job);
}

}  // namespace invx::gui
