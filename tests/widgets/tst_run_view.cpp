// The six figures of the runs in view: a live run's new steps extend them (refreshAppended) to
// exactly what drawing them whole gives.
#include <QTest>
#include <cmath>

#include "curve-plot.h"
#include "fake-search-launcher.h"
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

QTEST_MAIN(TestRunView)
#include "tst_run_view.moc"
