#include "invx/reasoning-tasks.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "invx/error.h"
#include "invx/random-generator.h"
#include "invx/text-file.h"
#include "records/json-text.h"

namespace invx {
namespace {

// An item as its file gives it. Most tasks: a query and choices, each continuation being
// " " + choice (the harness's target delimiter). WinoGrande: one context per choice (the sentence
// up to the blank, with that option filled in) and one shared continuation (the rest).
struct RawItem {
    std::vector<std::string> contexts;  // one, or one per choice
    std::vector<std::string> choices;   // continuation texts without the delimiter
    int gold = 0;
    std::string where;  // file:line, for errors
};

std::string context(const RawItem& r, std::size_t choice) {
    return r.contexts.size() == 1 ? r.contexts[0] : r.contexts[choice];
}
std::string choiceText(const RawItem& r, std::size_t choice) {
    return r.choices.size() == 1 ? r.choices[0] : r.choices[choice];
}
std::size_t choiceCount(const RawItem& r) { return std::max(r.contexts.size(), r.choices.size()); }

// The item with its gold answer, as a shot.
std::string solved(const RawItem& r) {
    return context(r, std::size_t(r.gold)) + " " + choiceText(r, std::size_t(r.gold));
}

std::vector<std::string> lines(const std::string& file) {
    std::vector<std::string> out;
    std::istringstream in(readWholeFile(file, "task file"));
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        out.push_back(line);
    }
    return out;
}

std::vector<RawItem> readJsonLines(const std::string& file, bool winogrande) {
    std::vector<RawItem> items;
    const auto text = lines(file);
    for (std::size_t n = 0; n < text.size(); ++n) {
        if (text[n].find_first_not_of(" \t") == std::string::npos) continue;
        RawItem r;
        r.where = file + ":" + std::to_string(n + 1);
        const nlohmann::json j = parseJsonText(text[n], "task item", r.where);
        try {
            if (winogrande) {
                r.contexts = j.at("context_options").get<std::vector<std::string>>();
                r.choices = {j.at("continuation").get<std::string>()};
            } else {
                r.contexts = {j.at("query").get<std::string>()};
                r.choices = j.at("choices").get<std::vector<std::string>>();
            }
            r.gold = j.at("gold").get<int>();
        } catch (const nlohmann::json::exception& e) {
            throw Error(
                "task item " + r.where + " lacks a field or has one of another type (" +
                (winogrande ? "context_options, continuation, gold" : "query, choices, gold") +
                "): " + e.what());
        }
        items.push_back(std::move(r));
    }
    return items;
}

// hellaswag_val_full.txt: six lines an item: the context, the gold ending (0-3), four endings.
std::vector<RawItem> readHellaswag(const std::string& file) {
    const auto text = lines(file);
    std::vector<RawItem> items;
    std::size_t n = 0;
    while (n < text.size() && text[n].empty()) ++n;
    for (; n + 6 <= text.size(); n += 6) {
        RawItem r;
        r.where = file + ":" + std::to_string(n + 1);
        r.contexts = {text[n]};
        try {
            std::size_t used = 0;
            r.gold = std::stoi(text[n + 1], &used);
            if (used != text[n + 1].size()) throw std::invalid_argument("trailing text");
        } catch (const std::exception&) {
            throw Error("task file " + file + ":" + std::to_string(n + 2) +
                        ": expected the gold ending's number (0-3), got '" + text[n + 1] +
                        "'; HellaSwag items are six lines: context, gold, four endings");
        }
        r.choices.assign(text.begin() + std::ptrdiff_t(n + 2),
                         text.begin() + std::ptrdiff_t(n + 6));
        items.push_back(std::move(r));
    }
    if (n < text.size() && std::any_of(text.begin() + std::ptrdiff_t(n), text.end(),
                                       [](const std::string& l) { return !l.empty(); }))
        throw Error("task file " + file + " ends with an incomplete item at line " +
                    std::to_string(n + 1) +
                    "; HellaSwag items are six lines: context, gold, four endings");
    return items;
}

}  // namespace

const std::vector<std::string>& reasoningTaskNames() {
    static const std::vector<std::string> names{"arc_challenge", "arc_easy", "boolq",
                                                "hellaswag",     "piqa",     "winogrande"};
    return names;
}

std::string reasoningTaskFile(const std::string& task, const std::string& dataDir) {
    const std::string file = task == "hellaswag" ? "hellaswag_val_full.txt" : task + ".jsonl";
    return (std::filesystem::path(dataDir) / "tasks" / file).string();
}

