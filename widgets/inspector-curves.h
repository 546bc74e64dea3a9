#pragma once
// The curves the inspector tabs draw from a layer's numbers: histograms as stepped curves, values
// against their index, and whole-number ticks for layers and counts.
#include <vector>

#include "curve-plot.h"
#include "layer-statistics.h"

namespace invx::gui {

constexpr int kInspectorBins = 80;  // bins of a weights histogram

// A histogram as a stepped curve: x = each bin's left edge (and the right end), y = its count.
// With `logCounts`, empty bins sit at 0.5, the floor of a log axis.
Curve histogramCurve(const QString& name, const Histogram& h, const QColor& colour,
                     Qt::PenStyle style, bool logCounts);
// Values against their index (0, 1, ...).
Curve indexedCurve(const QString& name, const std::vector<float>& values, const QColor& colour,
                   Qt::PenStyle style, double width);
// Values as dots (quantized weights sit on a few levels: the dots show the grid).
Curve indexedDots(const QString& name, const std::vector<float>& values, const QColor& colour);
// Ticks at whole numbers only (layers, counts), further apart when the range is wide.
void wholeNumberTicks(QCPAxis* axis);

}  // namespace invx::gui
