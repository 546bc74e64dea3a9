// The workbench's views, models and exports on synthetic experiment files whose contents are known.
#include <optional>
#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFont>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>
#include <cmath>

#include "ablation-plan.h"
#include "group-map-plot.h"
#include "inspector-view.h"
#include "layer-statistics.h"
#include <numeric>
#include <random>
#include <set>
#include "curve-plot.h"
#include "curve-smoothing.h"
#include "experiment-list-model.h"
#include "figure-export.h"
#include "invx/error.h"
#include "invx/experiment-file.h"
#include "invx/setting-table.h"
#include "run-labels.h"
#include "run-loader.h"
#include "results-view.h"
#include "runs-table-model.h"
#include "search-settings-form.h"
#include "series-decimation.h"
#include "synthetic-experiment.h"

using namespace invx;
using namespace invx::gui;

class TestWidgets : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString file(const QString& name) const { return dir_.filePath(name); }
    QString synthetic(const QString& name, const test::SyntheticRun& run = {}) {
        const QString path = file(name);
        if (!QFile::exists(path)) test::writeSyntheticExperiment(path, run);
        return path;
    }

private Q_SLOTS:
    void decimationKeepsEveryColumnsExtremes();
    void decimationOnALogAxis();
    void smallSeriesAreDrawnWhole();
    void smoothingMatchesHandComputedValues();
    void labelsNameWhatDiffers();
    void settingTableKeysAreTheFilesKeys();
    void formIsBuiltFromTheTable();
    void formRefusesInvalidValuesWithTheCoresSentence();
    void loadedRunMatchesTheFile();
    void followingAGrowingFile();
    void truncatedAndForeignFilesAreRefusedByName();
    void experimentListShowsStatusAndReason();
    void runsTableSortsAndExports();
    void resultsTabShowsTheRecordedTable();
    void figuresExportAtTheAskedSize();
    void plotOfAMillionPointsHoldsOnlyAFewThousand();
    void ablationGridSavesAndSummarises();
    void histogramsCountEveryWeight();
    void inspectorDrawsTheCoresNumbers();
};

