// Acceptance per layer counted as a run grows: the same rates as the run's own count.
#include <QTest>
#include <cmath>

#include "fake-search-launcher.h"
#include "layer-acceptance.h"

using namespace invx;
using namespace invx::gui;

namespace {

bool sameRates(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return false;
    return true;
}

}  // namespace

class TestLayerAcceptance : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void ratesOfAHandCheckedRun();
    void countsInPiecesMatchTheRunsOwnCount();
};

void TestLayerAcceptance::ratesOfAHandCheckedRun() {
    // Steps 1..12: layer (i-1) % 3, accepted when i % 4 == 0 (4 on layer 0, 8 on 1, 12 on 2); a
    // fourth layer that no step proposed.
    RunData run;
    run.model.layers = 4;
    LayerAcceptance counts;
    for (std::int64_t i = 1; i <= 12; ++i) {
        run.append(test::FakeSearchLauncher::step(i));
        if (i % 5 == 0) counts.extend(run);
    }
    counts.extend(run);
    QCOMPARE(counts.counted(), std::size_t(12));
    const std::vector<double> rates = counts.rates(run);
    QCOMPARE(rates.size(), std::size_t(4));
    QCOMPARE(rates[0], 0.25);
    QCOMPARE(rates[1], 0.25);
    QCOMPARE(rates[2], 0.25);
    QVERIFY(std::isnan(rates[3]));
}

void TestLayerAcceptance::countsInPiecesMatchTheRunsOwnCount() {
    RunData run;
    LayerAcceptance counts;
    QVERIFY(counts.rates(run).empty());
    std::int64_t next = 1;
    for (std::int64_t batch : {1, 2, 7, 100, 3, 1000}) {
        for (std::int64_t i = 0; i < batch; ++i) run.append(test::FakeSearchLauncher::step(next++));
        counts.extend(run);
        QVERIFY(sameRates(counts.rates(run), run.acceptancePerLayer()));
    }
    run.model.layers = 6;  // the model's layers count even where no step went
    QVERIFY(sameRates(counts.rates(run), run.acceptancePerLayer()));
}

QTEST_MAIN(TestLayerAcceptance)
#include "tst_layer_acceptance.moc"
