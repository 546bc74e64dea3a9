// The same model on CUDA and on the CPU: forward, quantizer and perplexity agree. Skipped, and
// saying so, on machines without a GPU.
#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <c10/core/InferenceMode.h>

#include <QtTest>

#include "kernels/ffn-rebuild-kernel.h"
#include "metrics/perplexity-evaluator.h"
#include "quant/awq-quantizer.h"
#include "quant/group-quantizer.h"
#include "quant/omniquant-quantizer.h"
#include "quant/rtn-quantizer.h"
#include "search/loss-kernels.h"
#include "search/quantized-ffn.h"
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
    void omniquantFloat16TrainsAsFloat32Does();
    void lwcKernelsEqualTheirTwin();
    void perplexityMatchesTheCpu();
    void crossEntropyKernelEqualsItsTwin();
    void squaredErrorKernelEqualsItsTwin();
    void rebuildKernelEqualsItsTwinAndTheTensors_data();
    void rebuildKernelEqualsItsTwinAndTheTensors();
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
    OptModel gpu =
        OptModel::fromTensors(c, weights, {at::Device(at::kCUDA, 0), at::ScalarType(dtype)}, "gpu");
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
            const at::Tensor c =
                fakeQuantizeFloat16(w.to(at::kHalf).cuda(), q).cpu().to(at::kFloat);
            QVERIFY2(at::equal(a, b),
                     qPrintable(QString("%1 bits, group %2").arg(bits).arg(group)));
            QVERIFY2(at::equal(a, c),
                     qPrintable(QString("%1 bits, group %2, half weights").arg(bits).arg(group)));
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
    const at::Tensor sa = awqSearchLinearScales(lin, x, q, o, &ra),
                     sb = awqSearchLinearScales(linGpu, x.cuda(), q, o, &rb);
    QCOMPARE(ra, rb);
    QVERIFY(at::equal(sa, sb.cpu()));
}

void TestCuda::lwcKernelsEqualTheirTwin() {
    // LWC's quantizer and its gradient: the CUDA kernels give the CPU twin's bits.
    at::manual_seed(9);
    const at::Tensor w = at::randn({96, 512}) * at::exp(at::randn({96, 512}));
    const QuantConfig q{2, 128};
    const at::Tensor up = at::rand({96, 4}) * 0.5 + 0.5, low = at::rand({96, 4}) * 0.5 + 0.5;
    const at::Tensor gout = at::randn({96, 512});
    auto run = [&](const at::Device& d) {
        at::Tensor x = w.to(d).requires_grad_(true), u = up.to(d).requires_grad_(true),
                   l = low.to(d).requires_grad_(true);
        const at::Tensor out = lwcFakeQuantize(x, u, l, q);
        (out * gout.to(d)).sum().backward();
        return std::vector<at::Tensor>{out.detach().cpu(), x.grad().cpu(), u.grad().cpu(),
                                       l.grad().cpu()};
    };
    const auto cpu = run(at::kCPU), gpu = run(at::Device(at::kCUDA, 0));
    const char* names[] = {"values", "weight gradient", "upper gradient", "lower gradient"};
    for (std::size_t i = 0; i < cpu.size(); ++i) QVERIFY2(at::equal(cpu[i], gpu[i]), names[i]);
}

