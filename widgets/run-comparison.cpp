#include "run-comparison.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFileInfo>
#include <algorithm>

#include "run-labels.h"

namespace invx::gui {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("RunComparison", text); }

// A seed group's key: a digest of what its runs share (everything that matters but the seed and
// the step budget, what they were measured on, and the model), short enough to keep in the
// settings.
QString groupKey(const RunData& run) {
    SearchSettings s = comparedSettings(run.settings);
    s.seed = 0;
    s.steps = run.settings.steps > 0 ? 1 : 0;  // a search, whatever its budget, or none
    const QByteArray shared = QByteArray::fromStdString(s.toJson() + run.model.fingerprint);
    return QStringLiteral("group:") +
           QString::fromLatin1(QCryptographicHash::hash(shared, QCryptographicHash::Sha1).toHex());
}

std::vector<std::vector<int>> entriesOf(const std::vector<const RunData*>& runs, bool groupSeeds) {
    if (!groupSeeds) {
        std::vector<std::vector<int>> out;
        for (std::size_t i = 0; i < runs.size(); ++i) out.push_back({int(i)});
        return out;
    }
    // Settings that do not matter never split a group; what perplexity was measured on does.
    std::vector<SearchSettings> settings;
    std::vector<ModelIdentity> models;
    for (const RunData* r : runs)
        settings.push_back(comparedSettings(r->settings)), models.push_back(r->model);
    std::vector<std::vector<int>> groups = groupBySeed(settings, models);
    for (auto& g : groups)
        std::stable_sort(g.begin(), g.end(), [&](int a, int b) {
            return runs[a]->settings.seed < runs[b]->settings.seed;
        });
    return groups;
}

// The run that speaks for an entry: its first shown run, else its first.
const RunData* representative(const ComparedEntry& e) {
    for (std::size_t i = 0; i < e.runs.size(); ++i)
        if (e.shown[i]) return e.runs[i];
    return e.runs.front();
}

// Labels of the entries among those shown: a hidden entry is named as if it were shown too.
void nameEntries(std::vector<ComparedEntry>& entries, bool groupSeeds) {
    const QStringList ignore =
        groupSeeds ? QStringList{QStringLiteral("seed"), QStringLiteral("steps")} : QStringList{};
    std::vector<SearchSettings> settings;
    std::vector<ModelIdentity> models;
    std::vector<std::size_t> shown;
    for (std::size_t i = 0; i < entries.size(); ++i)
        if (!entries[i].shownRuns().empty()) {
            settings.push_back(representative(entries[i])->settings);
            models.push_back(representative(entries[i])->model);
            shown.push_back(i);
        }
    const QStringList labels = differenceLabels(settings, models, ignore);
    for (std::size_t k = 0; k < shown.size(); ++k) entries[shown[k]].label = labels[int(k)];
    for (ComparedEntry& e : entries) {
        if (!e.shownRuns().empty()) continue;
        std::vector<SearchSettings> s = settings;
        std::vector<ModelIdentity> m = models;
        s.push_back(representative(e)->settings);
        m.push_back(representative(e)->model);
        e.label = differenceLabels(s, m, ignore).back();
    }
}

// Each run's name within its group: what distinguishes it there (its seed).
void nameRuns(ComparedEntry& e) {
    std::vector<SearchSettings> settings;
    std::vector<ModelIdentity> models;
    for (const RunData* r : e.runs) settings.push_back(r->settings), models.push_back(r->model);
    e.runLabels = e.runs.size() > 1 ? differenceLabels(settings, models) : QStringList{e.label};
    e.runToolTips.clear();
    for (std::size_t i = 0; i < e.runs.size(); ++i)
        e.runToolTips << settingsToolTip(e.runLabels[int(i)], e.runs[i]->settings, e.runs[i]->model,
                                         e.runs[i]->path);
}

QString groupToolTip(const ComparedEntry& e) {
    const RunData& first = *representative(e);
    QStringList seeds;
    for (const RunData* r : e.runs) seeds << QString::number(r->settings.seed);
    return settingsToolTip(e.label, first.settings, first.model) +
           QStringLiteral("<p>%1</p>")
               .arg(tr("A seed group: seeds %1").arg(seeds.join(QStringLiteral(", "))));
}

