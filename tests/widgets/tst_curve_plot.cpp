// The curve plot: with a million points the data stays whole and the graphs hold a few thousand;
// curves extended by new points give what setting them whole gives; bands and reference lines are
// in the fitted range; an empty plot says what will appear; 40 or 80 layers keep readable ticks.
#include <QTest>
#include <cmath>
#include <cstring>
#include <random>

#include "curve-plot.h"

using namespace invx;
using namespace invx::gui;

namespace {

// The same values bit for bit (NaNs included).
bool sameBits(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// Two plots show the same: curves, what was derived from them, the graphs' points and the axes.
void compareShown(const CurvePlot& a, const CurvePlot& b) {
    QCOMPARE(a.curves().size(), b.curves().size());
    for (std::size_t i = 0; i < a.curves().size(); ++i) {
        QCOMPARE(a.curves()[i].x, b.curves()[i].x);
        QVERIFY(sameBits(a.curves()[i].y, b.curves()[i].y));
        QVERIFY(sameBits(a.smoothedValues(i), b.smoothedValues(i)));
        QCOMPARE(a.rawBlocks(i).minAt, b.rawBlocks(i).minAt);
        QCOMPARE(a.rawBlocks(i).maxAt, b.rawBlocks(i).maxAt);
        QCOMPARE(a.rawBlocks(i).minValue, b.rawBlocks(i).minValue);
        QCOMPARE(a.rawBlocks(i).maxValue, b.rawBlocks(i).maxValue);
        QCOMPARE(a.rawBlocks(i).points, b.rawBlocks(i).points);
        QCOMPARE(a.smoothedBlocks(i).minAt, b.smoothedBlocks(i).minAt);
        QCOMPARE(a.smoothedBlocks(i).maxAt, b.smoothedBlocks(i).maxAt);
        QCOMPARE(a.smoothedBlocks(i).minValue, b.smoothedBlocks(i).minValue);
        QCOMPARE(a.smoothedBlocks(i).maxValue, b.smoothedBlocks(i).maxValue);
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

}  // namespace

class TestCurvePlot : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void plotOfAMillionPointsHoldsOnlyAFewThousand();
    void appendingToAHandCheckedCurve();
    void appendingInPiecesMatchesSettingAtOnce_data();
    void appendingInPiecesMatchesSettingAtOnce();
    void bandsAndReferenceLinesAreInRange();
    void anEmptyPlotSaysWhatWillAppear();
    void manyLayersKeepReadableTicks_data();
    void manyLayersKeepReadableTicks();
};

void TestCurvePlot::plotOfAMillionPointsHoldsOnlyAFewThousand() {
    CurvePlot plot;
    plot.resize(900, 500);
    Curve c{"loss", std::vector<double>(1000000), std::vector<double>(1000000), Qt::blue};
    for (std::size_t i = 0; i < c.x.size(); ++i)
        c.x[i] = double(i + 1), c.y[i] = 1.0 / double(i + 1);
    c.y[654321] = 5;
    plot.setCurves({c});
    plot.replot();
    QVERIFY(plot.displayedPointCount() > 500);
    QVERIFY(plot.displayedPointCount() <= 4 * (plot.axisRect()->width() + 2));
    QCOMPARE(plot.curves().front().x.size(), std::size_t(1000000));  // the data is whole
    bool spike = false;
    for (auto it = plot.graph(0)->data()->constBegin(); it != plot.graph(0)->data()->constEnd();
         ++it)
        spike |= it->value == 5;
    QVERIFY(spike);
    plot.setSmoothing(Smoothing::Ema, 0.99);
    QVERIFY(plot.graph(1)->dataCount() > 0);             // the smoothed curve
    QVERIFY(plot.graph(0)->property("faint").toBool());  // over the faint raw one
    QVERIFY(plot.graph(0)->pen().color().lightness() > plot.graph(1)->pen().color().lightness());
    plot.xAxis->setRange(1000, 2000);  // zoomed in: every point of the range
    QCOMPARE(plot.graph(0)->dataCount(), 1001 + 2);
}

void TestCurvePlot::appendingToAHandCheckedCurve() {
    CurvePlot plot;
    plot.resize(600, 400);
    plot.setSmoothing(Smoothing::Ema, 0.5);
    plot.setCurves({Curve{"loss", {1, 2, 3}, {3, 1, 2}, Qt::blue}});
    plot.appendToCurves({CurveTail{{4, 5}, {5, 0}}});
    QCOMPARE(plot.curves().front().x, (std::vector<double>{1, 2, 3, 4, 5}));
    QCOMPARE(plot.curves().front().y, (std::vector<double>{3, 1, 2, 5, 0}));
    // EMA 0.5 with debiasing: averages 1.5, 1.25, 1.625, 3.3125, 1.65625 over 1 - 0.5^(i+1).
    const std::vector<double> hand{3, 1.25 / 0.75, 1.625 / 0.875, 3.3125 / 0.9375,
                                   1.65625 / 0.96875};
    const std::vector<double>& smoothed = plot.smoothedValues(0);
    QCOMPARE(smoothed.size(), hand.size());
    for (std::size_t i = 0; i < hand.size(); ++i) QVERIFY(std::abs(smoothed[i] - hand[i]) < 1e-12);
    QCOMPARE(smoothed, exponentialMovingAverage({3, 1, 2, 5, 0}, 0.5));
    QCOMPARE(plot.rawBlocks(0).minAt, (std::vector<std::size_t>{4}));  // the 0 just added
    QCOMPARE(plot.rawBlocks(0).maxAt, (std::vector<std::size_t>{3}));  // the 5
    // The value axis takes in the new extremes (5 % padding of the range 0..5).
    QCOMPARE(plot.yAxis->range().lower, -0.25);
    QCOMPARE(plot.yAxis->range().upper, 5.25);
    QCOMPARE(plot.xAxis->range().upper, 5.0);
}

void TestCurvePlot::appendingInPiecesMatchesSettingAtOnce_data() {
    QTest::addColumn<int>("smoothing");
    QTest::addColumn<double>("parameter");
    QTest::addColumn<bool>("logY");
    QTest::addColumn<std::size_t>("points");
    QTest::addColumn<std::size_t>("batch");
    QTest::newRow("raw, batches of 100")
        << int(Smoothing::None) << 0.0 << false << std::size_t(20000) << std::size_t(100);
    QTest::newRow("EMA, batches of 37")
        << int(Smoothing::Ema) << 0.9 << false << std::size_t(5000) << std::size_t(37);
    QTest::newRow("moving average, log y")
        << int(Smoothing::MovingAverage) << 50.0 << true << std::size_t(5000) << std::size_t(250);
    QTest::newRow("EMA, a point at a time")
        << int(Smoothing::Ema) << 0.99 << false << std::size_t(300) << std::size_t(1);
}

void TestCurvePlot::appendingInPiecesMatchesSettingAtOnce() {
    QFETCH(int, smoothing);
    QFETCH(double, parameter);
    QFETCH(bool, logY);
    QFETCH(std::size_t, points);
    QFETCH(std::size_t, batch);
    // Two curves as a figure has them (a state and a noisy value), and a third that is not
    // smoothed, with gaps (NaN) in it.
    std::mt19937 random(5);
    std::normal_distribution<double> noise;
    std::vector<Curve> whole{Curve{"state", {}, {}, Qt::blue}, Curve{"noisy", {}, {}, Qt::red},
                             Curve{"marks", {}, {}, Qt::green, Qt::SolidLine, false, true}};
    for (std::size_t i = 0; i < points; ++i)
        for (Curve& c : whole) {
            c.x.push_back(double(i + 1));
            c.y.push_back(c.name == "marks" && i % 101 == 3
                              ? NAN
                              : 2.0 / std::sqrt(double(i + 1)) + 0.1 * noise(random));
        }
    CurvePlot atOnce, grown;
    for (CurvePlot* plot : {&atOnce, &grown}) {
        plot->resize(900, 500);
        plot->setLogY(logY);
        plot->setSmoothing(Smoothing(smoothing), parameter);
    }
    std::vector<Curve> empty = whole;
    for (Curve& c : empty) c.x.clear(), c.y.clear();
    grown.setCurves(empty);
    for (std::size_t from = 0; from < points; from += batch) {
        std::vector<CurveTail> tails;
        const std::size_t to = std::min(points, from + batch);
        for (const Curve& c : whole)
            tails.push_back(
                {std::vector<double>(c.x.begin() + long(from), c.x.begin() + long(to)),
                 std::vector<double>(c.y.begin() + long(from), c.y.begin() + long(to))});
        grown.appendToCurves(tails);
    }
    atOnce.setCurves(whole);
    compareShown(grown, atOnce);
    QVERIFY(grown.smoothedValues(0).empty() == (Smoothing(smoothing) == Smoothing::None));
    QVERIFY(grown.smoothedValues(2).empty());  // not smoothable
}

void TestCurvePlot::bandsAndReferenceLinesAreInRange() {
    CurvePlot plot;
    plot.resize(600, 400);
    Curve mean{"mean", {1, 2, 3}, {2, 2, 2}, Qt::blue};
    mean.lower = {1, 1.5, 1.8};
    mean.upper = {3, 2.5, 2.2};
    plot.setCurves({mean});
    plot.setReferenceLines({{"base", 4, Qt::gray}});
    // 1 to 4 with 5 % padding.
    QCOMPARE(plot.yAxis->range().lower, 1 - 0.15);
    QCOMPARE(plot.yAxis->range().upper, 4 + 0.15);
    // The band's two edges under the curve, filled between them.
    QCOMPARE(plot.graphCount(), 4);
    QCOMPARE(plot.graph(3)->channelFillGraph(), plot.graph(2));
    QCOMPARE(plot.graph(2)->layer()->name(), QString("bands"));
    const std::vector<LegendEntry> legend = plot.legendEntries();
    QCOMPARE(legend.size(), std::size_t(2));
    QVERIFY(legend[0].band && !legend[1].band);
    QCOMPARE(legend[1].label, QString("base"));
    // Its own legend under the axes, outside the data.
    plot.setLegendBelow(true);
    plot.replot();
    QVERIFY(plot.legend->visible());
    QVERIFY(plot.legend->outerRect().top() >= plot.axisRect()->outerRect().bottom());
}

void TestCurvePlot::anEmptyPlotSaysWhatWillAppear() {
    CurvePlot plot;
    plot.resize(600, 400);
    plot.setEmptyText("the loss appears here");
    plot.setCurves({Curve{"loss", {}, {}, Qt::blue}});
    QVERIFY(plot.showsEmptyText());
    QVERIFY(!plot.xAxis->visible() && !plot.yAxis->visible());
    plot.appendToCurves({CurveTail{{1}, {0.5}}});
    QVERIFY(!plot.showsEmptyText());
    QVERIFY(plot.xAxis->visible() && plot.yAxis->visible());
}

void TestCurvePlot::manyLayersKeepReadableTicks_data() {
    QTest::addColumn<int>("layers");
    QTest::addColumn<int>("every");
    QTest::newRow("12 layers: each") << 12 << 1;
    QTest::newRow("24 layers: every 2nd") << 24 << 2;
    QTest::newRow("40 layers: every 5th") << 40 << 5;
    QTest::newRow("80 layers: every 10th") << 80 << 10;
}

void TestCurvePlot::manyLayersKeepReadableTicks() {
    QFETCH(int, layers);
    QFETCH(int, every);
    CurvePlot plot;
    plot.setBars(QString(), {{"rate", std::vector<double>(std::size_t(layers), 10.0), Qt::blue}});
    auto ticker = plot.xAxis->ticker().dynamicCast<QCPAxisTickerText>();
    QVERIFY(ticker);
    QCOMPARE(ticker->ticks().size(), (layers + every - 1) / every);
    QCOMPARE(ticker->ticks().value(double(every)), QString::number(every));
    QCOMPARE(ticker->subTickCount(), every - 1);  // a sub-tick at every layer
    QVERIFY(ticker->ticks().size() <= 12);
}

QTEST_MAIN(TestCurvePlot)
#include "tst_curve_plot.moc"
