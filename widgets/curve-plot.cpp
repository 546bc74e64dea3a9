#include "curve-plot.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace invx::gui {
namespace {

// The raw curve under a smoothed one: the colour washed towards white, opaque (blending
// translucent lines costs more than drawing them).
QColor faint(const QColor& c) {
    const double keep = 0.3;
    return QColor(int(c.red() * keep + 255 * (1 - keep)), int(c.green() * keep + 255 * (1 - keep)),
                  int(c.blue() * keep + 255 * (1 - keep)));
}

}  // namespace

CurvePlot::CurvePlot(QWidget* parent) : QCustomPlot(parent) {
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    setNoAntialiasingOnDrag(true);
    setPlottingHint(
        QCP::phFastPolylines);  // one polyline per graph: wide pens over dense data stay fast
    setMinimumSize(260, 200);
    plotLayout()->insertRow(0);
    title_ = new QCPTextElement(this, QString(), QFont(font().family(), 10, QFont::DemiBold));
    plotLayout()->addElement(0, 0, title_);
    legend->setVisible(true);
    legend->setBrush(QColor(255, 255, 255, 215));
    legend->setBorderPen(QPen(QColor(200, 200, 200)));
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    for (QCPAxis* axis : {xAxis, yAxis}) {
        axis->grid()->setPen(QPen(QColor(225, 225, 225), 0, Qt::SolidLine));
        axis->setBasePen(QPen(QColor(90, 90, 90)));
        axis->setTickPen(QPen(QColor(90, 90, 90)));
        axis->setSubTickPen(QPen(QColor(150, 150, 150)));
    }
    // Bands and reference lines under the curves, whatever order they were added in.
    addLayer(QStringLiteral("bands"), layer(QStringLiteral("main")), limBelow);
    emptyItem_ = new QCPItemText(this);
    emptyItem_->position->setType(QCPItemPosition::ptAxisRectRatio);
    emptyItem_->position->setCoords(0.5, 0.5);
    emptyItem_->setPositionAlignment(Qt::AlignCenter);
    emptyItem_->setTextAlignment(Qt::AlignCenter);
    emptyItem_->setColor(QColor(110, 110, 110));
    emptyItem_->setClipToAxisRect(false);
    emptyItem_->setSelectable(false);
    emptyItem_->setVisible(false);
    crosshair_ = new QCPItemStraightLine(this);
    crosshair_->setPen(QPen(QColor(120, 120, 120), 1, Qt::DotLine));
    crosshair_->setVisible(false);
    crosshair_->setSelectable(false);
    readout_ = new QCPItemText(this);
    readout_->setPositionAlignment(Qt::AlignTop | Qt::AlignLeft);
    readout_->position->setType(QCPItemPosition::ptAxisRectRatio);
    readout_->position->setCoords(0.01, 0.02);
    readout_->setTextAlignment(Qt::AlignLeft);
    readout_->setBrush(QColor(255, 255, 255, 225));
    readout_->setPen(QPen(QColor(200, 200, 200)));
    readout_->setPadding(QMargins(4, 2, 4, 2));
    readout_->setVisible(false);
    readout_->setSelectable(false);

    connect(xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this,
            [this] { updateDisplayData(); });
    connect(this, &QCustomPlot::mouseMove, this, &CurvePlot::onMouseMove);
    connect(this, &QCustomPlot::mousePress, this, [this](QMouseEvent* event) {
        follow_ = false;
        pressedAt_ = event->position();
    });
    connect(this, &QCustomPlot::mouseWheel, this, [this] { follow_ = false; });
    connect(this, &QCustomPlot::mouseDoubleClick, this, [this] {
        follow_ = true;
        fitToData();
    });
    connect(this, &QCustomPlot::mouseRelease, this, [this](QMouseEvent* event) {
        // A click, not the end of a drag.
        if (event->button() == Qt::LeftButton && !curves_.empty() &&
            axisRect()->rect().contains(event->pos()) &&
            (event->position() - pressedAt_).manhattanLength() < 5)
            Q_EMIT curveClicked(xAxis->pixelToCoord(event->position().x()));
    });
}

