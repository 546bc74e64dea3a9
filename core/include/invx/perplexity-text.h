#pragma once
// Preparing evaluation text by the GPTQ/AWQ/OmniQuant protocol (SPEC section 3).
#include <cstdint>
#include <string>
#include <vector>

#include "invx/bpe-tokenizer.h"

namespace invx {

// The evaluation text of a raw WikiText-style file: every line is a row, whitespace-only lines
// become empty rows, other rows keep their line break, and rows are joined with "\n\n" (this is
// "\n\n".join(dataset["text"]) of Hugging Face's wikitext-2-raw-v1).
std::string joinRowsForPerplexity(const std::string& fileContent);

// The token ids an evaluation measures, with OPT's </s> in front. A raw text file is prepared by
// joinRowsForPerplexity; JSON lines with a "text" field (.jsonl, .json, .gz, as the "c4" sample
// is stored) are joined with "\n\n" and cut to their first `jsonTokenLimit` tokens, as the
// published code does with C4's validation shard. Errors name the file.
constexpr std::int64_t kJsonEvaluationTokens = 1000000;
std::vector<std::int32_t> evaluationTokenIds(const std::string& nameOrPath,
                                             const BpeTokenizer& tokenizer,
                                             std::int64_t jsonTokenLimit = kJsonEvaluationTokens);

}  // namespace invx
