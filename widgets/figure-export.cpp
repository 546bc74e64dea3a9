#include "figure-export.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QLocale>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <QTextStream>
#include <stdexcept>

#include "curve-plot.h"
#include "group-map-plot.h"
#include "text-file-writer.h"

namespace invx::gui {
namespace {

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

// Draws the plot into a vector device whose logical unit is the point.
bool paintVector(QCustomPlot* plot, QPaintDevice* device, const FigureStyle& style) {
    QCPPainter painter;
    if (!painter.begin(device)) return false;
    painter.setMode(QCPPainter::pmVectorized);
    painter.setMode(QCPPainter::pmNoCaching);
    painter.setRenderHint(QPainter::Antialiasing);
    plot->toPainter(&painter, style.widthPoints(), style.heightPoints());
    return painter.end();
}

}  // namespace

QString exportPlot(QCustomPlot* plot, const QString& path, const QString& format,
                   const FigureStyle& style) {
    const QString f = format.toLower();
    auto* curves = qobject_cast<CurvePlot*>(plot);
    if (f == QLatin1String("csv")) {
        if (curves) return exportPlotCsv(curves, path);
        if (auto* map = qobject_cast<GroupMapPlot*>(plot)) return exportGroupMapCsv(map, path);
        return QStringLiteral("no CSV form for the figure '%1'").arg(path);
    }
    const QSize size(style.widthPoints(), style.heightPoints());
    // The plot is laid out at the figure's size in points, so that point-sized fonts and pens
    // keep their size relative to the figure.
    const QSize screenSize = plot->size();
    const QString title = curves ? curves->title() : plot->objectName();
    plot->resize(size);
    if (curves) {
        curves->setColumnsPerPixel(f == QLatin1String("png") ? style.dpi / 72.0 : 4.0);
        curves->updateDisplayData();
    }
    plot->replot(QCustomPlot::rpImmediateRefresh);
    bool ok = false;
    if (f == QLatin1String("pdf")) {
        QPdfWriter writer(path);
        writer.setResolution(72);
        writer.setPageSize(
            QPageSize(QSizeF(style.widthInches, style.heightInches), QPageSize::Inch));
        writer.setPageMargins(QMarginsF(0, 0, 0, 0));
        writer.setCreator(QStringLiteral("InvarExplore Workbench"));
        writer.setTitle(title);
        ok = paintVector(plot, &writer, style);
    } else if (f == QLatin1String("svg")) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setResolution(72);
        svg.setTitle(title);
        svg.setDescription(QStringLiteral("InvarExplore Workbench"));
        ok = paintVector(plot, &svg, style);
    } else if (f == QLatin1String("png")) {
        // Exactly width x height inches at the DPI: the point layout is stretched by the rounding
        // of the size to whole points (under 0.5%).
        QImage image(qRound(style.widthInches * style.dpi), qRound(style.heightInches * style.dpi),
                     QImage::Format_ARGB32);
        image.fill(Qt::white);
        image.setDotsPerMeterX(qRound(style.dpi / 0.0254));
        image.setDotsPerMeterY(qRound(style.dpi / 0.0254));
        QCPPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setRenderHint(QPainter::TextAntialiasing);
        painter.scale(double(image.width()) / size.width(), double(image.height()) / size.height());
        plot->toPainter(&painter, size.width(), size.height());
        painter.end();
        ok = image.save(path, "PNG");
    } else {
        plot->resize(screenSize);
        return QStringLiteral("unknown figure format '%1' for '%2'; use pdf, svg, png or csv")
            .arg(format, path);
    }
    plot->resize(screenSize);
    if (curves) {
        curves->setColumnsPerPixel(1);
        curves->updateDisplayData();
    }
    if (!ok || !QFile::exists(path))
        return QStringLiteral(
                   "could not write the figure '%1'; check that its folder exists and is writable")
            .arg(path);
    return {};
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
        for (const auto& b : plot->bars())
            for (std::size_t i = 0; i < b.values.size(); ++i)
                out << csvField(b.name) << ',' << i << ',' << number(b.values[i]) << '\n';
        for (const Curve& c : plot->curves())
            for (std::size_t i = 0; i < c.x.size(); ++i)
                out << csvField(c.name) << ',' << number(c.x[i]) << ',' << number(c.y[i]) << '\n';
    });
}

QStringList exportRunFigures(const std::vector<const RunData*>& runs, const QStringList& labels,
                             const FigureOptions& options, const QString& directory,
                             const QStringList& formats, const FigureStyle& style) {
    if (!QDir().mkpath(directory))
        throw std::runtime_error("could not create the folder '" + directory.toStdString() + "'");
    QStringList written;
    for (FigureKind kind : allFigureKinds()) {
        CurvePlot plot;
        plot.setAttribute(Qt::WA_DontShowOnScreen);
        plot.resize(style.widthPoints(), style.heightPoints());
        plot.setBarLegendColumns(style.widthInches < 4 ? 2 : 4);
        fillFigure(&plot, kind, runs, labels, options);
        applyFigureStyle(&plot, style);
        for (const QString& format : formats) {
            const QString path = QDir(directory).filePath(figureFileName(kind) + QLatin1Char('.') +
                                                          format.toLower());
            const QString error = exportPlot(&plot, path, format, style);
            if (!error.isEmpty()) throw std::runtime_error(error.toStdString());
            written << path;
        }
    }
    return written;
}

}  // namespace invx::gui
