#pragma once
// The calibration batch, AWQ style (SPEC section 3): shuffle the corpus documents with a fixed
// seed, skip documents longer than the block, concatenate their token ids (each document tokenized
// on its own, with the tokenizer's special tokens: OPT's </s> in front), cut into blocks, take the
// first n.
#include <cstdint>
#include <string>
#include <vector>

namespace invx {

class BpeTokenizer;

// samples x length token ids, row-major. Throws naming the corpus when it has too few tokens.
std::vector<std::int32_t> buildCalibrationBlocks(const std::vector<std::string>& documents,
                                                 const BpeTokenizer& tokenizer, int samples,
                                                 int length, std::uint64_t seed,
                                                 const std::string& corpusName);

}  // namespace invx
