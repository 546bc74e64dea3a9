#pragma once
// Writes figures for papers: PDF and SVG as vectors (through one QCPPainter path: QPdfWriter and
// QSvgGenerator), PNG at the style's DPI, and the plotted data as CSV. Sizes are the style's
// inches.
#include <QString>
#include <QStringList>
#include <vector>

#include "figure-style.h"

class QCustomPlot;
#include "run-figures.h"

namespace invx::gui {

class CurvePlot;
class GroupMapPlot;

// Writes `plot` as `format` ("pdf", "svg", "png" or "csv") to `path`. Returns "" or an error
// sentence naming the file.
QString exportPlot(QCustomPlot* plot, const QString& path, const QString& format,
                   const FigureStyle& style);

// The plotted data, one row per point: series, x, y (a header names the axes). Bars: one row per
// bar.
QString exportPlotCsv(const CurvePlot* plot, const QString& path);
// A heat map's cells, one row per cell: row, group, value.
QString exportGroupMapCsv(const GroupMapPlot* plot, const QString& path);

// Every figure of `runs` into `directory` (created if missing) as <figure>.<format> for each
// format, drawn fresh in the style. Returns the files written; throws std::runtime_error with the
// sentence of the first failure.
QStringList exportRunFigures(const std::vector<const RunData*>& runs, const QStringList& labels,
                             const FigureOptions& options, const QString& directory,
                             const QStringList& formats, const FigureStyle& style);

}  // namespace invx::gui
