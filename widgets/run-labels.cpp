#include "run-labels.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QLocale>
#include <QRegularExpression>
#include <algorithm>
#include <map>

#include "invx/setting-table.h"

namespace invx::gui {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("RunLabels", text); }

QString text(const std::string& s) { return QString::fromStdString(s); }

// How a label words one setting that matters; `compact` is the short form used when a label would
// run past kMaxLabelLength.
using Phrase = QString (*)(const SearchSettings& s, const ModelIdentity& m, bool compact);

// A setting that matters to the result: its key, the base methods over which it does ("" = every
// one), and its words. The tables below are the whole decision of what a label may name, in the
// order a label names it.
struct Wording {
    const char* key;
    const char* onlyOver;
    Phrase phrase;
};

QString baseName(const SearchSettings& s, const ModelIdentity&, bool) {
    if (s.base == "omniquant") return QStringLiteral("OmniQuant");
    return text(s.base).toUpper();
}

QString invariancesName(const SearchSettings& s, const ModelIdentity&, bool) {
    QStringList parts;
    for (QChar c : QStringLiteral("PSR"))
        if (text(s.invariances).contains(c)) parts << QString(c);
    return parts.join(QLatin1Char('+'));
}

QString corpusName(const std::string& corpus) {
    static const std::map<std::string, const char*> names = {{"wikipedia", "Wikipedia"},
                                                             {"c4", "C4"},
                                                             {"wikitext2-train", "WikiText-2"},
                                                             {"gutenberg", "Gutenberg"}};
    const auto at = names.find(corpus);
    return at != names.end() ? QString::fromLatin1(at->second)
                             : QFileInfo(text(corpus)).completeBaseName();
}

QString stepsText(std::int64_t steps, bool compact) {
    if (compact && steps >= 1000 && steps % 1000 == 0) return tr("%1k steps").arg(steps / 1000);
    return tr("%1 steps").arg(QLocale(QLocale::English).toString(qlonglong(steps)));
}

