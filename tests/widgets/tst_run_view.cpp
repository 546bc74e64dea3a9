// The six figures of the runs in view: a live run's new steps extend them (refreshAppended) to
// exactly what drawing them whole gives; a seed group is drawn as its hand-computed mean and band;
// baselines are reference lines; a figure can show each run relative to its step 0; empty figures
// say what will appear.
#include <QTest>
#include <cmath>

#include "curve-plot.h"
#include "fake-search-launcher.h"
#include "figure-legend.h"
#include "run-view.h"

using namespace invx;
using namespace invx::gui;

namespace {

bool sameValues(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return false;
    return true;
}

// Two figures show the same: title, curves and what was derived from them, bars, graphs, axes.
void compareFigures(const CurvePlot& a, const CurvePlot& b) {
    QCOMPARE(a.title(), b.title());
    QCOMPARE(a.curves().size(), b.curves().size());
    for (std::size_t i = 0; i < a.curves().size(); ++i) {
        QCOMPARE(a.curves()[i].name, b.curves()[i].name);
        QCOMPARE(a.curves()[i].x, b.curves()[i].x);
        QCOMPARE(a.curves()[i].y, b.curves()[i].y);
        QCOMPARE(a.smoothedValues(i), b.smoothedValues(i));
        QCOMPARE(a.rawBlocks(i).minAt, b.rawBlocks(i).minAt);
        QCOMPARE(a.rawBlocks(i).maxAt, b.rawBlocks(i).maxAt);
        QCOMPARE(a.rawBlocks(i).minValue, b.rawBlocks(i).minValue);
        QCOMPARE(a.rawBlocks(i).maxValue, b.rawBlocks(i).maxValue);
        QCOMPARE(a.smoothedBlocks(i).minAt, b.smoothedBlocks(i).minAt);
        QCOMPARE(a.smoothedBlocks(i).maxAt, b.smoothedBlocks(i).maxAt);
        QCOMPARE(a.smoothedBlocks(i).minValue, b.smoothedBlocks(i).minValue);
        QCOMPARE(a.smoothedBlocks(i).maxValue, b.smoothedBlocks(i).maxValue);
    }
    QCOMPARE(a.bars().size(), b.bars().size());
    for (std::size_t i = 0; i < a.bars().size(); ++i) {
        QCOMPARE(a.bars()[i].name, b.bars()[i].name);
        QVERIFY(sameValues(a.bars()[i].values, b.bars()[i].values));
    }
    QCOMPARE(a.graphCount(), b.graphCount());
    for (int g = 0; g < a.graphCount(); ++g) {
        QCOMPARE(a.graph(g)->dataCount(), b.graph(g)->dataCount());
        for (int k = 0; k < a.graph(g)->dataCount(); ++k) {
            QCOMPARE(a.graph(g)->data()->at(k)->key, b.graph(g)->data()->at(k)->key);
            QCOMPARE(a.graph(g)->data()->at(k)->value, b.graph(g)->data()->at(k)->value);
        }
    }
    QCOMPARE(a.xAxis->range().lower, b.xAxis->range().lower);
    QCOMPARE(a.xAxis->range().upper, b.xAxis->range().upper);
    QCOMPARE(a.yAxis->range().lower, b.yAxis->range().lower);
    QCOMPARE(a.yAxis->range().upper, b.yAxis->range().upper);
}

// A run whose every step is accepted with the given losses (its state follows them).
RunData runOfLosses(std::uint64_t seed, const std::vector<double>& losses) {
    RunData run;
    run.path = QString("seed%1.h5").arg(seed);
    run.settings.seed = seed;
    run.model.layers = 3;
    run.base = BaseResult{};
    run.base->ce0 = 8.1;
    run.base->mse0 = 2.5;
    for (std::size_t i = 0; i < losses.size(); ++i) {
        StepRecord r = test::FakeSearchLauncher::step(std::int64_t(i) + 1);
        r.accepted = true;
        r.loss = losses[i];
        run.append(r);
    }
    return run;
}

RunData runWithBase(double alpha) {
    RunData run;
    run.settings.alpha = alpha;
    run.model.layers = 3;
    BaseResult base;
    base.ce0 = 8.1;
    base.mse0 = 2.5;
    run.base = base;
    return run;
}

}  // namespace

class TestRunView : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void refreshAppendedMatchesARefresh_data();
    void refreshAppendedMatchesARefresh();
    void aShortenedRunIsRedrawnWhole();
    void aSeedGroupIsItsMeanAndBand();
    void baselinesAndRelativeValues();
    void emptyFiguresSayWhatWillAppear();
};

void TestRunView::refreshAppendedMatchesARefresh_data() {
    QTest::addColumn<int>("runs");
    QTest::addColumn<int>("smoothing");
    QTest::addColumn<bool>("timeAxis");
    QTest::newRow("one run") << 1 << int(Smoothing::None) << false;
    QTest::newRow("one run, EMA, against time") << 1 << int(Smoothing::Ema) << true;
    QTest::newRow("two runs, moving average") << 2 << int(Smoothing::MovingAverage) << false;
}

