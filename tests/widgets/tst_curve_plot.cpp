// The curve plot with a million points: the data whole, the graphs a few thousand points.
#include <QTest>

#include "curve-plot.h"

using namespace invx;
using namespace invx::gui;

class TestCurvePlot : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void plotOfAMillionPointsHoldsOnlyAFewThousand();
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

QTEST_MAIN(TestCurvePlot)
#include "tst_curve_plot.moc"
