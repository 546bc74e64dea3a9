#include "invx/study-table.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <tuple>

#include "invx/error.h"
#include "records/results-format.h"

namespace invx {

using namespace results;

namespace {

// What decides the base method's model: files that share it share one baseline row.
using BaseKey =
    std::tuple<std::string, int, int, std::string, int, int, std::string, std::uint64_t>;
BaseKey baseKey(const SearchSettings& s) {
    return {s.base,
            s.quant.bits,
            s.quant.groupSize,
            s.awqPrecision,
            s.baseCalibrationSamples,
            s.calibrationLength,
            s.calibrationCorpus,
            s.calibrationSeed};
}

// One run's cells on every metric column, and the average of the six tasks when all are there.
std::vector<ResultsCell> runCells(const ResultsSource& f, const std::string& model,
                                  std::int64_t step) {
    std::vector<ResultsCell> cells;
    double sum = 0;
    int tasks = 0;
    bool partial = false, complete = true;
    for (const std::string& metric : resultsColumns()) {
        cells.push_back(cellOf(newest(f.results, model, step, metric), metric));
        if (isPerplexity(metric)) continue;
        complete = complete && cells.back().value.has_value();
        if (cells.back().value)
            sum += *cells.back().value, ++tasks, partial = partial || cells.back().partial;
    }
    ResultsCell average;
    if (complete) average.value = sum / tasks, average.partial = partial;
    cells.push_back(average);
    return cells;
}

// The mean and sample standard deviation of the runs' cells, column by column.
std::vector<StudyCell> summarize(const std::vector<std::vector<ResultsCell>>& runs,
                                 std::size_t columns) {
    std::vector<StudyCell> out(columns);
    for (std::size_t c = 0; c < columns; ++c) {
        double sum = 0, squares = 0;
        StudyCell& cell = out[c];
        for (const auto& run : runs) {
            if (!run[c].value) continue;
            sum += *run[c].value;
            ++cell.n;
            cell.partial = cell.partial || run[c].partial;
        }
        if (cell.n == 0) continue;
        cell.mean = sum / cell.n;
        for (const auto& run : runs)
            if (run[c].value)
                squares += (*run[c].value - *cell.mean) * (*run[c].value - *cell.mean);
        cell.sd = cell.n > 1 ? std::sqrt(squares / (cell.n - 1)) : 0.0;
    }
    return out;
}

// Lower perplexity, higher accuracy, among the rows of one bit width (ties all bold).
void markBest(StudyTable& t) {
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
        const bool lower = isPerplexity(t.columns[c]);
        for (StudyRow& r : t.rows) {
            StudyCell& cell = r.cells[c];
            if (!cell.mean) continue;
            cell.best = true;
            for (const StudyRow& other : t.rows) {
                const StudyCell& o = other.cells[c];
                if (other.bits != r.bits || !o.mean) continue;
                if (lower ? *o.mean < *cell.mean : *o.mean > *cell.mean) cell.best = false;
            }
        }
    }
}

void noteMissing(StudyTable& t, const ResultsSource& f, const std::string& model, std::int64_t step,
                 const std::vector<ResultsCell>& cells) {
    for (std::size_t c = 0; c < resultsColumns().size(); ++c)
        if (!cells[c].value)
            t.missing.push_back(fileName(f.path) + ": " +
                                (model == "base"
                                     ? std::string("the base-quantized model (step 0)")
                                     : "the searched model (step " + std::to_string(step) + ")") +
                                " on " + resultsColumns()[c]);
}

}  // namespace

StudyTable buildStudyTable(const std::vector<StudyVariant>& variants,
                           const std::vector<ResultsSource>& sources) {
    std::map<std::string, const ResultsSource*> byPath;
    for (const ResultsSource& s : sources) byPath[s.path] = &s;
    auto source = [&](const std::string& path) {
        const auto it = byPath.find(path);
        if (it == byPath.end())
            throw Error("the study's file '" + path + "' was not read (a defect in invx)");
        return it->second;
    };
    if (sources.empty()) throw Error("the study table needs at least one experiment file");
    for (const ResultsSource& s : sources)
        if (s.model.fingerprint != sources.front().model.fingerprint)
            throw Error("a study compares variants on one model, but '" + s.path + "' is of " +
                        s.model.path + " and '" + sources.front().path + "' of " +
                        sources.front().model.path);
    StudyTable table;
    table.model = fileName(sources.front().model.path);
    table.columns = resultsColumns();
    table.columns.push_back("average");

    // Baselines in the order their variants come, each followed by its variants.
    std::vector<BaseKey> order;
    std::map<BaseKey, std::vector<const StudyVariant*>> byBase;
    for (const StudyVariant& v : variants) {
        if (v.paths.empty())
            throw Error("the study's variant '" + v.label + "' has no experiment file");
        const BaseKey key = baseKey(source(v.paths.front())->settings);
        if (!byBase.count(key)) order.push_back(key);
        byBase[key].push_back(&v);
    }
    for (const BaseKey& key : order) {
        std::vector<const ResultsSource*> files;
        for (const StudyVariant* v : byBase[key])
            for (const std::string& p : v->paths) files.push_back(source(p));
        const SearchSettings& settings = files.front()->settings;
        // The base model is the same in every file of the key; the newest record of any counts.
        std::vector<std::vector<ResultsCell>> baseRuns;
        for (const ResultsSource* f : files) baseRuns.push_back(runCells(*f, "base", 0));
        StudyRow baseline{methodName(settings.base) + " (before the search)",
                          true,
                          bitsText(settings.quant),
                          1,
                          {}};
        std::vector<ResultsCell> newestBase(table.columns.size());
        for (const auto& run : baseRuns)
            for (std::size_t c = 0; c < run.size(); ++c)
                if (run[c].value && !newestBase[c].value) newestBase[c] = run[c];
        baseline.cells = summarize({newestBase}, table.columns.size());
        noteMissing(table, *files.front(), "base", 0, newestBase);
        table.rows.push_back(std::move(baseline));

        for (const StudyVariant* v : byBase[key]) {
            std::vector<std::vector<ResultsCell>> runs;
            for (const std::string& p : v->paths) {
                const ResultsSource* f = source(p);
                runs.push_back(runCells(*f, "searched", f->searchedStep));
                noteMissing(table, *f, "searched", f->searchedStep, runs.back());
            }
            StudyRow row{v->label, false, bitsText(settings.quant), int(v->paths.size()), {}};
            row.cells = summarize(runs, table.columns.size());
            table.rows.push_back(std::move(row));
        }
    }
    markBest(table);
    return table;
}

