#include "test-support.h"

#include <ATen/ATen.h>
#include <hdf5.h>

#include <QProcess>
#include <QtTest>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>

#include "invx/error.h"
#include "invx/random-generator.h"
#include "invx/setting-problem.h"
#include "io/safetensors-file.h"

namespace invx::test {

std::string dataDir() {
    const char* env = std::getenv("INVX_DATA");
    std::string dir = env && *env ? env : INVX_DEFAULT_DATA_DIR;
    if (!std::filesystem::is_directory(dir))
        qFatal("test data directory '%s' is missing; set INVX_DATA", dir.c_str());
    return dir;
}

OptConfig tinyConfig(bool postLN, std::int64_t projDim) {
    OptConfig c;
    c.vocabSize = 96;
    c.hiddenSize = 32;
    c.numLayers = 3;
    c.ffnDim = 128;
    c.numHeads = 4;
    c.maxPositions = 64;
    c.wordEmbedProjDim = projDim > 0 ? projDim : c.hiddenSize;
    c.doLayerNormBefore = !postLN;
    c.torchDtype = "float32";
    return c;
}

at::Tensor referenceForward(const OptConfig& c, const NamedTensors& weights,
                            const at::Tensor& ids) {
    std::map<std::string, at::Tensor> w;
    for (const auto& [name, t] : weights) w[name] = t.to(at::kDouble);
    auto has = [&](const std::string& n) { return w.count(n) > 0; };
    auto linear = [&](const at::Tensor& x, const std::string& p) {
        at::Tensor y = at::matmul(x, w.at(p + ".weight").t());
        return has(p + ".bias") ? y + w.at(p + ".bias") : y;
    };
    auto norm = [&](const at::Tensor& x, const std::string& p) {
        return at::layer_norm(x, {x.size(-1)}, w.at(p + ".weight"), w.at(p + ".bias"), 1e-5);
    };
    const std::int64_t batch = ids.size(0), seq = ids.size(1), heads = c.numHeads,
                       dim = c.hiddenSize / heads;
    at::Tensor h = w.at("model.decoder.embed_tokens.weight")
                       .index_select(0, ids.flatten())
                       .view({batch, seq, -1});
    if (has("model.decoder.project_in.weight")) h = linear(h, "model.decoder.project_in");
    h = h + w.at("model.decoder.embed_positions.weight").narrow(0, 2, seq);  // OPT's offset of 2
    const at::Tensor mask =
        at::full({seq, seq}, -std::numeric_limits<double>::infinity(), at::kDouble).triu(1);
    for (std::int64_t l = 0; l < c.numLayers; ++l) {
        const std::string p = "model.decoder.layers." + std::to_string(l) + ".";
        at::Tensor x = c.doLayerNormBefore ? norm(h, p + "self_attn_layer_norm") : h;
        auto split = [&](const at::Tensor& t) {
            return t.view({batch, seq, heads, dim}).transpose(1, 2);
        };
        const at::Tensor q =
            split(linear(x, p + "self_attn.q_proj") * (1.0 / std::sqrt(double(dim))));
        const at::Tensor k = split(linear(x, p + "self_attn.k_proj")),
                         v = split(linear(x, p + "self_attn.v_proj"));
        const at::Tensor attention = at::softmax(at::matmul(q, k.transpose(-1, -2)) + mask, -1);
        x = linear(at::matmul(attention, v).transpose(1, 2).reshape({batch, seq, -1}),
                   p + "self_attn.out_proj");
        h = h + x;
        if (!c.doLayerNormBefore) h = norm(h, p + "self_attn_layer_norm");
        x = c.doLayerNormBefore ? norm(h, p + "final_layer_norm") : h;
        h = h + linear(at::relu(linear(x, p + "fc1")), p + "fc2");
        if (!c.doLayerNormBefore) h = norm(h, p + "final_layer_norm");
    }
    if (has("model.decoder.final_layer_norm.weight")) h = norm(h, "model.decoder.final_layer_norm");
    if (has("model.decoder.project_out.weight")) h = linear(h, "model.decoder.project_out");
    return at::matmul(h, (has("lm_head.weight") ? w.at("lm_head.weight")
                                                : w.at("model.decoder.embed_tokens.weight"))
                             .t());
}

NamedTensors randomWeights(const OptConfig& config, std::uint64_t seed) {
    at::manual_seed(seed);
    NamedTensors w;
    const std::int64_t h = config.hiddenSize, f = config.ffnDim, e = config.wordEmbedProjDim;
    auto normal = [](std::vector<std::int64_t> s, double std) { return at::randn(s) * std; };
    const std::string d = "model.decoder.";
    w.emplace_back(d + "embed_tokens.weight", normal({config.vocabSize, e}, 0.5));
    w.emplace_back(d + "embed_positions.weight", normal({config.maxPositions + 2, h}, 0.2));
    if (config.hasProjections()) {
        w.emplace_back(d + "project_in.weight", normal({h, e}, 0.2));
        w.emplace_back(d + "project_out.weight", normal({e, h}, 0.2));
    }
    if (config.hasFinalLayerNorm()) {
        w.emplace_back(d + "final_layer_norm.weight", 1.0 + normal({h}, 0.1));
        w.emplace_back(d + "final_layer_norm.bias", normal({h}, 0.1));
    }
    for (std::int64_t l = 0; l < config.numLayers; ++l) {
        const std::string p = d + "layers." + std::to_string(l) + ".";
        for (const char* name :
             {"self_attn.k_proj", "self_attn.v_proj", "self_attn.q_proj", "self_attn.out_proj"}) {
            w.emplace_back(p + name + ".weight", normal({h, h}, 0.2));
            w.emplace_back(p + name + ".bias", normal({h}, 0.05));
        }
        w.emplace_back(p + "self_attn_layer_norm.weight", 1.0 + normal({h}, 0.1));
        w.emplace_back(p + "self_attn_layer_norm.bias", normal({h}, 0.1));
        w.emplace_back(p + "fc1.weight", normal({f, h}, 0.2));
        w.emplace_back(p + "fc1.bias", normal({f}, 0.05));
        w.emplace_back(p + "fc2.weight", normal({h, f}, 0.1));
        w.emplace_back(p + "fc2.bias", normal({h}, 0.05));
        w.emplace_back(p + "final_layer_norm.weight", 1.0 + normal({h}, 0.1));
        w.emplace_back(p + "final_layer_norm.bias", normal({h}, 0.1));
    }
    return w;
}

void writeModel(const std::string& dir, const OptConfig& config, const NamedTensors& weights) {
    std::filesystem::create_directories(dir);
    std::ofstream(std::filesystem::path(dir) / "config.json") << config.toJson();
    writeSafetensors((std::filesystem::path(dir) / "model.safetensors").string(), weights);
}

std::string errorOf(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const invx::Error& e) {
        return e.what();
    }
    QTest::qFail("expected an invx::Error, but nothing was thrown", __FILE__, __LINE__);
    return {};
}

