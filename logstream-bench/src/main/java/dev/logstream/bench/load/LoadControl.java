package dev.logstream.bench.load;

/** The phase of a run, shared by its connections: sending or stopping, measuring or not. */
final class LoadControl {
  private volatile boolean running = true;
  private volatile boolean measuring;

  boolean running() {
    return running;
  }

  boolean measuring() {
    return measuring;
  }

  void startMeasuring() {
    measuring = true;
  }

  void stop() {
    measuring = false;
    running = false;
  }
}
