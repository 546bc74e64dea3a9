// AWQ and GPTQ: the behaviours their papers rest on, on planted cases, plus exact folding, bad
// Hessians and end-to-end runs on a small model.
#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <c10/util/Half.h>

#include <QtTest>
#include <algorithm>
#include <cmath>
#include <limits>

#include "invx/error.h"
#include "model/opt-model.h"
#include "quant/awq-quantizer.h"
#include "quant/base-quantization.h"
#include "quant/gptq-quantizer.h"
#include "quant/group-quantizer.h"
#include "test-support.h"

using namespace invx;

Q_DECLARE_METATYPE(invx::AwqPrecision)

namespace {

double outputError(const at::Tensor& x, const at::Tensor& w, const at::Tensor& q) {
    return (at::matmul(x, w.t()) - at::matmul(x, q.t())).pow(2).mean().item<double>();
}

QuantConfig config(int bits, int group) {
    QuantConfig q;
    q.bits = bits;
    q.groupSize = group;
    return q;
}

AwqOptions awqIn(AwqPrecision precision) {
    AwqOptions o;
    o.precision = precision;
    return o;
}

void addPrecisionRows() {
    QTest::addColumn<AwqPrecision>("precision");
    QTest::newRow("float16") << AwqPrecision::Float16;
    QTest::newRow("float32") << AwqPrecision::Float32;
}

float half(float v) { return float(c10::Half(v)); }

// llm-awq's auto_clip_layer on float16 tensors, written out value by value: products rounded to
// float16, group sums accumulated in float32 and rounded, the squared error rounded, its mean over
// tokens rounded; the first of equal errors wins. Bounds [rows, groups].
std::vector<std::vector<float>> clipByTheAuthorsLoop(const at::Tensor& weight, const at::Tensor& x,
                                                     int bits, int g, const AwqOptions& o) {
    const std::int64_t rows = weight.size(0), cols = weight.size(1), tokens = x.size(0),
                       groups = cols / g;
    const float qmax = float((1 << bits) - 1);
    auto halves = [](const at::Tensor& t) {
        std::vector<float> v(static_cast<std::size_t>(t.numel()));
        const at::Tensor c = t.to(at::kFloat).contiguous();
        std::copy(c.data_ptr<float>(), c.data_ptr<float>() + c.numel(), v.begin());
        for (float& e : v) e = half(e);
        return v;
    };
    const std::vector<float> w = halves(weight), xs = halves(x);
    auto quantizeGroup = [&](std::vector<float> v) {
        float mx = v[0], mn = v[0];
        for (float e : v) mx = std::max(mx, e), mn = std::min(mn, e);
        const float scale = half(half(std::max(half(mx - mn), half(1e-5f))) / qmax);
        const float zero = std::clamp(-std::nearbyint(half(mn / scale)), 0.0f, qmax);
        for (float& e : v)
            e = half((std::clamp(std::nearbyint(half(e / scale)) + zero, 0.0f, qmax) - zero) *
                     scale);
        return v;
    };
    auto output = [&](const std::vector<float>& wg, std::int64_t t, std::int64_t group) {
        float sum = 0;
        for (int k = 0; k < g; ++k)
            sum += half(xs[std::size_t(t * cols + group * g + k)] * wg[std::size_t(k)]);
        return half(sum);
    };
    std::vector<std::vector<float>> bounds(static_cast<std::size_t>(rows),
                                           std::vector<float>(static_cast<std::size_t>(groups)));
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t group = 0; group < groups; ++group) {
            const auto first = w.begin() + r * cols + group * g;
            const std::vector<float> wg(first, first + g);
            float maxAbs = 0;
            for (float e : wg) maxAbs = std::max(maxAbs, std::abs(e));
            float best = maxAbs, bestError = std::numeric_limits<float>::infinity();
            for (int i = 0; i < int(o.maxShrink * o.grid); ++i) {
                const float bound = half(maxAbs * float(1.0 - double(i) / o.grid));
                std::vector<float> c = wg;
                for (float& e : c) e = std::clamp(e, -bound, bound);
                const std::vector<float> q = quantizeGroup(c);
                float sum = 0;
                for (std::int64_t t = 0; t < tokens; ++t) {
                    const float d = half(output(q, t, group) - output(wg, t, group));
                    sum += half(d * d);
                }
                const float error = half(sum / float(tokens));
                if (error < bestError) bestError = error, best = bound;
            }
            bounds[std::size_t(r)][std::size_t(group)] = best;
        }
    return bounds;
}

}  // namespace