namespace {

// "12.34", "12.34 ± 0.05" (LaTeX: $\pm$), "–" (LaTeX: --) for no value.
std::string cellText(const StudyCell& c, bool latex) {
    if (!c.mean) return latex ? "--" : "–";
    std::string v = number(*c.mean);
    if (c.n > 1) v += (latex ? " $\\pm$ " : " ± ") + number(c.sd);
    if (latex) return (c.best ? "\\textbf{" + v + "}" : v) + (c.partial ? "$^{*}$" : "");
    if (c.partial) v += "\\*";
    return c.best ? "**" + v + "**" : v;
}

bool anyPartial(const StudyTable& t) {
    for (const StudyRow& r : t.rows)
        for (const StudyCell& c : r.cells)
            if (c.mean && c.partial) return true;
    return false;
}

std::string formatMarkdown(const StudyTable& t) {
    std::string out = "| Bits | Method | Runs |", rule = "| ---: | --- | ---: |";
    for (const std::string& c : t.columns) {
        out += " " + resultsHeading(c) + (isPerplexity(c) ? " ↓" : " ↑") + " |";
        rule += " ---: |";
    }
    out += "\n" + rule + "\n";
    for (const StudyRow& r : t.rows) {
        out += "| " + r.bits + " | " + r.label + " | " + std::to_string(r.runs) + " |";
        for (const StudyCell& c : r.cells) out += " " + cellText(c, false) + " |";
        out += "\n";
    }
    out +=
        "\nMean ± sample standard deviation over the runs (seeds); a value without ± is of one "
        "run.\n";
    if (anyPartial(t))
        out += "\\* measured on part of the data (the first windows or items only).\n";
    return out;
}

std::string formatLatex(const StudyTable& t) {
    std::string out = "\\begin{tabular}{rlr" + std::string(t.columns.size(), 'r') +
                      "}\n\\toprule\nBits & Method & Runs";
    for (const std::string& c : t.columns)
        out += " & " + resultsHeading(c) + (isPerplexity(c) ? " $\\downarrow$" : " $\\uparrow$");
    out += " \\\\\n\\midrule\n";
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
        const StudyRow& r = t.rows[i];
        if (i > 0 && r.baseline) out += "\\midrule\n";
        out += latexEscape(r.bits) + " & " + latexEscape(r.label) + " & " + std::to_string(r.runs);
        for (const StudyCell& c : r.cells) out += " & " + cellText(c, true);
        out += " \\\\\n";
    }
    out +=
        "\\bottomrule\n\\end{tabular}\n% mean $\\pm$ sample standard deviation over the runs "
        "(seeds)\n";
    if (anyPartial(t))
        out += "% * measured on part of the data (the first windows or items only)\n";
    return out;
}

std::string formatCsv(const StudyTable& t) {
    std::string out = "bits,method,baseline,runs";
    for (const std::string& c : t.columns) out += "," + c + "," + c + "_sd," + c + "_n";
    out += "\n";
    for (const StudyRow& r : t.rows) {
        out += csvField(r.bits) + "," + csvField(r.label) + "," + (r.baseline ? "1" : "0") + "," +
               std::to_string(r.runs);
        for (const StudyCell& c : r.cells) {
            char mean[40] = "", sd[40] = "";
            if (c.mean)
                std::snprintf(mean, sizeof mean, "%.6g", *c.mean),
                    std::snprintf(sd, sizeof sd, "%.6g", c.sd);
            out += std::string(",") + mean + "," + sd + "," + std::to_string(c.n);
        }
        out += "\n";
    }
    return out;
}

}  // namespace

std::string formatStudyTable(const StudyTable& table, ResultsFormat format) {
    switch (format) {
        case ResultsFormat::Markdown:
            return formatMarkdown(table);
        case ResultsFormat::Latex:
            return formatLatex(table);
        case ResultsFormat::Csv:
            return formatCsv(table);
    }
    return {};
}

}  // namespace invx
