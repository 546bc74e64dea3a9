#include "runs-table-view.h"

#include <QAction>
#include <QContextMenuEvent>
#include <QHeaderView>
#include <QMenu>
#include <QSettings>
#include <QSortFilterProxyModel>

#include "runs-table-model.h"

namespace invx::gui {
namespace {

const QString kLabelsKey = QStringLiteral("runs/labels");

QHash<QString, QString> savedLabels() {
    QHash<QString, QString> out;
    const QVariantMap map = QSettings().value(kLabelsKey).toMap();
    for (auto it = map.begin(); it != map.end(); ++it) out.insert(it.key(), it.value().toString());
    return out;
}

}  // namespace

RunsTableView::RunsTableView(RunsTableModel* model, QWidget* parent)
    : QTreeView(parent), model_(model) {
    proxy_ = new QSortFilterProxyModel(this);
    proxy_->setSourceModel(model);
    proxy_->setSortRole(RunsTableModel::SortRole);
    setObjectName(QStringLiteral("runsTable"));
    setModel(proxy_);
    setSortingEnabled(true);
    sortByColumn(-1, Qt::AscendingOrder);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setEditTriggers(QAbstractItemView::EditKeyPressed);
    setAlternatingRowColors(true);
    setUniformRowHeights(true);
    setWordWrap(false);
    setExpandsOnDoubleClick(false);
    header()->setStretchLastSection(false);
    setToolTip(
        tr("Double-click a run to inspect its layers; right-click to rename, hide, move or "
           "close it"));
    buildActions();
    // The user's names live with the view, not in the experiment files.
    model_->setCustomLabels(savedLabels());
    connect(model_, &RunsTableModel::customLabelsChanged, this, [this] {
        QVariantMap map;
        for (auto it = model_->customLabels().begin(); it != model_->customLabels().end(); ++it)
            map.insert(it.key(), it.value());
        QSettings().setValue(kLabelsKey, map);
        fitColumns();  // a longer name shows whole
    });
    connect(model_, &QAbstractItemModel::modelAboutToBeReset, this,
            &RunsTableView::rememberExpanded);
    connect(model_, &QAbstractItemModel::modelReset, this, &RunsTableView::restoreExpanded);
    connect(this, &QTreeView::doubleClicked, this, [this](const QModelIndex& index) {
        const QModelIndex source = proxy_->mapToSource(index);
        const std::vector<const RunData*> runs = model_->runsAt(source);
        if (runs.size() == 1)
            Q_EMIT inspectRequested(runs.front());
        else if (!runs.empty())
            setExpanded(index.siblingAtColumn(0), !isExpanded(index.siblingAtColumn(0)));
    });
}

void RunsTableView::buildActions() {
    auto action = [this](const QString& text, const QKeySequence& keys, auto slot) {
        auto* a = new QAction(text, this);
        a->setShortcut(keys);
        a->setShortcutContext(Qt::WidgetShortcut);
        addAction(a);
        connect(a, &QAction::triggered, this, slot);
        return a;
    };
    rename_ = action(tr("Rename"), QKeySequence(Qt::Key_F2), [this] {
        if (currentIndex().isValid()) edit(currentIndex().siblingAtColumn(0));
    });
    hide_ = action(tr("Hide"), QKeySequence(Qt::Key_Space), [this] {
        const QModelIndex source = currentSourceIndex();
        const QVariant state = model_->data(source.siblingAtColumn(0), Qt::CheckStateRole);
        model_->setShown(source, state.value<Qt::CheckState>() == Qt::Unchecked);
    });
    only_ = action(tr("Show Only This"), {}, [this] { showOnly(currentSourceIndex()); });
    up_ = action(tr("Move Up"), QKeySequence(Qt::CTRL | Qt::Key_Up), [this] { moveCurrent(-1); });
    down_ =
        action(tr("Move Down"), QKeySequence(Qt::CTRL | Qt::Key_Down), [this] { moveCurrent(1); });
    close_ = action(tr("Close"), QKeySequence(QKeySequence::Delete), [this] {
        const std::vector<const RunData*> runs = model_->runsAt(currentSourceIndex());
        if (!runs.empty()) Q_EMIT closeRequested(runs);
    });
    inspect_ = action(tr("Inspect Layers"), {}, [this] {
        const std::vector<const RunData*> runs = model_->runsAt(currentSourceIndex());
        if (!runs.empty()) Q_EMIT inspectRequested(runs.front());
    });
}

void RunsTableView::contextMenuEvent(QContextMenuEvent* event) {
    const QModelIndex at = indexAt(viewport()->mapFrom(this, event->pos()));
    if (at.isValid()) setCurrentIndex(at);
    const QModelIndex source = currentSourceIndex();
    const auto kind = model_->rowKind(source);
    if (kind == RunsTableModel::RowKind::None || kind == RunsTableModel::RowKind::Baseline) return;
    const bool shown =
        model_->data(source.siblingAtColumn(0), Qt::CheckStateRole).value<Qt::CheckState>() !=
        Qt::Unchecked;
    hide_->setText(shown ? tr("Hide") : tr("Show"));
    const bool entry = kind == RunsTableModel::RowKind::Entry;
    up_->setEnabled(entry && model_->entryAt(source) > 0);
    down_->setEnabled(entry &&
                      model_->entryAt(source) + 1 < int(model_->comparison().entries.size()));
    close_->setText(model_->runsAt(source).size() > 1 ? tr("Close Group") : tr("Close"));
    QMenu menu(this);
    menu.addActions({rename_, hide_, only_});
    menu.addSeparator();
    menu.addActions({up_, down_});
    menu.addSeparator();
    menu.addActions({inspect_, close_});
    menu.exec(event->globalPos());
}

QModelIndex RunsTableView::currentSourceIndex() const {
    return proxy_->mapToSource(currentIndex());
}

// Entries move in the model's order, which the legend follows: the table drops a column sort.
void RunsTableView::moveCurrent(int delta) {
    const QModelIndex source = currentSourceIndex();
    if (model_->rowKind(source) != RunsTableModel::RowKind::Entry) return;
    const int entry = model_->entryAt(source);
    sortByColumn(-1, Qt::AscendingOrder);
    model_->moveEntry(entry, delta);
    const int row = int(model_->comparison().baselines.size()) + entry + delta;
    setCurrentIndex(proxy_->mapFromSource(model_->index(row, 0)));
}

void RunsTableView::showOnly(const QModelIndex& source) {
    const std::vector<const RunData*> keep = model_->runsAt(source);
    if (keep.empty()) return;
    for (const RunData* r : model_->runs())
        model_->setShown(r, std::find(keep.begin(), keep.end(), r) != keep.end());
}

void RunsTableView::rememberExpanded() {
    expanded_.clear();
    for (int row = 0; row < proxy_->rowCount(); ++row) {
        const QModelIndex index = proxy_->index(row, 0);
        const int entry = model_->entryAt(proxy_->mapToSource(index));
        if (entry >= 0 && isExpanded(index))
            expanded_.insert(model_->comparison().entries[std::size_t(entry)].key);
    }
}

void RunsTableView::restoreExpanded() {
    for (int row = 0; row < proxy_->rowCount(); ++row) {
        const QModelIndex index = proxy_->index(row, 0);
        const int entry = model_->entryAt(proxy_->mapToSource(index));
        if (entry >= 0 && expanded_.contains(model_->comparison().entries[std::size_t(entry)].key))
            setExpanded(index, true);
    }
    fitColumns();
}

// Names and numbers at their width: the metrics stay on screen beside names of ~30 characters.
void RunsTableView::fitColumns() {
    for (int c = 0; c < proxy_->columnCount(); ++c) resizeColumnToContents(c);
    setColumnWidth(0, std::min(columnWidth(0) + 24, fontMetrics().averageCharWidth() * 34 + 60));
}

}  // namespace invx::gui
