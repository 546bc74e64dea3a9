#pragma once
// The runs in view as a paper compares them: entries in the user's order, each a single run or a
// seed group (runs alike in everything that matters but the seed, drawn as a mean with a band),
// named by what distinguishes it among the entries shown (run-labels.h) unless the user named it,
// and the base methods before the search (step 0) as baselines. The runs table and the figures
// both read it.
#include <QHash>
#include <QString>
#include <QStringList>
#include <vector>

#include "run-data.h"
#include "run-groups.h"

namespace invx::gui {

struct ComparisonOptions {
    bool groupSeeds = true;            // runs that differ only by seed are one entry
    BandKind band = BandKind::MinMax;  // a group's band
    bool baselines = false;            // the base methods' step 0 as rows and reference lines
};

struct ComparedEntry {
    QString key;    // what a custom label is stored under: the run's file, or the group's settings
    QString label;  // the user's name for it, else what distinguishes it
    QString toolTip;                   // every setting (rich text)
    std::vector<const RunData*> runs;  // by seed
    std::vector<bool> shown;           // per run
    QStringList runLabels;             // per run: its name within the group ("seed 1")
    QStringList runToolTips;
    bool grouped = false;  // a seed group: drawn as a mean and a band while two runs are shown

    std::vector<const RunData*> shownRuns() const;
    // The legend's name: the label, with n for a group of several shown runs ("P+S+R (n = 3)").
    QString legendName() const;
};

struct ComparedBaseline {
    QString label, toolTip;
    const RunData* run = nullptr;  // a run over the base method: its step 0 is the baseline
};

struct Comparison {
    std::vector<ComparedEntry> entries;       // in the user's order
    std::vector<ComparedBaseline> baselines;  // of the shown entries, when asked for
    BandKind band = BandKind::MinMax;

    // Entries with a run shown, as the figures draw them.
    std::vector<const ComparedEntry*> shownEntries() const;
    std::vector<const RunData*> shownRuns() const;
    // One entry per run, named `labels` (file names where none): a live run, the tests.
    static Comparison ofRuns(const std::vector<const RunData*>& runs,
                             const QStringList& labels = {});
};

// The key a run's custom label is stored under (its absolute path).
QString runKey(const RunData& run);

// `runs` in the user's order, `shown[i]` whether run i is shown, `customLabels` the user's names by
// key (ComparedEntry::key or runKey).
Comparison compareRuns(const std::vector<const RunData*>& runs, const std::vector<bool>& shown,
                       const QHash<QString, QString>& customLabels,
                       const ComparisonOptions& options);

}  // namespace invx::gui
