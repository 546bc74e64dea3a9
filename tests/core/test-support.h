#pragma once
// Shared fixtures: the data directory, temporary model directories with random OPT weights.
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <functional>
#include <string>

#include "invx/experiment-file.h"
#include "invx/opt-config.h"
#include "invx/search-run.h"
#include "model/opt-model.h"

namespace invx::test {

// $INVX_DATA, else the ../shared/data beside the source tree. Fails the test when absent.
std::string dataDir();

// A small OPT config: pre-LN unless postLN; with project_in/out when projDim != hidden.
OptConfig tinyConfig(bool postLN = false, std::int64_t projDim = 0);

// Random weights (normal, std 0.2; LayerNorm near 1) for `config`, under HF OPTForCausalLM names.
NamedTensors randomWeights(const OptConfig& config, std::uint64_t seed);

// OPT's forward as transformers' modeling_opt.py writes it, from the state dict's names, in float64
// with plain operations (the whole score matrix, an explicit causal mask): logits [batch, seq,
// vocab] to check OptModel and what is built on it against.
at::Tensor referenceForward(const OptConfig& config, const NamedTensors& weights,
                            const at::Tensor& ids);

// Writes config.json and model.safetensors into `dir`.
void writeModel(const std::string& dir, const OptConfig& config, const NamedTensors& weights);

// A byte-level tokenizer in `dir`: the 256 byte tokens (ids 0-255) and "</s>" = 256 as OPT's BOS.
// One token per byte, so token counts are byte counts plus one.
void writeByteLevelTokenizer(const std::string& dir);

// What a search needs on disk: a float16 tiny model (vocabulary 260, byte-level tokenizer), a
// second model of the same shape with other weights, a corpus of short paragraphs (documents of
// 25-30 tokens) and an evaluation text.
struct SearchFixture {
    std::string model, otherModel, corpus, text;
};
SearchFixture writeSearchFixture(const std::string& dir);
// A search on the fixture: its model on the CPU, group 32, 4 x 32 calibration tokens of its corpus,
// `steps` steps, no evaluation.
SearchRunRequest fixtureSearchRequest(const SearchFixture& fixture,
                                      const std::string& experimentPath, std::int64_t steps);

// The invx command line run as a user runs it (INVX_CLI_PATH): exit code, stdout, stderr.
struct CliRun {
    int exitCode;
    QString out, err;
};
CliRun invxRun(const QStringList& args);

// Runs `fn` and returns the invx::Error message it threw; fails the test if it threw none.
std::string errorOf(const std::function<void()>& fn);

// Parts of synthetic experiment files (no model behind them): a 2-layer model of hidden size 8 and
// FFN width 6 ("/models/tiny"), a 2 x 3 calibration batch, and a checkpoint whose state follows
// from its step.
ModelIdentity identity();
CalibrationBatch calibration();
SearchCheckpoint checkpointAt(std::int64_t step);

// Overwrites row `row` of a one-column numeric table of a closed HDF5 file, as a damaged or edited
// file holds it.
void overwriteRow(const std::string& path, const char* table, std::uint64_t row,
                  std::int64_t value);
// The file's bytes, to compare before and after what must not change it.
std::string fileBytes(const std::string& path);
// "key: sentence" of the SettingError `fn` throws (a failure when it throws anything else), so that
// a test asserts which setting a problem is about as data, not by reading it from the sentence.
std::string settingErrorOf(const std::function<void()>& fn);

}  // namespace invx::test

// QVERIFY that `message` contains every one of the given fragments.
#define INVX_VERIFY_MESSAGE(message, ...)                                                        \
    do {                                                                                         \
        /* std::string copies: a fragment may point into a temporary (QByteArray::constData). */ \
        const std::string invxMessage_ = (message);                                              \
        for (const std::string& fragment : std::initializer_list<std::string>{__VA_ARGS__})      \
            QVERIFY2(invxMessage_.find(fragment) != std::string::npos,                           \
                     qPrintable(QStringLiteral("'%1' lacks '%2'")                                \
                                    .arg(QString::fromStdString(invxMessage_),                   \
                                         QString::fromStdString(fragment))));                    \
    } while (0)