void CurvePlot::setLabels(const QString& title, const QString& xLabel, const QString& yLabel) {
    titleText_ = title;
    if (title_) title_->setText(title);
    xAxis->setLabel(xLabel);
    yAxis->setLabel(yLabel);
}

QString CurvePlot::title() const { return titleText_; }

void CurvePlot::setCurves(std::vector<Curve> curves) {
    bool sameShape = curves.size() == curves_.size() &&
                     std::equal(curves.begin(), curves.end(), curves_.begin(),
                                [](const Curve& a, const Curve& b) {
                                    return a.name == b.name && a.lower.empty() == b.lower.empty();
                                });
    if (barsGroup_) {  // bars before (one run's acceptance per layer): curves now
        clearPlottables();
        delete barsGroup_;
        barsGroup_ = nullptr;
        sameShape = false;
    }
    curves_ = std::move(curves);
    bars_.clear();
    if (!sameShape) rebuildGraphs();
    summaries_.assign(curves_.size(), {});
    for (std::size_t i = 0; i < curves_.size(); ++i) summarise(i, 0);
    redisplay();
}

void CurvePlot::appendToCurves(const std::vector<CurveTail>& tails) {
    for (std::size_t i = 0; i < tails.size() && i < curves_.size(); ++i) {
        Curve& c = curves_[i];
        const std::size_t from = c.x.size();
        c.x.insert(c.x.end(), tails[i].x.begin(), tails[i].x.end());
        c.y.insert(c.y.end(), tails[i].y.begin(), tails[i].y.end());
        summarise(i, from);
    }
    redisplay();
}

void CurvePlot::redisplay() {
    displayed_ = false;
    if (follow_) fitToData();  // updates the display data through rangeChanged when the range moves
    if (!displayed_) updateDisplayData();
}

void CurvePlot::summarise(std::size_t i, std::size_t from) {
    const Curve& c = curves_[i];
    CurveSummary& s = summaries_[i];
    extendMinMaxBlocks(&s.rawBlocks, c.y.data(), c.y.size());
    if (c.smoothable && smoothing_ != Smoothing::None) {
        extendSmoothing(c.y, smoothing_, smoothingParameter_, &s.smoothing, &s.smoothed);
        extendMinMaxBlocks(&s.smoothedBlocks, s.smoothed.data(), s.smoothed.size());
    }
    for (std::size_t k = from; k < c.y.size(); ++k) extendRange(s, c.y[k]);
    for (const std::vector<double>* band : {&c.lower, &c.upper})
        for (std::size_t k = std::min(from, band->size()); k < band->size(); ++k)
            extendRange(s, (*band)[k]);
}

void CurvePlot::extendRange(CurveSummary& s, double v) const {
    if (!std::isfinite(v)) return;
    s.finite = s.anyFinite ? QCPRange(std::min(s.finite.lower, v), std::max(s.finite.upper, v))
                           : QCPRange(v, v);
    s.anyFinite = true;
    if (v <= 0) return;
    s.positive = s.anyPositive
                     ? QCPRange(std::min(s.positive.lower, v), std::max(s.positive.upper, v))
                     : QCPRange(v, v);
    s.anyPositive = true;
}

// The y range of the curves' points, for fitting the value axis.
QCPRange CurvePlot::valueRange(bool positiveOnly, bool* found) const {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const CurveSummary& s : summaries_) {
        if (positiveOnly ? !s.anyPositive : !s.anyFinite) continue;
        const QCPRange& r = positiveOnly ? s.positive : s.finite;
        lo = std::min(lo, r.lower), hi = std::max(hi, r.upper);
    }
    for (const ReferenceLine& line : references_)
        if (std::isfinite(line.y) && (!positiveOnly || line.y > 0))
            lo = std::min(lo, line.y), hi = std::max(hi, line.y);
    *found = lo <= hi;
    return *found ? QCPRange(lo, hi) : QCPRange(0, 1);
}

