#pragma once
// The window's messages: an error in a warning dialog (its first clause, the whole sentence behind
// "Show Details") and in the status bar; a note in the status bar for ten seconds.
#include "message-sink.h"

class QMainWindow;

namespace invx::gui {

class MessageBoxSink : public MessageSink {
  public:
    explicit MessageBoxSink(QMainWindow* window) : window_(window) {}
    void showError(const QString& title, const QString& sentence) override;
    void showNote(const QString& sentence) override;

  private:
    QMainWindow* window_;
};

}  // namespace invx::gui