void TestCuda::omniquantFloat16TrainsAsFloat32Does() {
    // The float16 step (scaled loss) and the float32 step on the same tiny model and tokens: every
    // block's loss falls in both, and their last epochs' losses agree within 2%.
    c10::InferenceMode guard;
    const OptConfig c = test::tinyConfig();
    const OptModel gpu = OptModel::fromTensors(c, test::randomWeights(c, 7),
                                               {at::Device(at::kCUDA, 0), at::kFloat}, "gpu");
    at::manual_seed(11);
    const at::Tensor ids = at::randint(4, 96, {4, 32}, at::kLong).cuda();
    OmniquantOptions o;
    o.epochs = 6;
    o.precision = "float32";
    const auto f32 = trainOmniquant(gpu, ids, QuantConfig{2, 32}, o);
    o.precision = "float16";
    const auto f16 = trainOmniquant(gpu, ids, QuantConfig{2, 32}, o);
    for (std::size_t l = 0; l < f32.size(); ++l) {
        const auto &a = f32[l].epochLoss, &b = f16[l].epochLoss;
        QVERIFY(a.back() < a.front() && b.back() < b.front());
        QVERIFY2(
            std::abs(b.back() - a.back()) < 0.02 * a.back(),
            qPrintable(
                QString("block %1: float32 %2, float16 %3").arg(l).arg(a.back()).arg(b.back())));
    }
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
    std::vector<std::int32_t> ids(t.data_ptr<std::int32_t>(),
                                  t.data_ptr<std::int32_t>() + t.numel());
    PerplexityOptions options;
    options.windowLength = 64;
    const double a = evaluatePerplexity(cpu, ids, options).ppl;
    const double b = evaluatePerplexity(gpu, ids, options).ppl;
    QVERIFY2(std::abs(a - b) / a < 1e-4, qPrintable(QStringLiteral("%1 vs %2").arg(a).arg(b)));
}

void TestCuda::crossEntropyKernelEqualsItsTwin() {
    c10::InferenceMode guard;
    for (const bool float16 : {true, false}) {
        for (const std::int64_t vocab : {50272, 1000, 100}) {
            at::manual_seed(vocab);
            const at::Tensor spread =
                at::tensor({0.01f, 1.0f, 4.0f, 30.0f}).repeat({64}).unsqueeze(1);
            const at::Tensor logits =
                (at::randn({256, vocab}) * spread).to(float16 ? at::kHalf : at::kFloat);
            const at::Tensor targets = at::randint(vocab, {256}, at::kLong);
            const at::Tensor gpu = rowCrossEntropy(logits.cuda(), targets.cuda()).cpu();
            const at::Tensor cpu = rowCrossEntropy(logits, targets);
            QVERIFY2(at::equal(gpu, cpu),
                     qPrintable(QStringLiteral("vocab %1, float16 %2: largest difference %3")
                                    .arg(vocab)
                                    .arg(float16)
                                    .arg((gpu - cpu).abs().max().item<double>())));
        }
    }
}

void TestCuda::squaredErrorKernelEqualsItsTwin() {
    c10::InferenceMode guard;
    for (const bool float16 : {true, false}) {
        for (const std::int64_t count :
             {std::int64_t(32) * 512 * 768, std::int64_t(70001), std::int64_t(9)}) {
            at::manual_seed(count);
            const at::Tensor y = at::randn({count}).to(float16 ? at::kHalf : at::kFloat);
            const at::Tensor x = (y.to(at::kFloat) + at::randn({count}) * 0.1 +
                                  (at::rand({count}) > 0.999).to(at::kFloat) * 300)
                                     .to(y.scalar_type());
            const float gpu = clampedSquaredErrorMean(x.cuda(), y.cuda()).item<float>();
            const float cpu = clampedSquaredErrorMean(x, y).item<float>();
            QVERIFY2(gpu == cpu, qPrintable(QStringLiteral("%1 values, float16 %2: %3 vs %4")
                                                .arg(count)
                                                .arg(float16)
                                                .arg(double(gpu), 0, 'g', 9)
                                                .arg(double(cpu), 0, 'g', 9)));
        }
    }
}

void TestCuda::rebuildKernelEqualsItsTwinAndTheTensors_data() {
    QTest::addColumn<int>("bits");
    QTest::addColumn<int>("group");
    QTest::addColumn<bool>("float16");
    for (int bits : {1, 2, 3, 4})
        for (int group : {32, 128, -1})
            for (bool float16 : {true, false})
                QTest::addRow("%d bits, group %d, %s", bits, group, float16 ? "float16" : "float32")
                    << bits << group << float16;
}

