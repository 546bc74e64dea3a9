// Studies like the paper's: the presets set up its analyses, the dialog's estimate is the measured
// speed's arithmetic, variants of one base quantization share it, and a finished 2 x 2 study
// (one variant with a single run) gives the paper's table as text.
#include <QAbstractItemModelTester>
#include <QFont>
#include <QTemporaryDir>
#include <QTest>

#include "ablation-dialog.h"
#include "ablation-plan.h"
#include "ablation-study.h"
#include "invx/error.h"
#include "invx/experiment-file.h"
#include "invx/reasoning-tasks.h"
#include "study-estimate.h"
#include "study-presets.h"
#include "study-table-view.h"
#include "synthetic-experiment.h"

using namespace invx;
using namespace invx::gui;

class TestAblationStudy : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void presetsSetUpThePapersAnalyses_data();
    void presetsSetUpThePapersAnalyses();
    void theEstimateIsTheMeasuredSpeedsArithmetic();
    void withoutAMeasuredSpeedTheTimeIsUnknown();
    void theDialogCountsThePresetsRuns();
    void variantsOfOneBaseQuantizationShareIt();
    void aFinishedTwoByTwoStudyGivesThePapersTable();
};

void TestAblationStudy::presetsSetUpThePapersAnalyses_data() {
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("key");  // the setting the first axis varies
    QTest::addColumn<QStringList>("values");
    QTest::addColumn<int>("variants");  // with two seeds
    QTest::newRow("Table 2") << "invariances"
                             << "invariances" << QStringList{"P", "S", "R", "PSR"} << 8;
    QTest::newRow("Table 3") << "bits-group"
                             << "bits" << QStringList{"1", "2", "3"} << 12;
    QTest::newRow("Table 4") << "matched-layers"
                             << "num_layers" << QStringList{"0", "1", "5", "10"} << 8;
    QTest::newRow("Figure 1") << "calibration"
                              << "calibration_samples" << QStringList{"1", "8", "16", "24", "32"}
                              << 10;
}

// Each preset varies the paper's setting over the paper's values, over AWQ, with the seeds last.
void TestAblationStudy::presetsSetUpThePapersAnalyses() {
    QFETCH(QString, id);
    QFETCH(QString, key);
    QFETCH(QStringList, values);
    QFETCH(int, variants);
    const StudyPreset* preset = findStudyPreset(id);
    QVERIFY(preset);
    QCOMPARE(preset->axes.front().key, key);
    QCOMPARE(preset->axes.front().values, values);
    SearchSettings base;  // the form's: RTN by default
    applyFixedSettings(base, preset->fixed);
    QCOMPARE(base.base, std::string("awq"));
    std::vector<AblationAxis> axes = preset->axes;
    for (const AblationAxis& a : seedAxis(2)) axes.push_back(a);
    QTemporaryDir dir;
    const AblationPlan plan = AblationPlan::create(base, axes, dir.path(), "m", "cpu", "float32");
    QCOMPARE(int(plan.variants().size()), variants);
    QCOMPARE(plan.variants()[1].settings.seed, std::uint64_t(1));
    QCOMPARE(plan.variants()[1].values.front(), values.front());
    for (const AblationVariant& v : plan.variants()) QCOMPARE(v.settings.base, std::string("awq"));
    if (id == QLatin1String("matched-layers")) {
        // "w/ 0 layers" is the search without activation matching: alpha 0 there alone.
        QCOMPARE(plan.variants()[0].settings.matchedLayers, 0);
        QCOMPARE(plan.variants()[0].settings.alpha, 0.0);
        QCOMPARE(plan.variants()[2].settings.alpha, base.alpha);
    }
    if (id == QLatin1String("bits-group")) {
        // 1, 2 and 3 bits, each with groups of 64 and 128: the last is 3-bit, group 128, seed 1.
        QCOMPARE(plan.variants()[11].settings.quant.bits, 3);
        QCOMPARE(plan.variants()[11].settings.quant.groupSize, 128);
        QCOMPARE(plan.variants()[2].settings.quant.groupSize, 128);
    }
    QVERIFY(seedAxis(1).empty());  // one seed: the form's own
    QVERIFY_THROWS_EXCEPTION(Error, applyFixedSettings(base, {{"bits", "9"}}));
}

