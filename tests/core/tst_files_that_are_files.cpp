// What the readers open must be what it claims: a file, not a named pipe that would hang them; a
// cache reference inside the cache; weights that are numbers. Each refusal names the file, tensor
// or reference, and says what to do.
#include <sys/stat.h>

#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <filesystem>
#include <fstream>

#include "invx/corpus-documents.h"
#include "invx/experiment-file.h"
#include "invx/model-loading.h"
#include "invx/model-locator.h"
#include "invx/text-file.h"
#include "io/safetensors-file.h"
#include "io/token-id-file.h"
#include "model/opt-model.h"
#include "test-support.h"

using namespace invx;
namespace fs = std::filesystem;

class TestFilesThatAreFiles : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void namedPipesAreRefusedAtOnce_data();
    void namedPipesAreRefusedAtOnce();
    void aCacheReferenceStaysInsideTheCache();
    void nonFiniteWeightsAreRefusedByTensor();
    void anOversizedHeaderIsNotCalledTruncated();

  private:
    std::string path(const std::string& name) const {
        return dir_.filePath(QString::fromStdString(name)).toStdString();
    }
    QTemporaryDir dir_;
};

void TestFilesThatAreFiles::namedPipesAreRefusedAtOnce_data() {
    QTest::addColumn<QString>("reader");
    for (const char* r :
         {"model weights", "model config", "experiment", "corpus", "token ids", "text"})
        QTest::newRow(r) << QString(r);
}

void TestFilesThatAreFiles::namedPipesAreRefusedAtOnce() {
    // A pipe with no writer: opening it for reading would wait forever.
    QFETCH(QString, reader);
    const std::string model = path("pipe-model-" + reader.toStdString());
    test::writeModel(model, test::tinyConfig(), test::randomWeights(test::tinyConfig(), 3));
    auto pipeAt = [](const std::string& file) {
        fs::remove(file);
        QCOMPARE(::mkfifo(file.c_str(), 0600), 0);
    };
    std::string message;
    if (reader == "model weights") {
        pipeAt(model + "/model.safetensors");
        message = test::errorOf([&] { OptModel::load(model, ModelPlacement{}); });
    } else if (reader == "model config") {
        pipeAt(model + "/config.json");
        message = test::errorOf([&] { OptModel::load(model, ModelPlacement{}); });
    } else if (reader == "experiment") {
        pipeAt(path("pipe.h5"));
        message = test::errorOf([&] { ExperimentFile::open(path("pipe.h5"), false); });
    } else if (reader == "corpus") {
        pipeAt(path("pipe.jsonl.gz"));
        message = test::errorOf([&] { readCorpusDocuments(path("pipe.jsonl.gz")); });
    } else if (reader == "token ids") {
        pipeAt(path("pipe.npy"));
        message = test::errorOf([&] { readTokenIdFile(path("pipe.npy"), 260); });
    } else {
        pipeAt(path("pipe.txt"));
        message = test::errorOf([&] { readWholeFile(path("pipe.txt"), "evaluation data"); });
    }
    QVERIFY2(message.find("pipe") != std::string::npos, message.c_str());
    QVERIFY2(message.find("not a regular file") != std::string::npos, message.c_str());
}

void TestFilesThatAreFiles::aCacheReferenceStaysInsideTheCache() {
    // A Hugging Face cache whose refs/main names a path out of snapshots/.
    const fs::path cache = path("hub");
    const fs::path repo = cache / "models--someone--tiny";
    fs::create_directories(repo / "refs");
    fs::create_directories(repo / "snapshots" / "abc123");
    test::writeModel(path("outside"), test::tinyConfig(),
                     test::randomWeights(test::tinyConfig(), 4));
    std::ofstream(repo / "refs" / "main") << "../../../outside";
    qputenv("HF_HUB_CACHE", QByteArray::fromStdString(cache.string()));
    INVX_VERIFY_MESSAGE(test::errorOf([] { resolveModelDirectory("someone/tiny"); }), "refs/main",
                        "../../../outside", "not a revision inside the cache");
    std::ofstream(repo / "refs" / "main") << "abc123";
    test::writeModel((repo / "snapshots" / "abc123").string(), test::tinyConfig(),
                     test::randomWeights(test::tinyConfig(), 4));
    QCOMPARE(resolveModelDirectory("someone/tiny"), (repo / "snapshots" / "abc123").string());
    qunsetenv("HF_HUB_CACHE");
}

void TestFilesThatAreFiles::nonFiniteWeightsAreRefusedByTensor() {
    const OptConfig config = test::tinyConfig();
    NamedTensors weights = test::randomWeights(config, 5);
    for (auto& [name, tensor] : weights)
        if (name == "model.decoder.layers.1.fc2.weight") tensor.view(-1)[7] = std::nan("");
    const std::string model = path("nan-model");
    test::writeModel(model, config, weights);
    INVX_VERIFY_MESSAGE(test::errorOf([&] { OptModel::load(model, ModelPlacement{}); }),
                        "nan-model", "layers.1.fc2.weight", "1 NaN or infinite",
                        "--allow-nonfinite-weights");
    setAllowNonFiniteWeights(true);  // for research: it loads as it is
    const OptModel loaded = OptModel::load(model, ModelPlacement{});
    QVERIFY(std::isnan(loaded.layers()[1].fc2.weight.view(-1)[7].item<float>()));
    setAllowNonFiniteWeights(false);
}

void TestFilesThatAreFiles::anOversizedHeaderIsNotCalledTruncated() {
    // A header length beyond the format's 100,000,000 bytes is not a safetensors file, whatever the
    // file's length; a length within the limit but beyond the file is a truncated one.
    const std::string big = path("big-header.safetensors");
    {
        std::ofstream out(big, std::ios::binary);
        const std::uint64_t length = 104857600;  // 100 MiB
        for (int i = 0; i < 8; ++i) out.put(char((length >> (8 * i)) & 0xff));
        out << "{}";
    }
    INVX_VERIFY_MESSAGE(test::errorOf([&] { SafetensorsFile file(big); }), "104857600",
                        "more than the 100,000,000");
    QVERIFY(test::errorOf([&] { SafetensorsFile file(big); }).find("truncated") ==
            std::string::npos);
}

QTEST_APPLESS_MAIN(TestFilesThatAreFiles)
#include "tst_files_that_are_files.moc"
