#pragma once
// The curves of the runs in view, six figures in a grid: calibration loss, its CE and MSE terms,
// perplexity, acceptance rate and acceptance per layer. One run while a search runs; any number
// overlaid when comparing.
#include <QStringList>
#include <QWidget>
#include <map>
#include <vector>

#include "run-figures.h"

namespace invx::gui {

class CurvePlot;

class RunView : public QWidget {
    Q_OBJECT
public:
    explicit RunView(QWidget* parent = nullptr);

    void setRuns(const std::vector<const RunData*>& runs, const QStringList& labels);
    const std::vector<const RunData*>& runs() const { return runs_; }
    const QStringList& labels() const { return labels_; }
    void setOptions(const FigureOptions& options);
    const FigureOptions& options() const { return options_; }
    // Redraws every figure from the runs' current data.
    void refresh();
    CurvePlot* plot(FigureKind kind) const { return plots_.at(kind); }

Q_SIGNALS:
    void curveClicked(double x);

private:
    std::map<FigureKind, CurvePlot*> plots_;
    std::vector<const RunData*> runs_;
    QStringList labels_;
    FigureOptions options_;
};

}  // namespace invx::gui