void TestWidgets::decimationKeepsEveryColumnsExtremes() {
    const std::size_t n = 1000000;
    std::vector<double> x(n), y(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = double(i), y[i] = std::sin(double(i) * 1e-4);
    y[500123] = 100;   // a spike
    y[777777] = -50;   // a dip
    const int pixels = 800;
    const DecimatedSeries d = decimateMinMax(x.data(), y.data(), n, 0, double(n - 1), pixels, false);
    QVERIFY(d.x.size() <= 4 * (pixels + 2));
    QVERIFY(d.x.size() > pixels);
    QVERIFY(std::is_sorted(d.x.begin(), d.x.end()));
    QCOMPARE(*std::max_element(d.y.begin(), d.y.end()), 100.0);
    QCOMPARE(*std::min_element(d.y.begin(), d.y.end()), -50.0);
    QVERIFY(d.x.contains(500123.0));
    // Every column's extremes: the maximum over any column equals the data's maximum there.
    const double perColumn = double(n) / pixels;
    for (int c : {0, 137, 799}) {
        double trueMax = -1e300, shownMax = -1e300;
        for (std::size_t i = std::size_t(std::ceil(c * perColumn)); i < std::size_t(std::ceil((c + 1) * perColumn)) && i < n; ++i)
            trueMax = std::max(trueMax, y[i]);
        for (int k = 0; k < d.x.size(); ++k)
            if (std::floor(d.x[k] / perColumn) == c) shownMax = std::max(shownMax, d.y[k]);
        QCOMPARE(shownMax, trueMax);
    }
}

void TestWidgets::decimationOnALogAxis() {
    const std::size_t n = 200000;
    std::vector<double> x(n), y(n, 1.0);
    for (std::size_t i = 0; i < n; ++i) x[i] = double(i + 1);
    y[199990] = 7;  // at the far right, where a log axis packs many points into a column
    const DecimatedSeries d = decimateMinMax(x.data(), y.data(), n, 1, double(n), 400, true);
    QVERIFY(d.x.size() <= 4 * 402);
    QVERIFY(d.y.contains(7.0));
    // On a log axis the first columns hold single points: the start is drawn point by point.
    QCOMPARE(d.x.front(), 1.0);
    QCOMPARE(d.x[1], 2.0);
}

void TestWidgets::smallSeriesAreDrawnWhole() {
    const std::vector<double> x{1, 2, 3, 4}, y{4, NAN, 2, 1};
    const DecimatedSeries d = decimateMinMax(x.data(), y.data(), 4, 1, 4, 800, false);
    QCOMPARE(d.x, (QVector<double>{1, 3, 4}));  // the NaN is skipped
    const DecimatedSeries visible = decimateMinMax(x.data(), y.data(), 4, 2.5, 2.7, 800, false);
    QCOMPARE(visible.x, (QVector<double>{3}));  // neighbours of an empty range (the NaN skipped)
}

void TestWidgets::smoothingMatchesHandComputedValues() {
    const std::vector<double> ema = exponentialMovingAverage({1, 2, 3}, 0.5);
    QCOMPARE(ema.size(), std::size_t(3));
    QVERIFY(std::abs(ema[0] - 1.0) < 1e-12);
    QVERIFY(std::abs(ema[1] - 1.25 / 0.75) < 1e-12);
    QVERIFY(std::abs(ema[2] - 2.125 / 0.875) < 1e-12);
    QCOMPARE(movingAverage({1, 2, 3, 5}, 2), (std::vector<double>{1, 1.5, 2.5, 4}));
    QCOMPARE(smooth({1, 2}, Smoothing::None, 0.9), (std::vector<double>{1, 2}));
}

void TestWidgets::labelsNameWhatDiffers() {
    SearchSettings p, psr, seed1;
    p.invariances = "P";
    seed1.seed = 1;
    QCOMPARE(differenceLabels({p, psr}), (QStringList{"P only", "P+S+R"}));
    QCOMPARE(differenceLabels({psr, seed1}), (QStringList{"seed 0", "seed 1"}));
    SearchSettings pSeed1 = p;
    pSeed1.seed = 1;
    QCOMPARE(differenceLabels({psr, pSeed1}), (QStringList{"P+S+R, seed 0", "P only, seed 1"}));
    QCOMPARE(differenceLabels({psr, psr}, {"a", "b"}), (QStringList{"a", "b"}));
    SearchSettings bits3;
    bits3.quant.bits = 3;
    QCOMPARE(differenceLabels({psr, bits3}), (QStringList{"2-bit", "3-bit"}));
}

void TestWidgets::settingTableKeysAreTheFilesKeys() {
    // Every declared setting, set to a non-default value, survives the experiment file's JSON.
    for (const SettingDeclaration& d : searchSettingDeclarations()) {
        SearchSettings s;
        const std::string value = d.kind == SettingKind::Integer ? "3"
                                  : d.kind == SettingKind::Real  ? "0.25"
                                  : d.kind == SettingKind::Invariances ? "SR"
                                  : d.kind == SettingKind::OpenChoice  ? "other/file.txt"  // a path: never a default
                                                                       : d.choices.back();
        d.set(s, value);
        const SearchSettings back = SearchSettings::fromJson(s.toJson(), "test");
        QCOMPARE(QString::fromStdString(d.get(back)), QString::fromStdString(value));
        QVERIFY2(d.get(back) != d.get(SearchSettings{}), d.key.c_str());
        QVERIFY2(QString::fromStdString(s.toJson()).contains(QString::fromStdString("\"" + d.key + "\"")), d.key.c_str());
    }
    QVERIFY_THROWS_EXCEPTION(Error, findSettingDeclaration("--bits")->set(*new SearchSettings, "two"));
    // Problems name the setting by its key, not in a sentence to parse.
    SearchSettings zeroSwap;
    zeroSwap.swapFraction = 0;
    QCOMPARE(QString::fromStdString(zeroSwap.problems().at(0).key), QString("swap_frac"));
    QuantConfig nineBits;
    nineBits.bits = 9;
    try {
        nineBits.validate();
        QFAIL("9 bits were accepted");
    } catch (const SettingError& e) {
        QCOMPARE(QString::fromStdString(e.key()), QString("bits"));
    }
}

void TestWidgets::formIsBuiltFromTheTable() {
    SearchSettingsForm form;
    for (const SettingDeclaration& d : searchSettingDeclarations())
        QVERIFY2(form.editor(QString::fromStdString(d.key)), d.key.c_str());
    form.applyPreset("paper");
    QString error;
    QCOMPARE(QString::fromStdString(form.settings(&error).toJson()), QString::fromStdString(SearchSettings{}.toJson()));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    form.applyPreset("demo");
    const SearchSettings demo = form.settings();
    QCOMPARE(demo.calibrationSamples, SearchSettingsForm::presetSettings("demo").calibrationSamples);
    QCOMPARE(demo.calibrationLength, 128);
    SearchSettings custom;
    custom.alpha = 0.5;
    custom.invariances = "PR";
    custom.calibrationCorpus = "/data/my-corpus.txt";
    form.setSettings(custom);
    QCOMPARE(QString::fromStdString(form.settings().toJson()), QString::fromStdString(custom.toJson()));
}

void TestWidgets::formRefusesInvalidValuesWithTheCoresSentence() {
    SearchSettingsForm form;
    form.setOutputPath(file("new-run.h5"));
    QVERIFY2(form.errorText().isEmpty(), qPrintable(form.errorText()));
    auto* alpha = qobject_cast<QLineEdit*>(form.editor("alpha"));
    QVERIFY(alpha);
    alpha->setText("abc");
    QCOMPARE(form.errorText(), QString("Alpha must be a number, but is 'abc'"));
    QVERIFY(!alpha->styleSheet().isEmpty());  // the field at fault is marked
    alpha->setText("0.1");
    QVERIFY(form.errorText().isEmpty());
    QVERIFY(alpha->styleSheet().isEmpty());
    auto* swap = qobject_cast<QLineEdit*>(form.editor("swap_frac"));
    swap->setText("0");
    QCOMPARE(form.errorText(), QString("The swap fraction must be in (0, 1], but is 0"));
    swap->setText("0.1");
    for (auto* check : form.editor("invariances")->findChildren<QCheckBox*>()) check->setChecked(false);
    QVERIFY(form.errorText().startsWith("The invariances must be a non-empty combination"));
    form.editor("invariances")->findChild<QCheckBox*>("S")->setChecked(true);
    QVERIFY(form.errorText().isEmpty());
    QCOMPARE(form.settings().invariances, std::string("S"));
    const QString existing = synthetic("exists.h5");
    form.setOutputPath(existing);
    QVERIFY(form.errorText().contains("already exists"));
}

void TestWidgets::loadedRunMatchesTheFile() {
    const RunData run = loadRun(synthetic("plain.h5"));
    QCOMPARE(run.stepCount(), std::size_t(100));
    QCOMPARE(run.status, QString("finished"));
    QCOMPARE(run.stateLoss.front(), 1.1);      // step 1 rejected: the base's 1 + alpha
    QCOMPARE(run.stateCe.front(), 8.1);        // the base's CE
    QCOMPARE(run.stateLoss[2], 1.1 - 0.003);   // step 3 accepted
    QCOMPARE(run.stateLoss[3], 1.1 - 0.003);   // step 4 rejected: unchanged
    QCOMPARE(run.bestLoss(), 1.1 - 0.099);
    QCOMPARE(run.bestPerplexity(), 280.0);
    QCOMPARE(run.finalPerplexity(), 280.0);
    QCOMPARE(run.acceptanceRate(), 33.0 / 100.0);
    QCOMPARE(run.acceptancePerLayer(), (std::vector<double>{0, 0, 1}));  // steps 3, 6, ... are layer 2's
    RunData resumed = run;
    resumed.truncateFrom(51);
    QCOMPARE(resumed.stepCount(), std::size_t(50));
    QCOMPARE(resumed.evaluations.size(), std::size_t(2));  // steps 0 and 50 stay
}

void TestWidgets::followingAGrowingFile() {
    test::SyntheticRun spec;
    spec.steps = 50;
    spec.status = "running";
    const QString path = synthetic("growing.h5", spec);
    RunData run = loadRun(path);
    QCOMPARE(run.stepCount(), std::size_t(50));
    QVERIFY(!refreshRun(run));  // nothing new
    {
        ExperimentFile f = ExperimentFile::open(path.toStdString(), true);
        StepRecord r;
        r.step = 51;
        r.accepted = true;
        r.loss = 0.5;
        f.appendSteps({r});
        f.setStatus("finished");
    }
    QVERIFY(refreshRun(run));
    QCOMPARE(run.stepCount(), std::size_t(51));
    QCOMPARE(run.stateLoss.back(), 0.5);
    QCOMPARE(run.status, QString("finished"));
}

void TestWidgets::truncatedAndForeignFilesAreRefusedByName() {
    const QString good = synthetic("good.h5");
    QFile in(good);
    QVERIFY(in.open(QIODevice::ReadOnly));
    const QByteArray bytes = in.readAll();
    const QString truncated = file("truncated.h5");
    QFile out(truncated);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(bytes.left(bytes.size() / 3));
    out.close();
    const QString foreign = file("notes.h5");
    QFile text(foreign);
    QVERIFY(text.open(QIODevice::WriteOnly));
    text.write("these are notes, not HDF5\n");
    text.close();
    for (const QString& path : {truncated, foreign}) {
        try {
            loadRun(path);
            QFAIL("a broken file was read");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains(path), e.what());
        }
    }
}

