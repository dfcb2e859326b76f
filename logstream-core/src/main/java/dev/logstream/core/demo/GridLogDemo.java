package dev.logstream.core.demo;

import dev.logstream.core.EventTime;
import dev.logstream.core.KinesisRecordDecoder;
import dev.logstream.core.KinesisRecordEncoder;
import dev.logstream.core.LogEvent;
import dev.logstream.core.LogstreamException;
import dev.logstream.core.capacity.ShardCalculator;
import dev.logstream.core.capacity.ShardEstimate;
import dev.logstream.core.capacity.WriteLoad;
import dev.logstream.core.docker.DockerLogConfig;
import dev.logstream.core.docker.DockerParameter;
import dev.logstream.core.docker.LogstreamSettings;
import dev.logstream.core.tag.GridId;
import dev.logstream.core.tag.TagCodec;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.UUID;

/**
 * The main job of {@code ./logstream demo} for now: walks one container through what grid-api and
 * the agent do with logstream's core. It computes the tag and Docker log parameters for an app,
 * encodes a Docker log line into the Kinesis record the agent would put, decodes it back, and sizes
 * the stream.
 *
 * <p>Arguments (all optional): {@code --manifest ID --app ID --opts K=V,K=V --lines-per-second N
 * --bytes-per-line N}.
 */
public final class GridLogDemo {
  private final PrintStream out;
  private final Clock clock;

  /**
   * Creates the demo.
   *
   * @param out where the demo prints
   * @param clock the time stamped on the example log line
   */
  public GridLogDemo(PrintStream out, Clock clock) {
    this.out = out;
    this.clock = clock;
  }

  /**
   * Runs the demo; exits with status 2 and a message on bad arguments.
   *
   * @param args see the class description
   */
  public static void main(String[] args) {
    try {
      new GridLogDemo(System.out, Clock.systemUTC()).run(DemoOptions.parse(args));
    } catch (LogstreamException | IllegalArgumentException e) {
      System.err.println("logstream demo: " + e.getMessage());
      System.exit(2);
    }
  }

  /**
   * Prints the walk-through for one app.
   *
   * @param options the app and load to show
   */
  public void run(DemoOptions options) {
    TagCodec tags = TagCodec.grid();
    GridId manifestId = GridId.parse(options.manifestId());
    GridId appId = GridId.parse(options.appId());
    String tag = tags.format(manifestId, appId);

    out.println("logstream demo: one container through grid-api and the agent's record encoder");
    heading("1. The app's log tag (grid-api: TagCodec)");
    row("manifest-id", manifestId.toString());
    row("app-id", appId.toString());
    row("tag", tag);
    String badTag = tag.substring(0, tag.lastIndexOf('/'));
    try {
      tags.parse(badTag);
    } catch (LogstreamException expected) {
      row("a bad tag", "'" + badTag + "' is rejected: " + expected.getMessage());
    }

    LogstreamSettings settings =
        LogstreamSettings.builder()
            .enabled(true)
            .opts(LogstreamSettings.parseOpts(options.opts()))
            .build();
    DockerLogConfig config = settings.logConfigFor(manifestId, appId).orElseThrow();
    heading(
        "2. Docker log parameters (grid-api --logstream --logstream-opts " + options.opts() + ")");
    out.println("   Mesos DockerInfo parameters:");
    for (DockerParameter parameter : config.toMesosParameters()) {
      out.printf("     %-10s = %s%n", parameter.key(), parameter.value());
    }
    out.println("   docker run " + String.join(" ", config.toDockerRunArgs()) + " IMAGE");
    out.println("   Engine API HostConfig.LogConfig: " + config.toEngineApiJson());

    LogEvent event =
        LogEvent.builder(tag, EventTime.fromInstant(clock.instant()))
            .field(
                "container_id", "1d26ace2fa27c63bc77c6de4bdf611046a7b350a7b7c2e33eafac6b3cda5fe76")
            .field("container_name", "/mesos-20151118-102904-3271688202-5050-7886-S0.651d6d6d")
            .field("source", "stdout")
            .field("log", "1:M 04 Dec 13:39:27.123 * Ready to accept connections \"tcp\"")
            .build();
    byte[] data = KinesisRecordEncoder.create().encode(event);
    heading("3. One Docker log line as the Kinesis record the agent puts");
    row("data", new String(data, StandardCharsets.UTF_8));
    row("data bytes", Integer.toString(data.length));
    row("partition key", UUID.randomUUID() + " (random per record, as in the seed)");
    LogEvent decoded = KinesisRecordDecoder.create().decode(data);
    boolean same =
        decoded.tag().equals(event.tag())
            && decoded.fields().equals(event.fields())
            && decoded.time().equals(EventTime.ofEpochSecond(event.time().seconds()));
    row(
        "decoded back",
        same
            ? "same tag and fields; time in whole seconds, the seed's format"
            : "DIFFERENT: " + decoded);

    WriteLoad load =
        WriteLoad.of(
            options.linesPerSecond(), (long) options.linesPerSecond() * options.bytesPerLine());
    ShardEstimate plain = ShardCalculator.builder().build().shardsForWrite(load);
    ShardEstimate aggregated =
        ShardCalculator.builder().kplAggregation().build().shardsForWrite(load);
    heading(
        "4. Stream size for "
            + options.linesPerSecond()
            + " lines/s of "
            + options.bytesPerLine()
            + " bytes at 90 % utilization (the seed's alarm)");
    row("shards", plain.shards() + " (bound by " + plain.binding() + ")");
    row("with KPL aggregation", aggregated.shards() + " (bound by " + aggregated.binding() + ")");
  }

  private void heading(String text) {
    out.println();
    out.println(text);
  }

  private void row(String label, String value) {
    out.printf("   %-21s %s%n", label, value);
  }
}
