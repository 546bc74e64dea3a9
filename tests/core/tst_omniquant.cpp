// OmniQuant (quant/omniquant-quantizer.h): LWC's quantizer against values worked out by hand, LET's
// fold against the unfolded block, a short run on the demo model against RTN, and the search's
// identity state over OmniQuant against OmniQuant's own model, bit for bit; a stopped training, and
// a stopped run, resumed to the same result.
#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <QProcess>
#include <QtTest>
#include <cmath>

#include "invx/bpe-tokenizer.h"
#include "invx/calibration-data.h"
#include "invx/corpus-documents.h"
#include "invx/experiment-file.h"
#include "invx/perplexity-text.h"
#include "invx/search-observer.h"
#include "invx/search-run.h"
#include "metrics/perplexity-evaluator.h"
#include "model/opt-model.h"
#include "quant/base-quantization.h"
#include "quant/group-quantizer.h"
#include "quant/omniquant-quantizer.h"
#include "quant/rtn-quantizer.h"
#include "search/search-engine.h"
#include "test-support.h"

using namespace invx;

namespace {

const std::string kDemoModel = std::string(INVX_SOURCE_DIR) + "/resources/models/opt-demo";

QuantConfig quantOf(int bits, int group) {
    QuantConfig q;
    q.bits = bits;
    q.groupSize = group;
    return q;
}

OptModel tinyModel(std::uint64_t seed = 7) {
    const OptConfig c = test::tinyConfig();  // hidden 32, FFN 128, 3 layers
    return OptModel::fromTensors(c, test::randomWeights(c, seed), {}, "tiny");
}

at::Tensor tinyCalibration() {
    at::manual_seed(11);
    return at::randint(4, 96, {4, 32}, at::TensorOptions().dtype(at::kLong));
}

std::vector<at::Tensor> linearWeights(OptModel& model) {
    std::vector<at::Tensor> out;
    for (OptLayer& layer : model.layers())
        for (auto& [name, linear] : decoderLinears(layer)) out.push_back(linear->weight);
    return out;
}

}  // namespace

class TestOmniquant : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void lwcQuantizesAsWorkedOutByHand();
    void lwcStraightThroughGradientIsIdentityInsideTheRange();
    void straightThroughQuantizerIsRtnBitForBit();
    void lwcTrainsWithTheAuthorsGradientOnTheExportedValues();
    void lwcKernelsMatchTheTensorOperations();
    void letFoldLeavesTheBlockUnchanged();
    void recordsRoundTrip();
    void searchIdentityIsOmniquantBitForBit();
    void experimentFileKeepsWhatOmniquantLearned();
    void stoppedTrainingResumesBitForBit();
    void stoppedRunResumesFromItsFile();
    void commandLineTakesOmniquant();
    void commandLineStopsAndResumesTheTraining();
    void shortRunOnTheDemoModelBeatsRtn();
};

void TestOmniquant::lwcQuantizesAsWorkedOutByHand() {
    // One group of 8 at 2 bits (qmax 3). Logits 0 give factors sigmoid(0) = 0.5: the group's max 2
    // clips to 1, its min -1 to -0.5. Scale (1 - -0.5) / 3 = 0.5, zero point -round(-0.5 / 0.5) =
    // 1; w / 0.5 = [-1, -0.8, -0.5, 0, 0.5, 1, 1.5, 2] rounds half to even to
    // [-1, -1, -0, 0, 0, 1, 2, 2], codes [0, 0, 1, 1, 1, 2, 3, 3], values (code - 1) x 0.5.
    const QuantConfig q = quantOf(2, 8);
    const at::Tensor w =
        at::tensor({-1.0f, -0.4f, -0.25f, 0.0f, 0.25f, 0.5f, 0.75f, 2.0f}).view({1, 8});
    const at::Tensor half = at::sigmoid(at::zeros({1, 1}));
    QCOMPARE(half.item<float>(), 0.5f);
    const at::Tensor clipped = lwcClip(w, half, half, q);
    const std::vector<float> expectedClip = {-0.5f, -0.4f, -0.25f, 0.0f, 0.25f, 0.5f, 0.75f, 1.0f};
    for (int i = 0; i < 8; ++i) QCOMPARE(clipped[0][i].item<float>(), expectedClip[std::size_t(i)]);
    const GroupQuantParams params = groupQuantParams(clipped, q);
    QCOMPARE(params.scale.item<float>(), 0.5f);
    QCOMPARE(params.zero.item<float>(), 1.0f);
    const at::Tensor deq = fakeQuantizeStraightThrough(clipped, q);
    const std::vector<float> expected = {-0.5f, -0.5f, 0.0f, 0.0f, 0.0f, 0.5f, 1.0f, 1.0f};
    for (int i = 0; i < 8; ++i) QCOMPARE(deq[0][i].item<float>(), expected[std::size_t(i)]);

    // The initial factors: sigmoid(4) = 0.98201379, bounds 0.98201379 x 2 and x -1.
    const at::Tensor init = at::sigmoid(at::full({1, 1}, 4.0f));
    QVERIFY(std::abs(init.item<double>() - 0.98201379) < 1e-7);
    const at::Tensor barely = lwcClip(w, init, init, q);
    QVERIFY(std::abs(barely[0][7].item<double>() - 1.96402758) < 1e-6);
    QVERIFY(std::abs(barely[0][0].item<double>() + 0.98201379) < 1e-7);
    QCOMPARE(barely[0][3].item<float>(), 0.0f);
    // Asymmetric: an all-positive group [1, 2, 3, 4] at 2 bits: scale 1, zero 0 (clamped), and a
    // group of [-3, 1]: scale 4/3, zero round(2.25) = 2.
    const GroupQuantParams positive =
        groupQuantParams(at::tensor({1.0f, 2.0f, 3.0f, 4.0f}).view({1, 4}), quantOf(2, 4));
    QCOMPARE(positive.scale.item<float>(), 1.0f);
    QCOMPARE(positive.zero.item<float>(), 0.0f);
    const GroupQuantParams skewed =
        groupQuantParams(at::tensor({-3.0f, 1.0f}).view({1, 2}), quantOf(2, 2));
    QCOMPARE(skewed.zero.item<float>(), 2.0f);
}