class TestBaseQuantizers : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void awqGivesASalientChannelTheLargestScale_data() { addPrecisionRows(); }
    void awqGivesASalientChannelTheLargestScale();
    void awqClipsAPlantedOutlierWhenThatHelps_data() { addPrecisionRows(); }
    void awqClipsAPlantedOutlierWhenThatHelps();
    void float16QuantizerRoundsAsHalfArithmeticDoes();
    void float16ClipSearchIsTheAuthorsLoop();
    void awqScalesFoldExactly_data() { addPrecisionRows(); }
    void awqScalesFoldExactly();
    void awqPrecisionChangesTheChoices();
    void awqRefusesPostLayerNormModels();
    void gptqBeatsRtnOnCorrelatedInputs();
    void gptqCodesReproduceTheWeights_data();
    void gptqCodesReproduceTheWeights();
    void gptqRowKernelsMatchTheColumnLoop_data();
    void gptqRowKernelsMatchTheColumnLoop();
    void gptqSurvivesDeadInputs();
    void gptqRaisesDampeningForIndefiniteHessians();
    void methodsRunEndToEnd();
};

void TestBaseQuantizers::awqGivesASalientChannelTheLargestScale() {
    c10::InferenceMode guard;
    at::manual_seed(1);
    at::Tensor x = at::randn({2048, 64});
    x.select(1, 7).mul_(30.0);  // one salient input channel
    LinearWeights w{at::randn({32, 64}) * 0.1, at::Tensor()};
    const QuantConfig q = config(3, 32);
    QFETCH(AwqPrecision, precision);
    double ratio = 0;
    const at::Tensor s = awqSearchLinearScales(w, x, q, awqIn(precision), &ratio);
    QVERIFY(ratio > 0);
    QCOMPARE(s.argmax().item<std::int64_t>(), std::int64_t(7));
    // And it pays: the output error with the scales is below plain RTN's.
    const at::Tensor row = s.view({1, -1});
    const double awq = outputError(x, w.weight, fakeQuantize(w.weight * row, q) / row);
    const double rtn = outputError(x, w.weight, fakeQuantize(w.weight, q));
    QVERIFY2(awq < 0.8 * rtn, qPrintable(QString("AWQ %1, RTN %2").arg(awq).arg(rtn)));
}

void TestBaseQuantizers::awqClipsAPlantedOutlierWhenThatHelps() {
    c10::InferenceMode guard;
    at::manual_seed(2);
    at::Tensor w = at::randn({64, 32});
    w[0][5] = 12.0;  // an outlier weight in row 0, group 0 ...
    at::Tensor x = at::randn({1024, 32});
    x.select(1, 5).mul_(0.01);  // ... on an input that is nearly always ~0
    QFETCH(AwqPrecision, precision);
    const AwqOptions options = awqIn(precision);
    const QuantConfig q = config(2, 32);
    const at::Tensor bound = awqClip(w, x, q, options);
    QCOMPARE(bound.sizes().vec(), (std::vector<std::int64_t>{64, 1}));
    QVERIFY2(bound[0][0].item<float>() < 0.75f * 12.0f,
             qPrintable(QString::number(bound[0][0].item<float>())));
    // Clipping that row lowers its output error.
    const at::Tensor clipped = at::clamp(w, -bound, bound);
    const at::Tensor row0 = w.narrow(0, 0, 1), clippedRow0 = clipped.narrow(0, 0, 1);
    QVERIFY(outputError(x, row0, fakeQuantize(clippedRow0, q)) <
            outputError(x, row0, fakeQuantize(row0, q)));
    // A row without an outlier keeps (nearly) its whole range.
    const float full = w[1].abs().max().item<float>();
    QVERIFY(bound[1][0].item<float>() >= 0.5f * full);
}

