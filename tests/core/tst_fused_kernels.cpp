// The CPU twins of the search's fused CUDA kernels, against values computed independently: the
// row cross-entropy and the clamped squared error against float64, the FFN rebuild against the
// tensor operations it replaces.
// (That the CUDA kernels give the twins' bits is tst_cuda's, on a GPU.)
#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <QtTest>
#include <cmath>
#include <limits>

#include "kernels/clamped-squared-error-kernel.h"
#include "kernels/row-cross-entropy-kernel.h"
#include "search/loss-kernels.h"
#include "search/quantized-ffn.h"
#include "test-support.h"

using namespace invx;

namespace {

// log(sum exp) - target logit of every row, in float64 from the same float values.
at::Tensor referenceCrossEntropy(const at::Tensor& logits, const at::Tensor& targets) {
    const at::Tensor x = logits.to(at::kDouble);
    return at::logsumexp(x, -1) - x.gather(-1, targets.unsqueeze(-1)).squeeze(-1);
}

// A layer state that moves every neuron: a random permutation, scales in [0.5, 1.5], angles up to
// 0.4 rad, so that rotation, scaling and gathering are all exercised.
LayerInvariance randomState(std::int64_t ffn, std::uint64_t seed) {
    at::manual_seed(seed);
    LayerInvariance s = LayerInvariance::identity(ffn);
    const at::Tensor perm = at::randperm(ffn, at::kLong);
    const at::Tensor scales = at::rand({ffn}) + 0.5, angles = (at::rand({ffn / 2}) - 0.5) * 0.8;
    for (std::int64_t i = 0; i < ffn; ++i)
        s.permutation[std::size_t(i)] = perm[i].item<std::int64_t>();
    for (std::int64_t i = 0; i < ffn; ++i) s.scales[std::size_t(i)] = scales[i].item<float>();
    for (std::int64_t i = 0; i < ffn / 2; ++i) s.angles[std::size_t(i)] = angles[i].item<float>();
    return s;
}

FfnWeights randomFfn(std::int64_t ffn, std::int64_t hidden, at::ScalarType dtype,
                     std::uint64_t seed) {
    at::manual_seed(seed);
    // A few large values, as real FFNs have, so that groups differ in range.
    auto w = [&](std::int64_t r, std::int64_t c) {
        return (at::randn({r, c}) * 0.05 * (1 + 20 * (at::rand({r, c}) > 0.995).to(at::kFloat)))
            .to(dtype);
    };
    return {w(ffn, hidden), (at::randn({ffn}) * 0.1).to(dtype), w(hidden, ffn)};
}

}  // namespace

class TestFusedKernels : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void exponentialAndLogarithmAreAccurate();
    void crossEntropyMatchesFloat64_data();
    void crossEntropyMatchesFloat64();
    void crossEntropyKeepsNan();
    void squaredErrorMatchesFloat64_data();
    void squaredErrorMatchesFloat64();
    void rebuildEqualsTheTensorOperations_data();
    void rebuildEqualsTheTensorOperations();
    void rebuildWithTheIdentityIsQuantizationAlone();
};

void TestFusedKernels::exponentialAndLogarithmAreAccurate() {
    double worstExp = 0, worstLog = 0;
    for (int i = 0; i <= 200000; ++i) {
        const float x = -86.0f * float(i) / 200000.0f;
        const double ref = std::exp(double(x));
        worstExp = std::max(worstExp, std::abs(double(crossEntropyExp(x)) - ref) / ref);
    }
    for (int i = 0; i <= 200000; ++i) {
        const float s = std::pow(10.0f, 6.0f * float(i) / 200000.0f);  // 1 .. 1e6
        worstLog = std::max(worstLog, std::abs(double(crossEntropyLog(s)) - std::log(double(s))));
    }
    QVERIFY2(worstExp < 4e-7, qPrintable(QString::number(worstExp)));
    QVERIFY2(worstLog < 2e-6, qPrintable(QString::number(worstLog)));
    QCOMPARE(crossEntropyExp(-100.0f), 0.0f);
    QCOMPARE(crossEntropyExp(0.0f), 1.0f);
    QCOMPARE(crossEntropyLog(1.0f), 0.0f);
}

