#pragma once
// `invx-workbench --export`: the figures, their data and the runs table of experiment files,
// without a window.
#include <QString>
#include <QStringList>

namespace invx::gui {

struct ExportRequest {
    QStringList experiments;  // one file: its figures; several: overlaid, labelled by what differs
    QString directory;
    QStringList formats = {QStringLiteral("pdf"), QStringLiteral("svg"), QStringLiteral("png"), QStringLiteral("csv")};
    QString preset = QStringLiteral("icml-column");
    bool timeAxis = false;
};

// Writes <figure>.<format> for every figure and format, runs.md and runs.tex. Returns the files
// written. Throws std::runtime_error (invx::Error for unreadable experiments) with the sentence.
QStringList exportExperiments(const ExportRequest& request);

}  // namespace invx::gui