void CurvePlot::rebuildGraphs() {
    clearGraphs();
    rawGraphs_.clear();
    smoothGraphs_.clear();
    for (const Curve& c : curves_) {
        QCPGraph* raw = addGraph();
        raw->setName(c.name);
        raw->setAdaptiveSampling(false);  // our own reduction keeps every column's extremes
        raw->setPen(QPen(c.color, c.width, c.style));
        if (c.stepped) raw->setLineStyle(QCPGraph::lsStepLeft);
        if (!c.inLegend) raw->removeFromLegend();
        if (c.markers)
            raw->setScatterStyle(
                c.dots
                    ? QCPScatterStyle(QCPScatterStyle::ssDisc, c.color, c.markerSize)
                    : QCPScatterStyle(QCPScatterStyle::ssCircle, c.color, Qt::white, c.markerSize));
        rawGraphs_.push_back(raw);
        QCPGraph* smooth = addGraph();
        smooth->setPen(QPen(c.color, c.width, c.style));
        smooth->removeFromLegend();
        smooth->setAdaptiveSampling(false);
        if (c.stepped) smooth->setLineStyle(QCPGraph::lsStepLeft);
        smoothGraphs_.push_back(smooth);
    }
    bandGraphs_.clear();
    for (const Curve& c : curves_) {
        if (c.lower.empty()) {
            bandGraphs_.push_back({nullptr, nullptr});
            continue;
        }
        QCPGraph* lower = addGraph();
        QCPGraph* upper = addGraph();
        QColor tint = c.color;
        tint.setAlpha(56);
        for (QCPGraph* g : {lower, upper}) {
            g->setLayer(QStringLiteral("bands"));
            g->setPen(Qt::NoPen);
            g->setAdaptiveSampling(false);
            g->removeFromLegend();
            if (c.stepped) g->setLineStyle(QCPGraph::lsStepLeft);
        }
        upper->setBrush(tint);
        upper->setChannelFillGraph(lower);
        bandGraphs_.push_back({lower, upper});
    }
}

void CurvePlot::setLogScale(QCPAxis* axis, bool* state, bool on) {
    if (on == *state) return;
    *state = on;
    axis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    axis->setTicker(on ? QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog)
                       : QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    fitToData();
}

void CurvePlot::setLogX(bool on) { setLogScale(xAxis, &logX_, on); }
void CurvePlot::setLogY(bool on) { setLogScale(yAxis, &logY_, on); }

void CurvePlot::setSmoothing(Smoothing kind, double parameter) {
    if (kind == smoothing_ && parameter == smoothingParameter_) return;
    smoothing_ = kind;
    smoothingParameter_ = parameter;
    setCurves(std::move(curves_));
}

void CurvePlot::fitToData() {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const Curve& c : curves_)
        for (double v : c.x)
            if (!logX_ || v > 0) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
                break;  // sorted: the first usable point is the smallest
            }
    for (const Curve& c : curves_)
        if (!c.x.empty()) hi = std::max(hi, c.x.back());
    if (hasKeyExtent_ && (!logX_ || keyExtent_.lower > 0)) {
        lo = std::min(lo, keyExtent_.lower);
        hi = std::max(hi, keyExtent_.upper);
    }
    if (lo <= hi) {
        if (lo == hi) lo -= 0.5, hi += 0.5;
        if (keyPadding_ > 0 && logX_ && lo > 0) {
            const double factor = std::pow(hi / lo, keyPadding_);
            lo /= factor, hi *= factor;
        } else if (keyPadding_ > 0) {
            const double pad = (hi - lo) * keyPadding_;
            lo -= pad, hi += pad;
        }
        xAxis->setRange(lo, hi);
    }
    bool found = false;
    QCPRange y = valueRange(logY_, &found);
    if (found) {
        if (logY_) {
            y = QCPRange(y.lower / 1.1, y.upper * 1.1);
        } else {
            const double pad =
                std::max((y.upper - y.lower) * 0.05, std::abs(y.upper) * 1e-6 + 1e-12);
            y = QCPRange(y.lower - pad, y.upper + pad);
        }
        yAxis->setRange(y);
    }
    replot(rpQueuedReplot);
}

