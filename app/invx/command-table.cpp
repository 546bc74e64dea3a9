// invx table: the paper's results table from experiment files, and with --evaluate the measurements
// it still lacks, recorded in the files.
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "commands.h"
#include "compute-options.h"
#include "experiment-evaluation.h"
#include "invx/error.h"
#include "invx/perplexity-text.h"
#include "invx/reasoning-tasks.h"
#include "invx/results-table.h"
#include "perplexity-evaluator.h"

namespace invx::cli {

const Command& tableCommand() {
    static const Command c = [] {
        Command cmd{
            "table",
            "EXPERIMENT... [--format markdown|latex|csv] [--output FILE] [--evaluate [--measure LIST] [--limit N]]",
            "The paper's results table for one model from experiment files: full precision, each base method and each "
            "with InvarExplore; WikiText-2 and C4 perplexity, the six reasoning tasks and their average.",
            {
                {"--format", "markdown|latex|csv", "how to print the table (LaTeX: a booktabs tabular)", "markdown"},
                {"--output", "FILE", "write the table to FILE instead of standard output", ""},
                {"--evaluate", "", "first measure the values the files do not record yet, and record them there", ""},
                {"--measure", "LIST", "with --evaluate: which of wikitext2, c4 and the tasks (task names, or tasks for all six)", "wikitext2,c4,tasks"},
                {"--models", "LIST", "with --evaluate: which rows to measure: any of full-precision, base, searched", "full-precision,base,searched"},
                {"--max-windows", "N", "with --evaluate: perplexity on the first N windows only (marked * in the table); 0 = all", "0"},
                {"--limit", "N", "with --evaluate: the first N items of each task only (marked * in the table); 0 = all", "0"},
                {"--shots", "K", "with --evaluate: examples before each task item", "5"},
                {"--task-seed", "S", "with --evaluate: seed of the draw of the shots", "1234"},
                {"--batch-tokens", "N", "with --evaluate: tokens per batch of task requests", "8192"},
                {"--quiet", "", "no progress display", ""},
            },
            "EXPERIMENT..."};
        for (auto& o : computeOptions()) cmd.options.push_back(o);
        return cmd;
    }();
    return c;
}

namespace {

std::vector<std::string> commaSeparated(const std::string& list) {
    std::vector<std::string> items;
    std::stringstream in(list);
    for (std::string item; std::getline(in, item, ',');) items.push_back(item);
    if (items.empty()) items.push_back("");
    return items;
}

// The metrics --measure names.
std::set<std::string> measuredMetrics(const std::string& list) {
    std::set<std::string> out;
    for (const std::string& item : commaSeparated(list)) {
        if (item == "tasks") {
            for (const std::string& t : reasoningTaskNames()) out.insert(t);
        } else if (item == "wikitext2" || item == "c4") {
            out.insert(item);
        } else {
            for (const std::string& t : parseTaskList(item)) out.insert(t);  // refuses unknown names
        }
    }
    return out;
}

// The rows --models names.
std::set<std::string> measuredModels(const std::string& list) {
    std::set<std::string> out;
    for (const std::string& item : commaSeparated(list)) {
        if (item != "full-precision" && item != "base" && item != "searched")
            throw Error("--models expects full-precision, base or searched (comma-separated), but got '" + item + "'");
        out.insert(item);
    }
    return out;
}

// One model to measure: where its results go and which metrics it lacks.
struct Measurement {
    std::string path, kind;
    std::vector<std::string> metrics;
};

// What the table lacks among `wanted`; a partial value counts as lacking when this run measures
// whole data sets.
std::vector<Measurement> missingMeasurements(const ResultsTable& table, const std::set<std::string>& models,
                                             const std::set<std::string>& wanted, bool wholeDataSets) {
    std::vector<Measurement> out;
    for (const ResultsRow& row : table.rows) {
        if (!models.count(row.model)) continue;
        Measurement m{row.paths.front(), row.model, {}};
        for (std::size_t c = 0; c < resultsColumns().size(); ++c) {
            const std::string& metric = resultsColumns()[c];
            const ResultsCell& cell = row.cells[c];
            if (wanted.count(metric) && (!cell.value || (cell.partial && wholeDataSets))) m.metrics.push_back(metric);
        }
        if (!m.metrics.empty()) out.push_back(std::move(m));
    }
    return out;
}

// Evaluation token ids by data set: every row is of one model (buildResultsTable refuses others),
// so one tokenization serves them all.
using TokenIdCache = std::map<std::string, std::vector<std::int32_t>>;

void measure(const Measurement& need, const Arguments& args, TokenIdCache& tokenIds) {
    const bool quiet = args.has("--quiet");
    auto say = [quiet](const std::string& message) {
        if (!quiet) std::cerr << "invx: " << message << '\n';
    };
    const ExperimentModel m = loadExperimentModel(need.path, "", need.kind, -1, args.has("--device") ? args.get("--device") : "",
                                                  args.has("--dtype") ? args.get("--dtype") : "", say);
    const BpeTokenizer tokenizer = BpeTokenizer::fromDirectory(m.directory);
    std::vector<std::string> tasks;
    for (const std::string& metric : need.metrics) {
        if (metric != "wikitext2" && metric != "c4") {
            tasks.push_back(metric);
            continue;
        }
        say("measuring " + metric + " perplexity");
        PerplexityOptions options;
        options.maxWindows = args.getInt("--max-windows", 0, 1LL << 40);
        auto ids = tokenIds.find(metric);
        if (ids == tokenIds.end()) ids = tokenIds.emplace(metric, evaluationTokenIds(resolveDataset(metric), tokenizer)).first;
        const PerplexityResult r = evaluatePerplexity(m.model, ids->second, options, perplexityProgressPrinter(quiet));
        recordResults(need.path, {perplexityRecord(m, metric, r)});  // each as it is taken: a crash loses one
    }
    if (tasks.empty()) return;
    if (dataDirectory().empty())
        throw Error("the tasks are read under $INVX_DATA/tasks, but INVX_DATA is not set; set it to your data directory");
    const TaskPromptOptions prompts = taskPromptOptions(args);
    const LoglikelihoodOptions options = loglikelihoodOptions(args);
    for (const std::string& task : tasks) {
        const std::vector<TaskResult> results =
            evaluateReasoningTasks(m.model, tokenizer, {task}, dataDirectory(), prompts, options, taskProgressPrinter(quiet));
        recordResults(need.path, taskRecords(m, results, prompts));
    }
}

}  // namespace

int runTable(const Arguments& args) {
    const std::vector<std::string>& paths = args.operands();
    if (paths.empty()) throw Error("invx table needs experiment files; see invx table --help");
    if (!args.has("--evaluate"))
        for (const char* name : {"--measure", "--models", "--max-windows", "--limit", "--shots", "--task-seed", "--batch-tokens"})
            if (args.has(name)) throw Error(std::string(name) + " belongs to --evaluate, which is missing");
    const ResultsFormat format = parseResultsFormat(args.get("--format"));
    ResultsTable table = buildResultsTable(readResultsSources(paths));
    if (args.has("--evaluate")) {
        applyComputeOptions(args);  // threads; the placement defaults to each search's own
        const bool whole = args.get("--max-windows") == "0" && args.get("--limit") == "0";
        const std::vector<Measurement> needs = missingMeasurements(table, measuredModels(args.get("--models")),
                                                                    measuredMetrics(args.get("--measure")), whole);
        TokenIdCache tokenIds;
        for (std::size_t i = 0; i < needs.size(); ++i) {
            if (!args.has("--quiet"))
                std::cerr << "invx: [" << i + 1 << "/" << needs.size() << "] the " << needs[i].kind << " model of "
                          << needs[i].path << ": " << needs[i].metrics.size() << " measurement(s)\n";
            measure(needs[i], args, tokenIds);
        }
        table = buildResultsTable(readResultsSources(paths));
    }
    const std::string text = formatResultsTable(table, format);
    if (args.has("--output")) {
        std::ofstream out(args.get("--output"));
        out << text;
        if (!out) throw Error("cannot write the table to '" + args.get("--output") + "'");
    } else {
        std::cout << text;
    }
    if (!table.missing.empty() && !args.has("--quiet")) {
        std::cerr << "invx: " << table.missing.size() << " value(s) are not recorded yet (shown as –), e.g. "
                  << table.missing.front() << "; invx table --evaluate measures them (--measure picks which)\n";
    }
    return 0;
}

}  // namespace invx::cli
