#pragma once
// `invx study ACTION STUDY ...` in the background, for the window: submitting a study to Slurm,
// cancelling or resubmitting its tasks, or running it on this machine several variants at once.
// The command line does the work (app/invx/command-study.cpp); the window follows the files and
// the scheduler.
#include <QObject>
#include <QProcess>
#include <QStringList>

namespace invx::gui {

class StudyCommand : public QObject {
    Q_OBJECT
  public:
    explicit StudyCommand(QObject* parent = nullptr);
    ~StudyCommand() override;

    // The invx program: $INVX_PROGRAM, else beside the workbench or one folder up (the build
    // tree), else on PATH; "" when there is none.
    static QString invxProgram();
    bool running() const;
    // Starts `invx study ARGUMENTS`. False, with the reason in `error`, when invx is not found or
    // a command runs.
    bool start(const QStringList& arguments, QString* error);
    // Asks a running command to stop (SIGTERM: the searches it runs checkpoint and stop).
    void stop();

  Q_SIGNALS:
    // The command ended: exit status 0 (`ok`), and what it printed (stdout and stderr).
    void finished(bool ok, const QString& output);

  private:
    QProcess process_;
    QString output_;
};

}  // namespace invx::gui
