package dev.logstream.forward.interop;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * fluent-logger-python (Debian {@code python3-fluent-logger}, version 0.10.0) driven by {@code
 * src/test/python/send.py}, run with Debian's {@code /usr/bin/python3}: a pyenv or virtualenv
 * {@code python3} earlier on PATH does not see Debian's {@code dist-packages}.
 *
 * @param api {@code "sender"} for {@code FluentSender.emit_with_time}, {@code "event"} for {@code
 *     fluent.event.Event}
 * @param nanosecondPrecision {@code nanosecond_precision=True}: EventTime instead of seconds
 */
public record PythonClient(String api, boolean nanosecondPrecision) implements ForwardClient {

  /** Debian's interpreter. */
  static final Path PYTHON = Path.of("/usr/bin/python3");

  private static Boolean available;

  /** Validates the API name. */
  public PythonClient {
    if (!api.equals("sender") && !api.equals("event")) {
      throw new IllegalArgumentException("api must be sender or event, got " + api);
    }
  }

  @Override
  public String name() {
    return "python-" + api + (nanosecondPrecision ? "-nanos" : "");
  }

  @Override
  public String library() {
    return "fluent-logger-python 0.10.0 (Debian python3-fluent-logger)";
  }

  @Override
  public boolean ack() {
    return false;
  }

  @Override
  public TimePrecision timePrecision() {
    return nanosecondPrecision ? TimePrecision.EVENT_TIME : TimePrecision.SECONDS;
  }

  @Override
  public boolean supports(SocketAddress target) {
    return target instanceof InetSocketAddress || target instanceof UnixDomainSocketAddress;
  }

  @Override
  public int send(SocketAddress target, RecordBatch batch) throws Exception {
    requireInstalled();
    List<String> command = new ArrayList<>();
    command.add(PYTHON.toString());
    command.add("src/test/python/send.py");
    command.add("--address=" + ExternalProcess.uri(target));
    command.add("--count=" + batch.count());
    command.add("--tag=" + batch.tag());
    command.add("--prefix=" + batch.prefix());
    command.add("--api=" + api);
    if (nanosecondPrecision) {
      command.add("--nanosecond-precision");
    }
    Instant first = batch.firstEventTime();
    command.add("--time=" + first.getEpochSecond() + "." + String.format("%09d", first.getNano()));
    return ExternalProcess.posted(
        ExternalProcess.run(command, Map.of("PYTHONIOENCODING", "utf-8"), Duration.ofSeconds(60)));
  }

  private static synchronized void requireInstalled() throws Exception {
    if (available == null) {
      available =
          Files.isExecutable(PYTHON)
              && runsCleanly(
                  List.of(PYTHON.toString(), "-c", "import fluent.sender, fluent.event"));
    }
    RequiredTool.require(available, "fluent-logger-python for " + PYTHON, "python3-fluent-logger");
  }

  private static boolean runsCleanly(List<String> command) throws InterruptedException {
    try {
      ExternalProcess.run(command, Map.of(), Duration.ofSeconds(30));
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
