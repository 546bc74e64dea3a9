// Every checkpoint layout loads to the same model: model.safetensors, sharded safetensors,
// pytorch_model.bin (libtorch's unpickler), sharded .bin; broken layouts are refused by name.
#include <ATen/ATen.h>
#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include <QtTest>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "invx/error.h"
#include "io/checkpoint-reader.h"
#include "io/published-invariances.h"
#include "io/safetensors-file.h"
#include "model/opt-model.h"
#include "test-support.h"

using namespace invx;
namespace fs = std::filesystem;

namespace {

void writeTorchPickle(const fs::path& path, const NamedTensors& tensors) {
    c10::Dict<std::string, at::Tensor> dict;
    for (const auto& [name, t] : tensors) dict.insert(name, t);
    std::vector<char> bytes = torch::jit::pickle_save(c10::IValue(dict));
    std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

// Splits the weights into two shards and writes the index that names them.
void writeSharded(const fs::path& dir, const NamedTensors& weights, bool bin) {
    NamedTensors first(weights.begin(), weights.begin() + long(weights.size() / 2));
    NamedTensors second(weights.begin() + long(weights.size() / 2), weights.end());
    const std::string stem = bin ? "pytorch_model" : "model";
    const std::string ext = bin ? ".bin" : ".safetensors";
    const std::string names[2] = {stem + "-00001-of-00002" + ext, stem + "-00002-of-00002" + ext};
    std::ofstream index(dir / (stem + ext + ".index.json"));
    index << "{\"metadata\": {}, \"weight_map\": {";
    bool comma = false;
    for (int s = 0; s < 2; ++s) {
        const NamedTensors& part = s == 0 ? first : second;
        if (bin)
            writeTorchPickle(dir / names[s], part);
        else
            writeSafetensors((dir / names[s]).string(), part);
        for (const auto& [name, t] : part) {
            index << (comma ? ", " : "") << '"' << name << "\": \"" << names[s] << '"';
            comma = true;
        }
    }
    index << "}}";
}

// The bytes Python's pickle (protocol 2) writes for torch.save(sd) where sd is an OrderedDict with
// a _metadata attribute, as every nn.Module.state_dict() is: {"a": a [2, 3], "b": a.t()} sharing
// storage "0" of 6 floats. Generated with Python's pickle module and torch.save's persistent ids.
std::string pythonStateDictPickle() {
    const char* hex =
        "800263636f6c6c656374696f6e730a4f726465726564446963740a71002952710128580100000061710263746f"
        "726368"
        "2e5f7574696c730a5f72656275696c645f74656e736f725f76320a71032828580700000073746f726167657104"
        "63746f"
        "7263680a466c6f617453746f726167650a71055801000000307106580300000063707571074b06747108514b00"
        "4b024b"
        "038671094b034b0186710a8968002952710b74710c52710d580100000062710e6803282868046805680668074b"
        "067471"
        "0f514b004b034b028671104b014b0386711189680029527112747113527114757d711558090000005f6d657461"
        "646174"
        "617116680029527117580000000071187d7119580700000076657273696f6e711a4b01737373622e";
    return QByteArray::fromHex(hex).toStdString();
}

void writePythonStateDict(const fs::path& path, const at::Tensor& storage,
                          const std::string& pickle = pythonStateDictPickle()) {
    caffe2::serialize::PyTorchStreamWriter writer(path.string());
    writer.writeRecord("data.pkl", pickle.data(), pickle.size());
    writer.writeRecord("data/0", storage.data_ptr(), std::size_t(storage.numel()) * 4);
    writer.writeRecord("version", "3\n", 2);
    writer.writeEndOfFile();
}

at::Tensor logitsOf(const std::string& dir) {
    OptModel model = OptModel::load(dir, ModelPlacement{});
    at::manual_seed(2);
    return model.forward(at::randint(96, {1, 12}, at::kLong));
}

}  // namespace

class TestCheckpointFormats : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void initTestCase();
    void everyLayoutLoadsTheSameModel_data();
    void everyLayoutLoadsTheSameModel();
    void readsTorchSaveOrderedDicts();
    void refusesHostilePickles();
    void acceptsCheckpointsWithoutTheModelPrefix();
    void refusesBrokenLayouts();
    void readsThePublishedCodesInvariances();
    void writesInvariancesThePublishedCodeReads();

  private:
    OptConfig config_;
    NamedTensors weights_;
    at::Tensor reference_;
    QTemporaryDir root_;
};

void TestCheckpointFormats::initTestCase() {
    config_ = test::tinyConfig();
    weights_ = test::randomWeights(config_, 9);
    const std::string dir = root_.filePath("single").toStdString();
    test::writeModel(dir, config_, weights_);
    reference_ = logitsOf(dir);
}

