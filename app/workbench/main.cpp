// invx-workbench: the window over the search worker; with --export, figures without a window.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <cstdio>

#include "experiment-export.h"
#include "inspector-worker.h"
#include "invx/version.h"
#include "main-window.h"
#include "results-evaluation-worker.h"
#include "results-view.h"
#include "search-worker.h"

namespace {

bool wantsExport(int argc, char** argv) {
    for (int i = 1; i < argc; ++i)
        if (QByteArray(argv[i]) == "--export") return true;
    return false;
}

int exportWithoutWindow(const QCommandLineParser& args) {
    invx::gui::ExportRequest request;
    request.experiments = args.positionalArguments();
    request.directory = args.value(QStringLiteral("out"));
    if (request.directory.isEmpty()) {
        std::fprintf(stderr, "invx-workbench: error: --export needs --out DIR\n");
        return 1;
    }
    if (args.isSet(QStringLiteral("format")))
        request.formats = args.value(QStringLiteral("format")).toLower().split(QLatin1Char(','));
    if (args.isSet(QStringLiteral("preset"))) request.preset = args.value(QStringLiteral("preset"));
    const QString axis = args.value(QStringLiteral("x-axis"));
    if (!axis.isEmpty() && axis != QLatin1String("step") && axis != QLatin1String("time")) {
        std::fprintf(stderr, "invx-workbench: error: --x-axis expects step or time, but got '%s'\n",
                     qPrintable(axis));
        return 1;
    }
    request.timeAxis = axis == QLatin1String("time");
    request.groupSeeds = !args.isSet(QStringLiteral("no-groups"));
    request.baselines = args.isSet(QStringLiteral("baselines"));
    const QString band = args.value(QStringLiteral("band"));
    if (!band.isEmpty() && band != QLatin1String("minmax") && band != QLatin1String("sd")) {
        std::fprintf(stderr, "invx-workbench: error: --band expects minmax or sd, but got '%s'\n",
                     qPrintable(band));
        return 1;
    }
    request.standardDeviation = band == QLatin1String("sd");
    if (args.isSet(QStringLiteral("y-scale")))
        request.yScale = args.value(QStringLiteral("y-scale"));
    try {
        const QStringList written = invx::gui::exportExperiments(request);
        for (const QString& f : written)
            std::printf("%s\n", qPrintable(QDir::toNativeSeparators(f)));
        std::fprintf(stderr, "invx-workbench: wrote %lld files to %s\n", (long long)written.size(),
                     qPrintable(request.directory));
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "invx-workbench: error: %s\n", e.what());
        return 1;
    }
}

}  // namespace

int main(int argc, char** argv) {
    // Exports need no display; a window does.
    if (wantsExport(argc, argv) && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    // Files that an `invx search` elsewhere is writing are followed read-only; HDF5's file locks
    // would refuse to open them.
    if (qEnvironmentVariableIsEmpty("HDF5_USE_FILE_LOCKING"))
        qputenv("HDF5_USE_FILE_LOCKING", "FALSE");
    // Named data sets (wikipedia, wikitext2, ...) live under $INVX_DATA; default to the data beside
    // the source tree, as the scripts do.
    if (qEnvironmentVariableIsEmpty("INVX_DATA") &&
        QDir(QStringLiteral(INVX_DEFAULT_DATA_DIR)).exists())
        qputenv("INVX_DATA", QDir(QStringLiteral(INVX_DEFAULT_DATA_DIR)).absolutePath().toUtf8());
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("InvarExplore"));
    QApplication::setApplicationName(QStringLiteral("InvarExplore Workbench"));
    QApplication::setApplicationVersion(QString::fromLatin1(invx::versionString()));

    QCommandLineParser args;
    args.setApplicationDescription(QStringLiteral(
        "InvarExplore Workbench: set up, watch, compare and export InvarExplore searches.\n"
        "Without --export it opens the window, with the experiment files given opened."));
    args.addHelpOption();
    args.addVersionOption();
    args.addPositionalArgument(QStringLiteral("experiments"),
                               QStringLiteral("Experiment files (.h5) to open or export."),
                               QStringLiteral("[RUN.h5 ...]"));
    args.addOption(
        {QStringLiteral("export"),
         QStringLiteral(
             "Write the figures, their CSV data and the runs table (runs.md, runs.tex) of the "
             "experiments into --out, without a window; several files are overlaid.")});
    args.addOption({QStringLiteral("out"),
                    QStringLiteral("Folder for --export (created if missing)."),
                    QStringLiteral("DIR")});
    args.addOption(
        {QStringLiteral("format"),
         QStringLiteral("Formats for --export, comma-separated: pdf,svg,png,csv (default: all)."),
         QStringLiteral("LIST")});
    args.addOption(
        {QStringLiteral("preset"),
         QStringLiteral("Figure size and style for --export: icml-column (3.25 in, default), "
                        "icml-double (6.75 in), neurips-column, neurips-double, acl-column (3.03 "
                        "in), acl-double (6.30 in), screen."),
         QStringLiteral("NAME")});
    args.addOption({QStringLiteral("x-axis"),
                    QStringLiteral("x axis of exported curves: step (default) or time."),
                    QStringLiteral("step|time")});
    args.addOption({QStringLiteral("y-scale"),
                    QStringLiteral("Value axis of exported curves: auto (default: log when the "
                                   "curves span two orders of magnitude), linear, log, or relative "
                                   "(each run over its step 0)."),
                    QStringLiteral("auto|linear|log|relative")});
    args.addOption({QStringLiteral("band"),
                    QStringLiteral("A seed group's band for --export: minmax (default) or sd "
                                   "(mean ± sample standard deviation)."),
                    QStringLiteral("minmax|sd")});
    args.addOption({QStringLiteral("no-groups"),
                    QStringLiteral("Draw runs that differ only by seed apart, not as a mean with a "
                                   "band.")});
    args.addOption({QStringLiteral("baselines"),
                    QStringLiteral("Add the base methods before the search (step 0): a row of the "
                                   "runs table and a reference line in the figures.")});
    args.process(app);
    if (args.isSet(QStringLiteral("export"))) return exportWithoutWindow(args);

    invx::gui::SearchWorker worker;
    invx::gui::InspectorWorker inspector;
    invx::gui::ResultsEvaluationWorker evaluator;
    invx::gui::MainWindow window(&worker, QStringLiteral(INVX_DEMO_MODEL_DIR), &inspector);
    window.setEvaluator(&evaluator);
    for (const QString& path : args.positionalArguments()) window.openExperiment(path);
    window.resize(1560, 960);
    window.show();
    return app.exec();
}
