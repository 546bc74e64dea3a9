#include "invx/results-table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "invx/error.h"
#include "invx/experiment-file.h"
#include "invx/reasoning-tasks.h"
#include "records/results-format.h"

namespace invx {

using namespace results;

namespace {

// The average of the six tasks, when all six are there.
ResultsCell averageOf(const std::vector<ResultsCell>& cells) {
    ResultsCell average;
    double sum = 0;
    int tasks = 0;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (isPerplexity(resultsColumns()[i])) continue;
        if (!cells[i].value) return {};
        sum += *cells[i].value;
        average.partial = average.partial || cells[i].partial;
        ++tasks;
    }
    average.value = sum / tasks;
    return average;
}

// FP16, BF16 or FP32: the precision the full-precision model was measured in.
std::string fullPrecisionName(const std::vector<const ResultRecord*>& records,
                              const std::string& recordedDtype) {
    for (const ResultRecord* r : records) {
        if (!r) continue;
        const nlohmann::json p =
            nlohmann::json::parse(r->protocol, nullptr, /*allow_exceptions=*/false);
        if (p.is_object() && p.contains("dtype") && p["dtype"].is_string()) {
            const std::string dtype = p["dtype"];
            if (dtype == "float16") return "FP16";
            if (dtype == "bfloat16") return "BF16";
            if (dtype == "float32") return "FP32";
        }
    }
    return recordedDtype == "float32" ? "FP32" : recordedDtype == "bfloat16" ? "BF16" : "FP16";
}

std::string describeRow(const std::string& model, std::int64_t step) {
    if (model == "full-precision") return "the full-precision model";
    if (model == "base") return "the base-quantized model (step 0)";
    return "the searched model (step " + std::to_string(step) + ")";
}

// Lower perplexity, higher accuracy; among the quantized rows of each bit width (ties all bold).
void markBest(ResultsTable& t) {
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
        const bool lower = isPerplexity(t.columns[c]);
        for (ResultsRow& r : t.rows) {
            ResultsCell& cell = r.cells[c];
            if (r.model == "full-precision" || !cell.value) continue;
            cell.best = true;
            for (const ResultsRow& other : t.rows) {
                const ResultsCell& o = other.cells[c];
                if (other.model == "full-precision" || other.bits != r.bits || !o.value) continue;
                if (lower ? *o.value < *cell.value : *o.value > *cell.value) cell.best = false;
            }
        }
    }
}

}  // namespace

std::vector<ResultsSource> readResultsSources(const std::vector<std::string>& paths) {
    std::vector<ResultsSource> sources;
    for (const std::string& path : paths) {
        const ExperimentFile file = ExperimentFile::open(path, /*writable=*/false);
        ResultsSource s;
        s.path = path;
        s.settings = file.settings();
        s.model = file.model();
        const std::vector<std::int64_t> steps = file.checkpointSteps();
        if (steps.empty())
            throw Error("experiment file '" + path +
                        "' holds no checkpoint, so no model to put in a table");
        s.searchedStep = steps.back();
        s.results = file.results();
        sources.push_back(std::move(s));
    }
    return sources;
}

const std::vector<std::string>& resultsColumns() {
    static const std::vector<std::string> columns = [] {
        std::vector<std::string> c{"wikitext2", "c4"};
        for (const std::string& task : reasoningTaskNames()) c.push_back(task);
        return c;
    }();
    return columns;
}

std::string resultsHeading(const std::string& column) {
    static const std::map<std::string, std::string> headings{
        {"wikitext2", "Wiki2"},     {"c4", "C4"},
        {"arc_challenge", "ARC-C"}, {"arc_easy", "ARC-E"},
        {"boolq", "BoolQ"},         {"hellaswag", "HellaSwag"},
        {"piqa", "PIQA"},           {"winogrande", "WinoGrande"},
        {"average", "Avg"}};
    const auto it = headings.find(column);
    return it == headings.end() ? column : it->second;
}

