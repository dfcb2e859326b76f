package dev.logstream.bench;

import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.SinkRecord;
import dev.logstream.kinesis.KinesisSink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;

/**
 * Whole-sink throughput against an in-process endpoint that answers at once ({@link
 * InstantKinesisEndpoint}, JSON protocol): one operation delivers {@value #BATCHES} batches of
 * {@value KinesisBatches#BATCH_RECORDS} Docker events (409 B each) with {@code inFlight} requests
 * in flight. The {@code records} and {@code payloadBytes} counters are records/s and payload
 * bytes/s of records the endpoint accepted.
 *
 * <ul>
 *   <li>{@code sinkSend}: {@link KinesisSink#send(List)} of every batch at once (the sink keeps at
 *       most {@code maxRequestsInFlight} = {@code inFlight} requests in flight and queues the
 *       rest), then all outcomes awaited; includes building each request, the in-flight queue, the
 *       per-record outcomes and the metrics;
 *   <li>{@code sdkLoop}: the reference: a plain loop of {@code putRecords} calls of the same
 *       requests, built once in setup, with the same client and at most {@code inFlight} in flight
 *       (a semaphore), then all responses awaited.
 * </ul>
 *
 * <p>Both use one client: the sink's settings (Netty, HTTP/1.1, 50 connections, SDK retries off),
 * CBOR off. Run: {@code ./logstream bench SinkThroughputBenchmark -prof gc}
 */
@State(Scope.Thread)
public class SinkThroughputBenchmark extends BenchmarkSettings {
  /** Batches per operation. */
  public static final int BATCHES = 16;

  /** Requests in flight, for both variants. */
  @Param({"4", "16"})
  public int inFlight;

  InstantKinesisEndpoint endpoint;
  KinesisAsyncClient client;
  KinesisSink sink;
  List<List<SinkRecord>> batches;
  List<PutRecordsRequest> requests;
  private long batchPayloadBytes;

  /** Records and payload bytes accepted, reported per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Accepted {
    /** Records accepted by the endpoint. */
    public long records;

    /** Payload bytes of the records accepted. */
    public long payloadBytes;

    /** Starts each iteration from zero. */
    @Setup(Level.Iteration)
    public void reset() {
      records = 0;
      payloadBytes = 0;
    }
  }

  /**
   * Starts the endpoint, builds the client, the sink and the batches.
   *
   * @throws Exception if the endpoint cannot start
   */
  @Setup
  public void setUp() throws Exception {
    endpoint = new InstantKinesisEndpoint();
    client = KinesisBatches.jsonClient(endpoint.uri(), KinesisSink.DEFAULT_MAX_CONCURRENCY);
    sink =
        KinesisSink.builder(PutRecordsRequestBenchmark.STREAM)
            .client(client)
            .maxRequestsInFlight(inFlight)
            .build();
    batches = new ArrayList<>();
    requests = new ArrayList<>();
    for (int b = 0; b < BATCHES; b++) {
      List<SinkRecord> batch =
          KinesisBatches.dockerBatch(
              KinesisBatches.BATCH_RECORDS, (long) b * KinesisBatches.BATCH_RECORDS);
      batches.add(batch);
      requests.addAll(sink.requestsFor(batch));
    }
    batchPayloadBytes = 0;
    for (SinkRecord r : batches.get(0)) {
      batchPayloadBytes += r.payload().length;
    }
  }

  /** Closes the sink, the client and the endpoint. */
  @TearDown
  public void tearDown() {
    sink.close();
    client.close();
    endpoint.close();
  }

  /**
   * logstream's sink.
   *
   * @param delivered the counters
   * @return the number of records delivered
   */
  @Benchmark
  public long sinkSend(Accepted delivered) {
    @SuppressWarnings("unchecked")
    CompletableFuture<List<RecordOutcome>>[] sent = new CompletableFuture[BATCHES];
    for (int b = 0; b < BATCHES; b++) {
      sent[b] = sink.send(batches.get(b)).toCompletableFuture();
    }
    long records = 0;
    long bytes = 0;
    for (int b = 0; b < BATCHES; b++) {
      List<RecordOutcome> outcomes = sent[b].join();
      List<SinkRecord> batch = batches.get(b);
      for (int i = 0; i < outcomes.size(); i++) {
        if (outcomes.get(i) instanceof RecordOutcome.Delivered) {
          records++;
          bytes += batch.get(i).payload().length;
        }
      }
    }
    delivered.records += records;
    delivered.payloadBytes += bytes;
    return records;
  }

  /**
   * The plain SDK loop.
   *
   * @param delivered the counters
   * @return the number of records delivered
   * @throws InterruptedException if interrupted waiting for a slot
   */
  @Benchmark
  public long sdkLoop(Accepted delivered) throws InterruptedException {
    Semaphore slots = new Semaphore(inFlight);
    @SuppressWarnings("unchecked")
    CompletableFuture<PutRecordsResponse>[] calls = new CompletableFuture[BATCHES];
    for (int b = 0; b < BATCHES; b++) {
      slots.acquire();
      calls[b] = client.putRecords(requests.get(b));
      calls[b].whenComplete((response, error) -> slots.release());
    }
    long records = 0;
    long bytes = 0;
    for (int b = 0; b < BATCHES; b++) {
      PutRecordsResponse response = calls[b].join();
      int accepted = response.records().size() - response.failedRecordCount();
      records += accepted;
      bytes += accepted == KinesisBatches.BATCH_RECORDS ? batchPayloadBytes : 0;
    }
    delivered.records += records;
    delivered.payloadBytes += bytes;
    return records;
  }
}