void TestWidgets::experimentListShowsStatusAndReason() {
    QTemporaryDir folder;
    test::SyntheticRun running;
    running.status = "running";
    test::writeSyntheticExperiment(folder.filePath("a-finished.h5"), {});
    test::writeSyntheticExperiment(folder.filePath("b-running.h5"), running);
    // A run writes it (without a writer, a file recorded as running was killed: "interrupted").
    std::optional<ExperimentFile> writer(ExperimentFile::open(folder.filePath("b-running.h5").toStdString(), true));
    QFile broken(folder.filePath("c-broken.h5"));
    QVERIFY(broken.open(QIODevice::WriteOnly));
    broken.write("not an experiment");
    broken.close();
    ExperimentListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setFolder(folder.path());
    QCOMPARE(model.rowCount(), 3);
    auto statusOf = [&](const QString& name) {
        return model.status(model.rowOf(folder.filePath(name)));
    };
    QCOMPARE(statusOf("a-finished.h5"), QString("finished"));
    QCOMPARE(statusOf("b-running.h5"), QString("running"));
    QVERIFY(statusOf("c-broken.h5").startsWith("unreadable: "));
    QVERIFY(statusOf("c-broken.h5").contains("c-broken.h5"));
    const int broken_row = model.rowOf(folder.filePath("c-broken.h5"));
    QCOMPARE(model.data(model.index(broken_row, ExperimentListModel::StatusColumn)).toString(), QString("unreadable"));
    QVERIFY(model.data(model.index(broken_row, 0), Qt::ToolTipRole).toString().contains("unreadable: "));
    QVERIFY(model.anyRunning());
    model.setRecentFiles({file("plain.h5"), folder.filePath("a-finished.h5")});
    QCOMPARE(model.rowCount(), 4);  // a recent file in the folder is listed once
    writer.reset();  // the run is killed
    model.refresh();
    QCOMPARE(statusOf("b-running.h5"), QString("interrupted"));
    QVERIFY(model.data(model.index(model.rowOf(folder.filePath("b-running.h5")), 0), Qt::ToolTipRole).toString().contains("Resume"));
    QVERIFY(!model.anyRunning());
    {
        ExperimentFile f = ExperimentFile::open(folder.filePath("b-running.h5").toStdString(), true);
        f.setStatus("stopped");
    }
    model.refresh();
    QCOMPARE(statusOf("b-running.h5"), QString("stopped"));
}

