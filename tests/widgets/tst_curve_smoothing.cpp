// The curves' smoothing (EMA with debiasing, trailing moving average) on hand-computed values.
#include <QTest>
#include <cmath>
#include <random>

#include "curve-smoothing.h"

using namespace invx;
using namespace invx::gui;

class TestCurveSmoothing : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void smoothingMatchesHandComputedValues();
    void extendedSmoothingOfAHandCheckedSeries();
    void extendingInPiecesMatchesSmoothingAtOnce_data();
    void extendingInPiecesMatchesSmoothingAtOnce();
};

void TestCurveSmoothing::smoothingMatchesHandComputedValues() {
    const std::vector<double> ema = exponentialMovingAverage({1, 2, 3}, 0.5);
    QCOMPARE(ema.size(), std::size_t(3));
    QVERIFY(std::abs(ema[0] - 1.0) < 1e-12);
    QVERIFY(std::abs(ema[1] - 1.25 / 0.75) < 1e-12);
    QVERIFY(std::abs(ema[2] - 2.125 / 0.875) < 1e-12);
    QCOMPARE(movingAverage({1, 2, 3, 5}, 2), (std::vector<double>{1, 1.5, 2.5, 4}));
    QCOMPARE(smooth({1, 2}, Smoothing::None, 0.9), (std::vector<double>{1, 2}));
}

void TestCurveSmoothing::extendedSmoothingOfAHandCheckedSeries() {
    // The EMA of {1, 2, 3} (weight 0.5) smoothed as {1}, then two more points.
    std::vector<double> y{1};
    SmoothingState state;
    std::vector<double> ema;
    extendSmoothing(y, Smoothing::Ema, 0.5, &state, &ema);
    QCOMPARE(ema, (std::vector<double>{1}));
    y.insert(y.end(), {2, 3});
    extendSmoothing(y, Smoothing::Ema, 0.5, &state, &ema);
    QCOMPARE(ema.size(), std::size_t(3));
    QVERIFY(std::abs(ema[1] - 1.25 / 0.75) < 1e-12);
    QVERIFY(std::abs(ema[2] - 2.125 / 0.875) < 1e-12);
    QCOMPARE(ema, exponentialMovingAverage(y, 0.5));
    QCOMPARE(state.decay, 0.125);
    // A moving average over 2: {1, 2}, then {3, 5}; the window's sum carries over.
    std::vector<double> z{1, 2};
    SmoothingState window;
    std::vector<double> mean;
    extendSmoothing(z, Smoothing::MovingAverage, 2, &window, &mean);
    z.insert(z.end(), {3, 5});
    extendSmoothing(z, Smoothing::MovingAverage, 2, &window, &mean);
    QCOMPARE(mean, (std::vector<double>{1, 1.5, 2.5, 4}));
    QCOMPARE(window.sum, 8.0);
    // None: the values themselves.
    std::vector<double> raw;
    SmoothingState unused;
    extendSmoothing(z, Smoothing::None, 0, &unused, &raw);
    QCOMPARE(raw, z);
}

void TestCurveSmoothing::extendingInPiecesMatchesSmoothingAtOnce_data() {
    QTest::addColumn<int>("kind");
    QTest::addColumn<double>("parameter");
    QTest::addColumn<std::vector<std::size_t>>("pieces");
    const std::vector<std::size_t> uneven{1, 1, 5, 49, 50, 51, 300, 2, 1000};
    QTest::newRow("EMA 0.9, uneven batches") << int(Smoothing::Ema) << 0.9 << uneven;
    QTest::newRow("EMA 0.999, one at a time")
        << int(Smoothing::Ema) << 0.999 << std::vector<std::size_t>(500, 1);
    QTest::newRow("moving average 50, uneven batches")
        << int(Smoothing::MovingAverage) << 50.0 << uneven;
    QTest::newRow("moving average 7, one at a time")
        << int(Smoothing::MovingAverage) << 7.0 << std::vector<std::size_t>(200, 1);
    QTest::newRow("moving average longer than the series")
        << int(Smoothing::MovingAverage) << 5000.0 << std::vector<std::size_t>{10, 20, 30};
    QTest::newRow("none") << int(Smoothing::None) << 0.0 << uneven;
}

void TestCurveSmoothing::extendingInPiecesMatchesSmoothingAtOnce() {
    QFETCH(int, kind);
    QFETCH(double, parameter);
    QFETCH(std::vector<std::size_t>, pieces);
    std::mt19937 random(11);
    std::normal_distribution<double> noise;
    std::vector<double> y, smoothed;
    SmoothingState state;
    for (std::size_t p : pieces) {
        for (std::size_t i = 0; i < p; ++i)
            y.push_back(1.0 / double(y.size() + 1) + 0.01 * noise(random));
        extendSmoothing(y, Smoothing(kind), parameter, &state, &smoothed);
        QCOMPARE(smoothed.size(), y.size());
    }
    QCOMPARE(smoothed, smooth(y, Smoothing(kind), parameter));  // bit for bit
}

QTEST_MAIN(TestCurveSmoothing)
#include "tst_curve_smoothing.moc"