void TestFusedKernels::crossEntropyMatchesFloat64_data() {
    QTest::addColumn<int>("vocab");
    QTest::addColumn<bool>("float16");
    QTest::newRow("OPT's vocabulary, float16") << 50272 << true;
    QTest::newRow("OPT's vocabulary, float32") << 50272 << false;
    QTest::newRow("fewer than the lanes") << 100 << false;
    QTest::newRow("not a multiple of the lanes") << 1000 << true;
}

void TestFusedKernels::crossEntropyMatchesFloat64() {
    QFETCH(int, vocab);
    QFETCH(bool, float16);
    c10::InferenceMode guard;
    at::manual_seed(vocab);
    // Rows of different spreads: near-uniform, typical logits, and a few that dominate.
    const at::Tensor spread = at::tensor({0.01f, 1.0f, 4.0f, 30.0f}).repeat({6}).unsqueeze(1);
    const at::Tensor logits =
        (at::randn({24, vocab}) * spread).to(float16 ? at::kHalf : at::kFloat);
    const at::Tensor targets = at::randint(vocab, {24}, at::kLong);
    const at::Tensor ours = rowCrossEntropy(logits, targets).to(at::kDouble);
    const at::Tensor ref = referenceCrossEntropy(logits, targets);
    const double err = ((ours - ref).abs() / ref.abs().clamp_min(1.0)).max().item<double>();
    QVERIFY2(err < 2e-6, qPrintable(QString::number(err)));
    // A non-contiguous view of rows (a narrowed batch) gives the same values.
    const at::Tensor wide = at::cat({logits, logits}, 1).narrow(1, 0, vocab);
    QVERIFY(at::equal(rowCrossEntropy(wide, targets), rowCrossEntropy(logits, targets)));
}

void TestFusedKernels::crossEntropyKeepsNan() {
    c10::InferenceMode guard;
    at::Tensor logits = at::randn({3, 700});
    logits[1][650] = std::numeric_limits<float>::quiet_NaN();
    const at::Tensor losses = rowCrossEntropy(logits, at::tensor({1, 2, 3}, at::kLong));
    QVERIFY(std::isfinite(losses[0].item<float>()));
    QVERIFY(std::isnan(losses[1].item<float>()));
    QVERIFY(std::isfinite(losses[2].item<float>()));
    QVERIFY_EXCEPTION_THROWN(rowCrossEntropy(logits, at::tensor({1, 2}, at::kLong)),
                             std::exception);
}

void TestFusedKernels::squaredErrorMatchesFloat64_data() {
    QTest::addColumn<qint64>("count");
    QTest::addColumn<bool>("float16");
    QTest::newRow("a hidden state of 4 x 100 x 96, float16") << qint64(4 * 100 * 96) << true;
    QTest::newRow("several blocks and a partial one, float32")
        << qint64(3 * kSquaredErrorChunk + 77) << false;
    QTest::newRow("fewer than the threads") << qint64(5) << false;
}

void TestFusedKernels::squaredErrorMatchesFloat64() {
    QFETCH(qint64, count);
    QFETCH(bool, float16);
    c10::InferenceMode guard;
    at::manual_seed(count);
    const auto dtype = float16 ? at::kHalf : at::kFloat;
    // Differences mostly small, a few beyond the clamp at +-100.
    const at::Tensor y = at::randn({count}).to(dtype);
    const at::Tensor x = (y.to(at::kFloat) + at::randn({count}) * 0.1 +
                          (at::rand({count}) > 0.999).to(at::kFloat) * 300)
                             .to(dtype);
    const double ours = clampedSquaredErrorMean(x.view({-1, 1}), y.view({-1, 1})).item<double>();
    const double ref =
        (x.to(at::kDouble) - y.to(at::kDouble)).clamp(-100, 100).pow(2).mean().item<double>();
    QVERIFY2(std::abs(ours - ref) / ref < 1e-5,
             qPrintable(QStringLiteral("%1 vs %2").arg(ours).arg(ref)));
    at::Tensor bad = x.clone();
    bad[count / 2] = std::numeric_limits<float>::quiet_NaN();
    QVERIFY(std::isnan(clampedSquaredErrorMean(bad, y).item<float>()));
    QVERIFY_EXCEPTION_THROWN(clampedSquaredErrorMean(x, y.to(at::kDouble)), std::exception);
}