void TestCheckpointFormats::everyLayoutLoadsTheSameModel_data() {
    QTest::addColumn<QString>("layout");
    QTest::newRow("pytorch_model.bin") << "bin";
    QTest::newRow("sharded safetensors") << "sharded-safetensors";
    QTest::newRow("sharded pytorch_model.bin") << "sharded-bin";
    QTest::newRow("bfloat16 safetensors") << "bf16";
}

void TestCheckpointFormats::everyLayoutLoadsTheSameModel() {
    QFETCH(QString, layout);
    const fs::path dir = root_.filePath(layout).toStdString();
    fs::create_directories(dir);
    std::ofstream(dir / "config.json") << config_.toJson();
    at::Tensor expected = reference_;
    if (layout == "bin") {
        writeTorchPickle(dir / "pytorch_model.bin", weights_);
    } else if (layout == "sharded-safetensors") {
        writeSharded(dir, weights_, false);
    } else if (layout == "sharded-bin") {
        writeSharded(dir, weights_, true);
    } else {
        NamedTensors bf16;
        for (const auto& [n, t] : weights_) bf16.emplace_back(n, t.to(at::kBFloat16));
        writeSafetensors((dir / "model.safetensors").string(), bf16);
        // Loaded into float32, a bfloat16 checkpoint is exactly the model of the rounded weights.
        NamedTensors rounded;
        for (const auto& [n, t] : bf16) rounded.emplace_back(n, t.to(at::kFloat));
        const std::string roundedDir = root_.filePath("bf16-rounded").toStdString();
        test::writeModel(roundedDir, config_, rounded);
        expected = logitsOf(roundedDir);
        QVERIFY(!at::equal(expected, reference_));  // the rounding was real
    }
    const at::Tensor logits = logitsOf(dir.string());
    QVERIFY2(at::equal(logits, expected),
             qPrintable(QString::number((logits - expected).abs().max().item<double>())));
}

void TestCheckpointFormats::readsTorchSaveOrderedDicts() {
    // libtorch's unpickler alone turns the OrderedDict into None; the reader must not.
    const fs::path file = root_.filePath("ordered.bin").toStdString();
    at::Tensor storage = at::arange(6, at::kFloat);
    writePythonStateDict(file, storage);
    auto tensors = readTorchPickle(file.string());
    QCOMPARE(tensors.size(), std::size_t(2));
    QVERIFY(at::equal(tensors.at("a"), storage.view({2, 3})));
    QVERIFY(at::equal(tensors.at("b"), storage.view({2, 3}).t()));

    // A pickle that names any other callable is refused, never run.
    writePythonStateDict(file, storage,
                         std::string("\x80\x02"
                                     "cposix\nsystem\nX\x02\x00\x00\x00ls\x85R.",
                                     26));
    INVX_VERIFY_MESSAGE(test::errorOf([&] { readTorchPickle(file.string()); }),
                        "calls posix.system, which a state_dict of tensors does not need");
}

namespace {
std::string unicode(const std::string& text) {  // BINUNICODE
    const std::uint32_t n = std::uint32_t(text.size());
    return "X" + std::string(reinterpret_cast<const char*>(&n), 4) + text;
}
std::string small(int v) { return {'K', char(v)}; }  // BININT1 (a NUL byte would end a C string)
std::string long8(std::int64_t v) {
    return std::string("\x8a\x08", 2) + std::string(reinterpret_cast<const char*>(&v), 8);
}
// ("storage", torch.FloatStorage, "0", "cpu", numel) as a persistent id, loaded.
std::string storagePickle(std::int64_t numel) {
    return "(" + unicode("storage") + "ctorch\nFloatStorage\n" + unicode("0") + unicode("cpu") +
           long8(numel) + "tQ";
}
}  // namespace

