#include "ablation-plan.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <cmath>

#include "invx/error.h"
#include "invx/setting-table.h"
#include "run-data.h"
#include "text-file-writer.h"

namespace invx::gui {
namespace {

std::string str(const QString& s) { return s.toStdString(); }

QString variantName(const std::vector<AblationAxis>& axes, const QStringList& values) {
    QStringList parts;
    for (std::size_t i = 0; i < axes.size(); ++i) {
        QString v = values[int(i)];
        v.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9.+-]")), QStringLiteral("_"));
        parts << axes[i].key + QLatin1Char('-') + v;
    }
    return parts.join(QLatin1Char('_')) + QStringLiteral(".h5");
}

void meanAndStd(const std::vector<double>& v, double* mean, double* sd) {
    double sum = 0;
    for (double x : v) sum += x;
    *mean = v.empty() ? std::nan("") : sum / double(v.size());
    double sq = 0;
    for (double x : v) sq += (x - *mean) * (x - *mean);
    *sd = v.size() > 1 ? std::sqrt(sq / double(v.size() - 1)) : 0.0;
}

QString evaluationName(AblationEvaluation e) {
    switch (e) {
        case AblationEvaluation::Whole:
            return QStringLiteral("whole");
        case AblationEvaluation::Quick:
            return QStringLiteral("quick");
        case AblationEvaluation::None:
            break;
    }
    return QStringLiteral("none");
}

// Queues written before studies could evaluate have no entry: none.
AblationEvaluation evaluationFromName(const QString& name) {
    if (name == QLatin1String("whole")) return AblationEvaluation::Whole;
    if (name == QLatin1String("quick")) return AblationEvaluation::Quick;
    return AblationEvaluation::None;
}

// A grid that varies the matched layers down to 0 asks for the search without activation matching
// (the paper's Table 4, "w/ 0 layers"): the MSE term's weight goes to 0 with them, which the
// settings' check requires, unless alpha is an axis of its own.
void disableMatchingWithoutLayers(const std::vector<AblationAxis>& axes, SearchSettings& s) {
    bool layersVary = false;
    for (const AblationAxis& a : axes) {
        if (a.key == QLatin1String("alpha")) return;
        layersVary = layersVary || a.key == QLatin1String("num_layers");
    }
    if (layersVary && s.matchedLayers == 0) s.alpha = 0;
}

}  // namespace

QString baseQuantizationKey(const SearchSettings& s) {
    if (s.base == "rtn") return {};
    QStringList parts{QString::fromStdString(s.base),
                      QString::number(s.quant.bits),
                      QString::number(s.quant.groupSize),
                      QString::number(s.baseCalibrationSamples),
                      QString::fromStdString(s.calibrationCorpus),
                      QString::fromStdString(s.calibrationIds),
                      QString::number(s.calibrationLength),
                      QString::number(s.calibrationSeed)};
    if (s.base == "awq") parts << QString::fromStdString(s.awqPrecision);
    if (s.base == "omniquant")  // what its training learns from
        parts << QString::number(s.omniquantEpochs) << QString::number(s.omniquantLetLr)
              << QString::number(s.omniquantLwcLr) << QString::fromStdString(s.omniquantLwc)
              << QString::fromStdString(s.omniquantLet) << QString::number(s.omniquantAlpha)
              << QString::fromStdString(s.omniquantPrecision);
    return parts.join(QLatin1Char('|'));
}

int AblationPlan::baseSource(int variant) const {
    if (variant < 0 || variant >= int(variants_.size())) return -1;
    const QString key = baseQuantizationKey(variants_[std::size_t(variant)].settings);
    if (key.isEmpty()) return -1;
    for (int i = 0; i < variant; ++i) {
        const AblationVariant& v = variants_[std::size_t(i)];
        // A run stopped while OmniQuant trained has no file yet (only FILE.part).
        const bool holdsBase =
            (v.state == QLatin1String("finished") || v.state == QLatin1String("stopped")) &&
            QFileInfo::exists(v.path);
        if (holdsBase && baseQuantizationKey(v.settings) == key) return i;
    }
    return -1;
}

