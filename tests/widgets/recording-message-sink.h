#pragma once
// A message sink for tests: it keeps every error and note the workbench sends, in order, so that a
// test reads them instead of a dialog waiting for a click.
#include <QString>
#include <QStringList>
#include <vector>

#include "message-sink.h"

namespace invx::test {

class RecordingMessageSink : public gui::MessageSink {
  public:
    struct Error {
        QString title, sentence;
    };
    void showError(const QString& title, const QString& sentence) override {
        errors.push_back({title, sentence});
    }
    void showNote(const QString& sentence) override { notes << sentence; }

    std::vector<Error> errors;
    QStringList notes;
};

}  // namespace invx::test
