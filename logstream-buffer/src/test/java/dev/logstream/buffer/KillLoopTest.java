package dev.logstream.buffer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kill -9 loop: a child JVM ({@link KillLoopChild}) appends, reads and commits on a buffer
 * directory; the test kills it with {@code SIGKILL} at a random moment, reopens the directory
 * in-process, checks it against what the child reported, closes it, and starts the next child on
 * the same directory (so recovery runs on what earlier recoveries left).
 *
 * <p>The oracle holds every record the test knows must be on disk: each record a child acknowledged
 * (its durability future completed) and each record an earlier recovery returned, until the
 * checkpoint shows it delivered. After every kill:
 *
 * <ul>
 *   <li>every oracle record above the checkpoint is read back exactly once, at its sequence, with
 *       exactly its bytes ({@link KillLoopPayload#expected});
 *   <li>no record is read twice, nor read again after the checkpoint passed it, and every record
 *       verifies;
 *   <li>the sequences read run without a gap from the checkpoint + 1 to the report's last sequence;
 *   <li>the report names no damage other than torn tails (a frame the kill cut short), no loss, no
 *       quarantine, no unknown file; the checkpoint never exceeds a commit the child announced and
 *       never goes back;
 *   <li>a sequence a child acknowledged was never held by another known record, and a child
 *       recovers the same sequences and checkpoint as the test's reopen before it;
 *   <li>for {@code interval}: the sequence the child last saw covered by an {@code fsync} exists.
 * </ul>
 *
 * <p>{@code SIGKILL} keeps the page cache, so it cannot show what power loss would lose; it shows
 * that every acknowledged record is in the mapping and that recovery reads it back. The number of
 * kills per durability level is {@code -Dlogstream.killLoop.kills} (default 12; {@code -Pkill-loop}
 * sets 100); {@code -Dlogstream.killLoop.seed} repeats a run's random choices (the kill timing
 * itself is not reproducible).
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "the kill must be SIGKILL")
class KillLoopTest {
  private static final int KILLS = Integer.getInteger("logstream.killLoop.kills", 12);
  private static final long SEED = Long.getLong("logstream.killLoop.seed", System.nanoTime());
  private static final int WRITERS = 3;
  private static final int MAX_SEGMENTS = 8;
  private static final Pattern TORN_TAIL =
      Pattern.compile("(segment-\\d{20}\\.seg): torn tail cut at offset (\\d+) \\(.*\\)");

  @TempDir Path temp;

  @Test
  void killLoop_durabilityAlways_everyAcknowledgedRecordSurvivesExactlyOnce() throws Exception {
    Summary s = new Loop("always", Durability.always(), 64 << 10, SEED).run();

    assertThat(s.kills).isEqualTo(KILLS);
    assertThat(s.acked).isPositive();
    assertThat(s.ackedVerified).isPositive();
    assertThat(s.duplicates).isZero();
  }

  @Test
  void killLoop_durabilityInterval_everyRecordAcknowledgedBeforeTheLastFsyncSurvivesExactlyOnce()
      throws Exception {
    Summary s =
        new Loop("interval:20", Durability.interval(Duration.ofMillis(20)), 128 << 10, SEED + 1)
            .run();

    assertThat(s.kills).isEqualTo(KILLS);
    assertThat(s.acked).isPositive();
    assertThat(s.ackedVerified).isPositive();
    // Every acked record is checked, which is stronger than "acked before the last fsync". How
    // many of them were also fsynced at the kill depends on timing (often none when the child's
    // reader keeps its backlog short), so it is reported in the summary, not asserted.
    assertThat(s.duplicates).isZero();
  }

  /** What one mode's loop saw, printed as one line. */
  static final class Summary {
    final String mode;
    int kills;
    int earlyKills;
    long acked;
    long ackedVerified;
    long ackedBeforeFsync;
    long recordsChecked;
    long committed;
    int tornTails;
    long duplicates;
    long appendsBlocked;
    long fsyncs;
    long millis;

