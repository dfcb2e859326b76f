package dev.logstream.buffer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Keeps dead letters in a list; can be told to fail its next writes. */
final class InMemoryDeadLetterStore implements DeadLetterStore {
  private final List<DeadLetter> letters = new ArrayList<>();
  private int failures;
  private int writes;

  void failNextWrites(int count) {
    failures = count;
  }

  @Override
  public synchronized void write(List<DeadLetter> batch) throws IOException {
    writes++;
    if (failures > 0) {
      failures--;
      throw new IOException("No space left on device");
    }
    letters.addAll(batch);
  }

  synchronized List<DeadLetter> letters() {
    return List.copyOf(letters);
  }

  synchronized int writes() {
    return writes;
  }
}
