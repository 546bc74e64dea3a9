// The OPT decoder: permutation invariance of the FFN, causality, the post-LN / projection variant,
// config parsing, shape checks against config.json, and model ids in the Hugging Face cache.
#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <QtTest>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>

#include "invx/error.h"
#include "invx/model-locator.h"
#include "model/causal-attention.h"
#include "model/opt-model.h"
#include "quant/rtn-quantizer.h"
#include "test-support.h"

using namespace invx;
namespace fs = std::filesystem;

namespace {

OptModel tinyModel(bool postLN = false, std::int64_t projDim = 0, std::uint64_t seed = 7) {
    OptConfig c = test::tinyConfig(postLN, projDim);
    return OptModel::fromTensors(c, test::randomWeights(c, seed), ModelPlacement{}, "test");
}

at::Tensor someIds(std::int64_t batch, std::int64_t seq, std::int64_t vocab) {
    at::manual_seed(11);
    return at::randint(vocab, {batch, seq}, at::kLong);
}

double maxDiff(const at::Tensor& a, const at::Tensor& b) {
    return (a - b).abs().max().item<double>();
}

}  // namespace

class TestOptModel : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void permutingTheFfnLeavesLogitsUnchanged_data();
    void permutingTheFfnLeavesLogitsUnchanged();
    void isCausal();
    void capturesChosenLayers();
    void forwardMatchesThePlainFormula_data();
    void forwardMatchesThePlainFormula();
    void blockedAttentionMatchesThePlainFormulaOn2048Tokens();
    void postLayerNormWithProjectionsRuns();
    void rtnQuantizesOnlyDecoderLinears();
    void loadsFromDirectoryWithWarnings();
    void refusesWeightsThatDoNotFitTheConfig_data();
    void refusesWeightsThatDoNotFitTheConfig();
    void refusesBadConfigs_data();
    void refusesBadConfigs();
    void readsOpt350mStyleConfig();
    void resolvesModelIdsInTheHuggingFaceCache();
};

void TestOptModel::permutingTheFfnLeavesLogitsUnchanged_data() {
    QTest::addColumn<bool>("postLN");
    QTest::newRow("pre-LN") << false;
    QTest::newRow("post-LN") << true;
}

void TestOptModel::permutingTheFfnLeavesLogitsUnchanged() {
    QFETCH(bool, postLN);
    c10::InferenceMode guard;
    OptModel model = tinyModel(postLN);
    at::Tensor ids = someIds(2, 20, model.config().vocabSize);
    at::Tensor before = model.forward(ids);
    at::manual_seed(5);
    for (auto& layer : model.layers()) {
        at::Tensor perm = at::randperm(model.config().ffnDim, at::kLong);
        layer.fc1.weight = layer.fc1.weight.index_select(0, perm);
        layer.fc1.bias = layer.fc1.bias.index_select(0, perm);
        layer.fc2.weight = layer.fc2.weight.index_select(1, perm);
    }
    at::Tensor after = model.forward(ids);
    QVERIFY2(maxDiff(before, after) < 1e-5, qPrintable(QString::number(maxDiff(before, after))));
    // And the permutation was real: fc1 changed.
    OptModel original = tinyModel(postLN);
    QVERIFY(!at::equal(original.layers()[0].fc1.weight, model.layers()[0].fc1.weight));
}

void TestOptModel::isCausal() {
    c10::InferenceMode guard;
    OptModel model = tinyModel();
    at::Tensor ids = someIds(1, 16, model.config().vocabSize);
    at::Tensor changed = ids.clone();
    changed[0][12] = (changed[0][12].item<std::int64_t>() + 1) % model.config().vocabSize;
    at::Tensor a = model.forward(ids), b = model.forward(changed);
    QVERIFY(maxDiff(a.narrow(1, 0, 12), b.narrow(1, 0, 12)) < 1e-6);
    QVERIFY(maxDiff(a.narrow(1, 12, 4), b.narrow(1, 12, 4)) > 1e-3);
}

void TestOptModel::capturesChosenLayers() {
    c10::InferenceMode guard;
    OptModel model = tinyModel();
    at::Tensor ids = someIds(1, 8, model.config().vocabSize);
    std::vector<at::Tensor> captured;
    at::Tensor logits = model.forward(ids, {2, 0}, &captured);
    QCOMPARE(captured.size(), std::size_t(2));
    at::Tensor h0 = model.forwardLayer(0, model.embed(ids));
    QVERIFY(maxDiff(captured[1], h0) < 1e-6);
    at::Tensor h2 = model.forwardLayer(2, model.forwardLayer(1, h0));
    QVERIFY(maxDiff(captured[0], h2) < 1e-6);
    QVERIFY(maxDiff(model.head(h2), logits) < 1e-6);
    INVX_VERIFY_MESSAGE(test::errorOf([&] { model.forward(ids, {3}, &captured); }), "layer 3");
}