void TestOmniquant::lwcStraightThroughGradientIsIdentityInsideTheRange() {
    const QuantConfig q = quantOf(2, 8);
    const at::Tensor w = at::tensor({-1.0f, -0.4f, -0.25f, 0.0f, 0.25f, 0.5f, 0.75f, 2.0f})
                             .view({1, 8})
                             .requires_grad_(true);
    const at::Tensor upper = at::zeros({1, 1}).requires_grad_(true);
    const at::Tensor lower = at::zeros({1, 1}).requires_grad_(true);
    const at::Tensor deq =
        fakeQuantizeStraightThrough(lwcClip(w, at::sigmoid(upper), at::sigmoid(lower), q), q);
    deq.sum().backward();
    const at::Tensor g = w.grad();
    qInfo("d sum(Q(w)) / dw = [%g %g %g %g %g %g %g %g]", g[0][0].item<double>(),
          g[0][1].item<double>(), g[0][2].item<double>(), g[0][3].item<double>(),
          g[0][4].item<double>(), g[0][5].item<double>(), g[0][6].item<double>(),
          g[0][7].item<double>());
    // Inside (lower bound, upper bound): the round is straight-through, the gradient exactly 1.
    for (int i = 1; i <= 6; ++i) QCOMPARE(g[0][i].item<float>(), 1.0f);
    // The bounds learn. With hi, lo the clipped group's ends and s = (hi - lo) / 3, d sum(Q) =
    // sum d(wc) + ds sum(q - z - wc / s) = dhi + dlo + ds (3 - 2.7): d/dhi = 1.1, d/dlo = 0.9; and
    // hi = sigmoid(u) x 2, lo = sigmoid(l) x -1 with sigmoid'(0) = 0.25: 0.55 and -0.225.
    qInfo("d sum(Q(w)) / du = %.7g, / dl = %.7g", upper.grad().item<double>(),
          lower.grad().item<double>());
    QVERIFY(std::abs(upper.grad().item<double>() - 0.55) < 1e-6);
    QVERIFY(std::abs(lower.grad().item<double>() + 0.225) < 1e-6);
}

void TestOmniquant::lwcTrainsWithTheAuthorsGradientOnTheExportedValues() {
    // By hand, 2 bits, one group of 4: w = [-1, -0.2, 0.3, 1], factors 0.5 and 0.25, so hi = 0.5,
    // lo = -0.25, s = 0.75 / 3 = 0.25, z = -round(-1) = 1; w / s = [-4, -0.8, 1.2, 4] rounds to
    // [-4, -1, 1, 4], plus z and clamped to [0, 3]: [0, 0, 2, 3]; (q - z) s = [-0.25, -0.25, 0.25,
    // 0.5]. Gradient of the sum: the saturated ends give (q - z) ds = -1 and 2, the others
    // (round(x)
    // - x) ds = -0.2 and -0.2: d/ds = 0.6; ds/dhi = 1/3, dhi/dupper = max = 1, ds/dlo = -1/3,
    // dlo/dlower = min = -1: 0.2 each. The clip's own derivative would give upper 1 + 0.6 / 3.
    const QuantConfig q = quantOf(2, 4);
    const at::Tensor w = at::tensor({-1.0f, -0.2f, 0.3f, 1.0f}).view({1, 4});
    const at::Tensor upper = at::full({1, 1}, 0.5f).requires_grad_(true);
    const at::Tensor lower = at::full({1, 1}, 0.25f).requires_grad_(true);
    const at::Tensor deq = lwcFakeQuantize(w, upper, lower, q);
    const float expected[] = {-0.25f, -0.25f, 0.25f, 0.5f};
    for (int i = 0; i < 4; ++i) QCOMPARE(deq[0][i].item<float>(), expected[i]);
    deq.sum().backward();
    qInfo("d sum(Q(w)) / d upper = %.7g, / d lower = %.7g", upper.grad().item<double>(),
          lower.grad().item<double>());
    QVERIFY(std::abs(upper.grad().item<double>() - 0.2) < 1e-6);
    QVERIFY(std::abs(lower.grad().item<double>() - 0.2) < 1e-6);

    // Forward it is what omniquantLayer exports: RTN of the clip rounded to float16.
    at::manual_seed(7);
    const QuantConfig q2 = quantOf(2, 32);
    const at::Tensor weights = (at::randn({64, 128}) * 0.05f).to(at::kHalf).to(at::kFloat);
    const at::Tensor up = at::rand({64, 4}) * 0.5f + 0.5f, low = at::rand({64, 4}) * 0.5f + 0.5f;
    const at::Tensor exported =
        fakeQuantize(lwcClip(weights, up, low, q2).to(at::kHalf).to(at::kFloat), q2);
    const at::Tensor trained = lwcFakeQuantize(weights, up, low, q2);
    const std::int64_t differ = (trained != exported).sum().item<std::int64_t>();
    qInfo("trained and exported values differ in %lld of %lld weights", (long long)differ,
          (long long)weights.numel());
    QCOMPARE(differ, std::int64_t(0));
}

