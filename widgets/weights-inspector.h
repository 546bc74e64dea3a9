#pragma once
// The inspector's Weights tab: histograms of a matrix's original, transformed and quantized weights
// and of its quantization error before and after the search, and the invariance check of every
// layer (how far the transformation moved each block's output).
#include <QVector>
#include <QWidget>
#include <cstdint>

#include "invx/search-records.h"

class QCheckBox;

namespace invx::gui {

class CurvePlot;

class WeightsInspector : public QWidget {
    Q_OBJECT
  public:
    explicit WeightsInspector(QWidget* parent = nullptr);

    // The selected matrix now and before the search (the same matrix for attention, which the
    // search leaves alone), of `layer` at `step`.
    void draw(const WeightSnapshot& now, const WeightSnapshot& start, bool attention,
              std::int64_t step, int layer);
    // Per decoder layer at `step`: the largest |original − transformed| block output.
    void drawInvariance(const QVector<double>& largest, std::int64_t step);
    // Nothing to draw: every plot says `why` (the model is not on this machine).
    void clear(const QString& why);

    bool logCounts() const;
    void setLogCounts(bool on);
    CurvePlot* histogramPlot() const { return histogram_; }
    CurvePlot* errorPlot() const { return errors_; }
    CurvePlot* invariancePlot() const { return invariance_; }

  Q_SIGNALS:
    void optionsChanged();

  private:
    QCheckBox* logCounts_ = nullptr;
    CurvePlot *histogram_ = nullptr, *errors_ = nullptr, *invariance_ = nullptr;
};

}  // namespace invx::gui
