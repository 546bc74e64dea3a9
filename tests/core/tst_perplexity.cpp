// The perplexity protocol: text preparation, window arithmetic, known values, and early stops.
#include <ATen/ATen.h>

#include <QDir>
#include <QProcess>
#include <QtTest>
#include <cmath>
#include <fstream>

#include "invx/calibration-data.h"
#include "invx/corpus-documents.h"
#include "invx/data-sets.h"
#include "invx/error.h"
#include "invx/perplexity-text.h"
#include "invx/text-file.h"
#include "metrics/perplexity-evaluator.h"
#include "test-support.h"

using namespace invx;

namespace {

// A model whose token embedding (and so, tied, its LM head) is zero predicts uniformly.
OptModel uniformModel() {
    OptConfig c = test::tinyConfig();
    auto w = test::randomWeights(c, 4);
    w[0].second.zero_();
    return OptModel::fromTensors(c, w, ModelPlacement{}, "uniform");
}

std::vector<std::int32_t> tokens(std::int64_t n, std::int64_t vocab) {
    at::manual_seed(8);
    at::Tensor t = at::randint(vocab, {n}, at::kInt);
    return std::vector<std::int32_t>(t.data_ptr<std::int32_t>(), t.data_ptr<std::int32_t>() + n);
}

}  // namespace

class TestPerplexity : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void joinsRowsLikeTheHuggingFaceDataset();
    void wikitext2TextHasTheKnownLength();
    void uniformPredictionsGiveTheVocabularySize();
    void matchesAnIndependentComputation();
    void stopsEarly();
    void refusesTooShortTextAndTooLongWindows();
    void resolvesNamedDatasets();
    void jsonLinesAreJoinedAndCut();
    void readsEveryCalibrationCorpusFormat();
};

void TestPerplexity::joinsRowsLikeTheHuggingFaceDataset() {
    // Rows " = A = \n", "", " text\n" joined with "\n\n".
    QCOMPARE(joinRowsForPerplexity(" \n = A = \n \n text\n"),
             std::string("\n\n = A = \n\n\n\n\n text\n"));
    QCOMPARE(joinRowsForPerplexity("one\ntwo"), std::string("one\n\n\ntwo\n"));
    QCOMPARE(joinRowsForPerplexity(""), std::string());
}

void TestPerplexity::wikitext2TextHasTheKnownLength() {
    const std::string text = joinRowsForPerplexity(
        readWholeFile(test::dataDir() + "/wikitext-2-raw/wiki.test.raw", "test data"));
    // 1,294,336 characters (shared/data/README.md): count code points, not bytes.
    std::size_t codePoints = 0;
    for (unsigned char c : text) codePoints += (c & 0xC0) != 0x80;
    QCOMPARE(codePoints, std::size_t(1294336));
}

void TestPerplexity::uniformPredictionsGiveTheVocabularySize() {
    OptModel model = uniformModel();
    PerplexityOptions options;
    options.windowLength = 32;
    auto r = evaluatePerplexity(model, tokens(32 * 5 + 7, 96), options);
    QCOMPARE(r.windowsAvailable, std::int64_t(5));
    QCOMPARE(r.windows, std::int64_t(5));
    QCOMPARE(r.tokens, std::int64_t(167));
    QVERIFY2(std::abs(r.ppl - 96.0) < 1e-3, qPrintable(QString::number(r.ppl, 'g', 10)));
    // NLL of a window = mean CE x window length = log(96) x 32.
    QVERIFY(std::abs(r.nllSum - 5 * 32 * std::log(96.0)) < 1e-2);
}

void TestPerplexity::matchesAnIndependentComputation() {
    OptConfig c = test::tinyConfig();
    const NamedTensors weights = test::randomWeights(c, 12);
    OptModel model = OptModel::fromTensors(c, weights, {}, "random");
    const auto ids = tokens(64 * 3 + 10, c.vocabSize);
    PerplexityOptions options;
    options.windowLength = 64;
    auto r = evaluatePerplexity(model, ids, options);
    // Sum of per-token negative log-likelihoods over the 63 predictions of each window, scaled by
    // 64/63 as the protocol does (mean x window length).
    double total = 0.0;
    for (int w = 0; w < 3; ++w) {
        at::Tensor window =
            at::tensor(std::vector<std::int64_t>(ids.begin() + w * 64, ids.begin() + (w + 1) * 64));
        // The plain float64 formula, not the model's own forward.
        at::Tensor logits = test::referenceForward(c, weights, window.unsqueeze(0)).squeeze(0);
        double nll = 0.0;
        for (int t = 0; t < 63; ++t) {
            at::Tensor row = logits[t];
            double logZ =
                std::log(at::exp(row - row.max()).sum().item<double>()) + row.max().item<double>();
            nll += logZ - row[window[t + 1].item<std::int64_t>()].item<double>();
        }
        total += nll / 63.0 * 64.0;
    }
    const double expected = std::exp(total / (3 * 64));
    QVERIFY2(std::abs(r.ppl - expected) / expected < 1e-5,
             qPrintable(QStringLiteral("%1 vs %2").arg(r.ppl).arg(expected)));
    QVERIFY(r.ppl > 1.0);
}