void TestOmniquant::lwcKernelsMatchTheTensorOperations() {
    // The one-pass kernels (their CPU twin here; tst_cuda holds CUDA to it) against the same
    // quantizer by tensor operations and autograd: the same values bit for bit, the same gradients
    // up to the order of float32 sums. Groups with tied extremes (whose bound's gradient autograd
    // shares evenly among them) and a constant group (no gradient to its bounds) included.
    for (const auto& [bits, group] : {std::pair{2, 128}, std::pair{3, 32}, std::pair{4, -1}}) {
        at::manual_seed(bits);
        at::Tensor w = at::randn({48, 256}) * at::exp(at::randn({48, 256}));
        w[0].narrow(0, 0, 2).fill_(w[0].max().item<float>() + 1);  // a tie for the maximum
        w[1].narrow(0, 5, 3).fill_(w[1].min().item<float>() - 1);  // and for the minimum
        if (group > 0) w[2].narrow(0, 0, group).fill_(0.25);       // a constant group
        const QuantConfig q = quantOf(bits, group);
        const std::int64_t groups = q.groupsPerRow(256);
        const at::Tensor up0 = at::rand({48, groups}) * 0.5 + 0.5,
                         low0 = at::rand({48, groups}) * 0.5 + 0.5, gout = at::randn({48, 256});
        // float16: the weight rounded to float16 first, straight-through (the training's case).
        auto run = [&](bool kernels, bool float16) {
            at::Tensor x = w.clone().requires_grad_(true), up = up0.clone().requires_grad_(true),
                       low = low0.clone().requires_grad_(true);
            const at::Tensor x16 = x.to(at::kHalf).to(at::kFloat).detach() + (x - x.detach());
            const at::Tensor out = kernels
                                       ? (float16 ? lwcFakeQuantizeOfFloat16(x, up, low, q)
                                                  : lwcFakeQuantize(x, up, low, q))
                                       : lwcFakeQuantizeByTensorOps(float16 ? x16 : x, up, low, q);
            (out * gout).sum().backward();
            return std::vector<at::Tensor>{out.detach(), x.grad(), up.grad(), low.grad()};
        };
        for (const bool float16 : {false, true}) {
            const auto a = run(true, float16), b = run(false, float16);
            const QString what = QString("%1-bit g%2%3")
                                     .arg(bits)
                                     .arg(group)
                                     .arg(float16 ? ", float16 weights" : "");
            QVERIFY2(at::equal(a[0], b[0]), qPrintable(what + ": values"));
            const char* names[] = {"", "weight", "upper", "lower"};
            for (int i = 1; i < 4; ++i) {
                const double diff = (a[size_t(i)] - b[size_t(i)]).abs().max().item<double>();
                const double size = b[size_t(i)].abs().max().item<double>();
                qInfo("%s: gradient of the %s: max difference %.3g of max %.3g", qPrintable(what),
                      names[i], diff, size);
                QVERIFY2(diff <= 1e-5 * size, qPrintable(what + ": " + names[i]));
            }
        }
    }
}

void TestOmniquant::straightThroughQuantizerIsRtnBitForBit() {
    at::manual_seed(3);
    const QuantConfig q = quantOf(3, 32);
    const at::Tensor w = at::randn({64, 128});
    const at::Tensor upper = at::sigmoid(at::randn({64, 4}) + 2.0);
    const at::Tensor lower = at::sigmoid(at::randn({64, 4}) + 2.0);
    const at::Tensor clipped = lwcClip(w, upper, lower, q);
    QVERIFY(at::equal(fakeQuantizeStraightThrough(clipped, q), fakeQuantize(clipped, q)));
    // ... also on a tensor that takes part in autograd.
    const at::Tensor tracked = clipped.clone().requires_grad_(true);
    QVERIFY(at::equal(fakeQuantizeStraightThrough(tracked, q).detach(), fakeQuantize(clipped, q)));
    // Groups come out clipped: no weight beyond its group's bounds.
    const at::Tensor grouped = w.view({64, 4, 32});
    QVERIFY((clipped.view({64, 4, 32}) <= (upper.unsqueeze(-1) * grouped.amax(-1, true)) + 0.0f)
                .all()
                .item<bool>());
}