void TestBaseQuantizers::float16QuantizerRoundsAsHalfArithmeticDoes() {
    c10::InferenceMode guard;
    // 2 bits, one group of four: min 0 and max 3 give scale 1 in both precisions. 1.4998 rounds to
    // 1 in float32, but it is 1.5 in float16 (the nearest half value), and 1.5 rounds to 2 (even).
    const at::Tensor w = at::tensor({0.0f, 1.4998f, 2.2f, 3.0f}).view({1, 4});
    const QuantConfig q = config(2, 4);
    QCOMPARE(fakeQuantize(w, q)[0][1].item<float>(), 1.0f);
    QCOMPARE(fakeQuantizeFloat16(w, q)[0][1].item<float>(), 2.0f);
    // The scale of a group of range 0.1 at 2 bits: float16(float16(0.1) / 3), not 0.1 / 3.
    const at::Tensor small = at::tensor({0.0f, 0.05f, 0.07f, 0.1f}).view({1, 4});
    const float scale = half(half(0.1f) / 3.0f);
    QVERIFY(scale != 0.1f / 3.0f);
    QCOMPARE(fakeQuantizeFloat16(small, q)[0][3].item<float>(), half(3.0f * scale));
    // Every value is a float16 value, and the dtype is kept.
    at::manual_seed(3);
    const at::Tensor r = at::randn({16, 64});
    const at::Tensor f16 = fakeQuantizeFloat16(r, config(3, 32));
    QCOMPARE(f16.scalar_type(), at::kFloat);
    QVERIFY(at::equal(f16, roundedToFloat16(f16)));
}

void TestBaseQuantizers::float16ClipSearchIsTheAuthorsLoop() {
    c10::InferenceMode guard;
    // Heavy-tailed weights: many groups where a few bounds come close, so that the rounding of
    // each product, sum and error decides between them.
    at::manual_seed(12);
    const std::int64_t rows = 96, cols = 64;
    const at::Tensor w = at::randn({rows, cols}) * 0.05 * at::exp(at::randn({rows, cols}));
    const at::Tensor x = at::randn({64, cols});
    AwqOptions o = awqIn(AwqPrecision::Float16);
    const at::Tensor bounds = awqClip(w, x, config(2, 32), o);
    const auto expected = clipByTheAuthorsLoop(w, x, 2, 32, o);
    int trimmed = 0;
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t g = 0; g < 2; ++g) {
            const float got = bounds[r][g].item<float>(),
                        want = expected[std::size_t(r)][std::size_t(g)];
            QVERIFY2(
                got == want,
                qPrintable(
                    QString("row %1 group %2: %3, the loop %4").arg(r).arg(g).arg(got).arg(want)));
            trimmed += got < half(w[r].narrow(0, g * 32, 32).abs().max().item<float>()) ? 1 : 0;
        }
    QVERIFY(trimmed > 10);  // the case exercises the search, not only its start
}

void TestBaseQuantizers::awqScalesFoldExactly() {
    c10::InferenceMode guard;
    QFETCH(AwqPrecision, precision);
    const OptConfig c = test::tinyConfig();
    const OptModel fp = OptModel::fromTensors(c, test::randomWeights(c, 3), {}, "tiny");
    at::manual_seed(4);
    const at::Tensor ids = at::randint(4, 96, {4, 32}, at::TensorOptions().dtype(at::kLong));
    AwqOptions options = awqIn(precision);
    options.clip = false;
    const auto result = searchAwq(fp, ids, config(2, 32), options);
    QCOMPARE(result.size(), std::size_t(3));
    bool scaled = false;
    for (const auto& r : result)
        scaled = scaled || r.qkvRatio > 0 || r.outRatio > 0 || r.fc1Ratio > 0 || r.fc2Ratio > 0;
    QVERIFY(scaled);
    OptModel folded = fp;
    applyAwq(folded, result, config(2, 32), precision);
    QVERIFY(!at::equal(folded.layers()[0].fc1.weight, fp.layers()[0].fc1.weight));
    const at::Tensor a = fp.forward(ids), b = folded.forward(ids);
    // Exact in float32; in float16 the model and each fold are rounded to float16 (relative 2^-11).
    const double tolerance =
        precision == AwqPrecision::Float32 ? 1e-4 : 2e-2 * a.abs().max().item<double>();
    QVERIFY2((a - b).abs().max().item<double>() < tolerance,
             "scaling changed the full-precision model");
    if (precision == AwqPrecision::Float16) {
        for (const auto& r : result)
            for (const at::Tensor& s : {r.qkvScales, r.outScales, r.fc1Scales, r.fc2Scales})
                QVERIFY(at::equal(s, roundedToFloat16(s)));
        for (const at::Tensor& t : {folded.layers()[1].fc1.weight, folded.layers()[1].ffnNorm.bias})
            QVERIFY(at::equal(t, roundedToFloat16(t)));
    }
}