std::vector<std::string> parseTaskList(const std::string& list) {
    if (list == "all") return reasoningTaskNames();
    std::vector<std::string> out;
    std::stringstream in(list);
    for (std::string name; std::getline(in, name, ',');) {
        if (name.empty()) continue;
        const auto& known = reasoningTaskNames();
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            std::string all;
            for (const auto& k : known) all += (all.empty() ? "" : ", ") + k;
            throw Error("--tasks: '" + name + "' is not a task; choose from " + all + ", or all");
        }
        if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    }
    if (out.empty())
        throw Error(
            "--tasks names no task; choose from arc_challenge, arc_easy, boolq, hellaswag, piqa, "
            "winogrande, or all");
    return out;
}

TaskPrompts buildTaskPrompts(const std::string& task, const std::string& file,
                             const TaskPromptOptions& options) {
    std::vector<RawItem> raw =
        task == "hellaswag" ? readHellaswag(file) : readJsonLines(file, task == "winogrande");
    if (raw.empty()) throw Error("task file '" + file + "' holds no items");
    for (const RawItem& r : raw) {
        const std::size_t n = choiceCount(r);
        if (n < 2 || (r.contexts.size() != 1 && r.contexts.size() != n) ||
            (r.choices.size() != 1 && r.choices.size() != n))
            throw Error("task item " + r.where + " does not have two or more choices");
        if (r.gold < 0 || std::size_t(r.gold) >= n)
            throw Error("task item " + r.where + " has the gold answer " + std::to_string(r.gold) +
                        ", but " + std::to_string(n) + " choices");
    }
    if (options.shots < 0) throw Error("--shots must be 0 or more");
    if (std::size_t(options.shots) >= raw.size())
        throw Error("task file '" + file + "' has " + std::to_string(raw.size()) +
                    " items, too few for " + std::to_string(options.shots) +
                    " shots drawn from the other items");

    TaskPrompts out;
    out.task = task;
    out.file = file;
    out.itemsInFile = std::int64_t(raw.size());
    const std::size_t count =
        options.limit > 0 ? std::min(raw.size(), std::size_t(options.limit)) : raw.size();
    RandomGenerator random(options.seed);
    for (std::size_t i = 0; i < count; ++i) {
        // k distinct other items, in the order drawn.
        std::vector<std::size_t> shots;
        while (shots.size() < std::size_t(options.shots)) {
            const std::size_t j = std::size_t(random.below(raw.size()));
            if (j != i && std::find(shots.begin(), shots.end(), j) == shots.end())
                shots.push_back(j);
        }
        std::string prefix;
        for (std::size_t j : shots) prefix += solved(raw[j]) + "\n\n";
        TaskItem item;
        item.gold = raw[i].gold;
        for (std::size_t c = 0; c < choiceCount(raw[i]); ++c) {
            ChoiceRequest r;
            r.context = prefix + context(raw[i], c);
            r.continuation = " " + choiceText(raw[i], c);
            // The harness normalises by the choice it lists: the continuation without its delimiter
            // (WinoGrande lists the filled-in contexts, whose lengths this follows).
            r.normLength = std::int64_t(std::max<std::size_t>(1, raw[i].contexts.size() > 1
                                                                     ? raw[i].contexts[c].size()
                                                                     : raw[i].choices[c].size()));
            item.choices.push_back(std::move(r));
        }
        out.items.push_back(std::move(item));
    }
    return out;
}

TaskScore scoreTask(const TaskPrompts& prompts,
                    const std::vector<std::vector<double>>& loglikelihoods) {
    if (loglikelihoods.size() != prompts.items.size())
        throw Error("scoring " + prompts.task + ": " + std::to_string(loglikelihoods.size()) +
                    " results for " + std::to_string(prompts.items.size()) + " items");
    TaskScore s;
    s.items = std::int64_t(prompts.items.size());
    std::int64_t correct = 0, correctNorm = 0;
    for (std::size_t i = 0; i < prompts.items.size(); ++i) {
        const TaskItem& item = prompts.items[i];
        const std::vector<double>& ll = loglikelihoods[i];
        if (ll.size() != item.choices.size())
            throw Error("scoring " + prompts.task + ": item " + std::to_string(i) +
                        " has the wrong number of results");
        std::size_t best = 0, bestNorm = 0;
        for (std::size_t c = 1; c < ll.size(); ++c) {
            if (ll[c] > ll[best]) best = c;
            if (ll[c] / double(item.choices[c].normLength) >
                ll[bestNorm] / double(item.choices[bestNorm].normLength))
                bestNorm = c;
        }
        correct += int(best) == item.gold;
        correctNorm += int(bestNorm) == item.gold;
    }
    s.acc = s.items ? double(correct) / double(s.items) : 0;
    s.accNorm = s.items ? double(correctNorm) / double(s.items) : 0;
    return s;
}

}  // namespace invx