void TestOmniquant::letFoldLeavesTheBlockUnchanged() {
    c10::InferenceMode guard;
    OptModel model = tinyModel();
    at::manual_seed(5);
    const std::int64_t h = model.config().hiddenSize;
    const at::Tensor qkv = at::rand({h}) * 1.5 + 0.5, out = at::rand({h}) * 1.5 + 0.5,
                     fc1 = at::rand({h}) * 1.5 + 0.5,
                     qk = (at::rand({h}) * 1.5 + 0.5) * at::where(at::rand({h}) < 0.2, -1.0, 1.0);
    const at::Tensor x = at::randn({2, 16, h});
    const at::Tensor before = model.forwardLayer(1, x);
    foldLet(model.layers()[1], qkv, out, fc1, qk);
    QVERIFY(!at::equal(model.layers()[1].v.weight, tinyModel().layers()[1].v.weight));
    const at::Tensor after = model.forwardLayer(1, x);
    const double diff = (after - before).abs().max().item<double>();
    const double size = before.abs().max().item<double>();
    qInfo("LET fold: max |block output difference| %g (outputs up to %g)", diff, size);
    QVERIFY2(diff < 1e-5 * size, qPrintable(QString("difference %1").arg(diff)));

    // The v -> out_proj scale divides v's output rows and bias, and multiplies out_proj's columns.
    OptModel plain = tinyModel();
    const OptLayer& a = plain.layers()[1];
    const OptLayer& b = model.layers()[1];
    QVERIFY(at::allclose(b.v.bias, a.v.bias / out, 1e-6, 1e-6));
    QVERIFY(at::allclose(b.out.weight, a.out.weight * out.view({1, -1}), 1e-6, 1e-6));
    QVERIFY(
        at::allclose(b.v.weight, a.v.weight * qkv.view({1, -1}) / out.view({-1, 1}), 1e-5, 1e-6));
}

void TestOmniquant::recordsRoundTrip() {
    OptModel model = tinyModel();
    const QuantConfig q = quantOf(2, 32);
    OmniquantOptions options;
    options.epochs = 1;
    const auto result = trainOmniquant(model, tinyCalibration(), q, options);
    QCOMPARE(result.size(), std::size_t(3));
    const OmniquantLayerRecord record = omniquantRecord(result[1]);
    QCOMPARE(record.qkvScales.size(), std::size_t(32));
    QCOMPARE(record.upperClip[4].size(), std::size_t(128 * 1));  // fc1: 128 rows, 1 group
    QCOMPARE(record.upperClip[5].size(), std::size_t(32 * 4));   // fc2: 32 rows, 4 groups
    QCOMPARE(record.epochLoss.size(), std::size_t(1));
    for (float f : record.lowerClip[2]) QVERIFY(f > 0.0f && f < 1.0f);
    const OmniquantLayerResult back = omniquantFromRecord(record, model.config(), q, at::kCPU);
    QVERIFY(at::equal(back.qkScales, result[1].qkScales));
    QVERIFY(at::equal(back.lower[5], result[1].lower[5]));
    OmniquantLayerRecord broken = record;
    broken.upperClip[0].pop_back();
    INVX_VERIFY_MESSAGE(
        test::errorOf([&] { omniquantFromRecord(broken, model.config(), q, at::kCPU); }),
        "q_proj_upper", "31 values where 32 belong");
}

void TestOmniquant::searchIdentityIsOmniquantBitForBit() {
    c10::InferenceMode guard;
    const OptModel fp = tinyModel();
    SearchSettings s;
    s.quant = quantOf(2, 32);
    s.base = "omniquant";
    s.omniquantEpochs = 3;
    s.calibrationSamples = 4;
    s.calibrationLength = 32;
    s.matchedLayers = 3;
    const at::Tensor ids = tinyCalibration();

    // OmniQuant's own model, as invx eval --method omniquant makes it.
    OptModel omniquant = fp;
    BaseMethodOptions options;
    options.omniquant = omniquantOptionsOf(s);
    quantizeWithMethod(omniquant, "omniquant", s.quant, ids, options);

    // The search trains its own, and starts from records of it.
    SearchEngine::BaseInputs trained;
    trained.calibration = ids;
    SearchEngine engine(fp, s, ids, trained);
    QCOMPARE(engine.omniquantRecords().size(), std::size_t(3));
    SearchEngine::BaseInputs reused;
    reused.omniquant = engine.omniquantRecords();
    SearchEngine fromRecords(fp, s, ids, reused);

    OptModel a = omniquant, b = engine.model(), c = fromRecords.model();
    const auto expected = linearWeights(a), searched = linearWeights(b), reusing = linearWeights(c);
    QCOMPARE(searched.size(), std::size_t(18));
    int differentFromRtn = 0;
    OptModel rtn = fp;
    rtn.roundToFloat16();
    quantizeRtn(rtn, s.quant);
    const auto plain = linearWeights(rtn);
    for (std::size_t i = 0; i < expected.size(); ++i) {
        QVERIFY2(at::equal(searched[i], expected[i]), qPrintable(QString("linear %1").arg(i)));
        QVERIFY2(at::equal(reusing[i], expected[i]), qPrintable(QString("linear %1").arg(i)));
        if (!at::equal(expected[i], plain[i])) ++differentFromRtn;
    }
    QCOMPARE(differentFromRtn,
             18);  // OmniQuant changed every layer, so the equality says something
    // LayerNorms and biases carry LET's folds too.
    QVERIFY(at::equal(b.layers()[0].attnNorm.weight, a.layers()[0].attnNorm.weight));
    QVERIFY(at::equal(b.layers()[2].v.bias, a.layers()[2].v.bias));
    QVERIFY(at::equal(c.layers()[2].q.bias, a.layers()[2].q.bias));
    QVERIFY(engine.base().ce0 == fromRecords.base().ce0);
}

