#include "run-figures.h"

#include <QCoreApplication>
#include <algorithm>
#include <cmath>
#include <limits>

#include "figure-style.h"

namespace invx::gui {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

QString tr(const char* text) { return QCoreApplication::translate("RunFigures", text); }

QString evaluationDataName(const RunData& run) {
    const QString data = QString::fromStdString(run.settings.evalData);
    if (data == QLatin1String("wikitext2")) return QStringLiteral("WikiText-2");
    if (data == QLatin1String("c4")) return QStringLiteral("C4");
    return data.section(QLatin1Char('/'), -1);
}

// What the figure shows of a run, in words for its axis and its empty plot.
QString quantity(FigureKind kind) {
    switch (kind) {
        case FigureKind::Loss:
            return tr("calibration loss");
        case FigureKind::Ce:
            return tr("cross-entropy");
        case FigureKind::Mse:
            return tr("activation MSE");
        case FigureKind::Perplexity:
            return tr("perplexity");
        case FigureKind::Acceptance:
            return tr("acceptance rate");
        case FigureKind::AcceptancePerLayer:
            return tr("acceptance per layer");
    }
    return {};
}

// A baseline's reference lines: dark grey, dashes apart from the runs'.
QColor baselineColour() { return QColor(85, 85, 85); }
Qt::PenStyle baselineStyle(int index) {
    static const Qt::PenStyle styles[] = {Qt::DashDotLine, Qt::DotLine, Qt::DashDotDotLine};
    return styles[index % 3];
}

// The run's value before the search (step 0): what "relative to step 0" divides by and where a
// baseline's reference line lies. NaN where there is none (acceptance; a run without a base).
double startValue(const RunData& r, FigureKind kind) {
    switch (kind) {
        case FigureKind::Loss:
            return 1.0 + r.settings.alpha;  // CE/CE0 = MSE/MSE0 = 1
        case FigureKind::Ce:
            return r.base ? r.base->ce0 : kNaN;
        case FigureKind::Mse:
            return r.base ? r.base->mse0 : kNaN;
        case FigureKind::Perplexity:
            for (const EvaluationRecord& e : r.evaluations)
                if (e.step == 0) return e.perplexity;
            return kNaN;
        default:
            return kNaN;
    }
}

bool relative(FigureKind kind, const FigureOptions& options) {
    return options.yScale == YScale::RelativeToStart && kind != FigureKind::Acceptance &&
           kind != FigureKind::AcceptancePerLayer;
}

// The values of `v` from `from` on, times `factor` and over `divisor`.
std::vector<double> values(const std::vector<double>& v, std::size_t from, double factor,
                           double divisor = 1) {
    std::vector<double> out(v.begin() + std::ptrdiff_t(std::min(from, v.size())), v.end());
    if (factor != 1 || divisor != 1)
        for (double& x : out) x = x * factor / divisor;
    return out;
}

// What a run's values are divided by: its step 0 when relative (NaN without one), else 1.
double divisorOf(const RunData& r, FigureKind kind, const FigureOptions& options) {
    if (!relative(kind, options)) return 1;
    const double start = startValue(r, kind);
    return std::isfinite(start) && start != 0 ? start : kNaN;
}

const std::vector<double>& stepValues(const RunData& r, FigureKind kind) {
    switch (kind) {
        case FigureKind::Loss:
            return r.stateLoss;
        case FigureKind::Ce:
            return r.stateCe;
        case FigureKind::Mse:
            return r.stateMse;
        default:
            return r.acceptance;
    }
}

// One run's points of the figure: x and y, from step `from` on.
struct Points {
    std::vector<double> x, y;
};

Points runPoints(const RunData& r, FigureKind kind, const FigureOptions& options,
                 std::size_t from = 0) {
    const double factor = kind == FigureKind::Acceptance ? 100 : 1;
    const double divisor = divisorOf(r, kind, options);
    if (kind == FigureKind::Perplexity) {
        Points p;
        for (const EvaluationRecord& e : r.evaluations) {
            p.x.push_back(options.timeAxis ? e.elapsedSeconds : double(e.step));
            p.y.push_back(e.perplexity / divisor);
        }
        return p;
    }
    return {values(options.timeAxis ? r.seconds : r.step, from, 1),
            values(stepValues(r, kind), from, factor, divisor)};
}

// A curve of an entry: the run's own points, or the group's mean with its band.
Curve entryCurve(const ComparedEntry& e, FigureKind kind, const Comparison& comparison,
                 const FigureOptions& options, int index) {
    Curve c;
    c.name = e.legendName();
    c.color = okabeIto(index);
    c.style = runPenStyle(index);
    c.stepped = isStepFigure(kind) && kind != FigureKind::Acceptance;
    c.smoothable = kind != FigureKind::Perplexity;
    c.markers = kind == FigureKind::Perplexity;
    const std::vector<const RunData*> runs = e.shownRuns();
    std::vector<Points> points;
    for (const RunData* r : runs) points.push_back(runPoints(*r, kind, options));
    if (runs.size() == 1) {
        c.x = std::move(points.front().x), c.y = std::move(points.front().y);
        return c;
    }
    std::vector<Series> series;
    for (const Points& p : points) series.push_back({&p.x, &p.y});
    GroupSeries g = groupSeries(series, comparison.band);
    c.x = std::move(g.x), c.y = std::move(g.mean), c.lower = std::move(g.lower),
    c.upper = std::move(g.upper);
    c.markers = false;  // a mean at every run's evaluation: points no run measured
    return c;
}

// Whether the curves' values span two orders of magnitude (and are all positive): a linear axis
// would flatten all but the largest.
bool spansOrdersOfMagnitude(const std::vector<Curve>& curves) {
    double lo = std::numeric_limits<double>::infinity(), hi = 0;
    for (const Curve& c : curves)
        for (double v : c.y) {
            if (!std::isfinite(v)) continue;
            if (v <= 0) return false;
            lo = std::min(lo, v), hi = std::max(hi, v);
        }
    return hi > 0 && hi / lo >= 100;
}

std::vector<ReferenceLine> baselineLines(const Comparison& comparison, FigureKind kind,
                                         const FigureOptions& options) {
    std::vector<ReferenceLine> lines;
    for (std::size_t i = 0; i < comparison.baselines.size(); ++i) {
        const ComparedBaseline& b = comparison.baselines[i];
        const double y = startValue(*b.run, kind);
        if (!std::isfinite(y)) continue;
        lines.push_back(
            {b.label, relative(kind, options) ? 1.0 : y, baselineColour(), baselineStyle(int(i))});
    }
    return lines;
}

QString yLabel(FigureKind kind, const Comparison& comparison, const FigureOptions& options) {
    if (relative(kind, options)) return tr("%1 ÷ step 0").arg(quantity(kind));
    switch (kind) {
        case FigureKind::Loss:
            return tr("calibration loss");
        case FigureKind::Ce:
            return tr("cross-entropy (nats/token)");
        case FigureKind::Mse:
            return tr("activation MSE");
        case FigureKind::Perplexity: {
            const std::vector<const RunData*> runs = comparison.shownRuns();
            return runs.empty() || runs.front()->settings.evalData == "none"
                       ? tr("perplexity")
                       : tr("%1 perplexity").arg(evaluationDataName(*runs.front()));
        }
        case FigureKind::Acceptance:
        case FigureKind::AcceptancePerLayer:
            return tr("accepted steps (%)");
    }
    return {};
}

// What an empty figure says will appear there.
QString emptyText(FigureKind kind, const Comparison& comparison) {
    const std::vector<const RunData*> runs = comparison.shownRuns();
    if (runs.empty())
        return tr("Open an experiment or start a search:\nits %1 appears here").arg(quantity(kind));
    if (kind == FigureKind::Perplexity) {
        if (std::all_of(runs.begin(), runs.end(),
                        [](const RunData* r) { return r->settings.evalData == "none"; }))
            return tr("These runs measure no perplexity\n(perplexity data: none)");
        return tr("No perplexity measured yet:\neach evaluation appears here");
    }
    return tr("The %1 of each step appears here\nonce the search takes its first step")
        .arg(quantity(kind));
}

// The last step (or second) of the shown runs: every step figure spans 0 to it, so that their x
// axes line up.
double lastKey(const Comparison& comparison, const FigureOptions& options) {
    double last = 0;
    for (const RunData* r : comparison.shownRuns()) {
        const std::vector<double>& x = options.timeAxis ? r->seconds : r->step;
        if (!x.empty()) last = std::max(last, x.back());
    }
    return last;
}

void fillAcceptanceOfOneRun(std::vector<Curve>& curves, const RunData& r,
                            const FigureOptions& options) {
    const Points overall = runPoints(r, FigureKind::Acceptance, options);
    curves.push_back({tr("overall"), overall.x, overall.y, okabeIto(0)});
    Curve recent{tr("last %1 steps").arg(StepRecord::kRecentWindow),
                 overall.x,
                 values(r.recentAcceptance, 0, 100),
                 okabeIto(1),
                 Qt::SolidLine,
                 true,
                 false,
                 1.4};
    curves.push_back(std::move(recent));
}

}  // namespace

