#include "legend-painter.h"

#include <QFontMetricsF>
#include <QPainter>
#include <algorithm>
#include <cmath>

namespace invx::gui {
namespace {

// A band's tint, as the plots fill it.
QColor tint(QColor c) {
    c.setAlpha(56);
    return c;
}

void paintSample(QPainter* painter, const LegendEntry& e, const QRectF& sample, double scale) {
    const double y = sample.center().y();
    if (e.bar) {
        const double side = sample.height() * 0.8;
        painter->fillRect(QRectF(sample.center().x() - side / 2, y - side / 2, side, side),
                          e.color);
        return;
    }
    if (e.band) painter->fillRect(sample, tint(e.color));
    QPen pen(e.color, e.width * scale, e.style);
    pen.setCapStyle(Qt::FlatCap);
    painter->setPen(pen);
    painter->drawLine(QPointF(sample.left(), y), QPointF(sample.right(), y));
    if (e.marker) {
        const double r = sample.height() * 0.28;
        painter->setPen(QPen(e.color, std::max(0.5, 0.5 * e.width * scale)));
        painter->setBrush(Qt::white);
        painter->drawEllipse(QPointF(sample.center().x(), y), r, r);
    }
}

}  // namespace

LegendLayout layoutLegend(const std::vector<LegendEntry>& entries, const LegendLook& look,
                          double width) {
    LegendLayout layout;
    if (entries.empty() || width <= 0) return layout;
    const QFontMetricsF metrics(look.font);
    double text = 0;
    for (const LegendEntry& e : entries) text = std::max(text, metrics.horizontalAdvance(e.label));
    const double cell = std::min(look.swatch + look.gap + text + 1, width);
    const double row = metrics.height() * look.rowFactor;
    const int n = int(entries.size());
    const int columns =
        std::clamp(int(std::floor((width + look.spacing) / (cell + look.spacing))), 1, n);
    const int rows = (n + columns - 1) / columns;
    // Columns hold the same number of rows, as far as they can (5 entries: 3 + 2, not 4 + 1).
    const int across = (n + rows - 1) / rows;
    const double block = across * cell + (across - 1) * look.spacing;
    const double left = std::max(0.0, (width - block) / 2);
    for (int i = 0; i < n; ++i)
        layout.cells.emplace_back(left + (i % across) * (cell + look.spacing), (i / across) * row,
                                  cell, row);
    layout.size = QSizeF(width, rows * row);
    return layout;
}

void paintLegend(QPainter* painter, const std::vector<LegendEntry>& entries,
                 const LegendLayout& layout, const LegendLook& look, QPointF origin) {
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setFont(look.font);
    const QFontMetricsF metrics(look.font);
    for (std::size_t i = 0; i < entries.size() && i < layout.cells.size(); ++i) {
        const QRectF cell = layout.cells[i].translated(origin);
        const double h = metrics.height() * 0.7;
        paintSample(painter, entries[i],
                    QRectF(cell.left(), cell.center().y() - h / 2, look.swatch, h), look.lineScale);
        const QRectF text(cell.left() + look.swatch + look.gap, cell.top(),
                          cell.width() - look.swatch - look.gap, cell.height());
        painter->setPen(Qt::black);
        painter->drawText(text, Qt::AlignLeft | Qt::AlignVCenter,
                          metrics.elidedText(entries[i].label, Qt::ElideRight, text.width()));
    }
    painter->restore();
}

}  // namespace invx::gui
