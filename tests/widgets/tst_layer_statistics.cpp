// The inspector's statistics: histograms that count every weight, quantiles.
#include <QTest>
#include <numeric>

#include "layer-statistics.h"
#include "synthetic-layer.h"

using namespace invx;
using namespace invx::gui;
using invx::test::syntheticMatrix;

class TestLayerStatistics : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void histogramsCountEveryWeight();
};

void TestLayerStatistics::histogramsCountEveryWeight() {
    const WeightSnapshot w = syntheticMatrix("fc1", 16, 64, 16, 0);
    const auto [lo, hi] = valueRange({&w.original});
    const Histogram h = histogram(w.original, lo, hi, 37);
    QCOMPARE(std::accumulate(h.counts.begin(), h.counts.end(), 0.0), double(16 * 64));
    // Values outside the range count in the edge bins: nothing is lost.
    const Histogram narrow = histogram(w.original, 0, 0.5, 10);
    QCOMPARE(std::accumulate(narrow.counts.begin(), narrow.counts.end(), 0.0), double(16 * 64));
    QCOMPARE(quantile({5, 1, 4, 2, 3}, 0.5), 3.0);
    QCOMPARE(quantile({5, 1, 4, 2, 3}, 1.0), 5.0);
}

QTEST_MAIN(TestLayerStatistics)
#include "tst_layer_statistics.moc"