void CurvePlot::updateDisplayData() {
    if (viewport() != rect()) {
        // Not shown yet (an export, a test): lay out at the widget's size to know the columns.
        setViewport(rect());
        updateLayout();
    }
    const QCPRange range = xAxis->range();
    const int pixels = int(std::max(axisRect()->width(), 100) * columnsPerPixel_);
    for (std::size_t i = 0; i < curves_.size() && i < rawGraphs_.size(); ++i) {
        const Curve& c = curves_[i];
        const CurveSummary& summary = summaries_[i];
        const bool smoothed = !summary.smoothed.empty();
        const DecimatedSeries raw = decimateMinMax(c.x.data(), c.y.data(), c.x.size(), range.lower,
                                                   range.upper, pixels, logX_, &summary.rawBlocks);
        rawGraphs_[i]->setData(raw.x, raw.y, true);
        // Dense data (more than ~1.5 points per column) is an envelope: a one-pixel line without
        // antialiasing draws it alike and many times faster than a wide antialiased pen.
        const bool dense = raw.x.size() > pixels * 3 / 2;
        rawGraphs_[i]->setAntialiased(!dense || columnsPerPixel_ > 1);
        rawGraphs_[i]->setProperty("faint", smoothed);
        const double width = smoothed                         ? penScale_
                             : dense && columnsPerPixel_ == 1 ? 1.0
                                                              : c.width * penScale_;
        rawGraphs_[i]->setPen(QPen(smoothed ? faint(c.color) : c.color, width, c.style));
        smoothGraphs_[i]->setPen(QPen(c.color, c.width * penScale_, c.style));
        if (smoothed) {
            // A smoothed curve varies little within a column: half the columns draw it alike, and
            // its wide antialiased pen costs by the point.
            const DecimatedSeries s = decimateMinMax(
                c.x.data(), summary.smoothed.data(), c.x.size(), range.lower, range.upper,
                std::max(pixels / 2, 1), logX_, &summary.smoothedBlocks);
            smoothGraphs_[i]->setData(s.x, s.y, true);
        } else {
            smoothGraphs_[i]->data()->clear();
        }
    }
    updateBands(range, pixels);
    for (std::size_t i = 0; i < referenceItems_.size(); ++i) {
        const ReferenceLine& line = references_[i];
        referenceItems_[i]->setPen(QPen(line.color, 1.2 * penScale_, line.style));
    }
    updateEmptyState();
    displayed_ = true;
    replot(rpQueuedReplot);
}

void CurvePlot::updateBands(const QCPRange& range, int pixels) {
    for (std::size_t i = 0; i < curves_.size() && i < bandGraphs_.size(); ++i) {
        const auto [lower, upper] = bandGraphs_[i];
        if (!lower) continue;
        const Curve& c = curves_[i];
        const DecimatedSeries low = decimateMinMax(c.x.data(), c.lower.data(), c.lower.size(),
                                                   range.lower, range.upper, pixels, logX_);
        const DecimatedSeries high = decimateMinMax(c.x.data(), c.upper.data(), c.upper.size(),
                                                    range.lower, range.upper, pixels, logX_);
        lower->setData(low.x, low.y, true);
        upper->setData(high.x, high.y, true);
    }
}

void CurvePlot::setReferenceLines(std::vector<ReferenceLine> lines) {
    const bool same = lines.size() == references_.size() &&
                      std::equal(lines.begin(), lines.end(), references_.begin(),
                                 [](const ReferenceLine& a, const ReferenceLine& b) {
                                     return a.name == b.name && a.y == b.y && a.color == b.color &&
                                            a.style == b.style;
                                 });
    if (same) return;
    for (QCPItemStraightLine* item : referenceItems_) removeItem(item);
    referenceItems_.clear();
    references_ = std::move(lines);
    for (const ReferenceLine& line : references_) {
        auto* item = new QCPItemStraightLine(this);
        item->setLayer(QStringLiteral("bands"));
        item->setSelectable(false);
        item->point1->setCoords(0, line.y);
        item->point2->setCoords(1, line.y);
        item->setPen(QPen(line.color, 1.2 * penScale_, line.style));
        referenceItems_.push_back(item);
    }
    redisplay();
}

