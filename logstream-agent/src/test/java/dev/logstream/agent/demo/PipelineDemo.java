package dev.logstream.agent.demo;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logstream.agent.IngestMetrics;
import dev.logstream.agent.Pipeline;
import dev.logstream.buffer.DispatcherMetrics;
import dev.logstream.buffer.RetryPolicy;
import dev.logstream.buffer.SegmentBuffer;
import dev.logstream.core.KinesisRecordEncoder;
import dev.logstream.core.TimePrecision;
import dev.logstream.forward.ForwardServer;
import dev.logstream.forward.ListenAddress;
import dev.logstream.forward.interop.DockerLikeGoClient;
import dev.logstream.forward.interop.DockerRecords;
import dev.logstream.kinesis.KinesisSink;
import dev.logstream.kinesis.KplAggregator;
import dev.logstream.kinesis.mock.KinesisMockExtension;
import dev.logstream.kinesis.mock.StreamReader;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.komamitsu.fluency.EventTime;
import org.komamitsu.fluency.Fluency;
import org.komamitsu.fluency.fluentd.FluencyBuilderForFluentd;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.kinesis.retrieval.AggregatorUtil;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

/**
 * The demo behind {@code ./logstream demo}: kinesis-mock (installed with npm if missing) with a
 * 2-shard stream, the agent's pipeline in front of it (KPL aggregation on, so that the slow mock
 * takes many lines per record), Docker's own forward client (fluent-logger-golang, built with
 * Debian's Go toolchain; fluency when {@code go} is missing) posting Docker-shaped log lines with
 * acks, and the stream read back: lines sent, received, lost, duplicated, throughput and delivery
 * latency (Kinesis arrival time minus the line's own time).
 *
 * <p>Options: {@code --lines N} (default 6,000), {@code --rate N} lines per second (default 1,000;
 * kinesis-mock takes about 1,000 records/s), {@code --client go|fluency|auto}.
 */
public final class PipelineDemo {

  private static final String STREAM = "demo";
  private static final String TAG = "grid.devel/www-data/redis-test:devel/www-data/redis-test";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrintStream out;
  private final int lines;
  private final int rate;
  private final String clientChoice;

  private PipelineDemo(PrintStream out, int lines, int rate, String client) {
    this.out = out;
    this.lines = lines;
    this.rate = rate;
    this.clientChoice = client;
  }

