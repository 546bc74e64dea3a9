#pragma once
// Names for runs that say what differs between them ("P only" against "P+S+R", "seed 1"), for
// legends and tables, instead of file names.
#include <QString>
#include <QStringList>
#include <vector>

#include "invx/search-settings.h"

namespace invx::gui {

// The setting keys (experiment-file keys, in declaration order) whose values differ between runs.
QStringList differingSettingKeys(const std::vector<SearchSettings>& runs);

// One setting's value as a reader wants to see it: invariances "P" -> "P only", "PSR" -> "P+S+R";
// seed 1 -> "seed 1"; bits 3 -> "3-bit"; others "key value".
QString settingValueLabel(const QString& key, const QString& value);

// A label per run naming its values of the differing settings, joined by ", ". Runs that differ
// in nothing get `fallback[i]` (a file name), or "run i+1" when no fallback is given.
QStringList differenceLabels(const std::vector<SearchSettings>& runs,
                             const QStringList& fallback = {});

}  // namespace invx::gui
