// The ablation runner on a fake launcher: variants run one after another and their outcomes are
// saved in the queue; a stop ends the queue, which carries on later from the interrupted variant;
// a failed variant is recorded and the next starts; a queue left unfinished shows at start-up;
// variants of one base quantization calibrate it once, and a study evaluates its variants at the
// end.
#include <QAbstractItemModelTester>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

#include "ablation-runner.h"
#include "ablation-view.h"
#include "fake-search-launcher.h"
#include "live-run-controller.h"
#include "open-runs.h"
#include "recording-message-sink.h"
#include "results-evaluator.h"
#include "study-table-view.h"
#include "synthetic-experiment.h"

using namespace invx;
using namespace invx::gui;

namespace {

// Measures nothing: records what it was asked and ends when the test says.
class FakeEvaluator : public ResultsEvaluator {
  public:
    bool running() const override { return running_; }
    void start(const std::vector<ResultsMeasurement>& needs,
               const CommandSettings& settings) override {
        this->needs = needs, this->settings = settings, running_ = true, ++starts;
    }
    void stop() override {}
    void end() {
        running_ = false;
        Q_EMIT finished(false);
    }
    std::vector<ResultsMeasurement> needs;
    CommandSettings settings;
    int starts = 0;

  private:
    bool running_ = false;
};

}  // namespace

class TestAblationRunner : public QObject {
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> dir_;
    std::unique_ptr<test::FakeSearchLauncher> launcher_;
    std::unique_ptr<OpenRuns> runs_;
    std::unique_ptr<test::RecordingMessageSink> messages_;
    std::unique_ptr<LiveRunController> live_;
    std::unique_ptr<AblationView> view_;
    std::unique_ptr<AblationRunner> runner_;
    std::vector<std::unique_ptr<QAbstractItemModelTester>> testers_;

    QString folder() const { return dir_->filePath("ablation"); }
    bool start(QString* error = nullptr) {
        SearchRunRequest base;
        base.modelPath = "opt-demo";
        base.device = "cpu";
        base.settings.steps = 6;
        return runner_->start(base, {{"invariances", {"P", "PSR"}}}, folder(), error);
    }
    // The worker ends the running variant, its file written (as a synthetic run of its settings).
    void finishVariant(int index, bool stopped = false) {
        const AblationVariant& v = runner_->plan()->variants()[std::size_t(index)];
        test::SyntheticRun spec;
        spec.settings = v.settings;
        spec.steps = 6;
        spec.status = stopped ? "stopped" : "finished";
        spec.lastCheckpoint = true;  // what a study's table reads
        QFile::remove(v.path);       // a resumed variant's file is written anew here
        test::writeSyntheticExperiment(v.path, spec);
        launcher_->finish(stopped, 6);
    }
    QStringList states() const {
        QStringList out;
        for (const AblationVariant& v : runner_->plan()->variants()) out << v.state;
        return out;
    }

  private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void variantsRunOneAfterAnother();
    void aStopEndsTheQueueWhichCarriesOnLater();
    void aFailedVariantIsRecordedAndTheNextStarts();
    void aFolderWithAQueueIsRefused();
    void nothingStartsWhileASearchRuns();
    void anUnfinishedQueueShowsAtStartUp();
    void eachBaseIsCalibratedOnceAndTheStudyEvaluatedAtTheEnd();
    void aStudyOnSlurmIsFollowedWithItsSchedulerStates();
};

void TestAblationRunner::initTestCase() { QStandardPaths::setTestModeEnabled(true); }

// A fresh runner, view and folder for every test: one that fails leaves nothing to the next.
void TestAblationRunner::init() {
    QSettings().clear();
    dir_ = std::make_unique<QTemporaryDir>();
    launcher_ = std::make_unique<test::FakeSearchLauncher>();
    runs_ = std::make_unique<OpenRuns>();
    messages_ = std::make_unique<test::RecordingMessageSink>();
    live_ = std::make_unique<LiveRunController>(launcher_.get(), runs_.get(), messages_.get());
    view_ = std::make_unique<AblationView>();
    for (QAbstractItemModel* m :
         std::initializer_list<QAbstractItemModel*>{view_->queueModel(), view_->summaryModel()})
        testers_.push_back(std::make_unique<QAbstractItemModelTester>(
            m, QAbstractItemModelTester::FailureReportingMode::QtTest));
    runner_ = std::make_unique<AblationRunner>(live_.get(), view_.get(), messages_.get());
}

