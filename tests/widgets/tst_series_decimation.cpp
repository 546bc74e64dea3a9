// Display-only downsampling of sorted series: every pixel column's extremes kept, on linear and
// log axes; small series drawn whole.
#include <QTest>
#include <cmath>

#include "series-decimation.h"

using namespace invx;
using namespace invx::gui;

class TestSeriesDecimation : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void decimationKeepsEveryColumnsExtremes();
    void decimationOnALogAxis();
    void smallSeriesAreDrawnWhole();
};

void TestSeriesDecimation::decimationKeepsEveryColumnsExtremes() {
    const std::size_t n = 1000000;
    std::vector<double> x(n), y(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = double(i), y[i] = std::sin(double(i) * 1e-4);
    y[500123] = 100;  // a spike
    y[777777] = -50;  // a dip
    const int pixels = 800;
    const DecimatedSeries d =
        decimateMinMax(x.data(), y.data(), n, 0, double(n - 1), pixels, false);
    QVERIFY(d.x.size() <= 4 * (pixels + 2));
    QVERIFY(d.x.size() > pixels);
    QVERIFY(std::is_sorted(d.x.begin(), d.x.end()));
    QCOMPARE(*std::max_element(d.y.begin(), d.y.end()), 100.0);
    QCOMPARE(*std::min_element(d.y.begin(), d.y.end()), -50.0);
    QVERIFY(d.x.contains(500123.0));
    // Every column's extremes: the maximum over any column equals the data's maximum there.
    const double perColumn = double(n) / pixels;
    for (int c : {0, 137, 799}) {
        double trueMax = -1e300, shownMax = -1e300;
        for (std::size_t i = std::size_t(std::ceil(c * perColumn));
             i < std::size_t(std::ceil((c + 1) * perColumn)) && i < n; ++i)
            trueMax = std::max(trueMax, y[i]);
        for (int k = 0; k < d.x.size(); ++k)
            if (std::floor(d.x[k] / perColumn) == c) shownMax = std::max(shownMax, d.y[k]);
        QCOMPARE(shownMax, trueMax);
    }
}

void TestSeriesDecimation::decimationOnALogAxis() {
    const std::size_t n = 200000;
    std::vector<double> x(n), y(n, 1.0);
    for (std::size_t i = 0; i < n; ++i) x[i] = double(i + 1);
    y[199990] = 7;  // at the far right, where a log axis packs many points into a column
    const DecimatedSeries d = decimateMinMax(x.data(), y.data(), n, 1, double(n), 400, true);
    QVERIFY(d.x.size() <= 4 * 402);
    QVERIFY(d.y.contains(7.0));
    // On a log axis the first columns hold single points: the start is drawn point by point.
    QCOMPARE(d.x.front(), 1.0);
    QCOMPARE(d.x[1], 2.0);
}

void TestSeriesDecimation::smallSeriesAreDrawnWhole() {
    const std::vector<double> x{1, 2, 3, 4}, y{4, NAN, 2, 1};
    const DecimatedSeries d = decimateMinMax(x.data(), y.data(), 4, 1, 4, 800, false);
    QCOMPARE(d.x, (QVector<double>{1, 3, 4}));  // the NaN is skipped
    const DecimatedSeries visible = decimateMinMax(x.data(), y.data(), 4, 2.5, 2.7, 800, false);
    QCOMPARE(visible.x, (QVector<double>{3}));  // neighbours of an empty range (the NaN skipped)
}

QTEST_MAIN(TestSeriesDecimation)
#include "tst_series_decimation.moc"