namespace {
class Messages : public SearchObserver {
  public:
    void onMessage(const std::string& m) override { messages.push_back(m); }
    std::vector<std::string> messages;
};
}  // namespace

void TestOmniquant::experimentFileKeepsWhatOmniquantLearned() {
    // invx quantize (a search of no steps) over OmniQuant, then a search that reuses its file
    // (--base-from), then a resume of that search: all three start from the same model.
    QTemporaryDir dir;
    const test::SearchFixture fixture = test::writeSearchFixture(dir.path().toStdString());
    const std::string quantized = dir.filePath("omniquant.h5").toStdString();
    SearchRunRequest q = test::fixtureSearchRequest(fixture, quantized, 0);
    q.settings.base = "omniquant";
    q.settings.baseCalibrationSamples = 4;
    q.settings.omniquantEpochs = 3;
    Messages progress;
    SearchControl control;
    const SearchSummary first = runSearch(q, progress, control);
    int epochMessages = 0;
    for (const std::string& m : progress.messages)
        if (m.rfind("OmniQuant: block ", 0) == 0) ++epochMessages;
    QCOMPARE(epochMessages, 3 * 3);  // the fixture's 3 blocks x 3 epochs

    std::vector<OmniquantLayerRecord> stored;
    {
        const ExperimentFile f = ExperimentFile::open(quantized, false);
        stored = f.omniquant();
        QCOMPARE(f.base()->method, std::string("omniquant"));
        QCOMPARE(f.settings().omniquantEpochs, 3);
    }
    QCOMPARE(stored.size(), std::size_t(3));
    for (const OmniquantLayerRecord& r : stored) {
        QCOMPARE(r.epochLoss.size(), std::size_t(3));
        QVERIFY(!r.qkvScales.empty() && !r.qkScales.empty());
        for (int i = 0; i < 6; ++i) QVERIFY(!r.upperClip[i].empty() && !r.lowerClip[i].empty());
    }

    const std::string searched = dir.filePath("search.h5").toStdString();
    SearchRunRequest s = test::fixtureSearchRequest(fixture, searched, 5);
    s.settings.base = "omniquant";
    s.settings.omniquantEpochs = 7;  // the reused file's settings win: they made its results
    s.baseFrom = quantized;
    Messages quiet;
    const SearchSummary second = runSearch(s, quiet, control);
    QCOMPARE(second.base.ce0, first.base.ce0);
    QCOMPARE(second.base.mse0, first.base.mse0);
    for (const std::string& m : quiet.messages) QVERIFY(m.rfind("OmniQuant: block ", 0) != 0);
    {
        const ExperimentFile f = ExperimentFile::open(searched, false);
        QCOMPARE(f.settings().omniquantEpochs, 3);
        QVERIFY(!f.base()->reusedFrom.empty());
        const auto copied = f.omniquant();
        QCOMPARE(copied.size(), stored.size());
        for (std::size_t l = 0; l < copied.size(); ++l) {
            QVERIFY(copied[l].fc1Scales == stored[l].fc1Scales);
            QVERIFY(copied[l].lowerClip[5] == stored[l].lowerClip[5]);
            QVERIFY(copied[l].epochLoss == stored[l].epochLoss);
        }
    }
    SearchRunRequest resume;
    resume.experimentPath = searched;
    resume.resume = true;
    resume.resumeSteps = 8;
    const SearchSummary third = runSearch(resume, quiet, control);
    QCOMPARE(third.base.ce0, first.base.ce0);
    QCOMPARE(third.steps, std::int64_t(8));
}

namespace {

void requireSameRecords(const std::vector<OmniquantLayerRecord>& a,
                        const std::vector<OmniquantLayerRecord>& b) {
    QCOMPARE(a.size(), b.size());
    for (std::size_t l = 0; l < a.size(); ++l) {
        const OmniquantLayerRecord &x = a[l], &y = b[l];
        QVERIFY2(x.qkvScales == y.qkvScales && x.outScales == y.outScales &&
                     x.fc1Scales == y.fc1Scales && x.qkScales == y.qkScales,
                 qPrintable(QString("block %1: LET scales differ").arg(l)));
        for (int i = 0; i < 6; ++i)
            QVERIFY2(x.upperClip[i] == y.upperClip[i] && x.lowerClip[i] == y.lowerClip[i],
                     qPrintable(QString("block %1, linear %2: clip factors differ").arg(l).arg(i)));
        QVERIFY2(x.epochLoss == y.epochLoss, qPrintable(QString("block %1: losses differ").arg(l)));
    }
}

void requireSameResults(const std::vector<OmniquantLayerResult>& a,
                        const std::vector<OmniquantLayerResult>& b) {
    std::vector<OmniquantLayerRecord> x, y;
    for (const auto& r : a) x.push_back(omniquantRecord(r));
    for (const auto& r : b) y.push_back(omniquantRecord(r));
    requireSameRecords(x, y);
}

}  // namespace