    Summary(String mode) {
      this.mode = mode;
    }

    @Override
    public String toString() {
      return String.format(
          "kill-loop %s: %d kills (%d within 40 ms of startup), %d records acked, %d acked records"
              + " verified after a kill (%d of them at or below the last durableSequence the"
              + " child saw), %d record checks after reopen, checkpoint at %d, %d torn tails"
              + " cut, %d duplicates; %d appends blocked on a full buffer, %d fsyncs; %.1f s",
          mode,
          kills,
          earlyKills,
          acked,
          ackedVerified,
          ackedBeforeFsync,
          recordsChecked,
          committed,
          tornTails,
          duplicates,
          appendsBlocked,
          fsyncs,
          millis / 1000.0);
    }
  }

  /** A record the oracle expects at a sequence. */
  private record Expected(int writer, long counter, boolean acked, boolean beforeFsync) {}

  /** One record read back after a kill. */
  private record Read(long sequence, int writer, long counter, boolean exact) {}

  private final class Loop {
    private final String durabilityArg;
    private final Durability durability;
    private final int segmentSize;
    private final SplittableRandom random;
    private final Path directory;
    private final Summary summary;

    /** Sequence → record for every record that must still be on disk. */
    private final NavigableMap<Long, Expected> oracle = new TreeMap<>();

    /** Acked records not yet verified after a kill. */
    private final Set<Long> ackedUnverified = new HashSet<>();

    /** Per writer, the highest counter whose record the checkpoint shows delivered. */
    private final Map<Integer, Long> deliveredCounter = new HashMap<>();

    private final Set<String> tornTailsSeen = new HashSet<>();
    private long maxCommitting;
    private long checkpoint;
    private boolean checkpointSeen;
    private long lastSequence;

    Loop(String durabilityArg, Durability durability, int segmentSize, long seed) {
      this.durabilityArg = durabilityArg;
      this.durability = durability;
      this.segmentSize = segmentSize;
      this.random = new SplittableRandom(seed);
      this.directory = temp.resolve("buffer");
      this.summary = new Summary(durabilityArg);
    }

    Summary run() throws Exception {
      long start = System.nanoTime();
      for (int kill = 0; kill < KILLS; kill++) {
        int runId = kill + 1;
        ChildRun child = runAndKill(runId);
        List<String> context = List.of("seed " + SEED, "kill " + runId + " of " + KILLS);
        fold(child, context);
        verifyRecovery(child, context);
      }
      summary.millis = (System.nanoTime() - start) / 1_000_000;
      summary.tornTails = tornTailsSeen.size();
      summary.committed = checkpoint;
      System.out.println(summary);
      return summary;
    }

    /** Starts a child, kills it at a random moment, and returns what it reported. */
    private ChildRun runAndKill(int runId) throws Exception {
      Path stderr = temp.resolve("child-" + runId + ".stderr");
      List<String> command =
          List.of(
              ProcessHandle.current().info().command().orElseThrow(),
              "-Xmx128m",
              "-XX:+UseSerialGC",
              "-XX:TieredStopAtLevel=1",
              "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
              "-cp",
              System.getProperty("java.class.path"),
              KillLoopChild.class.getName(),
              directory.toString(),
              durabilityArg,
              Long.toString(random.nextLong()),
              Integer.toString(segmentSize),
              Integer.toString(MAX_SEGMENTS),
              Integer.toString(WRITERS),
              Integer.toString(runId),
              Integer.toString(10 + random.nextInt(90)));
      Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
      ChildRun child = new ChildRun(process, stderr);
      try {
        // every fifth kill lands while the child opens (recovers) the buffer or starts appending
        boolean early = runId % 5 == 0;
        CompletableFuture<Void> signal = early ? child.opening : child.appending;
        long delayMillis = early ? random.nextInt(40) : 50 + random.nextInt(351);
        awaitSignal(child, signal);
        if (process.waitFor(delayMillis, TimeUnit.MILLISECONDS)) {
          child.join();
          throw new AssertionError(
              "child " + runId + " exited by itself with " + process.exitValue() + child.tail());
        }
        // SIGKILL through the handle: Process.destroyForcibly() would also close the pipes and
        // cut off the last lines the child wrote
        process.toHandle().destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("child %d died", runId).isTrue();
        child.join();
        assertThat(child.errors).as("child %d reported%s", runId, child.tail()).isEmpty();
        assertThat(process.exitValue()).as("child %d killed by SIGKILL", runId).isEqualTo(137);
        summary.kills++;
        summary.appendsBlocked += child.appendsBlocked;
        summary.fsyncs += child.fsyncs;
        if (early) {
          summary.earlyKills++;
        }
        return child;
      } finally {
        process.destroyForcibly();
      }
    }