// 100 steps in 50 s and 300 in 100 s of the model on the CPU: 400 / 150 = 2.667 steps/s (runs of
// another device or model do not count). 8 variants of 250 steps: 2,000 steps, 750 s, 13 min.
void TestAblationStudy::theEstimateIsTheMeasuredSpeedsArithmetic() {
    QTemporaryDir dir;
    const QString model = dir.filePath("opt-demo");
    QVERIFY(QDir().mkpath(model));
    const std::vector<RunPace> paces{{model, "cpu", 100, 50},
                                     {model + "/", "cpu", 300, 100},
                                     {model, "cuda", 1000, 10},
                                     {dir.filePath("other"), "cpu", 10, 100}};
    const std::optional<MeasuredSpeed> speed = measuredSpeed(paces, model, "cpu");
    QVERIFY(speed);
    QCOMPARE(speed->runs, 2);
    QCOMPARE(speed->stepsPerSecond, 400.0 / 150.0);
    SearchSettings s;
    s.steps = 250;
    const StudyEstimate e = estimateStudy(std::vector<SearchSettings>(8, s), speed);
    QCOMPARE(e.runs, 8);
    QCOMPARE(e.steps, std::int64_t(2000));
    QVERIFY(e.seconds);
    QCOMPARE(*e.seconds, 750.0);
    QCOMPARE(estimateText(e, speed),
             QString("8 runs, 2,000 steps, about 13 min of search (2.67 steps/s, measured on 2 "
                     "runs of this model on cpu; loading, the base method and the evaluations "
                     "come on top)"));
    QCOMPARE(durationText(40), QString("40 s"));
    QCOMPARE(durationText(7500), QString("2 h 05 min"));
    QCOMPARE(measuredSpeed(paces, model, "cuda")->stepsPerSecond, 100.0);
}

void TestAblationStudy::withoutAMeasuredSpeedTheTimeIsUnknown() {
    SearchSettings s;
    s.steps = 10000;
    const std::optional<MeasuredSpeed> none = measuredSpeed({}, "opt-demo", "cpu");
    QVERIFY(!none);
    const StudyEstimate e = estimateStudy({s, s, s}, none);
    QVERIFY(!e.seconds);
    QCOMPARE(estimateText(e, none),
             QString("3 runs, 30,000 steps, time unknown until the first run (no run of this "
                     "model on this device to measure the speed on)"));
}

// The dialog shows the preset's grid, counted as the queue will make it.
void TestAblationStudy::theDialogCountsThePresetsRuns() {
    SearchSettings form;
    form.steps = 500;
    AblationDialog dialog("/tmp/study", form, MeasuredSpeed{2.0, 1, "cpu"});
    dialog.choosePreset("matched-layers");
    dialog.setSeeds(3);
    dialog.setEvaluation(AblationEvaluation::Quick);
    QCOMPARE(dialog.axes().size(), std::size_t(2));
    QCOMPARE(dialog.axes()[0].key, QString("num_layers"));
    QCOMPARE(dialog.axes()[1].values, (QStringList{"0", "1", "2"}));
    // 4 x 3 runs of 500 steps at 2 steps/s: 3,000 s.
    QVERIFY2(dialog.estimate().startsWith("12 runs, 6,000 steps, about 50 min of search"),
             qPrintable(dialog.estimate()));
    const StudyOptions options = dialog.options();
    QCOMPARE(options.study, QString("matched-layers"));
    QCOMPARE(options.evaluation, AblationEvaluation::Quick);
    QCOMPARE(options.fixed.size(), std::size_t(1));
    dialog.setSeeds(1);
    QCOMPARE(dialog.axes().size(), std::size_t(1));
    QVERIFY2(dialog.estimate().startsWith("4 runs, 2,000 steps"), qPrintable(dialog.estimate()));
    AblationDialog unmeasured("/tmp/study", form, std::nullopt);
    unmeasured.choosePreset("bits-group");  // 6 variants, 3 seeds as the dialog opens
    QCOMPARE(unmeasured.estimate(),
             QString("18 runs, 9,000 steps, time unknown until the first run (no run of this "
                     "model on this device to measure the speed on)"));
}