ResultsTable buildResultsTable(const std::vector<ResultsSource>& sources) {
    if (sources.empty()) throw Error("the results table needs at least one experiment file");
    for (const ResultsSource& s : sources)
        if (s.model.fingerprint != sources.front().model.fingerprint)
            throw Error("the results table compares methods on one model, but '" + s.path +
                        "' is of " + s.model.path + " and '" + sources.front().path + "' of " +
                        sources.front().model.path);
    ResultsTable table;
    table.model = fileName(sources.front().model.path);
    table.columns = resultsColumns();
    table.columns.push_back("average");
    const std::vector<std::string>& metrics = resultsColumns();

    // A row from the newest records across `files` (all of `model` at `step` of each file).
    auto makeRow = [&](const std::string& model, const std::vector<const ResultsSource*>& files,
                       bool searched) {
        ResultsRow row;
        row.model = model;
        for (const ResultsSource* f : files) row.paths.push_back(f->path);
        row.step = searched ? files.front()->searchedStep : 0;
        std::vector<const ResultRecord*> used;
        for (const std::string& metric : metrics) {
            const ResultRecord* best = nullptr;
            for (const ResultsSource* f : files)
                if (const ResultRecord* r =
                        newest(f->results, model, searched ? f->searchedStep : 0, metric);
                    r && (!best || r->unixTime >= best->unixTime))
                    best = r;
            row.cells.push_back(cellOf(best, metric));
            used.push_back(best);
            if (!best)
                table.missing.push_back(fileName(files.front()->path) + ": " +
                                        describeRow(model, row.step) + " on " + metric);
        }
        row.cells.push_back(averageOf(row.cells));
        if (model == "full-precision")
            row.method = fullPrecisionName(used, files.front()->model.dtype);
        return row;
    };

    std::vector<const ResultsSource*> all;
    for (const ResultsSource& s : sources) all.push_back(&s);
    ResultsRow fp = makeRow("full-precision", all, false);
    fp.bits = fp.method == "FP32" ? "32" : "16";  // FP16 and BF16 both
    table.rows.push_back(std::move(fp));

    // Groups of files with the same base method, bits and group size; RTN, AWQ, GPTQ, OmniQuant
    // within bits.
    auto methodRank = [](const std::string& base) {
        return base == "rtn" ? 0 : base == "awq" ? 1 : base == "gptq" ? 2 : 3;
    };
    std::map<std::tuple<int, int, int, std::string>, std::vector<const ResultsSource*>> groups;
    for (const ResultsSource& s : sources)
        groups[{s.settings.quant.bits, -s.settings.quant.groupSize, methodRank(s.settings.base),
                s.settings.base}]
            .push_back(&s);
    for (const auto& [key, files] : groups) {
        const SearchSettings& settings = files.front()->settings;
        ResultsRow base = makeRow("base", files, false);
        base.bits = bitsText(settings.quant);
        base.method = methodName(settings.base);
        table.rows.push_back(std::move(base));
        // A file of a search of no steps (invx quantize) holds the base method alone: its row is
        // the base row. (A search that has not yet taken a step has its row, the base's values.)
        std::vector<const ResultsSource*> searches;
        for (const ResultsSource* f : files)
            if (f->settings.steps > 0 || f->searchedStep > 0) searches.push_back(f);
        for (const ResultsSource* f : searches) {
            ResultsRow searched = makeRow("searched", {f}, true);
            searched.bits = bitsText(settings.quant);
            searched.method = methodName(settings.base) + " + InvarExplore";
            if (searches.size() > 1)
                searched.method += " (" + std::filesystem::path(f->path).stem().string() + ")";
            table.rows.push_back(std::move(searched));
        }
    }
    markBest(table);
    return table;
}

std::vector<ResultsMeasurement> missingMeasurements(const ResultsTable& table,
                                                    const std::set<std::string>& models,
                                                    const std::set<std::string>& metrics,
                                                    bool wholeDataSets) {
    std::vector<ResultsMeasurement> out;
    for (const ResultsRow& row : table.rows) {
        if (!models.count(row.model)) continue;
        ResultsMeasurement m{row.paths.front(), row.model, {}};
        for (std::size_t c = 0; c < resultsColumns().size(); ++c) {
            const std::string& metric = resultsColumns()[c];
            const ResultsCell& cell = row.cells[c];
            if (metrics.count(metric) && (!cell.value || (cell.partial && wholeDataSets)))
                m.metrics.push_back(metric);
        }
        if (!m.metrics.empty()) out.push_back(std::move(m));
    }
    return out;
}

