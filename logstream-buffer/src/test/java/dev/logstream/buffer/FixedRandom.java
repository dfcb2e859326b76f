package dev.logstream.buffer;

import java.util.random.RandomGenerator;

/** A random source whose {@link #nextDouble()} always returns the same value; nothing else. */
final class FixedRandom implements RandomGenerator {
  private final double value;
  private int calls;

  FixedRandom(double value) {
    if (!(value >= 0.0 && value < 1.0)) {
      throw new IllegalArgumentException("value must be in [0, 1), got " + value);
    }
    this.value = value;
  }

  /** The midpoint: jitter factor exactly 1. */
  static FixedRandom middle() {
    return new FixedRandom(0.5);
  }

  @Override
  public double nextDouble() {
    calls++;
    return value;
  }

  @Override
  public long nextLong() {
    throw new UnsupportedOperationException("only nextDouble is scripted");
  }

  int calls() {
    return calls;
  }
}
