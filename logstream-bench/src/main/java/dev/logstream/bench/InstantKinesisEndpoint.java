package dev.logstream.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * An in-process Kinesis endpoint that accepts every PutRecords request at once: JSON protocol only
 * (clients with CBOR off), a success entry per request entry, responses built once per entry count
 * and reused. It counts the entries by their {@code "PartitionKey"} members (data is base64 and
 * stream names have no quotes, so nothing else matches) and does not decode the data.
 */
final class InstantKinesisEndpoint implements AutoCloseable {
  private static final byte[] PARTITION_KEY = "\"PartitionKey\"".getBytes(UTF_8);

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final ConcurrentHashMap<Integer, byte[]> responses = new ConcurrentHashMap<>();

  /** PutRecords requests answered. */
  final LongAdder requests = new LongAdder();

  /** Entries accepted over all requests. */
  final LongAdder entries = new LongAdder();

  /**
   * Starts the endpoint on a free loopback port.
   *
   * @throws IOException if the server cannot bind
   */
  InstantKinesisEndpoint() throws IOException {
    // Without TCP_NODELAY the server's response headers and body wait on the client's delayed
    // ACK (40 ms on Linux): the JDK server reads this once, when it first starts.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  /** The endpoint's URI, for {@code endpointOverride}. */
  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
      String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
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
      int count = count(body);
      requests.increment();
      entries.add(count);
      send(exchange, 200, responses.computeIfAbsent(count, InstantKinesisEndpoint::response));
    }
  }

  static int count(byte[] body) {
    int count = 0;
    byte first = PARTITION_KEY[0];
    int last = body.length - PARTITION_KEY.length;
    outer:
    for (int i = 0; i <= last; i++) {
      if (body[i] != first) {
        continue;
      }
      for (int j = 1; j < PARTITION_KEY.length; j++) {
        if (body[i + j] != PARTITION_KEY[j]) {
          continue outer;
        }
      }
      count++;
      i += PARTITION_KEY.length - 1;
    }
    return count;
  }

  private static byte[] response(int count) {
    StringBuilder json = new StringBuilder("{\"FailedRecordCount\":0,\"Records\":[");
    for (int i = 0; i < count; i++) {
      json.append(i == 0 ? "" : ",")
          .append("{\"SequenceNumber\":\"4959000000000000000000000000000000000000000000")
          .append(String.format("%010d", i))
          .append("\",\"ShardId\":\"shardId-00000000000")
          .append(i % 4)
          .append("\"}");
    }
    return json.append("]}").toString().getBytes(UTF_8);
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
    exchange.getResponseHeaders().set("x-amzn-RequestId", "bench");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
