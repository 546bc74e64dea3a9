// Runs that differ only by their seed are one group: its mean curve and band, by hand.
#include <QtTest/QtTest>
#include <cmath>

#include "run-groups.h"
#include "run-labels.h"

using namespace invx;
using namespace invx::gui;

class TestRunGroups : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void runsThatDifferOnlyBySeedAreAGroup();
    void meanAndBandsEqualHandComputedValues();
    void evaluationsAtOtherStepsAreInterpolated();
};

void TestRunGroups::runsThatDifferOnlyBySeedAreAGroup() {
    SearchSettings p0, p1, psr0, p2;
    p0.invariances = p1.invariances = p2.invariances = "P";
    p1.seed = 1, p2.seed = 2, p2.steps = 20000;  // a run given more steps is still of the group
    psr0.invariances = "PSR";
    ModelIdentity model, other;
    model.fingerprint = "a", other.fingerprint = "b";
    QCOMPARE(groupBySeed({p0, psr0, p1, p2}, {model, model, model, model}),
             (std::vector<std::vector<int>>{{0, 2, 3}, {1}}));
    QCOMPARE(groupBySeed({p0, p1}, {model, other}),
             (std::vector<std::vector<int>>{{0}, {1}}));  // another model
    SearchSettings quantized = p1;
    quantized.steps = 0;  // invx quantize's file: the base method alone, no seed of the search
    QCOMPARE(groupBySeed({p0, quantized, p1}, {model, model, model}),
             (std::vector<std::vector<int>>{{0, 2}, {1}}));
    // What the comparison groups by: perplexity measured on other windows is not of the group.
    SearchSettings otherWindows = p1;
    otherWindows.evalWindows = 4;
    otherWindows.evalBudget = 0.5;  // timing alone never splits a group
    SearchSettings otherTiming = p1;
    otherTiming.evalBudget = 0.5;
    QCOMPARE(groupBySeed({comparedSettings(p0), comparedSettings(otherWindows),
                          comparedSettings(otherTiming)},
                         {model, model, model}),
             (std::vector<std::vector<int>>{{0, 2}, {1}}));
}

void TestRunGroups::meanAndBandsEqualHandComputedValues() {
    const std::vector<double> x = {1, 2, 3}, a = {1, 2, 6}, b = {3, 2, 0}, c = {5, 5, 3},
                              shortX = {1, 2}, shortY = {2, 8};
    GroupSeries g = groupSeries({{&x, &a}, {&x, &b}, {&x, &c}}, BandKind::MinMax);
    QCOMPARE(g.x, x);
    QCOMPARE(g.mean, (std::vector<double>{3, 3, 3}));
    QCOMPARE(g.lower, (std::vector<double>{1, 2, 0}));
    QCOMPARE(g.upper, (std::vector<double>{5, 5, 6}));
    QCOMPARE(g.n, (std::vector<int>{3, 3, 3}));
    // Sample standard deviation: at x = 1 the values 1, 3, 5 have sd 2; at 2: 2, 2, 5 -> sqrt(3).
    g = groupSeries({{&x, &a}, {&x, &b}, {&x, &c}}, BandKind::StandardDeviation);
    QCOMPARE(g.lower[0], 1.0);
    QCOMPARE(g.upper[0], 5.0);
    QVERIFY(std::abs(g.upper[1] - (3 + std::sqrt(3.0))) < 1e-12);
    QVERIFY(std::abs(g.upper[2] - (3 + std::sqrt(9.0))) <
            1e-12);  // 6, 0, 3: squares 9 + 9 + 0 over 2
    // Only the range every run covers: a run still at step 2 ends the group there.
    g = groupSeries({{&x, &a}, {&shortX, &shortY}}, BandKind::MinMax);
    QCOMPARE(g.x, (std::vector<double>{1, 2}));
    QCOMPARE(g.mean, (std::vector<double>{1.5, 5}));
    // One run: the band is the curve itself.
    g = groupSeries({{&x, &a}}, BandKind::StandardDeviation);
    QCOMPARE(g.lower, a);
    QCOMPARE(g.upper, a);
}

void TestRunGroups::evaluationsAtOtherStepsAreInterpolated() {
    // Perplexity evaluated at steps 0, 100, 200 in one run and 0, 150 in another.
    const std::vector<double> x1 = {0, 100, 200}, y1 = {300, 250, 200}, x2 = {0, 150},
                              y2 = {310, 280};
    const GroupSeries g = groupSeries({{&x1, &y1}, {&x2, &y2}}, BandKind::MinMax);
    QCOMPARE(g.x, (std::vector<double>{0, 100, 150}));
    QCOMPARE(g.mean[0], 305.0);
    QCOMPARE(g.mean[1], (250.0 + 290.0) / 2);  // the second run's 290 between 310 and 280
    QCOMPARE(g.mean[2], (225.0 + 280.0) / 2);  // the first run's 225 between 250 and 200
    QCOMPARE(g.n, (std::vector<int>{2, 2, 2}));
}

QTEST_APPLESS_MAIN(TestRunGroups)
#include "tst_run_groups.moc"
