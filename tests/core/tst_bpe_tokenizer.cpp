// The byte-level BPE tokenizer against the real GPT-2 files: token counts measured with Hugging
// Face tokenizers, exact round trips, added tokens, OPT's BOS rule, and refused input.
#include <QtTest>
#include <filesystem>
#include <fstream>

#include "invx/bpe-tokenizer.h"
#include "invx/error.h"
#include "invx/perplexity-text.h"
#include "invx/text-file.h"
#include "test-support.h"

using namespace invx;
namespace fs = std::filesystem;

class TestBpeTokenizer : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void initTestCase();
    void knownIds_data();
    void knownIds();
    void wikitext2HasTheMeasuredTokenCount();
    void decodesEveryWikitextRowBackToItself();
    void roundTripsAnyUtf8_data();
    void roundTripsAnyUtf8();
    void specialTokensAreCutOutOfText();
    void optPrependsItsBosToken();
    void refusesInvalidUtf8();
    void refusesBrokenTokenizerFiles();

  private:
    std::string gpt2Dir_;
    std::unique_ptr<BpeTokenizer> gpt2_;
};

void TestBpeTokenizer::initTestCase() {
    gpt2Dir_ = test::dataDir() + "/gpt2";
    gpt2_ = std::make_unique<BpeTokenizer>(BpeTokenizer::fromDirectory(gpt2Dir_));
}

void TestBpeTokenizer::knownIds_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QList<int>>("ids");
    // Ids of the public GPT-2 vocabulary.
    QTest::newRow("Hello world") << "Hello world" << QList<int>{15496, 995};
    QTest::newRow("leading space") << " Hello" << QList<int>{18435};
    QTest::newRow("contraction") << "don't" << QList<int>{9099, 470};
    QTest::newRow("endoftext") << "<|endoftext|>" << QList<int>{50256};
    QTest::newRow("empty") << "" << QList<int>{};
}

void TestBpeTokenizer::knownIds() {
    QFETCH(QString, text);
    QFETCH(QList<int>, ids);
    auto got = gpt2_->encode(text.toStdString());
    QCOMPARE(QList<int>(got.begin(), got.end()), ids);
}

void TestBpeTokenizer::wikitext2HasTheMeasuredTokenCount() {
    const std::string raw =
        readWholeFile(test::dataDir() + "/wikitext-2-raw/wiki.test.raw", "test data");
    const std::string text = joinRowsForPerplexity(raw);
    // 287,644: Hugging Face tokenizers on the same text, no special tokens (shared/data/README.md).
    QCOMPARE(gpt2_->encode(text).size(), std::size_t(287644));
    QCOMPARE(gpt2_->addsBosToken(), false);
    QCOMPARE(gpt2_->encode(text, /*addSpecial=*/true).size(), std::size_t(287644));
}

void TestBpeTokenizer::decodesEveryWikitextRowBackToItself() {
    const std::string raw =
        readWholeFile(test::dataDir() + "/wikitext-2-raw/wiki.test.raw", "test data");
    std::size_t pos = 0, rows = 0;
    while (pos < raw.size()) {
        std::size_t eol = raw.find('\n', pos);
        const std::string row = raw.substr(pos, eol - pos + 1);
        pos = eol + 1;
        ++rows;
        QCOMPARE(gpt2_->decode(gpt2_->encode(row)), row);
    }
    QCOMPARE(rows, std::size_t(4358));
}

void TestBpeTokenizer::roundTripsAnyUtf8_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("ascii punctuation") << QByteArray("a+b=c; (x) [y] {z} ~!@#$%^&*");
    QTest::newRow("whitespace runs") << QByteArray("  two  spaces\t\ttabs\n\n\nlines   \r\n end ");
    QTest::newRow("accents") << QByteArray("café naïve über Ærøskøbing");
    QTest::newRow("cjk") << QByteArray("日本語のテキストと中文");
    QTest::newRow("emoji and joiners") << QByteArray("👩‍👩‍👧 🏳️‍🌈 🇩🇪");
    QTest::newRow("combining marks") << QByteArray("e\xCC\x81 a\xCC\x8A");
    QTest::newRow("control bytes") << QByteArray("\x01\x02\x7f\x1b[0m", 8);
    QTest::newRow("nul byte") << QByteArray("a\0b", 3);
    QTest::newRow("numbers") << QByteArray("3.14159 1,000,000 ٣٤٥");
    QTest::newRow("contractions") << QByteArray("I'm we'll they'd it's you've we're");
    QTest::newRow("special token inside text") << QByteArray("a<|endoftext|>b <|endoftext|>");
    QTest::newRow("four-byte code points") << QByteArray("\xF0\x9D\x94\xB8\xF0\x90\x8D\x88");
}

