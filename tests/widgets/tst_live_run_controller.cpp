// The live-run controller on a fake launcher: a new run takes the worker's steps in batches,
// pauses, resumes and stops; a resumed run drops the steps it redoes; a finished run is read back
// from its file; failures reach the message sink (or, for a queued run, only its end); files that
// another process writes are followed.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <memory>
#include <optional>

#include "experiment-folder.h"
#include "fake-search-launcher.h"
#include "invx/experiment-file.h"
#include "live-run-controller.h"
#include "open-runs.h"
#include "recording-message-sink.h"
#include "run-loader.h"

using namespace invx;
using namespace invx::gui;

class TestLiveRunController : public QObject {
    Q_OBJECT

    test::ExperimentFolder folder_;
    std::unique_ptr<test::FakeSearchLauncher> launcher_;
    std::unique_ptr<OpenRuns> runs_;
    std::unique_ptr<test::RecordingMessageSink> messages_;
    std::unique_ptr<LiveRunController> live_;

    SearchRunRequest newRun(const QString& name, std::int64_t steps = 1000) const {
        SearchRunRequest request;
        request.experimentPath = folder_.file(name).toStdString();
        request.settings.steps = steps;
        request.device = "cpu";
        return request;
    }

  private Q_SLOTS:
    void init();
    void cleanup();
    void aNewRunTakesItsStepsInBatches();
    void theStatusLineFollowsTheRun();
    void pauseResumeAndStopGoThroughTheLauncher();
    void theStatusLineSaysPausedEvaluatingAndStopping();
    void rateAndTimeLeftLeaveOutPausedAndEvaluatingTime();
    void evaluationsAndCheckpointsJoinTheLiveRun();
    void aResumedRunDropsTheStepsItRedoes();
    void aFinishedRunCannotBeResumed();
    void aRunStoppedDuringOmniquantStaysToBeResumed();
    void aFinishedRunIsReadBackFromItsFile();
    void aFailureReachesTheSinkAndEndsTheRun();
    void aQueuedRunsFailureOnlyEndsIt();
    void followsAFileAnotherProcessWrites();
};

// Every test starts from nothing and leaves nothing behind, whatever it did or failed to do.
void TestLiveRunController::init() {
    launcher_ = std::make_unique<test::FakeSearchLauncher>();
    runs_ = std::make_unique<OpenRuns>();
    messages_ = std::make_unique<test::RecordingMessageSink>();
    live_ = std::make_unique<LiveRunController>(launcher_.get(), runs_.get(), messages_.get());
}

void TestLiveRunController::cleanup() {
    live_.reset();
    runs_.reset();
    messages_.reset();
    launcher_.reset();
}

void TestLiveRunController::aNewRunTakesItsStepsInBatches() {
    QSignalSpy changed(live_.get(), &LiveRunController::runsChanged);
    QSignalSpy grew(live_.get(), &LiveRunController::runsGrew);
    QSignalSpy state(live_.get(), &LiveRunController::searchStateChanged);
    QVERIFY(live_->startNew(newRun("new.h5")));
    QVERIFY(live_->running());
    QCOMPARE(changed.count(), 1);
    QCOMPARE(state.count(), 1);
    QCOMPARE(launcher_->requests.size(), std::size_t(1));
    QCOMPARE(runs_->all().size(), std::size_t(1));
    QCOMPARE(live_->liveRun(), runs_->all().front());
    QCOMPARE(live_->liveRun()->status, QString("running"));
    QVERIFY(!live_->startNew(newRun("second.h5")));  // one search at a time
    QCOMPARE(launcher_->requests.size(), std::size_t(1));

    launcher_->emitSteps(1, 10);
    QTRY_COMPARE(live_->liveRun()->stepCount(), std::size_t(10));
    QCOMPARE(grew.count(), 1);
    // Two batches within the redraw interval: taken and drawn once.
    const int takes = launcher_->takes;
    launcher_->emitSteps(11, 20);
    launcher_->emitSteps(21, 25);
    QTRY_COMPARE(live_->liveRun()->stepCount(), std::size_t(25));
    QCOMPARE(launcher_->takes, takes + 1);
    QCOMPARE(grew.count(), 2);
    QCOMPARE(live_->liveRun()->step.back(), 25.0);
}

