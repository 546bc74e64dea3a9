// Runs named by what differs between them, in the paper's words.
#include <QTest>

#include "run-labels.h"

using namespace invx;
using namespace invx::gui;

class TestRunLabels : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void labelsNameWhatDiffers();
};

void TestRunLabels::labelsNameWhatDiffers() {
    SearchSettings p, psr, seed1;
    p.invariances = "P";
    seed1.seed = 1;
    QCOMPARE(differenceLabels({p, psr}), (QStringList{"P only", "P+S+R"}));
    QCOMPARE(differenceLabels({psr, seed1}), (QStringList{"seed 0", "seed 1"}));
    SearchSettings pSeed1 = p;
    pSeed1.seed = 1;
    QCOMPARE(differenceLabels({psr, pSeed1}), (QStringList{"P+S+R, seed 0", "P only, seed 1"}));
    QCOMPARE(differenceLabels({psr, psr}, {"a", "b"}), (QStringList{"a", "b"}));
    SearchSettings bits3;
    bits3.quant.bits = 3;
    QCOMPARE(differenceLabels({psr, bits3}), (QStringList{"2-bit", "3-bit"}));
}

QTEST_MAIN(TestRunLabels)
#include "tst_run_labels.moc"
