#pragma once
// What is wrong with a setting, in the setting's words ("Bits must be between 1 and 8, but is 9"),
// never a command-line flag's: the command line prefixes its option ("--bits: ..."), the
// workbench's form marks the field the key names and shows the sentence under it.
#include <string>

#include "invx/error.h"

namespace invx {

struct SettingProblem {
    std::string key;       // the setting's key in the table and the experiment file: "bits"
    std::string sentence;  // a whole sentence about the setting's value
};

// Thrown by the checks of settings (SearchSettings::validate, a value parsed for the table).
class SettingError : public Error {
  public:
    explicit SettingError(const SettingProblem& problem)
        : Error(problem.sentence), problem_(problem) {}
    const std::string& key() const { return problem_.key; }
    const SettingProblem& problem() const { return problem_; }

  private:
    SettingProblem problem_;
};

}  // namespace invx
