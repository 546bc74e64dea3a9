#include "run-figures.h"

#include <QCoreApplication>
#include <algorithm>

#include "curve-plot.h"
#include "figure-style.h"

namespace invx::gui {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("RunFigures", text); }

QString evaluationDataName(const RunData& run) {
    const QString data = QString::fromStdString(run.settings.evalData);
    if (data == QLatin1String("wikitext2")) return QStringLiteral("WikiText-2");
    if (data == QLatin1String("c4")) return QStringLiteral("C4");
    return data.section(QLatin1Char('/'), -1);
}

std::vector<double> scaled(const std::vector<double>& v, double factor) {
    std::vector<double> out(v);
    for (double& x : out) x *= factor;
    return out;
}

// The values of `v` from `from` on, times `factor` (as scaled() gives them).
std::vector<double> tail(const std::vector<double>& v, std::size_t from, double factor = 1) {
    std::vector<double> out(v.begin() + std::ptrdiff_t(std::min(from, v.size())), v.end());
    if (factor != 1)
        for (double& x : out) x *= factor;
    return out;
}

// A curve's legend name: the run's label (several runs) and what the curve shows of it.
QString curveName(const QStringList& labels, std::size_t runs, std::size_t i, const QString& what) {
    const QString run = i < std::size_t(labels.size()) ? labels[int(i)] : QString();
    if (runs < 2 || run.isEmpty()) return what;
    return what.isEmpty() ? run : run + QStringLiteral(" — ") + what;
}

}  // namespace

std::vector<FigureKind> allFigureKinds() {
    return {FigureKind::Loss,       FigureKind::Ce,         FigureKind::Mse,
            FigureKind::Perplexity, FigureKind::Acceptance, FigureKind::AcceptancePerLayer};
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
            return tr("Calibration loss");
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

void fillFigure(CurvePlot* plot, FigureKind kind, const std::vector<const RunData*>& runs,
                const QStringList& labels, const FigureOptions& options) {
    const bool many = runs.size() > 1;
    const QString xLabel = options.timeAxis ? tr("search time (s)") : tr("step");
    auto name = [&](std::size_t i, const QString& what) {
        return curveName(labels, runs.size(), i, what);
    };

    if (kind == FigureKind::AcceptancePerLayer) {
        std::vector<std::vector<double>> perLayer;
        for (const RunData* r : runs) perLayer.push_back(r->acceptancePerLayer());
        fillLayerAcceptanceFigure(plot, runs, labels, perLayer);
        return;
    }

    std::vector<Curve> curves;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const RunData& r = *runs[i];
        const std::vector<double>& x = options.timeAxis ? r.seconds : r.step;
        const QColor colour = okabeIto(int(i));
        const Qt::PenStyle dash = runPenStyle(int(i));
        switch (kind) {
            case FigureKind::Loss:
                curves.push_back(
                    {name(i, QString()), x, r.stateLoss, colour, dash, true, false, 1.6, true});
                break;
            case FigureKind::Ce:
                curves.push_back(
                    {name(i, QString()), x, r.stateCe, colour, dash, true, false, 1.6, true});
                break;
            case FigureKind::Mse:
                curves.push_back(
                    {name(i, QString()), x, r.stateMse, colour, dash, true, false, 1.6, true});
                break;
            case FigureKind::Acceptance: {
                curves.push_back({many ? name(i, QString()) : tr("overall"), x,
                                  scaled(r.acceptance, 100), colour, dash});
                // One run: a second colour; several: the run's colour, lighter and thinner, named
                // in the title rather than once per run in the legend.
                Curve recent{name(i, tr("last %1 steps").arg(StepRecord::kRecentWindow)),
                             x,
                             scaled(r.recentAcceptance, 100),
                             many ? colour.lighter(140) : okabeIto(1),
                             dash,
                             true,
                             false,
                             many ? 0.9 : 1.4};
                recent.inLegend = !many;
                curves.push_back(std::move(recent));
                break;
            }
            case FigureKind::Perplexity: {
                Curve c{name(i, QString()), {}, {}, colour, dash, false, true};
                for (const EvaluationRecord& e : r.evaluations) {
                    c.x.push_back(options.timeAxis ? e.elapsedSeconds : double(e.step));
                    c.y.push_back(e.perplexity);
                }
                curves.push_back(std::move(c));
                break;
            }
            case FigureKind::AcceptancePerLayer:
                break;
        }
    }
    QString yLabel;
    switch (kind) {
        case FigureKind::Loss:
            yLabel = tr("CE/CE₀ + α·MSE/MSE₀");
            break;
        case FigureKind::Ce:
            yLabel = tr("cross-entropy (nats/token)");
            break;
        case FigureKind::Mse:
            yLabel = tr("mean squared error");
            break;
        case FigureKind::Acceptance:
            // Several runs: the thin curves are in no legend entry, and papers drop the title.
            yLabel = many ? tr("accepted (%); thin: last %1").arg(StepRecord::kRecentWindow)
                          : tr("accepted steps (%)");
            break;
        case FigureKind::Perplexity:
            yLabel = runs.empty() || runs.front()->settings.evalData == "none"
                         ? tr("perplexity")
                         : tr("%1 perplexity").arg(evaluationDataName(*runs.front()));
            break;
        case FigureKind::AcceptancePerLayer:
            break;
    }
    // A single run's loss figures need no legend entry; its name would only repeat the title.
    if (!many && kind != FigureKind::Acceptance)
        for (Curve& c : curves) c.name = figureTitle(kind).toLower();
    QString title = figureTitle(kind);
    if (kind == FigureKind::Perplexity && !runs.empty() && curves.size() == runs.size() &&
        std::all_of(curves.begin(), curves.end(), [](const Curve& c) { return c.x.empty(); }))
        title = tr("Perplexity (not evaluated yet)");
    if (kind == FigureKind::Acceptance && many)
        title = tr("Acceptance rate (thin: last %1 steps)").arg(StepRecord::kRecentWindow);
    if (kind == FigureKind::Perplexity) {
        double last = 0;
        for (const RunData* r : runs) {
            const std::vector<double>& x = options.timeAxis ? r->seconds : r->step;
            if (!x.empty()) last = std::max(last, x.back());
        }
        plot->setKeyExtent(options.logX ? 1 : 0, last);
    }
    plot->setLabels(title, xLabel, yLabel);
    plot->legend->setVisible(many || kind == FigureKind::Acceptance);
    plot->setSmoothing(options.smoothing, options.smoothingParameter);
    plot->setLogX(options.logX);
    plot->setLogY(options.logY);
    plot->setCurves(std::move(curves));
}

