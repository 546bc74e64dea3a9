// An ablation's grid of variants: built, saved, read back, and summarised over seeds.
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>

#include "ablation-plan.h"
#include "invx/error.h"
#include "run-loader.h"
#include "synthetic-experiment.h"

using namespace invx;
using namespace invx::gui;

class TestAblationPlan : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void ablationGridSavesAndSummarises();
};

void TestAblationPlan::ablationGridSavesAndSummarises() {
    QTemporaryDir folder;
    const std::vector<AblationAxis> axes{{"invariances", {"P", "S", "R", "PSR"}},
                                         {"seed", {"0", "1", "2"}}};
    AblationPlan plan =
        AblationPlan::create(SearchSettings{}, axes, folder.path(), "opt-demo", "cpu", "auto");
    QCOMPARE(plan.variants().size(), std::size_t(12));
    QCOMPARE(plan.variants()[0].values, (QStringList{"P", "0"}));
    QCOMPARE(plan.variants()[1].values, (QStringList{"P", "1"}));
    QCOMPARE(plan.variants()[3].values, (QStringList{"S", "0"}));
    QCOMPARE(plan.variants()[11].settings.invariances, std::string("PSR"));
    QCOMPARE(plan.variants()[11].settings.seed, std::uint64_t(2));
    QCOMPARE(QFileInfo(plan.variants()[4].path).fileName(), QString("invariances-S_seed-1.h5"));
    try {
        AblationPlan::create(SearchSettings{}, {{"invariances", {"P", "X"}}}, folder.path(), "",
                             "cpu", "auto");
        QFAIL("an invalid value was accepted");
    } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains("invariances"), e.what());
    }
    QVERIFY_THROWS_EXCEPTION(Error, AblationPlan::create(SearchSettings{}, {{"no_such", {"1"}}},
                                                         folder.path(), "", "cpu", "auto"));

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

QTEST_MAIN(TestAblationPlan)
#include "tst_ablation_plan.moc"
