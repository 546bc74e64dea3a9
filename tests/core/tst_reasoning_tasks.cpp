// Reasoning tasks by lm-evaluation-harness's conventions: k-shot prompts built from other items of
// the same file with their gold answers; acc and acc_norm from log-likelihoods; the harness's
// split of a request into tokens; and batched, padded, truncated log-likelihoods against the same
// sums taken from a float64 forward written out independently (test::referenceForward).
#include <ATen/ATen.h>

#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <fstream>
#include <set>

#include "invx/error.h"
#include "invx/reasoning-tasks.h"
#include "metrics/loglikelihood-evaluator.h"
#include "metrics/task-evaluation.h"
#include "test-support.h"

using namespace invx;

namespace {
std::string fixture(const char* name) {
    return std::string(INVX_SOURCE_DIR) + "/tests/fixtures/tasks/" + name;
}

bool startsWith(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}
bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

class TestReasoningTasks : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void zeroShotChoicesAreTheQueryAndEachAnswer();
    void shotsAreOtherItemsWithTheirGoldAnswers();
    void winograndeScoresTheSharedContinuationAfterEachOption();
    void hellaswagItemsAreSixLines();
    void accAndAccNormPickTheirArgmax();
    void requestsSplitAsTheHarnessSplitsThem();
    void batchedLoglikelihoodsEqualTheReferenceForward_data();
    void batchedLoglikelihoodsEqualTheReferenceForward();
    void tasksRunEndToEnd();
};

void TestReasoningTasks::zeroShotChoicesAreTheQueryAndEachAnswer() {
    TaskPromptOptions o;
    o.shots = 0;
    const TaskPrompts p = buildTaskPrompts("arc_easy", fixture("arc_easy.jsonl"), o);
    QCOMPARE(p.itemsInFile, std::int64_t(5));  // the blank line is no item
    QCOMPARE(p.items.size(), std::size_t(5));
    const TaskItem& first = p.items[0];
    QCOMPARE(first.gold, 1);
    QCOMPARE(first.choices.size(), std::size_t(4));
    QCOMPARE(first.choices[1].context,
             std::string("Question: Which gas do plants take in?\nAnswer:"));
    QCOMPARE(first.choices[1].continuation, std::string(" carbon dioxide"));
    QCOMPARE(first.choices[1].normLength,
             std::int64_t(14));  // "carbon dioxide", without the delimiter
    QCOMPARE(p.items[2].choices.size(), std::size_t(3));
    o.limit = 2;
    QCOMPARE(buildTaskPrompts("arc_easy", fixture("arc_easy.jsonl"), o).items.size(),
             std::size_t(2));
}

void TestReasoningTasks::shotsAreOtherItemsWithTheirGoldAnswers() {
    const std::vector<std::string> solved = {
        "Question: Which gas do plants take in?\nAnswer: carbon dioxide",
        "Question: What melts ice?\nAnswer: heat", "Question: Which is a mammal?\nAnswer: whale",
        "Question: What does a thermometer measure?\nAnswer: temperature",
        "Question: Where does the Sun rise?\nAnswer: east"};
    TaskPromptOptions o;
    o.shots = 3;
    const TaskPrompts p = buildTaskPrompts("arc_easy", fixture("arc_easy.jsonl"), o);
    std::set<std::string> shotSets;
    for (std::size_t i = 0; i < p.items.size(); ++i) {
        const std::string& context = p.items[i].choices[0].context;
        const std::string query = solved[i].substr(0, solved[i].find("Answer:") + 7);
        QVERIFY(endsWith(context, "\n\n" + query));
        // Three blank-line-separated shots, each another item solved, none repeated.
        std::string rest = context.substr(0, context.size() - query.size());
        std::set<std::string> seen;
        for (int s = 0; s < 3; ++s) {
            const std::size_t end = rest.find("\n\n");
            QVERIFY(end != std::string::npos);
            const std::string shot = rest.substr(0, end);
            QVERIFY2(std::find(solved.begin(), solved.end(), shot) != solved.end(), shot.c_str());
            QVERIFY(shot != solved[i]);
            QVERIFY(seen.insert(shot).second);
            rest = rest.substr(end + 2);
        }
        QVERIFY(rest.empty());
        for (const ChoiceRequest& c : p.items[i].choices)
            QCOMPARE(c.context, context);  // one context for all choices
        shotSets.insert(context);
    }
    QVERIFY(shotSets.size() > 1);
    // The same seed draws the same shots; another seed, others.
    QCOMPARE(buildTaskPrompts("arc_easy", fixture("arc_easy.jsonl"), o).items[0].choices[0].context,
             p.items[0].choices[0].context);
    o.seed = 99;
    bool differs = false;
    const TaskPrompts q = buildTaskPrompts("arc_easy", fixture("arc_easy.jsonl"), o);
    for (std::size_t i = 0; i < p.items.size(); ++i)
        differs = differs || q.items[i].choices[0].context != p.items[i].choices[0].context;
    QVERIFY(differs);
    o.shots = 5;  // only four other items
    INVX_VERIFY_MESSAGE(
        test::errorOf([&] { buildTaskPrompts("arc_easy", fixture("arc_easy.jsonl"), o); }),
        "arc_easy.jsonl", "5 items", "5 shots");
}

