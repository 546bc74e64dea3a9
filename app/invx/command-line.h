#pragma once
// Each command declares its options once, in a table; the table drives parsing, defaults and the
// --help text.
#include <exception>
#include <map>
#include <string>
#include <vector>

namespace invx::cli {

struct Option {
    std::string name;          // "--bits"
    std::string valueName;     // "B"; empty for a flag
    std::string help;          // one line; the default is appended
    std::string defaultValue;  // "" = no default
};

struct Command {
    std::string name;      // "eval"
    std::string synopsis;  // "--model PATH|ID --data NAME|PATH [options]"
    std::string summary;   // one line for the command list
    std::vector<Option> options;
    std::string operands = {};  // what arguments that are not options are, for --help ("FILE..."); "" = none taken
};

class Arguments {
public:
    bool has(const std::string& name) const { return values_.count(name) > 0; }
    std::string get(const std::string& name) const;  // value or default; "" when neither
    std::string require(const std::string& name) const;  // throws when missing
    long long getInt(const std::string& name, long long min, long long max) const;
    double getDouble(const std::string& name) const;  // range checks are the caller's
    const std::vector<std::string>& operands() const { return operands_; }  // in order

private:
    friend Arguments parse(const Command&, const std::vector<std::string>&);
    const Command* command_ = nullptr;
    std::map<std::string, std::string> values_;
    std::vector<std::string> operands_;
};

// Throws invx::Error for unknown options, missing values and repeated options.
Arguments parse(const Command& command, const std::vector<std::string>& args);
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
