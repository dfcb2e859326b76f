package dev.logstream.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Under {@code always}, one fsync serves every append that arrived while the previous one ran. */
class GroupCommitTest {
  @TempDir Path dir;

  /** Holds the first record fsync until the test opens the gate; counts record fsyncs. */
  static final class GatedIo implements SegmentIo {
    final CountDownLatch firstForceEntered = new CountDownLatch(1);
    final CountDownLatch gate = new CountDownLatch(1);
    final AtomicInteger recordForces = new AtomicInteger();

    @Override
    public void force(MappedByteBuffer map, int offset, int length) throws IOException {
      if (offset >= SegmentFormat.HEADER_SIZE) { // header forces at allocation are not records
        recordForces.incrementAndGet();
        firstForceEntered.countDown();
        try {
          gate.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      SegmentIo.super.force(map, offset, length);
    }
  }

  @Test
  void always_appendsDuringAnFsync_shareTheNextOne() throws Exception {
    GatedIo io = new GatedIo();
    try (SegmentBuffer buffer =
        SegmentBuffer.builder(dir)
            .segmentSize(1 << 20)
            .maxSegments(4)
            .durability(Durability.always())
            .io(io)
            .open()) {
      byte[] r = new byte[100];
      long first = buffer.append(r, 0, r.length);
      CompletableFuture<Long> firstDurable = buffer.whenDurable(first);
      assertThat(io.firstForceEntered.await(10, TimeUnit.SECONDS)).isTrue();

      List<CompletableFuture<Long>> waiting = new ArrayList<>();
      for (int i = 0; i < 50; i++) { // all arrive while the first fsync is still running
        waiting.add(buffer.whenDurable(buffer.append(r, 0, r.length)));
      }
      assertThat(firstDurable).isNotDone();
      assertThat(waiting).noneMatch(CompletableFuture::isDone);

      io.gate.countDown();
      firstDurable.get(10, TimeUnit.SECONDS);
      for (CompletableFuture<Long> f : waiting) {
        f.get(10, TimeUnit.SECONDS);
      }
      assertThat(io.recordForces.get()).isEqualTo(2); // 51 appends, 2 fsyncs
      assertThat(buffer.metrics().durableSequence()).isEqualTo(51);
    }
  }
}
