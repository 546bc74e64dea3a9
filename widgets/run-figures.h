#pragma once
// The workbench's figures of the runs compared, built the same way on screen and for export: the
// calibration loss, its CE and MSE terms, perplexity, acceptance rate and acceptance per layer.
// Each shown entry of the comparison is a curve in its colour and dash (a seed group: its mean
// with a band); baselines are horizontal reference lines; axes are labelled in words with units.
#include <QString>
#include <QStringList>
#include <vector>

#include "curve-plot.h"
#include "curve-smoothing.h"
#include "run-comparison.h"
#include "run-data.h"

namespace invx::gui {

enum class FigureKind { Loss, Ce, Mse, Perplexity, Acceptance, AcceptancePerLayer };

// The value axis: linear unless the curves span two orders of magnitude (then logarithmic),
// linear, logarithmic, or each run relative to its own step 0 (curves of very different scales
// then start together at 1).
enum class YScale { Automatic, Linear, Logarithmic, RelativeToStart };

struct FigureOptions {
    bool timeAxis = false;  // x: search time (s) instead of step
    bool logX = false;
    YScale yScale = YScale::Automatic;
    Smoothing smoothing = Smoothing::None;
    double smoothingParameter = 0.9;  // EMA weight, or moving-average window in steps
    ComparisonOptions comparison;     // seed groups, their band, baselines
    // A lone run's acceptance also over the last 100 steps (its own legend says which is which);
    // a panel figure, whose legend names runs, leaves it out.
    bool recentAcceptance = true;
};

std::vector<FigureKind> allFigureKinds();
// The panel figure (the paper's Figure 1): loss, perplexity and acceptance side by side.
std::vector<FigureKind> panelFigureKinds();
QString figureFileName(
    FigureKind kind);  // "loss", "ce", "mse", "perplexity", "acceptance", "acceptance-per-layer"
QString figureTitle(FigureKind kind);

// Fills `plot` with the figure of the comparison's shown entries.
void fillFigure(CurvePlot* plot, FigureKind kind, const Comparison& comparison,
                const FigureOptions& options);

// The acceptance-per-layer figure from each shown run's accepted / proposed per layer (in the
// order of comparison.shownRuns(); fillFigure passes RunData::acceptancePerLayer(), a live view its
// running counts). One run: bars; several: a line per entry over the layers, groups with a band.
void fillLayerAcceptanceFigure(CurvePlot* plot, const Comparison& comparison,
                               const std::vector<std::vector<double>>& perLayer);

// What the legend shared by the figures of a comparison shows: each shown entry (with its settings
// as a tooltip) and each baseline.
std::vector<LegendEntry> comparisonLegend(const Comparison& comparison);

// Whether the figure's curves are one point per step (loss, CE, MSE, acceptance), which
// extendFigure can extend.
bool isStepFigure(FigureKind kind);
// Whether every shown entry is a single run (a group's mean is redrawn whole as it grows).
bool canExtendFigures(const Comparison& comparison);
// Extends a step figure that fillFigure filled with the same comparison and options by each shown
// run's steps from drawnSteps[i] on (the runs gained steps at their ends since, nothing else).
void extendFigure(CurvePlot* plot, FigureKind kind, const Comparison& comparison,
                  const std::vector<std::size_t>& drawnSteps, const FigureOptions& options);

}  // namespace invx::gui