AblationPlan AblationPlan::create(const SearchSettings& base, const std::vector<AblationAxis>& axes,
                                  const QString& folder, const QString& modelPath,
                                  const QString& device, const QString& dtype) {
    if (axes.empty()) throw Error("an ablation needs at least one setting to vary");
    AblationPlan plan;
    plan.folder_ = folder;
    plan.modelPath_ = modelPath;
    plan.device_ = device;
    plan.dtype_ = dtype;
    plan.base_ = base;
    plan.axes_ = axes;
    std::vector<const SettingDeclaration*> declarations;
    for (const AblationAxis& axis : axes) {
        const SettingDeclaration* d = findSettingDeclaration(str(axis.key));
        if (!d) throw Error("ablation axis '" + str(axis.key) + "' names no search setting");
        if (axis.values.isEmpty())
            throw Error("ablation axis '" + str(axis.key) + "' lists no values");
        declarations.push_back(d);
    }
    // Odometer over the axes, the last fastest.
    std::vector<int> at(axes.size(), 0);
    while (true) {
        AblationVariant v;
        v.settings = base;
        for (std::size_t a = 0; a < axes.size(); ++a) {
            const QString value = axes[a].values[at[a]].trimmed();
            v.values << value;
            try {
                declarations[a]->set(v.settings, str(value));
            } catch (const Error& e) {
                throw Error("ablation axis '" + str(axes[a].key) + "': " + e.what());
            }
        }
        disableMatchingWithoutLayers(axes, v.settings);
        try {
            v.settings.validate();
        } catch (const Error& e) {
            throw Error("ablation variant " + str(v.values.join(QStringLiteral(", "))) + ": " +
                        e.what());
        }
        v.path = QDir(folder).filePath(variantName(axes, v.values));
        v.state = QStringLiteral("pending");
        plan.variants_.push_back(v);
        std::size_t a = axes.size();
        while (a > 0 && ++at[a - 1] == axes[a - 1].values.size()) at[--a] = 0;
        if (a == 0) break;
    }
    return plan;
}

QString AblationPlan::file() const {
    return QDir(folder_).filePath(QString::fromLatin1(kFileName));
}

void AblationPlan::save() const {
    QJsonArray axes, variants;
    for (const AblationAxis& a : axes_)
        axes.append(QJsonObject{{"key", a.key}, {"values", QJsonArray::fromStringList(a.values)}});
    for (const AblationVariant& v : variants_)
        variants.append(QJsonObject{{"values", QJsonArray::fromStringList(v.values)},
                                    {"path", QDir(folder_).relativeFilePath(v.path)},
                                    {"state", v.state}});
    const QJsonObject root{
        {"format", "invx-ablation"},
        {"version", 1},
        {"model", modelPath_},
        {"device", device_},
        {"dtype", dtype_},
        {"base_settings",
         QJsonDocument::fromJson(QByteArray::fromStdString(base_.toJson())).object()},
        {"axes", axes},
        {"study", study_},
        {"evaluation", evaluationName(evaluation_)},
        {"variants", variants}};
    if (!QDir().mkpath(folder_))
        throw Error("could not create the ablation folder '" + str(folder_) + "'");
    const QString error = writeTextFile(file(), QString::fromUtf8(QJsonDocument(root).toJson()));
    if (!error.isEmpty()) throw Error("the ablation queue was not saved: " + str(error));
}