void TestBaseQuantizers::awqPrecisionChangesTheChoices() {
    c10::InferenceMode guard;
    const OptConfig c = test::tinyConfig();
    const OptModel fp = OptModel::fromTensors(c, test::randomWeights(c, 5), {}, "tiny");
    at::manual_seed(6);
    const at::Tensor ids = at::randint(4, 96, {4, 32}, at::TensorOptions().dtype(at::kLong));
    const auto in16 = searchAwq(fp, ids, config(2, 32), awqIn(AwqPrecision::Float16));
    const auto in32 = searchAwq(fp, ids, config(2, 32), awqIn(AwqPrecision::Float32));
    bool differ = false;
    for (std::size_t l = 0; l < in16.size(); ++l)
        differ = differ || !at::equal(in16[l].fc1Scales, in32[l].fc1Scales) ||
                 !at::equal(in16[l].fc2Clip, in32[l].fc2Clip);
    QVERIFY(differ);
    INVX_VERIFY_MESSAGE(test::errorOf([] { awqPrecisionFromName("bfloat16", "--awq-precision"); }),
                        "--awq-precision", "float16 or float32", "bfloat16");
}

void TestBaseQuantizers::awqRefusesPostLayerNormModels() {
    const OptConfig c = test::tinyConfig(/*postLN=*/true);
    const OptModel model = OptModel::fromTensors(c, test::randomWeights(c, 3), {}, "tiny");
    const at::Tensor ids = at::randint(4, 96, {2, 16}, at::TensorOptions().dtype(at::kLong));
    INVX_VERIFY_MESSAGE(test::errorOf([&] { searchAwq(model, ids, config(2, 32), {}); }), "post-LN",
                        "gptq");
}

void TestBaseQuantizers::gptqBeatsRtnOnCorrelatedInputs() {
    c10::InferenceMode guard;
    at::manual_seed(5);
    const at::Tensor x =
        at::matmul(at::randn({4096, 8}), at::randn({8, 64})) + 0.05 * at::randn({4096, 64});
    const at::Tensor w = at::randn({48, 64});
    at::Tensor H;
    std::int64_t tokens = 0;
    accumulateHessian(H, tokens, x.narrow(0, 0, 1000));
    accumulateHessian(H, tokens, x.narrow(0, 1000, 3096));
    QCOMPARE(tokens, std::int64_t(4096));
    QVERIFY(at::allclose(H, 2.0 * at::matmul(x.t(), x) / 4096.0, 1e-3, 1e-3));
    for (int bits : {2, 3}) {
        const QuantConfig q = config(bits, 32);
        const double rtn = outputError(x, w, fakeQuantize(w, q));
        const double gptq = outputError(x, w, gptqQuantizeWeight(w, H, q, {}).weight);
        GptqOptions actOrder;
        actOrder.actOrder = true;
        const double gptqAct = outputError(x, w, gptqQuantizeWeight(w, H, q, actOrder).weight);
        QVERIFY2(gptq < 0.5 * rtn,
                 qPrintable(QString("%1 bits: GPTQ %2, RTN %3").arg(bits).arg(gptq).arg(rtn)));
        QVERIFY2(
            gptqAct < 0.5 * rtn,
            qPrintable(
                QString("%1 bits: GPTQ act-order %2, RTN %3").arg(bits).arg(gptqAct).arg(rtn)));
    }
    // Every quantized weight is on its group's grid: at most 2^bits levels per row and group.
    const at::Tensor q = gptqQuantizeWeight(w, H, config(2, 32), {}).weight;
    for (std::int64_t r = 0; r < 48; r += 7)
        QVERIFY(std::get<0>(at::_unique(q[r].narrow(0, 0, 32))).numel() <= 4);
}

void TestBaseQuantizers::gptqCodesReproduceTheWeights_data() {
    QTest::addColumn<int>("bits");
    QTest::addColumn<int>("group");
    QTest::addColumn<bool>("actOrder");
    QTest::newRow("2-bit g16") << 2 << 16 << false;
    QTest::newRow("3-bit g16 act-order") << 3 << 16 << true;
    QTest::newRow("4-bit per row") << 4 << -1 << false;
    QTest::newRow("8-bit g32 act-order") << 8 << 32 << true;
}

