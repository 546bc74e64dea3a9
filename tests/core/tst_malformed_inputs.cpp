// Every file under tests/fixtures/malformed/<reader>/ is fed to its reader, which must refuse it
// with invx::Error naming the file and saying what is wrong (the fragment in <case>.expect).
// Inputs that crashed a reader or a fuzz target (scripts/fuzz.sh) are kept here, so that they stay
// refused.
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "invx/bpe-tokenizer.h"
#include "invx/error.h"
#include "invx/opt-config.h"
#include "invx/safetensors-header.h"
#include "invx/text-file.h"
#include "io/checkpoint-reader.h"
#include "test-support.h"

using namespace invx;
namespace fs = std::filesystem;

namespace {

const fs::path kFixtures = fs::path(INVX_SOURCE_DIR) / "tests/fixtures/malformed";

std::string expectedFragment(const fs::path& input) {
    std::ifstream in(input.string() + ".expect");
    std::string line;
    std::getline(in, line);
    return line;
}

// Runs the reader of `kind` on `input`; returns its refusal, or "" when it accepted the input.
std::string refusal(const std::string& kind, const fs::path& input) {
    try {
        if (kind == "safetensors") {
            const std::string bytes = readWholeFile(input.string(), "fixture");
            parseSafetensorsHeader(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                   bytes.size(), input.string());
        } else if (kind == "config") {
            OptConfig::fromJson(readWholeFile(input.string(), "fixture"), input.string());
        } else if (kind == "pickle") {
            readTorchPickle(input.string());
        } else if (kind == "tokenizer") {
            BpeTokenizer::fromDirectory(input.string());
        } else {
            return "no reader for fixtures of kind '" + kind + "'";
        }
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

}  // namespace

class TestMalformedInputs : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void everyFixtureIsRefusedWithItsSentence_data();
    void everyFixtureIsRefusedWithItsSentence();
};

void TestMalformedInputs::everyFixtureIsRefusedWithItsSentence_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("input");
    int cases = 0;
    for (const auto& kindDir : fs::directory_iterator(kFixtures)) {
        if (!kindDir.is_directory()) continue;
        for (const auto& entry : fs::directory_iterator(kindDir.path())) {
            if (entry.path().extension() == ".expect") continue;
            const std::string kind = kindDir.path().filename().string();
            QTest::newRow((kind + "/" + entry.path().filename().string()).c_str())
                << QString::fromStdString(kind) << QString::fromStdString(entry.path().string());
            ++cases;
        }
    }
    QVERIFY2(cases >= 14, "the fixtures are missing");
}

void TestMalformedInputs::everyFixtureIsRefusedWithItsSentence() {
    QFETCH(QString, kind);
    QFETCH(QString, input);
    const fs::path path = input.toStdString();
    const std::string expected = expectedFragment(path);
    QVERIFY2(!expected.empty(), qPrintable(input + " has no .expect file"));
    const std::string message = refusal(kind.toStdString(), path);
    QVERIFY2(!message.empty(), qPrintable(input + " was accepted"));
    const std::string name = path.filename().string();
    INVX_VERIFY_MESSAGE(message, expected.c_str(), name.c_str());
}

QTEST_GUILESS_MAIN(TestMalformedInputs)
#include "tst_malformed_inputs.moc"
