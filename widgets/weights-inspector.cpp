#include "weights-inspector.h"

#include <QCheckBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QVBoxLayout>

#include "curve-plot.h"
#include "figure-style.h"
#include "inspector-curves.h"
#include "layer-statistics.h"

namespace invx::gui {

WeightsInspector::WeightsInspector(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    auto* controls = new QHBoxLayout;
    logCounts_ = new QCheckBox(tr("log counts"), this);
    logCounts_->setChecked(true);
    controls->addWidget(logCounts_);
    controls->addStretch();
    layout->addLayout(controls);
    auto* grid = new QGridLayout;
    histogram_ = new CurvePlot(this);
    errors_ = new CurvePlot(this);
    invariance_ = new CurvePlot(this);
    histogram_->setEmptyText(tr("The histograms of the layer's weights appear here"));
    errors_->setEmptyText(tr("The histograms of its quantization error appear here"));
    invariance_->setEmptyText(tr("The invariance check of every layer appears here"));
    grid->addWidget(histogram_, 0, 0);
    grid->addWidget(errors_, 0, 1);
    grid->addWidget(invariance_, 1, 0, 1, 2);
    grid->setRowStretch(0, 3);
    grid->setRowStretch(1, 2);
    layout->addLayout(grid, 1);
    connect(logCounts_, &QCheckBox::toggled, this, &WeightsInspector::optionsChanged);
}

bool WeightsInspector::logCounts() const { return logCounts_->isChecked(); }
void WeightsInspector::setLogCounts(bool on) { logCounts_->setChecked(on); }

void WeightsInspector::draw(const WeightSnapshot& now, const WeightSnapshot& start, bool attention,
                            std::int64_t step, int layer) {
    const bool logCounts = logCounts_->isChecked();
    const QString name = QString::fromStdString(now.name);
    const auto [lo, hi] = valueRange({&now.original, &now.transformed, &now.quantized});
    histogram_->setLabels(tr("%1 weights, layer %2").arg(name).arg(layer), tr("weight"),
                          tr("count"));
    histogram_->setLogY(logCounts);
    std::vector<Curve> weights = {histogramCurve(tr("original"),
                                                 histogram(now.original, lo, hi, kInspectorBins),
                                                 okabeIto(7), Qt::SolidLine, logCounts)};
    if (!attention)
        weights.push_back(histogramCurve(tr("transformed"),
                                         histogram(now.transformed, lo, hi, kInspectorBins),
                                         okabeIto(0), Qt::DashLine, logCounts));
    weights.push_back(histogramCurve(tr("quantized"),
                                     histogram(now.quantized, lo, hi, kInspectorBins), okabeIto(3),
                                     Qt::SolidLine, logCounts));
    histogram_->setCurves(std::move(weights));
    histogram_->legend->setVisible(true);

    const std::vector<float> errorNow = quantizationError(now),
                             errorStart = quantizationError(start);
    const auto [elo, ehi] = valueRange({&errorNow, &errorStart});
    errors_->setLabels(tr("%1 quantization error").arg(name), tr("quantized − weight"),
                       tr("count"));
    errors_->setLogY(logCounts);
    if (attention) {
        errors_->setCurves({histogramCurve(tr("before and after the search (unchanged)"),
                                           histogram(errorNow, elo, ehi, kInspectorBins),
                                           okabeIto(3), Qt::SolidLine, logCounts)});
    } else {
        errors_->setCurves({histogramCurve(tr("before the search"),
                                           histogram(errorStart, elo, ehi, kInspectorBins),
                                           okabeIto(7), Qt::DashLine, logCounts),
                            histogramCurve(tr("at step %1").arg(step),
                                           histogram(errorNow, elo, ehi, kInspectorBins),
                                           okabeIto(3), Qt::SolidLine, logCounts)});
    }
    errors_->legend->setVisible(true);
}

void WeightsInspector::drawInvariance(const QVector<double>& largest, std::int64_t step) {
    invariance_->setLabels(
        tr("Invariance check at step %1 (unquantized, calibration batch)").arg(step), QString(),
        tr("max |original − transformed|"));
    invariance_->setBars(tr("layer "),
                         {{tr("largest |difference| of the block output"),
                           std::vector<double>(largest.begin(), largest.end()), okabeIto(4)}});
    invariance_->legend->setVisible(false);
}

void WeightsInspector::clear(const QString& why) {
    for (CurvePlot* plot : {histogram_, errors_}) {
        plot->setLabels(QString(), QString(), QString());
        plot->setCurves({});
        plot->setEmptyText(why);
    }
    invariance_->setLabels(QString(), QString(), QString());
    invariance_->setBars(QStringList(), {});
    invariance_->setEmptyText(why);
}

}  // namespace invx::gui