void TestOmniquant::stoppedTrainingResumesBitForBit() {
    c10::InferenceMode guard;
    const OptModel fp = tinyModel();
    const QuantConfig q = quantOf(2, 32);
    OmniquantOptions options;
    options.epochs = 3;  // 4 sequences: 12 optimizer steps per block
    const at::Tensor ids = tinyCalibration();
    const auto whole = trainOmniquant(fp, ids, q, options);

    // Stopped in block 2 in the middle of its second epoch (step 12 + 6), and at the end of an
    // epoch (12 + 8, before that epoch's loss is taken); then resumed from where it stood, and from
    // the finished blocks alone, as a kill leaves them.
    for (const int stopAfter : {18, 20}) {
        OmniquantTrainingHooks hooks;
        int steps = 0;
        std::vector<OmniquantLayerResult> finished;
        hooks.stopRequested = [&] { return ++steps == stopAfter; };
        hooks.blockFinished = [&](int, const OmniquantLayerResult& r) { finished.push_back(r); };
        std::optional<OmniquantTrainingRecord> at;
        try {
            trainOmniquant(fp, ids, q, options, hooks);
        } catch (const OmniquantStopped& stopped) {
            at = stopped.state;
        }
        QVERIFY2(at.has_value(), "the training was not stopped");
        QCOMPARE(finished.size(), std::size_t(1));
        QCOMPARE(at->block, std::int64_t(1));
        QCOMPARE(at->epoch, std::int64_t(1));
        QCOMPARE(at->sample, std::int64_t(stopAfter - 12 - 4));
        QCOMPARE(at->optimizerSteps, std::int64_t(stopAfter - 12));
        QCOMPARE(at->parameters.epochLoss.size(), std::size_t(1));
        QCOMPARE(at->firstMoment.upperClip[5].size(), std::size_t(32 * 4));

        OmniquantTrainingHooks resume;
        resume.finished = finished;
        resume.inProgress = at;
        requireSameResults(trainOmniquant(fp, ids, q, options, resume), whole);
        resume.inProgress.reset();
        requireSameResults(trainOmniquant(fp, ids, q, options, resume), whole);
    }
    OmniquantTrainingHooks misfit;
    misfit.inProgress = OmniquantTrainingRecord{};
    misfit.inProgress->block = 2;   // but no block finished
    options.precision = "float16";  // the CPU has no fast float16 products
    const std::string cpuError = test::errorOf([&] { trainOmniquant(fp, ids, q, options); });
    QVERIFY2(cpuError.find("float16 training needs a CUDA device") != std::string::npos &&
                 cpuError.find("--omniquant-precision float32") != std::string::npos,
             cpuError.c_str());
    options.precision = "auto";
    const std::string misfitError =
        test::errorOf([&] { trainOmniquant(fp, ids, q, options, misfit); });
    QVERIFY2(misfitError.find("does not fit this model") != std::string::npos, misfitError.c_str());
}

namespace {
// Stops the run once a message begins with `when` (an epoch's progress line).
class StopAtMessage : public SearchObserver {
  public:
    StopAtMessage(SearchControl& control, std::string when)
        : control_(control), when_(std::move(when)) {}
    void onMessage(const std::string& m) override {
        if (m.rfind(when_, 0) == 0) control_.stop();
        messages.push_back(m);
    }
    std::vector<std::string> messages;

  private:
    SearchControl& control_;
    std::string when_;
};
}  // namespace