void CurvePlot::setPenScale(double scale) {
    penScale_ = scale;
    updateDisplayData();
}

void CurvePlot::setEmptyText(const QString& text) {
    emptyText_ = text;
    updateEmptyState();
}

bool CurvePlot::showsEmptyText() const { return emptyItem_->visible(); }

// An empty plot says what will appear there instead of showing axes of nothing.
void CurvePlot::updateEmptyState() {
    bool data = !references_.empty();
    for (const CurveSummary& s : summaries_) data |= s.anyFinite;
    for (const BarSeries& b : bars_)
        data |= std::any_of(b.values.begin(), b.values.end(),
                            [](double v) { return std::isfinite(v); });
    const bool empty = !data && !emptyText_.isEmpty();
    emptyItem_->setText(emptyText_);
    emptyItem_->setFont(xAxis->labelFont());
    emptyItem_->setVisible(empty);
    for (QCPAxis* axis : {xAxis, yAxis}) axis->setVisible(!empty);
    if (!emptyText_.isEmpty()) legend->setVisible(legendBelow_ && !empty);
}

void CurvePlot::setLegendBelow(bool shown) {
    if (shown == legendBelow_ && legend->layout() == (shown ? plotLayout() : nullptr)) return;
    legendBelow_ = shown;
    // Out of the data, under the axis rect; taken out of the layout when hidden, so that it keeps
    // no room.
    if (QCPLayout* holder = legend->layout()) {
        holder->take(legend);
        holder->simplify();
    }
    if (shown) {
        const int row = plotLayout()->rowCount();
        plotLayout()->addElement(row, 0, legend);
        plotLayout()->setRowStretchFactor(row, 0.001);
        legend->setWrap(4);  // entries side by side, four to a row
        legend->setFillOrder(QCPLegend::foColumnsFirst, true);
        legend->setMargins(QMargins(4, 0, 4, 2));
    }
    legend->setVisible(shown);
    updateEmptyState();
    replot(rpQueuedReplot);
}

void CurvePlot::setCategoryTicks(int count, const QStringList& labels) {
    if (count <= 0) {
        xAxis->setTicker(logX_ ? QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog)
                               : QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        return;
    }
    // At most a dozen labels: every layer up to 12, then every 2nd, 5th, 10th, ... with a sub-tick
    // at each.
    int every = 1;
    for (int k : {1, 2, 5, 10, 20, 50, 100}) {
        every = k;
        if ((count + k - 1) / k <= 12) break;
    }
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int i = 0; i < count; i += every)
        ticker->addTick(double(i),
                        i < labels.size() && !labels[i].isEmpty() ? labels[i] : QString::number(i));
    ticker->setSubTickCount(every - 1);
    xAxis->setTicker(ticker);
}

std::vector<LegendEntry> CurvePlot::legendEntries() const {
    std::vector<LegendEntry> out;
    for (const Curve& c : curves_)
        if (c.inLegend)
            out.push_back(
                {c.name, {}, c.color, c.style, c.width, !c.lower.empty(), c.markers, false});
    for (const ReferenceLine& line : references_)
        out.push_back({line.name, {}, line.color, line.style, 1.2, false, false, false});
    for (const BarSeries& b : bars_)
        out.push_back({b.name, {}, b.color, Qt::SolidLine, 1, false, false, true});
    return out;
}

void CurvePlot::setBars(const QString& keyLabelPrefix, std::vector<BarSeries> series) {
    std::size_t categories = 0;
    for (const BarSeries& b : series) categories = std::max(categories, b.values.size());
    QStringList labels;
    for (std::size_t i = 0; i < categories; ++i) labels << keyLabelPrefix + QString::number(i);
    setBars(labels, std::move(series));
}