void TestOptModel::forwardMatchesThePlainFormula_data() {
    QTest::addColumn<bool>("postLN");
    QTest::addColumn<int>("projDim");
    QTest::newRow("pre-LN (OPT-125m..)") << false << 0;
    QTest::newRow("post-LN with projections (OPT-350m)") << true << 16;
}

void TestOptModel::forwardMatchesThePlainFormula() {
    QFETCH(bool, postLN);
    QFETCH(int, projDim);
    c10::InferenceMode guard;
    const OptConfig c = test::tinyConfig(postLN, projDim);
    const NamedTensors weights = test::randomWeights(c, 7);
    OptModel model = OptModel::fromTensors(c, weights, ModelPlacement{}, "test");
    const at::Tensor ids = someIds(2, 40, c.vocabSize);
    const at::Tensor logits = model.forward(ids);
    const at::Tensor expected = test::referenceForward(c, weights, ids);
    QCOMPARE(logits.sizes().vec(), expected.sizes().vec());
    const double scale = expected.abs().max().item<double>();
    QVERIFY2(maxDiff(logits.to(at::kDouble), expected) < 1e-5 * std::max(scale, 1.0),
             qPrintable(QString("%1 (logits up to %2)")
                            .arg(maxDiff(logits.to(at::kDouble), expected))
                            .arg(scale)));
}

void TestOptModel::blockedAttentionMatchesThePlainFormulaOn2048Tokens() {
    // Every 2048-token perplexity window goes through the query blocks of 128 on libtorch 1.13
    // (the fused kernel on 2): 16 full blocks, and 2047 tokens for a partial last one.
    c10::InferenceMode guard;
    for (std::int64_t seq : {std::int64_t(2048), std::int64_t(2047)}) {
        at::manual_seed(3);
        const at::Tensor q = at::randn({1, 2, seq, 16}), k = at::randn({1, 2, seq, 16}),
                         v = at::randn({1, 2, seq, 16});
        const at::Tensor out = causalAttention(q, k, v);
        const at::Tensor mask =
            at::full({seq, seq}, -std::numeric_limits<double>::infinity(), at::kDouble).triu(1);
        const at::Tensor scores =
            at::matmul(q.to(at::kDouble), k.to(at::kDouble).transpose(-1, -2)) / 4.0 + mask;
        const at::Tensor expected = at::matmul(at::softmax(scores, -1), v.to(at::kDouble));
        QCOMPARE(out.sizes().vec(), expected.sizes().vec());
        const double diff = maxDiff(out.to(at::kDouble), expected);
        QVERIFY2(diff < 1e-5, qPrintable(QString("%1 tokens: %2").arg(seq).arg(diff)));
        // The first and last rows: the first query sees only itself, the last sees every key.
        QVERIFY(maxDiff(out[0][1][0].to(at::kDouble), v[0][1][0].to(at::kDouble)) < 1e-6);
    }
}

void TestOptModel::postLayerNormWithProjectionsRuns() {
    c10::InferenceMode guard;
    OptModel model = tinyModel(/*postLN=*/true, /*projDim=*/16);
    QVERIFY(!model.config().hasFinalLayerNorm());
    at::Tensor logits = model.forward(someIds(1, 10, model.config().vocabSize));
    QCOMPARE(logits.sizes().vec(), (std::vector<std::int64_t>{1, 10, 96}));
    // The state dict names project_in/out and no decoder final_layer_norm, as transformers does.
    bool projIn = false, finalNorm = false;
    for (const auto& [name, t] : model.stateDict()) {
        projIn |= name == "model.decoder.project_in.weight";
        finalNorm |= name == "model.decoder.final_layer_norm.weight";
    }
    QVERIFY(projIn);
    QVERIFY(!finalNorm);
    INVX_VERIFY_MESSAGE(test::errorOf([&] { model.forward(someIds(1, 65, 96)); }),
                        "at most max_position_embeddings=64 tokens", "got 65");
    INVX_VERIFY_MESSAGE(test::errorOf([&] {
                            model.forward(at::full({1, 3}, 96, at::kLong));
                        }),
                        "token ids in [0, 96)");
}