void TestOmniquant::stoppedRunResumesFromItsFile() {
    // invx quantize over OmniQuant stopped in its second block: no file at the path, its progress
    // in FILE.part; invx search --resume FILE goes on and ends with the file an unstopped run
    // writes.
    QTemporaryDir dir;
    const test::SearchFixture fixture = test::writeSearchFixture(dir.path().toStdString());
    auto request = [&](const std::string& name) {
        SearchRunRequest r = test::fixtureSearchRequest(
            fixture, dir.filePath(QString::fromStdString(name)).toStdString(), 0);
        r.settings.base = "omniquant";
        r.settings.baseCalibrationSamples = 4;
        r.settings.omniquantEpochs = 3;
        return r;
    };
    Messages quiet;
    SearchControl go;
    const SearchSummary whole = runSearch(request("whole.h5"), quiet, go);

    const SearchRunRequest stopped = request("stopped.h5");
    SearchControl control;
    StopAtMessage stopper(control, "OmniQuant: block 2 of 3, epoch 1 ");
    const SearchSummary first = runSearch(stopped, stopper, control);
    QVERIFY(first.stopped && first.stoppedInBaseMethod);
    QVERIFY(!QFile::exists(QString::fromStdString(stopped.experimentPath)));
    QVERIFY(ExperimentFile::hasUnpublished(stopped.experimentPath));
    {
        const ExperimentFile part = ExperimentFile::openUnpublished(stopped.experimentPath);
        QCOMPARE(part.omniquant().size(), std::size_t(1));
        const auto training = part.omniquantTraining();
        QVERIFY(training.has_value());
        QCOMPARE(training->block, std::int64_t(1));
        QCOMPARE(training->epoch, std::int64_t(1));
        QCOMPARE(training->sample, std::int64_t(1));
        QVERIFY(!part.base().has_value());
    }
    const std::string missing =
        test::errorOf([&] { ExperimentFile::open(stopped.experimentPath, false); });
    QVERIFY2(missing.find("does not exist yet: its run was stopped during OmniQuant's training") !=
                     std::string::npos &&
                 missing.find("continue it with invx search --resume " + stopped.experimentPath) !=
                     std::string::npos,
             missing.c_str());

    // A new run at that path would overwrite the progress: refused.
    Messages none;
    const std::string refused = test::errorOf([&] { runSearch(stopped, none, go); });
    QVERIFY2(refused.find("holds a run stopped during OmniQuant's training") != std::string::npos,
             refused.c_str());

    // Resumed and stopped again, in block 3: the file holds two blocks and the new place only.
    SearchRunRequest resume;
    resume.experimentPath = stopped.experimentPath;
    resume.resume = true;
    SearchControl control2;
    StopAtMessage stopper2(control2, "OmniQuant: block 3 of 3, epoch 2 ");
    QVERIFY(runSearch(resume, stopper2, control2).stoppedInBaseMethod);
    QVERIFY(std::find(stopper2.messages.begin(), stopper2.messages.end(),
                      "OmniQuant goes on from block 2 of 3, epoch 2") != stopper2.messages.end());
    {
        const ExperimentFile part = ExperimentFile::openUnpublished(stopped.experimentPath);
        QCOMPARE(part.omniquant().size(), std::size_t(2));
        QCOMPARE(part.omniquantTraining()->block, std::int64_t(2));
        QCOMPARE(part.omniquantTraining()->epoch, std::int64_t(2));
    }
    Messages resumed;
    SearchControl again;
    const SearchSummary second = runSearch(resume, resumed, again);
    QVERIFY(!second.stopped);
    QVERIFY(std::find(resumed.messages.begin(), resumed.messages.end(),
                      "OmniQuant goes on from block 3 of 3, epoch 3") != resumed.messages.end());
    QVERIFY(!ExperimentFile::hasUnpublished(stopped.experimentPath));
    QCOMPARE(second.base.ce0, whole.base.ce0);
    QCOMPARE(second.base.mse0, whole.base.mse0);
    const ExperimentFile a = ExperimentFile::open(whole.experimentPath, false);
    const ExperimentFile b = ExperimentFile::open(stopped.experimentPath, false);
    QVERIFY(!b.omniquantTraining().has_value());
    requireSameRecords(b.omniquant(), a.omniquant());
}

void TestOmniquant::commandLineTakesOmniquant() {
    if (QStringLiteral(INVX_CLI_PATH).isEmpty()) QSKIP("invx is not built");
    qputenv("INVX_DATA", QByteArray::fromStdString(test::dataDir()));  // for the processes below
    const test::CliRun help = test::invxRun({"quantize", "--help"});
    QCOMPARE(help.exitCode, 0);
    for (const char* option : {"rtn|awq|gptq|omniquant", "--epochs N", "(default: 20)",
                               "--let-lr R", "(default: 0.005)", "--lwc-lr R", "(default: 0.01)",
                               "--lwc on|off", "--let on|off", "--let-alpha A", "(default: 0.5)"})
        QVERIFY2(help.out.contains(QLatin1String(option)), option);
    const test::CliRun refused = test::invxRun(
        {"eval", "--model", "opt-demo", "--method", "rtn", "--bits", "2", "--epochs", "3"});
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(
        refused.err.contains("--epochs is a setting of --method omniquant, but the method is rtn"),
        qPrintable(refused.err));
    const test::CliRun bad = test::invxRun(
        {"eval", "--model", "opt-demo", "--method", "omniquant", "--bits", "2", "--lwc", "maybe"});
    QCOMPARE(bad.exitCode, 1);
    QVERIFY2(bad.err.contains("maybe") && bad.err.contains("on or off"), qPrintable(bad.err));

    // A run of one epoch on 2 x 64 tokens, with its progress on stderr and its settings in the
    // JSON.
    QProcess p;
    p.start(QStringLiteral(INVX_CLI_PATH), {"eval",      "--model",
                                            "opt-demo",  "--method",
                                            "omniquant", "--bits",
                                            "3",         "--group",
                                            "128",       "--epochs",
                                            "1",         "--calibration-samples",
                                            "2",         "--calibration-length",
                                            "64",        "--eval-windows",
                                            "1",         "--let-lr",
                                            "0.001",     "--json"});
    QVERIFY(p.waitForFinished(120000));
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(p.exitCode() == 0, qPrintable(err));
    QVERIFY2(err.contains("OmniQuant: block 3 of 3, epoch 1 of 1, loss "), qPrintable(err));
    QVERIFY2(out.contains("\"method\":\"omniquant\""), qPrintable(out));
    QVERIFY2(out.contains("\"let_lr\":0.001"), qPrintable(out));
}

