#pragma once
// The search settings as data: one row per setting with its experiment-file key, command-line
// option, form label, kind, range, default and help. `invx search --help` prints it, the CLI parses
// with it, the workbench builds its form from it and the experiment file stores the same keys, so
// the three never disagree. Ranges are hints for editors; SearchSettings::validate() decides.
#include <functional>
#include <string>
#include <vector>

#include "invx/search-settings.h"

namespace invx {

enum class SettingKind {
    Integer,      // whole number in [minimum, maximum]
    Real,         // floating-point number in [minimum, maximum]
    Choice,       // one of `choices`
    OpenChoice,   // one of `choices` or free text (a corpus name or a file path)
    Invariances,  // a non-empty subset of P, S and R
};

struct SettingDeclaration {
    std::string key;        // experiment-file JSON key: "swap_frac"
    std::string option;     // command-line option: "--swap-frac"
    std::string valueName;  // placeholder in --help: "F"
    std::string label;      // form label: "Swap fraction"
    std::string section;    // form section: "Quantization", "Calibration", "Search", "Evaluation", "Checkpoints"
    SettingKind kind = SettingKind::Integer;
    double minimum = 0, maximum = 0;   // Integer and Real
    std::vector<std::string> choices;  // Choice and OpenChoice
    std::string help;                  // one line, without the default
    std::function<std::string(const SearchSettings&)> get;  // the value as text ("0.1", "PSR")
    // Parses `text` into the setting. Throws invx::Error naming the option when the text is not of
    // the setting's type; range checks are SearchSettings::validate()'s.
    std::function<void(SearchSettings&, const std::string&)> set;
};

// Named starting points: "paper" (the published settings: SearchSettings' defaults) and "demo" (the
// bundled demo model alive on a 2-core CPU: 4 x 128 calibration tokens, 2,000 steps, 4 evaluation
// windows every 30 s). Throws invx::Error naming the preset and the known ones.
SearchSettings searchSettingsPreset(const std::string& name);

// Every setting, in the order of `invx search --help` and the workbench form.
const std::vector<SettingDeclaration>& searchSettingDeclarations();
// The declaration with this JSON key or command-line option; nullptr when there is none.
const SettingDeclaration* findSettingDeclaration(const std::string& keyOrOption);
// The key a validation message is about ("search setting 'alpha' must ..." -> "alpha"); "" if none.
std::string settingKeyInMessage(const std::string& message);

}  // namespace invx
