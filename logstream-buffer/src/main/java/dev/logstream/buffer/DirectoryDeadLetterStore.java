package dev.logstream.buffer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.logstream.core.sink.FatalReason;
import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.RetryReason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link DeadLetterStore}: JSON lines in a directory, one file per UTC day, readable
 * with standard tools and replayable through {@link #replay(Path, Consumer)}.
 *
 * <h2>Layout</h2>
 *
 * <pre>
 * dead-letter/                         {@link #DEFAULT_DIRECTORY_NAME}, next to the buffer's segments
 *   .lock                              held while a store is open: one writer per directory
 *   dead-letters-2026-08-14.jsonl      letters whose last attempt fell on that UTC day
 *   dead-letters-2026-08-15.jsonl
 * </pre>
 *
 * <h2>Line format (version 1)</h2>
 *
 * <p>Each dead letter is one line: a JSON object (RFC 8259, UTF-8, no raw line breaks: Jackson
 * escapes them inside strings) followed by {@code '\n'}. The keys are always written in this order;
 * a reader must ignore keys it does not know, so later versions can add some.
 *
 * <pre>
 * {"version":1,"sequence":42,"outcome":"retryable","reason":"THROTTLED",
 *  "detail":"Rate exceeded for shard shardId-000000000001","attempts":17,
 *  "firstAttempt":"2026-08-14T10:00:00.123Z","lastAttempt":"2026-08-14T10:43:31.456Z",
 *  "payloadBytes":6,"payload":"aGVsbG8K"}
 * </pre>
 *
 * (shown on four lines here; one line in the file).
 *
 * <table>
 *   <caption>Fields</caption>
 *   <tr><th>key</th><th>JSON type</th><th>meaning</th></tr>
 *   <tr><td>{@code version}</td><td>number</td><td>format version, {@value #FORMAT_VERSION}</td></tr>
 *   <tr><td>{@code sequence}</td><td>number</td><td>the record's sequence number in the buffer
 *       ({@link DeadLetter#sequence()})</td></tr>
 *   <tr><td>{@code outcome}</td><td>string</td><td>{@code "fatal"} (could never be delivered as it
 *       is) or {@code "retryable"} (attempts or age ran out)</td></tr>
 *   <tr><td>{@code reason}</td><td>string</td><td>a {@link FatalReason} or {@link RetryReason}
 *       name</td></tr>
 *   <tr><td>{@code detail}</td><td>string</td><td>the destination's explanation, or the
 *       dispatcher's (e.g. both sizes for {@code TOO_LARGE})</td></tr>
 *   <tr><td>{@code attempts}</td><td>number</td><td>times sent; 0 if rejected before
 *       sending</td></tr>
 *   <tr><td>{@code firstAttempt}, {@code lastAttempt}</td><td>string</td><td>ISO-8601 UTC
 *       instants ({@link Instant#toString()})</td></tr>
 *   <tr><td>{@code payloadBytes}</td><td>number</td><td>the payload's length, checked on
 *       replay</td></tr>
 *   <tr><td>{@code payload}</td><td>string</td><td>the record's bytes exactly as stored, standard
 *       base64 with padding (RFC 4648 §4)</td></tr>
 * </table>
 *
 * <h2>Inspecting</h2>
 *
 * <pre>
 * jq -r .reason dead-letter/*.jsonl | sort | uniq -c              # how many, why
 * jq -r '[.sequence, .reason, .attempts, .detail] | @tsv' dead-letter/dead-letters-2026-08-14.jsonl
 * jq -r '.payload | @base64d' dead-letter/dead-letters-2026-08-14.jsonl   # the records themselves
 * </pre>
 *
 * <h2>Durability</h2>
 *
 * <p>{@link #write(List)} appends all its lines with one write and forces them to disk ({@link
 * FileChannel#force(boolean)}) before returning; a newly created file's directory entry is forced
 * too. A write that fails is cut back to where it started, so a failure never leaves half a line in
 * the middle of a file. A crash during a write can leave an unfinished last line: that write never
 * returned, so the dispatcher did not commit the record, which is read from the buffer again after
 * a restart. {@link #open(Path)} removes such unfinished lines, and {@link #replay(Path, Consumer)}
 * skips them. A crash after a write but before the buffer's commit can write a letter twice; the
 * sequence number identifies duplicates.
 */
public final class DirectoryDeadLetterStore implements DeadLetterStore {
  /** The directory name the buffer uses for dead letters, next to its segment files. */
  public static final String DEFAULT_DIRECTORY_NAME = "dead-letter";

  /** The version written in every line, and the only one {@link #replay} accepts. */
  public static final int FORMAT_VERSION = 1;

  /** Every dead-letter file's name starts with this, followed by the UTC date. */
  public static final String FILE_PREFIX = "dead-letters-";

  /** Every dead-letter file's name ends with this. */
  public static final String FILE_SUFFIX = ".jsonl";

  private static final String LOCK_FILE = ".lock";
  private static final Logger log = LoggerFactory.getLogger(DirectoryDeadLetterStore.class);
  private static final JsonFactory JSON = new JsonFactory();

  private final Path directory;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private LocalDate openDay;
  private FileChannel openFile;
  private boolean closed;

  private DirectoryDeadLetterStore(Path directory, FileChannel lockChannel, FileLock lock) {
    this.directory = directory;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Opens the store, creating the directory if needed, taking its lock and removing any unfinished
   * last line a crash left in its files.
   *
   * @param directory the dead-letter directory, typically {@code <buffer-directory>/}{@value
   *     #DEFAULT_DIRECTORY_NAME}
   * @return the open store
   * @throws IOException if the directory cannot be created, locked or repaired
   * @throws BufferException if another store, in this process or another, has the directory open
   */
  public static DirectoryDeadLetterStore open(Path directory) throws IOException {
    Objects.requireNonNull(directory, "directory");
    Files.createDirectories(directory);
    FileChannel lockChannel =
        FileChannel.open(
            directory.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      lockChannel.close();
      throw new BufferException(
          "dead-letter directory " + directory + " is already open in this process");
    } catch (IOException | RuntimeException e) {
      lockChannel.close();
      throw e;
    }
    if (lock == null) {
      lockChannel.close();
      throw new BufferException(
          "dead-letter directory " + directory + " is open in another process");
    }
    DirectoryDeadLetterStore store = new DirectoryDeadLetterStore(directory, lockChannel, lock);
    try {
      for (Path file : files(directory)) {
        repairTail(file);
      }
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
    return store;
  }

  /**
   * The directory this store writes to.
   *
   * @return the directory
   */
  public Path directory() {
    return directory;
  }

  /**
   * Appends the letters, each to the file of its last attempt's UTC day, and forces them to disk
   * before returning.
   *
   * @param letters the dead letters, in order
   * @throws IOException if they could not all be written and forced; nothing of the failed file's
   *     write is left behind
   * @throws IllegalStateException if the store is closed
   */
  @Override
  public synchronized void write(List<DeadLetter> letters) throws IOException {
    Objects.requireNonNull(letters, "letters");
    if (closed) {
      throw new IllegalStateException("dead-letter store " + directory + " is closed");
    }
    int from = 0;
    while (from < letters.size()) {
      LocalDate day = dayOf(letters.get(from));
      ByteArrayOutputStream lines = new ByteArrayOutputStream();
      int to = from;
      while (to < letters.size() && dayOf(letters.get(to)).equals(day)) {
        encode(letters.get(to), lines);
        to++;
      }
      append(day, lines.toByteArray());
      from = to;
    }
  }

  /**
   * Reads every letter of this store's directory; see {@link #replay(Path, Consumer)}.
   *
   * @param consumer receives each letter, oldest file first, in file order
   * @return the number of letters passed to {@code consumer}
   * @throws IOException if a file cannot be read
   * @throws BufferException if a complete line is not a valid dead letter, naming file and line
   */
  public long replay(Consumer<? super DeadLetter> consumer) throws IOException {
    return replay(directory, consumer);
  }

  /**
   * Reads every letter in a dead-letter directory, for example to send them again once the cause is
   * fixed: files in date order, lines in file order. An unfinished last line of a file (left by a
   * crash during a write that was never acknowledged) is skipped. Safe to call while a store writes
   * to the directory, and without opening one.
   *
   * @param directory the dead-letter directory
   * @param consumer receives each letter
   * @return the number of letters passed to {@code consumer}
   * @throws IOException if the directory or a file cannot be read
   * @throws BufferException if a complete line is not a valid version-1 dead letter, naming the
   *     file, the line number and what is wrong
   */
  public static long replay(Path directory, Consumer<? super DeadLetter> consumer)
      throws IOException {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(consumer, "consumer");
    long count = 0;
    for (Path file : files(directory)) {
      try (InputStream in = Files.newInputStream(file)) {
        LineReader lines = new LineReader(in);
        long lineNumber = 0;
        while (lines.next()) {
          lineNumber++;
          consumer.accept(decode(lines.bytes(), lines.length(), file, lineNumber));
          count++;
        }
        if (lines.unfinished() > 0) {
          log.warn(
              "dead-letter file {}: skipped an unfinished last line of {} bytes",
              file,
              lines.unfinished());
        }
      }
    }
    return count;
  }

  /**
   * Closes the open file and releases the directory's lock; further writes fail.
   *
   * @throws IOException if closing fails
   */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (openFile != null) {
        openFile.close();
        openFile = null;
      }
    } finally {
      try {
        if (lock.isValid()) {
          lock.release();
        }
      } finally {
        lockChannel.close();
      }
    }
  }

  @Override
  public String toString() {
    return "DirectoryDeadLetterStore{" + directory + '}';
  }

  /* --------------- writing --------------- */

  private void append(LocalDate day, byte[] bytes) throws IOException {
    FileChannel file = fileFor(day);
    long start = file.size();
    try {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        file.write(buffer);
      }
      file.force(true);
    } catch (IOException e) {
      try {
        file.truncate(start);
        file.force(true);
      } catch (IOException cutFailed) {
        e.addSuppressed(cutFailed);
        // reopening repairs the tail, or fails loudly
        openFile = null;
        openDay = null;
        file.close();
      }
      throw e;
    }
  }

  private FileChannel fileFor(LocalDate day) throws IOException {
    if (openFile != null && day.equals(openDay)) {
      return openFile;
    }
    if (openFile != null) {
      openFile.close();
      openFile = null;
      openDay = null;
    }
    Path path = directory.resolve(FILE_PREFIX + day + FILE_SUFFIX);
    boolean created = !Files.exists(path);
    if (!created) {
      repairTail(path);
    }
    FileChannel file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    file.position(file.size());
    if (created) {
      forceDirectory(directory);
    }
    openFile = file;
    openDay = day;
    return file;
  }

  private static LocalDate dayOf(DeadLetter letter) {
    return LocalDate.ofInstant(letter.lastAttempt(), ZoneOffset.UTC);
  }

  private static void encode(DeadLetter letter, ByteArrayOutputStream out) throws IOException {
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeNumberField("version", FORMAT_VERSION);
      json.writeNumberField("sequence", letter.sequence());
      json.writeStringField("outcome", letter.fatal() ? "fatal" : "retryable");
      json.writeStringField("reason", letter.reason());
      json.writeStringField("detail", letter.detail());
      json.writeNumberField("attempts", letter.attempts());
      json.writeStringField("firstAttempt", letter.firstAttempt().toString());
      json.writeStringField("lastAttempt", letter.lastAttempt().toString());
      json.writeNumberField("payloadBytes", letter.payload().length);
      json.writeStringField("payload", Base64.getEncoder().encodeToString(letter.payload()));
      json.writeEndObject();
    }
    out.write('\n');
  }

  /* --------------- reading --------------- */

  private static DeadLetter decode(byte[] line, int length, Path file, long lineNumber) {
    Long version = null;
    Long sequence = null;
    String outcome = null;
    String reason = null;
    String detail = null;
    Long attempts = null;
    String firstAttempt = null;
    String lastAttempt = null;
    Long payloadBytes = null;
    String payload = null;
    try (JsonParser json = JSON.createParser(line, 0, length)) {
      if (json.nextToken() != JsonToken.START_OBJECT) {
        throw bad(file, lineNumber, "not a JSON object");
      }
      while (json.nextToken() == JsonToken.FIELD_NAME) {
        String key = json.currentName();
        JsonToken value = json.nextToken();
        switch (key) {
          case "version" -> version = number(json, value, key, file, lineNumber);
          case "sequence" -> sequence = number(json, value, key, file, lineNumber);
          case "outcome" -> outcome = string(json, value, key, file, lineNumber);
          case "reason" -> reason = string(json, value, key, file, lineNumber);
          case "detail" -> detail = string(json, value, key, file, lineNumber);
          case "attempts" -> attempts = number(json, value, key, file, lineNumber);
          case "firstAttempt" -> firstAttempt = string(json, value, key, file, lineNumber);
          case "lastAttempt" -> lastAttempt = string(json, value, key, file, lineNumber);
          case "payloadBytes" -> payloadBytes = number(json, value, key, file, lineNumber);
          case "payload" -> payload = string(json, value, key, file, lineNumber);
          default -> json.skipChildren();
        }
      }
      if (json.nextToken() != null) {
        throw bad(file, lineNumber, "text after the JSON object");
      }
    } catch (JsonProcessingException e) {
      throw bad(file, lineNumber, "not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw bad(file, lineNumber, "not valid JSON: " + e.getMessage());
    }
    require(version, "version", file, lineNumber);
    if (version != FORMAT_VERSION) {
      throw bad(file, lineNumber, "version " + version + " is not supported, only 1");
    }
    require(sequence, "sequence", file, lineNumber);
    require(outcome, "outcome", file, lineNumber);
    require(reason, "reason", file, lineNumber);
    require(detail, "detail", file, lineNumber);
    require(attempts, "attempts", file, lineNumber);
    require(firstAttempt, "firstAttempt", file, lineNumber);
    require(lastAttempt, "lastAttempt", file, lineNumber);
    require(payloadBytes, "payloadBytes", file, lineNumber);
    require(payload, "payload", file, lineNumber);
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(payload);
    } catch (IllegalArgumentException e) {
      throw bad(file, lineNumber, "payload is not base64: " + e.getMessage());
    }
    if (bytes.length != payloadBytes) {
      throw bad(
          file,
          lineNumber,
          "payload has " + bytes.length + " bytes, payloadBytes says " + payloadBytes);
    }
    if (attempts < 0 || attempts > Integer.MAX_VALUE) {
      throw bad(
          file, lineNumber, "attempts must be in 0.." + Integer.MAX_VALUE + ", got " + attempts);
    }
    try {
      return new DeadLetter(
          sequence,
          bytes,
          outcome(outcome, reason, detail, file, lineNumber),
          (int) (long) attempts,
          Instant.parse(firstAttempt),
          Instant.parse(lastAttempt));
    } catch (DateTimeParseException e) {
      throw bad(file, lineNumber, "not an ISO-8601 instant: '" + e.getParsedString() + "'");
    } catch (IllegalArgumentException e) {
      throw bad(file, lineNumber, e.getMessage());
    }
  }

  private static RecordOutcome outcome(
      String outcome, String reason, String detail, Path file, long lineNumber) {
    try {
      return switch (outcome) {
        case "fatal" -> RecordOutcome.fatal(FatalReason.valueOf(reason), detail);
        case "retryable" -> RecordOutcome.retryable(RetryReason.valueOf(reason), detail);
        default ->
            throw bad(
                file,
                lineNumber,
                "outcome must be \"fatal\" or \"retryable\", got \"" + outcome + "\"");
      };
    } catch (IllegalArgumentException e) {
      throw bad(
          file,
          lineNumber,
          "reason \"" + reason + "\" is not a " + outcome.toLowerCase(Locale.ROOT) + " reason");
    }
  }

  private static Long number(JsonParser json, JsonToken value, String key, Path file, long line)
      throws IOException {
    if (value != JsonToken.VALUE_NUMBER_INT) {
      throw bad(file, line, key + " must be an integer, got " + json.getText());
    }
    return json.getLongValue();
  }

  private static String string(JsonParser json, JsonToken value, String key, Path file, long line)
      throws IOException {
    if (value != JsonToken.VALUE_STRING) {
      throw bad(file, line, key + " must be a string, got " + json.getText());
    }
    return json.getText();
  }

  private static void require(Object value, String key, Path file, long line) {
    if (value == null) {
      throw bad(file, line, "missing key \"" + key + "\"");
    }
  }

  private static BufferException bad(Path file, long line, String problem) {
    return new BufferException(
        "dead-letter file " + file.getFileName() + " line " + line + ": " + problem);
  }

  /** Splits a stream at {@code '\n'} bytes; keeps what follows the last one apart. */
  private static final class LineReader {
    private final InputStream in;
    private final byte[] chunk = new byte[64 * 1024];
    private int chunkStart;
    private int chunkEnd;
    private byte[] line = new byte[1024];
    private int length;
    private int unfinished;

    LineReader(InputStream in) {
      this.in = in;
    }

    /** Advances to the next complete line; false at the end, setting {@link #unfinished()}. */
    boolean next() throws IOException {
      length = 0;
      while (true) {
        if (chunkStart == chunkEnd) {
          int read = in.read(chunk);
          if (read < 0) {
            unfinished = length;
            return false;
          }
          chunkStart = 0;
          chunkEnd = read;
        }
        int newline = chunkStart;
        while (newline < chunkEnd && chunk[newline] != '\n') {
          newline++;
        }
        int take = newline - chunkStart;
        if (length + take > line.length) {
          line = Arrays.copyOf(line, Math.max(line.length * 2, length + take));
        }
        System.arraycopy(chunk, chunkStart, line, length, take);
        length += take;
        if (newline < chunkEnd) {
          chunkStart = newline + 1;
          return true;
        }
        chunkStart = chunkEnd;
      }
    }

    byte[] bytes() {
      return line;
    }

    int length() {
      return length;
    }

    int unfinished() {
      return unfinished;
    }
  }

  /* --------------- files --------------- */

  private static List<Path> files(Path directory) throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> entries =
        Files.newDirectoryStream(directory, FILE_PREFIX + "*" + FILE_SUFFIX)) {
      for (Path entry : entries) {
        if (Files.isRegularFile(entry)) {
          files.add(entry);
        }
      }
    }
    files.sort(null);
    return files;
  }

  /** Cuts an unfinished last line (no trailing newline) left by a crash during a write. */
  private static void repairTail(Path path) throws IOException {
    try (FileChannel file =
        FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = file.size();
      if (size == 0 || lastByte(file, size) == '\n') {
        return;
      }
      long keep = afterLastNewline(file, size);
      file.truncate(keep);
      file.force(true);
      log.warn(
          "dead-letter file {}: removed an unfinished last line of {} bytes left by a crash"
              + " (its write was never acknowledged, so the record is still in the buffer)",
          path,
          size - keep);
    }
  }

  private static int lastByte(FileChannel file, long size) throws IOException {
    ByteBuffer one = ByteBuffer.allocate(1);
    file.read(one, size - 1);
    return one.get(0);
  }

  private static long afterLastNewline(FileChannel file, long size) throws IOException {
    ByteBuffer block = ByteBuffer.allocate(8192);
    long end = size;
    while (end > 0) {
      long start = Math.max(0, end - block.capacity());
      block.clear().limit((int) (end - start));
      while (block.hasRemaining()) {
        if (file.read(block, start + block.position()) < 0) {
          throw new IOException("dead-letter file shrank while being repaired");
        }
      }
      for (int i = (int) (end - start) - 1; i >= 0; i--) {
        if (block.get(i) == '\n') {
          return start + i + 1;
        }
      }
      end = start;
    }
    return 0;
  }

  private static void forceDirectory(Path directory) throws IOException {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      // Windows cannot open a directory as a channel; its file system orders the entry anyway.
      if (!System.getProperty("os.name", "").startsWith("Windows")) {
        throw e;
      }
    }
  }
}