    private void awaitSignal(ChildRun child, CompletableFuture<Void> signal) throws Exception {
      try {
        signal.get(60, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        child.process.toHandle().destroyForcibly();
        child.process.waitFor(30, TimeUnit.SECONDS);
        child.join();
        throw new AssertionError("child did not get going" + child.tail(), e);
      }
    }

    /** Adds the child's acknowledged records to the oracle. */
    private void fold(ChildRun child, List<String> context) {
      List<String> violations = new ArrayList<>();
      if (child.readyLastSequence >= 0
          && (child.readyLastSequence != lastSequence || child.readyCommitted != checkpoint)) {
        violations.add(
            "the child recovered sequences up to "
                + child.readyLastSequence
                + " committed through "
                + child.readyCommitted
                + ", the test's reopen before it "
                + lastSequence
                + " and "
                + checkpoint);
      }
      maxCommitting = Math.max(maxCommitting, child.maxCommitting);
      for (long[] ack : child.acked) {
        long first = ack[0];
        long last = ack[1];
        int writer = (int) ack[2];
        long counter = ack[3];
        for (long sequence = first; sequence <= last; sequence++, counter++) {
          summary.acked++;
          if (sequence <= lastSequence) {
            violations.add(
                "acked sequence "
                    + sequence
                    + " is not above the last sequence "
                    + lastSequence
                    + " after the previous recovery");
          }
          Expected expected = new Expected(writer, counter, true, sequence <= child.maxDurable);
          Expected before = oracle.put(sequence, expected);
          if (before != null) {
            violations.add(
                "sequence " + sequence + " acked for " + expected + " but held " + before);
          }
          ackedUnverified.add(sequence);
        }
      }
      assertThat(violations).as("acknowledgements, %s", context).isEmpty();
    }

    private void verifyRecovery(ChildRun child, List<String> context) throws IOException {
      List<String> violations = new ArrayList<>();
      List<Read> reads = new ArrayList<>();
      RecoveryReport report;
      long reopenedLastSequence;
      try (SegmentBuffer buffer =
          SegmentBuffer.builder(directory)
              .segmentSize(segmentSize)
              .maxSegments(MAX_SEGMENTS)
              .durability(durability)
              .open()) {
        report = buffer.recoveryReport();
        reopenedLastSequence = buffer.metrics().lastSequence();
        try (BufferReader reader = buffer.openReader()) {
          while (reader.read(
                  1024,
                  Long.MAX_VALUE,
                  (sequence, view) ->
                      reads.add(
                          new Read(
                              sequence,
                              KillLoopPayload.writer(view),
                              KillLoopPayload.writer(view) < 0 ? -1 : KillLoopPayload.counter(view),
                              KillLoopPayload.verify(view))))
              > 0) {}
        }
        assertThat(buffer.metrics().recordsLostCorruption()).isZero();
      }
      List<String> reportContext = new ArrayList<>(context);
      reportContext.add(report.summary());
      reportContext.addAll(report.problems());
      checkReport(report, child, violations);
      checkReads(report, reads, violations);
      assertThat(violations).as("recovery after a kill, %s", reportContext).isEmpty();
      advance(report, reads);
      lastSequence = reopenedLastSequence;
    }

    private void checkReport(RecoveryReport report, ChildRun child, List<String> violations) {
      int newTornTails = 0;
      for (String problem : report.problems()) {
        Matcher m = TORN_TAIL.matcher(problem);
        if (!m.matches()) {
          violations.add("problem other than a torn tail: " + problem);
        } else if (tornTailsSeen.add(m.group(1) + "@" + m.group(2))) {
          newTornTails++;
        }
      }
      if (newTornTails > 1) {
        // only the segment being written when the kill came can hold a frame cut short
        violations.add(newTornTails + " new torn tails after one kill");
      }
      if (report.recordsLost() != 0
          || report.segmentsQuarantined() != 0
          || !report.unknownFiles().isEmpty()) {
        violations.add("report shows loss, quarantine or unknown files: " + report);
      }
      switch (report.checkpoint()) {
        case VALID -> checkpointSeen = true;
        case MISSING -> {
          if (checkpointSeen) {
            violations.add("checkpoint missing after a valid one was seen");
          }
        }
        default -> violations.add("checkpoint " + report.checkpoint());
      }
      if (report.committedSequence() > maxCommitting) {
        violations.add(
            "checkpoint "
                + report.committedSequence()
                + " is beyond every commit announced (at most "
                + maxCommitting
                + ")");
      }
      if (report.committedSequence() < checkpoint) {
        violations.add(
            "checkpoint went back from " + checkpoint + " to " + report.committedSequence());
      }
      if (report.lastSequence() < child.maxDurable) {
        violations.add(
            "the child saw sequence "
                + child.maxDurable
                + " fsynced but recovery found only up to "
                + report.lastSequence());
      }
    }

    private void checkReads(RecoveryReport report, List<Read> reads, List<String> violations) {
      long floor = report.committedSequence();
      long expectedNext = floor + 1;
      Map<Long, Long> seenKeys = new HashMap<>();
      Map<Long, Read> bySequence = new HashMap<>();
      for (Read r : reads) {
        summary.recordsChecked++;
        if (r.sequence != expectedNext) {
          violations.add("read sequence " + r.sequence + ", expected " + expectedNext);
        }
        expectedNext = r.sequence + 1;
        if (!r.exact) {
          violations.add("record " + r.sequence + " does not verify: " + r);
          continue;
        }
        Long other = seenKeys.put(key(r.writer, r.counter), r.sequence);
        if (other != null) {
          summary.duplicates++;
          violations.add("duplicate: " + r + " also at sequence " + other);
        }
        Long delivered = deliveredCounter.get(r.writer);
        if (delivered != null && r.counter <= delivered) {
          summary.duplicates++;
          violations.add(
              "duplicate: "
                  + r
                  + " read again although writer "
                  + r.writer
                  + " was delivered through counter "
                  + delivered);
        }
        bySequence.put(r.sequence, r);
      }
      long expectedCount = Math.max(0, report.lastSequence() - floor);
      if (reads.size() != expectedCount || report.recordsRecovered() != expectedCount) {
        violations.add(
            "read "
                + reads.size()
                + " records, report says "
                + report.recordsRecovered()
                + ", sequences "
                + (floor + 1)
                + ".."
                + report.lastSequence()
                + " hold "
                + expectedCount);
      }
      int missing = 0;
      for (Map.Entry<Long, Expected> e : oracle.tailMap(floor, false).entrySet()) {
        long sequence = e.getKey();
        Expected expected = e.getValue();
        Read r = bySequence.get(sequence);
        if (r == null || r.writer != expected.writer || r.counter != expected.counter) {
          if (missing++ < 20) {
            violations.add(
                (expected.acked ? "acked " : "recovered ")
                    + "record "
                    + expected
                    + " at sequence "
                    + sequence
                    + " is "
                    + (r == null ? "missing" : "replaced by " + r));
          }
          continue;
        }
        if (expected.acked && ackedUnverified.remove(sequence)) {
          summary.ackedVerified++;
          if (expected.beforeFsync) {
            summary.ackedBeforeFsync++;
          }
        }
      }
      if (missing > 20) {
        violations.add((missing - 20) + " more records missing");
      }
    }

    /** Moves the oracle past what the checkpoint delivered and adds what recovery returned. */
    private void advance(RecoveryReport report, List<Read> reads) {
      long floor = report.committedSequence();
      NavigableMap<Long, Expected> delivered = oracle.headMap(floor, true);
      for (Map.Entry<Long, Expected> e : delivered.entrySet()) {
        deliveredCounter.merge(e.getValue().writer, e.getValue().counter, Math::max);
        ackedUnverified.remove(e.getKey());
      }
      delivered.clear();
      for (Read r : reads) {
        oracle.putIfAbsent(r.sequence, new Expected(r.writer, r.counter, false, false));
      }
      checkpoint = floor;
    }
  }