void TestWidgets::runsTableSortsAndExports() {
    std::vector<RunData> runs;
    for (int seed : {0, 2, 1}) {
        test::SyntheticRun spec;
        spec.settings.seed = std::uint64_t(seed);
        runs.push_back(loadRun(synthetic(QString("seed%1.h5").arg(seed), spec)));
    }
    RunsTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRuns({&runs[0], &runs[1], &runs[2]});
    QCOMPARE(model.labels(), (QStringList{"seed 0", "seed 2", "seed 1"}));
    QCOMPARE(model.headerData(1, Qt::Horizontal).toString(), QString("seed"));
    QSortFilterProxyModel proxy;
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.setSourceModel(&model);
    proxy.setSortRole(RunsTableModel::SortRole);
    const int bestPpl = 2;  // Run, seed, Best PPL
    QCOMPARE(model.headerData(bestPpl, Qt::Horizontal).toString(), QString("Best PPL"));
    proxy.sort(bestPpl, Qt::DescendingOrder);
    QCOMPARE(proxy.data(proxy.index(0, 0)).toString(), QString("seed 2"));   // 282
    QCOMPARE(proxy.data(proxy.index(2, 0)).toString(), QString("seed 0"));   // 280
    QCOMPARE(proxy.data(proxy.index(0, bestPpl)).toString(), QString("282.00"));
    model.setShown(1, false);
    QCOMPARE(model.shownLabels(), (QStringList{"seed 0", "seed 1"}));
    QVERIFY(model.setData(model.index(1, 0), Qt::Checked, Qt::CheckStateRole));
    QCOMPARE(model.shownRuns().size(), std::size_t(3));

    const QStringList md = model.toMarkdown().trimmed().split('\n');
    QCOMPARE(md.size(), 2 + 3);
    QCOMPARE(md[0], QString("| Run | seed | Best PPL | Final PPL | Best loss | Accepted (%) | Steps | Time (s) |"));
    QCOMPARE(md[2], QString("| seed 0 | 0 | 280.00 | 280.00 | 1.0010 | 33.0 | 100 | 50.0 |"));
    const QString tex = model.toLatex();
    QVERIFY(tex.startsWith("\\begin{tabular}{llrrrrrr}\n\\toprule\n"));
    QVERIFY(tex.contains("\\midrule") && tex.contains("\\bottomrule"));
    QVERIFY(!tex.contains('|'));
    QVERIFY(tex.contains("Accepted (\\%)"));
}