void TestLiveRunController::theStatusLineFollowsTheRun() {
    QVERIFY(live_->rateText().isEmpty() && live_->progressText().isEmpty() &&
            live_->deviceText().isEmpty());
    QVERIFY(live_->startNew(newRun("rate.h5", 2000)));
    QCOMPARE(live_->deviceText(), QString("device: cpu"));
    launcher_->emitSteps(1, 10);
    QTRY_COMPARE(live_->liveRun()->stepCount(), std::size_t(10));
    QCOMPARE(live_->rateText(), QString("0.00 steps/s"));  // the clock has just started
    QCOMPARE(live_->progressText(), QString("step 10 of 2000, – left"));
    QTest::qWait(600);
    launcher_->emitSteps(11, 110);
    QTRY_COMPARE(live_->liveRun()->stepCount(), std::size_t(110));
    QVERIFY2(live_->rateText().endsWith(" steps/s") && live_->rateText() != "0.00 steps/s",
             qPrintable(live_->rateText()));
    QVERIFY2(live_->progressText().startsWith("step 110 of 2000, ") &&
                 !live_->progressText().contains("–"),
             qPrintable(live_->progressText()));
    launcher_->finish(true, 110);
    QVERIFY(live_->rateText().isEmpty() && live_->progressText().isEmpty() &&
            live_->deviceText().isEmpty());
}

void TestLiveRunController::pauseResumeAndStopGoThroughTheLauncher() {
    QSignalSpy status(live_.get(), &LiveRunController::statusTextChanged);
    live_->pauseOrResume();  // nothing runs: nothing happens
    QCOMPARE(status.count(), 0);
    QVERIFY(live_->startNew(newRun("steer.h5")));
    live_->pauseOrResume();
    QVERIFY(launcher_->paused());
    QCOMPARE(status.last().front().toString(), QString("Paused"));
    live_->pauseOrResume();
    QVERIFY(!launcher_->paused());
    QCOMPARE(status.last().front().toString(), QString("Starting…"));  // no step yet
    live_->stop();
    QCOMPARE(launcher_->stops, 1);
    QCOMPARE(status.last().front().toString(),
             QString("Stopping: finishing the step and writing a checkpoint…"));
    Q_EMIT launcher_->message("Writing checkpoint 3");
    QCOMPARE(status.last().front().toString(), QString("Writing checkpoint 3"));
}

void TestLiveRunController::theStatusLineSaysPausedEvaluatingAndStopping() {
    using Activity = LiveRunController::Activity;
    QSignalSpy status(live_.get(), &LiveRunController::statusTextChanged);
    QCOMPARE(live_->activity(), Activity::Idle);
    QVERIFY(live_->startNew(newRun("states.h5")));
    QCOMPARE(live_->activity(), Activity::Starting);
    Q_EMIT launcher_->message("loading the model from opt-demo");
    QCOMPARE(status.last().front().toString(), QString("loading the model from opt-demo"));
    launcher_->emitSteps(1, 20);
    QTRY_COMPARE(live_->activity(), Activity::Running);
    QCOMPARE(status.last().front().toString(), QString("Running"));
    // The core says "evaluating perplexity", then that the evaluation started: the line says so
    // until it ends, and the search's other notes do not cover it.
    Q_EMIT launcher_->message("evaluating perplexity");
    Q_EMIT launcher_->evaluationStarted(20);
    QCOMPARE(live_->activity(), Activity::Evaluating);
    QCOMPARE(status.last().front().toString(), QString("Evaluating perplexity after step 20…"));
    Q_EMIT launcher_->message("writing a checkpoint");
    QCOMPARE(status.last().front().toString(), QString("Evaluating perplexity after step 20…"));
    EvaluationRecord e;
    e.step = 20;
    e.perplexity = 280;
    Q_EMIT launcher_->evaluationReady(e);
    QCOMPARE(live_->activity(), Activity::Running);
    QCOMPARE(status.last().front().toString(), QString("Running"));
    live_->pauseOrResume();
    QCOMPARE(live_->activity(), Activity::Paused);
    QCOMPARE(status.last().front().toString(), QString("Paused at step 20"));
    Q_EMIT launcher_->message("writing a checkpoint");  // a pause stays in view
    QCOMPARE(status.last().front().toString(), QString("Paused at step 20"));
    launcher_->emitSteps(21, 21);  // the step it was finishing when Pause was pressed
    QTRY_COMPARE(status.last().front().toString(), QString("Paused at step 21"));
    live_->pauseOrResume();
    QCOMPARE(status.last().front().toString(), QString("Running"));
    live_->stop();
    QCOMPARE(live_->activity(), Activity::Stopping);
    QCOMPARE(status.last().front().toString(),
             QString("Stopping: finishing the step and writing a checkpoint…"));
    launcher_->finish(true, 21);
    QCOMPARE(live_->activity(), Activity::Idle);
    QVERIFY(status.last().front().toString().startsWith("Stopped after 21 steps"));
}