void TestBaseQuantizers::gptqCodesReproduceTheWeights() {
    // What the experiment file stores (codes, group scale and zero, group of each column) gives
    // back GPTQ's weight bit for bit, also when the columns were quantized in activation order.
    QFETCH(int, bits);
    QFETCH(int, group);
    QFETCH(bool, actOrder);
    c10::InferenceMode guard;
    at::manual_seed(8);
    const at::Tensor x = at::randn({2048, 64}) * at::linspace(0.1, 3.0, 64);
    at::Tensor H;
    std::int64_t tokens = 0;
    accumulateHessian(H, tokens, x);
    const at::Tensor w = at::randn({24, 64});
    GptqOptions options;
    options.actOrder = actOrder;
    options.keepCodes = true;
    const GptqLayerResult r = gptqQuantizeWeight(w, H, config(bits, group), options);
    const GptqLinearRecord record = gptqRecord(r);
    QCOMPARE(record.groups, group > 0 ? std::int64_t(64 / group) : std::int64_t(1));
    QVERIFY(*std::max_element(record.codes.begin(), record.codes.end()) <= (1 << bits) - 1);
    if (actOrder) {  // the columns of a group are not contiguous any more
        QVERIFY(!std::is_sorted(record.groupIndex.begin(), record.groupIndex.end()));
    }
    const at::Tensor back = gptqDequantize(record, 24, 64, w.options(), "test layer");
    QVERIFY(at::equal(back, r.weight));
    options.keepCodes = false;
    QVERIFY(at::equal(gptqQuantizeWeight(w, H, config(bits, group), options).weight, r.weight));
    INVX_VERIFY_MESSAGE(
        test::errorOf([&] { gptqDequantize(record, 24, 32, w.options(), "layer 1 fc2"); }),
        "layer 1 fc2", "24 x 64", "24 x 32");
}

void TestBaseQuantizers::gptqRowKernelsMatchTheColumnLoop_data() {
    QTest::addColumn<QString>("device");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");
    QTest::addColumn<int>("bits");
    QTest::addColumn<int>("group");
    QTest::addColumn<int>("block");
    QTest::addColumn<bool>("actOrder");
    QStringList devices{"cpu"};
    if (at::hasCUDA()) devices << "cuda";
    for (const QString& d : devices) {
        const QByteArray tag = d.toUtf8() + " ";
        QTest::newRow(tag + "2-bit g128, 3 blocks") << d << 40 << 384 << 2 << 128 << 128 << false;
        QTest::newRow(tag + "3-bit g48 across blocks, ragged tail")
            << d << 33 << 336 << 3 << 48 << 128 << false;
        QTest::newRow(tag + "4-bit per row, blocks of 64")
            << d << 17 << 200 << 4 << -1 << 64 << false;
        QTest::newRow(tag + "2-bit g32 act-order") << d << 24 << 256 << 2 << 32 << 128 << true;
        QTest::newRow(tag + "1-bit g16, one row") << d << 1 << 96 << 1 << 16 << 128 << false;
    }
}

void TestBaseQuantizers::gptqRowKernelsMatchTheColumnLoop() {
    // The row kernels do the column loop's arithmetic in the same order: the same bits, also for
    // the codes and group parameters the experiment file stores.
    QFETCH(QString, device);
    QFETCH(int, rows);
    QFETCH(int, cols);
    QFETCH(int, bits);
    QFETCH(int, group);
    QFETCH(int, block);
    QFETCH(bool, actOrder);
    c10::InferenceMode guard;
    at::manual_seed(13);
    const at::Device dev(device.toStdString());
    at::Tensor x =
        at::matmul(at::randn({1024, 12}), at::randn({12, cols})) + 0.1 * at::randn({1024, cols});
    x.select(1, 5).zero_();  // a dead input
    at::Tensor H;
    std::int64_t tokens = 0;
    accumulateHessian(H, tokens, x.to(dev));
    const at::Tensor w = at::randn({rows, cols}).to(dev);
    GptqOptions kernel;
    kernel.blockSize = block;
    kernel.actOrder = actOrder;
    kernel.keepCodes = true;
    GptqOptions loop = kernel;
    loop.columnLoop = true;
    const GptqLayerResult a = gptqQuantizeWeight(w, H, config(bits, group), kernel);
    const GptqLayerResult b = gptqQuantizeWeight(w, H, config(bits, group), loop);
    QCOMPARE(a.weight.device().type(), dev.type());
    QVERIFY(at::isfinite(a.weight).all().item<bool>());
    const std::int64_t differing = (a.weight != b.weight).sum().item<std::int64_t>();
    QVERIFY2(differing == 0,
             qPrintable(QString("%1 of %2 weights differ, at most by %3")
                            .arg(differing)
                            .arg(w.numel())
                            .arg((a.weight - b.weight).abs().max().item<double>())));
    QVERIFY(at::equal(a.codes, b.codes));
    QVERIFY(at::equal(a.scale, b.scale));
    QVERIFY(at::equal(a.zero, b.zero));
    QCOMPARE(a.deadColumns, std::int64_t(1));
    // And it is GPTQ: better than RTN on these inputs.
    const at::Tensor xd = x.to(dev);
    QVERIFY(outputError(xd, w, a.weight) <
            outputError(xd, w, fakeQuantize(w, config(bits, group))));
}

