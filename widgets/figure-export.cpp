#include "figure-export.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QLocale>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <QTextStream>
#include <cmath>
#include <memory>
#include <stdexcept>

#include "curve-plot.h"
#include "group-map-plot.h"
#include "legend-painter.h"
#include "text-file-writer.h"

namespace invx::gui {
namespace {

constexpr double kLegendGap = 2;     // points between the panels and the legend
constexpr double kLegendMargin = 3;  // points between the legend and the page's sides

// Doubles as the shortest text that reads back to the same value.
QString number(double v) { return QString::number(v, 'g', QLocale::FloatingPointShortest); }

QString csvField(const QString& text) {
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
        !text.contains(QLatin1Char('\n')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

LegendLook legendLook(const FigureStyle& style) {
    LegendLook look;
    look.font = QFont(style.fontFamily());
    look.font.setPixelSize(qMax(1, qRound(legendFontPoints(style))));
    look.swatch = 2.2 * legendFontPoints(style);
    look.gap = 0.4 * legendFontPoints(style);
    look.spacing = legendFontPoints(style);
    look.lineScale = style.lineWidth / 1.6;
    look.rowFactor = 1.1;
    return look;
}

// The panels' grid in whole points (plots are laid out in points) above the legend.
struct PageGeometry {
    std::vector<QRect> panels;
    LegendLayout legend;
    QPointF legendAt;
};

PageGeometry geometry(const FigurePage& page, const FigureStyle& style) {
    PageGeometry g;
    const int width = int(std::lround(page.widthPoints)),
              height = int(std::lround(page.heightPoints));
    g.legend = layoutLegend(page.legend, legendLook(style), width - 2 * kLegendMargin);
    const double legendHeight = page.legend.empty() ? 0 : g.legend.size.height() + kLegendGap;
    const int columns = std::max(1, page.columns);
    const int rows = int((page.panels.size() + std::size_t(columns) - 1) / std::size_t(columns));
    const int panelsHeight = int(std::floor(height - legendHeight));
    for (std::size_t i = 0; i < page.panels.size(); ++i) {
        const int c = int(i) % columns, r = int(i) / columns;
        const int left = width * c / columns, right = width * (c + 1) / columns;
        const int top = panelsHeight * r / std::max(rows, 1),
                  bottom = panelsHeight * (r + 1) / std::max(rows, 1);
        g.panels.emplace_back(left, top, right - left, bottom - top);
    }
    g.legendAt = QPointF(kLegendMargin, panelsHeight + kLegendGap);
    return g;
}

// Lays the plots out at their panels' sizes (point-sized fonts and pens keep their size relative
// to the figure) with as many display columns as the device has (a curve keeps its detail).
void prepare(const FigurePage& page, const PageGeometry& g, const QString& format,
             const FigureStyle& style) {
    for (std::size_t i = 0; i < page.panels.size(); ++i) {
        QCustomPlot* plot = page.panels[i];
        plot->resize(g.panels[i].size());
        if (auto* curves = qobject_cast<CurvePlot*>(plot)) {
            curves->setColumnsPerPixel(format == QLatin1String("png") ? style.dpi / 72.0 : 4.0);
            curves->updateDisplayData();
        }
        plot->replot(QCustomPlot::rpImmediateRefresh);
    }
}

// Every format draws in the vector painter's mode: QCustomPlot otherwise turns 1-unit pens into
// hairlines and rounds lines to pixels on raster devices, so that a PNG would not match its PDF.
void paint(QCPPainter* painter, const FigurePage& page, const PageGeometry& g,
           const FigureStyle& style) {
    painter->setMode(QCPPainter::pmVectorized);
    painter->setMode(QCPPainter::pmNoCaching);
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setRenderHint(QPainter::TextAntialiasing);
    for (std::size_t i = 0; i < page.panels.size(); ++i) {
        painter->save();
        painter->translate(g.panels[i].topLeft());
        page.panels[i]->toPainter(painter, g.panels[i].width(), g.panels[i].height());
        painter->restore();
    }
    if (!page.legend.empty())
        paintLegend(painter, page.legend, g.legend, legendLook(style), g.legendAt);
}

bool writePdf(const FigurePage& page, const PageGeometry& g, const QString& path,
              const FigureStyle& style) {
    QPdfWriter writer(path);
    writer.setResolution(72);  // one unit, one point
    writer.setPageSize(
        QPageSize(QSizeF(page.widthPoints / 72.0, page.heightPoints / 72.0), QPageSize::Inch));
    writer.setPageMargins(QMarginsF(0, 0, 0, 0));
    writer.setCreator(QStringLiteral("InvarExplore Workbench"));
    writer.setTitle(page.title);
    QCPPainter painter;
    if (!painter.begin(&writer)) return false;
    paint(&painter, page, g, style);
    return painter.end();
}

bool writeSvg(const FigurePage& page, const PageGeometry& g, const QString& path,
              const FigureStyle& style) {
    const QSize size(int(std::lround(page.widthPoints)), int(std::lround(page.heightPoints)));
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(size);
    svg.setViewBox(QRect(QPoint(0, 0), size));
    svg.setResolution(72);
    svg.setTitle(page.title);
    svg.setDescription(QStringLiteral("InvarExplore Workbench"));
    QCPPainter painter;
    if (!painter.begin(&svg)) return false;
    paint(&painter, page, g, style);
    return painter.end();
}

bool writePng(const FigurePage& page, const PageGeometry& g, const QString& path,
              const FigureStyle& style) {
    // Exactly the page's inches at the DPI: the point layout is stretched by the rounding of the
    // size to whole points (under 0.5%).
    QImage image(qRound(page.widthPoints / 72.0 * style.dpi),
                 qRound(page.heightPoints / 72.0 * style.dpi), QImage::Format_ARGB32);
    image.fill(Qt::white);
    image.setDotsPerMeterX(qRound(style.dpi / 0.0254));
    image.setDotsPerMeterY(qRound(style.dpi / 0.0254));
    QCPPainter painter(&image);
    painter.scale(double(image.width()) / std::lround(page.widthPoints),
                  double(image.height()) / std::lround(page.heightPoints));
    paint(&painter, page, g, style);
    painter.end();
    return image.save(path, "PNG");
}

// A figure's legend when it has one to give: two entries or more (one curve names itself).
std::vector<LegendEntry> ownLegend(const CurvePlot& plot) {
    std::vector<LegendEntry> entries = plot.legendEntries();
    return entries.size() > 1 ? entries : std::vector<LegendEntry>{};
}

// The legend a panel of figures shares: every entry of any panel, once.
std::vector<LegendEntry> sharedLegend(const std::vector<std::unique_ptr<CurvePlot>>& plots) {
    std::vector<LegendEntry> out;
    for (const auto& plot : plots)
        for (const LegendEntry& e : plot->legendEntries())
            if (std::none_of(out.begin(), out.end(),
                             [&](const LegendEntry& o) { return o.label == e.label; }))
                out.push_back(e);
    return out.size() > 1 ? out : std::vector<LegendEntry>{};
}

std::unique_ptr<CurvePlot> figurePlot(FigureKind kind, const Comparison& comparison,
                                      const FigureOptions& options, const FigureStyle& style) {
    auto plot = std::make_unique<CurvePlot>();
    plot->setAttribute(Qt::WA_DontShowOnScreen);
    plot->resize(style.widthPoints(), style.heightPoints());
    plot->setBarLegendColumns(style.widthInches < 4 ? 2 : 4);
    fillFigure(plot.get(), kind, comparison, options);
    plot->setLegendBelow(false);  // the page draws the legend
    applyFigureStyle(plot.get(), style);
    return plot;
}

void writeAll(const FigurePage& page, const QString& directory, const QString& name,
              const QStringList& formats, const FigureStyle& style, QStringList* written) {
    for (const QString& format : formats) {
        const QString path = QDir(directory).filePath(name + QLatin1Char('.') + format.toLower());
        const QString error =
            format.toLower() == QLatin1String("csv")
                ? exportPlotCsv(qobject_cast<CurvePlot*>(page.panels.front()), path)
                : exportPage(page, path, format, style);
        if (!error.isEmpty()) throw std::runtime_error(error.toStdString());
        *written << path;
    }
}

}  // namespace

std::vector<QRectF> pageLayout(const FigurePage& page, const FigureStyle& style) {
    const PageGeometry g = geometry(page, style);
    std::vector<QRectF> out(g.panels.begin(), g.panels.end());
    out.push_back(QRectF(g.legendAt, g.legend.size));
    return out;
}

QString exportPage(const FigurePage& page, const QString& path, const QString& format,
                   const FigureStyle& style) {
    const QString f = format.toLower();
    if (f != QLatin1String("pdf") && f != QLatin1String("svg") && f != QLatin1String("png"))
        return QStringLiteral("unknown figure format '%1' for '%2'; use pdf, svg, png or csv")
            .arg(format, path);
    std::vector<QSize> screenSizes;
    for (QCustomPlot* plot : page.panels) screenSizes.push_back(plot->size());
    const PageGeometry g = geometry(page, style);
    prepare(page, g, f, style);
    const bool ok = f == QLatin1String("pdf")   ? writePdf(page, g, path, style)
                    : f == QLatin1String("svg") ? writeSvg(page, g, path, style)
                                                : writePng(page, g, path, style);
    for (std::size_t i = 0; i < page.panels.size(); ++i) {
        page.panels[i]->resize(screenSizes[i]);
        if (auto* curves = qobject_cast<CurvePlot*>(page.panels[i])) {
            curves->setColumnsPerPixel(1);
            curves->updateDisplayData();
        }
    }
    if (!ok || !QFile::exists(path))
        return QStringLiteral(
                   "could not write the figure '%1'; check that its folder exists and is writable")
            .arg(path);
    return {};
}

QString exportPlot(QCustomPlot* plot, const QString& path, const QString& format,
                   const FigureStyle& style) {
    if (format.toLower() == QLatin1String("csv")) {
        if (auto* curves = qobject_cast<CurvePlot*>(plot)) return exportPlotCsv(curves, path);
        if (auto* map = qobject_cast<GroupMapPlot*>(plot)) return exportGroupMapCsv(map, path);
        return QStringLiteral("no CSV form for the figure '%1'").arg(path);
    }
    FigurePage page;
    page.panels = {plot};
    page.widthPoints = style.widthInches * 72;
    page.heightPoints = style.heightInches * 72;
    auto* curves = qobject_cast<CurvePlot*>(plot);
    page.title = curves ? curves->title() : plot->objectName();
    return exportPage(page, path, format, style);
}

QString exportGroupMapCsv(const GroupMapPlot* plot, const QString& path) {
    return writeTextFile(path, [&](QTextStream& out) {
        out << "row,group," << csvField(plot->valueName()) << '\n';
        for (std::int64_t r = 0; r < plot->rows(); ++r)
            for (std::int64_t g = 0; g < plot->groups(); ++g)
                out << r << ',' << g << ',' << number(plot->cell(r, g)) << '\n';
    });
}

QString exportPlotCsv(const CurvePlot* plot, const QString& path) {
    return writeTextFile(path, [&](QTextStream& out) {
        out << "series," << csvField(plot->xAxis->label()) << ',' << csvField(plot->yAxis->label())
            << '\n';
        auto series = [&](const QString& name, const std::vector<double>& x,
                          const std::vector<double>& y) {
            for (std::size_t i = 0; i < x.size() && i < y.size(); ++i)
                out << csvField(name) << ',' << number(x[i]) << ',' << number(y[i]) << '\n';
        };
        for (const auto& b : plot->bars())
            for (std::size_t i = 0; i < b.values.size(); ++i)
                out << csvField(b.name) << ',' << i << ',' << number(b.values[i]) << '\n';
        double first = 0, last = 0;
        for (const Curve& c : plot->curves()) {
            series(c.name, c.x, c.y);
            if (!c.lower.empty()) {
                series(QCoreApplication::translate("FigureExport", "%1 (band low)").arg(c.name),
                       c.x, c.lower);
                series(QCoreApplication::translate("FigureExport", "%1 (band high)").arg(c.name),
                       c.x, c.upper);
            }
            if (!c.x.empty())
                first = std::min(first, c.x.front()), last = std::max(last, c.x.back());
        }
        for (const ReferenceLine& line : plot->referenceLines())
            series(line.name, {first, last}, {line.y, line.y});
    });
}

QStringList exportRunFigures(const Comparison& comparison, const FigureOptions& options,
                             const QString& directory, const QStringList& formats,
                             const FigureStyle& style) {
    if (!QDir().mkpath(directory))
        throw std::runtime_error("could not create the folder '" + directory.toStdString() + "'");
    QStringList written;
    for (FigureKind kind : allFigureKinds()) {
        const std::unique_ptr<CurvePlot> plot = figurePlot(kind, comparison, options, style);
        FigurePage page{{plot.get()},           ownLegend(*plot),        1,
                        style.widthInches * 72, style.heightInches * 72, figureTitle(kind)};
        writeAll(page, directory, figureFileName(kind), formats, style, &written);
    }
    // The paper's Figure 1: side by side at double-column width, one above another in a column.
    std::vector<std::unique_ptr<CurvePlot>> panels;
    FigurePage page;
    FigureOptions panelOptions = options;
    panelOptions.recentAcceptance = false;
    for (FigureKind kind : panelFigureKinds()) {
        panels.push_back(figurePlot(kind, comparison, panelOptions, style));
        page.panels.push_back(panels.back().get());
    }
    page.legend = sharedLegend(panels);
    const bool wide = style.widthInches >= 5;
    page.columns = wide ? int(panels.size()) : 1;
    page.widthPoints = style.widthInches * 72;
    page.heightPoints = style.heightInches * 72 * (wide ? 1 : 0.72 * double(panels.size()));
    page.title =
        QCoreApplication::translate("FigureExport", "Calibration loss, perplexity and acceptance");
    QStringList panelFormats = formats;
    panelFormats.removeAll(QStringLiteral("csv"));  // the data is in the figures' own CSV
    writeAll(page, directory, QStringLiteral("panel"), panelFormats, style, &written);
    return written;
}

QStringList exportRunFigures(const std::vector<const RunData*>& runs, const QStringList& labels,
                             const FigureOptions& options, const QString& directory,
                             const QStringList& formats, const FigureStyle& style) {
    return exportRunFigures(Comparison::ofRuns(runs, labels), options, directory, formats, style);
}

}  // namespace invx::gui
