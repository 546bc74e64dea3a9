#include "results-view.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>
#include <set>

#include "invx/reasoning-tasks.h"
#include "results-evaluator.h"
#include "text-file-writer.h"

namespace invx::gui {

ResultsView::ResultsView(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    auto* heading = new QLabel(tr("<b>Results</b> — the paper's table for the experiments in view: "
                                  "perplexity (lower is better) and "
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

    progress_ = new QLabel(this);
    progress_->setObjectName(QStringLiteral("resultsProgress"));
    progress_->setWordWrap(true);
    layout->addWidget(progress_);

    auto* buttons = new QHBoxLayout;
    scope_ = new QComboBox(this);
    scope_->setObjectName(QStringLiteral("measureScope"));
    scope_->addItem(tr("Perplexity (WikiText-2, C4)"), int(Scope::Perplexity));
    scope_->addItem(tr("Perplexity and the six tasks"), int(Scope::Everything));
    scope_->addItem(tr("Quick look (40 windows, 100 items a task)"), int(Scope::Quick));
    scope_->setToolTip(
        tr("What Measure Missing measures; values on part of the data are marked *"));
    measure_ = new QPushButton(tr("&Measure Missing"), this);
    measure_->setObjectName(QStringLiteral("measureMissing"));
    measure_->setToolTip(
        tr("Measure the values no file records yet and record them in the files, as invx table "
           "--evaluate"));
    connect(measure_, &QPushButton::clicked, this,
            [this] { measureMissing(Scope(scope_->currentData().toInt())); });
    stop_ = new QPushButton(tr("S&top"), this);
    stop_->setToolTip(
        tr("Stop after the current window or task; what was measured stays recorded"));
    connect(stop_, &QPushButton::clicked, this, &ResultsView::stopMeasuring);
    auto* reload = new QPushButton(tr("&Reload"), this);
    reload->setToolTip(tr("Read the results the files record again (after invx table --evaluate)"));
    connect(reload, &QPushButton::clicked, this, &ResultsView::reload);
    auto* copy = new QPushButton(tr("&Copy as Markdown"), this);
    connect(copy, &QPushButton::clicked, this,
            [this] { QApplication::clipboard()->setText(text(QStringLiteral("markdown"))); });
    auto* exportButton = new QPushButton(tr("E&xport Table…"), this);
    exportButton->setToolTip(
        tr("Markdown, LaTeX (booktabs) or CSV, as invx table --format writes them"));
    connect(exportButton, &QPushButton::clicked, this, &ResultsView::exportRequested);
    buttons->addWidget(scope_);
    buttons->addWidget(measure_);
    buttons->addWidget(stop_);
    buttons->addWidget(reload);
    buttons->addStretch(1);
    buttons->addWidget(copy);
    buttons->addWidget(exportButton);
    layout->addLayout(buttons);
    setExperiments({});
}

void ResultsView::setEvaluator(ResultsEvaluator* evaluator) {
    if (evaluator_) disconnect(evaluator_, nullptr, this, nullptr);
    evaluator_ = evaluator;
    if (evaluator) {
        connect(evaluator, &ResultsEvaluator::progress, progress_, &QLabel::setText);
        connect(evaluator, &ResultsEvaluator::recorded, this, &ResultsView::reload);
        connect(evaluator, &ResultsEvaluator::finished, this, [this](bool stopped) {
            progress_->setText(stopped ? tr("Stopped; what was measured is recorded.")
                                       : tr("Every missing value is measured."));
            reload();
        });
        connect(evaluator, &ResultsEvaluator::failed, this, [this](const QString& error) {
            progress_->setText(tr("Measuring failed: %1").arg(error));
            reload();
        });
    }
    updateMeasureButtons();
}

std::vector<ResultsMeasurement> ResultsView::missing(Scope scope, CommandSettings* settings) const {
    std::set<std::string> metrics = {"wikitext2", "c4"};
    if (scope != Scope::Perplexity)
        for (const std::string& task : reasoningTaskNames()) metrics.insert(task);
    CommandSettings s = defaultSettings(SettingCommand::Table);
    if (scope == Scope::Quick) s.search.evalWindows = 40, s.evaluation.limit = 100;
    if (settings) *settings = s;
    const bool whole = scope != Scope::Quick;
    return missingMeasurements(model_.table(), {"full-precision", "base", "searched"}, metrics,
                               whole);
}

bool ResultsView::measureMissing(Scope scope) {
    if (!evaluator_ || evaluator_->running()) return false;
    CommandSettings settings;
    const std::vector<ResultsMeasurement> needs = missing(scope, &settings);
    if (needs.empty()) {
        progress_->setText(tr("Nothing to measure: the table holds every value of this scope."));
        return false;
    }
    progress_->setText(tr("Measuring %n model(s)…", nullptr, int(needs.size())));
    evaluator_->start(needs, settings);
    updateMeasureButtons();
    return true;
}

void ResultsView::stopMeasuring() {
    if (evaluator_ && evaluator_->running()) {
        evaluator_->stop();
        progress_->setText(tr("Stopping after the current window or task…"));
    }
}

void ResultsView::updateMeasureButtons() {
    const bool available = evaluator_ != nullptr;
    const bool running = available && evaluator_->running();
    for (QWidget* w : std::initializer_list<QWidget*>{scope_, measure_, stop_})
        w->setVisible(available);
    measure_->setEnabled(available && !running && !model_.table().missing.empty());
    scope_->setEnabled(!running);
    stop_->setEnabled(running);
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
        note_->setText(
            tr("Open experiments to see their results. invx eval --experiment FILE --record and "
               "invx table FILE... --evaluate measure what the table shows."));
    } else {
        try {
            model_.setTable(buildResultsTable(readResultsSources(files)));
            note_->setText(note());
        } catch (const std::exception& e) {
            model_.setTable({});
            note_->setText(tr("No table: %1").arg(QString::fromStdString(e.what())));
        }
    }
    updateMeasureButtons();
}

QString ResultsView::note() const {
    const ResultsTable& t = model_.table();
    QStringList lines;
    bool partial = false;
    for (const ResultsRow& r : t.rows)
        for (const ResultsCell& c : r.cells) partial = partial || (c.value && c.partial);
    if (partial) lines << tr("* measured on part of the data (the first windows or items only).");
    if (!t.missing.empty()) {
        QStringList names;
        for (const QString& p : paths_)
            if (QFileInfo::exists(p)) names << QFileInfo(p).fileName();
        lines << (evaluator_ ? tr("%n value(s) not recorded yet (–): Measure Missing measures "
                                  "them, as invx table %1 --evaluate "
                                  "does",
                                  nullptr, int(t.missing.size()))
                             : tr("%n value(s) not recorded yet (–). To measure them: invx table "
                                  "%1 --evaluate",
                                  nullptr, int(t.missing.size())))
                     .arg(names.join(QLatin1Char(' ')));
    }
    return lines.join(QLatin1Char('\n'));
}

QString ResultsView::text(const QString& format) const {
    if (model_.table().rows.empty()) return {};
    return QString::fromStdString(
        formatResultsTable(model_.table(), parseResultsFormat(format.toStdString())));
}

QString ResultsView::exportTo(const QString& path) const {
    const QString suffix = QFileInfo(path).suffix().toLower();
    const QString format = suffix == QLatin1String("tex")   ? QStringLiteral("latex")
                           : suffix == QLatin1String("csv") ? QStringLiteral("csv")
                                                            : QStringLiteral("markdown");
    if (model_.table().rows.empty())
        return tr("there is no results table to export: open experiments first");
    return writeTextFile(path, text(format));
}

}  // namespace invx::gui