const std::vector<Wording>& runWordings() {
    static const std::vector<Wording> table = {
        {"base", "", baseName},
        {"invariances", "", invariancesName},
        {"bits", "",
         [](const SearchSettings& s, const ModelIdentity&, bool compact) {
             return compact ? QStringLiteral("W%1").arg(s.quant.bits)
                            : tr("%1-bit").arg(s.quant.bits);
         }},
        {"group", "",
         [](const SearchSettings& s, const ModelIdentity&, bool compact) {
             if (s.quant.groupSize < 0) return compact ? tr("per-ch.") : tr("per-channel");
             return QStringLiteral("g%1").arg(s.quant.groupSize);
         }},
        {"model", "",
         [](const SearchSettings&, const ModelIdentity& m, bool) { return modelName(m); }},
        {"steps", "",
         [](const SearchSettings& s, const ModelIdentity&, bool compact) {
             return stepsText(s.steps, compact);
         }},
        {"calibration", "",
         [](const SearchSettings& s, const ModelIdentity&, bool compact) {
             const QString name = corpusName(s.calibrationCorpus);
             return compact ? name : tr("%1 calib.").arg(name);
         }},
        {"calibration_ids", "",
         [](const SearchSettings& s, const ModelIdentity&, bool) {
             return s.calibrationIds.empty() ? tr("drawn ids")
                                             : QFileInfo(text(s.calibrationIds)).completeBaseName();
         }},
        {"calibration_samples", "",
         [](const SearchSettings& s, const ModelIdentity&, bool compact) {
             return (compact ? tr("%1 cal.") : tr("%1 calib. samples")).arg(s.calibrationSamples);
         }},
        {"calibration_length", "",
         [](const SearchSettings& s, const ModelIdentity&, bool compact) {
             return (compact ? tr("L%1") : tr("%1-token calib.")).arg(s.calibrationLength);
         }},
        {"calibration_seed", "",
         [](const SearchSettings& s, const ModelIdentity&, bool compact) {
             return (compact ? tr("cs%1") : tr("calib. seed %1")).arg(s.calibrationSeed);
         }},
        {"base_calibration_samples", "awq|gptq|omniquant",
         [](const SearchSettings& s, const ModelIdentity&, bool compact) {
             return (compact ? tr("%1 base cal.") : tr("%1 base samples"))
                 .arg(s.baseCalibrationSamples);
         }},
        {"awq_precision", "awq",
         [](const SearchSettings& s, const ModelIdentity&, bool compact) {
             const QString p =
                 s.awqPrecision == "float16" ? QStringLiteral("fp16") : QStringLiteral("fp32");
             return compact ? p : tr("AWQ %1").arg(p);
         }},
        // OmniQuant's training (its paper's ablations: LWC or LET alone, epochs).
        {"omniquant_lwc", "omniquant",
         [](const SearchSettings& s, const ModelIdentity&, bool) {
             return s.omniquantLwc == "on" ? tr("LWC") : tr("no LWC");
         }},
        {"omniquant_let", "omniquant",
         [](const SearchSettings& s, const ModelIdentity&, bool) {
             return s.omniquantLet == "on" ? tr("LET") : tr("no LET");
         }},
        {"omniquant_epochs", "omniquant",
         [](const SearchSettings& s, const ModelIdentity&, bool compact) {
             return (compact ? tr("%1 ep.") : tr("%1 epochs")).arg(s.omniquantEpochs);
         }},
        {"omniquant_let_lr", "omniquant",
         [](const SearchSettings& s, const ModelIdentity&, bool compact) {
             return (compact ? tr("LET lr%1") : tr("LET lr %1")).arg(s.omniquantLetLr);
         }},
        {"omniquant_lwc_lr", "omniquant",
         [](const SearchSettings& s, const ModelIdentity&, bool compact) {
             return (compact ? tr("LWC lr%1") : tr("LWC lr %1")).arg(s.omniquantLwcLr);
         }},
        {"omniquant_alpha", "omniquant",
         [](const SearchSettings& s, const ModelIdentity&, bool compact) {
             return (compact ? tr("LET α%1") : tr("LET α = %1")).arg(s.omniquantAlpha);
         }},
        {"omniquant_precision", "omniquant",
         [](const SearchSettings& s, const ModelIdentity&, bool compact) {
             const QString p = text(s.omniquantPrecision);
             return compact ? p : tr("OmniQuant %1").arg(p);
         }},
        {"gptq_candidates", "gptq",
         [](const SearchSettings& s, const ModelIdentity&, bool compact) {
             const QString c = text(s.gptqCandidates).toUpper();
             return (compact ? tr("cand. %1") : tr("%1 candidates")).arg(c);
         }},
        // RTN and GPTQ hand over the unmodified model: both targets agree there.
        {"targets", "awq",
         [](const SearchSettings& s, const ModelIdentity&, bool compact) {
             if (s.targets == "original")
                 return compact ? tr("orig. targets") : tr("original targets");
             return tr("base targets");
         }},
        {"alpha", "",
         [](const SearchSettings& s, const ModelIdentity&, bool compact) {
             return (compact ? tr("α%1") : tr("α = %1")).arg(s.alpha);
         }},
        {"swap_frac", "",
         [](const SearchSettings& s, const ModelIdentity&, bool compact) {
             return (compact ? tr("sw%1") : tr("swap %1")).arg(s.swapFraction);
         }},
        {"sigma_s", "",
         [](const SearchSettings& s, const ModelIdentity&, bool compact) {
             return (compact ? tr("σs%1") : tr("σs = %1")).arg(s.sigmaScale);
         }},
        {"sigma_r", "",
         [](const SearchSettings& s, const ModelIdentity&, bool compact) {
             return (compact ? tr("σr%1") : tr("σr = %1")).arg(s.sigmaRotation);
         }},
        {"num_layers", "",
         [](const SearchSettings& s, const ModelIdentity&, bool compact) {
             return (compact ? tr("%1 layers") : tr("%1 matched layers")).arg(s.matchedLayers);
         }},
        {"seed", "",
         [](const SearchSettings& s, const ModelIdentity&, bool compact) {
             return (compact ? tr("s%1") : tr("seed %1")).arg(s.seed);
         }},
    };
    return table;
}

// What makes a base method's step 0: the method, its quantization, its own calibration.
// What a run's perplexity curve measures (its data and windows): not what the search finds, so
// not part of resultSettings, but perplexities measured otherwise are not comparable. Runs that
// differ in them are not one seed group, and their labels name the difference.
const std::vector<Wording>& measurementWordings() {
    static const std::vector<Wording> table = {
        {"eval_data", "",
         [](const SearchSettings& s, const ModelIdentity&, bool) {
             return s.evalData == "wikitext2" ? QStringLiteral("WikiText-2")
                                              : corpusName(s.evalData);
         }},
        {"eval_windows", "",
         [](const SearchSettings& s, const ModelIdentity&, bool compact) {
             if (s.evalWindows <= 0) return compact ? tr("all win.") : tr("all eval windows");
             return (compact ? tr("%1 win.") : tr("%1 eval windows")).arg(s.evalWindows);
         }},
        {"eval_window", "",
         [](const SearchSettings& s, const ModelIdentity&, bool compact) {
             return (compact ? tr("%1-tok. win.") : tr("%1-token windows")).arg(s.evalWindowLength);
         }},
    };
    return table;
}