void TestAblationRunner::cleanup() {
    runner_.reset();
    testers_.clear();
    view_.reset();
    live_.reset();
    runs_.reset();
    messages_.reset();
    launcher_.reset();
    dir_.reset();
}

void TestAblationRunner::variantsRunOneAfterAnother() {
    QSignalSpy status(runner_.get(), &AblationRunner::statusTextChanged);
    QString error;
    QVERIFY2(start(&error), qPrintable(error));
    QCOMPARE(states(), (QStringList{"running", "pending"}));
    QCOMPARE(launcher_->requests.size(), std::size_t(1));
    const SearchRunRequest& first = launcher_->requests.front();
    QCOMPARE(QString::fromStdString(first.experimentPath), runner_->plan()->variants()[0].path);
    QCOMPARE(first.settings.invariances, std::string("P"));
    QCOMPARE(first.modelPath, std::string("opt-demo"));
    QVERIFY(!first.resume);
    QCOMPARE(view_->queueModel()->rowCount(), 2);

    finishVariant(0);
    QCOMPARE(states(), (QStringList{"finished", "running"}));
    QCOMPARE(launcher_->requests.size(), std::size_t(2));
    QCOMPARE(launcher_->requests.back().settings.invariances, std::string("PSR"));
    finishVariant(1);
    QCOMPARE(states(), (QStringList{"finished", "finished"}));
    QCOMPARE(launcher_->requests.size(), std::size_t(2));
    QCOMPARE(status.last().front().toString(), QString("Ablation finished: 2 variants"));
    QCOMPARE(view_->summaryModel()->rowCount(), 2);
    // Saved as it went.
    const AblationPlan saved = AblationPlan::load(QDir(folder()).filePath("ablation.json"));
    QVERIFY(saved.done());
    QCOMPARE(QSettings().value("ablation/queue").toString(), saved.file());
    QVERIFY(messages_->errors.empty());
}

void TestAblationRunner::aStopEndsTheQueueWhichCarriesOnLater() {
    QSignalSpy status(runner_.get(), &AblationRunner::statusTextChanged);
    QVERIFY(start());
    runner_->interrupt();
    finishVariant(0, /*stopped=*/true);
    QCOMPARE(states(), (QStringList{"stopped", "pending"}));
    QCOMPARE(launcher_->requests.size(), std::size_t(1));  // nothing more started
    QCOMPARE(
        status.last().front().toString(),
        QString("Ablation stopped; it continues where it was with Search > Continue Ablation"));
    // Carried on: the stopped variant resumes from its file, as recorded.
    QString error;
    QVERIFY2(runner_->carryOn(QDir(folder()).filePath("ablation.json"), &error), qPrintable(error));
    QCOMPARE(launcher_->requests.size(), std::size_t(2));
    QVERIFY(launcher_->requests.back().resume);
    QCOMPARE(launcher_->requests.back().device, std::string());
    QCOMPARE(QString::fromStdString(launcher_->requests.back().experimentPath),
             runner_->plan()->variants()[0].path);
    QCOMPARE(states(), (QStringList{"running", "pending"}));
    // An interrupt asked while no variant ran does not stop the next queue.
    finishVariant(0);
    QCOMPARE(states(), (QStringList{"finished", "running"}));
}

void TestAblationRunner::aFailedVariantIsRecordedAndTheNextStarts() {
    QVERIFY(start());
    launcher_->fail("out of memory");
    QCOMPARE(states(), (QStringList{"failed: out of memory", "running"}));
    QVERIFY(messages_->errors.empty());  // recorded in the queue, not shown as a dialog
    QCOMPARE(launcher_->requests.size(), std::size_t(2));
}

void TestAblationRunner::aFolderWithAQueueIsRefused() {
    QVERIFY(start());
    launcher_->fail("stopped for the test");
    launcher_->fail("stopped for the test");
    QString error;
    QVERIFY(!start(&error));
    QVERIFY2(error.contains("already holds an ablation"), qPrintable(error));
    QVERIFY(!runner_->plan());
}

