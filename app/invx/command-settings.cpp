// invx settings: the table of settings as a reference, every setting of every command with its
// key, options, defaults, range and meaning. docs/settings.md is its Markdown output.
#include <cmath>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "invx/error.h"

namespace invx::cli {
namespace {

struct CommandName {
    SettingCommand command;
    const char* name;
};
constexpr CommandName kCommands[] = {{SettingCommand::Search, "search"},
                                     {SettingCommand::Quantize, "quantize"},
                                     {SettingCommand::ImportInvariances, "import-invariances"},
                                     {SettingCommand::Evaluate, "eval"},
                                     {SettingCommand::Table, "table"}};

std::string commandsText(const SettingDeclaration& d) {
    std::string out;
    for (const CommandName& c : kCommands)
        if (d.takenBy(c.command)) out += (out.empty() ? "" : ", ") + std::string(c.name);
    return out;
}

std::string number(double v) {
    std::ostringstream s;
    if (std::fabs(v) < 1e15 && v == std::floor(v))
        s << std::int64_t(v);
    else
        s << v;
    return s.str();
}

// "1 to 8", "(0, 1]", "at least 0", "rtn, awq, gptq (eval: also fp)", "P, S, R: any non-empty
// combination".
std::string valuesText(const SettingDeclaration& d) {
    switch (d.kind) {
        case SettingKind::Integer:
            return d.maximum >= 1e15 ? "at least " + number(d.minimum)
                                     : number(d.minimum) + " to " + number(d.maximum);
        case SettingKind::Real:
            if (d.maximum >= 1e15)
                return (d.minimumOpen ? "greater than " : "at least ") + number(d.minimum);
            return std::string(d.minimumOpen ? "(" : "[") + number(d.minimum) + ", " +
                   number(d.maximum) + (d.maximumOpen ? ")" : "]");
        case SettingKind::Flag:
            return "on or off";
        case SettingKind::Invariances:
            return "any non-empty combination of P, S, R";
        case SettingKind::Choice:
        case SettingKind::OpenChoice: {
            std::string out;
            for (const std::string& c : d.choices)
                out += (out.empty() ? "" : ", ") + (c.empty() ? std::string("\"\"") : c);
            if (!d.evaluateChoices.empty()) {
                std::string extra;
                for (const std::string& c : d.evaluateChoices)
                    extra += (extra.empty() ? "" : ", ") + c;
                out += " (eval: also " + extra + ")";
            }
            return d.kind == SettingKind::OpenChoice ? out + ", or a file" : out;
        }
    }
    return {};
}

// The default of the first command that takes the setting, and where another command's differs.
std::string defaultText(const SettingDeclaration& d) {
    if (d.kind == SettingKind::Flag) return "off";
    std::string first, others;
    for (const CommandName& c : kCommands) {
        if (!d.takenBy(c.command)) continue;
        const std::string value = d.get(defaultSettings(c.command));
        const std::string shown = value.empty() ? "\"\"" : value;
        if (first.empty())
            first = shown;
        else if (shown != first)
            others += (others.empty() ? "" : "; ") + std::string(c.name) + ": " + shown;
    }
    return others.empty() ? first : first + " (" + others + ")";
}

std::string optionsText(const SettingDeclaration& d) {
    std::string out = "`" + d.option + "`";
    for (const std::string& a : d.aliases) out += ", `" + a + "`";
    return out;
}

// Text in a Markdown table cell: a pipe would end the cell.
std::string cell(const std::string& text) {
    std::string out;
    for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
}

std::string markdown() {
    std::ostringstream s;
    s << "# Settings\n\n"
         "Every setting of every command, as `invx settings --format markdown` prints it from the "
         "one table\n"
         "that the command line, the workbench's form and the experiment file are generated from\n"
         "(`core/include/invx/setting-table.h`). The key is the setting's name in an experiment "
         "file's\n"
         "`/settings` JSON (for the settings a file records) and in messages; an alias is an older "
         "name of\n"
         "the option, taken where no other setting of the command has it.\n\n"
         "| key | option | commands | default | values | meaning |\n"
         "| --- | --- | --- | --- | --- | --- |\n";
    for (const SettingDeclaration& d : settingDeclarations())
        s << "| `" << d.key << "`" << (d.recorded() ? "" : " (not recorded)") << " | "
          << optionsText(d) << " | " << commandsText(d) << " | " << defaultText(d) << " | "
          << cell(valuesText(d)) << " | " << cell(d.help) << " |\n";
    return s.str();
}

std::string plainText() {
    std::ostringstream s;
    for (const SettingDeclaration& d : settingDeclarations()) {
        s << d.option;
        for (const std::string& a : d.aliases) s << ", " << a;
        s << " (" << d.key << ")\n    " << d.help << "\n    commands: " << commandsText(d)
          << "; default: " << defaultText(d) << "; values: " << valuesText(d) << '\n';
    }
    return s.str();
}

}  // namespace

const Command& settingsCommand() {
    static const Command c{
        "settings",
        "[--format text|markdown]",
        "List every setting of every command: key, options, defaults, values and meaning.",
        {
            {"--format", "text|markdown", "text, or the Markdown table of docs/settings.md",
             "text"},
        }};
    return c;
}

int runSettings(const Arguments& args) {
    const std::string format = args.get("--format");
    if (format != "text" && format != "markdown")
        throw Error("--format expects text or markdown, but got '" + format + "'");
    std::cout << (format == "markdown" ? markdown() : plainText());
    return 0;
}

}  // namespace invx::cli