// Over AWQ the seeds, invariances and the search's calibration size share a base; bits, group and
// the base method's calibration do not, and RTN has none to share. Only a variant that holds its
// base (finished or stopped, its file written) is a source; over OmniQuant its training settings
// are part of the base.
void TestAblationStudy::variantsOfOneBaseQuantizationShareIt() {
    SearchSettings awq;
    awq.base = "awq";
    QTemporaryDir dir;
    AblationPlan plan = AblationPlan::create(
        awq, {{"bits", {"2", "3"}}, {"invariances", {"P", "PSR"}}, {"seed", {"0", "1"}}},
        dir.path(), "m", "cpu", "float32");
    for (int i = 0; i < 8; ++i) QCOMPARE(plan.baseSource(i), -1);  // nothing has run
    plan.variants()[0].state = "finished";
    plan.variants()[4].state = "failed: out of memory";
    plan.variants()[5].state = "stopped";
    QCOMPARE(plan.baseSource(1), -1);  // no file yet (as a run stopped while OmniQuant trained)
    for (int i : {0, 4, 5}) {
        QFile f(plan.variants()[std::size_t(i)].path);
        QVERIFY(f.open(QIODevice::WriteOnly));
    }
    QCOMPARE(plan.baseSource(0), -1);
    QCOMPARE(plan.baseSource(1), 0);
    QCOMPARE(plan.baseSource(3), 0);
    QCOMPARE(plan.baseSource(4), -1);  // 3 bits: another base
    QCOMPARE(plan.baseSource(6), 5);   // not the failed one
    SearchSettings other = awq;
    other.seed = 7, other.invariances = "R", other.calibrationSamples = 1, other.matchedLayers = 0;
    QCOMPARE(baseQuantizationKey(other), baseQuantizationKey(awq));
    other.baseCalibrationSamples = 64;
    QVERIFY(baseQuantizationKey(other) != baseQuantizationKey(awq));
    SearchSettings omniquant = awq;
    omniquant.base = "omniquant";
    SearchSettings moreEpochs = omniquant;
    moreEpochs.omniquantEpochs = 40;  // another training: another base
    QVERIFY(baseQuantizationKey(moreEpochs) != baseQuantizationKey(omniquant));
    moreEpochs.seed = 3;
    moreEpochs.omniquantEpochs = omniquant.omniquantEpochs;
    QCOMPARE(baseQuantizationKey(moreEpochs), baseQuantizationKey(omniquant));
    SearchSettings rtn;
    QVERIFY(baseQuantizationKey(rtn).empty());
    AblationPlan rtnPlan =
        AblationPlan::create(rtn, {{"seed", {"0", "1"}}}, dir.path(), "m", "cpu", "float32");
    rtnPlan.variants()[0].state = "finished";
    QCOMPARE(rtnPlan.baseSource(1), -1);
}

namespace {

ResultRecord result(const char* model, std::int64_t step, const std::string& metric, double value) {
    ResultRecord r;
    r.model = model, r.step = step, r.metric = metric, r.value = value, r.complete = true;
    r.unixTime = 1000;
    return r;
}

// WikiText-2, C4 and the six tasks' accuracies from `first` up in steps of 0.1.
std::vector<ResultRecord> results(const char* model, std::int64_t step, double wikitext2, double c4,
                                  double first) {
    std::vector<ResultRecord> out{result(model, step, "wikitext2", wikitext2),
                                  result(model, step, "c4", c4)};
    for (const std::string& task : reasoningTaskNames())
        out.push_back(result(model, step, task, first)), first += 0.1;
    return out;
}

}  // namespace