void TestLiveRunController::rateAndTimeLeftLeaveOutPausedAndEvaluatingTime() {
    std::int64_t nowMs = 0;  // a clock the test advances by hand
    live_->setTimeSource([&nowMs] { return nowMs; });
    QVERIFY(live_->startNew(newRun("clock.h5", 1000)));
    launcher_->emitSteps(1, 10);  // the clock starts from the first batch
    QTRY_COMPARE(live_->liveRun()->stepCount(), std::size_t(10));
    nowMs += 10000;
    launcher_->emitSteps(11, 30);
    QTRY_COMPARE(live_->liveRun()->stepCount(), std::size_t(30));
    QCOMPARE(live_->rateText(), QString("2.00 steps/s"));  // 20 steps in 10 s
    live_->pauseOrResume();
    nowMs += 100000;  // 100 s paused
    QCOMPARE(live_->rateText(), QString("2.00 steps/s"));
    live_->pauseOrResume();
    nowMs += 10000;
    launcher_->emitSteps(31, 50);
    QTRY_COMPARE(live_->liveRun()->stepCount(), std::size_t(50));
    QCOMPARE(live_->rateText(), QString("2.00 steps/s"));  // 40 steps in 20 s of running
    Q_EMIT launcher_->evaluationStarted(50);
    nowMs += 30000;  // 30 s evaluating
    EvaluationRecord e;
    e.step = 50;
    Q_EMIT launcher_->evaluationReady(e);
    nowMs += 10000;
    launcher_->emitSteps(51, 70);
    QTRY_COMPARE(live_->liveRun()->stepCount(), std::size_t(70));
    QCOMPARE(live_->rateText(), QString("2.00 steps/s"));  // 60 steps in 30 s of running
    // 930 steps left at 2 a second.
    QCOMPARE(live_->progressText(), QString("step 70 of 1000, 7 min 45 s left"));
    launcher_->finish(true, 70);
    live_->setTimeSource({});  // the hand clock goes out of scope
}

void TestLiveRunController::evaluationsAndCheckpointsJoinTheLiveRun() {
    QSignalSpy grew(live_.get(), &LiveRunController::runsGrew);
    QSignalSpy updated(live_.get(), &LiveRunController::runsUpdated);
    QVERIFY(live_->startNew(newRun("records.h5")));
    BaseResult base;
    base.ce0 = 8.5;
    Q_EMIT launcher_->baseReady(base);
    QCOMPARE(updated.count(), 1);
    QCOMPARE(live_->liveRun()->base->ce0, 8.5);
    launcher_->emitSteps(1, 4);
    EvaluationRecord e;
    e.step = 4;
    e.perplexity = 290;
    Q_EMIT launcher_->evaluationReady(e);  // takes the steps before it at once
    QCOMPARE(live_->liveRun()->stepCount(), std::size_t(4));
    QCOMPARE(live_->liveRun()->evaluations.size(), std::size_t(1));
    QVERIFY(grew.count() >= 1);
    launcher_->emitSteps(5, 5);
    Q_EMIT launcher_->checkpointReady(5);
    QCOMPARE(live_->liveRun()->checkpointSteps, (std::vector<std::int64_t>{5}));
    QCOMPARE(live_->liveRun()->stepCount(), std::size_t(5));
}