void TestOptModel::rtnQuantizesOnlyDecoderLinears() {
    OptModel model = tinyModel();
    OptModel original = tinyModel();
    quantizeRtn(model, QuantConfig{2, 32});
    for (std::size_t l = 0; l < model.layers().size(); ++l) {
        auto q = decoderLinears(model.layers()[l]);
        auto o = decoderLinears(original.layers()[l]);
        for (std::size_t i = 0; i < q.size(); ++i) {
            QVERIFY(!at::equal(q[i].second->weight, o[i].second->weight));
            QVERIFY(at::equal(q[i].second->bias, o[i].second->bias));
            // 2 bits: at most 4 levels in a group of 32.
            QVERIFY(std::get<0>(at::_unique(q[i].second->weight[0].narrow(0, 0, 32))).numel() <= 4);
        }
        QVERIFY(at::equal(model.layers()[l].attnNorm.weight, original.layers()[l].attnNorm.weight));
    }
    auto sq = model.stateDict(), so = original.stateDict();
    QCOMPARE(sq[0].first, std::string("model.decoder.embed_tokens.weight"));
    QVERIFY(at::equal(sq[0].second, so[0].second));
    INVX_VERIFY_MESSAGE(
        test::errorOf([&] {
            quantizeRtn(model, QuantConfig{2, 48});
        }),
        "group size 48 does not divide the input width 32 of layers.0.self_attn.q_proj");
}

void TestOptModel::loadsFromDirectoryWithWarnings() {
    QTemporaryDir dir;
    OptConfig c = test::tinyConfig();
    auto weights = test::randomWeights(c, 3);
    weights.emplace_back("model.decoder.extra.weight", at::zeros({2}));
    // Stored as float16: loaded and converted to the requested float32.
    for (auto& [name, t] : weights) t = t.to(at::kHalf);
    test::writeModel(dir.path().toStdString(), c, weights);
    std::vector<std::string> warnings;
    OptModel model = OptModel::load(dir.path().toStdString(), ModelPlacement{}, &warnings);
    QCOMPARE(warnings.size(), std::size_t(1));
    INVX_VERIFY_MESSAGE(warnings[0], "model.decoder.extra.weight", "ignored");
    QCOMPARE(model.layers()[1].fc1.weight.scalar_type(), at::kFloat);
    for (const auto& [name, t] : weights)
        if (name == "model.decoder.layers.1.fc1.weight")
            QVERIFY(at::equal(model.layers()[1].fc1.weight, t.to(at::kFloat)));
}

void TestOptModel::refusesWeightsThatDoNotFitTheConfig_data() {
    QTest::addColumn<QString>("tensor");
    QTest::addColumn<bool>("remove");
    QTest::addColumn<QString>("expected");
    QTest::newRow("fc1 too narrow")
        << "model.decoder.layers.1.fc1.weight" << false
        << "tensor 'model.decoder.layers.1.fc1.weight' has shape [64, 32], but config.json "
           "(hidden_size=32, ffn_dim=128) implies [128, 32]";
    QTest::newRow("positions missing") << "model.decoder.embed_positions.weight" << true
                                       << "has no tensor 'decoder.embed_positions.weight'";
    QTest::newRow("a bias missing") << "model.decoder.layers.2.self_attn.v_proj.bias" << true
                                    << "has no tensor 'decoder.layers.2.self_attn.v_proj.bias'";
}

void TestOptModel::refusesWeightsThatDoNotFitTheConfig() {
    QFETCH(QString, tensor);
    QFETCH(bool, remove);
    QFETCH(QString, expected);
    OptConfig c = test::tinyConfig();
    NamedTensors weights;
    for (auto& [name, t] : test::randomWeights(c, 1)) {
        if (name != tensor.toStdString())
            weights.emplace_back(name, t);
        else if (!remove)
            weights.emplace_back(name, t.narrow(0, 0, t.size(0) / 2));
    }
    QTemporaryDir dir;
    test::writeModel(dir.path().toStdString(), c, weights);
    const std::string message =
        test::errorOf([&] { OptModel::load(dir.path().toStdString(), {}); });
    INVX_VERIFY_MESSAGE(message, expected.toUtf8().constData(), "model.safetensors");
}

