package dev.logstream.forward.interop;

import org.junit.jupiter.api.Assumptions;

/**
 * The policy for interop tests whose external tool is missing: fail in CI, abort (skip with a
 * reason) on a developer machine. CI is detected by the environment variable {@code CI=true}.
 */
final class RequiredTool {

  private RequiredTool() {}

  /**
   * Returns normally when {@code present}; otherwise throws an {@link AssertionError} in CI or
   * aborts the test elsewhere, naming what to install.
   */
  static void require(boolean present, String tool, String debianPackages) {
    require(present, tool, debianPackages, "true".equalsIgnoreCase(System.getenv("CI")));
  }

  /** {@link #require(boolean, String, String)} with the CI decision made by the caller. */
  static void require(boolean present, String tool, String debianPackages, boolean ci) {
    if (present) {
      return;
    }
    String message =
        tool
            + " is missing: install the Debian package(s) "
            + debianPackages
            + " (./logstream test installs them when run as root)";
    if (ci) {
      throw new AssertionError(message);
    }
    Assumptions.abort(message);
  }
}