void TestLiveRunController::aResumedRunDropsTheStepsItRedoes() {
    auto stopped = std::make_unique<RunData>();
    stopped->path = folder_.file("resumed.h5");
    stopped->status = QStringLiteral("stopped");
    stopped->settings.steps = 100;
    stopped->model.device = "cpu";
    for (std::int64_t i = 1; i <= 20; ++i) stopped->append(test::FakeSearchLauncher::step(i));
    RunData* run = runs_->add(std::move(stopped));
    QSignalSpy grew(live_.get(), &LiveRunController::runsGrew);
    QSignalSpy updated(live_.get(), &LiveRunController::runsUpdated);
    QVERIFY(live_->resume(run));
    const SearchRunRequest& request = launcher_->requests.back();
    QVERIFY(request.resume);
    QCOMPARE(QString::fromStdString(request.experimentPath), run->path);
    QCOMPARE(request.device, std::string());
    QCOMPARE(run->status, QString("running"));
    // The last checkpoint was at step 15: steps 16..20 are done again.
    launcher_->emitSteps(16, 30);
    QTRY_COMPARE(run->stepCount(), std::size_t(30));
    QCOMPARE(updated.count(), 1);  // redrawn whole: steps were dropped
    QCOMPARE(grew.count(), 0);
    for (std::size_t i = 0; i < run->step.size(); ++i) QCOMPARE(run->step[i], double(i + 1));
    launcher_->emitSteps(31, 35);
    QTRY_COMPARE(run->stepCount(), std::size_t(35));
    QCOMPARE(grew.count(), 1);  // then it only grows
}

void TestLiveRunController::aFinishedRunCannotBeResumed() {
    auto finished = std::make_unique<RunData>();
    finished->path = folder_.file("done.h5");
    finished->status = QStringLiteral("finished");
    finished->settings.steps = 10;
    for (std::int64_t i = 1; i <= 10; ++i) finished->append(test::FakeSearchLauncher::step(i));
    RunData* run = runs_->add(std::move(finished));
    QVERIFY(!live_->resume(run));
    QVERIFY(launcher_->requests.empty());
    QCOMPARE(messages_->errors.size(), std::size_t(1));
    QCOMPARE(messages_->errors.front().title, QString("Nothing to resume"));
    QCOMPARE(messages_->errors.front().sentence,
             QString("experiment '%1' has finished all 10 of its steps").arg(run->path));
}

void TestLiveRunController::aRunStoppedDuringOmniquantStaysToBeResumed() {
    // Stopped before its first checkpoint, while OmniQuant trained: no file at its path yet (the
    // core keeps FILE.part), but the run stays in the list, and Resume goes on with it.
    SearchRunRequest request = newRun("omniquant.h5", 100);
    request.settings.base = "omniquant";
    QVERIFY(live_->startNew(request));
    RunData* run = runs_->find(QString::fromStdString(request.experimentPath));
    QVERIFY(run && run == live_->liveRun());
    QSignalSpy status(live_.get(), &LiveRunController::statusTextChanged);
    launcher_->finishStoppedInBaseMethod();
    QVERIFY(!live_->liveRun());
    QCOMPARE(status.last().front().toString(),
             QString("Stopped during OmniQuant's training; resume it from the Experiments list"));
    QCOMPARE(run->status, QString("stopped"));
    QVERIFY(live_->resume(run));
    QCOMPARE(launcher_->requests.size(), std::size_t(2));
    QVERIFY(launcher_->requests.back().resume);
    QCOMPARE(launcher_->requests.back().experimentPath, request.experimentPath);
}

