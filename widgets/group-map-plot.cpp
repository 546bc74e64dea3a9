#include "group-map-plot.h"

#include <cmath>

namespace invx::gui {

QCPColorGradient viridisGradient() {
    QCPColorGradient viridis;
    viridis.clearColorStops();
    viridis.setColorStopAt(0.0, QColor(0x44, 0x01, 0x54));
    viridis.setColorStopAt(0.25, QColor(0x3b, 0x52, 0x8b));
    viridis.setColorStopAt(0.5, QColor(0x21, 0x91, 0x8c));
    viridis.setColorStopAt(0.75, QColor(0x5e, 0xc9, 0x62));
    viridis.setColorStopAt(1.0, QColor(0xfd, 0xe7, 0x25));
    return viridis;
}

QCPColorGradient divergingGradient() {
    QCPColorGradient g;
    g.clearColorStops();
    g.setColorStopAt(0.0, QColor(0xb2, 0x18, 0x2b));
    g.setColorStopAt(0.25, QColor(0xef, 0x8a, 0x62));
    g.setColorStopAt(0.5, QColor(0xf7, 0xf7, 0xf7));
    g.setColorStopAt(0.75, QColor(0x67, 0xa9, 0xcf));
    g.setColorStopAt(1.0, QColor(0x21, 0x66, 0xac));
    return g;
}

GroupMapPlot::GroupMapPlot(QWidget* parent) : QCustomPlot(parent) {
    setMinimumSize(240, 200);
    plotLayout()->insertRow(0);
    title_ = new QCPTextElement(this, QString(), QFont(font().family(), 10, QFont::DemiBold));
    plotLayout()->addElement(0, 0, title_);
    map_ = new QCPColorMap(xAxis, yAxis);
    map_->setInterpolate(false);
    map_->setGradient(viridisGradient());
    map_->setTightBoundary(false);  // whole cells at the edges
    colourScale_ = new QCPColorScale(this);
    plotLayout()->addElement(1, 1, colourScale_);
    colourScale_->setType(QCPAxis::atRight);
    colourScale_->setBarWidth(10);
    map_->setColorScale(colourScale_);
    colourScale_->setGradient(viridisGradient());
    auto* margins = new QCPMarginGroup(this);
    axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    colourScale_->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    xAxis->setLabel(tr("quantization group"));
    yAxis->setLabel(tr("row (output neuron)"));
    yAxis->setRangeReversed(true);  // row 0 at the top, as a matrix reads
    QSharedPointer<QCPAxisTickerFixed> whole(new QCPAxisTickerFixed);
    whole->setTickStep(1);
    whole->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);  // whole groups, more apart when many
    xAxis->setTicker(whole);
    outline_ = addGraph();
    outline_->setLineStyle(QCPGraph::lsNone);
    outline_->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssSquare, QPen(QColor(213, 94, 0), 1.2), Qt::NoBrush, 5));
    outline_->setName(tr("above the percentile"));
    emptyItem_ = new QCPItemText(this);
    emptyItem_->setClipToAxisRect(false);
    emptyItem_->position->setType(QCPItemPosition::ptAxisRectRatio);
    emptyItem_->position->setCoords(0.5, 0.5);
    emptyItem_->setPositionAlignment(Qt::AlignCenter);
    emptyItem_->setColor(QColor(90, 90, 90));
    emptyItem_->setVisible(false);
    connect(this, &QCustomPlot::mouseMove, this, [this](QMouseEvent* e) {
        qint64 r, g;
        if (cellAt(e->position(), &r, &g)) Q_EMIT cellHovered(r, g);
    });
    connect(this, &QCustomPlot::mouseRelease, this, [this](QMouseEvent* e) {
        qint64 r, g;
        if (e->button() == Qt::LeftButton && cellAt(e->position(), &r, &g))
            Q_EMIT cellClicked(r, g);
    });
}

void GroupMapPlot::setCells(const QString& title, std::int64_t rows, std::int64_t groups,
                            const std::vector<double>& values, double outlineAbove) {
    title_->setText(title);
    rows_ = rows;
    groups_ = groups;
    values_ = values;
    map_->data()->setSize(int(groups), int(rows));
    map_->data()->setRange(QCPRange(0, double(groups - 1)), QCPRange(0, double(rows - 1)));
    QVector<double> ox, oy;
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t g = 0; g < groups; ++g) {
            const double v = values[std::size_t(r * groups + g)];
            map_->data()->setCell(int(g), int(r), v);
            if (v >= outlineAbove && ox.size() < 4000) ox << double(g), oy << double(r);
        }
    outline_->setData(ox, oy);
    xAxis->setRange(-0.5, double(groups) - 0.5);
    yAxis->setRange(-0.5, double(rows) - 0.5);
    updateEmptyState();
    replot(rpQueuedReplot);
}

void GroupMapPlot::clearCells(const QString& title) {
    title_->setText(title);
    rows_ = groups_ = 0;
    values_.clear();
    map_->data()->clear();
    outline_->data()->clear();
    updateEmptyState();
    replot(rpQueuedReplot);
}

void GroupMapPlot::setEmptyText(const QString& text) {
    emptyText_ = text;
    updateEmptyState();
    replot(rpQueuedReplot);
}

bool GroupMapPlot::showsEmptyText() const { return emptyItem_->visible(); }

// An empty map says what will appear there instead of showing axes and a colour bar of nothing.
void GroupMapPlot::updateEmptyState() {
    const bool empty = rows_ == 0 && !emptyText_.isEmpty();
    emptyItem_->setText(emptyText_);
    emptyItem_->setFont(xAxis->labelFont());
    emptyItem_->setVisible(empty);
    for (QCPAxis* axis : {xAxis, yAxis}) axis->setVisible(!empty);
    colourScale_->setVisible(!empty);
}

void GroupMapPlot::setColourRange(const QCPRange& range, bool logScale) {
    map_->setDataScaleType(logScale ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    map_->setDataRange(range);
    replot(rpQueuedReplot);
}

void GroupMapPlot::setGradient(const QCPColorGradient& gradient) {
    colourScale_->setGradient(gradient);
    replot(rpQueuedReplot);
}

void GroupMapPlot::setColourLabel(const QString& label) {
    colourScale_->axis()->setLabel(label);
    replot(rpQueuedReplot);
}

double GroupMapPlot::cell(std::int64_t row, std::int64_t group) const {
    return map_->data()->cell(int(group), int(row));
}

bool GroupMapPlot::cellAt(const QPointF& position, qint64* row, qint64* group) const {
    if (!axisRect()->rect().contains(position.toPoint()) || rows_ == 0) return false;
    const qint64 g = qint64(std::lround(xAxis->pixelToCoord(position.x())));
    const qint64 r = qint64(std::lround(yAxis->pixelToCoord(position.y())));
    if (g < 0 || g >= groups_ || r < 0 || r >= rows_) return false;
    *row = r;
    *group = g;
    return true;
}

}  // namespace invx::gui
