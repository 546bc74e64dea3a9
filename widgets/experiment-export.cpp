#include "experiment-export.h"

#include <QDir>
#include <memory>
#include <stdexcept>
#include <vector>

#include "figure-export.h"
#include "run-loader.h"
#include "runs-table-model.h"
#include "text-file-writer.h"

namespace invx::gui {
namespace {

YScale yScaleNamed(const QString& name) {
    if (name == QLatin1String("auto")) return YScale::Automatic;
    if (name == QLatin1String("linear")) return YScale::Linear;
    if (name == QLatin1String("log")) return YScale::Logarithmic;
    if (name == QLatin1String("relative")) return YScale::RelativeToStart;
    throw std::runtime_error("--y-scale expects auto, linear, log or relative, but got '" +
                             name.toStdString() + "'");
}

}  // namespace

QStringList exportExperiments(const ExportRequest& request) {
    if (request.experiments.isEmpty())
        throw std::runtime_error("--export needs at least one experiment file");
    for (const QString& f : request.formats)
        if (!QStringList{QStringLiteral("pdf"), QStringLiteral("svg"), QStringLiteral("png"),
                         QStringLiteral("csv")}
                 .contains(f))
            throw std::runtime_error(
                "--format expects pdf, svg, png or csv (comma-separated), but got '" +
                f.toStdString() + "'");
    const FigureStyle style = FigureStyle::preset(request.preset);
    std::vector<std::unique_ptr<RunData>> runs;
    std::vector<const RunData*> pointers;
    for (const QString& path : request.experiments) {
        runs.push_back(std::make_unique<RunData>(loadRun(path)));
        pointers.push_back(runs.back().get());
    }
    FigureOptions options;
    options.timeAxis = request.timeAxis;
    options.yScale = yScaleNamed(request.yScale);
    options.comparison.groupSeeds = request.groupSeeds;
    options.comparison.band =
        request.standardDeviation ? BandKind::StandardDeviation : BandKind::MinMax;
    options.comparison.baselines = request.baselines;
    RunsTableModel table;
    table.setOptions(options.comparison);
    table.setRuns(pointers);
    return exportFiguresAndTables(table.comparison(), table, options, request.directory,
                                  request.formats, style);
}

QStringList writeRunsTables(const RunsTableModel& table, const QString& directory) {
    QStringList written;
    for (const auto& [name, text] : {std::pair{QStringLiteral("runs.md"), table.toMarkdown()},
                                     std::pair{QStringLiteral("runs.tex"), table.toLatex()}}) {
        const QString path = QDir(directory).filePath(name);
        const QString error = writeTextFile(path, text);
        if (!error.isEmpty()) throw std::runtime_error(error.toStdString());
        written << path;
    }
    return written;
}

QStringList exportFiguresAndTables(const Comparison& comparison, const RunsTableModel& table,
                                   const FigureOptions& options, const QString& directory,
                                   const QStringList& formats, const FigureStyle& style) {
    QStringList written =
        exportRunFigures(comparison, options, directory, formats, style);  // creates the folder
    return written + writeRunsTables(table, directory);
}

}  // namespace invx::gui
