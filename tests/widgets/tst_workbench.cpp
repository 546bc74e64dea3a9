// The real main window and search worker on the bundled demo model (offscreen): a live run that
// gains points, pauses, resumes and stops; reopening; a truncated file; an overlay whose legend
// names the difference; a two-variant ablation and its table; exports; closing during a run.
// Every test gets a window and workers of its own; what one leaves to the next is files (and the
// ablation queue the settings name), so a failure cannot bring the next test down with it.
#include <QAbstractItemModelTester>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>
#include <memory>

#include "ablation-view.h"
#include "curve-plot.h"
#include "experiment-list-model.h"
#include "figure-legend.h"
#include "inspector-view.h"
#include "inspector-worker.h"
#include "invx/experiment-file.h"
#include "main-window.h"
#include "recording-message-sink.h"
#include "run-view.h"
#include "runs-table-model.h"
#include "search-settings-form.h"
#include "search-worker.h"

using namespace invx;
using namespace invx::gui;

namespace {

// Small enough for a 2-core CI machine: 2 x 64 calibration tokens, one 512-token evaluation window.
SearchSettings quickSettings(std::int64_t steps) {
    SearchSettings s = SearchSettingsForm::presetSettings("demo");
    s.calibrationSamples = 2;
    s.calibrationLength = 64;
    s.baseCalibrationSamples = 2;
    s.steps = steps;
    s.evalWindows = 1;
    s.evalWindowLength = 512;
    s.evalEverySeconds = 0;
    s.checkpointEverySteps = 5;
    return s;
}

std::int64_t fileSteps(const QString& path) {
    return ExperimentFile::open(path.toStdString(), false).stepCount();
}
std::string fileStatus(const QString& path) {
    return ExperimentFile::open(path.toStdString(), false).status();
}

}  // namespace

class TestWorkbench : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    test::RecordingMessageSink messages_;
    std::unique_ptr<SearchWorker> worker_;
    std::unique_ptr<InspectorWorker> inspector_;
    std::unique_ptr<MainWindow> window_;
    std::vector<std::unique_ptr<QAbstractItemModelTester>> testers_;
    QString stoppedRun_;

    void startQuick(const QString& path, std::int64_t steps) {
        window_->form()->setSettings(quickSettings(steps));
        window_->form()->setOutputPath(path);
        QVERIFY2(window_->form()->errorText().isEmpty(), qPrintable(window_->form()->errorText()));
        QVERIFY(window_->startSearch());
    }

  private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void liveRunGainsPointsPausesResumesAndStops();
    void reopenedFileShowsItsCurves();
    void truncatedFileGivesAMessageAndNothingElseBreaks();
    void resumingFromTheWorkbenchContinuesTheFile();
    void clickingACurvePointInspectsTheNearestCheckpoint();
    void inspectorFollowsALiveRun();
    void followsAFileAnotherProcessWrites();
    void ablationOfTwoVariantsEndsInATable();
    void overlayLegendNamesTheDifference();
    void exportWritesEveryFormat();
    void exportWithoutAWindow();
    void closingDuringARunWritesACheckpoint();
};

void TestWorkbench::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    if (qEnvironmentVariableIsEmpty("INVX_DATA")) qputenv("INVX_DATA", INVX_DEFAULT_DATA_DIR);
    qputenv("HDF5_USE_FILE_LOCKING",
            "FALSE");  // as invx-workbench does: read files another process writes
}

void TestWorkbench::init() {
    messages_.errors.clear();
    messages_.notes.clear();
    worker_ = std::make_unique<SearchWorker>();
    inspector_ = std::make_unique<InspectorWorker>();
    window_ = std::make_unique<MainWindow>(worker_.get(), QStringLiteral(INVX_DEMO_MODEL_DIR),
                                           inspector_.get(), &messages_);
    window_->setExperimentFolder(dir_.path());
    window_->resize(1400, 900);
    window_->show();
    for (QAbstractItemModel* m : std::initializer_list<QAbstractItemModel*>{
             window_->runsModel(), window_->experimentsModel(),
             window_->ablationView()->queueModel(), window_->ablationView()->summaryModel()})
        testers_.push_back(std::make_unique<QAbstractItemModelTester>(
            m, QAbstractItemModelTester::FailureReportingMode::QtTest));
}