void fillLayerAcceptanceFigure(CurvePlot* plot, const std::vector<const RunData*>& runs,
                               const QStringList& labels,
                               const std::vector<std::vector<double>>& perLayer) {
    const bool many = runs.size() > 1;
    std::vector<CurvePlot::BarSeries> bars;
    for (std::size_t i = 0; i < runs.size(); ++i)
        bars.push_back(
            {curveName(labels, runs.size(), i, many ? QString() : tr("accepted / proposed")),
             scaled(perLayer[i], 100), okabeIto(int(i))});
    plot->setLabels(figureTitle(FigureKind::AcceptancePerLayer), tr("decoder layer"),
                    tr("accepted steps (%)"));
    plot->setBars(QString(), std::move(bars));
    plot->legend->setVisible(many);
}

bool isStepFigure(FigureKind kind) {
    return kind == FigureKind::Loss || kind == FigureKind::Ce || kind == FigureKind::Mse ||
           kind == FigureKind::Acceptance;
}

void extendFigure(CurvePlot* plot, FigureKind kind, const std::vector<const RunData*>& runs,
                  const std::vector<std::size_t>& drawnSteps, const FigureOptions& options) {
    if (!isStepFigure(kind)) return;
    std::vector<CurveTail> tails;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const RunData& r = *runs[i];
        const std::size_t from = drawnSteps[i];
        const std::vector<double> x = tail(options.timeAxis ? r.seconds : r.step, from);
        // In the order fillFigure adds the curves.
        switch (kind) {
            case FigureKind::Loss:
                tails.push_back({x, tail(r.stateLoss, from)});
                break;
            case FigureKind::Ce:
                tails.push_back({x, tail(r.stateCe, from)});
                break;
            case FigureKind::Mse:
                tails.push_back({x, tail(r.stateMse, from)});
                break;
            case FigureKind::Acceptance:
                tails.push_back({x, tail(r.acceptance, from, 100)});
                tails.push_back({x, tail(r.recentAcceptance, from, 100)});
                break;
            case FigureKind::Perplexity:
            case FigureKind::AcceptancePerLayer:
                break;
        }
    }
    plot->appendToCurves(tails);
}

}  // namespace invx::gui