void TestReasoningTasks::winograndeScoresTheSharedContinuationAfterEachOption() {
    TaskPromptOptions o;
    o.shots = 1;
    const TaskPrompts p = buildTaskPrompts("winogrande", fixture("winogrande.jsonl"), o);
    const TaskItem& first = p.items[0];
    QCOMPARE(first.gold, 1);
    QCOMPARE(first.choices[0].continuation, std::string(" got the easier cases."));
    QCOMPARE(first.choices[1].continuation, first.choices[0].continuation);
    QVERIFY(
        endsWith(first.choices[0].context, "\n\nSarah was a better surgeon than Maria so Sarah"));
    QVERIFY(
        endsWith(first.choices[1].context, "\n\nSarah was a better surgeon than Maria so Maria"));
    // The shot is another sentence, its gold option filled in and completed.
    const std::string shot =
        first.choices[0].context.substr(0, first.choices[0].context.find("\n\n"));
    QVERIFY2(shot == "The cup fit in the bag because the bag was large." ||
                 shot == "Tom lent Ben money because Ben was broke." ||
                 shot == "The ice melted in the sun because the sun was hot.",
             shot.c_str());
    QCOMPARE(first.choices[0].normLength,
             std::int64_t(std::string("Sarah was a better surgeon than Maria so Sarah").size()));
}

void TestReasoningTasks::hellaswagItemsAreSixLines() {
    TaskPromptOptions o;
    o.shots = 0;
    const TaskPrompts p = buildTaskPrompts("hellaswag", fixture("hellaswag_val_full.txt"), o);
    QCOMPARE(p.items.size(), std::size_t(3));
    QCOMPARE(p.items[0].gold, 2);
    QCOMPARE(p.items[0].choices[2].context,
             std::string("Baking: A woman mixes flour and eggs. she"));
    QCOMPARE(p.items[0].choices[2].continuation, std::string(" pours the batter into a pan."));
    QCOMPARE(p.items[2].gold, 3);
    QTemporaryDir dir;
    const std::string bad = dir.filePath("hellaswag_val_full.txt").toStdString();
    std::ofstream(bad) << "Context. he\nthree\na.\nb.\nc.\nd.\n";
    INVX_VERIFY_MESSAGE(test::errorOf([&] { buildTaskPrompts("hellaswag", bad, o); }),
                        "hellaswag_val_full.txt:2", "'three'");
    std::ofstream(bad) << "Context. he\n1\na.\nb.\n";
    INVX_VERIFY_MESSAGE(test::errorOf([&] { buildTaskPrompts("hellaswag", bad, o); }),
                        "incomplete item at line 1");
    const std::string arc = dir.filePath("arc.jsonl").toStdString();
    std::ofstream(arc) << "{\"query\": \"Q\", \"choices\": [\"a\", \"b\"], \"gold\": 2}\n";
    INVX_VERIFY_MESSAGE(test::errorOf([&] { buildTaskPrompts("arc_easy", arc, o); }), "arc.jsonl:1",
                        "gold answer 2", "2 choices");
    std::ofstream(arc) << "{\"question\": \"Q\"}\n";
    INVX_VERIFY_MESSAGE(test::errorOf([&] { buildTaskPrompts("arc_easy", arc, o); }), "arc.jsonl:1",
                        "query, choices, gold");
    INVX_VERIFY_MESSAGE(test::errorOf([&] { parseTaskList("arc_easy,mmlu"); }),
                        "'mmlu' is not a task", "winogrande");
    QCOMPARE(parseTaskList("all").size(), std::size_t(6));
    QCOMPARE(parseTaskList("piqa,boolq,piqa"), (std::vector<std::string>{"piqa", "boolq"}));
}