void TestOptModel::refusesBadConfigs_data() {
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("expected");
    const QString base =
        R"("vocab_size": 96, "hidden_size": 32, "num_hidden_layers": 2, "ffn_dim": 64, "num_attention_heads": 4, "max_position_embeddings": 64)";
    QTest::newRow("llama") << R"({"model_type": "llama", "architectures": ["LlamaForCausalLM"]})"
                           << "unsupported architecture 'llama / \"LlamaForCausalLM\"'";
    QTest::newRow("no model_type") << "{" + base + "}"
                                   << "unsupported architecture '(no model_type)'";
    QTest::newRow("missing key") << R"({"model_type": "opt", "vocab_size": 96})"
                                 << "has no \"hidden_size\"";
    QTest::newRow("wrong type") << R"({"model_type": "opt", )" + base.left(base.size()) +
                                       R"(, "do_layer_norm_before": "yes"})"
                                << "\"do_layer_norm_before\" has the wrong type";
    QTest::newRow("fractional size")
        << R"({"model_type": "opt", "vocab_size": 96, "hidden_size": 768.5, "num_hidden_layers": 2, "ffn_dim": 64, "num_attention_heads": 4, "max_position_embeddings": 64})"
        << "\"hidden_size\" is 768.5, not a whole number";
    QTest::newRow("size as text")
        << R"({"model_type": "opt", "vocab_size": "96", "hidden_size": 32, "num_hidden_layers": 2, "ffn_dim": 64, "num_attention_heads": 4, "max_position_embeddings": 64})"
        << "\"vocab_size\" is \"96\", not a whole number";
    QTest::newRow("gelu") << R"({"model_type": "opt", )" + base +
                                 R"(, "activation_function": "gelu"})"
                          << "uses activation 'gelu'";
    QTest::newRow("heads")
        << R"({"model_type": "opt", "vocab_size": 96, "hidden_size": 30, "num_hidden_layers": 2, "ffn_dim": 64, "num_attention_heads": 4, "max_position_embeddings": 64})"
        << "hidden_size 30 is not divisible by num_attention_heads 4";
    QTest::newRow("not json") << "{\"model_type\": "
                              << "is not valid JSON";
}

void TestOptModel::refusesBadConfigs() {
    QFETCH(QString, json);
    QFETCH(QString, expected);
    const std::string message =
        test::errorOf([&] { OptConfig::fromJson(json.toStdString(), "/m/config.json"); });
    INVX_VERIFY_MESSAGE(message, expected.toUtf8().constData(), "/m/config.json");
}

void TestOptModel::readsOpt350mStyleConfig() {
    // The keys of facebook/opt-350m's config.json that shape the model.
    OptConfig c = OptConfig::fromJson(R"({"model_type": "opt", "activation_function": "relu",
        "vocab_size": 50272, "hidden_size": 1024, "num_hidden_layers": 24, "ffn_dim": 4096,
        "num_attention_heads": 16, "max_position_embeddings": 2048, "do_layer_norm_before": false,
        "word_embed_proj_dim": 512, "torch_dtype": "float16", "_remove_final_layer_norm": false})",
                                      "opt-350m");
    QVERIFY(!c.doLayerNormBefore);
    QVERIFY(c.hasProjections());
    QVERIFY(!c.hasFinalLayerNorm());
    QCOMPARE(c.headDim(), std::int64_t(64));
    // 331,196,416 parameters, as transformers counts opt-350m.
    QCOMPARE(c.parameterCount(), std::int64_t(331196416));
    OptConfig again = OptConfig::fromJson(c.toJson(), "round trip");
    QCOMPARE(again.wordEmbedProjDim, std::int64_t(512));
    QCOMPARE(again.doLayerNormBefore, false);
}

void TestOptModel::resolvesModelIdsInTheHuggingFaceCache() {
    QTemporaryDir cache;
    const fs::path root(cache.path().toStdString());
    qputenv("HF_HUB_CACHE", cache.path().toUtf8());
    const fs::path snapshot = root / "models--facebook--opt-125m" / "snapshots" / "abc123";
    fs::create_directories(snapshot);
    fs::create_directories(root / "models--facebook--opt-125m" / "refs");
    std::ofstream(snapshot / "config.json") << "{}";
    std::ofstream(root / "models--facebook--opt-125m" / "refs" / "main") << "abc123";
    QCOMPARE(resolveModelDirectory("facebook/opt-125m"), snapshot.string());
    QCOMPARE(huggingFaceHubCache(), root.string());

    INVX_VERIFY_MESSAGE(test::errorOf([] { resolveModelDirectory("facebook/opt-1.3b"); }),
                        "'facebook/opt-1.3b' is not in the Hugging Face cache",
                        "models--facebook--opt-1.3b", "hf download facebook/opt-1.3b");
    std::ofstream(root / "models--facebook--opt-125m" / "refs" / "main", std::ios::trunc) << "gone";
    INVX_VERIFY_MESSAGE(test::errorOf([] { resolveModelDirectory("facebook/opt-125m"); }),
                        "no usable snapshot");
    INVX_VERIFY_MESSAGE(test::errorOf([] { resolveModelDirectory("./no/such/dir/x"); }),
                        "neither a directory nor a Hugging Face model id");
    qunsetenv("HF_HUB_CACHE");
    qputenv("HF_HOME", "/tmp/hf-home");
    QCOMPARE(huggingFaceHubCache(), std::string("/tmp/hf-home/hub"));
    qunsetenv("HF_HOME");
}

QTEST_APPLESS_MAIN(TestOptModel)
#include "tst_opt_model.moc"