void TestLiveRunController::aFinishedRunIsReadBackFromItsFile() {
    // The worker wrote the file (here: a synthetic one of 100 steps); the run in view becomes it.
    const QString path = folder_.synthetic("finished.h5");
    SearchRunRequest request = newRun("finished.h5", 100);
    QVERIFY(live_->startNew(request));
    const RunData* run = live_->liveRun();
    launcher_->emitSteps(1, 3);
    QSignalSpy ended(live_.get(), &LiveRunController::ended);
    QSignalSpy status(live_.get(), &LiveRunController::statusTextChanged);
    launcher_->finish(false, 100);
    QCOMPARE(ended.count(), 1);
    QCOMPARE(ended.front().front().toString(), QString("finished"));
    QVERIFY(!live_->liveRun());
    QCOMPARE(run->stepCount(), std::size_t(100));
    QCOMPARE(run->status, QString("finished"));
    QCOMPARE(run->path, path);
    QCOMPARE(status.last().front().toString(), QString("Finished 100 steps in 50 s"));
    QVERIFY(messages_->errors.empty());
}

void TestLiveRunController::aFailureReachesTheSinkAndEndsTheRun() {
    QVERIFY(live_->startNew(newRun("never-written.h5")));
    QSignalSpy ended(live_.get(), &LiveRunController::ended);
    QSignalSpy status(live_.get(), &LiveRunController::statusTextChanged);
    launcher_->fail("model directory 'nowhere' expects config.json, but it is missing");
    QCOMPARE(messages_->errors.size(), std::size_t(1));
    QCOMPARE(messages_->errors.front().title, QString("Search failed"));
    QCOMPARE(messages_->errors.front().sentence,
             QString("model directory 'nowhere' expects config.json, but it is missing"));
    QCOMPARE(ended.front().front().toString(),
             QString("failed: model directory 'nowhere' expects config.json, but it is missing"));
    QCOMPARE(status.last().front().toString(), QString("Search failed"));
    QVERIFY(runs_->empty());  // it failed before its file existed: nothing to show
    QVERIFY(!live_->liveRun());
}

void TestLiveRunController::aQueuedRunsFailureOnlyEndsIt() {
    // An ablation's variant interrupted earlier, open in the window: it carries on from its file.
    const QString path = folder_.synthetic("variant.h5");
    RunData* open = runs_->add(std::make_unique<RunData>(loadRun(path)));
    SearchRunRequest request;
    request.experimentPath = path.toStdString();
    request.resume = true;
    QSignalSpy ended(live_.get(), &LiveRunController::ended);
    live_->startQueued(request, loadRun(path), 100, "cpu");
    QCOMPARE(runs_->all().size(),
             std::size_t(1));  // it takes the place of the open run of its file
    QCOMPARE(live_->liveRun(), open);
    QCOMPARE(open->status, QString("running"));
    launcher_->fail("out of memory");
    QVERIFY(messages_->errors.empty());  // the queue records it
    QCOMPARE(ended.front().front().toString(), QString("failed: out of memory"));
    QCOMPARE(open->status, QString("stopped"));  // its file stays in view
}

void TestLiveRunController::followsAFileAnotherProcessWrites() {
    test::SyntheticRun spec;
    spec.steps = 50;
    spec.status = "running";
    const QString path = folder_.synthetic("elsewhere.h5", spec);
    // Its writer (another process, here a handle that holds the file's write lock) goes on.
    std::optional<ExperimentFile> writer(ExperimentFile::open(path.toStdString(), true));
    RunData* run = runs_->add(std::make_unique<RunData>(loadRun(path)));
    QCOMPARE(run->status, QString("running"));
    QSignalSpy grew(live_.get(), &LiveRunController::runsGrew);
    live_->followFiles();
    QCOMPARE(grew.count(), 0);  // nothing new
    writer->appendSteps({test::FakeSearchLauncher::step(51), test::FakeSearchLauncher::step(52)});
    writer->flush();
    live_->followFiles();
    QCOMPARE(grew.count(), 1);
    QCOMPARE(run->stepCount(), std::size_t(52));
    QCOMPARE(run->step.back(), 52.0);
    writer->setStatus("stopped");
    writer.reset();
    live_->followFiles();
    QCOMPARE(run->status, QString("stopped"));
    live_->followFiles();
    QCOMPARE(grew.count(), 2);  // the status changed once; a stopped file is not read again
}

QTEST_MAIN(TestLiveRunController)
#include "tst_live_run_controller.moc"
