// The curves' smoothing (EMA with debiasing, trailing moving average) on hand-computed values.
#include <QTest>
#include <cmath>

#include "curve-smoothing.h"

using namespace invx;
using namespace invx::gui;

class TestCurveSmoothing : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void smoothingMatchesHandComputedValues();
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

QTEST_MAIN(TestCurveSmoothing)
#include "tst_curve_smoothing.moc"
