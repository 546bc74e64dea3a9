// The invx command line, run as a user runs it: output, JSON, exit codes and error sentences.
#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QtTest>
#include <filesystem>
#include <fstream>

#include "command-line.h"
#include "invx/setting-table.h"
#include "io/safetensors-file.h"
#include "model/opt-model.h"
#include "test-support.h"

using namespace invx;
namespace fs = std::filesystem;

namespace {

using test::invxRun;
using Run = test::CliRun;

}  // namespace

class TestCli : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void initTestCase();
    void printsVersionAndHelp();
    void settingsReferenceIsTheTable();
    void tokenizesAFile();
    void evaluatesAModelAsJson();
    void scoresReasoningTasks();
    void writesLogits();
    void refusesBadInputWithASentence_data();
    void refusesBadInputWithASentence();
    void libtorchAndMemoryErrorsNameTheRun();

  private:
    QTemporaryDir dir_;
    std::string model_, text_;
};

void TestCli::initTestCase() {
    // A byte-level tokenizer of 256 byte tokens plus "</s>" as OPT's BOS, and a model whose
    // zero embedding makes it predict uniformly over its 260 tokens.
    model_ = dir_.filePath("model").toStdString();
    OptConfig c = test::tinyConfig();
    c.vocabSize = 260;
    auto weights = test::randomWeights(c, 1);
    weights[0].second.zero_();
    test::writeModel(model_, c, weights);
    test::writeByteLevelTokenizer(model_);
    text_ = dir_.filePath("text.raw").toStdString();
    std::ofstream text(text_);
    for (int i = 0; i < 40; ++i) text << " Line " << i << " of a small test text .\n \n";
}