std::vector<ComparedBaseline> baselinesOf(const std::vector<ComparedEntry>& entries) {
    std::vector<ComparedBaseline> out;
    std::vector<std::string> keys;
    for (const ComparedEntry& e : entries)
        for (const RunData* r : e.shownRuns()) {
            const std::string key = baselineKey(r->settings, r->model);
            if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
            keys.push_back(key);
            out.push_back({{}, {}, r});
        }
    std::vector<SearchSettings> settings;
    std::vector<ModelIdentity> models;
    for (const ComparedBaseline& b : out)
        settings.push_back(b.run->settings), models.push_back(b.run->model);
    const QStringList labels = baselineLabels(settings, models);
    for (std::size_t i = 0; i < out.size(); ++i) {
        out[i].label = labels[int(i)];
        out[i].toolTip =
            QStringLiteral("<p><b>%1</b></p><p>%2</p>")
                .arg(out[i].label.toHtmlEscaped(),
                     tr("The base method before the search (step 0), as the runs over it start."));
    }
    return out;
}

}  // namespace

std::vector<const RunData*> ComparedEntry::shownRuns() const {
    std::vector<const RunData*> out;
    for (std::size_t i = 0; i < runs.size(); ++i)
        if (shown[i]) out.push_back(runs[i]);
    return out;
}

QString ComparedEntry::legendName() const {
    const std::size_t n = shownRuns().size();
    return grouped && n > 1 ? tr("%1 (n = %2)").arg(label).arg(n) : label;
}

std::vector<const ComparedEntry*> Comparison::shownEntries() const {
    std::vector<const ComparedEntry*> out;
    for (const ComparedEntry& e : entries)
        if (!e.shownRuns().empty()) out.push_back(&e);
    return out;
}

std::vector<const RunData*> Comparison::shownRuns() const {
    std::vector<const RunData*> out;
    for (const ComparedEntry& e : entries)
        for (const RunData* r : e.shownRuns()) out.push_back(r);
    return out;
}

Comparison Comparison::ofRuns(const std::vector<const RunData*>& runs, const QStringList& labels) {
    Comparison c;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        ComparedEntry e;
        e.key = runKey(*runs[i]);
        e.label =
            int(i) < labels.size() ? labels[int(i)] : QFileInfo(runs[i]->path).completeBaseName();
        e.runs = {runs[i]};
        e.shown = {true};
        e.runLabels = QStringList{e.label};
        c.entries.push_back(std::move(e));
    }
    return c;
}

QString runKey(const RunData& run) { return QFileInfo(run.path).absoluteFilePath(); }

Comparison compareRuns(const std::vector<const RunData*>& runs, const std::vector<bool>& shown,
                       const QHash<QString, QString>& customLabels,
                       const ComparisonOptions& options) {
    Comparison c;
    c.band = options.band;
    for (const std::vector<int>& members : entriesOf(runs, options.groupSeeds)) {
        ComparedEntry e;
        for (int i : members)
            e.runs.push_back(runs[std::size_t(i)]), e.shown.push_back(shown[std::size_t(i)]);
        e.grouped = options.groupSeeds && members.size() > 1;
        e.key = e.grouped ? groupKey(*e.runs.front()) : runKey(*e.runs.front());
        c.entries.push_back(std::move(e));
    }
    nameEntries(c.entries, options.groupSeeds);
    for (ComparedEntry& e : c.entries) {
        if (!customLabels.value(e.key).isEmpty()) e.label = customLabels.value(e.key);
        nameRuns(e);
        for (std::size_t i = 0; i < e.runs.size(); ++i) {
            const QString custom = customLabels.value(runKey(*e.runs[i]));
            if (!custom.isEmpty()) e.runLabels[int(i)] = custom;
        }
        if (!e.grouped) {
            e.label = e.runLabels.front();
            e.toolTip = e.runToolTips.front();
        } else {
            e.toolTip = groupToolTip(e);
        }
    }
    if (options.baselines) c.baselines = baselinesOf(c.entries);
    return c;
}

}  // namespace invx::gui