void TestBpeTokenizer::roundTripsAnyUtf8() {
    QFETCH(QByteArray, text);
    const std::string s = text.toStdString();
    QCOMPARE(gpt2_->decode(gpt2_->encode(s)), s);
}

void TestBpeTokenizer::specialTokensAreCutOutOfText() {
    auto ids = gpt2_->encode("Hello<|endoftext|>world");
    QCOMPARE(QList<int>(ids.begin(), ids.end()), (QList<int>{15496, 50256, 6894}));
    QCOMPARE(gpt2_->decode(ids, /*skipSpecial=*/true), std::string("Helloworld"));
}

void TestBpeTokenizer::optPrependsItsBosToken() {
    // OPT's tokenizer: GPT-2's merges, "</s>" as BOS, add_bos_token true.
    QTemporaryDir dir;
    const fs::path d(dir.path().toStdString());
    fs::copy_file(fs::path(gpt2Dir_) / "vocab.json", d / "vocab.json");
    fs::copy_file(fs::path(gpt2Dir_) / "merges.txt", d / "merges.txt");
    std::ofstream(d / "tokenizer_config.json") << R"({"add_bos_token": true,
        "bos_token": {"content": "</s>", "lstrip": false},
        "added_tokens_decoder": {"50257": {"content": "</s>", "special": true}}})";
    std::ofstream(d / "special_tokens_map.json") << R"({"bos_token": "</s>", "eos_token": "</s>"})";
    const auto opt = BpeTokenizer::fromDirectory(d.string());
    QCOMPARE(opt.bosTokenId(), 50257);
    QCOMPARE(opt.eosTokenId(), 50257);
    QVERIFY(opt.addsBosToken());
    auto ids = opt.encode("Hello world", /*addSpecial=*/true);
    QCOMPARE(QList<int>(ids.begin(), ids.end()), (QList<int>{50257, 15496, 995}));
    ids = opt.encode("Hello world");
    QCOMPARE(QList<int>(ids.begin(), ids.end()), (QList<int>{15496, 995}));
    QCOMPARE(opt.decode(opt.encode("x</s>y", true)), std::string("</s>x</s>y"));
}

void TestBpeTokenizer::refusesInvalidUtf8() {
    const std::string bad = std::string("good text ") + char(0xC3) + char(0x28) + " more";
    INVX_VERIFY_MESSAGE(test::errorOf([&] { gpt2_->encode(bad); }), "not valid UTF-8",
                        "byte 0xC3 at offset 10");
    QCOMPARE(findInvalidUtf8("\xED\xA0\x80"), std::int64_t(0));      // a UTF-16 surrogate
    QCOMPARE(findInvalidUtf8("ab\xC0\xAF"), std::int64_t(2));        // overlong '/'
    QCOMPARE(findInvalidUtf8("abc\xE2\x82"), std::int64_t(3));       // truncated
    QCOMPARE(findInvalidUtf8("\xF4\x90\x80\x80"), std::int64_t(0));  // past U+10FFFF
    QCOMPARE(findInvalidUtf8("ok \xE2\x82\xAC"), std::int64_t(-1));  // the euro sign
    INVX_VERIFY_MESSAGE(test::errorOf([&] { gpt2_->decode({1 << 30}); }), "token id 1073741824");
}

