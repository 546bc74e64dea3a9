#include "message-box-sink.h"

#include <QMainWindow>
#include <QMessageBox>
#include <QStatusBar>

namespace invx::gui {

void MessageBoxSink::showError(const QString& title, const QString& sentence) {
    window_->statusBar()->showMessage(sentence, 10000);
    QMessageBox box(QMessageBox::Warning, title, sentence.section(QStringLiteral("; "), 0, 0),
                    QMessageBox::Ok, window_);
    box.setDetailedText(sentence);
    box.exec();
}

void MessageBoxSink::showNote(const QString& sentence) {
    window_->statusBar()->showMessage(sentence, 10000);
}

}  // namespace invx::gui
