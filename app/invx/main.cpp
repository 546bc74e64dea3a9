// invx: the command-line face of InvarExplore Workbench. It only parses and wires; the work is in
// invx_core.
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "commands.h"
#include "invx/cpu-threads.h"
#include "invx/error.h"
#include "invx/setting-problem.h"
#include "invx/version.h"

namespace {

struct Entry {
    const invx::cli::Command& (*command)();
    int (*run)(const invx::cli::Arguments&);
};

const std::vector<Entry>& entries() {
    static const std::vector<Entry> list = {
        {invx::cli::evalCommand, invx::cli::runEval},
        {invx::cli::quantizeCommand, invx::cli::runQuantizeCommand},
        {invx::cli::searchCommand, invx::cli::runSearchCommand},
        {invx::cli::applyCommand, invx::cli::runApply},
        {invx::cli::inspectCommand, invx::cli::runInspect},
        {invx::cli::tableCommand, invx::cli::runTable},
        {invx::cli::studyCommand, invx::cli::runStudy},
        {invx::cli::settingsCommand, invx::cli::runSettings},
        {invx::cli::exportInvariancesCommand, invx::cli::runExportInvariances},
        {invx::cli::importInvariancesCommand, invx::cli::runImportInvariances},
        {invx::cli::tokenizeCommand, invx::cli::runTokenize},
        {invx::cli::logitsCommand, invx::cli::runLogits},
    };
    return list;
}

void printUsage(std::ostream& out) {
    out << "Usage: invx COMMAND [options]\n\n"
           "InvarExplore Workbench: ultra-low-bit quantization of OPT language models.\n\n"
           "Commands:\n";
    std::size_t width = 0;
    for (const auto& e : entries()) width = std::max(width, e.command().name.size());
    for (const auto& e : entries()) {
        const auto& c = e.command();
        out << "  " << c.name << std::string(width + 2 - c.name.size(), ' ') << c.summary << '\n';
    }
    out << "\nRun 'invx COMMAND --help' for a command's options. Named data sets are looked up\n"
           "under $INVX_DATA (e.g. wikitext2 = $INVX_DATA/wikitext-2-raw/wiki.test.raw).\n"
           "  --help     show this help\n"
           "  --version  print the version\n";
}

}  // namespace

int main(int argc, char** argv) {
    invx::preferPassiveOpenMpWaiting(argv);
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        std::cerr << "invx: error: no command given; run 'invx --help' for the list\n";
        return 1;
    }
    if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        printUsage(std::cout);
        return 0;
    }
    if (args[0] == "--version") {
        std::cout << "invx " << invx::versionString() << '\n';
        return 0;
    }
    for (const auto& e : entries()) {
        const auto& command = e.command();
        if (command.name != args[0]) continue;
        std::vector<std::string> rest(args.begin() + 1, args.end());
        if (invx::cli::wantsHelp(rest)) {
            std::cout << invx::cli::helpText(command);
            return 0;
        }
        try {
            return e.run(invx::cli::parse(command, rest));
        } catch (const invx::SettingError& err) {
            std::cerr << "invx: error: " << invx::cli::settingOptionPrefix(err, rest) << err.what()
                      << '\n';
            return 1;
        } catch (const invx::Error& err) {
            std::cerr << "invx: error: " << err.what() << '\n';
            return 1;
        } catch (const std::exception& err) {
            std::cerr << "invx: error: " << invx::cli::failureMessage(err, args) << '\n';
            return 1;
        }
    }
    std::cerr << "invx: error: unknown command '" << args[0] << "'; run 'invx --help'\n";
    return 1;
}
