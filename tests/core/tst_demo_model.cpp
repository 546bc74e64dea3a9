// The bundled demo model (resources/models/opt-demo) against what transformers computes for it:
// the golden logits of tools/make_golden_logits.py, and the token count of WikiText-2 raw test
// that transformers' tokenizer gives with the model's own tokenizer files.
#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <QtTest>

#include "invx/bpe-tokenizer.h"
#include "invx/perplexity-text.h"
#include "invx/text-file.h"
#include "io/safetensors-file.h"
#include "model/opt-model.h"
#include "search/search-engine.h"
#include "test-support.h"

using namespace invx;

namespace {
const std::string kModel = std::string(INVX_SOURCE_DIR) + "/resources/models/opt-demo";
const std::string kGolden =
    std::string(INVX_SOURCE_DIR) + "/tests/fixtures/opt-demo-golden.safetensors";
}  // namespace

class TestDemoModel : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void hasTheDocumentedShape();
    void reproducesTransformersLogits();
    void tokenizesLikeTransformers();
    void searchModesAgreeOnRealWeights();
};

void TestDemoModel::hasTheDocumentedShape() {
    OptConfig c = OptConfig::fromFile(kModel + "/config.json");
    QCOMPARE(c.parameterCount(), std::int64_t(9257088));
    QVERIFY(c.doLayerNormBefore);
    QVERIFY(c.tieWordEmbeddings);
    QCOMPARE(c.maxPositions, std::int64_t(2048));
    QCOMPARE(c.hiddenSize % 128, std::int64_t(0));
    QCOMPARE(c.ffnDim, 4 * c.hiddenSize);
    SafetensorsFile weights(kModel + "/model.safetensors");
    for (const auto& t : weights.header().tensors) QCOMPARE(t.dtype, DType::F16);
}

void TestDemoModel::reproducesTransformersLogits() {
    c10::InferenceMode guard;
    SafetensorsFile golden(kGolden);
    at::Tensor ids = golden.load("ids");
    at::Tensor expected = golden.load("logits");
    OptModel model = OptModel::load(kModel, ModelPlacement{});
    at::Tensor logits = model.forward(ids);
    const double diff = (logits - expected).abs().max().item<double>();
    qInfo("max |logit difference| vs transformers: %g", diff);
    QVERIFY2(diff < 1e-4, qPrintable(QStringLiteral("max |logit difference| %1").arg(diff)));
    QVERIFY(expected.abs().max().item<double>() > 1.0);  // the fixture is not trivially small
}

void TestDemoModel::tokenizesLikeTransformers() {
    const auto tokenizer = BpeTokenizer::fromDirectory(kModel);
    SafetensorsFile golden(kGolden);
    at::Tensor ids = golden.load("ids")[0];
    const std::string sentence = golden.header().metadata.at("sentence");
    auto ours = tokenizer.encode(sentence, /*addSpecial=*/true);
    QCOMPARE(std::int64_t(ours.size()), ids.size(0));
    for (std::size_t i = 0; i < ours.size(); ++i)
        QCOMPARE(std::int64_t(ours[i]), ids[std::int64_t(i)].item<std::int64_t>());
    QCOMPARE(ours.front(), 2);  // OPT's BOS, </s>

    // 342,310 tokens with BOS: tools/eval_hf_perplexity.py (transformers) on the same text.
    const std::string text = joinRowsForPerplexity(
        readWholeFile(test::dataDir() + "/wikitext-2-raw/wiki.test.raw", "test data"));
    QCOMPARE(tokenizer.encode(text, true).size(), std::size_t(342310));
}

void TestDemoModel::searchModesAgreeOnRealWeights() {
    // The demo model at its defaults (2-bit, group 128): a short calibration batch of its own text.
    const auto tokenizer = BpeTokenizer::fromDirectory(kModel);
    std::vector<std::int32_t> ids =
        tokenizer.encode(joinRowsForPerplexity(readWholeFile(
                             test::dataDir() + "/wikitext-2-raw/wiki.test.raw", "test text")),
                         true);
    const at::Tensor calibration =
        at::tensor(std::vector<std::int64_t>(ids.begin(), ids.begin() + 2 * 96)).view({2, 96});
    const OptModel model = OptModel::load(kModel, {});
    SearchSettings s;
    s.calibrationSamples = 2;
    s.calibrationLength = 96;
    SearchEngine fast(model, s, calibration);
    s.mode = "reference";
    SearchEngine reference(model, s, calibration);
    QVERIFY(fast.base().ce0 > fast.base().fullPrecisionCe);  // 2 bits hurt
    int accepted = 0;
    for (int i = 0; i < 12; ++i) {
        const StepRecord a = fast.step(), b = reference.step();
        QCOMPARE(a.loss, b.loss);
        QCOMPARE(a.accepted, b.accepted);
        accepted += a.accepted;
    }
    QVERIFY(accepted > 0);
    QVERIFY(fast.state() == reference.state());
}

QTEST_APPLESS_MAIN(TestDemoModel)
#include "tst_demo_model.moc"
