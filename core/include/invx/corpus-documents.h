#pragma once
// The documents of a text corpus, whatever its format, for calibration and evaluation.
#include <string>
#include <vector>

namespace invx {

// The documents of a corpus: a name (see resolveDataset) or a path. Formats: WikiExtractor
// "<doc ...>" files (one document each), JSON lines with a "text" field (.jsonl, .json, .gz),
// WikiText token files (one document per non-blank line), and other text files or directories of
// .txt files (one document per paragraph, paragraphs separated by blank lines).
std::vector<std::string> readCorpusDocuments(const std::string& nameOrPath);

// Whether readCorpusDocuments reads `path` as JSON lines with a "text" field: .jsonl, .json, .gz.
bool isJsonLinesFile(const std::string& path);

}  // namespace invx
