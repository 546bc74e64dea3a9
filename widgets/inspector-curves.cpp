#include "inspector-curves.h"

#include <algorithm>

namespace invx::gui {

Curve histogramCurve(const QString& name, const Histogram& h, const QColor& colour,
                     Qt::PenStyle style, bool logCounts) {
    Curve c{name, {}, {}, colour, style, false, false, 1.4, true};
    for (std::size_t b = 0; b < h.counts.size(); ++b) {
        c.x.push_back(h.lower + h.binWidth() * double(b));
        c.y.push_back(logCounts ? std::max(h.counts[b], 0.5) : h.counts[b]);
    }
    c.x.push_back(h.upper);
    c.y.push_back(c.y.back());
    return c;
}

Curve indexedCurve(const QString& name, const std::vector<float>& values, const QColor& colour,
                   Qt::PenStyle style, double width) {
    Curve c{name, {}, {}, colour, style, false, false, width};
    for (std::size_t i = 0; i < values.size(); ++i)
        c.x.push_back(double(i)), c.y.push_back(double(values[i]));
    return c;
}

Curve indexedDots(const QString& name, const std::vector<float>& values, const QColor& colour) {
    Curve c = indexedCurve(name, values, colour, Qt::NoPen, 1.0);
    c.markers = true;
    c.dots = true;
    c.markerSize = 3;
    return c;
}

void wholeNumberTicks(QCPAxis* axis) {
    QSharedPointer<QCPAxisTickerFixed> whole(new QCPAxisTickerFixed);
    whole->setTickStep(1);
    whole->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    axis->setTicker(whole);
}

}  // namespace invx::gui