void TestOmniquant::commandLineStopsAndResumesTheTraining() {
    // invx quantize stopped by SIGTERM (as Ctrl-C) in OmniQuant's second block: it says how to go
    // on, leaves FILE.part and no FILE; invx search --resume FILE ends with the records of a run
    // never stopped.
    if (QStringLiteral(INVX_CLI_PATH).isEmpty()) QSKIP("invx is not built");
    qputenv("INVX_DATA", QByteArray::fromStdString(test::dataDir()));
    QTemporaryDir dir;
    const QStringList settings = {"--model",
                                  "opt-demo",
                                  "--method",
                                  "omniquant",
                                  "--bits",
                                  "2",
                                  "--group",
                                  "128",
                                  "--epochs",
                                  "6",
                                  "--base-calibration-samples",
                                  "8",
                                  "--calibration-length",
                                  "128",
                                  "--eval-windows",
                                  "1"};
    const QString stopped = dir.filePath("stopped.h5"), whole = dir.filePath("whole.h5");
    QProcess p;
    p.start(QStringLiteral(INVX_CLI_PATH), QStringList{"quantize", "--out", stopped} + settings);
    QString err;
    while (!err.contains("block 2 of 3, epoch 1 of 6") && p.state() != QProcess::NotRunning) {
        p.waitForReadyRead(1000);
        err += QString::fromUtf8(p.readAllStandardError());
    }
    p.terminate();
    QVERIFY(p.waitForFinished(120000));
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    QVERIFY2(p.exitCode() == 0, qPrintable(err + p.readAllStandardError()));
    QVERIFY2(out.contains("Stopped during OmniQuant's training; continue with: invx search "
                          "--resume " +
                          stopped),
             qPrintable(out));
    QVERIFY(!QFile::exists(stopped));
    QVERIFY(QFile::exists(stopped + ".part"));

    const test::CliRun resumed = test::invxRun({"search", "--resume", stopped, "--quiet"});
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
    QVERIFY(QFile::exists(stopped) && !QFile::exists(stopped + ".part"));
    const test::CliRun unstopped =
        test::invxRun(QStringList{"quantize", "--out", whole, "--quiet"} + settings);
    QVERIFY2(unstopped.exitCode == 0, qPrintable(unstopped.err));
    const auto a = ExperimentFile::open(stopped.toStdString(), false).omniquant();
    const auto b = ExperimentFile::open(whole.toStdString(), false).omniquant();
    QCOMPARE(a.size(), std::size_t(3));
    requireSameRecords(a, b);
}

void TestOmniquant::shortRunOnTheDemoModelBeatsRtn() {
    const BpeTokenizer tokenizer = BpeTokenizer::fromDirectory(kDemoModel);
    const OptModel fp = OptModel::load(kDemoModel, ModelPlacement{});
    test::dataDir();  // fails the test when the data is missing
    const int samples = 8, length = 256;
    const auto blocks = buildCalibrationBlocks(readCorpusDocuments("wikipedia"), tokenizer, samples,
                                               length, 42, "wikipedia");
    const at::Tensor ids =
        at::tensor(std::vector<std::int64_t>(blocks.begin(), blocks.end())).view({samples, length});
    const QuantConfig q = quantOf(2, 128);
    OmniquantOptions options;
    options.epochs = 4;
    std::vector<std::vector<double>> losses(fp.layers().size());
    OmniquantTrainingHooks hooks;
    hooks.progress = [&](int block, int, int epoch, int, double loss) {
        losses[std::size_t(block)].push_back(loss);
        qInfo("block %d epoch %d loss %.6g", block, epoch, loss);
    };
    const auto result = trainOmniquant(fp, ids, q, options, hooks);
    for (std::size_t l = 0; l < result.size(); ++l) {
        QVERIFY(result[l].epochLoss == losses[l]);
        QVERIFY2(result[l].epochLoss.back() < result[l].epochLoss.front(),
                 qPrintable(QString("block %1: epoch 1 %2, last %3")
                                .arg(l)
                                .arg(result[l].epochLoss.front())
                                .arg(result[l].epochLoss.back())));
    }

    c10::InferenceMode guard;
    OptModel omniquant = fp;
    omniquant.roundToFloat16();
    applyOmniquant(omniquant, result, q);
    quantizeRtn(omniquant, q);
    OptModel rtn = fp;
    quantizeRtn(rtn, q);
    const auto evalIds = evaluationTokenIds("wikitext2", tokenizer);
    PerplexityOptions windows;
    windows.maxWindows = 4;
    const double pplOmniquant = evaluatePerplexity(omniquant, evalIds, windows).ppl;
    const double pplRtn = evaluatePerplexity(rtn, evalIds, windows).ppl;
    qInfo(
        "WikiText-2, first 4 windows, 2-bit group 128: RTN %.2f, OmniQuant (%d epochs, %d x %d "
        "tokens) %.2f",
        pplRtn, options.epochs, samples, length, pplOmniquant);
    QVERIFY2(pplOmniquant < pplRtn,
             qPrintable(QString("OmniQuant %1, RTN %2").arg(pplOmniquant).arg(pplRtn)));
}

QTEST_GUILESS_MAIN(TestOmniquant)
#include "tst_omniquant.moc"