void TestReasoningTasks::accAndAccNormPickTheirArgmax() {
    TaskPrompts p;
    p.task = "made-up";
    auto item = [](int gold, std::vector<std::int64_t> lengths) {
        TaskItem t;
        t.gold = gold;
        for (std::int64_t n : lengths) t.choices.push_back({"c", " x", n});
        return t;
    };
    p.items = {item(0, {2, 12}), item(1, {2, 12}), item(0, {1, 1}), item(1, {3, 3, 3})};
    // Item 0: -4 > -6, so acc picks 0 (right); per byte -2 < -0.5, so acc_norm picks 1 (wrong).
    // Item 1: the same numbers, gold 1: acc wrong, acc_norm right. Item 2: a tie goes to the first
    // choice (right). Item 3: choice 1 is best either way.
    const std::vector<std::vector<double>> ll = {{-4, -6}, {-4, -6}, {-1, -1}, {-9, -3, -6}};
    const TaskScore s = scoreTask(p, ll);
    QCOMPARE(s.items, std::int64_t(4));
    QCOMPARE(s.acc, 0.75);      // items 0, 2, 3
    QCOMPARE(s.accNorm, 0.75);  // items 1, 2, 3
    INVX_VERIFY_MESSAGE(test::errorOf([&] { scoreTask(p, {{-1, -2}}); }), "1 results for 4 items");
}

void TestReasoningTasks::requestsSplitAsTheHarnessSplitsThem() {
    QTemporaryDir dir;
    test::writeByteLevelTokenizer(dir.path().toStdString());
    const BpeTokenizer tokenizer = BpeTokenizer::fromDirectory(dir.path().toStdString());
    // One token per byte: the context's trailing space moves to the continuation.
    const TokenizedRequest a = tokenizeRequest(tokenizer, "Answer: ", "yes");
    QCOMPARE(a.context.size(), std::size_t(7));
    QCOMPARE(a.continuation, (std::vector<std::int32_t>{' ', 'y', 'e', 's'}));
    const TokenizedRequest b = tokenizeRequest(tokenizer, "Answer:", " yes");
    QCOMPARE(b.context, a.context);
    QCOMPARE(b.continuation, a.continuation);
    ContextTokenCache cache;  // the choices of an item share a context: it is tokenized once
    const TokenizedRequest c = tokenizeRequest(tokenizer, "Answer: ", "yes", &cache),
                           d = tokenizeRequest(tokenizer, "Answer:", " no", &cache);
    QCOMPARE(cache.size(), std::size_t(1));
    QCOMPARE(c.context, a.context);
    QCOMPARE(c.continuation, a.continuation);
    QCOMPARE(d.context, a.context);
    QCOMPARE(d.continuation, (std::vector<std::int32_t>{' ', 'n', 'o'}));
    INVX_VERIFY_MESSAGE(test::errorOf([&] { tokenizeRequest(tokenizer, "  ", "yes"); }),
                        "empty context");
}

void TestReasoningTasks::batchedLoglikelihoodsEqualTheReferenceForward_data() {
    QTest::addColumn<int>("batchTokens");
    QTest::newRow("a row per batch, padded") << 100;  // several batches
    QTest::newRow("several rows per batch") << 300;   // shared rows of different lengths together
}