ModelIdentity identity() {
    ModelIdentity m;
    m.path = "/models/tiny";
    m.configJson = R"({"hidden_size": 8})";
    m.fingerprint = "0123456789abcdef";
    m.parameters = 1234;
    m.layers = 2;
    m.hidden = 8;
    m.ffn = 6;
    m.device = "cpu";
    m.dtype = "float32";
    return m;
}

CalibrationBatch calibration() {
    CalibrationBatch c;
    c.corpus = "wikipedia";
    c.samples = 2;
    c.length = 3;
    c.ids = {2, 10, 11, 2, 12, 13};
    return c;
}

SearchCheckpoint checkpointAt(std::int64_t step) {
    SearchCheckpoint c;
    c.step = step;
    c.acceptedSteps = step / 2;
    c.bestLoss = 1.1 - 0.001 * double(step);
    c.elapsedSeconds = 0.5 * double(step);
    c.rng = RandomGenerator(std::uint64_t(step)).state();
    c.recentAccepted = {1, 0, 1};
    for (int l = 0; l < 2; ++l) {
        LayerInvariance s = LayerInvariance::identity(6);
        std::swap(s.permutation[0], s.permutation[std::size_t(1 + l)]);
        s.scales[3] = 1.25f + float(step);
        s.angles[1] = -1e-5f * float(l + 1);
        c.layers.push_back(s);
    }
    return c;
}