// The Results tab reads what the files record: a row per model, two decimals, * for partial
// values and a dash (with the command that measures it) for missing ones; it exports what
// invx table prints.
void TestWidgets::resultsTabShowsTheRecordedTable() {
    test::SyntheticRun gptqSpec;
    gptqSpec.settings.base = "gptq";
    const QString rtn = synthetic("results-rtn.h5"), gptq = synthetic("results-gptq.h5", gptqSpec);
    auto record = [](const QString& path, std::vector<ResultRecord> results) {
        ExperimentFile f = ExperimentFile::open(path.toStdString(), true);
        SearchCheckpoint c;
        c.step = 100;
        c.rng = {1, 2, 3, 4};
        for (int l = 0; l < f.model().layers; ++l) c.layers.push_back(LayerInvariance::identity(f.model().ffn));
        f.appendCheckpoint(c);
        for (const ResultRecord& r : results) f.appendResult(r);
    };
    auto result = [](const std::string& model, std::int64_t step, const std::string& metric, double value, bool complete) {
        ResultRecord r;
        r.model = model, r.step = step, r.metric = metric, r.value = value, r.complete = complete;
        r.protocol = R"({"dtype":"float16"})";
        return r;
    };
    record(rtn, {result("full-precision", 0, "wikitext2", 27.654, true), result("base", 0, "wikitext2", 40.0, true),
                 result("searched", 100, "wikitext2", 35.5, true), result("searched", 100, "arc_easy", 0.3, false)});
    record(gptq, {result("base", 0, "c4", 50.125, true)});

    ResultsView view;
    QAbstractItemModelTester tester(view.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    view.setExperiments({rtn, gptq, file("not-yet.h5")});  // a file still being set up is left out
    const ResultsTableModel& m = *view.model();
    QCOMPARE(m.rowCount(), 5);
    QCOMPARE(m.columnCount(), 2 + 9);
    auto text = [&](int row, int column) { return m.data(m.index(row, column)).toString(); };
    QStringList methods;
    for (int r = 0; r < 5; ++r) methods << text(r, 1);
    QCOMPARE(methods, (QStringList{"FP16", "RTN", "RTN + InvarExplore", "GPTQ", "GPTQ + InvarExplore"}));
    QCOMPARE(m.headerData(2, Qt::Horizontal).toString(), QString("Wiki2 ↓"));
    QCOMPARE(m.headerData(5, Qt::Horizontal).toString(), QString("ARC-E ↑"));
    QCOMPARE(text(0, 2), QString("27.65"));
    QCOMPARE(text(1, 2), QString("40.00"));
    QCOMPARE(text(2, 2), QString("35.50"));
    QCOMPARE(text(2, 5), QString("30.00*"));
    QCOMPARE(text(3, 3), QString("50.13"));
    QCOMPARE(text(4, 3), QString("–"));
    QCOMPARE(m.data(m.index(2, 2), ResultsTableModel::SortRole).toDouble(), 35.5);
    // Bold: the best of a column among the 2-bit rows (35.50 < 40.00), never the full-precision row.
    auto bold = [&](int row, int column) { return m.data(m.index(row, column), Qt::FontRole).value<QFont>().bold(); };
    QVERIFY(bold(2, 2) && !bold(1, 2) && !bold(0, 2) && !bold(4, 3) && bold(3, 3) && !bold(2, 1));
    QVERIFY(m.data(m.index(4, 3), Qt::ToolTipRole).toString().contains("invx table --evaluate"));
    QVERIFY(m.data(m.index(2, 5), Qt::ToolTipRole).toString().contains("part of the data"));
    QVERIFY2(view.note().contains("* measured on part of the data") &&
                 view.note().contains("value(s) not recorded yet") &&
                 view.note().contains("invx table results-rtn.h5 results-gptq.h5 --evaluate"),
             qPrintable(view.note()));
    const ResultsTable direct = buildResultsTable(readResultsSources({rtn.toStdString(), gptq.toStdString()}));
    QCOMPARE(direct.missing.size(), std::size_t(5 * 8 - 5));

    // Exports: the format follows the suffix and the text is invx table's.
    for (const auto& [suffix, format] : {std::pair{QString("md"), ResultsFormat::Markdown},
                                         std::pair{QString("tex"), ResultsFormat::Latex},
                                         std::pair{QString("csv"), ResultsFormat::Csv}}) {
        const QString path = file("results." + suffix);
        QCOMPARE(view.exportTo(path), QString());
        QFile written(path);
        QVERIFY(written.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(written.readAll()), QString::fromStdString(formatResultsTable(direct, format)));
    }
    QVERIFY(view.text("latex").startsWith("\\begin{tabular}{rlrrrrrrrrr}\n\\toprule\n"));
    QVERIFY(view.text("markdown").contains("| 2 | RTN + InvarExplore | **35.50** | – | – | **30.00\\*** |"));

    // Nothing open: no table, and a sentence instead.
    view.setExperiments({});
    QCOMPARE(m.rowCount(), 0);
    QVERIFY(view.exportTo(file("empty.md")).contains("open experiments first"));
}

void TestWidgets::figuresExportAtTheAskedSize() {
    const RunData a = loadRun(synthetic("plain.h5"));
    test::SyntheticRun other;
    other.settings.invariances = "P";
    const RunData b = loadRun(synthetic("p-only.h5", other));
    QTemporaryDir out;
    const FigureStyle style = FigureStyle::preset("icml-column");
    const QStringList written = exportRunFigures({&a, &b}, {"P+S+R", "P only"}, {}, out.path(), {"pdf", "svg", "png", "csv"}, style);
    QCOMPARE(written.size(), 6 * 4);

    QFile pdf(out.filePath("loss.pdf"));
    QVERIFY(pdf.open(QIODevice::ReadOnly));
    const QByteArray pdfBytes = pdf.readAll();
    QVERIFY(pdfBytes.startsWith("%PDF-"));
    const QRegularExpression box(R"(/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\])");
    const auto m = box.match(QString::fromLatin1(pdfBytes));
    QVERIFY(m.hasMatch());
    QVERIFY(std::abs(m.captured(1).toDouble() - 3.25 * 72) < 1.0);
    QVERIFY(std::abs(m.captured(2).toDouble() - 2.25 * 72) < 1.0);

    QFile svg(out.filePath("loss.svg"));
    QVERIFY(svg.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&svg);
    bool sawSvg = false, sawText = false;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement() && xml.name() == QLatin1String("svg")) sawSvg = true;
        if (xml.isCharacters() && xml.text().toString().contains("P only")) sawText = true;  // the legend
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY(sawSvg);
    QVERIFY(sawText);

    const QImage png(out.filePath("loss.png"));
    QCOMPARE(png.size(), QSize(975, 675));  // 3.25 x 2.25 in at 300 dpi

    auto csvRows = [&](const QString& name) {
        QFile csv(out.filePath(name));
        if (!csv.open(QIODevice::ReadOnly)) return -1;
        return int(csv.readAll().trimmed().split('\n').size());
    };
    QCOMPARE(csvRows("loss.csv"), 1 + 2 * 100);
    QCOMPARE(csvRows("acceptance.csv"), 1 + 2 * 2 * 100);
    QCOMPARE(csvRows("perplexity.csv"), 1 + 2 * 3);
    QCOMPARE(csvRows("acceptance-per-layer.csv"), 1 + 2 * 3);
    QFile loss(out.filePath("loss.csv"));
    QVERIFY(loss.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = loss.readAll().split('\n');
    QCOMPARE(lines[0], QByteArray("series,step,CE/CE₀ + α·MSE/MSE₀"));
    const QList<QByteArray> step3 = lines[3].split(',');
    QCOMPARE(step3[0], QByteArray("P+S+R"));
    QCOMPARE(step3[1].toDouble(), 3.0);
    QCOMPARE(step3[2].toDouble(), 1.1 - 0.003);  // exactly: the CSV round-trips doubles
}

void TestWidgets::plotOfAMillionPointsHoldsOnlyAFewThousand() {
    CurvePlot plot;
    plot.resize(900, 500);
    Curve c{"loss", std::vector<double>(1000000), std::vector<double>(1000000), Qt::blue};
    for (std::size_t i = 0; i < c.x.size(); ++i) c.x[i] = double(i + 1), c.y[i] = 1.0 / double(i + 1);
    c.y[654321] = 5;
    plot.setCurves({c});
    plot.replot();
    QVERIFY(plot.displayedPointCount() > 500);
    QVERIFY(plot.displayedPointCount() <= 4 * (plot.axisRect()->width() + 2));
    QCOMPARE(plot.curves().front().x.size(), std::size_t(1000000));  // the data is whole
    bool spike = false;
    for (auto it = plot.graph(0)->data()->constBegin(); it != plot.graph(0)->data()->constEnd(); ++it) spike |= it->value == 5;
    QVERIFY(spike);
    plot.setSmoothing(Smoothing::Ema, 0.99);
    QVERIFY(plot.graph(1)->dataCount() > 0);                    // the smoothed curve
    QVERIFY(plot.graph(0)->property("faint").toBool());          // over the faint raw one
    QVERIFY(plot.graph(0)->pen().color().lightness() > plot.graph(1)->pen().color().lightness());
    plot.xAxis->setRange(1000, 2000);  // zoomed in: every point of the range
    QCOMPARE(plot.graph(0)->dataCount(), 1001 + 2);
}

void TestWidgets::ablationGridSavesAndSummarises() {
    QTemporaryDir folder;
    const std::vector<AblationAxis> axes{{"invariances", {"P", "S", "R", "PSR"}}, {"seed", {"0", "1", "2"}}};
    AblationPlan plan = AblationPlan::create(SearchSettings{}, axes, folder.path(), "opt-demo", "cpu", "auto");
    QCOMPARE(plan.variants().size(), std::size_t(12));
    QCOMPARE(plan.variants()[0].values, (QStringList{"P", "0"}));
    QCOMPARE(plan.variants()[1].values, (QStringList{"P", "1"}));
    QCOMPARE(plan.variants()[3].values, (QStringList{"S", "0"}));
    QCOMPARE(plan.variants()[11].settings.invariances, std::string("PSR"));
    QCOMPARE(plan.variants()[11].settings.seed, std::uint64_t(2));
    QCOMPARE(QFileInfo(plan.variants()[4].path).fileName(), QString("invariances-S_seed-1.h5"));
    try {
        AblationPlan::create(SearchSettings{}, {{"invariances", {"P", "X"}}}, folder.path(), "", "cpu", "auto");
        QFAIL("an invalid value was accepted");
    } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains("invariances"), e.what());
    }
    QVERIFY_THROWS_EXCEPTION(Error, AblationPlan::create(SearchSettings{}, {{"no_such", {"1"}}}, folder.path(), "", "cpu", "auto"));

    plan.variants()[0].state = "finished";
    plan.variants()[1].state = "running";
    plan.save();
    AblationPlan back = AblationPlan::load(plan.file());
    QCOMPARE(back.variants()[0].state, QString("finished"));
    QCOMPARE(back.variants()[1].state, QString("running"));
    QCOMPARE(back.nextVariant(), 1);
    QCOMPARE(back.modelPath(), QString("opt-demo"));

    // Results: final perplexity 280 + seed for every variant of P; none for the others.
    std::vector<RunData> runs;
    runs.reserve(3);
    std::vector<const RunData*> results(12, nullptr);
    for (int seed = 0; seed < 3; ++seed) {
        test::SyntheticRun spec;
        spec.settings = plan.variants()[std::size_t(seed)].settings;
        test::writeSyntheticExperiment(plan.variants()[std::size_t(seed)].path, spec);
        runs.push_back(loadRun(plan.variants()[std::size_t(seed)].path));
        results[std::size_t(seed)] = &runs.back();
    }
    const auto rows = summarizeAblation(plan, results);
    QCOMPARE(rows.size(), std::size_t(4));
    QCOMPARE(rows[0].values, QStringList{"P"});
    QCOMPARE(rows[0].runs, 3);
    QCOMPARE(rows[0].finalPerplexityMean, 281.0);
    QCOMPARE(rows[0].finalPerplexityStd, 1.0);  // sample standard deviation of 280, 281, 282
    QCOMPARE(rows[1].runs, 0);
    QVERIFY(std::isnan(rows[1].finalPerplexityMean));
    QCOMPARE(summaryAxisKeys(plan), QStringList{"invariances"});
}