const std::vector<Wording>& baseWordings() {
    static const std::vector<Wording> table = [] {
        std::vector<Wording> out;
        const std::map<std::string, const char*> keep = {
            {"base", ""},
            {"bits", ""},
            {"group", ""},
            {"model", ""},
            {"calibration", "awq|gptq|omniquant"},
            {"calibration_ids", "awq|gptq|omniquant"},
            {"calibration_length", "awq|gptq|omniquant"},
            {"calibration_seed", "awq|gptq|omniquant"},
            {"base_calibration_samples", "awq|gptq|omniquant"},
            {"awq_precision", "awq"},
            {"omniquant_lwc", "omniquant"},
            {"omniquant_let", "omniquant"},
            {"omniquant_epochs", "omniquant"},
            {"omniquant_let_lr", "omniquant"},
            {"omniquant_lwc_lr", "omniquant"},
            {"omniquant_alpha", "omniquant"},
            {"omniquant_precision", "omniquant"}};
        for (const Wording& w : runWordings())
            if (keep.count(w.key)) out.push_back({w.key, keep.at(w.key), w.phrase});
        return out;
    }();
    return table;
}

const Wording* findWording(const std::vector<Wording>& table, const std::string& key) {
    for (const Wording& w : table)
        if (key == w.key) return &w;
    return nullptr;
}

bool mattersOver(const Wording& w, const SearchSettings& s) {
    return !*w.onlyOver || text(w.onlyOver).split(QLatin1Char('|')).contains(text(s.base));
}

// What the runs compare on: the setting's value, or the model's fingerprint (its path when none).
std::string valueOf(const Wording& w, const SearchSettings& s, const ModelIdentity* m) {
    if (std::string(w.key) == "model")
        return m ? (m->fingerprint.empty() ? m->path : m->fingerprint) : "";
    return findSettingDeclaration(w.key)->get(s);
}

// A setting of the search itself, not of the base method that makes its step 0.
bool searchOnly(const char* key) {
    return findWording(runWordings(), key) && !findWording(baseWordings(), key);
}

QStringList differingKeys(const std::vector<Wording>& table,
                          const std::vector<SearchSettings>& runs,
                          const std::vector<ModelIdentity>& models, const QStringList& ignore) {
    QStringList keys;
    for (const Wording& w : table) {
        if (ignore.contains(QLatin1String(w.key))) continue;
        if (std::string(w.key) == "model" && models.size() < runs.size()) continue;
        std::vector<std::string> seen;
        for (std::size_t i = 0; i < runs.size(); ++i) {
            if (!mattersOver(w, runs[i])) continue;
            // A run of no steps (the base method alone, runLabel) has no search settings.
            if (runs[i].steps == 0 && searchOnly(w.key)) continue;
            const std::string v = valueOf(w, runs[i], models.empty() ? nullptr : &models[i]);
            if (std::find(seen.begin(), seen.end(), v) == seen.end()) seen.push_back(v);
        }
        if (seen.size() > 1) keys << QLatin1String(w.key);
    }
    return keys;
}

// The method a run searched from and with: "AWQ + P+S+R" when the base method distinguishes runs
// (a bare "AWQ" would read as the base method itself), "P only" or "P+S+R" when the invariances do
// alone, nothing when neither does; `headline` (nothing distinguishes the run) names both.
QString methodPhrase(const SearchSettings& s, bool base, bool invariances, bool headline) {
    const QString inv = invariancesName(s, {}, false);
    if (base || headline) return baseName(s, {}, false) + QStringLiteral(" + ") + inv;
    if (invariances) return inv.size() == 1 ? tr("%1 only").arg(inv) : inv;
    return {};
}

QString runLabel(const SearchSettings& s, const ModelIdentity& m, const QStringList& keys,
                 bool compact) {
    QStringList parts;
    // A file of no steps (invx quantize) holds the base method alone: no invariances, no steps.
    const bool searched = s.steps > 0;
    const QString method = searched
                               ? methodPhrase(s, keys.contains(QStringLiteral("base")),
                                              keys.contains(QStringLiteral("invariances")), false)
                               : tr("%1 alone").arg(baseName(s, m, compact));
    if (!method.isEmpty()) parts << method;
    for (const Wording& w : runWordings()) {
        const QString key = QLatin1String(w.key);
        if (key == QLatin1String("base") || key == QLatin1String("invariances")) continue;
        if (!searched && searchOnly(w.key)) continue;
        if (keys.contains(key) && mattersOver(w, s)) parts << w.phrase(s, m, compact);
    }
    for (const Wording& w : measurementWordings())
        if (keys.contains(QLatin1String(w.key))) parts << w.phrase(s, m, compact);
    if (parts.isEmpty()) parts << methodPhrase(s, false, false, true);
    return parts.join(QStringLiteral(", "));
}

