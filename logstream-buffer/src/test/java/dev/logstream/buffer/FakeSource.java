package dev.logstream.buffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An in-memory {@link RecordSource}. Like a mapped segment, it passes each payload through one
 * reused buffer that is overwritten after the call, so a consumer that keeps the view instead of
 * copying sees garbage.
 */
final class FakeSource implements RecordSource {
  private final List<Long> sequences = new ArrayList<>();
  private final List<byte[]> payloads = new ArrayList<>();
  private final List<Long> commits = new ArrayList<>();
  private final ByteBuffer shared = ByteBuffer.allocate(1 << 16);
  private int cursor;
  private long nextSequence;
  private int reads;

  /** Adds a record with the next sequence number; returns it. */
  long add(byte[] payload) {
    long sequence = nextSequence++;
    sequences.add(sequence);
    payloads.add(payload.clone());
    return sequence;
  }

  long add(String payload) {
    return add(payload.getBytes(StandardCharsets.UTF_8));
  }

  /** Adds {@code count} records of {@code size} bytes each, filled with their sequence number. */
  void addRecords(int count, int size) {
    for (int i = 0; i < count; i++) {
      byte[] payload = new byte[size];
      java.util.Arrays.fill(payload, (byte) nextSequence);
      add(payload);
    }
  }

  /** Skips sequence numbers, as a buffer does after dropping or losing records. */
  void skip(long count) {
    nextSequence += count;
  }

  boolean contains(long sequence) {
    return sequences.contains(sequence);
  }

  /** The highest sequence added, or -1. */
  long lastSequence() {
    return sequences.isEmpty() ? -1 : sequences.get(sequences.size() - 1);
  }

  byte[] payload(long sequence) {
    return payloads.get(sequences.indexOf(sequence));
  }

  @Override
  public int read(int maxRecords, long maxBytes, RecordConsumer consumer) {
    reads++;
    int count = 0;
    long bytes = 0;
    while (cursor < sequences.size() && count < maxRecords) {
      byte[] payload = payloads.get(cursor);
      if (count > 0 && bytes + payload.length > maxBytes) {
        break;
      }
      shared.clear();
      shared.put(payload).flip();
      consumer.accept(sequences.get(cursor), shared.asReadOnlyBuffer());
      shared.clear();
      while (shared.hasRemaining()) {
        shared.put((byte) 0x5A); // what a reused mapping would show next
      }
      cursor++;
      count++;
      bytes += payload.length;
    }
    return count;
  }

  @Override
  public boolean awaitRecords(Duration timeout) {
    return cursor < sequences.size();
  }

  @Override
  public void commit(long sequence) {
    if (!commits.isEmpty() && sequence < commits.get(commits.size() - 1)) {
      throw new AssertionError("commit went back from " + lastCommit() + " to " + sequence);
    }
    commits.add(sequence);
  }

  /** The last committed sequence, or -1. */
  long lastCommit() {
    return commits.isEmpty() ? -1 : commits.get(commits.size() - 1);
  }

  List<Long> commits() {
    return commits;
  }

  /** How many records were read. */
  int readCount() {
    return cursor;
  }

  int readCalls() {
    return reads;
  }
}