// A test that failed mid-run leaves a search running: it ends here, with its checkpoint, before
// the window and the workers go.
void TestWorkbench::cleanup() {
    // What the window said tells why a test failed.
    for (const test::RecordingMessageSink::Error& e : messages_.errors)
        if (QTest::currentTestFailed())
            qInfo("the window said: %s: %s", qPrintable(e.title), qPrintable(e.sentence));
    if (worker_ && worker_->running()) {
        worker_->stop();
        worker_->waitForFinished(120000);
    }
    testers_.clear();
    window_.reset();
    inspector_.reset();
    worker_.reset();
}

void TestWorkbench::liveRunGainsPointsPausesResumesAndStops() {
    stoppedRun_ = dir_.filePath("live.h5");
    startQuick(stoppedRun_, 100000);
    QVERIFY(worker_->running());
    CurvePlot* loss = window_->runView()->plot(FigureKind::Loss);
    QTRY_VERIFY_WITH_TIMEOUT(window_->liveRun() && window_->liveRun()->stepCount() >= 3, 180000);
    QTRY_COMPARE_WITH_TIMEOUT(loss->curves().front().x.size(), window_->liveRun()->stepCount(),
                              5000);
    const std::size_t before = window_->liveRun()->stepCount();
    QTRY_VERIFY_WITH_TIMEOUT(window_->liveRun()->stepCount() > before + 2,
                             60000);  // it keeps gaining points
    QVERIFY(window_->stateText().size() > 0);

    window_->pauseOrResume();
    QVERIFY(worker_->paused());
    // The step in flight ends (seconds on a loaded machine) and the window takes it.
    QTRY_VERIFY_WITH_TIMEOUT(worker_->holdingWithNoStepsPending(), 120000);
    QTest::qWait(100);
    const std::size_t paused = window_->liveRun()->stepCount();
    QTest::qWait(1500);
    QCOMPARE(window_->liveRun()->stepCount(), paused);
    window_->pauseOrResume();
    QVERIFY(!worker_->paused());
    QTRY_VERIFY_WITH_TIMEOUT(window_->liveRun()->stepCount() > paused, 60000);

    window_->stopSearch();
    QTRY_VERIFY_WITH_TIMEOUT(!worker_->running(), 60000);
    QCOMPARE(fileStatus(stoppedRun_), std::string("stopped"));
    QVERIFY(ExperimentFile::open(stoppedRun_.toStdString(), false).checkpointCount() >= 1);
    QVERIFY(window_->stateText().startsWith("Stopped after"));
}

void TestWorkbench::reopenedFileShowsItsCurves() {
    window_->closeRuns();
    QCOMPARE(window_->runsModel()->rowCount(), 0);
    QVERIFY(window_->openExperiment(stoppedRun_));
    QCOMPARE(window_->runsModel()->rowCount(), 1);
    const std::int64_t steps = fileSteps(stoppedRun_);
    QVERIFY(steps > 0);
    QCOMPARE(std::int64_t(window_->runView()->plot(FigureKind::Loss)->curves().front().x.size()),
             steps);
    QCOMPARE(
        std::int64_t(window_->runView()->plot(FigureKind::Acceptance)->curves().front().x.size()),
        steps);
    QVERIFY(!window_->runView()
                 ->plot(FigureKind::Perplexity)
                 ->curves()
                 .front()
                 .x.empty());  // the evaluation at step 0
    const int row = window_->experimentsModel()->rowOf(stoppedRun_);
    QVERIFY(row >= 0);
    QCOMPARE(window_->experimentsModel()->status(row), QString("stopped"));
}

void TestWorkbench::truncatedFileGivesAMessageAndNothingElseBreaks() {
    QVERIFY(window_->openExperiment(stoppedRun_));
    QFile in(stoppedRun_);
    QVERIFY(in.open(QIODevice::ReadOnly));
    const QString truncated = dir_.filePath("truncated.h5");
    QFile out(truncated);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(in.readAll().left(4096));
    out.close();
    QString error;
    QVERIFY(!window_->openExperiment(truncated, &error));
    QVERIFY2(error.contains(truncated), qPrintable(error));
    QCOMPARE(messages_.errors.back().sentence, error);
    QCOMPARE(window_->runsModel()->rowCount(), 1);  // what was open stays
    window_->experimentsModel()->refresh();
    const int row = window_->experimentsModel()->rowOf(truncated);
    QVERIFY(window_->experimentsModel()->status(row).startsWith("unreadable: "));
    QFile::remove(truncated);
}