void TestBaseQuantizers::gptqSurvivesDeadInputs() {
    c10::InferenceMode guard;
    at::manual_seed(6);
    at::Tensor x = at::randn({512, 32});
    x.select(1, 3).zero_();
    at::Tensor H;
    std::int64_t tokens = 0;
    accumulateHessian(H, tokens, x);
    const GptqLayerResult r = gptqQuantizeWeight(at::randn({16, 32}), H, config(2, 16), {});
    QCOMPARE(r.deadColumns, std::int64_t(1));
    QVERIFY(at::isfinite(r.weight).all().item<bool>());
    QVERIFY(r.weight.select(1, 3).abs().max().item<float>() <
            2.0f);  // the dead input's weights were zeroed first
}

void TestBaseQuantizers::gptqRaisesDampeningForIndefiniteHessians() {
    c10::InferenceMode guard;
    // One negative eigenvalue of -0.005 next to 1: 1% dampening (0.005) is not enough, 10% is.
    at::Tensor H = at::diag(at::tensor({1.0f, -0.005f}));
    const GptqLayerResult r = gptqQuantizeWeight(at::randn({4, 2}), H, config(2, -1), {});
    QVERIFY(std::abs(r.dampening - 0.1) < 1e-12);
    INVX_VERIFY_MESSAGE(test::errorOf([] {
                            gptqQuantizeWeight(at::randn({4, 2}), -at::eye(2), config(2, -1), {});
                        }),
                        "singular", "dampening");
}

void TestBaseQuantizers::methodsRunEndToEnd() {
    c10::InferenceMode guard;
    const OptConfig c = test::tinyConfig();
    const OptModel fp = OptModel::fromTensors(c, test::randomWeights(c, 7), {}, "tiny");
    at::manual_seed(8);
    const at::Tensor ids = at::randint(4, 96, {8, 32}, at::TensorOptions().dtype(at::kLong));
    const at::Tensor reference = fp.forward(ids);
    std::map<std::string, double> error;
    for (const char* method : {"rtn", "awq", "gptq"}) {
        OptModel m = fp;
        std::vector<std::string> warnings;
        quantizeWithMethod(m, method, config(2, 32), ids, {}, &warnings);
        const at::Tensor logits = m.forward(ids);
        QVERIFY(at::isfinite(logits).all().item<bool>());
        error[method] = (logits - reference).pow(2).mean().item<double>();
    }
    // On its own calibration data each calibrated method beats round-to-nearest.
    QVERIFY2(error["awq"] < error["rtn"],
             qPrintable(QString("AWQ %1, RTN %2").arg(error["awq"]).arg(error["rtn"])));
    QVERIFY2(error["gptq"] < error["rtn"],
             qPrintable(QString("GPTQ %1, RTN %2").arg(error["gptq"]).arg(error["rtn"])));
    INVX_VERIFY_MESSAGE(test::errorOf([&] {
                            OptModel m = fp;
                            quantizeWithMethod(m, "gptq", config(2, 32), at::Tensor(), {});
                        }),
                        "gptq needs calibration data");
    INVX_VERIFY_MESSAGE(test::errorOf([&] {
                            OptModel m = fp;
                            quantizeWithMethod(m, "quip", config(2, 32), ids, {});
                        }),
                        "rtn, awq, gptq or omniquant", "'quip'");
    INVX_VERIFY_MESSAGE(test::errorOf([&] {
                            OptModel m = fp;
                            quantizeWithMethod(m, "gptq", config(2, 48), ids, {});
                        }),
                        "group size 48");
}

QTEST_GUILESS_MAIN(TestBaseQuantizers)
#include "tst_base_quantizers.moc"