void CurvePlot::setBars(const QStringList& categoryLabels, std::vector<BarSeries> series) {
    curves_.clear();
    summaries_.clear();
    clearGraphs();
    rawGraphs_.clear();
    smoothGraphs_.clear();
    bandGraphs_.clear();
    clearPlottables();
    bars_ = std::move(series);
    delete barsGroup_;
    barsGroup_ = new QCPBarsGroup(this);
    barsGroup_->setSpacing(1);
    std::size_t categories = std::size_t(categoryLabels.size());
    double top = 0;
    for (const BarSeries& b : bars_) categories = std::max(categories, b.values.size());
    const double width = 0.8 / double(std::max<std::size_t>(bars_.size(), 1));
    for (const BarSeries& b : bars_) {
        auto* bars = new QCPBars(xAxis, yAxis);
        bars->setName(b.name);
        bars->setWidth(width);
        // Many narrow bars read as one area when outlined: no outline past two dozen.
        bars->setPen(categories > 24 ? QPen(Qt::NoPen) : QPen(b.color.darker(130), 0.8));
        bars->setBrush(b.color);
        QVector<double> keys, values;
        for (std::size_t i = 0; i < b.values.size(); ++i)
            if (std::isfinite(b.values[i]))
                keys << double(i), values << b.values[i], top = std::max(top, b.values[i]);
        bars->setData(keys, values, true);
        bars->setBarsGroup(barsGroup_);
    }
    setCategoryTicks(int(categories), categoryLabels);
    xAxis->setRange(-0.6, double(categories) - 0.4);
    // Several runs: their legend in rows across the top, above the bars.
    const int rows =
        int((bars_.size() + std::size_t(barLegendColumns_) - 1) / std::size_t(barLegendColumns_));
    legend->setWrap(barLegendColumns_);
    legend->setFillOrder(QCPLegend::foColumnsFirst, true);  // rearranges the entries by the wrap
    if (legend->layout() == axisRect()->insetLayout())
        axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignHCenter);
    const bool legendAbove = bars_.size() > 1 && !legendBelow_;  // no room taken for it otherwise
    yAxis->setRange(0, top > 0 ? top * (legendAbove ? 1.2 + 0.15 * rows : 1.1) : 1);
    setInteractions({});
    updateEmptyState();
    replot(rpQueuedReplot);
}

int CurvePlot::displayedPointCount() const {
    int n = 0;
    for (int i = 0; i < graphCount(); ++i) n += graph(i)->dataCount();
    return n;
}

void CurvePlot::resizeEvent(QResizeEvent* event) {
    QCustomPlot::resizeEvent(event);
    updateDisplayData();
}

void CurvePlot::onMouseMove(QMouseEvent* event) {
    const QPointF p = event->position();
    if (!axisRect()->rect().contains(p.toPoint()) || curves_.empty()) {
        if (crosshair_->visible()) {
            crosshair_->setVisible(false);
            readout_->setVisible(false);
            replot(rpQueuedReplot);
        }
        return;
    }
    showCrosshair(xAxis->pixelToCoord(p.x()));
}

void CurvePlot::showCrosshair(double x) {
    crosshair_->point1->setCoords(x, 0);
    crosshair_->point2->setCoords(x, 1);
    QStringList lines{QStringLiteral("%1 = %2")
                          .arg(xAxis->label().section(QLatin1Char(' '), 0, 0))
                          .arg(x, 0, 'g', 6)};
    for (std::size_t i = 0; i < curves_.size(); ++i) {
        const Curve& c = curves_[i];
        if (c.x.empty()) continue;
        // The last point at or before the cursor: what the curve shows there.
        auto it = std::upper_bound(c.x.begin(), c.x.end(), x);
        if (it == c.x.begin()) continue;
        const std::size_t at = std::size_t(it - c.x.begin()) - 1;
        const std::vector<double>& smoothed = summaries_[i].smoothed;
        const double v = smoothed.empty() ? c.y[at] : smoothed[at];
        lines << QStringLiteral("%1: %2").arg(c.name).arg(v, 0, 'g', 6);
    }
    readout_->setText(lines.join(QLatin1Char('\n')));
    crosshair_->setVisible(true);
    readout_->setVisible(true);
    replot(rpQueuedReplot);
}

}  // namespace invx::gui
