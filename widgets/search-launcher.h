#pragma once
// What the window needs from whoever runs searches: start, pause, resume and stop one search at a
// time, and hear about it through queued signals carrying plain records. The workbench's worker
// (app/workbench) implements it over the core on a background thread; the widgets never see
// libtorch. Steps arrive in batches: stepsReady() says there are new ones, takeSteps() hands them
// over (PlotJuggler's pattern: the producer appends under a short lock, the view takes them when it
// redraws).
#include <QObject>
#include <QString>
#include <QStringList>
#include <vector>

#include "invx/search-records.h"
#include "invx/search-run.h"

namespace invx::gui {

class SearchLauncher : public QObject {
    Q_OBJECT
  public:
    using QObject::QObject;
    ~SearchLauncher() override = default;

    virtual QStringList devices() const = 0;  // "cpu", and "cuda" when present
    virtual bool running() const = 0;
    virtual bool paused() const = 0;
    // Starts a search (new or resumed); errors arrive through failed().
    virtual void start(const SearchRunRequest& request) = 0;
    virtual void pause() = 0;
    virtual void resume() = 0;
    // Finishes the current step, writes a checkpoint and ends the run (finished() follows).
    virtual void stop() = 0;
    virtual std::vector<StepRecord> takeSteps() = 0;
    // Blocks until the run has ended (true) or `milliseconds` passed (false).
    virtual bool waitForFinished(int milliseconds) = 0;

  Q_SIGNALS:
    void message(const QString& text);
    void baseReady(const invx::BaseResult& base);
    void stepsReady();
    // The search measures perplexity after `step`; evaluationReady() says it is done.
    void evaluationStarted(qint64 step);
    void evaluationReady(const invx::EvaluationRecord& record);
    void checkpointReady(qint64 step);
    void finished(const invx::SearchSummary& summary);
    void failed(const QString& error);
};

}  // namespace invx::gui

Q_DECLARE_METATYPE(invx::BaseResult)
Q_DECLARE_METATYPE(invx::EvaluationRecord)
Q_DECLARE_METATYPE(invx::SearchSummary)
