package dev.logstream.kinesis;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-process Kinesis endpoint speaking the JSON protocol (a sink with CBOR off) whose answers
 * are scripted per request: per-record {@code ErrorCode}s, whole-request errors with any status,
 * and responses held back until released (for timeouts and in-flight limits). Requests without a
 * script are accepted in full. {@code DescribeStreamSummary} is answered as {@link #describe} says
 * (a summary with or without {@code MaxRecordSizeInKiB}, or an error).
 */
final class FaultyKinesisEndpoint implements AutoCloseable {
  /** One PutRecords request as received. */
  record Entry(byte[] data, String partitionKey) {}

  /** A received request. */
  record Received(String target, String contentType, String stream, List<Entry> entries) {}

  /** How to answer one request. */
  interface Answer {
    void answer(Received request, HttpExchange exchange) throws IOException, InterruptedException;
  }

  /** Per-record answers: the error code of entry {@code i}, or null to accept it. */
  interface PerRecord {
    String errorCode(int index, Entry entry);
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final ConcurrentLinkedQueue<Answer> script = new ConcurrentLinkedQueue<>();
  private final CountDownLatch stopping = new CountDownLatch(1);
  private final AtomicLong sequence = new AtomicLong();
  final List<Received> requests = new CopyOnWriteArrayList<>();

  /** The content type of every request, valid or not. */
  final List<String> contentTypes = new CopyOnWriteArrayList<>();

  /** Entries answered with success, in answer order. */
  final List<Entry> accepted = new CopyOnWriteArrayList<>();

  volatile PerRecord defaultPerRecord = (i, e) -> null;

  /** How {@code DescribeStreamSummary} is answered. */
  interface DescribeAnswer {
    void answer(String stream, HttpExchange exchange) throws IOException;
  }

  /**
   * The answer to every {@code DescribeStreamSummary}; null (the default) answers {@code
   * UnknownOperationException}, as for any operation but PutRecords.
   */
  volatile DescribeAnswer describe;

  /** The stream name or ARN of every {@code DescribeStreamSummary}, in arrival order. */
  final List<String> described = new CopyOnWriteArrayList<>();

  /** An active one-shard stream's summary, with {@code MaxRecordSizeInKiB} unless null. */
  static DescribeAnswer summary(Integer maxRecordSizeInKiB) {
    return (stream, exchange) -> {
      ObjectNode body = JSON.createObjectNode();
      ObjectNode summary = body.putObject("StreamDescriptionSummary");
      String name = stream.substring(stream.lastIndexOf('/') + 1);
      summary.put("StreamName", name);
      summary.put("StreamARN", "arn:aws:kinesis:us-east-1:123456789012:stream/" + name);
      summary.put("StreamStatus", "ACTIVE");
      summary.put("RetentionPeriodHours", 24);
      summary.put("StreamCreationTimestamp", 1.7e9);
      summary.putArray("EnhancedMonitoring");
      summary.put("OpenShardCount", 1);
      if (maxRecordSizeInKiB != null) {
        summary.put("MaxRecordSizeInKiB", maxRecordSizeInKiB.intValue());
      }
      send(exchange, 200, JSON.writeValueAsBytes(body));
    };
  }

  /** A {@code DescribeStreamSummary} error response. */
  static DescribeAnswer describeError(int status, String type, String message) {
    return (stream, exchange) -> {
      ObjectNode body = JSON.createObjectNode();
      body.put("__type", type);
      body.put("message", message);
      send(exchange, status, JSON.writeValueAsBytes(body));
    };
  }

  FaultyKinesisEndpoint() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Queues answers for the next requests, in order. */
  FaultyKinesisEndpoint then(Answer... answers) {
    script.addAll(List.of(answers));
    return this;
  }

  Answer perRecord(PerRecord codes) {
    return (request, exchange) -> respondPerRecord(request, exchange, codes);
  }

  static Answer error(int status, String type, String message) {
    return (request, exchange) -> {
      ObjectNode body = JSON.createObjectNode();
      if (type != null) {
        body.put("__type", type);
        body.put("message", message);
      }
      send(exchange, status, JSON.writeValueAsBytes(body));
    };
  }

  /** Answers a PutRecords response with one entry fewer than the request. */
  static Answer shortResponse() {
    return (request, exchange) -> {
      ObjectNode body = JSON.createObjectNode();
      body.put("FailedRecordCount", 0);
      ArrayNode records = body.putArray("Records");
      for (int i = 1; i < request.entries().size(); i++) {
        records.addObject().put("SequenceNumber", "1").put("ShardId", "shardId-000000000000");
      }
      send(exchange, 200, JSON.writeValueAsBytes(body));
    };
  }

  /** The access key id of the SigV4 {@code Authorization} header of every valid request. */
  final List<String> accessKeys = new CopyOnWriteArrayList<>();

  /** Answers {@code ExpiredTokenException} to requests signed with {@code expiredKey}. */
  Answer expiring(String expiredKey) {
    return (request, exchange) -> {
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      if (auth != null && auth.contains("Credential=" + expiredKey + "/")) {
        error(400, "ExpiredTokenException", "The security token included in the request is expired")
            .answer(request, exchange);
      } else {
        respondPerRecord(request, exchange, defaultPerRecord);
      }
    };
  }

  /** Holds the response until {@code release} is counted down (or the endpoint closes). */
  Answer held(CountDownLatch release, Answer then) {
    return (request, exchange) -> {
      release.await();
      if (stopping.getCount() > 0) {
        then.answer(request, exchange);
      } else {
        exchange.close();
      }
    };
  }

  /** Holds the response until the endpoint closes: the client times out first. */
  Answer hang() {
    return (request, exchange) -> {
      stopping.await();
      exchange.close();
    };
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
      String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
      byte[] body = exchange.getRequestBody().readAllBytes();
      contentTypes.add(contentType);
      DescribeAnswer describeAnswer = describe;
      if ("Kinesis_20131202.DescribeStreamSummary".equals(target)
          && "application/x-amz-json-1.1".equals(contentType)
          && describeAnswer != null) {
        JsonNode json = JSON.readTree(body);
        String stream =
            (json.has("StreamARN") ? json.get("StreamARN") : json.get("StreamName")).asText();
        described.add(stream);
        describeAnswer.answer(stream, exchange);
        return;
      }
      if (!"Kinesis_20131202.PutRecords".equals(target)
          || !"application/x-amz-json-1.1".equals(contentType)) {
        send(
            exchange,
            400,
            ("{\"__type\":\"UnknownOperationException\",\"message\":\""
                    + target
                    + " "
                    + contentType
                    + "\"}")
                .getBytes(UTF_8));
        return;
      }
      JsonNode json = JSON.readTree(body);
      List<Entry> entries = new ArrayList<>();
      for (JsonNode r : json.get("Records")) {
        entries.add(
            new Entry(
                Base64.getDecoder().decode(r.get("Data").asText()),
                r.get("PartitionKey").asText()));
      }
      JsonNode stream = json.has("StreamARN") ? json.get("StreamARN") : json.get("StreamName");
      Received received = new Received(target, contentType, stream.asText(), List.copyOf(entries));
      requests.add(received);
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      if (auth != null && auth.contains("Credential=")) {
        int from = auth.indexOf("Credential=") + "Credential=".length();
        accessKeys.add(auth.substring(from, auth.indexOf('/', from)));
      }
      Answer answer = script.poll();
      if (answer == null) {
        respondPerRecord(received, exchange, defaultPerRecord);
      } else {
        answer.answer(received, exchange);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exchange.close();
    } catch (RuntimeException | IOException e) {
      e.printStackTrace();
      exchange.close();
    }
  }

  private void respondPerRecord(Received request, HttpExchange exchange, PerRecord codes)
      throws IOException {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode records = body.putArray("Records");
    int failed = 0;
    for (int i = 0; i < request.entries().size(); i++) {
      Entry entry = request.entries().get(i);
      String code = codes.errorCode(i, entry);
      ObjectNode r = records.addObject();
      if (code == null) {
        r.put("SequenceNumber", Long.toString(sequence.incrementAndGet()));
        r.put("ShardId", "shardId-000000000000");
        accepted.add(entry);
      } else {
        failed++;
        r.put("ErrorCode", code);
        r.put(
            "ErrorMessage",
            code.equals("InternalFailure")
                ? "Internal Service Failure"
                : "Rate exceeded for shard");
      }
    }
    body.put("FailedRecordCount", failed);
    send(exchange, 200, JSON.writeValueAsBytes(body));
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
    exchange.getResponseHeaders().set("x-amzn-RequestId", "test-request");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    stopping.countDown();
    server.stop(0);
    threads.shutdownNow();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
