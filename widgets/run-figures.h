#pragma once
// The workbench's figures of one or more runs, built the same way on screen and for export: the
// calibration loss, its CE and MSE terms, perplexity, acceptance rate and acceptance per layer.
#include <QString>
#include <QStringList>
#include <vector>

#include "curve-smoothing.h"
#include "run-data.h"

namespace invx::gui {

class CurvePlot;

enum class FigureKind { Loss, Ce, Mse, Perplexity, Acceptance, AcceptancePerLayer };

struct FigureOptions {
    bool timeAxis = false;  // x: search time (s) instead of step
    bool logX = false, logY = false;
    Smoothing smoothing = Smoothing::None;
    double smoothingParameter = 0.9;  // EMA weight, or moving-average window in steps
};

std::vector<FigureKind> allFigureKinds();
QString figureFileName(
    FigureKind kind);  // "loss", "ce", "mse", "perplexity", "acceptance", "acceptance-per-layer"
QString figureTitle(FigureKind kind);

// Fills `plot` with the figure of `runs` (labels name them in legends; a single run needs none).
void fillFigure(CurvePlot* plot, FigureKind kind, const std::vector<const RunData*>& runs,
                const QStringList& labels, const FigureOptions& options);

// The acceptance-per-layer figure from each run's accepted / proposed per layer (fillFigure passes
// RunData::acceptancePerLayer(); a live view its running counts).
void fillLayerAcceptanceFigure(CurvePlot* plot, const std::vector<const RunData*>& runs,
                               const QStringList& labels,
                               const std::vector<std::vector<double>>& perLayer);

// Whether the figure's curves are one point per step (loss, CE, MSE, acceptance), which
// extendFigure can extend.
bool isStepFigure(FigureKind kind);
// Extends a step figure that fillFigure filled with the same runs, labels and options by each
// run's steps from drawnSteps[i] on (the runs gained steps at their ends since, nothing else).
void extendFigure(CurvePlot* plot, FigureKind kind, const std::vector<const RunData*>& runs,
                  const std::vector<std::size_t>& drawnSteps, const FigureOptions& options);

}  // namespace invx::gui