// Invariances {P, P+S+R} x seeds {0, 1} over AWQ; P+S+R's second seed failed, so its row is one
// run's value. P's first file records the base model's values.
void TestAblationStudy::aFinishedTwoByTwoStudyGivesThePapersTable() {
    QTemporaryDir dir;
    SearchSettings awq;
    awq.base = "awq";
    AblationPlan plan =
        AblationPlan::create(awq, {{"invariances", {"P", "PSR"}}, {"seed", {"0", "1"}}}, dir.path(),
                             "m", "cpu", "float32");
    const std::vector<std::vector<ResultRecord>> recorded{
        results("base", 0, 35, 30, 0.30), results("searched", 100, 30, 27, 0.32),
        results("searched", 100, 31, 28, 0.34), results("searched", 100, 28, 26, 0.31)};
    for (int i = 0; i < 3; ++i) {
        AblationVariant& v = plan.variants()[std::size_t(i)];
        test::SyntheticRun spec;
        spec.settings = v.settings;
        spec.lastCheckpoint = true;
        test::writeSyntheticExperiment(v.path, spec);
        ExperimentFile f = ExperimentFile::open(v.path.toStdString(), true);
        for (const ResultRecord& r : recorded[std::size_t(i + 1)]) f.appendResult(r);
        if (i == 0)
            for (const ResultRecord& r : recorded[0]) f.appendResult(r);
        v.state = "finished";
    }
    plan.variants()[3].state = "failed: out of memory";

    const std::vector<StudyVariant> variants = studyVariants(plan);
    QCOMPARE(variants.size(), std::size_t(2));
    QCOMPARE(QString::fromStdString(variants[0].label), QString("P only"));
    QCOMPARE(variants[0].paths.size(), std::size_t(2));
    QCOMPARE(QString::fromStdString(variants[1].label), QString("P+S+R"));

    StudyTableView view;
    QAbstractItemModelTester tester(view.model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    view.setTable(ablationStudyTable(plan));
    QCOMPARE(view.text(ResultsFormat::Markdown),
             QString("| Bits | Method | Runs | Wiki2 ↓ | C4 ↓ | ARC-C ↑ | ARC-E ↑ | BoolQ ↑ | "
                     "HellaSwag ↑ | PIQA ↑ | WinoGrande ↑ | Avg ↑ |\n"
                     "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
                     "---: | ---: |\n"
                     "| 2 | AWQ (before the search) | 1 | 35.00 | 30.00 | 30.00 | 40.00 | 50.00 | "
                     "60.00 | 70.00 | 80.00 | 55.00 |\n"
                     "| 2 | P only | 2 | 30.50 ± 0.71 | 27.50 ± 0.71 | **33.00 ± 1.41** | "
                     "**43.00 ± 1.41** | **53.00 ± 1.41** | **63.00 ± 1.41** | **73.00 ± 1.41** | "
                     "**83.00 ± 1.41** | **58.00 ± 1.41** |\n"
                     "| 2 | P+S+R | 1 | **28.00** | **26.00** | 31.00 | 41.00 | 51.00 | 61.00 | "
                     "71.00 | 81.00 | 56.00 |\n"
                     "\n"
                     "Mean ± sample standard deviation over the runs (seeds); a value without ± "
                     "is of one run.\n"));
    QCOMPARE(view.text(ResultsFormat::Latex),
             QString("\\begin{tabular}{rlrrrrrrrrrr}\n\\toprule\n"
                     "Bits & Method & Runs & Wiki2 $\\downarrow$ & C4 $\\downarrow$ & ARC-C "
                     "$\\uparrow$ & ARC-E $\\uparrow$ & BoolQ $\\uparrow$ & HellaSwag $\\uparrow$ "
                     "& PIQA $\\uparrow$ & WinoGrande $\\uparrow$ & Avg $\\uparrow$ \\\\\n"
                     "\\midrule\n"
                     "2 & AWQ (before the search) & 1 & 35.00 & 30.00 & 30.00 & 40.00 & 50.00 & "
                     "60.00 & 70.00 & 80.00 & 55.00 \\\\\n"
                     "2 & P only & 2 & 30.50 $\\pm$ 0.71 & 27.50 $\\pm$ 0.71 & \\textbf{33.00 "
                     "$\\pm$ 1.41} & \\textbf{43.00 $\\pm$ 1.41} & \\textbf{53.00 $\\pm$ 1.41} & "
                     "\\textbf{63.00 $\\pm$ 1.41} & \\textbf{73.00 $\\pm$ 1.41} & \\textbf{83.00 "
                     "$\\pm$ 1.41} & \\textbf{58.00 $\\pm$ 1.41} \\\\\n"
                     "2 & P+S+R & 1 & \\textbf{28.00} & \\textbf{26.00} & 31.00 & 41.00 & 51.00 & "
                     "61.00 & 71.00 & 81.00 & 56.00 \\\\\n"
                     "\\bottomrule\n\\end{tabular}\n"
                     "% mean $\\pm$ sample standard deviation over the runs (seeds)\n"));
    const QStringList csv = view.text(ResultsFormat::Csv).split('\n');
    QCOMPARE(csv[3].section(',', 0, 7), QString("2,P+S+R,0,1,28,0,1,26"));

    // The window's table: the same cells, bold where the text is, the values alone for one run.
    const QStandardItemModel& m = *view.model();
    QCOMPARE(m.rowCount(), 3);
    QCOMPARE(m.columnCount(), 3 + 9);
    QCOMPARE(m.item(1, 3)->text(), QString("30.50 ± 0.71"));
    QCOMPARE(m.item(2, 3)->text(), QString("28.00"));
    QVERIFY(m.item(2, 3)->font().bold());
    QVERIFY(!m.item(1, 3)->font().bold());
    QVERIFY(m.item(1, 5)->font().bold());
    QCOMPARE(m.headerData(4, Qt::Horizontal).toString(), QString("C4 ↓"));
    QVERIFY2(view.note().startsWith("synthetic: mean ± sample standard deviation"),
             qPrintable(view.note()));
}

QTEST_MAIN(TestAblationStudy)
#include "tst_ablation_study.moc"
