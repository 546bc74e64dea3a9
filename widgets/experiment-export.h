#pragma once
// `invx-workbench --export`: the figures, their data and the runs table of experiment files,
// without a window.
#include <QString>
#include <QStringList>
#include <vector>

namespace invx::gui {

struct ExportRequest {
    QStringList experiments;  // one file: its figures; several: overlaid, labelled by what differs
    QString directory;
    QStringList formats = {QStringLiteral("pdf"), QStringLiteral("svg"), QStringLiteral("png"),
                           QStringLiteral("csv")};
    QString preset = QStringLiteral("icml-column");
    bool timeAxis = false;
    bool groupSeeds = true;          // runs that differ only by seed: a mean with a band
    bool standardDeviation = false;  // the band: mean ± sd instead of min-max
    bool baselines = false;          // the base methods' step 0: a row and a reference line
    QString yScale = QStringLiteral("auto");  // auto | linear | log | relative
};

class RunsTableModel;
struct Comparison;
struct FigureOptions;
struct FigureStyle;
struct RunData;

// The runs table as runs.md and runs.tex in `directory`. Returns the files; throws
// std::runtime_error with the sentence of a failed write.
QStringList writeRunsTables(const RunsTableModel& table, const QString& directory);

// Every figure of the comparison in every format, and `table` as runs.md and runs.tex.
QStringList exportFiguresAndTables(const Comparison& comparison, const RunsTableModel& table,
                                   const FigureOptions& options, const QString& directory,
                                   const QStringList& formats, const FigureStyle& style);

// Writes <figure>.<format> for every figure and format, runs.md and runs.tex. Returns the files
// written. Throws std::runtime_error (invx::Error for unreadable experiments) with the sentence.
QStringList exportExperiments(const ExportRequest& request);

}  // namespace invx::gui
