package dev.logstream.kinesis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link LingerCombiner.Scheduler} on a fake clock: tasks run on the test's thread when {@link
 * #advance(Duration)} passes their due time, so linger is tested without sleeping.
 */
final class FakeLingerScheduler implements LingerCombiner.Scheduler {
  private final List<Task> tasks = new ArrayList<>();
  private long nowNanos;
  volatile boolean shutdown;
  int scheduled;

  private static final class Task {
    final long due;
    final Runnable run;
    boolean cancelled;

    Task(long due, Runnable run) {
      this.due = due;
      this.run = run;
    }
  }

  @Override
  public synchronized LingerCombiner.Timer schedule(Runnable task, Duration delay) {
    Task t = new Task(nowNanos + delay.toNanos(), task);
    tasks.add(t);
    scheduled++;
    return () -> {
      synchronized (FakeLingerScheduler.this) {
        t.cancelled = true;
      }
    };
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
    tasks.clear();
  }

  /** Moves the clock and runs the tasks now due, in due order. */
  void advance(Duration by) {
    long target;
    synchronized (this) {
      target = nowNanos + by.toNanos();
    }
    while (true) {
      Task next = null;
      synchronized (this) {
        for (Task t : tasks) {
          if (!t.cancelled && t.due <= target && (next == null || t.due < next.due)) {
            next = t;
          }
        }
        if (next == null) {
          nowNanos = target;
          tasks.removeIf(t -> t.cancelled);
          return;
        }
        nowNanos = next.due;
        tasks.remove(next);
      }
      next.run.run();
    }
  }

  /** Tasks scheduled and neither run nor cancelled. */
  synchronized int pending() {
    return (int) tasks.stream().filter(t -> !t.cancelled).count();
  }
}