void TestAblationRunner::nothingStartsWhileASearchRuns() {
    SearchRunRequest request;
    request.experimentPath = dir_->filePath("alone.h5").toStdString();
    QVERIFY(live_->startNew(request));
    QString error;
    QVERIFY(!start(&error));
    QCOMPARE(error,
             QString("a search is running; stop it or wait for it before starting an ablation"));
    QVERIFY(!runner_->carryOn(dir_->filePath("ablation/ablation.json"), &error));
    QCOMPARE(error, QString("a search is running; wait for it before continuing an ablation"));
    QCOMPARE(launcher_->requests.size(), std::size_t(1));
}

void TestAblationRunner::anUnfinishedQueueShowsAtStartUp() {
    QVERIFY(start());
    runner_->interrupt();
    finishVariant(0, true);
    // A later session: a new runner reads the queue the settings name, and runs nothing.
    AblationView view;
    AblationRunner later(live_.get(), &view, messages_.get());
    QSignalSpy status(&later, &AblationRunner::statusTextChanged);
    later.restoreLast();
    QVERIFY(later.plan());
    QCOMPARE(later.plan()->variants()[0].state, QString("stopped"));
    QCOMPARE(status.count(), 1);
    QVERIFY(status.front().front().toString().startsWith("An ablation is unfinished ("));
    QCOMPARE(view.queueModel()->rowCount(), 2);
    QCOMPARE(launcher_->requests.size(), std::size_t(1));
}

// Bits {2, 3} x invariances {P, P+S+R} over AWQ: the second variant of each bit width starts from
// the first one's file (--base-from); at the end the study measures the two base models and the
// four searched ones on WikiText-2, C4 and the six tasks, on the whole data.
void TestAblationRunner::eachBaseIsCalibratedOnceAndTheStudyEvaluatedAtTheEnd() {
    FakeEvaluator evaluator;
    runner_->setEvaluator(&evaluator);
    QSignalSpy status(runner_.get(), &AblationRunner::statusTextChanged);
    SearchRunRequest base;
    base.modelPath = "opt-demo";
    base.device = "cpu";
    base.settings.steps = 6;
    StudyOptions options;
    options.fixed = {{"base", "awq"}};
    options.evaluation = AblationEvaluation::Whole;
    QString error;
    QVERIFY2(runner_->start(base, {{"bits", {"2", "3"}}, {"invariances", {"P", "PSR"}}}, folder(),
                            &error, options),
             qPrintable(error));
    for (int i = 0; i < 4; ++i) finishVariant(i);
    const auto& variants = runner_->plan()->variants();
    QCOMPARE(launcher_->requests.size(), std::size_t(4));
    QStringList reused;
    for (const SearchRunRequest& r : launcher_->requests) {
        QCOMPARE(r.settings.base, std::string("awq"));
        reused << QString::fromStdString(r.baseFrom);
    }
    QCOMPARE(reused, (QStringList{"", variants[0].path, "", variants[2].path}));
    QCOMPARE(AblationPlan::load(runner_->plan()->file()).evaluation(), AblationEvaluation::Whole);

    QCOMPARE(evaluator.starts, 1);
    QVERIFY(runner_->evaluating());
    QCOMPARE(evaluator.settings.search.evalWindows, std::int64_t(0));  // the whole data
    QStringList needs;
    for (const ResultsMeasurement& m : evaluator.needs) {
        QCOMPARE(m.metrics.size(), std::size_t(8));
        needs << QFileInfo(QString::fromStdString(m.path)).fileName() + ":" +
                     QString::fromStdString(m.model);
    }
    needs.sort();
    QCOMPARE(needs, (QStringList{"bits-2_invariances-P.h5:base", "bits-2_invariances-P.h5:searched",
                                 "bits-2_invariances-PSR.h5:searched",
                                 "bits-3_invariances-P.h5:base", "bits-3_invariances-P.h5:searched",
                                 "bits-3_invariances-PSR.h5:searched"}));
    // The queue says where each variant's base came from.
    QStringList bases;
    for (int row = 0; row < 4; ++row) bases << view_->queueModel()->item(row, 4)->text();
    QCOMPARE(bases, (QStringList{"calibrated here", "from bits-2_invariances-P.h5",
                                 "calibrated here", "from bits-3_invariances-P.h5"}));
    // The study's table: a baseline row per bit width, each followed by its two variants.
    QCOMPARE(view_->studyTable()->model()->rowCount(), 6);
    evaluator.end();
    QVERIFY(!runner_->evaluating());
    QCOMPARE(status.last().front().toString(), QString("Study finished and evaluated"));
    QVERIFY(messages_->errors.empty());
}