void TestRunView::refreshAppendedMatchesARefresh() {
    QFETCH(int, runs);
    QFETCH(int, smoothing);
    QFETCH(bool, timeAxis);
    FigureOptions options;
    options.timeAxis = timeAxis;
    options.smoothing = Smoothing(smoothing);
    options.smoothingParameter = options.smoothing == Smoothing::MovingAverage ? 20 : 0.9;
    std::vector<RunData> data(std::size_t(runs), runWithBase(0.1));
    std::vector<const RunData*> shown;
    for (const RunData& r : data) shown.push_back(&r);
    const QStringList labels{"P only", "P+S+R"};

    // Followed live: batches of steps, an evaluation now and then, each batch drawn as it comes.
    RunView live;
    live.resize(1200, 800);
    live.setOptions(options);
    live.setRuns(shown, labels.mid(0, runs));
    std::int64_t next = 1;
    for (std::int64_t batch : {1, 3, 40, 7, 200, 1, 1000, 64}) {
        for (RunData& r : data) {
            for (std::int64_t i = 0; i < batch; ++i)
                r.append(test::FakeSearchLauncher::step(next + i));
            if (batch == 40 || batch == 1000) {
                EvaluationRecord e;
                e.step = next + batch - 1;
                e.perplexity = 300.0 - double(next) / 10;
                e.elapsedSeconds = 0.5 * double(e.step);
                r.evaluations.push_back(e);
            }
        }
        next += batch;
        live.refreshAppended();
    }
    // Drawn whole at the end.
    RunView whole;
    whole.resize(1200, 800);
    whole.setOptions(options);
    whole.setRuns(shown, labels.mid(0, runs));
    for (FigureKind kind : allFigureKinds()) {
        compareFigures(*live.plot(kind), *whole.plot(kind));
        if (QTest::currentTestFailed()) QFAIL(qPrintable(figureFileName(kind)));
    }
    QCOMPARE(live.plot(FigureKind::Loss)->curves().front().x.size(), std::size_t(next - 1));
}

void TestRunView::aShortenedRunIsRedrawnWhole() {
    RunData run = runWithBase(0.1);
    for (std::int64_t i = 1; i <= 50; ++i) run.append(test::FakeSearchLauncher::step(i));
    RunView view;
    view.setRuns({&run}, {});
    // A resumed run redoes its steps from the last checkpoint: fewer than were drawn, for now.
    run.truncateFrom(31);
    for (std::int64_t i = 31; i <= 40; ++i) run.append(test::FakeSearchLauncher::step(i));
    view.refreshAppended();
    QCOMPARE(view.plot(FigureKind::Loss)->curves().front().x, run.step);
    QCOMPARE(view.plot(FigureKind::Loss)->curves().front().y, run.stateLoss);
    QCOMPARE(view.plot(FigureKind::AcceptancePerLayer)->bars().front().values.size(),
             std::size_t(3));
}