QString baseLabel(const SearchSettings& s, const ModelIdentity& m, const QStringList& keys,
                  bool compact) {
    QStringList parts{baseName(s, m, compact)};
    for (const Wording& w : baseWordings())
        if (std::string(w.key) != "base" && keys.contains(QLatin1String(w.key)) &&
            mattersOver(w, s))
            parts << w.phrase(s, m, compact);
    return parts.join(QStringLiteral(", "));
}

// Labels in words, in compact words when one runs long, cut with "…" when still too long; equal
// labels numbered.
template <typename Compose>
QStringList finishLabels(std::size_t count, Compose compose) {
    QStringList labels;
    for (std::size_t i = 0; i < count; ++i) labels << compose(i, false);
    const bool tooLong = std::any_of(labels.begin(), labels.end(),
                                     [](const QString& l) { return l.size() > kMaxLabelLength; });
    if (tooLong) {
        labels.clear();
        for (std::size_t i = 0; i < count; ++i) labels << compose(i, true);
    }
    for (QString& l : labels)
        if (l.size() > kMaxLabelLength) l = l.left(kMaxLabelLength - 1) + QStringLiteral("…");
    QStringList numbered = labels;
    std::map<QString, int> seen;
    for (int i = 0; i < labels.size(); ++i)
        if (labels.count(labels[i]) > 1)
            numbered[i] = QStringLiteral("%1 (%2)").arg(labels[i]).arg(++seen[labels[i]]);
    return numbered;
}

QString sizeText(std::int64_t parameters) {
    if (parameters >= 1000000000)
        return QString::number(double(parameters) / 1e9, 'g', 3) + QLatin1Char('B');
    return QString::number(double(parameters) / 1e6, 'g', 3) + QLatin1Char('M');
}

}  // namespace

QString modelName(const ModelIdentity& model) {
    const QStringList parts = text(model.path).split(QLatin1Char('/'), Qt::SkipEmptyParts);
    QString name;
    for (const QString& part : parts)
        if (part.startsWith(QLatin1String("models--")))
            name = part.section(QStringLiteral("--"), -1);
    if (name.isEmpty() && !parts.isEmpty()) name = parts.last();
    if (name.isEmpty())
        return model.parameters > 0 ? tr("%1-parameter model").arg(sizeText(model.parameters))
                                    : tr("unknown model");
    // "opt-13b" -> "OPT-13B": the family in capitals, a size in capitals.
    QStringList words = name.split(QLatin1Char('-'));
    static const QRegularExpression size(QStringLiteral("^\\d+(\\.\\d+)?[mbk]$"),
                                         QRegularExpression::CaseInsensitiveOption);
    for (int i = 0; i < words.size(); ++i) {
        if (i == 0 && words[i].compare(QLatin1String("opt"), Qt::CaseInsensitive) == 0)
            words[i] = QStringLiteral("OPT");
        else if (size.match(words[i]).hasMatch())
            words[i] = words[i].toUpper();
    }
    return words.join(QLatin1Char('-'));
}

bool settingMatters(const std::string& key, const SearchSettings& settings) {
    const Wording* w = findWording(runWordings(), key);
    return w && mattersOver(*w, settings);
}

SearchSettings resultSettings(const SearchSettings& settings) {
    const SearchSettings defaults;
    SearchSettings out = settings;
    for (const SettingDeclaration& d : searchSettingDeclarations())
        if (!settingMatters(d.key, settings)) d.set(out, d.get(defaults));
    return out;
}

SearchSettings comparedSettings(const SearchSettings& settings) {
    SearchSettings out = resultSettings(settings);
    for (const Wording& w : measurementWordings()) {
        const SettingDeclaration* d = findSettingDeclaration(w.key);
        d->set(out, d->get(settings));
    }
    return out;
}

QStringList distinguishingKeys(const std::vector<SearchSettings>& runs,
                               const std::vector<ModelIdentity>& models,
                               const QStringList& ignore) {
    return differingKeys(runWordings(), runs, models, ignore) +
           differingKeys(measurementWordings(), runs, models, ignore);
}

