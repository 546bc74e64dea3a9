#pragma once
// Writes figures for papers: PDF and SVG as vectors, PNG at the style's DPI, all three through one
// QCPPainter path in the same mode (so a line is as wide in the PNG as in the PDF), and the plotted
// data as CSV. A figure is a page: one plot or several panels side by side, and the legend they
// share under them, outside the data. Sizes are the style's, in points.
#include <QString>
#include <QStringList>
#include <vector>

#include "figure-style.h"
#include "run-figures.h"

class QCustomPlot;

namespace invx::gui {

class CurvePlot;
class GroupMapPlot;

// Panels and the legend under them.
struct FigurePage {
    std::vector<QCustomPlot*> panels;
    std::vector<LegendEntry> legend;  // none: no legend
    int columns = 1;                  // panels per row
    double widthPoints = 0, heightPoints = 0;
    QString title;  // the PDF's and SVG's title
};

// Writes `plot` as `format` ("pdf", "svg", "png" or "csv") to `path` at the style's size. Returns
// "" or an error sentence naming the file.
QString exportPlot(QCustomPlot* plot, const QString& path, const QString& format,
                   const FigureStyle& style);
// Writes the page as "pdf", "svg" or "png"; the same returns.
QString exportPage(const FigurePage& page, const QString& path, const QString& format,
                   const FigureStyle& style);
// Where the panels and the legend lie on the page (for tests): a rect per panel, then the legend's.
std::vector<QRectF> pageLayout(const FigurePage& page, const FigureStyle& style);

// The plotted data, one row per point: series, x, y (a header names the axes). A band adds the
// series "<name> (band low)" and "(band high)"; a reference line two rows at the ends of the keys.
// Bars: one row per bar.
QString exportPlotCsv(const CurvePlot* plot, const QString& path);
// A heat map's cells, one row per cell: row, group, value.
QString exportGroupMapCsv(const GroupMapPlot* plot, const QString& path);

// Every figure of the comparison into `directory` (created if missing) as <figure>.<format> for
// each format, drawn fresh in the style, each with its legend under it, and the panel figure
// (loss, perplexity and acceptance with one legend: side by side in a double-column style, one
// above another in a column) as panel.<format>. Returns the files written; throws
// std::runtime_error with the sentence of the first failure.
QStringList exportRunFigures(const Comparison& comparison, const FigureOptions& options,
                             const QString& directory, const QStringList& formats,
                             const FigureStyle& style);
// The same with each run an entry of its own, named `labels`.
QStringList exportRunFigures(const std::vector<const RunData*>& runs, const QStringList& labels,
                             const FigureOptions& options, const QString& directory,
                             const QStringList& formats, const FigureStyle& style);

}  // namespace invx::gui