  /**
   * Runs the demo; exits non-zero if a line is lost.
   *
   * @param args {@code --lines N --rate N --client go|fluency|auto}
   * @throws Exception if the demo cannot run
   */
  public static void main(String[] args) throws Exception {
    int lines = 6_000;
    int rate = 1_000;
    String client = "auto";
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      String value = i + 1 < args.length ? args[++i] : "";
      switch (flag) {
        case "--lines" -> lines = positive(flag, value);
        case "--rate" -> rate = positive(flag, value);
        case "--client" -> {
          if (!List.of("go", "fluency", "auto").contains(value)) {
            usage("--client: expected go, fluency or auto, got '" + value + "'");
          }
          client = value;
        }
        default -> usage("unknown option '" + flag + "' (known: --lines, --rate, --client)");
      }
    }
    int lost = new PipelineDemo(System.out, lines, rate, client).run();
    System.exit(lost == 0 ? 0 : 1);
  }

  private static int positive(String flag, String value) {
    try {
      int n = Integer.parseInt(value);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    usage(flag + ": expected a positive number, got '" + value + "'");
    return 0;
  }

  private static void usage(String problem) {
    System.err.println("demo: " + problem);
    System.exit(2);
  }

  private int run() throws Exception {
    Path work = Files.createTempDirectory("logstream-demo");
    long t0 = System.nanoTime();
    out.println(
        "1. starting kinesis-mock (npm kinesis-local) with stream '" + STREAM + "' (2 shards)");
    try (KinesisMockExtension kinesis =
        KinesisMockExtension.withStreams(STREAM + ":2").launch("demo")) {
      out.printf("   kinesis-mock at %s (%d ms)%n", kinesis.endpoint(), ms(t0));
      KinesisSink sink =
          KinesisSink.builder(STREAM)
              .endpointOverride(kinesis.endpoint())
              .region(Region.US_EAST_1)
              .credentialsProvider(
                  StaticCredentialsProvider.create(AwsBasicCredentials.create("demo", "demo")))
              // kinesis-mock answers slowly: a few small requests at a time keep it responsive
              .aggregation(KplAggregator.builder().maxAggregateBytes(64 << 10).build())
              .maxRequestsInFlight(2)
              .maxRequestBytes(256 << 10)
              .maxRecordBytes(64 << 10)
              .build();
      try (Pipeline agent =
          Pipeline.builder()
              .server(ForwardServer.builder().listen("tcp://127.0.0.1:0"))
              .buffer(SegmentBuffer.builder(work.resolve("buffer")))
              .sink(sink)
              .encoding(KinesisRecordEncoder.builder().timePrecision(TimePrecision.MILLIS))
              // retry within seconds: a local mock's hiccups are short, unlike a region's outage
              .retryPolicy(RetryPolicy.builder().maxDelay(Duration.ofSeconds(2)).build())
              .build()
              .start()) {
        ListenAddress address = agent.addresses().get(0);
        out.printf(
            "2. agent listening on %s, buffer %s, delivering to stream '%s'%n",
            address, agent.buffer().directory(), STREAM);
        Sender sender = sender(address);
        out.printf(
            "3. sending %,d Docker-shaped lines at %,d lines/s with %s%n",
            lines, rate, sender.describe());
        StreamReader.Tail tail = StreamReader.of(kinesis.newClient(), STREAM).tail();
        List<Line> read = java.util.Collections.synchronizedList(new ArrayList<>());
        long sendStart = System.nanoTime();
        sender.start();
        // polls GetRecords every 100 ms and reports every second until every line is read back
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        CountDownLatch allRead = new CountDownLatch(1);
        timer.scheduleWithFixedDelay(
            () -> {
              poll(tail, read);
              if (!sender.running() && lines(read) >= lines) {
                allRead.countDown();
              }
            },
            0,
            100,
            TimeUnit.MILLISECONDS);
        timer.scheduleAtFixedRate(
            () -> progress(agent, lines(read), sendStart), 1, 1, TimeUnit.SECONDS);
        allRead.await(lines / rate + 60, TimeUnit.SECONDS);
        timer.shutdown();
        timer.awaitTermination(1, TimeUnit.MINUTES);
        poll(tail, read);
        progress(agent, lines(read), sendStart);
        int sent = sender.finish();
        return summary(sent, read, sendStart);
      }
    } finally {
      deleteTree(work);
    }
  }

  /** One log line read back: the user record of a KPL aggregate, and when its aggregate arrived. */
  private record Line(byte[] data, Instant arrival) {}

  private static final AggregatorUtil KCL = new AggregatorUtil();

  /** Reads what arrived and deaggregates it as a KCL worker of each shard does. */
  private void poll(StreamReader.Tail tail, List<Line> read) {
    List<StreamReader.ReadRecord> records;
    try {
      records = tail.poll();
    } catch (RuntimeException slow) {
      return; // kinesis-mock was too slow to answer: the next poll catches up
    }
    for (StreamReader.ReadRecord r : records) {
      List<KinesisClientRecord> users =
          KCL.deaggregate(
              List.of(
                  KinesisClientRecord.builder()
                      .data(ByteBuffer.wrap(r.data()))
                      .partitionKey(r.partitionKey())
                      .sequenceNumber(r.sequenceNumber())
                      .build()),
              new BigInteger(r.shard().hashKeyRange().startingHashKey()),
              new BigInteger(r.shard().hashKeyRange().endingHashKey()));
      for (KinesisClientRecord user : users) {
        byte[] data = new byte[user.data().remaining()];
        user.data().get(data);
        read.add(new Line(data, r.arrival()));
      }
    }
  }

  private static int lines(List<Line> read) {
    return read.size();
  }

  private void progress(Pipeline agent, int read, long since) {
    IngestMetrics in = agent.ingestMetrics();
    DispatcherMetrics outM = agent.dispatcherMetrics();
    out.printf(
        "   %4.1fs  received %,7d  stored %,7d  delivered %,7d  read back %,7d  backlog %,6d"
            + "  retried %,d %s%n",
        (System.nanoTime() - since) / 1e9,
        in.events(),
        in.recordsStored(),
        outM.recordsDelivered(),
        read,
        agent.buffer().metrics().lastSequence() - outM.recordsDelivered(),
        outM.recordsRetried(),
        agent.sink() instanceof KinesisSink k ? k.metrics().failuresByErrorCode() : "");
  }

  private int summary(int sent, List<Line> read, long sendStart) throws IOException {
    Map<String, Integer> seen = new HashMap<>();
    List<Long> latencies = new ArrayList<>();
    Instant lastArrival = Instant.EPOCH;
    for (Line r : read) {
      JsonNode json = JSON.readTree(new String(r.data(), UTF_8));
      seen.merge(json.get("log").asText(), 1, Integer::sum);
      Instant time = Instant.parse(json.get("time").asText());
      if (r.arrival() != null) {
        latencies.add(Duration.between(time, r.arrival()).toMillis());
        lastArrival = r.arrival().isAfter(lastArrival) ? r.arrival() : lastArrival;
      }
    }
    int lost = 0;
    for (int i = 0; i < sent; i++) {
      if (!seen.containsKey(DockerRecords.log("demo", i))) {
        lost++;
      }
    }
    int duplicated = read.size() - seen.size();
    double seconds = (System.nanoTime() - sendStart) / 1e9;
    latencies.sort(null);
    out.println("4. summary");
    out.printf("   lines sent        %,d%n", sent);
    out.printf("   lines received    %,d%n", seen.size());
    out.printf("   lost              %,d%n", lost);
    out.printf("   duplicated        %,d%n", duplicated);
    out.printf(
        "   throughput        %,.0f lines/s end to end (%,d lines in %.1f s)%n",
        seen.size() / seconds, seen.size(), seconds);
    if (!latencies.isEmpty()) {
      out.printf(
          "   delivery latency  p50 %d ms, p99 %d ms (Kinesis arrival minus the line's time)%n",
          latencies.get(latencies.size() / 2),
          latencies.get(Math.min(latencies.size() - 1, (int) (latencies.size() * 0.99))));
    }
    out.println(lost == 0 ? "   OK: every line arrived" : "   FAILED: lines were lost");
    return lost;
  }

  private Sender sender(ListenAddress address) throws IOException, InterruptedException {
    boolean go = !clientChoice.equals("fluency") && goAvailable();
    if (clientChoice.equals("go") && !go) {
      usage("--client go: the Go toolchain or fluent-logger-golang is missing");
    }
    return go ? new GoSender(address) : new FluencySender(address);
  }

  private static boolean goAvailable() {
    try {
      DockerLikeGoClient.build();
      return true;
    } catch (Exception | AssertionError e) {
      return false;
    }
  }

  private abstract static class Sender {
    abstract String describe();

    abstract void start() throws IOException;

    abstract boolean running();

    /** Waits for the client to finish; returns how many lines it reports posted. */
    abstract int finish() throws Exception;
  }

  /** Docker's own client library, as dockerd drives it: one PostWithTime per line. */
  private final class GoSender extends Sender {
    private final ListenAddress address;
    private Process process;

    GoSender(ListenAddress address) {
      this.address = address;
    }

    @Override
    String describe() {
      return "Docker's fluent-logger-golang (fluentd-request-ack, sub-second time)";
    }

    @Override
    void start() throws IOException {
      try {
        process =
            new ProcessBuilder(
                    DockerLikeGoClient.build().toString(),
                    "-address=tcp://" + address.host() + ":" + address.port(),
                    "-count=" + lines,
                    "-rate=" + rate,
                    "-tag=" + TAG,
                    "-prefix=demo",
                    "-ack=true",
                    "-subsecond=true",
                    "-realtime=true")
                .redirectErrorStream(true)
                .start();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }

    @Override
    boolean running() {
      return process.isAlive();
    }

    @Override
    int finish() throws Exception {
      String output = new String(process.getInputStream().readAllBytes(), UTF_8).trim();
      if (process.waitFor() != 0) {
        throw new IOException("the Go client failed: " + output);
      }
      return Integer.parseInt(output.replaceAll("(?s).*posted (\\d+).*", "$1"));
    }
  }

  /** fluency, when Go is not installed. */
  private final class FluencySender extends Sender {
    private final ListenAddress address;
    private Thread thread;
    private volatile int posted;
    private volatile Exception failure;

    FluencySender(ListenAddress address) {
      this.address = address;
    }

    @Override
    String describe() {
      return "fluency 2.7.3 (acks on, EventTime)";
    }

    @Override
    void start() {
      thread = new Thread(this::send, "demo-fluency");
      thread.start();
    }

    private void send() {
      FluencyBuilderForFluentd builder = new FluencyBuilderForFluentd();
      builder.setAckResponseMode(true);
      builder.setFlushAttemptIntervalMillis(50);
      Fluency fluency = builder.build(address.host(), address.port());
      ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();
      CountDownLatch done = new CountDownLatch(1);
      pace.scheduleAtFixedRate(
          () -> {
            int i = posted;
            if (i >= lines || failure != null) {
              done.countDown();
              return;
            }
            Map<String, Object> record = new LinkedHashMap<>(DockerRecords.record("demo", i));
            Instant now = Instant.now();
            try {
              fluency.emit(TAG, EventTime.fromEpoch(now.getEpochSecond(), now.getNano()), record);
              posted = i + 1;
            } catch (IOException e) {
              failure = e;
            }
          },
          0,
          1_000_000_000L / rate,
          TimeUnit.NANOSECONDS);
      try {
        done.await();
        pace.shutdown();
        fluency.close();
      } catch (Exception e) {
        failure = e;
      }
    }

    @Override
    boolean running() {
      return thread.isAlive();
    }

    @Override
    int finish() throws Exception {
      thread.join();
      if (failure != null) {
        throw failure;
      }
      return posted;
    }
  }

  private static long ms(long since) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
