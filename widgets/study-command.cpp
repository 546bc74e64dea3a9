#include "study-command.h"

#include <QCoreApplication>
#include <QDir>
#include <QStandardPaths>

namespace invx::gui {

StudyCommand::StudyCommand(QObject* parent) : QObject(parent) {
    process_.setProcessChannelMode(QProcess::MergedChannels);
    connect(&process_, &QProcess::readyRead, this,
            [this] { output_ += QString::fromUtf8(process_.readAll()); });
    connect(&process_, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        output_ += QString::fromUtf8(process_.readAll());
        Q_EMIT finished(status == QProcess::NormalExit && code == 0, output_.trimmed());
    });
    connect(&process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart)
            Q_EMIT finished(false, tr("invx could not be started: %1").arg(process_.errorString()));
    });
}

StudyCommand::~StudyCommand() {
    // A submission or cancellation is quick; a local run goes on without the window only if asked.
    if (process_.state() != QProcess::NotRunning) {
        process_.terminate();
        process_.waitForFinished(10000);
    }
}

QString StudyCommand::invxProgram() {
    const QString given = qEnvironmentVariable("INVX_PROGRAM");
    if (!given.isEmpty()) return given;
    const QDir here(QCoreApplication::applicationDirPath());
    for (const QString& candidate :
         {here.filePath(QStringLiteral("invx")), here.filePath(QStringLiteral("../invx"))})
        if (QFileInfo(candidate).isExecutable() && QFileInfo(candidate).isFile())
            return QFileInfo(candidate).canonicalFilePath();
    return QStandardPaths::findExecutable(QStringLiteral("invx"));
}

bool StudyCommand::running() const { return process_.state() != QProcess::NotRunning; }

bool StudyCommand::start(const QStringList& arguments, QString* error) {
    if (running()) {
        if (error) *error = tr("an invx study command is still running; wait for it");
        return false;
    }
    const QString program = invxProgram();
    if (program.isEmpty()) {
        if (error)
            *error =
                tr("the invx program was not found beside the workbench or on PATH; install "
                   "it or set INVX_PROGRAM");
        return false;
    }
    output_.clear();
    process_.start(program, QStringList{QStringLiteral("study")} + arguments);
    return true;
}

void StudyCommand::stop() {
    if (running()) process_.terminate();
}

}  // namespace invx::gui