namespace {

// A layer snapshot with known numbers: rows x cols weights, groups of `group`, a shuffled permutation.
WeightSnapshot syntheticMatrix(const char* name, std::int64_t rows, std::int64_t cols, std::int64_t group, float shift) {
    WeightSnapshot w;
    w.name = name;
    w.rows = rows;
    w.cols = cols;
    w.groupSize = group;
    for (std::int64_t i = 0; i < rows * cols; ++i) {
        const float v = std::sin(float(i) * 0.37f) + shift;
        w.original.push_back(v);
        w.transformed.push_back(v * 1.1f);
        w.quantized.push_back(std::round(v * 1.1f * 2) / 2);
    }
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t g = 0; g < cols / group; ++g) {
            float lo = 1e9f, hi = -1e9f;
            double err = 0;
            for (std::int64_t c = g * group; c < (g + 1) * group; ++c) {
                const std::size_t i = std::size_t(r * cols + c);
                lo = std::min(lo, w.transformed[i]), hi = std::max(hi, w.transformed[i]);
                err += double(w.quantized[i] - w.transformed[i]) * double(w.quantized[i] - w.transformed[i]);
            }
            w.groupMin.push_back(lo);
            w.groupMax.push_back(hi);
            w.groupError.push_back(float(err / double(group)));
        }
    return w;
}

}  // namespace

