#include "figure-export-dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>

#include "figure-style.h"

namespace invx::gui {

FigureExportDialog::FigureExportDialog(const QString& title, const QString& folder,
                                       const QString& preset, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(title);
    setMinimumWidth(560);
    auto* form = new QFormLayout(this);
    // Made in the order the Tab key visits them.
    folder_ = new QLineEdit(folder, this);
    preset_ = new QComboBox(this);
    preset_->addItems(FigureStyle::presetNames());
    preset_->setCurrentText(preset);
    auto* formatsRow = new QHBoxLayout;
    for (const char* f : {"pdf", "svg", "png", "csv"}) {
        auto* check = new QCheckBox(QString::fromLatin1(f).toUpper(), this);
        check->setChecked(true);
        check->setObjectName(QString::fromLatin1(f));
        formats_ << check;
        formatsRow->addWidget(check);
    }
    auto* browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir =
            QFileDialog::getExistingDirectory(this, tr("Folder for the figures"), folder_->text());
        if (!dir.isEmpty()) folder_->setText(dir);
    });
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(folder_, 1);
    folderRow->addWidget(browse);
    form->addRow(tr("Folder"), folderRow);
    form->addRow(tr("Size and style"), preset_);
    form->addRow(tr("Formats"), formatsRow);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Export"));
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

QString FigureExportDialog::folder() const { return folder_->text(); }
QString FigureExportDialog::preset() const { return preset_->currentText(); }

QStringList FigureExportDialog::formats() const {
    QStringList out;
    for (const QCheckBox* c : formats_)
        if (c->isChecked()) out << c->objectName();
    return out;
}

}  // namespace invx::gui
