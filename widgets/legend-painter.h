#pragma once
// A legend drawn apart from the plots, outside their data: under a figure, under a panel of
// figures, above the curves in the window. Entries sit in a grid of equal columns, as many as the
// width takes, read left to right, the grid centred. One drawing serves the screen, PDF, SVG and
// PNG: sizes are in the painter's units (pixels on screen, points in exports).
#include <QFont>
#include <QPointF>
#include <QRectF>
#include <vector>

#include "curve-plot.h"

class QPainter;

namespace invx::gui {

struct LegendLook {
    QFont font;              // a pixel size in the painter's units
    double swatch = 18;      // the sample line's length
    double gap = 4;          // between the sample and the text
    double spacing = 10;     // between columns
    double lineScale = 1;    // sample pens: the entries' screen widths times this
    double rowFactor = 1.2;  // row height over the font's line height
};

struct LegendLayout {
    std::vector<QRectF> cells;  // per entry, from the legend's top left
    QSizeF size;                // the whole legend (its width: the width it was laid out in)
};

// Lays `entries` out in `width`; an empty legend has no height.
LegendLayout layoutLegend(const std::vector<LegendEntry>& entries, const LegendLook& look,
                          double width);

// Draws the laid-out legend with its top left at `origin`.
void paintLegend(QPainter* painter, const std::vector<LegendEntry>& entries,
                 const LegendLayout& layout, const LegendLook& look, QPointF origin);

}  // namespace invx::gui