void TestCuda::rebuildKernelEqualsItsTwinAndTheTensors() {
    QFETCH(int, bits);
    QFETCH(int, group);
    QFETCH(bool, float16);
    c10::InferenceMode guard;
    const std::int64_t ffn = 1024, hidden = 512;
    at::manual_seed(bits * 100 + group);
    const auto dtype = float16 ? at::kHalf : at::kFloat;
    const FfnWeights cpuFfn{(at::randn({ffn, hidden}) * 0.05).to(dtype),
                            (at::randn({ffn}) * 0.1).to(dtype),
                            (at::randn({hidden, ffn}) * 0.05).to(dtype)};
    const FfnWeights gpuFfn{cpuFfn.w1.cuda(), cpuFfn.b1.cuda(), cpuFfn.w2.cuda()};
    LayerInvariance state = LayerInvariance::identity(ffn);
    const at::Tensor perm = at::randperm(ffn, at::kLong), scales = at::rand({ffn}) + 0.5;
    const at::Tensor angles = (at::rand({ffn / 2}) - 0.5) * 0.8;
    for (std::int64_t i = 0; i < ffn; ++i) {
        state.permutation[std::size_t(i)] = perm[i].item<std::int64_t>();
        state.scales[std::size_t(i)] = scales[i].item<float>();
    }
    for (std::int64_t i = 0; i < ffn / 2; ++i)
        state.angles[std::size_t(i)] = angles[i].item<float>();
    const QuantConfig quant{bits, group};
    const FfnWeights kernel = quantizedFfnByKernel(gpuFfn, state, quant);
    const FfnWeights tensors = quantizedFfnByTensors(gpuFfn, state, quant);
    // The twin, given the cosines and sines the GPU computed: ATen's cos may differ in a bit
    // between the devices, and the kernel and its twin are compared on the same inputs.
    const at::Tensor angles32 = at::tensor(state.angles).cuda();
    const at::Tensor cosines = at::cos(angles32).cpu(), sines = at::sin(angles32).cpu();
    const FfnWeights twin{at::empty_like(cpuFfn.w1), at::empty_like(cpuFfn.b1),
                          at::empty_like(cpuFfn.w2)};
    FfnRebuildArgs args;
    args.w1 = cpuFfn.w1.data_ptr(), args.b1 = cpuFfn.b1.data_ptr(), args.w2 = cpuFfn.w2.data_ptr();
    args.float16 = float16, args.ffn = ffn, args.hidden = hidden;
    args.permutation = perm.data_ptr<std::int64_t>(), args.scales = scales.data_ptr<float>();
    args.cosines = cosines.data_ptr<float>(), args.sines = sines.data_ptr<float>();
    args.group1 = group > 0 ? group : hidden, args.group2 = group > 0 ? group : ffn;
    args.qmax = float((1 << bits) - 1), args.inverseQmax = 1.0f / args.qmax;
    args.outW1 = twin.w1.data_ptr(), args.outB1 = twin.b1.data_ptr(),
    args.outW2 = twin.w2.data_ptr();
    ffnRebuildCpu(args);
    for (const auto& [name, k, t] :
         {std::tuple{"fc1", kernel.w1, tensors.w1}, std::tuple{"fc2", kernel.w2, tensors.w2},
          std::tuple{"fc1 bias", kernel.b1, tensors.b1}}) {
        QVERIFY2(
            at::equal(k, t),
            qPrintable(QStringLiteral("%1: kernel and tensor operations differ in %2 of %3 values")
                           .arg(name)
                           .arg((k != t).sum().item<std::int64_t>())
                           .arg(k.numel())));
    }
    QVERIFY(at::equal(kernel.w1.cpu(), twin.w1));
    QVERIFY(at::equal(kernel.w2.cpu(), twin.w2));
    QVERIFY(at::equal(kernel.b1.cpu(), twin.b1));
}

QTEST_APPLESS_MAIN(TestCuda)
#include "tst_cuda.moc"