void TestPerplexity::stopsEarly() {
    OptModel model = uniformModel();
    PerplexityOptions options;
    options.windowLength = 16;
    options.maxWindows = 2;
    auto r = evaluatePerplexity(model, tokens(16 * 6, 96), options);
    QCOMPARE(r.windows, std::int64_t(2));
    QCOMPARE(r.windowsAvailable, std::int64_t(6));
    QVERIFY(!r.stopped);

    options.maxWindows = 0;
    int calls = 0;
    r = evaluatePerplexity(model, tokens(16 * 6, 96), options, [&](const PerplexityProgress& p) {
        ++calls;
        if (p.windowsTotal != 6) return true;
        return p.windowsDone < 3;
    });
    QCOMPARE(calls, 3);
    QCOMPARE(r.windows, std::int64_t(3));
    QVERIFY(r.stopped);
}

void TestPerplexity::refusesTooShortTextAndTooLongWindows() {
    OptModel model = uniformModel();
    PerplexityOptions options;
    options.windowLength = 32;
    INVX_VERIFY_MESSAGE(test::errorOf([&] { evaluatePerplexity(model, tokens(31, 96), options); }),
                        "at least one window of 32 tokens, but the text has only 31");
    options.windowLength = 2048;
    INVX_VERIFY_MESSAGE(
        test::errorOf([&] { evaluatePerplexity(model, tokens(4096, 96), options); }),
        "window of 2048 tokens exceeds the model's 64 positions", "--window");
}

void TestPerplexity::resolvesNamedDatasets() {
    qputenv("INVX_DATA", QByteArray::fromStdString(test::dataDir()));
    QCOMPARE(resolveDataset("wikitext2"), test::dataDir() + "/wikitext-2-raw/wiki.test.raw");
    INVX_VERIFY_MESSAGE(test::errorOf([] { resolveDataset("wikitext3"); }),
                        "neither a known name (wikitext2, wikitext2-train, wikipedia, c4, "
                        "gutenberg) nor an existing file or folder");
    qputenv("INVX_DATA", "/nonexistent");
    INVX_VERIFY_MESSAGE(test::errorOf([] { resolveDataset("wikitext2"); }),
                        "'/nonexistent/wikitext-2-raw/wiki.test.raw'");
    qunsetenv("INVX_DATA");
    INVX_VERIFY_MESSAGE(test::errorOf([] { resolveDataset("wikitext2"); }),
                        "INVX_DATA, which is not set");
}

void TestPerplexity::jsonLinesAreJoinedAndCut() {
    // C4-style JSON lines: the documents' texts joined with "\n\n", </s> in front, cut to the
    // limit; a raw text file keeps the WikiText row protocol.
    const BpeTokenizer tokenizer =
        BpeTokenizer::fromDirectory(std::string(INVX_SOURCE_DIR) + "/resources/models/opt-demo");
    QTemporaryDir dir;
    const std::string jsonl = dir.filePath("docs.jsonl").toStdString(),
                      raw = dir.filePath("docs.txt").toStdString();
    std::ofstream(jsonl) << R"({"text": "The first document."})" << '\n'
                         << R"({"text": "A second one, longer."})" << '\n';
    std::ofstream(raw) << "The first document.\nA second one, longer.\n";
    const auto joined =
        tokenizer.encode("The first document.\n\nA second one, longer.", /*addSpecial=*/true);
    QCOMPARE(evaluationTokenIds(jsonl, tokenizer), joined);
    QCOMPARE(joined.front(), 2);  // OPT's </s>
    const auto cut = evaluationTokenIds(jsonl, tokenizer, 5);
    QCOMPARE(cut, std::vector<std::int32_t>(joined.begin(), joined.begin() + 5));
    QCOMPARE(evaluationTokenIds(raw, tokenizer),
             tokenizer.encode(joinRowsForPerplexity("The first document.\nA second one, longer.\n"),
                              true));
    std::ofstream(jsonl) << "not json\n";
    INVX_VERIFY_MESSAGE(test::errorOf([&] { evaluationTokenIds(jsonl, tokenizer); }), "docs.jsonl");
}