void TestCheckpointFormats::refusesHostilePickles() {
    // Each of these crashed the reader or asked it for absurd memory before; now each is a
    // sentence.
    const fs::path file = root_.filePath("hostile.bin").toStdString();
    const at::Tensor storage = at::arange(6, at::kFloat);
    auto refusal = [&](const std::string& pickle) {
        writePythonStateDict(file, storage, "\x80\x02" + pickle + ".");
        return test::errorOf([&] { readTorchPickle(file.string()); });
    };
    // APPEND with one value on the stack (it read the back of an empty stack).
    INVX_VERIFY_MESSAGE(refusal("Na"), "hostile.bin", "appends to something that is not a list");
    // A storage claiming 2^31 floats over a record of 24 bytes (it allocated 8 GB first).
    INVX_VERIFY_MESSAGE(refusal(storagePickle(std::int64_t(1) << 31)),
                        "storage 0 holds 24 bytes, not the 2147483648 elements");
    INVX_VERIFY_MESSAGE(refusal(storagePickle(-6)), "storage 0 claims -6 elements");
    // A view whose (size - 1) x stride overflows int64 (it wrapped around and passed the bounds
    // check).
    const std::string rebuild = "ctorch._utils\n_rebuild_tensor_v2\n(";
    INVX_VERIFY_MESSAGE(
        refusal(rebuild + storagePickle(6) + small(0) + long8(std::int64_t(1) << 62) + small(4) +
                "\x86" + small(4) + small(1) + "\x86\x89tR"),
        "describes a tensor outside its storage");
    INVX_VERIFY_MESSAGE(refusal(rebuild + storagePickle(6) + small(0) + small(2) + small(3) +
                                "\x86" + long8(-1) + small(1) + "\x86\x89tR"),
                        "describes a tensor outside its storage");
    // A list that holds itself, through the memo: refused, and freed (the sanitizer job's leak
    // check).
    INVX_VERIFY_MESSAGE(refusal("]" + std::string("q\0h\0a", 5)),
                        "does not hold a dict of tensors");
    // Lists nested a million deep (their recursive destruction overflowed the stack).
    const int depth = 1000000;
    INVX_VERIFY_MESSAGE(refusal(std::string(depth, ']') + std::string(depth - 1, 'a')),
                        "does not hold a dict of tensors");
    // The same depth inside a dict that is otherwise a state_dict, and left on the stack.
    INVX_VERIFY_MESSAGE(refusal("}" + std::string(depth, ']') + std::string(depth - 1, 'a')),
                        "the pickle ends with 2 values");
}

void TestCheckpointFormats::acceptsCheckpointsWithoutTheModelPrefix() {
    // OPTModel.save_pretrained and fairseq conversions store "decoder.*" without "model.".
    NamedTensors bare;
    for (const auto& [n, t] : weights_) bare.emplace_back(n.substr(6), t);
    const std::string dir = root_.filePath("bare").toStdString();
    test::writeModel(dir, config_, bare);
    QVERIFY(at::equal(logitsOf(dir), reference_));
}

