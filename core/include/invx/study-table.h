#pragma once
// A study's table in the paper's layout (its Tables 2-4): for each quantization the base method
// before the search as a baseline row, then one row per variant, each the mean and sample standard
// deviation over its runs (seeds); WikiText-2 and C4 perplexity, the six tasks' accuracy and their
// average; the best quantized value of each column and bit width in bold. Values are what the
// experiment files record (`invx eval --record`, `invx table --evaluate`, Measure Missing), as in
// the results table. Torch-free: the workbench and the command line print the same text.
#include <optional>
#include <string>
#include <vector>

#include "invx/results-table.h"

namespace invx {

// One variant of a study: its label in the paper's words and the files of its runs (one a seed).
struct StudyVariant {
    std::string label;               // "P only", "2-bit, group 64", "10 matched layers"
    std::vector<std::string> paths;  // experiment files
};

struct StudyCell {
    std::optional<double> mean;  // over the runs that record the value
    double sd = 0;               // sample standard deviation; 0 for one run
    int n = 0;                   // runs that record it
    bool partial = false;        // some run measured it on part of the data
    bool best = false;
};

struct StudyRow {
    std::string label;
    bool baseline = false;         // the base method before the search
    std::string bits;              // as the results table writes them: "2", "3 (g64)"
    int runs = 0;                  // files in the row
    std::vector<StudyCell> cells;  // one per column; the average last
};

struct StudyTable {
    std::string model;                 // the model's directory name
    std::vector<std::string> columns;  // wikitext2, c4, the tasks, average
    std::vector<StudyRow> rows;
    std::vector<std::string> missing;  // "FILE: the searched model (step 500) on c4"
};

// `sources` holds every file the variants name (readResultsSources). Throws naming the files when
// they are of different models, and a variant without files.
StudyTable buildStudyTable(const std::vector<StudyVariant>& variants,
                           const std::vector<ResultsSource>& sources);

// Two decimals; "mean ± sd" where more than one run gives a value, the value alone for one run;
// * for a partial value; bold as the results table. LaTeX: a booktabs tabular. CSV: mean, sd and n
// columns per metric.
std::string formatStudyTable(const StudyTable& table, ResultsFormat format);

}  // namespace invx
