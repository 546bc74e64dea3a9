// The runs table: rows named by what distinguishes them, numbers that sort as numbers, shown runs,
// seed groups as mean ± sd with their n that expand to their runs, baselines, names of the user's
// own, and its Markdown and LaTeX.
#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>
#include <QTest>

#include "experiment-folder.h"
#include "run-loader.h"
#include "runs-table-model.h"

using namespace invx;
using namespace invx::gui;

class TestRunsTableModel : public QObject {
    Q_OBJECT

    test::ExperimentFolder folder_;
    QString synthetic(const QString& name, const test::SyntheticRun& run = {}) {
        return folder_.synthetic(name, run);
    }
    // P and P+S+R, seeds 0 and 1.
    std::vector<RunData> twoSettingsTwoSeeds() {
        std::vector<RunData> runs;
        for (const char* invariances : {"P", "PSR"})
            for (int seed : {0, 1}) {
                test::SyntheticRun spec;
                spec.settings.invariances = invariances;
                spec.settings.seed = std::uint64_t(seed);
                runs.push_back(
                    loadRun(synthetic(QString("%1-%2.h5").arg(invariances).arg(seed), spec)));
            }
        return runs;
    }

  private Q_SLOTS:
    void runsTableSortsAndExports();
    void aSeedGroupIsMeanAndSdWithItsRuns();
    void baselinesNamesAndOrder();
};

