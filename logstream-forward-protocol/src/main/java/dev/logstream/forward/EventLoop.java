package dev.logstream.forward;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One selector thread: owns its connections, runs tasks handed to it, sweeps timeouts. Nothing it
 * owns is touched from another thread; other threads {@link #execute} instead.
 */
final class EventLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(EventLoop.class);
  private static final long SWEEP_INTERVAL_MILLIS = 100;

  /** Something registered with the selector. */
  interface Selectable {
    void onSelected(SelectionKey key);
  }

  private final Selector selector;
  private final Thread thread;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final List<Connection> connections = new ArrayList<>();
  private Runnable whenEmpty;
  private volatile boolean running = true;

  /** Shared by the loop's connections: each read is consumed before the next one. */
  final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);

  EventLoop(String name) {
    try {
      this.selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a selector", e);
    }
    this.thread = new Thread(this, name);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  Selector selector() {
    return selector;
  }

  boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  List<Connection> connections() {
    return connections;
  }

  /** Runs {@code task} on this loop's thread, soon. */
  void execute(Runnable task) {
    tasks.add(task);
    selector.wakeup();
  }

  /** Runs {@code task} now if on this loop's thread, otherwise soon. */
  void run(Runnable task) {
    if (inLoop()) {
      task.run();
    } else {
      execute(task);
    }
  }

  /** Runs {@code task} once, on this loop, as soon as it has no connections left. */
  void whenEmpty(Runnable task) {
    whenEmpty = task;
    checkEmpty();
  }

  private void checkEmpty() {
    if (whenEmpty != null && connections.isEmpty()) {
      Runnable task = whenEmpty;
      whenEmpty = null;
      task.run();
    }
  }

  void stop() {
    running = false;
    selector.wakeup();
  }

  void join(long millis) throws InterruptedException {
    thread.join(millis);
  }

  @Override
  public void run() {
    long nextSweep = System.nanoTime();
    while (running) {
      try {
        selector.select(SWEEP_INTERVAL_MILLIS);
        runTasks();
        checkEmpty();
        Iterator<SelectionKey> selected = selector.selectedKeys().iterator();
        while (selected.hasNext()) {
          SelectionKey key = selected.next();
          selected.remove();
          if (key.isValid()) {
            ((Selectable) key.attachment()).onSelected(key);
          }
        }
        long now = System.nanoTime();
        if (now - nextSweep >= 0) {
          for (Connection connection : new ArrayList<>(connections)) {
            connection.sweep();
          }
          nextSweep = now + SWEEP_INTERVAL_MILLIS * 1_000_000;
        }
        checkEmpty();
      } catch (IOException | RuntimeException e) {
        log.error("forward server event loop {} survived an unexpected error", thread.getName(), e);
      }
    }
    runTasks();
    try {
      selector.close();
    } catch (IOException e) {
      log.debug("closing selector", e);
    }
  }

  private void runTasks() {
    Runnable task;
    while ((task = tasks.poll()) != null) {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.error("forward server task failed", e);
      }
    }
  }
}
