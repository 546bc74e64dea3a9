#pragma once
// An ablation's queue, run variant after variant: each starts through the live-run controller when
// the one before ends; its outcome is written into the queue, which is saved as it goes so that a
// later session carries on (finished variants stay, an interrupted one resumes from its file). A
// variant whose base quantization an earlier variant already made starts from that variant's file
// (the search's --base-from: AWQ or GPTQ runs once per base). When the plan asks for it, the end
// of the queue measures the study's variants on C4 and the six tasks through the ResultsEvaluator.
// The Ablation tab shows the queue, the study's table and the variants' search results.
// A study can also run outside the window: on a Slurm cluster (invx study submit --slurm) or on
// this machine several variants at once (invx study run); the runner then follows it: the
// variants' files as they finish, and the scheduler's state of each task (SlurmMonitor), and it
// cancels and resubmits the cluster's tasks through invx study.
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <memory>
#include <optional>
#include <vector>

#include "ablation-plan.h"
#include "invx/search-run.h"
#include "run-data.h"
#include "study-estimate.h"
#include "study-presets.h"

namespace invx::gui {

class AblationView;
class SlurmMonitor;
class StudyCommand;
class LiveRunController;
class MessageSink;
class ResultsEvaluator;

class AblationRunner : public QObject {
    Q_OBJECT
  public:
    // `messages` stays the caller's and must outlive this.
    AblationRunner(LiveRunController* live, AblationView* view, MessageSink* messages,
                   QObject* parent = nullptr);

    const AblationPlan* plan() const { return plan_ ? &*plan_ : nullptr; }
    // Saves a new queue of `axes` around `base` (with the options' fixed settings) in `folder` and
    // starts its first variant. False, with the reason in `error`, while a search runs or when the
    // queue cannot be made.
    bool start(const SearchRunRequest& base, const std::vector<AblationAxis>& axes,
               const QString& folder, QString* error = nullptr, const StudyOptions& options = {});
    // Reopens a saved queue and carries on with its next variant.
    bool carryOn(const QString& queueFile, QString* error = nullptr);
    // Shows the queue of the last session (QSettings' ablation/queue) without running it.
    void restoreLast();
    // The running variant's end, whatever it is, ends the queue (it stays saved to carry on later).
    void interrupt();
    // Who measures a finished study's variants when its plan asks for it (nullptr: nobody; the
    // study's table then names what is missing).
    void setEvaluator(ResultsEvaluator* evaluator);
    bool evaluating() const { return evaluating_; }
    // The measured pace of the queue's finished variants (for a new study's time estimate).
    std::vector<RunPace> paces() const;
    // The study runs outside the window (on Slurm, or invx study run) and the tab follows it.
    bool following() const { return following_; }
    // Cancels the cluster's tasks of `variant` (-1: of every variant); resubmits the tasks that
    // failed, timed out or were cancelled (they resume from their files). Errors go to the
    // message sink.
    void cancelOnCluster(int variant = -1);
    void resubmitOnCluster();
    SlurmMonitor* monitor() const { return monitor_; }
    // Looks at the files and asks the scheduler now (the follower's timer does every few seconds).
    void followNow();

  Q_SIGNALS:
    void statusTextChanged(const QString& text);

  private:
    void loadResults();
    void startNextVariant();
    void variantEnded(const QString& outcome);
    void save();
    void refreshView();
    // The study is done: measures what its table lacks, when the plan asks for it.
    void evaluateStudy();
    // Hands the saved plan to invx study (submit --slurm, or run --parallel) and follows it.
    bool startOutside(const StudyOptions& options, QString* error);
    void follow();
    void commandFinished(bool ok, const QString& output);

    LiveRunController* live_;
    AblationView* view_;
    MessageSink* messages_;
    std::optional<AblationPlan> plan_;
    int running_ = -1;  // the variant the live run is, -1 for none
    bool interrupted_ = false;
    QPointer<ResultsEvaluator> evaluator_;
    bool evaluating_ = false;                        // the evaluator measures this study's variants
    std::vector<std::unique_ptr<RunData>> results_;  // per variant, the finished ones' data
    StudyCommand* command_ = nullptr;
    QString commandAction_;  // what command_ runs: "submit", "run", "cancel", "resubmit"
    SlurmMonitor* monitor_ = nullptr;
    QTimer followTimer_;
    bool following_ = false;
};

}  // namespace invx::gui
