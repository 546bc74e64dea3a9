#pragma once
// Every text file the workbench writes (CSV, Markdown, LaTeX, the ablation queue) goes through one
// atomic write: a QSaveFile that replaces the file only when everything was written.
#include <QString>
#include <functional>

class QTextStream;

namespace invx::gui {

// Returns "" or the sentence "could not write '<path>': <reason>".
QString writeTextFile(const QString& path, const std::function<void(QTextStream&)>& write);
QString writeTextFile(const QString& path, const QString& text);

}  // namespace invx::gui