std::vector<FigureKind> allFigureKinds() {
    return {FigureKind::Loss,       FigureKind::Ce,         FigureKind::Mse,
            FigureKind::Perplexity, FigureKind::Acceptance, FigureKind::AcceptancePerLayer};
}

std::vector<FigureKind> panelFigureKinds() {
    return {FigureKind::Loss, FigureKind::Perplexity, FigureKind::Acceptance};
}

QString figureFileName(FigureKind kind) {
    switch (kind) {
        case FigureKind::Loss:
            return QStringLiteral("loss");
        case FigureKind::Ce:
            return QStringLiteral("ce");
        case FigureKind::Mse:
            return QStringLiteral("mse");
        case FigureKind::Perplexity:
            return QStringLiteral("perplexity");
        case FigureKind::Acceptance:
            return QStringLiteral("acceptance");
        case FigureKind::AcceptancePerLayer:
            return QStringLiteral("acceptance-per-layer");
    }
    return {};
}

QString figureTitle(FigureKind kind) {
    switch (kind) {
        case FigureKind::Loss:
            return tr("Calibration loss (CE/CE₀ + α·MSE/MSE₀)");
        case FigureKind::Ce:
            return tr("Calibration cross-entropy");
        case FigureKind::Mse:
            return tr("Activation MSE at matched layers");
        case FigureKind::Perplexity:
            return tr("Perplexity");
        case FigureKind::Acceptance:
            return tr("Acceptance rate");
        case FigureKind::AcceptancePerLayer:
            return tr("Acceptance per layer");
    }
    return {};
}