// A study submitted to Slurm (its plan records the jobs) is followed, not run: squeue's states of
// its tasks (a fake squeue on PATH; sacct answers as on a cluster without accounting) show beside
// the variants, a file that finished makes its variant finished, and "Cancel on Cluster" runs
// invx study cancel for the selected variant.
void TestAblationRunner::aStudyOnSlurmIsFollowedWithItsSchedulerStates() {
    SearchSettings base;
    base.steps = 6;
    AblationPlan plan =
        AblationPlan::create(base, {{"invariances", {"P", "S", "R"}}, {"seed", {"0", "1"}}},
                             folder(), "opt-demo", "cpu", "float32");
    SlurmSubmission s;
    s.checkJob = "10";
    s.submittedAt = "2026-12-07T12:00:00Z";
    for (int i = 0; i < 6; ++i) {
        s.searchJobs.push_back("12_" + std::to_string(i));
        s.evaluationJobs.push_back(i == 2 ? "13_2" : "");
    }
    plan.setSlurm(s);
    for (AblationVariant& v : plan.variants()) v.state = QStringLiteral("submitted");
    plan.save();
    test::SyntheticRun done;
    done.settings = plan.variants()[2].settings;
    done.steps = 6;
    done.lastCheckpoint = true;
    test::writeSyntheticExperiment(plan.variants()[2].path, done);

    const QString bin = dir_->filePath("bin");
    QDir().mkpath(bin);
    auto script = [&](const QString& name, const QByteArray& body) {
        QFile f(QDir(bin).filePath(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("#!/bin/bash\n" + body);
        f.close();
        f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    };
    script("squeue",
           "cat <<'END'\n12_[0,6%2]|PENDING\n12_1|RUNNING\n12_2|COMPLETED\n12_3|FAILED\n"
           "12_4|TIMEOUT\n12_5|CANCELLED by 0\n13_2|COMPLETED\n10|COMPLETED\nEND\n");
    script("sacct", "echo 'Slurm accounting storage is disabled' >&2; exit 1\n");
    const QString calls = dir_->filePath("invx-calls.txt");
    script("fake-invx", "echo \"$@\" >> " + calls.toUtf8() + "; echo 'cancelled 1 job(s)'\n");
    const QByteArray path = qgetenv("PATH");
    qputenv("PATH", bin.toUtf8() + ":" + path);
    qputenv("INVX_PROGRAM", QDir(bin).filePath("fake-invx").toUtf8());

    QString error;
    QVERIFY2(runner_->carryOn(plan.file(), &error), qPrintable(error));
    QVERIFY(runner_->following());
    QVERIFY(launcher_->requests.empty());  // the cluster runs it, not the window
    const int searchColumn = 5;            // invariances, seed, state, file, base, search task
    QTRY_COMPARE(view_->queueModel()->headerData(searchColumn, Qt::Horizontal).toString(),
                 QStringLiteral("Search task"));
    const QStringList expected{"pending (12_0)", "running (12_1)",   "completed (12_2)",
                               "failed (12_3)",  "timed out (12_4)", "cancelled (12_5)"};
    QTRY_COMPARE(view_->queueModel()->index(0, searchColumn).data().toString(), expected[0]);
    for (int i = 0; i < 6; ++i)
        QCOMPARE(view_->queueModel()->index(i, searchColumn).data().toString(), expected[i]);
    QCOMPARE(view_->queueModel()->index(2, searchColumn + 1).data().toString(),
             QStringLiteral("completed (13_2)"));
    QCOMPARE(runner_->plan()->variants()[2].state, QStringLiteral("finished"));
    QCOMPARE(runner_->plan()->variants()[3].state, QStringLiteral("submitted"));

    Q_EMIT view_->cancelRequested(3);
    QTRY_VERIFY2(QFileInfo(calls).size() > 0, messages_->errors.empty()
                                                  ? "no call"
                                                  : qPrintable(messages_->errors.front().sentence));
    QFile recorded(calls);
    QVERIFY(recorded.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(recorded.readAll()).trimmed(),
             QStringLiteral("study cancel %1 --variant 3").arg(plan.file()));
    QVERIFY(messages_->errors.empty());
    qputenv("PATH", path);
    qunsetenv("INVX_PROGRAM");
}

QTEST_MAIN(TestAblationRunner)
#include "tst_ablation_runner.moc"
