#pragma once
// Where the workbench tells the user something: an error as the core's sentence under a title
// saying what failed, or a passing note (files written). The window's sink shows errors in a
// dialog and notes in its status bar (message-box-sink.h); tests inject one that records them.
#include <QString>

namespace invx::gui {

class MessageSink {
  public:
    virtual ~MessageSink() = default;
    // `title` names what failed ("Export failed"); `sentence` says why, whole.
    virtual void showError(const QString& title, const QString& sentence) = 0;
    virtual void showNote(const QString& sentence) = 0;
};

}  // namespace invx::gui
