#pragma once
// The live search and the runs that grow while they are shown. It starts, resumes, pauses and
// stops the search through the SearchLauncher; takes the worker's steps in batches into the live
// run (one redraw per batch, at most one every 40 ms); says what the search is doing (starting,
// running, evaluating, paused, stopping) and keeps the rate clock (steps per second and time left
// over the running time alone: paused and evaluating spans do not count); rereads the open files
// that another process is writing; and keeps the inspector on the run it shows as that run gains
// checkpoints. Views hear of all this through its signals.
#include <QObject>
#include <QTimer>
#include <cstdint>
#include <functional>

#include "invx/search-records.h"
#include "invx/search-run.h"
#include "run-data.h"
#include "running-clock.h"

namespace invx::gui {

class InspectorView;
class MessageSink;
class OpenRuns;
class SearchLauncher;

class LiveRunController : public QObject {
    Q_OBJECT
  public:
    // `runs` and `messages` stay the caller's and must outlive this.
    LiveRunController(SearchLauncher* launcher, OpenRuns* runs, MessageSink* messages,
                      QObject* parent = nullptr);

    // What the search is doing, as the status line's left side says it.
    enum class Activity { Idle, Starting, Running, Evaluating, Paused, Stopping };

    // The inspector to keep on the run it shows (nullptr: none).
    void setInspector(InspectorView* inspector) { inspector_ = inspector; }

    bool running() const;
    bool paused() const;
    Activity activity() const;
    const RunData* liveRun() const { return live_; }
    // The rate clock's time source in milliseconds (a test's hand-advanced clock).
    void setTimeSource(RunningClock::TimeSource now) { clock_.setTimeSource(std::move(now)); }

    // A new run of `request` (checked already); its run joins the open runs. False while a search
    // runs.
    bool startNew(const SearchRunRequest& request);
    // Carries the open `run` on from its last checkpoint. False while a search runs, and with an
    // error to the sink when the run has done all its steps.
    bool resume(RunData* run);
    // A run of a queue (an ablation's variant): `run` is what is known of it (its file's steps when
    // `request` resumes it); it takes the place of the open run of its file, or joins the open
    // runs. Its failure goes to ended() alone, for the queue to record.
    void startQueued(const SearchRunRequest& request, const RunData& run, std::int64_t targetSteps,
                     const QString& device);
    void pauseOrResume();
    // The search finishes its step, writes a checkpoint and ends; ended() follows.
    void stop();
    // Reads what the files of open runs that another process writes have gained since (the window
    // calls it about once a second).
    void followFiles();

    // The status line's parts; empty while no search runs. "Paused", "Evaluating perplexity at
    // step 500…"; "12.5 steps/s", "step 120 of 2000, 2 min 40 s left" (over running time), "device:
    // cpu".
    QString activityText() const;
    QString rateText() const;
    QString progressText() const;
    QString deviceText() const;

  Q_SIGNALS:
    void statusTextChanged(const QString& text);
    // Runs joined or left the open runs, or one was reread whole: the runs in view change.
    void runsChanged();
    // Open runs gained steps or evaluations at their ends and nothing else: the figures extend.
    void runsGrew();
    // Open runs changed otherwise (a base result; steps dropped on a resume): redrawn whole.
    void runsUpdated();
    // A search started, paused, resumed or ended.
    void searchStateChanged();
    // The live run ended: "finished", "stopped" or "failed: <sentence>".
    void ended(const QString& outcome);

  private:
    void makeLive(RunData* run, std::int64_t targetSteps, const QString& device,
                  std::int64_t resumeCut);
    void launch(const SearchRunRequest& request, bool reportFailure);
    void takeLiveSteps();
    void clockSteps(std::int64_t lastStep);
    void followInspectedRun(const RunData& run);
    void onBase(const BaseResult& base);
    void onEvaluationStarted(qint64 step);
    void onEvaluation(const EvaluationRecord& evaluation);
    void onCheckpoint(qint64 step);
    void onFinished(const SearchSummary& summary);
    void onFailed(const QString& error);
    void onMessage(const QString& text);
    // After a change of activity: the clock counts only while the search steps; the status line
    // hears the new activity.
    void reportActivity();

    SearchLauncher* launcher_;
    OpenRuns* runs_;
    MessageSink* messages_;
    InspectorView* inspector_ = nullptr;
    RunData* live_ = nullptr;
    std::int64_t target_ = 0;
    std::int64_t resumeCut_ =
        -1;  // a resumed live run drops its recorded steps from the first new one
    QString device_;
    bool reportFailure_ = true;  // a queue records its runs' failures instead
    QTimer redraw_;              // coalesces bursts of steps into one redraw
    RunningClock clock_;
    std::int64_t rateFirstStep_ = -1;  // -1: the clock restarts with the next steps
    double stepsPerSecond_ = 0;
    bool evaluating_ = false, stopping_ = false;
    bool stepped_ = false;          // steps arrived since the start (else: still starting)
    std::int64_t evaluatedAt_ = 0;  // the step the running evaluation follows
};

}  // namespace invx::gui
