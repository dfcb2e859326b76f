package dev.logstream.forward;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.random.RandomGenerator;

/**
 * A random source that hands out the given byte strings in order, one per {@link #nextBytes} call,
 * so nonces and salts are known in advance. Any other use, or a request of the wrong length, fails.
 */
final class FixedRandom implements RandomGenerator {
  private final Deque<byte[]> chunks = new ArrayDeque<>();

  FixedRandom(byte[]... chunks) {
    for (byte[] chunk : chunks) {
      this.chunks.add(chunk.clone());
    }
  }

  @Override
  public void nextBytes(byte[] bytes) {
    byte[] next = chunks.poll();
    if (next == null || next.length != bytes.length) {
      throw new AssertionError(
          "unexpected nextBytes("
              + bytes.length
              + "), next chunk "
              + (next == null ? "none" : next.length));
    }
    System.arraycopy(next, 0, bytes, 0, next.length);
  }

  @Override
  public long nextLong() {
    throw new UnsupportedOperationException("only nextBytes is scripted");
  }
}