QStringList differenceLabels(const std::vector<SearchSettings>& runs,
                             const std::vector<ModelIdentity>& models, const QStringList& ignore) {
    QStringList keys = distinguishingKeys(runs, models, ignore);
    // Beside a base method alone, a search names its method in full: "OmniQuant + P+S+R".
    const auto searched = [](const SearchSettings& s) { return s.steps > 0; };
    if (std::any_of(runs.begin(), runs.end(), searched) &&
        !std::all_of(runs.begin(), runs.end(), searched))
        for (const QString& key : {QStringLiteral("base"), QStringLiteral("invariances")})
            if (!keys.contains(key)) keys << key;
    return finishLabels(runs.size(), [&](std::size_t i, bool compact) {
        return runLabel(runs[i], i < models.size() ? models[i] : ModelIdentity{}, keys, compact);
    });
}

std::string baselineKey(const SearchSettings& settings, const ModelIdentity& model) {
    std::string key;
    for (const Wording& w : baseWordings())
        key += w.key + ("=" + (mattersOver(w, settings) ? valueOf(w, settings, &model) : "")) + ";";
    // Step 0's perplexity is measured as the run measures it.
    for (const char* k : {"eval_data", "eval_windows", "eval_window"})
        key += std::string(k) + "=" + findSettingDeclaration(k)->get(settings) + ";";
    return key;
}

QStringList baselineLabels(const std::vector<SearchSettings>& runs,
                           const std::vector<ModelIdentity>& models) {
    const QStringList keys = differingKeys(baseWordings(), runs, models, {});
    return finishLabels(runs.size(), [&](std::size_t i, bool compact) {
        return baseLabel(runs[i], i < models.size() ? models[i] : ModelIdentity{}, keys, compact);
    });
}

QString settingTitle(const QString& key) {
    if (key == QLatin1String("model")) return tr("Model");
    const SettingDeclaration* d = findSettingDeclaration(key.toStdString());
    return d ? QCoreApplication::translate("invx::Settings", d->label) : key;
}

QString settingText(const QString& key, const SearchSettings& settings,
                    const ModelIdentity& model) {
    if (key == QLatin1String("model")) return modelName(model);
    if (settings.steps == 0 && searchOnly(key.toLatin1().constData()))
        return QStringLiteral("–");  // the base method alone: no search to set
    if (key == QLatin1String("base")) return baseName(settings, model, false);
    if (key == QLatin1String("invariances")) return invariancesName(settings, model, false);
    const bool measures = findWording(measurementWordings(), key.toStdString()) != nullptr;
    if (!measures && !settingMatters(key.toStdString(), settings)) return QStringLiteral("–");
    const SettingDeclaration* d = findSettingDeclaration(key.toStdString());
    return d ? text(d->get(settings)) : QString();
}

QString settingsToolTip(const QString& title, const SearchSettings& settings,
                        const ModelIdentity& model, const QString& path) {
    QString html = QStringLiteral("<p><b>%1</b></p>").arg(title.toHtmlEscaped());
    QString about = modelName(model);
    if (model.layers > 0) about += tr(", %1 layers").arg(model.layers);
    if (model.parameters > 0) about += tr(", %1 parameters").arg(sizeText(model.parameters));
    html += QStringLiteral("<p>%1: %2</p>").arg(tr("Model"), about.toHtmlEscaped());
    html += QStringLiteral("<table cellspacing=\"0\" cellpadding=\"1\">");
    // By section, in the order the form shows them.
    QStringList sections;
    for (const SettingDeclaration& d : searchSettingDeclarations())
        if (!sections.contains(QLatin1String(d.section))) sections << QLatin1String(d.section);
    for (const QString& section : sections) {
        html +=
            QStringLiteral("<tr><td colspan=\"2\"><i>%1</i></td></tr>")
                .arg(QCoreApplication::translate("invx::Settings", section.toLatin1().constData()));
        for (const SettingDeclaration& d : searchSettingDeclarations()) {
            if (section != QLatin1String(d.section)) continue;
            // Settings that leave the result alone are greyed: they never name a run.
            const QString row = settingMatters(d.key, settings)
                                    ? QStringLiteral("<tr><td>%1&nbsp;&nbsp;</td><td>%2</td></tr>")
                                    : QStringLiteral(
                                          "<tr style=\"color:#888888\"><td>%1&nbsp;&nbsp;</td>"
                                          "<td>%2</td></tr>");
            html += row.arg(QCoreApplication::translate("invx::Settings", d.label).toHtmlEscaped(),
                            text(d.get(settings)).toHtmlEscaped());
        }
    }
    html += QStringLiteral("</table>");
    if (!path.isEmpty()) html += QStringLiteral("<p>%1</p>").arg(path.toHtmlEscaped());
    return html;
}

}  // namespace invx::gui
