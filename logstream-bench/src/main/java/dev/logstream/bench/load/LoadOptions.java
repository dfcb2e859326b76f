package dev.logstream.bench.load;

import dev.logstream.buffer.Durability;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load generator's settings, parsed from its command line; every value is checked when parsed
 * and a bad one is reported with the option and the value.
 *
 * @param modes the modes to run, in this order
 * @param connections TCP connections per mode
 * @param warmup how long each mode runs before the measurement
 * @param duration how long the measurement lasts
 * @param fsync the buffer's durability, as given ({@code never}, {@code always} or an interval)
 * @param inFlight PackedForward frames a connection sends before it waits for an ack
 * @param eventsPerFrame events per PackedForward frame
 * @param linesPerWrite Message frames per socket write in {@code message} mode
 * @param segmentMib the buffer's segment size in MiB
 * @param segments the buffer's segment count
 * @param bufferDir where the buffer goes, or {@code null} for a temporary directory removed after
 * @param eventLoops the forward server's event-loop threads, or 0 for its default
 * @param nullServer whether {@code message} mode also runs against a server that only discards
 */
public record LoadOptions(
    List<LoadMode> modes,
    int connections,
    Duration warmup,
    Duration duration,
    String fsync,
    int inFlight,
    int eventsPerFrame,
    int linesPerWrite,
    int segmentMib,
    int segments,
    Path bufferDir,
    int eventLoops,
    boolean nullServer) {

  /** What {@code --help} prints. */
  public static final String USAGE =
      """
      Usage: ./logstream bench-load [OPTIONS]

      Drives TCP connections of pre-encoded forward-protocol frames into a Pipeline started
      in-process (durable buffer on, a sink that discards) and prints events/s, MB/s and ack
      latency per mode.

        --mode LIST             modes to run, comma-separated: message, message-ack, packed
                                (default: all three)
        --connections N         connections per mode, 1..256 (default 4)
        --warmup DURATION       warm-up per mode, e.g. 5s, 500ms (default 5s)
        --duration DURATION     measured period per mode, > 0 (default 15s)
        --fsync VALUE           buffer durability: never, always or an interval (default 1s)
        --in-flight K           packed frames in flight per connection, 1..64 (default 4)
        --events-per-frame N    events per packed frame, 1..100000 (default 1000)
        --lines-per-write N     Message frames per socket write in message mode, 1..10000
                                (default 1: Docker's driver writes each line on its own)
        --segment-mib N         buffer segment size in MiB, 1..1024 (default 16)
        --segments N            buffer segment count, 2..100000 (default 128)
        --buffer-dir DIR        buffer directory (default: a temporary one, removed after)
        --event-loops N         forward server event-loop threads, 1..64 (default: the server's)
        --no-null-server        skip the message-mode run against a discard-only TCP server
        --help                  print this and exit
      """;

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)");

  /**
   * The defaults: all modes, 4 connections, 5 s + 15 s, fsync every second, 4 packed frames of
   * 1,000 events in flight, 16 MiB × 128 segments.
   *
   * @return the defaults
   */
  public static LoadOptions defaults() {
    return new LoadOptions(
        List.of(LoadMode.values()),
        4,
        Duration.ofSeconds(5),
        Duration.ofSeconds(15),
        "1s",
        4,
        1_000,
        1,
        16,
        128,
        null,
        0,
        true);
  }

  /**
   * Parses a command line.
   *
   * @param args the arguments
   * @return the options, or {@code null} if {@code --help} was asked for
   * @throws IllegalArgumentException naming the option and the value, if one is unknown, missing a
   *     value or out of range
   */
  public static LoadOptions parse(String... args) {
    LoadOptions o = defaults();
    List<LoadMode> modes = o.modes;
    int connections = o.connections;
    Duration warmup = o.warmup;
    Duration duration = o.duration;
    String fsync = o.fsync;
    int inFlight = o.inFlight;
    int eventsPerFrame = o.eventsPerFrame;
    int linesPerWrite = o.linesPerWrite;
    int segmentMib = o.segmentMib;
    int segments = o.segments;
    Path bufferDir = o.bufferDir;
    int eventLoops = o.eventLoops;
    boolean nullServer = o.nullServer;
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      switch (option) {
        case "--help", "-h" -> {
          return null;
        }
        case "--no-null-server" -> {
          nullServer = false;
          continue;
        }
        default -> {}
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(
            option.startsWith("--") && isKnown(option)
                ? option + " needs a value"
                : "unknown option '" + option + "' (try --help)");
      }
      String value = args[++i];
      switch (option) {
        case "--mode" -> modes = modes(value);
        case "--connections" -> connections = integer(option, value, 1, 256);
        case "--warmup" -> warmup = duration(option, value, false);
        case "--duration" -> duration = duration(option, value, true);
        case "--fsync" -> fsync = fsync(value);
        case "--in-flight" -> inFlight = integer(option, value, 1, 64);
        case "--events-per-frame" -> eventsPerFrame = integer(option, value, 1, 100_000);
        case "--lines-per-write" -> linesPerWrite = integer(option, value, 1, 10_000);
        case "--segment-mib" -> segmentMib = integer(option, value, 1, 1_024);
        case "--segments" -> segments = integer(option, value, 2, 100_000);
        case "--buffer-dir" -> bufferDir = Path.of(value);
        case "--event-loops" -> eventLoops = integer(option, value, 1, 64);
        default ->
            throw new IllegalArgumentException("unknown option '" + option + "' (try --help)");
      }
    }
    return new LoadOptions(
        modes,
        connections,
        warmup,
        duration,
        fsync,
        inFlight,
        eventsPerFrame,
        linesPerWrite,
        segmentMib,
        segments,
        bufferDir,
        eventLoops,
        nullServer);
  }

  /**
   * The buffer's durability.
   *
   * @return {@link Durability#parse} of {@link #fsync()}
   */
  public Durability durability() {
    return Durability.parse(fsync);
  }

  private static boolean isKnown(String option) {
    return USAGE.contains("  " + option + " ");
  }

  private static List<LoadMode> modes(String value) {
    List<LoadMode> modes = new ArrayList<>();
    for (String label : value.split(",", -1)) {
      LoadMode mode = LoadMode.parse(label.trim());
      if (!modes.contains(mode)) {
        modes.add(mode);
      }
    }
    return List.copyOf(modes);
  }

  private static int integer(String option, String value, int min, int max) {
    int n;
    try {
      n = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          option + " must be an integer in " + min + ".." + max + ", got '" + value + "'");
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException(
          option + " must be an integer in " + min + ".." + max + ", got '" + value + "'");
    }
    return n;
  }

  private static Duration duration(String option, String value, boolean positive) {
    Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
    Duration d = null;
    if (m.matches()) {
      long amount = Long.parseLong(m.group(1));
      d =
          switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            default -> Duration.ofMinutes(amount);
          };
    }
    if (d == null || (positive && d.isZero())) {
      throw new IllegalArgumentException(
          option
              + " must be "
              + (positive ? "a positive" : "a")
              + " duration like 500ms, 15s or 1m, got '"
              + value
              + "'");
    }
    return d;
  }

  private static String fsync(String value) {
    try {
      Durability.parse(value);
      return value;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--fsync must be never, always or an interval like 500ms, 1s or 2m, got '" + value + "'");
    }
  }
}
