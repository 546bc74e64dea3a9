#pragma once
// Every setting of every command, declared once, as data: its experiment-file key, command-line
// option (and the aliases older scripts use), form label, kind, range, help and the commands that
// take it. Generated from this table: the options and --help of invx search, quantize, eval,
// import-invariances and table; SearchSettings' JSON in experiment files; the range and choice
// checks; the workbench's form. Defaults are those of defaultSettings(command).
//
// Labels, names and help are marked for translation with INVX_TRANSLATE_NOOP (context
// "invx::Settings"; lupdate -tr-function-alias QT_TRANSLATE_NOOP+=INVX_TRANSLATE_NOOP extracts
// them): the workbench shows QCoreApplication::translate("invx::Settings", label).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "invx/evaluation-settings.h"
#include "invx/search-settings.h"
#include "invx/setting-problem.h"

// Marks a text for translation in the core, which has no Qt (Qt's QT_TRANSLATE_NOOP, by another
// name).
#define INVX_TRANSLATE_NOOP(context, text) text

namespace invx {

// The commands whose settings the table declares (a bit each).
enum class SettingCommand : unsigned {
    Search = 1,
    Quantize = 2,
    Evaluate = 4,
    ImportInvariances = 8,
    Table = 16,  // invx table --evaluate
};

enum class SettingKind {
    Integer,      // whole number in [minimum, maximum]
    Real,         // finite floating-point number in [minimum, maximum] (ends open where marked)
    Choice,       // one of `choices`
    OpenChoice,   // one of `choices` or free text (a corpus name or a file path)
    Invariances,  // a non-empty subset of P, S and R
    Flag,         // on or off; an option without a value on the command line
};

// A setting's value: an integer (Integer, Flag), a number (Real) or text (the others).
using SettingValue = std::variant<std::int64_t, double, std::string>;

// What one command runs with: the settings an experiment file records, and invx eval's own.
struct CommandSettings {
    SearchSettings search;
    EvaluationSettings evaluation;
};

struct SettingDeclaration {
    std::string key;     // experiment-file JSON key: "swap_frac"
    std::string option;  // command-line option: "--swap-frac"
    std::vector<std::string>
        aliases;               // older names of the option, taken where no other setting has them
    std::string valueName;     // placeholder in --help: "F"; "" for a flag
    const char* label = "";    // form label: "Swap fraction"
    const char* name = "";     // the setting in a sentence: "the swap fraction"
    const char* section = "";  // form section: "Quantization", "Calibration", "Search", ...
    SettingKind kind = SettingKind::Integer;
    double minimum = 0, maximum = 0;                // Integer and Real
    bool minimumOpen = false, maximumOpen = false;  // Real: the end itself is outside the range
    std::vector<std::string> choices;               // Choice and OpenChoice
    std::vector<std::string> evaluateChoices;       // further choices only invx eval takes ("fp")
    const char* help = "";                          // one line, without the default
    unsigned commands = 0;                          // SettingCommand bits
    // The base methods (quantization methods) whose setting it is ("awq"); empty: all of them. A
    // command refuses it with another method, and the form disables it.
    std::vector<std::string> bases;

    // Exactly one pair is set: settings experiment files record (SearchSettings), or invx eval's
    // own.
    std::function<SettingValue(const SearchSettings&)> readSearch;
    std::function<void(SearchSettings&, const SettingValue&)> writeSearch;
    std::function<SettingValue(const EvaluationSettings&)> readEvaluation;
    std::function<void(EvaluationSettings&, const SettingValue&)> writeEvaluation;

    bool recorded() const { return bool(readSearch); }
    bool takenBy(SettingCommand command) const { return (commands & unsigned(command)) != 0; }
    bool belongsTo(const std::string& method) const;
    // "--method omniquant" (or "--method awq or gptq"): what `bases` asks for, in the CLI's words.
    std::string basesText() const;
    std::vector<std::string> choicesFor(SettingCommand command) const;

    // The value as text ("0.1", "PSR", "128").
    std::string get(const SearchSettings& settings) const;
    std::string get(const CommandSettings& settings) const;
    // Parses `text` and stores it. Throws SettingError when the text is not of the setting's kind
    // or outside its range (checked before it is narrowed, so no value wraps around).
    void set(SearchSettings& settings, const std::string& text) const;
    void set(CommandSettings& settings, const std::string& text) const;

    SettingValue parse(const std::string& text) const;
    std::string format(const SettingValue& value) const;
    // The table's own check of a value: its kind, range or choices. Nothing when it is fine.
    std::optional<SettingProblem> check(const SettingValue& value,
                                        SettingCommand command = SettingCommand::Search) const;
    // A problem of this setting, its sentence beginning with the setting's name.
    SettingProblem problem(const std::string& predicate) const;
};

// Every setting, in the order of --help and the workbench form.
const std::vector<SettingDeclaration>& settingDeclarations();
// The settings experiment files record, which invx search takes and the form edits.
const std::vector<SettingDeclaration>& searchSettingDeclarations();
// The settings one command takes, in table order.
std::vector<const SettingDeclaration*> settingDeclarations(SettingCommand command);
// The declaration with this key, option or alias; nullptr when there is none.
const SettingDeclaration* findSettingDeclaration(const std::string& keyOptionOrAlias);

// What a command runs with when nothing is given: the paper's settings, with quantize and
// import-invariances defaulting to AWQ and no search steps, and eval to no quantization ("fp").
CommandSettings defaultSettings(SettingCommand command);

// Named starting points: "paper" (the published settings: SearchSettings' defaults) and "demo" (the
// bundled demo model alive on a 2-core CPU: 4 x 128 calibration tokens, 2,000 steps, 4 evaluation
// windows every 30 s). Throws invx::Error naming the preset and the known ones.
SearchSettings searchSettingsPreset(const std::string& name);

// `text` with its first letter upper case: a setting's name at the start of a sentence.
std::string capitalized(std::string text);

}  // namespace invx
