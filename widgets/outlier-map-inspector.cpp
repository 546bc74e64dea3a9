#include "outlier-map-inspector.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "curve-plot.h"
#include "figure-style.h"
#include "group-map-plot.h"
#include "layer-statistics.h"

namespace invx::gui {
namespace {

QCPRange colourRange(const std::vector<double>& values) {
    const double lo = *std::min_element(values.begin(), values.end()),
                 hi = *std::max_element(values.begin(), values.end());
    return lo == hi ? QCPRange(lo, lo + 1) : QCPRange(lo, hi);
}

}  // namespace

OutlierMapInspector::OutlierMapInspector(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Quantity"), this));
    quantity_ = new QComboBox(this);
    quantity_->setObjectName(QStringLiteral("quantity"));
    quantity_->addItems(groupQuantityNames());
    quantity_->setCurrentIndex(int(GroupQuantity::Error));
    controls->addWidget(quantity_);
    logColour_ = new QCheckBox(tr("log colour"), this);
    controls->addWidget(logColour_);
    controls->addWidget(new QLabel(tr("outline groups above the"), this));
    percentile_ = new QDoubleSpinBox(this);
    percentile_->setRange(50, 100);
    percentile_->setDecimals(1);
    percentile_->setValue(99);
    percentile_->setSuffix(tr(" th percentile"));
    controls->addWidget(percentile_);
    controls->addStretch();
    layout->addLayout(controls);

    auto* grid = new QGridLayout;
    before_ = new GroupMapPlot(this);
    after_ = new GroupMapPlot(this);
    group_ = new CurvePlot(this);
    before_->setEmptyText(tr("The map before the search appears here"));
    after_->setEmptyText(tr("The map at the checkpoint appears here"));
    group_->setEmptyText(tr("Click a group of a map to see its weights\nagainst the grid"));
    for (int column = 0; column < 3; ++column) grid->setColumnStretch(column, 1);
    grid->addWidget(before_, 0, 0);
    grid->addWidget(after_, 0, 1);
    grid->addWidget(group_, 0, 2);
    layout->addLayout(grid, 1);
    hover_ = new QLabel(tr("Hover over a group to read its values; click it to see its weights "
                           "against the quantization grid."),
                        this);
    layout->addWidget(hover_);

    connect(quantity_, &QComboBox::currentIndexChanged, this, &OutlierMapInspector::optionsChanged);
    connect(logColour_, &QCheckBox::toggled, this, &OutlierMapInspector::optionsChanged);
    connect(percentile_, &QDoubleSpinBox::valueChanged, this, &OutlierMapInspector::optionsChanged);
    for (GroupMapPlot* map : {before_, after_}) {
        connect(map, &GroupMapPlot::cellHovered, this, &OutlierMapInspector::showHover);
        connect(map, &GroupMapPlot::cellClicked, this, &OutlierMapInspector::showGroup);
    }
}

int OutlierMapInspector::quantity() const { return quantity_->currentIndex(); }
void OutlierMapInspector::setQuantity(int index) { quantity_->setCurrentIndex(index); }
bool OutlierMapInspector::logColour() const { return logColour_->isChecked(); }
void OutlierMapInspector::setLogColour(bool on) { logColour_->setChecked(on); }
double OutlierMapInspector::percentile() const { return percentile_->value(); }
void OutlierMapInspector::setPercentile(double value) { percentile_->setValue(value); }

void OutlierMapInspector::showHover(std::int64_t row, std::int64_t group) {
    if (!now_) return;
    hover_->setText(tr("row %1, group %2 (columns %3–%4): before %5, after %6")
                        .arg(row)
                        .arg(group)
                        .arg(group * now_->groupSize)
                        .arg((group + 1) * now_->groupSize - 1)
                        .arg(before_->cell(row, group), 0, 'g', 4)
                        .arg(after_->cell(row, group), 0, 'g', 4));
}

void OutlierMapInspector::draw(const WeightSnapshot& now, const WeightSnapshot& start,
                               bool attention, std::int64_t step) {
    now_ = &now;
    start_ = &start;
    attention_ = attention;
    step_ = step;
    const QString name = QString::fromStdString(now.name);
    const GroupQuantity q = GroupQuantity(quantity_->currentIndex());
    const QString afterTitle = attention
                                   ? tr("%1 at step %2 (the search leaves it)").arg(name).arg(step)
                                   : tr("%1 at step %2").arg(name).arg(step);
    for (GroupMapPlot* m : {before_, after_}) m->setValueName(quantity_->currentText());
    if (q == GroupQuantity::ErrorReduction) {
        drawErrorReduction(afterTitle);
    } else {
        // One colour scale for both, so that equal colours mean equal values.
        const std::vector<double> after = groupQuantity(now, start, q);
        const std::vector<double> before = groupQuantity(start, start, q);
        std::vector<double> both(before);
        both.insert(both.end(), after.begin(), after.end());
        if (both.empty()) return;
        const double threshold = quantile(both, percentile_->value() / 100.0);
        const QCPRange range = colourRange(both);
        const std::int64_t groups = groupCount(now);
        before_->setCells(tr("%1 before the search").arg(name), now.rows, groups, before,
                          threshold);
        after_->setCells(afterTitle, now.rows, groups, after, threshold);
        for (GroupMapPlot* m : {before_, after_}) {
            m->setGradient(viridisGradient());
            m->setColourRange(range, logColour_->isChecked() && range.lower > 0);
            m->setColourLabel(groupQuantityAxisLabels()[int(q)]);
        }
    }
    if (groupRow_ >= 0) showGroup(groupRow_, groupIndex_);
}

// The error before the search beside how much of it the search removed: blue groups were fixed,
// red ones got worse; the groups fixed most are outlined.
void OutlierMapInspector::drawErrorReduction(const QString& afterTitle) {
    const WeightSnapshot &now = *now_, &start = *start_;
    const GroupQuantity q = GroupQuantity::ErrorReduction;
    const std::vector<double> before = groupQuantity(start, start, GroupQuantity::Error);
    const std::vector<double> reduction = groupQuantity(now, start, q);
    if (before.empty()) return;
    const double percentile = percentile_->value() / 100.0;
    const std::int64_t groups = groupCount(now);
    before_->setCells(tr("%1 before the search").arg(QString::fromStdString(now.name)), now.rows,
                      groups, before, quantile(before, percentile));
    before_->setGradient(viridisGradient());
    before_->setColourRange(colourRange(before),
                            logColour_->isChecked() && colourRange(before).lower > 0);
    before_->setColourLabel(groupQuantityAxisLabels()[int(GroupQuantity::Error)]);
    before_->setValueName(groupQuantityNames()[int(GroupQuantity::Error)]);
    after_->setCells(afterTitle, now.rows, groups, reduction, quantile(reduction, percentile));
    double largest = 0;
    for (double v : reduction) largest = std::max(largest, std::abs(v));
    after_->setGradient(divergingGradient());
    after_->setColourRange(QCPRange(-std::max(largest, 1e-30), std::max(largest, 1e-30)), false);
    after_->setColourLabel(groupQuantityAxisLabels()[int(q)]);
}

void OutlierMapInspector::clear(const QString& why) {
    now_ = start_ = nullptr;
    for (GroupMapPlot* m : {before_, after_}) {
        m->clearCells();
        m->setEmptyText(why);
    }
    group_->setLabels(QString(), QString(), QString());
    group_->setCurves({});
    group_->setEmptyText(why);
}

void OutlierMapInspector::forgetGroup() {
    groupRow_ = groupIndex_ = -1;
    group_->setLabels(tr("Click a group of a map"), tr("weight in the group"), tr("value"));
    group_->setCurves({});
}

void OutlierMapInspector::showGroup(std::int64_t row, std::int64_t groupIndex) {
    if (!now_) return;
    const WeightSnapshot &now = *now_, &start = *start_;
    const std::int64_t g = now.groupSize;
    if (row < 0 || row >= now.rows || groupIndex < 0 || groupIndex >= groupCount(now)) return;
    groupRow_ = row;
    groupIndex_ = groupIndex;
    auto weights = [&](const std::vector<float>& v, const QString& label, const QColor& colour) {
        Curve c{label, {}, {}, colour, Qt::NoPen, false, true, 1.2};
        for (std::int64_t k = 0; k < g; ++k) {
            c.x.push_back(double(k));
            c.y.push_back(double(v[std::size_t(row * now.cols + groupIndex * g + k)]));
        }
        return c;
    };
    // The quantization grid: a line at every level the group's quantized weights take.
    auto grid = [&](const std::vector<float>& quantized, const QString& label, const QColor& colour,
                    Qt::PenStyle style, std::vector<Curve>& curves) {
        std::vector<float> levels(quantized.begin() + row * now.cols + groupIndex * g,
                                  quantized.begin() + row * now.cols + (groupIndex + 1) * g);
        std::sort(levels.begin(), levels.end());
        levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
        for (std::size_t i = 0; i < levels.size(); ++i)
            curves.push_back(Curve{label,
                                   {-0.5, double(g) - 0.5},
                                   {double(levels[i]), double(levels[i])},
                                   colour,
                                   style,
                                   false,
                                   false,
                                   1.0,
                                   false,
                                   i == 0});
    };
    group_->setLabels(
        tr("%1 row %2, group %3").arg(QString::fromStdString(now.name)).arg(row).arg(groupIndex),
        tr("weight in the group"), tr("value"));
    std::vector<Curve> curves;
    if (attention_) {
        grid(now.quantized, tr("quantization grid"), okabeIto(3), Qt::SolidLine, curves);
        curves.push_back(weights(now.transformed, tr("weight"), okabeIto(0)));
    } else {
        grid(start.quantized, tr("grid before"), okabeIto(7), Qt::DashLine, curves);
        grid(now.quantized, tr("grid after"), okabeIto(3), Qt::SolidLine, curves);
        curves.push_back(weights(start.transformed, tr("weight before"), okabeIto(7)));
        curves.push_back(weights(now.transformed, tr("weight after"), okabeIto(0)));
    }
    group_->setCurves(std::move(curves));
    group_->legend->setVisible(true);
}

}  // namespace invx::gui
