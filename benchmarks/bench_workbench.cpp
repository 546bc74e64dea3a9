// The workbench's responsiveness (timed; not a test): the largest gap of the GUI event loop while a
// demo-model search runs on the worker thread (goal: under 50 ms), and the redraw time of a plot
// holding 1,000,000 points per curve after a pan (goal: under 16 ms).
//   scripts/bench-workbench.sh [--seconds 30] [--points 1000000] [--curves 3] [--redraws 40]
#include <QApplication>
#include <QElapsedTimer>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "curve-plot.h"
#include "main-window.h"
#include "run-data.h"
#include "search-settings-form.h"
#include "search-worker.h"

using namespace invx::gui;

namespace {

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p * double(v.size())))];
}

// Largest gaps between ticks of a 5 ms timer while a search runs.
void eventLoopGap(double seconds) {
    QTemporaryDir dir;
    SearchWorker worker;
    MainWindow window(&worker, QStringLiteral(INVX_DEMO_MODEL_DIR));
    window.setExperimentFolder(dir.path());
    window.resize(1600, 1000);
    window.show();
    window.form()->applyPreset(QStringLiteral("demo"));
    window.form()->setOutputPath(dir.filePath(QStringLiteral("bench.h5")));
    QElapsedTimer loadClock;
    loadClock.start();
    std::vector<double> gaps;
    QElapsedTimer tick;
    QTimer timer;
    timer.setInterval(5);
    QObject::connect(&timer, &QTimer::timeout, [&] {
        gaps.push_back(double(tick.nsecsElapsed()) / 1e6);
        tick.restart();
    });
    if (!window.startSearch()) {
        std::fprintf(stderr, "bench_workbench: the search did not start: %s\n", qPrintable(window.lastError()));
        return;
    }
    tick.start();
    timer.start();
    // From the start: loading the model and calibrating happen on the worker too.
    while (double(loadClock.elapsed()) < seconds * 1000.0) QTest::qWait(50);
    timer.stop();
    const std::size_t steps = window.liveRun() ? window.liveRun()->stepCount() : 0;
    window.stopSearch();
    while (worker.running()) QTest::qWait(50);
    std::printf("event loop while searching (%.0f s, %zu steps, platform %s): largest gap %.1f ms, 99th percentile %.1f ms, "
                "median %.1f ms (timer interval 5 ms)\n",
                seconds, steps, qPrintable(QApplication::platformName()), percentile(gaps, 1.0), percentile(gaps, 0.99),
                percentile(gaps, 0.5));
}

// Redraws after pans of a plot with `curves` curves of `points` points each.
void redraw(std::size_t points, int curves, int redraws, bool smoothed) {
    CurvePlot plot;
    plot.resize(1200, 700);
    plot.show();
    std::vector<Curve> data;
    for (int c = 0; c < curves; ++c) {
        Curve curve{QStringLiteral("curve %1").arg(c), std::vector<double>(points), std::vector<double>(points), QColor(0, 114, 178)};
        std::uint64_t state = 88172645463325252ull + std::uint64_t(c);
        for (std::size_t i = 0; i < points; ++i) {
            state ^= state << 13, state ^= state >> 7, state ^= state << 17;  // xorshift noise
            curve.x[i] = double(i + 1);
            curve.y[i] = 1.0 / std::sqrt(double(i + 1)) + 1e-3 * double(state % 1000) + c;
        }
        data.push_back(std::move(curve));
    }
    QElapsedTimer clock;
    clock.start();
    plot.setCurves(data);
    if (smoothed) plot.setSmoothing(Smoothing::Ema, 0.99);
    plot.replot(QCustomPlot::rpImmediateRefresh);
    const double load = double(clock.nsecsElapsed()) / 1e6;
    std::vector<double> times;
    for (int r = 0; r < redraws; ++r) {
        const double shift = double(points) * 0.001 * double(r % 10);
        clock.restart();
        plot.xAxis->setRange(1 + shift, double(points) - double(points) * 0.01 + shift);  // a pan: new display data
        plot.replot(QCustomPlot::rpImmediateRefresh);
        times.push_back(double(clock.nsecsElapsed()) / 1e6);
    }
    std::printf("redraw after a pan, %d curves x %zu points%s: median %.1f ms, largest %.1f ms (%d redraws; "
                "%d points drawn); setting the data %.0f ms\n",
                curves, points, smoothed ? " (EMA smoothing, raw curve underneath)" : "", percentile(times, 0.5),
                percentile(times, 1.0), redraws, plot.displayedPointCount(), load);
}

}  // namespace

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    std::map<std::string, std::string> o{{"--seconds", "30"}, {"--points", "1000000"}, {"--curves", "3"}, {"--redraws", "40"}};
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!o.count(argv[i])) {
            std::fprintf(stderr, "bench_workbench: unknown option %s\n", argv[i]);
            return 2;
        }
        o[argv[i]] = argv[i + 1];
    }
    const std::size_t points = std::stoul(o["--points"]);
    redraw(points, std::stoi(o["--curves"]), std::stoi(o["--redraws"]), false);
    redraw(points, std::stoi(o["--curves"]), std::stoi(o["--redraws"]), true);
    eventLoopGap(std::stod(o["--seconds"]));
    return 0;
}
