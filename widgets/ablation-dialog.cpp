#include "ablation-dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include "invx/setting-table.h"

namespace invx::gui {

AblationDialog::AblationDialog(const QString& defaultFolder, QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("New Ablation"));
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(
        tr("Every combination of the values below runs once, with the other settings as in the "
           "search form. List values separated by commas."),
        this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    axes_ = new QTableWidget(0, 2, this);
    axes_->setHorizontalHeaderLabels({tr("Setting"), tr("Values")});
    axes_->horizontalHeader()->setStretchLastSection(true);
    axes_->verticalHeader()->hide();
    auto addAxis = [this](const QString& key, const QString& values) {
        const int row = axes_->rowCount();
        axes_->insertRow(row);
        auto* combo = new QComboBox(axes_);
        for (const SettingDeclaration& d : searchSettingDeclarations())
            combo->addItem(QString::fromStdString(d.key));
        combo->setCurrentText(key);
        axes_->setCellWidget(row, 0, combo);
        axes_->setItem(row, 1, new QTableWidgetItem(values));
    };
    addAxis(QStringLiteral("invariances"), QStringLiteral("P, S, R, PSR"));
    addAxis(QStringLiteral("seed"), QStringLiteral("0, 1, 2"));
    layout->addWidget(axes_);
    auto* add = new QPushButton(tr("Add Setting"), this);
    connect(add, &QPushButton::clicked, this,
            [addAxis] { addAxis(QStringLiteral("alpha"), QStringLiteral("0.1")); });
    layout->addWidget(add, 0, Qt::AlignLeft);
    auto* form = new QFormLayout;
    folder_ = new QLineEdit(defaultFolder, this);
    form->addRow(tr("Folder for the experiment files"), folder_);
    layout->addLayout(form);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Queue and Start"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(560, 320);
}

std::vector<AblationAxis> AblationDialog::axes() const {
    std::vector<AblationAxis> out;
    for (int row = 0; row < axes_->rowCount(); ++row) {
        const auto* combo = qobject_cast<QComboBox*>(axes_->cellWidget(row, 0));
        QStringList values;
        for (const QString& v : axes_->item(row, 1)
                                    ? axes_->item(row, 1)->text().split(QLatin1Char(','))
                                    : QStringList())
            if (!v.trimmed().isEmpty()) values << v.trimmed();
        if (combo && !values.isEmpty()) out.push_back({combo->currentText(), values});
    }
    return out;
}

QString AblationDialog::folder() const { return folder_->text().trimmed(); }

}  // namespace invx::gui
