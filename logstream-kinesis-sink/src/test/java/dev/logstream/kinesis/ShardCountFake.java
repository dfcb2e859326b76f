package dev.logstream.kinesis;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;
import software.amazon.awssdk.services.kinesis.model.LimitExceededException;
import software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;

/**
 * An in-process {@code DescribeStreamSummary} for the capacity monitor: answers scripted open shard
 * counts (a negative count answers {@code LimitExceededException}, a describe failure no emulator
 * produces on demand) and counts the calls, which a real endpoint cannot tell. After the script
 * runs out it repeats the last answer.
 */
final class ShardCountFake implements KinesisAsyncClient {
  final AtomicInteger calls = new AtomicInteger();
  volatile DescribeStreamSummaryRequest lastRequest;
  private final Deque<Integer> script = new ArrayDeque<>();
  private int last;

  ShardCountFake(int... answers) {
    for (int a : answers) {
      script.add(a);
    }
  }

  @Override
  public synchronized CompletableFuture<DescribeStreamSummaryResponse> describeStreamSummary(
      DescribeStreamSummaryRequest request) {
    calls.incrementAndGet();
    lastRequest = request;
    if (!script.isEmpty()) {
      last = script.poll();
    }
    if (last < 0) {
      return CompletableFuture.failedFuture(
          LimitExceededException.builder().message("Rate exceeded for stream").build());
    }
    return CompletableFuture.completedFuture(
        DescribeStreamSummaryResponse.builder()
            .streamDescriptionSummary(
                StreamDescriptionSummary.builder().openShardCount(last).build())
            .build());
  }

  @Override
  public String serviceName() {
    return "kinesis";
  }

  @Override
  public void close() {}
}
