#pragma once
// log P(continuation | context) for many requests at once, by lm-evaluation-harness's rules:
// trailing whitespace of the context moves to the continuation, the continuation's tokens are those
// of tokenize(context + continuation) after tokenize(context), and a request longer than the
// model's positions keeps its last tokens. Requests that share their context (an item's choices)
// share one forward of it: one row holds the context once and each continuation after it, at the
// positions it would have alone, each seeing the context and itself (a mask instead of the causal
// triangle). Rows are sorted by length and run in right-padded batches (padding after a sequence
// cannot reach it); only the continuations' positions go through the LM head, so no
// [batch, seq, vocab] tensor is formed.
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "invx/bpe-tokenizer.h"
#include "model/opt-model.h"

namespace invx {

struct TokenizedRequest {
    std::vector<std::int32_t> context, continuation;
};

// Tokens of contexts already seen: the choices of an item share theirs.
using ContextTokenCache = std::unordered_map<std::string, std::vector<std::int32_t>>;

// The harness's split of one request into tokens. Throws for an empty context or continuation.
TokenizedRequest tokenizeRequest(const BpeTokenizer& tokenizer, const std::string& context,
                                 const std::string& continuation,
                                 ContextTokenCache* cache = nullptr);

struct LoglikelihoodOptions {
    std::int64_t batchTokens = 8192;  // rows x longest row of a batch, at most (one row at least)
};

// Called after each batch with requests done and in all; returns false to stop (the results of
// requests not scored are then NaN).
using LoglikelihoodProgress = std::function<bool(std::int64_t done, std::int64_t total)>;

// The summed log-probability (natural log, float32 softmax, summed in float64) of each request's
// continuation, in the order given.
std::vector<double> evaluateLoglikelihoods(const OptModel& model,
                                           const std::vector<TokenizedRequest>& requests,
                                           const LoglikelihoodOptions& options = {},
                                           const LoglikelihoodProgress& progress = {});

}  // namespace invx
