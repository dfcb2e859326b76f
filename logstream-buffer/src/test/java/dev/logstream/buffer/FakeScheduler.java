package dev.logstream.buffer;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler whose time moves only when a test says so. Tasks run on the test's thread, in time
 * order (then submission order), from {@link #runDue()} and {@link #advance(Duration)}. It is also
 * the dispatcher's ticker ({@link #nanoTime()}) and clock ({@link #clock()}), so the three agree.
 */
final class FakeScheduler extends AbstractExecutorService implements ScheduledExecutorService {
  static final Instant EPOCH = Instant.parse("2026-08-14T10:00:00Z");
  private static final int RUNAWAY = 1_000_000;

  private final PriorityQueue<Task> tasks = new PriorityQueue<>();
  private long now;
  private long submitted;
  private boolean shutdown;

  long nanoTime() {
    return now;
  }

  InstantSource clock() {
    return () -> EPOCH.plusNanos(now);
  }

  Duration elapsed() {
    return Duration.ofNanos(now);
  }

  /** Runs every task due now, including tasks they submit for now. */
  void runDue() {
    runUntil(now);
  }

  /** Moves time forward, running each task at its own time. */
  void advance(Duration duration) {
    runUntil(now + duration.toNanos());
  }

  /** Moves time to {@code EPOCH + offset}, running each task at its own time. */
  void advanceTo(Duration offset) {
    if (offset.toNanos() < now) {
      throw new IllegalArgumentException("time cannot go back to " + offset + " from " + elapsed());
    }
    runUntil(offset.toNanos());
  }

  private void runUntil(long target) {
    int ran = 0;
    while (!tasks.isEmpty() && tasks.peek().time <= target) {
      Task task = tasks.poll();
      now = Math.max(now, task.time);
      task.run();
      if (++ran > RUNAWAY) {
        throw new AssertionError("more than " + RUNAWAY + " tasks: something spins");
      }
    }
    now = Math.max(now, target);
  }

  /** Tasks waiting, cancelled ones excluded. */
  List<Duration> pendingTimes() {
    List<Duration> times = new ArrayList<>();
    for (Task task : tasks) {
      times.add(Duration.ofNanos(task.time));
    }
    times.sort(null);
    return times;
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    if (shutdown) {
      throw new RejectedExecutionException("shut down");
    }
    Task task = new Task(command, now + Math.max(0, unit.toNanos(delay)), submitted++);
    tasks.add(task);
    return task;
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void shutdown() {
    shutdown = true;
  }

  @Override
  public List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> dropped = new ArrayList<>(tasks);
    tasks.clear();
    return dropped;
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public boolean isTerminated() {
    return shutdown && tasks.isEmpty();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }

  private final class Task implements ScheduledFuture<Object>, Runnable {
    final Runnable command;
    final long time;
    final long order;
    boolean cancelled;
    boolean done;

    Task(Runnable command, long time, long order) {
      this.command = command;
      this.time = time;
      this.order = order;
    }

    @Override
    public void run() {
      if (!cancelled) {
        done = true;
        command.run();
      }
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(time - now, TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      Task that = (Task) other;
      int byTime = Long.compare(time, that.time);
      return byTime != 0 ? byTime : Long.compare(order, that.order);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      if (done || cancelled) {
        return false;
      }
      cancelled = true;
      tasks.remove(this);
      return true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return done || cancelled;
    }

    @Override
    public Object get() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      throw new UnsupportedOperationException();
    }
  }
}