void TestWidgets::histogramsCountEveryWeight() {
    const WeightSnapshot w = syntheticMatrix("fc1", 16, 64, 16, 0);
    const auto [lo, hi] = valueRange({&w.original});
    const Histogram h = histogram(w.original, lo, hi, 37);
    QCOMPARE(std::accumulate(h.counts.begin(), h.counts.end(), 0.0), double(16 * 64));
    // Values outside the range count in the edge bins: nothing is lost.
    const Histogram narrow = histogram(w.original, 0, 0.5, 10);
    QCOMPARE(std::accumulate(narrow.counts.begin(), narrow.counts.end(), 0.0), double(16 * 64));
    QCOMPARE(quantile({5, 1, 4, 2, 3}, 0.5), 3.0);
    QCOMPARE(quantile({5, 1, 4, 2, 3}, 1.0), 5.0);
}

void TestWidgets::inspectorDrawsTheCoresNumbers() {
    LayerInspection i;
    i.experiment = "synthetic.h5";
    i.checkpoint = 2;
    i.checkpointCount = 3;
    // A layer of FFN width 64 on a hidden width of 32: fc1 [64, 32], fc2 [32, 64], groups of 16.
    i.start.fc1 = syntheticMatrix("fc1", 64, 32, 16, 0);
    i.start.fc2 = syntheticMatrix("fc2", 32, 64, 16, 0);
    i.now.fc1 = syntheticMatrix("fc1", 64, 32, 16, 0.25f);
    i.now.fc2 = syntheticMatrix("fc2", 32, 64, 16, 0.25f);
    i.now.step = 40;
    i.now.layer = 1;
    i.now.invariance = LayerInvariance::identity(64);
    std::mt19937 random(3);
    std::shuffle(i.now.invariance.permutation.begin(), i.now.invariance.permutation.end(), random);
    i.invariance = {0, 1.5e-6, 0.25};
    for (const char* name : {"q_proj", "k_proj", "v_proj", "out_proj"}) i.attention.push_back(syntheticMatrix(name, 32, 32, 16, 0.5f));
    i.positionChanges.assign(64, 0.0);
    i.positionChanges[5] = 3;
    InspectorView view;
    view.resize(1400, 900);
    view.display(i);
    // Histograms: every weight counted once (log counts off: empty bins stay zero).
    for (QCheckBox* box : view.findChildren<QCheckBox*>())
        if (box->text() == "log counts") box->setChecked(false);
    for (const Curve& c : view.histogramPlot()->curves())
        QCOMPARE(std::accumulate(c.y.begin(), c.y.end() - 1, 0.0), double(64 * 32));
    for (const Curve& c : view.errorPlot()->curves())
        QCOMPARE(std::accumulate(c.y.begin(), c.y.end() - 1, 0.0), double(64 * 32));
    // The outlier map's cells are the core's per-group numbers (here: the mean squared error).
    for (std::int64_t r = 0; r < 64; ++r)
        for (std::int64_t g = 0; g < 2; ++g) {
            QCOMPARE(view.afterMap()->cell(r, g), double(i.now.fc1.groupError[std::size_t(r * 2 + g)]));
            QCOMPARE(view.beforeMap()->cell(r, g), double(i.start.fc1.groupError[std::size_t(r * 2 + g)]));
        }
    QVERIFY(view.afterMap()->outlinedCount() >= 1);  // the cells above the 99th percentile
    QCOMPARE(view.afterMap()->map()->dataRange(), view.beforeMap()->map()->dataRange());  // one colour scale
    // The permutation inspector shows the stored mapping.
    const Curve& moved = view.displacementPlot()->curves().front();
    QCOMPARE(moved.y.size(), std::size_t(64));
    for (std::size_t k = 0; k < 64; ++k) QCOMPARE(std::int64_t(moved.y[k]), i.now.invariance.permutation[k]);
    QVERIFY(view.invarianceText().contains("2: 0.25"));
    double angleCount = 0;
    for (std::size_t k = 0; k + 1 < view.anglesPlot()->curves().front().y.size(); ++k) angleCount += view.anglesPlot()->curves().front().y[k];
    QCOMPARE(angleCount, 32.0);  // one per neuron pair
    // The timeline marks the accepted steps at their layers.
    view.setAcceptedSteps({1, 2, 3, 4}, {0, 2, 1, 2}, {1, 0, 0, 1});
    QCOMPARE(view.timelinePlot()->curves().front().x, (std::vector<double>{1, 4}));
    QCOMPARE(view.timelinePlot()->curves().front().y, (std::vector<double>{0, 2}));
    // A clicked group: its 16 weights before and after, and their quantized values.
    view.showGroup(3, 1);
    const std::vector<Curve>& group = view.groupPlot()->curves();
    QCOMPARE(group.back().y.size(), std::size_t(16));
    QCOMPARE(group.back().y.front(), double(i.now.fc1.transformed[3 * 32 + 16]));
    // Its grid: one line per level the 16 quantized weights take, before and after.
    std::set<float> levels(i.now.fc1.quantized.begin() + 3 * 32 + 16, i.now.fc1.quantized.begin() + 3 * 32 + 32);
    std::set<float> drawn;
    for (const Curve& c : group)
        if (c.name == "grid after") drawn.insert(float(c.y.front()));
    QVERIFY(drawn == levels);
    // How often each position changed, as the core counted it.
    QCOMPARE(view.positionChangesPlot()->curves().front().y, i.positionChanges);
    // The invariance check per layer.
    QCOMPARE(view.invariancePlot()->bars().front().values[2], 0.25);
    // The error reduction: before's error minus now's, beside the error before the search.
    view.findChild<QComboBox*>("quantity")->setCurrentIndex(int(GroupQuantity::ErrorReduction));
    QCOMPARE(view.afterMap()->cell(5, 1), double(i.start.fc1.groupError[5 * 2 + 1]) - double(i.now.fc1.groupError[5 * 2 + 1]));
    QCOMPARE(view.beforeMap()->cell(5, 1), double(i.start.fc1.groupError[5 * 2 + 1]));
    QCOMPARE(view.afterMap()->map()->dataRange().lower, -view.afterMap()->map()->dataRange().upper);  // centred on zero
    view.findChild<QComboBox*>("quantity")->setCurrentIndex(int(GroupQuantity::Error));

    // A neuron: its fc1 row and fc2 column before (at its own index) and after (where it went).
    const std::int64_t neuron = 9;
    const std::int64_t position = std::find(i.now.invariance.permutation.begin(), i.now.invariance.permutation.end(), neuron) -
                                  i.now.invariance.permutation.begin();
    view.showNeuron(neuron);
    QCOMPARE(view.selectedNeuron(), neuron);
    QVERIFY2(view.neuronText().contains(QStringLiteral("position %1 → %2").arg(neuron).arg(position)), qPrintable(view.neuronText()));
    const Curve& rowAfter = view.neuronRowPlot()->curves()[1];
    QCOMPARE(rowAfter.y.size(), std::size_t(32));
    for (std::size_t k = 0; k < 32; ++k) {
        QCOMPARE(rowAfter.y[k], double(i.now.fc1.transformed[std::size_t(position) * 32 + k]));
        QCOMPARE(view.neuronRowPlot()->curves()[0].y[k], double(i.start.fc1.transformed[std::size_t(neuron) * 32 + k]));
    }
    const Curve& columnAfter = view.neuronColumnPlot()->curves()[1];
    QCOMPARE(columnAfter.y.size(), std::size_t(32));
    for (std::size_t r = 0; r < 32; ++r) QCOMPARE(columnAfter.y[r], double(i.now.fc2.transformed[r * 64 + std::size_t(position)]));
    // Its groups' errors: fc1's two groups of its row, then fc2's groups holding its column (mean).
    const auto& bars = view.neuronErrorPlot()->bars();
    QCOMPARE(bars.size(), std::size_t(2));
    QCOMPARE(bars[1].values.size(), std::size_t(3));
    QCOMPARE(bars[1].values[1], double(i.now.fc1.groupError[std::size_t(position) * 2 + 1]));
    QCOMPARE(bars[0].values[0], double(i.start.fc1.groupError[std::size_t(neuron) * 2]));
    double fc2Mean = 0;
    for (std::size_t r = 0; r < 32; ++r) fc2Mean += double(i.now.fc2.groupError[r * 4 + std::size_t(position) / 16]) / 32;
    QCOMPARE(float(bars[1].values[2]), float(fc2Mean));
    // A click on the permutation map picks the neuron at that position.
    CurvePlot* moves = view.displacementPlot();
    moves->replot();
    const QPoint at(int(moves->xAxis->coordToPixel(20)), moves->axisRect()->center().y());
    QTest::mouseClick(moves, Qt::LeftButton, {}, at);
    QCOMPARE(view.selectedNeuron(), i.now.invariance.permutation[std::size_t(std::lround(moves->xAxis->pixelToCoord(at.x())))]);

    // Attention matrices: the search leaves them, so before = after and there is no "transformed".
    view.selectMatrix("k_proj");
    QCOMPARE(view.histogramPlot()->curves().size(), std::size_t(2));
    for (const Curve& c : view.histogramPlot()->curves())
        QCOMPARE(std::accumulate(c.y.begin(), c.y.end() - 1, 0.0), double(32 * 32));
    QCOMPARE(view.afterMap()->cell(7, 1), double(i.attention[1].groupError[7 * 2 + 1]));
    QCOMPARE(view.beforeMap()->cell(7, 1), view.afterMap()->cell(7, 1));
    QVERIFY(view.groupPlot()->curves().empty());  // the group clicked was fc1's
    view.selectMatrix("fc1");
    view.showGroup(3, 1);

    // Every view exports like the curves; the screen keeps its style (the title stays).
    const int layoutElements = view.histogramPlot()->plotLayout()->elementCount();
    QTemporaryDir out;
    const QStringList written = view.exportFigures(out.path(), {"pdf", "svg", "png", "csv"}, "icml-column");
    QCOMPARE(written.size(), 14 * 4);
    QVERIFY(written.contains(out.filePath("neuron-%1-fc1-row.svg").arg(view.selectedNeuron())));
    QCOMPARE(view.histogramPlot()->plotLayout()->elementCount(), layoutElements);
    QFile map(out.filePath("fc1-map-after.csv"));
    QVERIFY(map.open(QIODevice::ReadOnly));
    const QList<QByteArray> rows = map.readAll().trimmed().split('\n');
    QCOMPARE(rows.size(), 1 + 64 * 2);
    QCOMPARE(rows[1].split(',')[2].toDouble(), double(i.now.fc1.groupError[0]));
    QCOMPARE(QImage(out.filePath("permutation.png")).size(), QSize(975, 675));
    QFile pdf(out.filePath("fc1-map-before.pdf"));
    QVERIFY(pdf.open(QIODevice::ReadOnly) && pdf.read(5) == "%PDF-");
}

QTEST_MAIN(TestWidgets)
#include "tst_widgets.moc"
