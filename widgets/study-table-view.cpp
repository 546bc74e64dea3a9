#include "study-table-view.h"

#include <QColor>
#include <QCoreApplication>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace invx::gui {
namespace {

bool lowerIsBetter(const std::string& column) { return column == "wikitext2" || column == "c4"; }

// "12.34", "12.34 ± 0.05", "–"; * for a value measured on part of the data.
QString cellText(const StudyCell& c) {
    if (!c.mean) return QStringLiteral("–");
    QString v = QString::number(*c.mean, 'f', 2);
    if (c.n > 1) v += QStringLiteral(" ± ") + QString::number(c.sd, 'f', 2);
    return c.partial ? v + QLatin1Char('*') : v;
}

QStandardItem* numberItem(const StudyCell& c) {
    auto* item = new QStandardItem(cellText(c));
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    if (c.best) {
        QFont bold;
        bold.setBold(true);
        item->setFont(bold);
    }
    if (c.n > 0)
        item->setToolTip(
            QCoreApplication::translate("invx::gui::StudyTableView", "%n run(s)", nullptr, c.n));
    return item;
}

bool anyPartial(const StudyTable& t) {
    for (const StudyRow& r : t.rows)
        for (const StudyCell& c : r.cells)
            if (c.mean && c.partial) return true;
    return false;
}

}  // namespace

StudyTableView::StudyTableView(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    view_ = new QTableView(this);
    view_->setObjectName(QStringLiteral("studyTable"));
    view_->setModel(&model_);
    view_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view_->setSelectionBehavior(QAbstractItemView::SelectRows);
    view_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    view_->verticalHeader()->hide();
    note_ = new QLabel(this);
    note_->setWordWrap(true);
    note_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(view_, 1);
    layout->addWidget(note_);
    clear(tr("The study's table appears here once a variant has finished."));
}

void StudyTableView::clear(const QString& text) {
    table_.reset();
    model_.clear();
    note_->setText(text);
}

void StudyTableView::setTable(const StudyTable& table) {
    table_ = table;
    model_.clear();
    QStringList header{tr("Bits"), tr("Method"), tr("Runs")};
    for (const std::string& c : table.columns)
        header << QString::fromStdString(resultsHeading(c)) +
                      (lowerIsBetter(c) ? QStringLiteral(" ↓") : QStringLiteral(" ↑"));
    model_.setHorizontalHeaderLabels(header);
    for (const StudyRow& r : table.rows) {
        QList<QStandardItem*> row{new QStandardItem(QString::fromStdString(r.bits)),
                                  new QStandardItem(QString::fromStdString(r.label)),
                                  new QStandardItem(QString::number(r.runs))};
        row[0]->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        row[2]->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        for (const StudyCell& c : r.cells) row << numberItem(c);
        if (r.baseline)
            for (QStandardItem* item : row) item->setForeground(QColor(0x55, 0x55, 0x55));
        model_.appendRow(row);
    }
    QString text = tr("%1: mean ± sample standard deviation over the seeds; a value without ± "
                      "is of one run. Bold: the best of a column among the rows of one bit "
                      "width.")
                       .arg(QString::fromStdString(table.model));
    if (anyPartial(table))
        text += QLatin1Char(' ') +
                tr("* measured on part of the data (the first windows or items only).");
    if (!table.missing.empty())
        text += QLatin1Char(' ') + tr("%n value(s) not recorded yet (–): Results > Measure "
                                      "Missing, or a study that evaluates at its end, measures "
                                      "them.",
                                      nullptr, int(table.missing.size()));
    note_->setText(text);
}

QString StudyTableView::note() const { return note_->text(); }

QString StudyTableView::text(ResultsFormat format) const {
    return table_ ? QString::fromStdString(formatStudyTable(*table_, format)) : QString();
}

}  // namespace invx::gui
