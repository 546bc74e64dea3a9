// The runs table: rows named by what differs, numbers that sort as numbers, shown runs, and its
// Markdown and LaTeX.
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
    QString file(const QString& name) const { return folder_.file(name); }
    QString synthetic(const QString& name, const test::SyntheticRun& run = {}) {
        return folder_.synthetic(name, run);
    }

  private Q_SLOTS:
    void runsTableSortsAndExports();
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
    model.setRuns({&runs[0], &runs[1], &runs[2]});
    QCOMPARE(model.labels(), (QStringList{"seed 0", "seed 2", "seed 1"}));
    QCOMPARE(model.headerData(1, Qt::Horizontal).toString(), QString("seed"));
    QSortFilterProxyModel proxy;
    QAbstractItemModelTester proxyTester(&proxy,
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.setSourceModel(&model);
    proxy.setSortRole(RunsTableModel::SortRole);
    const int bestPpl = 2;  // Run, seed, Best PPL
    QCOMPARE(model.headerData(bestPpl, Qt::Horizontal).toString(), QString("Best PPL"));
    proxy.sort(bestPpl, Qt::DescendingOrder);
    QCOMPARE(proxy.data(proxy.index(0, 0)).toString(), QString("seed 2"));  // 282
    QCOMPARE(proxy.data(proxy.index(2, 0)).toString(), QString("seed 0"));  // 280
    QCOMPARE(proxy.data(proxy.index(0, bestPpl)).toString(), QString("282.00"));
    model.setShown(1, false);
    QCOMPARE(model.shownLabels(), (QStringList{"seed 0", "seed 1"}));
    QVERIFY(model.setData(model.index(1, 0), Qt::Checked, Qt::CheckStateRole));
    QCOMPARE(model.shownRuns().size(), std::size_t(3));

    const QStringList md = model.toMarkdown().trimmed().split('\n');
    QCOMPARE(md.size(), 2 + 3);
    QCOMPARE(
        md[0],
        QString(
            "| Run | seed | Best PPL | Final PPL | Best loss | Accepted (%) | Steps | Time (s) |"));
    QCOMPARE(md[2], QString("| seed 0 | 0 | 280.00 | 280.00 | 1.0010 | 33.0 | 100 | 50.0 |"));
    const QString tex = model.toLatex();
    QVERIFY(tex.startsWith("\\begin{tabular}{llrrrrrr}\n\\toprule\n"));
    QVERIFY(tex.contains("\\midrule") && tex.contains("\\bottomrule"));
    QVERIFY(!tex.contains('|'));
    QVERIFY(tex.contains("Accepted (\\%)"));
}

QTEST_MAIN(TestRunsTableModel)
#include "tst_runs_table_model.moc"
