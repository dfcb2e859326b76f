package dev.logstream.kinesis.mock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Installs a Kinesis emulator from npm (pinned version) into a cache directory once and finds its
 * entry point.
 *
 * <p>The cache root defaults to {@code ~/.cache/logstream}, each emulator in {@code
 * <package>-<version>} below it, so every worktree and every fresh clone on a machine shares one
 * install (about 1 to 6 s with a warm npm cache); the system property {@value #DIR_PROPERTY}
 * overrides the root. An install goes into a sibling temporary directory that is renamed into place
 * only when npm succeeded, so a JVM killed mid-install or two builds installing at once never leave
 * a half-installed package behind: the loser of the rename race deletes its copy and uses the
 * winner's.
 */
final class KinesisMockInstall {

  /** The emulators the tests run, with pinned versions. */
  enum Emulator {
    /** kinesis-mock, the mock LocalStack uses; CBOR works. */
    KINESIS_MOCK("kinesis-mock", "kinesis-local", "0.6.2", "main.js"),
    /** kinesalite; needs CBOR off ({@code aws.cborEnabled=false}). */
    KINESALITE("kinesalite", "kinesalite", "3.3.3", "cli.js");

    final String label;
    final String packageName;
    final String version;
    final String entryPoint;

    Emulator(String label, String packageName, String version, String entryPoint) {
      this.label = label;
      this.packageName = packageName;
      this.version = version;
      this.entryPoint = entryPoint;
    }
  }

  /** System property naming the cache root. */
  static final String DIR_PROPERTY = "logstream.emulators.dir";

  private static final long INSTALL_TIMEOUT_MINUTES = 5;
  private static final int OUTPUT_TAIL_LINES = 20;

  private final Path dir;
  private final String npm;
  private final Emulator emulator;

  KinesisMockInstall(Path dir, String npm, Emulator emulator) {
    this.dir = dir;
    this.npm = npm;
    this.emulator = emulator;
  }

  /** The install of {@code emulator} in the default (or {@value #DIR_PROPERTY}) cache root. */
  static KinesisMockInstall fromEnvironment(Emulator emulator) {
    String configured = System.getProperty(DIR_PROPERTY);
    Path root =
        configured != null
            ? Path.of(configured)
            : Path.of(System.getProperty("user.home"), ".cache", "logstream");
    return new KinesisMockInstall(
        root.resolve(emulator.packageName + "-" + emulator.version).toAbsolutePath(),
        "npm",
        emulator);
  }

  /** The package folder (holding the entry point, and {@code server.json} for kinesis-mock). */
  Path packageDir() {
    return dir.resolve("node_modules").resolve(emulator.packageName);
  }

  /** Whether the pinned version is installed. */
  boolean isInstalled() {
    Path packageJson = packageDir().resolve("package.json");
    if (!Files.isRegularFile(packageDir().resolve(emulator.entryPoint))
        || !Files.isRegularFile(packageJson)) {
      return false;
    }
    try {
      String text = Files.readString(packageJson, StandardCharsets.UTF_8);
      return text.matches(
          "(?s).*\"version\"\\s*:\\s*\"" + emulator.version.replace(".", "\\.") + "\".*");
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Installs the pinned version unless it is there.
   *
   * @return the package folder
   * @throws IllegalStateException naming the command and its output tail when npm cannot run or
   *     fails
   */
  Path ensureInstalled() {
    if (isInstalled()) {
      return packageDir();
    }
    Path staging;
    try {
      Files.createDirectories(dir.getParent());
      staging = Files.createTempDirectory(dir.getParent(), dir.getFileName() + ".installing-");
    } catch (IOException e) {
      throw new UncheckedIOException(
          emulator.label + ": cannot create a directory next to " + dir, e);
    }
    try {
      runNpm(staging);
      try {
        moveIntoPlace(staging);
      } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
        // another build installed it first; use theirs
      }
      if (!isInstalled()) {
        throw new IllegalStateException(
            emulator.label
                + ": npm succeeded but "
                + packageDir().resolve(emulator.entryPoint)
                + " is missing");
      }
      return packageDir();
    } catch (IOException e) {
      throw new UncheckedIOException(emulator.label + ": cannot install into " + dir, e);
    } finally {
      deleteRecursively(staging);
    }
  }

  private void moveIntoPlace(Path staging) throws IOException {
    if (isInstalled()) {
      // another build installed it while npm ran; never pull it from under a running mock
      return;
    }
    if (Files.isDirectory(dir)) {
      // an old or broken install: replace it
      deleteRecursively(dir);
    }
    try {
      Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(staging, dir);
    }
  }

  private void runNpm(Path staging) throws IOException {
    List<String> command =
        List.of(
            npm,
            "install",
            "--prefix",
            staging.toString(),
            "--no-audit",
            "--no-fund",
            "--no-save",
            "--no-package-lock",
            emulator.packageName + "@" + emulator.version);
    String shown = String.join(" ", command);
    Path output = staging.resolve("npm-install.log");
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .directory(staging.toFile())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          emulator.label
              + ": cannot run `"
              + shown
              + "` ("
              + e.getMessage()
              + "); the kinesis tests need Node.js and npm on the PATH",
          e);
    }
    boolean exited;
    try {
      exited = process.waitFor(INSTALL_TIMEOUT_MINUTES, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          emulator.label + ": interrupted while running `" + shown + "`", e);
    }
    if (!exited) {
      process.destroyForcibly();
      throw new IllegalStateException(
          emulator.label
              + ": `"
              + shown
              + "` did not finish in "
              + INSTALL_TIMEOUT_MINUTES
              + " minutes; output tail:\n"
              + tail(output, OUTPUT_TAIL_LINES));
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          emulator.label
              + ": `"
              + shown
              + "` failed with exit code "
              + process.exitValue()
              + "; output tail:\n"
              + tail(output, OUTPUT_TAIL_LINES));
    }
  }

  /** The last {@code lines} lines of a text file, or a note that it cannot be read. */
  static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + file + ": " + e.getMessage() + ")";
    }
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(KinesisMockInstall::deleteQuietly);
    } catch (IOException e) {
      // best effort: a leftover staging directory is harmless
    }
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // best effort
    }
  }
}
