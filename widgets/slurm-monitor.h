#pragma once
// What Slurm says of a study's jobs, asked without blocking the window: squeue (the jobs the
// controller holds, ended ones included for a while) and, where it is installed and answers,
// sacct (the accounting database), read by the core (invx/slurm-study.h).
#include <QObject>
#include <QProcess>
#include <map>
#include <string>
#include <vector>

#include "invx/slurm-study.h"

namespace invx::gui {

class SlurmMonitor : public QObject {
    Q_OBJECT
  public:
    explicit SlurmMonitor(QObject* parent = nullptr);
    ~SlurmMonitor() override;

    // The jobs to ask about (ids without array task suffixes); none stops asking.
    void setJobs(const std::vector<std::string>& jobIds);
    // Asks squeue (then sacct) now, unless a question is under way.
    void poll();
    const std::map<std::string, SchedulerState>& states() const { return states_; }
    // A job's state ("12_3"), an array task falling back to its array's record.
    SchedulerState stateOf(const std::string& job) const;
    // Why the states are unknown ("squeue is not on PATH"); "" when they are known.
    const QString& problem() const { return problem_; }

  Q_SIGNALS:
    void updated();

  private:
    void askSacct();
    void finish();

    std::string ids_;  // comma-separated
    QProcess squeue_, sacct_;
    std::map<std::string, SchedulerState> fromSqueue_, states_;
    QString problem_;
};

}  // namespace invx::gui
