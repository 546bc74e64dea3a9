// The group quantizer against values computed by hand from SPEC section 2.
#include <ATen/ATen.h>

#include <QtTest>

#include "invx/error.h"
#include "quant/group-quantizer.h"
#include "test-support.h"

using namespace invx;

namespace {

at::Tensor row(std::vector<float> values, std::int64_t rows = 1) {
    return at::tensor(values).view({rows, -1});
}

void compareTensors(const at::Tensor& got, const at::Tensor& expected) {
    QVERIFY2(at::allclose(got, expected, 1e-6, 1e-6),
             qPrintable(QString::fromStdString(c10::str(got, "\nexpected\n", expected))));
}

}  // namespace

class TestGroupQuantizer : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void matchesHandComputedValues_data();
    void matchesHandComputedValues();
    void scalesAndZeros();
    void keepsDtypeAndShape();
    void errorStaysWithinOneStep();
    void refusesBadSettings();
};

void TestGroupQuantizer::matchesHandComputedValues_data() {
    QTest::addColumn<int>("bits");
    QTest::addColumn<int>("group");
    QTest::addColumn<QList<float>>("input");
    QTest::addColumn<QList<float>>("expected");
    // 2 bits: qmax 3. [-1, 2]: s = 1, z = 1; q = round(w) + 1 -> [0, 1, 1, 3]; w' = q - 1.
    QTest::newRow("2-bit asymmetric") << 2 << 4 << QList<float>{-1.0f, -0.2f, 0.3f, 2.0f}
                                      << QList<float>{-1.0f, 0.0f, 0.0f, 2.0f};
    // Ties round to even: 0.5 -> 0, 1.5 -> 2 (s = 1, z = 0).
    QTest::newRow("half to even") << 2 << 4 << QList<float>{0.0f, 0.5f, 1.5f, 3.0f}
                                  << QList<float>{0.0f, 0.0f, 2.0f, 3.0f};
    // Two groups of 2, each with its own range: [0, 3] s = 1; [10, 16] s = 2, z = -5 clamped to 0,
    // so q = round(w / 2) clamped to 3 -> [3, 3] -> [6, 6].
    QTest::newRow("two groups, zero clamped")
        << 2 << 2 << QList<float>{0.0f, 3.0f, 10.0f, 16.0f} << QList<float>{0.0f, 3.0f, 6.0f, 6.0f};
    // 1 bit, per row: [-0.5, 1.5]: s = 2, z = round(0.25) = 0 -> q = round(w / 2) -> w' in {0, 2}.
    QTest::newRow("1-bit per row")
        << 1 << -1 << QList<float>{-0.5f, 0.9f, 1.1f, 1.5f} << QList<float>{0.0f, 0.0f, 2.0f, 2.0f};
    // 3 bits: [-1.75, 1.75]: s = 0.5, z = -round(-3.5) = 4 (half to even); q = round(w / 0.5) + 4
    // = [0, 3, 5, 8 -> 7]; w' = (q - 4) * 0.5.
    QTest::newRow("3-bit") << 3 << 4 << QList<float>{-1.75f, -0.3f, 0.6f, 1.75f}
                           << QList<float>{-2.0f, -0.5f, 0.5f, 1.5f};
    // A constant group has range 0, so s = 1e-5 / qmax and z clamps to 0: every weight becomes
    // qmax * s = 1e-5 (the published quantizer's behaviour, kept on purpose).
    QTest::newRow("constant group") << 4 << 4 << QList<float>{0.25f, 0.25f, 0.25f, 0.25f}
                                    << QList<float>{1e-5f, 1e-5f, 1e-5f, 1e-5f};
    // 8 bits on [0, 255]: s = 1, exact.
    QTest::newRow("8-bit exact") << 8 << 4 << QList<float>{0.0f, 17.0f, 128.0f, 255.0f}
                                 << QList<float>{0.0f, 17.0f, 128.0f, 255.0f};
}

void TestGroupQuantizer::matchesHandComputedValues() {
    QFETCH(int, bits);
    QFETCH(int, group);
    QFETCH(QList<float>, input);
    QFETCH(QList<float>, expected);
    QuantConfig config{bits, group};
    at::Tensor w = row(std::vector<float>(input.begin(), input.end()));
    compareTensors(fakeQuantize(w, config),
                   row(std::vector<float>(expected.begin(), expected.end())));
}

void TestGroupQuantizer::scalesAndZeros() {
    at::Tensor w = row({-1.0f, 2.0f, 0.0f, 6.0f, 0.0f, 0.3f, -0.3f, 0.0f}, 2);
    auto p = groupQuantParams(w, QuantConfig{2, 2});
    QCOMPARE(p.scale.sizes().vec(), (std::vector<std::int64_t>{2, 2}));
    compareTensors(p.scale, at::tensor({1.0f, 2.0f, 0.1f, 0.1f}).view({2, 2}));
    compareTensors(p.zero, at::tensor({1.0f, 0.0f, 0.0f, 3.0f}).view({2, 2}));
}

void TestGroupQuantizer::keepsDtypeAndShape() {
    at::manual_seed(0);
    at::Tensor w = at::randn({8, 256}).to(at::kHalf);
    at::Tensor q = fakeQuantize(w, QuantConfig{3, 128});
    QCOMPARE(q.scalar_type(), at::kHalf);
    QCOMPARE(q.sizes().vec(), w.sizes().vec());
    // At most 2^3 distinct values per group.
    QVERIFY(std::get<0>(at::_unique(q.narrow(0, 0, 1).narrow(1, 0, 128).to(at::kFloat))).numel() <=
            8);
}

void TestGroupQuantizer::errorStaysWithinOneStep() {
    at::manual_seed(3);
    at::Tensor w = at::randn({16, 128});
    for (int bits : {2, 3, 4}) {
        auto p = groupQuantParams(w, QuantConfig{bits, 32});
        at::Tensor err = (fakeQuantize(w, QuantConfig{bits, 32}) - w).abs().view({16, 4, 32});
        // Rounding costs at most half a step; the rounded zero point can shift the grid's ends by
        // another half step.
        at::Tensor bound = p.scale.unsqueeze(-1) + 1e-6;
        QVERIFY((err <= bound).all().item<bool>());
        QVERIFY(err.mean().item<float>() < p.scale.mean().item<float>() * 0.5f);
    }
}

void TestGroupQuantizer::refusesBadSettings() {
    at::Tensor w = at::zeros({2, 96});
    INVX_VERIFY_MESSAGE(test::settingErrorOf([&] {
                            fakeQuantize(w, QuantConfig{0, 32});
                        }),
                        "bits: Bits must be between 1 and 8, but is 0");
    INVX_VERIFY_MESSAGE(test::settingErrorOf([&] {
                            fakeQuantize(w, QuantConfig{9, 32});
                        }),
                        "bits: ", "but is 9");
    INVX_VERIFY_MESSAGE(test::settingErrorOf([&] {
                            fakeQuantize(w, QuantConfig{2, 64});
                        }),
                        "group: ", "group size 64 does not divide the input width 96");
    INVX_VERIFY_MESSAGE(test::settingErrorOf([&] {
                            fakeQuantize(w, QuantConfig{2, 0});
                        }),
                        "group: ", "but is 0");
}

QTEST_APPLESS_MAIN(TestGroupQuantizer)
#include "tst_group_quantizer.moc"