void TestRunsTableModel::runsTableSortsAndExports() {
    std::vector<RunData> runs;
    for (int seed : {0, 2, 1}) {
        test::SyntheticRun spec;
        spec.settings.seed = std::uint64_t(seed);
        runs.push_back(loadRun(synthetic(QString("seed%1.h5").arg(seed), spec)));
    }
    RunsTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ComparisonOptions apart;
    apart.groupSeeds = false;
    model.setOptions(apart);
    model.setRuns({&runs[0], &runs[1], &runs[2]});
    QCOMPARE(model.labels(), (QStringList{"seed 0", "seed 2", "seed 1"}));
    // The metrics next to the names; the distinguishing setting and the model after them.
    QCOMPARE(model.headerData(1, Qt::Horizontal).toString(), QString("n"));
    QCOMPARE(model.headerData(8, Qt::Horizontal).toString(), QString("Seed"));
    QCOMPARE(model.headerData(9, Qt::Horizontal).toString(), QString("Model"));
    QSortFilterProxyModel proxy;
    QAbstractItemModelTester proxyTester(&proxy,
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.setSourceModel(&model);
    proxy.setSortRole(RunsTableModel::SortRole);
    const int bestPpl = 2;  // Run, n, Best PPL
    QCOMPARE(model.headerData(bestPpl, Qt::Horizontal).toString(), QString("Best PPL"));
    proxy.sort(bestPpl, Qt::DescendingOrder);
    QCOMPARE(proxy.data(proxy.index(0, 0)).toString(), QString("seed 2"));  // 282
    QCOMPARE(proxy.data(proxy.index(2, 0)).toString(), QString("seed 0"));  // 280
    QCOMPARE(proxy.data(proxy.index(0, bestPpl)).toString(), QString("282.00"));
    model.setShown(&runs[1], false);
    QCOMPARE(model.shownRuns(), (std::vector<const RunData*>{&runs[0], &runs[2]}));
    QVERIFY(model.setData(model.index(1, 0), Qt::Checked, Qt::CheckStateRole));
    QCOMPARE(model.shownRuns().size(), std::size_t(3));

    const QStringList md = model.toMarkdown().trimmed().split('\n');
    QCOMPARE(md.size(), 2 + 3);
    QCOMPARE(md[0], QString("| Run | n | Best PPL | Final PPL | Best loss | Accepted (%) | Steps | "
                            "Time (s) | Seed | Model |"));
    QCOMPARE(md[1],
             QString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"));
    QCOMPARE(
        md[2],
        QString("| seed 0 | 1 | 280.00 | 280.00 | 1.0010 | 33.0 | 100 | 50.0 | 0 | synthetic |"));
    const QString tex = model.toLatex();
    QVERIFY(tex.startsWith("\\begin{tabular}{lrrrrrrrll}\n\\toprule\n"));
    QVERIFY(tex.contains("\\midrule") && tex.contains("\\bottomrule"));
    QVERIFY(!tex.contains('|'));
    QVERIFY(tex.contains("Accepted (\\%)"));
}

void TestRunsTableModel::aSeedGroupIsMeanAndSdWithItsRuns() {
    std::vector<RunData> runs = twoSettingsTwoSeeds();
    RunsTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRuns({&runs[0], &runs[1], &runs[2], &runs[3]});
    // Two groups of two, named among the groups (the seed is not what tells them apart).
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.labels(), (QStringList{"P only", "P+S+R"}));
    QCOMPARE(model.comparison().entries[0].legendName(), QString("P only (n = 2)"));
    const QModelIndex p = model.index(0, 0);
    QCOMPARE(model.rowCount(p), 2);
    QCOMPARE(model.index(0, 0, p).data().toString(), QString("seed 0"));
    QCOMPARE(model.index(1, 0, p).data().toString(), QString("seed 1"));
    QCOMPARE(model.index(0, 1).data().toString(), QString("2"));
    // Best perplexity 280 and 281: mean 280.5, sample sd sqrt(0.5) = 0.71.
    QCOMPARE(model.index(0, 2).data().toString(), QString("280.50 ± 0.71"));
    QCOMPARE(model.index(0, 2).data(RunsTableModel::SortRole).toDouble(), 280.5);
    QCOMPARE(model.index(1, 2, p).data().toString(), QString("281.00"));
    QCOMPARE(model.index(0, 8).data().toString(), QString("P"));     // Invariances
    QCOMPARE(model.index(0, 9).data().toString(), QString("0, 1"));  // Seed
    // One run of the group hidden: the group is that run, its box half-checked.
    QVERIFY(model.setData(model.index(1, 0, p), Qt::Unchecked, Qt::CheckStateRole));
    QCOMPARE(model.index(0, 0).data(Qt::CheckStateRole).value<Qt::CheckState>(),
             Qt::PartiallyChecked);
    QCOMPARE(model.index(0, 1).data().toString(), QString("1"));
    QCOMPARE(model.index(0, 2).data().toString(), QString("280.00"));
    QCOMPARE(model.comparison().entries[0].legendName(), QString("P only"));
    QCOMPARE(model.shownRuns().size(), std::size_t(3));
    // The group's box shows (or hides) all of it.
    QVERIFY(model.setData(model.index(0, 0), Qt::Checked, Qt::CheckStateRole));
    QCOMPARE(model.shownRuns().size(), std::size_t(4));
    const QStringList md = model.toMarkdown().trimmed().split('\n');
    QVERIFY2(md[2].startsWith("| P only | 2 | 280.50 ± 0.71 |"), qPrintable(md[2]));
    QVERIFY(model.toLatex().contains("280.50 $\\pm$ 0.71"));
}

void TestRunsTableModel::baselinesNamesAndOrder() {
    std::vector<RunData> runs = twoSettingsTwoSeeds();
    RunsTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRuns({&runs[0], &runs[1], &runs[2], &runs[3]});
    ComparisonOptions options;
    options.baselines = true;
    model.setOptions(options);
    // The base method before the search first: step 0 of a run over it.
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.rowKind(model.index(0, 0)), RunsTableModel::RowKind::Baseline);
    QCOMPARE(model.index(0, 0).data().toString(), QString("RTN"));
    QCOMPARE(model.index(0, 2).data().toString(), QString("300.00"));  // perplexity at step 0
    QCOMPARE(model.index(0, 4).data().toString(), QString("1.1000"));  // loss 1 + alpha
    QVERIFY(!(model.flags(model.index(0, 0)) & Qt::ItemIsUserCheckable));
    // A name of the user's own, kept by the group's key; empty gives the derived one back.
    int changes = 0;
    connect(&model, &RunsTableModel::comparisonChanged, this, [&] { ++changes; });
    QVERIFY(model.setData(model.index(2, 0), "InvarExplore (P+S+R)", Qt::EditRole));
    QCOMPARE(model.labels(), (QStringList{"P only", "InvarExplore (P+S+R)"}));
    QCOMPARE(model.customLabels().size(), 1);
    QCOMPARE(changes, 1);
    QVERIFY(model.setData(model.index(2, 0), "", Qt::EditRole));
    QCOMPARE(model.labels(), (QStringList{"P only", "P+S+R"}));
    // Entries move; the legend follows the table's order.
    model.moveEntry(1, -1);
    QCOMPARE(model.labels(), (QStringList{"P+S+R", "P only"}));
    QCOMPARE(model.comparison().shownRuns().front(), &runs[2]);
    QCOMPARE(model.runs().size(), std::size_t(4));
}

QTEST_MAIN(TestRunsTableModel)
#include "tst_runs_table_model.moc"