void TestPerplexity::readsEveryCalibrationCorpusFormat() {
    QTemporaryDir dir;
    auto file = [&](const char* name) { return dir.filePath(name).toStdString(); };
    // WikiExtractor <doc> files (the default corpus, wikipedia): one document per <doc>, its title
    // line included, as AWQ's loader reads them.
    std::ofstream(file("wiki.utf8"))
        << "<doc id=\"1\" url=\"u\" title=\"Alpha\">\nAlpha\n\nFirst text.\n</doc>\n"
        << "<doc id=\"2\" url=\"v\" title=\"Beta\">\nBeta\n\nSecond.\n</doc>\n";
    QCOMPARE(readCorpusDocuments(file("wiki.utf8")),
             (std::vector<std::string>{"\nAlpha\n\nFirst text.\n", "\nBeta\n\nSecond.\n"}));
    // WikiText .tokens: one document per non-blank line.
    std::ofstream(file("train.tokens")) << " = Title = \n\n one line .\n  \n another line .\n";
    QCOMPARE(readCorpusDocuments(file("train.tokens")),
             (std::vector<std::string>{" = Title = ", " one line .", " another line ."}));
    // Gzipped JSON lines (C4): compressed here by the system's gzip, read back through zlib.
    std::ofstream(file("c4.json")) << R"({"text": "One.", "url": "a"})"
                                   << "\n\n"
                                   << R"({"text": "Two\nlines."})"
                                   << "\n";
    QProcess gzip;
    gzip.start("gzip", {"-k", QString::fromStdString(file("c4.json"))});
    QVERIFY(gzip.waitForFinished() && gzip.exitCode() == 0);
    QCOMPARE(readCorpusDocuments(file("c4.json.gz")),
             (std::vector<std::string>{"One.", "Two\nlines."}));
    QCOMPARE(readCorpusDocuments(file("c4.json")), readCorpusDocuments(file("c4.json.gz")));
    std::ofstream(file("broken.json.gz")) << "\x1f\x8b\x08 not really gzip";
    INVX_VERIFY_MESSAGE(test::errorOf([&] { readCorpusDocuments(file("broken.json.gz")); }),
                        "broken.json.gz", "not a valid gzip file");
    std::ofstream(file("bad.jsonl")) << R"({"text": "ok"})"
                                     << "\n"
                                     << R"({"title": "no text"})"
                                     << "\n";
    INVX_VERIFY_MESSAGE(test::errorOf([&] { readCorpusDocuments(file("bad.jsonl")); }), "bad.jsonl",
                        "line 2 is not a JSON object");
    // A folder of .txt books (gutenberg): files in name order, one document per paragraph; other
    // files ignored.
    QVERIFY(QDir(dir.path()).mkdir("books"));
    std::ofstream(file("books/b.txt")) << "Third para.\n";
    std::ofstream(file("books/a.txt")) << "First para,\nstill first.\n\n\nSecond para.\n";
    std::ofstream(file("books/notes.md")) << "not a book\n";
    QCOMPARE(
        readCorpusDocuments(file("books")),
        (std::vector<std::string>{"First para,\nstill first.", "Second para.", "Third para."}));
    QVERIFY(QDir(dir.path()).mkdir("empty"));
    INVX_VERIFY_MESSAGE(test::errorOf([&] { readCorpusDocuments(file("empty")); }), "empty",
                        "holds no .txt files");
    // The shared data's real corpora read in each of these formats.
    QVERIFY(readCorpusDocuments(test::dataDir() + "/wikipedia/wiki.utf8").size() > 100);
    QVERIFY(readCorpusDocuments(test::dataDir() + "/c4/c4-sample.00000-of-00001.json.gz").size() >
            100);
    QVERIFY(readCorpusDocuments(test::dataDir() + "/gutenberg").size() > 100);
}

QTEST_APPLESS_MAIN(TestPerplexity)
#include "tst_perplexity.moc"