AblationPlan AblationPlan::load(const QString& path) {
    QFile in(path);
    if (!in.open(QIODevice::ReadOnly))
        throw Error("could not read the ablation queue '" + str(path) +
                    "': " + str(in.errorString()));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(in.readAll(), &parseError);
    const QJsonObject root = doc.object();
    if (parseError.error != QJsonParseError::NoError ||
        root.value(QLatin1String("format")).toString() != QLatin1String("invx-ablation"))
        throw Error("'" + str(path) + "' is not an ablation queue written by the workbench" +
                    (parseError.error != QJsonParseError::NoError
                         ? " (" + str(parseError.errorString()) + ")"
                         : std::string()));
    std::vector<AblationAxis> axes;
    for (const QJsonValue& a : root.value(QLatin1String("axes")).toArray()) {
        QStringList values;
        for (const QJsonValue& v : a.toObject().value(QLatin1String("values")).toArray())
            values << v.toString();
        axes.push_back({a.toObject().value(QLatin1String("key")).toString(), values});
    }
    const SearchSettings base = SearchSettings::fromJson(
        QJsonDocument(root.value(QLatin1String("base_settings")).toObject()).toJson().toStdString(),
        str(path));
    AblationPlan plan = create(base, axes, QFileInfo(path).absolutePath(),
                               root.value(QLatin1String("model")).toString(),
                               root.value(QLatin1String("device")).toString(),
                               root.value(QLatin1String("dtype")).toString());
    plan.study_ = root.value(QLatin1String("study")).toString();
    plan.evaluation_ = evaluationFromName(root.value(QLatin1String("evaluation")).toString());
    const QJsonArray saved = root.value(QLatin1String("variants")).toArray();
    if (saved.size() != int(plan.variants_.size()))
        throw Error("ablation queue '" + str(path) + "' lists " + std::to_string(saved.size()) +
                    " variants but its grid has " + std::to_string(plan.variants_.size()));
    for (int i = 0; i < saved.size(); ++i)
        plan.variants_[std::size_t(i)].state =
            saved[i].toObject().value(QLatin1String("state")).toString();
    return plan;
}

int AblationPlan::nextVariant() const {
    for (std::size_t i = 0; i < variants_.size(); ++i)
        if (variants_[i].state != QLatin1String("finished") &&
            !variants_[i].state.startsWith(QLatin1String("failed")))
            return int(i);
    return -1;
}

QStringList summaryAxisKeys(const AblationPlan& plan) {
    QStringList keys;
    for (const AblationAxis& a : plan.axes())
        if (a.key != QLatin1String("seed")) keys << a.key;
    return keys;
}

std::vector<AblationSummaryRow> summarizeAblation(const AblationPlan& plan,
                                                  const std::vector<const RunData*>& results) {
    std::vector<int> kept;
    for (std::size_t a = 0; a < plan.axes().size(); ++a)
        if (plan.axes()[a].key != QLatin1String("seed")) kept.push_back(int(a));
    std::vector<AblationSummaryRow> rows;
    std::vector<std::vector<double>> finals, bests, losses;
    for (std::size_t i = 0; i < plan.variants().size(); ++i) {
        QStringList values;
        for (int a : kept) values << plan.variants()[i].values[a];
        std::size_t row = 0;
        while (row < rows.size() && rows[row].values != values) ++row;
        if (row == rows.size()) {
            rows.push_back({values});
            finals.emplace_back();
            bests.emplace_back();
            losses.emplace_back();
        }
        const RunData* r = i < results.size() ? results[i] : nullptr;
        if (!r) continue;
        ++rows[row].runs;
        if (std::isfinite(r->finalPerplexity())) finals[row].push_back(r->finalPerplexity());
        if (std::isfinite(r->bestPerplexity())) bests[row].push_back(r->bestPerplexity());
        if (std::isfinite(r->bestLoss())) losses[row].push_back(r->bestLoss());
    }
    for (std::size_t row = 0; row < rows.size(); ++row) {
        meanAndStd(finals[row], &rows[row].finalPerplexityMean, &rows[row].finalPerplexityStd);
        meanAndStd(bests[row], &rows[row].bestPerplexityMean, &rows[row].bestPerplexityStd);
        meanAndStd(losses[row], &rows[row].bestLossMean, &rows[row].bestLossStd);
    }
    return rows;
}

}  // namespace invx::gui