void TestFusedKernels::rebuildEqualsTheTensorOperations_data() {
    QTest::addColumn<int>("bits");
    QTest::addColumn<int>("group");
    QTest::addColumn<bool>("float16");
    QTest::newRow("1 bit, group 32, float32") << 1 << 32 << false;
    QTest::newRow("1 bit, per row, float16") << 1 << -1 << true;
    QTest::newRow("2 bits, group 128, float16") << 2 << 128 << true;
    QTest::newRow("3 bits, group 64, float32") << 3 << 64 << false;
    QTest::newRow("4 bits, per row, float32") << 4 << -1 << false;
}

void TestFusedKernels::rebuildEqualsTheTensorOperations() {
    QFETCH(int, bits);
    QFETCH(int, group);
    QFETCH(bool, float16);
    c10::InferenceMode guard;
    const std::int64_t ffn = 512, hidden = 256;
    const FfnWeights fp = randomFfn(ffn, hidden, float16 ? at::kHalf : at::kFloat, 7);
    const LayerInvariance state = randomState(ffn, 11);
    const QuantConfig quant{bits, group};
    const FfnWeights twin = quantizedFfnByKernel(fp, state, quant);
    const FfnWeights tensors = quantizedFfnByTensors(fp, state, quant);
    QCOMPARE(twin.w1.scalar_type(), fp.w1.scalar_type());
    QCOMPARE(twin.w2.sizes(), fp.w2.sizes());
    QVERIFY(at::equal(twin.b1, tensors.b1));  // no quantization: the same operations, the same bits
    if (bits == 1) {
        // qmax = 1: the twin's product with 1 / qmax is the tensors' division, so every bit agrees.
        QVERIFY(at::equal(twin.w1, tensors.w1));
        QVERIFY(at::equal(twin.w2, tensors.w2));
        return;
    }
    // Otherwise a group's scale, range x float(1/qmax) against range / qmax on the CPU, may differ
    // in its last bit: the group's values then differ in their last bit (float32), and a weight on
    // a rounding boundary lands on the next level.
    for (const auto& [a, b] : {std::pair{twin.w1, tensors.w1}, std::pair{twin.w2, tensors.w2}}) {
        const at::Tensor diff = (a.to(at::kFloat) - b.to(at::kFloat)).abs();
        const double same =
            (diff <= b.to(at::kFloat).abs() * 3e-7).to(at::kDouble).mean().item<double>();
        QVERIFY2(same > 0.999, qPrintable(QString::number(same)));
        const double step = (b.to(at::kFloat).abs().max().item<double>()) * 2 / ((1 << bits) - 1);
        QVERIFY(diff.max().item<double>() <= step * 1.01);
    }
}

void TestFusedKernels::rebuildWithTheIdentityIsQuantizationAlone() {
    c10::InferenceMode guard;
    const FfnWeights fp = randomFfn(256, 128, at::kHalf, 3);
    const QuantConfig quant{1, 64};
    const FfnWeights twin = quantizedFfnByKernel(fp, LayerInvariance::identity(256), quant);
    // cos 0 = 1, sin 0 = 0, scale 1, identity order: the weights themselves, quantized.
    QVERIFY(at::equal(twin.b1, fp.b1));
    const at::Tensor g = fp.w1.to(at::kFloat).reshape({-1, 64});
    const at::Tensor mx = g.amax(1, true), mn = g.amin(1, true);
    const at::Tensor scale = (mx - mn).clamp_min(1e-5);
    const at::Tensor zero = (-at::round(mn / scale)).clamp(0, 1);
    const at::Tensor expected = ((at::round(g / scale) + zero).clamp(0, 1) - zero) * scale;
    QVERIFY(at::equal(twin.w1.to(at::kFloat),
                      expected.reshape({256, 128}).to(at::kHalf).to(at::kFloat)));
    QVERIFY_EXCEPTION_THROWN(
        quantizedFfnByKernel(fp, LayerInvariance::identity(256), QuantConfig{2, 64, true}),
        std::exception);
}

QTEST_APPLESS_MAIN(TestFusedKernels)
#include "tst_fused_kernels.moc"
