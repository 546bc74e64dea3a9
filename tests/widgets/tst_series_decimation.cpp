// Display-only downsampling of sorted series: every pixel column's extremes kept, on linear and
// log axes; small series drawn whole.
#include <QTest>
#include <cmath>
#include <random>
#include <utility>

#include "series-decimation.h"

using namespace invx;
using namespace invx::gui;

class TestSeriesDecimation : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void decimationKeepsEveryColumnsExtremes();
    void decimationOnALogAxis();
    void smallSeriesAreDrawnWhole();
    void blocksOfAHandCheckedSeries();
    void blocksExtendedInPiecesMatchBlocksBuiltAtOnce_data();
    void blocksExtendedInPiecesMatchBlocksBuiltAtOnce();
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

void TestSeriesDecimation::blocksOfAHandCheckedSeries() {
    // Blocks of 64: [0, 64), [64, 128), [128, 130). Values i % 10, a spike at 70, a NaN at 128.
    std::vector<double> y(130);
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = double(i % 10);
    y[70] = 50;
    y[128] = NAN;
    const MinMaxBlocks b = buildMinMaxBlocks(y.data(), y.size());
    QCOMPARE(b.points, std::size_t(130));
    QCOMPARE(b.minAt, (std::vector<std::size_t>{0, 80, 129}));  // the first of equal minima
    QCOMPARE(b.maxAt, (std::vector<std::size_t>{9, 70, 129}));
    QCOMPARE(b.minValue, (std::vector<double>{0, 0, 9}));
    QCOMPARE(b.maxValue, (std::vector<double>{9, 50, 9}));
    // Grown a point at a time from an empty start: the same summary.
    MinMaxBlocks grown;
    for (std::size_t n = 1; n <= y.size(); ++n) extendMinMaxBlocks(&grown, y.data(), n);
    QCOMPARE(grown.minAt, b.minAt);
    QCOMPARE(grown.maxAt, b.maxAt);
    QCOMPARE(grown.minValue, b.minValue);
    QCOMPARE(grown.maxValue, b.maxValue);
    // A block of NaNs alone has no extremes.
    std::vector<double> nan(70, NAN);
    nan[1] = 3;
    const MinMaxBlocks none = buildMinMaxBlocks(nan.data(), nan.size());
    QCOMPARE(none.minAt, (std::vector<std::size_t>{1, MinMaxBlocks::kNone}));
}

void TestSeriesDecimation::blocksExtendedInPiecesMatchBlocksBuiltAtOnce_data() {
    QTest::addColumn<std::vector<std::size_t>>("pieces");  // the sizes of the appended batches
    QTest::newRow("one point at a time") << std::vector<std::size_t>(300, 1);
    QTest::newRow("a block at a time") << std::vector<std::size_t>(20, 64);
    QTest::newRow("uneven batches")
        << std::vector<std::size_t>{7, 64, 1, 200, 63, 65, 3000, 1, 128};
    QTest::newRow("all at once") << std::vector<std::size_t>{5000};
}

void TestSeriesDecimation::blocksExtendedInPiecesMatchBlocksBuiltAtOnce() {
    QFETCH(std::vector<std::size_t>, pieces);
    std::size_t n = 0;
    for (std::size_t p : pieces) n += p;
    std::mt19937 random(7);
    std::normal_distribution<double> noise;
    std::vector<double> y(n);
    for (std::size_t i = 0; i < n; ++i) y[i] = i % 97 == 5 ? NAN : noise(random);
    MinMaxBlocks grown;
    std::size_t have = 0;
    for (std::size_t p : pieces) extendMinMaxBlocks(&grown, y.data(), have += p);
    const MinMaxBlocks whole = buildMinMaxBlocks(y.data(), n);
    QCOMPARE(grown.points, whole.points);
    QCOMPARE(grown.minAt, whole.minAt);
    QCOMPARE(grown.maxAt, whole.maxAt);
    QCOMPARE(grown.minValue, whole.minValue);
    QCOMPARE(grown.maxValue, whole.maxValue);
    // And what is drawn from them.
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = double(i + 1);
    const DecimatedSeries a =
        decimateMinMax(x.data(), y.data(), n, 1, double(n), 300, false, &grown);
    const DecimatedSeries b =
        decimateMinMax(x.data(), y.data(), n, 1, double(n), 300, false, &whole);
    QCOMPARE(a.x, b.x);
    QCOMPARE(a.y, b.y);
    // The blocks only save reading: without them every point is read, to the same result.
    for (bool logX : {false, true})
        for (const auto& [lower, upper] :
             {std::pair{1.0, double(n)}, std::pair{double(n) / 3, double(n) / 2}}) {
            const DecimatedSeries fast =
                decimateMinMax(x.data(), y.data(), n, lower, upper, 97, logX, &whole);
            const DecimatedSeries slow =
                decimateMinMax(x.data(), y.data(), n, lower, upper, 97, logX);
            QCOMPARE(fast.x, slow.x);
            QCOMPARE(fast.y, slow.y);
        }
}

QTEST_MAIN(TestSeriesDecimation)
#include "tst_series_decimation.moc"
