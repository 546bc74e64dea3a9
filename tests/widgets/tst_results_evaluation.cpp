// The Results tab measures what its table lacks through the core's evaluation, on a worker thread:
// the values it records are those invx eval measures, and the table fills in.
#include <QComboBox>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "invx/experiment-file.h"
#include "results-evaluation-worker.h"
#include "results-view.h"

using namespace invx;
using namespace invx::gui;

class TestResultsEvaluation : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void initTestCase();
    void theTabAsksForWhatTheTableLacks();
    void measuredValuesAreThoseOfInvxEval();

  private:
    bool run(const QStringList& args, QByteArray* out = nullptr);  // invx; true when it exits 0
    QTemporaryDir dir_;
    QString
        base_;  // the demo model quantized by RTN (invx quantize): its base row lacks every value
};

namespace {

// Records what the tab asks for and answers at once.
class FakeEvaluator : public ResultsEvaluator {
  public:
    bool running() const override { return false; }
    void start(const std::vector<ResultsMeasurement>& needs,
               const CommandSettings& settings) override {
        asked = needs;
        with = settings;
    }
    void stop() override {}
    std::vector<ResultsMeasurement> asked;
    CommandSettings with;
};

}  // namespace

bool TestResultsEvaluation::run(const QStringList& args, QByteArray* out) {
    QProcess p;
    p.start(QStringLiteral(INVX_CLI_PATH), args);
    if (!p.waitForFinished(600000)) return false;
    if (out) *out = p.readAllStandardOutput();
    if (p.exitCode() != 0) qWarning("%s", p.readAllStandardError().constData());
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

void TestResultsEvaluation::initTestCase() {
    qputenv("INVX_DATA", QByteArray(INVX_DEFAULT_DATA_DIR));
    base_ = dir_.filePath("rtn.h5");
    QVERIFY(run({"quantize", "--model", INVX_DEMO_MODEL_DIR, "--method", "rtn", "--bits", "3",
                 "--out", base_, "--calibration-samples", "2", "--calibration-length", "64",
                 "--eval-data", "none", "--device", "cpu", "--quiet"}));
}

void TestResultsEvaluation::theTabAsksForWhatTheTableLacks() {
    ResultsView view;
    FakeEvaluator evaluator;
    view.setEvaluator(&evaluator);
    view.setExperiments({base_});
    QVERIFY(view.findChild<QPushButton*>("measureMissing")->isEnabled());
    QVERIFY(view.measureMissing(ResultsView::Scope::Perplexity));
    // Every row lacks both perplexities: full precision and RTN (the file is invx quantize's, a
    // search of no steps, so it has no InvarExplore row).
    QCOMPARE(evaluator.asked.size(), std::size_t(2));
    for (const ResultsMeasurement& m : evaluator.asked) {
        QCOMPARE(m.path, base_.toStdString());
        QCOMPARE(m.metrics, (std::vector<std::string>{"wikitext2", "c4"}));
    }
    QCOMPARE(evaluator.asked[0].model, std::string("full-precision"));
    QCOMPARE(evaluator.asked[1].model, std::string("base"));
    QCOMPARE(evaluator.with.search.evalWindows, std::int64_t(0));  // whole data sets
    QVERIFY(view.measureMissing(ResultsView::Scope::Quick));
    QCOMPARE(evaluator.asked[0].metrics.size(), std::size_t(8));  // two perplexities, six tasks
    QCOMPARE(evaluator.with.search.evalWindows, std::int64_t(40));
    QCOMPARE(evaluator.with.evaluation.limit, std::int64_t(100));
}

void TestResultsEvaluation::measuredValuesAreThoseOfInvxEval() {
    ResultsView view;
    ResultsEvaluationWorker worker;
    view.setEvaluator(&worker);
    view.setExperiments({base_});
    QSignalSpy finished(&worker, &ResultsEvaluator::finished);
    CommandSettings settings = defaultSettings(SettingCommand::Table);
    settings.search.evalWindows = 2;
    worker.start({{base_.toStdString(), "base", {"wikitext2"}}}, settings);
    QVERIFY(worker.running());
    QVERIFY(finished.wait(300000));
    QVERIFY(!finished.at(0).at(0).toBool());  // not stopped
    QVERIFY(!worker.running());

    // The file records what invx eval measures on the same windows, and the tab shows it.
    QByteArray out;
    QVERIFY(run({"eval", "--experiment", base_, "--checkpoint", "0", "--eval-windows", "2",
                 "--json", "--quiet"},
                &out));
    const double expected = QJsonDocument::fromJson(out).object()["ppl"].toDouble();
    double recorded = 0;
    for (const ResultRecord& r : ExperimentFile::open(base_.toStdString(), false).results())
        if (r.model == "base" && r.metric == "wikitext2") recorded = r.value;
    QCOMPARE(recorded, expected);
    view.reload();
    const ResultsTable& table = view.model()->table();
    bool shown = false;
    for (const ResultsRow& row : table.rows)
        if (row.model == "base")
            shown = row.cells[0].value && *row.cells[0].value == expected && row.cells[0].partial;
    QVERIFY2(shown,
             "the base row's WikiText-2 cell does not show the measured value, marked partial");
}

QTEST_MAIN(TestResultsEvaluation)
#include "tst_results_evaluation.moc"