void TestWorkbench::resumingFromTheWorkbenchContinuesTheFile() {
    const std::int64_t before = fileSteps(stoppedRun_);
    QVERIFY(window_->resumeExperiment(stoppedRun_));
    QTRY_VERIFY_WITH_TIMEOUT(
        window_->liveRun() && window_->liveRun()->stepCount() > std::size_t(before) + 1, 180000);
    window_->stopSearch();
    QTRY_VERIFY_WITH_TIMEOUT(!worker_->running(), 60000);
    QVERIFY(fileSteps(stoppedRun_) > before);
    QCOMPARE(fileStatus(stoppedRun_), std::string("stopped"));
    // The run in view is the file's, steps in order with no repeats.
    const auto& steps = window_->runsModel()->runs().front()->step;
    QCOMPARE(std::int64_t(steps.size()), fileSteps(stoppedRun_));
    QVERIFY(std::is_sorted(steps.begin(), steps.end()) &&
            std::adjacent_find(steps.begin(), steps.end()) == steps.end());
}

void TestWorkbench::clickingACurvePointInspectsTheNearestCheckpoint() {
    QVERIFY(window_->openExperiment(stoppedRun_));
    const RunData* run = window_->runsModel()->runs().front();
    QVERIFY(run->checkpointSteps.size() >= 2);  // every 5 steps
    CurvePlot* loss = window_->runView()->plot(FigureKind::Loss);
    loss->fitToData();
    loss->replot();
    const double at = 7;
    const QPoint click(int(loss->xAxis->coordToPixel(at)), loss->axisRect()->center().y());
    QTest::mouseClick(loss, Qt::LeftButton, {}, click);
    const double clicked = loss->xAxis->pixelToCoord(click.x());
    const std::int64_t expected = run->nearestCheckpoint(clicked);
    QVERIFY(expected >= 0);
    // Checkpoints come every 5 steps: the nearest is at most 2.5 steps away.
    QVERIFY2(std::abs(double(run->checkpointSteps[std::size_t(expected)]) - clicked) <= 2.5,
             qPrintable(QString::number(run->checkpointSteps[std::size_t(expected)])));
    QCOMPARE(window_->inspectorView()->selectedCheckpoint(), expected);
    QTRY_VERIFY_WITH_TIMEOUT(window_->inspectorView()->shown().checkpoint == expected &&
                                 !window_->inspectorView()->shown().invariance.isEmpty(),
                             60000);
    const LayerInspection& shown = window_->inspectorView()->shown();
    QCOMPARE(shown.now.step, run->checkpointSteps[std::size_t(expected)]);
    // The permutation inspector shows the stored permutation.
    const SearchCheckpoint stored =
        ExperimentFile::open(stoppedRun_.toStdString(), false).checkpoint(expected);
    QVERIFY(shown.now.invariance == stored.layers[std::size_t(shown.now.layer)]);
    const Curve& moved = window_->inspectorView()->displacementPlot()->curves().front();
    for (std::size_t i = 0; i < moved.y.size(); ++i)
        QCOMPARE(std::int64_t(moved.y[i]),
                 stored.layers[std::size_t(shown.now.layer)].permutation[i]);
    QCOMPARE(shown.invariance.size(), 3);
    // The worker's answer carries attention (hidden x hidden) and the position changes as counted
    // from the stored checkpoints.
    QCOMPARE(shown.attention.size(), std::size_t(4));
    QCOMPARE(shown.attention[3].name, std::string("out_proj"));
    QCOMPARE(shown.attention[3].rows, shown.now.fc2.rows);
    const ExperimentFile file = ExperimentFile::open(stoppedRun_.toStdString(), false);
    std::vector<double> changes(shown.now.invariance.permutation.size(), 0.0);
    std::vector<std::int64_t> previous =
        LayerInvariance::identity(std::int64_t(changes.size())).permutation;
    for (std::int64_t c = 0; c <= expected; ++c) {
        const std::vector<std::int64_t> p =
            file.checkpoint(c).layers[std::size_t(shown.now.layer)].permutation;
        for (std::size_t k = 0; k < changes.size(); ++k) changes[k] += p[k] != previous[k];
        previous = p;
    }
    QVERIFY(shown.positionChanges == changes);
}