void fillFigure(CurvePlot* plot, FigureKind kind, const Comparison& comparison,
                const FigureOptions& options) {
    if (kind == FigureKind::AcceptancePerLayer) {
        std::vector<std::vector<double>> perLayer;
        for (const RunData* r : comparison.shownRuns()) perLayer.push_back(r->acceptancePerLayer());
        fillLayerAcceptanceFigure(plot, comparison, perLayer);
        return;
    }
    const std::vector<const ComparedEntry*> entries = comparison.shownEntries();
    const bool oneRun = entries.size() == 1 && entries.front()->shownRuns().size() == 1;
    std::vector<Curve> curves;
    if (kind == FigureKind::Acceptance && oneRun && options.recentAcceptance) {
        fillAcceptanceOfOneRun(curves, *entries.front()->shownRuns().front(), options);
    } else {
        for (std::size_t i = 0; i < entries.size(); ++i)
            curves.push_back(entryCurve(*entries[i], kind, comparison, options, int(i)));
    }
    // A single run's curve is named by what it shows (its run's name would only repeat itself),
    // unless a baseline stands beside it.
    if (oneRun && comparison.baselines.empty() && curves.size() == 1)
        curves.front().name = quantity(kind);
    plot->setKeyPadding(0.02);
    plot->setEmptyText(emptyText(kind, comparison));
    plot->setKeyExtent(options.logX ? 1 : 0, lastKey(comparison, options));
    plot->setLabels(figureTitle(kind), options.timeAxis ? tr("search time (s)") : tr("search step"),
                    yLabel(kind, comparison, options));
    plot->setSmoothing(options.smoothing, options.smoothingParameter);
    plot->setLogX(options.logX);
    const bool logY = options.yScale == YScale::Logarithmic ||
                      (options.yScale == YScale::Automatic && kind != FigureKind::Acceptance &&
                       spansOrdersOfMagnitude(curves));
    plot->setLogY(logY);
    plot->setReferenceLines(kind == FigureKind::Acceptance
                                ? std::vector<ReferenceLine>{}
                                : baselineLines(comparison, kind, options));
    plot->setCurves(std::move(curves));
    // The figures share one legend above them; only one run's acceptance (two curves of their own)
    // keeps its legend, under its axes.
    plot->setLegendBelow(kind == FigureKind::Acceptance && oneRun && options.recentAcceptance);
}

