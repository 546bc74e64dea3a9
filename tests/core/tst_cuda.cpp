// The same model on CUDA and on the CPU: forward, quantizer and perplexity agree. Skipped, and
// saying so, on machines without a GPU.
#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <c10/core/InferenceMode.h>
#include <QtTest>

#include "awq-quantizer.h"
#include "group-quantizer.h"
#include "perplexity-evaluator.h"
#include "rtn-quantizer.h"
#include "test-support.h"

using namespace invx;

class TestCuda : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void forwardMatchesTheCpu_data();
    void forwardMatchesTheCpu();
    void quantizerMatchesTheCpu();
    void float16QuantizerMatchesItsCpuEmulation();
    void awqFloat16SearchesMatchTheCpu();
    void perplexityMatchesTheCpu();
};

void TestCuda::init() {
    if (!at::hasCUDA()) QSKIP("no CUDA device: this libtorch has no CUDA or no GPU is visible");
}

void TestCuda::forwardMatchesTheCpu_data() {
    QTest::addColumn<int>("dtype");
    QTest::addColumn<bool>("postLN");
    QTest::addColumn<double>("tolerance");
    QTest::newRow("float32 pre-LN") << int(at::kFloat) << false << 1e-4;
    QTest::newRow("float32 post-LN") << int(at::kFloat) << true << 1e-4;
    QTest::newRow("float16 pre-LN") << int(at::kHalf) << false << 5e-2;
    QTest::newRow("bfloat16 pre-LN") << int(at::kBFloat16) << false << 2e-1;
}

void TestCuda::forwardMatchesTheCpu() {
    QFETCH(int, dtype);
    QFETCH(bool, postLN);
    QFETCH(double, tolerance);
    c10::InferenceMode guard;
    OptConfig c = test::tinyConfig(postLN, postLN ? 16 : 0);
    auto weights = test::randomWeights(c, 21);
    OptModel cpu = OptModel::fromTensors(c, weights, {}, "cpu");
    OptModel gpu = OptModel::fromTensors(c, weights, {at::Device(at::kCUDA, 0), at::ScalarType(dtype)}, "gpu");
    at::manual_seed(1);
    at::Tensor ids = at::randint(c.vocabSize, {2, 48}, at::kLong);
    at::Tensor a = cpu.forward(ids);
    at::Tensor b = gpu.forward(ids.cuda()).to(at::kCPU, at::kFloat);
    const double diff = (a - b).abs().max().item<double>();
    QVERIFY2(diff < tolerance, qPrintable(QString::number(diff)));
}

void TestCuda::quantizerMatchesTheCpu() {
    at::manual_seed(2);
    at::Tensor w = at::randn({64, 256});
    for (int bits : {1, 2, 3, 4, 8}) {
        at::Tensor a = fakeQuantize(w, QuantConfig{bits, 128});
        at::Tensor b = fakeQuantize(w.cuda(), QuantConfig{bits, 128}).cpu();
        // CUDA divides by a scalar through its reciprocal, so scales can differ in the last bit
        // (and an exact rounding tie can flip): values agree to float precision almost everywhere.
        const double flipped = ((a - b).abs() > 1e-5).to(at::kFloat).mean().item<double>();
        QVERIFY2(flipped < 1e-3, qPrintable(QString::number(flipped)));
    }
}

void TestCuda::float16QuantizerMatchesItsCpuEmulation() {
    // On CUDA the float16 quantizer runs in half; on the CPU it is emulated in float32 with a
    // rounding after each operation. The two are the same arithmetic, value for value.
    at::manual_seed(3);
    const at::Tensor w = at::randn({64, 256}) * at::exp(at::randn({64, 256}));
    for (int bits : {1, 2, 3, 4, 8})
        for (int group : {32, 128, -1}) {
            const QuantConfig q{bits, group, true};
            const at::Tensor a = fakeQuantizeFloat16(w, q);
            const at::Tensor b = fakeQuantizeFloat16(w.cuda(), q).cpu();
            const at::Tensor c = fakeQuantizeFloat16(w.to(at::kHalf).cuda(), q).cpu().to(at::kFloat);
            QVERIFY2(at::equal(a, b), qPrintable(QString("%1 bits, group %2").arg(bits).arg(group)));
            QVERIFY2(at::equal(a, c), qPrintable(QString("%1 bits, group %2, half weights").arg(bits).arg(group)));
        }
}

void TestCuda::awqFloat16SearchesMatchTheCpu() {
    // The same float16 arithmetic on both devices; only the order of float32 sums differs, so a
    // rare near-tie may go the other way.
    c10::InferenceMode guard;
    at::manual_seed(4);
    const at::Tensor w = at::randn({256, 128}) * 0.05 * at::exp(at::randn({256, 128}));
    const at::Tensor x = at::randn({1024, 128});
    AwqOptions o;
    o.precision = AwqPrecision::Float16;
    const QuantConfig q{2, 64};
    const at::Tensor a = awqClip(w, x, q, o), b = awqClip(w.cuda(), x.cuda(), q, o).cpu();
    const double differ = (a != b).to(at::kFloat).mean().item<double>();
    QVERIFY2(differ < 0.01, qPrintable(QString::number(differ)));
    double ra = 0, rb = 0;
    const LinearWeights lin{w, at::Tensor()}, linGpu{w.cuda(), at::Tensor()};
    const at::Tensor sa = awqSearchLinearScales(lin, x, q, o, &ra), sb = awqSearchLinearScales(linGpu, x.cuda(), q, o, &rb);
    QCOMPARE(ra, rb);
    QVERIFY(at::equal(sa, sb.cpu()));
}

void TestCuda::perplexityMatchesTheCpu() {
    OptConfig c = test::tinyConfig();
    auto weights = test::randomWeights(c, 5);
    OptModel cpu = OptModel::fromTensors(c, weights, {}, "cpu");
    OptModel gpu = OptModel::fromTensors(c, weights, {at::Device(at::kCUDA, 0), at::kFloat}, "gpu");
    quantizeRtn(cpu, QuantConfig{3, 32});
    quantizeRtn(gpu, QuantConfig{3, 32});
    at::manual_seed(3);
    at::Tensor t = at::randint(c.vocabSize, {64 * 4}, at::kInt);
    std::vector<std::int32_t> ids(t.data_ptr<std::int32_t>(), t.data_ptr<std::int32_t>() + t.numel());
    PerplexityOptions options;
    options.windowLength = 64;
    const double a = evaluatePerplexity(cpu, ids, options).ppl;
    const double b = evaluatePerplexity(gpu, ids, options).ppl;
    QVERIFY2(std::abs(a - b) / a < 1e-4, qPrintable(QStringLiteral("%1 vs %2").arg(a).arg(b)));
}

QTEST_APPLESS_MAIN(TestCuda)
#include "tst_cuda.moc"
