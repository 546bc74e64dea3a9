#pragma once
// The curves of the runs in view, six figures in a grid under the legend they share: calibration
// loss, its CE and MSE terms, perplexity, acceptance rate and acceptance per layer. One run while a
// search runs; any number of runs and seed groups when comparing. A live run's new steps extend the
// figures (refreshAppended) instead of rebuilding them, so that following a long run costs the same
// at every redraw.
#include <QStringList>
#include <QWidget>
#include <map>
#include <vector>

#include "layer-acceptance.h"
#include "run-comparison.h"
#include "run-figures.h"

namespace invx::gui {

class CurvePlot;
class FigureLegend;

class RunView : public QWidget {
    Q_OBJECT
  public:
    explicit RunView(QWidget* parent = nullptr);

    void setComparison(const Comparison& comparison);
    // Each run an entry of its own, named `labels`.
    void setRuns(const std::vector<const RunData*>& runs, const QStringList& labels);
    const Comparison& comparison() const { return comparison_; }
    // The runs shown, entry by entry.
    const std::vector<const RunData*>& runs() const { return runs_; }
    void setOptions(const FigureOptions& options);
    const FigureOptions& options() const { return options_; }
    // Redraws every figure from the runs' current data.
    void refresh();
    // The runs gained steps or evaluations at their ends since the last redraw and nothing else
    // changed: extends the figures by the new steps alone. A run with fewer steps than drawn, or a
    // seed group (its mean moves), is redrawn whole.
    void refreshAppended();
    CurvePlot* plot(FigureKind kind) const { return plots_.at(kind); }
    FigureLegend* legend() const { return legend_; }

  Q_SIGNALS:
    void curveClicked(double x);

  private:
    bool runsOnlyGrew() const;
    void countSteps();
    std::vector<std::vector<double>> acceptancePerLayer() const;

    std::map<FigureKind, CurvePlot*> plots_;
    FigureLegend* legend_ = nullptr;
    Comparison comparison_;
    std::vector<const RunData*> runs_;
    FigureOptions options_;
    std::vector<std::size_t> drawnSteps_;  // per run: the steps the figures hold
    std::vector<LayerAcceptance>
        perLayer_;  // per run: its acceptance per layer, counted as it grows
};

}  // namespace invx::gui
