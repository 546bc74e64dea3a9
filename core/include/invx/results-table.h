#pragma once
// The paper's results table (its Table 1) for one model, from experiment files: rows for the full
// precision model, each base method and each base method with InvarExplore; columns WikiText-2 and
// C4 perplexity, the six reasoning tasks' accuracy and their average. Values come from the results
// the files record (`invx eval --record`, `invx table --evaluate`); the newest of each kind counts.
// Torch-free: the CLI and the workbench print the same table.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "invx/search-records.h"
#include "invx/search-settings.h"

namespace invx {

// What one experiment file contributes.
struct ResultsSource {
    std::string path;
    SearchSettings settings;
    ModelIdentity model;
    std::int64_t searchedStep = 0;  // the step of the file's last checkpoint: the searched model
    std::vector<ResultRecord> results;
};

struct ResultsCell {
    std::optional<double> value;  // perplexity, or accuracy in percent
    bool partial = false;         // measured on part of the data (--limit, --max-windows)
    bool best = false;            // the best quantized value of its column and bit width (bold)
};

struct ResultsRow {
    std::string bits;    // "16", "2", "3 (g64)"
    std::string method;  // "FP16", "RTN", "GPTQ + InvarExplore", ...
    std::string model;   // ResultRecord::model of the row
    // The files its values may come from: one for a searched row, those of its base method, bits
    // and group for a base row, every file for the full-precision row. New measurements of the
    // row are recorded in the first.
    std::vector<std::string> paths;
    std::int64_t step = 0;           // the checkpoint step of a searched row (0 otherwise)
    std::vector<ResultsCell> cells;  // one per column; the average last
};

struct ResultsTable {
    std::string model;                 // the model's directory name
    std::vector<std::string> columns;  // metric names: wikitext2, c4, the tasks, then "average"
    std::vector<ResultsRow> rows;
    // A sentence per value no file records: "FILE: the searched model (step 500) on c4".
    std::vector<std::string> missing;
};

// Each file's settings, model, last checkpoint and recorded results; throws naming a file that is
// not an experiment or holds no checkpoint.
std::vector<ResultsSource> readResultsSources(const std::vector<std::string>& experimentPaths);

// The metric columns of the table: wikitext2, c4 and the six tasks.
const std::vector<std::string>& resultsColumns();
// A column's heading as a paper prints it ("Wiki2", "ARC-C", "Avg").
std::string resultsHeading(const std::string& column);

// Throws naming the files when they are of different models. Files over the same base method,
// bits and group share one base row; searched rows of such files are told apart by file name.
ResultsTable buildResultsTable(const std::vector<ResultsSource>& sources);

// One model a table lacks values of: the file its results go to, the row's model (full-precision,
// base or searched) and the metrics (wikitext2, c4, task names) to measure.
struct ResultsMeasurement {
    std::string path;
    std::string model;
    std::vector<std::string> metrics;
};

// What the table lacks among `metrics` in the rows of `models`; a partial value counts as lacking
// when whole data sets are to be measured.
std::vector<ResultsMeasurement> missingMeasurements(const ResultsTable& table,
                                                    const std::set<std::string>& models,
                                                    const std::set<std::string>& metrics,
                                                    bool wholeDataSets);

enum class ResultsFormat { Markdown, Latex, Csv };
ResultsFormat parseResultsFormat(const std::string& name);  // markdown | latex | csv
// Perplexities with two decimals, accuracies in percent with two; partial values carry a mark and
// a note says what it means; a missing value is a dash (empty in CSV); the best quantized value of
// each column and bit width is bold (Markdown **, LaTeX \textbf), as papers mark it.
std::string formatResultsTable(const ResultsTable& table, ResultsFormat format);

}  // namespace invx