void TestWorkbench::inspectorFollowsALiveRun() {
    // The stopped run resumed: inspected while it runs, the inspector moves on with each new
    // checkpoint.
    const std::size_t stopped = std::size_t(fileSteps(stoppedRun_));
    QVERIFY(window_->resumeExperiment(stoppedRun_));
    QTRY_VERIFY_WITH_TIMEOUT(window_->liveRun() && window_->liveRun()->stepCount() > 0, 180000);
    // Inspected once the search writes the file (its first new step is in): an inspector that
    // reads the file before the search opens it for writing makes that open fail.
    QTRY_VERIFY_WITH_TIMEOUT(!window_->liveRun() || window_->liveRun()->stepCount() > stopped,
                             180000);
    const RunData* live = window_->liveRun();
    QVERIFY2(live, qPrintable(window_->stateText()));
    QVERIFY(window_->inspectRun(live));
    InspectorView* view = window_->inspectorView();
    const std::int64_t first = view->checkpointCount();
    // It shows the newest checkpoint it knows: the last one now, or a newer one should the search
    // write one before the first layer is built (seen once on a fresh machine).
    QTRY_VERIFY_WITH_TIMEOUT(
        view->shown().checkpointCount >= first && view->shown().checkpoint >= first - 1, 60000);
    // A checkpoint comes every 5 steps; the view shows it, rebuilt from the file being written.
    QTRY_VERIFY_WITH_TIMEOUT(view->checkpointCount() > first, 120000);
    QTRY_VERIFY_WITH_TIMEOUT(view->shown().checkpoint >= first, 60000);
    window_->stopSearch();
    QTRY_VERIFY_WITH_TIMEOUT(!worker_->running(), 60000);
    // Once the run has stopped, no newer checkpoint comes: the view settles on the one it selected
    // (while the run went on, a checkpoint could arrive between a rebuild and this check).
    QTRY_VERIFY_WITH_TIMEOUT(view->selectedCheckpoint() == view->shown().checkpoint, 60000);
    const LayerInspection shown = view->shown();
    const SearchCheckpoint stored =
        ExperimentFile::open(stoppedRun_.toStdString(), false).checkpoint(shown.checkpoint);
    QCOMPARE(shown.now.step, stored.step);
    QVERIFY(shown.now.invariance == stored.layers[std::size_t(shown.now.layer)]);
}

void TestWorkbench::followsAFileAnotherProcessWrites() {
    // `invx search` in another process writes the file; the window follows it about once a second.
    const QString path = dir_.filePath("elsewhere.h5");
    QProcess search;
    search.start(QStringLiteral(INVX_CLI_PATH),
                 {"search", "--model", INVX_DEMO_MODEL_DIR, "--out", path, "--preset", "demo",
                  "--steps", "100000", "--calibration-samples", "2", "--calibration-length", "64",
                  "--eval-data", "none", "--quiet"});
    QVERIFY(search.waitForStarted());
    // Until the writer's first flush the file may not open yet: that counts as no steps.
    auto stepsSoFar = [&] {
        try {
            return fileSteps(path);
        } catch (const std::exception&) {
            return std::int64_t(-1);
        }
    };
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(path) && stepsSoFar() >= 2, 180000);
    window_->closeRuns();
    QTRY_VERIFY_WITH_TIMEOUT(window_->openExperiment(path),
                             10000);  // a moment mid-flush is read again
    const RunData* run = window_->runsModel()->runs().front();
    QCOMPARE(run->status, QString("running"));
    const std::size_t first = run->stepCount();
    QTRY_VERIFY_WITH_TIMEOUT(run->stepCount() >= first + 3, 60000);
    QTRY_COMPARE_WITH_TIMEOUT(window_->runView()->plot(FigureKind::Loss)->curves().front().x.size(),
                              run->stepCount(), 5000);
    search.terminate();  // SIGTERM: invx finishes the step and writes a checkpoint
    QVERIFY(search.waitForFinished(60000));
    QTRY_COMPARE_WITH_TIMEOUT(run->status, QString("stopped"), 10000);
    QCOMPARE(std::int64_t(run->stepCount()), fileSteps(path));
}

