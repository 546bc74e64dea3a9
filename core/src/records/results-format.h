#pragma once
// What the results table and the study table share: the newest recorded value of a model on a
// metric, a value as a table cell, and the text of numbers, methods and bit widths in Markdown,
// LaTeX and CSV.
#include <cstdint>
#include <string>
#include <vector>

#include "invx/quant-config.h"
#include "invx/results-table.h"
#include "invx/search-records.h"

namespace invx::results {

bool isPerplexity(const std::string& column);  // wikitext2 and c4: lower is better
std::string fileName(const std::string& path);

// The newest record of `model` at `step` on `metric` (later rows win ties of time). A searched
// model at step 0 (a search that took no step yet) is the base model.
const ResultRecord* newest(const std::vector<ResultRecord>& results, const std::string& model,
                           std::int64_t step, const std::string& metric);
// Perplexity as it is, accuracy in percent; partial when measured on part of the data.
ResultsCell cellOf(const ResultRecord* record, const std::string& column);

std::string methodName(const std::string& base);  // "AWQ"
std::string bitsText(const QuantConfig& quant);   // "2", "3 (g64)", "2 (per row)"

std::string number(double v);  // two decimals
std::string latexEscape(const std::string& text);
std::string csvField(const std::string& text);

}  // namespace invx::results