void TestCheckpointFormats::refusesBrokenLayouts() {
    const fs::path dir = root_.filePath("broken").toStdString();
    fs::create_directories(dir);
    std::ofstream(dir / "config.json") << config_.toJson();
    INVX_VERIFY_MESSAGE(test::errorOf([&] { CheckpointReader r(dir.string()); }),
                        "has no weights: expected model.safetensors");

    std::ofstream(dir / "pytorch_model.bin", std::ios::binary)
        << "\x80\x02}q\x00.";  // legacy pickle
    INVX_VERIFY_MESSAGE(test::errorOf([&] { CheckpointReader r(dir.string()); }),
                        "pytorch_model.bin' is not a zip archive", "legacy format");
    fs::remove(dir / "pytorch_model.bin");

    std::ofstream(dir / "model.safetensors.index.json")
        << R"({"weight_map": {"model.decoder.embed_tokens.weight": "model-00001-of-00002.safetensors"}})";
    INVX_VERIFY_MESSAGE(
        test::errorOf([&] { CheckpointReader r(dir.string()); }),
        "puts 'model.decoder.embed_tokens.weight' in 'model-00001-of-00002.safetensors'",
        "download is incomplete");
    writeSafetensors((dir / "model-00001-of-00002.safetensors").string(),
                     {{"other", at::zeros({1})}});
    INVX_VERIFY_MESSAGE(test::errorOf([&] { CheckpointReader r(dir.string()); }),
                        "but that file does not hold it");
    fs::remove(dir / "model.safetensors.index.json");

    // A real archive cut in half.
    writeTorchPickle(dir / "full.bin", weights_);
    {
        std::ifstream in(dir / "full.bin", std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::ofstream(dir / "pytorch_model.bin", std::ios::binary)
            << bytes.substr(0, bytes.size() / 2);
    }
    INVX_VERIFY_MESSAGE(test::errorOf([&] { CheckpointReader r(dir.string()); }),
                        "cannot read PyTorch checkpoint", "pytorch_model.bin");
}

// tests/fixtures/published/ckpt.pkl was written by PyTorch 2.11 as the published search saves its
// state (pickle.dump; CUDA float16 tensors; lists), by tools/published_pickle_check.py: 2 layers,
// FFN 8, rotations 0.001 (l + 1)(i + 1), scales 1 + 0.01 (l + 1)(i + 1), orders reversed and
// pair-swapped.
void TestCheckpointFormats::readsThePublishedCodesInvariances() {
    const std::string fixture = INVX_SOURCE_DIR "/tests/fixtures/published/ckpt.pkl";
    const PublishedInvariances p = readPublishedInvariances(fixture, 2, 8);
    QCOMPARE(QString::fromStdString(p.kinds), QString("PSR"));
    QCOMPARE(p.layers.size(), std::size_t(2));
    QCOMPARE(p.layers[0].permutation, (std::vector<std::int64_t>{7, 6, 5, 4, 3, 2, 1, 0}));
    QCOMPARE(p.layers[1].permutation, (std::vector<std::int64_t>{1, 0, 3, 2, 5, 4, 7, 6}));
    for (int l = 0; l < 2; ++l) {
        for (int i = 0; i < 8; ++i) {
            const float want = at::tensor(1 + 0.01 * (l + 1) * (i + 1), at::kDouble)
                                   .to(at::kHalf)
                                   .to(at::kFloat)
                                   .item<float>();
            QCOMPARE(p.layers[std::size_t(l)].scales[std::size_t(i)], want);
        }
        for (int i = 0; i < 4; ++i) {
            const float want = at::tensor(0.001 * (l + 1) * (i + 1), at::kDouble)
                                   .to(at::kHalf)
                                   .to(at::kFloat)
                                   .item<float>();
            QCOMPARE(p.layers[std::size_t(l)].angles[std::size_t(i)], want);
        }
    }
    INVX_VERIFY_MESSAGE(test::errorOf([&] { readPublishedInvariances(fixture, 3, 8); }), "ckpt.pkl",
                        "has 2 layers, but the model has 3");
    INVX_VERIFY_MESSAGE(test::errorOf([&] { readPublishedInvariances(fixture, 2, 16); }),
                        "ckpt.pkl", "needs 16");
    // Damaged: cut short, and a byte of a storage's magic number changed.
    std::ifstream in(fixture, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    const std::string cut =
        (std::filesystem::path(root_.path().toStdString()) / "cut.pkl").string();
    std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    INVX_VERIFY_MESSAGE(test::errorOf([&] { readPublishedInvariances(cut, 2, 8); }), "cut.pkl",
                        "truncated");
    const std::size_t magic = bytes.find(std::string("\x6c\xfc\x9c\x46", 4));
    QVERIFY(magic != std::string::npos);
    bytes[magic] = 0x6d;
    const std::string changed =
        (std::filesystem::path(root_.path().toStdString()) / "changed.pkl").string();
    std::ofstream(changed, std::ios::binary) << bytes;
    INVX_VERIFY_MESSAGE(test::errorOf([&] { readPublishedInvariances(changed, 2, 8); }),
                        "changed.pkl", "legacy format");
}

void TestCheckpointFormats::writesInvariancesThePublishedCodeReads() {
    // What invx writes reads back through the same reader as PyTorch's own file: the permutation
    // exactly, scales and angles rounded to float16 (the published code's precision). Python's
    // pickle.load of such a file is checked by tools/published_pickle_check.py (docs/protocols.md).
    std::vector<LayerInvariance> layers;
    for (int l = 0; l < 3; ++l) {
        LayerInvariance s = LayerInvariance::identity(6);
        std::reverse(s.permutation.begin() + l, s.permutation.end());
        for (std::size_t i = 0; i < 6; ++i) s.scales[i] = 1.0f + 0.123456f * float(i + l);
        for (std::size_t i = 0; i < 3; ++i) s.angles[i] = -0.0012345f * float(i + 1 + l);
        layers.push_back(s);
    }
    const std::string path =
        (std::filesystem::path(root_.path().toStdString()) / "ours.pkl").string();
    for (const std::string kinds : {"PSR", "S", "PR"}) {
        writePublishedInvariances(path, layers, kinds);
        const PublishedInvariances back = readPublishedInvariances(path, 3, 6);
        QCOMPARE(back.kinds, kinds);
        for (std::size_t l = 0; l < 3; ++l) {
            const LayerInvariance identity = LayerInvariance::identity(6);
            QCOMPARE(back.layers[l].permutation, kinds.find('P') != std::string::npos
                                                     ? layers[l].permutation
                                                     : identity.permutation);
            for (std::size_t i = 0; i < 6; ++i) {
                const float half =
                    at::tensor(layers[l].scales[i]).to(at::kHalf).to(at::kFloat).item<float>();
                QCOMPARE(back.layers[l].scales[i],
                         kinds.find('S') != std::string::npos ? half : 1.0f);
            }
            for (std::size_t i = 0; i < 3; ++i) {
                const float half =
                    at::tensor(layers[l].angles[i]).to(at::kHalf).to(at::kFloat).item<float>();
                QCOMPARE(back.layers[l].angles[i],
                         kinds.find('R') != std::string::npos ? half : 0.0f);
            }
        }
    }
}

QTEST_APPLESS_MAIN(TestCheckpointFormats)
#include "tst_checkpoint_formats.moc"
