package dev.logstream.agent.e2e;

import dev.logstream.agent.Pipeline;
import dev.logstream.buffer.BufferMetrics;
import dev.logstream.buffer.Durability;
import dev.logstream.buffer.RetryPolicy;
import dev.logstream.buffer.SegmentBuffer;
import dev.logstream.forward.ForwardServer;
import dev.logstream.kinesis.KinesisSink;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * The agent process {@link AgentKillLoopTest} kills: builds and starts a {@link Pipeline} as an
 * agent would (forward server on a given port, segment buffer in a given directory with a given
 * durability, {@link KinesisSink} to an endpoint) and runs until killed. It reports on stdout, one
 * line each, flushed:
 *
 * <pre>
 * recovered &lt;backlogRecords&gt;        the buffer is open: records recovery found undelivered
 * listening &lt;port&gt;                   the server is bound
 * progress &lt;lastSequence&gt; &lt;backlog&gt;  every 50 ms: the buffer's last sequence and backlog
 * </pre>
 *
 * <p>It opens the buffer itself (the pipeline takes an open buffer) so that the backlog recovery
 * found is read before the dispatcher starts delivering it. The real {@code Agent} CLI may replace
 * this class later.
 *
 * <p>Arguments: port, buffer directory, {@code --fsync} value ({@link Durability#parse}), Kinesis
 * endpoint, stream, whether to use CBOR ({@code false} for kinesalite). It halts when its stdin
 * closes (the parent died) and after five minutes.
 */
final class AgentChild {
  private AgentChild() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    int port = Integer.parseInt(args[0]);
    Path directory = Path.of(args[1]);
    Durability durability = Durability.parse(args[2]);
    URI endpoint = URI.create(args[3]);
    String stream = args[4];
    boolean cbor = Boolean.parseBoolean(args[5]);
    PrintStream out = System.out;
    startDaemon("stdin-watch", AgentChild::haltWhenParentGone);

    SegmentBuffer buffer =
        SegmentBuffer.builder(directory)
            .segmentSize(1 << 20)
            .maxSegments(16)
            .durability(durability)
            .open();
    out.println("recovered " + buffer.metrics().backlogRecords());
    out.flush();
    Pipeline pipeline =
        Pipeline.builder()
            .server(ForwardServer.builder().listen("tcp://127.0.0.1:" + port))
            .buffer(buffer)
            .sink(
                KinesisSink.builder(stream)
                    .endpointOverride(endpoint)
                    .region(Region.US_EAST_1)
                    .credentialsProvider(
                        StaticCredentialsProvider.create(
                            AwsBasicCredentials.create("test", "test")))
                    // a few requests at a time: the emulators are single-threaded
                    .maxRequestsInFlight(2)
                    .cbor(cbor)
                    .build())
            .retryPolicy(
                RetryPolicy.builder()
                    .initialDelay(Duration.ofMillis(100))
                    .maxDelay(Duration.ofSeconds(1))
                    .maxAttempts(1_000)
                    .build())
            .build()
            .start();
    out.println("listening " + pipeline.addresses().get(0).port());
    out.flush();
    ScheduledExecutorService progress =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "progress");
              t.setDaemon(true);
              return t;
            });
    progress.scheduleWithFixedDelay(
        () -> {
          BufferMetrics m = pipeline.buffer().metrics();
          out.println("progress " + m.lastSequence() + " " + m.backlogRecords());
          out.flush();
        },
        0,
        50,
        TimeUnit.MILLISECONDS);
    progress.scheduleWithFixedDelay(
        () ->
            System.err.println(
                pipeline.dispatcherMetrics()
                    + " sink failures "
                    + ((KinesisSink) pipeline.sink()).metrics().failuresByErrorCode()),
        1,
        1,
        TimeUnit.SECONDS); // what the parent shows when the backlog does not drain
    progress.schedule(() -> Runtime.getRuntime().halt(4), 5, TimeUnit.MINUTES);
    new CountDownLatch(1).await(); // until killed
  }

  private static void haltWhenParentGone() {
    try {
      while (System.in.read() >= 0) {
        // the parent writes nothing; EOF means it is gone
      }
    } catch (IOException e) {
      // same
    }
    Runtime.getRuntime().halt(3);
  }

  private static void startDaemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
  }
}