void TestRunView::aSeedGroupIsItsMeanAndBand() {
    const RunData a = runOfLosses(0, {1.0, 0.8, 0.6}), b = runOfLosses(1, {1.0, 0.6, 0.6}),
                  c = runOfLosses(2, {1.0, 0.7, 0.3});
    // Evaluations at steps 0 and 2 in one run, 0, 1 and 2 in the others.
    RunData withPpl[] = {a, b, c};
    const double ppl[3][3] = {{300, 0, 260}, {310, 290, 250}, {320, 280, 270}};
    for (int r = 0; r < 3; ++r)
        for (int k = 0; k < 3; ++k) {
            if (r == 0 && k == 1) continue;
            EvaluationRecord e;
            e.step = k;
            e.perplexity = ppl[r][k];
            withPpl[r].evaluations.push_back(e);
        }
    ComparisonOptions options;
    const Comparison minMax =
        compareRuns({&withPpl[0], &withPpl[1], &withPpl[2]}, {true, true, true}, {}, options);
    QCOMPARE(minMax.entries.size(), std::size_t(1));
    QCOMPARE(minMax.entries.front().legendName(), QString("RTN + P+S+R (n = 3)"));
    RunView view;
    view.resize(1200, 800);
    view.setComparison(minMax);
    const Curve& loss = view.plot(FigureKind::Loss)->curves().front();
    QCOMPARE(loss.x, (std::vector<double>{1, 2, 3}));
    // Step 2: 0.8, 0.6, 0.7; step 3: 0.6, 0.6, 0.3.
    QVERIFY(std::abs(loss.y[1] - 0.7) < 1e-12 && std::abs(loss.y[2] - 0.5) < 1e-12);
    QCOMPARE(loss.lower, (std::vector<double>{1.0, 0.6, 0.3}));
    QCOMPARE(loss.upper, (std::vector<double>{1.0, 0.8, 0.6}));
    // The perplexity at step 1: the first run's 280 halfway between 300 and 260, with 290 and 280.
    const Curve& perplexity = view.plot(FigureKind::Perplexity)->curves().front();
    QCOMPARE(perplexity.x, (std::vector<double>{0, 1, 2}));
    QCOMPARE(perplexity.y, (std::vector<double>{310, 850.0 / 3, 260}));
    QCOMPARE(perplexity.lower[1], 280.0);
    QCOMPARE(perplexity.upper[1], 290.0);
    QVERIFY(view.plot(FigureKind::Loss)->legendEntries().front().band);
    QCOMPARE(view.legend()->entries().size(), std::size_t(1));
    QVERIFY(view.legend()->entries().front().band);
    // ± the sample standard deviation: at step 3, 0.6, 0.6, 0.3 have sd sqrt(0.03).
    options.band = BandKind::StandardDeviation;
    view.setComparison(
        compareRuns({&withPpl[0], &withPpl[1], &withPpl[2]}, {true, true, true}, {}, options));
    const Curve& sd = view.plot(FigureKind::Loss)->curves().front();
    QVERIFY(std::abs(sd.upper[2] - (0.5 + std::sqrt(0.03))) < 1e-12);
    QVERIFY(std::abs(sd.lower[2] - (0.5 - std::sqrt(0.03))) < 1e-12);
    // Several entries: acceptance per layer is a line per entry, the group's with its band.
    RunData other = runOfLosses(0, {1.0, 0.9, 0.8});
    other.settings.invariances = "P";
    view.setComparison(compareRuns({&withPpl[0], &withPpl[1], &other}, {true, true, true}, {}, {}));
    CurvePlot* perLayer = view.plot(FigureKind::AcceptancePerLayer);
    QCOMPARE(perLayer->bars().size(), std::size_t(0));
    QCOMPARE(perLayer->curves().size(), std::size_t(2));
    QCOMPARE(perLayer->curves()[0].name, QString("P+S+R (n = 2)"));
    QCOMPARE(perLayer->curves()[0].y, (std::vector<double>{100, 100, 100}));
    QCOMPARE(perLayer->curves()[1].name, QString("P only"));
}

void TestRunView::baselinesAndRelativeValues() {
    const RunData a = runOfLosses(0, {1.05, 1.0}), b = runOfLosses(1, {1.1, 0.99});
    ComparisonOptions grouping;
    grouping.groupSeeds = false;
    grouping.baselines = true;
    const Comparison comparison = compareRuns({&a, &b}, {true, true}, {}, grouping);
    QCOMPARE(comparison.baselines.size(), std::size_t(1));  // one base method under both
    RunView view;
    view.setComparison(comparison);
    const std::vector<ReferenceLine>& ce = view.plot(FigureKind::Ce)->referenceLines();
    QCOMPARE(ce.size(), std::size_t(1));
    QCOMPARE(ce.front().name, QString("RTN"));
    QCOMPARE(ce.front().y, 8.1);
    QCOMPARE(view.plot(FigureKind::Loss)->referenceLines().front().y, 1.1);  // 1 + alpha
    QVERIFY(view.plot(FigureKind::Acceptance)->referenceLines().empty());
    QCOMPARE(view.legend()->entries().size(), std::size_t(3));  // seed 0, seed 1, RTN
    // Relative to step 0: each run over its own start, the baseline at 1.
    FigureOptions options;
    options.yScale = YScale::RelativeToStart;
    view.setOptions(options);
    CurvePlot* loss = view.plot(FigureKind::Loss);
    QCOMPARE(loss->curves()[0].y, (std::vector<double>{1.05 / 1.1, 1.0 / 1.1}));
    QCOMPARE(loss->referenceLines().front().y, 1.0);
    QCOMPARE(loss->yAxis->label(), QString("calibration loss ÷ step 0"));
    QCOMPARE(view.plot(FigureKind::Mse)->curves()[0].y.front(), 2.01 / 2.5);
}

void TestRunView::emptyFiguresSayWhatWillAppear() {
    RunView view;
    view.resize(1200, 800);
    for (FigureKind kind : allFigureKinds()) {
        QVERIFY2(view.plot(kind)->showsEmptyText(), qPrintable(figureFileName(kind)));
        QVERIFY(!view.plot(kind)->xAxis->visible());
    }
    QVERIFY(view.legend()->isHidden());
    RunData run = runWithBase(0.1);
    view.setRuns({&run}, {});
    // A run without steps yet: still nothing to draw.
    QVERIFY(view.plot(FigureKind::Loss)->showsEmptyText());
    run.append(test::FakeSearchLauncher::step(1));
    view.refreshAppended();
    QVERIFY(!view.plot(FigureKind::Loss)->showsEmptyText());
    QVERIFY(view.plot(FigureKind::Loss)->xAxis->visible());
    QVERIFY(view.plot(FigureKind::Perplexity)->showsEmptyText());  // not evaluated yet
}

QTEST_MAIN(TestRunView)
#include "tst_run_view.moc"
