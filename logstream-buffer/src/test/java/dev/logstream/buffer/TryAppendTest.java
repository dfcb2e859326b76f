package dev.logstream.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The non-blocking append path a server's event loop uses: tryAppendAll and whenRoomFor. */
class TryAppendTest {

  private static final int SEGMENT = 64 << 10;
  private static final List<ByteBuffer> BIG = List.of(ByteBuffer.wrap(new byte[30_000]));

  @TempDir Path dir;

  private SegmentBuffer open(OverflowPolicy overflow) throws IOException {
    return SegmentBuffer.builder(dir)
        .segmentSize(SEGMENT)
        .maxSegments(2)
        .durability(Durability.never())
        .overflow(overflow)
        .open();
  }

  private static void fill(SegmentBuffer buffer) {
    for (int i = 0; i < 4; i++) {
      buffer.appendAll(BIG);
    }
  }

  @Test
  void tryAppendAll_withRoom_appendsLikeAppendAll() throws IOException {
    try (SegmentBuffer buffer = open(OverflowPolicy.block())) {
      AppendResult result =
          buffer.tryAppendAll(
              List.of(ByteBuffer.wrap(new byte[] {1}), ByteBuffer.wrap(new byte[2])));
      assertThat(result.firstSequence()).isEqualTo(1);
      assertThat(result.lastSequence()).isEqualTo(2);
      assertThat(result.durable()).isCompletedWithValue(2L);
    }
  }

  @Test
  void tryAppendAll_blockPolicyAndFull_returnsNullWithoutWaitingOrStoring() throws IOException {
    try (SegmentBuffer buffer = open(OverflowPolicy.block())) {
      fill(buffer);
      assertThat(buffer.tryAppendAll(BIG)).isNull();
      BufferMetrics m = buffer.metrics();
      assertThat(m.lastSequence()).isEqualTo(4);
      assertThat(m.appendsBlocked()).isZero();
      assertThat(m.appendsRejected()).isZero();
    }
  }

  @Test
  void whenRoomFor_full_completesOnlyWhenACommitFreesASegment() throws IOException {
    try (SegmentBuffer buffer = open(OverflowPolicy.block())) {
      fill(buffer);
      assertThat(buffer.tryAppendAll(BIG)).isNull();
      CompletableFuture<Void> room = buffer.whenRoomFor(BIG);
      assertThat(room).isNotDone();
      buffer.commit(1); // half a segment: nothing freed
      assertThat(room).isNotDone();
      buffer.commit(2);
      assertThat(room).isCompleted();
      assertThat(buffer.tryAppendAll(BIG).firstSequence()).isEqualTo(5);
    }
  }

  @Test
  void whenRoomFor_batchFits_completesAtOnce() throws IOException {
    try (SegmentBuffer buffer = open(OverflowPolicy.block())) {
      buffer.appendAll(BIG);
      assertThat(buffer.whenRoomFor(BIG)).isCompleted();
    }
  }

  @Test
  void whenRoomFor_bufferClosed_completesSoTheNextAppendReportsIt() throws IOException {
    SegmentBuffer buffer = open(OverflowPolicy.block());
    fill(buffer);
    CompletableFuture<Void> room = buffer.whenRoomFor(BIG);
    buffer.close();
    assertThat(room).isCompleted();
    assertThatThrownBy(() -> buffer.tryAppendAll(BIG))
        .isInstanceOf(BufferFailedException.class)
        .hasMessage("buffer " + dir + " is closed");
  }

  @Test
  void whenRoomFor_manyWaiters_allCompleteAtOneRelease() throws IOException {
    try (SegmentBuffer buffer = open(OverflowPolicy.block())) {
      fill(buffer);
      List<CompletableFuture<Void>> waiters =
          List.of(buffer.whenRoomFor(BIG), buffer.whenRoomFor(BIG), buffer.whenRoomFor(BIG));
      assertThat(waiters).noneMatch(CompletableFuture::isDone);
      buffer.commit(2);
      assertThat(waiters).allMatch(CompletableFuture::isDone);
    }
  }

  @Test
  void tryAppendAll_rejectPolicy_throwsLikeAppendAll() throws IOException {
    try (SegmentBuffer buffer = open(OverflowPolicy.reject())) {
      fill(buffer);
      assertThatThrownBy(() -> buffer.tryAppendAll(BIG))
          .isInstanceOf(BufferFullException.class)
          .hasMessageEndingWith("overflow policy reject");
    }
  }

  @Test
  void tryAppendAll_dropOldestPolicy_dropsAndAppends() throws IOException {
    try (SegmentBuffer buffer = open(OverflowPolicy.dropOldest())) {
      fill(buffer);
      assertThat(buffer.tryAppendAll(BIG).firstSequence()).isEqualTo(5);
      assertThat(buffer.metrics().recordsLostOverflow()).isEqualTo(2);
    }
  }

  @Test
  void tryAppendAll_batchLargerThanTheWholeBuffer_throwsFull() throws IOException {
    try (SegmentBuffer buffer = open(OverflowPolicy.block())) {
      List<ByteBuffer> huge =
          List.of(
              ByteBuffer.wrap(new byte[60_000]),
              ByteBuffer.wrap(new byte[60_000]),
              ByteBuffer.wrap(new byte[60_000]));
      assertThatThrownBy(() -> buffer.tryAppendAll(huge))
          .isInstanceOf(BufferFullException.class)
          .hasMessageContaining("needs 3 new segments, more than maxSegments 2");
    }
  }
}
