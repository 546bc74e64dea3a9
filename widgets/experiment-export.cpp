#include "experiment-export.h"

#include <QDir>
#include <QSaveFile>
#include <memory>
#include <stdexcept>
#include <vector>

#include "figure-export.h"
#include "run-loader.h"
#include "runs-table-model.h"

namespace invx::gui {

QStringList exportExperiments(const ExportRequest& request) {
    if (request.experiments.isEmpty()) throw std::runtime_error("--export needs at least one experiment file");
    for (const QString& f : request.formats)
        if (!QStringList{QStringLiteral("pdf"), QStringLiteral("svg"), QStringLiteral("png"), QStringLiteral("csv")}.contains(f))
            throw std::runtime_error("--format expects pdf, svg, png or csv (comma-separated), but got '" + f.toStdString() + "'");
    const FigureStyle style = FigureStyle::preset(request.preset);
    std::vector<std::unique_ptr<RunData>> runs;
    std::vector<const RunData*> pointers;
    for (const QString& path : request.experiments) {
        runs.push_back(std::make_unique<RunData>(loadRun(path)));
        pointers.push_back(runs.back().get());
    }
    RunsTableModel table;
    table.setRuns(pointers);
    FigureOptions options;
    options.timeAxis = request.timeAxis;
    QStringList written = exportRunFigures(pointers, table.labels(), options, request.directory, request.formats, style);
    for (const auto& [name, text] : {std::pair{QStringLiteral("runs.md"), table.toMarkdown()},
                                     std::pair{QStringLiteral("runs.tex"), table.toLatex()}}) {
        QSaveFile out(QDir(request.directory).filePath(name));
        if (!out.open(QIODevice::WriteOnly | QIODevice::Text) || out.write(text.toUtf8()) < 0 || !out.commit())
            throw std::runtime_error("could not write '" + out.fileName().toStdString() + "': " + out.errorString().toStdString());
        written << out.fileName();
    }
    return written;
}

}  // namespace invx::gui
