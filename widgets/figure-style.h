#pragma once
// How a figure looks on paper: size, fonts, line widths and the colour-blind-safe Okabe-Ito
// palette with a dash pattern per run (grey-scale prints still read). One style serves PDF, SVG and
// PNG; the presets are the column widths of the venues.
#include <QColor>
#include <QString>
#include <QStringList>
#include <Qt>

class QCustomPlot;

namespace invx::gui {

struct FigureStyle {
    double widthInches = 3.25;
    double heightInches = 2.25;  // 162 pt
    int dpi = 300;               // PNG only
    bool serif = true;           // Times-like text, as papers set it
    double fontPoints = 8;       // labels, title, legend
    double tickPoints = 6;       // tick labels
    double lineWidth = 1.0;      // curve width in points
    double axisWidth = 0.5;      // axes, ticks
    bool title = false;          // papers caption their figures; the screen preset keeps the title

    int widthPoints() const { return int(widthInches * 72.0 + 0.5); }
    int heightPoints() const { return int(heightInches * 72.0 + 0.5); }
    QString fontFamily() const;

    // "icml-column" (3.25 in), "icml-double" (6.75 in), "neurips-column", "neurips-double",
    // "acl-column" (3.03 in), "acl-double" (6.30 in), "screen".
    static QStringList presetNames();
    // Throws std::invalid_argument naming the preset and the valid ones.
    static FigureStyle preset(const QString& name);
};

// Okabe & Ito (2008): eight colours distinguishable with every common colour-vision deficiency.
QColor okabeIto(int index);
// Solid, dashed, dotted, dash-dot, ... for run `index`.
Qt::PenStyle runPenStyle(int index);

// Applies the style's fonts and pens to a plot (curve colours and dashes are the plot's own).
void applyFigureStyle(QCustomPlot* plot, const FigureStyle& style);
// The size of a legend's text in a figure of this style (one point under the labels').
double legendFontPoints(const FigureStyle& style);

}  // namespace invx::gui