void TestCli::printsVersionAndHelp() {
    Run r = invxRun({"--version"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.startsWith("invx 0."));
    r = invxRun({"eval", "--help"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("--eval-windows K") && r.out.contains("also --max-windows"));
    QVERIFY(r.out.contains("(default: 128)"));
    // The command list names every command, the long ones too, and every command has its help.
    r = invxRun({"--help"});
    QCOMPARE(r.exitCode, 0);
    const QStringList commands{"eval",
                               "quantize",
                               "search",
                               "apply",
                               "inspect",
                               "table",
                               "settings",
                               "export-invariances",
                               "import-invariances",
                               "tokenize",
                               "logits"};
    for (const QString& c : commands) {
        QVERIFY2(r.out.contains(QRegularExpression("\\n  " + c + " +[A-Z]")),
                 qPrintable(c + " in:\n" + r.out));
        const Run help = invxRun({c, "--help"});
        QVERIFY2(help.exitCode == 0 && help.out.startsWith("Usage: invx " + c + " "),
                 qPrintable(c + ": " + help.err));
    }
}

void TestCli::settingsReferenceIsTheTable() {
    // docs/settings.md is what `invx settings --format markdown` prints: regenerate it after a
    // change to the table (invx settings --format markdown > docs/settings.md).
    const Run r = invxRun({"settings", "--format", "markdown"});
    QCOMPARE(r.exitCode, 0);
    QFile doc(QStringLiteral(INVX_SOURCE_DIR "/docs/settings.md"));
    QVERIFY(doc.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(doc.readAll()), r.out);
    // Every option of every setting a command takes is in its --help, with the table's help line.
    for (const auto& [command, name] :
         {std::pair{SettingCommand::Search, "search"}, std::pair{SettingCommand::Evaluate, "eval"},
          std::pair{SettingCommand::Quantize, "quantize"},
          std::pair{SettingCommand::Table, "table"}}) {
        const Run help = invxRun({name, "--help"});
        for (const SettingDeclaration* d : settingDeclarations(command)) {
            QVERIFY2(help.out.contains(QString::fromStdString("  " + d->option + " ")),
                     qPrintable(QString(name) + ": " + d->option.c_str()));
            QVERIFY2(help.out.contains(QString::fromUtf8(d->help)),
                     qPrintable(QString(name) + ": " + d->key.c_str()));
        }
    }
    // An alias is an option of its own setting; the canonical name and the alias are one option.
    const Run twice = invxRun(
        {"eval", "--model", QString::fromStdString(model_), "--data", "x", "--eval-data", "y"});
    QVERIFY2(twice.exitCode == 1 && twice.err.contains("--eval-data is given twice"),
             qPrintable(twice.err));
}

void TestCli::tokenizesAFile() {
    const std::string input = dir_.filePath("hello.txt").toStdString();
    std::ofstream(input) << "Hello world";
    Run r = invxRun({"tokenize", "--tokenizer", QString::fromStdString(test::dataDir() + "/gpt2"),
                     "--input", QString::fromStdString(input)});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QStringLiteral("15496 995\n"));
    r = invxRun({"tokenize", "--tokenizer", QString::fromStdString(model_), "--input",
                 QString::fromStdString(input), "--add-special"});
    QCOMPARE(r.out, QStringLiteral("256 72 101 108 108 111 32 119 111 114 108 100\n"));
}

void TestCli::evaluatesAModelAsJson() {
    Run r = invxRun({"eval", "--model", QString::fromStdString(model_), "--data",
                     QString::fromStdString(text_), "--window", "64", "--device", "cpu", "--json"});
    QCOMPARE(r.exitCode, 0);
    QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QVERIFY2(std::abs(j["ppl"].toDouble() - 260.0) < 1e-2, qPrintable(r.out));
    const int tokens = j["tokens"].toInt();
    QVERIFY(tokens > 1200);
    QCOMPARE(j["windows"].toInt(), tokens / 64);
    QCOMPARE(j["method"].toString(), QStringLiteral("fp"));
    QVERIFY(r.err.contains("perplexity: window"));  // progress goes to stderr

    r = invxRun({"eval", "--model", QString::fromStdString(model_), "--data",
                 QString::fromStdString(text_), "--window", "64", "--bits", "3", "--group", "32",
                 "--max-windows", "2", "--json", "--quiet"});
    QCOMPARE(r.exitCode, 0);
    j = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(j["windows"].toInt(), 2);
    QCOMPARE(j["bits"].toInt(), 3);
    QCOMPARE(j["method"].toString(), QStringLiteral("rtn"));
    QVERIFY(r.err.isEmpty());

    // opt-demo names the bundled demo model, as in invx search.
    r = invxRun({"eval", "--model", "opt-demo", "--data", QString::fromStdString(text_), "--window",
                 "64", "--max-windows", "1", "--device", "cpu", "--json", "--quiet"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    j = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QVERIFY2(j["model"].toString().endsWith("resources/models/opt-demo"), qPrintable(r.out));
    QCOMPARE(j["windows"].toInt(), 1);
}

void TestCli::scoresReasoningTasks() {
    // The model predicts uniformly over 260 tokens and the tokenizer has one token per byte, so a
    // continuation of n bytes has the log-likelihood -n ln 260: acc picks the shortest choice (the
    // first of equals), acc_norm the longest. On the fixture's five items that is 2 of 5 right for
    // acc (items 1 and 4, ties won by the gold first choice) and 4 of 5 for acc_norm.
    QTemporaryDir data;
    QVERIFY(QDir().mkpath(data.filePath("tasks")));
    QVERIFY(QFile::copy(QStringLiteral(INVX_SOURCE_DIR "/tests/fixtures/tasks/arc_easy.jsonl"),
                        data.filePath("tasks/arc_easy.jsonl")));
    const QByteArray saved = qgetenv("INVX_DATA");
    qputenv("INVX_DATA", data.path().toUtf8());
    const QString requests = dir_.filePath("requests.jsonl");
    Run r = invxRun({"eval", "--model", QString::fromStdString(model_), "--tasks", "arc_easy",
                     "--shots", "0", "--device", "cpu", "--json", "--save-requests", requests});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
    const QJsonObject task = j["tasks"].toArray()[0].toObject();
    QCOMPARE(task["task"].toString(), QStringLiteral("arc_easy"));
    QCOMPARE(task["items"].toInt(), 5);
    QCOMPARE(task["acc"].toDouble(), 0.4);
    QCOMPARE(task["acc_norm"].toDouble(), 0.8);
    QCOMPARE(j["average_acc"].toDouble(), 0.4);
    QCOMPARE(j["shots"].toInt(), 0);
    QFile lines(requests);
    QVERIFY(lines.open(QIODevice::ReadOnly));
    const QJsonObject second = QJsonDocument::fromJson(lines.readAll().split('\n')[1]).object();
    QCOMPARE(second["continuation"].toString(), QStringLiteral(" carbon dioxide"));
    QVERIFY(std::abs(second["loglikelihood"].toDouble() + 15 * std::log(260.0)) < 1e-4);

    r = invxRun({"eval", "--model", QString::fromStdString(model_), "--tasks", "arc_easy,piqa",
                 "--shots", "0", "--device", "cpu"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("piqa.jsonl"), qPrintable(r.err));
    r = invxRun({"eval", "--model", QString::fromStdString(model_), "--tasks", "arc_easy", "--data",
                 "wikitext2"});
    QVERIFY2(r.exitCode == 1 && r.err.contains("leave out --data"), qPrintable(r.err));
    r = invxRun({"eval", "--model", QString::fromStdString(model_), "--limit", "5"});
    QVERIFY2(r.exitCode == 1 && r.err.contains("--limit belongs to --tasks"), qPrintable(r.err));
    qputenv("INVX_DATA", saved);
}

void TestCli::writesLogits() {
    const std::string ids = dir_.filePath("ids.txt").toStdString();
    const std::string out = dir_.filePath("logits.safetensors").toStdString();
    std::ofstream(ids) << "1 2 3 4 5\n6 7 8 9 10\n";
    // A model with real (non-zero) embeddings.
    const std::string model = dir_.filePath("random").toStdString();
    OptConfig c = test::tinyConfig();
    test::writeModel(model, c, test::randomWeights(c, 5));
    Run r = invxRun({"logits", "--model", QString::fromStdString(model), "--ids",
                     QString::fromStdString(ids), "--out", QString::fromStdString(out), "--layers",
                     "1", "--device", "cpu"});
    QCOMPARE(r.exitCode, 0);
    SafetensorsFile file(out);
    at::Tensor logits = file.load("logits");
    QCOMPARE(logits.sizes().vec(), (std::vector<std::int64_t>{2, 5, 96}));
    OptModel m = OptModel::load(model, {});
    at::Tensor expected = m.forward(at::arange(1, 11, at::kLong).view({2, 5}));
    QVERIFY(at::allclose(logits, expected, 1e-6, 1e-6));
    QCOMPARE(file.load("hidden.1").sizes().vec(), (std::vector<std::int64_t>{2, 5, 32}));
}

void TestCli::refusesBadInputWithASentence_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    QTest::newRow("unknown option") << QStringList{"eval", "--bogus"} << "unknown option '--bogus'";
    QTest::newRow("missing model")
        << QStringList{"eval", "--data", "x"} << "invx eval needs --model";
    QTest::newRow("bits out of range")
        << QStringList{"eval", "--model", "MODEL", "--data", "TEXT", "--bits", "9"}
        << "--bits: Bits must be between 1 and 8, but is 9";
    QTest::newRow("group does not divide")
        << QStringList{"eval", "--model", "MODEL", "--data", "TEXT", "--bits", "2", "--group", "48"}
        << "group size 48 does not divide the input width 32";
    QTest::newRow("no such model") << QStringList{"eval", "--model", "/no/such/model"}
                                   << "neither a directory nor a Hugging Face model id";
    QTest::newRow("invalid UTF-8")
        << QStringList{"tokenize", "--tokenizer", "MODEL", "--input", "BAD"}
        << "is not valid UTF-8: byte 0xFF at offset 3";
    QTest::newRow("unknown command") << QStringList{"quantise"} << "unknown command 'quantise'";
    QTest::newRow("no command") << QStringList{} << "no command given";
}

void TestCli::refusesBadInputWithASentence() {
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    const std::string bad = dir_.filePath("bad.txt").toStdString();
    std::ofstream(bad) << "abc\xff";
    for (auto& a : args) {
        if (a == "MODEL") a = QString::fromStdString(model_);
        if (a == "TEXT") a = QString::fromStdString(text_);
        if (a == "BAD") a = QString::fromStdString(bad);
    }
    Run r = invxRun(args);
    QCOMPARE(r.exitCode, 1);  // as the README promises, whatever the error
    QVERIFY2(r.err.startsWith("invx: error: "), qPrintable(r.err));
    QVERIFY2(r.err.contains(expected), qPrintable(r.err));
    QCOMPARE(r.err.count('\n'), 1);  // one sentence, no stack trace
}

void TestCli::libtorchAndMemoryErrorsNameTheRun() {
    // Neither kind names the file or setting at fault by itself: the message adds the command line.
    const std::vector<std::string> args = {"eval", "--model", "/models/my opt", "--window", "2048"};
    const std::string memory = cli::failureMessage(std::bad_alloc(), args);
    QCOMPARE(QString::fromStdString(memory),
             QStringLiteral("out of memory (while running: invx eval --model '/models/my opt' "
                            "--window 2048); use a smaller "
                            "model, batch or window, or float16 (--dtype)"));
    try {
        TORCH_CHECK(
            false,
            "DefaultCPUAllocator: can't allocate memory: you tried to allocate 67108864 bytes");
    } catch (const c10::Error& e) {
        QVERIFY(std::string(e.what()).find('\n') != std::string::npos);  // libtorch's stack trace
        const QString message = QString::fromStdString(cli::failureMessage(e, args));
        QVERIFY2(!message.contains('\n'), qPrintable(message));
        QVERIFY2(message.contains("you tried to allocate 67108864 bytes (while running: invx eval "
                                  "--model '/models/my opt'"),
                 qPrintable(message));
        QVERIFY(message.endsWith("or float16 (--dtype)"));
    }
    try {
        TORCH_CHECK(false, "Expected all tensors to be on the same device");
    } catch (const c10::Error& e) {
        const QString message = QString::fromStdString(cli::failureMessage(e, args));
        QVERIFY2(
            message.endsWith("(while running: invx eval --model '/models/my opt' --window 2048)"),
            qPrintable(message));
    }
}

QTEST_APPLESS_MAIN(TestCli)
#include "tst_cli.moc"