void TestWorkbench::ablationOfTwoVariantsEndsInATable() {
    window_->form()->setSettings(quickSettings(6));
    const QString folder = dir_.filePath("ablation");
    QString error;
    QVERIFY2(window_->startAblation({{"invariances", {"P", "PSR"}}}, folder, &error),
             qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(
        window_->ablation() && window_->ablation()->done() && !worker_->running(), 400000);
    for (const AblationVariant& v : window_->ablation()->variants()) {
        QCOMPARE(v.state, QString("finished"));
        QCOMPARE(fileSteps(v.path), std::int64_t(6));
    }
    QStandardItemModel* summary = window_->ablationView()->summaryModel();
    QCOMPARE(summary->rowCount(), 2);
    QCOMPARE(summary->item(0, 0)->text(), QString("P"));
    QCOMPARE(summary->item(1, 0)->text(), QString("PSR"));
    QCOMPARE(summary->item(0, 1)->text(), QString("1"));  // one run each (no seed axis)
    QVERIFY(summary->item(0, 2)->text().contains(" ± 0.00"));
    // The queue was saved as it went, and reads back finished.
    const AblationPlan saved = AblationPlan::load(QDir(folder).filePath("ablation.json"));
    QVERIFY(saved.done());
}

void TestWorkbench::overlayLegendNamesTheDifference() {
    window_->closeRuns();
    for (const AblationVariant& v : window_->ablation()->variants())
        QVERIFY(window_->openExperiment(v.path));
    QCOMPARE(window_->runsModel()->labels(), (QStringList{"P only", "P+S+R"}));
    // One legend above the figures, outside their data; the curves carry the same names.
    QStringList legend;
    for (const LegendEntry& e : window_->runView()->legend()->entries()) legend << e.label;
    QCOMPARE(legend, (QStringList{"P only", "P+S+R"}));
    CurvePlot* loss = window_->runView()->plot(FigureKind::Loss);
    QVERIFY(!loss->legend->visible());
    QCOMPARE(loss->curves()[1].name, QString("P+S+R"));
}

void TestWorkbench::exportWritesEveryFormat() {
    for (const AblationVariant& v : window_->ablation()->variants())
        QVERIFY(window_->openExperiment(v.path));
    const QString out = dir_.filePath("figures");
    const QStringList written =
        window_->exportFigures(out, {"pdf", "svg", "png", "csv"}, "icml-column");
    QCOMPARE(written.size(), 6 * 4 + 3 + 2);  // the figures, the panel figure, the runs table
    QFile pdf(QDir(out).filePath("perplexity.pdf"));
    QVERIFY(pdf.open(QIODevice::ReadOnly));
    QVERIFY(pdf.read(5) == "%PDF-");
    QFile svg(QDir(out).filePath("acceptance.svg"));
    QVERIFY(svg.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&svg);
    while (!xml.atEnd()) xml.readNext();
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QCOMPARE(QImage(QDir(out).filePath("ce.png")).size(), QSize(975, 675));
    QFile csv(QDir(out).filePath("ce.csv"));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QCOMPARE(csv.readAll().trimmed().split('\n').size(), 1 + 2 * 6);  // two runs of six steps
    QFile md(QDir(out).filePath("runs.md"));
    QVERIFY(md.open(QIODevice::ReadOnly));
    QVERIFY(md.readAll().contains("| P only | 1 |"));
}

void TestWorkbench::exportWithoutAWindow() {
    const QString out = dir_.filePath("headless");
    QProcess p;
    p.start(QStringLiteral(INVX_WORKBENCH_PATH),
            {"--export", window_->ablation()->variants()[0].path, "--out", out, "--format",
             "png,csv", "--preset", "acl-column"});
    QVERIFY(p.waitForFinished(60000));
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    QCOMPARE(QDir(out).entryList({"*.png"}).size(), 6 + 1);  // and panel.png
    QCOMPARE(QDir(out).entryList({"*.csv"}).size(), 6);
    QCOMPARE(QImage(QDir(out).filePath("loss.png")).width(), qRound(3.03 * 300));
    QVERIFY(QFile::exists(QDir(out).filePath("runs.tex")));

    p.start(QStringLiteral(INVX_WORKBENCH_PATH),
            {"--export", dir_.filePath("missing.h5"), "--out", out});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 1);
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(err.contains("invx-workbench: error:") && err.contains("missing.h5"), qPrintable(err));
}

void TestWorkbench::closingDuringARunWritesACheckpoint() {
    const QString path = dir_.filePath("closed.h5");
    startQuick(path, 100000);
    QTRY_VERIFY_WITH_TIMEOUT(window_->liveRun() && window_->liveRun()->stepCount() >= 2, 180000);
    QVERIFY(!window_->close());  // refused for now: the run stops first
    QTRY_VERIFY_WITH_TIMEOUT(!window_->isVisible(), 60000);
    QVERIFY(!worker_->running());
    QCOMPARE(fileStatus(path), std::string("stopped"));
    const ExperimentFile file = ExperimentFile::open(path.toStdString(), false);
    QVERIFY(file.checkpointCount() >= 1);
    QCOMPARE(file.checkpoint(-1).step,
             file.stepCount());  // the last checkpoint is at the last step
}

QTEST_MAIN(TestWorkbench)
#include "tst_workbench.moc"
