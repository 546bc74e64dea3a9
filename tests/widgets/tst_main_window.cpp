// The window over a fake launcher: a live run drawn as it grows, errors in the message sink, an
// ablation started from the form, closing during a run, and a window torn down with a long run in
// view.
#include <QAbstractItemModelTester>
#include <QFile>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTest>
#include <memory>

#include "ablation-view.h"
#include "curve-plot.h"
#include "experiment-folder.h"
#include "experiment-list-model.h"
#include "fake-search-launcher.h"
#include "main-window.h"
#include "recording-message-sink.h"
#include "run-view.h"
#include "runs-table-model.h"
#include "search-settings-form.h"

using namespace invx;
using namespace invx::gui;

class TestMainWindow : public QObject {
    Q_OBJECT

    test::ExperimentFolder folder_;
    std::unique_ptr<test::FakeSearchLauncher> launcher_;
    std::unique_ptr<test::RecordingMessageSink> messages_;
    std::unique_ptr<MainWindow> window_;
    std::vector<std::unique_ptr<QAbstractItemModelTester>> testers_;

    bool startLive(const QString& name) {
        window_->form()->applyPreset("demo");
        window_->form()->setOutputPath(folder_.file(name));
        return window_->startSearch();
    }

  private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void errorsReachTheSink();
    void aLiveRunIsDrawnAsItGrows();
    void anAblationStartsFromTheForm();
    void closingDuringARunWaitsForItsCheckpoint();
    void tornDownWithALongRunInView();
};

void TestMainWindow::initTestCase() { QStandardPaths::setTestModeEnabled(true); }

// A window and launcher of its own for every test, torn down after it: a failure in one test
// leaves no run, window or worker to the next.
void TestMainWindow::init() {
    QSettings().clear();
    launcher_ = std::make_unique<test::FakeSearchLauncher>();
    messages_ = std::make_unique<test::RecordingMessageSink>();
    window_ = std::make_unique<MainWindow>(launcher_.get(), folder_.file("opt-demo"), nullptr,
                                           messages_.get());
    window_->setExperimentFolder(folder_.file("experiments"));
    window_->resize(1400, 900);
    window_->show();
    for (QAbstractItemModel* m : std::initializer_list<QAbstractItemModel*>{
             window_->runsModel(), window_->experimentsModel(),
             window_->ablationView()->queueModel(), window_->ablationView()->summaryModel()})
        testers_.push_back(std::make_unique<QAbstractItemModelTester>(
            m, QAbstractItemModelTester::FailureReportingMode::QtTest));
}

void TestMainWindow::cleanup() {
    testers_.clear();
    window_.reset();
    messages_.reset();
    launcher_.reset();
}

void TestMainWindow::errorsReachTheSink() {
    const QString missing = folder_.file("missing.h5");
    QString error;
    QVERIFY(!window_->openExperiment(missing, &error));
    QCOMPARE(messages_->errors.size(), std::size_t(1));
    QCOMPARE(messages_->errors.back().title, QString("Cannot open experiment"));
    QCOMPARE(messages_->errors.back().sentence, error);
    QVERIFY2(error.contains(missing), qPrintable(error));

    window_->form()->setOutputPath(folder_.synthetic("exists.h5"));
    QVERIFY(!window_->startSearch());
    QCOMPARE(messages_->errors.size(), std::size_t(2));
    QCOMPARE(messages_->errors.back().title, QString("Search not started"));
    QVERIFY(messages_->errors.back().sentence.contains("already exists"));
    QVERIFY(launcher_->requests.empty());
}

void TestMainWindow::aLiveRunIsDrawnAsItGrows() {
    QVERIFY(startLive("live.h5"));
    QCOMPARE(launcher_->requests.size(), std::size_t(1));
    QCOMPARE(window_->runsModel()->rowCount(), 1);
    QVERIFY(window_->liveRun());
    QVERIFY(!window_->findChild<QPushButton*>("startButton")->isEnabled());
    CurvePlot* loss = window_->runView()->plot(FigureKind::Loss);
    std::int64_t last = 0;
    for (std::int64_t batch : {1, 9, 90}) {
        launcher_->emitSteps(last + 1, last + batch);
        last += batch;
        QTRY_COMPARE(loss->curves().front().x.size(), std::size_t(last));
    }
    QCOMPARE(window_->liveRun()->stepCount(), std::size_t(100));
    QCOMPARE(window_->runView()->plot(FigureKind::Acceptance)->curves().size(), std::size_t(2));
    QCOMPARE(window_->runView()->plot(FigureKind::AcceptancePerLayer)->bars().front().values.size(),
             std::size_t(3));
    launcher_->finish(true, 100);
    QCOMPARE(window_->stateText(),
             QString("Stopped after 100 steps; resume it from the Experiments list"));
    QVERIFY(!window_->liveRun());
    QVERIFY(window_->findChild<QPushButton*>("startButton")->isEnabled());
    QVERIFY(messages_->errors.empty());
}

void TestMainWindow::anAblationStartsFromTheForm() {
    window_->form()->applyPreset("demo");
    QString error;
    QVERIFY2(window_->startAblation({{"seed", {"0", "1"}}}, folder_.file("ablation"), &error),
             qPrintable(error));
    QCOMPARE(window_->findChild<QTabWidget*>()->currentWidget(), window_->ablationView());
    QCOMPARE(launcher_->requests.size(), std::size_t(1));
    QCOMPARE(QString::fromStdString(launcher_->requests.front().experimentPath),
             window_->ablation()->variants()[0].path);
    QCOMPARE(window_->ablationView()->queueModel()->rowCount(), 2);
    // Stopped from the window: the queue ends with the variant.
    window_->stopSearch();
    QCOMPARE(launcher_->stops, 1);
    launcher_->fail("stopped by the test");
    QCOMPARE(launcher_->requests.size(), std::size_t(1));
    QCOMPARE(window_->ablation()->variants()[0].state, QString("failed: stopped by the test"));
    QVERIFY(window_->stateText().startsWith("Ablation stopped"));
}

void TestMainWindow::closingDuringARunWaitsForItsCheckpoint() {
    QVERIFY(startLive("closed.h5"));
    QVERIFY(!window_->close());  // refused for now: the run stops first
    QCOMPARE(launcher_->stops, 1);
    QCOMPARE(window_->stateText(), QString("Closing: writing a checkpoint…"));
    QVERIFY(window_->isVisible());
    launcher_->finish(true, 0);
    QVERIFY(!window_->isVisible());
}

void TestMainWindow::tornDownWithALongRunInView() {
    // The views point into the runs the window owns; tearing the window down right after a long
    // live run ended (its table's relayout still pending, its columns large enough to go back to
    // the system when freed) must not read them.
    QVERIFY(startLive("long.h5"));
    launcher_->emitSteps(1, 199900);
    QTRY_COMPARE_WITH_TIMEOUT(window_->liveRun()->stepCount(), std::size_t(199900), 20000);
    launcher_->emitSteps(199901, 200000);
    QTRY_COMPARE(window_->liveRun()->stepCount(), std::size_t(200000));
    launcher_->finish(true, 200000);
    QCOMPARE(window_->runsModel()->runs().front()->stepCount(), std::size_t(200000));
    window_.reset();
    QVERIFY(!window_);
}

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
