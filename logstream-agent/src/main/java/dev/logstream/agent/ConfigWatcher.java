package dev.logstream.agent;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls back when a file changes, watching its directory (editors replace files rather than write
 * them in place). Debounced: the callback runs once the directory has been quiet for the debounce
 * time, so an editor's save (several events) is one reload.
 */
final class ConfigWatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);

  private final Path file;
  private final WatchService watcher;
  private final Thread thread;

  private ConfigWatcher(Path file, Duration debounce, Runnable onChange) throws IOException {
    this.file = file.toAbsolutePath();
    this.watcher = FileSystems.getDefault().newWatchService();
    this.file
        .getParent()
        .register(
            watcher,
            StandardWatchEventKinds.ENTRY_CREATE,
            StandardWatchEventKinds.ENTRY_MODIFY,
            StandardWatchEventKinds.ENTRY_DELETE);
    this.thread = new Thread(() -> run(debounce, onChange), "logstream-agent-config-watcher");
    thread.setDaemon(true);
  }

  static ConfigWatcher start(Path file, Duration debounce, Runnable onChange) throws IOException {
    ConfigWatcher w = new ConfigWatcher(file, debounce, onChange);
    w.thread.start();
    return w;
  }

  private void run(Duration debounce, Runnable onChange) {
    try {
      while (true) {
        if (!concernsFile(watcher.take())) {
          continue;
        }
        WatchKey more;
        while ((more = watcher.poll(debounce.toNanos(), TimeUnit.NANOSECONDS)) != null) {
          concernsFile(more);
        }
        try {
          onChange.run();
        } catch (RuntimeException e) {
          LOG.error("reloading {} failed", file, e);
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closed
    }
  }

  private boolean concernsFile(WatchKey key) {
    boolean concerns = false;
    for (WatchEvent<?> event : key.pollEvents()) {
      concerns |=
          event.kind() == StandardWatchEventKinds.OVERFLOW
              || file.getFileName().equals(event.context());
    }
    key.reset();
    return concerns;
  }

  @Override
  public void close() {
    try {
      watcher.close();
    } catch (IOException e) {
      LOG.warn("closing the config watcher failed: {}", e.toString());
    }
    thread.interrupt();
  }
}
