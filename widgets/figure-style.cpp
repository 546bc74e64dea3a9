#include "figure-style.h"

#include <qcustomplot.h>

#include <stdexcept>

#include "curve-plot.h"

namespace invx::gui {

QString FigureStyle::fontFamily() const {
    return serif ? QStringLiteral("DejaVu Serif") : QStringLiteral("DejaVu Sans");
}

QStringList FigureStyle::presetNames() {
    return {QStringLiteral("icml-column"),    QStringLiteral("icml-double"),
            QStringLiteral("neurips-column"), QStringLiteral("neurips-double"),
            QStringLiteral("acl-column"),     QStringLiteral("acl-double"),
            QStringLiteral("screen")};
}

FigureStyle FigureStyle::preset(const QString& name) {
    FigureStyle s;
    if (name == QLatin1String("icml-column") || name == QLatin1String("neurips-column")) {
        s.widthInches = 3.25;
    } else if (name == QLatin1String("icml-double") || name == QLatin1String("neurips-double")) {
        s.widthInches = 6.75;
        s.heightInches = 2.6;
    } else if (name == QLatin1String("acl-column")) {
        s.widthInches = 3.03;
    } else if (name == QLatin1String("acl-double")) {
        s.widthInches = 6.30;
        s.heightInches = 2.6;
    } else if (name == QLatin1String("screen")) {
        s.widthInches = 8;
        s.heightInches = 5;
        s.dpi = 96;
        s.serif = false;
        s.fontPoints = 10;
        s.tickPoints = 9;
        s.lineWidth = 1.5;
        s.axisWidth = 1;
        s.title = true;
    } else {
        throw std::invalid_argument("unknown figure preset '" + name.toStdString() +
                                    "'; use one of " +
                                    presetNames().join(QStringLiteral(", ")).toStdString());
    }
    return s;
}

QColor okabeIto(int index) {
    static const QColor colours[] = {
        QColor(0, 114, 178),   QColor(230, 159, 0),  QColor(0, 158, 115),  QColor(213, 94, 0),
        QColor(204, 121, 167), QColor(86, 180, 233), QColor(240, 228, 66), QColor(0, 0, 0)};
    return colours[((index % 8) + 8) % 8];
}

Qt::PenStyle runPenStyle(int index) {
    static const Qt::PenStyle styles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine,
                                          Qt::DashDotDotLine};
    return styles[((index % 5) + 5) % 5];
}

void applyFigureStyle(QCustomPlot* plot, const FigureStyle& style) {
    // Figures are laid out in points (1 unit = 1/72 in on every device), so a font of N points is
    // N units tall: pixel sizes, which no device DPI rescales.
    QFont text(style.fontFamily());
    text.setPixelSize(qMax(1, qRound(style.fontPoints)));
    QFont ticks(style.fontFamily());
    ticks.setPixelSize(qMax(1, qRound(style.tickPoints)));
    plot->setFont(text);
    for (QCPAxis* axis : plot->axisRect()->axes()) {
        axis->setLabelFont(text);
        axis->setTickLabelFont(ticks);
        axis->setBasePen(QPen(Qt::black, style.axisWidth));
        axis->setTickPen(QPen(Qt::black, style.axisWidth));
        axis->setSubTickPen(QPen(Qt::black, style.axisWidth * 0.6));
        axis->setTickLength(0, 3);
        axis->setSubTickLength(0, 1);
        axis->setLabelPadding(2);
        axis->setTickLabelPadding(2);
        axis->grid()->setPen(QPen(QColor(225, 225, 225), style.axisWidth * 0.6));
    }
    for (int i = 0; i < plot->plotLayout()->elementCount(); ++i)
        if (auto* scale = qobject_cast<QCPColorScale*>(plot->plotLayout()->elementAt(i))) {
            scale->axis()->setLabelFont(text);
            scale->axis()->setTickLabelFont(ticks);
            scale->setBarWidth(6);
        }
    // Room for half a tick label past the axes' ends (QCustomPlot keeps 15 units on every side).
    plot->axisRect()->setMinimumMargins(
        QMargins(2, qRound(style.tickPoints), qRound(1.7 * style.tickPoints), 2));
    plot->legend->setFont(ticks);
    plot->legend->setBrush(Qt::white);  // opaque: print shows no half-tones behind text
    plot->legend->setBorderPen(QPen(QColor(180, 180, 180), style.axisWidth));
    plot->legend->setRowSpacing(0);
    plot->legend->setIconSize(18, 8);
    for (int i = 0; i < plot->plotLayout()->elementCount(); ++i)
        if (auto* title = qobject_cast<QCPTextElement*>(plot->plotLayout()->elementAt(i))) {
            if (!style.title) {
                plot->plotLayout()->take(title);
                plot->plotLayout()->simplify();
                delete title;
                break;
            }
            QFont f = text;
            f.setBold(true);
            title->setFont(f);
        }
    for (int i = 0; i < plot->graphCount(); ++i) {
        QPen pen = plot->graph(i)->pen();
        // Faint raw curves under smoothed ones stay thinner than the curve itself.
        pen.setWidthF(plot->graph(i)->property("faint").toBool() ? style.lineWidth * 0.6
                                                                 : style.lineWidth);
        plot->graph(i)->setPen(pen);
        QCPScatterStyle marker = plot->graph(i)->scatterStyle();
        if (!marker.isNone()) {
            // Markers in points, thin-edged, as printed figures draw them.
            // Filled dots mark many points (a neuron's quantized weights): smaller.
            marker.setSize(style.fontPoints *
                           (marker.shape() == QCPScatterStyle::ssDisc ? 0.2 : 0.4));
            marker.setPen(QPen(marker.pen().color(), style.axisWidth));
            plot->graph(i)->setScatterStyle(marker);
        }
    }
    for (int i = 0; i < plot->plottableCount(); ++i)
        if (auto* bars = qobject_cast<QCPBars*>(plot->plottable(i));
            bars && bars->pen() != Qt::NoPen)
            bars->setPen(QPen(bars->pen().color(), style.axisWidth));
    // A curve plot redraws its pens from the curves' screen widths: scale them to the style's, so
    // that every format draws the width the style says.
    if (auto* curves = qobject_cast<CurvePlot*>(plot)) curves->setPenScale(style.lineWidth / 1.6);
}

double legendFontPoints(const FigureStyle& style) { return style.fontPoints - 1; }

}  // namespace invx::gui