void TestReasoningTasks::batchedLoglikelihoodsEqualTheReferenceForward() {
    OptConfig c = test::tinyConfig();  // 64 positions
    c.vocabSize = 260;
    const NamedTensors weights = test::randomWeights(c, 7);
    const OptModel model = OptModel::fromTensors(c, weights, {}, "random");
    at::manual_seed(3);
    std::vector<TokenizedRequest> requests;
    const int lengths[][2] = {{5, 1},  {20, 3}, {7, 7},  {1, 2},
                              {60, 4}, {70, 5}, {33, 1}, {12, 6}};  // 70 + 5 > 64: truncated
    for (const auto& [context, continuation] : lengths) {
        TokenizedRequest r;
        for (int i = 0; i < context; ++i)
            r.context.push_back(std::int32_t(at::randint(0, 260, {1}).item<std::int64_t>()));
        for (int i = 0; i < continuation; ++i)
            r.continuation.push_back(std::int32_t(at::randint(0, 260, {1}).item<std::int64_t>()));
        requests.push_back(r);
    }
    // Choices of one item share their context, and share its forward: continuations of several
    // lengths after request 1's context, and two after request 5's truncated one.
    for (int length : {1, 3, 5, 2}) {
        TokenizedRequest r{requests[1].context, {}};
        for (int i = 0; i < length; ++i)
            r.continuation.push_back(std::int32_t(at::randint(0, 260, {1}).item<std::int64_t>()));
        requests.push_back(r);
    }
    for (int copy = 0; copy < 2; ++copy) {
        TokenizedRequest r{requests[5].context, {}};
        for (int i = 0; i < 5; ++i)
            r.continuation.push_back(std::int32_t(at::randint(0, 260, {1}).item<std::int64_t>()));
        requests.push_back(r);
    }
    LoglikelihoodOptions options;
    QFETCH(int, batchTokens);
    options.batchTokens = batchTokens;
    std::vector<std::int64_t> progress;
    const std::vector<double> got = evaluateLoglikelihoods(
        model, requests, options, [&](std::int64_t done, std::int64_t total) {
            progress.push_back(done);
            return total == std::int64_t(requests.size());
        });
    QVERIFY(progress.size() >= (batchTokens < 200 ? 3u : 2u));
    QCOMPARE(progress.back(), std::int64_t(requests.size()));
    for (std::size_t i = 0; i < requests.size(); ++i) {
        std::vector<std::int64_t> all(requests[i].context.begin(), requests[i].context.end());
        all.insert(all.end(), requests[i].continuation.begin(), requests[i].continuation.end());
        if (all.size() > 65) all.erase(all.begin(), all.end() - 65);  // the last 64 + 1 tokens
        const std::int64_t n = std::int64_t(all.size()) - 1,
                           k = std::int64_t(requests[i].continuation.size());
        at::Tensor input =
            at::tensor(std::vector<std::int64_t>(all.begin(), all.end() - 1), at::kLong)
                .unsqueeze(0);
        at::Tensor logp =
            at::log_softmax(test::referenceForward(c, weights, input).squeeze(0), -1);  // float64
        double expected = 0;
        for (std::int64_t t = 0; t < k; ++t)
            expected += logp[n - k + t][all[std::size_t(n - k + t + 1)]].item<double>();
        QVERIFY2(std::abs(got[i] - expected) < 1e-4,
                 qPrintable(QString("request %1: %2 vs %3").arg(i).arg(got[i]).arg(expected)));
    }
}

void TestReasoningTasks::tasksRunEndToEnd() {
    // The fixture files as a data directory; a tiny model whose vocabulary holds the byte tokens.
    QTemporaryDir dir;
    const std::string data = dir.filePath("data").toStdString();
    std::filesystem::create_directories(data + "/tasks");
    for (const char* f : {"arc_easy.jsonl", "winogrande.jsonl", "hellaswag_val_full.txt"})
        std::filesystem::copy_file(fixture(f), data + "/tasks/" + f);
    test::writeByteLevelTokenizer(dir.path().toStdString());
    const BpeTokenizer tokenizer = BpeTokenizer::fromDirectory(dir.path().toStdString());
    OptConfig c = test::tinyConfig();
    c.vocabSize = 260;
    c.maxPositions = 512;
    const OptModel model = OptModel::fromTensors(c, test::randomWeights(c, 11), {}, "random");
    TaskPromptOptions prompts;
    prompts.shots = 2;
    std::vector<std::string> seen;
    const auto results = evaluateReasoningTasks(
        model, tokenizer, {"arc_easy", "winogrande", "hellaswag"}, data, prompts, {},
        [&](const std::string& task, std::int64_t, std::int64_t) { seen.push_back(task); });
    QCOMPARE(results.size(), std::size_t(3));
    QCOMPARE(results[0].requests, std::int64_t(4 + 2 + 3 + 4 + 2));
    QCOMPARE(results[1].requests, std::int64_t(8));
    QCOMPARE(results[2].score.items, std::int64_t(3));
    QVERIFY(std::find(seen.begin(), seen.end(), "winogrande") != seen.end());
    // Each task's accuracy is what its log-likelihoods give, and each log-likelihood is the one the
    // evaluator gives for that request alone.
    for (const TaskResult& r : results) {
        const TaskPrompts p = buildTaskPrompts(r.prompts.task, r.prompts.file, prompts);
        QCOMPARE(scoreTask(p, r.loglikelihoods).acc, r.score.acc);
        const ChoiceRequest& last = p.items.back().choices.back();
        const double alone = evaluateLoglikelihoods(
            model, {tokenizeRequest(tokenizer, last.context, last.continuation)})[0];
        QVERIFY(std::abs(alone - r.loglikelihoods.back().back()) < 1e-4);
    }
}

QTEST_GUILESS_MAIN(TestReasoningTasks)
#include "tst_reasoning_tasks.moc"