void TestBpeTokenizer::refusesBrokenTokenizerFiles() {
    QTemporaryDir dir;
    const fs::path d(dir.path().toStdString());
    INVX_VERIFY_MESSAGE(test::errorOf([&] { BpeTokenizer::fromDirectory(d.string()); }),
                        "has no vocab.json and merges.txt");
    std::ofstream(d / "vocab.json") << R"({"a": 0, "b": 1, "ab": 2)";
    std::ofstream(d / "merges.txt") << "#version: 0.2\na b\n";
    INVX_VERIFY_MESSAGE(test::errorOf([&] { BpeTokenizer::fromDirectory(d.string()); }),
                        "vocab.json' is not valid JSON");
    std::ofstream(d / "vocab.json", std::ios::trunc) << R"({"a": 0, "b": -1})";
    INVX_VERIFY_MESSAGE(test::errorOf([&] { BpeTokenizer::fromDirectory(d.string()); }),
                        "token 'b' has an id that is not a non-negative integer");
    std::ofstream(d / "vocab.json", std::ios::trunc) << R"({"a": 0, "b": 1, "ab": 2})";
    std::ofstream(d / "merges.txt", std::ios::trunc) << "#version: 0.2\na b\nabc\n";
    INVX_VERIFY_MESSAGE(test::errorOf([&] { BpeTokenizer::fromDirectory(d.string()); }),
                        "merges.txt', line 3: expected two symbols");
    std::ofstream(d / "merges.txt", std::ios::trunc) << "a b\n";
    const auto tiny = BpeTokenizer::fromDirectory(d.string());
    INVX_VERIFY_MESSAGE(test::errorOf([&] { tiny.encode("c"); }),
                        "symbol 'c' is not in vocab.json");
    auto ids = tiny.encode("abab");
    QCOMPARE(QList<int>(ids.begin(), ids.end()), (QList<int>{2, 2}));

    // Ids outside the vocabulary plus the added tokens: refused with the file and token named,
    // before anything is sized from them (a negative id wrote out of bounds, one near INT32_MAX
    // asked for ~64 GB).
    std::ofstream(d / "added_tokens.json") << R"({"<x>": -3})";
    INVX_VERIFY_MESSAGE(test::errorOf([&] { BpeTokenizer::fromDirectory(d.string()); }),
                        "added_tokens.json",
                        "token '<x>' has an id that is not a non-negative integer");
    std::ofstream(d / "added_tokens.json", std::ios::trunc) << R"({"<x>": 2147483000})";
    INVX_VERIFY_MESSAGE(test::errorOf([&] { BpeTokenizer::fromDirectory(d.string()); }),
                        "added_tokens.json",
                        "added token '<x>' has id 2147483000, beyond the 4 ids");
    std::ofstream(d / "added_tokens.json", std::ios::trunc) << R"({"<x>": 3})";
    QCOMPARE(BpeTokenizer::fromDirectory(d.string()).encode("ab<x>"),
             (std::vector<std::int32_t>{2, 3}));
    fs::remove(d / "added_tokens.json");
    std::ofstream(d / "tokenizer_config.json")
        << R"({"added_tokens_decoder": {"-1": {"content": "<y>"}}})";
    INVX_VERIFY_MESSAGE(test::errorOf([&] { BpeTokenizer::fromDirectory(d.string()); }),
                        "tokenizer_config.json",
                        "added_tokens_decoder key '-1' is not a non-negative integer id");
    std::ofstream(d / "tokenizer_config.json", std::ios::trunc)
        << R"({"added_tokens_decoder": {"2147483647": {"content": "<y>"}}})";
    INVX_VERIFY_MESSAGE(test::errorOf([&] { BpeTokenizer::fromDirectory(d.string()); }),
                        "tokenizer_config.json", "added token '<y>' has id 2147483647");
    std::ofstream(d / "tokenizer_config.json", std::ios::trunc)
        << R"({"added_tokens_decoder": {"12x": {"content": "<y>"}}})";
    INVX_VERIFY_MESSAGE(test::errorOf([&] { BpeTokenizer::fromDirectory(d.string()); }),
                        "key '12x' is not");
    fs::remove(d / "tokenizer_config.json");
    std::ofstream(d / "vocab.json", std::ios::trunc) << R"({"a": 0, "b": 1, "ab": 2000000000})";
    INVX_VERIFY_MESSAGE(test::errorOf([&] { BpeTokenizer::fromDirectory(d.string()); }),
                        "vocab.json", "token 'ab' has id 2000000000, beyond the 3 ids");
}

QTEST_APPLESS_MAIN(TestBpeTokenizer)
#include "tst_bpe_tokenizer.moc"
