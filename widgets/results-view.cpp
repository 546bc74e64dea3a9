#include "results-view.h"

#include <QApplication>
#include <QClipboard>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include "text-file-writer.h"

namespace invx::gui {

ResultsView::ResultsView(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    auto* heading = new QLabel(
        tr("<b>Results</b> — the paper's table for the experiments in view: perplexity (lower is better) and "
           "5-shot accuracy in % (higher is better)."),
        this);
    heading->setWordWrap(true);
    layout->addWidget(heading);

    auto* sorted = new QSortFilterProxyModel(this);
    sorted->setSourceModel(&model_);
    sorted->setSortRole(ResultsTableModel::SortRole);
    view_ = new QTableView(this);
    view_->setObjectName(QStringLiteral("resultsTable"));
    view_->setModel(sorted);
    view_->setSelectionBehavior(QAbstractItemView::SelectRows);
    view_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view_->setAlternatingRowColors(true);
    view_->verticalHeader()->hide();
    view_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    view_->horizontalHeader()->setStretchLastSection(false);
    layout->addWidget(view_, 1);

    note_ = new QLabel(this);
    note_->setObjectName(QStringLiteral("resultsNote"));
    note_->setWordWrap(true);
    note_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(note_);

    auto* buttons = new QHBoxLayout;
    auto* reload = new QPushButton(tr("&Reload"), this);
    reload->setToolTip(tr("Read the results the files record again (after invx table --evaluate)"));
    connect(reload, &QPushButton::clicked, this, &ResultsView::reload);
    auto* copy = new QPushButton(tr("&Copy as Markdown"), this);
    connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(text(QStringLiteral("markdown"))); });
    auto* exportButton = new QPushButton(tr("E&xport Table…"), this);
    exportButton->setToolTip(tr("Markdown, LaTeX (booktabs) or CSV, as invx table --format writes them"));
    connect(exportButton, &QPushButton::clicked, this, &ResultsView::exportRequested);
    buttons->addWidget(reload);
    buttons->addStretch(1);
    buttons->addWidget(copy);
    buttons->addWidget(exportButton);
    layout->addLayout(buttons);
    setExperiments({});
}

void ResultsView::setExperiments(const QStringList& paths) {
    paths_ = paths;
    reload();
}

void ResultsView::reload() {
    std::vector<std::string> files;
    for (const QString& p : paths_)
        if (QFileInfo::exists(p)) files.push_back(p.toStdString());
    if (files.empty()) {
        model_.setTable({});
        note_->setText(tr("Open experiments to see their results. invx eval --experiment FILE --record and "
                          "invx table FILE... --evaluate measure what the table shows."));
        return;
    }
    try {
        model_.setTable(buildResultsTable(readResultsSources(files)));
    } catch (const std::exception& e) {
        model_.setTable({});
        note_->setText(tr("No table: %1").arg(QString::fromStdString(e.what())));
        return;
    }
    note_->setText(note());
}

QString ResultsView::note() const {
    const ResultsTable& t = model_.table();
    QStringList lines;
    bool partial = false;
    for (const ResultsRow& r : t.rows)
        for (const ResultsCell& c : r.cells) partial = partial || (c.value && c.partial);
    if (partial) lines << tr("* measured on part of the data (--limit or --max-windows).");
    if (!t.missing.empty()) {
        QStringList names;
        for (const QString& p : paths_)
            if (QFileInfo::exists(p)) names << QFileInfo(p).fileName();
        lines << tr("%n value(s) not recorded yet (–). To measure them: invx table %1 --evaluate", nullptr, int(t.missing.size()))
                     .arg(names.join(QLatin1Char(' ')));
    }
    return lines.join(QLatin1Char('\n'));
}

QString ResultsView::text(const QString& format) const {
    if (model_.table().rows.empty()) return {};
    return QString::fromStdString(formatResultsTable(model_.table(), parseResultsFormat(format.toStdString())));
}

QString ResultsView::exportTo(const QString& path) const {
    const QString suffix = QFileInfo(path).suffix().toLower();
    const QString format = suffix == QLatin1String("tex") ? QStringLiteral("latex")
                           : suffix == QLatin1String("csv") ? QStringLiteral("csv")
                                                            : QStringLiteral("markdown");
    if (model_.table().rows.empty()) return tr("there is no results table to export: open experiments first");
    return writeTextFile(path, text(format));
}

}  // namespace invx::gui