void fillLayerAcceptanceFigure(CurvePlot* plot, const Comparison& comparison,
                               const std::vector<std::vector<double>>& perLayer) {
    const std::vector<const ComparedEntry*> entries = comparison.shownEntries();
    plot->setLabels(figureTitle(FigureKind::AcceptancePerLayer), tr("decoder layer"),
                    tr("accepted steps (%)"));
    plot->setEmptyText(emptyText(FigureKind::AcceptancePerLayer, comparison));
    std::size_t layers = 0;
    for (const std::vector<double>& rates : perLayer) layers = std::max(layers, rates.size());
    const bool oneRun = entries.size() == 1 && entries.front()->shownRuns().size() == 1;
    if (entries.empty() || oneRun) {
        std::vector<CurvePlot::BarSeries> bars;
        if (oneRun)
            bars.push_back(
                {tr("accepted / proposed"), values(perLayer.front(), 0, 100), okabeIto(0)});
        plot->setBars(QString(), std::move(bars));
        plot->setLegendBelow(false);
        return;
    }
    // Several runs: a line per entry over the layers (grouped bars of 40 layers would not read).
    std::vector<double> layerIndex(layers);
    for (std::size_t l = 0; l < layers; ++l) layerIndex[l] = double(l);
    std::vector<std::vector<double>> rates;  // per shown run, in %
    for (const std::vector<double>& r : perLayer) {
        rates.push_back(values(r, 0, 100));
        rates.back().resize(layers, kNaN);
    }
    std::vector<Curve> curves;
    std::size_t run = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const std::size_t n = entries[i]->shownRuns().size();
        Curve c{entries[i]->legendName(), layerIndex, {}, okabeIto(int(i)), runPenStyle(int(i))};
        c.smoothable = false;
        c.markers = layers <= 24;
        c.width = 1.4;
        if (n == 1) {
            c.y = rates[run];
        } else {
            std::vector<Series> series;
            for (std::size_t k = run; k < run + n; ++k) series.push_back({&layerIndex, &rates[k]});
            GroupSeries g = groupSeries(series, comparison.band);
            c.x = std::move(g.x), c.y = std::move(g.mean), c.lower = std::move(g.lower),
            c.upper = std::move(g.upper);
        }
        run += n;
        curves.push_back(std::move(c));
    }
    plot->setKeyPadding(0.03);
    plot->setKeyExtent(0, double(layers) - 1);
    plot->setCategoryTicks(int(layers));
    plot->setSmoothing(Smoothing::None, 0);
    plot->setReferenceLines({});
    plot->setCurves(std::move(curves));
    plot->setLegendBelow(false);
}

std::vector<LegendEntry> comparisonLegend(const Comparison& comparison) {
    std::vector<LegendEntry> out;
    const std::vector<const ComparedEntry*> entries = comparison.shownEntries();
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const ComparedEntry& e = *entries[i];
        out.push_back({e.legendName(), e.toolTip, okabeIto(int(i)), runPenStyle(int(i)), 1.6,
                       e.shownRuns().size() > 1, false, false});
    }
    for (std::size_t i = 0; i < comparison.baselines.size(); ++i)
        out.push_back({comparison.baselines[i].label, comparison.baselines[i].toolTip,
                       baselineColour(), baselineStyle(int(i)), 1.2, false, false, false});
    return out;
}

bool isStepFigure(FigureKind kind) {
    return kind == FigureKind::Loss || kind == FigureKind::Ce || kind == FigureKind::Mse ||
           kind == FigureKind::Acceptance;
}

bool canExtendFigures(const Comparison& comparison) {
    for (const ComparedEntry* e : comparison.shownEntries())
        if (e->shownRuns().size() > 1) return false;
    return true;
}

void extendFigure(CurvePlot* plot, FigureKind kind, const Comparison& comparison,
                  const std::vector<std::size_t>& drawnSteps, const FigureOptions& options) {
    if (!isStepFigure(kind)) return;
    const std::vector<const RunData*> runs = comparison.shownRuns();
    std::vector<CurveTail> tails;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const Points p = runPoints(*runs[i], kind, options, drawnSteps[i]);
        tails.push_back({p.x, p.y});
        // In the order fillFigure adds the curves: one run's acceptance has two.
        if (kind == FigureKind::Acceptance && runs.size() == 1)
            tails.push_back({p.x, values(runs[i]->recentAcceptance, drawnSteps[i], 100)});
    }
    plot->setKeyExtent(options.logX ? 1 : 0, lastKey(comparison, options));
    plot->appendToCurves(tails);
}

}  // namespace invx::gui