ResultsFormat parseResultsFormat(const std::string& name) {
    if (name == "markdown") return ResultsFormat::Markdown;
    if (name == "latex") return ResultsFormat::Latex;
    if (name == "csv") return ResultsFormat::Csv;
    throw Error("--format expects markdown, latex or csv, but got '" + name + "'");
}

namespace {

bool anyPartial(const ResultsTable& t) {
    for (const ResultsRow& r : t.rows)
        for (const ResultsCell& c : r.cells)
            if (c.value && c.partial) return true;
    return false;
}

std::string formatMarkdown(const ResultsTable& t) {
    std::string out = "| Bits | Method |";
    std::string rule = "| ---: | --- |";
    for (const std::string& c : t.columns) {
        out += " " + resultsHeading(c) + (isPerplexity(c) ? " ↓" : " ↑") + " |";
        rule += " ---: |";
    }
    out += "\n" + rule + "\n";
    for (const ResultsRow& r : t.rows) {
        out += "| " + r.bits + " | " + r.method + " |";
        for (const ResultsCell& c : r.cells) {
            const std::string v = c.value ? number(*c.value) + (c.partial ? "\\*" : "") : "–";
            out += " " + (c.best ? "**" + v + "**" : v) + " |";
        }
        out += "\n";
    }
    if (anyPartial(t))
        out += "\n\\* measured on part of the data (`--limit` or `--max-windows`).\n";
    return out;
}

std::string formatLatex(const ResultsTable& t) {
    std::string out =
        "\\begin{tabular}{rl" + std::string(t.columns.size(), 'r') + "}\n\\toprule\nBits & Method";
    for (const std::string& c : t.columns)
        out += " & " + resultsHeading(c) + (isPerplexity(c) ? " $\\downarrow$" : " $\\uparrow$");
    out += " \\\\\n\\midrule\n";
    std::string lastBits;
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
        const ResultsRow& r = t.rows[i];
        if (i > 0 && r.bits != lastBits) out += "\\midrule\n";
        lastBits = r.bits;
        out += latexEscape(r.bits) + " & " + latexEscape(r.method);
        for (const ResultsCell& c : r.cells) {
            const std::string v = c.value ? number(*c.value) : "--";
            out += " & " + (c.best ? "\\textbf{" + v + "}" : v) +
                   (c.value && c.partial ? "$^{*}$" : "");
        }
        out += " \\\\\n";
    }
    out += "\\bottomrule\n\\end{tabular}\n";
    if (anyPartial(t)) out += "% * measured on part of the data (--limit or --max-windows)\n";
    return out;
}

std::string formatCsv(const ResultsTable& t) {
    std::string out = "bits,method";
    for (const std::string& c : t.columns) out += "," + c;
    out += ",partial,file,step\n";
    for (const ResultsRow& r : t.rows) {
        out += csvField(r.bits) + "," + csvField(r.method);
        std::string partial;
        for (std::size_t i = 0; i < r.cells.size(); ++i) {
            const ResultsCell& c = r.cells[i];
            char buf[40] = "";
            if (c.value) std::snprintf(buf, sizeof buf, "%.6g", *c.value);
            out += std::string(",") + buf;
            if (c.value && c.partial) partial += (partial.empty() ? "" : ";") + t.columns[i];
        }
        out += "," + csvField(partial) + "," +
               csvField(r.model == "full-precision" || r.paths.empty() ? "" : r.paths.front()) +
               "," + (r.model == "full-precision" ? "" : std::to_string(r.step)) + "\n";
    }
    return out;
}

}  // namespace

std::string formatResultsTable(const ResultsTable& table, ResultsFormat format) {
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