void overwriteRow(const std::string& path, const char* table, std::uint64_t row,
                  std::int64_t value) {
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const hid_t ds = H5Dopen2(file, table, H5P_DEFAULT);
    const hid_t space = H5Dget_space(ds);
    const hsize_t one = 1, at = row;
    H5Sselect_hyperslab(space, H5S_SELECT_SET, &at, nullptr, &one, nullptr);
    const hid_t mem = H5Screate_simple(1, &one, nullptr);
    const herr_t written = H5Dwrite(ds, H5T_NATIVE_INT64, mem, space, H5P_DEFAULT, &value);
    H5Sclose(mem), H5Sclose(space), H5Dclose(ds), H5Fclose(file);
    if (written < 0)
        QTest::qFail(("cannot overwrite a row of " + std::string(table)).c_str(), __FILE__,
                     __LINE__);
}

std::string fileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

std::string settingErrorOf(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const invx::SettingError& e) {
        return e.key() + ": " + e.what();
    } catch (const std::exception& e) {
        QTest::qFail(
            qPrintable(QStringLiteral("expected a SettingError, but got: %1").arg(e.what())),
            __FILE__, __LINE__);
        return {};
    }
    QTest::qFail("expected a SettingError, but nothing was thrown", __FILE__, __LINE__);
    return {};
}

namespace {

// GPT-2's byte-to-symbol map, written out so that the tokenizer files are byte-level.
std::string byteSymbol(int b) {
    int cp = b;
    if (!((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255))) {
        int n = 0;
        for (int x = 0; x < b; ++x)
            n += !((x >= 33 && x <= 126) || (x >= 161 && x <= 172) || (x >= 174 && x <= 255));
        cp = 256 + n;
    }
    std::string s;
    if (cp < 0x80)
        s += char(cp);
    else
        s += char(0xC0 | (cp >> 6)), s += char(0x80 | (cp & 0x3F));
    return s;
}

}  // namespace

void writeByteLevelTokenizer(const std::string& dir) {
    std::ofstream vocab(std::filesystem::path(dir) / "vocab.json");
    vocab << "{";
    for (int b = 0; b < 256; ++b) {
        std::string sym = byteSymbol(b);
        std::string escaped = sym == "\"" ? "\\\"" : sym == "\\" ? "\\\\" : sym;
        vocab << '"' << escaped << "\": " << b << ", ";
    }
    vocab << "\"</s>\": 256}";
    vocab.close();
    std::ofstream(std::filesystem::path(dir) / "merges.txt") << "#version: 0.2\n";
    std::ofstream(std::filesystem::path(dir) / "tokenizer_config.json")
        << R"({"add_bos_token": true, "bos_token": "</s>", "eos_token": "</s>"})";
}

CliRun invxRun(const QStringList& args) {
    QProcess p;
    p.start(QStringLiteral(INVX_CLI_PATH), args);
    if (!p.waitForFinished(300000)) qFatal("invx did not finish");
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

SearchFixture writeSearchFixture(const std::string& dir) {
    namespace fs = std::filesystem;
    OptConfig c = tinyConfig();  // hidden 32, FFN 128, 3 layers, 64 positions
    c.vocabSize = 260;
    c.torchDtype = "float16";  // as OPT checkpoints are stored
    auto halfWeights = [&](std::uint64_t seed) {
        NamedTensors w = randomWeights(c, seed);
        for (auto& [name, t] : w) t = t.to(at::kHalf);
        return w;
    };
    SearchFixture f;
    f.model = (fs::path(dir) / "model").string();
    writeModel(f.model, c, halfWeights(1));
    writeByteLevelTokenizer(f.model);
    f.otherModel = (fs::path(dir) / "other").string();
    writeModel(f.otherModel, c, halfWeights(2));
    writeByteLevelTokenizer(f.otherModel);
    f.corpus = (fs::path(dir) / "corpus.txt").string();
    std::ofstream corpus(f.corpus);
    for (int i = 0; i < 100; ++i) corpus << "Paragraph " << i << " is short.\n\n";
    f.text = (fs::path(dir) / "eval.raw").string();
    std::ofstream text(f.text);
    for (int i = 0; i < 40; ++i) text << " Line " << i << " of a small test text .\n \n";
    return f;
}

SearchRunRequest fixtureSearchRequest(const SearchFixture& fixture,
                                      const std::string& experimentPath, std::int64_t steps) {
    SearchRunRequest r;
    r.experimentPath = experimentPath;
    r.modelPath = fixture.model;
    r.device = "cpu";
    r.settings.quant.groupSize = 32;
    r.settings.calibrationCorpus = fixture.corpus;
    r.settings.calibrationSamples = 4;
    r.settings.calibrationLength = 32;
    r.settings.evalData = "none";
    r.settings.steps = steps;
    return r;
}

}  // namespace invx::test
