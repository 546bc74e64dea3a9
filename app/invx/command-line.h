#pragma once
// Each command declares its options once, in a table; the table drives parsing, defaults and the
// --help text.
#include <exception>
#include <map>
#include <string>
#include <vector>

#include "invx/setting-table.h"

namespace invx::cli {

struct Option {
    std::string name;          // "--bits"
    std::string valueName;     // "B"; empty for a flag
    std::string help;          // one line; the default is appended
    std::string defaultValue;  // "" = no default
    std::vector<std::string> aliases =
        {};  // older names, taken as this option ("--base" for "--method")
};

struct Command {
    std::string name;      // "eval"
    std::string synopsis;  // "--model PATH|ID --data NAME|PATH [options]"
    std::string summary;   // one line for the command list
    std::vector<Option> options;
    std::string operands =
        {};  // what arguments that are not options are, for --help ("FILE..."); "" = none taken
};

class Arguments {
  public:
    bool has(const std::string& name) const { return values_.count(name) > 0; }
    std::string get(const std::string& name) const;      // value or default; "" when neither
    std::string require(const std::string& name) const;  // throws when missing
    long long getInt(const std::string& name, long long min, long long max) const;
    double getDouble(const std::string& name) const;  // range checks are the caller's
    const std::vector<std::string>& operands() const { return operands_; }  // in order
    // The name the user typed for an option: its own, or the alias they used.
    std::string typed(const std::string& name) const;

  private:
    friend Arguments parse(const Command&, const std::vector<std::string>&);
    const Command* command_ = nullptr;
    std::map<std::string, std::string> values_;
    std::map<std::string, std::string> typed_;  // option -> as typed, where an alias was used
    std::vector<std::string> operands_;
};

// Throws invx::Error for unknown options, missing values and repeated options (an alias and its
// option count as one). Values are kept under the option's own name.
Arguments parse(const Command& command, const std::vector<std::string>& args);

// The options of the settings `command` takes, from the setting table, with the command's defaults.
// An alias is offered only where no other setting of the command has that name.
std::vector<Option> settingOptions(SettingCommand command);
// `settings` with every setting of `command` that the arguments give; a refusal is a SettingError.
void applySettingOptions(const Arguments& args, SettingCommand command, CommandSettings& settings);
// Refuses the settings of another base method than `method` that the arguments give ("--epochs is
// a setting of --method omniquant, but the method is rtn"), as the table's `bases` say.
void refuseOtherMethodsSettings(const Arguments& args, SettingCommand command,
                                const std::string& method);
// "--bits: " for a SettingError about a setting whose option (or an alias) the arguments hold, so
// that the message names what the user typed; "" otherwise.
std::string settingOptionPrefix(const SettingError& error, const std::vector<std::string>& args);
std::string helpText(const Command& command);

// "1m05s", "2h03m": for progress lines.
std::string formatDuration(double seconds);

// True when the arguments ask for help.
bool wantsHelp(const std::vector<std::string>& args);

// The one-line message for an error that is not an invx::Error (those name their file or setting
// already): libtorch's own (first line only; a stack trace follows it) and out-of-memory, with the
// command line that was running, so that the file and settings at fault are in view.
std::string failureMessage(const std::exception& error, const std::vector<std::string>& args);

}  // namespace invx::cli
