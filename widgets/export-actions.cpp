#include "export-actions.h"

#include <QDir>
#include <QFileDialog>
#include <QSettings>
#include <utility>

#include "ablation-plan.h"
#include "ablation-view.h"
#include "experiment-export.h"
#include "experiment-list-model.h"
#include "figure-export-dialog.h"
#include "figure-style.h"
#include "inspector-view.h"
#include "message-sink.h"
#include "results-view.h"
#include "run-view.h"
#include "runs-table-model.h"
#include "study-table-view.h"
#include "table-export.h"
#include "text-file-writer.h"

namespace invx::gui {

ExportActions::ExportActions(const Sources& sources, MessageSink* messages, QWidget* dialogParent)
    : QObject(dialogParent), sources_(sources), messages_(messages), dialogParent_(dialogParent) {}

QString ExportActions::defaultPath(const QString& name) const {
    return QDir(sources_.experiments->folder()).filePath(name);
}

QStringList ExportActions::exportFigures(const QString& directory, const QStringList& formats,
                                         const QString& preset) const {
    const RunsTableModel& runs = *sources_.runs;
    return exportFiguresAndTables(runs.comparison(), runs, sources_.curves->options(), directory,
                                  formats, FigureStyle::preset(preset));
}

void ExportActions::exportFiguresInteractively(bool inspectorShown) {
    const bool inspector = inspectorShown && sources_.inspector;
    QSettings settings;
    FigureExportDialog dialog(
        inspector ? tr("Export the Inspector's Figures") : tr("Export Figures and the Runs Table"),
        settings.value(QStringLiteral("export/folder"), defaultPath(QStringLiteral("figures")))
            .toString(),
        settings.value(QStringLiteral("export/preset"), QStringLiteral("icml-column")).toString(),
        dialogParent_);
    if (dialog.exec() != QDialog::Accepted) return;
    settings.setValue(QStringLiteral("export/folder"), dialog.folder());
    settings.setValue(QStringLiteral("export/preset"), dialog.preset());
    try {
        const QStringList written =
            inspector ? sources_.inspector->exportFigures(dialog.folder(), dialog.formats(),
                                                          dialog.preset())
                      : exportFigures(dialog.folder(), dialog.formats(), dialog.preset());
        messages_->showNote(tr("Wrote %1 files to %2").arg(written.size()).arg(dialog.folder()));
    } catch (const std::exception& e) {
        messages_->showError(tr("Export failed"), QString::fromStdString(e.what()));
    }
}

void ExportActions::exportRunsTableInteractively() {
    const QString path = QFileDialog::getSaveFileName(dialogParent_, tr("Export runs table"),
                                                      defaultPath(QStringLiteral("runs.md")),
                                                      tr("Markdown (*.md);;LaTeX (*.tex)"));
    if (path.isEmpty()) return;
    const RunsTableModel& runs = *sources_.runs;
    const QString error = writeTextFile(
        path, path.endsWith(QLatin1String(".tex")) ? runs.toLatex() : runs.toMarkdown());
    if (!error.isEmpty()) messages_->showError(tr("Export failed"), error);
}

void ExportActions::exportResultsTableInteractively() {
    const QString path = QFileDialog::getSaveFileName(
        dialogParent_, tr("Export results table"), defaultPath(QStringLiteral("results.md")),
        tr("Markdown (*.md);;LaTeX (*.tex);;CSV (*.csv)"));
    if (path.isEmpty()) return;
    const QString error = sources_.results->exportTo(path);
    if (!error.isEmpty()) messages_->showError(tr("Export failed"), error);
}

void ExportActions::exportAblationTable(const AblationPlan* plan) {
    if (!plan) return;
    AblationView& view = *sources_.ablation;
    const int numbers = view.firstSummaryNumberColumn();
    std::vector<std::pair<QString, QString>> files{
        {QStringLiteral("ablation.md"), tableToMarkdown(*view.summaryModel(), numbers)},
        {QStringLiteral("ablation.tex"), tableToLatex(*view.summaryModel(), numbers)}};
    // The study's table in the paper's layout, as formatStudyTable writes it, once a variant has
    // finished.
    const StudyTableView& study = *view.studyTable();
    if (study.table())
        files.insert(files.end(),
                     {{QStringLiteral("study.md"), study.text(ResultsFormat::Markdown)},
                      {QStringLiteral("study.tex"), study.text(ResultsFormat::Latex)},
                      {QStringLiteral("study.csv"), study.text(ResultsFormat::Csv)}});
    QStringList written;
    for (const auto& [name, text] : files) {
        const QString error = writeTextFile(QDir(plan->folder()).filePath(name), text);
        if (!error.isEmpty()) {
            messages_->showError(tr("Export failed"), error);
            return;
        }
        written << name;
    }
    messages_->showNote(
        tr("Wrote %1 to %2").arg(written.join(QStringLiteral(", ")), plan->folder()));
}

}  // namespace invx::gui
