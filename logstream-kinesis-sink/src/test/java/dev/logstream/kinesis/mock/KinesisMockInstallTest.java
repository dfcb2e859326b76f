package dev.logstream.kinesis.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logstream.kinesis.mock.KinesisMockInstall.Emulator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The installer with fake npm commands: failures name the command and show npm's output. */
class KinesisMockInstallTest {

  private static final String ARGS =
      " install --prefix %s --no-audit --no-fund --no-save --no-package-lock kinesis-local@0.6.2";

  @TempDir Path temp;

  @Test
  void ensureInstalled_npmNotOnPath_namesTheCommandAndWhatIsNeeded() {
    Path dir = temp.resolve("cache/kinesis-local-0.6.2");
    KinesisMockInstall install =
        new KinesisMockInstall(dir, "logstream-no-such-npm", Emulator.KINESIS_MOCK);

    assertThatThrownBy(install::ensureInstalled)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageMatching(
            Pattern.quote("kinesis-mock: cannot run `logstream-no-such-npm")
                + String.format(Pattern.quote(ARGS), "\\E.*\\Q")
                + Pattern.quote("` (Cannot run program \"logstream-no-such-npm\"")
                + ".*"
                + Pattern.quote("); the kinesis tests need Node.js and npm on the PATH"));
    assertThat(dir).doesNotExist();
    assertThat(temp.resolve("cache")).isEmptyDirectory();
  }

  @Test
  void ensureInstalled_npmFails_reportsExitCodeAndTheLast20LinesOfOutput() throws IOException {
    StringBuilder script = new StringBuilder("#!/bin/sh\n");
    for (int i = 1; i <= 25; i++) {
      script.append("echo line ").append(i).append('\n');
    }
    script.append("echo 'npm error 404 Not Found' >&2\nexit 3\n");
    Path npm = script(script.toString());
    Path dir = temp.resolve("cache/kinesis-local-0.6.2");

    assertThatThrownBy(
            new KinesisMockInstall(dir, npm.toString(), Emulator.KINESIS_MOCK)::ensureInstalled)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageMatching(
            Pattern.quote("kinesis-mock: `" + npm)
                + String.format(Pattern.quote(ARGS), "\\E.*\\Q")
                + Pattern.quote(
                    "` failed with exit code 3; output tail:\n"
                        + "line 7\nline 8\nline 9\nline 10\nline 11\nline 12\nline 13\nline 14\n"
                        + "line 15\nline 16\nline 17\nline 18\nline 19\nline 20\nline 21\n"
                        + "line 22\nline 23\nline 24\nline 25\nnpm error 404 Not Found"));
    assertThat(dir).doesNotExist();
    assertThat(temp.resolve("cache")).isEmptyDirectory();
  }

  @Test
  void ensureInstalled_npmSucceeds_movesThePackageIntoPlaceAndRunsNpmOnlyOnce() throws IOException {
    Path calls = temp.resolve("calls");
    Path npm = fakeNpm(calls, "0.6.2");
    Path dir = temp.resolve("cache/kinesis-local-0.6.2");
    KinesisMockInstall install = new KinesisMockInstall(dir, npm.toString(), Emulator.KINESIS_MOCK);

    Path first = install.ensureInstalled();
    Path second = install.ensureInstalled();

    assertThat(first).isEqualTo(second).isEqualTo(dir.resolve("node_modules/kinesis-local"));
    assertThat(first.resolve("main.js")).isRegularFile();
    assertThat(Files.readAllLines(calls)).hasSize(1);
    try (Stream<Path> entries = Files.list(temp.resolve("cache"))) {
      assertThat(entries).containsExactly(dir);
    }
  }

  @Test
  void ensureInstalled_anotherVersionInstalled_replacesIt() throws IOException {
    Path dir = temp.resolve("cache/kinesis-local-0.6.2");
    Files.createDirectories(dir.resolve("node_modules/kinesis-local"));
    Files.writeString(dir.resolve("node_modules/kinesis-local/main.js"), "old");
    Files.writeString(
        dir.resolve("node_modules/kinesis-local/package.json"), "{ \"version\" : \"0.5.0\" }");
    KinesisMockInstall install =
        new KinesisMockInstall(
            dir, fakeNpm(temp.resolve("calls"), "0.6.2").toString(), Emulator.KINESIS_MOCK);
    assertThat(install.isInstalled()).isFalse();

    install.ensureInstalled();

    assertThat(install.isInstalled()).isTrue();
    assertThat(dir.resolve("node_modules/kinesis-local/main.js")).hasContent("// fake");
  }

  /** An npm that records its call and writes a package of {@code version} under --prefix. */
  private Path fakeNpm(Path calls, String version) throws IOException {
    return script(
        "#!/bin/sh\n"
            + "echo \"$*\" >> '"
            + calls
            + "'\n"
            + "p=\"$3/node_modules/kinesis-local\"\n"
            + "mkdir -p \"$p\"\n"
            + "echo '// fake' > \"$p/main.js\"\n"
            + "echo '{ \"version\" : \""
            + version
            + "\" }' > \"$p/package.json\"\n");
  }

  private Path script(String text) throws IOException {
    Path script = Files.createTempFile(temp, "npm", ".sh");
    Files.writeString(script, text, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }
}