  private static long key(int writer, long counter) {
    return ((long) writer << 40) | counter;
  }

  /** A child process and what it reported on stdout, read by a thread until the child dies. */
  private static final class ChildRun {
    final Process process;
    final Path stderr;
    final CompletableFuture<Void> opening = new CompletableFuture<>();
    final CompletableFuture<Void> appending = new CompletableFuture<>();
    final List<long[]> acked = new ArrayList<>();
    final List<String> errors = new ArrayList<>();
    long readyLastSequence = -1;
    long readyCommitted = -1;
    long maxCommitting;
    long maxDurable;
    long appendsBlocked;
    long fsyncs;
    private final Thread thread;

    ChildRun(Process process, Path stderr) {
      this.process = process;
      this.stderr = stderr;
      this.thread = new Thread(this::readStdout, "kill-loop-stdout");
      thread.start();
    }

    private void readStdout() {
      try (BufferedReader in =
          new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8), 1 << 16)) {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
          if (c == '\n') {
            parse(line.toString());
            line.setLength(0);
          } else {
            line.append((char) c);
          }
        }
        // a last line without its newline was cut by the kill: ignored
      } catch (IOException | RuntimeException e) {
        errors.add("reading stdout: " + e);
      } finally {
        IllegalStateException gone = new IllegalStateException("child stdout closed");
        opening.completeExceptionally(gone);
        appending.completeExceptionally(gone);
      }
    }

    private void parse(String line) {
      String[] f = line.split(" ");
      switch (f[0]) {
        case "opening" -> opening.complete(null);
        case "ready" -> {
          readyLastSequence = Long.parseLong(f[1]);
          readyCommitted = Long.parseLong(f[2]);
        }
        case "appending" -> appending.complete(null);
        case "acked" ->
            acked.add(
                new long[] {
                  Long.parseLong(f[1]),
                  Long.parseLong(f[2]),
                  Long.parseLong(f[3]),
                  Long.parseLong(f[4])
                });
        case "durable" -> maxDurable = Math.max(maxDurable, Long.parseLong(f[1]));
        case "committing" -> maxCommitting = Math.max(maxCommitting, Long.parseLong(f[1]));
        case "committed" -> {}
        case "stats" -> {
          appendsBlocked = Long.parseLong(f[1]);
          fsyncs = Long.parseLong(f[2]);
        }
        case "error" -> errors.add(line);
        default -> {
          if (!line.isEmpty()) {
            errors.add("unexpected line: " + line);
          }
        }
      }
    }

    void join() throws InterruptedException {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    }

    String tail() {
      StringBuilder s = new StringBuilder();
      errors.forEach(e -> s.append("\n  ").append(e));
      try {
        List<String> lines = Files.readAllLines(stderr);
        s.append("\n  stderr:");
        lines
            .subList(Math.max(0, lines.size() - 40), lines.size())
            .forEach(l -> s.append("\n  ").append(l));
      } catch (IOException e) {
        s.append("\n  (no stderr: ").append(e).append(')');
      }
      return s.toString();
    }
  }
}
