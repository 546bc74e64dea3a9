// invx table: the paper's results table from experiment files, and with --evaluate the measurements
// it still lacks, recorded in the files.
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "commands.h"
#include "compute-options.h"
#include "evaluation-printer.h"
#include "invx/error.h"
#include "invx/model-evaluation.h"
#include "invx/reasoning-tasks.h"
#include "invx/results-table.h"

namespace invx::cli {

const Command& tableCommand() {
    static const Command c = [] {
        Command cmd{
            "table",
            "EXPERIMENT... [--format markdown|latex|csv] [--output FILE] [--evaluate [--measure "
            "LIST] [--limit N]]",
            "The paper's results table for one model from experiment files: full precision, each "
            "base method and each "
            "with InvarExplore; WikiText-2 and C4 perplexity, the six reasoning tasks and their "
            "average.",
            {
                {"--format", "markdown|latex|csv",
                 "how to print the table (LaTeX: a booktabs tabular)", "markdown"},
                {"--output", "FILE", "write the table to FILE instead of standard output", ""},
                {"--evaluate", "",
                 "first measure the values the files do not record yet, and record them there", ""},
                {"--measure", "LIST",
                 "with --evaluate: which of wikitext2, c4 and the tasks (task names, or tasks for "
                 "all six)",
                 "wikitext2,c4,tasks"},
                {"--models", "LIST",
                 "with --evaluate: which rows to measure: any of full-precision, base, searched",
                 "full-precision,base,searched"},
            },
            "EXPERIMENT..."};
        // With --evaluate: the windows of each perplexity and the tasks' settings (a partial value
        // is marked * in the table).
        for (const Option& o : settingOptions(SettingCommand::Table)) cmd.options.push_back(o);
        cmd.options.push_back({"--quiet", "", "no progress display", ""});
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
            for (const std::string& t : parseTaskList(item))
                out.insert(t);  // refuses unknown names
        }
    }
    return out;
}

// The rows --models names.
std::set<std::string> measuredModels(const std::string& list) {
    std::set<std::string> out;
    for (const std::string& item : commaSeparated(list)) {
        if (item != "full-precision" && item != "base" && item != "searched")
            throw Error(
                "--models expects full-precision, base or searched (comma-separated), but got '" +
                item + "'");
        out.insert(item);
    }
    return out;
}

}  // namespace

int runTable(const Arguments& args) {
    const std::vector<std::string>& paths = args.operands();
    if (paths.empty()) throw Error("invx table needs experiment files; see invx table --help");
    if (!args.has("--evaluate"))
        for (const char* name : {"--measure", "--models", "--eval-windows", "--limit", "--shots",
                                 "--task-seed", "--batch-tokens"})
            if (args.has(name))
                throw Error(std::string(name) + " belongs to --evaluate, which is missing");
    const ResultsFormat format = parseResultsFormat(args.get("--format"));
    ResultsTable table = buildResultsTable(readResultsSources(paths));
    if (args.has("--evaluate")) {
        applyThreads(args);
        const bool whole = args.get("--eval-windows") == "0" && args.get("--limit") == "0";
        const std::vector<ResultsMeasurement> needs =
            missingMeasurements(table, measuredModels(args.get("--models")),
                                measuredMetrics(args.get("--measure")), whole);
        CommandSettings settings = defaultSettings(SettingCommand::Table);
        applySettingOptions(args, SettingCommand::Table, settings);
        // Every row is of one model (buildResultsTable refuses others), so one tokenization of each
        // data set serves them all.
        std::map<std::string, std::vector<std::int32_t>> tokenIds;
        EvaluationPrinter printer(args.has("--quiet"));
        for (std::size_t i = 0; i < needs.size(); ++i) {
            if (!args.has("--quiet"))
                std::cerr << "invx: [" << i + 1 << "/" << needs.size() << "] the " << needs[i].model
                          << " model of " << needs[i].path << ": " << needs[i].metrics.size()
                          << " measurement(s)\n";
            // Each search's own device and dtype unless given.
            measureMissingResults(
                needs[i], settings, args.has("--device") ? args.get("--device") : "",
                args.has("--dtype") ? args.get("--dtype") : "", &tokenIds, printer);
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
        std::cerr << "invx: " << table.missing.size()
                  << " value(s) are not recorded yet (shown as –), e.g. " << table.missing.front()
                  << "; invx table --evaluate measures them (--measure picks which)\n";
    }
    return 0;
}

}  // namespace invx::cli
