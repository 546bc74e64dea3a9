// The Results tab on experiment files that record results.
#include <QAbstractItemModelTester>
#include <QFile>
#include <QFont>
#include <QTest>

#include "experiment-folder.h"
#include "invx/experiment-file.h"
#include "results-view.h"

using namespace invx;
using namespace invx::gui;

class TestResultsView : public QObject {
    Q_OBJECT

    test::ExperimentFolder folder_;
    QString file(const QString& name) const { return folder_.file(name); }
    QString synthetic(const QString& name, const test::SyntheticRun& run = {}) {
        return folder_.synthetic(name, run);
    }

  private Q_SLOTS:
    void resultsTabShowsTheRecordedTable();
};

// The Results tab reads what the files record: a row per model, two decimals, * for partial
// values and a dash (with the command that measures it) for missing ones; it exports what
// invx table prints.
void TestResultsView::resultsTabShowsTheRecordedTable() {
    test::SyntheticRun gptqSpec;
    gptqSpec.settings.base = "gptq";
    const QString rtn = synthetic("results-rtn.h5"), gptq = synthetic("results-gptq.h5", gptqSpec);
    auto record = [](const QString& path, std::vector<ResultRecord> results) {
        ExperimentFile f = ExperimentFile::open(path.toStdString(), true);
        SearchCheckpoint c;
        c.step = 100;
        c.rng = {1, 2, 3, 4};
        for (int l = 0; l < f.model().layers; ++l)
            c.layers.push_back(LayerInvariance::identity(f.model().ffn));
        f.appendCheckpoint(c);
        for (const ResultRecord& r : results) f.appendResult(r);
    };
    auto result = [](const std::string& model, std::int64_t step, const std::string& metric,
                     double value, bool complete) {
        ResultRecord r;
        r.model = model, r.step = step, r.metric = metric, r.value = value, r.complete = complete;
        r.protocol = R"({"dtype":"float16"})";
        return r;
    };
    record(rtn, {result("full-precision", 0, "wikitext2", 27.654, true),
                 result("base", 0, "wikitext2", 40.0, true),
                 result("searched", 100, "wikitext2", 35.5, true),
                 result("searched", 100, "arc_easy", 0.3, false)});
    record(gptq, {result("base", 0, "c4", 50.125, true)});

    ResultsView view;
    QAbstractItemModelTester tester(view.model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    view.setExperiments({rtn, gptq, file("not-yet.h5")});  // a file still being set up is left out
    const ResultsTableModel& m = *view.model();
    QCOMPARE(m.rowCount(), 5);
    QCOMPARE(m.columnCount(), 2 + 9);
    auto text = [&](int row, int column) { return m.data(m.index(row, column)).toString(); };
    QStringList methods;
    for (int r = 0; r < 5; ++r) methods << text(r, 1);
    QCOMPARE(methods,
             (QStringList{"FP16", "RTN", "RTN + InvarExplore", "GPTQ", "GPTQ + InvarExplore"}));
    QCOMPARE(m.headerData(2, Qt::Horizontal).toString(), QString("Wiki2 ↓"));
    QCOMPARE(m.headerData(5, Qt::Horizontal).toString(), QString("ARC-E ↑"));
    QCOMPARE(text(0, 2), QString("27.65"));
    QCOMPARE(text(1, 2), QString("40.00"));
    QCOMPARE(text(2, 2), QString("35.50"));
    QCOMPARE(text(2, 5), QString("30.00*"));
    QCOMPARE(text(3, 3), QString("50.13"));
    QCOMPARE(text(4, 3), QString("–"));
    QCOMPARE(m.data(m.index(2, 2), ResultsTableModel::SortRole).toDouble(), 35.5);
    // Bold: the best of a column among the 2-bit rows (35.50 < 40.00), never the full-precision
    // row.
    auto bold = [&](int row, int column) {
        return m.data(m.index(row, column), Qt::FontRole).value<QFont>().bold();
    };
    QVERIFY(bold(2, 2) && !bold(1, 2) && !bold(0, 2) && !bold(4, 3) && bold(3, 3) && !bold(2, 1));
    QVERIFY(m.data(m.index(4, 3), Qt::ToolTipRole).toString().contains("invx table --evaluate"));
    QVERIFY(m.data(m.index(2, 5), Qt::ToolTipRole).toString().contains("part of the data"));
    QVERIFY2(view.note().contains("* measured on part of the data") &&
                 view.note().contains("value(s) not recorded yet") &&
                 view.note().contains("invx table results-rtn.h5 results-gptq.h5 --evaluate"),
             qPrintable(view.note()));
    const ResultsTable direct =
        buildResultsTable(readResultsSources({rtn.toStdString(), gptq.toStdString()}));
    QCOMPARE(direct.missing.size(), std::size_t(5 * 8 - 5));

    // Exports: the format follows the suffix and the text is invx table's.
    for (const auto& [suffix, format] : {std::pair{QString("md"), ResultsFormat::Markdown},
                                         std::pair{QString("tex"), ResultsFormat::Latex},
                                         std::pair{QString("csv"), ResultsFormat::Csv}}) {
        const QString path = file("results." + suffix);
        QCOMPARE(view.exportTo(path), QString());
        QFile written(path);
        QVERIFY(written.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(written.readAll()),
                 QString::fromStdString(formatResultsTable(direct, format)));
    }
    QVERIFY(view.text("latex").startsWith("\\begin{tabular}{rlrrrrrrrrr}\n\\toprule\n"));
    QVERIFY(view.text("markdown")
                .contains("| 2 | RTN + InvarExplore | **35.50** | – | – | **30.00\\*** |"));

    // Nothing open: no table, and a sentence instead.
    view.setExperiments({});
    QCOMPARE(m.rowCount(), 0);
    QVERIFY(view.exportTo(file("empty.md")).contains("open experiments first"));
}

QTEST_MAIN(TestResultsView)
#include "tst_results_view.moc"
